/* Randomized pooling and bias_act on every OpenCL device against the reference (cnn_ref_pool2d,
 * cnn_ref_bias_act), through the public API. Labels: opencl, random. Exit 77 (skipped) when
 * there is no OpenCL device.
 *
 * Pooling: 11 classes cycle (plain, padding = kernel/2, ceil_mode, count_include_pad with
 * padding, global, stride > kernel, batch > 1, mix, wide rows, narrow rows, 3x3 at stride 1
 * with padding 1); every problem also draws max or
 * avg, ceil_mode and count_include_pad, and a quarter of them use all-negative inputs, where a
 * padding cell that wins a max (0) shows at once. Wide rows (34 to 120 cells, windows 2 and 3
 * wide, mostly stride 2) reach the CPU kernel's 16-output vector path and its overlapping last
 * chunk. Narrow rows (2 to 31 cells, fewer outputs than a vector holds, several planes) reach
 * the CPU kernel's short-row vectors, which read on into the next rows and planes and keep
 * their first lanes. 3x3 windows at stride 1 with padding 1 on 64 to 96 planes of 1 to 40
 * cells a side reach the CPU flat-plane kernel (16 outputs across rows; the tensor's first and
 * last cells read lane by lane). A third of the max problems of those three classes, and of the
 * global ones (whole planes, 16 cells at a time on CPUs), hold a NaN, which must come out in
 * every window that covers it and nowhere else.
 * Max must match exactly. Avg inputs are multiples of 1/64 in [-17, 8], so every window sum is
 * exact in float whatever the summation order and the only rounding left is the division:
 * 1e-6 relative (about 8 ulp) then holds for any correct kernel.
 *
 * bias_act: random shapes, with and without bias, ReLU or none, in place and out of place;
 * exact match (one float add and a max per element).
 *
 * Usage: test_pool_random [pool_count [bias_act_count]]   (default 240 and 120). */
#include "test_util.h"

#include "cnn_internal.h"
#include "reference.h"

static const char *const class_names[] = {
    "plain", "pad = kernel/2", "ceil_mode", "count_include_pad", "global", "stride > kernel",
    "batch > 1", "mix", "wide rows", "narrow rows", "3x3, stride 1, padding 1",
};
#define NUM_CLASSES ((int)(sizeof class_names / sizeof class_names[0]))

typedef struct pool_problem {
    int64_t xs[4];
    cnn_pool2d_params p;
    int negative; /* all inputs negative */
    int nan;      /* max pooling: one input is NaN */
} pool_problem;

