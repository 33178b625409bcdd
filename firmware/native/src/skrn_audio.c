/*
 * The keyword front end (src/SkipRnn.Edge.Audio: FrameWindow, RealFft512, PowerSpectrum, MelFilterbank, LogEnergy),
 * operation for operation. The only rewrites are exact: the window's products are recomputed in the scaling pass
 * instead of stored, and the scaled samples go straight to their bit-reversed places in the FFT's work area (what
 * RealFft512.Transform's first loop does with the stored ones); a left shift of a possibly negative value is written
 * as a multiplication by a power of two (the same number; C leaves the shift undefined).
 */
#include "skrn_audio_internal.h"
#include <stddef.h>

#define HALF 256
#define OUTPUT_BITS 29           /* FrameWindow.OutputBits */
#define POWER_BITS 39            /* MelFilterbank.PowerBits */
#define LN2_Q20 726817           /* LogEnergy.Ln2Q20 */
#define LN_FLOOR_Q20 (-14486613) /* LogEnergy.LnFloorQ20 */
#define FLOOR_FEATURE ((LN_FLOOR_Q20 + 512) >> 10)

#define P30 ((int64_t)1 << 30)

/* Index of the top set bit + 1 of v > 0 (the managed "while ((v >> bits) != 0) bits++"), by halving. */
static int32_t bit_count(uint64_t v)
{
    int32_t b = 0;
    if (v >> 32) { v >>= 32; b += 32; }
    if (v >> 16) { v >>= 16; b += 16; }
    if (v >> 8) { v >>= 8; b += 8; }
    if (v >> 4) { v >>= 4; b += 4; }
    if (v >> 2) { v >>= 2; b += 2; }
    if (v >> 1) { v >>= 1; b += 1; }
    return b + (int32_t)v;
}

/* FrameWindow.Apply + the bit-reversed load of RealFft512.Transform. Returns r, or SKRN_AUDIO_SILENT_SHIFT. */
static int32_t window(const int16_t *x, int32_t *re, int32_t *im)
{
    const int32_t *w = skrn_hann_q30;
    const uint8_t *rev = skrn_bit_reverse8;
    int64_t max = 0;
    for (int n = 0; n < SKRN_AUDIO_FRAME_LENGTH; n++) {
        int64_t p = (int64_t)x[n] * w[n];
        if (p < 0) p = -p;
        if (p > max) max = p;
    }
    if (max == 0) return SKRN_AUDIO_SILENT_SHIFT;
    int32_t r = bit_count((uint64_t)max) - OUTPUT_BITS;
    const int half_frame = SKRN_AUDIO_FRAME_LENGTH / 2;   /* 240 pairs of samples, then zero padding */
    if (r > 0) {
        int64_t round = (int64_t)1 << (r - 1);
        for (int j = 0; j < half_frame; j++) {
            int t = rev[j];
            re[t] = (int32_t)(((int64_t)x[2 * j] * w[2 * j] + round) >> r);
            im[t] = (int32_t)(((int64_t)x[2 * j + 1] * w[2 * j + 1] + round) >> r);
        }
    } else {
        int32_t scale = (int32_t)1 << -r;               /* |p| < 2^29 here: the int32 product is exact */
        for (int j = 0; j < half_frame; j++) {
            int t = rev[j];
            re[t] = (int32_t)((int64_t)x[2 * j] * w[2 * j]) * scale;
            im[t] = (int32_t)((int64_t)x[2 * j + 1] * w[2 * j + 1]) * scale;
        }
    }
    for (int j = half_frame; j < HALF; j++) {
        int t = rev[j];
        re[t] = 0;
        im[t] = 0;
    }
    return r;
}

