/* bias + activation as an operation of its own (in place allowed). */
#include "cnn_internal.h"

#define LL(x) ((long long)(x))

static cnn_status bias_act_locked(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *x,
                                  const cnn_tensor *bias, cnn_activation activation)
{
    if (!ctx)
        return CNN_ERROR_INVALID_ARGUMENT;
    if (!out || !x)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "bias_act: %s tensor is NULL",
                         !out ? "output" : "input");
    if (activation != CNN_ACTIVATION_NONE && activation != CNN_ACTIVATION_RELU)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "bias_act: unknown activation %d",
                         (int)activation);
    if (out->ctx != ctx || x->ctx != ctx || (bias && bias->ctx != ctx))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "bias_act: a tensor belongs to another context");
    for (int i = 0; i < 4; i++)
        if (out->shape[i] != x->shape[i])
            return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                             "bias_act: output %lldx%lldx%lldx%lld differs from input "
                             "%lldx%lldx%lldx%lld",
                             LL(out->shape[0]), LL(out->shape[1]), LL(out->shape[2]),
                             LL(out->shape[3]), LL(x->shape[0]), LL(x->shape[1]),
                             LL(x->shape[2]), LL(x->shape[3]));
    if (bias && (bias->shape[0] != 1 || bias->shape[1] != x->shape[1] || bias->shape[2] != 1 ||
                 bias->shape[3] != 1))
        return cnn_error(ctx, CNN_ERROR_INVALID_SHAPE,
                         "bias_act: bias is %lldx%lldx%lldx%lld, expected 1x%lldx1x1",
                         LL(bias->shape[0]), LL(bias->shape[1]), LL(bias->shape[2]),
                         LL(bias->shape[3]), LL(x->shape[1]));
    if (bias && bias->buffer == out->buffer)
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT, "bias_act: output aliases the bias");
    cnn_bias_act_desc d = {x->shape[0], x->shape[1], x->shape[2], x->shape[3], bias != NULL,
                           activation};
    cnn_status s = ctx->backend->vt->bias_act(ctx->backend, &d, out->buffer, x->buffer,
                                              bias ? bias->buffer : NULL);
    if (s == CNN_SUCCESS)
        cnn_error_clear(ctx);
    cnn_tensor_touch(out);
    return s;
}

cnn_status cnn_bias_act(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *x,
                        const cnn_tensor *bias, cnn_activation activation)
{
    cnn_context_lock(ctx);
    const cnn_status s_ = bias_act_locked(ctx, out, x, bias, activation);
    cnn_context_unlock(ctx);
    return s_;
}
