/* conv2d in the ops layer: parameter validation, shape math, algorithm choice and plans.
 * Every decision about shapes is made here; backends receive a validated cnn_conv2d_desc. */
#include "cnn_internal.h"
#include "fault.h"
#include "find.h"
#include "plan_cache.h"
#include "self_check.h"

#include <stdlib.h>
#include <string.h>

struct cnn_conv2d_plan {
    cnn_context *ctx;
    cnn_conv2d_desc desc;
    void *state;   /* backend state */
    int cached;    /* owned by the context's plan cache */
};

cnn_conv2d_params cnn_conv2d_params_default(void)
{
    cnn_conv2d_params p;
    memset(&p, 0, sizeof p);
    p.stride_h = p.stride_w = 1;
    p.dilation_h = p.dilation_w = 1;
    p.groups = 1;
    p.activation = CNN_ACTIVATION_NONE;
    p.algo = CNN_CONV2D_ALGO_AUTO;
    return p;
}

const char *cnn_conv2d_algo_string(cnn_conv2d_algo algo)
{
    switch (algo) {
    case CNN_CONV2D_ALGO_AUTO: return "auto";
    case CNN_CONV2D_ALGO_DIRECT: return "direct";
    case CNN_CONV2D_ALGO_IGEMM: return "igemm";
    case CNN_CONV2D_ALGO_GEMM1X1: return "gemm1x1";
    case CNN_CONV2D_ALGO_DEPTHWISE: return "depthwise";
    case CNN_CONV2D_ALGO_WINOGRAD: return "winograd";
    }
    return "unknown";
}

#define LL(x) ((long long)(x))

/* Output extent along one axis; 0 with *status set when invalid. */
static int64_t out_extent(cnn_context *ctx, cnn_status *status, const char *axis, int64_t in,
                          int64_t pad_a, int64_t pad_b, int64_t k, int64_t dil, int64_t stride)
{
    int64_t padded, span, eff;
    if (!cnn_add_i64(in, pad_a, &padded) || !cnn_add_i64(padded, pad_b, &padded) ||
        !cnn_mul_i64(dil, k - 1, &span) || !cnn_add_i64(span, 1, &eff)) {
        *status = cnn_error(ctx, CNN_ERROR_OVERFLOW, "conv2d: %s extent overflows", axis);
        return 0;
    }
    if (eff > padded) {
        *status = cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                            "conv2d: kernel %s extent %lld (size %lld, dilation %lld) is larger "
                            "than the padded input %lld",
                            axis, LL(eff), LL(k), LL(dil), LL(padded));
        return 0;
    }
    return (padded - eff) / stride + 1;
}

