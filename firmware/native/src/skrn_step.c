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
    /* floor((p + 2^(s-1)) / 2^s) = floor((floor(p / 2^(s-1)) + 1) / 2): the same value without building
     * the rounding constant. */
    int64_t v = (((acc * multiplier) >> (shift - 1)) + 1) >> 1;
    if (v > SKRN_PREACT_LIMIT) return SKRN_PREACT_LIMIT;
    if (v < -SKRN_PREACT_LIMIT) return -SKRN_PREACT_LIMIT;
    return (int32_t)v;
}

/* Sum of w[i] * x[i] over one row-major row, n <= INT8_BLOCK, so |sum| <= 2^30 fits int32. */
SKRN_INLINE int32_t dot8(const int8_t *w, const int32_t *x, int32_t n)
{
    int32_t acc = 0;
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) acc += w[i] * x[i] + w[i + 1] * x[i + 1] + w[i + 2] * x[i + 2] + w[i + 3] * x[i + 3];
    for (; i < n; i++) acc += w[i] * x[i];
    return acc;
}

/* Four columns (j + k .. j + k + 3) of an interleaved group of four rows: 16 MACs, 4 loads of x. */
#define QUAD(k) do { \
        const int8_t *q = p + 4 * (k); \
        int32_t xa = x[j + (k)], xb = x[j + (k) + 1], xc = x[j + (k) + 2], xd = x[j + (k) + 3]; \
        a0 += q[0] * xa + q[4] * xb + q[8] * xc + q[12] * xd; \
        a1 += q[1] * xa + q[5] * xb + q[9] * xc + q[13] * xd; \
        a2 += q[2] * xa + q[6] * xb + q[10] * xc + q[14] * xd; \
        a3 += q[3] * xa + q[7] * xb + q[11] * xc + q[15] * xd; \
    } while (0)

