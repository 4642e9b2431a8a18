/* The device's limits are honoured by every kernel variant. With the work-group size, local
 * memory and max allocation lowered through the backend's test hook (cnn_cl_test_set_limits),
 * which also makes every launch check its work-group and the kernel's local memory against
 * them (and every buffer argument its size):
 *   - the strict check itself stops launches over the limits (a variant prepared under higher
 *     ones);
 *   - every algorithm that serves a shape, with the rules' tiles and with every tuning
 *     candidate the backend offers, on both kernel families, for the OpenCL 1.2 minimums
 *     (256 work-items, 32 KiB) and lower: the rules' choice runs and matches the reference, a
 *     candidate runs and matches or is refused at prepare with a status and a message; a
 *     launch outside the limits (CNN_ERROR_INTERNAL from the strict check) fails the test;
 *     pooling and bias + ReLU too;
 *   - with a max allocation of 1 MiB, a larger tensor is refused with CNN_ERROR_LIMIT_EXCEEDED,
 *     and convolutions whose workspaces (repacked weights, padded input, Winograd's buffers)
 *     would pass it run in passes, fall back to direct or are refused, never wrong;
 *   - problems of 2^31 elements or more (which no buffer here could hold) are refused at
 *     prepare with CNN_ERROR_UNSUPPORTED and a message that says so: conv2d (input, output),
 *     pooling (input, and an output larger than its input), bias + activation; so is a
 *     convolution whose padded input reaches 2^31 along an axis, while strides of INT64_MAX
 *     along an axis of one output run on every algorithm.
 * CNNCL_TEST_LIMITS="ITEMS:BYTES,..." replaces the three limit sets, to explore others (then
 * the rules' choice may be refused too, and every refusal is printed). Labels: opencl, limits. */
#include "test_util.h"

#include "cl_backend.h"
#include "cnn_internal.h"
#include "reference.h"

typedef struct shape_case {
    const char *what;
    int64_t n, c, h, w, k, r, s, stride, pad, dil;
    int64_t groups;
} shape_case;

/* test_tuning's shapes, and shapes that press on local memory: a large strided kernel and a
 * dilated one (the direct kernel's staged tiles), Winograd's fused kernel on few channels (its
 * transformed input in local memory), depthwise on a wide map (its staged rows). */
static const shape_case shapes[] = {
    {"1x1 on 7x7", 1, 40, 7, 7, 48, 1, 1, 1, 0, 1, 1},
    {"1x1 on 40x40", 1, 24, 40, 40, 37, 1, 1, 1, 0, 1, 1},
    {"1x1 padded", 2, 8, 9, 13, 33, 1, 1, 1, 1, 1, 1},
    {"3x3 on 12x45", 1, 20, 12, 45, 40, 3, 3, 1, 1, 1, 1},
    {"3x3 stride 2", 1, 16, 17, 23, 32, 3, 3, 2, 1, 1, 1},
    {"3x3 on 7x7", 2, 32, 7, 7, 64, 3, 3, 1, 1, 1, 1},
    {"depthwise 3x3 on 20x37", 1, 24, 20, 37, 24, 3, 3, 1, 1, 1, 24},
    {"depthwise 3x3 stride 2 on 29x70", 2, 8, 29, 70, 16, 3, 3, 2, 1, 1, 8},
    {"7x7 stride 2 on 31x29", 1, 12, 31, 29, 20, 7, 7, 2, 3, 1, 1},
    {"5x5 dilation 3 on 24x26", 1, 10, 24, 26, 12, 5, 5, 1, 6, 3, 1},
    {"3x3 on 16x64, 4 channels (fused Winograd)", 1, 4, 16, 64, 8, 3, 3, 1, 1, 1, 1},
    {"depthwise 5x5 on 6x300", 1, 4, 6, 300, 4, 5, 5, 1, 2, 1, 4},
};

static const cnn_conv2d_algo algos[] = {CNN_CONV2D_ALGO_DIRECT, CNN_CONV2D_ALGO_IGEMM,
                                        CNN_CONV2D_ALGO_GEMM1X1, CNN_CONV2D_ALGO_WINOGRAD,
                                        CNN_CONV2D_ALGO_DEPTHWISE};

/* Whether an algorithm serves the shape (as the ops layer decides). */
static int serves(cnn_conv2d_algo a, const cnn_conv2d_desc *d)
{
    switch (a) {
    case CNN_CONV2D_ALGO_GEMM1X1: return d->r == 1 && d->s == 1;
    case CNN_CONV2D_ALGO_WINOGRAD:
        return d->r == 3 && d->s == 3 && d->stride_h == 1 && d->stride_w == 1 &&
               d->dilation_h == 1 && d->dilation_w == 1;
    case CNN_CONV2D_ALGO_DEPTHWISE: return d->groups == d->c;
    default: return 1;
    }
}