cnn_status cnn_conv2d_make_desc(cnn_context *ctx, cnn_conv2d_desc *d, const int64_t in[4],
                                const int64_t wt[4], int has_bias, const cnn_conv2d_params *p)
{
    if (!d || !in || !wt || !p)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: %s is NULL",
                         !d ? "desc" : !in ? "input shape" : !wt ? "weight shape" : "params");
    for (int i = 0; i < 4; i++) {
        if (in[i] < 1)
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "conv2d: input size %d is %lld, must be >= 1", i, LL(in[i]));
        if (wt[i] < 1)
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "conv2d: weight size %d is %lld, must be >= 1", i, LL(wt[i]));
    }
    if (p->stride_h < 1 || p->stride_w < 1)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: stride %lldx%lld must be >= 1",
                         LL(p->stride_h), LL(p->stride_w));
    if (p->dilation_h < 1 || p->dilation_w < 1)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d: dilation %lldx%lld must be >= 1", LL(p->dilation_h),
                         LL(p->dilation_w));
    if (p->pad_top < 0 || p->pad_bottom < 0 || p->pad_left < 0 || p->pad_right < 0)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d: padding t%lld b%lld l%lld r%lld must be >= 0", LL(p->pad_top),
                         LL(p->pad_bottom), LL(p->pad_left), LL(p->pad_right));
    if (p->groups < 1)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: groups %lld must be >= 1",
                         LL(p->groups));
    if (p->activation != CNN_ACTIVATION_NONE && p->activation != CNN_ACTIVATION_RELU)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: unknown activation %d",
                         (int)p->activation);
    if (p->algo < CNN_CONV2D_ALGO_AUTO || p->algo > CNN_CONV2D_ALGO_LAST)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: unknown algorithm %d",
                         (int)p->algo);
    int64_t n = in[0], c = in[1], k = wt[0];
    if (c % p->groups != 0 || k % p->groups != 0)
        return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                         "conv2d: groups %lld must divide input channels %lld and output "
                         "channels %lld",
                         LL(p->groups), LL(c), LL(k));
    if (wt[1] != c / p->groups)
        return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                         "conv2d: weights have %lld input channels, expected C/groups = %lld",
                         LL(wt[1]), LL(c / p->groups));
    int64_t tmp;
    if (!cnn_product_i64(in, 4, &tmp) || !cnn_mul_i64(tmp, 4, &tmp))
        return cnn_error(ctx, CNN_ERROR_OVERFLOW, "conv2d: input size overflows");
    if (!cnn_product_i64(wt, 4, &tmp) || !cnn_mul_i64(tmp, 4, &tmp))
        return cnn_error(ctx, CNN_ERROR_OVERFLOW, "conv2d: weight size overflows");

    cnn_status s = CNN_SUCCESS;
    int64_t oh = out_extent(ctx, &s, "height", in[2], p->pad_top, p->pad_bottom, wt[2],
                            p->dilation_h, p->stride_h);
    if (s != CNN_SUCCESS)
        return s;
    int64_t ow = out_extent(ctx, &s, "width", in[3], p->pad_left, p->pad_right, wt[3],
                            p->dilation_w, p->stride_w);
    if (s != CNN_SUCCESS)
        return s;
    int64_t out_shape[4] = {n, k, oh, ow};
    if (!cnn_product_i64(out_shape, 4, &tmp) || !cnn_mul_i64(tmp, 4, &tmp))
        return cnn_error(ctx, CNN_ERROR_OVERFLOW, "conv2d: output size overflows");

    memset(d, 0, sizeof *d); /* descriptors are compared bytewise by the plan cache */
    d->n = n; d->c = c; d->h = in[2]; d->w = in[3];
    d->k = k; d->r = wt[2]; d->s = wt[3];
    d->oh = oh; d->ow = ow;
    d->stride_h = p->stride_h; d->stride_w = p->stride_w;
    d->dilation_h = p->dilation_h; d->dilation_w = p->dilation_w;
    d->pad_top = p->pad_top; d->pad_bottom = p->pad_bottom;
    d->pad_left = p->pad_left; d->pad_right = p->pad_right;
    d->groups = p->groups;
    d->has_bias = has_bias ? 1 : 0;
    d->flip = p->flip ? 1 : 0;
    d->activation = p->activation;
    d->algo = p->algo;
    d->allowed_algos = p->algo == CNN_CONV2D_ALGO_AUTO ? p->allowed_algos : 0;
    return CNN_SUCCESS;
}

cnn_status cnn_conv2d_output_shape(int64_t out[4], const int64_t input[4],
                                   const int64_t weights[4], const cnn_conv2d_params *params)
{
    if (!out)
        return CNN_ERROR_INVALID_ARGUMENT;
    cnn_conv2d_desc d = {0};
    cnn_status s = cnn_conv2d_make_desc(NULL, &d, input, weights, 0, params);
    if (s != CNN_SUCCESS)
        return s;
    out[0] = d.n; out[1] = d.k; out[2] = d.oh; out[3] = d.ow;
    return CNN_SUCCESS;
}

