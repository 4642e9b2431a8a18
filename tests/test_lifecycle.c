/* Lifecycle: device listing and selection, create/destroy churn of contexts, tensors and plans,
 * destroy(NULL), the one-shot plan cache over many shapes, logging, and (with --disk-cache) the
 * on-disk program cache. Labels: lifecycle, opencl.
 *
 *   test_lifecycle               everything but the disk cache (never skips)
 *   test_lifecycle --disk-cache  the disk cache, each round in a child process so that no
 *                                program survives in memory; exit 77 without an OpenCL device
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv, nftw, fork */

#include "cache_dirs.h"
#include "test_util.h"

#include "cnn_internal.h"
#include "reference.h"

#include <ftw.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run example 1 on ctx (one-shot) and check the feature map. */
static int run_example1(cnn_context *ctx)
{
    cnn_tensor *x = tu_tensor_from(ctx, 1, 1, 5, 5, tu_ex1_x);
    cnn_tensor *w = tu_tensor_from(ctx, 1, 1, 3, 3, tu_ex1_k);
    const int64_t ys[4] = {1, 1, 3, 3};
    cnn_tensor *y = tu_tensor_fill(ctx, ys, NAN);
    CHECK(x != NULL && w != NULL && y != NULL);
    cnn_conv2d_params p = cnn_conv2d_params_default();
    CHECK_OK(cnn_conv2d(ctx, y, x, w, NULL, &p));
    float *got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, tu_ex1_y, 9, ys, 0, 0);
    return 0;
}

