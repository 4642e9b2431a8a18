/*
 * Peer "onednn": oneDNN's native CPU convolution (C API, version 2.x) on the host CPU, with the
 * layer's bias and ReLU fused (ReLU as an eltwise post-op), as the reference for what a CPU can
 * do. It runs on the host copies of the inputs, whatever device cnncl ran on.
 *
 * The convolution picks its own layouts (format_tag_any for input, weights and output, the
 * algorithm dnnl_convolution_auto); the inputs are reordered into them once, outside the timing,
 * as an application would keep its weights. "onednn-nchw" keeps the input and output in NCHW,
 * the layout cnncl reads and writes (weights still in oneDNN's own): how much of oneDNN's lead
 * comes from its blocked activations. What is timed: dnnl_primitive_execute() of the
 * convolution plus dnnl_stream_wait(), on the host clock (CLOCK_MONOTONIC). First execution and
 * layer->warmup executions are not timed; then max(reps, until min_time_ms) executions; median,
 * min, max. The output of the first execution (reordered to NCHW) is checked against the
 * reference, bias and ReLU included, before anything is timed. oneDNN runs on all the threads
 * its CPU runtime gives it (OpenMP: OMP_NUM_THREADS, else every core); the note says how many.
 */
#include "peer_impl.h"
#include "timing.h"

#include "fail.h"
#include "runner.h"
#include "verify.h"

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#ifdef CNNBENCH_HAVE_OPENMP
#include <omp.h>
#endif

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct onednn_peer {
    bench_peer base;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    int nchw;         /* input and output in NCHW rather than oneDNN's choice */
    char version[96]; /* "oneDNN 2.6.3, 2 threads (OpenMP)" */
} onednn_peer;

/* What one layer holds; released by layer_free() on every path. */
typedef struct onednn_layer {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t conv;
    dnnl_memory_t src, weights, bias, dst; /* in the convolution's own layouts */
    float *y;                              /* the output as NCHW, for the check */
} onednn_layer;


static int dnnl_failed(bench_peer_result *r, const char *call, dnnl_status_t s)
{
    return bench_peer_note(r, "%s: %s", call, dnnl_status2str(s));
}

static void layer_free(onednn_layer *L)
{
    dnnl_primitive_destroy(L->conv);
    dnnl_primitive_desc_destroy(L->pd);
    dnnl_memory_destroy(L->src);
    dnnl_memory_destroy(L->weights);
    dnnl_memory_destroy(L->bias);
    dnnl_memory_destroy(L->dst);
    free(L->y);
}

/* Copy from -> to through a reorder primitive, waited for. */
static int reorder(const onednn_peer *p, dnnl_memory_t from, dnnl_memory_t to,
                   bench_peer_result *r)
{
    const dnnl_memory_desc_t *from_md, *to_md;
    dnnl_status_t s = dnnl_memory_get_memory_desc(from, &from_md);
    if (s == dnnl_success)
        s = dnnl_memory_get_memory_desc(to, &to_md);
    if (s != dnnl_success)
        return dnnl_failed(r, "dnnl_memory_get_memory_desc", s);
    dnnl_primitive_desc_t pd = NULL;
    s = dnnl_reorder_primitive_desc_create(&pd, from_md, p->engine, to_md, p->engine, NULL);
    if (s != dnnl_success)
        return dnnl_failed(r, "dnnl_reorder_primitive_desc_create", s);
    dnnl_primitive_t prim = NULL;
    s = dnnl_primitive_create(&prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success)
        return dnnl_failed(r, "dnnl_primitive_create (reorder)", s);
    const dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    s = dnnl_primitive_execute(prim, p->stream, 2, args);
    if (s == dnnl_success)
        s = dnnl_stream_wait(p->stream);
    dnnl_primitive_destroy(prim);
    if (s != dnnl_success)
        return dnnl_failed(r, "reorder", s);
    return 0;
}

/* Memory in the layout the convolution asked for (what = a dnnl_query_*_md, index), filled from
 * host data in the layout user_md describes. */
static int import(const onednn_peer *p, const onednn_layer *L, dnnl_query_t what, int index,
                  const dnnl_memory_desc_t *user_md, const float *host, dnnl_memory_t *mem,
                  bench_peer_result *r)
{
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(L->pd, what, index);
    if (!md)
        return bench_peer_note(r, "dnnl_primitive_desc_query_md failed");
    dnnl_status_t s = dnnl_memory_create(mem, md, p->engine, DNNL_MEMORY_ALLOCATE);
    if (s != dnnl_success) {
        *mem = NULL;
        return dnnl_failed(r, "dnnl_memory_create", s);
    }
    /* oneDNN's handle is not const; the reorder only reads it. */
    dnnl_memory_t user = NULL;
    s = dnnl_memory_create(&user, user_md, p->engine, (void *)host);
    if (s != dnnl_success)
        return dnnl_failed(r, "dnnl_memory_create", s);
    const int status = reorder(p, user, *mem, r);
    dnnl_memory_destroy(user);
    return status;
}