static int draw_pool(tu_rng *r, int cls, pool_problem *pr)
{
    cnn_pool2d_params *p = &pr->p;
    *p = cnn_pool2d_params_default();
    p->mode = tu_chance(r, 50) ? CNN_POOL_MAX : CNN_POOL_AVG;
    p->kernel_h = tu_range(r, 1, 5);
    p->kernel_w = tu_chance(r, 60) ? p->kernel_h : tu_range(r, 1, 5);
    p->stride_h = tu_range(r, 1, 3);
    p->stride_w = tu_chance(r, 60) ? p->stride_h : tu_range(r, 1, 3);
    p->pad_h = tu_chance(r, 50) ? 0 : tu_range(r, 0, p->kernel_h / 2);
    p->pad_w = tu_chance(r, 50) ? 0 : tu_range(r, 0, p->kernel_w / 2);
    p->ceil_mode = tu_chance(r, 50);
    p->count_include_pad = tu_chance(r, 50);
    int64_t n = tu_chance(r, 80) ? 1 : 2;
    int64_t c = tu_range(r, 1, 9);

    switch (cls) {
    case 0: /* plain */
        p->pad_h = p->pad_w = 0;
        p->ceil_mode = 0;
        break;
    case 1: /* the largest padding allowed */
        p->kernel_h = tu_range(r, 2, 7);
        p->kernel_w = tu_range(r, 2, 7);
        p->pad_h = p->kernel_h / 2;
        p->pad_w = p->kernel_w / 2;
        break;
    case 2: /* ceil_mode, strides that leave partial windows */
        p->ceil_mode = 1;
        p->stride_h = tu_range(r, 2, 4);
        p->stride_w = tu_range(r, 2, 4);
        break;
    case 3: /* average with padding, both divisors */
        p->mode = CNN_POOL_AVG;
        p->kernel_h = tu_range(r, 2, 5);
        p->kernel_w = tu_range(r, 2, 5);
        p->pad_h = tu_range(r, 1, p->kernel_h / 2);
        p->pad_w = tu_range(r, 1, p->kernel_w / 2);
        break;
    case 4: /* global; the other sizes are garbage and must be ignored */
        p->global = 1;
        p->kernel_h = tu_range(r, 0, 30);
        p->stride_w = tu_range(r, 0, 3);
        break;
    case 5: /* stride larger than the window */
        p->kernel_h = tu_range(r, 1, 3);
        p->kernel_w = tu_range(r, 1, 3);
        p->stride_h = p->kernel_h + tu_range(r, 1, 3);
        p->stride_w = p->kernel_w + tu_range(r, 1, 3);
        p->pad_h = tu_range(r, 0, p->kernel_h / 2);
        p->pad_w = tu_range(r, 0, p->kernel_w / 2);
        break;
    case 6: /* batch */
        n = tu_range(r, 2, 4);
        break;
    case 8: /* wide rows: the vector paths along x */
        p->kernel_w = tu_range(r, 2, 3);
        p->stride_w = tu_chance(r, 75) ? 2 : 1;
        p->pad_w = tu_range(r, 0, p->kernel_w / 2);
        break;
    case 9: /* narrow rows: one short vector per row, reading on into the next rows */
        p->kernel_w = tu_range(r, 2, 3);
        p->stride_w = tu_chance(r, 75) ? 2 : 1;
        p->pad_w = tu_range(r, 0, p->kernel_w / 2);
        c = tu_range(r, 2, 12);
        break;
    case 10: /* 3x3 at stride 1 with padding 1 on enough planes: the CPU flat-plane kernel */
        p->kernel_h = p->kernel_w = 3;
        p->stride_h = p->stride_w = 1;
        p->pad_h = p->pad_w = 1;
        n = 2;
        c = tu_range(r, 32, 48);
        break;
    default: /* mix: bigger channel counts, any window */
        c = tu_range(r, 1, 20);
        p->kernel_h = tu_range(r, 1, 7);
        p->kernel_w = tu_range(r, 1, 7);
        p->stride_h = tu_range(r, 1, 5);
        p->stride_w = tu_range(r, 1, 5);
        p->pad_h = tu_range(r, 0, p->kernel_h / 2);
        p->pad_w = tu_range(r, 0, p->kernel_w / 2);
        break;
    }
    int64_t min_h = p->global ? 1 : p->kernel_h - 2 * p->pad_h;
    int64_t min_w = p->global ? 1 : p->kernel_w - 2 * p->pad_w;
    if (min_h < 1) {
        min_h = 1;
    }
    if (min_w < 1) {
        min_w = 1;
    }
    pr->xs[0] = n;
    pr->xs[1] = c;
    pr->xs[2] = cls == 10 ? tu_range(r, 1, 40) : tu_range(r, min_h, min_h + 15);
    pr->xs[3] = cls == 8    ? tu_range(r, 34, 120)
                : cls == 9  ? tu_range(r, 2, 31)
                : cls == 10 ? tu_range(r, 1, 40)
                            : tu_range(r, min_w, min_w + 15);
    pr->negative = tu_chance(r, 25);
    pr->nan = (cls == 8 || cls == 9 || cls == 10 || cls == 4) && p->mode == CNN_POOL_MAX &&
              tu_chance(r, 33);
    if (p->global) {
        return 1; /* always valid: a failure must show in the test, not in a redraw */
    }
    int64_t ys[4];
    return cnn_pool2d_output_shape(ys, pr->xs, p) == CNN_SUCCESS;
}

