/* Bad input: every invalid argument returns its exact status (the enum comments of cnncl.h),
 * leaves a message in cnn_context_last_error() and leaves the output untouched (outputs are
 * filled with a sentinel before and read after). Runs on the reference and on every OpenCL
 * device. Labels: errors, opencl (never skips).
 *
 *   NULL pointers, unknown enums, zero/negative sizes, strides, dilations, groups and pads,
 *   pool padding > kernel/2, wrong counts, tensors of another context, aliasing
 *                                                                     -> INVALID_ARGUMENT
 *   kernels larger than the padded input, groups that do not divide the channels,
 *   mismatched output/weight/bias shapes                              -> INVALID_SHAPE
 *   sizes whose product overflows int64 (or size_t bytes)              -> OVERFLOW
 *   an unknown device selector                                         -> DEVICE_NOT_FOUND
 *
 * Before each failing call a successful call (cnn_context_finish) clears the last error
 * (host/cnn_internal.h: "Clear the last error at the start of each public call that
 * succeeds"), so the message checked afterwards belongs to the failing call. */
#include "test_util.h"

#include "cnncl_opencl.h"

#define BIG (INT64_C(1) << 32)
#define SENTINEL 12345.0f

#if defined(__SANITIZE_ADDRESS__)
/* The 2^62-byte tensor below must fail with OUT_OF_MEMORY: let malloc return NULL under
 * AddressSanitizer instead of aborting (ASAN_OPTIONS from the environment still apply). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

/* call must fail with status and leave a message on ctx. */
#define EXPECT_ERROR(ctx, call, status)                                                  \
    do {                                                                                 \
        CHECK_OK(cnn_context_finish(ctx));                                               \
        CHECK_STATUS(call, status);                                                      \
        CHECK_MSG(cnn_context_last_error(ctx) != NULL &&                                 \
                      cnn_context_last_error(ctx)[0] != '\0',                            \
                  "no last error after %s", #call);                                      \
    } while (0)

/* The tensor still holds SENTINEL everywhere. */
static int untouched(const cnn_tensor *t)
{
    float *got = tu_read(t);
    CHECK(got != NULL);
    for (int64_t i = 0; i < cnn_tensor_count(t); i++) {
        CHECK_MSG(got[i] == SENTINEL, "element %" PRId64 " was overwritten: %g", i, got[i]);
    }
    return 0;
}

/* A tensor of the given shape filled with SENTINEL. */
static cnn_tensor *sentinel_tensor(cnn_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w)
{
    const int64_t s[4] = {n, c, h, w};
    return tu_tensor_fill(ctx, s, SENTINEL);
}

/* A tensor of the given shape filled with a ramp (any valid data). */
static cnn_tensor *data_tensor(cnn_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w)
{
    int64_t count = n * c * h * w;
    float *p = tu_floats(count);
    if (p == NULL) {
        return NULL;
    }
    for (int64_t i = 0; i < count; i++) {
        p[i] = (float)(i % 7) - 3.0f;
    }
    return tu_tensor_from(ctx, n, c, h, w, p);
}

/* ---- process-level: context creation and device listing ----------------------------------- */

static int test_context_create_errors(cnn_context *unused)
{
    (void)unused;
    char err[256];
    CHECK_STATUS(cnn_context_create(NULL, "ref", err, sizeof err), CNN_ERROR_INVALID_ARGUMENT);

    static const char *const bad[] = {"no-such-device-xyzzy", "99:0", "0:99", "-1:0",
                                      "zz-no-such-vendor-zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cnn_context *ctx = (cnn_context *)&err; /* must be reset to NULL */
        strcpy(err, "untouched");
        tu_note("selector \"%s\"", bad[i]);
        CHECK_STATUS(cnn_context_create(&ctx, bad[i], err, sizeof err),
                     CNN_ERROR_DEVICE_NOT_FOUND);
        CHECK(ctx == NULL);
        CHECK(err[0] != '\0' && strcmp(err, "untouched") != 0);
        CHECK(strlen(err) < sizeof err);
    }
    /* errbuf is optional; a tiny one is truncated and still NUL-terminated. */
    cnn_context *ctx = (cnn_context *)&err;
    CHECK_STATUS(cnn_context_create(&ctx, "no-such-device-xyzzy", NULL, 0),
                 CNN_ERROR_DEVICE_NOT_FOUND);
    CHECK(ctx == NULL);
    memset(err, 'x', sizeof err);
    CHECK_STATUS(cnn_context_create(&ctx, "no-such-device-xyzzy", err, 1),
                 CNN_ERROR_DEVICE_NOT_FOUND);
    CHECK(err[0] == '\0' && err[1] == 'x');
    memset(err, 'x', sizeof err);
    CHECK_STATUS(cnn_context_create(&ctx, "no-such-device-xyzzy", err, 6),
                 CNN_ERROR_DEVICE_NOT_FOUND);
    CHECK(strlen(err) <= 5 && err[6] == 'x');

    /* Device listing. */
    size_t count = 0;
    cnn_device_info info;
    CHECK_STATUS(cnn_device_list(NULL, 1, &count), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_device_list(&info, 1, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_OK(cnn_device_list(NULL, 0, &count));
    CHECK(count >= 1);
    return 0;
}

/* ---- tensors ------------------------------------------------------------------------------ */

static int test_tensor_create_errors(cnn_context *ctx)
{
    cnn_tensor *t = NULL;
    EXPECT_ERROR(ctx, cnn_tensor_create(NULL, ctx, 1, 1, 1, 1), CNN_ERROR_INVALID_ARGUMENT);
    t = (cnn_tensor *)ctx;
    CHECK_STATUS(cnn_tensor_create(&t, NULL, 1, 1, 1, 1), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(t == NULL);

    static const int64_t bad_sizes[][4] = {
        {0, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0},
        {-1, 1, 1, 1}, {1, -1, 1, 1}, {1, 1, -1, 1}, {1, 1, 1, -1}, {INT64_MIN, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        const int64_t *s = bad_sizes[i];
        tu_note("tensor %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64, s[0], s[1], s[2], s[3]);
        t = (cnn_tensor *)ctx;
        EXPECT_ERROR(ctx, cnn_tensor_create(&t, ctx, s[0], s[1], s[2], s[3]),
                     CNN_ERROR_INVALID_ARGUMENT);
        CHECK(t == NULL);
    }

    /* Products that overflow: elements (2^64, INT64_MAX*2) or bytes (2^62 floats = 2^64 B). */
    static const int64_t overflow_sizes[][4] = {
        {BIG, BIG, 1, 1}, {INT64_MAX, 2, 1, 1}, {1, 1, INT64_MAX, INT64_MAX},
        {INT64_C(1) << 31, INT64_C(1) << 31, 1, 1}, {2, 2, 2, INT64_C(1) << 61},
    };
    for (size_t i = 0; i < sizeof overflow_sizes / sizeof overflow_sizes[0]; i++) {
        const int64_t *s = overflow_sizes[i];
        tu_note("tensor %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64, s[0], s[1], s[2], s[3]);
        t = (cnn_tensor *)ctx;
        EXPECT_ERROR(ctx, cnn_tensor_create(&t, ctx, s[0], s[1], s[2], s[3]),
                     CNN_ERROR_OVERFLOW);
        CHECK(t == NULL);
    }

    /* 2^60 floats (2^62 bytes) fit int64 but no device: out of memory or over the limit. */
    tu_note("tensor of 2^62 bytes");
    t = (cnn_tensor *)ctx;
    CHECK_OK(cnn_context_finish(ctx));
    cnn_status st = cnn_tensor_create(&t, ctx, INT64_C(1) << 30, INT64_C(1) << 30, 1, 1);
    CHECK_MSG(st == CNN_ERROR_OUT_OF_MEMORY || st == CNN_ERROR_LIMIT_EXCEEDED, "status %s",
              cnn_status_string(st));
    CHECK(t == NULL);
    CHECK(cnn_context_last_error(ctx)[0] != '\0');
    return 0;
}

static int test_tensor_io_errors(cnn_context *ctx)
{
    cnn_tensor *t = sentinel_tensor(ctx, 2, 3, 4, 5); /* 120 elements */
    float *buf = tu_floats_fill(200, -1.0f);
    float *dst = tu_floats_fill(200, -7.0f);
    CHECK(t != NULL && buf != NULL && dst != NULL);

    CHECK_STATUS(cnn_tensor_write(NULL, buf, 120), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_tensor_write(t, NULL, 120), CNN_ERROR_INVALID_ARGUMENT);
    static const int64_t bad_counts[] = {119, 121, 0, -1, 200, INT64_MAX};
    for (size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; i++) {
        tu_note("count %" PRId64 " for 120 elements", bad_counts[i]);
        EXPECT_ERROR(ctx, cnn_tensor_write(t, buf, bad_counts[i]), CNN_ERROR_INVALID_ARGUMENT);
        CHECK(untouched(t) == 0);
    }

    CHECK_STATUS(cnn_tensor_read(NULL, dst, 120), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_tensor_read(t, NULL, 120), CNN_ERROR_INVALID_ARGUMENT);
    for (size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; i++) {
        tu_note("read count %" PRId64 " for 120 elements", bad_counts[i]);
        EXPECT_ERROR(ctx, cnn_tensor_read(t, dst, bad_counts[i]), CNN_ERROR_INVALID_ARGUMENT);
        for (int j = 0; j < 200; j++) {
            CHECK_MSG(dst[j] == -7.0f, "dst[%d] was written", j);
        }
    }

    int64_t shape[4] = {-1, -1, -1, -1};
    CHECK_STATUS(cnn_tensor_shape(NULL, shape), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(shape[0] == -1);
    CHECK_STATUS(cnn_tensor_shape(t, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_OK(cnn_tensor_shape(t, shape));
    CHECK(shape[0] == 2 && shape[1] == 3 && shape[2] == 4 && shape[3] == 5);
    CHECK(cnn_tensor_count(NULL) == 0);
    CHECK(cnn_tensor_count(t) == 120);
    return 0;
}

/* ---- conv2d ------------------------------------------------------------------------------- */

/* The base problem: x 2x4x6x6, w 6x2x3x3 (groups 2), pad 1 -> y 2x6x6x6, bias 1x6x1x1. */
static cnn_conv2d_params base_conv_params(void)
{
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.groups = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    return p;
}

static int test_conv_errors(cnn_context *ctx)
{
    cnn_context *ctx2 = tu_track(TU_CONTEXT, tu_context(tu_state()->device)); /* same device */
    tu_state()->ctx = ctx;
    CHECK(ctx2 != NULL);
    cnn_tensor *x = data_tensor(ctx, 2, 4, 6, 6), *w = data_tensor(ctx, 6, 2, 3, 3);
    cnn_tensor *b = data_tensor(ctx, 1, 6, 1, 1), *y = sentinel_tensor(ctx, 2, 6, 6, 6);
    CHECK(x != NULL && w != NULL && b != NULL && y != NULL);
    cnn_conv2d_params p = base_conv_params();

    /* The base problem is valid (checked into a separate output). */
    cnn_tensor *y_ok = sentinel_tensor(ctx, 2, 6, 6, 6);
    CHECK(y_ok != NULL);
    CHECK_OK(cnn_conv2d(ctx, y_ok, x, w, b, &p));
    CHECK_OK(cnn_conv2d(ctx, y_ok, x, w, NULL, &p)); /* NULL bias: no bias */

    /* NULL pointers. */
    CHECK_STATUS(cnn_conv2d(NULL, y, x, w, b, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d(ctx, NULL, x, w, b, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, NULL, w, b, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, NULL, b, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(untouched(y) == 0);

    /* Bad parameters: each one alone. */
    for (int i = 0; i < 16; i++) {
        cnn_conv2d_params q = base_conv_params();
        const char *what = "";
        switch (i) {
        case 0: q.stride_h = 0; what = "stride_h 0"; break;
        case 1: q.stride_w = -1; what = "stride_w -1"; break;
        case 2: q.dilation_h = 0; what = "dilation_h 0"; break;
        case 3: q.dilation_w = -3; what = "dilation_w -3"; break;
        case 4: q.pad_top = -1; what = "pad_top -1"; break;
        case 5: q.pad_bottom = -1; what = "pad_bottom -1"; break;
        case 6: q.pad_left = -1; what = "pad_left -1"; break;
        case 7: q.pad_right = -1; what = "pad_right -1"; break;
        case 8: q.groups = 0; what = "groups 0"; break;
        case 9: q.groups = -2; what = "groups -2"; break;
        case 10: q.activation = (cnn_activation)7; what = "activation 7"; break;
        case 11: q.activation = (cnn_activation)-1; what = "activation -1"; break;
        case 12: q.algo = (cnn_conv2d_algo)9; what = "algo 9"; break;
        case 13: q.algo = (cnn_conv2d_algo)-1; what = "algo -1"; break;
        case 14: q.stride_h = INT64_MIN; what = "stride_h INT64_MIN"; break;
        default: q.pad_left = INT64_MIN; what = "pad_left INT64_MIN"; break;
        }
        tu_note("conv2d with %s", what);
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b, &q), CNN_ERROR_INVALID_ARGUMENT);
        cnn_conv2d_plan *plan = (cnn_conv2d_plan *)ctx;
        const int64_t xs[4] = {2, 4, 6, 6}, ws[4] = {6, 2, 3, 3};
        EXPECT_ERROR(ctx, cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &q),
                     CNN_ERROR_INVALID_ARGUMENT);
        CHECK(plan == NULL);
    }
    tu_clear_note();
    CHECK(untouched(y) == 0);

    /* A forced algorithm that cannot serve the shape: gemm1x1 on a 3x3 kernel. */
    {
        cnn_conv2d_params q = base_conv_params();
        q.algo = CNN_CONV2D_ALGO_GEMM1X1;
        tu_note("conv2d 3x3 forced to gemm1x1");
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b, &q), CNN_ERROR_UNSUPPORTED);
        cnn_conv2d_plan *plan = (cnn_conv2d_plan *)ctx;
        const int64_t xs[4] = {2, 4, 6, 6}, ws[4] = {6, 2, 3, 3};
        EXPECT_ERROR(ctx, cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &q),
                     CNN_ERROR_UNSUPPORTED);
        CHECK(plan == NULL);
        /* AUTO allowed only gemm1x1, on a 3x3 kernel: nothing serves it */
        q = base_conv_params();
        q.allowed_algos = 1u << CNN_CONV2D_ALGO_GEMM1X1;
        tu_note("conv2d 3x3 with only gemm1x1 allowed");
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b, &q), CNN_ERROR_UNSUPPORTED);
        /* depthwise on groups of 2 input channels */
        q = base_conv_params();
        q.algo = CNN_CONV2D_ALGO_DEPTHWISE;
        tu_note("conv2d with 2 input channels per group forced to depthwise");
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b, &q), CNN_ERROR_UNSUPPORTED);
        /* winograd on a dilated 3x3 kernel (the output shape stays 6x6 with padding 2) */
        q = base_conv_params();
        q.algo = CNN_CONV2D_ALGO_WINOGRAD;
        q.dilation_h = q.dilation_w = 2;
        q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 2;
        tu_note("dilated 3x3 forced to winograd");
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b, &q), CNN_ERROR_UNSUPPORTED);
        CHECK(strstr(cnn_context_last_error(ctx), "winograd needs a 3x3 kernel") != NULL);
        tu_clear_note();
        CHECK(untouched(y) == 0);
    }

    /* Shapes that do not fit together. */
    {
        /* Kernel larger than the padded input: 5x5 on 4x4 without padding. */
        cnn_tensor *xs = data_tensor(ctx, 1, 2, 4, 4), *ws = data_tensor(ctx, 1, 2, 5, 5);
        cnn_tensor *ys = sentinel_tensor(ctx, 1, 1, 1, 1);
        CHECK(xs != NULL && ws != NULL && ys != NULL);
        cnn_conv2d_params q = cnn_conv2d_params_default();
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, ys, xs, ws, NULL, &q), CNN_ERROR_INVALID_SHAPE);
        /* Dilation makes a 3x3 kernel span 5. */
        cnn_tensor *w3 = data_tensor(ctx, 1, 2, 3, 3);
        CHECK(w3 != NULL);
        q.dilation_h = q.dilation_w = 2;
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, ys, xs, w3, NULL, &q), CNN_ERROR_INVALID_SHAPE);
        /* Padding 1 makes the 5x5 kernel fit: 4+2-5+1 = 2 -> the 1x1 output is the wrong
         * shape now, which is INVALID_SHAPE too. */
        q = cnn_conv2d_params_default();
        q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 1;
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, ys, xs, ws, NULL, &q), CNN_ERROR_INVALID_SHAPE);
        CHECK(untouched(ys) == 0);
    }
    {
        /* groups 3 does not divide C = 4 (weights 6x1x3x3). */
        cnn_tensor *w1 = data_tensor(ctx, 6, 1, 3, 3);
        CHECK(w1 != NULL);
        cnn_conv2d_params q = base_conv_params();
        q.groups = 3;
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w1, NULL, &q), CNN_ERROR_INVALID_SHAPE);
        /* groups 4 divides C = 4 but not K = 6. */
        q.groups = 4;
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w1, NULL, &q), CNN_ERROR_INVALID_SHAPE);
        /* Weights with 3 channels where C/groups = 2. */
        cnn_tensor *w_bad = data_tensor(ctx, 6, 3, 3, 3);
        CHECK(w_bad != NULL);
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w_bad, b, &p), CNN_ERROR_INVALID_SHAPE);
        CHECK(untouched(y) == 0);
    }
    {
        /* Outputs of the wrong shape, each dimension off by one. */
        static const int64_t bad_out[][4] = {
            {1, 6, 6, 6}, {3, 6, 6, 6}, {2, 5, 6, 6}, {2, 6, 5, 6}, {2, 6, 6, 7}, {2, 6, 36, 1},
        };
        for (size_t i = 0; i < sizeof bad_out / sizeof bad_out[0]; i++) {
            const int64_t *s = bad_out[i];
            tu_note("conv2d output %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64
                    " (want 2x6x6x6)", s[0], s[1], s[2], s[3]);
            cnn_tensor *yb = sentinel_tensor(ctx, s[0], s[1], s[2], s[3]);
            CHECK(yb != NULL);
            EXPECT_ERROR(ctx, cnn_conv2d(ctx, yb, x, w, b, &p), CNN_ERROR_INVALID_SHAPE);
            CHECK(untouched(yb) == 0);
        }
        /* Biases of the wrong shape (want 1x6x1x1). */
        static const int64_t bad_bias[][4] = {
            {1, 5, 1, 1}, {1, 7, 1, 1}, {2, 6, 1, 1}, {1, 6, 1, 2}, {1, 1, 1, 6}, {6, 1, 1, 1},
        };
        for (size_t i = 0; i < sizeof bad_bias / sizeof bad_bias[0]; i++) {
            const int64_t *s = bad_bias[i];
            tu_note("conv2d bias %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64
                    " (want 1x6x1x1)", s[0], s[1], s[2], s[3]);
            cnn_tensor *bb = data_tensor(ctx, s[0], s[1], s[2], s[3]);
            CHECK(bb != NULL);
            EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, bb, &p), CNN_ERROR_INVALID_SHAPE);
        }
        /* The input and the weights swapped around. */
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, w, x, b, &p), CNN_ERROR_INVALID_SHAPE);
        tu_clear_note();
        CHECK(untouched(y) == 0);
    }

    /* Tensors of another context (same device). */
    {
        cnn_tensor *x2 = data_tensor(ctx2, 2, 4, 6, 6), *w2 = data_tensor(ctx2, 6, 2, 3, 3);
        cnn_tensor *b2 = data_tensor(ctx2, 1, 6, 1, 1), *y2 = sentinel_tensor(ctx2, 2, 6, 6, 6);
        CHECK(x2 != NULL && w2 != NULL && b2 != NULL && y2 != NULL);
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x2, w, b, &p), CNN_ERROR_INVALID_ARGUMENT);
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w2, b, &p), CNN_ERROR_INVALID_ARGUMENT);
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y, x, w, b2, &p), CNN_ERROR_INVALID_ARGUMENT);
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y2, x, w, b, &p), CNN_ERROR_INVALID_ARGUMENT);
        CHECK(untouched(y) == 0);
        CHECK(untouched(y2) == 0);
        /* All four from ctx2, but the call on ctx. */
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, y2, x2, w2, b2, &p), CNN_ERROR_INVALID_ARGUMENT);
        CHECK(untouched(y2) == 0);
    }

    /* The output must not alias an input: a 1x1 conv with C = K has out shape = in shape. */
    {
        cnn_tensor *xa = sentinel_tensor(ctx, 1, 4, 5, 5), *wa = data_tensor(ctx, 4, 4, 1, 1);
        CHECK(xa != NULL && wa != NULL);
        cnn_conv2d_params q = cnn_conv2d_params_default();
        EXPECT_ERROR(ctx, cnn_conv2d(ctx, xa, xa, wa, NULL, &q), CNN_ERROR_INVALID_ARGUMENT);
        CHECK(untouched(xa) == 0);
    }

    /* After all that, the context still computes. */
    CHECK_OK(cnn_conv2d(ctx, y_ok, x, w, b, &p));
    CHECK_OK(cnn_context_finish(ctx));
    return 0; /* tu_release() destroys the tensors of ctx2, then ctx2 */
}