static int tag_md(dnnl_memory_desc_t *md, int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag,
                  bench_peer_result *r)
{
    const dnnl_status_t s = dnnl_memory_desc_init_by_tag(md, ndims, dims, dnnl_f32, tag);
    return s == dnnl_success ? 0 : dnnl_failed(r, "dnnl_memory_desc_init_by_tag", s);
}

/* Descriptors, primitive, and the inputs in the convolution's layouts. */
static int setup(const onednn_peer *p, const bench_peer_layer *layer, onednn_layer *L,
                 dnnl_memory_desc_t *user_dst, bench_peer_result *r)
{
    const cnn_conv2d_desc *d = layer->conv;
    const int grouped = d->groups > 1;
    dnnl_dims_t src_dims = {d->n, d->c, d->h, d->w};
    dnnl_dims_t wei_dims = {d->k, d->c, d->r, d->s};
    if (grouped) {
        const dnnl_dims_t g = {d->groups, d->k / d->groups, d->c / d->groups, d->r, d->s};
        memcpy(wei_dims, g, sizeof g);
    }
    const dnnl_dims_t bias_dims = {d->k};
    const dnnl_dims_t dst_dims = {d->n, d->k, d->oh, d->ow};
    const int wei_ndims = grouped ? 5 : 4;

    dnnl_memory_desc_t user_src, user_wei, bias_md, src_any, wei_any, dst_any;
    if (tag_md(&user_src, 4, src_dims, dnnl_nchw, r) ||
        tag_md(&user_wei, wei_ndims, wei_dims, grouped ? dnnl_goihw : dnnl_oihw, r) ||
        tag_md(&bias_md, 1, bias_dims, dnnl_x, r) || tag_md(user_dst, 4, dst_dims, dnnl_nchw, r) ||
        tag_md(&src_any, 4, src_dims, p->nchw ? dnnl_nchw : dnnl_format_tag_any, r) ||
        tag_md(&wei_any, wei_ndims, wei_dims, dnnl_format_tag_any, r) ||
        tag_md(&dst_any, 4, dst_dims, p->nchw ? dnnl_nchw : dnnl_format_tag_any, r))
        return -1;

    /* oneDNN counts dilation from 0 (dense); the library from 1. */
    const dnnl_dims_t strides = {d->stride_h, d->stride_w};
    const dnnl_dims_t dilates = {d->dilation_h - 1, d->dilation_w - 1};
    const dnnl_dims_t pad_l = {d->pad_top, d->pad_left};
    const dnnl_dims_t pad_r = {d->pad_bottom, d->pad_right};
    dnnl_convolution_desc_t cd;
    dnnl_status_t s = dnnl_dilated_convolution_forward_desc_init(
        &cd, dnnl_forward_inference, dnnl_convolution_auto, &src_any, &wei_any,
        d->has_bias ? &bias_md : NULL, &dst_any, strides, dilates, pad_l, pad_r);
    if (s != dnnl_success)
        return dnnl_failed(r, "dnnl_dilated_convolution_forward_desc_init", s);

    dnnl_primitive_attr_t attr = NULL;
    if ((s = dnnl_primitive_attr_create(&attr)) != dnnl_success)
        return dnnl_failed(r, "dnnl_primitive_attr_create", s);
    if (d->activation == CNN_ACTIVATION_RELU) {
        dnnl_post_ops_t ops = NULL;
        s = dnnl_post_ops_create(&ops);
        if (s == dnnl_success)
            s = dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
        if (s == dnnl_success)
            s = dnnl_primitive_attr_set_post_ops(attr, ops); /* copies ops */
        dnnl_post_ops_destroy(ops);
        if (s != dnnl_success) {
            dnnl_primitive_attr_destroy(attr);
            return dnnl_failed(r, "post-op ReLU", s);
        }
    }
    s = dnnl_primitive_desc_create(&L->pd, &cd, attr, p->engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (s != dnnl_success) {
        L->pd = NULL;
        if (s == dnnl_unimplemented)
            return bench_peer_note(r, "not supported by oneDNN (no implementation for this layer)");
        return dnnl_failed(r, "dnnl_primitive_desc_create", s);
    }
    if ((s = dnnl_primitive_create(&L->conv, L->pd)) != dnnl_success) {
        L->conv = NULL;
        return dnnl_failed(r, "dnnl_primitive_create", s);
    }
    if (import(p, L, dnnl_query_src_md, 0, &user_src, layer->host_x, &L->src, r) ||
        import(p, L, dnnl_query_weights_md, 0, &user_wei, layer->host_w, &L->weights, r) ||
        (d->has_bias &&
         import(p, L, dnnl_query_weights_md, 1, &bias_md, layer->host_bias, &L->bias, r)))
        return -1;
    const dnnl_memory_desc_t *dst_md = dnnl_primitive_desc_query_md(L->pd, dnnl_query_dst_md, 0);
    if (!dst_md)
        return bench_peer_note(r, "dnnl_primitive_desc_query_md failed");
    if ((s = dnnl_memory_create(&L->dst, dst_md, p->engine, DNNL_MEMORY_ALLOCATE)) !=
        dnnl_success) {
        L->dst = NULL;
        return dnnl_failed(r, "dnnl_memory_create", s);
    }
    return 0;
}

static dnnl_status_t execute(const onednn_peer *p, const onednn_layer *L)
{
    const dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, L->src},
                                     {DNNL_ARG_WEIGHTS, L->weights},
                                     {DNNL_ARG_DST, L->dst},
                                     {DNNL_ARG_BIAS, L->bias}};
    dnnl_status_t s = dnnl_primitive_execute(L->conv, p->stream, L->bias ? 4 : 3, args);
    return s == dnnl_success ? dnnl_stream_wait(p->stream) : s;
}