static void fill_pool_input(tu_rng *r, const pool_problem *pr, float *x, int64_t count)
{
    for (int64_t i = 0; i < count; i++) {
        if (pr->p.mode == CNN_POOL_MAX) {
            x[i] = pr->negative ? tu_uniform(r, -3.0f, -1e-3f) : tu_uniform(r, -1.0f, 1.0f);
        } else {
            /* multiples of 1/64: sums of a few hundred stay exact in float */
            int64_t q = pr->negative ? tu_range(r, -1088, -1) : tu_range(r, -512, 512);
            x[i] = (float)q / 64.0f;
        }
    }
}

static int check_pool(const cnn_pool2d_desc *d, float *got, float *want)
{
    const int64_t ys[4] = {d->n, d->c, d->oh, d->ow};
    int64_t count = d->n * d->c * d->oh * d->ow;
    if (d->mode == CNN_POOL_MAX) {
        /* NaN where the reference has NaN (then both set to 0 for the exact comparison) */
        for (int64_t i = 0; i < count; i++) {
            CHECK_MSG(!isnan(want[i]) == !isnan(got[i]), "output %" PRId64 ": got %g, want %g\n",
                      i, got[i], want[i]);
            if (isnan(want[i]))
                got[i] = want[i] = 0.0f;
        }
        CHECK_ARRAY(got, want, count, ys, 0.0, 0.0);
    } else {
        CHECK_ARRAY(got, want, count, ys, 1e-6, 0.0);
    }
    return 0;
}

/* mode 0: one-shot; mode 1: a plan executed twice, new data in the same tensors. */
static int run_pool(cnn_context *ctx, tu_rng *r, const pool_problem *pr, int mode)
{
    cnn_pool2d_desc d;
    CHECK_OK(cnn_pool2d_make_desc(NULL, &d, pr->xs, &pr->p));
    int64_t ys[4];
    CHECK_OK(cnn_pool2d_output_shape(ys, pr->xs, &pr->p));
    CHECK(ys[0] == d.n && ys[1] == d.c && ys[2] == d.oh && ys[3] == d.ow);
    int64_t xc = d.n * d.c * d.h * d.w, yc = d.n * d.c * d.oh * d.ow;
    float *x = tu_floats(xc), *ref = tu_floats(yc), *nan_fill = tu_floats_fill(yc, NAN);
    CHECK(x != NULL && ref != NULL && nan_fill != NULL);
    cnn_tensor *tx = tu_tensor(ctx, d.n, d.c, d.h, d.w);
    cnn_tensor *ty = tu_tensor(ctx, ys[0], ys[1], ys[2], ys[3]);
    CHECK(tx != NULL && ty != NULL);

    cnn_pool2d_plan *plan = NULL;
    if (mode == 1) {
        CHECK_OK(cnn_pool2d_plan_create(&plan, ctx, pr->xs, &pr->p));
        tu_track(TU_POOL_PLAN, plan);
    }
    for (int rep = 0; rep < (mode == 1 ? 2 : 1); rep++) {
        fill_pool_input(r, pr, x, xc);
        if (pr->nan)
            x[tu_range(r, 0, xc - 1)] = NAN;
        cnn_ref_pool2d(&d, ref, x);
        CHECK_OK(cnn_tensor_write(tx, x, xc));
        CHECK_OK(cnn_tensor_write(ty, nan_fill, yc));
        if (mode == 1) {
            CHECK_OK(cnn_pool2d_plan_execute(plan, ty, tx));
        } else {
            CHECK_OK(cnn_pool2d(ctx, ty, tx, &pr->p));
        }
        float *got = tu_read(ty);
        CHECK(got != NULL);
        CHECK(check_pool(&d, got, ref) == 0);
    }
    return 0;
}

