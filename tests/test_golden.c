/* Golden tests: the seed's worked examples (shared/seed/DIGEST.md) and arrays computed by hand,
 * on every device: the reference, then each OpenCL device. Labels: golden, opencl (it never
 * skips: with no OpenCL device it runs on the reference alone).
 *
 * Every convolution is run twice, once one-shot (cnn_conv2d) and once through a plan, into an
 * output pre-filled with NaN so that an element the device forgets to write fails. Expected
 * values are small integers (exact in float) or fractions; tolerance 1e-5 relative + 1e-6. */
#include "test_util.h"

#define REL 1e-5
#define ABS 1e-6

/* ---- the seed's inputs --------------------------------------------------------------------- */

/* Worked example 1: 5x5 input, 3x3 kernel. */
static const float ex1_x[25] = {
    1, 2, 3, 4, 5,
    2, 1, 0, 1, 2,
    3, 0, 1, 1, 0,
    1, 4, 1, 1, 2,
    2, 1, 1, 0, 0,
};
static const float ex1_k[9] = {
    1, 0, 1,
    1, 0, 1,
    0, 1, 0,
};

/* Worked example 2: the 4x4 max-pooling input, with 8 (pool_x) or -8 (pool_xm) in the
 * bottom-right corner (the seed's scan makes the sign hard to read). */
static const float pool_x[16] = {
    5, 2, 3, 4,
    2, 1, 0, 1,
    3, 7, 9, 5,
    1, 4, 1, 8,
};
static const float pool_xm[16] = {
    5, 2, 3, 4,
    2, 1, 0, 1,
    3, 7, 9, 5,
    1, 4, 1, -8,
};

/* A 5x5 image for the filter table. */
static const float img[25] = {
    3, 1, 4, 1, 5,
    9, 2, 6, 5, 3,
    5, 8, 9, 7, 9,
    3, 2, 3, 8, 4,
    6, 2, 6, 4, 3,
};

/* ---- helpers ----------------------------------------------------------------------------- */

/* Run out = conv(x, w) (+ bias) one-shot and through a plan; both must equal want, which has
 * want_shape (also checked against cnn_conv2d_output_shape). bias: K floats or NULL. */
static int run_conv(cnn_context *ctx, const int64_t xs[4], const float *x, const int64_t ws[4],
                    const float *w, const float *bias, const cnn_conv2d_params *p,
                    const int64_t want_shape[4], const float *want)
{
    char desc[256];
    tu_note("%s", tu_conv_desc(desc, sizeof desc, xs, ws, p, bias != NULL));
    int64_t ys[4];
    CHECK_OK(cnn_conv2d_output_shape(ys, xs, ws, p));
    CHECK(ys[0] == want_shape[0] && ys[1] == want_shape[1] && ys[2] == want_shape[2] &&
          ys[3] == want_shape[3]);
    int64_t count = ys[0] * ys[1] * ys[2] * ys[3];

    cnn_tensor *tx = tu_tensor_from(ctx, xs[0], xs[1], xs[2], xs[3], x);
    cnn_tensor *tw = tu_tensor_from(ctx, ws[0], ws[1], ws[2], ws[3], w);
    cnn_tensor *tb = bias != NULL ? tu_tensor_from(ctx, 1, ws[0], 1, 1, bias) : NULL;
    cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
    CHECK(tx != NULL && tw != NULL && ty != NULL && (bias == NULL || tb != NULL));

    CHECK_OK(cnn_conv2d(ctx, ty, tx, tw, tb, p));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want, count, ys, REL, ABS);

    /* The same through a plan, into a fresh NaN-filled output. */
    tu_note("%s (plan)", desc);
    cnn_conv2d_plan *plan = NULL;
    CHECK_OK(cnn_conv2d_plan_create(&plan, ctx, xs, ws, bias != NULL, p));
    tu_track(TU_CONV_PLAN, plan);
    cnn_conv2d_algo algo = CNN_CONV2D_ALGO_AUTO;
    int64_t plan_ys[4] = {0, 0, 0, 0};
    CHECK_OK(cnn_conv2d_plan_info(plan, &algo, plan_ys));
    CHECK(algo != CNN_CONV2D_ALGO_AUTO);
    CHECK(plan_ys[0] == ys[0] && plan_ys[1] == ys[1] && plan_ys[2] == ys[2] &&
          plan_ys[3] == ys[3]);
    cnn_tensor *ty2 = tu_tensor_fill(ctx, ys, NAN);
    CHECK(ty2 != NULL);
    CHECK_OK(cnn_conv2d_plan_execute(plan, ty2, tx, tw, tb));
    float *got2 = tu_read(ty2);
    CHECK(got2 != NULL);
    CHECK_ARRAY(got2, want, count, ys, REL, ABS);
    return 0;
}

/* A single-channel 3x3 filter on a single-channel input. */
static int run_filter(cnn_context *ctx, const float *x, int64_t h, int64_t w,
                      const float k[9], int flip, int64_t pad, const float *bias,
                      cnn_activation act, int64_t oh, int64_t ow, const float *want)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.flip = flip;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
    p.activation = act;
    const int64_t xs[4] = {1, 1, h, w}, ws[4] = {1, 1, 3, 3}, ys[4] = {1, 1, oh, ow};
    return run_conv(ctx, xs, x, ws, k, bias, &p, ys, want);
}

