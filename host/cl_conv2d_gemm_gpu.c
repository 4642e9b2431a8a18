/* The GPU-shaped implicit GEMM (kernels/conv2d_gemm_gpu.cl): a work-group computes a TM x TN
 * tile of output channels x pixels from TK-deep steps staged in local memory, double-buffered,
 * with a WM x WN register tile per work-item. The weights are repacked once per content
 * (conv2d_pack_weights, blocks of TM channels) so that the A tiles are contiguous float4 reads;
 * the input is gathered on the fly (im2col never stored), or read as a plain matrix for 1x1
 * stride-1 unpadded layers. Tile sizes come from a table by GPU vendor, fitted to the shape and
 * the device's limits; a tuning string "tmM tnN tkK wmA wnB" overrides them. */
#include "cl_backend_internal.h"
#include "cl_fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mirrors gemm_shape in conv2d_gemm_gpu.cl (all ints, so the layouts agree). */
typedef struct gemm_shape {
    cl_int C, H, W, K, R, S, OH, OW;
    cl_int stride_h, stride_w, dil_h, dil_w, pad_t, pad_l;
    cl_int Cg, Kg, k_blocks, NP, has_bias, activation;
} gemm_shape;

typedef struct gpu_tiles {
    int tm, tn, tk, wm, wn;
} gpu_tiles;

typedef struct gemm_gpu_state {
    cl_kernel conv, pack;
    cl_mem packed;
    size_t packed_count;
    uint64_t packed_stamp;  /* weights' contents the packed copy came from; 0: none */
    gemm_shape shape;
    gpu_tiles t;
    int64_t groups, cg, rs;
    int flip;
    size_t global[3], local[3];
} gemm_gpu_state;

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static int threads(const gpu_tiles *t) { return (t->tn / t->wn) * (t->tm / t->wm); }

/* Bytes of one entry of the kernel's row table (row_ref in conv2d_gemm_gpu.c: three ints). */
#define ROW_REF_BYTES 12

/* What the kernel's static checks ask (each work-item loads whole float4 of A and one pixel
 * of B), and what the device allows. Local memory: the double-buffered A and B tiles, and the
 * two steps' row tables of TK entries (all but the ONE_BY_ONE variant; counted for both). */
static int tiles_fit(const cl_backend *b, const gpu_tiles *t)
{
    if (t->tm <= 0 || t->tn <= 0 || t->tk <= 0 || t->wm <= 0 || t->wn <= 0 ||
        t->tm % t->wm || t->tn % t->wn || t->tm % 4)
        return 0;
    const int n = threads(t);
    const size_t local_bytes = 2u * (size_t)t->tk * (size_t)(t->tm + t->tn) * 4u +
                               2u * (size_t)t->tk * ROW_REF_BYTES;
    return (t->tk * t->tm / 4) % n == 0 && t->tk * t->tm / 4 >= n && (t->tk * t->tn) % n == 0 &&
           n % t->tn == 0 && n >= t->tk && (size_t)n <= b->info.max_work_group_size &&
           (size_t)(t->tn / t->wn) <= b->max_work_item[0] &&
           (size_t)(t->tm / t->wm) <= b->max_work_item[1] &&
           local_bytes + 256 <= b->info.local_mem_bytes;
}

/* Defaults per GPU vendor, from what the architectures need (tuning on the device replaces
 * them): wide tiles for layers with many output channels per group, narrow ones (32 channels)
 * for the rest. Where a vendor's table has them (zeros: the wide tile), two more: `half` for 33
 * to 64 channels a group, whose wide tile would compute as many rows past the group as in it,
 * and `sparse` for layers whose wide tiles would come to fewer than SPARSE_WAVES work-groups a
 * compute unit, too few to keep every one busy through the last wave. */
typedef struct vendor_tiles {
    const char *vendor;      /* a substring of CL_DEVICE_VENDOR */
    gpu_tiles wide, narrow, half, sparse;
} vendor_tiles;

#define SPARSE_WAVES 3