cnn_status cnn_conv2d_weight_count(int64_t *count, int64_t kernel_h, int64_t kernel_w,
                                   int64_t in_channels, int64_t out_channels, int64_t groups)
{
    if (!count || kernel_h < 1 || kernel_w < 1 || in_channels < 1 || out_channels < 1 ||
        groups < 1)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (in_channels % groups || out_channels % groups)
        return CNN_ERROR_INVALID_SHAPE;
    int64_t v[4] = {kernel_h, kernel_w, in_channels / groups, out_channels};
    int64_t c;
    if (!cnn_product_i64(v, 4, &c))
        return CNN_ERROR_OVERFLOW;
    *count = c;
    return CNN_SUCCESS;
}

double cnn_conv2d_flops(const cnn_conv2d_desc *d)
{
    return 2.0 * (double)d->n * (double)d->k * (double)d->oh * (double)d->ow *
           (double)(d->c / d->groups) * (double)d->r * (double)d->s;
}

/* Whether algorithm a can compute the convolution d. */
static int algo_serves(cnn_conv2d_algo a, const cnn_conv2d_desc *d)
{
    switch (a) {
    case CNN_CONV2D_ALGO_GEMM1X1: return d->r == 1 && d->s == 1;
    case CNN_CONV2D_ALGO_DEPTHWISE: return d->c == d->groups;
    case CNN_CONV2D_ALGO_WINOGRAD:
        return d->r == 3 && d->s == 3 && d->stride_h == 1 && d->stride_w == 1 &&
               d->dilation_h == 1 && d->dilation_w == 1;
    case CNN_CONV2D_ALGO_DIRECT:
    case CNN_CONV2D_ALGO_IGEMM: return 1;
    default: return 0;
    }
}

/* The one place that picks an algorithm, by rules on the shape and the kernel family (the
 * device type, unless the caller forced one), in order of preference (the first that serves the
 * shape and is allowed wins):
 *   - CPU-shaped: one input channel per group (depthwise) as its own kernel; 1x1 kernels as a GEMM;
 *     3x3 stride 1 as Winograd where its GEMMs have 32 channels or more each way and the map
 *     is 7x7 or more (F(2x2) on small maps: 0.43-0.48 ms against the implicit GEMM's 0.55 on
 *     ResNet-50's res5b_branch2b); other shapes as the implicit GEMM, whose register tile is VW
 *     output channels wide, unless a group has too few output channels to fill a vector,
 *     where the direct kernel wastes less;
 *   - GPU-shaped: 3x3 stride 1 as Winograd where its GEMMs have 64 channels or more each way,
 *     there are GPU_WINOGRAD_MIN_TILES output tiles or more to spread over the compute units
 *     and GPU_WINOGRAD_MIN_FLOPS of work to pay for its three launches (find mode on an H200
 *     chose it for every such layer of ResNet-50 and VGG-16 at batch 32, 1.9-3.2x faster than
 *     the implicit GEMM: bench/NOTES.md; the FLOP floor keeps the small batch-1 layers, not
 *     timed there, on the implicit GEMM); else the local-memory GEMM (1x1 as a plain GEMM)
 *     where a group has 8 output channels or more and is not depthwise; else the tiled direct
 *     kernel.
 * A forced algorithm is checked against the shapes it can serve. */
#define GPU_WINOGRAD_MIN_TILES 128 /* the fewest in that run: res5b_branch2b, 32 x 2 x 2 */
#define GPU_WINOGRAD_MIN_FLOPS 5e8 /* the least there: 7.4e9; at batch 1, 2.3e8 (ResNet-50) */

