/* Context lifetime. A context stays allocated until its last tensor and plan are gone, so a
 * caller who destroys things in the wrong order gets a leak-free shutdown, not a crash. */
#define _XOPEN_SOURCE 700 /* PTHREAD_MUTEX_RECURSIVE */
#include "cnn_internal.h"
#include "fault.h"
#include "plan_cache.h"
#include "self_check.h"

#include <stdlib.h>
#include <string.h>

cnn_context *cnn_context_alloc(void)
{
    cnn_context *ctx = cnn_calloc(1, sizeof(cnn_context));
    if (!ctx)
        return NULL;
    ctx->tune_budget_ms = 1000.0;
    pthread_mutexattr_t attr;
    int ok = pthread_mutexattr_init(&attr) == 0;
    if (ok) {
        ok = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) == 0 &&
             pthread_mutex_init(&ctx->lock, &attr) == 0;
        pthread_mutexattr_destroy(&attr);
    }
    if (!ok) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

static void context_free_now(cnn_context *ctx)
{
    cnn_plan_cache_destroy(ctx);
    cnn_self_check_release(ctx);
    if (ctx->backend)
        ctx->backend->vt->destroy(ctx->backend);
    free(ctx->last_error);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

/* Always inside a call (the lock held): the free waits for the outermost unlock. */
static void context_free(cnn_context *ctx) { ctx->free_pending = 1; }

void cnn_context_lock(cnn_context *ctx)
{
    if (!ctx)
        return;
    pthread_mutex_lock(&ctx->lock);
    ctx->lock_depth++;
}

void cnn_context_unlock(cnn_context *ctx)
{
    if (!ctx)
        return;
    const int free_now = --ctx->lock_depth == 0 && ctx->free_pending;
    pthread_mutex_unlock(&ctx->lock);
    if (free_now)
        context_free_now(ctx);
}

void cnn_context_release_child(cnn_context *ctx)
{
    if (ctx->closing && ctx->live_tensors == 0 && ctx->live_plans == 0)
        context_free(ctx);
}

cnn_status cnn_context_complete(cnn_context **out, cnn_context *ctx, cnn_status status,
                                char *errbuf, size_t errbuf_size)
{
    if (status != CNN_SUCCESS) {
        const char *msg = ctx && ctx->last_error && ctx->last_error[0]
                              ? ctx->last_error
                              : cnn_status_string(status);
        cnn_copy_message(errbuf, errbuf_size, msg);
        if (ctx)
            context_free_now(ctx); /* never handed out: nobody holds its lock */
        *out = NULL;
        return status;
    }
    cnn_log(CNN_LOG_INFO, "device %s: %s (%s, %s)", ctx->device.selector, ctx->device.name,
            cnn_device_type_string(ctx->device.type), ctx->device.vendor);
    cnn_error_clear(ctx);
    cnn_copy_message(errbuf, errbuf_size, "");
    *out = ctx;
    return CNN_SUCCESS;
}

static void context_destroy_locked(cnn_context *ctx)
{
    if (!ctx || ctx->closing)
        return;
    if (ctx->backend)
        ctx->backend->vt->finish(ctx->backend);
    /* Cached plans belong to the context; the caller's own plans and tensors keep it alive. */
    cnn_plan_cache_destroy(ctx);
    ctx->closing = 1;
    if (ctx->live_tensors || ctx->live_plans)
        cnn_log(CNN_LOG_WARN,
                "context destroyed with %lld tensors and %lld plans alive; freed with the last",
                (long long)ctx->live_tensors, (long long)ctx->live_plans);
    cnn_context_release_child(ctx);
}

void cnn_context_destroy(cnn_context *ctx)
{
    cnn_context_lock(ctx);
    context_destroy_locked(ctx);
    cnn_context_unlock(ctx);
}

static cnn_status context_device_locked(const cnn_context *ctx, cnn_device_info *info)
{
    if (!ctx || !info)
        return CNN_ERROR_INVALID_ARGUMENT;
    *info = ctx->device;
    return CNN_SUCCESS;
}

cnn_status cnn_context_device(const cnn_context *ctx, cnn_device_info *info)
{
    cnn_context *held = (cnn_context *)ctx;
    cnn_context_lock(held);
    const cnn_status s_ = context_device_locked(ctx, info);
    cnn_context_unlock(held);
    return s_;
}

static cnn_status context_finish_locked(cnn_context *ctx)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    return ctx->backend->vt->finish(ctx->backend);
}