typedef struct limit_set {
    const char *what;
    size_t work_group;
    uint64_t local_mem;
} limit_set;

static limit_set limit_sets[8] = {
    {"256 work-items, 32 KiB (OpenCL 1.2 minimums)", 256, 32768},
    {"64 work-items, 32 KiB", 64, 32768},
    {"16 work-items, 16 KiB", 16, 16384},
};
static size_t limit_set_count = 3;

/* CNNCL_TEST_LIMITS="ITEMS:BYTES,..." replaces the sets (to explore other limits); then the
 * rules' choice may also be refused with CNN_ERROR_LIMIT_EXCEEDED (a device too small for an
 * algorithm), and the refusals are printed. */
static int explore;
static char explore_names[8][48];

static void read_limit_sets(void)
{
    const char *env = getenv("CNNCL_TEST_LIMITS");
    if (!env || !env[0])
        return;
    explore = 1;
    limit_set_count = 0;
    while (*env && limit_set_count < 8) {
        unsigned long items = 0;
        unsigned long long bytes = 0;
        int used = 0;
        if (sscanf(env, "%lu:%llu%n", &items, &bytes, &used) != 2)
            break;
        snprintf(explore_names[limit_set_count], sizeof explore_names[0],
                 "%lu work-items, %llu bytes", items, bytes);
        limit_sets[limit_set_count].what = explore_names[limit_set_count];
        limit_sets[limit_set_count].work_group = items;
        limit_sets[limit_set_count].local_mem = bytes;
        limit_set_count++;
        env += used;
        if (*env == ',')
            env++;
    }
}

static const struct {
    const char *what;
    cnn_kernel_family family;
} families[] = {{"CPU kernels", CNN_KERNELS_CPU}, {"GPU kernels", CNN_KERNELS_GPU}};

typedef struct tally {
    int ran, refused;
} tally;

/* A convolution problem with its data, tensors and reference (computed once). */
typedef struct problem {
    cnn_conv2d_desc d;
    int64_t nx, nw, ny;
    float *x, *w, *b, *nan_fill;
    double *ref, *mag; /* reference outputs and sum |x*w| per output */
    double x_max;
    cnn_tensor *tx, *tw, *tb, *ty;
} problem;

static int problem_make(cnn_context *ctx, const shape_case *q, uint64_t seed, problem *pb)
{
    memset(pb, 0, sizeof *pb);
    const int64_t xs[4] = {q->n, q->c, q->h, q->w};
    const int64_t ws[4] = {q->k, q->c / q->groups, q->r, q->s};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.groups = q->groups;
    p.stride_h = p.stride_w = q->stride;
    p.dilation_h = p.dilation_w = q->dil;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = q->pad;
    p.activation = CNN_ACTIVATION_RELU;
    CHECK_OK(cnn_conv2d_make_desc(NULL, &pb->d, xs, ws, 1, &p));
    const cnn_conv2d_desc *d = &pb->d;
    pb->nx = q->n * q->c * q->h * q->w;
    pb->nw = ws[0] * ws[1] * ws[2] * ws[3];
    pb->ny = d->n * d->k * d->oh * d->ow;
    pb->x = tu_floats(pb->nx);
    pb->w = tu_floats(pb->nw);
    pb->b = tu_floats(d->k);
    pb->nan_fill = tu_floats_fill(pb->ny, NAN);
    pb->ref = (double *)tu_track(TU_HOST, malloc((size_t)pb->ny * sizeof(double)));
    pb->mag = (double *)tu_track(TU_HOST, malloc((size_t)pb->ny * sizeof(double)));
    CHECK(pb->x && pb->w && pb->b && pb->nan_fill && pb->ref && pb->mag);
    tu_rng r = tu_rng_make(seed);
    tu_fill_uniform(&r, pb->x, pb->nx, -1, 1);
    tu_fill_uniform(&r, pb->w, pb->nw, -1, 1);
    tu_fill_uniform(&r, pb->b, d->k, -1, 1);
    pb->x_max = cnn_ref_max_abs(pb->x, pb->nx);
    for (int64_t i = 0; i < pb->ny; i++) {
        const int64_t ox = i % d->ow, oy = (i / d->ow) % d->oh, k = (i / (d->ow * d->oh)) % d->k;
        const int64_t n = i / (d->ow * d->oh * d->k);
        pb->ref[i] = cnn_ref_conv2d_point(d, pb->x, pb->w, pb->b, n, k, oy, ox, &pb->mag[i]);
    }
    const int64_t ys[4] = {d->n, d->k, d->oh, d->ow};
    CHECK(tu_conv_tensors(ctx, xs, pb->x, ws, pb->w, pb->b, ys, &pb->tx, &pb->tw, &pb->tb,
                          &pb->ty) == 0);
    return 0;
}