/* ---- devices ------------------------------------------------------------------------------ */

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++) {
        size_t i = 0;
        while (i < n && hay[i] != '\0' &&
               (hay[i] | 0x20) == (needle[i] | 0x20)) { /* ASCII letters and digits */
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return n == 0;
}

static int test_device_list(cnn_context *unused)
{
    (void)unused;
    size_t count = 0, count2 = 0;
    CHECK_OK(cnn_device_list(NULL, 0, &count));
    CHECK(count >= 1 && count <= TU_MAX_DEVICES);
    cnn_device_info infos[TU_MAX_DEVICES + 1];
    memset(infos, 0xAB, sizeof infos);
    CHECK_OK(cnn_device_list(infos, 1, &count2)); /* only the first is written */
    CHECK(count2 == count);
    const unsigned char *spare = (const unsigned char *)&infos[1];
    for (size_t i = 0; i < sizeof infos[1]; i++) {
        CHECK(spare[i] == 0xAB);
    }
    CHECK_OK(cnn_device_list(infos, TU_MAX_DEVICES + 1, &count2));
    CHECK(count2 == count);

    /* The reference first. */
    CHECK(strcmp(infos[0].selector, "ref") == 0);
    CHECK(infos[0].type == CNN_DEVICE_REFERENCE);
    CHECK(infos[0].platform_index == -1 && infos[0].device_index == -1);
    CHECK(strcmp(infos[0].opencl_version, "none") == 0);
    CHECK(infos[0].name[0] != '\0');
    for (size_t i = 1; i < count; i++) {
        char sel[32];
        tu_note("device %zu: %s", i, infos[i].name);
        CHECK(infos[i].type != CNN_DEVICE_REFERENCE);
        CHECK(infos[i].platform_index >= 0 && infos[i].device_index >= 0);
        snprintf(sel, sizeof sel, "%d:%d", infos[i].platform_index, infos[i].device_index);
        CHECK(strcmp(infos[i].selector, sel) == 0);
        CHECK(infos[i].name[0] != '\0');
        CHECK(infos[i].compute_units >= 1);
        CHECK(infos[i].global_mem_bytes > 0 && infos[i].max_alloc_bytes > 0);
        CHECK(infos[i].max_alloc_bytes <= infos[i].global_mem_bytes);
        CHECK(infos[i].max_work_group_size >= 1);
        CHECK(strstr(infos[i].opencl_version, "OpenCL") != NULL);
        for (size_t j = 1; j < i; j++) {
            CHECK(strcmp(infos[i].selector, infos[j].selector) != 0);
        }
    }
    tu_clear_note();

    /* Each selector picks exactly its device. */
    for (size_t i = 0; i < count; i++) {
        tu_note("selector %s", infos[i].selector);
        cnn_context *ctx = NULL;
        char err[256];
        CHECK_OK(cnn_context_create(&ctx, infos[i].selector, err, sizeof err));
        tu_track(TU_CONTEXT, ctx);
        cnn_device_info got;
        CHECK_OK(cnn_context_device(ctx, &got));
        CHECK(strcmp(got.selector, infos[i].selector) == 0);
        CHECK(strcmp(got.name, infos[i].name) == 0);
        CHECK(got.type == infos[i].type);
        tu_release();
    }
    return 0;
}

/* "auto", "gpu", "cpu", "ref" and CNNCL_DEVICE, against the listing. */
static int test_device_selection(cnn_context *unused)
{
    (void)unused;
    cnn_device_info infos[TU_MAX_DEVICES];
    size_t count = 0;
    CHECK_OK(cnn_device_list(infos, TU_MAX_DEVICES, &count));
    int first_gpu = -1, first_cpu = -1;
    for (size_t i = 0; i < count; i++) {
        if (infos[i].type == CNN_DEVICE_GPU && first_gpu < 0) {
            first_gpu = (int)i;
        }
        if (infos[i].type == CNN_DEVICE_CPU && first_cpu < 0) {
            first_cpu = (int)i;
        }
    }
    /* auto: the first GPU, else the first OpenCL CPU, else the reference. */
    int want_auto = first_gpu >= 0 ? first_gpu : first_cpu >= 0 ? first_cpu : 0;
    static const char *const kinds[] = {"auto", "gpu", "cpu", "ref"};
    const int wants[] = {want_auto, first_gpu, first_cpu, 0};
    for (int k = 0; k < 4; k++) {
        tu_note("selector %s", kinds[k]);
        cnn_context *ctx = (cnn_context *)infos;
        char err[1024] = "";
        cnn_status st = cnn_context_create(&ctx, kinds[k], err, sizeof err);
        if (wants[k] < 0) {
            /* "gpu"/"cpu" without one: an error that lists the devices there are. */
            CHECK_STATUS(st, CNN_ERROR_DEVICE_NOT_FOUND);
            CHECK(ctx == NULL);
            for (size_t i = 0; i < count; i++) {
                CHECK_MSG(strstr(err, infos[i].selector) != NULL ||
                              strstr(err, infos[i].name) != NULL,
                          "the error \"%s\" does not list device %s", err, infos[i].selector);
            }
            continue;
        }
        CHECK_STATUS(st, CNN_SUCCESS);
        tu_track(TU_CONTEXT, ctx);
        cnn_device_info got;
        CHECK_OK(cnn_context_device(ctx, &got));
        CHECK_MSG(strcmp(got.selector, infos[wants[k]].selector) == 0, "got %s, want %s",
                  got.selector, infos[wants[k]].selector);
        tu_release();
    }

    /* NULL selector: CNNCL_DEVICE, else auto. */
    tu_note("CNNCL_DEVICE");
    CHECK(setenv("CNNCL_DEVICE", "ref", 1) == 0);
    cnn_context *ctx = NULL;
    cnn_device_info got;
    CHECK_OK(cnn_context_create(&ctx, NULL, NULL, 0));
    tu_track(TU_CONTEXT, ctx);
    CHECK_OK(cnn_context_device(ctx, &got));
    CHECK(got.type == CNN_DEVICE_REFERENCE);
    tu_release();
    CHECK(setenv("CNNCL_DEVICE", "no-such-device-xyzzy", 1) == 0);
    ctx = (cnn_context *)infos;
    CHECK_STATUS(cnn_context_create(&ctx, NULL, NULL, 0), CNN_ERROR_DEVICE_NOT_FOUND);
    CHECK(ctx == NULL);
    CHECK(unsetenv("CNNCL_DEVICE") == 0);
    CHECK_OK(cnn_context_create(&ctx, NULL, NULL, 0));
    tu_track(TU_CONTEXT, ctx);
    CHECK_OK(cnn_context_device(ctx, &got));
    CHECK(strcmp(got.selector, infos[want_auto].selector) == 0);
    tu_release();
    return 0;
}

/* A name substring, in another case, picks the first device (in list order, the reference
 * included) whose name or vendor contains it: one substring taken from each listed device. */
static int check_name_selector(const cnn_device_info *infos, size_t count, size_t d)
{
    const char *name = infos[d].name;
    char sub[16];
    size_t len = strlen(name) < 6 ? strlen(name) : 6;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        sub[i] = (c >= 'a' && c <= 'z')   ? (char)(c - 32)
                 : (c >= 'A' && c <= 'Z') ? (char)(c + 32)
                                          : c;
    }
    sub[len] = '\0';
    int want = -1;
    for (size_t i = 0; i < count && want < 0; i++) {
        if (contains_nocase(infos[i].name, sub) || contains_nocase(infos[i].vendor, sub)) {
            want = (int)i;
        }
    }
    tu_note("selector \"%s\" (from the name \"%s\" of device %s)", sub, name,
            infos[d].selector);
    CHECK(want >= 0);
    cnn_context *ctx = NULL;
    CHECK_OK(cnn_context_create(&ctx, sub, NULL, 0));
    tu_track(TU_CONTEXT, ctx);
    cnn_device_info got;
    CHECK_OK(cnn_context_device(ctx, &got));
    CHECK_MSG(strcmp(got.selector, infos[want].selector) == 0, "got %s, want %s", got.selector,
              infos[want].selector);
    tu_release();
    return 0;
}