static cnn_status choose_algo(cnn_context *ctx, cnn_conv2d_desc *d)
{
    if (d->algo != CNN_CONV2D_ALGO_AUTO) {
        if (algo_serves(d->algo, d))
            return CNN_SUCCESS;
        if (d->algo == CNN_CONV2D_ALGO_GEMM1X1)
            return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                             "conv2d: gemm1x1 needs a 1x1 kernel, not %lldx%lld", LL(d->r),
                             LL(d->s));
        if (d->algo == CNN_CONV2D_ALGO_WINOGRAD)
            return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                             "conv2d: winograd needs a 3x3 kernel of stride 1 and dilation 1, "
                             "not %lldx%lld stride %lldx%lld dilation %lldx%lld",
                             LL(d->r), LL(d->s), LL(d->stride_h), LL(d->stride_w),
                             LL(d->dilation_h), LL(d->dilation_w));
        return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                         "conv2d: depthwise needs one input channel per group, not %lld",
                         LL(d->c / d->groups));
    }
    cnn_conv2d_algo order[4];
    int n = 0;
    const int64_t kg = d->k / d->groups;
    if (!cnn_context_gpu_kernels(ctx)) {
        if (d->groups > 1 && d->c == d->groups)
            order[n++] = CNN_CONV2D_ALGO_DEPTHWISE;
        if (kg >= 8) {
            order[n++] = CNN_CONV2D_ALGO_GEMM1X1;
            if (d->c / d->groups >= 32 && kg >= 32 && d->oh >= 7 && d->ow >= 7)
                order[n++] = CNN_CONV2D_ALGO_WINOGRAD;
            order[n++] = CNN_CONV2D_ALGO_IGEMM;
        }
        order[n++] = CNN_CONV2D_ALGO_DIRECT;
    } else {
        /* GPU-shaped: the local-memory GEMM for dense and grouped layers with a few output
         * channels a group or more; the tiled direct kernel for depthwise and the rest. */
        if (kg >= 8 && !(d->groups > 1 && d->c == d->groups)) {
            const int64_t tiles = d->n * ((d->oh + 3) / 4) * ((d->ow + 3) / 4); /* F(4x4)'s */
            if (d->c / d->groups >= 64 && kg >= 64 && tiles >= GPU_WINOGRAD_MIN_TILES &&
                cnn_conv2d_flops(d) >= GPU_WINOGRAD_MIN_FLOPS)
                order[n++] = CNN_CONV2D_ALGO_WINOGRAD;
            order[n++] = CNN_CONV2D_ALGO_GEMM1X1;
            order[n++] = CNN_CONV2D_ALGO_IGEMM;
        }
        order[n++] = CNN_CONV2D_ALGO_DIRECT;
    }
    const unsigned allowed = d->allowed_algos ? d->allowed_algos : ~0u;
    for (int i = 0; i < n; i++) {
        if ((allowed & (1u << order[i])) && algo_serves(order[i], d)) {
            d->algo = order[i];
            return CNN_SUCCESS;
        }
    }
    /* The rules' list is short; any allowed algorithm that serves the shape will do. */
    for (int a = CNN_CONV2D_ALGO_DIRECT; a <= CNN_CONV2D_ALGO_LAST; a++) {
        if ((allowed & (1u << a)) && algo_serves((cnn_conv2d_algo)a, d)) {
            d->algo = (cnn_conv2d_algo)a;
            return CNN_SUCCESS;
        }
    }
    return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                     "conv2d: none of the allowed algorithms (mask 0x%x) serves this shape",
                     allowed);
}

/* The backend's state for d, with its kernel variant self-checked on first use. */
static cnn_status prepare_checked(cnn_context *ctx, const cnn_conv2d_desc *d, void **state)
{
    cnn_backend *be = ctx->backend;
    *state = NULL;
    cnn_status s = be->vt->conv2d_prepare(be, d, state);
    if (s == CNN_SUCCESS)
        s = cnn_self_check_conv2d(ctx, d, *state);
    if (s != CNN_SUCCESS && *state) {
        be->vt->conv2d_release(be, *state);
        *state = NULL;
    }
    return s;
}

/* The winner that find mode remembered for this device and shape, if it still serves; outside
 * find mode also the winner of the shape's class (find mode times a shape of its own instead). A
 * class winner whose tiles do not fit this shape fails to prepare and the rules decide. */
static int remembered_algo(cnn_context *ctx, const cnn_conv2d_desc *desc, cnn_conv2d_desc *chosen,
                           void **state)
{
    const unsigned allowed = desc->allowed_algos ? desc->allowed_algos : ~0u;
    return cnn_find_lookup(ctx, desc, !ctx->find_mode, chosen) &&
           algo_serves(chosen->algo, desc) &&
           (allowed & (1u << chosen->algo)) &&
           prepare_checked(ctx, chosen, state) == CNN_SUCCESS;
}

