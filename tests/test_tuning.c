/* Every kernel variant that tuning may choose computes the right result: for a set of shapes,
 * every tuning candidate the backend offers for every algorithm that serves the shape runs
 * through the backend directly (desc.tuning set, as find mode does) and is compared with the
 * reference, each output within the algorithm's tolerance. Find mode would drop a wrong
 * candidate through its self-check, silently; this test makes it fail. Label: opencl. */
#include "test_util.h"

#include "cnn_internal.h"
#include "reference.h"

typedef struct shape_case {
    const char *what;
    int64_t n, c, h, w, k, r, s, stride, pad;
    int64_t groups;
} shape_case;

/* Flat 1x1 on a plane shorter than most tiles (the kernels' guarded loops), a small and a large
 * plane (a last tile moved back to end with the plane), a padded 1x1, 3x3 stride 1 (Winograd
 * too) on a map wider than a row of pixel vectors, 3x3 stride 2, 3x3 on a 7x7 map (two-row
 * tiles), depthwise with stride 1 and 2 (a channel multiplier of 2). Channel counts give full
 * and partial channel blocks. */
static const shape_case shapes[] = {
    {"1x1 on 3x4", 1, 20, 3, 4, 36, 1, 1, 1, 0, 1},
    {"1x1 on 7x7", 1, 40, 7, 7, 48, 1, 1, 1, 0, 1},
    {"1x1 on 40x40", 1, 24, 40, 40, 37, 1, 1, 1, 0, 1},
    {"1x1 padded", 2, 8, 9, 13, 33, 1, 1, 1, 1, 1},
    {"3x3 on 12x45", 1, 20, 12, 45, 40, 3, 3, 1, 1, 1},
    {"3x3 stride 2", 1, 16, 17, 23, 32, 3, 3, 2, 1, 1},
    {"3x3 on 7x7", 2, 32, 7, 7, 64, 3, 3, 1, 1, 1},
    {"depthwise 3x3 on 20x37", 1, 24, 20, 37, 24, 3, 3, 1, 1, 24},
    {"depthwise 3x3 stride 2 on 29x70", 2, 8, 29, 70, 16, 3, 3, 2, 1, 8},
};

static const cnn_conv2d_algo tuned_algos[] = {
    CNN_CONV2D_ALGO_DIRECT, CNN_CONV2D_ALGO_IGEMM, CNN_CONV2D_ALGO_GEMM1X1,
    CNN_CONV2D_ALGO_WINOGRAD, CNN_CONV2D_ALGO_DEPTHWISE};

/* One candidate of one algorithm on prepared tensors; 0 when its output matches. */
static int run_candidate(cnn_context *ctx, const cnn_conv2d_desc *d, cnn_tensor *tx,
                         cnn_tensor *tw, cnn_tensor *tb, cnn_tensor *ty, const float *x,
                         const float *w, const float *b, const float *nan_fill)
{
    cnn_backend *be = ctx->backend;
    const int64_t ny = d->n * d->k * d->oh * d->ow;
    CHECK_OK(cnn_tensor_write(ty, nan_fill, ny));
    void *state = NULL;
    CHECK_OK(be->vt->conv2d_prepare(be, d, &state));
    const cnn_status run =
        be->vt->conv2d_run(be, state, d, ty->buffer, tx->buffer, tw->buffer, 0, tb->buffer);
    be->vt->conv2d_release(be, state);
    CHECK_OK(run);
    float *got = tu_read(ty);
    CHECK(got != NULL);
    const double x_max = cnn_ref_max_abs(x, d->n * d->c * d->h * d->w);
    int64_t bad = 0;
    for (int64_t i = 0; i < ny; i++) {
        const int64_t ox = i % d->ow, oy = (i / d->ow) % d->oh, k = (i / (d->ow * d->oh)) % d->k;
        const int64_t n = i / (d->ow * d->oh * d->k);
        double mag = 0.0;
        const double ref = cnn_ref_conv2d_point(d, x, w, b, n, k, oy, ox, &mag);
        if (!(fabs(got[i] - ref) <= cnn_ref_conv2d_tolerance(d, w, k, mag, x_max))) {
            if (bad++ < 4)
                fprintf(stderr, "    out[n%lld k%lld y%lld x%lld] = %g, reference %g\n",
                        (long long)n, (long long)k, (long long)oy, (long long)ox, got[i], ref);
        }
    }
    CHECK_MSG(bad == 0, "%lld of %lld outputs differ", (long long)bad, (long long)ny);
    return 0;
}

