/* pool2d in the ops layer: PyTorch's MaxPool2d / AvgPool2d semantics, validated once here. */
#include "cnn_internal.h"
#include "fault.h"
#include "plan_cache.h"

#include <stdlib.h>
#include <string.h>

#define LL(x) ((long long)(x))

struct cnn_pool2d_plan {
    cnn_context *ctx;
    cnn_pool2d_desc desc;
    void *state;
    int cached;
};

cnn_pool2d_params cnn_pool2d_params_default(void)
{
    cnn_pool2d_params p;
    memset(&p, 0, sizeof p);
    p.mode = CNN_POOL_MAX;
    p.kernel_h = p.kernel_w = 2;
    p.stride_h = p.stride_w = 2;
    p.count_include_pad = 1;
    return p;
}

/* PyTorch's pooling_output_shape: floor or ceil of (in + 2*pad - k) / stride, plus one; in
 * ceil mode a last window that would start in the right padding is dropped. */
static int64_t pool_extent(int64_t in, int64_t k, int64_t stride, int64_t pad, int ceil_mode)
{
    /* The caller checked k <= in + 2 pad with pad <= k / 2: span is in range; the ceiling
     * without span + stride - 1, which overflows for huge strides. */
    const int64_t span = (in - k) + 2 * pad;
    int64_t out = span / stride + (ceil_mode && span % stride != 0) + 1;
    if (ceil_mode && (out - 1) * stride >= in + pad)
        out--;
    return out;
}

cnn_status cnn_pool2d_make_desc(cnn_context *ctx, cnn_pool2d_desc *d, const int64_t in[4],
                                const cnn_pool2d_params *p)
{
    if (!d || !in || !p)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "pool2d: %s is NULL",
                         !d ? "desc" : !in ? "input shape" : "params");
    for (int i = 0; i < 4; i++)
        if (in[i] < 1)
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "pool2d: input size %d is %lld, must be >= 1", i, LL(in[i]));
    if (p->mode != CNN_POOL_MAX && p->mode != CNN_POOL_AVG)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "pool2d: unknown mode %d",
                         (int)p->mode);
    int64_t count;
    if (!cnn_product_i64(in, 4, &count) || !cnn_mul_i64(count, 4, &count))
        return cnn_error(ctx, CNN_ERROR_OVERFLOW, "pool2d: input size overflows");

    int64_t kh = p->kernel_h, kw = p->kernel_w, sh = p->stride_h, sw = p->stride_w;
    int64_t ph = p->pad_h, pw = p->pad_w;
    if (p->global) {
        kh = in[2]; kw = in[3]; sh = sw = 1; ph = pw = 0;
    } else {
        if (kh < 1 || kw < 1)
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "pool2d: window %lldx%lld must be >= 1", LL(kh), LL(kw));
        if (sh < 1 || sw < 1)
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "pool2d: stride %lldx%lld must be >= 1", LL(sh), LL(sw));
        if (ph < 0 || pw < 0 || ph > kh / 2 || pw > kw / 2)
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "pool2d: padding %lldx%lld must be between 0 and half the window "
                             "%lldx%lld",
                             LL(ph), LL(pw), LL(kh), LL(kw));
        /* k - 2 pad > in, not k > in + 2 pad: with pad <= k / 2 this cannot overflow, even
         * for windows near INT64_MAX. */
        if (kh - 2 * ph > in[2] || kw - 2 * pw > in[3])
            return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                             "pool2d: window %lldx%lld is larger than the input %lldx%lld "
                             "with padding %lldx%lld",
                             LL(kh), LL(kw), LL(in[2]), LL(in[3]), LL(ph), LL(pw));
    }
    memset(d, 0, sizeof *d);
    d->n = in[0]; d->c = in[1]; d->h = in[2]; d->w = in[3];
    d->kernel_h = kh; d->kernel_w = kw;
    d->stride_h = sh; d->stride_w = sw;
    d->pad_h = ph; d->pad_w = pw;
    d->oh = pool_extent(in[2], kh, sh, ph, p->ceil_mode);
    d->ow = pool_extent(in[3], kw, sw, pw, p->ceil_mode);
    d->mode = p->mode;
    d->count_include_pad = p->count_include_pad ? 1 : 0;
    return CNN_SUCCESS;
}

cnn_status cnn_pool2d_output_shape(int64_t out[4], const int64_t input[4],
                                   const cnn_pool2d_params *params)
{
    if (!out)
        return CNN_ERROR_INVALID_ARGUMENT;
    cnn_pool2d_desc d = {0};
    cnn_status s = cnn_pool2d_make_desc(NULL, &d, input, params);
    if (s != CNN_SUCCESS)
        return s;
    out[0] = d.n; out[1] = d.c; out[2] = d.oh; out[3] = d.ow;
    return CNN_SUCCESS;
}

static cnn_status plan_make(cnn_context *ctx, const cnn_pool2d_desc *d, cnn_pool2d_plan **out)
{
    cnn_pool2d_plan *plan = cnn_calloc(1, sizeof *plan);
    if (!plan)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "pool2d plan: out of host memory");
    plan->ctx = ctx;
    plan->desc = *d;
    cnn_status s = ctx->backend->vt->pool2d_prepare(ctx->backend, &plan->desc, &plan->state);
    if (s != CNN_SUCCESS) {
        free(plan);
        return s;
    }
    *out = plan;
    return CNN_SUCCESS;
}

