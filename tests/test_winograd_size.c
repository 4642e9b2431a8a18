/* Winograd's tile size by rule (host/cl_conv2d_winograd.c, choose_size): F(2x2) on a 7x7 map of
 * one image, whose four F(4x4) tiles would compute 64 outputs for 49; F(4x4) on the same map
 * once a batch shares its transformed weights among enough tiles; F(2x2) still on a 5x5 map at
 * batch 4, where F(4x4) does as many products and streams more weights; F(4x4) on 14x14. The
 * channels are few, so the transformed weights fit any cache. Each plan's size is read from
 * the library's debug log, and each plan runs and matches the reference. Label: opencl. */
#include "test_util.h"

#include "conv_problem.h"

typedef struct size_case {
    const char *what;
    int64_t n, hw;
    const char *size; /* as the debug log prints it: the size, the batch's tile rows and the
                         tiles a row (the self-check's one-image twin logs its own) */
} size_case;

static const size_case cases[] = {
    {"7x7, one image", 1, 7, "conv2d winograd F(2x2): 4 rows of 4 tiles"},
    {"7x7, two images", 2, 7, "conv2d winograd F(4x4): 4 rows of 2 tiles"},
    {"5x5, four images", 4, 5, "conv2d winograd F(2x2): 12 rows of 3 tiles"},
    {"14x14, one image", 1, 14, "conv2d winograd F(4x4): 4 rows of 4 tiles"},
};

static int run_case(cnn_context *ctx, const size_case *sc)
{
    tu_note("%s", sc->what);
    const int64_t xs[4] = {sc->n, 64, sc->hw, sc->hw}, ws[4] = {64, 64, 3, 3};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    p.algo = CNN_CONV2D_ALGO_WINOGRAD;
    tu_conv_problem pr;
    if (tu_conv_problem_make(&pr, xs, ws, &p, 17))
        return 1;

    cnn_conv2d_plan *plan = NULL;
    int hits = 0;
    CHECK_STATUS(tu_plan_counting(&plan, ctx, xs, ws, &p, sc->size, &hits), CNN_SUCCESS);
    CHECK_MSG(hits >= 1, "the plan did not take %s", sc->size);
    return tu_conv_problem_run(ctx, &pr, plan, p.algo, 1);
}

static int test_sizes(cnn_context *ctx)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (run_case(ctx, &cases[i]))
            return 1;
    return 0;
}

int main(void)
{
    static const tu_case cases_[] = {{"Winograd tile size by rule", test_sizes}};
    return tu_main_opencl(cases_, 1);
}
