/* Winograd F(4x4,3x3) on OpenCL (kernels/conv2d_winograd.cl): the weight, input and output
 * transforms around 36 GEMMs, which run as one grouped 1x1 convolution through the 1x1 GEMM
 * (cl_conv2d_igemm.c, so its register tiles and their tuning serve here too):
 *   V: 1 x (36 C) x 1 x chunk  (transformed input, a pass of `chunk` 4x4 tiles)
 *   U: (36 K) x Cg x 1 x 1      (transformed weights, groups = 36 x groups)
 *   M: 1 x (36 K) x 1 x chunk  (the products, before the output transform)
 * V and M together stay under the workspace limit (on CPUs, under half the cache when they can):
 * a batch or a map with more tiles runs in passes of rows of tiles. On narrow maps the input
 * transform reads a zero-padded copy of the input, made a part of the batch at a time. */
#include "cl_backend_internal.h"
#include "cl_fault.h"
#include "cl_padded_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mirrors winograd_shape in conv2d_winograd.cl (all ints, so the layouts agree). */
typedef struct winograd_shape {
    cl_int C, K, H, W, OH, OW, Cg, groups, pad_t, pad_l;
    cl_int tiles_h, tiles_w, in_n0, row_end, row0, rows, chunk;
    cl_int flip, has_bias, activation, x_images;
} winograd_shape;

#define WINO_STRIP 16  /* tiles per strip of the input and output transforms (TW) */

/* Outputs per tile side (4: F(4x4,3x3); 2: F(2x2,3x3)) and transform points, (m + 2)^2. */
typedef struct wino_size {
    int m, points;
    int fused_kb, fused_vt;  /* > 0: the fused kernel, its output channels x vectors */
    const char *gemm_tuning; /* the rest of a tuning string "f4 ..." / "f2 ..." */
} wino_size;

typedef struct winograd_state {
    winograd_shape shape;
    cnn_conv2d_desc gemm_desc; /* the grouped 1x1 GEMM over the transform points */
    void *gemm;                /* its state (cl_conv2d_igemm.c) */
    cl_kernel weights, input, output, fused;
    cl_mem u, v, m;
    uint64_t u_stamp;          /* weights' contents that u came from; 0: none */
    uint64_t u_version;        /* changes whenever u is recomputed: the GEMM's weight stamp */
    int64_t rows_total;        /* rows of tiles in the batch: N x tiles_h */
    int gpu;                   /* GPU-shaped transforms and GEMM (cl_conv2d_gemm_gpu.c) */
    int plane_rows;            /* > 0: the transforms for small maps (PLANE_TW in
                                  conv2d_winograd.cl), tile rows per work-item */
    int fused_kb, fused_tr;    /* the fused kernel's output channels per block and tile rows
                                  per work-item; 0: not fused */
    cnn_cl_padded_input padded; /* zero-padded input copy, when it fits the workspace limit */
} winograd_state;

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* The fused kernel's tile rows per work-item (FUSED_TR): one, or vt where a row's strips do
 * not fill register tiles of vt vectors. */
static int fused_rows(int64_t strips, int vt) { return strips % vt == 0 ? 1 : vt; }

/* Bytes of the fused kernel's local V (XI_STRIDE in conv2d_winograd.cl). */
static uint64_t fused_local_bytes(const cnn_conv2d_desc *d, int vt)
{
    const int64_t strips = ceil_div(ceil_div(d->ow, 4), WINO_STRIP);
    const int64_t nv = fused_rows(strips, vt) * strips;
    return 36u * (uint64_t)(d->c * nv * WINO_STRIP + WINO_STRIP) * 4u;
}

/* Whether the fused kernel (F(4x4) only) serves d with vt vectors per register tile and
 * blocks of kb output channels: its local V within the device's local memory, and its
 * transformed weights, output channels padded to whole blocks, within the max allocation. */
static int fused_fits(const cl_backend *b, const cnn_conv2d_desc *d, int vt, int kb)
{
    const uint64_t u_bytes = 36u * (uint64_t)(ceil_div(d->k, kb) * kb) * (uint64_t)d->c * 4u;
    return d->groups == 1 && fused_local_bytes(d, vt) <= b->info.local_mem_bytes &&
           u_bytes <= b->info.max_alloc_bytes;
}

