/*
 * The update step and the skipped step (Runtime/SkipGru.cs, Kernels/MatVec.cs, Kernels/Requantization.cs,
 * Model/InputNormalization.cs), operation for operation, so every output bit matches.
 *
 * Why the accumulators are exact: an int8 product is at most 128 * 32768 = 2^22, so 256 of them stay below
 * 2^30 and are summed in int32 (a 32-bit core's native add) before joining the int64 row sum; an int16 product
 * is at most 2^30, so int16 rows add each product into int64. Vectors are held as int32 (values in int16
 * range) so the inner loop loads one word per operand with no sign-extension step.
 */
#include <stdio.h>

#include "skrn_internal.h"

#define INT8_BLOCK 256

/* The dot product must be inlined into its row loop: a call per row costs as much as a dozen MACs. */
#if defined(__GNUC__)
#define SKRN_INLINE static inline __attribute__((always_inline))
#else
#define SKRN_INLINE static inline
#endif

/* Requantization.Requantize: the loader proved |acc| * multiplier + 2^(shift-1) fits int64. */
SKRN_INLINE int32_t requantize(int64_t acc, int32_t multiplier, int32_t shift)
{
    int64_t v = (acc * multiplier + ((int64_t)1 << (shift - 1))) >> shift;
    if (v > SKRN_PREACT_LIMIT) return SKRN_PREACT_LIMIT;
    if (v < -SKRN_PREACT_LIMIT) return -SKRN_PREACT_LIMIT;
    return (int32_t)v;
}

/* Sum of w[i] * x[i] for n <= INT8_BLOCK, so |sum| <= 2^30 fits int32. Unrolled by 16 and the tail by a
 * fall-through switch, so short rows (6 inputs) pay no loop either: one load, one multiply, one add per MAC. */
#define MAC8(w, x, k) (w)[k] * (x)[k] + (w)[k + 1] * (x)[k + 1] + (w)[k + 2] * (x)[k + 2] + (w)[k + 3] * (x)[k + 3] + \
    (w)[k + 4] * (x)[k + 4] + (w)[k + 5] * (x)[k + 5] + (w)[k + 6] * (x)[k + 6] + (w)[k + 7] * (x)[k + 7]
#define MAC16(w, x) MAC8(w, x, 0) + MAC8(w, x, 8)

SKRN_INLINE int32_t dot8(const int8_t *w, const int32_t *x, int32_t n)
{
    int32_t acc = 0;
    /* Counting a negative index up to 0 lets the loop end on the flags of its own increment. */
    const ptrdiff_t n16 = n & ~15;
    const int8_t *we = w + n16;
    const int32_t *xe = x + n16;
    for (ptrdiff_t i = -n16; i != 0; i += 16) {
        const int8_t *wi = we + i;
        const int32_t *xi = xe + i;
        acc += MAC16(wi, xi);
    }
    w = we;
    x = xe;
    if (n & 8) { acc += MAC8(w, x, 0); w += 8; x += 8; }
    switch (n & 7) {
    case 7: acc += w[6] * x[6]; /* fall through */
    case 6: acc += w[5] * x[5]; /* fall through */
    case 5: acc += w[4] * x[4]; /* fall through */
    case 4: acc += w[3] * x[3]; /* fall through */
    case 3: acc += w[2] * x[2]; /* fall through */
    case 2: acc += w[1] * x[1]; /* fall through */
    case 1: acc += w[0] * x[0]; /* fall through */
    default: break;
    }
    return acc;
}

static void matvec8_long(const skrn_matrix *m, int32_t r0, int32_t r1, const int32_t *x, int32_t *out)
{
    const int32_t cols = m->cols;
    const int8_t *w = m->w8 + (size_t)r0 * (size_t)cols;
    for (int32_t r = r0; r < r1; r++, w += cols) {
        int64_t acc = 0;
        for (int32_t c = 0; c < cols; c += INT8_BLOCK)
            acc += dot8(w + c, x + c, cols - c < INT8_BLOCK ? cols - c : INT8_BLOCK);
        out[r] = requantize(acc, m->multiplier[r], m->shift[r]);
    }
}