/* Pool a 1x1xHxW input; want has the output shape {1, 1, oh, ow}. Max is exact. */
static int run_pool(cnn_context *ctx, const float *x, int64_t h, int64_t w,
                    const cnn_pool2d_params *p, int64_t oh, int64_t ow, const float *want)
{
    const int64_t xs[4] = {1, 1, h, w};
    char desc[256];
    tu_note("%s", tu_pool_desc(desc, sizeof desc, xs, p));
    int64_t ys[4];
    CHECK_OK(cnn_pool2d_output_shape(ys, xs, p));
    CHECK(ys[0] == 1 && ys[1] == 1 && ys[2] == oh && ys[3] == ow);
    cnn_tensor *tx = tu_tensor_from(ctx, 1, 1, h, w, x);
    cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
    CHECK(tx != NULL && ty != NULL);
    CHECK_OK(cnn_pool2d(ctx, ty, tx, p));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    double rel = p->mode == CNN_POOL_MAX ? 0.0 : REL;
    double abs = p->mode == CNN_POOL_MAX ? 0.0 : ABS;
    CHECK_ARRAY(got, want, oh * ow, ys, rel, abs);

    /* And through a plan. */
    tu_note("%s (plan)", desc);
    cnn_pool2d_plan *plan = NULL;
    CHECK_OK(cnn_pool2d_plan_create(&plan, ctx, xs, p));
    tu_track(TU_POOL_PLAN, plan);
    cnn_tensor *ty2 = tu_tensor_fill(ctx, ys, NAN);
    CHECK(ty2 != NULL);
    CHECK_OK(cnn_pool2d_plan_execute(plan, ty2, tx));
    float *got2 = tu_read(ty2);
    CHECK(got2 != NULL);
    CHECK_ARRAY(got2, want, oh * ow, ys, rel, abs);
    return 0;
}

static cnn_pool2d_params pool_params(cnn_pool_mode mode, int64_t k, int64_t s, int64_t pad,
                                     int ceil_mode, int cip)
{
    cnn_pool2d_params p = cnn_pool2d_params_default();
    p.mode = mode;
    p.kernel_h = p.kernel_w = k;
    p.stride_h = p.stride_w = s;
    p.pad_h = p.pad_w = pad;
    p.ceil_mode = ceil_mode;
    p.count_include_pad = cip;
    return p;
}

/* ---- convolution ------------------------------------------------------------------------- */

/* Worked example 1 as the seed computes it (cross-correlation); the first four steps are 6, 9,
 * 11, then 10 on the second row. out(0,0) = 1+3 + 2+0 + 0 = 6. */
static int test_seed_example1(cnn_context *ctx)
{
    static const float want[9] = {
        6, 9, 11,
        10, 4, 4,
        7, 7, 4,
    };
    return run_filter(ctx, ex1_x, 5, 5, ex1_k, 0, 0, NULL, CNN_ACTIVATION_NONE, 3, 3, want);
}

/* Example 1 with flip = 1: the kernel is not symmetric under a 180-degree rotation, so the
 * result differs. Rotated kernel [[0,1,0],[1,0,1],[1,0,1]]: out(0,0) = 2 + 2+0 + 3+1 = 8. */
static int test_seed_example1_flip(cnn_context *ctx)
{
    static const float want[9] = {
        8, 6, 7,
        7, 6, 5,
        5, 7, 5,
    };
    return run_filter(ctx, ex1_x, 5, 5, ex1_k, 1, 0, NULL, CNN_ACTIVATION_NONE, 3, 3, want);
}

/* Example 1 with padding 1 and stride 2: OH = (5+2-3)/2+1 = 3.
 * out(0,0) sees rows -1..1, cols -1..1: only k12*x01 = 2 and k21*x10 = 2 land inside: 4. */
static int test_seed_example1_pad_stride(cnn_context *ctx)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    static const float want[9] = {
        4, 6, 6,
        2, 4, 4,
        5, 6, 1,
    };
    const int64_t xs[4] = {1, 1, 5, 5}, ws[4] = {1, 1, 3, 3}, ys[4] = {1, 1, 3, 3};
    return run_conv(ctx, xs, ex1_x, ws, ex1_k, NULL, &p, ys, want);
}

/* Example 1 with dilation 2: the taps fall on x00, x04, x20, x24, x42: 1+5+3+0+1 = 10. */
static int test_seed_example1_dilation(cnn_context *ctx)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.dilation_h = p.dilation_w = 2;
    static const float want[1] = {10};
    const int64_t xs[4] = {1, 1, 5, 5}, ws[4] = {1, 1, 3, 3}, ys[4] = {1, 1, 1, 1};
    return run_conv(ctx, xs, ex1_x, ws, ex1_k, NULL, &p, ys, want);
}

/* Example 1 with asymmetric padding (top 1, bottom 0, left 0, right 2) and stride 1x2:
 * OH = 5+1-3+1 = 4, OW = (5+2-3)/2+1 = 3. out(0,0) = x00 + x02 + x11 = 1+3+1 = 5;
 * out(3,2) sees rows 2..4, cols 4..6: x24*1 + x34*1 + x45*1(pad) = 0+2+0 = 2. */
