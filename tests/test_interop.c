/* Interop with a caller's OpenCL objects (cnncl_opencl.h), on every OpenCL device. Label:
 * opencl. Exit 77 (skipped) when there is no OpenCL device.
 *
 * The test makes its own cl_context and profiling queue, wraps them with
 * cnn_context_create_from_cl, wraps its own cl_mem buffers with cnn_tensor_wrap_cl, runs a
 * conv with bias + ReLU and a max pooling, reads the results back with clEnqueueReadBuffer on
 * its own queue (no cnn_context_finish: the work must be on that in-order queue) and compares
 * them with the reference. It then checks that cnncl gave back every reference it took, that a
 * too-small or foreign buffer is rejected, that a queue without profiling makes last_op_ms
 * UNSUPPORTED, and that a reference context refuses cl_mem buffers. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <time.h>

#include "cnn_internal.h"
#include "cnncl_opencl.h"
#include "reference.h"

#define CL_CHECK(call)                                                                   \
    do {                                                                                 \
        cl_int cl_err_ = (call);                                                         \
        CHECK_MSG(cl_err_ == CL_SUCCESS, "%s returned OpenCL error %d", #call, cl_err_);  \
    } while (0)

typedef struct cl_env {
    cl_context ctx;
    cl_device_id dev;
    cl_command_queue queue;
} cl_env;

/* The cl_device_id behind a cnncl "P:D" device. */
static int find_device(const cnn_device_info *info, cl_device_id *dev)
{
    cl_platform_id platforms[16];
    cl_uint np = 0;
    CL_CHECK(clGetPlatformIDs(16, platforms, &np));
    CHECK(info->platform_index >= 0 && (cl_uint)info->platform_index < np);
    cl_device_id devices[64];
    cl_uint nd = 0;
    CL_CHECK(clGetDeviceIDs(platforms[info->platform_index], CL_DEVICE_TYPE_ALL, 64, devices,
                            &nd));
    CHECK(info->device_index >= 0 && (cl_uint)info->device_index < nd);
    *dev = devices[info->device_index];
    char name[256] = "";
    CL_CHECK(clGetDeviceInfo(*dev, CL_DEVICE_NAME, sizeof name, name, NULL));
    CHECK_MSG(strcmp(name, info->name) == 0, "device %s is \"%s\" in OpenCL, \"%s\" in cnncl",
              info->selector, name, info->name);
    return 0;
}

static int make_env(const cnn_device_info *info, cl_command_queue_properties props, cl_env *env)
{
    cl_int err = CL_SUCCESS;
    memset(env, 0, sizeof *env);
    CHECK(find_device(info, &env->dev) == 0);
    env->ctx = clCreateContext(NULL, 1, &env->dev, NULL, NULL, &err);
    CL_CHECK(err);
    env->queue = clCreateCommandQueue(env->ctx, env->dev, props, &err);
    CL_CHECK(err);
    return 0;
}

static void free_env(cl_env *env)
{
    if (env->queue != NULL) {
        clReleaseCommandQueue(env->queue);
    }
    if (env->ctx != NULL) {
        clReleaseContext(env->ctx);
    }
    memset(env, 0, sizeof *env);
}

static cl_uint mem_refs(cl_mem m)
{
    cl_uint refs = 0;
    clGetMemObjectInfo(m, CL_MEM_REFERENCE_COUNT, sizeof refs, &refs, NULL);
    return refs;
}

static cl_uint ctx_refs(cl_context c)
{
    cl_uint refs = 0;
    clGetContextInfo(c, CL_CONTEXT_REFERENCE_COUNT, sizeof refs, &refs, NULL);
    return refs;
}

static cl_uint queue_refs(cl_command_queue q)
{
    cl_uint refs = 0;
    clGetCommandQueueInfo(q, CL_QUEUE_REFERENCE_COUNT, sizeof refs, &refs, NULL);
    return refs;
}

/* Drivers may drop their own references to the queue and context (held by finished commands)
 * on a worker thread shortly after clFinish returns: wait up to 2 s for the counts to come
 * back to what they were. A reference that cnncl leaked never comes back. */
