/* Sigmoid and tanh by table with linear interpolation (Kernels/Activation.cs): Q.12 in, Q0.15 out. */
#include "skrn_internal.h"

int32_t skrn_sigmoid(int32_t x) { return skrn_lookup(skrn_sigmoid_table, 8, x); }
int32_t skrn_tanh(int32_t x) { return skrn_lookup(skrn_tanh_table, 7, x); }