static void plan_free(cnn_pool2d_plan *plan)
{
    cnn_backend *be = plan->ctx->backend;
    if (plan->state)
        be->vt->pool2d_release(be, plan->state);
    free(plan);
}

static void cached_plan_free(void *plan) { plan_free(plan); }

static cnn_status pool2d_plan_create_locked(cnn_pool2d_plan **plan, cnn_context *ctx,
                                            const int64_t input_shape[4],
                                            const cnn_pool2d_params *params)
{
    if (plan)
        *plan = NULL;
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!plan)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "cnn_pool2d_plan_create: plan is NULL");
    cnn_pool2d_desc d;
    cnn_status s = cnn_pool2d_make_desc(ctx, &d, input_shape, params);
    if (s == CNN_SUCCESS)
        s = plan_make(ctx, &d, plan);
    if (s != CNN_SUCCESS)
        return s;
    ctx->live_plans++;
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_pool2d_plan_create(cnn_pool2d_plan **plan, cnn_context *ctx,
                                  const int64_t input_shape[4], const cnn_pool2d_params *params)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = pool2d_plan_create_locked(plan, ctx, input_shape, params);
    cnn_context_unlock(ctx);
    return s_;
}

static void pool2d_plan_destroy_locked(cnn_pool2d_plan *plan)
{
    if (!plan || plan->cached)
        return;
    cnn_context *ctx = plan->ctx;
    plan_free(plan);
    ctx->live_plans--;
    cnn_context_release_child(ctx);
}

void cnn_pool2d_plan_destroy(cnn_pool2d_plan *plan)
{
    cnn_context *held = plan ? plan->ctx : NULL;
    cnn_context_lock(held);
    pool2d_plan_destroy_locked(plan);
    cnn_context_unlock(held);
}

static cnn_status check_tensors(cnn_context *ctx, const cnn_pool2d_desc *d, const cnn_tensor *out,
                                const cnn_tensor *in)
{
    if (!out || !in)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "pool2d: %s tensor is NULL",
                         !out ? "output" : "input");
    if (out->ctx != ctx || in->ctx != ctx)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "pool2d: a tensor belongs to another context");
    const int64_t want_in[4] = {d->n, d->c, d->h, d->w};
    const int64_t want_out[4] = {d->n, d->c, d->oh, d->ow};
    if (memcmp(in->shape, want_in, sizeof want_in))
        return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                         "pool2d: input tensor is %lldx%lldx%lldx%lld, expected "
                         "%lldx%lldx%lldx%lld",
                         LL(in->shape[0]), LL(in->shape[1]), LL(in->shape[2]), LL(in->shape[3]),
                         LL(d->n), LL(d->c), LL(d->h), LL(d->w));
    if (memcmp(out->shape, want_out, sizeof want_out))
        return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                         "pool2d: output tensor is %lldx%lldx%lldx%lld, expected "
                         "%lldx%lldx%lldx%lld",
                         LL(out->shape[0]), LL(out->shape[1]), LL(out->shape[2]),
                         LL(out->shape[3]), LL(d->n), LL(d->c), LL(d->oh), LL(d->ow));
    if (out->buffer == in->buffer)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "pool2d: the output must not alias the input");
    return CNN_SUCCESS;
}

static cnn_status pool2d_plan_execute_locked(cnn_pool2d_plan *plan, cnn_tensor *out,
                                             const cnn_tensor *input)
{
    if (!plan)
        return CNN_ERROR_INVALID_ARGUMENT;
    cnn_context *ctx = plan->ctx;
    cnn_status s = check_tensors(ctx, &plan->desc, out, input);
    if (s != CNN_SUCCESS)
        return s;
    s = ctx->backend->vt->pool2d_run(ctx->backend, plan->state, &plan->desc, out->buffer,
                                     input->buffer);
    if (s == CNN_SUCCESS)
        cnn_error_clear(ctx);
    cnn_tensor_touch(out);
    return s;
}

cnn_status cnn_pool2d_plan_execute(cnn_pool2d_plan *plan, cnn_tensor *out,
                                   const cnn_tensor *input)
{
    cnn_context *held = plan ? plan->ctx : NULL;
    cnn_context_lock(held);
    const cnn_status s_ = pool2d_plan_execute_locked(plan, out, input);
    cnn_context_unlock(held);
    return s_;
}

static cnn_status pool2d_locked(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                                const cnn_pool2d_params *params)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!input)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "pool2d: input tensor is NULL");
    cnn_pool2d_desc d;
    cnn_status s = cnn_pool2d_make_desc(ctx, &d, input->shape, params);
    if (s != CNN_SUCCESS)
        return s;
    cnn_pool2d_plan *plan = cnn_plan_cache_find(ctx, CNN_PLAN_POOL2D, &d, sizeof d);
    if (!plan) {
        s = check_tensors(ctx, &d, out, input);
        if (s == CNN_SUCCESS)
            s = plan_make(ctx, &d, &plan);
        if (s != CNN_SUCCESS)
            return s;
        plan->cached = 1;
        s = cnn_plan_cache_insert(ctx, CNN_PLAN_POOL2D, &d, sizeof d, plan, cached_plan_free);
        if (s != CNN_SUCCESS) {
            plan_free(plan);
            return s;
        }
    }
    return cnn_pool2d_plan_execute(plan, out, input);
}

cnn_status cnn_pool2d(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                      const cnn_pool2d_params *params)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = pool2d_locked(ctx, out, input, params);
    cnn_context_unlock(ctx);
    return s_;
}