/* Find mode: the fastest of the algorithms that serve the shape (and are allowed), with their
 * tuning candidates under CNN_FIND_TUNE, timed now. */
#define CNN_FIND_MAX_CANDIDATES 64
static cnn_status find_algo(cnn_context *ctx, const cnn_conv2d_desc *desc, cnn_conv2d_desc *chosen,
                            void **state)
{
    const unsigned allowed = desc->allowed_algos ? desc->allowed_algos : ~0u;
    cnn_conv2d_desc candidates[CNN_FIND_MAX_CANDIDATES];
    int n = 0;
    /* First each algorithm with its default parameters (always timed)... */
    for (int a = CNN_CONV2D_ALGO_DIRECT; a <= CNN_CONV2D_ALGO_LAST; a++) {
        if ((allowed & (1u << a)) && algo_serves((cnn_conv2d_algo)a, desc)) {
            candidates[n] = *desc;
            candidates[n++].algo = (cnn_conv2d_algo)a;
        }
    }
    const int defaults = n;
    if (n == 0)
        return cnn_error(ctx, CNN_ERROR_UNSUPPORTED,
                         "conv2d: none of the allowed algorithms (mask 0x%x) serves this shape",
                         allowed);
    /* ...then their kernel parameters, while the tune budget lasts. */
    cnn_backend *be = ctx->backend;
    for (int i = 0; i < defaults && (ctx->find_mode & CNN_FIND_TUNE) && be->vt->conv2d_candidates;
         i++) {
        char tunings[16][CNN_TUNING_MAX];
        const int m = be->vt->conv2d_candidates(be, &candidates[i], tunings, 16);
        for (int j = 0; j < m && n < CNN_FIND_MAX_CANDIDATES; j++) {
            candidates[n] = candidates[i];
            tunings[j][CNN_TUNING_MAX - 1] = '\0';
            memcpy(candidates[n++].tuning, tunings[j], CNN_TUNING_MAX);
        }
    }
    return cnn_find_best(ctx, desc, candidates, n, defaults, ctx->tune_budget_ms,
                         prepare_checked, chosen, state);
}

static cnn_status plan_make(cnn_context *ctx, const cnn_conv2d_desc *desc, cnn_conv2d_plan **out)
{
    cnn_conv2d_plan *plan = cnn_calloc(1, sizeof *plan);
    if (!plan)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "conv2d plan: out of host memory");
    plan->ctx = ctx;
    plan->desc = *desc;
    cnn_status s = CNN_SUCCESS;
    if (desc->algo != CNN_CONV2D_ALGO_AUTO ||
        !remembered_algo(ctx, desc, &plan->desc, &plan->state)) {
        plan->desc = *desc;
        if (ctx->find_mode && desc->algo == CNN_CONV2D_ALGO_AUTO)
            s = find_algo(ctx, desc, &plan->desc, &plan->state);
        else if ((s = choose_algo(ctx, &plan->desc)) == CNN_SUCCESS)
            s = prepare_checked(ctx, &plan->desc, &plan->state);
    }
    /* A workspace that even one image overflows, or a variant that failed its self-check:
     * the engine's own choice falls back to the direct kernel (when allowed) rather than
     * refusing the layer. */
    const int direct_allowed =
        !desc->allowed_algos || (desc->allowed_algos & (1u << CNN_CONV2D_ALGO_DIRECT));
    if ((s == CNN_ERROR_LIMIT_EXCEEDED || s == CNN_ERROR_UNSUPPORTED) &&
        desc->algo == CNN_CONV2D_ALGO_AUTO && plan->desc.algo != CNN_CONV2D_ALGO_AUTO &&
        plan->desc.algo != CNN_CONV2D_ALGO_DIRECT && direct_allowed) {
        cnn_log(CNN_LOG_INFO, "conv2d: %s cannot run here (%s); using direct",
                cnn_conv2d_algo_string(plan->desc.algo), cnn_context_last_error(ctx));
        plan->desc.algo = CNN_CONV2D_ALGO_DIRECT;
        s = prepare_checked(ctx, &plan->desc, &plan->state);
    }
    if (s != CNN_SUCCESS) {
        free(plan);
        return s;
    }
    *out = plan;
    return CNN_SUCCESS;
}