static int test_every_candidate(cnn_context *ctx)
{
    cnn_backend *be = ctx->backend;
    if (!be->vt->conv2d_candidates)
        return 0;
    int tried = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape_case *q = &shapes[i];
        const int64_t groups = q->groups;
        const int64_t xs[4] = {q->n, q->c, q->h, q->w};
        const int64_t ws[4] = {q->k, q->c / groups, q->r, q->s};
        cnn_conv2d_params p = cnn_conv2d_params_default();
        p.groups = groups;
        p.stride_h = p.stride_w = q->stride;
        p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = q->pad;
        p.activation = CNN_ACTIVATION_RELU;
        cnn_conv2d_desc d;
        CHECK_OK(cnn_conv2d_make_desc(NULL, &d, xs, ws, 1, &p));
        const int64_t nx = q->n * q->c * q->h * q->w, nw = ws[0] * ws[1] * ws[2] * ws[3];
        const int64_t ny = d.n * d.k * d.oh * d.ow;
        float *x = tu_floats(nx), *w = tu_floats(nw), *b = tu_floats(d.k);
        float *nan_fill = tu_floats_fill(ny, NAN);
        CHECK(x && w && b && nan_fill);
        tu_rng r = tu_rng_make(23 + i);
        tu_fill_uniform(&r, x, nx, -1, 1);
        tu_fill_uniform(&r, w, nw, -1, 1);
        tu_fill_uniform(&r, b, d.k, -1, 1);
        const int64_t ys[4] = {d.n, d.k, d.oh, d.ow};
        cnn_tensor *tx, *tw, *tb, *ty;
        CHECK(tu_conv_tensors(ctx, xs, x, ws, w, b, ys, &tx, &tw, &tb, &ty) == 0);
        for (size_t a = 0; a < sizeof tuned_algos / sizeof tuned_algos[0]; a++) {
            cnn_conv2d_desc da = d;
            da.algo = tuned_algos[a];
            if (da.algo == CNN_CONV2D_ALGO_GEMM1X1 && (d.r != 1 || d.s != 1))
                continue;
            if (da.algo == CNN_CONV2D_ALGO_WINOGRAD && (d.r != 3 || d.s != 3 || q->stride != 1))
                continue;
            if (da.algo == CNN_CONV2D_ALGO_DEPTHWISE && d.groups != d.c)
                continue;
            char tunings[16][CNN_TUNING_MAX];
            const int m = be->vt->conv2d_candidates(be, &da, tunings, 16);
            for (int t = 0; t < m; t++) {
                memcpy(da.tuning, tunings[t], CNN_TUNING_MAX);
                da.tuning[CNN_TUNING_MAX - 1] = '\0';
                tu_note("%s, %s [%s]", q->what, cnn_conv2d_algo_string(da.algo), da.tuning);
                if (run_candidate(ctx, &da, tx, tw, tb, ty, x, w, b, nan_fill))
                    return 1;
                tried++;
            }
        }
        tu_release();
    }
    tu_clear_note();
    printf("     %d tuning candidates matched the reference\n", tried);
    CHECK(tried > 0);
    return 0;
}

/* The GPU-shaped kernels' candidates (tile shapes of the local-memory GEMM), on any device. */
static int test_every_gpu_candidate(cnn_context *ctx)
{
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_GPU));
    const int failed = test_every_candidate(ctx);
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    return failed;
}

int main(void)
{
    static const tu_case cases[] = {
        {"every tuning candidate against the reference", test_every_candidate},
        {"every tuning candidate, GPU-shaped kernels, against the reference",
         test_every_gpu_candidate},
    };
    return tu_main_opencl(cases, 2);
}
