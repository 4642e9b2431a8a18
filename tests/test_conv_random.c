/* Randomized conv2d on every OpenCL device against the reference (cnn_ref_conv2d), through the
 * public API. Labels: opencl, random. Exit 77 (skipped) when there is no OpenCL device.
 *
 * 13 problem classes cycle so that each appears about 24 times in 312 problems: 1x1, kernel
 * equal to the input, stride larger than the kernel, padding of at least half the kernel,
 * dilation, groups, depthwise, asymmetric padding, odd sizes, batch > 1, channel counts that
 * are not multiples of 4/8/16, channel counts that are, and a free mix. Flip, bias, ReLU and
 * the algorithm (AUTO, or forced: DIRECT, IGEMM, GEMM1X1 for 1x1 kernels, DEPTHWISE for one
 * input channel per group) are drawn for every problem.
 *
 * Each problem runs one of three ways: one-shot cnn_conv2d; a plan executed twice with new
 * data written into the same tensors (catches stale per-plan state such as weights repacked
 * once); a plan executed on two different sets of tensors.
 *
 * Tolerance per element: |y - ref| <= 1e-5 * sum|x*w| (+|bias|) + 1e-6, the scale coming
 * from cnn_ref_conv2d_point; for Winograd also + 2e-5 * max|x| * sum|w_k| (its transforms mix
 * whole 6x6 patches: cnn_ref_conv2d_tolerance). Outputs are pre-filled with NaN: an unwritten
 * element fails. One-shot outputs lie in a buffer of the test's own with a guard of sentinel
 * floats past their end: a write past the output (the last image's last channels) fails too.
 *
 * Usage: test_conv_random [count [max_macs [size_range [channel_scale]]]]
 *   count          problems per device (default 312)
 *   max_macs       largest problem in multiply-adds (default 150000)
 *   size_range     input height/width drawn up to this much above the smallest (default 14)
 *   channel_scale  multiplies the channel counts' upper bounds (default 1); CTest's "wide"
 *                  run uses 8, so that register tiles of several channel vectors, several
 *                  channel blocks and partial blocks are all exercised
 * CNNCL_TEST_SEED changes the problems; larger values are for soak runs, not for CTest. */
#include "test_util.h"

#include "cnn_internal.h"
#include "cnncl_opencl.h"
#include "reference.h"

static int64_t max_macs = 150000; /* per problem: keeps the whole run to seconds on PoCL */
static int64_t size_range = 14;
static int64_t channel_scale = 1; /* multiplies the channel counts' upper bounds */

typedef struct conv_problem {
    int64_t xs[4], ws[4];
    cnn_conv2d_params p;
    int has_bias;
} conv_problem;

static const char *const class_names[] = {
    "1x1", "kernel = input", "stride > kernel", "pad >= kernel/2", "dilation", "groups",
    "depthwise", "asymmetric pads", "odd sizes", "batch > 1", "odd channels",
    "channels multiple of 16", "mix",
};
#define NUM_CLASSES ((int)(sizeof class_names / sizeof class_names[0]))

static int64_t pick(tu_rng *r, const int64_t *values, int count)
{
    return values[tu_range(r, 0, count - 1)];
}