/* Output against the reference, within the tolerance of d->algo. */
static int problem_check(const problem *pb, const cnn_conv2d_desc *d, const cnn_tensor *ty)
{
    float *got = tu_read(ty);
    CHECK(got != NULL);
    int64_t bad = 0;
    for (int64_t i = 0; i < pb->ny; i++) {
        const int64_t k = (i / (d->ow * d->oh)) % d->k;
        const double tol = cnn_ref_conv2d_tolerance(d, pb->w, k, pb->mag[i], pb->x_max);
        if (!(fabs(got[i] - pb->ref[i]) <= tol) && bad++ < 4)
            fprintf(stderr, "    out[%lld] = %g, reference %g\n", (long long)i, got[i],
                    pb->ref[i]);
    }
    tu_untrack(got);
    free(got);
    CHECK_MSG(bad == 0, "%lld of %lld outputs differ\n", (long long)bad, (long long)pb->ny);
    return 0;
}

/* One variant (d's algorithm and tuning) through the backend, as find mode runs it. The
 * rules' choice (empty tuning) must run unless refusals are allowed for it (alloc_refusals:
 * also CNN_ERROR_UNSUPPORTED); a refusal must come with a status and a message. */
static int run_variant(cnn_context *ctx, const problem *pb, const cnn_conv2d_desc *d,
                       int alloc_refusals, tally *t)
{
    cnn_backend *be = ctx->backend;
    CHECK_OK(cnn_tensor_write(pb->ty, pb->nan_fill, pb->ny));
    void *state = NULL;
    const cnn_status prep = be->vt->conv2d_prepare(be, d, &state);
    if (prep != CNN_SUCCESS) {
        const char *msg = cnn_context_last_error(ctx);
        CHECK_MSG(d->tuning[0] || alloc_refusals ||
                      (explore && prep == CNN_ERROR_LIMIT_EXCEEDED),
                  "the rules' choice was refused: %s: %s\n", cnn_status_string(prep), msg);
        if (explore && !alloc_refusals)
            printf("     refused: %s: %s: %s\n", tu_state()->note, cnn_status_string(prep), msg);
        CHECK_MSG(prep == CNN_ERROR_LIMIT_EXCEEDED || prep == CNN_ERROR_INVALID_ARGUMENT ||
                      (alloc_refusals && prep == CNN_ERROR_UNSUPPORTED),
                  "refused with %s: %s\n", cnn_status_string(prep), msg);
        CHECK_MSG(msg != NULL && msg[0] != '\0', "refused with %s without a message\n",
                  cnn_status_string(prep));
        t->refused++;
        return 0;
    }
    const cnn_status run = be->vt->conv2d_run(be, state, d, pb->ty->buffer, pb->tx->buffer,
                                              pb->tw->buffer, 0, pb->tb->buffer);
    be->vt->conv2d_release(be, state);
    CHECK_OK(run);
    CHECK(problem_check(pb, d, pb->ty) == 0);
    t->ran++;
    return 0;
}

/* Every algorithm serving the problem, its rules' choice and every candidate. */
static int run_all_variants(cnn_context *ctx, const char *what, const problem *pb,
                            int alloc_refusals, tally *t)
{
    cnn_backend *be = ctx->backend;
    for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
        cnn_conv2d_desc da = pb->d;
        da.algo = algos[a];
        if (!serves(da.algo, &da))
            continue;
        char tunings[17][CNN_TUNING_MAX];
        tunings[0][0] = '\0'; /* the rules' choice */
        const int m = 1 + (be->vt->conv2d_candidates
                               ? be->vt->conv2d_candidates(be, &da, tunings + 1, 16)
                               : 0);
        for (int i = 0; i < m; i++) {
            memcpy(da.tuning, tunings[i], CNN_TUNING_MAX);
            da.tuning[CNN_TUNING_MAX - 1] = '\0';
            tu_note("%s, %s [%s]", what, cnn_conv2d_algo_string(da.algo),
                    da.tuning[0] ? da.tuning : "rules");
            if (run_variant(ctx, pb, &da, alloc_refusals, t))
                return 1;
        }
    }
    return 0;
}

/* A fresh context on the device of ctx, registered for failure reports (tracked: tu_release
 * destroys it after the tensors made on it). */
