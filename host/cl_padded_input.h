/* A zero-padded copy of a convolution's input, for kernels whose inner loops must not test
 * bounds (kernels/conv2d_pack.cl: conv2d_pad_input). Planes of xh x xw, the padding at the top
 * and left, zeros past the input at the bottom and right. */
#ifndef CNNCL_CL_PADDED_INPUT_H
#define CNNCL_CL_PADDED_INPUT_H

#include "cl_backend_internal.h"

typedef struct cnn_cl_padded_input {
    cl_kernel kernel;        /* NULL: no copy (the input is read as it is) */
    cl_mem buffer;
    cl_int planes, h, w, xh, xw, pad_t, pad_l;
    size_t global[3], local[3];
} cnn_cl_padded_input;

/* Whether a kernel reading xh_need x xw_need input rows and columns needs the copy. */
int cnn_cl_needs_padding(const cnn_conv2d_desc *d, int64_t xh_need, int64_t xw_need);

/* Set up the copy of d's input as planes of xh x xw (checked against the device's limits),
 * or nothing when needed is 0. what names the user in messages. */
cnn_status cnn_cl_padded_input_prepare(cl_backend *b, cnn_cl_padded_input *pi,
                                       const cnn_conv2d_desc *d, int needed, int64_t xh,
                                       int64_t xw, const char *what);

/* Enqueue the copy of in (no-op without one); the input the kernel reads is *src. */
cnn_status cnn_cl_padded_input_run(cl_backend *b, cnn_cl_padded_input *pi, cl_mem in,
                                   cl_mem *src);

void cnn_cl_padded_input_release(cnn_cl_padded_input *pi);

#endif /* CNNCL_CL_PADDED_INPUT_H */