static int run_bias_act(cnn_context *ctx, tu_rng *r, int i)
{
    int64_t s[4] = {tu_range(r, 1, 3), tu_range(r, 1, 20), tu_range(r, 1, 16),
                    tu_range(r, 1, 16)};
    int has_bias = tu_chance(r, 70);
    cnn_activation act = tu_chance(r, 50) ? CNN_ACTIVATION_RELU : CNN_ACTIVATION_NONE;
    int in_place = tu_chance(r, 50);
    tu_note("bias_act #%d: mb%" PRId64 "ic%" PRId64 "ih%" PRId64 "iw%" PRId64
            " bias %d act %s %s", i, s[0], s[1], s[2], s[3], has_bias,
            act == CNN_ACTIVATION_RELU ? "relu" : "none", in_place ? "in place" : "out of place");
    int64_t count = s[0] * s[1] * s[2] * s[3];
    float *x = tu_floats(count), *b = tu_floats(s[1]), *ref = tu_floats(count);
    CHECK(x != NULL && b != NULL && ref != NULL);
    tu_fill_uniform(r, x, count, -1.0f, 1.0f);
    tu_fill_uniform(r, b, s[1], -1.0f, 1.0f);
    cnn_bias_act_desc d = {s[0], s[1], s[2], s[3], has_bias, act};
    cnn_ref_bias_act(&d, ref, x, has_bias ? b : NULL);

    cnn_tensor *tx = tu_tensor_from(ctx, s[0], s[1], s[2], s[3], x);
    cnn_tensor *tb = has_bias ? tu_tensor_from(ctx, 1, s[1], 1, 1, b) : NULL;
    CHECK(tx != NULL && (!has_bias || tb != NULL));
    cnn_tensor *ty = tx;
    if (!in_place) {
        ty = tu_tensor_fill(ctx, s, NAN);
        CHECK(ty != NULL);
    }
    CHECK_OK(cnn_bias_act(ctx, ty, tx, tb, act));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    CHECK_ARRAY(got, ref, count, s, 0.0, 0.0);
    if (!in_place) {
        float *x_after = tu_read(tx);
        CHECK(x_after != NULL);
        CHECK_ARRAY(x_after, x, count, s, 0.0, 0.0); /* the input is untouched */
    }
    return 0;
}

static int pool_count = 240, bias_count = 120;

static int random_pools(cnn_context *ctx)
{
    tu_rng r = tu_rng_make(2);
    int failures = 0;
    for (int i = 0; i < pool_count && failures < 20; i++) {
        int cls = i % NUM_CLASSES, mode = (i / NUM_CLASSES) % 2;
        pool_problem pr;
        int tries = 0;
        while (!draw_pool(&r, cls, &pr)) {
            if (++tries > 1000) {
                fprintf(stderr, "could not draw a pooling problem\n");
                return 1;
            }
        }
        char desc[256];
        tu_note("pool #%d (%s, %s%s): %s", i, class_names[cls], mode ? "plan x2" : "one-shot",
                pr.negative ? ", negative inputs" : "",
                tu_pool_desc(desc, sizeof desc, pr.xs, &pr.p));
        failures += run_pool(ctx, &r, &pr, mode) != 0;
        tu_release();
    }
    printf("     %d random pool2d problems: %d failed\n", pool_count, failures);
    return failures != 0;
}

static int random_bias_acts(cnn_context *ctx)
{
    tu_rng r = tu_rng_make(3);
    int failures = 0;
    for (int i = 0; i < bias_count && failures < 20; i++) {
        failures += run_bias_act(ctx, &r, i) != 0;
        tu_release();
    }
    printf("     %d random bias_act problems: %d failed\n", bias_count, failures);
    return failures != 0;
}

/* Where a row lies in the buffer decides which CPU path pools it (a short row's vector may read
 * on into the next rows, but not past the input's end): every image of a batch must come out
 * the same bits as when it is pooled alone. Arbitrary floats (sums round), windows of -0.0f,
 * and for max pooling NaNs with a payload of their own. */
