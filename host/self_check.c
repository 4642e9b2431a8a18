#include "self_check.h"
#include "fault.h"

#include "disk_cache.h"
#include "find.h"
#include "reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Problems larger than this (one image) are not twinned: their variant is used unchecked, and
 * the log says so at DEBUG. */
#define SELF_CHECK_MAX_BYTES (UINT64_C(64) << 20)
/* Outputs compared: all of a small twin, else this many spread over the output. */
#define SELF_CHECK_SAMPLES 512

struct cnn_variant_result {
    struct cnn_variant_result *next;
    int passed;
    char name[];
};

static struct cnn_variant_result *find(cnn_context *ctx, const char *name)
{
    for (struct cnn_variant_result *r = ctx->variants; r; r = r->next)
        if (!strcmp(r->name, name))
            return r;
    return NULL;
}

/* Passed self-checks are also kept in the disk cache, per device, driver and kernels, so that
 * a new context (or process) does not run the twin again: measured, the twin and its first
 * launches were most of a Winograd layer's first call with a warm program cache. */
static void disk_key(const cnn_context *ctx, const char *variant, char *key, size_t size)
{
    char kernels[CNN_KERNELS_FINGERPRINT_MAX];
    cnn_kernels_fingerprint(kernels);
    snprintf(key, size, "cnncl self-check 1|%s|kernels %s|%s|%s|%s|%016llx|%s", cnn_version(),
             kernels, ctx->device.name, ctx->device.vendor, ctx->device.driver,
             (unsigned long long)ctx->device_fingerprint, variant);
}

static int passed_on_disk(const cnn_context *ctx, const char *variant)
{
    char key[2048];
    disk_key(ctx, variant, key, sizeof key);
    unsigned char *data = NULL;
    size_t size = 0;
    if (!cnn_disk_cache_load(key, &data, &size))
        return 0;
    const int passed = size == 6 && !memcmp(data, "passed", 6);
    free(data);
    return passed;
}

static void remember(cnn_context *ctx, const char *name, int passed)
{
    const size_t len = strlen(name) + 1;
    struct cnn_variant_result *r = cnn_malloc(sizeof *r + len);
    if (!r)
        return; /* checked again next time */
    r->passed = passed;
    memcpy(r->name, name, len);
    r->next = ctx->variants;
    ctx->variants = r;
}

void cnn_self_check_release(cnn_context *ctx)
{
    struct cnn_variant_result *r = ctx->variants;
    while (r) {
        struct cnn_variant_result *next = r->next;
        free(r);
        r = next;
    }
    ctx->variants = NULL;
    free(ctx->inject_failure);
    ctx->inject_failure = NULL;
}

void cnn_self_check_inject_failure(cnn_context *ctx, const char *substring)
{
    free(ctx->inject_failure);
    ctx->inject_failure = NULL;
    if (substring && (ctx->inject_failure = malloc(strlen(substring) + 1)))
        strcpy(ctx->inject_failure, substring);
}

/* Deterministic data in [-1, 1). */
static void fill(float *p, int64_t n, uint64_t seed)
{
    for (int64_t i = 0; i < n; i++) {
        seed += UINT64_C(0x9e3779b97f4a7c15);
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        z ^= z >> 31;
        p[i] = (float)((double)(z >> 40) / (double)(UINT64_C(1) << 23)) - 1.0f;
    }
}

