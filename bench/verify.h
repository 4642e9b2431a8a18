/*
 * Verification of a device result against the library's reference (host/reference.h, plain
 * loops with double accumulation).
 *
 * Which outputs are checked: all of them when the layer is small (at most
 * BENCH_VERIFY_FULL_OUTPUTS outputs and BENCH_VERIFY_FULL_MACS multiply-adds for the whole
 * check); otherwise a bounded sample: every border output (first and last row and column) of
 * BENCH_VERIFY_PLANES (n, k) planes (the first, the last, the others random), one random
 * output of every output channel and of every image, and BENCH_VERIFY_RANDOM random outputs.
 *
 * Tolerance per output, the tests' rule:
 *   convolution  |y - ref| <= 1e-5 * (sum |x*w| + |bias|) + 1e-6, ref including bias and ReLU;
 *   max pooling  y == ref exactly (a max is one of its inputs);
 *   avg pooling  |y - ref| <= 1e-5 * max|x| + 1e-6.
 * A NaN or infinite output always fails (outputs are filled with NaN before the run, so an
 * output the device never writes is caught).
 */
#ifndef CNNBENCH_VERIFY_H
#define CNNBENCH_VERIFY_H

#include "backend.h"

#include <stdint.h>

#define BENCH_VERIFY_FULL_OUTPUTS 200000
#define BENCH_VERIFY_FULL_MACS 400000000.0
#define BENCH_VERIFY_PLANES 8
#define BENCH_VERIFY_RANDOM 2000

typedef struct bench_verify_result {
    int exhaustive;       /* 1: every output was checked */
    int64_t checked;      /* outputs checked (a sampled output may be counted twice) */
    int64_t failed;       /* outputs outside the tolerance */
    double max_abs_err;   /* max |y - ref| over the checked outputs (inf for NaN) */
    double max_ratio;     /* max |y - ref| / tolerance; <= 1 when verified */
    /* the worst output: where, what the device gave, what the reference gives, the tolerance */
    int64_t worst[4];
    double worst_got, worst_ref, worst_tol;
} bench_verify_result;

/* Check a convolution output y (d's output shape) computed from x, w and bias (NULL when
 * d->has_bias is 0) by d->algo (its tolerance: cnn_ref_conv2d_tolerance). seed picks the
 * samples. Returns 1 when every checked output is within the tolerance, else 0. */
int bench_verify_conv(const cnn_conv2d_desc *d, const float *x, const float *w,
                      const float *bias, const float *y, uint64_t seed, bench_verify_result *r);

/* Check a pooling output y computed from x. Same return convention. */
int bench_verify_pool(const cnn_pool2d_desc *d, const float *x, const float *y, uint64_t seed,
                      bench_verify_result *r);

#endif /* CNNBENCH_VERIFY_H */