static void plan_free(cnn_conv2d_plan *plan)
{
    cnn_backend *be = plan->ctx->backend;
    if (plan->state)
        be->vt->conv2d_release(be, plan->state);
    free(plan);
}

static cnn_status conv2d_plan_create_locked(cnn_conv2d_plan **plan, cnn_context *ctx,
                                            const int64_t input_shape[4],
                                            const int64_t weight_shape[4], int has_bias,
                                            const cnn_conv2d_params *params)
{
    if (plan)
        *plan = NULL;
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!plan)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "cnn_conv2d_plan_create: plan is NULL");
    cnn_conv2d_desc d;
    cnn_status s = cnn_conv2d_make_desc(ctx, &d, input_shape, weight_shape, has_bias, params);
    if (s == CNN_SUCCESS)
        s = plan_make(ctx, &d, plan);
    if (s != CNN_SUCCESS)
        return s;
    ctx->live_plans++;
    cnn_error_clear(ctx);
    return CNN_SUCCESS;
}

cnn_status cnn_conv2d_plan_create(cnn_conv2d_plan **plan, cnn_context *ctx,
                                  const int64_t input_shape[4], const int64_t weight_shape[4],
                                  int has_bias, const cnn_conv2d_params *params)
{
    cnn_context_lock(ctx);
    const cnn_status s_ =
        conv2d_plan_create_locked(plan, ctx, input_shape, weight_shape, has_bias, params);
    cnn_context_unlock(ctx);
    return s_;
}

static void conv2d_plan_destroy_locked(cnn_conv2d_plan *plan)
{
    if (!plan || plan->cached)
        return;
    cnn_context *ctx = plan->ctx;
    plan_free(plan);
    ctx->live_plans--;
    cnn_context_release_child(ctx);
}

void cnn_conv2d_plan_destroy(cnn_conv2d_plan *plan)
{
    cnn_context *held = plan ? plan->ctx : NULL;
    cnn_context_lock(held);
    conv2d_plan_destroy_locked(plan);
    cnn_context_unlock(held);
}

static int same_shape(const cnn_tensor *t, int64_t a, int64_t b, int64_t c, int64_t d)
{
    return t->shape[0] == a && t->shape[1] == b && t->shape[2] == c && t->shape[3] == d;
}

static cnn_status shape_error(cnn_context *ctx, const char *what, const cnn_tensor *t, int64_t a,
                              int64_t b, int64_t c, int64_t d)
{
    return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                     "conv2d: %s tensor is %lldx%lldx%lldx%lld, expected %lldx%lldx%lldx%lld",
                     what, LL(t->shape[0]), LL(t->shape[1]), LL(t->shape[2]), LL(t->shape[3]),
                     LL(a), LL(b), LL(c), LL(d));
}

static cnn_status check_tensors(cnn_context *ctx, const cnn_conv2d_desc *d, const cnn_tensor *out,
                                const cnn_tensor *in, const cnn_tensor *w, const cnn_tensor *bias)
{
    if (!out || !in || !w)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: %s tensor is NULL",
                         !out ? "output" : !in ? "input" : "weight");
    if (d->has_bias && !bias)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d: the plan has a bias but the bias tensor is NULL");
    if (!d->has_bias && bias)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d: a bias tensor was given to a plan made without bias");
    if (out->ctx != ctx || in->ctx != ctx || w->ctx != ctx || (bias && bias->ctx != ctx))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d: a tensor belongs to another context");
    if (!same_shape(in, d->n, d->c, d->h, d->w))
        return shape_error(ctx, "input", in, d->n, d->c, d->h, d->w);
    if (!same_shape(w, d->k, d->c / d->groups, d->r, d->s))
        return shape_error(ctx, "weight", w, d->k, d->c / d->groups, d->r, d->s);
    if (bias && !same_shape(bias, 1, d->k, 1, 1))
        return shape_error(ctx, "bias", bias, 1, d->k, 1, 1);
    if (!same_shape(out, d->n, d->k, d->oh, d->ow))
        return shape_error(ctx, "output", out, d->n, d->k, d->oh, d->ow);
    if (out->buffer == in->buffer || out->buffer == w->buffer ||
        (bias && out->buffer == bias->buffer))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d: the output must not alias an input");
    return CNN_SUCCESS;
}

