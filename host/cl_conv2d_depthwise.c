/* Depthwise convolution on OpenCL (kernels/conv2d_depthwise.cl): one input channel per group,
 * vectors along output rows; each work-item stages its zero-padded input rows in local memory. */
#include "cl_backend_internal.h"
#include "cl_fault.h"

#include <stdio.h>
#include <stdlib.h>

/* Mirrors dw_shape in conv2d_depthwise.cl (all ints). */
typedef struct dw_shape {
    cl_int C, K, H, W, OH, OW, XW;
    cl_int R, S, stride_h, stride_w, dil_h, dil_w, pad_t, pad_l;
    cl_int Kg, tiles_x, rows_per_item, planes_per_item, planes, flip, has_bias, activation;
} dw_shape;

/* Multiply-adds per work-item to aim for: enough that PoCL's cost per work-group (tens of ns)
 * stays small, few enough that a layer still has work-items for every core. */
#define DW_WORK_PER_ITEM 16384

/* The flat paths' staged input per work-item, in floats, beyond which a plane is cut into bands
 * of rows: 16 KB, well inside the L1 while it is read nine times (measured: 112x112 planes 12%
 * faster in bands than whole, at 50 KB; bands of 8 KB or 32 KB no better). */
#define DW_FLAT_BAND_FLOATS 4096

typedef struct dw_state {
    cl_kernel kernel;
    dw_shape shape;
    size_t global[3];
    size_t stage_bytes; /* local memory per work-item: its staged input rows */
} dw_state;

/* How a layer is cut into work-items and what each stages in local memory. */
typedef struct dw_layout {
    int pv, stride, flat;
    int64_t tiles_x, xw;         /* rows: tiles per output row, floats per staged row */
    int64_t rows_per_item, planes_per_item;
    int64_t rows_in, staged;     /* staged input rows (rows), bytes of local memory */
} dw_layout;

/* The kernel sizes compiled into their own programs (taps unrolled, the weights read once per
 * plane): the square ones networks use. Every size compiled in had made each new shape of a
 * fuzzing run (1x1 to 5x5) a new program: 130 executions a second instead of 1,900. */
static int taps_compiled_in(const cnn_conv2d_desc *d)
{
    return d->r == d->s && (d->r == 3 || d->r == 5 || d->r == 7);
}

/* floor(v / 2) for any sign (the kernel's half_floor). */
static int64_t half_floor(int64_t v)
{
    return v >= 0 ? v / 2 : -((1 - v) / 2);
}

/* The flat-plane paths (kernel FLAT_PLANE), with a compiled-in kernel size and float16 vectors:
 * 1 at stride 1 with "same" padding, where a plane's outputs and inputs line up as one flat
 * array; 2 at stride 2 where the outputs cover the input (2 OW >= W, 2 OH >= H: an input
 * column or row a phase row of OW does not hold is padding), over the input's four parities.
 * Dilation 1, and a left padding under a vector (the staged margin). 0: neither. */
static int flat_plane_mode(const cnn_conv2d_desc *d, int vw, int taps_fixed)
{
    if (vw != 16 || !taps_fixed || d->dilation_h != 1 || d->dilation_w != 1 || d->pad_left >= vw)
        return 0;
    if (d->stride_h == 1 && d->stride_w == 1 && d->oh == d->h && d->ow == d->w)
        return 1;
    if (d->stride_h == 2 && d->stride_w == 2 && 2 * d->ow >= d->w && 2 * d->oh >= d->h)
        return 2;
    return 0;
}

/* Local memory for a band of `rows` output rows of one plane, in floats: BAND_FLOATS, or four
 * PHASE_FLOATS, in the kernel. */
static int64_t flat_band_floats(const cnn_conv2d_desc *d, int vw, int mode, int64_t rows)
{
    if (mode == 1)
        return (vw + (rows + d->r - 1) * d->w + 3 * vw - 1) / vw * vw;
    const int64_t phase_rows =
        rows + half_floor(d->r - 1 - d->pad_top) - half_floor(-d->pad_top);
    return 4 * ((vw + phase_rows * d->ow + 3 * vw - 1) / vw * vw);
}

