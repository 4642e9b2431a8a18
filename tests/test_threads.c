/*
 * Threads: contexts used from many threads at once. (1) One context per thread, four threads;
 * (2) one context shared by four threads, each with its own tensors and plans, all of them also
 * using the context's one-shot calls (its shared plan cache) and creating and destroying
 * tensors meanwhile. Every result is compared with the reference computed beforehand. Run
 * under ThreadSanitizer by `scripts/test tsan`, on the reference device and every OpenCL one.
 *
 *     test_threads
 */
#include "cnn_internal.h"
#include "reference.h"
#include "test_util.h"

#include <pthread.h>

enum { THREADS = 4, ROUNDS = 6 };
enum { N = 1, C = 6, H = 10, W = 11, K = 8 };

/* Per thread: its problem (a different input each) and the expected outputs. */
typedef struct work {
    const char *selector;   /* per-thread contexts on this device */
    cnn_context *shared;    /* or this context for everyone */
    int index;
    float x[N * C * H * W], w[K * C * 9], b[K];
    float want_conv[N * K * H * W], want_pool[N * K * 5 * 5];
    int failed;
    char why[640];
} work;

static cnn_conv2d_params conv_params(void)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    return p;
}

/* The expected results, from the reference implementation (plain loops). */
static void prepare(work *wk, int index)
{
    wk->index = index;
    tu_rng r = tu_rng_make(100 + (uint64_t)index);
    tu_fill_uniform(&r, wk->x, N * C * H * W, -1, 1);
    tu_fill_uniform(&r, wk->w, K * C * 9, -1, 1);
    tu_fill_uniform(&r, wk->b, K, -1, 1);
    const cnn_conv2d_params p = conv_params();
    const int64_t xs[4] = {N, C, H, W}, ws[4] = {K, C, 3, 3};
    cnn_conv2d_desc d;
    cnn_conv2d_make_desc(NULL, &d, xs, ws, 1, &p);
    cnn_ref_conv2d(&d, wk->want_conv, wk->x, wk->w, wk->b);
    for (int k = 0; k < N * K; k++)
        for (int oy = 0; oy < 5; oy++)
            for (int ox = 0; ox < 5; ox++) {
                float m = -INFINITY;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        const int y = 2 * oy + dy, x = 2 * ox + dx;
                        m = fmaxf(m, wk->want_conv[(k * H + y) * W + x]);
                    }
                wk->want_pool[(k * 5 + oy) * 5 + ox] = m;
            }
}

static int fail(work *wk, const char *what, cnn_context *ctx, cnn_status s)
{
    snprintf(wk->why, sizeof wk->why, "thread %d: %s: %s: %s", wk->index, what,
             cnn_status_string(s), ctx ? cnn_context_last_error(ctx) : "");
    wk->failed = 1;
    return 1;
}

/* ROUNDS rounds: a plan executed, the one-shot conv and pool, tensors made and dropped. */
static int rounds(work *wk, cnn_context *ctx)
{
    const cnn_conv2d_params p = conv_params();
    const cnn_pool2d_params pp = cnn_pool2d_params_default();
    const int64_t xs[4] = {N, C, H, W}, ws[4] = {K, C, 3, 3};
    static const double tol = 1e-4;
    float got_conv[N * K * H * W], got_pool[N * K * 5 * 5];
    for (int round = 0; round < ROUNDS; round++) {
        cnn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *ty = NULL, *tp = NULL;
        cnn_conv2d_plan *plan = NULL;
        cnn_status s = cnn_tensor_create(&tx, ctx, N, C, H, W);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&tw, ctx, K, C, 3, 3);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&tb, ctx, 1, K, 1, 1);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&ty, ctx, N, K, H, W);
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&tp, ctx, N, K, 5, 5);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(tx, wk->x, N * C * H * W);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(tw, wk->w, K * C * 9);
        if (s == CNN_SUCCESS) s = cnn_tensor_write(tb, wk->b, K);
        if (s == CNN_SUCCESS)
            s = round % 2 ? cnn_conv2d(ctx, ty, tx, tw, tb, &p)
                          : cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &p);
        if (s == CNN_SUCCESS && plan) s = cnn_conv2d_plan_execute(plan, ty, tx, tw, tb);
        if (s == CNN_SUCCESS) s = cnn_pool2d(ctx, tp, ty, &pp);
        if (s == CNN_SUCCESS) s = cnn_tensor_read(ty, got_conv, N * K * H * W);
        if (s == CNN_SUCCESS) s = cnn_tensor_read(tp, got_pool, N * K * 5 * 5);
        cnn_conv2d_plan_destroy(plan);
        cnn_tensor_destroy(tx);
        cnn_tensor_destroy(tw);
        cnn_tensor_destroy(tb);
        cnn_tensor_destroy(ty);
        cnn_tensor_destroy(tp);
        if (s != CNN_SUCCESS)
            return fail(wk, "a round", ctx, s);
        for (int i = 0; i < N * K * H * W; i++)
            if (!(fabs(got_conv[i] - wk->want_conv[i]) <= tol))
                return fail(wk, "a wrong convolution result", NULL, CNN_SUCCESS);
        for (int i = 0; i < N * K * 5 * 5; i++)
            if (!(fabs(got_pool[i] - wk->want_pool[i]) <= tol))
                return fail(wk, "a wrong pooling result", NULL, CNN_SUCCESS);
    }
    return 0;
}

static void *thread_main(void *arg)
{
    work *wk = arg;
    if (wk->shared) {
        rounds(wk, wk->shared);
        return NULL;
    }
    char err[512];
    cnn_context *ctx = NULL;
    const cnn_status s = cnn_context_create(&ctx, wk->selector, err, sizeof err);
    if (s != CNN_SUCCESS) {
        snprintf(wk->why, sizeof wk->why, "thread %d: context: %.500s", wk->index, err);
        wk->failed = 1;
        return NULL;
    }
    rounds(wk, ctx);
    cnn_context_destroy(ctx);
    return NULL;
}

static int run_threads(const char *selector, cnn_context *shared)
{
    static work works[THREADS];
    pthread_t ids[THREADS];
    for (int i = 0; i < THREADS; i++) {
        prepare(&works[i], i);
        works[i].selector = selector;
        works[i].shared = shared;
        works[i].failed = 0;
        CHECK(pthread_create(&ids[i], NULL, thread_main, &works[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_join(ids[i], NULL) == 0);
    for (int i = 0; i < THREADS; i++)
        CHECK_MSG(!works[i].failed, "%s\n", works[i].why);
    return 0;
}

static int test_own_contexts(cnn_context *ctx)
{
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    return run_threads(info.selector, NULL);
}

static int test_shared_context(cnn_context *ctx) { return run_threads(NULL, ctx); }

static int test_reference(cnn_context *ctx)
{
    (void)ctx;
    if (run_threads("ref", NULL))
        return 1;
    char err[512];
    cnn_context *ref = NULL;
    CHECK_OK(cnn_context_create(&ref, "ref", err, sizeof err));
    const int rc = run_threads(NULL, ref);
    cnn_context_destroy(ref);
    return rc;
}

int main(void)
{
    int failures = tu_run("threads: the reference device, own and shared contexts",
                          test_reference, NULL);
    static const tu_case cases[] = {
        {"threads: one context per thread", test_own_contexts},
        {"threads: one context shared by four threads", test_shared_context},
    };
    const int code = tu_main_opencl(cases, 2);
    return failures ? 1 : code;
}
