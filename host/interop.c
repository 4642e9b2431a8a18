/* Interop with a caller's OpenCL objects (include/cnncl_opencl.h). */
#include "cnncl_opencl.h"
#include "cl_fault.h"

#include "cl_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cnn_status cnn_context_create_from_cl(cnn_context **out, cl_context cl_ctx, cl_device_id device,
                                      cl_command_queue queue, char *errbuf, size_t errbuf_size)
{
    if (!out) {
        cnn_copy_message(errbuf, errbuf_size, "cnn_context_create_from_cl: ctx is NULL");
        return CNN_ERROR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (!cl_ctx || !device || !queue) {
        cnn_copy_message(errbuf, errbuf_size,
                         "cnn_context_create_from_cl: context, device and queue are required");
        return CNN_ERROR_INVALID_ARGUMENT;
    }
    cnn_context *ctx = cnn_context_alloc();
    if (!ctx) {
        cnn_copy_message(errbuf, errbuf_size, "cnn_context_create_from_cl: out of host memory");
        return CNN_ERROR_OUT_OF_MEMORY;
    }
    cnn_cl_device_info(device, -1, -1, &ctx->device);
    snprintf(ctx->device.selector, sizeof ctx->device.selector, "interop");
    cnn_status s = cnn_cl_backend_create_from(ctx, cl_ctx, device, queue, &ctx->backend);
    return cnn_context_complete(out, ctx, s, errbuf, errbuf_size);
}

static cnn_status tensor_wrap_cl_locked(cnn_tensor **tensor, cnn_context *ctx, cl_mem buffer,
                                        int64_t n, int64_t c, int64_t h, int64_t w)
{
    if (tensor)
        *tensor = NULL;
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!tensor || !buffer)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "cnn_tensor_wrap_cl: %s is NULL",
                         !tensor ? "tensor" : "buffer");
    if (!cnn_backend_is_cl(ctx->backend))
        return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                         "cnn_tensor_wrap_cl: the context's device is not an OpenCL device");
    if (n < 1 || c < 1 || h < 1 || w < 1)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "cnn_tensor_wrap_cl: sizes must be >= 1");
    cnn_tensor *t = cnn_calloc(1, sizeof *t);
    if (!t)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "cnn_tensor_wrap_cl: out of host memory");
    t->shape[0] = n; t->shape[1] = c; t->shape[2] = h; t->shape[3] = w;
    if (!cnn_shape_bytes(t->shape, &t->count, &t->bytes)) {
        free(t);
        return cnn_error(ctx, CNN_ERROR_OVERFLOW, "cnn_tensor_wrap_cl: size overflows");
    }
    cl_context own_ctx = NULL, buf_ctx = NULL;
    size_t size = 0;
    cnn_cl_backend_objects(ctx->backend, &own_ctx, NULL, NULL);
    cl_int err = clGetMemObjectInfo(buffer, CL_MEM_CONTEXT, sizeof buf_ctx, &buf_ctx, NULL);
    if (err == CL_SUCCESS)
        err = clGetMemObjectInfo(buffer, CL_MEM_SIZE, sizeof size, &size, NULL);
    if (err != CL_SUCCESS) {
        free(t);
        return CNN_CL_FAIL(ctx, "clGetMemObjectInfo", err);
    }
    if (buf_ctx != own_ctx || size < t->bytes) {
        free(t);
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         buf_ctx != own_ctx
                             ? "cnn_tensor_wrap_cl: the buffer belongs to another cl_context"
                             : "cnn_tensor_wrap_cl: the buffer is smaller than the tensor");
    }
    err = cnn_cl_retain_mem(buffer);
    if (err != CL_SUCCESS) {
        free(t);
        return CNN_CL_FAIL(ctx, "clRetainMemObject", err);
    }
    t->ctx = ctx;
    t->buffer = buffer;
    t->external = 1;
    t->stamp = 0; /* the caller writes it behind our back */
    ctx->live_tensors++;
    cnn_error_clear(ctx);
    *tensor = t;
    return CNN_SUCCESS;
}

cnn_status cnn_tensor_wrap_cl(cnn_tensor **tensor, cnn_context *ctx, cl_mem buffer, int64_t n,
                              int64_t c, int64_t h, int64_t w)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = tensor_wrap_cl_locked(tensor, ctx, buffer, n, c, h, w);
    cnn_context_unlock(ctx);
    return s_;
}

static cnn_status tensor_cl_mem_locked(const cnn_tensor *tensor, cl_mem *buffer)
{
    if (!tensor || !buffer)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!cnn_backend_is_cl(tensor->ctx->backend))
        return CNN_ERROR_UNSUPPORTED;
    /* The caller may now write it directly: its stamp no longer tells its contents. The
     * tensor is const to the caller, but this bookkeeping is cnncl's own. */
    ((cnn_tensor *)tensor)->stamp = 0;
    ((cnn_tensor *)tensor)->external = 1;
    *buffer = (cl_mem)tensor->buffer;
    return CNN_SUCCESS;
}

cnn_status cnn_tensor_cl_mem(const cnn_tensor *tensor, cl_mem *buffer)
{
    cnn_context *held = tensor ? tensor->ctx : NULL;
    cnn_context_lock(held);
    const cnn_status s_ = tensor_cl_mem_locked(tensor, buffer);
    cnn_context_unlock(held);
    return s_;
}

static cnn_status context_cl_objects_locked(const cnn_context *ctx, cl_context *cl_ctx,
                                            cl_device_id *device, cl_command_queue *queue)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!cnn_backend_is_cl(ctx->backend))
        return CNN_ERROR_UNSUPPORTED;
    cnn_cl_backend_objects(ctx->backend, cl_ctx, device, queue);
    return CNN_SUCCESS;
}

cnn_status cnn_context_cl_objects(const cnn_context *ctx, cl_context *cl_ctx,
                                  cl_device_id *device, cl_command_queue *queue)
{
    cnn_context *held = (cnn_context *)ctx;
    cnn_context_lock(held);
    const cnn_status s_ = context_cl_objects_locked(ctx, cl_ctx, device, queue);
    cnn_context_unlock(held);
    return s_;
}