/* Whole planes per work-item, for about work_per_item multiply-adds each, where a plane's staged
 * input fits DW_FLAT_BAND_FLOATS; else one band of as many output rows as fit it. 0 when one
 * output row's does not fit the local memory. */
static int layout_flat(dw_layout *l, const cnn_conv2d_desc *d, int vw, int mode,
                       int64_t work_per_item, int64_t local_budget)
{
    const int64_t limit = local_budget / 4;
    if (d->w > limit || d->ow > limit || d->r > limit)
        return 0; /* (not one row would fit; this also keeps the sizes below far from overflow) */
    int64_t rows = d->oh, planes = 1;
    if (flat_band_floats(d, vw, mode, rows) > DW_FLAT_BAND_FLOATS) {
        /* Bands: the most rows whose staged input fits (one at least). */
        int64_t lo = 1, hi = d->oh;
        while (lo < hi) {
            const int64_t mid = lo + (hi - lo + 1) / 2;
            if (flat_band_floats(d, vw, mode, mid) <= DW_FLAT_BAND_FLOATS)
                lo = mid;
            else
                hi = mid - 1;
        }
        rows = lo;
    } else {
        const int64_t plane_work = d->oh * d->ow * d->r * d->s;
        planes = work_per_item / (plane_work > 0 ? plane_work : 1);
        if (planes < 1)
            planes = 1;
        if (planes > d->n * d->k)
            planes = d->n * d->k;
    }
    const int64_t band_floats = flat_band_floats(d, vw, mode, rows);
    if (band_floats > limit)
        return 0;
    if (planes > limit / band_floats)
        planes = limit / band_floats;
    l->flat = mode;
    l->planes_per_item = planes;
    l->rows_per_item = rows;
    l->staged = planes * band_floats * 4;
    return 1;
}

/* Rows of pv-vector tiles; rows_per_item output rows of one plane per work-item (several planes
 * on small maps), their input rows staged zero-padded. 0 when one row's do not fit. */
static int layout_rows(dw_layout *l, const cnn_conv2d_desc *d, int vw, int64_t work_per_item,
                       int64_t local_budget)
{
    const int64_t tile = (int64_t)l->pv * vw;
    l->tiles_x = (d->ow + tile - 1) / tile;
    /* A staged row: every column the tiles read, padding and the tiles' overhang included. */
    l->xw = (l->tiles_x * tile - 1) * d->stride_w + (d->s - 1) * d->dilation_w + 1;
    const int64_t row_work = l->tiles_x * tile * d->r * d->s;
    int64_t rows = work_per_item / (row_work > 0 ? row_work : 1);
    if (rows < 1)
        rows = 1;
    if (rows > d->oh)
        rows = d->oh;
    /* (Strides and dilations are bounded by the padded input, under 2^31: these products fit
     * int64; the staged bytes may not, hence the checked product.) */
    int fits = 0;
    for (;; rows--) {
        l->rows_in = (rows - 1) * d->stride_h + (d->r - 1) * d->dilation_h + 1;
        /* (A vector of slack past the last row: rows are zero-filled as whole vectors.) */
        fits = cnn_mul_i64(l->rows_in, l->xw, &l->staged) && l->staged <= INT64_MAX - 16 &&
               cnn_mul_i64(l->staged + 16, 4, &l->staged) && l->staged <= local_budget;
        if (fits || rows == 1)
            break;
    }
    l->rows_per_item = rows;
    /* Small maps: several planes per work-item, for the same work per item. */
    const int64_t item_work = rows * row_work;
    l->planes_per_item = work_per_item / (item_work > 0 ? item_work : 1);
    if (rows < d->oh || l->planes_per_item < 1)
        l->planes_per_item = 1;
    return fits;
}