static int test_seed_example1_asymmetric(cnn_context *ctx)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.stride_w = 2;
    p.pad_top = 1;
    p.pad_right = 2;
    static const float want[12] = {
        5, 9, 5,
        6, 11, 7,
        10, 4, 2,
        7, 4, 2,
    };
    const int64_t xs[4] = {1, 1, 5, 5}, ws[4] = {1, 1, 3, 3}, ys[4] = {1, 1, 4, 3};
    return run_conv(ctx, xs, ex1_x, ws, ex1_k, NULL, &p, ys, want);
}

/* Example 1 with a bias of -5, with and without ReLU: 6-5 = 1, 4-5 = -1 -> 0. */
static int test_seed_example1_bias_relu(cnn_context *ctx)
{
    static const float bias[1] = {-5};
    static const float want_none[9] = {
        1, 4, 6,
        5, -1, -1,
        2, 2, -1,
    };
    static const float want_relu[9] = {
        1, 4, 6,
        5, 0, 0,
        2, 2, 0,
    };
    CHECK(run_filter(ctx, ex1_x, 5, 5, ex1_k, 0, 0, bias, CNN_ACTIVATION_NONE, 3, 3,
                     want_none) == 0);
    CHECK(run_filter(ctx, ex1_x, 5, 5, ex1_k, 0, 0, bias, CNN_ACTIVATION_RELU, 3, 3,
                     want_relu) == 0);
    /* ReLU without bias keeps the (all positive) feature map. */
    static const float want_plain[9] = {6, 9, 11, 10, 4, 4, 7, 7, 4};
    CHECK(run_filter(ctx, ex1_x, 5, 5, ex1_k, 0, 0, NULL, CNN_ACTIVATION_RELU, 3, 3,
                     want_plain) == 0);
    return 0;
}

/* Batch 2 and two output channels with their own biases. Image 1 is example 1; image 2 is
 * 10 - x. Kernel 0 is the seed's kernel, kernel 1 its 180-degree rotation. By linearity
 * (the kernels sum to 5): conv(10 - x) = 50 - conv(x). Bias 0.5 and -1. */
static int test_batch_and_channels(cnn_context *ctx)
{
    float x[50], w[18];
    for (int i = 0; i < 25; i++) {
        x[i] = ex1_x[i];
        x[25 + i] = 10 - ex1_x[i];
    }
    for (int i = 0; i < 9; i++) {
        w[i] = ex1_k[i];
        w[9 + i] = ex1_k[8 - i];
    }
    static const float bias[2] = {0.5f, -1};
    static const float want[36] = {
        /* n0 k0: example 1 + 0.5 */
        6.5f, 9.5f, 11.5f, 10.5f, 4.5f, 4.5f, 7.5f, 7.5f, 4.5f,
        /* n0 k1: the flipped example ([[8,6,7],[7,6,5],[5,7,5]]) - 1 */
        7, 5, 6, 6, 5, 4, 4, 6, 4,
        /* n1 k0: 50 - example 1 + 0.5 */
        44.5f, 41.5f, 39.5f, 40.5f, 46.5f, 46.5f, 43.5f, 43.5f, 46.5f,
        /* n1 k1: 50 - flipped - 1 */
        41, 43, 42, 42, 43, 44, 44, 42, 44,
    };
    cnn_conv2d_params p = cnn_conv2d_params_default();
    const int64_t xs[4] = {2, 1, 5, 5}, ws[4] = {2, 1, 3, 3}, ys[4] = {2, 2, 3, 3};
    return run_conv(ctx, xs, x, ws, w, bias, &p, ys, want);
}

/* The seed's multi-channel example: a 3x3x3 input and a 2x2x3 kernel give a 2x2x1 map; each
 * channel is convolved with its slice and the three are summed. */
static const float mc_x[27] = {
    /* R */ 1, 2, 0, 0, 1, 3, 2, 1, 0,
    /* G */ 0, 1, 1, 2, 0, 1, 1, 1, 2,
    /* B */ 3, 0, 1, 1, 2, 0, 0, 1, 1,
};
static const float mc_k0[12] = {
    /* R */ 1, 0, 0, 1,
    /* G */ 0, 1, 1, 0,
    /* B */ 1, 1, 0, -1,
};
static const float mc_k1[12] = {
    /* R */ 2, -1, 0, 1,
    /* G */ 1, 0, 0, -1,
    /* B */ 0, 0, 1, 1,
};

/* Kernel 0, per channel:
 *   R: [[1+1, 2+3], [0+1, 1+0]] = [[2,5],[1,1]]
 *   G: [[1+2, 1+0], [0+1, 1+1]] = [[3,1],[1,2]]
 *   B: [[3+0-2, 0+1-0], [1+2-1, 2+0-1]] = [[1,1],[2,1]]
 *   sum: [[6,7],[4,4]].
 * Kernel 1: R [[2-2+1, 4-0+3], [0-1+1, 2-3+0]] = [[1,7],[0,-1]],
 *           G [[0+0, 1-1], [2-1, 0-2]] = [[0,0],[1,-2]],
 *           B [[1+2, 2+0], [0+1, 1+1]] = [[3,2],[1,2]]; sum [[4,9],[2,-1]]. */