/* Output filled with NaN (an output never written then fails the check), one execution, the
 * output reordered to NCHW and checked against the reference with bias and ReLU. */
static int check_once(const onednn_peer *p, const bench_peer_layer *layer, onednn_layer *L,
                      const dnnl_memory_desc_t *user_dst, bench_peer_result *r)
{
    const cnn_conv2d_desc *d = layer->conv;
    const dnnl_memory_desc_t *dst_md;
    dnnl_status_t s = dnnl_memory_get_memory_desc(L->dst, &dst_md);
    if (s != dnnl_success)
        return dnnl_failed(r, "dnnl_memory_get_memory_desc", s);
    void *mapped = NULL;
    if ((s = dnnl_memory_map_data(L->dst, &mapped)) != dnnl_success)
        return dnnl_failed(r, "dnnl_memory_map_data", s);
    const size_t padded = dnnl_memory_desc_get_size(dst_md) / sizeof(float);
    for (size_t i = 0; i < padded; i++)
        ((float *)mapped)[i] = NAN;
    if ((s = dnnl_memory_unmap_data(L->dst, mapped)) != dnnl_success)
        return dnnl_failed(r, "dnnl_memory_unmap_data", s);

    if ((s = execute(p, L)) != dnnl_success)
        return dnnl_failed(r, "convolution", s);

    const int64_t shape[4] = {d->n, d->k, d->oh, d->ow};
    int64_t count;
    size_t bytes;
    if (!cnn_shape_bytes(shape, &count, &bytes) || !(L->y = malloc(bytes)))
        return bench_peer_note(r, "out of host memory to check the result");
    dnnl_memory_t user = NULL;
    if ((s = dnnl_memory_create(&user, user_dst, p->engine, L->y)) != dnnl_success)
        return dnnl_failed(r, "dnnl_memory_create", s);
    const int status = reorder(p, L->dst, user, r);
    dnnl_memory_destroy(user);
    if (status)
        return -1;

    bench_verify_result v;
    if (!bench_verify_conv(d, layer->host_x, layer->host_w, d->has_bias ? layer->host_bias : NULL,
                           L->y, UINT64_C(0x0de7a11), &v))
        return bench_peer_note(r,
                         "wrong result: %lld of %lld checked outputs off, worst at "
                         "(%lld,%lld,%lld,%lld): %g, expected %g",
                         (long long)v.failed, (long long)v.checked, (long long)v.worst[0],
                         (long long)v.worst[1], (long long)v.worst[2], (long long)v.worst[3],
                         v.worst_got, v.worst_ref);
    return 0;
}