static const vendor_tiles vendor_table[] = {
    /* NVIDIA: warps of 32, 64K registers and up to 227 KiB of shared memory per SM (H100):
     * 256 work-items of 8 x 8 (about 110 registers each), 32 KiB of local memory a group.
     * half and sparse: 64 x 128 and 128 x 64, measured by cnnbench --tune on an H200 over
     * ResNet-50 and VGG-16 at batch 32 (bench/NOTES.md): the rule comes within 2.4% of each
     * shape's best tile (geometric mean; 128 x 128 everywhere: 23%). */
    {"NVIDIA", {128, 128, 16, 8, 8}, {32, 128, 32, 2, 8}, {64, 128, 16, 4, 8}, {128, 64, 16, 8, 4}},
    /* AMD: wavefronts of 64, 64 KiB of LDS per CU, 512 VGPRs per lane at low occupancy:
     * the same 256 work-items (four wavefronts). */
    {"Advanced Micro Devices", {128, 128, 16, 8, 8}, {32, 128, 32, 2, 8}, {0}, {0}},
    {"AMD", {128, 128, 16, 8, 8}, {32, 128, 32, 2, 8}, {0}, {0}},
    /* Intel: SIMD8-32 EU threads with a small register file (128 x 32 bytes): 4 x 4 tiles,
     * 64 KiB of shared local memory per sub-slice. */
    {"Intel", {64, 64, 16, 4, 4}, {32, 64, 32, 2, 4}, {0}, {0}},
};

/* Other GPUs, and CPU devices running the GPU family (for tests). */
static const vendor_tiles generic_tiles = {"", {64, 64, 16, 4, 4}, {32, 64, 32, 2, 4}, {0}, {0}};

/* The vendor's tile for this layer (narrow, half, sparse or wide, as above), else the largest
 * fallback that fits the device's limits. */
static gpu_tiles default_tiles(const cl_backend *b, const cnn_conv2d_desc *d)
{
    const vendor_tiles *v = &generic_tiles;
    for (size_t i = 0; b->info.type == CNN_DEVICE_GPU &&
                       i < sizeof vendor_table / sizeof vendor_table[0]; i++) {
        if (strstr(b->info.vendor, vendor_table[i].vendor)) {
            v = &vendor_table[i];
            break;
        }
    }
    const int64_t kg = d->k / d->groups;
    gpu_tiles t = v->wide;
    if (kg <= 32) {
        t = v->narrow;
    } else if (kg <= 64 && v->half.tm) {
        t = v->half;
    } else if (v->sparse.tm) {
        const int64_t groups = ceil_div(d->n * d->oh * d->ow, t.tn) * ceil_div(kg, t.tm) *
                               d->groups;
        if (groups < (int64_t)SPARSE_WAVES * b->info.compute_units)
            t = v->sparse;
    }
    /* Down to one work-item and a few hundred bytes, so that every device has a tile. */
    static const gpu_tiles fallbacks[] = {
        {64, 64, 16, 4, 4}, {32, 32, 16, 2, 2}, {16, 16, 16, 2, 2}, {8, 8, 8, 2, 2},
        {4, 4, 4, 2, 2},    {4, 1, 1, 4, 1}};
    for (size_t i = 0; !tiles_fit(b, &t) && i < sizeof fallbacks / sizeof fallbacks[0]; i++)
        t = fallbacks[i];
    return t;
}

static int parse_tuning(const char *s, gpu_tiles *t)
{
    int end = 0;
    return sscanf(s, "tm%d tn%d tk%d wm%d wn%d%n", &t->tm, &t->tn, &t->tk, &t->wm, &t->wn,
                  &end) == 5 &&
           s[end] == '\0';
}

static void tuning_string(char out[CNN_TUNING_MAX], const gpu_tiles *t)
{
    char text[96];
    snprintf(text, sizeof text, "tm%d tn%d tk%d wm%d wn%d", t->tm, t->tn, t->tk, t->wm, t->wn);
    snprintf(out, CNN_TUNING_MAX, "%.31s", text);
}