static int test_seed_multichannel(cnn_context *ctx)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    static const float want1[4] = {6, 7, 4, 4};
    const int64_t xs[4] = {1, 3, 3, 3}, ws1[4] = {1, 3, 2, 2}, ys1[4] = {1, 1, 2, 2};
    CHECK(run_conv(ctx, xs, mc_x, ws1, mc_k0, NULL, &p, ys1, want1) == 0);

    float w2[24];
    memcpy(w2, mc_k0, sizeof mc_k0);
    memcpy(w2 + 12, mc_k1, sizeof mc_k1);
    static const float want2[8] = {6, 7, 4, 4, 4, 9, 2, -1};
    const int64_t ws2[4] = {2, 3, 2, 2}, ys2[4] = {1, 2, 2, 2};
    CHECK(run_conv(ctx, xs, mc_x, ws2, w2, NULL, &p, ys2, want2) == 0);

    /* flip = 1 rotates every channel's 2x2 slice: R [[1,0],[0,1]] stays, G [[0,1],[1,0]]
     * stays, B becomes [[-1,0],[1,1]]: B out(0,0) = -3 + 1 + 2 = 0, so out(0,0) = 2+3+0 = 5;
     * whole map [[5,8],[2,3]]. */
    p.flip = 1;
    static const float want3[4] = {5, 8, 2, 3};
    CHECK(run_conv(ctx, xs, mc_x, ws1, mc_k0, NULL, &p, ys1, want3) == 0);
    return 0;
}

/* Depthwise (groups = C = K = 3): each output channel is one channel's map from above. */
static int test_depthwise(cnn_context *ctx)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.groups = 3;
    static const float want[12] = {2, 5, 1, 1, 3, 1, 1, 2, 1, 1, 2, 1};
    const int64_t xs[4] = {1, 3, 3, 3}, ws[4] = {3, 1, 2, 2}, ys[4] = {1, 3, 2, 2};
    return run_conv(ctx, xs, mc_x, ws, mc_k0, NULL, &p, ys, want);
}

/* ---- the seed's filter table, as image filters (flip = 1, padding 1: same size) ---------- */

/* All six kernels of the table are symmetric under a 180-degree rotation (edge 1 is not
 * symmetric under a left-right mirror, but it is under the rotation), so flip = 1 and flip = 0
 * agree on them; the Sobel case below is the asymmetric one. */
static const float f_identity[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0};
static const float f_edge1[9] = {1, 0, -1, 0, 0, 0, -1, 0, 1};
static const float f_edge2[9] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
static const float f_edge3[9] = {-1, -1, -1, -1, 8, -1, -1, -1, -1};
static const float f_sharpen[9] = {0, -1, 0, -1, 5, -1, 0, -1, 0};
static const float f_sobel[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1};

static int test_filter_identity(cnn_context *ctx)
{
    /* The identity returns the image. */
    CHECK(run_filter(ctx, img, 5, 5, f_identity, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, img) ==
          0);
    return run_filter(ctx, img, 5, 5, f_identity, 0, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, img);
}

/* Edge 1: out(y,x) = x[y-1][x-1] - x[y-1][x+1] - x[y+1][x-1] + x[y+1][x+1] (zeros outside).
 * out(0,0) = 0 - 0 - 0 + x11 = 2; out(1,1) = x00 - x02 - x20 + x22 = 3-4-5+9 = 3. */
static int test_filter_edge1(cnn_context *ctx)
{
    static const float want[25] = {
        2, -3, 3, -3, -5,
        7, 3, -1, -1, -6,
        0, 3, 3, 4, -3,
        -6, -4, 3, -3, 3,
        -2, 0, -6, -1, 8,
    };
    CHECK(run_filter(ctx, img, 5, 5, f_edge1, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, want) ==
          0);
    return run_filter(ctx, img, 5, 5, f_edge1, 0, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, want);
}

/* Edge 2 (Laplacian): out(0,0) = -4*3 + 1 + 9 = -2; out(2,2) = -36 + 6+8+7+3 = -12. */
static int test_filter_edge2(cnn_context *ctx)
{
    static const float want[25] = {
        -2, 5, -8, 10, -16,
        -26, 16, -4, -3, 7,
        0, -14, -12, 3, -22,
        1, 8, 13, -14, 4,
        -19, 6, -15, 1, -4,
    };
    return run_filter(ctx, img, 5, 5, f_edge2, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, want);
}

/* Edge 3: out = 9*x - (sum of the 3x3 neighbourhood); out(0,0) = 9*3 - (3+1+9+2) = 27 - 15
 * = 12; out(2,2) = 81 - 50 = 31. */
static int test_filter_edge3(cnn_context *ctx)
{
    static const float want[25] = {
        12, -16, 17, -15, 31,
        53, -29, 11, -4, -3,
        16, 25, 31, 9, 45,
        1, -26, -22, 19, 1,
        41, -4, 29, 8, 8,
    };
    return run_filter(ctx, img, 5, 5, f_edge3, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, want);
}

/* Sharpen = identity - Laplacian: out = x - edge2; out(0,0) = 3 + 2 = 5, out(2,2) = 9 + 12
 * = 21. */