/* Draw one problem of class cls. Returns 0 if it is too large or invalid (draw again). */
static int draw_problem(tu_rng *r, int cls, conv_problem *pr)
{
    static const int64_t odd[] = {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 23};
    static const int64_t odd_sizes[] = {1, 3, 5, 7, 9, 11, 13, 17, 19};
    static const int64_t mult16[] = {16, 32};
    cnn_conv2d_params *p = &pr->p;
    *p = cnn_conv2d_params_default();

    int64_t n = tu_chance(r, 75) ? 1 : tu_range(r, 2, 3);
    int64_t g = 1;
    int64_t cg = tu_range(r, 1, 9 * channel_scale), kg = tu_range(r, 1, 9 * channel_scale);
    int64_t kr = tu_range(r, 1, 5), ks = tu_range(r, 1, 5);
    p->stride_h = tu_chance(r, 70) ? 1 : tu_range(r, 2, 3);
    p->stride_w = tu_chance(r, 70) ? p->stride_h : tu_range(r, 1, 3);
    p->dilation_h = p->dilation_w = 1;
    int64_t pad_h = tu_range(r, 0, kr / 2), pad_w = tu_range(r, 0, ks / 2);
    p->pad_top = p->pad_bottom = pad_h;
    p->pad_left = p->pad_right = pad_w;
    int64_t h = -1, w = -1; /* -1: drawn from the kernel extent below */

    switch (cls) {
    case 0: /* 1x1 */
        kr = ks = 1;
        p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = 0;
        cg = tu_range(r, 1, 24 * channel_scale);
        kg = tu_range(r, 1, 24 * channel_scale);
        break;
    case 1: /* kernel as large as the (unpadded) input */
        kr = tu_range(r, 1, 7);
        ks = tu_range(r, 1, 7);
        p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = 0;
        h = kr;
        w = ks;
        break;
    case 2: /* stride larger than the kernel */
        kr = tu_range(r, 1, 3);
        ks = tu_range(r, 1, 3);
        p->stride_h = kr + tu_range(r, 1, 3);
        p->stride_w = ks + tu_range(r, 1, 3);
        p->pad_top = p->pad_bottom = tu_range(r, 0, kr / 2);
        p->pad_left = p->pad_right = tu_range(r, 0, ks / 2);
        break;
    case 3: /* padding of at least half the kernel, sometimes more than the kernel */
        p->pad_top = tu_range(r, kr / 2, kr + 1);
        p->pad_bottom = tu_range(r, kr / 2, kr + 1);
        p->pad_left = tu_range(r, ks / 2, ks + 1);
        p->pad_right = tu_range(r, ks / 2, ks + 1);
        break;
    case 4: /* dilation */
        kr = tu_range(r, 2, 3);
        ks = tu_range(r, 1, 3);
        p->dilation_h = tu_range(r, 2, 3);
        p->dilation_w = tu_range(r, 1, 3);
        p->pad_top = p->pad_bottom = tu_range(r, 0, p->dilation_h);
        p->pad_left = p->pad_right = tu_range(r, 0, p->dilation_w);
        break;
    case 5: /* groups */
        g = tu_range(r, 2, 4);
        cg = tu_range(r, 1, 5 * channel_scale);
        kg = tu_range(r, 1, 5 * channel_scale);
        break;
    case 6: /* depthwise: groups = C = K, sometimes a channel multiplier of 2 */
        g = tu_range(r, 1, 20);
        cg = 1;
        kg = tu_chance(r, 70) ? 1 : 2;
        kr = ks = pick(r, (const int64_t[]){3, 3, 5, 1, 7}, 5);
        p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = tu_range(r, 0, kr / 2);
        break;
    case 7: /* asymmetric padding */
        p->pad_top = tu_range(r, 0, kr);
        p->pad_bottom = tu_range(r, 0, kr);
        p->pad_left = tu_range(r, 0, ks);
        p->pad_right = tu_range(r, 0, ks);
        break;
    case 8: /* odd sizes everywhere */
        h = pick(r, odd_sizes, 9);
        w = pick(r, odd_sizes, 9);
        kr = pick(r, (const int64_t[]){1, 3, 5}, 3);
        ks = pick(r, (const int64_t[]){1, 3, 5}, 3);
        cg = pick(r, odd, 7);
        kg = pick(r, odd, 7);
        break;
    case 9: /* batch */
        n = tu_range(r, 2, 4);
        break;
    case 10: /* channel counts that are not multiples of 4, 8 or 16 */
        cg = pick(r, odd, 11);
        kg = pick(r, (const int64_t[]){3, 5, 6, 7, 10, 12, 14, 17, 18, 33}, 10);
        break;
    case 11: /* channel counts that are (the vectorized paths) */
        cg = pick(r, mult16, 2);
        kg = pick(r, mult16, 2);
        kr = ks = pick(r, (const int64_t[]){1, 3}, 2);
        p->pad_top = p->pad_bottom = p->pad_left = p->pad_right = kr / 2;
        break;
    default: /* a free mix */
        g = tu_chance(r, 30) ? tu_range(r, 2, 3) : 1;
        kr = tu_range(r, 1, 6);
        ks = tu_range(r, 1, 6);
        p->dilation_h = tu_chance(r, 25) ? 2 : 1;
        p->dilation_w = tu_chance(r, 25) ? 2 : 1;
        p->stride_h = tu_range(r, 1, 4);
        p->stride_w = tu_range(r, 1, 4);
        p->pad_top = tu_range(r, 0, kr);
        p->pad_bottom = tu_range(r, 0, kr);
        p->pad_left = tu_range(r, 0, ks);
        p->pad_right = tu_range(r, 0, ks);
        n = tu_range(r, 1, 3);
        break;
    }

    /* Input size: at least the dilated kernel minus the padding, up to size_range more. */
    int64_t ext_h = p->dilation_h * (kr - 1) + 1, ext_w = p->dilation_w * (ks - 1) + 1;
    int64_t min_h = ext_h - p->pad_top - p->pad_bottom, min_w = ext_w - p->pad_left - p->pad_right;
    if (min_h < 1) {
        min_h = 1;
    }
    if (min_w < 1) {
        min_w = 1;
    }
    if (h < 0) {
        h = tu_range(r, min_h, min_h + size_range);
    }
    if (w < 0) {
        w = tu_range(r, min_w, min_w + size_range);
    }
    if (h < min_h || w < min_w) {
        return 0;
    }

    p->groups = g;
    p->flip = tu_chance(r, 50);
    p->activation = tu_chance(r, 50) ? CNN_ACTIVATION_RELU : CNN_ACTIVATION_NONE;
    /* Every algorithm, forced through the API, on every class; gemm1x1 only serves 1x1. */
    switch (tu_range(r, 0, 3)) {
    case 0: p->algo = CNN_CONV2D_ALGO_AUTO; break;
    case 1: p->algo = CNN_CONV2D_ALGO_DIRECT; break;
    case 2: p->algo = CNN_CONV2D_ALGO_IGEMM; break;
    default:
        p->algo = kr == 1 && ks == 1 ? CNN_CONV2D_ALGO_GEMM1X1 : CNN_CONV2D_ALGO_IGEMM;
        break;
    }
    if (cg == 1 && g > 1 && tu_chance(r, 50)) /* one input channel per group */
        p->algo = CNN_CONV2D_ALGO_DEPTHWISE;
    /* Winograd on half of the forced implicit GEMMs that it serves (3x3, stride 1). */
    if (p->algo == CNN_CONV2D_ALGO_IGEMM && kr == 3 && ks == 3 && p->stride_h == 1 &&
        p->stride_w == 1 && p->dilation_h == 1 && p->dilation_w == 1 && tu_chance(r, 50))
        p->algo = CNN_CONV2D_ALGO_WINOGRAD;
    /* AUTO restricted to a set that always serves: the plan must choose inside it. */
    if (p->algo == CNN_CONV2D_ALGO_AUTO && tu_chance(r, 50))
        p->allowed_algos = (1u << CNN_CONV2D_ALGO_DIRECT) |
                           (tu_chance(r, 50) ? 1u << CNN_CONV2D_ALGO_IGEMM : 0u);
    pr->has_bias = tu_chance(r, 50);
    pr->xs[0] = n;
    pr->xs[1] = cg * g;
    pr->xs[2] = h;
    pr->xs[3] = w;
    pr->ws[0] = kg * g;
    pr->ws[1] = cg;
    pr->ws[2] = kr;
    pr->ws[3] = ks;

    int64_t ys[4];
    if (cnn_conv2d_output_shape(ys, pr->xs, pr->ws, p) != CNN_SUCCESS) {
        return 0;
    }
    int64_t macs = ys[0] * ys[1] * ys[2] * ys[3] * cg * kr * ks;
    return macs <= max_macs;
}