/* Run the twin on the backend and compare; 1 passed, 0 failed, -1 could not run. */
static int run_twin(cnn_context *ctx, const cnn_conv2d_desc *twin)
{
    cnn_backend *be = ctx->backend;
    const int64_t nx = twin->c * twin->h * twin->w;
    const int64_t nw = twin->k * (twin->c / twin->groups) * twin->r * twin->s;
    const int64_t ny = twin->k * twin->oh * twin->ow;
    float *x = cnn_malloc((size_t)nx * 4), *w = cnn_malloc((size_t)nw * 4);
    float *b = cnn_malloc((size_t)twin->k * 4), *y = cnn_malloc((size_t)ny * 4);
    void *bx = NULL, *bw = NULL, *bb = NULL, *by = NULL, *state = NULL;
    int result = -1;
    if (!x || !w || !b || !y) {
        cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "self-check: out of host memory");
        goto done;
    }
    fill(x, nx, 1);
    fill(w, nw, 2);
    fill(b, twin->k, 3);
    if (be->vt->buffer_create(be, (size_t)nx * 4, &bx) ||
        be->vt->buffer_create(be, (size_t)nw * 4, &bw) ||
        be->vt->buffer_create(be, (size_t)twin->k * 4, &bb) ||
        be->vt->buffer_create(be, (size_t)ny * 4, &by))
        goto done;
    if (be->vt->buffer_write(be, bx, x, (size_t)nx * 4) ||
        be->vt->buffer_write(be, bw, w, (size_t)nw * 4) ||
        be->vt->buffer_write(be, bb, b, (size_t)twin->k * 4) ||
        be->vt->conv2d_prepare(be, twin, &state) ||
        be->vt->conv2d_run(be, state, twin, by, bx, bw, 0, twin->has_bias ? bb : NULL) ||
        be->vt->buffer_read(be, by, y, (size_t)ny * 4))
        goto done;
    result = 1;
    const double x_max = cnn_ref_max_abs(x, nx);
    const int64_t step = ny <= SELF_CHECK_SAMPLES ? 1 : ny / SELF_CHECK_SAMPLES;
    for (int64_t i = 0; i < ny && result == 1; i += step) {
        const int64_t ox = i % twin->ow, oy = (i / twin->ow) % twin->oh;
        const int64_t k = i / (twin->ow * twin->oh);
        double mag = 0.0;
        const double ref = cnn_ref_conv2d_point(twin, x, w, b, 0, k, oy, ox, &mag);
        const double tol = cnn_ref_conv2d_tolerance(twin, w, k, mag, x_max);
        if (!(fabs((double)y[i] - ref) <= tol))
            result = 0;
    }
done:
    if (state)
        be->vt->conv2d_release(be, state);
    if (bx) be->vt->buffer_destroy(be, bx);
    if (bw) be->vt->buffer_destroy(be, bw);
    if (bb) be->vt->buffer_destroy(be, bb);
    if (by) be->vt->buffer_destroy(be, by);
    free(x);
    free(w);
    free(b);
    free(y);
    return result;
}

cnn_status cnn_self_check_conv2d(cnn_context *ctx, const cnn_conv2d_desc *d, const void *state)
{
    cnn_backend *be = ctx->backend;
    char variant[512];
    if (!be->vt->conv2d_variant || !be->vt->conv2d_variant(be, state, variant, sizeof variant))
        return CNN_SUCCESS;
    struct cnn_variant_result *known = find(ctx, variant);
    if (!known && !(ctx->inject_failure && strstr(variant, ctx->inject_failure)) &&
        passed_on_disk(ctx, variant)) {
        remember(ctx, variant, 1);
        known = find(ctx, variant);
        cnn_log(CNN_LOG_DEBUG, "variant %s: passed its self-check before (disk cache)", variant);
    }
    if (!known) {
        cnn_conv2d_desc twin = *d;
        twin.rules_n = cnn_conv2d_rules_batch(d);
        twin.n = 1;
        const double bytes = 4.0 * ((double)twin.c * twin.h * twin.w +
                                    (double)twin.k * (twin.c / twin.groups) * twin.r * twin.s +
                                    (double)twin.k * twin.oh * twin.ow);
        if (bytes > (double)SELF_CHECK_MAX_BYTES) {
            cnn_log(CNN_LOG_DEBUG, "variant %s: not self-checked (the twin would take %.0f MB)",
                    variant, bytes / 1e6);
            return CNN_SUCCESS;
        }
        int passed = run_twin(ctx, &twin);
        if (passed < 0)
            return ctx->last_status != CNN_SUCCESS ? ctx->last_status : CNN_ERROR_INTERNAL;
        if (ctx->inject_failure && strstr(variant, ctx->inject_failure))
            passed = 0;
        cnn_error_clear(ctx);
        remember(ctx, variant, passed);
        if (passed) {
            char key[2048];
            disk_key(ctx, variant, key, sizeof key);
            cnn_disk_cache_store(key, (const unsigned char *)"passed", 6);
        }
        if (passed)
            cnn_log(CNN_LOG_DEBUG, "variant %s: self-check passed", variant);
        else
            cnn_log(CNN_LOG_WARN,
                    "variant %s failed its self-check against the reference on %s: it will not "
                    "be used on this device",
                    variant, ctx->device.name);
        known = find(ctx, variant);
        if (!known && passed) /* out of memory for the record: checked again next time */
            return CNN_SUCCESS;
        if (!known)
            return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                             "conv2d: kernel variant %s failed its self-check on this device",
                             variant);
    }
    if (known->passed)
        return CNN_SUCCESS;
    return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                     "conv2d: kernel variant %s failed its self-check on this device", variant);
}
