/* The backend vtable: what a device must do. Ops validate everything above this line; backends
 * only execute problems that are already known to be valid. */
#ifndef CNNCL_BACKEND_H
#define CNNCL_BACKEND_H

#include "cnncl.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cnn_backend cnn_backend;

/* A validated convolution. Input n x c x h x w, weights k x (c/groups) x r x s, output
 * n x k x oh x ow. algo is never AUTO here. */
typedef struct cnn_conv2d_desc {
    int64_t n, c, h, w;
    int64_t k, r, s;
    int64_t oh, ow;
    int64_t stride_h, stride_w;
    int64_t dilation_h, dilation_w;
    int64_t pad_top, pad_bottom, pad_left, pad_right;
    int64_t groups;
    int has_bias;
    int flip;
    cnn_activation activation;
    cnn_conv2d_algo algo;
    unsigned allowed_algos;  /* with AUTO: the choice is restricted to these (0: all) */
    char tuning[32];         /* kernel parameters chosen by tuning ("" : the backend's rules);
                                one of the strings conv2d_candidates offered */
    int64_t rules_n;         /* the batch the backend's rules choose for, 0: n (the
                                self-check's one-image twin of a plan: the plan's batch, so
                                that the twin runs the plan's kernel variant) */
} cnn_conv2d_desc;

/* The batch that the backend's rules see (cnn_conv2d_desc.rules_n). */
static inline int64_t cnn_conv2d_rules_batch(const cnn_conv2d_desc *d)
{
    return d->rules_n ? d->rules_n : d->n;
}

#define CNN_TUNING_MAX 32

/* A validated pooling; global pooling is already resolved into kernel = h x w. */
typedef struct cnn_pool2d_desc {
    int64_t n, c, h, w;
    int64_t oh, ow;
    int64_t kernel_h, kernel_w;
    int64_t stride_h, stride_w;
    int64_t pad_h, pad_w;
    cnn_pool_mode mode;
    int count_include_pad;
} cnn_pool2d_desc;

/* out = act(x + bias[c]) over an n x c x h x w tensor; has_bias 0 means no bias. */
typedef struct cnn_bias_act_desc {
    int64_t n, c, h, w;
    int has_bias;
    cnn_activation activation;
} cnn_bias_act_desc;

/* Buffers are opaque per backend (host memory for the reference, cl_mem for OpenCL).
 * Every entry is required unless marked optional. Errors are recorded on the backend's
 * context with cnn_error(). */
typedef struct cnn_backend_vtable {
    const char *name;
    void (*destroy)(cnn_backend *be);

    cnn_status (*buffer_create)(cnn_backend *be, size_t bytes, void **buffer);
    void (*buffer_destroy)(cnn_backend *be, void *buffer);
    cnn_status (*buffer_write)(cnn_backend *be, void *buffer, const void *src, size_t bytes);
    cnn_status (*buffer_read)(cnn_backend *be, void *buffer, void *dst, size_t bytes);

    /* Per-plan state (compiled kernel, chosen tiles). prepare may set *state to NULL. */
    cnn_status (*conv2d_prepare)(cnn_backend *be, const cnn_conv2d_desc *d, void **state);
    /* weights_stamp identifies the weights' contents (0: unknown), so that a backend may keep
     * a repacked copy between executions. */
    cnn_status (*conv2d_run)(cnn_backend *be, void *state, const cnn_conv2d_desc *d, void *out,
                             const void *in, const void *weights, uint64_t weights_stamp,
                             const void *bias);
    void (*conv2d_release)(cnn_backend *be, void *state);
    /* Optional: kernel parameter sets worth timing for d (its algo set), as tuning strings;
     * returns how many were written (at most max). */
    int (*conv2d_candidates)(cnn_backend *be, const cnn_conv2d_desc *d,
                             char (*tunings)[CNN_TUNING_MAX], int max);
    /* Optional: the kernel variant a prepared state runs (kernel file and build options), for
     * self-validation; returns 0 when the backend has no variants (the reference). */
    int (*conv2d_variant)(cnn_backend *be, const void *state, char *buf, size_t size);

    cnn_status (*pool2d_prepare)(cnn_backend *be, const cnn_pool2d_desc *d, void **state);
    cnn_status (*pool2d_run)(cnn_backend *be, void *state, const cnn_pool2d_desc *d, void *out,
                             const void *in);
    void (*pool2d_release)(cnn_backend *be, void *state);

    cnn_status (*bias_act)(cnn_backend *be, const cnn_bias_act_desc *d, void *out,
                           const void *x, const void *bias);

    cnn_status (*finish)(cnn_backend *be);
    /* Device time of the last operation's kernels. */
    cnn_status (*last_op_ms)(cnn_backend *be, double *ms);
} cnn_backend_vtable;

/* Every backend struct starts with this. */
struct cnn_backend {
    const cnn_backend_vtable *vt;
    cnn_context *ctx; /* where errors are recorded */
};

/* The reference backend (plain loops, double accumulation). */
cnn_status cnn_reference_backend_create(cnn_context *ctx, cnn_backend **be);

#endif /* CNNCL_BACKEND_H */
