/* The CPU-shaped implicit GEMM and 1x1 GEMM on OpenCL (kernels/conv2d_igemm.cl): picks the
 * register tile for the shape, sets up the workspaces (repacked weights, and a zero-padded
 * input copy when the kernel would otherwise read outside the input), and launches. */
#include "cl_backend_internal.h"
#include "cl_fault.h"
#include "cl_padded_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mirrors igemm_shape in conv2d_igemm.cl (all ints, so the layouts agree). */
typedef struct igemm_shape {
    cl_int C, K, OH, OW, XH, XW, R, S, stride_h, stride_w, dil_h, dil_w;
    cl_int Cg, Kg, k_blocks, groups, tiles_x, has_bias, activation;
    cl_int in_n0, out_n0, y0, y1, pad_t, pad_l;
} igemm_shape;

typedef struct igemm_tiles {
    int px, kv, vw;   /* pixels x vectors of vw output channels per work-item */
    int rows;         /* output rows per tile (px pixels each) */
    int one_by_one;   /* R = S = 1: a GEMM over C */
    int flat;         /* 1x1, stride 1, no padding: pixels over the flattened plane */
    int pad1x1;       /* 1x1 with padding: the input read in place, clamped and masked */
    int pixvec;       /* flat on a large plane: kt channels x pv vectors of vw pixels */
    int kt, pv;
    int block;        /* output channels per work-item: kv * vw, or kt */
    int pixels;       /* output pixels per work-item: px, or pv * vw */
} igemm_tiles;

typedef struct igemm_state {
    igemm_tiles t;
    igemm_shape shape;
    cl_kernel conv, pack;
    size_t global[3];
    cl_mem packed;              /* repacked weights */
    size_t packed_count;
    uint64_t packed_stamp;      /* contents the packed weights came from; 0: none */
    cnn_cl_padded_input padded; /* zero-padded input copy, when needed */
} igemm_state;

/* Accumulators per work-item: PX x KV vectors; about 28 stay in registers (of 32 on AVX-512,
 * with room for the weights and the broadcast input). */
#define IGEMM_MAX_ACC 28

/* The register tile, px pixels x kv channel vectors, for rows (or a flattened plane) of ow
 * outputs and `vectors` channel vectors per group: the least modeled time over pixel tiles of
 * 16, 14, 12, 8 or 7 and up to IGEMM_MAX_ACC accumulators (2 vectors for 7-pixel tiles: with
 * more, a block's weights overflow the L2 on 7x7 maps, 512 -> 512 3x3: 1.2 MB per 64 channels
 * read again for every tile). The model counts every (tile, channel block) pair, padding
 * included (a partial last tile, a last block past the group's channels), each reduction step
 * costing its px * kv FMAs or, where they outnumber them, its px + kv loads, plus a fixed cost
 * per pair of two pixels' worth. Measured: bench/NOTES.md. */
static void pick_tile(int64_t ow, int64_t vectors, int *px_out, int *kv_out)
{
    static const int pxs[] = {16, 14, 12, 8, 7};
    int64_t best_cost = INT64_MAX;
    for (size_t i = 0; i < sizeof pxs / sizeof pxs[0]; i++) {
        const int64_t px = pxs[i];
        const int64_t tiles = (ow + px - 1) / px;
        int64_t kv_max = px <= 7 ? 2 : IGEMM_MAX_ACC / px;
        if (kv_max > vectors)
            kv_max = vectors;
        for (int64_t kv = kv_max; kv >= 1; kv--) {
            const int64_t blocks = (vectors + kv - 1) / kv;
            const int64_t step = px * kv > px + kv ? px * kv : px + kv;
            const int64_t cost = tiles * blocks * (step + 2 * kv);
            if (cost < best_cost) { /* ties: the larger tile, found first */
                best_cost = cost;
                *px_out = (int)px;
                *kv_out = (int)kv;
            }
        }
    }
}

