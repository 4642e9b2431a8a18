/* libFuzzer target, differential: the public API (include/cnncl.h) on an OpenCL CPU device
 * (PoCL here) against the reference context ("ref"), on small conv2d and pool2d problems
 * decoded from the input bytes.
 *
 * Decoding (each byte read in turn; a short input reads zeros):
 *   byte 0  the operation: conv2d (3 in 4) or pool2d, and whether parameters may be "wild"
 *           (0, negative, huge: INT64_MAX, 2^62, ...), which checks validation, overflow
 *           checks and error reporting instead of arithmetic;
 *   then    the problem: conv2d n <= 2, C and K <= 8, H and W <= 12, R and S <= 5, strides,
 *           dilations and four paddings, groups, activation, flip, bias or not, the algorithm
 *           (AUTO, possibly with allowed_algos, or forced); pool2d max/avg, window <= 6,
 *           stride, padding, ceil_mode, count_include_pad, global; the kernel family (AUTO or
 *           GPU-shaped kernels forced on the CPU device); how it runs (one-shot, a plan, a
 *           plan run twice on new data); sometimes one tensor of a wrong shape;
 *   the rest  a hash of all bytes seeds the data: conv2d values in [-1, 1] (or small whole
 *           numbers), pool2d multiples of 1/64 in [-8, 8] (window sums are exact).
 * Problems above 200k multiply-adds or 20k outputs are skipped (valid but too slow here).
 *
 * Checks, abort() on a violation:
 *   - both contexts return the same status;
 *   - on success, every output agrees with the reference: conv2d within
 *     cnn_ref_conv2d_tolerance() for the algorithm the OpenCL plan chose (the tests' bound),
 *     max pooling exactly, average pooling within 1e-5 relative to max(|ref|, max|x|);
 *   - on a rejection: a documented error status (invalid argument or shape, overflow,
 *     unsupported, limit exceeded), a non-empty cnn_context_last_error() on both contexts, and
 *     the output tensor still all NaN (it was pre-filled with NaN: nothing half-written).
 *
 * The contexts are created once per process (cnn_context_create(&ctx, "cpu", ...) and "ref").
 * Without an OpenCL CPU device the target exits 77 (CTest: skipped). Links cnncl; uses the
 * library's internal headers (host/) for the reference's tolerance helpers.
 * CTest labels: fuzz;opencl */
#include "cnncl.h"
#include "cnn_internal.h"
#include "reference.h"

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MACS 200000
#define MAX_OUTPUTS 20000


static cnn_context *cl_ctx, *ref_ctx;
static cnn_kernel_family cl_family = CNN_KERNELS_AUTO;
static int verbose; /* CNNCL_FUZZ_VERBOSE=1: each problem and its outcome on stderr */

static void init_contexts(void)
{
    if (cl_ctx && ref_ctx)
        return;
    const char *v = getenv("CNNCL_FUZZ_VERBOSE");
    verbose = v && v[0] && v[0] != '0';
    char err[512];
    if (cnn_context_create(&cl_ctx, "cpu", err, sizeof err) != CNN_SUCCESS) {
        fprintf(stderr, "fuzz_conv_diff: no OpenCL CPU device (%s): skipped\n", err);
        exit(77);
    }
    if (cnn_context_create(&ref_ctx, "ref", err, sizeof err) != CNN_SUCCESS) {
        fprintf(stderr, "fuzz_conv_diff: no reference context: %s\n", err);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    init_contexts();
    /* PoCL's LLVM may have put its own SIGABRT handler in place; libFuzzer, which sets its
     * handlers after this function, only replaces the default one, and would otherwise never
     * see a violation's abort(). */
    (void)signal(SIGABRT, SIG_DFL);
    return 0;
}

/* ---- decoding --------------------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static unsigned next_byte(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

/* lo..hi (hi - lo < 256) */
static int64_t pick(reader *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_byte(r) % (unsigned)(hi - lo + 1));
}

static const int64_t wild_values[] = {
    0, -1, -2, 1, 2, 3, 13, 64, 1000, INT64_C(1) << 31, INT64_C(1) << 32, INT64_C(1) << 61,
    INT64_C(1) << 62, INT64_MAX / 2, INT64_MAX / 4 + 1, INT64_MAX - 1, INT64_MAX, INT64_MIN,
    INT64_MIN + 1, -(INT64_C(1) << 62)};
#define WILD_COUNT ((int)(sizeof wild_values / sizeof wild_values[0]))