/* Compare a device result of algo with the reference, element by element. */
static int check_result(const cnn_conv2d_desc *d, cnn_conv2d_algo algo, const float *got,
                        const float *want, const float *x, const float *w, const float *b)
{
    int64_t idx = 0, bad = 0;
    const double x_max = cnn_ref_max_abs(x, d->n * d->c * d->h * d->w);
    cnn_conv2d_desc da = *d;
    da.algo = algo;
    for (int64_t n = 0; n < d->n; n++) {
        for (int64_t k = 0; k < d->k; k++) {
            for (int64_t oy = 0; oy < d->oh; oy++) {
                for (int64_t ox = 0; ox < d->ow; ox++, idx++) {
                    double abs_sum = 0;
                    (void)cnn_ref_conv2d_point(d, x, w, b, n, k, oy, ox, &abs_sum);
                    double tol = cnn_ref_conv2d_tolerance(&da, w, k, abs_sum, x_max);
                    double diff = fabs((double)got[idx] - (double)want[idx]);
                    if (!(diff <= tol)) {
                        if (bad == 0) {
                            tu_report(__FILE__, __LINE__, "conv2d result differs from the "
                                      "reference");
                        }
                        if (bad < 8) {
                            fprintf(stderr, "    [n%" PRId64 " k%" PRId64 " y%" PRId64
                                            " x%" PRId64 "] got %.9g want %.9g (tol %.3g)\n",
                                    n, k, oy, ox, got[idx], want[idx], tol);
                        }
                        bad++;
                    }
                }
            }
        }
    }
    if (bad > 0) {
        fprintf(stderr, "    %" PRId64 " of %" PRId64 " elements differ\n", bad, idx);
    }
    return bad != 0;
}

