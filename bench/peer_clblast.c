/*
 * Peer "clblast": CLBlast's CLBlastSconvgemm on cnncl's own OpenCL context, queue and buffers
 * (input NCHW, weights KCRS, output NCHW: CLBlast's layouts, doc/api.md "xCONVGEMM" and
 * test/routines/levelx/xconvgemm.hpp). Sconvgemm computes the convolution only (no bias, no
 * activation), so the peer does less work than cnncl's fused layer; the note says so.
 *
 * What is timed: the device time of the event CLBlastSconvgemm() returns, from OpenCL
 * profiling, as for cnncl's kernels (CLBlast 1.5 to 1.7 run Sconvgemm as one kernel, method
 * kSingleKernel: no im2col, no temporary buffer); the wall time of a call up to its event's
 * completion where the queue has no profiling (the note then says so). The first call (program
 * build) and layer->warmup calls are not timed; then max(reps, until min_time_ms) calls; median,
 * min, max. The output of the first call is checked against the reference (convolution without
 * bias and ReLU) before anything is timed, so that no ratio is quoted against a wrong result.
 */
#include "peer_impl.h"
#include "timing.h"

#include "cnncl_opencl.h"
#include "fail.h"
#include "runner.h"
#include "verify.h"

#include <clblast_c.h>

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct clblast_peer {
    bench_peer base;
    cl_command_queue queue; /* cnncl's (not retained: the context outlives the peer) */
    int profiling;          /* the queue has CL_QUEUE_PROFILING_ENABLE */
} clblast_peer;


/* CLBlast's own status codes by name; the OpenCL ones (above -1000) by number. */
static const char *status_name(CLBlastStatusCode s)
{
    switch (s) {
    case CLBlastNotImplemented: return "CLBlastNotImplemented";
    case CLBlastInvalidMatrixA: return "CLBlastInvalidMatrixA";
    case CLBlastInvalidMatrixB: return "CLBlastInvalidMatrixB";
    case CLBlastInvalidMatrixC: return "CLBlastInvalidMatrixC";
    case CLBlastInvalidDimension: return "CLBlastInvalidDimension";
    case CLBlastInsufficientMemoryA: return "CLBlastInsufficientMemoryA";
    case CLBlastInsufficientMemoryB: return "CLBlastInsufficientMemoryB";
    case CLBlastInsufficientMemoryC: return "CLBlastInsufficientMemoryC";
    case CLBlastInsufficientMemoryTemp: return "CLBlastInsufficientMemoryTemp";
    case CLBlastInvalidBatchCount: return "CLBlastInvalidBatchCount";
    case CLBlastInvalidLocalMemUsage: return "CLBlastInvalidLocalMemUsage";
    case CLBlastDatabaseError: return "CLBlastDatabaseError";
    case CLBlastUnknownError: return "CLBlastUnknownError";
    case CLBlastUnexpectedError: return "CLBlastUnexpectedError";
    case CLBlastOpenCLCompilerNotAvailable: return "CL_COMPILER_NOT_AVAILABLE";
    case CLBlastTempBufferAllocFailure: return "CL_MEM_OBJECT_ALLOCATION_FAILURE";
    case CLBlastOpenCLOutOfResources: return "CL_OUT_OF_RESOURCES";
    case CLBlastOpenCLOutOfHostMemory: return "CL_OUT_OF_HOST_MEMORY";
    case CLBlastOpenCLBuildProgramFailure: return "CL_BUILD_PROGRAM_FAILURE";
    case CLBlastInvalidValue: return "CL_INVALID_VALUE";
    case CLBlastInvalidCommandQueue: return "CL_INVALID_COMMAND_QUEUE";
    case CLBlastInvalidMemObject: return "CL_INVALID_MEM_OBJECT";
    case CLBlastInvalidLocalThreadsTotal: return "CL_INVALID_WORK_GROUP_SIZE";
    case CLBlastInvalidBufferSize: return "CL_INVALID_BUFFER_SIZE";
    default: return "status";
    }
}

static int clblast_failed(bench_peer_result *r, CLBlastStatusCode s)
{
    return bench_peer_note(r, "CLBlastSconvgemm failed: %s (%d)", status_name(s), (int)s);
}

/* The layer in CLBlast's terms (every value checked positive and symmetric before). */
typedef struct convgemm_args {
    CLBlastKernelMode mode;
    size_t c, h, w, r, s, pad_h, pad_w, stride_h, stride_w, dil_h, dil_w, k, n;
    cl_mem x, wt, y;
} convgemm_args;

/* One call, waited for: *wall_ms from the call to the event's completion, *kernel_ms the event's
 * profiled time (0 without profiling). */
