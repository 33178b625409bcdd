/*
 * Model file reader: the checks of Format/ModelReader.cs and of the model constructors (QuantizedMatrix,
 * InputNormalization, GruLayerWeights, SkipGruModel) in the same order, reporting the same field names, so a
 * file the managed runtime rejects is rejected here for the same field. Validation reads the file itself; the
 * arena is filled only on the second pass (skrn_init), so skrn_arena_bytes needs no memory.
 */
#include <stdio.h>
#include <string.h>

#include "skrn_internal.h"

/* Arithmetic right shift of negative values is what the kernels (and C#) use. */
typedef char skrn_requires_arithmetic_shift[((-8) >> 1) == -4 ? 1 : -1];

#define HEADER_SIZE 16
#define MAGIC 0x4E524B53u            /* "SKRN" little-endian */
#define FLAG_CLASS_NAMES 1
#define FLAG_SELF_TEST 2
#define FLAG_EVENT_RULE 4    /* the streaming event rule (the detector's: validated here, used by managed code) */
#define FLAG_FRONT_END 8     /* the audio front end the model was trained on (skrn_audio computes log-mel v1) */
#define MAX_SELF_TEST_STEPS 4096
#define MAX_CLASS_NAME 64
#define MAX_ADDEND ((int64_t)1 << 61)

#define TRY(x) do { if ((x) != SKRN_OK) return SKRN_EFORMAT; } while (0)

typedef struct cursor {
    const uint8_t *data;
    size_t pos, end;
    skrn_error *err;
} cursor;

/* Bump allocator over the arena; counts only when base is NULL. */
typedef struct arena {
    uint8_t *base;
    size_t used;
} arena;

static int fail(skrn_error *err, const char *field, const char *message)
{
    if (err != NULL) {
        snprintf(err->field, sizeof err->field, "%s", field);
        snprintf(err->message, sizeof err->message, "%s", message);
    }
    return SKRN_EFORMAT;
}

