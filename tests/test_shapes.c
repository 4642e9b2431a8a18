/* Output shapes and weight counts: cnn_conv2d_output_shape, cnn_conv2d_weight_count,
 * cnn_pool2d_output_shape and the parameter defaults. No device is needed. Label: unit.
 *
 * Conv: OH = floor((H + pad_top + pad_bottom - dilation_h*(R-1) - 1) / stride_h) + 1.
 * Pool (PyTorch): OH = floor((H + 2p - k + (ceil ? s - 1 : 0)) / s) + 1, and in ceil mode
 * OH -= 1 when the last window would start in the bottom padding, i.e. (OH-1)*s >= H + p.
 * Every expectation below is worked out by hand in its comment. */
#include "test_util.h"

#define BIG (INT64_C(1) << 32)

/* ---- conv2d ------------------------------------------------------------------------------- */

typedef struct conv_case {
    const char *what;
    int64_t in[4];
    int64_t w[4];
    int64_t sh, sw, dh, dw, pt, pb, pl, pr, groups;
    cnn_status status;
    int64_t out[4];
} conv_case;

static const conv_case conv_cases[] = {
    /* The seed: 5x5 input, 3x3 kernel, stride 1, no padding -> 3x3 (9 steps). */
    {"seed 5x5 * 3x3", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 1, 3, 3}},
    /* The seed: 4x4x1 input with a 3x3 filter -> 2x2x1. */
    {"seed 4x4x1 * 3x3", {1, 1, 4, 4}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 1, 2, 2}},
    /* The seed: 3x3x3 input, 2x2x3 kernel -> 2x2x1 (channels summed into one map). */
    {"seed 3x3x3 * 2x2x3", {1, 3, 3, 3}, {1, 3, 2, 2}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 1, 2, 2}},
    /* ResNet conv1: (224 + 6 - 6 - 1) / 2 + 1 = 111 + 1 = 112. */
    {"7x7 s2 p3 on 224", {1, 3, 224, 224}, {64, 3, 7, 7}, 2, 2, 1, 1, 3, 3, 3, 3, 1,
     CNN_SUCCESS, {1, 64, 112, 112}},
    /* 3x3 pad 1 keeps 7x7; batch 2 and K = 32 pass through. */
    {"3x3 same", {2, 16, 7, 7}, {32, 16, 3, 3}, 1, 1, 1, 1, 1, 1, 1, 1, 1,
     CNN_SUCCESS, {2, 32, 7, 7}},
    /* Stride 2 floors: H (8-3)/2+1 = 2+1 = 3; W (9-3)/2+1 = 3+1 = 4. */
    {"stride 2 floors", {1, 1, 8, 9}, {1, 1, 3, 3}, 2, 2, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 1, 3, 4}},
    /* Dilation 2: extent 2*2+1 = 5; H 10-5+1 = 6, W 9-5+1 = 5. */
    {"dilation 2", {1, 1, 10, 9}, {1, 1, 3, 3}, 1, 1, 2, 2, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 1, 6, 5}},
    /* Dilation 3, stride 2, pad 2: extent 3*2+1 = 7; (11+4-7)/2+1 = 4+1 = 5. */
    {"dilation 3 stride 2 pad 2", {1, 1, 11, 11}, {1, 1, 3, 3}, 2, 2, 3, 3, 2, 2, 2, 2, 1,
     CNN_SUCCESS, {1, 1, 5, 5}},
    /* Dilation only along W: H 6-3+1 = 4; W extent 2*(3-1)+1 = 5, 6-5+1 = 2. */
    {"dilation w only", {1, 2, 6, 6}, {3, 2, 3, 3}, 1, 1, 1, 2, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 3, 4, 2}},
    /* Asymmetric pads t2 b0 l0 r1, kernel 3x2, stride 1x2: H 5+2-3+1 = 5;
     * W (6+1-2)/2+1 = 2+1 = 3. */
    {"asymmetric pads", {1, 1, 5, 6}, {1, 1, 3, 2}, 1, 2, 1, 1, 2, 0, 0, 1, 1,
     CNN_SUCCESS, {1, 1, 5, 3}},
    /* The descriptor of the brief, mb2g4ic8ih9iw7oc4kh3kw3sh1sw2ph1pw0: weights {4, 8/4, 3, 3};
     * H (9+2-3)/1+1 = 9; W (7-3)/2+1 = 3. */
    {"groups 4", {2, 8, 9, 7}, {4, 2, 3, 3}, 1, 2, 1, 1, 1, 1, 0, 0, 4,
     CNN_SUCCESS, {2, 4, 9, 3}},
    /* Depthwise: groups = C = K = 32, weights {32, 1, 3, 3}, pad 1 keeps 14x14. */
    {"depthwise", {1, 32, 14, 14}, {32, 1, 3, 3}, 1, 1, 1, 1, 1, 1, 1, 1, 32,
     CNN_SUCCESS, {1, 32, 14, 14}},
    /* Depthwise with channel multiplier 2: K = 2C. */
    {"depthwise multiplier 2", {1, 3, 5, 5}, {6, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 3,
     CNN_SUCCESS, {1, 6, 3, 3}},
    /* A kernel as large as the input gives one pixel (a fully connected layer). */
    {"kernel equals input", {3, 5, 4, 6}, {7, 5, 4, 6}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {3, 7, 1, 1}},
    /* 5x5 kernel on a 3x3 input padded by 1: 3+2-5+1 = 1. */
    {"kernel equals padded input", {1, 1, 3, 3}, {1, 1, 5, 5}, 1, 1, 1, 1, 1, 1, 1, 1, 1,
     CNN_SUCCESS, {1, 1, 1, 1}},
    /* Only the bottom and right pads make the 3x3 kernel fit a 2x2 input: 2+1-3+1 = 1. */
    {"one-sided pads make it fit", {1, 1, 2, 2}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 1, 0, 1, 1,
     CNN_SUCCESS, {1, 1, 1, 1}},
    /* 1x1 kernel, stride 4 > kernel: (10-1)/4+1 = 2+1 = 3. */
    {"1x1 stride 4", {1, 4, 10, 10}, {8, 4, 1, 1}, 4, 4, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 8, 3, 3}},
    /* Padding larger than the kernel: 1+4-1+1 = 5 (the border outputs see only zeros). */
    {"pad 2 around 1x1", {1, 1, 1, 1}, {1, 1, 1, 1}, 1, 1, 1, 1, 2, 2, 2, 2, 1,
     CNN_SUCCESS, {1, 1, 5, 5}},
    /* A huge stride is valid: (5-3)/INT64_MAX+1 = 1. */
    {"stride INT64_MAX", {1, 1, 5, 5}, {1, 1, 3, 3}, INT64_MAX, INT64_MAX, 1, 1, 0, 0, 0, 0, 1,
     CNN_SUCCESS, {1, 1, 1, 1}},

    /* Shapes that do not fit: INVALID_SHAPE. */
    {"kernel larger than input", {1, 1, 4, 4}, {1, 1, 5, 5}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_SHAPE, {0}},
    /* 3x3 dilated by 2 spans 5 > 4. */
    {"dilated kernel larger than input", {1, 1, 4, 4}, {1, 1, 3, 3}, 1, 1, 2, 2, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_SHAPE, {0}},
    /* Width: 3 + 0 + 1 = 4 < 5. */
    {"kernel wider than padded input", {1, 1, 5, 3}, {1, 1, 3, 5}, 1, 1, 1, 1, 0, 0, 0, 1, 1,
     CNN_ERROR_INVALID_SHAPE, {0}},
    {"weight channels != C", {1, 3, 5, 5}, {1, 2, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_SHAPE, {0}},
    /* groups 4 does not divide C = 6 (weights claim 2 channels per group). */
    {"groups do not divide C", {1, 6, 5, 5}, {8, 2, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 4,
     CNN_ERROR_INVALID_SHAPE, {0}},
    /* groups 4 divides C = 8 but not K = 6. */
    {"groups do not divide K", {1, 8, 5, 5}, {6, 2, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 4,
     CNN_ERROR_INVALID_SHAPE, {0}},
    {"groups larger than C", {1, 2, 5, 5}, {4, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 4,
     CNN_ERROR_INVALID_SHAPE, {0}},

    /* Bad parameters: INVALID_ARGUMENT. */
    {"stride_h 0", {1, 1, 5, 5}, {1, 1, 3, 3}, 0, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"stride_w -1", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, -1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"dilation_h 0", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 0, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"dilation_w -2", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, -2, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"pad_top -1", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, -1, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"pad_bottom -1", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, -1, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"pad_left -1", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, -1, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"pad_right -1", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, -1, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"groups 0", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 0,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"groups -1", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, -1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"batch 0", {0, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"input width -5", {1, 1, 5, -5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"K 0", {1, 1, 5, 5}, {0, 1, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"kernel height 0", {1, 1, 5, 5}, {1, 1, 0, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"kernel width -3", {1, 1, 5, 5}, {1, 1, 3, -3}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_INVALID_ARGUMENT, {0}},

    /* Overflow. */
    /* N*C*H*W = 2^32 * 2^32 = 2^64 does not fit int64. */
    {"input element count overflows", {BIG, BIG, 1, 1}, {1, BIG, 1, 1}, 1, 1, 1, 1, 0, 0, 0, 0,
     1, CNN_ERROR_OVERFLOW, {0}},
    /* K*C*R*S = 2^32 * 2^32 overflows. */
    {"weight count overflows", {1, BIG, 1, 1}, {BIG, BIG, 1, 1}, 1, 1, 1, 1, 0, 0, 0, 0, 1,
     CNN_ERROR_OVERFLOW, {0}},
    /* H + pad_bottom = INT64_MAX + 1. */
    {"H + pads overflows", {1, 1, INT64_MAX, 1}, {1, 1, 1, 1}, 1, 1, 1, 1, 0, 1, 0, 0, 1,
     CNN_ERROR_OVERFLOW, {0}},
    /* pad_left + pad_right = INT64_MAX - 1, + W = 5 overflows. */
    {"W + huge pads overflows", {1, 1, 5, 5}, {1, 1, 3, 3}, 1, 1, 1, 1, 0, 0, INT64_MAX / 2,
     INT64_MAX / 2, 1, CNN_ERROR_OVERFLOW, {0}},
};

static int test_conv_output_shape(cnn_context *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++) {
        const conv_case *c = &conv_cases[i];
        cnn_conv2d_params p = cnn_conv2d_params_default();
        p.stride_h = c->sh;
        p.stride_w = c->sw;
        p.dilation_h = c->dh;
        p.dilation_w = c->dw;
        p.pad_top = c->pt;
        p.pad_bottom = c->pb;
        p.pad_left = c->pl;
        p.pad_right = c->pr;
        p.groups = c->groups;
        int64_t out[4] = {-7, -7, -7, -7};
        char desc[256];
        tu_note("%s: %s", c->what, tu_conv_desc(desc, sizeof desc, c->in, c->w, &p, 0));
        CHECK_STATUS(cnn_conv2d_output_shape(out, c->in, c->w, &p), c->status);
        if (c->status == CNN_SUCCESS) {
            CHECK_MSG(out[0] == c->out[0] && out[1] == c->out[1] && out[2] == c->out[2] &&
                          out[3] == c->out[3],
                      "got {%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "}, want {%" PRId64
                      ",%" PRId64 ",%" PRId64 ",%" PRId64 "}",
                      out[0], out[1], out[2], out[3], c->out[0], c->out[1], c->out[2],
                      c->out[3]);
        } else {
            /* out is written only on success. */
            CHECK(out[0] == -7 && out[1] == -7 && out[2] == -7 && out[3] == -7);
        }
    }
    return 0;
}

/* A dilation so large that dilation*(R-1) overflows: the dilated kernel is larger than any
 * input, so either OVERFLOW or INVALID_SHAPE is a correct answer; success is not. */
static int test_conv_dilation_overflow(cnn_context *ctx)
{
    (void)ctx;
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.dilation_h = INT64_MAX / 2 + 1;
    int64_t in[4] = {1, 1, 5, 5}, w[4] = {1, 1, 3, 3}, out[4] = {-7, -7, -7, -7};
    cnn_status st = cnn_conv2d_output_shape(out, in, w, &p);
    CHECK_MSG(st == CNN_ERROR_OVERFLOW || st == CNN_ERROR_INVALID_SHAPE, "status %s",
              cnn_status_string(st));
    CHECK(out[0] == -7 && out[3] == -7);
    return 0;
}

static int test_conv_output_shape_null(cnn_context *ctx)
{
    (void)ctx;
    cnn_conv2d_params p = cnn_conv2d_params_default();
    int64_t in[4] = {1, 1, 5, 5}, w[4] = {1, 1, 3, 3}, out[4] = {-7, -7, -7, -7};
    CHECK_STATUS(cnn_conv2d_output_shape(NULL, in, w, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_conv2d_output_shape(out, NULL, w, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_conv2d_output_shape(out, in, NULL, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_conv2d_output_shape(out, in, w, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(out[0] == -7 && out[1] == -7 && out[2] == -7 && out[3] == -7);
    return 0;
}

static int test_conv_params_default(cnn_context *ctx)
{
    (void)ctx;
    cnn_conv2d_params p = cnn_conv2d_params_default();
    CHECK(p.stride_h == 1 && p.stride_w == 1);
    CHECK(p.dilation_h == 1 && p.dilation_w == 1);
    CHECK(p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0);
    CHECK(p.groups == 1);
    CHECK(p.activation == CNN_ACTIVATION_NONE);
    CHECK(p.flip == 0);
    CHECK(p.algo == CNN_CONV2D_ALGO_AUTO);
    return 0;
}

/* ---- weight count ------------------------------------------------------------------------- */

typedef struct weight_case {
    const char *what;
    int64_t kh, kw, ci, co, groups;
    cnn_status status;
    int64_t count;
} weight_case;

static const weight_case weight_cases[] = {
    /* The seed's contrast: a 2x2 kernel, stride 1, over a 3x3 image has 2*2*1*1 = 4 shared
     * weights... */
    {"seed 2x2 kernel on a 3x3 image", 2, 2, 1, 1, 1, CNN_SUCCESS, 4},
    /* ...while an MLP with 4 hidden units on the flattened 3x3 image has 9*4 = 36, which is
     * the same as a 3x3 kernel covering the image with 4 output channels: 3*3*1*4. */
    {"seed MLP 9 inputs x 4 units", 3, 3, 1, 4, 1, CNN_SUCCESS, 36},
    /* The 2x2x3 kernel of the 3x3x3 example: 2*2*3*1 = 12. */
    {"seed 2x2x3 kernel", 2, 2, 3, 1, 1, CNN_SUCCESS, 12},
    /* 7*7*3*64 = 9408. */
    {"ResNet conv1", 7, 7, 3, 64, 1, CNN_SUCCESS, 9408},
    /* 3*3*64*128 = 73728. */
    {"3x3 64 -> 128", 3, 3, 64, 128, 1, CNN_SUCCESS, 73728},
    /* Rectangular: 1*5*2*3 = 30. */
    {"1x5 kernel", 1, 5, 2, 3, 1, CNN_SUCCESS, 30},
    /* Groups: 3*3*(32/4)*64 = 4608. */
    {"groups 4", 3, 3, 32, 64, 4, CNN_SUCCESS, 4608},
    /* Depthwise: 3*3*1*32 = 288. */
    {"depthwise", 3, 3, 32, 32, 32, CNN_SUCCESS, 288},
    {"kernel_h 0", 0, 3, 1, 1, 1, CNN_ERROR_INVALID_ARGUMENT, 0},
    {"kernel_w -1", 3, -1, 1, 1, 1, CNN_ERROR_INVALID_ARGUMENT, 0},
    {"in_channels 0", 3, 3, 0, 1, 1, CNN_ERROR_INVALID_ARGUMENT, 0},
    {"out_channels -4", 3, 3, 1, -4, 1, CNN_ERROR_INVALID_ARGUMENT, 0},
    {"groups 0", 3, 3, 4, 4, 0, CNN_ERROR_INVALID_ARGUMENT, 0},
    {"groups do not divide C_i", 3, 3, 6, 8, 4, CNN_ERROR_INVALID_SHAPE, 0},
    {"groups do not divide C_o", 3, 3, 8, 6, 4, CNN_ERROR_INVALID_SHAPE, 0},
    /* 2^32 * 2^32 overflows. */
    {"count overflows", BIG, BIG, 1, 1, 1, CNN_ERROR_OVERFLOW, 0},
    /* 2^31 * 2^31 * 4 = 2^64 overflows. */
    {"count overflows late", INT64_C(1) << 31, INT64_C(1) << 31, 4, 1, 1, CNN_ERROR_OVERFLOW,
     0},
};

static int test_weight_count(cnn_context *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof weight_cases / sizeof weight_cases[0]; i++) {
        const weight_case *c = &weight_cases[i];
        int64_t count = -7;
        tu_note("weight count: %s", c->what);
        CHECK_STATUS(cnn_conv2d_weight_count(&count, c->kh, c->kw, c->ci, c->co, c->groups),
                     c->status);
        if (c->status == CNN_SUCCESS) {
            CHECK_MSG(count == c->count, "got %" PRId64 ", want %" PRId64, count, c->count);
        }
    }
    tu_note("weight count: NULL count");
    CHECK_STATUS(cnn_conv2d_weight_count(NULL, 3, 3, 1, 1, 1), CNN_ERROR_INVALID_ARGUMENT);
    return 0;
}

/* ---- pooling ----------------------------------------------------------------------------- */

typedef struct pool_case {
    const char *what;
    int64_t in[4];
    cnn_pool_mode mode;
    int64_t kh, kw, sh, sw, ph, pw;
    int ceil_mode, global;
    cnn_status status;
    int64_t out[4];
} pool_case;

#define MAXP CNN_POOL_MAX
#define AVGP CNN_POOL_AVG

static const pool_case pool_cases[] = {
    /* The seed: 4x4, 2x2 window, stride 2 -> 2x2. */
    {"seed 4x4 k2 s2", {1, 1, 4, 4}, MAXP, 2, 2, 2, 2, 0, 0, 0, 0, CNN_SUCCESS, {1, 1, 2, 2}},
    /* H 5, k2 s2: floor (5-2)/2+1 = 1+1 = 2; W 6: (6-2)/2+1 = 3. */
    {"5x6 k2 s2 floor", {1, 1, 5, 6}, MAXP, 2, 2, 2, 2, 0, 0, 0, 0, CNN_SUCCESS, {1, 1, 2, 3}},
    /* ceil: H (5-2+1)/2+1 = 2+1 = 3 (last window starts at 4 < 5: kept); W (6-2+1)/2+1 =
     * 2+1 = 3. PyTorch MaxPool2d(2, 2, ceil_mode=True) on 5x6 gives 3x3. */
    {"5x6 k2 s2 ceil", {1, 1, 5, 6}, MAXP, 2, 2, 2, 2, 0, 0, 1, 0, CNN_SUCCESS, {1, 1, 3, 3}},
    /* H 6, k2 s2 p1, ceil: (6+2-2+1)/2+1 = 3+1 = 4; last start (4-1)*2 = 6 < H+p = 7: kept -> 4.
     * Floor gives (6+2-2)/2+1 = 4 as well. W 5, ceil: (5+2-2+1)/2+1 = 3+1 = 4, but the last
     * window starts at (4-1)*2 = 6 >= W+p = 6, i.e. in the right padding: dropped -> 3. */
    {"6x5 k2 s2 p1 ceil", {2, 3, 6, 5}, AVGP, 2, 2, 2, 2, 1, 1, 1, 0, CNN_SUCCESS,
     {2, 3, 4, 3}},
    /* Floor: H (6+2-2)/2+1 = 4; W (5+2-2)/2+1 = 2+1 = 3. */
    {"6x5 k2 s2 p1 floor", {2, 3, 6, 5}, AVGP, 2, 2, 2, 2, 1, 1, 0, 0, CNN_SUCCESS,
     {2, 3, 4, 3}},
    /* H 1, k2 s2 p1, ceil: (1+2-2+1)/2+1 = 2, last start 2 >= 1+1: dropped -> 1.
     * W 6, k2 s2 p1 ceil -> 4 (as above). */
    {"1x6 k2 s2 p1 ceil", {1, 1, 1, 6}, MAXP, 2, 2, 2, 2, 1, 1, 1, 0, CNN_SUCCESS,
     {1, 1, 1, 4}},
    /* H 6, k3 s2: floor (6-3)/2+1 = 2; W 10, k2 s3: floor (10-2)/3+1 = 2+1 = 3. */
    {"6x10 k3x2 s2x3 floor", {1, 1, 6, 10}, MAXP, 3, 2, 2, 3, 0, 0, 0, 0, CNN_SUCCESS,
     {1, 1, 2, 3}},
    /* ceil: H (6-3+1)/2+1 = 3 (last start 4 < 6); W (10-2+2)/3+1 = 3+1 = 4 (last start
     * 9 < 10). Stride 3 > kernel 2 along W. */
    {"6x10 k3x2 s2x3 ceil", {1, 1, 6, 10}, MAXP, 3, 2, 2, 3, 0, 0, 1, 0, CNN_SUCCESS,
     {1, 1, 3, 4}},
    /* ResNet pool: 112, k3 s2 p1: floor (112+2-3)/2+1 = 55+1 = 56. */
    {"112 k3 s2 p1 floor", {1, 64, 112, 112}, MAXP, 3, 3, 2, 2, 1, 1, 0, 0, CNN_SUCCESS,
     {1, 64, 56, 56}},
    /* ceil: (112+2-3+1)/2+1 = 56+1 = 57; last start 112 < 113: kept (PyTorch gives 57). */
    {"112 k3 s2 p1 ceil", {1, 64, 112, 112}, MAXP, 3, 3, 2, 2, 1, 1, 1, 0, CNN_SUCCESS,
     {1, 64, 57, 57}},
    /* k1 s1 keeps the shape. */
    {"k1 s1", {3, 2, 7, 5}, AVGP, 1, 1, 1, 1, 0, 0, 0, 0, CNN_SUCCESS, {3, 2, 7, 5}},
    /* pad = k/2 is allowed: k5 p2 keeps 7x7 with stride 1. */
    {"k5 p2 s1", {1, 1, 7, 7}, AVGP, 5, 5, 1, 1, 2, 2, 0, 0, CNN_SUCCESS, {1, 1, 7, 7}},
    /* k4 p2 (= 4/2) s1: 3+4-4+1 = 4. */
    {"k4 p2 s1", {1, 1, 3, 3}, MAXP, 4, 4, 1, 1, 2, 2, 0, 0, CNN_SUCCESS, {1, 1, 4, 4}},
    /* Window as large as the input. */
    {"window equals input", {2, 2, 3, 4}, MAXP, 3, 4, 1, 1, 0, 0, 0, 0, CNN_SUCCESS,
     {2, 2, 1, 1}},
    /* Global pooling: N x C x 1 x 1 whatever the other sizes say (they are ignored, even a
     * window larger than the input or a zero stride). */
    {"global max", {2, 3, 7, 5}, MAXP, 2, 2, 2, 2, 0, 0, 0, 1, CNN_SUCCESS, {2, 3, 1, 1}},
    {"global avg, other sizes ignored", {2, 3, 7, 5}, AVGP, 99, 99, 0, 0, 0, 0, 1, 1,
     CNN_SUCCESS, {2, 3, 1, 1}},

    /* Invalid. */
    /* pad 2 > 3/2 = 1. */
    {"pad > kernel/2 (k3 p2)", {1, 1, 8, 8}, MAXP, 3, 3, 1, 1, 2, 0, 0, 0,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    /* pad 1 > 1/2 = 0. */
    {"pad > kernel/2 (k1 p1)", {1, 1, 8, 8}, AVGP, 1, 1, 1, 1, 1, 1, 0, 0,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    /* pad_w 3 > 4/2 = 2. */
    {"pad_w > kernel_w/2 (k4 p3)", {1, 1, 8, 8}, AVGP, 2, 4, 1, 1, 0, 3, 0, 0,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"kernel_h 0", {1, 1, 8, 8}, MAXP, 0, 2, 1, 1, 0, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"kernel_w -2", {1, 1, 8, 8}, MAXP, 2, -2, 1, 1, 0, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT,
     {0}},
    {"stride_h 0", {1, 1, 8, 8}, MAXP, 2, 2, 0, 1, 0, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"stride_w -1", {1, 1, 8, 8}, AVGP, 2, 2, 1, -1, 0, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT,
     {0}},
    {"pad_h -1", {1, 1, 8, 8}, AVGP, 2, 2, 1, 1, -1, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"unknown mode", {1, 1, 8, 8}, (cnn_pool_mode)7, 2, 2, 2, 2, 0, 0, 0, 0,
     CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"channels 0", {1, 0, 8, 8}, MAXP, 2, 2, 2, 2, 0, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT, {0}},
    {"height -1", {1, 1, -1, 8}, MAXP, 2, 2, 2, 2, 0, 0, 0, 0, CNN_ERROR_INVALID_ARGUMENT, {0}},
    /* 2 + 2*1 = 4 < 5 (pad 1 <= 5/2 is fine). */
    {"window larger than padded input", {1, 1, 2, 2}, MAXP, 5, 5, 1, 1, 1, 1, 0, 0,
     CNN_ERROR_INVALID_SHAPE, {0}},
    {"window larger than input", {1, 1, 3, 8}, AVGP, 4, 2, 1, 1, 0, 0, 0, 0,
     CNN_ERROR_INVALID_SHAPE, {0}},
    {"element count overflows", {BIG, BIG, 2, 2}, MAXP, 2, 2, 2, 2, 0, 0, 0, 0,
     CNN_ERROR_OVERFLOW, {0}},
    /* H + 2*pad = INT64_MAX + 2. */
    {"H + pads overflows", {1, 1, INT64_MAX, 4}, MAXP, 2, 2, 2, 2, 1, 0, 0, 0,
     CNN_ERROR_OVERFLOW, {0}},
};

static int test_pool_output_shape(cnn_context *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof pool_cases / sizeof pool_cases[0]; i++) {
        const pool_case *c = &pool_cases[i];
        cnn_pool2d_params p = cnn_pool2d_params_default();
        p.mode = c->mode;
        p.kernel_h = c->kh;
        p.kernel_w = c->kw;
        p.stride_h = c->sh;
        p.stride_w = c->sw;
        p.pad_h = c->ph;
        p.pad_w = c->pw;
        p.ceil_mode = c->ceil_mode;
        p.global = c->global;
        for (int cip = 0; cip <= 1; cip++) { /* count_include_pad never changes the shape */
            p.count_include_pad = cip;
            int64_t out[4] = {-7, -7, -7, -7};
            char desc[256];
            tu_note("%s: %s", c->what, tu_pool_desc(desc, sizeof desc, c->in, &p));
            CHECK_STATUS(cnn_pool2d_output_shape(out, c->in, &p), c->status);
            if (c->status == CNN_SUCCESS) {
                CHECK_MSG(out[0] == c->out[0] && out[1] == c->out[1] && out[2] == c->out[2] &&
                              out[3] == c->out[3],
                          "got {%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "}, want {%" PRId64
                          ",%" PRId64 ",%" PRId64 ",%" PRId64 "}",
                          out[0], out[1], out[2], out[3], c->out[0], c->out[1], c->out[2],
                          c->out[3]);
            } else {
                CHECK(out[0] == -7 && out[1] == -7 && out[2] == -7 && out[3] == -7);
            }
        }
    }
    return 0;
}

/* ceil_mode against a direct transcription of PyTorch's pooling_output_shape over a grid of
 * small sizes: catches any case the table above misses. */
static int64_t torch_pool_out(int64_t in, int64_t k, int64_t s, int64_t p, int ceil_mode)
{
    int64_t num = in + 2 * p - k + (ceil_mode ? s - 1 : 0);
    int64_t out = num / s + 1; /* num >= 0 here */
    if (ceil_mode && (out - 1) * s >= in + p) {
        out--;
    }
    return out;
}

static int test_pool_output_shape_grid(cnn_context *ctx)
{
    (void)ctx;
    int64_t checked = 0;
    for (int64_t h = 1; h <= 12; h++) {
        for (int64_t k = 1; k <= 5; k++) {
            for (int64_t s = 1; s <= 4; s++) {
                for (int64_t pad = 0; pad <= k / 2; pad++) {
                    if (h + 2 * pad < k) {
                        continue;
                    }
                    for (int ceil_mode = 0; ceil_mode <= 1; ceil_mode++) {
                        cnn_pool2d_params p = cnn_pool2d_params_default();
                        p.kernel_h = k;
                        p.kernel_w = 1;
                        p.stride_h = s;
                        p.stride_w = 1;
                        p.pad_h = pad;
                        p.ceil_mode = ceil_mode;
                        int64_t in[4] = {1, 1, h, 3}, out[4] = {0, 0, 0, 0};
                        char desc[256];
                        tu_note("%s", tu_pool_desc(desc, sizeof desc, in, &p));
                        CHECK_OK(cnn_pool2d_output_shape(out, in, &p));
                        CHECK_NEAR(out[2], torch_pool_out(h, k, s, pad, ceil_mode), 0);
                        CHECK(out[0] == 1 && out[1] == 1 && out[3] == 3);
                        checked++;
                    }
                }
            }
        }
    }
    CHECK(checked > 500);
    return 0;
}

static int test_pool_null_and_default(cnn_context *ctx)
{
    (void)ctx;
    cnn_pool2d_params p = cnn_pool2d_params_default();
    CHECK(p.mode == CNN_POOL_MAX);
    CHECK(p.kernel_h == 2 && p.kernel_w == 2);
    CHECK(p.stride_h == 2 && p.stride_w == 2);
    CHECK(p.pad_h == 0 && p.pad_w == 0);
    CHECK(p.ceil_mode == 0);
    CHECK(p.count_include_pad == 1);
    CHECK(p.global == 0);
    int64_t in[4] = {1, 1, 4, 4}, out[4] = {-7, -7, -7, -7};
    CHECK_STATUS(cnn_pool2d_output_shape(NULL, in, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_pool2d_output_shape(out, NULL, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_pool2d_output_shape(out, in, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(out[0] == -7 && out[1] == -7 && out[2] == -7 && out[3] == -7);
    return 0;
}

/* Strings: never NULL, never empty. */
static int test_strings(cnn_context *ctx)
{
    (void)ctx;
    for (int s = -1; s <= 12; s++) {
        const char *text = cnn_status_string((cnn_status)s);
        CHECK(text != NULL && text[0] != '\0');
    }
    CHECK(strcmp(cnn_status_string(CNN_SUCCESS), cnn_status_string(CNN_ERROR_OVERFLOW)) != 0);
    for (int t = 0; t <= 4; t++) {
        const char *text = cnn_device_type_string((cnn_device_type)t);
        CHECK(text != NULL && text[0] != '\0');
    }
    CHECK(strcmp(cnn_device_type_string(CNN_DEVICE_REFERENCE), "reference") == 0);
    CHECK(strcmp(cnn_device_type_string(CNN_DEVICE_GPU), "gpu") == 0);
    CHECK(strcmp(cnn_conv2d_algo_string(CNN_CONV2D_ALGO_AUTO), "auto") == 0);
    CHECK(strcmp(cnn_conv2d_algo_string(CNN_CONV2D_ALGO_DIRECT), "direct") == 0);
    CHECK(strcmp(cnn_conv2d_algo_string(CNN_CONV2D_ALGO_WINOGRAD), "winograd") == 0);
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", CNNCL_VERSION_MAJOR, CNNCL_VERSION_MINOR,
             CNNCL_VERSION_PATCH);
    CHECK(cnn_version() != NULL && strcmp(cnn_version(), version) == 0);
    const char *null_error = cnn_context_last_error(NULL);
    CHECK(null_error != NULL);
    return 0;
}

int main(void)
{
    int failures = 0;
    failures += tu_run("conv2d output shape", test_conv_output_shape, NULL);
    failures += tu_run("conv2d dilation overflow", test_conv_dilation_overflow, NULL);
    failures += tu_run("conv2d output shape NULL", test_conv_output_shape_null, NULL);
    failures += tu_run("conv2d params default", test_conv_params_default, NULL);
    failures += tu_run("conv2d weight count", test_weight_count, NULL);
    failures += tu_run("pool2d output shape", test_pool_output_shape, NULL);
    failures += tu_run("pool2d output shape grid", test_pool_output_shape_grid, NULL);
    failures += tu_run("pool2d NULL and default", test_pool_null_and_default, NULL);
    failures += tu_run("strings", test_strings, NULL);
    tu_release_all_memory();
    printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