static int test_filter_sharpen(cnn_context *ctx)
{
    static const float want[25] = {
        5, -4, 12, -9, 21,
        35, -14, 10, 8, -4,
        5, 22, 21, 4, 31,
        2, -6, -10, 22, 0,
        25, -4, 21, 3, 7,
    };
    return run_filter(ctx, img, 5, 5, f_sharpen, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, want);
}

/* Box blur: the 3x3 neighbourhood sums divided by 9 (zeros outside). out(0,0) = (3+1+9+2)/9
 * = 15/9; out(2,2) = (2+6+5+8+9+7+2+3+8)/9 = 50/9. */
static int test_filter_box_blur(cnn_context *ctx)
{
    static const float sums[25] = {
        15, 25, 19, 24, 14,
        28, 47, 43, 49, 30,
        29, 47, 50, 54, 36,
        26, 44, 49, 53, 35,
        13, 22, 25, 28, 19,
    };
    float k[9], want[25];
    for (int i = 0; i < 9; i++) {
        k[i] = 1.0f / 9.0f;
    }
    for (int i = 0; i < 25; i++) {
        want[i] = sums[i] / 9.0f;
    }
    return run_filter(ctx, img, 5, 5, k, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5, want);
}

/* Sobel [[1,0,-1],[2,0,-2],[1,0,-1]] is antisymmetric under the rotation: flip = 1 negates the
 * cross-correlation. Cross-correlation out(0,0): the only taps inside the image are x01 = 1
 * (weight -2) and x11 = 2 (weight -1): -2 - 2 = -4. */
static int test_filter_sobel_flip(cnn_context *ctx)
{
    static const float want_xcorr[25] = {
        -4, 1, -3, 1, 7,
        -13, 1, -5, 5, 18,
        -20, -5, -7, 2, 27,
        -14, -4, -13, 1, 27,
        -6, 0, -10, 5, 16,
    };
    float want_conv[25], want_relu[25];
    for (int i = 0; i < 25; i++) {
        want_conv[i] = -want_xcorr[i];
        want_relu[i] = want_xcorr[i] > 0 ? want_xcorr[i] : 0;
    }
    CHECK(run_filter(ctx, img, 5, 5, f_sobel, 0, 1, NULL, CNN_ACTIVATION_NONE, 5, 5,
                     want_xcorr) == 0);
    CHECK(run_filter(ctx, img, 5, 5, f_sobel, 1, 1, NULL, CNN_ACTIVATION_NONE, 5, 5,
                     want_conv) == 0);
    /* ReLU keeps the positive half. */
    CHECK(run_filter(ctx, img, 5, 5, f_sobel, 0, 1, NULL, CNN_ACTIVATION_RELU, 5, 5,
                     want_relu) == 0);
    return 0;
}

/* ---- bias + activation as an operation ---------------------------------------------------- */

/* cnn_bias_act on example 1's feature map, out of place and in place. */
static int test_bias_act(cnn_context *ctx)
{
    static const float fmap[18] = {
        6, 9, 11, 10, 4, 4, 7, 7, 4,       /* channel 0 */
        -4, 1, -3, 1, 7, -13, 1, -5, 5,    /* channel 1 */
    };
    static const float bias[2] = {-5, 2};
    static const float want_none[18] = {
        1, 4, 6, 5, -1, -1, 2, 2, -1,
        -2, 3, -1, 3, 9, -11, 3, -3, 7,
    };
    static const float want_relu[18] = {
        1, 4, 6, 5, 0, 0, 2, 2, 0,
        0, 3, 0, 3, 9, 0, 3, 0, 7,
    };
    static const float want_relu_nobias[18] = {
        6, 9, 11, 10, 4, 4, 7, 7, 4,
        0, 1, 0, 1, 7, 0, 1, 0, 5,
    };
    const int64_t s[4] = {1, 2, 3, 3};
    cnn_tensor *x = tu_tensor_from(ctx, 1, 2, 3, 3, fmap);
    cnn_tensor *b = tu_tensor_from(ctx, 1, 2, 1, 1, bias);
    cnn_tensor *y = tu_tensor_fill(ctx, s, NAN);
    CHECK(x != NULL && b != NULL && y != NULL);

    CHECK_OK(cnn_bias_act(ctx, y, x, b, CNN_ACTIVATION_NONE));
    float *got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_none, 18, s, 0, 0);

    CHECK_OK(cnn_bias_act(ctx, y, x, b, CNN_ACTIVATION_RELU));
    got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_relu, 18, s, 0, 0);

    CHECK_OK(cnn_bias_act(ctx, y, x, NULL, CNN_ACTIVATION_RELU));
    got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_relu_nobias, 18, s, 0, 0);

    /* x was not touched by the out-of-place calls. */
    got = tu_read(x);
    CHECK(got != NULL);
    CHECK_ARRAY(got, fmap, 18, s, 0, 0);

    /* In place. */
    CHECK_OK(cnn_bias_act(ctx, x, x, b, CNN_ACTIVATION_RELU));
    got = tu_read(x);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_relu, 18, s, 0, 0);
    return 0;
}

/* ---- pooling ------------------------------------------------------------------------------ */

