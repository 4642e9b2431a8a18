/* The reference backend: host memory and the plain loops of reference.c. */
#define _POSIX_C_SOURCE 200809L
#include "reference.h"
#include "fault.h"
#include "cnn_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct ref_backend {
    cnn_backend base;
    double last_op_ms;
} ref_backend;

/* A monotonic clock, in ms since an arbitrary start; differences stay sub-microsecond. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void ref_destroy(cnn_backend *be) { free(be); }

static cnn_status ref_buffer_create(cnn_backend *be, size_t bytes, void **buffer)
{
    *buffer = cnn_malloc(bytes);
    if (!*buffer)
        return cnn_error(be->ctx, CNN_ERROR_OUT_OF_MEMORY,
                         "reference: cannot allocate %zu bytes", bytes);
    return CNN_SUCCESS;
}

static void ref_buffer_destroy(cnn_backend *be, void *buffer)
{
    (void)be;
    free(buffer);
}

static cnn_status ref_buffer_write(cnn_backend *be, void *buffer, const void *src, size_t bytes)
{
    (void)be;
    memcpy(buffer, src, bytes);
    return CNN_SUCCESS;
}

static cnn_status ref_buffer_read(cnn_backend *be, void *buffer, void *dst, size_t bytes)
{
    (void)be;
    memcpy(dst, buffer, bytes);
    return CNN_SUCCESS;
}

static cnn_status ref_prepare_nothing(cnn_backend *be, const void *d, void **state)
{
    (void)be; (void)d;
    *state = NULL;
    return CNN_SUCCESS;
}

static cnn_status ref_conv2d_prepare(cnn_backend *be, const cnn_conv2d_desc *d, void **state)
{
    return ref_prepare_nothing(be, d, state);
}

static cnn_status ref_pool2d_prepare(cnn_backend *be, const cnn_pool2d_desc *d, void **state)
{
    return ref_prepare_nothing(be, d, state);
}

static void ref_release_nothing(cnn_backend *be, void *state)
{
    (void)be; (void)state;
}

static cnn_status ref_conv2d_run(cnn_backend *be, void *state, const cnn_conv2d_desc *d,
                                 void *out, const void *in, const void *weights,
                                 uint64_t weights_stamp, const void *bias)
{
    (void)state;
    (void)weights_stamp;
    double t0 = now_ms();
    cnn_ref_conv2d(d, out, in, weights, bias);
    ((ref_backend *)be)->last_op_ms = now_ms() - t0;
    return CNN_SUCCESS;
}

static cnn_status ref_pool2d_run(cnn_backend *be, void *state, const cnn_pool2d_desc *d,
                                 void *out, const void *in)
{
    (void)state;
    double t0 = now_ms();
    cnn_ref_pool2d(d, out, in);
    ((ref_backend *)be)->last_op_ms = now_ms() - t0;
    return CNN_SUCCESS;
}

static cnn_status ref_bias_act(cnn_backend *be, const cnn_bias_act_desc *d, void *out,
                               const void *x, const void *bias)
{
    double t0 = now_ms();
    cnn_ref_bias_act(d, out, x, bias);
    ((ref_backend *)be)->last_op_ms = now_ms() - t0;
    return CNN_SUCCESS;
}

static cnn_status ref_finish(cnn_backend *be)
{
    (void)be;
    return CNN_SUCCESS;
}

static cnn_status ref_last_op_ms(cnn_backend *be, double *ms)
{
    *ms = ((ref_backend *)be)->last_op_ms;
    return CNN_SUCCESS;
}

static const cnn_backend_vtable ref_vtable = {
    .name = "reference",
    .destroy = ref_destroy,
    .buffer_create = ref_buffer_create,
    .buffer_destroy = ref_buffer_destroy,
    .buffer_write = ref_buffer_write,
    .buffer_read = ref_buffer_read,
    .conv2d_prepare = ref_conv2d_prepare,
    .conv2d_run = ref_conv2d_run,
    .conv2d_release = ref_release_nothing,
    .pool2d_prepare = ref_pool2d_prepare,
    .pool2d_run = ref_pool2d_run,
    .pool2d_release = ref_release_nothing,
    .bias_act = ref_bias_act,
    .finish = ref_finish,
    .last_op_ms = ref_last_op_ms,
};

cnn_status cnn_reference_backend_create(cnn_context *ctx, cnn_backend **be)
{
    ref_backend *r = cnn_calloc(1, sizeof *r);
    if (!r)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "reference backend: out of host memory");
    r->base.vt = &ref_vtable;
    r->base.ctx = ctx;
    *be = &r->base;
    return CNN_SUCCESS;
}