static int test_conv_plan_errors(cnn_context *ctx)
{
    const int64_t xs[4] = {2, 4, 6, 6}, ws[4] = {6, 2, 3, 3};
    cnn_conv2d_params p = base_conv_params();
    cnn_conv2d_plan *plan = (cnn_conv2d_plan *)ctx;

    /* NULL pointers: *plan is set to NULL. */
    EXPECT_ERROR(ctx, cnn_conv2d_plan_create(NULL, ctx, xs, ws, 1, &p),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_conv2d_plan_create(&plan, NULL, xs, ws, 1, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    plan = (cnn_conv2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_conv2d_plan_create(&plan, ctx, NULL, ws, 1, &p),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    plan = (cnn_conv2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_conv2d_plan_create(&plan, ctx, xs, NULL, 1, &p),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    plan = (cnn_conv2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, NULL),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);

    /* Shapes: negative, misfit, overflow. */
    static const struct {
        int64_t x[4], w[4];
        cnn_status status;
    } shapes[] = {
        {{2, 4, 6, 0}, {6, 2, 3, 3}, CNN_ERROR_INVALID_ARGUMENT},
        {{2, 4, 6, 6}, {6, -2, 3, 3}, CNN_ERROR_INVALID_ARGUMENT},
        {{2, 4, 6, 6}, {6, 2, 9, 3}, CNN_ERROR_INVALID_SHAPE},   /* 9 > 6 + 2 */
        {{2, 4, 6, 6}, {6, 4, 3, 3}, CNN_ERROR_INVALID_SHAPE},   /* C/groups = 2 */
        {{2, 4, 6, 6}, {5, 2, 3, 3}, CNN_ERROR_INVALID_SHAPE},   /* groups 2 !| K = 5 */
        {{BIG, BIG, 6, 6}, {6, BIG / 2, 3, 3}, CNN_ERROR_OVERFLOW},
        {{1, 4, BIG, BIG}, {6, 2, 3, 3}, CNN_ERROR_OVERFLOW},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char desc[256];
        tu_note("plan %s", tu_conv_desc(desc, sizeof desc, shapes[i].x, shapes[i].w, &p, 1));
        plan = (cnn_conv2d_plan *)ctx;
        EXPECT_ERROR(ctx, cnn_conv2d_plan_create(&plan, ctx, shapes[i].x, shapes[i].w, 1, &p),
                     shapes[i].status);
        CHECK(plan == NULL);
    }
    tu_clear_note();

    /* A valid plan with bias, executed on wrong tensors. */
    plan = NULL;
    CHECK_OK(cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &p));
    tu_track(TU_CONV_PLAN, plan);
    cnn_tensor *x = data_tensor(ctx, 2, 4, 6, 6), *w = data_tensor(ctx, 6, 2, 3, 3);
    cnn_tensor *b = data_tensor(ctx, 1, 6, 1, 1), *y = sentinel_tensor(ctx, 2, 6, 6, 6);
    cnn_tensor *y_bad = sentinel_tensor(ctx, 2, 6, 6, 5), *x_bad = data_tensor(ctx, 2, 4, 6, 7);
    cnn_tensor *b_bad = data_tensor(ctx, 1, 5, 1, 1);
    CHECK(x != NULL && w != NULL && b != NULL && y != NULL && y_bad != NULL && x_bad != NULL &&
          b_bad != NULL);
    CHECK_STATUS(cnn_conv2d_plan_execute(NULL, y, x, w, b), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, NULL, x, w, b), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y, NULL, w, b), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y, x, NULL, b), CNN_ERROR_INVALID_ARGUMENT);
    /* The plan was made with a bias: NULL is a missing argument. */
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y, x, w, NULL), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y_bad, x, w, b), CNN_ERROR_INVALID_SHAPE);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y, x_bad, w, b), CNN_ERROR_INVALID_SHAPE);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y, x, w, b_bad), CNN_ERROR_INVALID_SHAPE);
    EXPECT_ERROR(ctx, cnn_conv2d_plan_execute(plan, y, x, x, b), CNN_ERROR_INVALID_SHAPE);
    CHECK(untouched(y) == 0);
    CHECK(untouched(y_bad) == 0);

    /* A plan without bias given one: the plan's contract is broken; any error but success. */
    cnn_conv2d_plan *plan_nb = NULL;
    CHECK_OK(cnn_conv2d_plan_create(&plan_nb, ctx, xs, ws, 0, &p));
    tu_track(TU_CONV_PLAN, plan_nb);
    CHECK_OK(cnn_context_finish(ctx));
    cnn_status st = cnn_conv2d_plan_execute(plan_nb, y, x, w, b);
    CHECK_MSG(st == CNN_ERROR_INVALID_ARGUMENT || st == CNN_ERROR_INVALID_SHAPE, "status %s",
              cnn_status_string(st));
    CHECK(cnn_context_last_error(ctx)[0] != '\0');
    CHECK(untouched(y) == 0);

    /* plan_info */
    cnn_conv2d_algo algo;
    int64_t out_shape[4];
    CHECK_STATUS(cnn_conv2d_plan_info(NULL, &algo, out_shape), CNN_ERROR_INVALID_ARGUMENT);

    /* The valid execution still works. */
    CHECK_OK(cnn_conv2d_plan_execute(plan, y, x, w, b));
    CHECK_OK(cnn_conv2d_plan_execute(plan_nb, y, x, w, NULL));
    return 0;
}