static void *take(arena *a, size_t bytes)
{
    size_t at = (a->used + 7u) & ~(size_t)7u;
    a->used = at + bytes;
    return a->base == NULL ? NULL : a->base + at;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static int32_t i32_of(uint32_t v) { return (int32_t)v; }   /* wraps, as C#'s unchecked cast */
static int64_t le64(const uint8_t *p)
{
    return (int64_t)((uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32));
}

static int need(cursor *c, int64_t count, const char *field)
{
    if (count < 0 || (uint64_t)count > c->end - c->pos) {
        char m[96];
        snprintf(m, sizeof m, "the file ends after %lu more bytes, %lld needed (truncated or wrong size)",
                 (unsigned long)(c->end - c->pos), (long long)count);
        return fail(c->err, field, m);
    }
    return SKRN_OK;
}

static int u8(cursor *c, const char *field, int32_t *v)
{
    TRY(need(c, 1, field));
    *v = c->data[c->pos++];
    return SKRN_OK;
}

static int u16(cursor *c, const char *field, int32_t *v)
{
    TRY(need(c, 2, field));
    *v = le16(c->data + c->pos);
    c->pos += 2;
    return SKRN_OK;
}

static int i32(cursor *c, const char *field, int32_t *v)
{
    TRY(need(c, 4, field));
    *v = i32_of(le32(c->data + c->pos));
    c->pos += 4;
    return SKRN_OK;
}

static int in_range(cursor *c, const char *field, int32_t v, int32_t min, int32_t max)
{
    if (v < min || v > max) {
        char m[96];
        snprintf(m, sizeof m, "is %ld, must be %ld..%ld", (long)v, (long)min, (long)max);
        return fail(c->err, field, m);
    }
    return SKRN_OK;
}

static int u8_in(cursor *c, const char *field, int32_t min, int32_t max, int32_t *v)
{
    TRY(u8(c, field, v));
    return in_range(c, field, *v, min, max);
}

static int u16_in(cursor *c, const char *field, int32_t min, int32_t max, int32_t *v)
{
    TRY(u16(c, field, v));
    return in_range(c, field, *v, min, max);
}

static int bias_check(cursor *c, const char *field, int32_t b)
{
    if (b > SKRN_PREACT_LIMIT || b < -SKRN_PREACT_LIMIT)
        return fail(c->err, field, "exceeds +-524288 (+-128.0 in Q.12)");
    return SKRN_OK;
}

/* Rows [r0, r1) of the row-major int8 weights w into dst (same offsets) in the kernel's layout: groups of four
 * rows column-interleaved, the rows after the last group row-major. */
static void interleave(int8_t *dst, const uint8_t *w, int32_t r0, int32_t r1, int32_t cols)
{
    int32_t r = r0;
    for (; r + 4 <= r1; r += 4)
        for (int32_t j = 0; j < cols; j++)
            for (int32_t k = 0; k < 4; k++)
                dst[(size_t)r * cols + 4 * (size_t)j + k] = (int8_t)w[(size_t)(r + k) * cols + j];
    for (; r < r1; r++)
        for (int32_t j = 0; j < cols; j++) dst[(size_t)r * cols + j] = (int8_t)w[(size_t)r * cols + j];
}

/* A matrix record (ModelReader.ReadMatrix + the QuantizedMatrix constructor). */
static int read_matrix(cursor *c, arena *a, const char *name, int32_t rows, int32_t cols, int32_t split, skrn_matrix *m)
{
    char field[64];
    int32_t bits, stored_rows, stored_cols;
    snprintf(field, sizeof field, "%s.weight_bits", name);
    TRY(u8(c, field, &bits));
    if (bits != 8 && bits != 16) {
        char msg[96];
        snprintf(msg, sizeof msg, "is %ld, must be 8 or 16", (long)bits);
        return fail(c->err, field, msg);
    }
    snprintf(field, sizeof field, "%s.rows", name);
    TRY(u16(c, field, &stored_rows));
    snprintf(field, sizeof field, "%s.cols", name);
    TRY(u16(c, field, &stored_cols));
    if (stored_rows != rows || stored_cols != cols) {
        char msg[96];
        snprintf(msg, sizeof msg, "is %ldx%ld, the header's sizes require %ldx%ld",
                 (long)stored_rows, (long)stored_cols, (long)rows, (long)cols);
        return fail(c->err, name, msg);
    }
    int32_t bytes = bits / 8;
    int32_t count = rows * cols;           /* <= 3072 x 4096 */
    TRY(need(c, 5 * (int64_t)rows + (int64_t)count * bytes, name));

    const uint8_t *mult = c->data + c->pos;
    const uint8_t *shift = mult + 4 * (size_t)rows;
    const uint8_t *w = shift + rows;
    c->pos += 5 * (size_t)rows + (size_t)count * (size_t)bytes;

    for (int32_t r = 0; r < rows; r++) {
        int32_t mr = i32_of(le32(mult + 4 * (size_t)r));
        int32_t s = shift[r];
        if (mr < 0) {
            snprintf(field, sizeof field, "%s.multiplier[%ld]", name, (long)r);
            return fail(c->err, field, "is negative");
        }
        if (s < 1 || s > 62) {
            char msg[96];
            snprintf(field, sizeof field, "%s.shift[%ld]", name, (long)r);
            snprintf(msg, sizeof msg, "is %ld, must be 1..62", (long)s);
            return fail(c->err, field, msg);
        }
        int64_t sum_abs = 0;
        const uint8_t *row = w + (size_t)r * (size_t)cols * (size_t)bytes;
        for (int32_t j = 0; j < cols; j++) {
            int32_t v = bytes == 1 ? (int32_t)(int8_t)row[j] : (int32_t)(int16_t)le16(row + 2 * (size_t)j);
            sum_abs += v < 0 ? -v : v;
        }
        int64_t worst = sum_abs * 32768;                       /* < 2^46 */
        int64_t room = INT64_MAX - ((int64_t)1 << (s - 1));
        if (mr > 0 && worst > room / mr) {
            snprintf(field, sizeof field, "%s.multiplier[%ld]", name, (long)r);
            return fail(c->err, field, "worst-case accumulator times multiplier overflows int64");
        }
    }

    m->rows = rows;
    m->cols = cols;
    m->bits = bits;
    m->split = split;
    int32_t *dm = (int32_t *)take(a, 4 * (size_t)rows);
    uint8_t *ds = (uint8_t *)take(a, (size_t)rows);
    int8_t *d8 = NULL;
    int16_t *d16 = NULL;
    if (bits == 8) d8 = (int8_t *)take(a, (size_t)count);
    else d16 = (int16_t *)take(a, 2 * (size_t)count);
    if (a->base != NULL) {
        for (int32_t r = 0; r < rows; r++) dm[r] = i32_of(le32(mult + 4 * (size_t)r));
        memcpy(ds, shift, (size_t)rows);
        if (d8 != NULL) {
            interleave(d8, w, 0, split, cols);
            interleave(d8, w, split, rows, cols);
        } else for (int32_t i = 0; i < count; i++) d16[i] = (int16_t)le16(w + 2 * (size_t)i);
    }
    m->multiplier = dm;
    m->shift = ds;
    m->w8 = d8;
    m->w16 = d16;
    return SKRN_OK;
}

/* count int32 values (ModelReader.ReadInts); range checks come later, where the managed code makes them. */
static int read_ints(cursor *c, arena *a, const char *name, int32_t count, const uint8_t **raw, const int32_t **out)
{
    TRY(need(c, 4 * (int64_t)count, name));
    *raw = c->data + c->pos;
    int32_t *d = (int32_t *)take(a, 4 * (size_t)count);
    if (a->base != NULL)
        for (int32_t i = 0; i < count; i++) d[i] = i32_of(le32(*raw + 4 * (size_t)i));
    c->pos += 4 * (size_t)count;
    *out = d;
    return SKRN_OK;
}

static int check_biases(cursor *c, const char *name, const uint8_t *raw, int32_t count)
{
    char field[64];
    for (int32_t i = 0; i < count; i++) {
        snprintf(field, sizeof field, "%s[%ld]", name, (long)i);
        TRY(bias_check(c, field, i32_of(le32(raw + 4 * (size_t)i))));
    }
    return SKRN_OK;
}

/* Version 3 (ModelReader.ReadEventRulePerClass, EventRule.ForClasses' checks in their order): mask, shift, refractory,
 * min_steps, then (on, off) per event class in ascending class order. Validated, not kept. */
static int read_event_rule_per_class(cursor *c, int32_t outputs)
{
    int32_t mask, shift, refractory, min_steps, count = 0, on0 = 0, off0 = 0, differ = 0;
    TRY(i32(c, "event_rule.event_mask", &mask));
    TRY(u8(c, "event_rule.shift", &shift));
    TRY(i32(c, "event_rule.refractory", &refractory));
    TRY(u16(c, "event_rule.min_steps", &min_steps));
    for (int b = 0; b < 32; b++) count += (int32_t)(((uint32_t)mask >> b) & 1u);
    if (count == 0) return fail(c->err, "event_rule.event_mask", "is 0: at least one event class is needed");
    TRY(need(c, 8 * (int64_t)count, "event_rule.thresholds"));
    size_t at = c->pos;
    c->pos += 8 * (size_t)count;
    if (outputs < 1) return fail(c->err, "event_rule", "needs a model with a classification head");
    if (outputs < 32 && ((uint32_t)mask >> outputs) != 0)
        return fail(c->err, "event_rule.event_mask", "names a class the head does not have");
    TRY(in_range(c, "event_rule.shift", shift, 0, 14));
    TRY(in_range(c, "event_rule.refractory", refractory, 0, 65535));
    TRY(in_range(c, "event_rule.min_steps", min_steps, 1, 65535));
    for (int cls = 0, k = 0; cls < 32; cls++) {
        if ((((uint32_t)mask >> cls) & 1u) == 0) continue;
        int32_t on = i32_of(le32(c->data + at + 8 * (size_t)k)), off = i32_of(le32(c->data + at + 8 * (size_t)k + 4));
        char field[40];
        snprintf(field, sizeof field, "event_rule.on[class %d]", cls);
        TRY(in_range(c, field, on, 1, 32768));
        snprintf(field, sizeof field, "event_rule.off[class %d]", cls);
        TRY(in_range(c, field, off, 0, on));
        if (k == 0) { on0 = on; off0 = off; }
        else if (on != on0 || off != off0) differ = 1;
        k++;
    }
    if (!differ && min_steps == 1)
        return fail(c->err, "event_rule.version", "is 3 but the rule has one threshold pair and min_steps 1");
    return SKRN_OK;
}

/* The event-rule section (ModelReader.ReadEventRule, EventRule's checks in their order): validated, not kept. */
static int read_event_rule(cursor *c, int32_t outputs)
{
    int32_t version, event_class = 0, mask = 0, shift, on, off, refractory;
    TRY(u8(c, "event_rule.version", &version));
    if (version != 1 && version != 2 && version != 3)
        return fail(c->err, "event_rule.version", "this runtime reads event-rule versions 1 (one class), 2 (class mask) "
                    "and 3 (per class)");
    if (version == 3) return read_event_rule_per_class(c, outputs);
    if (version == 1) TRY(u8(c, "event_rule.event_class", &event_class));
    else TRY(i32(c, "event_rule.event_mask", &mask));
    TRY(u8(c, "event_rule.shift", &shift));
    TRY(i32(c, "event_rule.on", &on));
    TRY(i32(c, "event_rule.off", &off));
    TRY(i32(c, "event_rule.refractory", &refractory));
    if (version == 2 && mask != 0 && (mask & (mask - 1)) == 0)
        return fail(c->err, "event_rule.event_mask", "names one class: such a rule is written as version 1");
    if (outputs < 1) return fail(c->err, "event_rule", "needs a model with a classification head");
    if (version == 1) {
        if (event_class >= outputs || event_class >= 32)
            return fail(c->err, "event_rule.event_class", "is outside the head's classes");
    } else {
        if (mask == 0) return fail(c->err, "event_rule.event_mask", "is 0: at least one event class is needed");
        if (outputs < 32 && ((uint32_t)mask >> outputs) != 0)
            return fail(c->err, "event_rule.event_mask", "names a class the head does not have");
    }
    TRY(in_range(c, "event_rule.shift", shift, 0, 14));
    TRY(in_range(c, "event_rule.on", on, 1, 32768));
    TRY(in_range(c, "event_rule.off", off, 0, on));
    return in_range(c, "event_rule.refractory", refractory, 0, 65535);
}

/* The front-end section (ModelReader.ReadFrontEnd, FrontEndSpec's checks): log-mel version 1 exactly as skrn_audio
 * computes it, its bands the model's inputs. */
static int read_front_end(cursor *c, int32_t inputs)
{
    int32_t version, kind, rate, frame, hop, fft, bands, low, high, floor_exp, frac;
    TRY(u8(c, "front_end.version", &version));
    if (version != 1) return fail(c->err, "front_end.version", "this runtime reads front-end version 1");
    TRY(u8(c, "front_end.kind", &kind));
    TRY(i32(c, "front_end.sample_rate", &rate));
    TRY(u16(c, "front_end.frame_length", &frame));
    TRY(u16(c, "front_end.hop_length", &hop));
    TRY(u16(c, "front_end.fft_size", &fft));
    TRY(u8(c, "front_end.bands", &bands));
    TRY(u16(c, "front_end.low_hz", &low));
    TRY(u16(c, "front_end.high_hz", &high));
    TRY(u8(c, "front_end.log_floor_exponent", &floor_exp));
    floor_exp = (int8_t)floor_exp;
    TRY(u8(c, "front_end.feature_frac_bits", &frac));
    if (kind != 1) return fail(c->err, "front_end.kind", "this runtime computes kind 1 (log-mel) only");
    TRY(in_range(c, "front_end.sample_rate", rate, 16000, 16000));
    TRY(in_range(c, "front_end.frame_length", frame, 480, 480));
    TRY(in_range(c, "front_end.hop_length", hop, 320, 320));
    TRY(in_range(c, "front_end.fft_size", fft, 512, 512));
    TRY(in_range(c, "front_end.bands", bands, 40, 40));
    TRY(in_range(c, "front_end.low_hz", low, 20, 20));
    TRY(in_range(c, "front_end.high_hz", high, 8000, 8000));
    TRY(in_range(c, "front_end.log_floor_exponent", floor_exp, -6, -6));
    TRY(in_range(c, "front_end.feature_frac_bits", frac, 10, 10));
    return in_range(c, "front_end.bands", bands, inputs, inputs);
}

static int parse(const uint8_t *file, size_t length, arena *a, skrn_model *m, skrn_error *err)
{
    memset(m, 0, sizeof *m);
    if (file == NULL) return fail(err, "file", "is null");
    if (length < HEADER_SIZE) {
        cursor h = { file, 0, length, err };
        return need(&h, HEADER_SIZE, "header");
    }
    if (le32(file) != MAGIC) return fail(err, "magic", "is not \"SKRN\": not a SkipRnn Edge model file");
    if (le16(file + 4) != 1) {
        char msg[96];
        snprintf(msg, sizeof msg, "is %u, this runtime reads version 1", (unsigned)le16(file + 4));
        return fail(err, "version", msg);
    }
    if (le16(file + 6) != 0) return fail(err, "reserved", "must be 0");
    uint32_t payload = le32(file + 8);
    if ((uint64_t)payload != (uint64_t)(length - HEADER_SIZE))
        return fail(err, "payload_length", "does not match the file's length (truncated or padded)");
    if (skrn_crc32(file + HEADER_SIZE, payload) != le32(file + 12))
        return fail(err, "crc32", "does not match the payload: the file is corrupt");

    cursor cur = { file, HEADER_SIZE, length, err };
    cursor *c = &cur;
    int32_t inputs, hidden, outputs;
    TRY(u8_in(c, "variant", 0, 1, &m->variant));
    TRY(u8_in(c, "layer_count", 1, SKRN_MAX_LAYERS, &m->layer_count));
    TRY(u16_in(c, "input_size", 1, SKRN_MAX_INPUTS, &inputs));
    TRY(u16_in(c, "hidden_size", 1, SKRN_MAX_HIDDEN, &hidden));
    TRY(u16_in(c, "output_size", 0, SKRN_MAX_OUTPUTS, &outputs));
    TRY(i32(c, "sample_period_us", &m->sample_period_us));
    TRY(in_range(c, "sample_period_us", m->sample_period_us, 0, INT32_MAX));
    TRY(u8_in(c, "input_frac_bits", 0, 15, &m->input_frac_bits));
    TRY(u8_in(c, "flags", 0, FLAG_CLASS_NAMES | FLAG_SELF_TEST | FLAG_EVENT_RULE | FLAG_FRONT_END, &m->flags));
    m->input_size = inputs;
    m->hidden_size = hidden;
    m->output_size = outputs;

    /* Input normalization: read all, then InputNormalization's checks channel by channel. */
    TRY(need(c, 13 * (int64_t)inputs, "input_norm"));
    const uint8_t *norm = c->data + c->pos;
    c->pos += 13 * (size_t)inputs;
    for (int32_t j = 0; j < inputs; j++) {
        const uint8_t *p = norm + 13 * (size_t)j;
        char field[64];
        int64_t addend = le64(p + 4);
        if (i32_of(le32(p)) < 1) {
            snprintf(field, sizeof field, "input_norm.multiplier[%ld]", (long)j);
            return fail(err, field, "must be positive");
        }
        if (addend > MAX_ADDEND || addend < -MAX_ADDEND) {
            snprintf(field, sizeof field, "input_norm.addend[%ld]", (long)j);
            return fail(err, field, "exceeds +-2^61");
        }
        if (p[12] > 62) {
            snprintf(field, sizeof field, "input_norm.shift[%ld]", (long)j);
            return fail(err, field, "must be 0..62");
        }
    }
    {
        int32_t *mul = (int32_t *)take(a, 4 * (size_t)inputs);
        int64_t *add = (int64_t *)take(a, 8 * (size_t)inputs);
        uint8_t *sh = (uint8_t *)take(a, (size_t)inputs);
        if (a->base != NULL)
            for (int32_t j = 0; j < inputs; j++) {
                const uint8_t *p = norm + 13 * (size_t)j;
                mul[j] = i32_of(le32(p));
                add[j] = le64(p + 4);
                sh[j] = p[12];
            }
        m->norm_multiplier = mul;
        m->norm_addend = add;
        m->norm_shift = sh;
    }

    for (int32_t l = 0; l < m->layer_count; l++) {
        char name[48], field[64];
        const uint8_t *bih_raw, *bhh_raw;
        skrn_layer *ly = &m->layers[l];
        snprintf(field, sizeof field, "layer[%ld].w_ih", (long)l);
        TRY(read_matrix(c, a, field, 3 * hidden, l == 0 ? inputs : hidden, 3 * hidden, &ly->wih));
        snprintf(field, sizeof field, "layer[%ld].w_hh", (long)l);
        TRY(read_matrix(c, a, field, 3 * hidden, hidden, m->variant == 1 ? 2 * hidden : 3 * hidden, &ly->whh));
        snprintf(field, sizeof field, "layer[%ld].b_ih", (long)l);
        TRY(read_ints(c, a, field, 3 * hidden, &bih_raw, &ly->bih));
        snprintf(field, sizeof field, "layer[%ld].b_hh", (long)l);
        TRY(read_ints(c, a, field, 3 * hidden, &bhh_raw, &ly->bhh));
        snprintf(name, sizeof name, "layer[%ld].b_ih", (long)l);
        TRY(check_biases(c, name, bih_raw, 3 * hidden));
        snprintf(name, sizeof name, "layer[%ld].b_hh", (long)l);
        TRY(check_biases(c, name, bhh_raw, 3 * hidden));
        {
            /* After the range checks: |b_ih + b_hh| <= 2^20. */
            int32_t *sum = (int32_t *)take(a, 12 * (size_t)hidden);
            if (a->base != NULL)
                for (int32_t i = 0; i < 3 * hidden; i++) sum[i] = ly->bih[i] + ly->bhh[i];
            ly->bsum = sum;
        }
    }

    TRY(read_matrix(c, a, "skip_gate", 1, hidden, 1, &m->skip_gate));
    TRY(i32(c, "skip_gate.bias", &m->skip_bias));

    const uint8_t *head_bias_raw = NULL;
    if (outputs > 0) {
        TRY(read_matrix(c, a, "head", outputs, hidden, outputs, &m->head));
        TRY(read_ints(c, a, "head.bias", outputs, &head_bias_raw, &m->head_bias));
    }

    if (m->flags & FLAG_CLASS_NAMES) {
        if (outputs == 0) return fail(err, "flags", "announce class names but the model has no head");
        for (int32_t o = 0; o < outputs; o++) {
            char field[64], lfield[64];
            int32_t len;
            snprintf(field, sizeof field, "class_names[%ld]", (long)o);
            snprintf(lfield, sizeof lfield, "class_names[%ld].length", (long)o);
            TRY(u8_in(c, lfield, 1, MAX_CLASS_NAME, &len));
            TRY(need(c, len, field));
            for (int32_t i = 0; i < len; i++) {
                uint8_t b = c->data[c->pos++];
                if (b < 0x20 || b > 0x7E) return fail(err, field, "must be printable ASCII");
            }
        }
    }

    if (m->flags & FLAG_SELF_TEST) {
        int32_t steps;
        TRY(u16_in(c, "self_test.steps", 1, MAX_SELF_TEST_STEPS, &steps));
        int64_t per_step = 4 * (int64_t)inputs + 1 + 2 * (int64_t)m->layer_count * hidden + 4 * (int64_t)outputs;
        TRY(need(c, per_step * steps, "self_test"));
        m->self_test_steps = steps;
        m->self_test_offset = c->pos;
        for (int32_t t = 0; t < steps; t++) {
            int32_t updated = c->data[c->pos + 4 * (size_t)inputs];
            TRY(in_range(c, "self_test.updated", updated, 0, 1));
            c->pos += (size_t)per_step;
        }
    }

    if (m->flags & FLAG_EVENT_RULE) TRY(read_event_rule(c, outputs));
    if (m->flags & FLAG_FRONT_END) TRY(read_front_end(c, inputs));

    if (c->pos != c->end) {
        char msg[96];
        snprintf(msg, sizeof msg, "%lu unexpected bytes after the last field", (unsigned long)(c->end - c->pos));
        return fail(err, "payload", msg);
    }

    /* SkipGruModel's constructor checks, after the whole payload was read. */
    TRY(bias_check(c, "skip_gate.bias", m->skip_bias));
    if (outputs > 0) TRY(check_biases(c, "head.bias", head_bias_raw, outputs));
    return SKRN_OK;
}

/* The runner's buffers follow the model in the arena. */
static void take_buffers(arena *a, skrn_runner *r)
{
    const skrn_model *m = &r->model;
    size_t h = (size_t)m->hidden_size;
    r->state = (int32_t *)take(a, 4 * h * (size_t)m->layer_count);
    r->input = (int32_t *)take(a, 4 * (size_t)m->input_size);
    r->reset_state = (int32_t *)take(a, 4 * h);
    r->gx = (int32_t *)take(a, 12 * h);
    r->gh = (int32_t *)take(a, 12 * h);
    r->outputs = (int32_t *)take(a, 4 * (size_t)(m->output_size > 0 ? m->output_size : 1));
    r->raw_scratch = (int32_t *)take(a, 4 * (size_t)m->input_size);
}

size_t skrn_arena_bytes(const uint8_t *file, size_t length, skrn_error *err)
{
    arena a = { NULL, 0 };
    skrn_runner r;
    if (parse(file, length, &a, &r.model, err) != SKRN_OK) return 0;
    take_buffers(&a, &r);
    return a.used;
}

int skrn_init(skrn_runner *r, const uint8_t *file, size_t length, void *mem, size_t bytes, skrn_error *err)
{
    if (r == NULL) {
        fail(err, "runner", "is null");
        return SKRN_EARG;
    }
    memset(r, 0, sizeof *r);
    size_t needed = skrn_arena_bytes(file, length, err);
    if (needed == 0) return SKRN_EFORMAT;
    if (mem == NULL || bytes < needed || ((uintptr_t)mem & 7u) != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "needs %lu bytes, 8-byte aligned", (unsigned long)needed);
        fail(err, "arena", msg);
        return SKRN_EARENA;
    }
    arena a = { (uint8_t *)mem, 0 };
    if (parse(file, length, &a, &r->model, err) != SKRN_OK) return SKRN_EFORMAT;
    take_buffers(&a, r);
    skrn_reset(r);
    return SKRN_OK;
}

uint32_t skrn_crc32(const uint8_t *data, size_t length)
{
    /* Bitwise: the CRC runs once per load, a 1 KiB table is not worth its RAM on the device. */
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1u) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
}
