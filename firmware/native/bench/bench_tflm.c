/* Benchmark driver: TensorFlow Lite Micro's audio front end (tensorflow/lite/experimental/microfrontend, KISS FFT
 * int16) at the keyword front end's settings: 16 kHz, window 30 ms (480), hop 20 ms (320), FFT 512, 40 channels
 * from 20 Hz to 8 kHz; noise reduction, PCAN and log scale at their defaults (the whole frame as TFLM computes it).
 * Compiled by bench_frontend.sh from a TFLM checkout it is given; no TFLM code is in this repository.
 *   bench_tflm FRAMES     -> prints "frames N checksum C" */
#include <stdio.h>
#include <stdlib.h>

#include "tensorflow/lite/experimental/microfrontend/lib/frontend.h"
#include "tensorflow/lite/experimental/microfrontend/lib/frontend_util.h"

#include "bench_signal.h"

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 1;
    if (frames < 1 || frames > BENCH_MAX_FRAMES) { fprintf(stderr, "frames: 1..%d\n", BENCH_MAX_FRAMES); return 2; }
    static int16_t pcm[BENCH_SAMPLES];
    bench_signal(pcm, BENCH_SAMPLES);
    struct FrontendConfig config;
    FrontendFillConfigWithDefaults(&config);
    config.window.size_ms = 30;
    config.window.step_size_ms = 20;
    config.filterbank.num_channels = 40;
    config.filterbank.lower_band_limit = 20.0f;
    config.filterbank.upper_band_limit = 8000.0f;
    struct FrontendState state;
    if (!FrontendPopulateState(&config, &state, 16000)) { fprintf(stderr, "FrontendPopulateState failed\n"); return 1; }
    if (state.fft.fft_size != 512 || state.window.size != 480 || state.window.step != 320 || state.filterbank.num_channels != 40) {
        fprintf(stderr, "unexpected sizes\n");
        return 1;
    }
    long long checksum = 0;
    int done = 0;
    const int16_t *p = pcm;
    size_t left = BENCH_SAMPLES;
    while (done < frames) {
        size_t read = 0;
        /* The first call takes 480 samples, then 320 per frame: one frame per call, as a keyword loop feeds it. */
        struct FrontendOutput out = FrontendProcessSamples(&state, p, done == 0 ? 480 : 320, &read);
        p += read;
        left -= read;
        if (out.size == 0) continue;
        for (size_t m = 0; m < out.size; m++) checksum = checksum * 31 + out.values[m];
        done++;
    }
    FrontendFreeStateContents(&state);
    printf("frames %d checksum %lld\n", frames, checksum);
    return 0;
}