/* ---- pooling ------------------------------------------------------------------------------ */

static int test_pool_errors(cnn_context *ctx)
{
    cnn_context *ctx2 = tu_track(TU_CONTEXT, tu_context(tu_state()->device));
    tu_state()->ctx = ctx;
    CHECK(ctx2 != NULL);
    cnn_tensor *x = data_tensor(ctx, 2, 3, 8, 8), *y = sentinel_tensor(ctx, 2, 3, 4, 4);
    CHECK(x != NULL && y != NULL);
    cnn_pool2d_params p = cnn_pool2d_params_default(); /* max 2x2 s2 -> 4x4 */
    cnn_tensor *y_ok = sentinel_tensor(ctx, 2, 3, 4, 4);
    CHECK(y_ok != NULL);
    CHECK_OK(cnn_pool2d(ctx, y_ok, x, &p));

    CHECK_STATUS(cnn_pool2d(NULL, y, x, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, NULL, x, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, y, NULL, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, y, x, NULL), CNN_ERROR_INVALID_ARGUMENT);

    for (int i = 0; i < 11; i++) {
        cnn_pool2d_params q = cnn_pool2d_params_default();
        const char *what = "";
        switch (i) {
        case 0: q.mode = (cnn_pool_mode)2; what = "mode 2"; break;
        case 1: q.mode = (cnn_pool_mode)-1; what = "mode -1"; break;
        case 2: q.kernel_h = 0; what = "kernel_h 0"; break;
        case 3: q.kernel_w = -2; what = "kernel_w -2"; break;
        case 4: q.stride_h = 0; what = "stride_h 0"; break;
        case 5: q.stride_w = -1; what = "stride_w -1"; break;
        case 6: q.pad_h = -1; what = "pad_h -1"; break;
        case 7: q.pad_w = -1; what = "pad_w -1"; break;
        case 8: q.pad_h = 2; what = "pad_h 2 > 2/2"; break;
        case 9: q.kernel_w = 3; q.pad_w = 2; what = "pad_w 2 > 3/2"; break;
        default: q.kernel_h = q.kernel_w = 1; q.pad_h = 1; what = "pad_h 1 > 1/2"; break;
        }
        tu_note("pool2d with %s", what);
        EXPECT_ERROR(ctx, cnn_pool2d(ctx, y, x, &q), CNN_ERROR_INVALID_ARGUMENT);
        cnn_pool2d_plan *plan = (cnn_pool2d_plan *)ctx;
        const int64_t xs[4] = {2, 3, 8, 8};
        EXPECT_ERROR(ctx, cnn_pool2d_plan_create(&plan, ctx, xs, &q),
                     CNN_ERROR_INVALID_ARGUMENT);
        CHECK(plan == NULL);
    }
    tu_clear_note();
    CHECK(untouched(y) == 0);

    /* Window larger than the input: 9 > 8 (no padding). */
    cnn_pool2d_params big = cnn_pool2d_params_default();
    big.kernel_h = big.kernel_w = 9;
    cnn_tensor *y1 = sentinel_tensor(ctx, 2, 3, 1, 1);
    CHECK(y1 != NULL);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, y1, x, &big), CNN_ERROR_INVALID_SHAPE);
    CHECK(untouched(y1) == 0);

    /* Outputs of the wrong shape (want 2x3x4x4). */
    static const int64_t bad_out[][4] = {
        {1, 3, 4, 4}, {2, 2, 4, 4}, {2, 3, 5, 4}, {2, 3, 4, 3}, {2, 3, 8, 8},
    };
    for (size_t i = 0; i < sizeof bad_out / sizeof bad_out[0]; i++) {
        const int64_t *s = bad_out[i];
        tu_note("pool2d output %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64 " (want 2x3x4x4)",
                s[0], s[1], s[2], s[3]);
        cnn_tensor *yb = sentinel_tensor(ctx, s[0], s[1], s[2], s[3]);
        CHECK(yb != NULL);
        EXPECT_ERROR(ctx, cnn_pool2d(ctx, yb, x, &p), CNN_ERROR_INVALID_SHAPE);
        CHECK(untouched(yb) == 0);
    }
    tu_clear_note();
    /* ceil_mode changes the expected shape: 9x9 input, k2 s2 -> 5x5 with ceil, 4x4 without. */
    cnn_tensor *x9 = data_tensor(ctx, 2, 3, 9, 9);
    CHECK(x9 != NULL);
    cnn_pool2d_params ceil = cnn_pool2d_params_default();
    ceil.ceil_mode = 1;
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, y, x9, &ceil), CNN_ERROR_INVALID_SHAPE);
    CHECK(untouched(y) == 0);

    /* Tensors of another context. */
    cnn_tensor *x2 = data_tensor(ctx2, 2, 3, 8, 8), *y2 = sentinel_tensor(ctx2, 2, 3, 4, 4);
    CHECK(x2 != NULL && y2 != NULL);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, y, x2, &p), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, y2, x, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(untouched(y) == 0);
    CHECK(untouched(y2) == 0);

    /* Aliasing: a 1x1 window of stride 1 keeps the shape. */
    cnn_pool2d_params same = cnn_pool2d_params_default();
    same.kernel_h = same.kernel_w = same.stride_h = same.stride_w = 1;
    cnn_tensor *xa = sentinel_tensor(ctx, 1, 2, 3, 3);
    CHECK(xa != NULL);
    EXPECT_ERROR(ctx, cnn_pool2d(ctx, xa, xa, &same), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(untouched(xa) == 0);

    /* Plans. */
    cnn_pool2d_plan *plan = (cnn_pool2d_plan *)ctx;
    const int64_t xs[4] = {2, 3, 8, 8};
    EXPECT_ERROR(ctx, cnn_pool2d_plan_create(NULL, ctx, xs, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_pool2d_plan_create(&plan, NULL, xs, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    plan = (cnn_pool2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_pool2d_plan_create(&plan, ctx, NULL, &p), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    plan = (cnn_pool2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_pool2d_plan_create(&plan, ctx, xs, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(plan == NULL);
    const int64_t xs_over[4] = {BIG, BIG, 8, 8};
    plan = (cnn_pool2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_pool2d_plan_create(&plan, ctx, xs_over, &p), CNN_ERROR_OVERFLOW);
    CHECK(plan == NULL);
    const int64_t xs_small[4] = {2, 3, 1, 8};
    plan = (cnn_pool2d_plan *)ctx;
    EXPECT_ERROR(ctx, cnn_pool2d_plan_create(&plan, ctx, xs_small, &p),
                 CNN_ERROR_INVALID_SHAPE);
    CHECK(plan == NULL);

    plan = NULL;
    CHECK_OK(cnn_pool2d_plan_create(&plan, ctx, xs, &p));
    tu_track(TU_POOL_PLAN, plan);
    CHECK_STATUS(cnn_pool2d_plan_execute(NULL, y, x), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d_plan_execute(plan, NULL, x), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d_plan_execute(plan, y, NULL), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_pool2d_plan_execute(plan, y, x9), CNN_ERROR_INVALID_SHAPE);
    EXPECT_ERROR(ctx, cnn_pool2d_plan_execute(plan, y1, x), CNN_ERROR_INVALID_SHAPE);
    EXPECT_ERROR(ctx, cnn_pool2d_plan_execute(plan, y, x2), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(untouched(y) == 0);
    CHECK_OK(cnn_pool2d_plan_execute(plan, y_ok, x));
    return 0;
}

/* ---- bias_act ----------------------------------------------------------------------------- */

static int test_bias_act_errors(cnn_context *ctx)
{
    cnn_context *ctx2 = tu_track(TU_CONTEXT, tu_context(tu_state()->device));
    tu_state()->ctx = ctx;
    CHECK(ctx2 != NULL);
    cnn_tensor *x = data_tensor(ctx, 2, 3, 4, 5), *b = data_tensor(ctx, 1, 3, 1, 1);
    cnn_tensor *y = sentinel_tensor(ctx, 2, 3, 4, 5);
    CHECK(x != NULL && b != NULL && y != NULL);
    cnn_tensor *y_ok = sentinel_tensor(ctx, 2, 3, 4, 5);
    CHECK(y_ok != NULL);
    CHECK_OK(cnn_bias_act(ctx, y_ok, x, b, CNN_ACTIVATION_RELU));

    CHECK_STATUS(cnn_bias_act(NULL, y, x, b, CNN_ACTIVATION_RELU), CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, NULL, x, b, CNN_ACTIVATION_RELU),
                 CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, y, NULL, b, CNN_ACTIVATION_RELU),
                 CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, y, x, b, (cnn_activation)5),
                 CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, y, x, NULL, (cnn_activation)-1),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(untouched(y) == 0);

    static const int64_t bad_out[][4] = {
        {1, 3, 4, 5}, {2, 4, 4, 5}, {2, 3, 5, 4}, {2, 3, 4, 6}, {2, 3, 20, 1},
    };
    for (size_t i = 0; i < sizeof bad_out / sizeof bad_out[0]; i++) {
        const int64_t *s = bad_out[i];
        tu_note("bias_act output %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64
                " (want 2x3x4x5)", s[0], s[1], s[2], s[3]);
        cnn_tensor *yb = sentinel_tensor(ctx, s[0], s[1], s[2], s[3]);
        CHECK(yb != NULL);
        EXPECT_ERROR(ctx, cnn_bias_act(ctx, yb, x, b, CNN_ACTIVATION_NONE),
                     CNN_ERROR_INVALID_SHAPE);
        CHECK(untouched(yb) == 0);
    }
    static const int64_t bad_bias[][4] = {
        {1, 2, 1, 1}, {1, 4, 1, 1}, {2, 3, 1, 1}, {1, 3, 4, 5}, {3, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof bad_bias / sizeof bad_bias[0]; i++) {
        const int64_t *s = bad_bias[i];
        tu_note("bias_act bias %" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64
                " (want 1x3x1x1)", s[0], s[1], s[2], s[3]);
        cnn_tensor *bb = data_tensor(ctx, s[0], s[1], s[2], s[3]);
        CHECK(bb != NULL);
        EXPECT_ERROR(ctx, cnn_bias_act(ctx, y, x, bb, CNN_ACTIVATION_NONE),
                     CNN_ERROR_INVALID_SHAPE);
    }
    tu_clear_note();
    CHECK(untouched(y) == 0);

    cnn_tensor *x2 = data_tensor(ctx2, 2, 3, 4, 5), *b2 = data_tensor(ctx2, 1, 3, 1, 1);
    CHECK(x2 != NULL && b2 != NULL);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, y, x2, b, CNN_ACTIVATION_NONE),
                 CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, y, x, b2, CNN_ACTIVATION_NONE),
                 CNN_ERROR_INVALID_ARGUMENT);
    EXPECT_ERROR(ctx, cnn_bias_act(ctx, x2, x2, NULL, CNN_ACTIVATION_NONE),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(untouched(y) == 0);
    return 0;
}

/* ---- the rest of the context API ---------------------------------------------------------- */

static int test_context_errors(cnn_context *ctx)
{
    cnn_device_info info;
    double ms = -1;
    CHECK_STATUS(cnn_context_device(NULL, &info), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_context_device(ctx, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_context_finish(NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_context_last_op_ms(NULL, &ms), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_context_last_op_ms(ctx, NULL), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(cnn_context_last_error(NULL) != NULL);

    /* Interop on the wrong kind of context or tensor. */
    CHECK_OK(cnn_context_device(ctx, &info));
    cnn_tensor *t = data_tensor(ctx, 1, 1, 2, 2);
    CHECK(t != NULL);
    cl_mem mem = NULL;
    cl_context clc = NULL;
    cl_device_id dev = NULL;
    cl_command_queue queue = NULL;
    cnn_tensor *wrapped = (cnn_tensor *)ctx;
    if (info.type == CNN_DEVICE_REFERENCE) {
        /* (cnn_tensor_wrap_cl of a real buffer on a reference context: test_interop.) */
        CHECK_STATUS(cnn_context_cl_objects(ctx, &clc, &dev, &queue), CNN_ERROR_UNSUPPORTED);
        CHECK_STATUS(cnn_tensor_cl_mem(t, &mem), CNN_ERROR_UNSUPPORTED);
        CHECK(mem == NULL);
        cnn_status st = cnn_tensor_wrap_cl(&wrapped, ctx, (cl_mem)NULL, 1, 1, 2, 2);
        CHECK_MSG(st == CNN_ERROR_INVALID_ARGUMENT || st == CNN_ERROR_UNSUPPORTED, "status %s",
                  cnn_status_string(st));
        CHECK(wrapped == NULL);
    } else {
        CHECK_OK(cnn_context_cl_objects(ctx, &clc, &dev, &queue));
        CHECK(clc != NULL && dev != NULL && queue != NULL);
        CHECK_OK(cnn_tensor_cl_mem(t, &mem));
        CHECK(mem != NULL);
        EXPECT_ERROR(ctx, cnn_tensor_wrap_cl(&wrapped, ctx, (cl_mem)NULL, 1, 1, 2, 2),
                     CNN_ERROR_INVALID_ARGUMENT);
        CHECK(wrapped == NULL);
        /* A 4-float buffer cannot hold 1x1x2x3. */
        wrapped = (cnn_tensor *)ctx;
        EXPECT_ERROR(ctx, cnn_tensor_wrap_cl(&wrapped, ctx, mem, 1, 1, 2, 3),
                     CNN_ERROR_INVALID_ARGUMENT);
        CHECK(wrapped == NULL);
        wrapped = (cnn_tensor *)ctx;
        EXPECT_ERROR(ctx, cnn_tensor_wrap_cl(&wrapped, ctx, mem, 1, 0, 2, 2),
                     CNN_ERROR_INVALID_ARGUMENT);
        CHECK(wrapped == NULL);
        wrapped = (cnn_tensor *)ctx;
        EXPECT_ERROR(ctx, cnn_tensor_wrap_cl(&wrapped, ctx, mem, BIG, BIG, 1, 1),
                     CNN_ERROR_OVERFLOW);
        CHECK(wrapped == NULL);
    }
    CHECK_STATUS(cnn_tensor_cl_mem(NULL, &mem), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_context_cl_objects(NULL, &clc, &dev, &queue), CNN_ERROR_INVALID_ARGUMENT);
    return 0;
}

/* A fresh context has no last error; a failure sets one; a success clears it again. */
static int test_last_error_lifecycle(cnn_context *unused)
{
    (void)unused;
    cnn_context *ctx = tu_context(tu_state()->device);
    CHECK(ctx != NULL);
    CHECK(strcmp(cnn_context_last_error(ctx), "") == 0);
    cnn_tensor *t = NULL;
    CHECK_STATUS(cnn_tensor_create(&t, ctx, 0, 1, 1, 1), CNN_ERROR_INVALID_ARGUMENT);
    CHECK(cnn_context_last_error(ctx)[0] != '\0');
    t = tu_tensor(ctx, 1, 1, 1, 1);
    CHECK(t != NULL);
    CHECK(strcmp(cnn_context_last_error(ctx), "") == 0);
    tu_release();
    tu_context_destroy(ctx);
    return 0;
}

typedef struct named_test {
    const char *name;
    tu_test_fn fn;
} named_test;

static const named_test tests[] = {
    {"tensor create errors", test_tensor_create_errors},
    {"tensor read/write errors", test_tensor_io_errors},
    {"conv2d errors", test_conv_errors},
    {"conv2d plan errors", test_conv_plan_errors},
    {"pool2d errors", test_pool_errors},
    {"bias_act errors", test_bias_act_errors},
    {"context and interop errors", test_context_errors},
};

int main(void)
{
    int failures = 0;
    failures += tu_run("context create errors", test_context_create_errors, NULL);
    tu_devices devs;
    if (tu_device_selectors(&devs, 1) != 0) {
        return 1;
    }
    for (int d = 0; d < devs.count; d++) {
        cnn_context *ctx = tu_context(devs.selector[d]);
        if (ctx == NULL) {
            failures++;
            continue;
        }
        failures += tu_run("last error lifecycle", test_last_error_lifecycle, NULL);
        for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
            failures += tu_run(tests[i].name, tests[i].fn, ctx);
            tu_state()->ctx = ctx;
        }
        tu_context_destroy(ctx);
    }
    tu_release_all_memory();
    printf("%d device(s), %d failure(s)\n", devs.count, failures);
    return failures == 0 ? 0 : 1;
}