cnn_status cnn_context_finish(cnn_context *ctx)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = context_finish_locked(ctx);
    cnn_context_unlock(ctx);
    return s_;
}

static cnn_status context_last_op_ms_locked(cnn_context *ctx, double *ms)
{
    if (!ctx || !ms)
        return ctx ? cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "ms is NULL")
                   : CNN_ERROR_INVALID_ARGUMENT;
    return ctx->backend->vt->last_op_ms(ctx->backend, ms);
}

cnn_status cnn_context_last_op_ms(cnn_context *ctx, double *ms)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = context_last_op_ms_locked(ctx, ms);
    cnn_context_unlock(ctx);
    return s_;
}

#define CNN_DEFAULT_WORKSPACE_LIMIT (UINT64_C(256) << 20)

static cnn_status context_set_workspace_limit_locked(cnn_context *ctx, uint64_t bytes)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    ctx->workspace_limit = bytes;
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_context_set_workspace_limit(cnn_context *ctx, uint64_t bytes)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = context_set_workspace_limit_locked(ctx, bytes);
    cnn_context_unlock(ctx);
    return s_;
}

uint64_t cnn_context_workspace_limit(const cnn_context *ctx)
{
    uint64_t limit = ctx->workspace_limit ? ctx->workspace_limit : CNN_DEFAULT_WORKSPACE_LIMIT;
    if (ctx->device.max_alloc_bytes && limit > ctx->device.max_alloc_bytes)
        limit = ctx->device.max_alloc_bytes;
    return limit;
}

static cnn_status context_set_kernel_family_locked(cnn_context *ctx, cnn_kernel_family family)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (family != CNN_KERNELS_AUTO && family != CNN_KERNELS_CPU && family != CNN_KERNELS_GPU)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "kernel family %d: not AUTO (0), CPU (1) or GPU (2)", (int)family);
    if (family != ctx->kernel_family) {
        /* The one-shot plans were made for the other family. */
        cnn_plan_cache_destroy(ctx);
        ctx->kernel_family = family;
    }
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_context_set_kernel_family(cnn_context *ctx, cnn_kernel_family family)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = context_set_kernel_family_locked(ctx, family);
    cnn_context_unlock(ctx);
    return s_;
}

int cnn_context_gpu_kernels(const cnn_context *ctx)
{
    return ctx->kernel_family == CNN_KERNELS_GPU ||
           (ctx->kernel_family == CNN_KERNELS_AUTO && ctx->device.type == CNN_DEVICE_GPU);
}

static cnn_status context_set_find_mode_locked(cnn_context *ctx, int mode)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (mode & ~(CNN_FIND_ALGORITHMS | CNN_FIND_TUNE))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "find mode: unknown flags 0x%x", mode);
    ctx->find_mode = mode ? mode | CNN_FIND_ALGORITHMS : 0;
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_context_set_find_mode(cnn_context *ctx, int mode)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = context_set_find_mode_locked(ctx, mode);
    cnn_context_unlock(ctx);
    return s_;
}

static cnn_status context_set_tune_budget_locked(cnn_context *ctx, double ms)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!(ms >= 0.0))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "tune budget: %g ms", ms);
    ctx->tune_budget_ms = ms;
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_context_set_tune_budget(cnn_context *ctx, double ms)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = context_set_tune_budget_locked(ctx, ms);
    cnn_context_unlock(ctx);
    return s_;
}