/* Fill host data for a problem and compute the reference output. */
static void make_data(tu_rng *r, const cnn_conv2d_desc *d, float *x, float *w, float *b,
                      float *ref)
{
    tu_fill_uniform(r, x, d->n * d->c * d->h * d->w, -1.0f, 1.0f);
    tu_fill_uniform(r, w, d->k * (d->c / d->groups) * d->r * d->s, -1.0f, 1.0f);
    tu_fill_uniform(r, b, d->k, -1.0f, 1.0f);
    cnn_ref_conv2d(d, ref, x, w, d->has_bias ? b : NULL);
}

static int write_all(cnn_tensor *tx, const float *x, cnn_tensor *tw, const float *w,
                     cnn_tensor *tb, const float *b, cnn_tensor *ty, const float *nan_fill)
{
    CHECK_OK(cnn_tensor_write(tx, x, cnn_tensor_count(tx)));
    CHECK_OK(cnn_tensor_write(tw, w, cnn_tensor_count(tw)));
    if (tb != NULL) {
        CHECK_OK(cnn_tensor_write(tb, b, cnn_tensor_count(tb)));
    }
    CHECK_OK(cnn_tensor_write(ty, nan_fill, cnn_tensor_count(ty)));
    return 0;
}

/* Floats past a one-shot output, and what they hold. */
#define GUARD_FLOATS 256
#define GUARD_VALUE 12345.0f

/* An n x k x oh x ow output (NaN) on a buffer of the test's own, followed by GUARD_FLOATS
 * floats of GUARD_VALUE; *buffer stays valid while the tensor lives (it holds a reference). */
static int guarded_output(cnn_context *ctx, const int64_t ys[4], cnn_tensor **t, cl_mem *buffer)
{
    cl_context cl_ctx;
    cl_command_queue queue;
    CHECK_OK(cnn_context_cl_objects(ctx, &cl_ctx, NULL, &queue));
    const size_t count = (size_t)(ys[0] * ys[1] * ys[2] * ys[3]);
    float *fill = tu_floats((int64_t)(count + GUARD_FLOATS));
    CHECK(fill != NULL);
    for (size_t i = 0; i < count + GUARD_FLOATS; i++)
        fill[i] = i < count ? NAN : GUARD_VALUE;
    cl_int err;
    *buffer = clCreateBuffer(cl_ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                             (count + GUARD_FLOATS) * sizeof(float), fill, &err);
    CHECK(err == CL_SUCCESS);
    const cnn_status st = cnn_tensor_wrap_cl(t, ctx, *buffer, ys[0], ys[1], ys[2], ys[3]);
    clReleaseMemObject(*buffer); /* the tensor's reference keeps it */
    CHECK_OK(st);
    tu_track(TU_TENSOR, *t);
    return 0;
}

/* The guard after a one-shot output still holds GUARD_VALUE everywhere. */
static int check_guard(cnn_context *ctx, cl_mem buffer, const int64_t ys[4])
{
    cl_command_queue queue;
    CHECK_OK(cnn_context_cl_objects(ctx, NULL, NULL, &queue));
    const size_t count = (size_t)(ys[0] * ys[1] * ys[2] * ys[3]);
    float guard[GUARD_FLOATS];
    CHECK(clEnqueueReadBuffer(queue, buffer, CL_TRUE, count * sizeof(float), sizeof guard, guard,
                              0, NULL, NULL) == CL_SUCCESS);
    for (int i = 0; i < GUARD_FLOATS; i++)
        CHECK_MSG(guard[i] == GUARD_VALUE, "float %d past the output was written: %g\n", i,
                  guard[i]);
    return 0;
}

