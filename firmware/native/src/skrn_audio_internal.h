/* The audio front end's tables (skrn_audio_tables.c, generated from AudioTables.cs). */
#ifndef SKRN_AUDIO_INTERNAL_H
#define SKRN_AUDIO_INTERNAL_H

#include "skrn_audio.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const int32_t skrn_hann_q30[480];
extern const int32_t skrn_fft_cos_q30[128];
extern const int32_t skrn_fft_sin_q30[128];
extern const int32_t skrn_split_cos_q30[257];
extern const int32_t skrn_split_sin_q30[257];
extern const uint8_t skrn_bit_reverse8[256];
extern const int16_t skrn_mel_start[40];
extern const int16_t skrn_mel_count[40];
extern const int16_t skrn_mel_weights_q15[493];
extern const int16_t skrn_ln_mantissa_q15[257];
extern const int16_t skrn_softplus_q15[513];

#ifdef __cplusplus
}
#endif

#endif