/* The rule for the fused kernel, CPU-shaped: where its local V fits, on maps whose tile rows fill
 * at least 3/4 of their strips' lanes (one strip of 16 for 7 tiles wastes more than it saves).
 * Measured on VGG-16 and ResNet-50 layers, fused / separate: 64 -> 64 at 224: 4.07 / 6.39 ms;
 * 128 -> 128 at 112: 2.93 / 5.01; 128 -> 256 at 56: 1.35-1.45 / 1.68-1.87; 256 -> 256 at 56
 * 2.76 / 3.16; 64 -> 64 at 56: 0.21 / 0.31; 128 -> 128 at 28 (7 tiles a row): 0.37 / 0.28.
 * Two vectors per register tile (8 output channels) where they fit, else one (16 channels). */
static void fused_rule(const cl_backend *b, const cnn_conv2d_desc *d, wino_size *z)
{
    const int64_t tiles_w = ceil_div(d->ow, 4);
    const int64_t lanes = ceil_div(tiles_w, WINO_STRIP) * WINO_STRIP;
    if (cnn_cl_gpu_kernels(b) || z->m != 4 || 4 * tiles_w < 3 * lanes)
        return;
    if (fused_fits(b, d, 2, 8)) {
        z->fused_kb = 8;
        z->fused_vt = 2;
    } else if (fused_fits(b, d, 1, 16)) {
        z->fused_kb = 16;
        z->fused_vt = 1;
    }
}

/* Modeled cost of F(m x m) per (output, input) channel pair: the products over the batch's
 * tiles, plus the transformed weights (points per pair) streamed once by the GEMMs, a float
 * read from memory costing about 18 products (450 GFLOP/s of GEMM against 50 GB/s here), 6
 * where they fit the device's cache. */
static double size_cost(const cl_backend *b, const cnn_conv2d_desc *d, int m)
{
    const double points = (double)((m + 2) * (m + 2));
    const double tiles = (double)cnn_conv2d_rules_batch(d) * (double)((d->oh + m - 1) / m) *
                         (double)((d->ow + m - 1) / m);
    const double weight_bytes = points * (double)d->k * (double)(d->c / d->groups) * 4.0;
    const double per_float = weight_bytes > (double)b->info.global_cache_bytes ? 18.0 : 6.0;
    return tiles * points + per_float * points;
}

/* F(2x2) on maps of 8 x 8 or less (F(4x4)'s tiles would compute 64 outputs of a 7x7 map's
 * 49), and on maps up to 16 x 16 whose F(4x4) transformed weights, 36 / 9 times the weights,
 * do not fit the device's cache: with few tiles per image the GEMMs stream them from memory,
 * and F(2x2)'s are 16 / 36 of that. F(4x4) elsewhere. Measured (ms, F(4x4) / F(2x2)): 7x7
 * 512 -> 512 0.83 / 0.43-0.48; 14x14 512 -> 512 (37.7 MB) 1.31 / 1.24; 14x14 256 -> 256
 * (9.4 MB) 0.35 / 0.37. A batch of several images shares F(4x4)'s weights among more tiles:
 * there the cost model decides (7x7 512 -> 512, batch 4: 1.26 / 1.37, batch 8: 2.23 / 2.65;
 * 7x7 256 -> 256, batch 2: 0.165 / 0.186). Then the fused kernel by its rule, or the separate
 * transforms around the GEMM. Tuning strings: "f4" or "f2" (that size, the rest by rule),
 * "f4 fused kbK vtV" (the fused kernel with those tiles), "f4 gemm" / "f2 gemm" (separate, the
 * GEMM's default tiles), and "f4 ..." / "f2 ..." with the GEMM's tuning. Returns 0 for a
 * tuning string that does not fit d. */