static int call_once(const clblast_peer *p, const convgemm_args *a, double *wall_ms,
                     double *kernel_ms, bench_peer_result *r)
{
    cl_command_queue queue = p->queue;
    cl_event ev = NULL;
    const double t0 = bench_now_ms();
    const CLBlastStatusCode s =
        CLBlastSconvgemm(a->mode, a->c, a->h, a->w, a->r, a->s, a->pad_h, a->pad_w, a->stride_h,
                         a->stride_w, a->dil_h, a->dil_w, a->k, a->n, a->x, 0, a->wt, 0, a->y, 0,
                         &queue, &ev);
    if (s != CLBlastSuccess) {
        if (ev)
            clReleaseEvent(ev);
        return clblast_failed(r, s);
    }
    if (!ev)
        return bench_peer_note(r, "CLBlastSconvgemm returned no event");
    cl_int err = clWaitForEvents(1, &ev);
    *wall_ms = bench_now_ms() - t0;
    *kernel_ms = 0.0;
    if (err == CL_SUCCESS && p->profiling) {
        cl_ulong start = 0, end = 0;
        err = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
        if (err == CL_SUCCESS)
            err = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
        if (err == CL_SUCCESS)
            *kernel_ms = end > start ? (double)(end - start) * 1e-6 : 0.0;
    }
    clReleaseEvent(ev);
    if (err != CL_SUCCESS)
        return bench_peer_note(r, "waiting for CLBlastSconvgemm's event: OpenCL error %d", (int)err);
    return 0;
}

/* Fill the output with NaN (an output CLBlast never writes then fails the check), run once,
 * read the result back and check it against the reference, convolution only. */
static int check_once(const clblast_peer *p, const bench_peer_layer *layer,
                      const convgemm_args *a, bench_peer_result *r)
{
    const cnn_conv2d_desc *d = layer->conv;
    const int64_t shape[4] = {d->n, d->k, d->oh, d->ow};
    int64_t count;
    size_t bytes;
    if (!cnn_shape_bytes(shape, &count, &bytes))
        return bench_peer_note(r, "output too large to check");
    const float nan_pattern = NAN;
    cl_int err = clEnqueueFillBuffer(p->queue, a->y, &nan_pattern, sizeof nan_pattern, 0, bytes,
                                     0, NULL, NULL);
    if (err != CL_SUCCESS)
        return bench_peer_note(r, "clEnqueueFillBuffer: OpenCL error %d", (int)err);
    double wall, kernel;
    if (call_once(p, a, &wall, &kernel, r))
        return -1;
    float *y = malloc(bytes);
    if (!y)
        return bench_peer_note(r, "out of host memory to check the result");
    cnn_status s = cnn_tensor_read(layer->y, y, count);
    if (s != CNN_SUCCESS) {
        free(y);
        return bench_peer_note(r, "cnn_tensor_read: %s", cnn_status_string(s));
    }
    cnn_conv2d_desc conv_only = *d;
    conv_only.has_bias = 0;
    conv_only.activation = CNN_ACTIVATION_NONE;
    bench_verify_result v;
    const int ok = bench_verify_conv(&conv_only, layer->host_x, layer->host_w, NULL, y,
                                     UINT64_C(0xc1b1a57), &v);
    free(y);
    if (!ok)
        return bench_peer_note(r,
                         "wrong result: %lld of %lld checked outputs off, worst at "
                         "(%lld,%lld,%lld,%lld): %g, expected %g",
                         (long long)v.failed, (long long)v.checked, (long long)v.worst[0],
                         (long long)v.worst[1], (long long)v.worst[2], (long long)v.worst[3],
                         v.worst_got, v.worst_ref);
    return 0;
}

/* The layer in CLBlast's terms, or -1 with the reason when Sconvgemm cannot run it. */
static int layer_args(const bench_peer_layer *layer, convgemm_args *a, bench_peer_result *r)
{
    const cnn_conv2d_desc *d = layer->conv;
    if (d->groups != 1)
        return bench_peer_note(r, "not supported by Sconvgemm: groups (%lld)", (long long)d->groups);
    if (d->pad_top != d->pad_bottom || d->pad_left != d->pad_right)
        return bench_peer_note(r, "not supported by Sconvgemm: asymmetric padding");
    /* CLBlast derives the output size itself, from the symmetric padding. */
    const int64_t extent_h = d->dilation_h * (d->r - 1) + 1;
    const int64_t extent_w = d->dilation_w * (d->s - 1) + 1;
    const int64_t oh = (d->h + 2 * d->pad_top - extent_h) / d->stride_h + 1;
    const int64_t ow = (d->w + 2 * d->pad_left - extent_w) / d->stride_w + 1;
    if (oh != d->oh || ow != d->ow)
        return bench_peer_note(r, "not supported by Sconvgemm: output %lldx%lld, CLBlast's would be "
                         "%lldx%lld", (long long)d->oh, (long long)d->ow, (long long)oh,
                         (long long)ow);
    if (!layer->host_x || !layer->host_w)
        return bench_peer_note(r, "no host copy of the inputs to check the result");
    a->mode = d->flip ? CLBlastKernelModeConvolution : CLBlastKernelModeCrossCorrelation;
    a->c = (size_t)d->c;
    a->h = (size_t)d->h;
    a->w = (size_t)d->w;
    a->r = (size_t)d->r;
    a->s = (size_t)d->s;
    a->pad_h = (size_t)d->pad_top;
    a->pad_w = (size_t)d->pad_left;
    a->stride_h = (size_t)d->stride_h;
    a->stride_w = (size_t)d->stride_w;
    a->dil_h = (size_t)d->dilation_h;
    a->dil_w = (size_t)d->dilation_w;
    a->k = (size_t)d->k;
    a->n = (size_t)d->n;
    cnn_status s = cnn_tensor_cl_mem(layer->x, &a->x);
    if (s == CNN_SUCCESS)
        s = cnn_tensor_cl_mem(layer->w, &a->wt);
    if (s == CNN_SUCCESS)
        s = cnn_tensor_cl_mem(layer->y, &a->y);
    if (s != CNN_SUCCESS)
        return bench_peer_note(r, "cnn_tensor_cl_mem: %s", cnn_status_string(s));
    return 0;
}

