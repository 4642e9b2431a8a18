/* The workspace limit (cnn_context_set_workspace_limit): an operation whose padded input copy
 * (or Winograd's transformed tiles) is larger than the limit runs in passes over parts of the
 * batch (rows of tiles), with the same results as in one pass; one whose smallest part does
 * not fit falls back to the direct kernel (AUTO) or fails with CNN_ERROR_LIMIT_EXCEEDED
 * (forced), and never writes a wrong output. */
#include "test_util.h"

#include "conv_problem.h"

#include "cnn_internal.h"
#include "reference.h"

/* A padded 3x3 convolution (igemm needs a padded copy) and a depthwise one, batch 5. */
static int run_case(cnn_context *ctx, cnn_conv2d_params p, const int64_t xs[4],
                    const int64_t ws[4], uint64_t limit, cnn_status expect)
{
    tu_conv_problem pr;
    if (tu_conv_problem_make(&pr, xs, ws, &p, 7))
        return 1;
    CHECK_OK(cnn_context_set_workspace_limit(ctx, limit));
    cnn_conv2d_plan *plan = NULL;
    CHECK_STATUS(cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &p), expect);
    if (expect != CNN_SUCCESS) {
        CHECK(plan == NULL);
        CHECK(strstr(cnn_context_last_error(ctx), "workspace limit") != NULL);
        CHECK_OK(cnn_context_set_workspace_limit(ctx, 0));
        return 0;
    }
    tu_track(TU_CONV_PLAN, plan);
    cnn_conv2d_algo algo = CNN_CONV2D_ALGO_AUTO;
    int64_t plan_ys[4];
    CHECK_OK(cnn_conv2d_plan_info(plan, &algo, plan_ys));
    CHECK(p.algo == CNN_CONV2D_ALGO_AUTO || algo == p.algo);
    if (tu_conv_problem_run(ctx, &pr, plan, algo, 2)) /* twice: repacked weights kept */
        return 1;
    CHECK_OK(cnn_context_set_workspace_limit(ctx, 0));
    return 0;
}

/* The cases in one kernel family. */
static int split_cases(cnn_context *ctx, cnn_kernel_family family)
{
    CHECK_OK(cnn_context_set_kernel_family(ctx, family));
    tu_note("kernel family %s", family == CNN_KERNELS_GPU ? "GPU" : "CPU");
    const int64_t xs[4] = {5, 6, 9, 11}, ws[4] = {20, 6, 3, 3};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    /* One padded image is 6 channels x 11 rows x 12 to 16 columns (tiles round the width up):
     * 3.2 to 4.3 kB; a limit of 8000 bytes holds one or two images, so 5 images take 3 to 5
     * passes. */
    for (int a = 0; a < 3; a++) {
        p.algo = a == 0 ? CNN_CONV2D_ALGO_AUTO : a == 1 ? CNN_CONV2D_ALGO_IGEMM
                                                        : CNN_CONV2D_ALGO_DIRECT;
        tu_note("split, algo %s", cnn_conv2d_algo_string(p.algo));
        if (run_case(ctx, p, xs, ws, 8000, CNN_SUCCESS))
            return 1;
    }
    /* Depthwise under a limit smaller than one image: it needs no workspace (each work-item
     * stages its input rows in local memory). */
    const int64_t dxs[4] = {5, 8, 20, 40}, dws[4] = {8, 1, 3, 3};
    cnn_conv2d_params q = cnn_conv2d_params_default();
    q.groups = 8;
    q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 1;
    q.algo = CNN_CONV2D_ALGO_DEPTHWISE;
    tu_note("depthwise, no workspace");
    if (run_case(ctx, q, dxs, dws, 64, CNN_SUCCESS))
        return 1;
    /* Winograd F(4x4) on the 9x11 map (3 tiles a row: the transforms for small maps, up to five
     * tile rows per work-item, no input copy): a row of tiles is 36 x (6 + 20) floats x 3 =
     * 11232 bytes of transformed input and products, so 30000 bytes hold two rows: the 15 rows
     * of the batch run in passes of 2 that cross images, every group cut short by its pass.
     * Under 9000 bytes not even one row fits. */
    p.algo = CNN_CONV2D_ALGO_WINOGRAD;
    tu_note("winograd split, small map");
    if (run_case(ctx, p, xs, ws, 30000, CNN_SUCCESS))
        return 1;
    tu_note("winograd, one row too large");
    if (run_case(ctx, p, xs, ws, 9000, CNN_ERROR_LIMIT_EXCEEDED))
        return 1;
    /* F(4x4) on an 18x20 map (3 images, 5 tiles a row: small-map transforms in groups of three
     * rows): a row is 36 x 26 floats x 5 = 18720 bytes, so 40000 bytes hold two rows, and every
     * group is cut short by its pass. */
    const int64_t xs4[4] = {3, 6, 18, 20};
    tu_note("winograd F(4x4) split, small map");
    if (run_case(ctx, p, xs4, ws, 40000, CNN_SUCCESS))
        return 1;
    /* F(4x4) on an 18x40 map (10 tiles a row: strips of 16 tiles over a zero-padded copy): a row
     * is 36 x 26 floats x 10 = 37440 bytes, the copy 6 x 22 x 66 floats (34848 bytes) per
     * image: 40000 bytes hold one row and one image, so each image is copied on its own and its
     * 5 rows take five passes. */
    const int64_t xs4w[4] = {3, 6, 18, 40};
    tu_note("winograd F(4x4) split, strips");
    if (run_case(ctx, p, xs4w, ws, 40000, CNN_SUCCESS))
        return 1;
    /* Not even one image fits: AUTO falls back to direct (correct results), a forced CPU-shaped
     * igemm fails cleanly; the GPU-shaped one gathers its input on the fly, without a copy, so
     * it runs. */
    p.algo = CNN_CONV2D_ALGO_AUTO;
    tu_note("one image too large, AUTO");
    if (run_case(ctx, p, xs, ws, 64, CNN_SUCCESS))
        return 1;
    p.algo = CNN_CONV2D_ALGO_IGEMM;
    tu_note("one image too large, igemm forced");
    if (run_case(ctx, p, xs, ws, 64,
                 family == CNN_KERNELS_GPU ? CNN_SUCCESS : CNN_ERROR_LIMIT_EXCEEDED))
        return 1;
    return 0;
}

static int test_split(cnn_context *ctx)
{
    const int failed = split_cases(ctx, CNN_KERNELS_CPU) || split_cases(ctx, CNN_KERNELS_GPU);
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    return failed;
}

int main(void)
{
    static const tu_case cases[] = {
        {"workspace limit: passes over the batch, fallback", test_split},
    };
    return tu_main_opencl(cases, 1);
}