static int test_name_selector(cnn_context *unused)
{
    (void)unused;
    cnn_device_info infos[TU_MAX_DEVICES];
    size_t count = 0;
    CHECK_OK(cnn_device_list(infos, TU_MAX_DEVICES, &count));
    int failed = 0;
    for (size_t d = 0; d < count && d < TU_MAX_DEVICES; d++) {
        failed |= check_name_selector(infos, count, d);
    }
    tu_clear_note();
    CHECK(failed == 0);

    /* A selector that matches nothing: *ctx NULL, the reason in errbuf. */
    tu_note("selector that matches nothing");
    char err[512] = "";
    cnn_context *ctx = (cnn_context *)infos;
    CHECK_STATUS(cnn_context_create(&ctx, "zz-matches-nothing-zz", err, sizeof err),
                 CNN_ERROR_DEVICE_NOT_FOUND);
    CHECK(ctx == NULL && err[0] != '\0');
    return 0;
}

/* ---- churn -------------------------------------------------------------------------------- */

/* Contexts created and destroyed many times, each computing example 1. */
static int test_context_churn(cnn_context *unused)
{
    (void)unused;
    tu_devices devs;
    CHECK(tu_device_selectors(&devs, 1) == 0);
    for (int d = 0; d < devs.count; d++) {
        int rounds = d == 0 ? 50 : 10;
        for (int i = 0; i < rounds; i++) {
            tu_note("context %d on %s", i, devs.selector[d]);
            cnn_context *ctx = NULL;
            char err[256];
            CHECK_OK(cnn_context_create(&ctx, devs.selector[d], err, sizeof err));
            tu_track(TU_CONTEXT, ctx);
            if (i % 5 == 0 || d == 0) {
                CHECK(run_example1(ctx) == 0);
            }
            tu_release();
        }
    }
    return 0;
}

/* Hundreds of tensors on one context, all alive together, destroyed out of order. */
static int test_tensor_churn(cnn_context *ctx)
{
    enum { NT = 400 };
    static cnn_tensor *t[NT];
    for (int i = 0; i < NT; i++) {
        int64_t n = 1 + i % 2, c = 1 + i % 5, h = 1 + i % 7, w = 1 + i % 11;
        CHECK_OK(cnn_tensor_create(&t[i], ctx, n, c, h, w));
        tu_track(TU_TENSOR, t[i]);
        float *data = tu_floats_fill(n * c * h * w, (float)i);
        CHECK(data != NULL);
        data[0] = -(float)i;
        CHECK_OK(cnn_tensor_write(t[i], data, n * c * h * w));
    }
    for (int i = 0; i < NT; i++) {
        int64_t s[4];
        CHECK_OK(cnn_tensor_shape(t[i], s));
        CHECK(s[0] == 1 + i % 2 && s[1] == 1 + i % 5 && s[2] == 1 + i % 7 && s[3] == 1 + i % 11);
        float *got = tu_read(t[i]);
        CHECK(got != NULL);
        CHECK(got[0] == -(float)i);
        CHECK(got[cnn_tensor_count(t[i]) - 1] ==
              (cnn_tensor_count(t[i]) == 1 ? -(float)i : (float)i));
    }
    for (int i = 1; i < NT; i += 2) {
        tu_untrack(t[i]);
        cnn_tensor_destroy(t[i]);
    }
    for (int i = NT - 2; i >= 0; i -= 2) {
        tu_untrack(t[i]);
        cnn_tensor_destroy(t[i]);
    }
    /* 300 short-lived tensors, created and destroyed one at a time. */
    for (int i = 0; i < 300; i++) {
        cnn_tensor *x = NULL;
        CHECK_OK(cnn_tensor_create(&x, ctx, 1, 1 + i % 3, 8, 8));
        cnn_tensor_destroy(x);
    }
    return run_example1(ctx);
}

