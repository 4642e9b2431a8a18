/* Verification against the reference: which outputs to check, and the comparison. */
#include "verify.h"

#include "reference.h"
#include "rng.h"

#include <math.h>
#include <string.h>

/* One output check; what differs between convolution and pooling. */
typedef struct checker {
    double (*reference)(const struct checker *c, const int64_t at[4], double *tol);
    const cnn_conv2d_desc *conv;
    const cnn_pool2d_desc *pool;
    const float *x, *w, *bias;
    double x_max;      /* max |x|: avg pooling's scale, and Winograd's with sum |w_k| */
    const float *y;
    int64_t shape[4]; /* output n, k, oh, ow */
} checker;

static double conv_reference(const checker *c, const int64_t at[4], double *tol)
{
    double abs_sum = 0.0;
    double ref = cnn_ref_conv2d_point(c->conv, c->x, c->w, c->bias, at[0], at[1], at[2], at[3],
                                      &abs_sum);
    /* The point function applies the activation; doing it again is harmless and keeps the
     * check right should the point ever return the pre-activation value. */
    if (c->conv->activation == CNN_ACTIVATION_RELU && ref < 0.0)
        ref = 0.0;
    *tol = cnn_ref_conv2d_tolerance(c->conv, c->w, at[1], abs_sum, c->x_max);
    return ref;
}

static double pool_reference(const checker *c, const int64_t at[4], double *tol)
{
    *tol = c->pool->mode == CNN_POOL_MAX ? 0.0 : 1e-5 * c->x_max + 1e-6;
    return cnn_ref_pool2d_point(c->pool, c->x, at[0], at[1], at[2], at[3]);
}

static void check_one(const checker *c, const int64_t at[4], bench_verify_result *r)
{
    const int64_t *s = c->shape;
    const double got = c->y[((at[0] * s[1] + at[1]) * s[2] + at[2]) * s[3] + at[3]];
    double tol;
    const double ref = c->reference(c, at, &tol);
    double err = fabs(got - ref);
    if (!isfinite(got) || isnan(err))
        err = INFINITY;
    const double ratio = tol > 0.0 ? err / tol : (err > 0.0 ? INFINITY : 0.0);
    r->checked++;
    if (err > tol)
        r->failed++;
    if (err > r->max_abs_err)
        r->max_abs_err = err;
    if (r->checked == 1 || ratio > r->max_ratio) {
        r->max_ratio = ratio;
        memcpy(r->worst, at, sizeof r->worst);
        r->worst_got = got;
        r->worst_ref = ref;
        r->worst_tol = tol;
    }
}

static void check_all(const checker *c, bench_verify_result *r)
{
    int64_t at[4];
    for (at[0] = 0; at[0] < c->shape[0]; at[0]++)
        for (at[1] = 0; at[1] < c->shape[1]; at[1]++)
            for (at[2] = 0; at[2] < c->shape[2]; at[2]++)
                for (at[3] = 0; at[3] < c->shape[3]; at[3]++)
                    check_one(c, at, r);
}

static void check_random_in(const checker *c, bench_rng *rng, int64_t n, int64_t k,
                            bench_verify_result *r)
{
    const int64_t at[4] = {n, k, bench_rng_below(rng, c->shape[2]),
                           bench_rng_below(rng, c->shape[3])};
    check_one(c, at, r);
}

static void check_sampled(const checker *c, uint64_t seed, bench_verify_result *r)
{
    const int64_t N = c->shape[0], K = c->shape[1], OH = c->shape[2], OW = c->shape[3];
    bench_rng rng = bench_rng_make(seed);
    /* borders of a few planes: tiles at the image's edges are where padding goes wrong */
    for (int p = 0; p < BENCH_VERIFY_PLANES && p < N * K; p++) {
        int64_t n, k;
        if (p == 0) {
            n = 0;
            k = 0;
        } else if (p == 1) {
            n = N - 1;
            k = K - 1;
        } else {
            n = bench_rng_below(&rng, N);
            k = bench_rng_below(&rng, K);
        }
        int64_t at[4] = {n, k, 0, 0};
        for (at[3] = 0; at[3] < OW; at[3]++) {
            at[2] = 0;
            check_one(c, at, r);
            if (OH > 1) {
                at[2] = OH - 1;
                check_one(c, at, r);
            }
        }
        for (at[2] = 1; at[2] < OH - 1; at[2]++) {
            at[3] = 0;
            check_one(c, at, r);
            if (OW > 1) {
                at[3] = OW - 1;
                check_one(c, at, r);
            }
        }
    }
    /* every output channel and every image once: a wrong channel tile or bias shows here */
    const int64_t max_each = 8192;
    for (int64_t i = 0; i < K && i < max_each; i++)
        check_random_in(c, &rng, bench_rng_below(&rng, N), K <= max_each ? i : i * K / max_each,
                        r);
    for (int64_t i = 0; i < N && i < max_each; i++)
        check_random_in(c, &rng, N <= max_each ? i : i * N / max_each, bench_rng_below(&rng, K),
                        r);
    for (int i = 0; i < BENCH_VERIFY_RANDOM; i++)
        check_random_in(c, &rng, bench_rng_below(&rng, N), bench_rng_below(&rng, K), r);
}

static int run_checks(const checker *c, double macs_per_output, uint64_t seed,
                      bench_verify_result *r)
{
    memset(r, 0, sizeof *r);
    const double outputs = (double)c->shape[0] * (double)c->shape[1] * (double)c->shape[2] *
                           (double)c->shape[3];
    r->exhaustive = outputs <= BENCH_VERIFY_FULL_OUTPUTS &&
                    outputs * macs_per_output <= BENCH_VERIFY_FULL_MACS;
    if (r->exhaustive)
        check_all(c, r);
    else
        check_sampled(c, seed, r);
    return r->failed == 0;
}

int bench_verify_conv(const cnn_conv2d_desc *d, const float *x, const float *w,
                      const float *bias, const float *y, uint64_t seed, bench_verify_result *r)
{
    checker c;
    memset(&c, 0, sizeof c);
    c.reference = conv_reference;
    c.conv = d;
    c.x = x;
    c.w = w;
    c.bias = bias;
    c.y = y;
    c.x_max = cnn_ref_max_abs(x, d->n * d->c * d->h * d->w);
    c.shape[0] = d->n;
    c.shape[1] = d->k;
    c.shape[2] = d->oh;
    c.shape[3] = d->ow;
    return run_checks(&c, (double)(d->c / d->groups) * (double)d->r * (double)d->s, seed, r);
}

int bench_verify_pool(const cnn_pool2d_desc *d, const float *x, const float *y, uint64_t seed,
                      bench_verify_result *r)
{
    checker c;
    memset(&c, 0, sizeof c);
    c.reference = pool_reference;
    c.pool = d;
    c.x = x;
    c.y = y;
    c.shape[0] = d->n;
    c.shape[1] = d->c;
    c.shape[2] = d->oh;
    c.shape[3] = d->ow;
    if (d->mode == CNN_POOL_AVG)
        c.x_max = cnn_ref_max_abs(x, d->n * d->c * d->h * d->w);
    return run_checks(&c, (double)d->kernel_h * (double)d->kernel_w, seed, r);
}