/* RealFft512.ComplexFft256: stages 1 and 2 without multiplications, then the halving butterflies. */
static void complex_fft256(int32_t *re, int32_t *im)
{
    for (int a = 0; a < HALF; a += 4) {
        int32_t r0 = re[a], i0 = im[a], r1 = re[a + 1], i1 = im[a + 1];
        int32_t r2 = re[a + 2], i2 = im[a + 2], r3 = re[a + 3], i3 = im[a + 3];
        int32_t p0 = (r0 + r1 + 1) >> 1, q0 = (i0 + i1 + 1) >> 1, p1 = (r0 - r1 + 1) >> 1, q1 = (i0 - i1 + 1) >> 1;
        int32_t p2 = (r2 + r3 + 1) >> 1, q2 = (i2 + i3 + 1) >> 1, p3 = (r2 - r3 + 1) >> 1, q3 = (i2 - i3 + 1) >> 1;
        re[a] = (p0 + p2 + 1) >> 1;
        im[a] = (q0 + q2 + 1) >> 1;
        re[a + 2] = (p0 - p2 + 1) >> 1;
        im[a + 2] = (q0 - q2 + 1) >> 1;
        re[a + 1] = (p1 + q3 + 1) >> 1;
        im[a + 1] = (q1 - p3 + 1) >> 1;
        re[a + 3] = (p1 - q3 + 1) >> 1;
        im[a + 3] = (q1 + p3 + 1) >> 1;
    }
    const int32_t *cos_t = skrn_fft_cos_q30;
    const int32_t *sin_t = skrn_fft_sin_q30;
    for (int size = 8; size <= HALF; size <<= 1) {
        int half = size >> 1;
        int step = HALF / size;
        for (int j = 0; j < half; j++) {
            int64_t c = cos_t[j * step];
            int64_t s = sin_t[j * step];
            for (int a = j; a < HALF; a += size) {
                int b = a + half;
                int64_t br = re[b], bi = im[b];
                int64_t tr = c * br + s * bi;               /* w.b, w = c - i.s (Q30) */
                int64_t ti = c * bi - s * br;
                int64_t ar = re[a] * P30 + P30;             /* + rounding of the / 2^31 below */
                int64_t ai = im[a] * P30 + P30;
                re[a] = (int32_t)((ar + tr) >> 31);
                im[a] = (int32_t)((ai + ti) >> 31);
                re[b] = (int32_t)((ar - tr) >> 31);
                im[b] = (int32_t)((ai - ti) >> 31);
            }
        }
    }
}

/* RealFft512.Split: X'[k] = X[k] / 512, k = 0..256, in place. */
static void split(int32_t *re, int32_t *im)
{
    const int32_t *cos_t = skrn_split_cos_q30;
    const int32_t *sin_t = skrn_split_sin_q30;
    const int64_t round = (int64_t)1 << 31;
    int32_t r0 = re[0], i0 = im[0];
    for (int k = 1; k <= HALF / 2; k++) {
        int m = HALF - k;
        int64_t zr = re[k], zi = im[k], yr = re[m], yi = im[m];
        int64_t ar = zr + yr, ai = zi - yi, br = zr - yr, bi = zi + yi;
        int64_t c = cos_t[k], s = sin_t[k];
        int32_t xr = (int32_t)((ar * P30 + c * bi - s * br + round) >> 32);
        int32_t xi = (int32_t)((ai * P30 - c * br - s * bi + round) >> 32);
        if (m != k) {
            int64_t c2 = cos_t[m], s2 = sin_t[m];
            re[m] = (int32_t)((ar * P30 + c2 * bi + s2 * br + round) >> 32);
            im[m] = (int32_t)((-ai * P30 + c2 * br - s2 * bi + round) >> 32);
        }
        re[k] = xr;
        im[k] = xi;
    }
    re[0] = (int32_t)(((int64_t)r0 + i0 + 1) >> 1);
    im[0] = 0;
    re[HALF] = (int32_t)(((int64_t)r0 - i0 + 1) >> 1);
    im[HALF] = 0;
}

