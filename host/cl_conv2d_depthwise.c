/* Depthwise convolution on OpenCL (kernels/conv2d_depthwise.cl): one input channel per group,
 * vectors along output rows; a zero-padded input copy when the kernel would read outside. */
#include "cl_backend_internal.h"
#include "cl_padded_input.h"

#include <stdio.h>
#include <stdlib.h>

/* Mirrors dw_shape in conv2d_depthwise.cl (all ints). */
typedef struct dw_shape {
    cl_int C, K, OH, OW, XH, XW;
    cl_int R, S, stride_h, stride_w, dil_h, dil_w;
    cl_int Kg, tiles_x, rows_per_item, in_n0, out_n0, flip, has_bias, activation;
} dw_shape;

/* Multiply-adds per work-item to aim for: enough that PoCL's cost per work-group (tens of ns)
 * stays small, few enough that a layer still has work-items for every core. */
#define DW_WORK_PER_ITEM 8192

typedef struct dw_state {
    cl_kernel kernel;
    dw_shape shape;
    size_t global[3];
    cnn_cl_padded_input padded;
} dw_state;

cnn_status cnn_cl_depthwise_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                    char variant[CNN_CL_VARIANT_MAX])
{
    cnn_context *ctx = b->base.ctx;
    dw_state *st = calloc(1, sizeof *st);
    if (!st)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "conv2d depthwise: out of host memory");
    /* float16 fills an AVX-512 register; GPUs keep a work-item's vector in one lane. */
    const int vw = b->info.type == CNN_DEVICE_GPU ? 4 : 16;
    const int pv = d->ow > vw ? 2 : 1;
    const int stride1 = d->stride_w == 1;
    const int64_t tile = (int64_t)pv * vw;
    const int64_t tiles_x = (d->ow + tile - 1) / tile;
    const int64_t xh_need = (d->oh - 1) * d->stride_h + (d->r - 1) * d->dilation_h + 1;
    const int64_t xw_need = (tiles_x * tile - 1) * d->stride_w + (d->s - 1) * d->dilation_w + 1;
    const int padded = cnn_cl_needs_padding(d, xh_need, xw_need);
    const int64_t xh = padded ? xh_need : d->h, xw = padded ? xw_need : d->w;
    cnn_status s = cnn_cl_padded_input_prepare(b, &st->padded, d, padded, xh, xw,
                                               "conv2d depthwise");
    char options[96];
    snprintf(options, sizeof options, "-cl-std=CL1.2 -DVW=%d -DPV=%d -DSTRIDE1=%d", vw, pv,
             stride1);
    snprintf(variant, CNN_CL_VARIANT_MAX, "conv2d_depthwise.cl %s", options);
    if (s == CNN_SUCCESS)
        s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_depthwise.cl", options,
                                 "conv2d_depthwise", &st->kernel);
    if (s != CNN_SUCCESS) {
        cnn_cl_depthwise_release(st);
        return s;
    }
    dw_shape *p = &st->shape;
    p->C = (cl_int)d->c; p->K = (cl_int)d->k; p->OH = (cl_int)d->oh; p->OW = (cl_int)d->ow;
    p->XH = (cl_int)xh; p->XW = (cl_int)xw;
    p->R = (cl_int)d->r; p->S = (cl_int)d->s;
    p->stride_h = (cl_int)d->stride_h; p->stride_w = (cl_int)d->stride_w;
    p->dil_h = (cl_int)d->dilation_h; p->dil_w = (cl_int)d->dilation_w;
    p->Kg = (cl_int)(d->k / d->groups); p->tiles_x = (cl_int)tiles_x;
    const int64_t row_work = tiles_x * tile * d->r * d->s;
    int64_t rows_per_item = DW_WORK_PER_ITEM / (row_work > 0 ? row_work : 1);
    if (rows_per_item < 1)
        rows_per_item = 1;
    if (rows_per_item > d->oh)
        rows_per_item = d->oh;
    p->rows_per_item = (cl_int)rows_per_item;
    p->flip = d->flip; p->has_bias = d->has_bias; p->activation = (cl_int)d->activation;
    st->global[0] = (size_t)((d->oh + rows_per_item - 1) / rows_per_item);
    st->global[1] = (size_t)(d->n * d->k);
    st->global[2] = 1;
    cnn_log(CNN_LOG_DEBUG,
            "conv2d depthwise: pv%d vw%d stride1 %d, %lld rows per item, %zux%zu work-items%s",
            pv, vw, stride1, (long long)rows_per_item, st->global[0], st->global[1],
            padded ? ", padded input" : "");
    *state = st;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_depthwise_run(cl_backend *b, void *state, cl_mem out, cl_mem in,
                                cl_mem weights, cl_mem bias)
{
    dw_state *st = state;
    cnn_status s = CNN_SUCCESS;
    cl_kernel k = st->kernel;
    /* One pass per part of the batch that the padded copy holds (one pass without a copy). */
    const int64_t n = (int64_t)(st->global[1] / (size_t)st->shape.K);
    const int64_t step = st->padded.images;
    for (int64_t n0 = 0; n0 < n && s == CNN_SUCCESS; n0 += step) {
        const int64_t count = n - n0 < step ? n - n0 : step;
        cl_mem src = in;
        int64_t src_n0 = n0;
        s = cnn_cl_padded_input_run(b, &st->padded, in, n0, count, &src, &src_n0);
        st->shape.in_n0 = (cl_int)src_n0;
        st->shape.out_n0 = (cl_int)n0;
        const size_t global[3] = {st->global[0], (size_t)count * (size_t)st->shape.K, 1};
        const size_t one[3] = {1, 1, 1};
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 0, sizeof src, &src);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 1, sizeof weights, &weights);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 2, sizeof bias, &bias);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 3, sizeof out, &out);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 4, sizeof st->shape, &st->shape);
        if (s == CNN_SUCCESS) s = cnn_cl_launch(b, k, 3, global, one);
    }
    return s;
}

void cnn_cl_depthwise_release(void *state)
{
    dw_state *st = state;
    if (st->kernel)
        clReleaseKernel(st->kernel);
    cnn_cl_padded_input_release(&st->padded);
    free(st);
}
