#define _POSIX_C_SOURCE 200809L
#include "find.h"
#include "fault.h"

#include "cnn_internal.h"
#include "disk_cache.h"
#include "kernel_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIND_REPS 3

void cnn_kernels_fingerprint(char out[CNN_KERNELS_FINGERPRINT_MAX])
{
    snprintf(out, CNN_KERNELS_FINGERPRINT_MAX, "%.16s/%d", cnn_kernel_sources_digest,
             (int)CNN_CONV2D_ALGO_LAST);
}

/* The disk-cache key: the device, the library version, the kernels (and their family) and
 * every field of the problem. */
static void find_key(const cnn_context *ctx, const cnn_conv2d_desc *d, char *key, size_t size)
{
    char kernels[CNN_KERNELS_FINGERPRINT_MAX];
    cnn_kernels_fingerprint(kernels);
    snprintf(key, size,
             "cnncl find 1|%s|kernels %s %s|%s|%s|%s|%016llx|"
             "n%lld c%lld h%lld w%lld k%lld r%lld s%lld sh%lld sw%lld dh%lld dw%lld "
             "p%lld,%lld,%lld,%lld g%lld b%d f%d a%d allowed%x",
             cnn_version(), kernels, cnn_context_gpu_kernels(ctx) ? "gpu" : "cpu",
             ctx->device.name, ctx->device.vendor, ctx->device.driver,
             (unsigned long long)ctx->device_fingerprint, (long long)d->n,
             (long long)d->c, (long long)d->h, (long long)d->w,
             (long long)d->k, (long long)d->r, (long long)d->s, (long long)d->stride_h,
             (long long)d->stride_w, (long long)d->dilation_h, (long long)d->dilation_w,
             (long long)d->pad_top, (long long)d->pad_bottom, (long long)d->pad_left,
             (long long)d->pad_right, (long long)d->groups, d->has_bias, d->flip,
             (int)d->activation, d->allowed_algos);
}

/* Smallest e with 2^e >= x (x >= 1). */
static int ceil_log2(int64_t x)
{
    int e = 0;
    while (e < 62 && ((int64_t)1 << e) < x)
        e++;
    return e;
}

/* The key of d's shape class: what decides which algorithm and tiles win (kernel size, strides,
 * dilations, one/all/some channels per group, padding or not, epilogue, allowed algorithms),
 * with the batch, channel counts and output sizes rounded up to powers of two. A shape that
 * was never tuned takes its class's winner: a tuned 56x56 layer serves a 50x50 one, batch 3
 * serves batch 4. */
static void class_key(const cnn_context *ctx, const cnn_conv2d_desc *d, char *key, size_t size)
{
    const int64_t cg = d->c / d->groups, kg = d->k / d->groups;
    const char *grouping = d->groups == 1 ? "dense" : cg == 1 ? "depthwise" : "grouped";
    const int padded = d->pad_top || d->pad_bottom || d->pad_left || d->pad_right;
    char kernels[CNN_KERNELS_FINGERPRINT_MAX];
    cnn_kernels_fingerprint(kernels);
    snprintf(key, size,
             "cnncl find class 1|%s|kernels %s %s|%s|%s|%s|%016llx|"
             "r%lld s%lld sh%lld sw%lld dh%lld "
             "dw%lld %s pad%d|n2^%d cg2^%d kg2^%d oh2^%d ow2^%d|b%d f%d a%d allowed%x",
             cnn_version(), kernels, cnn_context_gpu_kernels(ctx) ? "gpu" : "cpu",
             ctx->device.name, ctx->device.vendor, ctx->device.driver,
             (unsigned long long)ctx->device_fingerprint, (long long)d->r,
             (long long)d->s,
             (long long)d->stride_h, (long long)d->stride_w, (long long)d->dilation_h,
             (long long)d->dilation_w, grouping, padded, ceil_log2(d->n), ceil_log2(cg),
             ceil_log2(kg), ceil_log2(d->oh), ceil_log2(d->ow), d->has_bias, d->flip,
             (int)d->activation, d->allowed_algos);
}

/* The winner stored under key, as d with its algorithm and tuning. */
static int load_winner(const char *key, const cnn_conv2d_desc *d, cnn_conv2d_desc *chosen)
{
    unsigned char *data = NULL;
    size_t size = 0;
    if (!cnn_disk_cache_load(key, &data, &size))
        return 0;
    /* The payload: the algorithm's name, then a blank and the tuning string (maybe empty). */
    char text[96];
    const size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    free(data);
    char *space = strchr(text, ' ');
    const char *tuning = "";
    if (space) {
        *space = '\0';
        tuning = space + 1;
    }
    for (int a = CNN_CONV2D_ALGO_DIRECT; a <= CNN_CONV2D_ALGO_LAST; a++) {
        if (!strcmp(text, cnn_conv2d_algo_string((cnn_conv2d_algo)a)) &&
            strlen(tuning) < sizeof chosen->tuning) {
            *chosen = *d;
            chosen->algo = (cnn_conv2d_algo)a;
            snprintf(chosen->tuning, sizeof chosen->tuning, "%s", tuning);
            return 1;
        }
    }
    return 0;
}

