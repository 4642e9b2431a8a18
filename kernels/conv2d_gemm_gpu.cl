/* Implicit GEMM convolution shaped for GPUs (NCHW input, weights repacked, NCHW output), bias and
 * activation fused. Per group: Y[k][p] = sum_q A[q][k] B[q][p], k < Kg output channels,
 * p < N*OH*OW pixels of the batch, q < Cg*R*S = (c, r, s); B is the im2col of the input,
 * gathered on the fly and never stored.
 *
 * A work-group computes a TM x TN tile of Y (output channels x pixels) with LX x LY work-items,
 * LX = TN / WN along pixels and LY = TM / WM along channels; work-item (lx, ly) owns the WM x WN
 * register tile of channels ly + i LY and pixels lx + j LX. Strided ownership keeps every access
 * conflict-free and coalesced: the local reads of one step are LX consecutive floats of B and a
 * broadcast of A, and the stores of neighbouring work-items are neighbouring pixels.
 * The reduction runs in steps of TK: each step's A and B tiles are staged in local memory,
 * double-buffered: the global loads of step t + 1 are issued into registers before the
 * multiply-adds of step t, stored into the other buffer after them, one barrier per step.
 * A comes from conv2d_pack_weights with KB = TM: per group and block of TM channels, [q][TM]
 * contiguous (zeros past Kg), read as float4. With ONE_BY_ONE (1x1, stride 1, no padding),
 * B[q][p] is input channel q at pixel p: no im2col arithmetic.
 * Shapes are arguments; TM, TN, TK, WM, WN and ONE_BY_ONE are macros (tunables). */

#ifndef TM
#define TM 64
#endif
#ifndef TN
#define TN 64
#endif
#ifndef TK
#define TK 16
#endif
#ifndef WM
#define WM 4
#endif
#ifndef WN
#define WN 4
#endif
#define LX (TN / WN)
#define LY (TM / WM)
#define THREADS (LX * LY)
/* Loads per work-item and step: A as float4 (TK TM / 4 of them), B as floats. */
#define A_LOADS (TK * TM / 4 / THREADS)
#define B_LOADS (TK * TN / THREADS)
#if A_LOADS * THREADS * 4 != TK * TM || B_LOADS * THREADS != TK * TN || THREADS % TN != 0
#error "TM, TN, TK, WM, WN: each work-item must load whole float4 of A and a fixed pixel of B"
#endif
#if THREADS < TK
#error "TK: the work-group must have a work-item per row of a step's table"
#endif

typedef struct {
    int C, H, W, K, R, S, OH, OW;
    int stride_h, stride_w, dil_h, dil_w, pad_t, pad_l;
    int Cg, Kg, k_blocks;
    int NP;               /* pixels of the batch: N * OH * OW */
    int has_bias, activation;
} gemm_shape;

/* B[q][p] for the work-item's pixel: its image's plane base, and where its window starts. */
typedef struct {
    int live;             /* p < NP */
    size_t base;          /* offset of (image n, channel 0 of the group) */
    int iy0, ix0;         /* top-left input row and column of the window */
    int origin;           /* iy0 * W + ix0 (negative in the padding) */
} pixel_ref;

#ifndef ONE_BY_ONE
/* Row q of B for every pixel, decomposed once per work-group and step instead of once per
 * load (two integer divisions, slow on GPUs): the offset of (c, r, s) from a window's origin,
 * and the row and column displacement for the bounds test (OUT_ROW past Q). */
typedef struct {
    int off, dy, dx;
} row_ref;
#define OUT_ROW (-(1 << 29))

static inline row_ref decompose(const gemm_shape *p, int q, int Q)
{
    row_ref e = {0, OUT_ROW, 0};
    if (q < Q) {
        const int RS = p->R * p->S;
        const int c = q / RS, rs = q - c * RS;
        const int r = rs / p->S, s = rs - r * p->S;
        e.dy = r * p->dil_h;
        e.dx = s * p->dil_w;
        e.off = c * p->H * p->W + e.dy * p->W + e.dx;
    }
    return e;
}

static inline float load_b(__global const float *restrict x, const gemm_shape *p,
                           const pixel_ref *px, row_ref e)
{
    const int iy = px->iy0 + e.dy, ix = px->ix0 + e.dx;
    if (!px->live || iy < 0 || iy >= p->H || ix < 0 || ix >= p->W)
        return 0.0f;
    return x[px->base + (size_t)(px->origin + e.off)];
}
#else
static inline float load_b(__global const float *restrict x, const gemm_shape *p,
                           const pixel_ref *px, int q, int Q)
{
    if (!px->live || q >= Q)
        return 0.0f;
    return x[px->base + (size_t)q * p->H * p->W];
}
#endif