int cnn_cl_gemm_gpu_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                               char (*tunings)[CNN_TUNING_MAX], int max)
{
    static const gpu_tiles shapes[] = {
        {128, 128, 16, 8, 8}, {128, 64, 16, 8, 4}, {64, 128, 16, 4, 8}, {64, 64, 16, 4, 4},
        {64, 64, 32, 4, 4},   {32, 128, 32, 2, 8}, {32, 64, 32, 2, 4},  {32, 32, 16, 2, 2}};
    const gpu_tiles rule = default_tiles(b, d);
    int n = 0;
    if (n < max && tiles_fit(b, &rule)) /* else the device has no tile at all */
        tuning_string(tunings[n++], &rule);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0] && n < max; i++) {
        const gpu_tiles *t = &shapes[i];
        if (!tiles_fit(b, t) || !memcmp(t, &rule, sizeof rule))
            continue;
        tuning_string(tunings[n++], t);
    }
    return n;
}

cnn_status cnn_cl_gemm_gpu_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                   char variant[CNN_CL_VARIANT_MAX])
{
    cnn_context *ctx = b->base.ctx;
    gpu_tiles t = default_tiles(b, d);
    if (d->tuning[0] && (!parse_tuning(d->tuning, &t) || !tiles_fit(b, &t)))
        return cnn_error(ctx, CNN_ERROR_INVALID_ARGUMENT,
                         "conv2d gemm (GPU): tuning '%s' does not fit this problem or device",
                         d->tuning);
    if (!tiles_fit(b, &t))
        return cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                         "conv2d gemm (GPU): no tile shape fits the device's work-group (%zu) "
                         "and local memory (%llu bytes) limits",
                         b->info.max_work_group_size,
                         (unsigned long long)b->info.local_mem_bytes);
    const int64_t cg = d->c / d->groups, kg = d->k / d->groups, rs = d->r * d->s;
    const int64_t k_blocks = ceil_div(kg, t.tm);
    const int64_t np = d->n * d->oh * d->ow;
    const int64_t packed_dims[4] = {d->groups, k_blocks, cg * rs, t.tm};
    const int64_t grid_dims[3] = {ceil_div(np, t.tn) * (t.tn / t.wn), k_blocks * (t.tm / t.wm),
                                  d->groups};
    const int64_t np_dims[1] = {np + t.tn};
    cnn_status s = cnn_cl_check_int_range(b, "conv2d gemm (GPU) packed weights", packed_dims, 4);
    if (s == CNN_SUCCESS) s = cnn_cl_check_int_range(b, "conv2d gemm (GPU) grid", grid_dims, 3);
    if (s == CNN_SUCCESS) s = cnn_cl_check_int_range(b, "conv2d gemm (GPU) pixels", np_dims, 1);
    int64_t packed_count = 0;
    cnn_product_i64(packed_dims, 4, &packed_count);
    if (s == CNN_SUCCESS && (uint64_t)packed_count * 4 > b->info.max_alloc_bytes)
        s = cnn_error(ctx, CNN_ERROR_LIMIT_EXCEEDED,
                      "conv2d gemm (GPU): the repacked weights (%lld floats) exceed the "
                      "device's max allocation of %llu bytes",
                      (long long)packed_count, (unsigned long long)b->info.max_alloc_bytes);
    if (s != CNN_SUCCESS)
        return s;

    gemm_gpu_state *st = cnn_calloc(1, sizeof *st);
    if (!st)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "conv2d gemm (GPU): out of host memory");
    st->t = t;
    st->groups = d->groups;
    st->cg = cg;
    st->rs = rs;
    st->flip = d->flip;
    st->packed_count = (size_t)packed_count;
    gemm_shape *p = &st->shape;
    p->C = (cl_int)d->c; p->H = (cl_int)d->h; p->W = (cl_int)d->w;
    p->K = (cl_int)d->k; p->R = (cl_int)d->r; p->S = (cl_int)d->s;
    p->OH = (cl_int)d->oh; p->OW = (cl_int)d->ow;
    p->stride_h = (cl_int)d->stride_h; p->stride_w = (cl_int)d->stride_w;
    p->dil_h = (cl_int)d->dilation_h; p->dil_w = (cl_int)d->dilation_w;
    p->pad_t = (cl_int)d->pad_top; p->pad_l = (cl_int)d->pad_left;
    p->Cg = (cl_int)cg; p->Kg = (cl_int)kg; p->k_blocks = (cl_int)k_blocks;
    p->NP = (cl_int)np; p->has_bias = d->has_bias; p->activation = (cl_int)d->activation;
    st->local[0] = (size_t)(t.tn / t.wn);
    st->local[1] = (size_t)(t.tm / t.wm);
    st->local[2] = 1;
    st->global[0] = (size_t)grid_dims[0];
    st->global[1] = (size_t)grid_dims[1];
    st->global[2] = (size_t)grid_dims[2];

    /* 1x1, stride 1, no padding: the input is already the GEMM's B. */
    const int plain = d->r == 1 && d->s == 1 && d->stride_h == 1 && d->stride_w == 1 &&
                      d->pad_top == 0 && d->pad_bottom == 0 && d->pad_left == 0 &&
                      d->pad_right == 0;
    char options[128];
    snprintf(options, sizeof options, "-cl-std=CL1.2 -DTM=%d -DTN=%d -DTK=%d -DWM=%d -DWN=%d%s",
             t.tm, t.tn, t.tk, t.wm, t.wn, plain ? " -DONE_BY_ONE" : "");
    s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_gemm_gpu.cl", options,
                             "conv2d_gemm_gpu", &st->conv);
    if (s == CNN_SUCCESS)
        s = cnn_cl_kernel_create(&b->programs, ctx, "conv2d_pack.cl", "-cl-std=CL1.2",
                                 "conv2d_pack_weights", &st->pack);
    if (s == CNN_SUCCESS) {
        cl_int err;
        st->packed =
            cnn_cl_create_buffer(b->context, CL_MEM_READ_WRITE, st->packed_count * 4, NULL, &err);
        if (err != CL_SUCCESS) {
            st->packed = NULL;
            s = CNN_CL_FAIL(ctx, "clCreateBuffer(packed weights)", err);
        }
    }
    if (s != CNN_SUCCESS) {
        cnn_cl_gemm_gpu_release(st);
        return s;
    }
    snprintf(variant, CNN_CL_VARIANT_MAX, "conv2d_gemm_gpu.cl %s", options);
    cnn_log(CNN_LOG_DEBUG,
            "conv2d gemm (GPU): tiles %dx%dx%d of %dx%d per work-item, %zux%zux%zu work-items "
            "in groups of %zux%zu, workspace %zu packed floats",
            t.tm, t.tn, t.tk, t.wm, t.wn, st->global[0], st->global[1], st->global[2],
            st->local[0], st->local[1], st->packed_count);
    *state = st;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_gemm_gpu_run(cl_backend *b, void *state, cl_mem out, cl_mem in,
                               cl_mem weights, uint64_t weights_stamp, cl_mem bias)
{
    gemm_gpu_state *st = state;
    cnn_status s = CNN_SUCCESS;
    /* Repack only when the weights' contents may have changed since the last packing. */
    if (weights_stamp == 0 || weights_stamp != st->packed_stamp) {
        st->packed_stamp = 0;
        /* [group][block of TM channels][c r s][TM], zeros past Kg */
        s = cnn_cl_pack_weights(b, st->pack, weights, st->packed, st->packed_count,
                                st->shape.Kg, (cl_int)st->cg, (cl_int)st->rs, st->t.tm,
                                st->shape.k_blocks, (cl_int)st->groups, st->flip);
        if (s != CNN_SUCCESS)
            return s;
        st->packed_stamp = weights_stamp;
    }
    cl_kernel k = st->conv;
    cl_uint i = 0;
    s = cnn_cl_set_arg(b, k, i++, sizeof in, &in);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, i++, sizeof st->packed, &st->packed);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, i++, sizeof bias, &bias);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, i++, sizeof out, &out);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, i++, sizeof st->shape, &st->shape);
    if (s == CNN_SUCCESS) s = cnn_cl_launch(b, k, 3, st->global, st->local);
    return s;
}

void cnn_cl_gemm_gpu_release(void *state)
{
    gemm_gpu_state *st = state;
    if (st->conv) cnn_cl_release_kernel(st->conv);
    if (st->pack) cnn_cl_release_kernel(st->pack);
    if (st->packed) cnn_cl_release_mem(st->packed);
    free(st);
}