/* Warm-up, then timed executions: median, min, max into r. */
static int time_layer(const onednn_peer *p, const bench_peer_layer *layer, const onednn_layer *L,
                      bench_peer_result *r)
{
    dnnl_status_t s;
    for (int i = 0; i < layer->warmup; i++)
        if ((s = execute(p, L)) != dnnl_success)
            return dnnl_failed(r, "convolution", s);
    size_t cap = layer->reps > 0 ? (size_t)layer->reps : 1;
    double *times = malloc(cap * sizeof *times);
    if (!times)
        return bench_peer_note(r, "out of host memory for the timings");
    size_t n = 0;
    double measured = 0.0;
    while (n < (size_t)layer->reps || (measured < layer->min_time_ms && n < BENCH_MAX_REPS)) {
        if (n == cap) {
            double *t = realloc(times, 2 * cap * sizeof *t);
            if (!t) {
                free(times);
                return bench_peer_note(r, "out of host memory for the timings");
            }
            times = t;
            cap *= 2;
        }
        const double t0 = bench_now_ms();
        if ((s = execute(p, L)) != dnnl_success) {
            free(times);
            return dnnl_failed(r, "convolution", s);
        }
        times[n] = bench_now_ms() - t0;
        measured += times[n++];
    }
    r->ran = 1;
    r->ms_median = bench_median(times, n); /* sorted: min and max are the ends */
    r->ms_min = times[0];
    r->ms_max = times[n - 1];
    free(times);
    return 0;
}

static int onednn_run(bench_peer *peer, const bench_peer_layer *layer, bench_peer_result *r)
{
    const onednn_peer *p = (const onednn_peer *)peer;
    const cnn_conv2d_desc *d = layer->conv;
    if (d->flip)
        return bench_peer_note(r, "flip not supported (oneDNN computes cross-correlation only)");
    if (!layer->host_x || !layer->host_w || (d->has_bias && !layer->host_bias))
        return bench_peer_note(r, "no host copy of the inputs");
    onednn_layer L;
    memset(&L, 0, sizeof L);
    dnnl_memory_desc_t user_dst;
    int status = setup(p, layer, &L, &user_dst, r);
    if (status == 0)
        status = check_once(p, layer, &L, &user_dst, r);
    if (status == 0)
        status = time_layer(p, layer, &L, r);
    if (status == 0) {
        const char *impl = NULL;
        if (dnnl_primitive_desc_query(L.pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success)
            impl = NULL;
        const int relu = d->activation == CNN_ACTIVATION_RELU;
        const char *fused = d->has_bias ? (relu ? ", bias+ReLU fused" : ", bias")
                                        : (relu ? ", ReLU fused" : "");
        snprintf(r->note, sizeof r->note, "%s, %s%s", p->version, impl ? impl : "?", fused);
    }
    layer_free(&L);
    return status;
}

static void onednn_destroy(bench_peer *peer)
{
    onednn_peer *p = (onednn_peer *)peer;
    dnnl_stream_destroy(p->stream);
    dnnl_engine_destroy(p->engine);
    free(p);
}

static const bench_peer_vtable onednn_vtable = {"onednn", onednn_run, onednn_destroy};
static const bench_peer_vtable onednn_nchw_vtable = {"onednn-nchw", onednn_run, onednn_destroy};

bench_peer *bench_onednn_create(cnn_context *ctx, int nchw, char *err, size_t err_size)
{
    (void)ctx; /* oneDNN runs on the host CPU whatever device cnncl uses */
    onednn_peer *p = calloc(1, sizeof *p);
    if (!p) {
        bench_fail(err, err_size, "peer 'onednn': out of memory");
        return NULL;
    }
    p->base.vt = nchw ? &onednn_nchw_vtable : &onednn_vtable;
    p->nchw = nchw;
    dnnl_status_t s = dnnl_engine_create(&p->engine, dnnl_cpu, 0);
    if (s != dnnl_success) {
        bench_fail(err, err_size, "peer 'onednn': dnnl_engine_create(cpu): %s",
                   dnnl_status2str(s));
        free(p);
        return NULL;
    }
    s = dnnl_stream_create(&p->stream, p->engine, dnnl_stream_default_flags);
    if (s != dnnl_success) {
        bench_fail(err, err_size, "peer 'onednn': dnnl_stream_create: %s", dnnl_status2str(s));
        dnnl_engine_destroy(p->engine);
        free(p);
        return NULL;
    }
    const dnnl_version_t *v = dnnl_version();
#ifdef CNNBENCH_HAVE_OPENMP
    snprintf(p->version, sizeof p->version, "oneDNN %d.%d.%d, %d threads (OpenMP)", v->major,
             v->minor, v->patch, omp_get_max_threads());
#else
    snprintf(p->version, sizeof p->version, "oneDNN %d.%d.%d, its runtime's default threads",
             v->major, v->minor, v->patch);
#endif
    return &p->base;
}