/* Many plans of one shape alive together; destroyed in any order; executed meanwhile. */
static int test_plan_churn(cnn_context *ctx)
{
    enum { NP = 100 };
    static cnn_conv2d_plan *plans[NP];
    static cnn_pool2d_plan *pools[NP / 2];
    const int64_t xs[4] = {1, 1, 5, 5}, ws[4] = {1, 1, 3, 3};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    cnn_pool2d_params pp = cnn_pool2d_params_default();
    for (int i = 0; i < NP; i++) {
        CHECK_OK(cnn_conv2d_plan_create(&plans[i], ctx, xs, ws, i % 2, &p));
        tu_track(TU_CONV_PLAN, plans[i]);
    }
    for (int i = 0; i < NP / 2; i++) {
        CHECK_OK(cnn_pool2d_plan_create(&pools[i], ctx, xs, &pp));
        tu_track(TU_POOL_PLAN, pools[i]);
    }
    cnn_tensor *x = tu_tensor_from(ctx, 1, 1, 5, 5, tu_ex1_x);
    cnn_tensor *w = tu_tensor_from(ctx, 1, 1, 3, 3, tu_ex1_k);
    const float zero = 0.0f;
    cnn_tensor *b = tu_tensor_from(ctx, 1, 1, 1, 1, &zero);
    const int64_t ys[4] = {1, 1, 3, 3}, ps[4] = {1, 1, 2, 2};
    cnn_tensor *y = tu_tensor_fill(ctx, ys, NAN), *py = tu_tensor_fill(ctx, ps, NAN);
    CHECK(x != NULL && w != NULL && b != NULL && y != NULL && py != NULL);
    for (int i = 0; i < NP; i += 7) {
        CHECK_OK(cnn_conv2d_plan_execute(plans[i], y, x, w, i % 2 ? b : NULL));
        float *got = tu_read(y);
        CHECK(got != NULL);
        CHECK_ARRAY(got, tu_ex1_y, 9, ys, 0, 0);
    }
    /* max 2x2 s2 of the 5x5 example: [[2,4],[4,1]] */
    static const float want_pool[4] = {2, 4, 4, 1};
    CHECK_OK(cnn_pool2d_plan_execute(pools[NP / 2 - 1], py, x));
    float *got = tu_read(py);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_pool, 4, ps, 0, 0);
    for (int i = 0; i < NP; i += 2) {
        tu_untrack(plans[i]);
        cnn_conv2d_plan_destroy(plans[i]);
    }
    for (int i = 0; i < NP / 2; i++) {
        tu_untrack(pools[i]);
        cnn_pool2d_plan_destroy(pools[i]);
    }
    /* The remaining plans still work after their siblings are gone. */
    CHECK_OK(cnn_conv2d_plan_execute(plans[NP - 1], y, x, w, b));
    got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, tu_ex1_y, 9, ys, 0, 0);
    for (int i = 1; i < NP; i += 2) {
        tu_untrack(plans[i]);
        cnn_conv2d_plan_destroy(plans[i]);
    }
    return 0;
}

/* One-shot calls over many distinct shapes (plan cache misses), then again (hits), each
 * checked against the reference. */
