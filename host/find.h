/* Find mode (cnn_context_set_find_mode): the algorithm of an AUTO plan is chosen by timing every
 * algorithm that can serve the shape (among allowed_algos) on the device, like cuDNN's Find; the
 * winner is remembered per device and shape in the disk cache, so later plans, in this process
 * or another, skip the timing. */
#ifndef CNNCL_FIND_H
#define CNNCL_FIND_H

#include "cnn_internal.h"

/* The remembered winner for d (its algo AUTO), if any. */
int cnn_find_lookup(cnn_context *ctx, const cnn_conv2d_desc *d, cnn_conv2d_algo *algo);

/* Time the candidates (each given as a descriptor with its algorithm set, prepared and
 * self-checked by prepare) and return the fastest's descriptor and state; remember it. */
cnn_status cnn_find_best(cnn_context *ctx, const cnn_conv2d_desc *d,
                         const cnn_conv2d_algo *candidates, int count,
                         cnn_status (*prepare)(cnn_context *, const cnn_conv2d_desc *, void **),
                         cnn_conv2d_desc *best, void **best_state);

#endif /* CNNCL_FIND_H */