static int choose_size(const cl_backend *b, const cnn_conv2d_desc *d, wino_size *z)
{
    const double f4_weights = 36.0 * (double)d->k * (double)(d->c / d->groups) * 4.0;
    const int small = d->oh <= 8 && d->ow <= 8;
    const int medium = d->oh <= 16 && d->ow <= 16;
    z->m = small || (medium && f4_weights > (double)b->info.global_cache_bytes) ? 2 : 4;
    if (z->m == 2 && cnn_conv2d_rules_batch(d) > 1 && size_cost(b, d, 4) < size_cost(b, d, 2))
        z->m = 4;
    z->fused_kb = z->fused_vt = 0;
    z->gemm_tuning = "";
    const char *t = d->tuning;
    if (t[0] == 'f' && (t[1] == '2' || t[1] == '4') && (t[2] == ' ' || t[2] == '\0')) {
        z->m = t[1] - '0';
        const char *rest = t[2] ? t + 3 : "";
        if (strncmp(rest, "fused", 5) == 0) {
            int kb, vt, end = 0;
            if (sscanf(rest, "fused kb%d vt%d%n", &kb, &vt, &end) != 2 || rest[end] != '\0' ||
                z->m != 4 || kb < 1 || kb > 16 || vt < 1 || vt > 2 || !fused_fits(b, d, vt, kb))
                return 0;
            z->fused_kb = kb;
            z->fused_vt = vt;
        } else if (strcmp(rest, "gemm") == 0) {
            /* separate, the GEMM's default tiles */
        } else if (rest[0]) {
            z->gemm_tuning = rest;
        } else {
            fused_rule(b, d, z);
        }
    } else if (t[0]) {
        return 0;
    } else {
        fused_rule(b, d, z);
    }
    z->points = (z->m + 2) * (z->m + 2);
    return 1;
}

/* The GEMM of a pass of chunk tiles: points x groups groups of Kg x Cg times Cg x chunk. */
static cnn_conv2d_desc gemm_desc(const cnn_conv2d_desc *d, const wino_size *z, int64_t chunk)
{
    cnn_conv2d_desc g;
    memset(&g, 0, sizeof g);
    g.n = 1;
    g.c = z->points * d->c;
    g.h = 1;
    g.w = chunk;
    g.k = z->points * d->k;
    g.r = g.s = 1;
    g.oh = 1;
    g.ow = chunk;
    g.stride_h = g.stride_w = g.dilation_h = g.dilation_w = 1;
    g.groups = z->points * d->groups;
    g.activation = CNN_ACTIVATION_NONE;
    g.algo = CNN_CONV2D_ALGO_GEMM1X1;
    snprintf(g.tuning, sizeof g.tuning, "%s", z->gemm_tuning);
    return g;
}

/* Tile rows per pass: all of them (N x tiles_h), unless V and M would pass the workspace
 * limit or a buffer the device's max allocation; then equal passes, as few as fit. 0: not even
 * one tile row fits. On CPUs, V and M larger than the cache run in passes of half the cache,
 * so that each pass's V and M stay cached from one kernel to the next (measured on VGG-16
 * conv1_2, 57.8 MB of V and M against a 32 MiB L3: 8.3 -> 6.5 ms; a pass costs three launches,
 * so smaller ones lose: 7.7 ms in passes of 8 MB). */
static int64_t rows_per_pass(cl_backend *b, const cnn_conv2d_desc *d, int points,
                             int64_t rows, int64_t tiles_w)
{
    uint64_t limit = cnn_context_workspace_limit(b->base.ctx);
    const uint64_t per_row = (uint64_t)points * (uint64_t)(d->c + d->k) * 4u *
                             (uint64_t)tiles_w;
    const uint64_t cache = b->info.global_cache_bytes;
    if (b->info.type == CNN_DEVICE_CPU && per_row * (uint64_t)rows > cache &&
        per_row <= cache / 2 && cache / 2 < limit)
        limit = cache / 2;
    const uint64_t widest =
        (uint64_t)points * (uint64_t)(d->c > d->k ? d->c : d->k) * 4u * (uint64_t)tiles_w;
    uint64_t fit = limit / per_row;
    /* M has WINO_STRIP floats of slack past its chunk (see cnn_cl_winograd_prepare). */
    const uint64_t slack = WINO_STRIP * 4u;
    const uint64_t max_alloc =
        b->info.max_alloc_bytes > slack ? b->info.max_alloc_bytes - slack : 0;
    if (max_alloc / widest < fit)
        fit = max_alloc / widest;
    if (fit == 0)
        return 0;
    if ((uint64_t)rows <= fit)
        return rows;
    const int64_t passes = ceil_div(rows, (int64_t)fit);
    return ceil_div(rows, passes);
}