static int test_oneshot_cache(cnn_context *ctx)
{
    tu_rng r = tu_rng_make(4);
    enum { NS = 80 };
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < NS; i++) {
            int64_t xs[4] = {1 + i % 2, 1 + i % 3, 4 + i % 9, 5 + (i / 9) % 7};
            int64_t ws[4] = {1 + (i * 7) % 5, xs[1], 1 + i % 3, 1 + (i / 3) % 3};
            cnn_conv2d_params p = cnn_conv2d_params_default();
            p.stride_h = 1 + (i / 5) % 2;
            p.pad_left = p.pad_right = i % 2;
            p.activation = (i / 2) % 2 ? CNN_ACTIVATION_RELU : CNN_ACTIVATION_NONE;
            int has_bias = (i / 4) % 2;
            char desc[256];
            tu_note("pass %d shape %d: %s", pass, i,
                    tu_conv_desc(desc, sizeof desc, xs, ws, &p, has_bias));
            cnn_conv2d_desc d;
            CHECK_OK(cnn_conv2d_make_desc(NULL, &d, xs, ws, has_bias, &p));
            int64_t xc = xs[0] * xs[1] * xs[2] * xs[3], wc = ws[0] * ws[1] * ws[2] * ws[3];
            int64_t ys[4] = {d.n, d.k, d.oh, d.ow}, yc = d.n * d.k * d.oh * d.ow;
            float *x = tu_floats(xc), *w = tu_floats(wc), *b = tu_floats(d.k);
            float *ref = tu_floats(yc);
            CHECK(x != NULL && w != NULL && b != NULL && ref != NULL);
            tu_fill_uniform(&r, x, xc, -1, 1);
            tu_fill_uniform(&r, w, wc, -1, 1);
            tu_fill_uniform(&r, b, d.k, -1, 1);
            cnn_ref_conv2d(&d, ref, x, w, has_bias ? b : NULL);
            cnn_tensor *tx = tu_tensor_from(ctx, xs[0], xs[1], xs[2], xs[3], x);
            cnn_tensor *tw = tu_tensor_from(ctx, ws[0], ws[1], ws[2], ws[3], w);
            cnn_tensor *tb = has_bias ? tu_tensor_from(ctx, 1, d.k, 1, 1, b) : NULL;
            cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
            CHECK(tx != NULL && tw != NULL && ty != NULL && (!has_bias || tb != NULL));
            CHECK_OK(cnn_conv2d(ctx, ty, tx, tw, tb, &p));
            float *got = tu_read(ty);
            CHECK(got != NULL);
            /* values in [-1, 1], at most 3*3*3 products: 1e-5 relative + 1e-5 is generous */
            CHECK_ARRAY(got, ref, yc, ys, 1e-5, 1e-5);
            tu_release();
        }
        /* Pooling shapes too. */
        for (int i = 0; i < NS / 2; i++) {
            int64_t xs[4] = {1, 1 + i % 4, 3 + i % 6, 3 + (i / 6) % 5};
            cnn_pool2d_params p = cnn_pool2d_params_default();
            p.mode = i % 2 ? CNN_POOL_AVG : CNN_POOL_MAX;
            p.kernel_h = p.kernel_w = 2 + i % 2;
            p.stride_h = p.stride_w = 1 + (i / 2) % 2;
            p.pad_h = p.pad_w = (i / 4) % 2;
            p.ceil_mode = (i / 8) % 2;
            char desc[256];
            tu_note("pass %d pool shape %d: %s", pass, i, tu_pool_desc(desc, sizeof desc, xs, &p));
            cnn_pool2d_desc d;
            CHECK_OK(cnn_pool2d_make_desc(NULL, &d, xs, &p));
            int64_t xc = xs[0] * xs[1] * xs[2] * xs[3];
            int64_t ys[4] = {d.n, d.c, d.oh, d.ow}, yc = d.n * d.c * d.oh * d.ow;
            float *x = tu_floats(xc), *ref = tu_floats(yc);
            CHECK(x != NULL && ref != NULL);
            for (int64_t j = 0; j < xc; j++) {
                x[j] = (float)tu_range(&r, -64, 64) / 8.0f; /* sums are exact */
            }
            cnn_ref_pool2d(&d, ref, x);
            cnn_tensor *tx = tu_tensor_from(ctx, xs[0], xs[1], xs[2], xs[3], x);
            cnn_tensor *ty = tu_tensor_fill(ctx, ys, NAN);
            CHECK(tx != NULL && ty != NULL);
            CHECK_OK(cnn_pool2d(ctx, ty, tx, &p));
            float *got = tu_read(ty);
            CHECK(got != NULL);
            CHECK_ARRAY(got, ref, yc, ys, 1e-6, 0);
            tu_release();
        }
    }
    return 0;
}

/* Work still queued when everything is destroyed: destroy waits, nothing crashes. */
static int test_destroy_with_pending_work(cnn_context *unused)
{
    (void)unused;
    tu_devices devs;
    CHECK(tu_device_selectors(&devs, 1) == 0);
    for (int d = 0; d < devs.count; d++) {
        cnn_context *ctx = NULL;
        CHECK_OK(cnn_context_create(&ctx, devs.selector[d], NULL, 0));
        tu_track(TU_CONTEXT, ctx);
        cnn_tensor *x = tu_tensor(ctx, 1, 8, 32, 32), *w = tu_tensor(ctx, 8, 8, 3, 3);
        cnn_tensor *y = tu_tensor(ctx, 1, 8, 30, 30);
        CHECK(x != NULL && w != NULL && y != NULL);
        float *xd = tu_floats_fill(8 * 32 * 32, 0.5f), *wd = tu_floats_fill(8 * 8 * 9, 0.25f);
        CHECK(xd != NULL && wd != NULL);
        CHECK_OK(cnn_tensor_write(x, xd, 8 * 32 * 32));
        CHECK_OK(cnn_tensor_write(w, wd, 8 * 8 * 9));
        cnn_conv2d_params p = cnn_conv2d_params_default();
        for (int i = 0; i < 5; i++) {
            CHECK_OK(cnn_conv2d(ctx, y, x, w, NULL, &p));
        }
        tu_release(); /* no finish: destroys y, w, x, then ctx with the convs queued */
    }
    return 0;
}