static cnn_context *fresh_context(cnn_context *ctx)
{
    cnn_device_info info;
    if (cnn_context_device(ctx, &info) != CNN_SUCCESS)
        return NULL;
    cnn_context *fresh = tu_context(info.selector);
    return fresh ? (cnn_context *)tu_track(TU_CONTEXT, fresh) : NULL;
}

static int run_pools(cnn_context *ctx, const char *what, tally *t)
{
    static const struct {
        int64_t xs[4];
        cnn_pool_mode mode;
        int64_t k, stride, pad;
        int ceil_mode, cip, global;
    } pools[] = {
        {{2, 5, 17, 23}, CNN_POOL_MAX, 3, 2, 1, 1, 1, 0},
        {{1, 6, 16, 40}, CNN_POOL_AVG, 2, 2, 0, 0, 1, 0},
        {{1, 3, 13, 11}, CNN_POOL_AVG, 7, 1, 3, 0, 0, 0},
        {{2, 4, 9, 150}, CNN_POOL_MAX, 5, 1, 2, 0, 1, 0},
        {{2, 7, 12, 12}, CNN_POOL_AVG, 1, 1, 0, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
        cnn_pool2d_params p = cnn_pool2d_params_default();
        p.mode = pools[i].mode;
        p.kernel_h = p.kernel_w = pools[i].k;
        p.stride_h = p.stride_w = pools[i].stride;
        p.pad_h = p.pad_w = pools[i].pad;
        p.ceil_mode = pools[i].ceil_mode;
        p.count_include_pad = pools[i].cip;
        p.global = pools[i].global;
        char desc[160];
        tu_note("%s, pool2d %s", what, tu_pool_desc(desc, sizeof desc, pools[i].xs, &p));
        cnn_pool2d_desc d;
        CHECK_OK(cnn_pool2d_make_desc(NULL, &d, pools[i].xs, &p));
        const int64_t nx = d.n * d.c * d.h * d.w, ny = d.n * d.c * d.oh * d.ow;
        float *x = tu_floats(nx), *ref = tu_floats(ny);
        CHECK(x && ref);
        tu_rng r = tu_rng_make(100 + i);
        tu_fill_uniform(&r, x, nx, -1, 1);
        cnn_ref_pool2d(&d, ref, x);
        cnn_tensor *tx = tu_tensor_from(ctx, d.n, d.c, d.h, d.w, x);
        const int64_t ys[4] = {d.n, d.c, d.oh, d.ow};
        cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
        CHECK(tx && ty);
        CHECK_OK(cnn_pool2d(ctx, ty, tx, &p));
        float *got = tu_read(ty);
        CHECK(got != NULL);
        CHECK_ARRAY(got, ref, ny, ys, 1e-6, 1e-7);
        t->ran++;
    }
    for (int has_bias = 0; has_bias <= 1; has_bias++) {
        const int64_t s[4] = {2, 7, 9, 11 + 40 * has_bias};
        tu_note("%s, bias_act %lldx%lldx%lldx%lld bias %d relu", what, (long long)s[0],
                (long long)s[1], (long long)s[2], (long long)s[3], has_bias);
        const int64_t count = s[0] * s[1] * s[2] * s[3];
        float *x = tu_floats(count), *b = tu_floats(s[1]), *ref = tu_floats(count);
        CHECK(x && b && ref);
        tu_rng r = tu_rng_make(200 + (uint64_t)has_bias);
        tu_fill_uniform(&r, x, count, -1, 1);
        tu_fill_uniform(&r, b, s[1], -1, 1);
        const cnn_bias_act_desc d = {s[0], s[1], s[2], s[3], has_bias, CNN_ACTIVATION_RELU};
        cnn_ref_bias_act(&d, ref, x, has_bias ? b : NULL);
        cnn_tensor *tx = tu_tensor_from(ctx, s[0], s[1], s[2], s[3], x);
        cnn_tensor *tb = tu_tensor_from(ctx, 1, s[1], 1, 1, b);
        cnn_tensor *ty = tu_tensor_fill(ctx, s, NAN);
        CHECK(tx && tb && ty);
        CHECK_OK(cnn_bias_act(ctx, ty, tx, has_bias ? tb : NULL, CNN_ACTIVATION_RELU));
        float *got = tu_read(ty);
        CHECK(got != NULL);
        CHECK_ARRAY(got, ref, count, s, 0.0, 0.0);
        t->ran++;
    }
    return 0;
}

static int test_low_limits(cnn_context *ctx)
{
    int total_ran = 0, total_refused = 0;
    for (size_t ls = 0; ls < limit_set_count; ls++) {
        const limit_set *L = &limit_sets[ls];
        cnn_context *lc = fresh_context(ctx);
        CHECK(lc != NULL);
        CHECK_OK(cnn_cl_test_set_limits(lc, L->work_group, L->local_mem, 0));
        cnn_device_info info;
        CHECK_OK(cnn_context_device(lc, &info));
        CHECK(info.max_work_group_size <= L->work_group && info.local_mem_bytes <= L->local_mem);
        for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
            CHECK_OK(cnn_context_set_kernel_family(lc, families[f].family));
            tally t = {0, 0}, tp = {0, 0};
            char what[160];
            for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
                snprintf(what, sizeof what, "%s, %s, %s", L->what, families[f].what,
                         shapes[i].what);
                tu_note("%s: setting up", what);
                problem pb;
                if (problem_make(lc, &shapes[i], 23 + i, &pb))
                    return 1;
                if (run_all_variants(lc, what, &pb, 0, &t))
                    return 1;
                /* This problem's tensors and host data (the context stays). */
                cnn_tensor *ts[4] = {pb.tx, pb.tw, pb.tb, pb.ty};
                for (int j = 0; j < 4; j++) {
                    tu_untrack(ts[j]);
                    cnn_tensor_destroy(ts[j]);
                }
            }
            snprintf(what, sizeof what, "%s, %s", L->what, families[f].what);
            if (run_pools(lc, what, &tp))
                return 1;
            tu_clear_note();
            printf("     %-46s %s: %3d conv2d variants ran, %2d refused; %d pool2d/bias_act "
                   "ran\n",
                   L->what, families[f].what, t.ran, t.refused, tp.ran);
            total_ran += t.ran;
            total_refused += t.refused;
        }
        tu_release(); /* the context and what was made on it */
        tu_state()->ctx = ctx;
    }
    printf("     %d conv2d variants ran under low limits, %d refused\n", total_ran,
           total_refused);
    CHECK(total_ran > 0);
    return 0;
}