static cnn_status conv2d_plan_execute_locked(cnn_conv2d_plan *plan, cnn_tensor *out,
                                             const cnn_tensor *input, const cnn_tensor *weights,
                                             const cnn_tensor *bias)
{
    if (!plan)
        return CNN_ERROR_INVALID_ARGUMENT;
    cnn_context *ctx = plan->ctx;
    cnn_status s = check_tensors(ctx, &plan->desc, out, input, weights, bias);
    if (s != CNN_SUCCESS)
        return s;
    s = ctx->backend->vt->conv2d_run(ctx->backend, plan->state, &plan->desc, out->buffer,
                                     input->buffer, weights->buffer, weights->stamp,
                                     bias ? bias->buffer : NULL);
    if (s == CNN_SUCCESS)
        cnn_error_clear(ctx);
    cnn_tensor_touch(out);
    return s;
}

cnn_status cnn_conv2d_plan_execute(cnn_conv2d_plan *plan, cnn_tensor *out,
                                   const cnn_tensor *input, const cnn_tensor *weights,
                                   const cnn_tensor *bias)
{
    cnn_context *held = plan ? plan->ctx : NULL;
    cnn_context_lock(held);
    const cnn_status s_ = conv2d_plan_execute_locked(plan, out, input, weights, bias);
    cnn_context_unlock(held);
    return s_;
}

cnn_status cnn_conv2d_plan_info(const cnn_conv2d_plan *plan, cnn_conv2d_algo *algo,
                                int64_t out_shape[4])
{
    if (!plan)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (algo)
        *algo = plan->desc.algo;
    if (out_shape) {
        out_shape[0] = plan->desc.n; out_shape[1] = plan->desc.k;
        out_shape[2] = plan->desc.oh; out_shape[3] = plan->desc.ow;
    }
    return CNN_SUCCESS;
}

static void cached_plan_free(void *plan) { plan_free(plan); }

static cnn_status conv2d_locked(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                                const cnn_tensor *weights, const cnn_tensor *bias,
                                const cnn_conv2d_params *params)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!input || !weights)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "conv2d: %s tensor is NULL",
                         !input ? "input" : "weight");
    cnn_conv2d_desc d;
    cnn_status s = cnn_conv2d_make_desc(ctx, &d, input->shape, weights->shape, bias != NULL,
                                        params);
    if (s != CNN_SUCCESS)
        return s;
    cnn_conv2d_plan *plan = cnn_plan_cache_find(ctx, CNN_PLAN_CONV2D, &d, sizeof d);
    if (!plan) {
        s = check_tensors(ctx, &d, out, input, weights, bias); /* before any build */
        if (s == CNN_SUCCESS)
            s = plan_make(ctx, &d, &plan);
        if (s != CNN_SUCCESS)
            return s;
        plan->cached = 1;
        s = cnn_plan_cache_insert(ctx, CNN_PLAN_CONV2D, &d, sizeof d, plan, cached_plan_free);
        if (s != CNN_SUCCESS) {
            plan_free(plan);
            return s;
        }
    }
    return cnn_conv2d_plan_execute(plan, out, input, weights, bias);
}

cnn_status cnn_conv2d(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                      const cnn_tensor *weights, const cnn_tensor *bias,
                      const cnn_conv2d_params *params)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = conv2d_locked(ctx, out, input, weights, bias, params);
    cnn_context_unlock(ctx);
    return s_;
}
