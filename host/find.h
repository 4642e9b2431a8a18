/* Find mode (cnn_context_set_find_mode): the algorithm of an AUTO plan is chosen by timing every
 * algorithm that can serve the shape (among allowed_algos) on the device, like cuDNN's Find; the
 * winner is remembered per device and shape, and per shape class, in the disk cache, so later
 * plans, in this process or another, skip the timing. */
#ifndef CNNCL_FIND_H
#define CNNCL_FIND_H

#include "cnn_internal.h"

/* A fingerprint of the kernels and algorithms this build has (the kernels' digest, made at build
 * time, and the algorithm count), for the disk-cache keys of what was measured with them (find
 * results, self-checks): a result from before a kernel changed, or before an algorithm existed,
 * is measured again rather than trusted. */
#define CNN_KERNELS_FINGERPRINT_MAX 32
void cnn_kernels_fingerprint(char out[CNN_KERNELS_FINGERPRINT_MAX]);

/* The remembered winner for d (its algo AUTO), if any: *chosen is d with the winner's
 * algorithm and tuning. use_class: without a result for d itself, the latest winner of d's
 * shape class (same kernel, strides and grouping; sizes within the same powers of two). */
int cnn_find_lookup(cnn_context *ctx, const cnn_conv2d_desc *d, int use_class,
                    cnn_conv2d_desc *chosen);

/* Time the candidates (descriptors of d with an algorithm and maybe a tuning set, prepared and
 * self-checked by prepare) and return the fastest's descriptor and state; remember it. The
 * first `always` candidates are always timed; the others only while the time spent is under
 * budget_ms (0: no limit). */
cnn_status cnn_find_best(cnn_context *ctx, const cnn_conv2d_desc *d,
                         const cnn_conv2d_desc *candidates, int count, int always,
                         double budget_ms,
                         cnn_status (*prepare)(cnn_context *, const cnn_conv2d_desc *, void **),
                         cnn_conv2d_desc *best, void **best_state);

#endif /* CNNCL_FIND_H */