/* The channel vectors of a tile of px x rows pixels within acc accumulators (tuning). */
static void set_channel_tile(igemm_tiles *t, const cnn_conv2d_desc *d, int acc)
{
    const int64_t kg = d->k / d->groups;
    const int64_t vectors = (kg + t->vw - 1) / t->vw;
    t->kv = acc / (t->px * t->rows);
    if (t->kv > vectors)
        t->kv = (int)vectors;
    if (t->kv < 1)
        t->kv = 1;
    t->block = t->kv * t->vw;
    t->pixels = t->px;
}

/* Pixel vectors along output rows (stride 1 along x) where the reduction is short (C x R x S
 * per group up to 64, e.g. the first layer of a network on 3 colour channels): a channel-vector
 * tile would spend more on transposing its tile for the stores than on its FMAs. Measured on
 * VGG-16 conv1_1 (3 -> 64, 224x224): see bench/NOTES.md. Flat 1x1 GEMMs with longer
 * reductions take channel vectors (their transposed epilogue is vectorized: 5-25% faster there
 * than pixel vectors, which remain a tuning candidate). */
static int use_row_pixvec(const cnn_conv2d_desc *d)
{
    return d->stride_w == 1 && d->ow >= 32 && (d->c / d->groups) * d->r * d->s <= 64;
}

/* The same for the flat 1x1 GEMM on planes of 256 pixels or more (a plane's last 32-pixel tile
 * then wastes an eighth at most), with 64 input channels a group or fewer (ResNet-50's
 * res2a_branch2a and res2a_branch2c: 25% and 18% faster), whose 64-step reductions leave the
 * channel-vector tile's transposed stores a fifth of its time, or with output channels whose
 * 16-channel vectors would compute a quarter more than the group's (MobileNet-v2's 96 -> 24 and
 * 144 -> 24 on 56x56: 1.5x and 1.25x faster in blocks of 12). bench/NOTES.md. */
static int use_flat_pixvec(const cnn_conv2d_desc *d)
{
    const int64_t kg = d->k / d->groups, kg_vectors = (kg + 15) / 16 * 16;
    return d->oh * d->ow >= 256 && (d->c / d->groups <= 64 || 4 * kg_vectors >= 5 * kg);
}

static void set_pixvec(igemm_tiles *t, int64_t kg, int kt)
{
    t->pixvec = 1;
    t->pad1x1 = 0; /* pixel vectors read a padded copy */
    t->pv = 2;
    t->kt = kt > kg ? (int)kg : kt;
    t->block = t->kt;
    t->pixels = t->pv * t->vw;
}

/* The order of the work-items. Pixel tiles vary fastest by default, so that the tiles of one
 * channel block share its weights in cache and their stores stream along the output planes;
 * channel blocks vary fastest for the flat pixel-vector tiles (bench/NOTES.md), and for the
 * channel-vector tiles where the batch's input exceeds half the device's cache, an image's input
 * is larger than its output and more than 4 times the packed weights (which every tile then
 * reads again): each tile's input is then read from memory once rather than once per block.
 * Measured (ResNet-50, ms, tiles first / blocks first): at batch 8 res2b_branch2a (input /
 * weights 50) 2.31 / 2.00, res3a_branch2a (25) 4.38 / 3.70, res3a_branch1 (6.3) 4.38 / 4.08; at
 * batch 32 res3b_branch2a (6.3) 9.27 / 7.96, res4a_branch2a (3.1) 16.2 / 16.9 and conv1 (its
 * output 5 times its input) 18.3 / 20.4; where the batch's input fits the cache (res4a_branch2a
 * at batch 8, 12.8 MB) 3.37 / 3.85. */
static int blocks_first(const cl_backend *b, const cnn_conv2d_desc *d, const igemm_tiles *t,
                        int64_t packed_floats)
{
    if (t->pixvec)
        return t->flat;
    const double image_input = (double)d->c * (double)d->h * (double)d->w * 4.0;
    const double image_output = (double)d->k * (double)d->oh * (double)d->ow * 4.0;
    return (double)cnn_conv2d_rules_batch(d) * image_input >
               0.5 * (double)b->info.global_cache_bytes &&
           image_input > image_output && image_input > 4.0 * (double)packed_floats * 4.0;
}

