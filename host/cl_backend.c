/* The OpenCL backend: context, queue, buffers, launches and profiling. */
#include "cl_backend_internal.h"
#include "cl_fault.h"
#include "hash.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cl_backend *as_cl(cnn_backend *be) { return (cl_backend *)be; }

void cnn_cl_op_begin(cl_backend *b)
{
    for (int i = 0; i < b->op_event_count; i++)
        cnn_cl_release_event(b->op_events[i]);
    b->op_event_count = 0;
}

/* The kernel's function name, for the strict checks' messages. */
static void kernel_name(cl_kernel kernel, char *buf, size_t size)
{
    buf[0] = '\0';
    if (clGetKernelInfo(kernel, CL_KERNEL_FUNCTION_NAME, size, buf, NULL) != CL_SUCCESS)
        snprintf(buf, size, "(unnamed kernel)");
    buf[size - 1] = '\0';
}

/* Strict mode (cnn_cl_test_set_limits): the launch's work-group and the kernel's local memory
 * against the limits the backend plans with. */
static cnn_status check_launch_limits(cl_backend *b, cl_kernel kernel, cl_uint dims,
                                      const size_t *global, const size_t *local)
{
    char name[128];
    if (local) {
        size_t total = 1;
        for (cl_uint i = 0; i < dims; i++) {
            total *= local[i];
            if (local[i] == 0 || local[i] > b->max_work_item[i] || global[i] % local[i]) {
                kernel_name(kernel, name, sizeof name);
                return cnn_error(b->base.ctx, CNN_ERROR_INTERNAL,
                                 "strict limits: kernel %s: work-group dimension %u of %zu "
                                 "work-items (global %zu) exceeds the limit of %zu per "
                                 "dimension or does not divide the global size",
                                 name, i, local[i], global[i], b->max_work_item[i]);
            }
        }
        if (total > b->info.max_work_group_size) {
            kernel_name(kernel, name, sizeof name);
            return cnn_error(b->base.ctx, CNN_ERROR_INTERNAL,
                             "strict limits: kernel %s: work-group of %zu work-items exceeds "
                             "the limit of %zu",
                             name, total, b->info.max_work_group_size);
        }
    }
    cl_ulong local_mem = 0;
    cl_int err = clGetKernelWorkGroupInfo(kernel, b->device, CL_KERNEL_LOCAL_MEM_SIZE,
                                          sizeof local_mem, &local_mem, NULL);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(b->base.ctx, "clGetKernelWorkGroupInfo(CL_KERNEL_LOCAL_MEM_SIZE)",
                           err);
    if (local_mem > b->info.local_mem_bytes) {
        kernel_name(kernel, name, sizeof name);
        return cnn_error(b->base.ctx, CNN_ERROR_INTERNAL,
                         "strict limits: kernel %s: %llu bytes of local memory exceed the "
                         "limit of %llu bytes",
                         name, (unsigned long long)local_mem,
                         (unsigned long long)b->info.local_mem_bytes);
    }
    return CNN_SUCCESS;
}

/* Strict mode: a buffer argument (a __global or __constant pointer) within the max
 * allocation. Programs are then built with -cl-kernel-arg-info, so every argument's qualifier
 * is known: one that is not is an error, not a check skipped. */
static cnn_status check_arg_limits(cl_backend *b, cl_kernel kernel, cl_uint i, size_t size,
                                   const void *value)
{
    if (size != sizeof(cl_mem) || !value || !*(const cl_mem *)value)
        return CNN_SUCCESS;
    cl_kernel_arg_address_qualifier q = 0;
    cl_int err =
        clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof q, &q, NULL);
    if (err != CL_SUCCESS) {
        char name[128];
        kernel_name(kernel, name, sizeof name);
        return cnn_error(b->base.ctx, CNN_ERROR_INTERNAL,
                         "strict limits: kernel %s: argument %u's address qualifier: %s", name, i,
                         cnn_cl_error_name(err));
    }
    if (q != CL_KERNEL_ARG_ADDRESS_GLOBAL && q != CL_KERNEL_ARG_ADDRESS_CONSTANT)
        return CNN_SUCCESS;
    size_t bytes = 0;
    err = clGetMemObjectInfo(*(const cl_mem *)value, CL_MEM_SIZE, sizeof bytes, &bytes, NULL);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(b->base.ctx, "clGetMemObjectInfo(CL_MEM_SIZE)", err);
    if (bytes > b->info.max_alloc_bytes) {
        char name[128];
        kernel_name(kernel, name, sizeof name);
        return cnn_error(b->base.ctx, CNN_ERROR_INTERNAL,
                         "strict limits: kernel %s: argument %u is a buffer of %zu bytes, over "
                         "the max allocation of %llu bytes",
                         name, i, bytes, (unsigned long long)b->info.max_alloc_bytes);
    }
    return CNN_SUCCESS;
}