/* The seed's max pooling, 2x2 stride 2: [[5,4],[7,9]], with 8 or -8 in the corner. */
static int test_seed_max_pool(cnn_context *ctx)
{
    static const float want[4] = {5, 4, 7, 9};
    cnn_pool2d_params p = cnn_pool2d_params_default(); /* max 2x2 stride 2 */
    CHECK(run_pool(ctx, pool_x, 4, 4, &p, 2, 2, want) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &p, 2, 2, want) == 0);
    return 0;
}

/* Average pooling of the same input, 2x2 stride 2:
 *   (5+2+2+1)/4 = 2.5, (3+4+0+1)/4 = 2, (3+7+1+4)/4 = 3.75, (9+5+1+8)/4 = 5.75;
 *   with -8 in the corner: (9+5+1-8)/4 = 1.75. */
static int test_avg_pool(cnn_context *ctx)
{
    cnn_pool2d_params p = pool_params(CNN_POOL_AVG, 2, 2, 0, 0, 1);
    static const float want[4] = {2.5f, 2, 3.75f, 5.75f};
    static const float want_m[4] = {2.5f, 2, 3.75f, 1.75f};
    CHECK(run_pool(ctx, pool_x, 4, 4, &p, 2, 2, want) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &p, 2, 2, want_m) == 0);
    return 0;
}

/* 2x2 stride 2 with padding 1: 3x3 windows over rows/cols {-1,0}, {1,2}, {3,4}.
 * Max: padding never wins, so the corner window holding only -8 gives -8 (not 0).
 * Avg, count_include_pad = 1: always divide by 4 (every window lies inside the padded input):
 *   (0,0) 5/4, (0,1) (2+3)/4, (0,2) 4/4, (1,0) (2+3)/4, (1,1) (1+0+7+9)/4 = 17/4,
 *   (1,2) (1+5)/4, (2,0) 1/4, (2,1) (4+1)/4, (2,2) 8/4 (or -8/4).
 * Avg, count_include_pad = 0: divide by the input cells only: corners by 1, edges by 2,
 *   the centre by 4: 5, 2.5, 4 / 2.5, 4.25, 3 / 1, 2.5, 8 (or -8). */
static int test_pool_padding(cnn_context *ctx)
{
    cnn_pool2d_params max = pool_params(CNN_POOL_MAX, 2, 2, 1, 0, 1);
    static const float want_max[9] = {5, 3, 4, 3, 9, 5, 1, 4, 8};
    static const float want_max_m[9] = {5, 3, 4, 3, 9, 5, 1, 4, -8};
    CHECK(run_pool(ctx, pool_x, 4, 4, &max, 3, 3, want_max) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &max, 3, 3, want_max_m) == 0);

    cnn_pool2d_params cip1 = pool_params(CNN_POOL_AVG, 2, 2, 1, 0, 1);
    static const float want_cip1[9] = {1.25f, 1.25f, 1, 1.25f, 4.25f, 1.5f, 0.25f, 1.25f, 2};
    static const float want_cip1_m[9] = {1.25f, 1.25f, 1, 1.25f, 4.25f, 1.5f, 0.25f, 1.25f, -2};
    CHECK(run_pool(ctx, pool_x, 4, 4, &cip1, 3, 3, want_cip1) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &cip1, 3, 3, want_cip1_m) == 0);

    cnn_pool2d_params cip0 = pool_params(CNN_POOL_AVG, 2, 2, 1, 0, 0);
    static const float want_cip0[9] = {5, 2.5f, 4, 2.5f, 4.25f, 3, 1, 2.5f, 8};
    static const float want_cip0_m[9] = {5, 2.5f, 4, 2.5f, 4.25f, 3, 1, 2.5f, -8};
    CHECK(run_pool(ctx, pool_x, 4, 4, &cip0, 3, 3, want_cip0) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &cip0, 3, 3, want_cip0_m) == 0);
    return 0;
}

/* ceil_mode, 3x3 stride 2 padding 1 on the 4x4 input: OH = (4+2-3+1)/2+1 = 3 (floor mode: 2).
 * Windows start at -1, 1, 3; the last one covers rows 3, 4 (padding) and 5 (past the padded
 * extent -1..4). count_include_pad = 1 divides by the cells inside the padded extent:
 *   9 for (0,0), 6 for the last row/column, 4 for (2,2); count_include_pad = 0 by input cells.
 *   (0,0): 5+2+2+1 = 10 -> 10/9 | 10/4 = 2.5
 *   (0,1): rows 0..1, cols 1..3: 2+3+4+1+0+1 = 11 -> 11/9 | 11/6
 *   (0,2): rows 0..1, col 3: 4+1 = 5 -> 5/6 | 5/2
 *   (1,0): rows 1..3, cols 0..1: 2+1+3+7+1+4 = 18 -> 18/9 = 2 | 18/6 = 3
 *   (1,1): rows 1..3, cols 1..3: 1+0+1+7+9+5+4+1+8 = 36 -> 4 | 4 (-8: 20 -> 20/9 | 20/9)
 *   (1,2): rows 1..3, col 3: 1+5+8 = 14 -> 14/6 | 14/3 (-8: -2 -> -2/6 | -2/3)
 *   (2,0): row 3, cols 0..1: 1+4 = 5 -> 5/6 | 5/2
 *   (2,1): row 3, cols 1..3: 4+1+8 = 13 -> 13/6 | 13/3 (-8: -3 -> -3/6 | -3/3)
 *   (2,2): row 3, col 3: 8 -> 8/4 = 2 | 8 (-8: -2 | -8)
 * Max: [[5,4,4],[7,9,8],[4,8,8]]; with -8: [[5,4,4],[7,9,5],[4,4,-8]]. */