static int clblast_run(bench_peer *peer, const bench_peer_layer *layer, bench_peer_result *r)
{
    const clblast_peer *p = (const clblast_peer *)peer;
    convgemm_args a;
    if (layer_args(layer, &a, r) || check_once(p, layer, &a, r))
        return -1;
    double wall, kernel;
    for (int i = 0; i < layer->warmup; i++)
        if (call_once(p, &a, &wall, &kernel, r))
            return -1;

    size_t cap = layer->reps > 0 ? (size_t)layer->reps : 1;
    double *times = malloc(cap * sizeof *times);
    double *walls = malloc(cap * sizeof *walls);
    int status = 0;
    size_t n = 0;
    double measured = 0.0;
    if (!times || !walls)
        status = bench_peer_note(r, "out of host memory for the timings");
    while (status == 0 && (n < (size_t)layer->reps ||
                           (measured < layer->min_time_ms && n < BENCH_MAX_REPS))) {
        if (n == cap) {
            double *t2 = realloc(times, 2 * cap * sizeof *t2);
            if (t2)
                times = t2;
            double *w2 = t2 ? realloc(walls, 2 * cap * sizeof *w2) : NULL;
            if (!w2) {
                status = bench_peer_note(r, "out of host memory for the timings");
                break;
            }
            walls = w2;
            cap *= 2;
        }
        if ((status = call_once(p, &a, &walls[n], &kernel, r)) == 0) {
            times[n] = p->profiling ? kernel : walls[n];
            measured += times[n++];
        }
    }
    if (status == 0) {
        r->ran = 1;
        r->ms_median = bench_median(times, n); /* sorted: min and max are the ends */
        r->ms_min = times[0];
        r->ms_max = times[n - 1];
        if (p->profiling)
            snprintf(r->note, sizeof r->note,
                     "conv only (Sconvgemm has no bias/ReLU); kernel time, wall %.3f ms per call",
                     bench_median(walls, n));
        else
            snprintf(r->note, sizeof r->note,
                     "conv only (Sconvgemm has no bias/ReLU); wall time: the queue has no "
                     "profiling");
    }
    free(times);
    free(walls);
    return status;
}

static void clblast_destroy(bench_peer *peer)
{
    /* CLBlast caches its compiled programs process-wide, and they hold the cl_context: drop
     * them so that cnncl's context can go. A later peer only compiles again. */
    CLBlastClearCache();
    free(peer);
}

static const bench_peer_vtable clblast_vtable = {"clblast", clblast_run, clblast_destroy};

bench_peer *bench_clblast_create(cnn_context *ctx, char *err, size_t err_size)
{
    cl_context cl_ctx;
    cl_device_id device;
    cl_command_queue queue;
    const cnn_status s = cnn_context_cl_objects(ctx, &cl_ctx, &device, &queue);
    if (s == CNN_ERROR_UNSUPPORTED) {
        bench_fail(err, err_size, "peer 'clblast' needs an OpenCL device; this context runs on "
                   "the reference device");
        return NULL;
    }
    if (s != CNN_SUCCESS) {
        bench_fail(err, err_size, "peer 'clblast': cnn_context_cl_objects: %s",
                   cnn_status_string(s));
        return NULL;
    }
    cl_command_queue_properties props = 0;
    const cl_int e = clGetCommandQueueInfo(queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (e != CL_SUCCESS) {
        bench_fail(err, err_size, "peer 'clblast': clGetCommandQueueInfo: OpenCL error %d",
                   (int)e);
        return NULL;
    }
    clblast_peer *p = calloc(1, sizeof *p);
    if (!p) {
        bench_fail(err, err_size, "peer 'clblast': out of memory");
        return NULL;
    }
    p->base.vt = &clblast_vtable;
    p->queue = queue;
    p->profiling = (props & CL_QUEUE_PROFILING_ENABLE) != 0;
    return &p->base;
}