/* Run one problem on ctx in the given mode (0 one-shot, 1 plan twice on rewritten tensors,
 * 2 plan twice on separate tensors). */
static int run_problem(cnn_context *ctx, tu_rng *r, const conv_problem *pr, int mode)
{
    cnn_conv2d_desc d;
    CHECK_OK(cnn_conv2d_make_desc(NULL, &d, pr->xs, pr->ws, pr->has_bias, &pr->p));
    int64_t xc = d.n * d.c * d.h * d.w, wc = d.k * (d.c / d.groups) * d.r * d.s;
    int64_t yc = d.n * d.k * d.oh * d.ow;
    const int64_t ys[4] = {d.n, d.k, d.oh, d.ow};
    float *x = tu_floats(xc), *w = tu_floats(wc), *b = tu_floats(d.k), *ref = tu_floats(yc);
    float *nan_fill = tu_floats_fill(yc, NAN);
    CHECK(x != NULL && w != NULL && b != NULL && ref != NULL && nan_fill != NULL);
    make_data(r, &d, x, w, b, ref);

    cnn_tensor *tx = tu_tensor(ctx, d.n, d.c, d.h, d.w);
    cnn_tensor *tw = tu_tensor(ctx, d.k, d.c / d.groups, d.r, d.s);
    cnn_tensor *tb = pr->has_bias ? tu_tensor(ctx, 1, d.k, 1, 1) : NULL;
    cnn_tensor *ty = tu_tensor(ctx, ys[0], ys[1], ys[2], ys[3]);
    CHECK(tx != NULL && tw != NULL && ty != NULL && (!pr->has_bias || tb != NULL));
    CHECK(write_all(tx, x, tw, w, tb, b, ty, nan_fill) == 0);

    /* The plan says which algorithm runs (the one-shot call makes the same choice). */
    cnn_conv2d_plan *plan = NULL;
    CHECK_OK(cnn_conv2d_plan_create(&plan, ctx, pr->xs, pr->ws, pr->has_bias, &pr->p));
    tu_track(TU_CONV_PLAN, plan);
    cnn_conv2d_algo algo = CNN_CONV2D_ALGO_AUTO;
    int64_t plan_ys[4];
    CHECK_OK(cnn_conv2d_plan_info(plan, &algo, plan_ys));
    CHECK(algo != CNN_CONV2D_ALGO_AUTO);
    CHECK(pr->p.algo == CNN_CONV2D_ALGO_AUTO || algo == pr->p.algo);
    CHECK(pr->p.allowed_algos == 0 || (pr->p.allowed_algos & (1u << algo)) != 0);
    CHECK(memcmp(plan_ys, ys, sizeof ys) == 0);

    if (mode == 0) {
        cl_mem guarded;
        CHECK(guarded_output(ctx, ys, &ty, &guarded) == 0);
        CHECK_OK(cnn_conv2d(ctx, ty, tx, tw, tb, &pr->p));
        float *got = tu_read(ty);
        CHECK(got != NULL);
        CHECK(check_result(&d, algo, got, ref, x, w, b) == 0);
        CHECK(check_guard(ctx, guarded, ys) == 0);
        return 0;
    }

    CHECK_OK(cnn_conv2d_plan_execute(plan, ty, tx, tw, tb));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    CHECK(check_result(&d, algo, got, ref, x, w, b) == 0);

    /* Second execution on different data. */
    make_data(r, &d, x, w, b, ref);
    if (mode == 2) {
        tx = tu_tensor(ctx, d.n, d.c, d.h, d.w);
        tw = tu_tensor(ctx, d.k, d.c / d.groups, d.r, d.s);
        tb = pr->has_bias ? tu_tensor(ctx, 1, d.k, 1, 1) : NULL;
        ty = tu_tensor(ctx, ys[0], ys[1], ys[2], ys[3]);
        CHECK(tx != NULL && tw != NULL && ty != NULL && (!pr->has_bias || tb != NULL));
    }
    CHECK(write_all(tx, x, tw, w, tb, b, ty, nan_fill) == 0);
    CHECK_OK(cnn_conv2d_plan_execute(plan, ty, tx, tw, tb));
    got = tu_read(ty);
    CHECK(got != NULL);
    CHECK(check_result(&d, algo, got, ref, x, w, b) == 0);
    return 0;
}

