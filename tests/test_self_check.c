/* Self-validation of kernel variants: a variant that fails its check against the reference is
 * never used on that context (the engine's own choice falls back to the direct kernel; a forced
 * algorithm fails with CNN_ERROR_UNSUPPORTED and says why), while passing variants run. The
 * failure is injected with the test-only cnn_self_check_inject_failure(), as a miscompiling
 * driver would produce it. A passed check is kept in the disk cache for later contexts. */
#include "test_util.h"

#include "cnn_internal.h"
#include "reference.h"
#include "self_check.h"

static int conv_matches(cnn_context *ctx, const cnn_conv2d_params *p, cnn_conv2d_algo *used)
{
    const int64_t xs[4] = {2, 16, 12, 12}, ws[4] = {24, 16, 3, 3};
    cnn_conv2d_desc d;
    CHECK_OK(cnn_conv2d_make_desc(NULL, &d, xs, ws, 1, p));
    const int64_t nx = 2 * 16 * 12 * 12, nw = 24 * 16 * 9, ny = d.n * d.k * d.oh * d.ow;
    float *x = tu_floats(nx), *w = tu_floats(nw), *b = tu_floats(24), *ref = tu_floats(ny);
    CHECK(x && w && b && ref);
    tu_rng r = tu_rng_make(3);
    tu_fill_uniform(&r, x, nx, -1, 1);
    tu_fill_uniform(&r, w, nw, -1, 1);
    tu_fill_uniform(&r, b, 24, -1, 1);
    cnn_ref_conv2d(&d, ref, x, w, b);
    cnn_tensor *tx = tu_tensor_from(ctx, 2, 16, 12, 12, x);
    cnn_tensor *tw = tu_tensor_from(ctx, 24, 16, 3, 3, w);
    cnn_tensor *tb = tu_tensor_from(ctx, 1, 24, 1, 1, b);
    const int64_t ys[4] = {d.n, d.k, d.oh, d.ow};
    cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
    CHECK(tx && tw && tb && ty);
    cnn_conv2d_plan *plan = NULL;
    CHECK_OK(cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, p));
    tu_track(TU_CONV_PLAN, plan);
    CHECK_OK(cnn_conv2d_plan_info(plan, used, NULL));
    CHECK_OK(cnn_conv2d_plan_execute(plan, ty, tx, tw, tb));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    CHECK_ARRAY(got, ref, ny, ys, 1e-5, 1e-4);
    return 0;
}

/* In one kernel family: the implicit GEMM's variants "miscompile" after a first healthy run. */
static int failing_variant(cnn_context *ctx, cnn_kernel_family family)
{
    CHECK_OK(cnn_context_set_kernel_family(ctx, family));
    const int gpu = family == CNN_KERNELS_GPU;
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    cnn_conv2d_algo used = CNN_CONV2D_ALGO_AUTO;
    /* Healthy: a forced igemm runs and is right. */
    p.algo = CNN_CONV2D_ALGO_IGEMM;
    if (conv_matches(ctx, &p, &used))
        return 1;
    CHECK(used == CNN_CONV2D_ALGO_IGEMM);
    /* Now a variant not used before fails its check: with the CPU family (conv2d_igemm.cl) a
     * 7x7 map takes another register tile (two rows of 7); with the GPU family
     * (conv2d_gemm_gpu.cl) 48 output channels take the wide tile rather than the narrow one
     * of 24. A forced igemm is refused... */
    cnn_self_check_inject_failure(ctx, gpu ? "conv2d_gemm_gpu.cl" : "conv2d_igemm.cl");
    const int64_t xs[4] = {1, 16, 7, 7}, ws5[4] = {gpu ? 48 : 24, 16, 5, 5};
    cnn_conv2d_plan *plan = (cnn_conv2d_plan *)ctx;
    cnn_conv2d_params q = p;
    q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 2;
    q.algo = CNN_CONV2D_ALGO_IGEMM;
    CHECK_STATUS(cnn_conv2d_plan_create(&plan, ctx, xs, ws5, 1, &q), CNN_ERROR_UNSUPPORTED);
    CHECK(plan == NULL);
    CHECK(strstr(cnn_context_last_error(ctx), "self-check") != NULL);
    /* ...and AUTO on the same shape takes another algorithm (the CPU family: direct). */
    q.algo = CNN_CONV2D_ALGO_AUTO;
    CHECK_OK(cnn_conv2d_plan_create(&plan, ctx, xs, ws5, 1, &q));
    cnn_conv2d_algo algo = CNN_CONV2D_ALGO_AUTO;
    CHECK_OK(cnn_conv2d_plan_info(plan, &algo, NULL));
    cnn_conv2d_plan_destroy(plan);
    CHECK(algo != CNN_CONV2D_ALGO_IGEMM);
    if (!gpu)
        CHECK(algo == CNN_CONV2D_ALGO_DIRECT);
    cnn_self_check_inject_failure(ctx, NULL);
    return 0;
}

static int test_failing_variant(cnn_context *ctx)
{
    const int failed =
        failing_variant(ctx, CNN_KERNELS_CPU) || failing_variant(ctx, CNN_KERNELS_GPU);
    cnn_self_check_inject_failure(ctx, NULL);
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    return failed;
}

/* A variant that passed in one context is not checked again in a new one (another process
 * alike): the pass is in the disk cache. */
static int test_pass_remembered(cnn_context *ctx)
{
    if (getenv("CNNCL_CACHE") && strcmp(getenv("CNNCL_CACHE"), "off") == 0)
        return 0;
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.algo = CNN_CONV2D_ALGO_IGEMM;
    cnn_conv2d_algo used = CNN_CONV2D_ALGO_AUTO;
    if (conv_matches(ctx, &p, &used)) /* checked here, or found on disk */
        return 1;
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    cnn_context *other = tu_track(TU_CONTEXT, tu_context(info.selector));
    CHECK(other != NULL);
    tu_log_count_begin("passed its self-check before (disk cache)");
    const int failed = conv_matches(other, &p, &used);
    const int disk_passes = tu_log_hits;
    tu_log_count_end(CNN_LOG_ERROR);
    CHECK(!failed);
    CHECK_MSG(disk_passes == 1, "%d variants found passed on disk, want 1", disk_passes);
    return 0;
}

int main(void)
{
    cnn_log_set_level(CNN_LOG_ERROR); /* the injected failure is logged at WARN */
    static const tu_case cases[] = {
        {"a variant that fails its self-check is never used", test_failing_variant},
        {"a passed self-check is remembered on disk", test_pass_remembered},
    };
    return tu_main_opencl(cases, 2);
}
