/*
 * Benchmark driver for NNoM's q7/q15 GRU cell (majianjia/nnom, src/layers/nnom_gru_cell.c, C backend, no CMSIS),
 * compiled by bench.sh from a checkout whose path it is given (NNoM is not part of this repository).
 * Sets up one cell of I inputs and H units the way NNoM's RNN layer does and runs gru_cell_run N times.
 * Usage: nnom_bench I H N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnom.h"
#include "layers/nnom_gru_cell.h"

/* The only symbol of NNoM's core the cell file references (from gru_cell_s, which is not used here). */
void *nnom_mem(size_t size) { return calloc(1, size); }

static uint32_t seed = 12345u;
static uint32_t next(void) { seed = seed * 1664525u + 1013904223u; return seed >> 8; }

static nnom_tensor_t *tensor(size_t count, size_t elem, int q_dec)
{
    nnom_tensor_t *t = calloc(1, sizeof *t);
    int8_t *d = malloc(count * elem);
    for (size_t i = 0; i < count * elem; i++) d[i] = (int8_t)(next() % 255 - 127);
    t->p_data = d;
    t->q_dec = calloc(1, sizeof *t->q_dec);
    t->q_dec[0] = (nnom_qformat_param_t)q_dec;
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: nnom_bench I H N\n"); return 2; }
    int in = atoi(argv[1]), h = atoi(argv[2]), n = atoi(argv[3]);

    nnom_gru_cell_t *c = calloc(1, sizeof *c);
    nnom_rnn_cell_t *cell = &c->super;
    nnom_layer_t *layer = calloc(1, sizeof *layer);
    layer->in = calloc(1, sizeof *layer->in);
    layer->in->tensor = tensor((size_t)in, 1, 7);
    cell->layer = layer;
    cell->units = (uint16_t)h;
    cell->feature_size = (uint16_t)in;
    c->weights = tensor((size_t)(3 * h * in), 1, 7);
    c->recurrent_weights = tensor((size_t)(3 * h * h), 1, 7);
    c->bias = tensor((size_t)(6 * h), 1, 7);
    c->q_dec_z = 12;
    c->q_dec_h = 15;
    gru_cell_build(cell);

    layer->comp = calloc(1, sizeof *layer->comp);
    layer->comp->mem = calloc(1, sizeof *layer->comp->mem);
    layer->comp->mem->blk = calloc(1, cell->comp_buf_size);
    int16_t *state[2] = { calloc((size_t)h, 2), calloc((size_t)h, 2) };
    cell->out_data = calloc((size_t)h, 1);
    int8_t *x = calloc((size_t)in, 1);
    cell->in_data = x;
    long check = 0;
    for (int t = 0; t < n; t++) {
        for (int j = 0; j < in; j++) x[j] = (int8_t)(next() % 255 - 127);
        cell->in_state = state[t & 1];
        cell->out_state = state[(t + 1) & 1];
        gru_cell_run(cell);
        check += state[(t + 1) & 1][0];
    }
    printf("macs %ld check %ld\n", (long)(3L * h * (in + h)), check);
    return 0;
}