static cnn_status create_buffer(cl_backend *b, size_t floats, const char *what, cl_mem *out)
{
    cl_int err;
    *out = cnn_cl_create_buffer(b->context, CL_MEM_READ_WRITE, floats * 4, NULL, &err);
    if (err != CL_SUCCESS) {
        *out = NULL;
        char call[64];
        snprintf(call, sizeof call, "clCreateBuffer(%s)", what);
        return CNN_CL_FAIL(b->base.ctx, call, err);
    }
    return CNN_SUCCESS;
}

cnn_status cnn_cl_winograd_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                   char variant[CNN_CL_VARIANT_MAX])
{
    cnn_context *ctx = b->base.ctx;
    wino_size z;
    if (!choose_size(b, d, &z))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d winograd: tuning '%s' does not fit this problem", d->tuning);
    const int points = z.points;
    const int64_t tiles_h = ceil_div(d->oh, z.m), tiles_w = ceil_div(d->ow, z.m);
    const int64_t rows_total = d->n * tiles_h;
    const int64_t rows =
        z.fused_kb ? rows_total : rows_per_pass(b, d, points, rows_total, tiles_w);
    if (rows == 0)
        return cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                         "conv2d winograd: one row of tiles' transformed input and output (%lld "
                         "floats) exceed the workspace limit of %llu bytes",
                         (long long)(points * (d->c + d->k) * tiles_w),
                         (unsigned long long)cnn_context_workspace_limit(ctx));
    const int64_t chunk = rows * tiles_w;
    const int64_t cg = d->c / d->groups;
    /* The fused kernel's transformed weights hold whole blocks of output channels. */
    const int64_t k_padded = z.fused_kb ? ceil_div(d->k, z.fused_kb) * z.fused_kb : d->k;
    const int64_t u_dims[3] = {points, k_padded, cg};
    const int64_t v_dims[3] = {points, d->c, chunk};
    const int64_t m_dims[3] = {points, d->k, chunk};
    const int64_t tile_dims[2] = {rows_total + rows, tiles_w};
    cnn_status s = cnn_cl_check_int_range(b, "conv2d winograd weights", u_dims, 3);
    if (s == CNN_SUCCESS && !z.fused_kb)
        s = cnn_cl_check_int_range(b, "conv2d winograd input", v_dims, 3);
    if (s == CNN_SUCCESS && !z.fused_kb)
        s = cnn_cl_check_int_range(b, "conv2d winograd products", m_dims, 3);
    if (s == CNN_SUCCESS) s = cnn_cl_check_int_range(b, "conv2d winograd tiles", tile_dims, 2);
    if (s == CNN_SUCCESS && (uint64_t)(points * k_padded * cg) * 4u > b->info.max_alloc_bytes)
        s = cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                      "conv2d winograd: the transformed weights (%lld floats) exceed the device's "
                      "max allocation of %llu bytes",
                      (long long)(points * k_padded * cg),
                      (unsigned long long)b->info.max_alloc_bytes);
    if (s != CNN_SUCCESS)
        return s;

    winograd_state *st = cnn_calloc(1, sizeof *st);
    if (!st)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "conv2d winograd: out of host memory");
    /* What the input transform reads: whole strips of m + 2 rows and 16 m + 2 columns. A
     * zero-padded copy, where one image of it fits the workspace limit, lets every strip load
     * whole vectors instead of guarding its loads at the borders; it pays where most strips
     * are border strips, on maps of one or two strips per row (measured: res2-res4 0.02-0.05 ms
     * faster with it; VGG-16 conv1_2, four strips per row, 0.3-0.6 ms slower). */
    const int64_t strips = ceil_div(tiles_w, WINO_STRIP);
    const int64_t xh = tiles_h * z.m + 2;
    const int64_t xw = strips * WINO_STRIP * z.m + 2;
    const int gpu = cnn_cl_gpu_kernels(b); /* GPU-shaped transforms: guarded scalar loads */
    /* Maps of up to half a strip's tiles a row (7 tiles, 28 columns, for F(4x4); 8 for F(2x2)):
     * the transforms' vectors take several tile rows, whose input they read as two vectors
     * (PLANE_COLS = 32 columns) with guards, no copy. */
    const int plane = !gpu && !z.fused_kb && tiles_w * 2 <= WINO_STRIP && tiles_w * z.m + 2 <= 32;
    const int copy = !gpu && !plane && strips <= 2 && cnn_cl_needs_padding(d, xh, xw) &&
                     (uint64_t)(d->c * xh * xw) * 4u <= cnn_context_workspace_limit(ctx);
    s = cnn_cl_padded_input_prepare(b, &st->padded, d, copy, xh, xw, "conv2d winograd");
    if (s != CNN_SUCCESS) {
        free(st);
        return s;
    }
    winograd_shape *p = &st->shape;
    p->C = (cl_int)d->c; p->K = (cl_int)d->k;
    p->H = (cl_int)(copy ? xh : d->h); p->W = (cl_int)(copy ? xw : d->w);
    p->OH = (cl_int)d->oh; p->OW = (cl_int)d->ow;
    p->Cg = (cl_int)cg; p->groups = (cl_int)d->groups;
    p->pad_t = copy ? 0 : (cl_int)d->pad_top; p->pad_l = copy ? 0 : (cl_int)d->pad_left;
    p->tiles_h = (cl_int)tiles_h; p->tiles_w = (cl_int)tiles_w;
    p->rows = (cl_int)rows; p->chunk = (cl_int)chunk;
    p->flip = d->flip; p->has_bias = d->has_bias; p->activation = (cl_int)d->activation;
    p->x_images = (cl_int)(copy ? st->padded.images : d->n);
    st->rows_total = rows_total;

    st->fused_kb = z.fused_kb;
    char options[160];
    char gemm_variant[CNN_CL_VARIANT_MAX] = "";
    if (z.fused_kb) {
        st->fused_tr = strips % z.fused_vt == 0 ? 1 : z.fused_vt;
        snprintf(options, sizeof options,
                 "-cl-std=CL1.2 -DWM=%d -DFUSED_KB=%d -DFUSED_VT=%d -DFUSED_TR=%d -DFUSED_S=%d "
                 "-DFUSED_C=%d", z.m, z.fused_kb, z.fused_vt, st->fused_tr, (int)strips,
                 (int)d->c);
        s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_winograd.cl", options,
                                 "winograd_fused", &st->fused);
    } else {
        if (plane)
            snprintf(options, sizeof options, "-cl-std=CL1.2 -DWM=%d -DPLANE_TW=%d", z.m,
                     (int)tiles_w);
        else
            snprintf(options, sizeof options, "-cl-std=CL1.2 -DWM=%d", z.m);
        st->plane_rows = plane ? WINO_STRIP / (int)tiles_w : 0;
        st->gemm_desc = gemm_desc(d, &z, chunk);
        st->gpu = gpu;
        s = gpu ? cnn_cl_gemm_gpu_prepare(b, &st->gemm_desc, &st->gemm, gemm_variant)
                : cnn_cl_igemm_prepare(b, &st->gemm_desc, &st->gemm, gemm_variant);
        if (s == CNN_SUCCESS)
            s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_winograd.cl", options,
                                     gpu     ? "winograd_input_gpu"
                                     : plane ? "winograd_input_plane"
                                             : "winograd_input",
                                     &st->input);
        if (s == CNN_SUCCESS)
            s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_winograd.cl", options,
                                     gpu     ? "winograd_output_gpu"
                                     : plane ? "winograd_output_plane"
                                             : "winograd_output",
                                     &st->output);
        if (s == CNN_SUCCESS)
            s = create_buffer(b, (size_t)(points * d->c * chunk), "winograd input", &st->v);
        if (s == CNN_SUCCESS)
            s = create_buffer(b, (size_t)(points * d->k * chunk + WINO_STRIP),
                              "winograd products", &st->m); /* slack: whole-vector reads */
    }
    if (s == CNN_SUCCESS)
        s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_winograd.cl", options,
                                 "winograd_weights", &st->weights);
    if (s == CNN_SUCCESS)
        s = create_buffer(b, (size_t)(points * k_padded * cg), "winograd weights", &st->u);
    if (s != CNN_SUCCESS) {
        cnn_cl_winograd_release(st);
        return s;
    }
    snprintf(variant, CNN_CL_VARIANT_MAX, "conv2d_winograd.cl %s%s%.60s", options,
             gemm_variant[0] ? " + " : "", gemm_variant);
    if (z.fused_kb)
        cnn_log(CNN_LOG_DEBUG,
                "conv2d winograd F(4x4) fused: %lld rows of %lld tiles, %d per work-item, "
                "blocks of %d output channels, local V %llu bytes",
                (long long)rows_total, (long long)tiles_w, st->fused_tr, z.fused_kb,
                (unsigned long long)fused_local_bytes(d, z.fused_vt));
    else
        cnn_log(CNN_LOG_DEBUG,
                "conv2d winograd F(%dx%d): %lld rows of %lld tiles in passes of %lld rows, "
                "workspace %lld floats",
                z.m, z.m, (long long)rows_total, (long long)tiles_w, (long long)rows,
                (long long)(points * (d->k * cg + (d->c + d->k) * chunk)));
    *state = st;
    return CNN_SUCCESS;
}