/* The strict check itself: a variant prepared under higher limits, launched after they were
 * lowered below what it uses, is stopped before it is enqueued with CNN_ERROR_INTERNAL and a
 * message naming the kernel: its work-group, its local memory (the direct kernel's staged
 * tiles are __local arguments), a buffer argument over the max allocation. */
static int test_strict_check(cnn_context *ctx)
{
    cnn_context *lc = fresh_context(ctx);
    CHECK(lc != NULL);
    CHECK_OK(cnn_context_set_kernel_family(lc, CNN_KERNELS_GPU));
    problem pb;
    if (problem_make(lc, &shapes[3], 77, &pb)) /* 3x3 on 12x45 */
        return 1;
    cnn_backend *be = lc->backend;
    cnn_conv2d_desc d = pb.d;
    d.algo = CNN_CONV2D_ALGO_DIRECT;
    static const struct {
        size_t work_group_before, work_group;
        uint64_t local_mem, max_alloc;
        const char *says;
    } steps[] = {
        {256, 64, 0, 0, "work-group of 128 work-items exceeds the limit of 64"},
        {64, 0, 2048, 0, "bytes of local memory exceed the limit of 2048 bytes"},
        {64, 0, 0, 4096, "over the max allocation of 4096 bytes"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        tu_note("strict check: %s", steps[i].says);
        CHECK_OK(cnn_cl_test_set_limits(lc, steps[i].work_group_before, 0, 0));
        void *state = NULL;
        CHECK_OK(be->vt->conv2d_prepare(be, &d, &state));
        CHECK_OK(cnn_cl_test_set_limits(lc, steps[i].work_group, steps[i].local_mem,
                                        steps[i].max_alloc));
        const cnn_status run = be->vt->conv2d_run(be, state, &d, pb.ty->buffer, pb.tx->buffer,
                                                  pb.tw->buffer, 0, pb.tb->buffer);
        be->vt->conv2d_release(be, state);
        CHECK_STATUS(run, CNN_ERROR_INTERNAL);
        const char *msg = cnn_context_last_error(lc);
        CHECK_MSG(strstr(msg, "conv2d_direct") != NULL && strstr(msg, steps[i].says) != NULL,
                  "message: %s\n", msg);
        printf("     stopped: %s\n", msg);
        /* Fresh limits for the next step: a new context. */
        tu_release();
        lc = fresh_context(ctx);
        CHECK(lc != NULL);
        CHECK_OK(cnn_context_set_kernel_family(lc, CNN_KERNELS_GPU));
        if (problem_make(lc, &shapes[3], 77, &pb))
            return 1;
        be = lc->backend;
    }
    tu_release();
    tu_state()->ctx = ctx;
    return 0;
}

/* Max allocation lowered to 1 MiB. */
static int test_max_alloc(cnn_context *ctx)
{
    const uint64_t mib = 1u << 20;
    cnn_context *lc = fresh_context(ctx);
    CHECK(lc != NULL);
    CHECK_OK(cnn_cl_test_set_limits(lc, 0, 0, mib));
    cnn_device_info info;
    CHECK_OK(cnn_context_device(lc, &info));
    CHECK(info.max_alloc_bytes == mib);

    /* Tensors: exactly 1 MiB is allowed, one float more is refused with a message. */
    cnn_tensor *t = NULL;
    tu_note("a tensor over the max allocation");
    CHECK_STATUS(cnn_tensor_create(&t, lc, 1, 1, 512, 513), CNN_ERROR_LIMIT_EXCEEDED);
    CHECK(t == NULL);
    CHECK_MSG(strstr(cnn_context_last_error(lc), "max allocation") != NULL, "message: %s\n",
              cnn_context_last_error(lc));
    CHECK(tu_tensor(lc, 1, 1, 512, 512) != NULL);

    /* Workspaces over 1 MiB: repacked weights twice the weights (17 channels in blocks of 32),
     * Winograd's transformed weights; a padded input and Winograd's V and M in passes. */
    static const shape_case cases[] = {
        {"repacked weights over the max allocation", 1, 1536, 4, 4, 17, 3, 3, 1, 1, 1, 1},
        {"padded input and Winograd in passes", 5, 16, 56, 56, 8, 3, 3, 1, 1, 1, 1},
        /* Fused Winograd's transformed weights, 17 channels padded to blocks of 8 or 16. */
        {"Winograd's padded transformed weights", 1, 320, 8, 64, 17, 3, 3, 1, 1, 1, 1},
    };
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        CHECK_OK(cnn_context_set_kernel_family(lc, families[f].family));
        tally tl = {0, 0};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const shape_case *q = &cases[i];
            char what[160];
            snprintf(what, sizeof what, "1 MiB max allocation, %s, %s", families[f].what,
                     q->what);
            tu_note("%s: setting up", what);
            problem pb;
            if (problem_make(lc, q, 50 + i, &pb))
                return 1;
            if (run_all_variants(lc, what, &pb, 1, &tl))
                return 1;
            if (i == 0) {
                /* The repacking algorithms are refused with a status; the engine's own
                 * choice falls back to direct, a forced algorithm is refused. */
                cnn_backend *be = lc->backend;
                cnn_conv2d_desc da = pb.d;
                da.algo = CNN_CONV2D_ALGO_IGEMM;
                void *state = NULL;
                tu_note("%s: igemm", what);
                CHECK_STATUS(be->vt->conv2d_prepare(be, &da, &state), CNN_ERROR_LIMIT_EXCEEDED);
                CHECK_MSG(strstr(cnn_context_last_error(lc), "max allocation") != NULL,
                          "message: %s\n", cnn_context_last_error(lc));
                const int64_t xs[4] = {q->n, q->c, q->h, q->w}, ws[4] = {q->k, q->c, 3, 3};
                cnn_conv2d_params p = cnn_conv2d_params_default();
                p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
                p.activation = CNN_ACTIVATION_RELU;
                cnn_conv2d_plan *plan = NULL;
                tu_note("%s: AUTO plan", what);
                CHECK_OK(cnn_conv2d_plan_create(&plan, lc, xs, ws, 1, &p));
                tu_track(TU_CONV_PLAN, plan);
                cnn_conv2d_algo chosen;
                int64_t ys[4];
                CHECK_OK(cnn_conv2d_plan_info(plan, &chosen, ys));
                CHECK_MSG(chosen == CNN_CONV2D_ALGO_DIRECT, "AUTO chose %s\n",
                          cnn_conv2d_algo_string(chosen));
                CHECK_OK(cnn_tensor_write(pb.ty, pb.nan_fill, pb.ny));
                CHECK_OK(cnn_conv2d_plan_execute(plan, pb.ty, pb.tx, pb.tw, pb.tb));
                cnn_conv2d_desc dd = pb.d;
                dd.algo = CNN_CONV2D_ALGO_DIRECT;
                CHECK(problem_check(&pb, &dd, pb.ty) == 0);
                tu_untrack(plan);
                cnn_conv2d_plan_destroy(plan);
                p.algo = CNN_CONV2D_ALGO_IGEMM;
                tu_note("%s: forced igemm plan", what);
                CHECK_STATUS(cnn_conv2d_plan_create(&plan, lc, xs, ws, 1, &p),
                             CNN_ERROR_LIMIT_EXCEEDED);
                CHECK(cnn_context_last_error(lc)[0] != '\0');
            }
            cnn_tensor *ts[4] = {pb.tx, pb.tw, pb.tb, pb.ty};
            for (int j = 0; j < 4; j++) {
                tu_untrack(ts[j]);
                cnn_tensor_destroy(ts[j]);
            }
        }
        tu_clear_note();
        printf("     1 MiB max allocation, %s: %d conv2d variants ran, %d refused\n",
               families[f].what, tl.ran, tl.refused);
        CHECK(tl.ran > 0 && tl.refused > 0);
    }
    tu_release();
    tu_state()->ctx = ctx;
    return 0;
}

