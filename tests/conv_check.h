/* Every output of a convolution within the bound of the algorithm that computed it (Winograd's
 * is wider): each output's reference point and magnitude recomputed, so that the bound scales
 * with what that output sums. */
#ifndef CNNCL_TESTS_CONV_CHECK_H
#define CNNCL_TESTS_CONV_CHECK_H

#include "test_util.h"

#include "cnn_internal.h"
#include "reference.h"

#include <math.h>

/* got and ref hold d's output (NCHW); x, w, b its inputs (b may be NULL without bias). 0 when
 * every output is within the bound, else 1 after reporting the first one that is not. */
static inline int tu_check_conv_bound(const cnn_conv2d_desc *d, cnn_conv2d_algo algo,
                                      const float *x, int64_t nx, const float *w, const float *b,
                                      const float *got, const float *ref)
{
    cnn_conv2d_desc da = *d;
    da.algo = algo;
    const double x_max = cnn_ref_max_abs(x, nx);
    const int64_t ny = d->n * d->k * d->oh * d->ow;
    for (int64_t i = 0; i < ny; i++) {
        const int64_t ox = i % d->ow, oy = (i / d->ow) % d->oh, k = (i / (d->ow * d->oh)) % d->k,
                      n = i / (d->ow * d->oh * d->k);
        double mag = 0;
        cnn_ref_conv2d_point(d, x, w, b, n, k, oy, ox, &mag);
        CHECK_MSG(fabs(got[i] - ref[i]) <= cnn_ref_conv2d_tolerance(&da, w, k, mag, x_max),
                  "%s: out[%lld] = %g, reference %g", cnn_conv2d_algo_string(algo),
                  (long long)i, got[i], ref[i]);
    }
    return 0;
}

#endif /* CNNCL_TESTS_CONV_CHECK_H */