static cnn_status set_args(cl_backend *b, cl_kernel k, cl_mem a0, cl_mem a1, cl_mem a2,
                           const winograd_shape *p)
{
    cl_uint i = 0;
    cnn_status s = cnn_cl_set_arg(b, k, i++, sizeof a0, &a0);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, i++, sizeof a1, &a1);
    if (s == CNN_SUCCESS && a2) s = cnn_cl_set_arg(b, k, i++, sizeof a2, &a2);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, i, sizeof *p, p);
    return s;
}

cnn_status cnn_cl_winograd_run(cl_backend *b, void *state, cl_mem out, cl_mem in, cl_mem weights,
                               uint64_t weights_stamp, cl_mem bias)
{
    winograd_state *st = state;
    winograd_shape *p = &st->shape;
    cnn_status s = CNN_SUCCESS;
    /* Transform the weights only when their contents may have changed since the last time. */
    if (weights_stamp == 0 || weights_stamp != st->u_stamp) {
        st->u_stamp = 0;
        const size_t k_padded =
            st->fused ? (size_t)ceil_div(p->K, st->fused_kb) * st->fused_kb : (size_t)p->K;
        const size_t global = cnn_round_up(k_padded * (size_t)p->Cg, 64);
        const size_t local = cnn_cl_local_1d(b, 64);
        s = set_args(b, st->weights, weights, st->u, NULL, p);
        if (s == CNN_SUCCESS) s = cnn_cl_launch(b, st->weights, 1, &global, &local);
        if (s != CNN_SUCCESS)
            return s;
        st->u_stamp = weights_stamp;
        st->u_version++;
    }
    /* CPU-shaped transforms: a work-item per strip of tiles, row and channel (small maps: per
     * group of plane_rows tile rows and channel); GPU-shaped: per tile and channel, in
     * work-groups of 64 tiles. */
    const size_t strips = (size_t)ceil_div(p->tiles_w, WINO_STRIP);
    const size_t gpu_local[3] = {cnn_cl_local_1d(b, 64), 1, 1};
    const size_t gpu_tiles = cnn_round_up((size_t)p->chunk, gpu_local[0]);
    size_t in_global[3] = {strips, (size_t)p->rows, (size_t)p->C};
    size_t out_global[3] = {strips, (size_t)p->rows, (size_t)p->K};
    if (st->gpu || st->plane_rows) {
        in_global[0] = out_global[0] =
            st->gpu ? gpu_tiles : (size_t)ceil_div(p->rows, st->plane_rows);
        in_global[1] = (size_t)p->C;
        out_global[1] = (size_t)p->K;
        in_global[2] = out_global[2] = 1;
    }
    const size_t one[3] = {1, 1, 1};
    const size_t *transform_local = st->gpu ? gpu_local : one;
    /* The images that the padded copy holds at a time (the whole batch without a copy), and
     * within them passes of tile rows that V and M hold. */
    const int64_t n_total = st->rows_total / p->tiles_h, step = st->padded.images;
    for (int64_t n0 = 0; n0 < n_total && s == CNN_SUCCESS; n0 += step) {
        const int64_t count = n_total - n0 < step ? n_total - n0 : step;
        cl_mem src = in;
        int64_t src_n0 = n0;
        s = cnn_cl_padded_input_run(b, &st->padded, in, n0, count, &src, &src_n0);
        p->in_n0 = (cl_int)(src_n0 - n0);
        p->row_end = (cl_int)((n0 + count) * p->tiles_h);
        for (cl_int r0 = (cl_int)(n0 * p->tiles_h); r0 < p->row_end && s == CNN_SUCCESS;
             r0 += p->rows) {
            p->row0 = r0;
            if (st->fused) {
                const size_t g[3] = {1, (size_t)ceil_div(p->row_end - r0, st->fused_tr), 1};
                cl_uint i = 0;
                s = cnn_cl_set_arg(b, st->fused, i++, sizeof src, &src);
                if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, st->fused, i++, sizeof st->u, &st->u);
                if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, st->fused, i++, sizeof bias, &bias);
                if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, st->fused, i++, sizeof out, &out);
                if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, st->fused, i, sizeof *p, p);
                if (s == CNN_SUCCESS) s = cnn_cl_launch(b, st->fused, 3, g, one);
                continue;
            }
            s = set_args(b, st->input, src, st->v, NULL, p);
            if (s == CNN_SUCCESS)
                s = cnn_cl_launch(b, st->input, 3, in_global, transform_local);
            if (s == CNN_SUCCESS)
                s = st->gpu ? cnn_cl_gemm_gpu_run(b, st->gemm, st->m, st->v, st->u,
                                                  st->u_version, st->u)
                            : cnn_cl_igemm_run(b, st->gemm, &st->gemm_desc, st->m, st->v,
                                               st->u, st->u_version, st->u);
            if (s == CNN_SUCCESS) s = set_args(b, st->output, st->m, bias, out, p);
            if (s == CNN_SUCCESS)
                s = cnn_cl_launch(b, st->output, 3, out_global, transform_local);
        }
    }
    return s;
}