cnn_status cnn_cl_launch(cl_backend *b, cl_kernel kernel, cl_uint dims, const size_t *global,
                         const size_t *local)
{
    if (b->strict_limits) {
        cnn_status s = check_launch_limits(b, kernel, dims, global, local);
        if (s != CNN_SUCCESS)
            return s;
    }
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

size_t cnn_cl_local_1d(const cl_backend *b, size_t want)
{
    while (want > 1 && (want > b->info.max_work_group_size || want > b->max_work_item[0]))
        want /= 2;
    return want;
}

cnn_status cnn_cl_set_arg(cl_backend *b, cl_kernel kernel, cl_uint i, size_t size,
                          const void *value)
{
    if (b->strict_limits) {
        cnn_status s = check_arg_limits(b, kernel, i, size, value);
        if (s != CNN_SUCCESS)
            return s;
    }
    cl_int err = clSetKernelArg(kernel, i, size, value);
    if (err != CL_SUCCESS)
        return cnn_error(b->base.ctx, CNN_ERROR_OPENCL, "clSetKernelArg(%u) failed: %s (%d)", i,
                         cnn_cl_error_name(err), (int)err);
    return CNN_SUCCESS;
}

cnn_status cnn_cl_check_int_range(cl_backend *b, const char *what, const int64_t *dims, int n)
{
    int64_t count;
    if (!cnn_product_i64(dims, n, &count) || count > INT_MAX - CNN_CL_INDEX_SLACK)
        return cnn_error(b->base.ctx, CNN_ERROR_UNSUPPORTED,
                         "%s: tensors of 2^31 elements or more are not supported on OpenCL "
                         "devices (kernels index with 32-bit ints; the limit is 2^31 - %d "
                         "elements)",
                         what, CNN_CL_INDEX_SLACK);
    return CNN_SUCCESS;
}

static cnn_status test_set_limits_locked(cnn_context *ctx, size_t max_work_group_size,
                                         uint64_t local_mem_bytes, uint64_t max_alloc_bytes)
{
    if (!cnn_backend_is_cl(ctx->backend))
        return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                         "cnn_cl_test_set_limits: the context is not on an OpenCL device");
    cl_backend *b = as_cl(ctx->backend);
    if (max_work_group_size && max_work_group_size < b->info.max_work_group_size)
        b->info.max_work_group_size = max_work_group_size;
    for (int i = 0; i < 3; i++)
        if (b->max_work_item[i] > b->info.max_work_group_size)
            b->max_work_item[i] = b->info.max_work_group_size;
    if (local_mem_bytes && local_mem_bytes < b->info.local_mem_bytes)
        b->info.local_mem_bytes = local_mem_bytes;
    if (max_alloc_bytes && max_alloc_bytes < b->info.max_alloc_bytes)
        b->info.max_alloc_bytes = max_alloc_bytes;
    ctx->device.max_work_group_size = b->info.max_work_group_size;
    ctx->device.local_mem_bytes = b->info.local_mem_bytes;
    ctx->device.max_alloc_bytes = b->info.max_alloc_bytes;
    b->strict_limits = 1;
    b->programs.arg_info = 1; /* the buffer check reads each argument's address qualifier */
    /* The one-shot calls' plans were made for the old limits. */
    cnn_plan_cache_destroy(ctx);
    cnn_log(CNN_LOG_DEBUG,
            "test limits: work-groups of %zu (%zu x %zu x %zu), %llu bytes of local memory, "
            "allocations of %llu bytes; launches checked",
            b->info.max_work_group_size, b->max_work_item[0], b->max_work_item[1],
            b->max_work_item[2], (unsigned long long)b->info.local_mem_bytes,
            (unsigned long long)b->info.max_alloc_bytes);
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_cl_test_set_limits(cnn_context *ctx, size_t max_work_group_size,
                                  uint64_t local_mem_bytes, uint64_t max_alloc_bytes)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    cnn_context_lock(ctx);
    const cnn_status s_ =
        test_set_limits_locked(ctx, max_work_group_size, local_mem_bytes, max_alloc_bytes);
    cnn_context_unlock(ctx);
    return s_;
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
        cnn_cl_release_mem((cl_mem)buffer);
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
    cl_uint align_bits = 0;
    clGetDeviceInfo(b->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    b->base_align_bytes = align_bits / 8 > 4 ? align_bits / 8 : 4;
    if (cnn_cl_programs_init(&b->programs, b->context, b->device) != CNN_SUCCESS)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "OpenCL backend: out of host memory");
    ctx->device_fingerprint =
        cnn_fnv1a64(CNN_FNV_OFFSET, b->programs.device_key, strlen(b->programs.device_key));
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