__kernel __attribute__((reqd_work_group_size(LX, LY, 1)))
void conv2d_gemm_gpu(__global const float *restrict x, __global const float *restrict a,
                     __global const float *restrict bias, __global float *restrict y,
                     const gemm_shape p)
{
    __local float as[2][TK][TM];
    __local float bs[2][TK][TN];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int tid = ly * LX + lx;
    const int p0 = get_group_id(0) * TN;
    const int kblock = get_group_id(1);
    const int g = get_group_id(2);
    const int Q = p.Cg * p.R * p.S;
    const int OHW = p.OH * p.OW;

    /* The work-item's B loads are one pixel (THREADS is a multiple of TN) and rows bq0 + LB i. */
    const int bp = tid % TN, bq0 = tid / TN;
#define LB (THREADS / TN)
    pixel_ref px;
    {
        const int pix = p0 + bp;
        px.live = pix < p.NP;
        const int n = px.live ? pix / OHW : 0, rest = pix - n * OHW;
        const int oy = rest / p.OW, ox = rest - oy * p.OW;
        px.base = (size_t)(n * p.C + g * p.Cg) * p.H * p.W;
#ifdef ONE_BY_ONE
        px.base += rest;
#endif
        px.iy0 = oy * p.stride_h - p.pad_t;
        px.ix0 = ox * p.stride_w - p.pad_l;
        px.origin = px.iy0 * p.W + px.ix0;
    }
#ifndef ONE_BY_ONE
    /* Two steps' row tables: the loads of step t read rows[t & 1], filled during step t - 2
     * (or before the loop) and published by a barrier since. */
    __local row_ref rows[2][TK];
#define FILL_ROWS(t)                                                                     \
    do {                                                                                 \
        if (tid < TK)                                                                    \
            rows[(t) & 1][tid] = decompose(&p, (t) * TK + tid, Q);                       \
    } while (0)
#define B_ROW(t, qq) rows[(t) & 1][qq]
#else
#define FILL_ROWS(t) do { } while (0)
#define B_ROW(t, qq) ((t) * TK + (qq)), Q
#endif
    __global const float *ak = a + (size_t)(g * p.k_blocks + kblock) * Q * TM;

    float acc[WM][WN];
#pragma unroll
    for (int i = 0; i < WM; i++)
#pragma unroll
        for (int j = 0; j < WN; j++)
            acc[i][j] = 0.0f;

    float4 ra[A_LOADS];
    float rb[B_LOADS];
    /* Step t's tile into the registers; A's float4 e covers row e / (TM/4), lanes 4 (e % ..). */
#define LOAD_TILE(t)                                                                     \
    do {                                                                                 \
        const int q0_ = (t) * TK;                                                        \
        _Pragma("unroll") for (int i_ = 0; i_ < A_LOADS; i_++) {                         \
            const int e_ = tid + i_ * THREADS;                                           \
            const int qq_ = e_ / (TM / 4), m_ = e_ - qq_ * (TM / 4);                     \
            ra[i_] = q0_ + qq_ < Q ? vload4(0, ak + (size_t)(q0_ + qq_) * TM + 4 * m_)     \
                                   : (float4)(0.0f);                                     \
        }                                                                                \
        _Pragma("unroll") for (int i_ = 0; i_ < B_LOADS; i_++)                           \
            rb[i_] = load_b(x, &p, &px, B_ROW(t, bq0 + i_ * LB));                        \
    } while (0)
#define STORE_TILE(buf)                                                                  \
    do {                                                                                 \
        _Pragma("unroll") for (int i_ = 0; i_ < A_LOADS; i_++) {                         \
            const int e_ = tid + i_ * THREADS;                                           \
            const int qq_ = e_ / (TM / 4), m_ = e_ - qq_ * (TM / 4);                     \
            vstore4(ra[i_], 0, &as[buf][qq_][4 * m_]);                                   \
        }                                                                                \
        _Pragma("unroll") for (int i_ = 0; i_ < B_LOADS; i_++)                           \
            bs[buf][bq0 + i_ * LB][bp] = rb[i_];                                         \
    } while (0)

    const int steps = (Q + TK - 1) / TK;
    FILL_ROWS(0);
    FILL_ROWS(1);
    barrier(CLK_LOCAL_MEM_FENCE);
    LOAD_TILE(0);
    STORE_TILE(0);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int t = 0; t < steps; t++) {
        const int cur = t & 1;
        if (t + 1 < steps)
            LOAD_TILE(t + 1);
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            float av[WM], bv[WN];
#pragma unroll
            for (int i = 0; i < WM; i++)
                av[i] = as[cur][kk][ly + i * LY];
#pragma unroll
            for (int j = 0; j < WN; j++)
                bv[j] = bs[cur][kk][lx + j * LX];
#pragma unroll
            for (int i = 0; i < WM; i++)
#pragma unroll
                for (int j = 0; j < WN; j++)
                    acc[i][j] = fma(av[i], bv[j], acc[i][j]);
        }
        /* The other buffer was last read in step t - 1, before this step's barrier; the row
         * table of step t was last read by LOAD_TILE(t), in step t - 1. */
        if (t + 1 < steps)
            STORE_TILE(cur ^ 1);
        FILL_ROWS(t + 2);
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#pragma unroll
    for (int i = 0; i < WM; i++) {
        const int kg = kblock * TM + ly + i * LY;
        if (kg >= p.Kg)
            continue;
        const int k = g * p.Kg + kg;
        const float b = p.has_bias ? bias[k] : 0.0f;
#pragma unroll
        for (int j = 0; j < WN; j++) {
            const int pix = p0 + lx + j * LX;
            if (pix >= p.NP)
                continue;
            const int n = pix / OHW, rest = pix - n * OHW;
            float v = acc[i][j] + b;
            if (p.activation == 1)
                v = fmax(v, 0.0f);
            y[((size_t)n * p.K + k) * OHW + rest] = v;
        }
    }
}