/* Pixel-vector tiles store their whole vectors non-temporally (past the caches, without
 * reading each line first) where the batch's output exceeds half the device's cache, so that it
 * could not stay there anyway, and every vector is 64-byte aligned (rows, or flat planes, of
 * whole vectors). Measured (ms, 1x1, batch 32, plain / non-temporal stores): 64 -> 64 on 56x56
 * 2.69 / 2.23-2.30, 64 -> 256 8.35-8.46 / 7.60-7.80. bench/NOTES.md. */
static int stores_past_cache(const cl_backend *b, const cnn_conv2d_desc *d, const igemm_tiles *t)
{
    const int64_t run = t->flat ? d->oh * d->ow : d->ow; /* outputs between aligned starts */
    const double batch_output = (double)cnn_conv2d_rules_batch(d) * (double)d->k *
                                (double)d->oh * (double)d->ow * 4.0;
    return b->info.type == CNN_DEVICE_CPU && t->pixvec && run % t->vw == 0 &&
           run >= t->pixels && b->base_align_bytes % ((cl_uint)t->vw * 4) == 0 &&
           batch_output > 0.5 * (double)b->info.global_cache_bytes;
}

static igemm_tiles choose_tiles(const cl_backend *b, const cnn_conv2d_desc *d)
{
    igemm_tiles t;
    memset(&t, 0, sizeof t);
    /* float16 fills an AVX-512 register; GPUs run each work-item's vectors in one lane, where
     * wide vectors would spill registers. */
    t.vw = b->info.type == CNN_DEVICE_GPU ? 4 : 16;
    /* The 1x1 GEMM paths only when that algorithm was chosen: igemm on a 1x1 kernel runs its
     * own general loops (so that forcing either one measures and tests that one). */
    t.one_by_one = d->algo == CNN_CONV2D_ALGO_GEMM1X1;
    t.flat = t.one_by_one && d->stride_h == 1 && d->stride_w == 1 && d->pad_top == 0 &&
             d->pad_bottom == 0 && d->pad_left == 0 && d->pad_right == 0;
    t.pad1x1 = t.one_by_one && !t.flat && (d->pad_top || d->pad_left || d->pad_bottom ||
                                            d->pad_right);
    const int64_t kg = d->k / d->groups;
    const int short_reduction = t.flat ? use_flat_pixvec(d) : !t.one_by_one && use_row_pixvec(d);
    if (b->info.type == CNN_DEVICE_CPU && short_reduction) {
        /* Up to 12 channels x 2 vectors (with 14, the compiler spilled accumulators in the
         * loop): the fewest channels computed past the group's (16 channels: two blocks of 8,
         * not of 12), then the wider block. */
        int kt = 12;
        for (int c = 12; c >= 6; c--)
            if ((kg + c - 1) / c * c < (kg + kt - 1) / kt * kt)
                kt = c;
        set_pixvec(&t, kg, kt);
        return t;
    }
    /* One output row per tile: two rows of 7 computed an eighth row for nothing on 7x7 maps
     * (measured: bench/NOTES.md). */
    t.rows = 1;
    pick_tile(t.flat ? d->oh * d->ow : d->ow, (kg + t.vw - 1) / t.vw, &t.px, &t.kv);
    t.block = t.kv * t.vw;
    t.pixels = t.px;
    return t;
}

/* The tile a tuning string names (see cnn_cl_igemm_candidates), over the rules' defaults;
 * 0 when the string does not fit the problem (the defaults then stay). */
static int apply_tuning(igemm_tiles *t, const cnn_conv2d_desc *d)
{
    int px = 0, rows = 0, acc = 0, kt = 0;
    const int64_t kg = d->k / d->groups;
    if (sscanf(d->tuning, "pixvec kt%d", &kt) == 1) {
        if (!(t->flat || d->stride_w == 1) || kt < 1 || kt > IGEMM_MAX_ACC / 2)
            return 0;
        set_pixvec(t, kg, kt);
        return 1;
    }
    if (sscanf(d->tuning, "px%d rows%d acc%d", &px, &rows, &acc) != 3 || px < 1 || px > 16 ||
        rows < 1 || rows > 2 || (rows == 2 && (t->one_by_one || t->flat)) || acc < px * rows ||
        acc > IGEMM_MAX_ACC)
        return 0;
    t->pixvec = 0;
    t->px = px;
    t->rows = rows;
    set_channel_tile(t, d, acc);
    return 1;
}

