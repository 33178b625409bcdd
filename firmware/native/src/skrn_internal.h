/* Internal declarations shared by the skrn sources. */
#ifndef SKRN_INTERNAL_H
#define SKRN_INTERNAL_H

#include "skrn.h"

extern const int16_t skrn_sigmoid_table[257];
extern const int16_t skrn_tanh_table[513];

/* Q formats (Kernels/QFormat.cs). */
#define SKRN_ONE15 32768
#define SKRN_HALF15 16384
#define SKRN_PREACT_LIMIT (1 << 19)

/* Interpolates table t whose entry i samples f at (i * 2^step_bits - 32768) / 4096, rounding half up. */
static inline int32_t skrn_lookup(const int16_t *t, int step_bits, int32_t x)
{
    if (x < -32768) x = -32768;
    else if (x > 32767) x = 32767;
    int32_t u = x + 32768;                       /* 0 .. 65535 */
    int32_t i = u >> step_bits;
    int32_t f = u & ((1 << step_bits) - 1);
    int32_t a = t[i];
    /* u <= 65535, so i + 1 <= 256 (sigmoid) or 512 (tanh): inside the tables. */
    return a + (((t[i + 1] - a) * f + (1 << (step_bits - 1))) >> step_bits);
}

#endif