void cnn_cl_winograd_release(void *state)
{
    winograd_state *st = state;
    if (st->gemm && st->gpu)
        cnn_cl_gemm_gpu_release(st->gemm);
    else if (st->gemm)
        cnn_cl_igemm_release(st->gemm);
    if (st->weights) cnn_cl_release_kernel(st->weights);
    if (st->input) cnn_cl_release_kernel(st->input);
    if (st->output) cnn_cl_release_kernel(st->output);
    if (st->fused) cnn_cl_release_kernel(st->fused);
    if (st->u) cnn_cl_release_mem(st->u);
    if (st->v) cnn_cl_release_mem(st->v);
    if (st->m) cnn_cl_release_mem(st->m);
    cnn_cl_padded_input_release(&st->padded);
    free(st);
}

int cnn_cl_winograd_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                               char (*tunings)[CNN_TUNING_MAX], int max)
{
    /* Both tile sizes, the rule's first: for F(4x4) the fused kernel's tiles where it fits,
     * then the separate transforms with each of their GEMM's tile shapes. */
    wino_size rule;
    cnn_conv2d_desc plain = *d;
    plain.tuning[0] = '\0';
    choose_size(b, &plain, &rule);
    const int sizes[2] = {rule.m, rule.m == 4 ? 2 : 4};
    int n = 0;
    for (int i = 0; i < 2 && n < max; i++) {
        wino_size z = {sizes[i], (sizes[i] + 2) * (sizes[i] + 2), 0, 0, ""};
        if (z.m == 4) {
            if (fused_fits(b, d, 2, 8) && n < max)
                snprintf(tunings[n++], CNN_TUNING_MAX, "f4 fused kb8 vt2");
            if (fused_fits(b, d, 1, 16) && n < max)
                snprintf(tunings[n++], CNN_TUNING_MAX, "f4 fused kb16 vt1");
        }
        const int64_t tiles_w = ceil_div(d->ow, z.m);
        const int64_t rows =
            rows_per_pass(b, d, z.points, d->n * ceil_div(d->oh, z.m), tiles_w);
        if (rows == 0 || n >= max)
            continue;
        const cnn_conv2d_desc g = gemm_desc(d, &z, rows * tiles_w);
        char gemm[16][CNN_TUNING_MAX];
        int quota = (i == 0 ? (max + 1) / 2 : max) - n;
        quota = quota < 0 ? 0 : quota > 16 ? 16 : quota;
        const int m = cnn_cl_gpu_kernels(b) ? cnn_cl_gemm_gpu_candidates(b, &g, gemm, quota)
                                            : cnn_cl_igemm_candidates(b, &g, gemm, quota);
        snprintf(tunings[n++], CNN_TUNING_MAX, "f%d gemm", z.m);
        for (int j = 0; j < m && n < max; j++)
            snprintf(tunings[n++], CNN_TUNING_MAX, "f%d %.28s", z.m, gemm[j]);
    }
    return n;
}
