/*
 * skrn_audio: the keyword front end of src/SkipRnn.Edge.Audio in C99, bit-exact with LogMelPipeline: a 480-sample
 * PCM16 frame (30 ms at 16 kHz) -> periodic Hann window with block floating point -> 512-point real FFT
 * (int32 data, Q30 twiddles, int64 products, every stage halved) -> power (int64) -> 40 mel bands (Q0.15 weights,
 * int64) -> ln(E + 10^-6) in Q10. Same integers, same order, same rounding as the managed stages
 * (docs/audio-front-end.md); nothing allocated: the caller owns the work area (about 4 KiB).
 */
#ifndef SKRN_AUDIO_H
#define SKRN_AUDIO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKRN_AUDIO_SAMPLE_RATE 16000
#define SKRN_AUDIO_FRAME_LENGTH 480   /* samples per frame (LogMelPipeline.FrameLength) */
#define SKRN_AUDIO_HOP_LENGTH 320     /* samples between frames (AudioFrontEnd.HopLength) */
#define SKRN_AUDIO_BANDS 40           /* features per frame */
#define SKRN_AUDIO_BINS 257           /* FFT bins 0..256 */
#define SKRN_AUDIO_SILENT_SHIFT INT32_MIN  /* the window's shift for an all-zero frame (LogMelPipeline.Shift) */

/* Scratch and the last frame's stage results (LogMelPipeline's stage buffers). */
typedef struct skrn_audio_work {
    int32_t re[SKRN_AUDIO_BINS];        /* spectrum, real parts (the FFT's work area) */
    int32_t im[SKRN_AUDIO_BINS];
    int64_t power[SKRN_AUDIO_BINS];
    int64_t energy[SKRN_AUDIO_BANDS];
    int32_t shift;                      /* the window's block shift r, or SKRN_AUDIO_SILENT_SHIFT */
    int32_t power_shift;                /* MelFilterbank.PowerShift s (0 for a silent frame) */
} skrn_audio_work;

/* The 40 Q10 features of frame[0..480) (oldest sample first) into features[0..40) (int16 values in int32 slots,
 * the Skip-GRU's input type). Returns w->shift. */
int32_t skrn_audio_features(const int16_t *frame, int32_t *features, skrn_audio_work *w);

/* Bytes per sample in a ring of raw I2S frames as nanoFramework's I2sDevice.Read hands them over in stereo with 32-bit
 * slots: the left slot (bytes 0..3, little-endian, 24-bit data in the top bits) then the right slot (bytes 4..7). */
#define SKRN_AUDIO_SLOT_BYTES 8

/* The 480 PCM16 samples of a frame whose first sample is slot `first` of a ring of `slot_count` raw I2S frames
 * (SKRN_AUDIO_SLOT_BYTES each, wrapping at the end): each sample is its left slot's top 16 bits, bytes 2..3
 * (I2sSlots.Unpack on the managed side). Needs slot_count >= 480 and 0 <= first < slot_count. */
void skrn_audio_unpack_slots(const uint8_t *slots, int32_t slot_count, int32_t first, int16_t *frame);

/* The stages alone, for tests (LogEnergy.Compute: energy >= 0, exponent in [-64, 160]). */
int32_t skrn_audio_log_energy(int64_t energy, int32_t exponent);

#ifdef __cplusplus
}
#endif

#endif