static int batch_equals_images(cnn_context *ctx)
{
    static const struct {
        int64_t w, k, stride, pad;
    } rows[] = {{7, 2, 2, 0}, {14, 2, 2, 0}, {13, 3, 2, 0}, {23, 3, 2, 1}, {9, 3, 1, 1},
                {28, 2, 2, 0}, {5, 2, 1, 0}};
    tu_rng r = tu_rng_make(4);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        for (int mode = 0; mode < 3; mode++) {
            cnn_pool2d_params p = cnn_pool2d_params_default();
            p.mode = mode == 0 ? CNN_POOL_MAX : CNN_POOL_AVG;
            p.count_include_pad = mode == 2;
            p.kernel_h = p.kernel_w = rows[i].k;
            p.stride_h = p.stride_w = rows[i].stride;
            p.pad_h = p.pad_w = rows[i].pad;
            const int64_t xs[4] = {3, 3, rows[i].w, rows[i].w};
            int64_t ys[4];
            CHECK_OK(cnn_pool2d_output_shape(ys, xs, &p));
            char desc[256];
            tu_note("batch against its images: %s", tu_pool_desc(desc, sizeof desc, xs, &p));
            const int64_t image = xs[1] * xs[2] * xs[3], out_image = ys[1] * ys[2] * ys[3];
            float *x = tu_floats(3 * image);
            CHECK(x != NULL);
            tu_fill_uniform(&r, x, 3 * image, -1.0f, 1.0f);
            /* In every image, where the paths part (the last plane's last rows): the last
             * rows all -0.0f, or (max pooling) a NaN in the last row. */
            const int64_t last_rows = rows[i].k * xs[3];
            const uint32_t quiet_nan_with_payload = 0x7fc01234u;
            for (int n = 0; n < 3; n++) {
                if (p.mode == CNN_POOL_MAX)
                    memcpy(&x[(n + 1) * image - 1 - tu_range(&r, 0, xs[3] - 1)],
                           &quiet_nan_with_payload, 4);
                else
                    for (int64_t j = image - last_rows; j < image; j++)
                        x[n * image + j] = -0.0f;
            }
            cnn_tensor *tx = tu_tensor_from(ctx, xs[0], xs[1], xs[2], xs[3], x);
            cnn_tensor *ty = tu_tensor_fill(ctx, ys, 7.0f);
            CHECK(tx != NULL && ty != NULL);
            CHECK_OK(cnn_pool2d(ctx, ty, tx, &p));
            const float *batch = tu_read(ty);
            CHECK(batch != NULL);
            const int64_t one_y[4] = {1, ys[1], ys[2], ys[3]};
            for (int n = 0; n < 3; n++) {
                cnn_tensor *t1 = tu_tensor_from(ctx, 1, xs[1], xs[2], xs[3], x + n * image);
                cnn_tensor *y1 = tu_tensor_fill(ctx, one_y, 7.0f);
                CHECK(t1 != NULL && y1 != NULL);
                CHECK_OK(cnn_pool2d(ctx, y1, t1, &p));
                const float *alone = tu_read(y1);
                CHECK(alone != NULL);
                CHECK_MSG(memcmp(alone, batch + n * out_image, (size_t)out_image * 4) == 0,
                          "image %d of the batch differs from the image alone\n", n);
            }
            tu_release();
        }
    }
    return 0;
}

/* The same problems with the GPU-shaped pooling kernels forced (one work-item per output). */
static int random_pools_gpu(cnn_context *ctx)
{
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_GPU));
    const int failed = random_pools(ctx);
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    return failed;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        pool_count = atoi(argv[1]);
    }
    if (argc > 2) {
        bias_count = atoi(argv[2]);
    }
    static const tu_case cases[] = {
        {"random pool2d against the reference", random_pools},
        {"random pool2d, GPU-shaped kernels, against the reference", random_pools_gpu},
        {"pool2d: every image of a batch the same bits as alone", batch_equals_images},
        {"random bias_act against the reference", random_bias_acts},
    };
    return tu_main_opencl(cases, (int)(sizeof cases / sizeof cases[0]));
}