/* usual, or when wild and the byte says so, one of the wild values. */
static int64_t maybe_wild(reader *r, int wild, int64_t usual)
{
    const unsigned b = next_byte(r);
    if (!wild || b < 200)
        return usual;
    return wild_values[b % WILD_COUNT];
}

/* A hash of all bytes, the seed of the data. */
static uint64_t hash_bytes(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) {
        h ^= data[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* count values: uniform in [-1, 1], or small whole numbers (exact sums) when whole. */
static void fill_conv(uint64_t *s, float *v, int64_t count, int whole)
{
    for (int64_t i = 0; i < count; i++) {
        const uint64_t x = rng_next(s);
        v[i] = whole ? (float)((int)(x >> 60) - 8)
                     : (float)((double)(x >> 40) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

/* Multiples of 1/64 in [-8, 8]. */
static void fill_pool(uint64_t *s, float *v, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        v[i] = (float)((int)(rng_next(s) >> 54) - 512) / 64.0f;
}

static int64_t count4(const int64_t s[4]) { return s[0] * s[1] * s[2] * s[3]; }

static float *floats(int64_t count)
{
    float *p = malloc(sizeof(float) * (size_t)(count > 0 ? count : 1));
    if (!p)
        abort();
    return p;
}

static float *nan_floats(int64_t count)
{
    float *p = floats(count);
    for (int64_t i = 0; i < count; i++)
        p[i] = NAN;
    return p;
}

/* ---- running ---------------------------------------------------------------------------- */

static void violation(const char *what, const char *problem)
{
    fprintf(stderr, "fuzz_conv_diff: %s\n  problem: %s\n", what, problem);
    fflush(stderr);
    /* Not abort() alone: should PoCL's LLVM install its signal handlers in front of
     * libFuzzer's later on, they put the previous handlers back and return, and abort() then
     * resets SIGABRT to the default, so that libFuzzer never saves the input. A second raise()
     * reaches libFuzzer's handler; without libFuzzer the first one ends the process. */
    raise(SIGABRT);
    raise(SIGABRT);
    abort();
}

static int documented_rejection(cnn_status s)
{
    return s == CNN_ERROR_INVALID_ARGUMENT || s == CNN_ERROR_INVALID_SHAPE ||
           s == CNN_ERROR_OVERFLOW || s == CNN_ERROR_UNSUPPORTED ||
           s == CNN_ERROR_LIMIT_EXCEEDED;
}

static cnn_tensor *tensor(cnn_context *ctx, const int64_t s[4], const float *values,
                          const char *problem)
{
    cnn_tensor *t = NULL;
    if (cnn_tensor_create(&t, ctx, s[0], s[1], s[2], s[3]) != CNN_SUCCESS ||
        cnn_tensor_write(t, values, count4(s)) != CNN_SUCCESS) {
        fprintf(stderr, "fuzz_conv_diff: %s\n", cnn_context_last_error(ctx));
        violation("a small tensor cannot be created or written", problem);
    }
    return t;
}

static void read_back(const cnn_tensor *t, float *dst, int64_t count, cnn_context *ctx,
                      const char *problem)
{
    if (cnn_tensor_read(t, dst, count) != CNN_SUCCESS) {
        fprintf(stderr, "fuzz_conv_diff: %s\n", cnn_context_last_error(ctx));
        violation("reading an output tensor fails", problem);
    }
}

typedef struct conv_case {
    int64_t xs[4], ws[4], bs[4], ys[4]; /* the tensors' shapes */
    int64_t plan_xs[4], plan_ws[4];     /* the plan's shapes (the tensors' unless wild) */
    int has_bias, plan_has_bias;
    cnn_conv2d_params p;
    int mode;                           /* 0 one-shot, 1 plan, 2 plan twice on new data */
    char text[512];
} conv_case;

typedef struct conv_data {
    float *x, *w, *b, *x2, *w2;
} conv_data;

typedef struct conv_result {
    cnn_status status;
    cnn_conv2d_algo algo;  /* the plan's (OpenCL context) */
    char error[512];
    float *y, *y2;         /* y2: the second execution (mode 2) */
    int second;
} conv_result;

static void run_conv(cnn_context *ctx, const conv_case *cc, const conv_data *cd,
                     conv_result *res)
{
    const int64_t yc = count4(cc->ys);
    float *nan = nan_floats(yc);
    cnn_tensor *tx = tensor(ctx, cc->xs, cd->x, cc->text);
    cnn_tensor *tw = tensor(ctx, cc->ws, cd->w, cc->text);
    cnn_tensor *tb = cc->has_bias ? tensor(ctx, cc->bs, cd->b, cc->text) : NULL;
    cnn_tensor *ty = tensor(ctx, cc->ys, nan, cc->text);
    res->algo = CNN_CONV2D_ALGO_AUTO;
    res->second = 0;
    res->y = floats(yc);
    res->y2 = NULL;
    cnn_status s;
    if (cc->mode == 0) {
        s = cnn_conv2d(ctx, ty, tx, tw, tb, &cc->p);
        if (s == CNN_SUCCESS) { /* which algorithm: a plan makes the same choice */
            cnn_conv2d_plan *plan = NULL;
            if (cnn_conv2d_plan_create(&plan, ctx, cc->xs, cc->ws, cc->has_bias, &cc->p) !=
                    CNN_SUCCESS ||
                cnn_conv2d_plan_info(plan, &res->algo, NULL) != CNN_SUCCESS)
                violation("a plan fails where the one-shot call succeeded", cc->text);
            cnn_conv2d_plan_destroy(plan);
        }
    } else {
        cnn_conv2d_plan *plan = NULL;
        s = cnn_conv2d_plan_create(&plan, ctx, cc->plan_xs, cc->plan_ws, cc->plan_has_bias,
                                   &cc->p);
        if (s == CNN_SUCCESS) {
            int64_t ys[4];
            if (cnn_conv2d_plan_info(plan, &res->algo, ys) != CNN_SUCCESS ||
                res->algo == CNN_CONV2D_ALGO_AUTO ||
                (cc->p.algo != CNN_CONV2D_ALGO_AUTO && res->algo != cc->p.algo) ||
                (cc->p.algo == CNN_CONV2D_ALGO_AUTO && cc->p.allowed_algos &&
                 !(cc->p.allowed_algos & (1u << res->algo))))
                violation("the plan's algorithm is not one it may choose", cc->text);
            int64_t want[4];
            if (cnn_conv2d_output_shape(want, cc->plan_xs, cc->plan_ws, &cc->p) != CNN_SUCCESS ||
                memcmp(want, ys, sizeof ys) != 0)
                violation("the plan's output shape is not cnn_conv2d_output_shape's", cc->text);
            s = cnn_conv2d_plan_execute(plan, ty, tx, tw, tb);
            if (s == CNN_SUCCESS && cc->mode == 2) {
                /* Again, on new input and weights written into the same tensors. */
                read_back(ty, res->y, yc, ctx, cc->text);
                if (cnn_tensor_write(tx, cd->x2, count4(cc->xs)) != CNN_SUCCESS ||
                    cnn_tensor_write(tw, cd->w2, count4(cc->ws)) != CNN_SUCCESS ||
                    cnn_tensor_write(ty, nan, yc) != CNN_SUCCESS)
                    violation("rewriting the tensors fails", cc->text);
                s = cnn_conv2d_plan_execute(plan, ty, tx, tw, tb);
                if (s != CNN_SUCCESS)
                    violation("a plan's second execution fails", cc->text);
                res->second = 1;
                res->y2 = floats(yc);
                read_back(ty, res->y2, yc, ctx, cc->text);
            }
        }
        cnn_conv2d_plan_destroy(plan);
    }
    res->status = s;
    snprintf(res->error, sizeof res->error, "%s",
             s == CNN_SUCCESS ? "" : cnn_context_last_error(ctx));
    if (!res->second)
        read_back(ty, res->y, yc, ctx, cc->text);
    cnn_tensor_destroy(tx);
    cnn_tensor_destroy(tw);
    cnn_tensor_destroy(tb);
    cnn_tensor_destroy(ty);
    free(nan);
}

static void compare_conv(const conv_case *cc, const cnn_conv2d_desc *d, cnn_conv2d_algo algo,
                         const float *x, const float *w, const float *b, const float *got,
                         const float *want)
{
    cnn_conv2d_desc da = *d;
    da.algo = algo;
    const double x_max = cnn_ref_max_abs(x, d->n * d->c * d->h * d->w);
    int64_t i = 0, bad = 0;
    for (int64_t n = 0; n < d->n; n++)
        for (int64_t k = 0; k < d->k; k++)
            for (int64_t oy = 0; oy < d->oh; oy++)
                for (int64_t ox = 0; ox < d->ow; ox++, i++) {
                    double abs_sum = 0.0;
                    (void)cnn_ref_conv2d_point(d, x, w, d->has_bias ? b : NULL, n, k, oy, ox,
                                               &abs_sum);
                    const double tol = cnn_ref_conv2d_tolerance(&da, w, k, abs_sum, x_max);
                    const double diff = fabs((double)got[i] - (double)want[i]);
                    if (!(diff <= tol) && bad++ < 8)
                        fprintf(stderr,
                                "  [n%lld k%lld y%lld x%lld] opencl %.9g ref %.9g (tol %.3g)\n",
                                (long long)n, (long long)k, (long long)oy, (long long)ox,
                                got[i], want[i], tol);
                }
    if (bad) {
        fprintf(stderr, "fuzz_conv_diff: %lld of %lld outputs differ (algorithm %s)\n",
                (long long)bad, (long long)i, cnn_conv2d_algo_string(algo));
        violation("conv2d on OpenCL differs from the reference", cc->text);
    }
}

static void check_rejection(const conv_result *a, const conv_result *b, int64_t yc,
                            const char *text)
{
    if (!documented_rejection(a->status))
        violation("a rejection with an undocumented status", text);
    if (!a->error[0] || !b->error[0])
        violation("a rejection without a last error", text);
    for (int64_t i = 0; i < yc; i++)
        if (!isnan(a->y[i]) || !isnan(b->y[i]))
            violation("a rejected call wrote to its output", text);
}

/* Rejections that only an OpenCL device makes, by its limits:
 *   - LIMIT_EXCEEDED (local memory, max allocation, workspace) for a forced algorithm; AUTO
 *     falls back to direct instead, when direct is allowed;
 *   - UNSUPPORTED for tensors of 2^31 - 4096 elements or more (kernels index with 32-bit ints,
 *     host/cl_backend.c): the problem's own tensors (a plan's shapes can be that large while
 *     its output stays small), or, for a forced algorithm, a workspace (a padded input copy
 *     that a huge stride spreads out);
 *   - UNSUPPORTED for a padded input that reaches 2^31 along an axis (huge padding, or the
 *     huge stride of an axis with two outputs or more: host/cl_conv2d.c), whatever the
 *     algorithm.
 * Self-check failures are UNSUPPORTED too, with another message: those stay violations. */
static int device_limit(const conv_case *cc, cnn_status s, const char *message)
{
    const cnn_conv2d_params *p = &cc->p;
    const int forced = p->algo != CNN_CONV2D_ALGO_AUTO ||
                       (p->allowed_algos && !(p->allowed_algos & (1u << CNN_CONV2D_ALGO_DIRECT)));
    if (s == CNN_ERROR_LIMIT_EXCEEDED)
        return forced;
    if (s == CNN_ERROR_UNSUPPORTED && strstr(message, "the padded input (") &&
        strstr(message, "kernels index with 32-bit ints"))
        return 1;
    if (s != CNN_ERROR_UNSUPPORTED || !strstr(message, "2^31 elements"))
        return 0;
    if (forced)
        return 1;
    const int64_t *xs = cc->mode ? cc->plan_xs : cc->xs, *ws = cc->mode ? cc->plan_ws : cc->ws;
    const double limit = 2147483648.0 - 4096.0;
    const double xc = (double)xs[0] * (double)xs[1] * (double)xs[2] * (double)xs[3];
    const double wc = (double)ws[0] * (double)ws[1] * (double)ws[2] * (double)ws[3];
    int64_t ys[4];
    double yc = 0.0;
    if (cnn_conv2d_output_shape(ys, xs, ws, p) == CNN_SUCCESS)
        yc = (double)ys[0] * (double)ys[1] * (double)ys[2] * (double)ys[3];
    return xc >= limit || wc >= limit || yc >= limit;
}

static void describe_conv(conv_case *cc)
{
    const cnn_conv2d_params *p = &cc->p;
    snprintf(cc->text, sizeof cc->text,
             "conv2d x %lldx%lldx%lldx%lld w %lldx%lldx%lldx%lld%s y %lldx%lldx%lldx%lld "
             "stride %lldx%lld dil %lldx%lld pad t%lld b%lld l%lld r%lld g%lld act %d flip %d "
             "algo %d allowed 0x%x mode %d family %s plan x %lldx%lldx%lldx%lld "
             "w %lldx%lldx%lldx%lld bias %d",
             (long long)cc->xs[0], (long long)cc->xs[1], (long long)cc->xs[2],
             (long long)cc->xs[3], (long long)cc->ws[0], (long long)cc->ws[1],
             (long long)cc->ws[2], (long long)cc->ws[3], cc->has_bias ? " +bias" : "",
             (long long)cc->ys[0], (long long)cc->ys[1], (long long)cc->ys[2],
             (long long)cc->ys[3], (long long)p->stride_h, (long long)p->stride_w,
             (long long)p->dilation_h, (long long)p->dilation_w, (long long)p->pad_top,
             (long long)p->pad_bottom, (long long)p->pad_left, (long long)p->pad_right,
             (long long)p->groups, (int)p->activation, p->flip, (int)p->algo, p->allowed_algos,
             cc->mode, cl_family == CNN_KERNELS_GPU ? "gpu" : "auto",
             (long long)cc->plan_xs[0], (long long)cc->plan_xs[1], (long long)cc->plan_xs[2],
             (long long)cc->plan_xs[3], (long long)cc->plan_ws[0], (long long)cc->plan_ws[1],
             (long long)cc->plan_ws[2], (long long)cc->plan_ws[3], cc->plan_has_bias);
}

/* A tensor shape of 1..4 a side from the bytes (for outputs whose right shape is invalid). */
static void small_shape(reader *r, int64_t s[4])
{
    for (int i = 0; i < 4; i++)
        s[i] = pick(r, 1, 4);
}

/* MACs of a valid problem, saturated; also the output count. */
/* per_output: the work of one output (a window may be as large as INT64_MAX cells, so the
 * caller's product is a double). */
static int too_big(const int64_t ys[4], double per_output)
{
    const double outs = (double)ys[0] * (double)ys[1] * (double)ys[2] * (double)ys[3];
    return outs > MAX_OUTPUTS || outs * per_output > MAX_MACS;
}

static int fuzz_conv(reader *r, int wild, uint64_t seed)
{
    conv_case cc;
    memset(&cc, 0, sizeof cc);
    cnn_conv2d_params *p = &cc.p;
    *p = cnn_conv2d_params_default();
    const int64_t n = pick(r, 1, 2);
    const int64_t g = pick(r, 1, 4);
    const int64_t cg = pick(r, 1, 8 / g), kg = pick(r, 1, 8 / g);
    const int64_t kr = pick(r, 1, 5), ks = pick(r, 1, 5);
    const int64_t h = pick(r, 1, 12), w = pick(r, 1, 12);
    const unsigned shape_bits = next_byte(r);
    p->stride_h = maybe_wild(r, wild, shape_bits & 1 ? pick(r, 2, 4) : 1);
    p->stride_w = maybe_wild(r, wild, shape_bits & 2 ? pick(r, 2, 4) : p->stride_h);
    p->dilation_h = maybe_wild(r, wild, shape_bits & 4 ? pick(r, 2, 3) : 1);
    p->dilation_w = maybe_wild(r, wild, shape_bits & 8 ? pick(r, 2, 3) : 1);
    const int64_t pad_h = shape_bits & 16 ? pick(r, 0, kr) : 0;
    const int64_t pad_w = shape_bits & 32 ? pick(r, 0, ks) : 0;
    p->pad_top = maybe_wild(r, wild, pad_h);
    p->pad_bottom = maybe_wild(r, wild, shape_bits & 64 ? pick(r, 0, kr + 1) : pad_h);
    p->pad_left = maybe_wild(r, wild, pad_w);
    p->pad_right = maybe_wild(r, wild, shape_bits & 128 ? pick(r, 0, ks + 1) : pad_w);
    p->groups = maybe_wild(r, wild, g);
    const unsigned flags = next_byte(r);
    p->activation = (cnn_activation)maybe_wild(r, wild, flags & 1);
    p->flip = (flags >> 1) & 1;
    cc.has_bias = (flags >> 2) & 1;
    const unsigned algo_byte = next_byte(r);
    const int64_t algo = algo_byte % 8 < 6 ? algo_byte % 8 : 0; /* AUTO more often */
    p->algo = (cnn_conv2d_algo)maybe_wild(r, wild, algo);
    if (p->algo == CNN_CONV2D_ALGO_AUTO && (algo_byte & 0x30) == 0x30)
        p->allowed_algos = (unsigned)next_byte(r) & (wild ? 0xffu : 0x3eu);
    cc.mode = (int)((flags >> 3) % 3);
    const cnn_kernel_family family = (flags >> 5) & 1 ? CNN_KERNELS_GPU : CNN_KERNELS_AUTO;

    cc.xs[0] = n; cc.xs[1] = cg * g; cc.xs[2] = h; cc.xs[3] = w;
    cc.ws[0] = kg * g; cc.ws[1] = cg; cc.ws[2] = kr; cc.ws[3] = ks;
    cc.bs[0] = 1; cc.bs[1] = kg * g; cc.bs[2] = 1; cc.bs[3] = 1;
    for (int i = 0; i < 4; i++) {
        cc.plan_xs[i] = maybe_wild(r, wild, cc.xs[i]);
        cc.plan_ws[i] = maybe_wild(r, wild, cc.ws[i]);
    }
    cc.plan_has_bias = cc.has_bias;
    /* The output's shape; a wrong one (or a wrong input, weight or bias) now and then. */
    /* The problem that decides the output's shape: the plan's, or the tensors' (one-shot). */
    cnn_conv2d_desc d;
    const cnn_status valid =
        cc.mode ? cnn_conv2d_make_desc(NULL, &d, cc.plan_xs, cc.plan_ws, cc.plan_has_bias, p)
                : cnn_conv2d_make_desc(NULL, &d, cc.xs, cc.ws, cc.has_bias, p);
    if (valid == CNN_SUCCESS) {
        cc.ys[0] = d.n; cc.ys[1] = d.k; cc.ys[2] = d.oh; cc.ys[3] = d.ow;
        if (too_big(cc.ys, (double)(d.c / d.groups) * (double)d.r * (double)d.s))
            return 0; /* valid, but too large for a fuzz iteration: nothing to learn */
    } else {
        small_shape(r, cc.ys);
    }
    const unsigned wrong = next_byte(r);
    if (wrong >= 240) {
        int64_t *shape = (wrong & 3) == 0 ? cc.xs : (wrong & 3) == 1 ? cc.ws
                       : (wrong & 3) == 2 ? cc.ys : cc.bs;
        shape[(wrong >> 2) & 3] += 1;
    } else if (wrong >= 236) {
        cc.plan_has_bias = !cc.has_bias; /* a bias given to a plan made without, or none */
    }
    if (count4(cc.xs) > MAX_OUTPUTS || count4(cc.ys) > MAX_OUTPUTS)
        return 0;
    const int whole = (flags >> 6) & 1;

    if (family != cl_family) {
        if (cnn_context_set_kernel_family(cl_ctx, family) != CNN_SUCCESS)
            violation("cnn_context_set_kernel_family fails", "(none)");
        cl_family = family;
    }
    describe_conv(&cc);

    conv_data cd;
    const int64_t xc = count4(cc.xs), wc = count4(cc.ws), bc = count4(cc.bs);
    cd.x = floats(xc);
    cd.w = floats(wc);
    cd.b = floats(bc);
    cd.x2 = floats(xc);
    cd.w2 = floats(wc);
    fill_conv(&seed, cd.x, xc, whole);
    fill_conv(&seed, cd.w, wc, whole);
    fill_conv(&seed, cd.b, bc, whole);
    fill_conv(&seed, cd.x2, xc, whole);
    fill_conv(&seed, cd.w2, wc, whole);

    if (verbose)
        fprintf(stderr, "%s\n", cc.text);
    conv_result rc, rr;
    run_conv(cl_ctx, &cc, &cd, &rc);
    run_conv(ref_ctx, &cc, &cd, &rr);
    if (verbose)
        fprintf(stderr, "  -> %s%s%s\n", cnn_status_string(rc.status),
                rc.status == CNN_SUCCESS ? " with " : ": ",
                rc.status == CNN_SUCCESS ? cnn_conv2d_algo_string(rc.algo) : rc.error);
    if (rc.status != rr.status && device_limit(&cc, rc.status, rc.error)) {
        /* The OpenCL device cannot run it; the reference's result is not compared. */
        check_rejection(&rc, &rc, count4(cc.ys), cc.text);
        rr.status = rc.status;
        memcpy(rr.error, rc.error, sizeof rr.error);
        for (int64_t i = 0; i < count4(cc.ys); i++)
            rr.y[i] = NAN;
        rr.second = 0;
    }
    if (rc.status != rr.status) {
        fprintf(stderr, "fuzz_conv_diff: opencl %s (%s), ref %s (%s)\n",
                cnn_status_string(rc.status), rc.error, cnn_status_string(rr.status), rr.error);
        violation("the OpenCL and reference contexts return different statuses", cc.text);
    }
    if (rc.status == CNN_SUCCESS) {
        /* The tensors' problem (the plan's, when it ran, is the same). */
        if (cnn_conv2d_make_desc(NULL, &d, cc.xs, cc.ws, cc.has_bias, p) != CNN_SUCCESS)
            violation("an invalid problem ran", cc.text);
        compare_conv(&cc, &d, rc.algo, cd.x, cd.w, cd.b, rc.y, rr.y);
        if (rc.second != rr.second)
            violation("one context ran the plan twice, the other once", cc.text);
        if (rc.second)
            compare_conv(&cc, &d, rc.algo, cd.x2, cd.w2, cd.b, rc.y2, rr.y2);
    } else {
        check_rejection(&rc, &rr, count4(cc.ys), cc.text);
    }
    free(rc.y); free(rc.y2); free(rr.y); free(rr.y2);
    free(cd.x); free(cd.w); free(cd.b); free(cd.x2); free(cd.w2);
    return 0;
}

/* ---- pooling ---------------------------------------------------------------------------- */

typedef struct pool_result {
    cnn_status status;
    char error[512];
    float *y;
} pool_result;

static void run_pool(cnn_context *ctx, const int64_t xs[4], const int64_t plan_xs[4],
                     const int64_t ys[4], const cnn_pool2d_params *p, int mode, const float *x,
                     const char *text, pool_result *res)
{
    const int64_t yc = count4(ys);
    float *nan = nan_floats(yc);
    cnn_tensor *tx = tensor(ctx, xs, x, text);
    cnn_tensor *ty = tensor(ctx, ys, nan, text);
    cnn_status s;
    if (mode == 0) {
        s = cnn_pool2d(ctx, ty, tx, p);
    } else {
        cnn_pool2d_plan *plan = NULL;
        s = cnn_pool2d_plan_create(&plan, ctx, plan_xs, p);
        if (s == CNN_SUCCESS)
            s = cnn_pool2d_plan_execute(plan, ty, tx);
        cnn_pool2d_plan_destroy(plan);
    }
    res->status = s;
    snprintf(res->error, sizeof res->error, "%s",
             s == CNN_SUCCESS ? "" : cnn_context_last_error(ctx));
    res->y = floats(yc);
    read_back(ty, res->y, yc, ctx, text);
    cnn_tensor_destroy(tx);
    cnn_tensor_destroy(ty);
    free(nan);
}

static int fuzz_pool(reader *r, int wild, uint64_t seed)
{
    cnn_pool2d_params p = cnn_pool2d_params_default();
    int64_t xs[4], plan_xs[4], ys[4];
    xs[0] = pick(r, 1, 2);
    xs[1] = pick(r, 1, 8);
    xs[2] = pick(r, 1, 12);
    xs[3] = pick(r, 1, 12);
    const unsigned flags = next_byte(r);
    p.mode = (cnn_pool_mode)maybe_wild(r, wild, flags & 1);
    p.kernel_h = maybe_wild(r, wild, pick(r, 1, 6));
    p.kernel_w = maybe_wild(r, wild, flags & 2 ? pick(r, 1, 6) : p.kernel_h);
    p.stride_h = maybe_wild(r, wild, pick(r, 1, 4));
    p.stride_w = maybe_wild(r, wild, flags & 4 ? pick(r, 1, 4) : p.stride_h);
    /* 0..k/2, and one more now and then (invalid: more than half the window). */
    const int64_t kh = p.kernel_h > 0 && p.kernel_h < 64 ? p.kernel_h : 2;
    const int64_t kw = p.kernel_w > 0 && p.kernel_w < 64 ? p.kernel_w : 2;
    p.pad_h = maybe_wild(r, wild, flags & 8 ? pick(r, 0, kh / 2 + (flags & 128 ? 1 : 0)) : 0);
    p.pad_w = maybe_wild(r, wild, flags & 16 ? pick(r, 0, kw / 2) : 0);
    p.ceil_mode = (flags >> 5) & 1;
    p.count_include_pad = (flags >> 6) & 1;
    const unsigned more = next_byte(r);
    p.global = (more & 7) == 7;
    const int mode = (more >> 3) & 1;
    const cnn_kernel_family family = (more >> 4) & 1 ? CNN_KERNELS_GPU : CNN_KERNELS_AUTO;
    for (int i = 0; i < 4; i++)
        plan_xs[i] = maybe_wild(r, wild, xs[i]);
    cnn_pool2d_desc d;
    const cnn_status valid = cnn_pool2d_make_desc(NULL, &d, mode ? plan_xs : xs, &p);
    if (valid == CNN_SUCCESS) {
        ys[0] = d.n; ys[1] = d.c; ys[2] = d.oh; ys[3] = d.ow;
        if (too_big(ys, (double)d.kernel_h * (double)d.kernel_w))
            return 0;
    } else {
        small_shape(r, ys);
    }
    const unsigned wrong = next_byte(r);
    if (wrong >= 240)
        ((wrong & 1) ? xs : ys)[(wrong >> 1) & 3] += 1;
    if (count4(ys) > MAX_OUTPUTS)
        return 0;
    if (family != cl_family) {
        if (cnn_context_set_kernel_family(cl_ctx, family) != CNN_SUCCESS)
            violation("cnn_context_set_kernel_family fails", "(none)");
        cl_family = family;
    }
    char text[512];
    snprintf(text, sizeof text,
             "pool2d x %lldx%lldx%lldx%lld y %lldx%lldx%lldx%lld mode %d k %lldx%lld "
             "s %lldx%lld p %lldx%lld ceil %d cip %d global %d via %s family %s plan x "
             "%lldx%lldx%lldx%lld",
             (long long)xs[0], (long long)xs[1], (long long)xs[2], (long long)xs[3],
             (long long)ys[0], (long long)ys[1], (long long)ys[2], (long long)ys[3],
             (int)p.mode, (long long)p.kernel_h, (long long)p.kernel_w, (long long)p.stride_h,
             (long long)p.stride_w, (long long)p.pad_h, (long long)p.pad_w, p.ceil_mode,
             p.count_include_pad, p.global, mode ? "plan" : "one-shot",
             cl_family == CNN_KERNELS_GPU ? "gpu" : "auto", (long long)plan_xs[0],
             (long long)plan_xs[1], (long long)plan_xs[2], (long long)plan_xs[3]);

    const int64_t xc = count4(xs), yc = count4(ys);
    float *x = floats(xc);
    fill_pool(&seed, x, xc);
    if (verbose)
        fprintf(stderr, "%s\n", text);
    pool_result rc, rr;
    run_pool(cl_ctx, xs, plan_xs, ys, &p, mode, x, text, &rc);
    run_pool(ref_ctx, xs, plan_xs, ys, &p, mode, x, text, &rr);
    if (verbose)
        fprintf(stderr, "  -> %s%s%s\n", cnn_status_string(rc.status),
                rc.status == CNN_SUCCESS ? "" : ": ",
                rc.status == CNN_SUCCESS ? "" : rc.error);
    /* OpenCL devices refuse tensors of 2^31 - 4096 elements or more (32-bit indices,
     * host/cl_backend.c), UNSUPPORTED at plan time: a device limit, not a disagreement. A
     * plan's input can be that large while its output is small (a huge stride). */
    const double plan_count = (double)plan_xs[0] * (double)plan_xs[1] * (double)plan_xs[2] *
                              (double)plan_xs[3];
    if (rc.status != rr.status && mode == 1 && rc.status == CNN_ERROR_UNSUPPORTED &&
        plan_count >= 2147483648.0 - 4096.0) {
        if (!rc.error[0])
            violation("a rejection without a last error", text);
        for (int64_t i = 0; i < yc; i++)
            if (!isnan(rc.y[i]))
                violation("a rejected call wrote to its output", text);
        rr.status = rc.status; /* the reference's result is not compared */
        memcpy(rr.error, rc.error, sizeof rr.error);
        for (int64_t i = 0; i < yc; i++)
            rr.y[i] = NAN;
    }
    if (rc.status != rr.status) {
        fprintf(stderr, "fuzz_conv_diff: opencl %s (%s), ref %s (%s)\n",
                cnn_status_string(rc.status), rc.error, cnn_status_string(rr.status), rr.error);
        violation("the OpenCL and reference contexts return different statuses", text);
    }
    if (rc.status == CNN_SUCCESS) {
        const double x_max = cnn_ref_max_abs(x, xc);
        int64_t bad = 0;
        for (int64_t i = 0; i < yc; i++) {
            const double got = rc.y[i], want = rr.y[i];
            const double tol = p.mode == CNN_POOL_MAX ? 0.0 : 1e-5 * fmax(fabs(want), x_max);
            if (!(fabs(got - want) <= tol) && bad++ < 8)
                fprintf(stderr, "  [%lld] opencl %.9g ref %.9g (tol %.3g)\n", (long long)i, got,
                        want, tol);
        }
        if (bad)
            violation("pool2d on OpenCL differs from the reference", text);
    } else {
        if (!documented_rejection(rc.status))
            violation("a rejection with an undocumented status", text);
        if (!rc.error[0] || !rr.error[0])
            violation("a rejection without a last error", text);
        for (int64_t i = 0; i < yc; i++)
            if (!isnan(rc.y[i]) || !isnan(rr.y[i]))
                violation("a rejected call wrote to its output", text);
    }
    free(rc.y);
    free(rr.y);
    free(x);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    init_contexts();
    reader r = {data, size};
    const uint64_t seed = hash_bytes(data, size);
    const unsigned op = next_byte(&r);
    const int wild = (op & 0x1c) == 0x1c; /* one input in eight */
    if ((op & 3) == 3)
        return fuzz_pool(&r, wild, seed);
    return fuzz_conv(&r, wild, seed);
}