int32_t skrn_audio_log_energy(int64_t energy, int32_t exponent)
{
    if (energy <= 0) return FLOOR_FEATURE;
    int32_t b = bit_count((uint64_t)energy) - 1;          /* index of the top bit, 0..62 */
    int32_t frac = b >= 16 ? (int32_t)(energy >> (b - 16)) - 65536
                           : (int32_t)energy * ((int32_t)1 << (16 - b)) - 65536;
    const int16_t *lt = skrn_ln_mantissa_q15;
    int32_t i = frac >> 8;
    int32_t v = lt[i];
    int32_t mant = v + (((lt[i + 1] - v) * (frac & 255) + 128) >> 8);   /* ln(1 + frac/2^16), Q15, >= 0 */
    int32_t ln = (b - exponent) * LN2_Q20 + mant * 32;                  /* Q20 */
    int32_t hi, d;
    if (ln >= LN_FLOOR_Q20) { hi = ln; d = ln - LN_FLOOR_Q20; }
    else { hi = LN_FLOOR_Q20; d = LN_FLOOR_Q20 - ln; }
    int32_t j = d >> 15;
    if (j < 512) {
        const int16_t *st = skrn_softplus_q15;
        int32_t s = st[j];
        hi += (s + (((st[j + 1] - s) * ((d >> 5) & 1023) + 512) >> 10)) * 32;
    }
    return (hi + 512) >> 10;
}

void skrn_audio_unpack_slots(const uint8_t *slots, int32_t slot_count, int32_t first, int16_t *frame)
{
    int32_t i = 0;
    while (i < SKRN_AUDIO_FRAME_LENGTH) {
        int32_t run = slot_count - first;           /* slots to the end of the ring */
        if (run > SKRN_AUDIO_FRAME_LENGTH - i) run = SKRN_AUDIO_FRAME_LENGTH - i;
        const uint8_t *b = slots + (size_t)first * SKRN_AUDIO_SLOT_BYTES + 2;
        for (int32_t k = 0; k < run; k++, b += SKRN_AUDIO_SLOT_BYTES)
            frame[i + k] = (int16_t)(uint16_t)(b[0] | (b[1] << 8));
        i += run;
        first = 0;
    }
}

int32_t skrn_audio_features(const int16_t *frame, int32_t *features, skrn_audio_work *w)
{
    int32_t *re = w->re, *im = w->im;
    int64_t *power = w->power, *energy = w->energy;
    int32_t r = window(frame, re, im);
    w->shift = r;
    if (r == SKRN_AUDIO_SILENT_SHIFT) {
        /* Digital silence: every band at the floor, no FFT (LogMelPipeline.Compute). */
        for (int k = 0; k < SKRN_AUDIO_BINS; k++) { re[k] = 0; im[k] = 0; power[k] = 0; }
        for (int m = 0; m < SKRN_AUDIO_BANDS; m++) { energy[m] = 0; features[m] = FLOOR_FEATURE; }
        w->power_shift = 0;
        return r;
    }
    complex_fft256(re, im);
    split(re, im);

    int64_t max = 0;
    for (int k = 0; k < SKRN_AUDIO_BINS; k++) {
        int64_t a = re[k], b = im[k];
        int64_t p = a * a + b * b;
        power[k] = p;
        if (p > max) max = p;
    }
    int32_t bits = max > 0 ? bit_count((uint64_t)max) : 0;
    int32_t s = bits > POWER_BITS ? bits - POWER_BITS : 0;
    w->power_shift = s;

    const int16_t *start = skrn_mel_start, *count = skrn_mel_count, *mw = skrn_mel_weights_q15;
    int32_t exponent = 87 - 2 * r - s;                     /* energy = E . 2^exponent (MelFilterbank) */
    int i = 0;
    for (int m = 0; m < SKRN_AUDIO_BANDS; m++) {
        const int64_t *pk = power + start[m];
        int end = i + count[m];
        int64_t acc = 0;
        for (; i < end; i++, pk++) acc += (*pk >> s) * mw[i];
        energy[m] = acc;
        features[m] = skrn_audio_log_energy(acc, exponent);
    }
    return r;
}
