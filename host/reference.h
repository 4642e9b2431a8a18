/* The reference path: plain loops with double accumulation, obviously correct, no tiling.
 * Used by the reference backend, by tests and by cnnbench's verification. */
#ifndef CNNCL_REFERENCE_H
#define CNNCL_REFERENCE_H

#include "backend.h"

/* One output element of a convolution: out[n][k][oy][ox] before rounding to float.
 * bias may be NULL (d->has_bias is then ignored). Also returns, in *abs_sum if not NULL,
 * sum |x*w| (+ |bias|), the scale used by the tests' tolerance. */
double cnn_ref_conv2d_point(const cnn_conv2d_desc *d, const float *in, const float *weights,
                            const float *bias, int64_t n, int64_t k, int64_t oy, int64_t ox,
                            double *abs_sum);

/* The error bound that results of d->algo are tested (and self-checked) against at an output
 * of channel k: 1e-5 * abs_sum + 1e-6, abs_sum from cnn_ref_conv2d_point; for Winograd also
 * 2e-5 * x_max * sum|w| over channel k's weights (x_max: max |x| over the input). Winograd's
 * transforms mix a whole 6x6 input patch with coefficients up to 8, so its rounding error
 * scales with the patch (measured: below 5e-6 x_max sum|w_k| with one input channel, less with
 * more), not with the 3x3 window. */
double cnn_ref_conv2d_tolerance(const cnn_conv2d_desc *d, const float *weights, int64_t k,
                                double abs_sum, double x_max);

/* max |x[i]| over count values (the x_max of cnn_ref_conv2d_tolerance). */
double cnn_ref_max_abs(const float *x, int64_t count);

/* A whole convolution: out = act(conv(in, weights) + bias). bias NULL: no bias. */
void cnn_ref_conv2d(const cnn_conv2d_desc *d, float *out, const float *in,
                    const float *weights, const float *bias);

/* One pooled output element and a whole pooling. */
float cnn_ref_pool2d_point(const cnn_pool2d_desc *d, const float *in, int64_t n, int64_t c,
                           int64_t oy, int64_t ox);
void cnn_ref_pool2d(const cnn_pool2d_desc *d, float *out, const float *in);

/* out = act(x + bias[c]); out may equal x. */
void cnn_ref_bias_act(const cnn_bias_act_desc *d, float *out, const float *x,
                      const float *bias);

#endif /* CNNCL_REFERENCE_H */