/* A refusal of 2^31 elements or more: UNSUPPORTED, and a message naming 2^31 and what. */
static int check_int_refusal(cnn_context *ctx, cnn_status s, const char *what)
{
    CHECK_STATUS(s, CNN_ERROR_UNSUPPORTED);
    const char *msg = cnn_context_last_error(ctx);
    CHECK_MSG(strstr(msg, "2^31") != NULL && strstr(msg, what) != NULL,
              "message \"%s\" should name 2^31 and \"%s\"\n", msg, what);
    return 0;
}

/* Problems of 2^31 elements or more, whose tensors no device here could hold: the backend's
 * prepare refuses them before any buffer is touched (32-bit indexing in the kernels). */
static int test_int_range(cnn_context *ctx)
{
    cnn_backend *be = ctx->backend;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        CHECK_OK(cnn_context_set_kernel_family(ctx, families[f].family));
        /* Output of 2^31 elements from an input of 2^30; then an input of 2^31. */
        static const struct {
            int64_t xs[4], ws[4];
            const char *what;
        } convs[] = {
            {{1, 1, 32768, 32768}, {2, 1, 1, 1}, "conv2d output"},
            {{1, 2, 32768, 32768}, {1, 2, 1, 1}, "conv2d input"},
            {{2, 1, 32768, 32768}, {1, 1, 3, 3}, "conv2d input"},
        };
        for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++) {
            cnn_conv2d_params p = cnn_conv2d_params_default();
            cnn_conv2d_desc d;
            CHECK_OK(cnn_conv2d_make_desc(NULL, &d, convs[i].xs, convs[i].ws, 1, &p));
            for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
                d.algo = algos[a];
                if (!serves(d.algo, &d))
                    continue;
                tu_note("%s, %s of 2^31 elements, %s", families[f].what, convs[i].what,
                        cnn_conv2d_algo_string(d.algo));
                void *state = NULL;
                if (check_int_refusal(ctx, be->vt->conv2d_prepare(be, &d, &state),
                                      convs[i].what))
                    return 1;
                CHECK(state == NULL);
            }
        }
        /* Pooling: an input of 2^31, and an output that padding makes larger than an input
         * just under it (46340^2 < 2^31 <= 46341^2). */
        static const struct {
            int64_t xs[4];
            int64_t k, stride, pad;
            const char *what;
        } pools[] = {
            {{1, 2, 32768, 32768}, 2, 2, 0, "pool2d input"},
            {{1, 1, 46340, 46340}, 2, 1, 1, "pool2d output"},
        };
        for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
            cnn_pool2d_params p = cnn_pool2d_params_default();
            p.kernel_h = p.kernel_w = pools[i].k;
            p.stride_h = p.stride_w = pools[i].stride;
            p.pad_h = p.pad_w = pools[i].pad;
            cnn_pool2d_desc d;
            CHECK_OK(cnn_pool2d_make_desc(NULL, &d, pools[i].xs, &p));
            tu_note("%s, %s of 2^31 elements", families[f].what, pools[i].what);
            void *state = NULL;
            if (check_int_refusal(ctx, be->vt->pool2d_prepare(be, &d, &state), pools[i].what))
                return 1;
            CHECK(state == NULL);
        }
        /* Bias + activation: refused before its buffers are used. */
        const cnn_bias_act_desc bd = {1, 2, 32768, 32768, 1, CNN_ACTIVATION_RELU};
        tu_note("%s, bias_act of 2^31 elements", families[f].what);
        if (check_int_refusal(ctx, be->vt->bias_act(be, &bd, NULL, NULL, NULL), "bias_act"))
            return 1;
    }
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    printf("     conv2d, pool2d and bias_act of 2^31 elements or more refused at prepare\n");
    return 0;
}

