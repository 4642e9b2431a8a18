/* A zero-padded copy of a convolution's input, for kernels whose inner loops must not test
 * bounds (kernels/conv2d_pack.cl: conv2d_pad_input). Planes of xh x xw, the padding at the top
 * and left, zeros past the input at the bottom and right. The copy holds `images` images at a
 * time, as many as the context's workspace limit allows: a larger batch runs in passes. */
#ifndef CNNCL_CL_PADDED_INPUT_H
#define CNNCL_CL_PADDED_INPUT_H

#include "cl_backend_internal.h"

typedef struct cnn_cl_padded_input {
    cl_kernel kernel;        /* NULL: no copy (the input is read as it is) */
    cl_mem buffer;
    cl_int channels, h, w, xh, xw, pad_t, pad_l;
    cl_int rows;             /* rows of a plane per work-item */
    int64_t images;          /* images per pass (the whole batch when there is no copy) */
    size_t global[3], local[3];
} cnn_cl_padded_input;

/* Whether a kernel reading xh_need x xw_need input rows and columns needs the copy. */
int cnn_cl_needs_padding(const cnn_conv2d_desc *d, int64_t xh_need, int64_t xw_need);

/* Set up the copy of d's input as planes of xh x xw, or nothing when needed is 0. One image
 * larger than the workspace limit: CNN_ERROR_LIMIT_EXCEEDED. what names the user in messages. */
cnn_status cnn_cl_padded_input_prepare(cl_backend *b, cnn_cl_padded_input *pi,
                                       const cnn_conv2d_desc *d, int needed, int64_t xh,
                                       int64_t xw, const char *what);

/* Enqueue the copy of images [n0, n0 + count) of in (no-op without a copy); the input the
 * kernel reads is *src, where those images start at image 0 (or at n0 without a copy: see
 * *src_n0). */
cnn_status cnn_cl_padded_input_run(cl_backend *b, cnn_cl_padded_input *pi, cl_mem in,
                                   int64_t n0, int64_t count, cl_mem *src, int64_t *src_n0);

void cnn_cl_padded_input_release(cnn_cl_padded_input *pi);

#endif /* CNNCL_CL_PADDED_INPUT_H */
