/* A convolution problem for the tests that plan one and check its output: random inputs in
 * [-1, 1], the reference output, a plan's execution on them, and the check of every output
 * within the bound of the algorithm that computed it (Winograd's is wider), each output's
 * reference point and magnitude recomputed so that the bound scales with what that output
 * sums. */
#ifndef CNNCL_TESTS_CONV_PROBLEM_H
#define CNNCL_TESTS_CONV_PROBLEM_H

#include "test_util.h"

#include "cnn_internal.h"
#include "reference.h"

#include <math.h>

typedef struct tu_conv_problem {
    cnn_conv2d_desc d;
    int64_t xs[4], ws[4];     /* input and weight shapes */
    int64_t nx;               /* input elements */
    float *x, *w, *b, *ref;   /* host copies (tracked), ref = the reference output */
} tu_conv_problem;

/* pr for input xs, weights ws and parameters p (with a bias), inputs from random stream
 * `stream`. 0, else 1 after reporting why. */
static inline int tu_conv_problem_make(tu_conv_problem *pr, const int64_t xs[4],
                                       const int64_t ws[4], const cnn_conv2d_params *p,
                                       uint64_t stream)
{
    CHECK_OK(cnn_conv2d_make_desc(NULL, &pr->d, xs, ws, 1, p));
    memcpy(pr->xs, xs, sizeof pr->xs);
    memcpy(pr->ws, ws, sizeof pr->ws);
    const cnn_conv2d_desc *d = &pr->d;
    pr->nx = xs[0] * xs[1] * xs[2] * xs[3];
    const int64_t nw = ws[0] * ws[1] * ws[2] * ws[3], ny = d->n * d->k * d->oh * d->ow;
    pr->x = tu_floats(pr->nx);
    pr->w = tu_floats(nw);
    pr->b = tu_floats(d->k);
    pr->ref = tu_floats(ny);
    CHECK(pr->x && pr->w && pr->b && pr->ref);
    tu_rng r = tu_rng_make(stream);
    tu_fill_uniform(&r, pr->x, pr->nx, -1, 1);
    tu_fill_uniform(&r, pr->w, nw, -1, 1);
    tu_fill_uniform(&r, pr->b, d->k, -1, 1);
    cnn_ref_conv2d(d, pr->ref, pr->x, pr->w, pr->b);
    return 0;
}

/* got (pr's output, NCHW) within the bound of algo: 0, else 1 after reporting the first
 * output that is not. */
static inline int tu_check_conv_bound(const tu_conv_problem *pr, cnn_conv2d_algo algo,
                                      const float *got)
{
    const cnn_conv2d_desc *d = &pr->d;
    cnn_conv2d_desc da = *d;
    da.algo = algo;
    const double x_max = cnn_ref_max_abs(pr->x, pr->nx);
    const int64_t ny = d->n * d->k * d->oh * d->ow;
    for (int64_t i = 0; i < ny; i++) {
        const int64_t ox = i % d->ow, oy = (i / d->ow) % d->oh, k = (i / (d->ow * d->oh)) % d->k,
                      n = i / (d->ow * d->oh * d->k);
        double mag = 0;
        cnn_ref_conv2d_point(d, pr->x, pr->w, pr->b, n, k, oy, ox, &mag);
        CHECK_MSG(fabs(got[i] - pr->ref[i]) <=
                      cnn_ref_conv2d_tolerance(&da, pr->w, k, mag, x_max),
                  "%s: out[%lld] = %g, reference %g", cnn_conv2d_algo_string(algo),
                  (long long)i, got[i], pr->ref[i]);
    }
    return 0;
}

/* pr's inputs onto ctx's device, plan (made by the caller for pr, algorithm algo) executed
 * `runs` times into an output filled with NaN, and its output checked as above. */
static inline int tu_conv_problem_run(cnn_context *ctx, const tu_conv_problem *pr,
                                      cnn_conv2d_plan *plan, cnn_conv2d_algo algo, int runs)
{
    const int64_t ys[4] = {pr->d.n, pr->d.k, pr->d.oh, pr->d.ow};
    cnn_tensor *tx, *tw, *tb, *ty;
    CHECK(tu_conv_tensors(ctx, pr->xs, pr->x, pr->ws, pr->w, pr->b, ys, &tx, &tw, &tb, &ty) ==
          0);
    for (int i = 0; i < runs; i++)
        CHECK_OK(cnn_conv2d_plan_execute(plan, ty, tx, tw, tb));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    return tu_check_conv_bound(pr, algo, got);
}

#endif /* CNNCL_TESTS_CONV_PROBLEM_H */