/* Columns k..k+3 of the four rows. */
#define QUAD(k) do { \
        int32_t xa = x[k], xb = x[k + 1], xc = x[k + 2], xd = x[k + 3]; \
        a0 += w0[k] * xa + w0[k + 1] * xb + w0[k + 2] * xc + w0[k + 3] * xd; \
        a1 += w1[k] * xa + w1[k + 1] * xb + w1[k + 2] * xc + w1[k + 3] * xd; \
        a2 += w2[k] * xa + w2[k + 1] * xb + w2[k + 2] * xc + w2[k + 3] * xd; \
        a3 += w3[k] * xa + w3[k + 1] * xb + w3[k + 2] * xc + w3[k + 3] * xd; \
    } while (0)

/* Four rows per pass: each x[j] is loaded once for four MACs (on the ESP32, 1.25 loads per MAC instead of 2),
 * and the loop and tail costs are paid once per four rows. */
static void matvec8(const skrn_matrix *m, int32_t r0, int32_t r1, const int32_t *x, int32_t *out)
{
    const int32_t cols = m->cols;
    if (cols > INT8_BLOCK) {
        matvec8_long(m, r0, r1, x, out);
        return;
    }
    const int8_t *w = m->w8 + (size_t)r0 * (size_t)cols;
    const int32_t *mult = m->multiplier;
    const uint8_t *shift = m->shift;
    int32_t r = r0;
    for (; r + 4 <= r1; r += 4, w += 4 * (size_t)cols) {
        const int8_t *w0 = w, *w1 = w + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int32_t j = 0;
        for (; j + 4 <= cols; j += 4) QUAD(j);
        for (; j < cols; j++) {
            int32_t xa = x[j];
            a0 += w0[j] * xa;
            a1 += w1[j] * xa;
            a2 += w2[j] * xa;
            a3 += w3[j] * xa;
        }
        out[r] = requantize(a0, mult[r], shift[r]);
        out[r + 1] = requantize(a1, mult[r + 1], shift[r + 1]);
        out[r + 2] = requantize(a2, mult[r + 2], shift[r + 2]);
        out[r + 3] = requantize(a3, mult[r + 3], shift[r + 3]);
    }
    for (; r < r1; r++, w += cols)
        out[r] = requantize(dot8(w, x, cols), mult[r], shift[r]);
}

static void matvec16(const skrn_matrix *m, int32_t r0, int32_t r1, const int32_t *x, int32_t *out)
{
    const int32_t cols = m->cols;
    const int16_t *w = m->w16 + (size_t)r0 * (size_t)cols;
    for (int32_t r = r0; r < r1; r++, w += cols) {
        int64_t acc = 0;
        int32_t i = 0;
        for (; i + 4 <= cols; i += 4)
            acc += (int64_t)(w[i] * x[i]) + (w[i + 1] * x[i + 1]) + (w[i + 2] * x[i + 2]) + (w[i + 3] * x[i + 3]);
        for (; i < cols; i++) acc += w[i] * x[i];
        out[r] = requantize(acc, m->multiplier[r], m->shift[r]);
    }
}

static inline void matvec(const skrn_matrix *m, int32_t r0, int32_t r1, const int32_t *x, int32_t *out)
{
    if (m->w8 != NULL) matvec8(m, r0, r1, x, out);
    else matvec16(m, r0, r1, x, out);
}

