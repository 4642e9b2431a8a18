/* Private structures and helpers shared by the host runtime. Not installed. */
#ifndef CNNCL_INTERNAL_H
#define CNNCL_INTERNAL_H

#include "backend.h"
#include "cnncl.h"

#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

/* ---- errors ----------------------------------------------------------------------------- */

/* Record status and a printf-style message as ctx's last error, and return status.
 * ctx may be NULL (then only logged at DEBUG). */
cnn_status cnn_error(cnn_context *ctx, cnn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
cnn_status cnn_verror(cnn_context *ctx, cnn_status status, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;
/* Append text (a build log) to the last error. */
void cnn_error_append(cnn_context *ctx, const char *text);
/* Clear the last error (at the start of each public call that succeeds). */
void cnn_error_clear(cnn_context *ctx);

/* ---- logging ---------------------------------------------------------------------------- */

void cnn_log(cnn_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int cnn_log_enabled(cnn_log_level level);

/* ---- overflow-checked size arithmetic (return 0 on overflow or a negative operand) -------- */

int cnn_mul_i64(int64_t a, int64_t b, int64_t *out);
int cnn_add_i64(int64_t a, int64_t b, int64_t *out);
/* Product of count values; 0 on overflow. */
int cnn_product_i64(const int64_t *values, int count, int64_t *out);
/* The element count of a shape and its size in bytes as size_t; 0 on overflow. */
int cnn_shape_bytes(const int64_t shape[4], int64_t *count, size_t *bytes);

/* ---- context and tensors ----------------------------------------------------------------- */

typedef struct cnn_plan_cache cnn_plan_cache;

struct cnn_context {
    cnn_backend *backend;
    cnn_device_info device;
    uint64_t device_fingerprint; /* hash of the device's strings, whole (device's fields may be
                                    cut): part of every disk-cache key; 0 on the reference */
    char *last_error;          /* heap text, grows for build logs */
    size_t last_error_cap;
    cnn_status last_status;
    int64_t live_tensors;      /* tensors and plans still alive, checked at destroy */
    int64_t live_plans;
    cnn_plan_cache *plans;     /* plans made by the one-shot calls */
    int closing;               /* destroyed by the caller; freed when the last child goes */
    uint64_t last_stamp;       /* the last content stamp given to a tensor */
    uint64_t workspace_limit;  /* bytes per workspace; 0: the default */
    struct cnn_variant_result *variants; /* self-checked kernel variants (self_check.c) */
    char *inject_failure;      /* tests: variants that must fail their self-check */
    int find_mode;             /* CNN_FIND_* flags: AUTO plans time their candidates (find.c) */
    double tune_budget_ms;     /* per plan, for CNN_FIND_TUNE; 0: no limit */
    cnn_kernel_family kernel_family;
    /* Every public call on the context, its tensors and plans holds this (recursive) lock, so
     * threads may share a context; the free that the last destroy asks for waits for the
     * outermost unlock. */
    pthread_mutex_t lock;
    int lock_depth;
    int free_pending;
};

/* The context's lock (NULL: nothing); the unlock that ends the outermost call frees a context
 * whose last reference went meanwhile. */
void cnn_context_lock(cnn_context *ctx);
void cnn_context_unlock(cnn_context *ctx);

/* Whether plans on ctx use the GPU-shaped kernels (the family in force, AUTO by device type). */
int cnn_context_gpu_kernels(const cnn_context *ctx);

/* The workspace limit in force: the caller's, else 256 MiB, never above the device's max
 * allocation. */
uint64_t cnn_context_workspace_limit(const cnn_context *ctx);

struct cnn_tensor {
    cnn_context *ctx;
    int64_t shape[4];
    int64_t count;
    size_t bytes;
    void *buffer;              /* backend buffer */
    int external;              /* 1: a caller may write it directly (a wrapped buffer, or
                                  its cl_mem was handed out) */
    uint64_t stamp;            /* changes with every write through cnncl; unique in the
                                  context; 0: the contents may change behind cnncl's back */
};

/* The tensor's contents changed (written, or the output of an operation). */
void cnn_tensor_touch(cnn_tensor *t);

/* A zeroed context without a backend, so that backend creation can record errors on it;
 * NULL when out of memory. cnn_context_destroy() frees it. */
cnn_context *cnn_context_alloc(void);
/* Finish creating ctx once ctx->backend and ctx->device are set (or fail with status):
 * on failure copies the last error into errbuf, destroys ctx and sets *out to NULL. */
cnn_status cnn_context_complete(cnn_context **out, cnn_context *ctx, cnn_status status,
                                char *errbuf, size_t errbuf_size);

/* A tensor or plan of ctx was destroyed (after the counters were decremented). */
void cnn_context_release_child(cnn_context *ctx);

/* Copy a message into an optional caller buffer. */
void cnn_copy_message(char *dst, size_t dst_size, const char *src);

/* Case-insensitive substring test. */
int cnn_contains_nocase(const char *haystack, const char *needle);

/* ---- ops layer: validation into descriptors (also used by cnnbench and tests) ------------ */

/* Validate a convolution problem and fill a descriptor (algo resolved by cnn_conv2d_choose).
 * ctx receives the error message and may be NULL. */
cnn_status cnn_conv2d_make_desc(cnn_context *ctx, cnn_conv2d_desc *d, const int64_t input[4],
                                const int64_t weights[4], int has_bias,
                                const cnn_conv2d_params *p);
cnn_status cnn_pool2d_make_desc(cnn_context *ctx, cnn_pool2d_desc *d, const int64_t input[4],
                                const cnn_pool2d_params *p);

/* The last algorithm of cnn_conv2d_algo (loops over every algorithm). */
#define CNN_CONV2D_ALGO_LAST CNN_CONV2D_ALGO_WINOGRAD

/* FLOPs of a convolution counted as direct: 2*N*K*OH*OW*(C/g)*R*S. */
double cnn_conv2d_flops(const cnn_conv2d_desc *d);

/* Drop every cached plan of a context (before the backend goes away). */
void cnn_plan_cache_destroy(cnn_context *ctx);

#endif /* CNNCL_INTERNAL_H */
