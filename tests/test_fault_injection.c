/*
 * Fault injection (host/fault.h; built with CNNCL_FAULT_INJECTION, as the asan preset is): a
 * whole lifecycle (context, tensors, a conv2d plan with bias + ReLU, its execution, max pooling,
 * reading back, destruction) runs once to count its injection points (host allocations, OpenCL
 * allocations, program builds, kernel creations, enqueues), then once per point with that point
 * failing. Each run must end in a clean error status with a message (or, where the point was
 * an optional step, go through with the clean run's exact result), leave the outputs
 * untouched (the host buffer it reads into; the conv's output when the conv failed), leak
 * nothing (LeakSanitizer, at exit), and leave a context that still computes right afterwards.
 * On the reference device and on every OpenCL device.
 *
 *     test_fault_injection
 */
#define _POSIX_C_SOURCE 200809L
#include "fault.h"
#include "test_util.h"

#include <math.h>

typedef enum step { S_NONE, S_CONTEXT, S_TENSORS, S_PLAN, S_EXECUTE, S_POOL, S_READ } step;
static const char *const step_names[] = {"none",    "context", "tensors", "plan",
                                         "execute", "pool",    "read"};

/* The seed's worked example 1, for "the context still works". */
static int context_still_works(cnn_context *ctx)
{
    float y[9] = {0};
    cnn_tensor *tx = NULL, *tw = NULL, *ty = NULL;
    const cnn_conv2d_params p = cnn_conv2d_params_default();
    cnn_status s = cnn_tensor_create(&tx, ctx, 1, 1, 5, 5);
    if (s == CNN_SUCCESS) s = cnn_tensor_create(&tw, ctx, 1, 1, 3, 3);
    if (s == CNN_SUCCESS) s = cnn_tensor_create(&ty, ctx, 1, 1, 3, 3);
    if (s == CNN_SUCCESS) s = cnn_tensor_write(tx, tu_ex1_x, 25);
    if (s == CNN_SUCCESS) s = cnn_tensor_write(tw, tu_ex1_k, 9);
    if (s == CNN_SUCCESS) s = cnn_conv2d(ctx, ty, tx, tw, NULL, &p);
    if (s == CNN_SUCCESS) s = cnn_tensor_read(ty, y, 9);
    cnn_tensor_destroy(tx);
    cnn_tensor_destroy(tw);
    cnn_tensor_destroy(ty);
    CHECK_OK(s);
    CHECK(memcmp(y, tu_ex1_y, sizeof y) == 0);
    return 0;
}

/* The clean lifecycle's result: a lifecycle that survives a failed point (an optional step,
 * like storing a program binary in the disk cache) must give exactly this. */
static float golden[16 * 6 * 6];
static int have_golden;

typedef struct outcome {
    cnn_status status;
    step failed_at;     /* S_NONE: the lifecycle succeeded */
    int64_t points;     /* injection points the lifecycle reached */
    int failed_kind;    /* the kind of the point that failed, or -1 */
    char message[512];
} outcome;