static int test_destroy_null(cnn_context *unused)
{
    (void)unused;
    cnn_context_destroy(NULL);
    cnn_tensor_destroy(NULL);
    cnn_conv2d_plan_destroy(NULL);
    cnn_pool2d_plan_destroy(NULL);
    CHECK(cnn_tensor_count(NULL) == 0);
    return 0;
}

/* cnn_context_last_op_ms after each kind of operation on contexts the library made. */
static int test_last_op_ms(cnn_context *ctx)
{
    CHECK(run_example1(ctx) == 0);
    double ms = -1;
    CHECK_OK(cnn_context_last_op_ms(ctx, &ms));
    CHECK(ms >= 0 && ms < 60000);
    cnn_tensor *x = tu_tensor_from(ctx, 1, 1, 5, 5, tu_ex1_x);
    const int64_t ps[4] = {1, 1, 2, 2};
    cnn_tensor *y = tu_tensor_fill(ctx, ps, 0);
    CHECK(x != NULL && y != NULL);
    cnn_pool2d_params p = cnn_pool2d_params_default();
    CHECK_OK(cnn_pool2d(ctx, y, x, &p));
    ms = -1;
    CHECK_OK(cnn_context_last_op_ms(ctx, &ms));
    CHECK(ms >= 0 && ms < 60000);
    CHECK_OK(cnn_bias_act(ctx, x, x, NULL, CNN_ACTIVATION_RELU));
    ms = -1;
    CHECK_OK(cnn_context_last_op_ms(ctx, &ms));
    CHECK(ms >= 0 && ms < 60000);
    return 0;
}

/* ---- logging ------------------------------------------------------------------------------ */

typedef struct log_capture {
    int count[5];
    char info[2048]; /* INFO messages, concatenated */
} log_capture;

static void capture_log(cnn_log_level level, const char *message, void *user_data)
{
    log_capture *c = (log_capture *)user_data;
    if ((int)level >= 0 && (int)level < 5) {
        c->count[level]++;
    }
    if (level == CNN_LOG_INFO) {
        size_t used = strlen(c->info);
        snprintf(c->info + used, sizeof c->info - used, "%s\n", message);
    }
}

/* The chosen device is logged at INFO; the level filters; NULL restores the default. */
static int test_logging(cnn_context *unused)
{
    (void)unused;
    tu_devices devs;
    CHECK(tu_device_selectors(&devs, 1) == 0);
    const char *sel = devs.selector[devs.count - 1];
    static log_capture cap;
    memset(&cap, 0, sizeof cap);
    cnn_log_set_callback(capture_log, &cap);
    cnn_log_set_level(CNN_LOG_INFO);
    cnn_context *ctx = NULL;
    cnn_status st = cnn_context_create(&ctx, sel, NULL, 0);
    cnn_device_info info;
    memset(&info, 0, sizeof info);
    if (st == CNN_SUCCESS) {
        st = cnn_context_device(ctx, &info);
    }
    cnn_context_destroy(ctx);
    ctx = NULL;
    log_capture at_info = cap;

    /* OFF: nothing, even for a failure. */
    memset(&cap, 0, sizeof cap);
    cnn_log_set_level(CNN_LOG_OFF);
    cnn_status st_off = cnn_context_create(&ctx, "no-such-device-xyzzy", NULL, 0);
    cnn_context_destroy(ctx);
    ctx = NULL;
    log_capture at_off = cap;

    cnn_log_set_callback(NULL, NULL);
    cnn_log_set_level(CNN_LOG_WARN);

    CHECK_OK(st);
    CHECK(at_info.count[CNN_LOG_DEBUG] == 0); /* below the level */
    CHECK_MSG(at_info.count[CNN_LOG_INFO] >= 1 && strstr(at_info.info, info.name) != NULL,
              "no INFO message naming the device \"%s\"; INFO messages: %s", info.name,
              at_info.info);
    CHECK_STATUS(st_off, CNN_ERROR_DEVICE_NOT_FOUND);
    for (int l = 0; l < 5; l++) {
        CHECK_MSG(at_off.count[l] == 0, "%d messages at level %d with logging off",
                  at_off.count[l], l);
    }
    return 0;
}