static int test_pool_ceil(cnn_context *ctx)
{
    cnn_pool2d_params max = pool_params(CNN_POOL_MAX, 3, 2, 1, 1, 1);
    static const float want_max[9] = {5, 4, 4, 7, 9, 8, 4, 8, 8};
    static const float want_max_m[9] = {5, 4, 4, 7, 9, 5, 4, 4, -8};
    CHECK(run_pool(ctx, pool_x, 4, 4, &max, 3, 3, want_max) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &max, 3, 3, want_max_m) == 0);

    cnn_pool2d_params cip1 = pool_params(CNN_POOL_AVG, 3, 2, 1, 1, 1);
    const float want_cip1[9] = {10.0f / 9, 11.0f / 9, 5.0f / 6, 2, 4, 14.0f / 6,
                                5.0f / 6, 13.0f / 6, 2};
    const float want_cip1_m[9] = {10.0f / 9, 11.0f / 9, 5.0f / 6, 2, 20.0f / 9, -2.0f / 6,
                                  5.0f / 6, -3.0f / 6, -2};
    CHECK(run_pool(ctx, pool_x, 4, 4, &cip1, 3, 3, want_cip1) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &cip1, 3, 3, want_cip1_m) == 0);

    cnn_pool2d_params cip0 = pool_params(CNN_POOL_AVG, 3, 2, 1, 1, 0);
    const float want_cip0[9] = {2.5f, 11.0f / 6, 2.5f, 3, 4, 14.0f / 3, 2.5f, 13.0f / 3, 8};
    const float want_cip0_m[9] = {2.5f, 11.0f / 6, 2.5f, 3, 20.0f / 9, -2.0f / 3,
                                  2.5f, -1, -8};
    CHECK(run_pool(ctx, pool_x, 4, 4, &cip0, 3, 3, want_cip0) == 0);
    CHECK(run_pool(ctx, pool_xm, 4, 4, &cip0, 3, 3, want_cip0_m) == 0);

    /* Floor mode drops the partial windows: 2x2 outputs (0,0), (0,1), (1,0), (1,1). */
    cnn_pool2d_params floor_max = pool_params(CNN_POOL_MAX, 3, 2, 1, 0, 1);
    static const float want_floor[4] = {5, 4, 7, 9};
    CHECK(run_pool(ctx, pool_x, 4, 4, &floor_max, 2, 2, want_floor) == 0);
    return 0;
}

/* ceil_mode without padding, 2x2 stride 2 on example 1's 5x5 input: 3x3 output; the last row
 * and column windows hang past the input and divide by the cells inside it (here
 * count_include_pad changes nothing: there is no padding):
 *   (0,0) (1+2+2+1)/4 = 1.5, (0,1) (3+4+0+1)/4 = 2, (0,2) (5+2)/2 = 3.5,
 *   (1,0) (3+0+1+4)/4 = 2, (1,1) (1+1+1+1)/4 = 1, (1,2) (0+2)/2 = 1,
 *   (2,0) (2+1)/2 = 1.5, (2,1) (1+0)/2 = 0.5, (2,2) 0/1 = 0.
 * Max: [[2,4,5],[4,1,2],[2,1,0]]. */
static int test_pool_ceil_no_padding(cnn_context *ctx)
{
    static const float want_avg[9] = {1.5f, 2, 3.5f, 2, 1, 1, 1.5f, 0.5f, 0};
    static const float want_max[9] = {2, 4, 5, 4, 1, 2, 2, 1, 0};
    for (int cip = 0; cip <= 1; cip++) {
        cnn_pool2d_params avg = pool_params(CNN_POOL_AVG, 2, 2, 0, 1, cip);
        CHECK(run_pool(ctx, ex1_x, 5, 5, &avg, 3, 3, want_avg) == 0);
    }
    cnn_pool2d_params max = pool_params(CNN_POOL_MAX, 2, 2, 0, 1, 1);
    CHECK(run_pool(ctx, ex1_x, 5, 5, &max, 3, 3, want_max) == 0);
    return 0;
}

/* 3x3 stride 1 padding 1 average on example 1 (same size). count_include_pad = 1 divides by 9
 * everywhere: out(0,0) = (1+2+2+1)/9 = 6/9; count_include_pad = 0 divides the corner by 4
 * (6/4 = 1.5) and the edges by 6: out(0,1) = (1+2+3+2+1+0)/6 = 9/6 = 1.5. */