int cnn_cl_igemm_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                            char (*tunings)[CNN_TUNING_MAX], int max)
{
    const igemm_tiles t = choose_tiles(b, d);
    int n = 0;
    if ((t.flat || d->stride_w == 1) && b->info.type == CNN_DEVICE_CPU) {
        static const int kts[] = {14, 12, 7};
        for (size_t i = 0; i < sizeof kts / sizeof kts[0] && n < max; i++)
            snprintf(tunings[n++], CNN_TUNING_MAX, "pixvec kt%d", kts[i]);
    }
    static const int pxs[] = {16, 14, 12, 8, 7};
    static const int accs[] = {28, 16};
    for (size_t i = 0; i < sizeof pxs / sizeof pxs[0]; i++)
        for (int rows = 1; rows <= 2; rows++)
            for (size_t a = 0; a < sizeof accs / sizeof accs[0] && n < max; a++) {
                if (rows == 2 && (t.one_by_one || t.flat || d->oh < 2 || pxs[i] > 8))
                    continue;
                if (accs[a] < pxs[i] * rows)
                    continue;
                snprintf(tunings[n++], CNN_TUNING_MAX, "px%d rows%d acc%d", pxs[i], rows,
                         accs[a]);
            }
    return n;
}

cnn_status cnn_cl_igemm_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                char variant[CNN_CL_VARIANT_MAX])
{
    cnn_context *ctx = b->base.ctx;
    igemm_state *st = cnn_calloc(1, sizeof *st);
    if (!st)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "conv2d igemm: out of host memory");
    igemm_tiles t = choose_tiles(b, d);
    if (d->tuning[0] && !apply_tuning(&t, d)) {
        free(st);
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d igemm: tuning '%s' does not fit this problem", d->tuning);
    }
    st->t = t;
    const int64_t cg = d->c / d->groups, kg = d->k / d->groups;
    const int64_t kb_width = t.block;
    const int64_t k_blocks = (kg + kb_width - 1) / kb_width;
    const int64_t tiles_x = t.flat ? (d->oh * d->ow + t.pixels - 1) / t.pixels
                                   : (d->ow + t.pixels - 1) / t.pixels;
    const int64_t rows = t.pixvec || t.flat ? 1 : t.rows;
    const int64_t tiles_y = t.flat ? 1 : (d->oh + rows - 1) / rows;
    /* What the kernel reads: rows and columns of the (padded) input. */
    const int64_t xh_need = (tiles_y * rows - 1) * d->stride_h + (d->r - 1) * d->dilation_h + 1;
    const int64_t xw_need =
        (tiles_x * t.pixels - 1) * d->stride_w + (d->s - 1) * d->dilation_w + 1;
    /* A 1x1 kernel reads one input column per pixel for its whole reduction: with padding it
     * reads the input in place (pad1x1) instead of a zero-padded copy (DeepBench's faceid_9:
     * 2048 planes of 7x7, padding 3, whose copy took a fifth of the layer). */
    const int padded = !t.flat && !t.pad1x1 && cnn_cl_needs_padding(d, xh_need, xw_need);
    const int64_t xh = padded ? xh_need : d->h, xw = padded ? xw_need : d->w;

    igemm_shape *p = &st->shape;
    p->C = (cl_int)d->c; p->K = (cl_int)d->k; p->OH = (cl_int)d->oh; p->OW = (cl_int)d->ow;
    p->XH = (cl_int)xh; p->XW = (cl_int)xw;
    p->R = (cl_int)d->r; p->S = (cl_int)d->s;
    p->stride_h = (cl_int)d->stride_h; p->stride_w = (cl_int)d->stride_w;
    p->dil_h = (cl_int)d->dilation_h; p->dil_w = (cl_int)d->dilation_w;
    p->Cg = (cl_int)cg; p->Kg = (cl_int)kg; p->k_blocks = (cl_int)k_blocks;
    p->groups = (cl_int)d->groups; p->tiles_x = (cl_int)tiles_x;
    p->has_bias = d->has_bias; p->activation = (cl_int)d->activation;
    p->y0 = padded ? (cl_int)d->pad_top : 0;
    p->y1 = p->y0 + (cl_int)d->h;
    p->pad_t = (cl_int)d->pad_top;
    p->pad_l = (cl_int)d->pad_left;

    /* Workspaces, checked against the device's limits before anything is allocated. */
    const int64_t packed_dims[5] = {d->groups, k_blocks, cg, d->r * d->s, kb_width};
    cnn_status s = cnn_cl_check_int_range(b, "conv2d igemm packed weights", packed_dims, 5);
    int64_t packed_count = 0;
    cnn_product_i64(packed_dims, 5, &packed_count);

    /* Pixel tiles, channel blocks, images x groups; or the channel blocks first. */
    const int kb_first = blocks_first(b, d, &t, packed_count);
    st->global[kb_first ? 1 : 0] = (size_t)(tiles_y * tiles_x);
    st->global[kb_first ? 0 : 1] = (size_t)k_blocks;
    st->global[2] = (size_t)(d->n * d->groups);
    if (s == CNN_SUCCESS && (uint64_t)packed_count * 4 > b->info.max_alloc_bytes)
        s = cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                      "conv2d igemm: the repacked weights (%lld floats) exceed the device's max "
                      "allocation of %llu bytes",
                      (long long)packed_count, (unsigned long long)b->info.max_alloc_bytes);
    if (s == CNN_SUCCESS)
        s = cnn_cl_padded_input_prepare(b, &st->padded, d, padded, xh, xw, "conv2d igemm");
    if (s != CNN_SUCCESS) {
        free(st);
        return s;
    }
    st->packed_count = (size_t)packed_count;

    char options[192];
    /* A flat plane of one tile or more moves its last tile back to end with it (whole loads);
     * a shorter one compiles the kernel's guarded loop instead (conv2d_igemm.cl). */
    const char *short_plane = t.flat && d->oh * d->ow < t.pixels ? " -DFLAT_SHORT=1" : "";
    if (t.pixvec)
        snprintf(options, sizeof options,
                 "-cl-std=CL1.2 -DVW=%d -DONE_BY_ONE=%d -DFLAT=%d%s -DPIXVEC=1 -DKT=%d -DPV=%d%s",
                 t.vw, t.one_by_one, t.flat, short_plane, t.kt, t.pv,
                 stores_past_cache(b, d, &t) ? " -DNT_STORE=1" : "");
    else
        snprintf(options, sizeof options,
                 "-cl-std=CL1.2 -DPX=%d -DROWS=%d -DKV=%d -DVW=%d -DONE_BY_ONE=%d -DFLAT=%d%s%s%s",
                 t.px, t.rows, t.kv, t.vw, t.one_by_one, t.flat, short_plane,
                 t.pad1x1 ? " -DPAD1X1=1" : "", kb_first ? " -DKB_FIRST=1" : "");
    snprintf(variant, CNN_CL_VARIANT_MAX, "conv2d_igemm.cl %s", options);
    s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_igemm.cl", options, "conv2d_igemm",
                             &st->conv);
    if (s == CNN_SUCCESS)
        s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_pack.cl", "-cl-std=CL1.2",
                                 "conv2d_pack_weights", &st->pack);
    cl_int err = CL_SUCCESS;
    if (s == CNN_SUCCESS) {
        st->packed =
            cnn_cl_create_buffer(b->context, CL_MEM_READ_WRITE, st->packed_count * 4, NULL, &err);
        if (err != CL_SUCCESS)
            s = CNN_CL_FAIL(ctx, "clCreateBuffer(packed weights)", err);
    }
    if (s != CNN_SUCCESS) {
        cnn_cl_igemm_release(st);
        return s;
    }
    cnn_log(CNN_LOG_DEBUG,
            "conv2d %s: px%d rows%d kv%d vw%d%s%s%s%s, %zux%zux%zu work-items, workspace %zu "
            "packed + %lld padded floats",
            t.one_by_one ? "gemm1x1" : "igemm", t.pixels, t.rows, t.pixvec ? t.kt : t.kv, t.vw,
            t.flat ? " flat" : "", t.pixvec ? " pixvec" : "", t.pad1x1 ? " padding in place" : "",
            kb_first && !t.pixvec ? " blocks first" : "",
            st->global[0], st->global[1], st->global[2], st->packed_count,
            padded ? (long long)(d->n * d->c * xh * xw) : 0LL);
    *state = st;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_pack_weights(cl_backend *b, cl_kernel pack, cl_mem weights, cl_mem packed,
                               size_t count, cl_int kg, cl_int cg, cl_int rs, cl_int kb,
                               cl_int k_blocks, cl_int groups, cl_int flip)
{
    cnn_status s = cnn_cl_set_arg(b, pack, 0, sizeof weights, &weights);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 1, sizeof packed, &packed);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 2, sizeof kg, &kg);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 3, sizeof cg, &cg);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 4, sizeof rs, &rs);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 5, sizeof kb, &kb);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 6, sizeof k_blocks, &k_blocks);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 7, sizeof groups, &groups);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, pack, 8, sizeof flip, &flip);
    const size_t local = cnn_cl_local_1d(b, 64), global = cnn_round_up(count, local);
    if (s == CNN_SUCCESS)
        s = cnn_cl_launch(b, pack, 1, &global, &local);
    return s;
}