/* ---- the disk cache ---------------------------------------------------------------------- */

static int64_t files_seen;
static int64_t files_changed;

static int count_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)path;
    (void)sb;
    (void)ftw;
    if (type == FTW_F) {
        files_seen++;
    }
    return 0;
}

static int64_t count_files(const char *dir)
{
    files_seen = 0;
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        return 0;
    }
    nftw(dir, count_file, 16, FTW_PHYS);
    return files_seen;
}

/* Overwrite with garbage (same length, or longer), or truncate to 0 bytes, in turn. */
static int garble_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F) {
        return 0;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    int64_t which = files_changed++ % 3;
    if (which != 0) {
        int64_t size = which == 1 ? (int64_t)sb->st_size : (int64_t)sb->st_size + 100;
        uint64_t z = (uint64_t)files_changed * UINT64_C(0x9e3779b97f4a7c15);
        for (int64_t i = 0; i < size; i++) {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            fputc((int)(z & 0xff), f);
        }
    }
    fclose(f);
    return 0;
}

/* Rotate contents: file i gets the contents of file i+1 (a valid entry of another program). */
#define MAX_ROTATE 512
static char *rotate_paths[MAX_ROTATE];
static int rotate_count;

static int collect_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_F && rotate_count < MAX_ROTATE) {
        size_t n = strlen(path) + 1;
        rotate_paths[rotate_count] = (char *)malloc(n);
        if (rotate_paths[rotate_count] != NULL) {
            memcpy(rotate_paths[rotate_count++], path, n);
        }
    }
    return 0;
}

static char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = (char *)malloc((size_t)*size + 1);
    if (data != NULL && fread(data, 1, (size_t)*size, f) != (size_t)*size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static int rotate_files(const char *dir)
{
    rotate_count = 0;
    nftw(dir, collect_file, 16, FTW_PHYS);
    int rotated = 0;
    if (rotate_count >= 2) {
        long first_size = 0;
        char *first = slurp(rotate_paths[0], &first_size);
        for (int i = 0; i < rotate_count && first != NULL; i++) {
            long size = 0;
            char *data = i + 1 < rotate_count ? slurp(rotate_paths[i + 1], &size) : first;
            if (i + 1 == rotate_count) {
                size = first_size;
            }
            FILE *f = data != NULL ? fopen(rotate_paths[i], "wb") : NULL;
            if (f != NULL) {
                fwrite(data, 1, (size_t)size, f);
                fclose(f);
                rotated++;
            }
            if (data != first) {
                free(data);
            }
        }
        free(first);
    }
    for (int i = 0; i < rotate_count; i++) {
        free(rotate_paths[i]);
    }
    return rotated;
}

/* One round in this process: on every OpenCL device, conv (two variants), pool and bias_act,
 * each checked. Returns 0, 1 on failure, or 77 without an OpenCL device. */
static int cache_round(void)
{
    tu_devices devs;
    if (tu_device_selectors(&devs, 0) != 0) {
        return 1;
    }
    if (devs.count == 0) {
        return TU_SKIP;
    }
    for (int d = 0; d < devs.count; d++) {
        cnn_context *ctx = tu_context(devs.selector[d]);
        CHECK(ctx != NULL);
        tu_track(TU_CONTEXT, ctx);
        CHECK(tu_seed_ops(ctx) == 0);
        tu_release();
    }
    return 0;
}

/* Run cache_round() in a child process; returns its exit status (or 1). The parent never
 * touches OpenCL, so forking is safe. */
static int round_in_child(const char *what)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        tu_note("disk cache: %s", what);
        int rc = cache_round();
        tu_release_all_memory();
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        fprintf(stderr, "disk cache round \"%s\": child died (status 0x%x)\n", what, status);
        return 1;
    }
    return WEXITSTATUS(status);
}