/* Steps that cannot matter may be huge: a stride along an axis with one output, a dilation
 * along an axis where the kernel has size 1. Every algorithm serving such a problem runs it and
 * matches the reference (the depthwise kernel's staged row overflowed int64 on a stride of
 * INT64_MAX, found by fuzzing). A padded input that reaches 2^31 is refused, output untouched. */
static int test_huge_steps(cnn_context *ctx)
{
    float x[2 * 3 * 4], w[8], b[2] = {0.5f, -0.25f};
    for (int i = 0; i < 24; i++)
        x[i] = (float)(i % 7) - 3.0f;
    for (int i = 0; i < 8; i++)
        w[i] = 0.5f * (float)(i + 1);
    const int64_t xs[4] = {1, 2, 3, 4};
    static const struct {
        int64_t ws[4], groups;
    } cases[] = {{{2, 1, 1, 1}, 2}, {{2, 2, 1, 1}, 1}, {{2, 2, 2, 1}, 1}};
    int ran = 0;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        CHECK_OK(cnn_context_set_kernel_family(ctx, families[f].family));
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
                cnn_conv2d_params p = cnn_conv2d_params_default();
                p.groups = cases[i].groups;
                p.stride_h = p.stride_w = INT64_MAX; /* one output row and column */
                p.dilation_w = INT64_MAX / 2;        /* kernels one column wide */
                p.algo = algos[a];
                cnn_conv2d_desc d;
                CHECK_OK(cnn_conv2d_make_desc(NULL, &d, xs, cases[i].ws, 1, &p));
                if (!serves(d.algo, &d))
                    continue;
                tu_note("%s, case %zu, %s", families[f].what, i, cnn_conv2d_algo_string(d.algo));
                const int64_t ys[4] = {d.n, d.k, d.oh, d.ow};
                CHECK(d.oh == 1 && d.ow == 1);
                cnn_tensor *tx, *tw, *tb, *ty;
                CHECK(tu_conv_tensors(ctx, xs, x, cases[i].ws, w, b, ys, &tx, &tw, &tb, &ty) ==
                      0);
                CHECK_OK(cnn_conv2d(ctx, ty, tx, tw, tb, &p));
                float ref[2], *got = tu_read(ty);
                CHECK(got != NULL);
                cnn_ref_conv2d(&d, ref, x, w, b);
                CHECK_ARRAY(got, ref, 2, ys, 1e-6, 1e-6);
                ran++;
                tu_release();
            }
        }
        /* Two output columns 2^40 apart: the padded input reaches 2^31. */
        const int64_t xs1[4] = {1, 1, 4, 4}, ws1[4] = {1, 1, 1, 1};
        cnn_conv2d_params p = cnn_conv2d_params_default();
        p.stride_w = INT64_C(1) << 40;
        p.pad_right = INT64_C(1) << 40;
        const int64_t ys1[4] = {1, 1, 4, 2};
        int64_t got_ys[4];
        CHECK_OK(cnn_conv2d_output_shape(got_ys, xs1, ws1, &p));
        CHECK(memcmp(got_ys, ys1, sizeof ys1) == 0);
        for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
            p.algo = algos[a];
            cnn_conv2d_desc d;
            CHECK_OK(cnn_conv2d_make_desc(NULL, &d, xs1, ws1, 0, &p));
            if (!serves(d.algo, &d))
                continue;
            tu_note("%s, padded input of 2^40, %s", families[f].what,
                    cnn_conv2d_algo_string(d.algo));
            cnn_tensor *tx, *tw, *tb, *ty;
            CHECK(tu_conv_tensors(ctx, xs1, x, ws1, w, b, ys1, &tx, &tw, &tb, &ty) == 0);
            CHECK_STATUS(cnn_conv2d(ctx, ty, tx, tw, NULL, &p), CNN_ERROR_UNSUPPORTED);
            const char *msg = cnn_context_last_error(ctx);
            CHECK_MSG(strstr(msg, "padded input") && strstr(msg, "2^31"), "message \"%s\"\n",
                      msg);
            float *got = tu_read(ty);
            CHECK(got != NULL);
            for (int i = 0; i < 8; i++)
                CHECK(isnan(got[i]));
            tu_release();
        }
    }
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    tu_state()->ctx = ctx;
    printf("     %d runs with strides of INT64_MAX where they cannot matter; padded inputs "
           "of 2^31 refused\n", ran);
    return 0;
}

int main(void)
{
    read_limit_sets();
    static const tu_case cases[] = {
        {"the strict launch check stops launches over the limits", test_strict_check},
        {"every kernel variant under low work-group and local-memory limits", test_low_limits},
        {"a 1 MiB max allocation: tensors refused, workspaces split, fallen back or refused",
         test_max_alloc},
        {"2^31 elements or more refused at prepare", test_int_range},
        {"huge strides where they cannot matter; padded inputs of 2^31 refused",
         test_huge_steps},
    };
    return tu_main_opencl(cases, 5);
}