cnn_status cnn_cl_depthwise_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                    char variant[CNN_CL_VARIANT_MAX])
{
    cnn_context *ctx = b->base.ctx;
    /* float16 fills an AVX-512 register; GPUs keep a work-item's vector in one lane. */
    const int vw = cnn_cl_gpu_kernels(b) ? 4 : 16;
    const int taps_fixed = taps_compiled_in(d);
    dw_layout l = {0};
    /* Vectors per tile: the fewest lanes past the row's end (112 outputs: 7 tiles of one
     * vector, not 4 of two), then the longer tile. */
    l.pv = 1;
    for (int c = 2; c <= 4; c *= 2)
        if ((d->ow + c * vw - 1) / (c * vw) * c <= (d->ow + l.pv * vw - 1) / (l.pv * vw) * l.pv)
            l.pv = c;
    /* Flat planes wherever they serve: at stride 1 on 7x7 to 56x56 maps 1.1-2.5x faster than
     * rows of tiles, which compute 16 lanes for 7 outputs on 7x7 maps, and as fast on 112x112;
     * at stride 2 (its four parities) 1.2-1.4x on MobileNet-v2's layers (bench/NOTES.md). */
    const int flat_mode = flat_plane_mode(d, vw, taps_fixed);
    int flat = flat_mode != 0;
    int64_t work_per_item = DW_WORK_PER_ITEM;
    if (d->tuning[0]) {
        int tpv = 0, twork = 0;
        if (sscanf(d->tuning, "flat work%d", &twork) == 1 && flat_mode && twork >= 256 &&
            twork <= (1 << 20)) {
            flat = 1;
        } else if (sscanf(d->tuning, "pv%d work%d", &tpv, &twork) == 2 && tpv >= 1 && tpv <= 4 &&
                   twork >= 256 && twork <= (1 << 20)) {
            flat = 0;
            l.pv = tpv;
        } else {
            return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                             "conv2d depthwise: tuning '%s' is not a tile set", d->tuning);
        }
        work_per_item = twork;
    }
    l.stride = d->stride_w == 1 ? 1 : d->stride_w == 2 && vw == 16 ? 2 : 0;
    /* The staged input must fit the device's local memory (less a share for the runtime). */
    const int64_t local_budget = (int64_t)b->info.local_mem_bytes - 1024;
    int fits = flat && layout_flat(&l, d, vw, flat_mode, work_per_item, local_budget);
    if (!fits)
        fits = layout_rows(&l, d, vw, work_per_item, local_budget);
    const int64_t dims[2] = {l.rows_in, l.xw};
    cnn_status s = cnn_cl_check_int_range(b, "conv2d depthwise staged rows", dims, 2);
    if (s == CNN_SUCCESS && !fits)
        s = cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                      "conv2d depthwise: %lld staged input rows of %lld floats exceed the "
                      "device's local memory of %llu bytes",
                      (long long)l.rows_in, (long long)l.xw,
                      (unsigned long long)b->info.local_mem_bytes);
    if (s != CNN_SUCCESS)
        return s;
    dw_state *st = cnn_calloc(1, sizeof *st);
    if (!st)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "conv2d depthwise: out of host memory");
    char options[128];
    snprintf(options, sizeof options,
             "-cl-std=CL1.2 -DVW=%d -DPV=%d -DSTRIDE=%d -DKR=%d -DKS=%d%s", vw, l.pv, l.stride,
             taps_fixed ? (int)d->r : 0, taps_fixed ? (int)d->s : 0,
             l.flat == 1 ? " -DFLAT_PLANE=1" : l.flat == 2 ? " -DFLAT_PLANE=2" : "");
    snprintf(variant, CNN_CL_VARIANT_MAX, "conv2d_depthwise.cl %s", options);
    s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_depthwise.cl", options,
                             "conv2d_depthwise", &st->kernel);
    if (s != CNN_SUCCESS) {
        cnn_cl_depthwise_release(st);
        return s;
    }
    dw_shape *p = &st->shape;
    p->C = (cl_int)d->c; p->K = (cl_int)d->k; p->H = (cl_int)d->h; p->W = (cl_int)d->w;
    p->OH = (cl_int)d->oh; p->OW = (cl_int)d->ow; p->XW = (cl_int)l.xw;
    p->R = (cl_int)d->r; p->S = (cl_int)d->s;
    p->stride_h = (cl_int)d->stride_h; p->stride_w = (cl_int)d->stride_w;
    p->dil_h = (cl_int)d->dilation_h; p->dil_w = (cl_int)d->dilation_w;
    p->pad_t = (cl_int)d->pad_top; p->pad_l = (cl_int)d->pad_left;
    p->Kg = (cl_int)(d->k / d->groups); p->tiles_x = (cl_int)l.tiles_x;
    p->rows_per_item = (cl_int)l.rows_per_item;
    p->planes_per_item = (cl_int)l.planes_per_item;
    p->planes = (cl_int)(d->n * d->k);
    p->flip = d->flip; p->has_bias = d->has_bias; p->activation = (cl_int)d->activation;
    st->stage_bytes = (size_t)l.staged;
    st->global[0] = (size_t)((d->oh + l.rows_per_item - 1) / l.rows_per_item);
    st->global[1] = (size_t)((d->n * d->k + l.planes_per_item - 1) / l.planes_per_item);
    st->global[2] = 1;
    cnn_log(CNN_LOG_DEBUG,
            "conv2d depthwise: %s pv%d vw%d stride %d, %lld rows and %lld planes per item, "
            "%zux%zu work-items, %zu bytes staged per item",
            l.flat == 1 ? "flat planes" : l.flat == 2 ? "flat phases" : "rows", l.pv, vw,
            l.stride, (long long)l.rows_per_item, (long long)l.planes_per_item, st->global[0],
            st->global[1], st->stage_bytes);
    *state = st;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_depthwise_run(cl_backend *b, void *state, cl_mem out, cl_mem in,
                                cl_mem weights, cl_mem bias)
{
    dw_state *st = state;
    cl_kernel k = st->kernel;
    const size_t one[3] = {1, 1, 1};
    cnn_status s = cnn_cl_set_arg(b, k, 0, sizeof in, &in);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 1, sizeof weights, &weights);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 2, sizeof bias, &bias);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 3, sizeof out, &out);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 4, sizeof st->shape, &st->shape);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 5, st->stage_bytes, NULL);
    if (s == CNN_SUCCESS) s = cnn_cl_launch(b, k, 3, st->global, one);
    return s;
}

void cnn_cl_depthwise_release(void *state)
{
    dw_state *st = state;
    if (st->kernel)
        cnn_cl_release_kernel(st->kernel);
    free(st);
}

int cnn_cl_depthwise_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                                char (*tunings)[CNN_TUNING_MAX], int max)
{
    /* Flat planes where they serve, then vectors per tile (1: narrow maps, 4: wide ones), by
     * the work per item. */
    static const int pvs[] = {1, 2, 4};
    static const int works[] = {2048, 8192, 32768};
    int n = 0;
    if (flat_plane_mode(d, cnn_cl_gpu_kernels(b) ? 4 : 16, taps_compiled_in(d)))
        for (size_t j = 0; j < sizeof works / sizeof works[0] && n < max; j++)
            snprintf(tunings[n++], CNN_TUNING_MAX, "flat work%d", works[j]);
    for (size_t i = 0; i < sizeof pvs / sizeof pvs[0]; i++)
        for (size_t j = 0; j < sizeof works / sizeof works[0] && n < max; j++)
            if (pvs[i] == 1 || d->ow > 16 * (pvs[i] - 1))
                snprintf(tunings[n++], CNN_TUNING_MAX, "pv%d work%d", pvs[i], works[j]);
    return n;
}