static int test_disk_cache(void)
{
    char base[] = "/tmp/cnncl-test-cache-XXXXXX";
    CHECK(mkdtemp(base) != NULL);
    char xdg[sizeof base + 16], xdg_off[sizeof base + 16], home[sizeof base + 16];
    char cache[sizeof base + 32], cache_off[sizeof base + 32], cache_home[sizeof base + 48];
    snprintf(xdg, sizeof xdg, "%s/xdg", base);
    snprintf(xdg_off, sizeof xdg_off, "%s/off", base);
    snprintf(home, sizeof home, "%s/home", base);
    snprintf(cache, sizeof cache, "%s/cnncl", xdg);
    snprintf(cache_off, sizeof cache_off, "%s/cnncl", xdg_off);
    snprintf(cache_home, sizeof cache_home, "%s/.cache/cnncl", home);
    CHECK(mkdir(xdg, 0700) == 0 && mkdir(xdg_off, 0700) == 0 && mkdir(home, 0700) == 0);
    int rc = 0;

    CHECK(tu_pin_pocl_cache() == 0);

    /* 1. A cold cache is filled. */
    CHECK(setenv("XDG_CACHE_HOME", xdg, 1) == 0);
    CHECK(unsetenv("CNNCL_CACHE") == 0);
    rc = round_in_child("cold");
    if (rc == TU_SKIP) {
        tu_remove_tree(base);
        return TU_SKIP;
    }
    CHECK_MSG(rc == 0, "cold round failed");
    int64_t n_files = count_files(cache);
    printf("     disk cache: %" PRId64 " file(s) under %s\n", n_files, cache);
    CHECK_MSG(n_files >= 1, "no file under %s after a run", cache);

    /* 2. A warm cache is used (and still gives the right answers). */
    CHECK_MSG(round_in_child("warm") == 0, "warm round failed");

    /* 3. Every file garbled or truncated: ignored and rebuilt. */
    files_changed = 0;
    nftw(cache, garble_file, 16, FTW_PHYS);
    CHECK(files_changed == n_files);
    CHECK_MSG(round_in_child("garbled") == 0, "round with garbled cache files failed");
    CHECK(count_files(cache) >= 1);

    /* 4. Valid entries under the wrong keys (each file holds another program's entry). */
    CHECK_MSG(round_in_child("refill") == 0, "refill round failed");
    int rotated = rotate_files(cache);
    printf("     disk cache: %d file(s) rotated\n", rotated);
    CHECK_MSG(round_in_child("foreign") == 0, "round with foreign cache entries failed");

    /* 5. CNNCL_CACHE=off writes nothing. */
    CHECK(setenv("XDG_CACHE_HOME", xdg_off, 1) == 0);
    CHECK(setenv("CNNCL_CACHE", "off", 1) == 0);
    CHECK_MSG(round_in_child("CNNCL_CACHE=off") == 0, "round with CNNCL_CACHE=off failed");
    CHECK_MSG(count_files(cache_off) == 0, "CNNCL_CACHE=off wrote %" PRId64 " file(s) to %s",
              count_files(cache_off), cache_off);

    /* 6. Without XDG_CACHE_HOME the cache lives in ~/.cache/cnncl (DESIGN.md). */
    CHECK(unsetenv("CNNCL_CACHE") == 0);
    CHECK(unsetenv("XDG_CACHE_HOME") == 0);
    CHECK(setenv("HOME", home, 1) == 0);
    CHECK_MSG(round_in_child("HOME") == 0, "round with HOME failed");
    CHECK_MSG(count_files(cache_home) >= 1, "no file under %s", cache_home);

    tu_remove_tree(base);
    return 0;
}

/* ---- driver ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--disk-cache") == 0) {
        int rc = test_disk_cache();
        printf("%-4s disk cache\n", rc == 0 ? "ok" : rc == TU_SKIP ? "skip" : "FAIL");
        tu_release_all_memory();
        return rc;
    }

    int failures = 0;
    failures += tu_run("destroy NULL", test_destroy_null, NULL);
    failures += tu_run("device list", test_device_list, NULL);
    failures += tu_run("device selection", test_device_selection, NULL);
    failures += tu_run("device name selector", test_name_selector, NULL);
    failures += tu_run("logging", test_logging, NULL);
    failures += tu_run("context churn", test_context_churn, NULL);
    failures += tu_run("destroy with pending work", test_destroy_with_pending_work, NULL);

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
        failures += tu_run("tensor churn", test_tensor_churn, ctx);
        failures += tu_run("plan churn", test_plan_churn, ctx);
        failures += tu_run("one-shot plan cache", test_oneshot_cache, ctx);
        failures += tu_run("last_op_ms", test_last_op_ms, ctx);
        tu_context_destroy(ctx);
    }
    tu_release_all_memory();
    printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
