/*
 * Benchmark driver for callgrind: builds an I x H model (one layer, int8 weights, int16 skip gate, O-class int8
 * head; the shape of the managed BenchmarkDotNet model) as a model file in memory, loads it with skrn_init and
 * runs N updates. bench.sh runs it with N = 1 and N = 11 and divides the difference by 10 and by the MACs.
 * Usage: skrn_bench I H O N [model.skrn]   (the optional path receives the model file, for nanoclr/cost.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skrn.h"

static uint8_t *out;
static size_t pos;
static uint32_t seed = 12345u;

static uint32_t next(void) { seed = seed * 1664525u + 1013904223u; return seed >> 8; }
static void put(uint64_t v, int bytes) { for (int i = 0; i < bytes; i++) out[pos++] = (uint8_t)(v >> (8 * i)); }

static void matrix(int rows, int cols, int bits)
{
    put((uint64_t)bits, 1); put((uint64_t)rows, 2); put((uint64_t)cols, 2);
    for (int r = 0; r < rows; r++) put(1u << 22, 4);          /* multiplier: scale Q.15 x Q.7 sums into Q.12 */
    for (int r = 0; r < rows; r++) put(bits == 8 ? 37 : 45, 1);
    for (int i = 0; i < rows * cols; i++) put(bits == 8 ? (next() % 255) - 127 : (next() % 65535) - 32767, bits / 8);
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) { fprintf(stderr, "usage: skrn_bench I H O N [model.skrn]\n"); return 2; }
    int in = atoi(argv[1]), h = atoi(argv[2]), o = atoi(argv[3]), n = atoi(argv[4]);
    out = calloc(1, (size_t)(64 + 13 * in + 2 * (3 * h * (in + h) + 16 * h + o * h) + 64 * h + 8 * o));
    pos = 16;
    put(0, 1); put(1, 1); put((uint64_t)in, 2); put((uint64_t)h, 2); put((uint64_t)o, 2);
    put(20000, 4); put(12, 1); put(0, 1);
    for (int j = 0; j < in; j++) { put(1u << 20, 4); put(0, 8); put(20, 1); }
    matrix(3 * h, in, 8);
    matrix(3 * h, h, 8);
    for (int i = 0; i < 6 * h; i++) put((uint64_t)(int64_t)((int)(next() % 2001) - 1000), 4);
    matrix(1, h, 16);
    put((uint64_t)(int64_t)-2048, 4);
    if (o > 0) { matrix(o, h, 8); for (int i = 0; i < o; i++) put(0, 4); }
    memcpy(out, "SKRN", 4);
    out[4] = 1; out[5] = 0; out[6] = 0; out[7] = 0;
    size_t len = pos;
    pos = 8; put((uint64_t)(len - 16), 4); put(skrn_crc32(out + 16, len - 16), 4);

    if (argc == 6) {
        FILE *f = fopen(argv[5], "wb");
        if (f == NULL || fwrite(out, 1, len, f) != len || fclose(f) != 0) { fprintf(stderr, "cannot write %s\n", argv[5]); return 1; }
    }

    skrn_error err;
    size_t bytes = skrn_arena_bytes(out, len, &err);
    if (bytes == 0) { fprintf(stderr, "model rejected: %s: %s\n", err.field, err.message); return 1; }
    void *arena = malloc(bytes);   /* malloc aligns for any type: 8 bytes at least */
    skrn_runner r;
    if (skrn_init(&r, out, len, arena, bytes, &err) != SKRN_OK) { fprintf(stderr, "init: %s\n", err.field); return 1; }
    int32_t *raw = calloc((size_t)in, sizeof *raw);
    int64_t check = 0;
    for (int t = 0; t < n; t++) {
        for (int j = 0; j < in; j++) raw[j] = (int32_t)(next() % 60001) - 30000;
        skrn_update(&r, raw);
        check += r.state[0] + r.increment;
    }
    printf("macs %lld check %lld\n", (long long)skrn_macs_per_update(&r.model), (long long)check);
    return 0;
}