static int problem_count = 312;

/* Every drawn problem and the fixed ones on ctx; 0 when all match. */
static int random_problems(cnn_context *ctx)
{
    /* The same problems on every device. */
    tu_rng r = tu_rng_make(1);
    int dev_failures = 0, per_mode[3] = {0};
    for (int i = 0; i < problem_count; i++) {
        int cls = i % NUM_CLASSES, mode = (i / NUM_CLASSES) % 3;
        conv_problem pr;
        int tries = 0;
        while (!draw_problem(&r, cls, &pr)) {
            if (++tries > 1000) {
                fprintf(stderr, "could not draw a problem of class %s\n", class_names[cls]);
                return 1;
            }
        }
        char desc[256];
        tu_note("#%d (%s, %s): %s", i, class_names[cls],
                mode == 0 ? "one-shot" : mode == 1 ? "plan x2 same tensors"
                                                   : "plan x2 new tensors",
                tu_conv_desc(desc, sizeof desc, pr.xs, pr.ws, &pr.p, pr.has_bias));
        int failed = run_problem(ctx, &r, &pr, mode) != 0;
        tu_release();
        dev_failures += failed;
        per_mode[mode]++;
        if (dev_failures >= 20) {
            fprintf(stderr, "too many failures, stopping\n");
            break;
        }
    }
    /* Shapes that the random classes seldom reach, for the CPU kernels' special paths: 1x1 stride-1
     * convolutions on planes of 512 pixels and more (partial channel blocks, a partial last tile of
     * the plane, groups, batch) and on 323 pixels with 24 output channels (pixel vectors); Winograd's strips of 16 tiles at the left border, inside and
     * partial at the right, with asymmetric padding, groups, batch, flip, maps that are not
     * multiples of the 4x4 tiles and a map smaller than one tile; the transforms for maps of 8
     * tiles a row or fewer, several tile rows per vector (7 tiles a row: 14 lanes; 5: 15 lanes in
     * pieces of 8, 4, 2 and 1; a last group of fewer rows), and its fused kernel (maps of 14 tiles
     * and 63 a row: a padded copy, and guarded loads on every border; a partial block of output
     * channels; batch); the implicit GEMM's pixel vectors along output rows (short reductions,
     * outputs 32 wide and more) with a partial last tile, dilation, stride along y, groups and
     * batch; depthwise with strides 2 (every other lane) and 3 (gathered lanes), dilation and a
     * channel multiplier, and its flat planes ("same" padding at stride 1: 7x7 with a last vector
     * of one output, asymmetric padding with a multiplier, a plane shorter than a vector, 5x5 taps
     * on rows longer than a vector, 7x7 taps, planes cut into bands of rows with a partial last
     * band) and their four parities at stride 2 (7x7 outputs, odd sizes with a multiplier and
     * asymmetric padding, asymmetric padding again, rows of several chunks, in bands). */
    static const int64_t fixed[][18] = {
        /* n, c, h, w, k, groups, r, s, stride h, w, dilation h, w, pad t, b, l, r, flip, algo */
        {1, 3, 24, 24, 17, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_AUTO},
        {2, 5, 23, 25, 33, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_AUTO},
        {1, 8, 32, 48, 14, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_AUTO},
        {1, 64, 56, 56, 64, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_AUTO},
        {3, 6, 40, 13, 30, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_AUTO},
        {1, 80, 17, 19, 24, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, CNN_CONV2D_ALGO_GEMM1X1},
        {1, 1, 45, 50, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_AUTO},
        {1, 3, 70, 70, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_WINOGRAD},
        {2, 8, 9, 141, 6, 2, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1, CNN_CONV2D_ALGO_WINOGRAD},
        {1, 32, 14, 14, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_WINOGRAD},
        {1, 4, 3, 3, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, CNN_CONV2D_ALGO_WINOGRAD},
        {3, 5, 6, 6, 7, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, CNN_CONV2D_ALGO_WINOGRAD},
        {1, 16, 38, 140, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_WINOGRAD},
        {2, 12, 30, 56, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_WINOGRAD},
        {1, 4, 11, 250, 9, 1, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0, 1, CNN_CONV2D_ALGO_WINOGRAD},
        {1, 8, 26, 26, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_WINOGRAD},
        {2, 6, 20, 18, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, CNN_CONV2D_ALGO_WINOGRAD},
        {1, 3, 20, 70, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_IGEMM},
        {2, 4, 17, 40, 10, 2, 3, 3, 2, 1, 2, 2, 2, 1, 2, 2, 1, CNN_CONV2D_ALGO_IGEMM},
        {1, 2, 12, 64, 17, 1, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 0, CNN_CONV2D_ALGO_AUTO},
        {1, 3, 9, 33, 30, 1, 1, 3, 1, 1, 1, 1, 0, 0, 1, 1, 0, CNN_CONV2D_ALGO_IGEMM},
        {1, 24, 29, 37, 24, 24, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {2, 8, 20, 70, 16, 8, 5, 3, 1, 3, 1, 2, 2, 2, 0, 3, 1, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 16, 9, 40, 16, 16, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {2, 20, 7, 7, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 6, 14, 13, 12, 6, 3, 3, 1, 1, 1, 1, 0, 2, 2, 0, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {3, 5, 3, 4, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 9, 30, 33, 9, 9, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 16, 14, 14, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {2, 6, 15, 13, 12, 6, 5, 5, 2, 2, 1, 1, 2, 2, 1, 3, 1, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 8, 20, 37, 8, 8, 3, 3, 2, 2, 1, 1, 1, 2, 2, 1, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 5, 11, 9, 5, 5, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 3, 80, 70, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_DEPTHWISE},
        {2, 2, 100, 45, 4, 2, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, CNN_CONV2D_ALGO_DEPTHWISE},
        {1, 4, 70, 66, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, CNN_CONV2D_ALGO_DEPTHWISE},
    };
    const int fixed_count = (int)(sizeof fixed / sizeof fixed[0]);
    for (int i = 0; i < fixed_count; i++) {
        const int64_t *q = fixed[i];
        conv_problem pr;
        memset(&pr, 0, sizeof pr);
        pr.p = cnn_conv2d_params_default();
        pr.p.groups = q[5];
        pr.p.stride_h = q[8]; pr.p.stride_w = q[9];
        pr.p.dilation_h = q[10]; pr.p.dilation_w = q[11];
        pr.p.pad_top = q[12]; pr.p.pad_bottom = q[13]; pr.p.pad_left = q[14];
        pr.p.pad_right = q[15];
        pr.p.flip = (int)q[16];
        pr.p.algo = (cnn_conv2d_algo)q[17];
        pr.p.activation = i % 2 ? CNN_ACTIVATION_RELU : CNN_ACTIVATION_NONE;
        pr.has_bias = i % 3 != 0;
        pr.xs[0] = q[0]; pr.xs[1] = q[1]; pr.xs[2] = q[2]; pr.xs[3] = q[3];
        pr.ws[0] = q[4]; pr.ws[1] = q[1] / q[5]; pr.ws[2] = q[6]; pr.ws[3] = q[7];
        char desc[256];
        tu_note("fixed #%d: %s", i,
                tu_conv_desc(desc, sizeof desc, pr.xs, pr.ws, &pr.p, pr.has_bias));
        int failed = run_problem(ctx, &r, &pr, i % 3) != 0;
        tu_release();
        dev_failures += failed;
        per_mode[i % 3]++;
    }
    printf("     %d random + %d fixed problems: %d failed (one-shot %d, plan %d + %d)\n",
           problem_count, fixed_count, dev_failures, per_mode[0], per_mode[1], per_mode[2]);
    return dev_failures != 0;
}

/* The same problems with the GPU-shaped kernels forced (on a CPU device: how CI checks them). */
static int random_problems_gpu(cnn_context *ctx)
{
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_GPU));
    const int failed = random_problems(ctx);
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    return failed;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        problem_count = atoi(argv[1]);
    }
    if (argc > 2) {
        max_macs = strtoll(argv[2], NULL, 0);
    }
    if (argc > 3) {
        size_range = strtoll(argv[3], NULL, 0);
    }
    if (argc > 4) {
        channel_scale = strtoll(argv[4], NULL, 0);
    }
    static const tu_case cases[] = {
        {"random conv2d against the reference", random_problems},
        {"random conv2d, GPU-shaped kernels, against the reference", random_problems_gpu}};
    return tu_main_opencl(cases, 2);
}