static void settle_refs(const cl_env *env, cl_uint ctx_want, cl_uint queue_want,
                        cl_uint *ctx_got, cl_uint *queue_got)
{
    for (int i = 0; i < 200; i++) {
        *ctx_got = ctx_refs(env->ctx);
        *queue_got = queue_refs(env->queue);
        if (*ctx_got == ctx_want && *queue_got == queue_want)
            return;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
}

/* A buffer of count floats holding data (or uninitialized when data is NULL). */
static int make_buffer(const cl_env *env, size_t count, const float *data, cl_mem *out)
{
    cl_int err = CL_SUCCESS;
    *out = clCreateBuffer(env->ctx, CL_MEM_READ_WRITE, count * sizeof(float), NULL, &err);
    CL_CHECK(err);
    if (data != NULL) {
        CL_CHECK(clEnqueueWriteBuffer(env->queue, *out, CL_TRUE, 0, count * sizeof(float), data,
                                      0, NULL, NULL));
    }
    return 0;
}

enum { N = 2, C = 3, H = 7, W = 6, K = 4, R = 3 }; /* pad 1: output 2x4x7x6; pool -> 2x4x4x3 */

/* The whole pipeline on the caller's objects. bufs: x, w, b, y, p. */
static int run_pipeline(const cnn_device_info *info, cl_command_queue_properties props,
                        int profiling)
{
    cl_env env;
    CHECK(make_env(info, props, &env) == 0);
    cl_uint ctx_refs0 = ctx_refs(env.ctx), queue_refs0 = queue_refs(env.queue);

    cnn_context *ctx = (cnn_context *)&env;
    char errbuf[512] = "";
    CHECK_STATUS(cnn_context_create_from_cl(&ctx, env.ctx, env.dev, env.queue, errbuf,
                                            sizeof errbuf), CNN_SUCCESS);
    tu_track(TU_CONTEXT, ctx); /* destroyed by tu_release() if a check fails */
    tu_state()->ctx = ctx;
    cnn_device_info got_info;
    CHECK_OK(cnn_context_device(ctx, &got_info));
    CHECK(got_info.type == info->type);
    CHECK(strcmp(got_info.name, info->name) == 0);
    cl_context c2 = NULL;
    cl_device_id d2 = NULL;
    cl_command_queue q2 = NULL;
    CHECK_OK(cnn_context_cl_objects(ctx, &c2, &d2, &q2));
    CHECK(c2 == env.ctx && d2 == env.dev && q2 == env.queue);

    /* Host data and the reference. */
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    const int64_t xs[4] = {N, C, H, W}, ws[4] = {K, C, R, R};
    cnn_conv2d_desc d;
    CHECK_OK(cnn_conv2d_make_desc(NULL, &d, xs, ws, 1, &p));
    const int64_t ys[4] = {d.n, d.k, d.oh, d.ow};
    CHECK(d.oh == H && d.ow == W);
    cnn_pool2d_params pp = cnn_pool2d_params_default();
    pp.ceil_mode = 1; /* 7x6 -> 4x3 */
    cnn_pool2d_desc pd;
    CHECK_OK(cnn_pool2d_make_desc(NULL, &pd, ys, &pp));
    const int64_t ps[4] = {pd.n, pd.c, pd.oh, pd.ow};
    CHECK(pd.oh == 4 && pd.ow == 3);
    size_t xc = N * C * H * W, wc = K * C * R * R, yc = (size_t)(d.n * d.k * d.oh * d.ow);
    size_t pc = (size_t)(pd.n * pd.c * pd.oh * pd.ow);
    float *x = tu_floats((int64_t)xc), *w = tu_floats((int64_t)wc), *b = tu_floats(K);
    float *ref = tu_floats((int64_t)yc), *got = tu_floats((int64_t)yc);
    float *pref = tu_floats((int64_t)pc), *pgot = tu_floats((int64_t)pc);
    CHECK(x && w && b && ref && got && pref && pgot);
    tu_rng r = tu_rng_make(5);
    tu_fill_uniform(&r, x, (int64_t)xc, -1, 1);
    tu_fill_uniform(&r, w, (int64_t)wc, -1, 1);
    tu_fill_uniform(&r, b, K, -0.5f, 0.5f);
    cnn_ref_conv2d(&d, ref, x, w, b);

    /* The caller's buffers; y is larger than needed (allowed: "at least"). */
    cl_mem bx = NULL, bw = NULL, bb = NULL, by = NULL, bp = NULL;
    CHECK(make_buffer(&env, xc, x, &bx) == 0);
    CHECK(make_buffer(&env, wc, w, &bw) == 0);
    CHECK(make_buffer(&env, K, b, &bb) == 0);
    CHECK(make_buffer(&env, yc + 17, NULL, &by) == 0);
    CHECK(make_buffer(&env, pc, NULL, &bp) == 0);

    cnn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *ty = NULL, *tp = NULL;
    CHECK_OK(cnn_tensor_wrap_cl(&tx, ctx, bx, N, C, H, W));
    tu_track(TU_TENSOR, tx);
    CHECK_OK(cnn_tensor_wrap_cl(&tw, ctx, bw, K, C, R, R));
    tu_track(TU_TENSOR, tw);
    CHECK_OK(cnn_tensor_wrap_cl(&tb, ctx, bb, 1, K, 1, 1));
    tu_track(TU_TENSOR, tb);
    CHECK_OK(cnn_tensor_wrap_cl(&ty, ctx, by, ys[0], ys[1], ys[2], ys[3]));
    tu_track(TU_TENSOR, ty);
    CHECK_OK(cnn_tensor_wrap_cl(&tp, ctx, bp, ps[0], ps[1], ps[2], ps[3]));
    tu_track(TU_TENSOR, tp);
    cl_mem m = NULL;
    CHECK_OK(cnn_tensor_cl_mem(ty, &m));
    CHECK(m == by);
    CHECK(mem_refs(bx) >= 2); /* cnncl holds its own reference while it uses the buffer */

    CHECK_OK(cnn_conv2d(ctx, ty, tx, tw, tb, &p));
    CHECK_OK(cnn_pool2d(ctx, tp, ty, &pp));
    CL_CHECK(clEnqueueReadBuffer(env.queue, by, CL_TRUE, 0, yc * sizeof(float), got, 0, NULL,
                                 NULL));
    CL_CHECK(clEnqueueReadBuffer(env.queue, bp, CL_TRUE, 0, pc * sizeof(float), pgot, 0, NULL,
                                 NULL));
    for (int64_t n = 0, i = 0; n < d.n; n++) {
        for (int64_t k = 0; k < d.k; k++) {
            for (int64_t oy = 0; oy < d.oh; oy++) {
                for (int64_t ox = 0; ox < d.ow; ox++, i++) {
                    double abs_sum = 0;
                    (void)cnn_ref_conv2d_point(&d, x, w, b, n, k, oy, ox, &abs_sum);
                    tu_note("conv2d output [n%" PRId64 " k%" PRId64 " y%" PRId64 " x%" PRId64
                            "]", n, k, oy, ox);
                    CHECK_NEAR(got[i], ref[i], 1e-5 * abs_sum + 1e-6);
                }
            }
        }
    }
    tu_clear_note();
    cnn_ref_pool2d(&pd, pref, got); /* max pooling of what the device computed: exact */
    CHECK_ARRAY(pgot, pref, (int64_t)pc, ps, 0, 0);
    /* cnn_tensor_read on a wrapped tensor. */
    float *pread = tu_read(tp);
    CHECK(pread != NULL);
    CHECK_ARRAY(pread, pref, (int64_t)pc, ps, 0, 0);

    double ms = -1;
    if (profiling) {
        CHECK_OK(cnn_context_last_op_ms(ctx, &ms));
        CHECK(ms >= 0);
    } else {
        CHECK_STATUS(cnn_context_last_op_ms(ctx, &ms), CNN_ERROR_UNSUPPORTED);
    }

    /* A tensor cnncl allocates lives in the caller's cl_context. */
    cnn_tensor *own = tu_tensor(ctx, ys[0], ys[1], ys[2], ys[3]);
    CHECK(own != NULL);
    CHECK_OK(cnn_tensor_cl_mem(own, &m));
    cl_context owner = NULL;
    CL_CHECK(clGetMemObjectInfo(m, CL_MEM_CONTEXT, sizeof owner, &owner, NULL));
    CHECK(owner == env.ctx);
    CHECK_OK(cnn_conv2d(ctx, own, tx, tw, tb, &p));
    float *own_got = tu_read(own);
    CHECK(own_got != NULL);
    CHECK_ARRAY(own_got, got, (int64_t)yc, ys, 0, 0); /* same device, same kernel */

    /* Too-small and foreign buffers are rejected; *tensor is NULL. */
    cnn_tensor *bad = (cnn_tensor *)ctx;
    CHECK_OK(cnn_context_finish(ctx));
    cnn_status st = cnn_tensor_wrap_cl(&bad, ctx, bp, ps[0], ps[1], ps[2], ps[3] + 1);
    CHECK_MSG(st == CNN_ERROR_INVALID_ARGUMENT || st == CNN_ERROR_INVALID_SHAPE,
              "wrapping a buffer of %zu floats as a larger tensor: %s", pc,
              cnn_status_string(st));
    CHECK(bad == NULL);
    CHECK(cnn_context_last_error(ctx)[0] != '\0');
    cl_env other;
    CHECK(make_env(info, 0, &other) == 0);
    cl_mem foreign = NULL;
    int made = make_buffer(&other, pc, NULL, &foreign);
    bad = (cnn_tensor *)ctx;
    st = made == 0 ? cnn_tensor_wrap_cl(&bad, ctx, foreign, ps[0], ps[1], ps[2], ps[3])
                   : CNN_ERROR_INTERNAL;
    if (foreign != NULL) {
        clReleaseMemObject(foreign);
    }
    free_env(&other);
    CHECK(made == 0);
    CHECK_MSG(st == CNN_ERROR_INVALID_ARGUMENT, "wrapping a buffer of another cl_context: %s",
              cnn_status_string(st));
    CHECK(bad == NULL);

    /* Two wrappers of one cl_mem alias: a 1x1 conv from one into the other is refused. */
    cnn_tensor *a1 = NULL, *a2 = NULL, *w11 = NULL;
    CHECK_OK(cnn_tensor_wrap_cl(&a1, ctx, bx, 1, C, H, W));
    tu_track(TU_TENSOR, a1);
    CHECK_OK(cnn_tensor_wrap_cl(&a2, ctx, bx, 1, C, H, W));
    tu_track(TU_TENSOR, a2);
    CHECK_OK(cnn_tensor_wrap_cl(&w11, ctx, bw, C, C, 1, 1));
    tu_track(TU_TENSOR, w11);
    cnn_conv2d_params p11 = cnn_conv2d_params_default();
    CHECK_STATUS(cnn_conv2d(ctx, a2, a1, w11, NULL, &p11), CNN_ERROR_INVALID_ARGUMENT);
    float *a_after = tu_read(a1);
    CHECK(a_after != NULL);
    CHECK_ARRAY(a_after, x, C * H * W, NULL, 0, 0); /* untouched */

    /* Everything of cnncl's goes; the caller's objects keep only the caller's references. */
    const float x0 = x[0];
    tu_release(); /* the tensors, then ctx (and the host arrays) */
    tu_state()->ctx = NULL;
    CHECK_MSG(mem_refs(bx) == 1 && mem_refs(bw) == 1 && mem_refs(bb) == 1 &&
                  mem_refs(by) == 1 && mem_refs(bp) == 1,
              "buffer references after destroy: %u %u %u %u %u", mem_refs(bx), mem_refs(bw),
              mem_refs(bb), mem_refs(by), mem_refs(bp));
    /* The caller's buffers still work after cnncl let go of them. */
    float first = -1;
    CL_CHECK(clEnqueueReadBuffer(env.queue, bx, CL_TRUE, 0, sizeof first, &first, 0, NULL,
                                 NULL));
    CHECK(first == x0);
    clReleaseMemObject(bx);
    clReleaseMemObject(bw);
    clReleaseMemObject(bb);
    clReleaseMemObject(by);
    clReleaseMemObject(bp);
    /* With the buffers gone (they may hold the cl_context), the context and the queue are
     * back to the references they had before cnncl saw them: no program, kernel or
     * buffer of cnncl's is left holding them. */
    cl_uint ctx_refs1, queue_refs1;
    settle_refs(&env, ctx_refs0, queue_refs0, &ctx_refs1, &queue_refs1);
    free_env(&env);
    CHECK_MSG(ctx_refs1 == ctx_refs0, "cl_context references %u, were %u", ctx_refs1,
              ctx_refs0);
    CHECK_MSG(queue_refs1 == queue_refs0, "queue references %u, were %u", queue_refs1,
              queue_refs0);
    return 0;
}

static int test_create_from_cl_errors(const cnn_device_info *info)
{
    cl_env env;
    CHECK(make_env(info, 0, &env) == 0);
    char err[256];
    cnn_context *ctx = (cnn_context *)&env;
    CHECK_STATUS(cnn_context_create_from_cl(NULL, env.ctx, env.dev, env.queue, err, sizeof err),
                 CNN_ERROR_INVALID_ARGUMENT);
    strcpy(err, "untouched");
    CHECK_STATUS(cnn_context_create_from_cl(&ctx, NULL, env.dev, env.queue, err, sizeof err),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(ctx == NULL && err[0] != '\0' && strcmp(err, "untouched") != 0);
    ctx = (cnn_context *)&env;
    CHECK_STATUS(cnn_context_create_from_cl(&ctx, env.ctx, NULL, env.queue, err, sizeof err),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(ctx == NULL);
    ctx = (cnn_context *)&env;
    CHECK_STATUS(cnn_context_create_from_cl(&ctx, env.ctx, env.dev, NULL, err, sizeof err),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(ctx == NULL);
    free_env(&env);
    return 0;
}

/* A reference context refuses a real cl_mem. */
static int test_reference_refuses_cl_mem(const cnn_device_info *info)
{
    cl_env env;
    CHECK(make_env(info, 0, &env) == 0);
    cl_mem buf = NULL;
    CHECK(make_buffer(&env, 16, NULL, &buf) == 0);
    cnn_context *ref = tu_track(TU_CONTEXT, tu_context("ref"));
    CHECK(ref != NULL);
    cnn_tensor *t = (cnn_tensor *)ref;
    CHECK_STATUS(cnn_tensor_wrap_cl(&t, ref, buf, 1, 1, 4, 4), CNN_ERROR_UNSUPPORTED);
    CHECK(t == NULL);
    CHECK(mem_refs(buf) == 1);
    tu_release();
    tu_state()->ctx = NULL;
    clReleaseMemObject(buf);
    free_env(&env);
    return 0;
}

int main(void)
{
    cnn_device_info infos[TU_MAX_DEVICES];
    size_t count = 0;
    if (cnn_device_list(infos, TU_MAX_DEVICES, &count) != CNN_SUCCESS) {
        fprintf(stderr, "cnn_device_list failed\n");
        return 1;
    }
    if (count > TU_MAX_DEVICES) {
        count = TU_MAX_DEVICES;
    }
    int failures = 0, opencl = 0;
    for (size_t i = 0; i < count; i++) {
        if (infos[i].type == CNN_DEVICE_REFERENCE) {
            continue;
        }
        opencl++;
        snprintf(tu_state()->device, sizeof tu_state()->device, "%s", infos[i].selector);
        int f = run_pipeline(&infos[i], CL_QUEUE_PROFILING_ENABLE, 1);
        tu_release();
        printf("%-4s interop pipeline, profiling queue [%s]\n", f ? "FAIL" : "ok",
               infos[i].selector);
        failures += f;
        f = run_pipeline(&infos[i], 0, 0);
        tu_release();
        printf("%-4s interop pipeline, plain queue [%s]\n", f ? "FAIL" : "ok", infos[i].selector);
        failures += f;
        f = test_create_from_cl_errors(&infos[i]);
        tu_release();
        printf("%-4s cnn_context_create_from_cl errors [%s]\n", f ? "FAIL" : "ok",
               infos[i].selector);
        failures += f;
        f = test_reference_refuses_cl_mem(&infos[i]);
        tu_release();
        printf("%-4s reference context refuses cl_mem [%s]\n", f ? "FAIL" : "ok",
               infos[i].selector);
        failures += f;
    }
    tu_release_all_memory();
    if (opencl == 0) {
        printf("no OpenCL device: skipped\n");
        return TU_SKIP;
    }
    printf("%d device(s), %d failure(s)\n", opencl, failures);
    return failures == 0 ? 0 : 1;
}
