/* Self-validation of kernel variants: the first time a context is about to use a convolution
 * variant (a kernel file and its build options), the variant runs a one-image twin of the
 * problem and its outputs are compared with the reference path; a variant that fails is never
 * used on that context again (its plans fall back, or fail with CNN_ERROR_UNSUPPORTED), and the
 * log says so at WARN. */
#ifndef CNNCL_SELF_CHECK_H
#define CNNCL_SELF_CHECK_H

#include "cnn_internal.h"

/* CNN_SUCCESS when the variant of state (prepared for d) passed, now or before;
 * CNN_ERROR_UNSUPPORTED when it failed; another status if the check itself could not run. */
cnn_status cnn_self_check_conv2d(cnn_context *ctx, const cnn_conv2d_desc *d, const void *state);

/* Forget the context's results (at context destroy). */
void cnn_self_check_release(cnn_context *ctx);

/* Tests only: make the check fail for every variant whose name contains substring (NULL:
 * none), as a miscompiling driver would. */
void cnn_self_check_inject_failure(cnn_context *ctx, const char *substring);

#endif /* CNNCL_SELF_CHECK_H */
