/* One problem on one context: data, plan, timing, verification. */
#include "runner.h"
#include "timing.h"

#include "cnn_internal.h"
#include "rng.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Everything a run allocates, released in one place. */
typedef struct layer_data {
    float *x, *w, *b, *y;               /* host copies */
    cnn_tensor *tx, *tw, *tb, *ty;      /* device tensors */
    cnn_conv2d_plan *conv_plan;
    cnn_pool2d_plan *pool_plan;
    double *times, *walls;              /* per timed repeat */
} layer_data;

static void layer_data_free(layer_data *L)
{
    cnn_conv2d_plan_destroy(L->conv_plan);
    cnn_pool2d_plan_destroy(L->pool_plan);
    cnn_tensor_destroy(L->tx);
    cnn_tensor_destroy(L->tw);
    cnn_tensor_destroy(L->tb);
    cnn_tensor_destroy(L->ty);
    free(L->x);
    free(L->w);
    free(L->b);
    free(L->y);
    free(L->times);
    free(L->walls);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int run_error(bench_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->outcome = BENCH_ERROR;
    return -1;
}

/* A failed library call: its name, the status and the context's detail. */
static int lib_error(bench_result *r, cnn_context *ctx, const char *call, cnn_status s)
{
    const char *detail = cnn_context_last_error(ctx);
    return run_error(r, "%s: %s%s%s", call, cnn_status_string(s), detail && detail[0] ? ": " : "",
                     detail ? detail : "");
}

/* count = product of shape, with the float buffer size checked against size_t. */
static int element_count(const int64_t shape[4], size_t *count)
{
    int64_t n;
    size_t bytes;
    if (!cnn_shape_bytes(shape, &n, &bytes))
        return 0;
    *count = (size_t)n;
    return 1;
}

static float *alloc_floats(size_t count)
{
    return count > SIZE_MAX / sizeof(float) ? NULL : malloc(count * sizeof(float));
}

/* Execute the layer's plan once. */
static cnn_status execute(const bench_problem *p, layer_data *L)
{
    if (p->op == BENCH_OP_CONV)
        return cnn_conv2d_plan_execute(L->conv_plan, L->ty, L->tx, L->tw, L->tb);
    return cnn_pool2d_plan_execute(L->pool_plan, L->ty, L->tx);
}

static const char *execute_name(const bench_problem *p)
{
    return p->op == BENCH_OP_CONV ? "cnn_conv2d_plan_execute" : "cnn_pool2d_plan_execute";
}

/* Inputs: device tensors first (a layer too large for the device fails before the host
 * memory is touched), then the host data, written; the output is filled with NaN. */
static int prepare_data(cnn_context *ctx, const bench_problem *p, const int64_t in[4],
                        const int64_t wt[4], const int64_t out[4], uint64_t seed, layer_data *L,
                        bench_result *r)
{
    const int conv = p->op == BENCH_OP_CONV;
    const int bias = conv && p->has_bias;
    size_t nx, nw = 0, ny;
    if (!element_count(in, &nx) || !element_count(out, &ny) || (conv && !element_count(wt, &nw)))
        return run_error(r, "the layer's tensors are too large for this machine");
    const size_t nb = conv ? (size_t)wt[0] : 0;

    cnn_status s = cnn_tensor_create(&L->tx, ctx, in[0], in[1], in[2], in[3]);
    if (s == CNN_SUCCESS)
        s = cnn_tensor_create(&L->ty, ctx, out[0], out[1], out[2], out[3]);
    if (s == CNN_SUCCESS && conv)
        s = cnn_tensor_create(&L->tw, ctx, wt[0], wt[1], wt[2], wt[3]);
    if (s == CNN_SUCCESS && bias)
        s = cnn_tensor_create(&L->tb, ctx, 1, wt[0], 1, 1);
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_tensor_create", s);

    L->x = alloc_floats(nx);
    L->y = alloc_floats(ny);
    if (conv) {
        L->w = alloc_floats(nw);
        L->b = alloc_floats(nb);
    }
    if (!L->x || !L->y || (conv && (!L->w || !L->b)))
        return run_error(r, "out of host memory for the layer's data");
    bench_rng rng = bench_rng_make(seed);
    bench_rng_fill(&rng, L->x, nx, -1.0f, 1.0f);
    if (conv) {
        bench_rng_fill(&rng, L->w, nw, -1.0f, 1.0f);
        bench_rng_fill(&rng, L->b, nb, -1.0f, 1.0f);
    }
    for (size_t i = 0; i < ny; i++)
        L->y[i] = NAN;

    s = cnn_tensor_write(L->tx, L->x, (int64_t)nx);
    if (s == CNN_SUCCESS)
        s = cnn_tensor_write(L->ty, L->y, (int64_t)ny);
    if (s == CNN_SUCCESS && conv)
        s = cnn_tensor_write(L->tw, L->w, (int64_t)nw);
    if (s == CNN_SUCCESS && bias)
        s = cnn_tensor_write(L->tb, L->b, (int64_t)nb);
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_tensor_write", s);
    return 0;
}

/* First execution, warm-up, timed repeats. */
static int time_layer(cnn_context *ctx, const bench_problem *p, const bench_run_config *cfg,
                      layer_data *L, bench_result *r)
{
    double t0 = bench_now_ms();
    cnn_status s = execute(p, L);
    if (s == CNN_SUCCESS)
        s = cnn_context_finish(ctx);
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, execute_name(p), s);
    r->first_ms = bench_now_ms() - t0;
    for (int i = 0; i < cfg->warmup; i++)
        if ((s = execute(p, L)) != CNN_SUCCESS)
            return lib_error(r, ctx, execute_name(p), s);
    if ((s = cnn_context_finish(ctx)) != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_context_finish", s);

    /* reps executions, and more while less than min_time_ms of device time was measured. */
    size_t cap = (size_t)cfg->reps;
    L->times = malloc(cap * sizeof *L->times);
    L->walls = malloc(cap * sizeof *L->walls);
    if (!L->times || !L->walls)
        return run_error(r, "out of host memory for %d timings", cfg->reps);
    r->device_timing = 1;
    double measured = 0.0;
    int n = 0;
    while (n < cfg->reps || (measured < cfg->min_time_ms && n < BENCH_MAX_REPS)) {
        if ((size_t)n == cap) {
            cap *= 2;
            double *t = realloc(L->times, cap * sizeof *t);
            if (t)
                L->times = t;
            double *w = t ? realloc(L->walls, cap * sizeof *w) : NULL;
            if (!w)
                return run_error(r, "out of host memory for %zu timings", cap);
            L->walls = w;
        }
        t0 = bench_now_ms();
        if ((s = execute(p, L)) != CNN_SUCCESS)
            return lib_error(r, ctx, execute_name(p), s);
        double ms = 0.0;
        s = cnn_context_last_op_ms(ctx, &ms);
        if (s == CNN_ERROR_UNSUPPORTED) { /* no profiling on this queue: wall time */
            if ((s = cnn_context_finish(ctx)) != CNN_SUCCESS)
                return lib_error(r, ctx, "cnn_context_finish", s);
            r->device_timing = 0;
            ms = bench_now_ms() - t0;
        } else if (s != CNN_SUCCESS) {
            return lib_error(r, ctx, "cnn_context_last_op_ms", s);
        }
        L->walls[n] = bench_now_ms() - t0;
        L->times[n] = ms;
        measured += ms;
        n++;
    }
    r->timed_reps = n;
    r->wall_ms_median = bench_median(L->walls, n);
    r->ms_median = bench_median(L->times, n); /* sorts: min and max are the ends */
    r->ms_min = L->times[0];
    r->ms_max = L->times[n - 1];
    return 0;
}
static void finish_rates(bench_result *r)
{
    if (r->ms_median > 0.0) {
        r->gflops = r->flops / (r->ms_median * 1e6);
        r->gbs = r->bytes / (r->ms_median * 1e6);
    }
}

/* --epilogue-cost: the same convolution planned without bias and ReLU, timed the same way
 * (after the output was verified: this overwrites it). */
static int time_plain(cnn_context *ctx, const bench_problem *p, const int64_t in[4],
                      const int64_t wt[4], const cnn_conv2d_params *params,
                      const bench_run_config *cfg, layer_data *L, bench_result *r)
{
    cnn_conv2d_params plain = *params;
    plain.activation = CNN_ACTIVATION_NONE;
    cnn_conv2d_plan *plan = NULL;
    cnn_status s = cnn_conv2d_plan_create(&plan, ctx, in, wt, 0, &plain);
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_conv2d_plan_create (no epilogue)", s);
    cnn_conv2d_plan *saved_plan = L->conv_plan;
    cnn_tensor *saved_bias = L->tb;
    L->conv_plan = plan;
    L->tb = NULL;
    free(L->times);
    free(L->walls);
    L->times = L->walls = NULL;
    bench_result plain_r;
    memset(&plain_r, 0, sizeof plain_r);
    const int failed = time_layer(ctx, p, cfg, L, &plain_r);
    L->conv_plan = saved_plan;
    L->tb = saved_bias;
    cnn_conv2d_plan_destroy(plan);
    if (failed) {
        snprintf(r->error, sizeof r->error, "%s", plain_r.error);
        r->outcome = BENCH_ERROR;
        return -1;
    }
    r->ms_no_epilogue = plain_r.ms_median;
    return 0;
}

/* The peers, after cnncl's output was read and verified (they may overwrite it). */
static void run_peers(cnn_context *ctx, const cnn_conv2d_desc *d, const bench_run_config *cfg,
                      layer_data *L, bench_result *r)
{
    bench_peer_layer layer = {
        .conv = d, .ctx = ctx, .x = L->tx, .w = L->tw, .bias = L->tb, .y = L->ty,
        .host_x = L->x, .host_w = L->w, .host_bias = d->has_bias ? L->b : NULL,
        .reps = cfg->reps, .warmup = cfg->warmup, .min_time_ms = cfg->min_time_ms,
    };
    for (size_t i = 0; i < cfg->peer_count && i < BENCH_MAX_PEERS; i++) {
        bench_peer_result *pr = &r->peers[i];
        bench_idle(BENCH_TURN_GAP_MS);
        if (bench_peer_run(cfg->peers[i], &layer, pr) == 0 && pr->ms_median > 0.0) {
            pr->gflops = r->flops / (pr->ms_median * 1e6);
            pr->ratio = r->ms_median > 0.0 ? pr->ms_median / r->ms_median : 0.0;
        }
    }
}

static int run_conv(cnn_context *ctx, const bench_problem *p, const bench_run_config *cfg,
                    uint64_t seed, layer_data *L, bench_result *r)
{
    int64_t in[4], wt[4], out[4];
    cnn_conv2d_params params;
    bench_problem_conv(p, in, wt, &params);
    if (cfg->algo_mask && params.algo == CNN_CONV2D_ALGO_AUTO)
        params.allowed_algos = cfg->algo_mask; /* the engine chooses among them */
    cnn_conv2d_desc d;
    cnn_status s = cnn_conv2d_make_desc(NULL, &d, in, wt, p->has_bias, &params);
    if (s != CNN_SUCCESS)
        return run_error(r, "cnn_conv2d_make_desc: %s", cnn_status_string(s));
    bench_problem_output_shape(p, out);
    if (d.oh != out[2] || d.ow != out[3])
        return run_error(r, "cnn_conv2d_make_desc gives output %lldx%lld, the problem %lldx%lld",
                         (long long)d.oh, (long long)d.ow, (long long)out[2], (long long)out[3]);
    memcpy(r->out_shape, out, sizeof r->out_shape);
    r->flops = cnn_conv2d_flops(&d);
    r->bytes = 4.0 * ((double)in[0] * in[1] * in[2] * in[3] + (double)wt[0] * wt[1] * wt[2] * wt[3] +
                      (p->has_bias ? (double)wt[0] : 0.0) +
                      (double)out[0] * out[1] * out[2] * out[3]);

    if (prepare_data(ctx, p, in, wt, out, seed, L, r))
        return -1;
    const double t0 = bench_now_ms();
    s = cnn_conv2d_plan_create(&L->conv_plan, ctx, in, wt, p->has_bias, &params);
    r->plan_ms = bench_now_ms() - t0;
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_conv2d_plan_create", s);
    int64_t plan_out[4];
    s = cnn_conv2d_plan_info(L->conv_plan, &r->algo, plan_out);
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_conv2d_plan_info", s);
    if (memcmp(plan_out, out, sizeof plan_out) != 0)
        return run_error(r, "cnn_conv2d_plan_info: output %lldx%lldx%lldx%lld, expected "
                         "%lldx%lldx%lldx%lld", (long long)plan_out[0], (long long)plan_out[1],
                         (long long)plan_out[2], (long long)plan_out[3], (long long)out[0],
                         (long long)out[1], (long long)out[2], (long long)out[3]);
    if (cfg->peer_count > 0)
        bench_idle(BENCH_TURN_GAP_MS); /* the previous layer's peers ran last */
    if (time_layer(ctx, p, cfg, L, r))
        return -1;
    finish_rates(r);
    if (!cfg->verify) {
        r->outcome = BENCH_UNCHECKED;
    } else {
        s = cnn_tensor_read(L->ty, L->y, out[0] * out[1] * out[2] * out[3]);
        if (s != CNN_SUCCESS)
            return lib_error(r, ctx, "cnn_tensor_read", s);
        d.algo = r->algo; /* the tolerance is the algorithm's */
        const int ok = bench_verify_conv(&d, L->x, L->w, p->has_bias ? L->b : NULL, L->y,
                                         seed + 1, &r->check);
        r->outcome = ok ? BENCH_VERIFIED : BENCH_WRONG;
    }
    if (cfg->epilogue_cost && time_plain(ctx, p, in, wt, &params, cfg, L, r))
        return -1;
    run_peers(ctx, &d, cfg, L, r); /* last: they may overwrite cnncl's output */
    return 0;
}

static int run_pool(cnn_context *ctx, const bench_problem *p, const bench_run_config *cfg,
                    uint64_t seed, layer_data *L, bench_result *r)
{
    int64_t in[4], out[4];
    cnn_pool2d_params params;
    bench_problem_pool(p, in, &params);
    cnn_pool2d_desc d;
    cnn_status s = cnn_pool2d_make_desc(NULL, &d, in, &params);
    if (s != CNN_SUCCESS)
        return run_error(r, "cnn_pool2d_make_desc: %s", cnn_status_string(s));
    bench_problem_output_shape(p, out);
    if (d.oh != out[2] || d.ow != out[3])
        return run_error(r, "cnn_pool2d_make_desc gives output %lldx%lld, the problem %lldx%lld",
                         (long long)d.oh, (long long)d.ow, (long long)out[2], (long long)out[3]);
    memcpy(r->out_shape, out, sizeof r->out_shape);
    r->flops = 0.0;
    r->bytes = 4.0 * ((double)in[0] * in[1] * in[2] * in[3] +
                      (double)out[0] * out[1] * out[2] * out[3]);

    if (prepare_data(ctx, p, in, NULL, out, seed, L, r))
        return -1;
    const double t0 = bench_now_ms();
    s = cnn_pool2d_plan_create(&L->pool_plan, ctx, in, &params);
    r->plan_ms = bench_now_ms() - t0;
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_pool2d_plan_create", s);
    if (time_layer(ctx, p, cfg, L, r))
        return -1;
    finish_rates(r);
    if (!cfg->verify) {
        r->outcome = BENCH_UNCHECKED;
        return 0;
    }
    s = cnn_tensor_read(L->ty, L->y, out[0] * out[1] * out[2] * out[3]);
    if (s != CNN_SUCCESS)
        return lib_error(r, ctx, "cnn_tensor_read", s);
    const int ok = bench_verify_pool(&d, L->x, L->y, seed + 1, &r->check);
    r->outcome = ok ? BENCH_VERIFIED : BENCH_WRONG;
    return 0;
}

int bench_run(cnn_context *ctx, const bench_problem *p, const bench_run_config *cfg,
              bench_result *r)
{
    memset(r, 0, sizeof *r);
    if (cfg->reps < 1 || cfg->warmup < 0)
        return run_error(r, "reps must be >= 1 and warmup >= 0");
    char spec[512];
    bench_problem_format(p, spec, sizeof spec);
    const uint64_t seed = cfg->seed ^ bench_hash_string(spec);
    layer_data L;
    memset(&L, 0, sizeof L);
    const int status = p->op == BENCH_OP_CONV ? run_conv(ctx, p, cfg, seed, &L, r)
                                              : run_pool(ctx, p, cfg, seed, &L, r);
    layer_data_free(&L);
    return status;
}