/* One GRU layer in place: h <- z (.) h + (1 - z) (.) n, gate order r, z, n. */
static void update_layer(skrn_runner *rn, const skrn_layer *ly, const int32_t *x, int32_t *h)
{
    const int32_t hidden = rn->model.hidden_size;
    int32_t *gx = rn->gx, *gh = rn->gh;
    const int32_t *bih = ly->bih, *bhh = ly->bhh;
    const int reset_before = rn->model.variant == 1;
    matvec(&ly->wih, 0, 3 * hidden, x, gx);

    if (reset_before) {
        int32_t *rh = rn->reset_state;
        matvec(&ly->whh, 0, 2 * hidden, h, gh);
        for (int32_t j = 0; j < hidden; j++) {
            int32_t r = skrn_lookup(skrn_sigmoid_table, 8, gx[j] + bih[j] + gh[j] + bhh[j]);
            rh[j] = (int16_t)((r * h[j] + (1 << 14)) >> 15);
        }
        matvec(&ly->whh, 2 * hidden, 3 * hidden, rh, gh);
    } else {
        matvec(&ly->whh, 0, 3 * hidden, h, gh);
    }

    for (int32_t j = 0; j < hidden; j++) {
        const int32_t zr = hidden + j, nr = 2 * hidden + j;
        int32_t z = skrn_lookup(skrn_sigmoid_table, 8, gx[zr] + bih[zr] + gh[zr] + bhh[zr]);
        int32_t n;
        if (reset_before) {
            n = skrn_lookup(skrn_tanh_table, 7, gx[nr] + bih[nr] + gh[nr] + bhh[nr]);
        } else {
            int32_t r = skrn_lookup(skrn_sigmoid_table, 8, gx[j] + bih[j] + gh[j] + bhh[j]);
            /* r (.) (W_hn h + b_hn): up to 2^15 * 2^20, taken in int64. */
            int32_t rhn = (int32_t)(((int64_t)r * (gh[nr] + bhh[nr]) + (1 << 14)) >> 15);
            n = skrn_lookup(skrn_tanh_table, 7, gx[nr] + bih[nr] + rhn);
        }
        /* z * (h - n) < 2^15 * 2^16 fits int32; the int16 cast wraps as C#'s (short). */
        h[j] = (int16_t)(n + ((z * (h[j] - n) + (1 << 14)) >> 15));
    }
}

static inline int32_t sat16(int64_t v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int32_t)v;
}

void skrn_update(skrn_runner *rn, const int32_t *raw)
{
    const skrn_model *m = &rn->model;
    const int32_t hidden = m->hidden_size;

    /* InputNormalization.Apply: |raw * m| < 2^62 and |addend| <= 2^61, so the sum and rounding fit int64. */
    for (int32_t j = 0; j < m->input_size; j++) {
        int32_t s = m->norm_shift[j];
        int64_t v = (int64_t)raw[j] * m->norm_multiplier[j] + m->norm_addend[j];
        if (s > 0) v = (v + ((int64_t)1 << (s - 1))) >> s;
        rn->input[j] = sat16(v);
    }

    const int32_t *x = rn->input;
    for (int32_t l = 0; l < m->layer_count; l++) {
        int32_t *h = rn->state + (size_t)l * (size_t)hidden;
        update_layer(rn, &m->layers[l], x, h);
        x = h;
    }

    /* Skip gate on the top layer's new state: delta u~ = sigma(W_p s + b_p) >= 11/32768. */
    int32_t pre;
    matvec(&m->skip_gate, 0, 1, x, &pre);
    int32_t p = skrn_lookup(skrn_sigmoid_table, 8, pre + m->skip_bias);
    rn->increment = p;
    rn->update_probability = p;
    rn->steps_to_skip = p > SKRN_HALF15 ? 0 : (SKRN_HALF15 - p) / p + 1;

    if (m->output_size > 0) {
        matvec(&m->head, 0, m->output_size, x, rn->outputs);
        for (int32_t o = 0; o < m->output_size; o++) rn->outputs[o] += m->head_bias[o];
        rn->has_output = 1;
    }
    rn->updates++;
}

int skrn_step(skrn_runner *rn, const int32_t *raw)
{
    if (rn->steps_to_skip > 0) {
        skrn_skip(rn, 1);
        return 0;
    }
    skrn_update(rn, raw);
    return 1;
}