/* Columns [j0, j1) of one interleaved group of four rows (w points at the group), |sums| <= 2^30 each. */
SKRN_INLINE void dot8x4(const int8_t *w, const int32_t *x, int32_t j0, int32_t j1, int32_t acc[4])
{
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int32_t j = j0;
    const int8_t *p = w + 4 * (size_t)j0;
    for (; j + 16 <= j1; j += 16, p += 64) {
        QUAD(0);
        QUAD(4);
        QUAD(8);
        QUAD(12);
    }
    if (j + 8 <= j1) {
        QUAD(0);
        QUAD(4);
        j += 8;
        p += 32;
    }
    if (j + 4 <= j1) {
        QUAD(0);
        j += 4;
        p += 16;
    }
    for (; j < j1; j++, p += 4) {
        int32_t xa = x[j];
        a0 += p[0] * xa;
        a1 += p[1] * xa;
        a2 += p[2] * xa;
        a3 += p[3] * xa;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Rows [r0, r1) with r0 at the start of a layout segment (0 or split, see skrn.h). Four rows per pass: each x[j]
 * is loaded once for four MACs and the four rows' weights are one sequential stream. */
static void matvec8(const skrn_matrix *m, int32_t r0, int32_t r1, const int32_t *x, int32_t *out)
{
    const int32_t cols = m->cols;
    const int32_t *mult = m->multiplier;
    const uint8_t *shift = m->shift;
    const int8_t *w = m->w8 + (size_t)r0 * (size_t)cols;
    int32_t r = r0;
    int32_t acc[4];
    if (cols <= INT8_BLOCK) {
        for (; r + 4 <= r1; r += 4, w += 4 * (size_t)cols) {
            dot8x4(w, x, 0, cols, acc);
            out[r] = requantize(acc[0], mult[r], shift[r]);
            out[r + 1] = requantize(acc[1], mult[r + 1], shift[r + 1]);
            out[r + 2] = requantize(acc[2], mult[r + 2], shift[r + 2]);
            out[r + 3] = requantize(acc[3], mult[r + 3], shift[r + 3]);
        }
        for (; r < r1; r++, w += cols) out[r] = requantize(dot8(w, x, cols), mult[r], shift[r]);
        return;
    }
    /* Long rows: int32 partial sums over 256 columns at a time, joined in int64. */
    for (; r + 4 <= r1; r += 4, w += 4 * (size_t)cols) {
        int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int32_t c = 0; c < cols; c += INT8_BLOCK) {
            dot8x4(w, x, c, cols - c < INT8_BLOCK ? cols : c + INT8_BLOCK, acc);
            s0 += acc[0];
            s1 += acc[1];
            s2 += acc[2];
            s3 += acc[3];
        }
        out[r] = requantize(s0, mult[r], shift[r]);
        out[r + 1] = requantize(s1, mult[r + 1], shift[r + 1]);
        out[r + 2] = requantize(s2, mult[r + 2], shift[r + 2]);
        out[r + 3] = requantize(s3, mult[r + 3], shift[r + 3]);
    }
    for (; r < r1; r++, w += cols) {
        int64_t s0 = 0;
        for (int32_t c = 0; c < cols; c += INT8_BLOCK)
            s0 += dot8(w + c, x + c, cols - c < INT8_BLOCK ? cols - c : INT8_BLOCK);
        out[r] = requantize(s0, mult[r], shift[r]);
    }
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
    const int32_t *bih = ly->bih, *bhh = ly->bhh, *bs = ly->bsum;
    const int reset_before = rn->model.variant == 1;
    matvec(&ly->wih, 0, 3 * hidden, x, gx);

    if (reset_before) {
        int32_t *rh = rn->reset_state;
        matvec(&ly->whh, 0, 2 * hidden, h, gh);
        for (int32_t j = 0; j < hidden; j++) {
            int32_t r = skrn_lookup(skrn_sigmoid_table, 8, gx[j] + gh[j] + bs[j]);
            rh[j] = (int16_t)((r * h[j] + (1 << 14)) >> 15);
        }
        matvec(&ly->whh, 2 * hidden, 3 * hidden, rh, gh);
    } else {
        matvec(&ly->whh, 0, 3 * hidden, h, gh);
    }

    for (int32_t j = 0; j < hidden; j++) {
        const int32_t zr = hidden + j, nr = 2 * hidden + j;
        int32_t z = skrn_lookup(skrn_sigmoid_table, 8, gx[zr] + gh[zr] + bs[zr]);
        int32_t n;
        if (reset_before) {
            n = skrn_lookup(skrn_tanh_table, 7, gx[nr] + gh[nr] + bs[nr]);
        } else {
            int32_t r = skrn_lookup(skrn_sigmoid_table, 8, gx[j] + gh[j] + bs[j]);
            /* r (.) (W_hn h + b_hn): up to 2^15 * 2^20, taken in int64. */
            int32_t rhn = (int32_t)(((int64_t)r * (gh[nr] + bhh[nr]) + (1 << 14)) >> 15);
            n = skrn_lookup(skrn_tanh_table, 7, gx[nr] + bih[nr] + rhn);
        }
        /* z * (h - n) < 2^15 * 2^16 fits int32; the int16 cast wraps as C#'s (short). */
        h[j] = (int16_t)(n + ((z * (h[j] - n) + (1 << 14)) >> 15));
    }
}


void skrn_update(skrn_runner *rn, const int32_t *raw)
{
    const skrn_model *m = &rn->model;
    const int32_t hidden = m->hidden_size;

    /* InputNormalization.Apply: |raw * m| < 2^62 and |addend| <= 2^61, so the sum and rounding fit int64.
       Out-of-range values are clamped and counted, as the managed runtime counts them. */
    int32_t clamped = 0;
    for (int32_t j = 0; j < m->input_size; j++) {
        int32_t s = m->norm_shift[j];
        int64_t v = (int64_t)raw[j] * m->norm_multiplier[j] + m->norm_addend[j];
        if (s > 0) v = (v + ((int64_t)1 << (s - 1))) >> s;
        if (v > 32767) { v = 32767; clamped++; }
        else if (v < -32768) { v = -32768; clamped++; }
        rn->input[j] = (int32_t)v;
    }
    rn->clamped = clamped;
    rn->clamped_inputs += clamped;

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