static int test_pool_avg_same(cnn_context *ctx)
{
    static const float sums[25] = {
        6, 9, 11, 15, 12,
        9, 13, 13, 17, 13,
        11, 13, 10, 9, 7,
        11, 14, 10, 7, 4,
        8, 10, 8, 5, 3,
    };
    static const float cells[25] = {
        4, 6, 6, 6, 4,
        6, 9, 9, 9, 6,
        6, 9, 9, 9, 6,
        6, 9, 9, 9, 6,
        4, 6, 6, 6, 4,
    };
    float want1[25], want0[25];
    for (int i = 0; i < 25; i++) {
        want1[i] = sums[i] / 9.0f;
        want0[i] = sums[i] / cells[i];
    }
    cnn_pool2d_params cip1 = pool_params(CNN_POOL_AVG, 3, 1, 1, 0, 1);
    cnn_pool2d_params cip0 = pool_params(CNN_POOL_AVG, 3, 1, 1, 0, 0);
    CHECK(run_pool(ctx, ex1_x, 5, 5, &cip1, 5, 5, want1) == 0);
    CHECK(run_pool(ctx, ex1_x, 5, 5, &cip0, 5, 5, want0) == 0);
    return 0;
}

/* Global pooling over a 2x2-channel batch: image 0 has channels pool_x and pool_xm, image 1
 * has them swapped. Sum of pool_x = 56 -> avg 3.5, max 9; pool_xm: sum 40 -> 2.5, max 9. */
static int test_global_pool(cnn_context *ctx)
{
    float x[64];
    memcpy(x, pool_x, sizeof pool_x);
    memcpy(x + 16, pool_xm, sizeof pool_xm);
    memcpy(x + 32, pool_xm, sizeof pool_xm);
    memcpy(x + 48, pool_x, sizeof pool_x);
    cnn_tensor *tx = tu_tensor_from(ctx, 2, 2, 4, 4, x);
    const int64_t ys[4] = {2, 2, 1, 1};
    cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
    CHECK(tx != NULL && ty != NULL);

    cnn_pool2d_params p = cnn_pool2d_params_default();
    p.global = 1;
    p.mode = CNN_POOL_AVG;
    CHECK_OK(cnn_pool2d(ctx, ty, tx, &p));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    static const float want_avg[4] = {3.5f, 2.5f, 2.5f, 3.5f};
    CHECK_ARRAY(got, want_avg, 4, ys, REL, ABS);

    p.mode = CNN_POOL_MAX;
    CHECK_OK(cnn_pool2d(ctx, ty, tx, &p));
    got = tu_read(ty);
    CHECK(got != NULL);
    static const float want_max[4] = {9, 9, 9, 9};
    CHECK_ARRAY(got, want_max, 4, ys, 0, 0);

    /* All negative: the max is the largest negative value (-0.5), not 0. */
    float neg[16];
    for (int i = 0; i < 16; i++) {
        neg[i] = -1.0f - (float)i;
    }
    neg[9] = -0.5f;
    cnn_tensor *tn = tu_tensor_from(ctx, 1, 1, 4, 4, neg);
    const int64_t ys1[4] = {1, 1, 1, 1};
    cnn_tensor *tm = tu_tensor_fill(ctx, ys1, NAN);
    CHECK(tn != NULL && tm != NULL);
    CHECK_OK(cnn_pool2d(ctx, tm, tn, &p));
    got = tu_read(tm);
    CHECK(got != NULL);
    CHECK(got[0] == -0.5f);
    return 0;
}

/* ---- driver ------------------------------------------------------------------------------- */

typedef struct named_test {
    const char *name;
    tu_test_fn fn;
} named_test;

static const named_test tests[] = {
    {"seed example 1", test_seed_example1},
    {"seed example 1, flip", test_seed_example1_flip},
    {"seed example 1, pad 1 stride 2", test_seed_example1_pad_stride},
    {"seed example 1, dilation 2", test_seed_example1_dilation},
    {"seed example 1, asymmetric padding", test_seed_example1_asymmetric},
    {"seed example 1, bias and ReLU", test_seed_example1_bias_relu},
    {"batch 2, two output channels, bias", test_batch_and_channels},
    {"seed multi-channel 3x3x3 * 2x2x3", test_seed_multichannel},
    {"depthwise", test_depthwise},
    {"filter identity", test_filter_identity},
    {"filter edge 1", test_filter_edge1},
    {"filter edge 2", test_filter_edge2},
    {"filter edge 3", test_filter_edge3},
    {"filter sharpen", test_filter_sharpen},
    {"filter box blur", test_filter_box_blur},
    {"filter Sobel, flip 0 vs 1, ReLU", test_filter_sobel_flip},
    {"bias_act", test_bias_act},
    {"seed max pool", test_seed_max_pool},
    {"avg pool", test_avg_pool},
    {"pool padding", test_pool_padding},
    {"pool ceil mode", test_pool_ceil},
    {"pool ceil mode, no padding", test_pool_ceil_no_padding},
    {"avg pool 3x3 same", test_pool_avg_same},
    {"global pool", test_global_pool},
};

int main(void)
{
    tu_devices devs;
    if (tu_device_selectors(&devs, 1) != 0) {
        return 1;
    }
    int failures = 0;
    for (int d = 0; d < devs.count; d++) {
        cnn_context *ctx = tu_context(devs.selector[d]);
        if (ctx == NULL) {
            failures++;
            continue;
        }
        for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
            failures += tu_run(tests[i].name, tests[i].fn, ctx);
        }
        tu_context_destroy(ctx);
    }
    tu_release_all_memory();
    printf("%d device(s), %d failure(s)\n", devs.count, failures);
    return failures == 0 ? 0 : 1;
}
