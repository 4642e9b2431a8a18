#include "cl_padded_input.h"
#include "cl_fault.h"

#include <string.h>

int cnn_cl_needs_padding(const cnn_conv2d_desc *d, int64_t xh_need, int64_t xw_need)
{
    return d->pad_top || d->pad_left || d->pad_bottom || d->pad_right || xw_need > d->w ||
           xh_need > d->h;
}

cnn_status cnn_cl_padded_input_prepare(cl_backend *b, cnn_cl_padded_input *pi,
                                       const cnn_conv2d_desc *d, int needed, int64_t xh,
                                       int64_t xw, const char *what)
{
    cnn_context *ctx = b->base.ctx;
    memset(pi, 0, sizeof *pi);
    pi->images = d->n;
    if (!needed)
        return CNN_SUCCESS;
    const int64_t dims[4] = {d->n, d->c, xh, xw};
    cnn_status s = cnn_cl_check_int_range(b, what, dims, 4);
    if (s != CNN_SUCCESS)
        return s;
    const uint64_t image_bytes = (uint64_t)d->c * (uint64_t)xh * (uint64_t)xw * 4u;
    const uint64_t limit = cnn_context_workspace_limit(ctx);
    if (image_bytes > limit)
        return cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                         "%s: one image's padded input (%llu bytes) exceeds the workspace limit "
                         "of %llu bytes",
                         what, (unsigned long long)image_bytes, (unsigned long long)limit);
    pi->images = (int64_t)(limit / image_bytes);
    if (pi->images > d->n)
        pi->images = d->n;
    s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_pack.cl", "-cl-std=CL1.2",
                             "conv2d_pad_input", &pi->kernel);
    if (s != CNN_SUCCESS)
        return s;
    cl_int err;
    pi->buffer = cnn_cl_create_buffer(b->context, CL_MEM_READ_WRITE,
                                (size_t)(image_bytes * (uint64_t)pi->images), NULL, &err);
    if (err != CL_SUCCESS) {
        cnn_cl_padded_input_release(pi);
        return CNN_CL_FAIL(ctx, "clCreateBuffer(padded input)", err);
    }
    if (pi->images < d->n)
        cnn_log(CNN_LOG_DEBUG, "%s: padded input in passes of %lld of %lld images", what,
                (long long)pi->images, (long long)d->n);
    pi->channels = (cl_int)d->c;
    pi->h = (cl_int)d->h;
    pi->w = (cl_int)d->w;
    pi->xh = (cl_int)xh;
    pi->xw = (cl_int)xw;
    pi->pad_t = (cl_int)d->pad_top;
    pi->pad_l = (cl_int)d->pad_left;
    /* One work-item per `rows` rows of a plane (conv2d_pack.cl): whole planes when there are
     * enough of them to keep every core busy, else parts of planes. */
    pi->local[0] = pi->local[1] = pi->local[2] = 1;
    const int64_t planes = pi->images * d->c, items_wanted = 64;
    int64_t rows = planes >= items_wanted ? xh : (xh * planes + items_wanted - 1) / items_wanted;
    if (rows < 1)
        rows = 1;
    pi->rows = (cl_int)rows;
    pi->global[0] = (size_t)((xh + rows - 1) / rows);
    return CNN_SUCCESS;
}

cnn_status cnn_cl_padded_input_run(cl_backend *b, cnn_cl_padded_input *pi, cl_mem in,
                                   int64_t n0, int64_t count, cl_mem *src, int64_t *src_n0)
{
    *src = in;
    *src_n0 = n0;
    if (!pi->kernel)
        return CNN_SUCCESS;
    const cl_int planes = (cl_int)(count * pi->channels);
    const cl_int plane_base = (cl_int)(n0 * pi->channels);
    cl_kernel k = pi->kernel;
    cnn_status s = cnn_cl_set_arg(b, k, 0, sizeof in, &in);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 1, sizeof pi->buffer, &pi->buffer);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 2, sizeof pi->h, &pi->h);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 3, sizeof pi->w, &pi->w);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 4, sizeof pi->xh, &pi->xh);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 5, sizeof pi->xw, &pi->xw);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 6, sizeof pi->pad_t, &pi->pad_t);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 7, sizeof pi->pad_l, &pi->pad_l);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 8, sizeof plane_base, &plane_base);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 9, sizeof pi->rows, &pi->rows);
    size_t global[2] = {pi->global[0], (size_t)planes};
    if (s == CNN_SUCCESS) s = cnn_cl_launch(b, k, 2, global, pi->local);
    if (s == CNN_SUCCESS) {
        *src = pi->buffer;
        *src_n0 = 0;
    }
    return s;
}

void cnn_cl_padded_input_release(cnn_cl_padded_input *pi)
{
    if (pi->kernel)
        cnn_cl_release_kernel(pi->kernel);
    if (pi->buffer)
        cnn_cl_release_mem(pi->buffer);
    memset(pi, 0, sizeof *pi);
}
