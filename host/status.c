/* Status names, the per-context last-error text, and the library version. */
#include "cnn_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CNNCL_VERSION_STRING: from cnncl_version.h, generated from the project's version. */
const char *cnn_version(void) { return CNNCL_VERSION_STRING; }

const char *cnn_status_string(cnn_status status)
{
    switch (status) {
    case CNN_SUCCESS: return "success";
    case CNN_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case CNN_ERROR_INVALID_SHAPE: return "invalid shape";
    case CNN_ERROR_OVERFLOW: return "size overflow";
    case CNN_ERROR_OUT_OF_MEMORY: return "out of memory";
    case CNN_ERROR_DEVICE_NOT_FOUND: return "device not found";
    case CNN_ERROR_OPENCL: return "OpenCL error";
    case CNN_ERROR_BUILD_FAILED: return "kernel build failed";
    case CNN_ERROR_UNSUPPORTED: return "unsupported";
    case CNN_ERROR_LIMIT_EXCEEDED: return "device limit exceeded";
    case CNN_ERROR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

/* The text is kept on the heap so that a whole build log fits; capped so a runaway log cannot
 * eat memory. */
#define CNN_ERROR_TEXT_MAX (256u * 1024u)

static int reserve_error(cnn_context *ctx, size_t need)
{
    if (need > CNN_ERROR_TEXT_MAX)
        need = CNN_ERROR_TEXT_MAX;
    if (ctx->last_error_cap >= need)
        return 1;
    size_t cap = ctx->last_error_cap ? ctx->last_error_cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > CNN_ERROR_TEXT_MAX)
        cap = CNN_ERROR_TEXT_MAX;
    char *p = realloc(ctx->last_error, cap);
    if (!p)
        return 0;
    if (!ctx->last_error)
        p[0] = '\0';
    ctx->last_error = p;
    ctx->last_error_cap = cap;
    return 1;
}

cnn_status cnn_verror(cnn_context *ctx, cnn_status status, const char *fmt, va_list ap)
{
    char local[1024];
    va_list copy;
    va_copy(copy, ap);
    int len = vsnprintf(local, sizeof local, fmt, copy);
    va_end(copy);
    if (len < 0)
        len = 0;
    if (ctx) {
        ctx->last_status = status;
        if (reserve_error(ctx, (size_t)len + 1)) {
            vsnprintf(ctx->last_error, ctx->last_error_cap, fmt, ap);
        } else if (ctx->last_error_cap > 0) {
            snprintf(ctx->last_error, ctx->last_error_cap, "%s", local);
        }
    }
    cnn_log(CNN_LOG_DEBUG, "%s: %s", cnn_status_string(status), local);
    return status;
}

cnn_status cnn_error(cnn_context *ctx, cnn_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cnn_status s = cnn_verror(ctx, status, fmt, ap);
    va_end(ap);
    return s;
}

void cnn_error_append(cnn_context *ctx, const char *text)
{
    if (!ctx || !text)
        return;
    size_t have = ctx->last_error ? strlen(ctx->last_error) : 0;
    size_t add = strlen(text);
    if (!reserve_error(ctx, have + add + 1))
        return;
    size_t room = ctx->last_error_cap - have - 1;
    if (add > room)
        add = room;
    memcpy(ctx->last_error + have, text, add);
    ctx->last_error[have + add] = '\0';
}

void cnn_error_clear(cnn_context *ctx)
{
    if (!ctx)
        return;
    ctx->last_status = CNN_SUCCESS;
    if (ctx->last_error)
        ctx->last_error[0] = '\0';
}

const char *cnn_context_last_error(const cnn_context *ctx)
{
    if (!ctx)
        return "no context (NULL)";
    return ctx->last_error ? ctx->last_error : "";
}

void cnn_copy_message(char *dst, size_t dst_size, const char *src)
{
    if (!dst || dst_size == 0)
        return;
    snprintf(dst, dst_size, "%s", src ? src : "");
}

int cnn_contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 1;
    for (const char *h = haystack; *h; h++) {
        size_t i = 0;
        while (i < n && h[i]) {
            char a = h[i], b = needle[i];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
            i++;
        }
        if (i == n)
            return 1;
    }
    return 0;
}