int cnn_find_lookup(cnn_context *ctx, const cnn_conv2d_desc *d, int use_class,
                    cnn_conv2d_desc *chosen)
{
    char key[1200];
    find_key(ctx, d, key, sizeof key);
    if (load_winner(key, d, chosen))
        return 1;
    if (!use_class)
        return 0;
    class_key(ctx, d, key, sizeof key);
    if (!load_winner(key, d, chosen))
        return 0;
    cnn_log(CNN_LOG_DEBUG, "find: no result for this shape; its class's winner: %s [%s]",
            cnn_conv2d_algo_string(chosen->algo), chosen->tuning);
    return 1;
}

/* The best of FIND_REPS timed executions of a prepared state on scratch buffers; < 0 on error. */
static double time_state(cnn_context *ctx, const cnn_conv2d_desc *d, void *state, void *bx,
                         void *bw, void *bb, void *by)
{
    cnn_backend *be = ctx->backend;
    double best = -1.0;
    /* The first run packs the weights (stamp 1 stays valid) and is not timed. */
    for (int i = 0; i <= FIND_REPS; i++) {
        double ms = 0.0;
        if (be->vt->conv2d_run(be, state, d, by, bx, bw, 1, d->has_bias ? bb : NULL) ||
            be->vt->last_op_ms(be, &ms))
            return -1.0;
        if (i > 0 && (best < 0.0 || ms < best))
            best = ms;
    }
    return best;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

cnn_status cnn_find_best(cnn_context *ctx, const cnn_conv2d_desc *d,
                         const cnn_conv2d_desc *candidates, int count, int always,
                         double budget_ms,
                         cnn_status (*prepare)(cnn_context *, const cnn_conv2d_desc *, void **),
                         cnn_conv2d_desc *best, void **best_state)
{
    const double start = now_ms();
    cnn_backend *be = ctx->backend;
    const size_t in_bytes = (size_t)(d->n * d->c * d->h * d->w) * 4;
    const size_t w_bytes = (size_t)(d->k * (d->c / d->groups) * d->r * d->s) * 4;
    const size_t out_bytes = (size_t)(d->n * d->k * d->oh * d->ow) * 4;
    void *bx = NULL, *bw = NULL, *bb = NULL, *by = NULL;
    *best_state = NULL;
    cnn_status s = be->vt->buffer_create(be, in_bytes, &bx);
    if (s == CNN_SUCCESS) s = be->vt->buffer_create(be, w_bytes, &bw);
    if (s == CNN_SUCCESS) s = be->vt->buffer_create(be, (size_t)d->k * 4, &bb);
    if (s == CNN_SUCCESS) s = be->vt->buffer_create(be, out_bytes, &by);
    /* Zeros, not whatever the buffers held: denormals or NaNs could change the timings. */
    size_t largest = in_bytes > w_bytes ? in_bytes : w_bytes;
    if (out_bytes > largest)
        largest = out_bytes;
    void *zeros = s == CNN_SUCCESS ? cnn_calloc(1, largest) : NULL;
    if (s == CNN_SUCCESS && !zeros)
        s = cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "find: out of host memory");
    if (s == CNN_SUCCESS) s = be->vt->buffer_write(be, bx, zeros, in_bytes);
    if (s == CNN_SUCCESS) s = be->vt->buffer_write(be, bw, zeros, w_bytes);
    if (s == CNN_SUCCESS) s = be->vt->buffer_write(be, bb, zeros, (size_t)d->k * 4);
    free(zeros);
    double best_ms = -1.0;
    cnn_status last = CNN_ERROR_UNSUPPORTED;
    for (int i = 0; i < count && s == CNN_SUCCESS; i++) {
        if (i >= always && budget_ms > 0.0 && now_ms() - start > budget_ms) {
            cnn_log(CNN_LOG_DEBUG, "find: budget of %.3g ms spent, %d of %d candidates timed",
                    budget_ms, i, count);
            break;
        }
        cnn_conv2d_desc trial = candidates[i];
        void *state = NULL;
        last = prepare(ctx, &trial, &state);
        if (last != CNN_SUCCESS)
            continue;
        const double ms = time_state(ctx, &trial, state, bx, bw, bb, by);
        cnn_log(CNN_LOG_DEBUG, "find: %s [%s] %.4f ms", cnn_conv2d_algo_string(trial.algo),
                trial.tuning, ms);
        if (ms >= 0.0 && (best_ms < 0.0 || ms < best_ms)) {
            if (*best_state)
                be->vt->conv2d_release(be, *best_state);
            *best_state = state;
            *best = trial;
            best_ms = ms;
        } else {
            be->vt->conv2d_release(be, state);
        }
    }
    if (bx) be->vt->buffer_destroy(be, bx);
    if (bw) be->vt->buffer_destroy(be, bw);
    if (bb) be->vt->buffer_destroy(be, bb);
    if (by) be->vt->buffer_destroy(be, by);
    if (s != CNN_SUCCESS)
        return s;
    if (!*best_state)
        return last;
    char key[1200], payload[96];
    snprintf(payload, sizeof payload, "%s %s", cnn_conv2d_algo_string(best->algo), best->tuning);
    find_key(ctx, d, key, sizeof key);
    cnn_disk_cache_store(key, (const unsigned char *)payload, strlen(payload));
    class_key(ctx, d, key, sizeof key); /* the latest winner of the class */
    cnn_disk_cache_store(key, (const unsigned char *)payload, strlen(payload));
    cnn_log(CNN_LOG_INFO, "find: %s is the fastest (%.4f ms) for this shape", payload, best_ms);
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}
