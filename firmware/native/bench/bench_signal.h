/* The benchmark's test signal, shared by bench_audio.c and bench_tflm.c: a 440 Hz and a 1,870 Hz tone plus
 * uniform noise (peak about 12,000 of 32,767), integer only and deterministic. */
#ifndef BENCH_SIGNAL_H
#define BENCH_SIGNAL_H

#include <stdint.h>

#define BENCH_MAX_FRAMES 64
#define BENCH_SAMPLES (480 + 320 * BENCH_MAX_FRAMES)

static void bench_signal(int16_t *pcm, int n)
{
    /* Triangle waves (integer) instead of sines: the spectrum's shape does not matter for the cost. */
    uint32_t seed = 12345u;
    for (int i = 0; i < n; i++) {
        int32_t t1 = (int32_t)((i * 440L * 4 * 4096 / 16000) % (4 * 4096)), t2 = (int32_t)((i * 1870L * 4 * 4096 / 16000) % (4 * 4096));
        int32_t a = t1 < 2 * 4096 ? t1 - 4096 : 3 * 4096 - t1;
        int32_t b = t2 < 2 * 4096 ? t2 - 4096 : 3 * 4096 - t2;
        seed = seed * 1664525u + 1013904223u;
        int32_t noise = (int32_t)(seed >> 20) - 2048;
        pcm[i] = (int16_t)(a + b + noise);
    }
}

#endif