cnn_status cnn_cl_igemm_run(cl_backend *b, void *state, const cnn_conv2d_desc *d, cl_mem out,
                            cl_mem in, cl_mem weights, uint64_t weights_stamp, cl_mem bias)
{
    igemm_state *st = state;
    cnn_status s = CNN_SUCCESS;
    /* Repack only when the weights' contents may have changed since the last packing. */
    if (weights_stamp == 0 || weights_stamp != st->packed_stamp) {
        st->packed_stamp = 0;
        s = cnn_cl_pack_weights(b, st->pack, weights, st->packed, st->packed_count,
                                st->shape.Kg, st->shape.Cg, st->shape.R * st->shape.S,
                                st->t.block, st->shape.k_blocks, st->shape.groups, d->flip);
        if (s == CNN_SUCCESS)
            st->packed_stamp = weights_stamp;
    }
    /* One pass per part of the batch that the padded copy holds (one pass without a copy). */
    cl_kernel k = st->conv;
    const int64_t step = st->padded.images;
    for (int64_t n0 = 0; n0 < d->n && s == CNN_SUCCESS; n0 += step) {
        const int64_t count = d->n - n0 < step ? d->n - n0 : step;
        cl_mem src = in;
        int64_t src_n0 = n0;
        s = cnn_cl_padded_input_run(b, &st->padded, in, n0, count, &src, &src_n0);
        st->shape.in_n0 = (cl_int)src_n0;
        st->shape.out_n0 = (cl_int)n0;
        const size_t global[3] = {st->global[0], st->global[1], (size_t)count * (size_t)d->groups};
        const size_t one[3] = {1, 1, 1};
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 0, sizeof src, &src);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 1, sizeof st->packed, &st->packed);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 2, sizeof bias, &bias);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 3, sizeof out, &out);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 4, sizeof st->shape, &st->shape);
        if (s == CNN_SUCCESS) s = cnn_cl_launch(b, k, 3, global, one);
    }
    return s;
}

void cnn_cl_igemm_release(void *state)
{
    igemm_state *st = state;
    if (st->conv) cnn_cl_release_kernel(st->conv);
    if (st->pack) cnn_cl_release_kernel(st->pack);
    if (st->packed) cnn_cl_release_mem(st->packed);
    cnn_cl_padded_input_release(&st->padded);
    free(st);
}
