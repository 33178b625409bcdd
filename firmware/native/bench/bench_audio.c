/* Benchmark driver: skrn_audio_features on FRAMES frames of a deterministic test signal (two tones + noise at
 * speech level), hop 320 over one buffer, as the keyword loop feeds it.
 *   bench_audio FRAMES     -> prints "frames N checksum C"
 * bench_frontend.sh runs it under callgrind at 1 and 11 frames: (Ir(11) - Ir(1)) / 10 is one frame. */
#include <stdio.h>
#include <stdlib.h>

#include "skrn_audio.h"

#include "bench_signal.h"

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 1;
    if (frames < 1 || frames > BENCH_MAX_FRAMES) { fprintf(stderr, "frames: 1..%d\n", BENCH_MAX_FRAMES); return 2; }
    static int16_t pcm[BENCH_SAMPLES];
    bench_signal(pcm, BENCH_SAMPLES);
    static skrn_audio_work work;
    int32_t features[SKRN_AUDIO_BANDS];
    long long checksum = 0;
    for (int f = 0; f < frames; f++) {
        skrn_audio_features(pcm + f * SKRN_AUDIO_HOP_LENGTH, features, &work);
        for (int m = 0; m < SKRN_AUDIO_BANDS; m++) checksum = checksum * 31 + features[m];
    }
    printf("frames %d checksum %lld\n", frames, checksum);
    return 0;
}