/* One lifecycle on device; 0 when its invariants hold (whatever failed). */
static int lifecycle(const char *device, outcome *o)
{
    enum { N = 1, C = 8, H = 12, W = 12, K = 16 };
    static float x[N * C * H * W], w[K * C * 9], b[K], y_nan[N * K * H * W];
    static float pooled[N * K * 6 * 6];
    const float sentinel = -12345.0f;
    for (int i = 0; i < N * C * H * W; i++)
        x[i] = (float)((i * 7) % 13) - 6.0f;
    for (int i = 0; i < K * C * 9; i++)
        w[i] = (float)((i * 5) % 11) / 11.0f - 0.5f;
    for (int i = 0; i < K; i++)
        b[i] = (float)i / K - 0.5f;
    for (int i = 0; i < N * K * H * W; i++)
        y_nan[i] = NAN;
    for (int i = 0; i < N * K * 6 * 6; i++)
        pooled[i] = sentinel;

    memset(o, 0, sizeof *o);
    char err[512] = "";
    cnn_context *ctx = NULL;
    cnn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *ty = NULL, *tp = NULL;
    cnn_conv2d_plan *plan = NULL;
    cnn_status s = cnn_context_create(&ctx, device, err, sizeof err);
    step at = S_CONTEXT;
    if (s == CNN_SUCCESS) {
        at = S_TENSORS;
        s = cnn_tensor_create(&tx, ctx, N, C, H, W);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&tw, ctx, K, C, 3, 3);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&tb, ctx, 1, K, 1, 1);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&ty, ctx, N, K, H, W);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&tp, ctx, N, K, 6, 6);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(tx, x, N * C * H * W);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(tw, w, K * C * 9);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(tb, b, K);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(ty, y_nan, N * K * H * W);
    }
    if (s == CNN_SUCCESS) {
        at = S_PLAN;
        cnn_conv2d_params p = cnn_conv2d_params_default();
        p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
        p.activation = CNN_ACTIVATION_RELU;
        const int64_t xs[4] = {N, C, H, W}, ws[4] = {K, C, 3, 3};
        s = cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &p);
    }
    if (s == CNN_SUCCESS) {
        at = S_EXECUTE;
        s = cnn_conv2d_plan_execute(plan, ty, tx, tw, tb);
    }
    if (s == CNN_SUCCESS) {
        at = S_POOL;
        const cnn_pool2d_params pp = cnn_pool2d_params_default();
        s = cnn_pool2d(ctx, tp, ty, &pp);
    }
    if (s == CNN_SUCCESS) {
        at = S_READ;
        s = cnn_tensor_read(tp, pooled, N * K * 6 * 6);
    }
    o->status = s;
    o->failed_at = s == CNN_SUCCESS ? S_NONE : at;
    snprintf(o->message, sizeof o->message, "%s",
             ctx ? cnn_context_last_error(ctx) : err);
    /* From here on nothing may fail: the checks use the context as a caller would. */
    o->points = cnn_fault_points();
    o->failed_kind = cnn_fault_failed_kind();
    cnn_fault_arm(0);
    int bad = 0;
    if (s != CNN_SUCCESS) {
        if (!o->message[0]) {
            tu_note("%s failed (%s) without a message", step_names[at], cnn_status_string(s));
            bad = 1;
        }
        for (int i = 0; i < N * K * 6 * 6 && !bad; i++)
            if (pooled[i] != sentinel) {
                tu_note("%s failed but the host output was written", step_names[at]);
                bad = 1;
            }
        if (at == S_EXECUTE && !bad) {
            /* The conv's output is all NaN still, as written before. */
            static float y[N * K * H * W];
            if (cnn_tensor_read(ty, y, N * K * H * W) != CNN_SUCCESS) {
                tu_note("reading the conv's output after its failure failed");
                bad = 1;
            }
            for (int i = 0; i < N * K * H * W && !bad; i++)
                if (!isnan(y[i])) {
                    tu_note("the conv failed but wrote its output (y[%d] = %g)", i, y[i]);
                    bad = 1;
                }
        }
        if (ctx && !bad && context_still_works(ctx)) {
            tu_note("the context does not work after %s failed", step_names[at]);
            bad = 1;
        }
    } else if (!have_golden) {
        memcpy(golden, pooled, sizeof golden);
        have_golden = 1;
    } else if (memcmp(golden, pooled, sizeof golden) != 0) {
        tu_note("a lifecycle that went through (point of kind %d failed) computed another result",
                o->failed_kind);
        bad = 1;
    }
    cnn_conv2d_plan_destroy(plan);
    cnn_tensor_destroy(tx);
    cnn_tensor_destroy(tw);
    cnn_tensor_destroy(tb);
    cnn_tensor_destroy(ty);
    cnn_tensor_destroy(tp);
    cnn_context_destroy(ctx);
    return bad;
}

static int sweep(const char *device)
{
    outcome o;
    have_golden = 0;
    cnn_fault_arm(0);
    CHECK(lifecycle(device, &o) == 0);
    CHECK_MSG(o.status == CNN_SUCCESS, "%s\n", o.message);
    cnn_fault_arm(0);
    CHECK(lifecycle(device, &o) == 0); /* counted in a steady state (PoCL's caches warm) */
    const int64_t points = o.points;
    CHECK(points > 0);
    have_golden = 0;
    int64_t by_kind[CNN_FAULT_KINDS] = {0}, by_step[7] = {0};
    for (int64_t nth = 1; nth <= points; nth++) {
        cnn_fault_arm(nth);
        tu_note("device %s, point %lld of %lld", device, (long long)nth, (long long)points);
        const int bad = lifecycle(device, &o);
        const int kind = o.failed_kind;
        if (bad)
            fprintf(stderr, "point %lld of %lld (kind %d) on %s:\n", (long long)nth,
                    (long long)points, kind, device);
        CHECK(!bad);
        CHECK_MSG(kind >= 0, "point %lld was not reached\n", (long long)nth);
        by_kind[kind]++;
        by_step[o.failed_at]++; /* S_NONE: survived, with the right result */
    }
    tu_clear_note();
    printf("     %s: %lld injection points swept: host allocations %lld, OpenCL allocations "
           "%lld, builds %lld, kernel creations %lld, enqueues %lld; failures seen at context "
           "%lld, tensors %lld, plan %lld, execute %lld, pool %lld, read %lld; survived (an "
           "optional step, right result) %lld\n",
           device, (long long)points, (long long)by_kind[CNN_FAULT_HOST_ALLOC],
           (long long)by_kind[CNN_FAULT_CL_ALLOC], (long long)by_kind[CNN_FAULT_CL_BUILD],
           (long long)by_kind[CNN_FAULT_CL_KERNEL], (long long)by_kind[CNN_FAULT_CL_ENQUEUE],
           (long long)by_step[S_CONTEXT], (long long)by_step[S_TENSORS],
           (long long)by_step[S_PLAN], (long long)by_step[S_EXECUTE], (long long)by_step[S_POOL],
           (long long)by_step[S_READ], (long long)by_step[S_NONE]);
    return 0;
}

static int test_sweep(cnn_context *ctx)
{
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    return sweep(info.selector);
}

static int test_sweep_ref(cnn_context *ctx)
{
    (void)ctx;
    return sweep("ref");
}

int main(void)
{
    /* Every lifecycle takes the same path: programs built from source, self-checks run. */
    setenv("CNNCL_CACHE", "off", 1);
    static const tu_case cases[] = {
        {"fault injection: every point of a lifecycle on the device", test_sweep},
    };
    int failures = tu_run("fault injection: every point of a lifecycle on ref", test_sweep_ref,
                          NULL);
    const int code = tu_main_opencl(cases, 1);
    return failures ? 1 : code;
}