int skrn_skip(skrn_runner *rn, int32_t steps)
{
    if (steps < 0 || steps > rn->steps_to_skip) return SKRN_EARG;
    /* n * delta u~ <= 16384 + delta u~: no overflow. */
    int32_t u = rn->update_probability + steps * rn->increment;
    rn->update_probability = u > SKRN_ONE15 ? SKRN_ONE15 : u;
    rn->steps_to_skip -= steps;
    rn->skips += steps;
    return SKRN_OK;
}

void skrn_reset(skrn_runner *rn)
{
    const skrn_model *m = &rn->model;
    for (int32_t i = 0; i < m->layer_count * m->hidden_size; i++) rn->state[i] = 0;
    for (int32_t o = 0; o < m->output_size; o++) rn->outputs[o] = 0;
    rn->update_probability = SKRN_ONE15;
    rn->increment = 0;
    rn->steps_to_skip = 0;
    rn->has_output = 0;
}

int32_t skrn_argmax(const skrn_runner *rn)
{
    int32_t best = -1;
    for (int32_t o = 0; o < rn->model.output_size; o++)
        if (best < 0 || rn->outputs[o] > rn->outputs[best]) best = o;
    return best;
}

int64_t skrn_macs_per_update(const skrn_model *m)
{
    int64_t macs = m->skip_gate.cols + (int64_t)m->head.rows * m->head.cols;
    for (int32_t l = 0; l < m->layer_count; l++)
        macs += (int64_t)m->layers[l].wih.rows * m->layers[l].wih.cols
              + (int64_t)m->layers[l].whh.rows * m->layers[l].whh.cols;
    return macs;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int skrn_self_test(skrn_runner *rn, const uint8_t *file, size_t length, skrn_error *err)
{
    const skrn_model *m = &rn->model;
    if (m->self_test_steps == 0 || file == NULL || length < m->self_test_offset) {
        if (err != NULL) {
            snprintf(err->field, sizeof err->field, "self_test");
            snprintf(err->message, sizeof err->message, "the model carries no self-test vectors");
        }
        return SKRN_EFORMAT;
    }
    /* Record sizes were validated by the reader: K records of I x i32, u8, L*H x i16, O x i32. */
    const int32_t inputs = m->input_size, hidden = m->hidden_size, outputs = m->output_size;
    const uint8_t *p = file + m->self_test_offset;
    skrn_reset(rn);
    for (int32_t t = 0; t < m->self_test_steps; t++) {
        char field[64];
        int32_t expected = 0, actual = 0;
        for (int32_t j = 0; j < inputs; j++, p += 4) rn->raw_scratch[j] = (int32_t)rd32(p);
        int updated = skrn_step(rn, rn->raw_scratch);
        field[0] = 0;
        if (updated != *p) {
            snprintf(field, sizeof field, "updated");
            expected = *p;
            actual = updated;
        }
        p++;
        for (int32_t l = 0; l < m->layer_count; l++)
            for (int32_t j = 0; j < hidden; j++, p += 2) {
                int32_t want = (int16_t)(uint16_t)(p[0] | (p[1] << 8));
                int32_t got = rn->state[(size_t)l * (size_t)hidden + (size_t)j];
                if (field[0] == 0 && want != got) {
                    snprintf(field, sizeof field, "state[%ld][%ld]", (long)l, (long)j);
                    expected = want;
                    actual = got;
                }
            }
        for (int32_t o = 0; o < outputs; o++, p += 4) {
            int32_t want = (int32_t)rd32(p);
            if (field[0] == 0 && want != rn->outputs[o]) {
                snprintf(field, sizeof field, "output[%ld]", (long)o);
                expected = want;
                actual = rn->outputs[o];
            }
        }
        if (field[0] != 0) {
            if (err != NULL) {
                snprintf(err->field, sizeof err->field, "%s", field);
                snprintf(err->message, sizeof err->message, "self-test failed at step %ld: expected %ld, got %ld",
                         (long)t, (long)expected, (long)actual);
            }
            skrn_reset(rn);
            return SKRN_EARG;
        }
    }
    skrn_reset(rn);
    return SKRN_OK;
}
