/* The OpenCL backend: context, queue, buffers, launches and profiling. */
#include "cl_backend_internal.h"
#include "cl_fault.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static cl_backend *as_cl(cnn_backend *be) { return (cl_backend *)be; }

void cnn_cl_op_begin(cl_backend *b)
{
    for (int i = 0; i < b->op_event_count; i++)
        clReleaseEvent(b->op_events[i]);
    b->op_event_count = 0;
}

cnn_status cnn_cl_launch(cl_backend *b, cl_kernel kernel, cl_uint dims, const size_t *global,
                         const size_t *local)
{
    if (b->op_event_count == b->op_event_cap) {
        const int cap = b->op_event_cap ? 2 * b->op_event_cap : 8;
        cl_event *grown = cnn_realloc(b->op_events, (size_t)cap * sizeof *grown);
        if (!grown)
            return cnn_error(b->base.ctx, CNN_ERROR_OUT_OF_MEMORY, "launch: out of host memory");
        b->op_events = grown;
        b->op_event_cap = cap;
    }
    cl_event ev = NULL;
    cl_int err = cnn_cl_enqueue_kernel(b->queue, kernel, dims, global, local, &ev);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(b->base.ctx, "clEnqueueNDRangeKernel", err);
    b->op_events[b->op_event_count++] = ev;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_set_arg(cl_backend *b, cl_kernel kernel, cl_uint i, size_t size,
                          const void *value)
{
    cl_int err = clSetKernelArg(kernel, i, size, value);
    if (err != CL_SUCCESS)
        return cnn_error(b->base.ctx, CNN_ERROR_OPENCL, "clSetKernelArg(%u) failed: %s (%d)", i,
                         cnn_cl_error_name(err), (int)err);
    return CNN_SUCCESS;
}

cnn_status cnn_cl_check_int_range(cl_backend *b, const char *what, const int64_t *dims, int n)
{
    int64_t count;
    if (!cnn_product_i64(dims, n, &count) || count > INT_MAX)
        return cnn_error(b->base.ctx, CNN_ERROR_UNSUPPORTED,
                         "%s: tensors of 2^31 elements or more are not supported on OpenCL "
                         "devices",
                         what);
    return CNN_SUCCESS;
}

static void cl_destroy(cnn_backend *be)
{
    cl_backend *b = as_cl(be);
    if (b->queue)
        clFinish(b->queue);
    cnn_cl_op_begin(b);
    free(b->op_events);
    cnn_cl_programs_release(&b->programs);
    if (b->queue)
        clReleaseCommandQueue(b->queue);
    if (b->context)
        clReleaseContext(b->context);
    if (b->device)
        clReleaseDevice(b->device);
    free(b);
}

static cnn_status cl_buffer_create(cnn_backend *be, size_t bytes, void **buffer)
{
    cl_int err;
    cl_mem m = cnn_cl_create_buffer(as_cl(be)->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(be->ctx, "clCreateBuffer", err);
    *buffer = m;
    return CNN_SUCCESS;
}

static void cl_buffer_destroy(cnn_backend *be, void *buffer)
{
    (void)be;
    if (buffer)
        clReleaseMemObject((cl_mem)buffer);
}

static cnn_status cl_buffer_write(cnn_backend *be, void *buffer, const void *src, size_t bytes)
{
    cl_int err = cnn_cl_enqueue_write(as_cl(be)->queue, (cl_mem)buffer, bytes, src, NULL);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(be->ctx, "clEnqueueWriteBuffer", err);
    return CNN_SUCCESS;
}

static cnn_status cl_buffer_read(cnn_backend *be, void *buffer, void *dst, size_t bytes)
{
    cl_int err = cnn_cl_enqueue_read(as_cl(be)->queue, (cl_mem)buffer, bytes, dst, NULL);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(be->ctx, "clEnqueueReadBuffer", err);
    return CNN_SUCCESS;
}

static cnn_status cl_finish(cnn_backend *be)
{
    cl_int err = clFinish(as_cl(be)->queue);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(be->ctx, "clFinish", err);
    return CNN_SUCCESS;
}

static cnn_status cl_last_op_ms(cnn_backend *be, double *ms)
{
    cl_backend *b = as_cl(be);
    if (!b->profiling)
        return cnn_error(be->ctx, CNN_ERROR_UNSUPPORTED,
                         "kernel timing needs a queue with CL_QUEUE_PROFILING_ENABLE");
    if (b->op_event_count == 0)
        return cnn_error(be->ctx, CNN_ERROR_INVALID_ARGUMENT, "no operation has run yet");
    cl_int err = clWaitForEvents((cl_uint)b->op_event_count, b->op_events);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(be->ctx, "clWaitForEvents", err);
    double total = 0.0;
    for (int i = 0; i < b->op_event_count; i++) {
        cl_ulong t0 = 0, t1 = 0;
        err = clGetEventProfilingInfo(b->op_events[i], CL_PROFILING_COMMAND_START, sizeof t0, &t0,
                                      NULL);
        if (err == CL_SUCCESS)
            err = clGetEventProfilingInfo(b->op_events[i], CL_PROFILING_COMMAND_END, sizeof t1,
                                          &t1, NULL);
        if (err != CL_SUCCESS)
            return CNN_CL_FAIL(be->ctx, "clGetEventProfilingInfo", err);
        total += (double)(t1 - t0) * 1e-6;
    }
    *ms = total;
    return CNN_SUCCESS;
}

static const cnn_backend_vtable cl_vtable = {
    .name = "opencl",
    .destroy = cl_destroy,
    .buffer_create = cl_buffer_create,
    .buffer_destroy = cl_buffer_destroy,
    .buffer_write = cl_buffer_write,
    .buffer_read = cl_buffer_read,
    .conv2d_prepare = cnn_cl_conv2d_prepare,
    .conv2d_run = cnn_cl_conv2d_run,
    .conv2d_release = cnn_cl_conv2d_release,
    .conv2d_variant = cnn_cl_conv2d_variant,
    .conv2d_candidates = cnn_cl_conv2d_candidates,
    .pool2d_prepare = cnn_cl_pool2d_prepare,
    .pool2d_run = cnn_cl_pool2d_run,
    .pool2d_release = cnn_cl_pool2d_release,
    .bias_act = cnn_cl_bias_act,
    .finish = cl_finish,
    .last_op_ms = cl_last_op_ms,
};

int cnn_backend_is_cl(const cnn_backend *be) { return be && be->vt == &cl_vtable; }

void cnn_cl_backend_objects(const cnn_backend *be, cl_context *cl_ctx, cl_device_id *device,
                            cl_command_queue *queue)
{
    const cl_backend *b = (const cl_backend *)be;
    if (cl_ctx) *cl_ctx = b->context;
    if (device) *device = b->device;
    if (queue) *queue = b->queue;
}

/* Everything but the context and queue: device facts and the program cache. */
static cnn_status finish_setup(cl_backend *b, cnn_context *ctx)
{
    b->base.vt = &cl_vtable;
    b->base.ctx = ctx;
    cl_int err = clGetDeviceInfo(b->device, CL_DEVICE_MAX_WORK_ITEM_SIZES,
                                 sizeof b->max_work_item, b->max_work_item, NULL);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(ctx, "clGetDeviceInfo(CL_DEVICE_MAX_WORK_ITEM_SIZES)", err);
    cnn_cl_device_info(b->device, ctx->device.platform_index, ctx->device.device_index, &b->info);
    cnn_cl_programs_init(&b->programs, b->context, b->device);
    cl_command_queue_properties props = 0;
    clGetCommandQueueInfo(b->queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    b->profiling = (props & CL_QUEUE_PROFILING_ENABLE) != 0;
    if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)
        return cnn_error(ctx, CNN_ERROR_UNSUPPORTED, "the command queue must be in-order");
    return CNN_SUCCESS;
}

cnn_status cnn_cl_backend_create(cnn_context *ctx, cl_device_id device, cnn_backend **be)
{
    cl_backend *b = cnn_calloc(1, sizeof *b);
    if (!b)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "OpenCL backend: out of host memory");
    cl_int err;
    b->base.vt = &cl_vtable;
    b->base.ctx = ctx;
    b->device = device; /* root devices need no retain; clRetainDevice is a no-op for them */
    clRetainDevice(device);
    b->context = cnn_cl_create_context(device, &err);
    if (err != CL_SUCCESS) {
        cl_destroy(&b->base);
        return CNN_CL_FAIL(ctx, "clCreateContext", err);
    }
    b->queue = cnn_cl_create_queue(b->context, device, CL_QUEUE_PROFILING_ENABLE, &err);
    if (err != CL_SUCCESS) {
        cl_destroy(&b->base);
        return CNN_CL_FAIL(ctx, "clCreateCommandQueue", err);
    }
    cnn_status s = finish_setup(b, ctx);
    if (s != CNN_SUCCESS) {
        cl_destroy(&b->base);
        return s;
    }
    *be = &b->base;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_backend_create_from(cnn_context *ctx, cl_context cl_ctx, cl_device_id device,
                                      cl_command_queue queue, cnn_backend **be)
{
    cl_backend *b = cnn_calloc(1, sizeof *b);
    if (!b)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "OpenCL backend: out of host memory");
    b->base.vt = &cl_vtable;
    b->base.ctx = ctx;
    cl_int err = clRetainContext(cl_ctx);
    if (err != CL_SUCCESS) {
        free(b);
        return CNN_CL_FAIL(ctx, "clRetainContext", err);
    }
    b->context = cl_ctx;
    err = clRetainCommandQueue(queue);
    if (err != CL_SUCCESS) {
        cl_destroy(&b->base);
        return CNN_CL_FAIL(ctx, "clRetainCommandQueue", err);
    }
    b->queue = queue;
    clRetainDevice(device);
    b->device = device;
    cl_device_id queue_device = NULL;
    clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof queue_device, &queue_device, NULL);
    if (queue_device != device) {
        cl_destroy(&b->base);
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "the command queue does not belong to the given device");
    }
    cnn_status s = finish_setup(b, ctx);
    if (s != CNN_SUCCESS) {
        cl_destroy(&b->base);
        return s;
    }
    *be = &b->base;
    return CNN_SUCCESS;
}
