/*
 * skrn: the SkipRnn Edge update step in C99, bit-exact with the managed runtime (src/SkipRnn.Edge).
 *
 * A model file (src/SkipRnn.Edge/docs/model-format.md) is validated exactly as ModelReader validates it
 * (CRC, every field, same field names in errors) and unpacked into one caller-supplied arena: aligned copies
 * of the weights and parameters plus the runner's state and scratch. After skrn_init nothing allocates:
 * skrn_step / skrn_skip touch only the arena. Integer arithmetic only (int32, int64 where a product needs it),
 * written for a 32-bit in-order core without SIMD (the ESP32's Xtensa LX6).
 *
 * Portability: right shifts of negative values are arithmetic and narrowing conversions wrap, as in C#;
 * both are implementation-defined in C99 and hold on GCC and Clang for every target (skrn.c checks the
 * first at compile time). Nothing here relies on undefined behaviour; the tests run under
 * -fsanitize=undefined,address.
 */
#ifndef SKRN_H
#define SKRN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of format version 1 (SkipGruModel's constants). */
#define SKRN_MAX_LAYERS 4
#define SKRN_MAX_INPUTS 4096
#define SKRN_MAX_HIDDEN 1024
#define SKRN_MAX_OUTPUTS 1024

/* Return codes. */
#define SKRN_OK 0
#define SKRN_EFORMAT 1   /* the file is invalid: error.field names the field, as ModelFormatException.Field */
#define SKRN_EARENA 2    /* the arena is too small or misaligned (error.field = "arena") */
#define SKRN_EARG 3      /* a bad argument to skrn_skip / a null pointer (error.field names it) */

typedef struct skrn_error {
    char field[64];      /* e.g. "layer[1].w_hh.multiplier[3]", "crc32", "payload" */
    char message[96];    /* what is wrong, one short sentence */
} skrn_error;

/* One weight matrix with per-row requantization (QuantizedMatrix). Exactly one of w8 / w16 is set.
 * w16 is row-major. w8 is stored in groups of four rows, column-interleaved (w[r][0], w[r+1][0], w[r+2][0],
 * w[r+3][0], w[r][1], ...), rows left over after the last group row-major; grouping restarts at `split`
 * (2H for the reset-before variant's W_hh, whose n rows run separately; else rows), so the kernel reads one
 * weight stream for four rows. */
typedef struct skrn_matrix {
    int32_t rows, cols, bits, split;
    const int8_t *w8;
    const int16_t *w16;
    const int32_t *multiplier;   /* rows, 0..2^31-1 */
    const uint8_t *shift;        /* rows, 1..62 */
} skrn_matrix;

typedef struct skrn_layer {
    skrn_matrix wih, whh;        /* 3H x (I or H), 3H x H; rows r, z, n */
    const int32_t *bih, *bhh;    /* 3H, Q.12 */
    const int32_t *bsum;         /* bih + bhh, 3H (|sum| <= 2^20): one load per gate where both add up */
} skrn_layer;

/* The validated model (SkipGruModel), every array inside the arena. */
typedef struct skrn_model {
    int32_t variant;             /* 0 = reset after, 1 = reset before */
    int32_t layer_count, input_size, hidden_size, output_size;
    int32_t sample_period_us, input_frac_bits, flags;
    const int32_t *norm_multiplier;
    const int64_t *norm_addend;
    const uint8_t *norm_shift;
    skrn_layer layers[SKRN_MAX_LAYERS];
    skrn_matrix skip_gate;
    int32_t skip_bias;
    skrn_matrix head;            /* rows = 0 without a head */
    const int32_t *head_bias;
    int32_t self_test_steps;     /* 0 without self-test vectors */
    size_t self_test_offset;     /* byte offset of the first self-test record in the file */
} skrn_model;

/* A runner (SkipGru): the model plus state. Read the fields; change them only through the functions. */
typedef struct skrn_runner {
    skrn_model model;
    int32_t *state;              /* layer_count x hidden, Q0.15 values (int16 range), layer 0 first */
    int32_t *input;              /* normalized input, int16 range */
    int32_t *reset_state;        /* r (.) h for the reset-before variant */
    int32_t *gx, *gh;            /* 3H each, requantized Q.12 */
    int32_t *outputs;            /* output_size, Q.12 */
    int32_t *raw_scratch;        /* input_size raw values, for skrn_self_test */
    int32_t update_probability;  /* u~ for the coming step, Q0.15 */
    int32_t increment;           /* delta u~ of the last update */
    int32_t steps_to_skip;
    int32_t has_output;
    int32_t clamped;             /* raw inputs the last update's normalization clamped to int16 */
    int64_t updates, skips;      /* OpCounters.Updates / Skips */
    int64_t clamped_inputs;      /* OpCounters.ClampedInputs: clamped summed over updates */
} skrn_runner;

/* Validates `file` and returns the arena bytes skrn_init needs (0 when invalid, with `err` filled). */
size_t skrn_arena_bytes(const uint8_t *file, size_t length, skrn_error *err);

/* Validates `file` and unpacks it into `arena` (8-byte aligned, skrn_arena_bytes long); resets the runner.
 * `file` is not referenced afterwards except by skrn_self_test. Returns SKRN_OK or an error code. */
int skrn_init(skrn_runner *r, const uint8_t *file, size_t length, void *arena, size_t arena_bytes, skrn_error *err);

/* Zero states and outputs, u~ = 1 so the next step updates. Counters are kept (SkipGru.Reset). */
void skrn_reset(skrn_runner *r);

/* One step (SkipGru.Step): a skipped step when steps_to_skip > 0 (raw is not read, may be NULL) returning 0,
 * otherwise an update from input_size raw sensor integers returning 1. */
int skrn_step(skrn_runner *r, const int32_t *raw);

/* The update alone (all layers, skip gate, head); raw holds input_size values. */
void skrn_update(skrn_runner *r, const int32_t *raw);

/* Accounts for `steps` skipped steps in O(1) (SkipGru.Skip). SKRN_EARG unless 0 <= steps <= steps_to_skip. */
int skrn_skip(skrn_runner *r, int32_t steps);

/* Index of the largest head output (first on ties), -1 without a head. */
int32_t skrn_argmax(const skrn_runner *r);

/* Multiply-accumulates per update (SkipGruModel.MacsPerUpdate). */
int64_t skrn_macs_per_update(const skrn_model *m);

/* Replays the file's self-test vectors on `r` (reset first, reset after): SKRN_OK when every step matched,
 * SKRN_EFORMAT with err naming "self_test" when the model has none, SKRN_EARG with err.field
 * "updated" / "state[l][j]" / "output[o]" and the step in err.message at the first mismatch.
 * `file` must be the buffer skrn_init read. */
int skrn_self_test(skrn_runner *r, const uint8_t *file, size_t length, skrn_error *err);

/* CRC-32 (IEEE 802.3, zlib's). */
uint32_t skrn_crc32(const uint8_t *data, size_t length);

/* The activation tables' lookups: Q.12 in, Q0.15 out (Activation.Sigmoid / Tanh). */
int32_t skrn_sigmoid(int32_t x);
int32_t skrn_tanh(int32_t x);

#ifdef __cplusplus
}
#endif

#endif
