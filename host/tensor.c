/* NCHW float32 tensors: a shape plus a backend buffer. */
#include "cnn_internal.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

static cnn_status tensor_create_locked(cnn_tensor **tensor, cnn_context *ctx, int64_t n, int64_t c,
                                       int64_t h, int64_t w)
{
    if (tensor)
        *tensor = NULL;
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!tensor)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "cnn_tensor_create: tensor is NULL");
    if (n < 1 || c < 1 || h < 1 || w < 1)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "cnn_tensor_create: sizes must be >= 1, got %lldx%lldx%lldx%lld",
                         (long long)n, (long long)c, (long long)h, (long long)w);
    cnn_tensor *t = cnn_calloc(1, sizeof *t);
    if (!t)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "cnn_tensor_create: out of host memory");
    t->shape[0] = n; t->shape[1] = c; t->shape[2] = h; t->shape[3] = w;
    if (!cnn_shape_bytes(t->shape, &t->count, &t->bytes)) {
        free(t);
        return cnn_error(ctx, CNN_ERROR_OVERFLOW,
                         "cnn_tensor_create: %lldx%lldx%lldx%lld floats overflow a size",
                         (long long)n, (long long)c, (long long)h, (long long)w);
    }
    if (ctx->device.max_alloc_bytes && t->bytes > ctx->device.max_alloc_bytes) {
        cnn_status s = cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                                 "cnn_tensor_create: %zu bytes exceed the device's max "
                                 "allocation of %llu bytes",
                                 t->bytes, (unsigned long long)ctx->device.max_alloc_bytes);
        free(t);
        return s;
    }
    cnn_status s = ctx->backend->vt->buffer_create(ctx->backend, t->bytes, &t->buffer);
    if (s != CNN_SUCCESS) {
        free(t);
        return s;
    }
    t->ctx = ctx;
    t->stamp = ++ctx->last_stamp;
    ctx->live_tensors++;
    cnn_error_clear(ctx);
    *tensor = t;
    return CNN_SUCCESS;
}

cnn_status cnn_tensor_create(cnn_tensor **tensor, cnn_context *ctx, int64_t n, int64_t c,
                             int64_t h, int64_t w)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = tensor_create_locked(tensor, ctx, n, c, h, w);
    cnn_context_unlock(ctx);
    return s_;
}

static void tensor_destroy_locked(cnn_tensor *t)
{
    if (!t)
        return;
    cnn_context *ctx = t->ctx;
    ctx->backend->vt->buffer_destroy(ctx->backend, t->buffer);
    free(t);
    ctx->live_tensors--;
    cnn_context_release_child(ctx);
}

void cnn_tensor_destroy(cnn_tensor *t)
{
    cnn_context *held = t ? t->ctx : NULL;
    cnn_context_lock(held);
    tensor_destroy_locked(t);
    cnn_context_unlock(held);
}

cnn_status cnn_tensor_shape(const cnn_tensor *t, int64_t shape[4])
{
    if (!t || !shape)
        return CNN_ERROR_INVALID_ARGUMENT;
    memcpy(shape, t->shape, sizeof t->shape);
    return CNN_SUCCESS;
}

int64_t cnn_tensor_count(const cnn_tensor *t) { return t ? t->count : 0; }

void cnn_tensor_touch(cnn_tensor *t)
{
    if (!t->external)
        t->stamp = ++t->ctx->last_stamp;
}

static cnn_status tensor_write_locked(cnn_tensor *t, const float *src, int64_t count)
{
    if (!t)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!src)
        return cnn_error(t->ctx, CNN_ERROR_INVALID_ARGUMENT, "cnn_tensor_write: src is NULL");
    if (count != t->count)
        return cnn_error(t->ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "cnn_tensor_write: count %lld != tensor's %lld elements",
                         (long long)count, (long long)t->count);
    cnn_status s = t->ctx->backend->vt->buffer_write(t->ctx->backend, t->buffer, src, t->bytes);
    if (s == CNN_SUCCESS)
        cnn_error_clear(t->ctx);
    cnn_tensor_touch(t); /* even a failed write may have changed some of it */
    return s;
}

cnn_status cnn_tensor_write(cnn_tensor *t, const float *src, int64_t count)
{
    cnn_context *held = t ? t->ctx : NULL;
    cnn_context_lock(held);
    const cnn_status s_ = tensor_write_locked(t, src, count);
    cnn_context_unlock(held);
    return s_;
}

static cnn_status tensor_read_locked(const cnn_tensor *t, float *dst, int64_t count)
{
    if (!t)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!dst)
        return cnn_error(t->ctx, CNN_ERROR_INVALID_ARGUMENT, "cnn_tensor_read: dst is NULL");
    if (count != t->count)
        return cnn_error(t->ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "cnn_tensor_read: count %lld != tensor's %lld elements",
                         (long long)count, (long long)t->count);
    cnn_status s = t->ctx->backend->vt->buffer_read(t->ctx->backend, t->buffer, dst, t->bytes);
    if (s == CNN_SUCCESS)
        cnn_error_clear(t->ctx);
    return s;
}

cnn_status cnn_tensor_read(const cnn_tensor *t, float *dst, int64_t count)
{
    cnn_context *held = t ? t->ctx : NULL;
    cnn_context_lock(held);
    const cnn_status s_ = tensor_read_locked(t, dst, count);
    cnn_context_unlock(held);
    return s_;
}
