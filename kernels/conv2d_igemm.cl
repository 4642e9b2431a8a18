/* Implicit-GEMM convolution shaped for CPUs (PoCL): M = output channels, vectorized as VW-wide
 * vectors; N = output pixels, PX of them per work-item along a row; depth = C x R x S, gathered
 * on the fly from the input (never materialized). One work-item per work-group: the PX x KV
 * register tile of accumulators is the unit of work, and the inner loop has no condition.
 *
 * Weights are repacked once per plan (conv2d_pack.cl) into [group][k-block][c][r][s][KV*VW],
 * zero beyond the group's channels, so that a (c, r, s) step reads KV whole vectors.
 * The input is either the caller's tensor (no padding, every tile in range) or a zero-padded
 * copy made by conv2d_pad_input (conv2d_pack.cl) whose planes are XH x XW.
 *
 * Variants (macros): PX pixels x KV vectors per work-item; VW (8 or 16); ONE_BY_ONE: R = S = 1
 * (a plain GEMM over C, strided or not); FLAT: 1x1 stride 1 over the flattened H*W pixels,
 * whose last tile is moved back to end with the plane (FLAT_SHORT: a plane shorter than one
 * tile, whose lanes past it read zeros on a guarded path); PIXVEC (with FLAT): the roles swap,
 * the vectors run along PV*VW consecutive pixels and the tile holds KT output channels, so that
 * loads and stores are whole vectors (weights are then packed as KT scalars per channel).
 * PIXVEC without FLAT: the same along output rows, for any R x S kernel of stride 1 along x over
 * the padded input (small reductions, C x R x S, whose channel-vector tiles would spend more on
 * their transposed stores than on FMAs). PAD1X1
 * (ONE_BY_ONE, not FLAT, with padding): the input read in place rather than from a padded copy,
 * positions in the padding clamped and their sums zeroed. */

#ifndef PX
#define PX 14
#endif
#ifndef KV
#define KV 2
#endif
#ifndef VW
#define VW 16
#endif
#ifndef ONE_BY_ONE
#define ONE_BY_ONE 0
#endif
#ifndef FLAT
#define FLAT 0
#endif
#ifndef FLAT_SHORT /* FLAT on a plane shorter than one tile */
#define FLAT_SHORT 0
#endif
#ifndef PIXVEC
#define PIXVEC 0
#endif
#ifndef PAD1X1 /* ONE_BY_ONE, not FLAT, with padding: the input read in place, not a copy */
#define PAD1X1 0
#endif
#ifndef NT_STORE /* PIXVEC: whole vectors, aligned, stored past the caches */
#define NT_STORE 0
#endif
#ifndef KB_FIRST /* channel-vector tiles: channel blocks as the fastest work-item index */
#define KB_FIRST 0
#endif
#ifndef ROWS /* output rows per tile (not FLAT): small maps share each weight vector more */
#define ROWS 1
#endif
#define TP (ROWS * PX) /* pixels per tile */
#ifndef PV
#define PV 2
#endif
#ifndef KT
#define KT 14
#endif

#define VEC_(w) float##w
#define VEC(w) VEC_(w)
typedef VEC(VW) vec;
#define VSTORE__(w) vstore##w
#define VSTORE_(w) VSTORE__(w)
#define VSTORE(v, i, p) VSTORE_(VW)(v, i, p)
#define VLOAD__(w) vload##w
#define VLOAD_(w) VLOAD__(w)
#define VLOAD(i, p) VLOAD_(VW)(i, p)

typedef struct {
    int C, K, OH, OW;
    int XH, XW;               /* planes of the input as read (padded copy or the tensor) */
    int R, S, stride_h, stride_w, dil_h, dil_w;
    int Cg, Kg, k_blocks, groups;
    int tiles_x;              /* pixel tiles per output row (per plane when FLAT) */
    int has_bias, activation;
    int in_n0, out_n0;        /* image of this pass's first work-item in the input as read
                                 (a padded copy holds only the pass) and in the output */
    int y0, y1;               /* the rows [y0, y1) of a plane as read hold the input; the others
                                 are zero padding */
    int pad_t, pad_l;         /* the layer's padding (PAD1X1: the input is read in place) */
} igemm_shape;

#if VW == 16
/* In-register transpose of 16 float16 rows (r[i].s(l) -> r[l].s(i)): four rounds of pairwise
 * interleaves of rows i and i + 8, each a two-vector shuffle. */
#define INTERLEAVE_LO(a, b)                                                                   \
    (vec)(a.s0, b.s0, a.s1, b.s1, a.s2, b.s2, a.s3, b.s3, a.s4, b.s4, a.s5, b.s5, a.s6, b.s6,   \
          a.s7, b.s7)
#define INTERLEAVE_HI(a, b)                                                                   \
    (vec)(a.s8, b.s8, a.s9, b.s9, a.sa, b.sa, a.sb, b.sb, a.sc, b.sc, a.sd, b.sd, a.se, b.se,   \
          a.sf, b.sf)
#define TRANSPOSE16(r)                                                                        \
    _Pragma("unroll") for (int round = 0; round < 4; round++) {                                \
        vec t_[16];                                                                           \
        _Pragma("unroll") for (int i_ = 0; i_ < 8; i_++) {                                    \
            t_[2 * i_] = INTERLEAVE_LO(r[i_], r[i_ + 8]);                                      \
            t_[2 * i_ + 1] = INTERLEAVE_HI(r[i_], r[i_ + 8]);                                  \
        }                                                                                     \
        _Pragma("unroll") for (int i_ = 0; i_ < 16; i_++) r[i_] = t_[i_];                     \
    }

/* The first PX lanes of v to p[0..PX). */
#if PX == 16
#define STORE_PX(v, p) vstore16(v, 0, p)
#elif PX == 14
#define STORE_PX(v, p) \
    (vstore8((v).s01234567, 0, p), vstore4((v).s89ab, 0, (p) + 8), vstore2((v).scd, 0, (p) + 12))
#elif PX == 12
#define STORE_PX(v, p) (vstore8((v).s01234567, 0, p), vstore4((v).s89ab, 0, (p) + 8))
#elif PX == 8
#define STORE_PX(v, p) vstore8((v).s01234567, 0, p)
#elif PX == 7
#define STORE_PX(v, p) (vstore4((v).s0123, 0, p), vstore2((v).s45, 0, (p) + 4), (p)[6] = (v).s6)
#else
#define STORE_PX(v, p)                                                                        \
    do {                                                                                      \
        float l_[16];                                                                         \
        vstore16(v, 0, l_);                                                                   \
        for (int q_ = 0; q_ < PX; q_++)                                                       \
            (p)[q_] = l_[q_];                                                                 \
    } while (0)
#endif
#endif

/* The first n lanes of v (n < 16) to p[0..n), and lanes [lo, n) to p[lo..n) (0 < lo < n <= VW):
 * a tile's part past the row or plane, or the part of a tile moved back to end with its plane
 * that the tile before it did not store (vector_access.clh). */
#if VW == 16
#define STORE_FIRST(v, p, n) STORE_FIRST16(__global, p, v, n)
#define STORE_LANES(v, p, lo, n) STORE_LANES16(__global, p, v, lo, n)
#else
#define STORE_LANES(v, p, lo, n)                                                              \
    do {                                                                                      \
        float l_[VW];                                                                         \
        VSTORE(v, 0, l_);                                                                     \
        for (int q_ = (lo); q_ < (n); q_++)                                                   \
            (p)[q_] = l_[q_];                                                                 \
    } while (0)
#endif

/* Lanes 0-6 to p[0..7) and lanes 7-13 to the next row, p[w..w+7). */
#define STORE_TWO_ROWS_OF_7(v, p, w)                                                          \
    (vstore4((v).s0123, 0, p), vstore2((v).s45, 0, (p) + 4), (p)[6] = (v).s6,                  \
     vstore4((v).s789a, 0, (p) + (w)), vstore2((v).sbc, 0, (p) + (w) + 4), (p)[(w) + 6] = (v).sd)

/* acc[px][j] += x * w[j] for one input value per pixel. Every loop over PX, KV and VW is
 * unrolled: the accumulators must be registers, and only constant indices keep them there
 * (measured: without the pragmas PoCL's compiler kept the loops and the tile in memory). */
#define ACCUMULATE(xv, px)                                                       \
    _Pragma("unroll") for (int j = 0; j < KV; j++)                                \
        acc[px][j] = fma((vec)(xv), w[j], acc[px][j]);

/* One reduction step of the channel-vector tile over rows (not FLAT): the KV weight vectors at
 * ws, times the input X of each of the tile's pixels (an expression of its row rr and pixel
 * px), into acc. The FLAT loops keep their own: written through this macro, the flat 1x1 GEMM
 * measured 5-9% slower on res4a_branch2a and res4b_branch2a. */
#define TILE_STEP(ws, X)                                                         \
    do {                                                                          \
        vec w[KV];                                                                \
        _Pragma("unroll") for (int j_ = 0; j_ < KV; j_++) w[j_] = (ws)[j_];       \
        _Pragma("unroll") for (int rr = 0; rr < ROWS; rr++)                       \
            _Pragma("unroll") for (int px = 0; px < PX; px++) {                   \
                ACCUMULATE(X, rr * PX + px)                                       \
            }                                                                     \
    } while (0)

#if PIXVEC
/* A whole output vector at d. NT_STORE (host: a batch's output larger than the caches hold,
 * every vector 64-byte aligned): a non-temporal store, which skips reading the line it
 * overwrites (where the compiler has one; else a plain store). */
#if NT_STORE && defined(__has_builtin)
#if __has_builtin(__builtin_nontemporal_store)
#define STORE_OUT(y, d) __builtin_nontemporal_store(y, (__global vec *)(d))
#endif
#endif
#ifndef STORE_OUT
#define STORE_OUT(y, d) VSTORE(y, 0, d)
#endif

/* acc[t][v] += w[t] * xv[v] for the KT channel weights at ws and the PV pixel vectors xv. */
#define ACCUMULATE_PIXVEC(ws)                                                    \
    do {                                                                          \
        __global const float *ws_ = (ws);                                         \
        _Pragma("unroll") for (int t = 0; t < KT; t++) {                          \
            const vec w = (vec)(ws_[t]);                                          \
            _Pragma("unroll") for (int v = 0; v < PV; v++)                        \
                acc[t][v] = fma(w, xv[v], acc[t][v]);                             \
        }                                                                         \
    } while (0)

/* Pixels along vectors: out[k][p..p+PV*VW) for KT channels k, p along the flattened plane
 * (FLAT: 1x1, stride 1, no padding) or along an output row. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_igemm(__global const float *restrict in, __global const float *restrict wpack,
                  __global const float *restrict bias, __global float *restrict out,
                  const igemm_shape p)
{
#if FLAT
    /* Channel blocks vary fastest: the KT-channel blocks of one pixel tile (8 of them for 64
     * channels) run back to back and read its input while it is in cache. Along rows, pixel
     * tiles vary fastest (each block's stores stream along its planes: measured faster there). */
    const int kb = get_global_id(0);
    const int tile = get_global_id(1);
#else
    const int tile = get_global_id(0);
    const int kb = get_global_id(1);
#endif
    const int ng = get_global_id(2);
    const int g = ng % p.groups, n = ng / p.groups;

    vec acc[KT][PV];
#pragma unroll
    for (int t = 0; t < KT; t++)
#pragma unroll
        for (int v = 0; v < PV; v++)
            acc[t][v] = (vec)(0.0f);

#if FLAT
    const int plane = p.OH * p.OW;
#if FLAT_SHORT
    const int p0 = 0, lo = 0, full = 0;
#else
    /* The plane's last tile ends with the plane and stores from its lane lo on (see the
     * channel-vector kernel below). */
    const int p0 = min(tile * PV * VW, plane - PV * VW);
    const int lo = tile * PV * VW - p0, full = 1;
#endif
    __global const float *x = in + (size_t)((p.in_n0 + n) * p.C + g * p.Cg) * plane + p0;
    __global const float *wk = wpack + (size_t)(g * p.k_blocks + kb) * p.Cg * KT;
#else
    const int plane = p.OH * p.OW;
    const int oy = tile / p.tiles_x;
    const int ox0 = (tile - oy * p.tiles_x) * PV * VW;
    const int p0 = oy * p.OW + ox0;
    const int full = ox0 + PV * VW <= p.OW, lo = 0;
    const int RS = p.R * p.S;
    /* The padded input covers every tile whole: no load needs a guard. */
    __global const float *x = in + (size_t)((p.in_n0 + n) * p.C + g * p.Cg) * p.XH * p.XW +
                              (size_t)(oy * p.stride_h) * p.XW + ox0;
    __global const float *wk = wpack + (size_t)(g * p.k_blocks + kb) * p.Cg * RS * KT;
    for (int c = 0; c < p.Cg; c++) {
        for (int r = 0; r < p.R; r++) {
            __global const float *xr = x + (size_t)c * p.XH * p.XW + r * p.dil_h * p.XW;
            for (int s = 0; s < p.S; s++) {
                vec xv[PV];
#pragma unroll
                for (int v = 0; v < PV; v++)
                    xv[v] = VLOAD(0, xr + s * p.dil_w + v * VW);
                ACCUMULATE_PIXVEC(wk + ((c * p.R + r) * p.S + s) * KT);
            }
        }
    }
#endif
#if FLAT && !FLAT_SHORT
    for (int c = 0; c < p.Cg; c++) {
        vec xv[PV];
#pragma unroll
        for (int v = 0; v < PV; v++)
            xv[v] = VLOAD(0, x + (size_t)c * plane + v * VW);
        ACCUMULATE_PIXVEC(wk + c * KT);
    }
#elif FLAT
    {
        /* A plane shorter than the tile: lanes past the plane read zeros. */
        for (int c = 0; c < p.Cg; c++) {
            vec xv[PV];
#pragma unroll
            for (int v = 0; v < PV; v++) {
                float lane[VW];
                for (int l = 0; l < VW; l++)
                    lane[l] = p0 + v * VW + l < plane ? x[(size_t)c * plane + v * VW + l] : 0.0f;
                xv[v] = VLOAD(0, lane);
            }
            ACCUMULATE_PIXVEC(wk + c * KT);
        }
    }
#endif

    const int k0 = kb * KT;
    __global float *o = out + (size_t)((p.out_n0 + n) * p.K + g * p.Kg) * plane + p0;
#pragma unroll
    for (int t = 0; t < KT; t++) {
        const int kg = k0 + t;
        if (kg < p.Kg) {
            const vec b = (vec)(p.has_bias ? bias[g * p.Kg + kg] : 0.0f);
#pragma unroll
            for (int v = 0; v < PV; v++) {
                vec y = acc[t][v] + b;
                if (p.activation == 1)
                    y = fmax(y, (vec)(0.0f));
                __global float *d = o + (size_t)kg * plane + v * VW;
                const int skip = lo - v * VW; /* lanes that the tile before stored */
                if (full && skip <= 0) {
                    STORE_OUT(y, d);
                } else if (full) {
                    if (skip < VW)
                        STORE_LANES(y, d, skip, VW);
                } else {
                    float lane[VW];
                    VSTORE(y, 0, lane);
                    for (int l = 0; l < VW; l++)
#if FLAT
                        if (p0 + v * VW + l < plane)
#else
                        if (ox0 + v * VW + l < p.OW)
#endif
                            o[(size_t)kg * plane + v * VW + l] = lane[l];
                }
            }
        }
    }
#if NT_STORE
    /* Non-temporal stores are weakly ordered: made visible before the work-item ends. */
    mem_fence(CLK_GLOBAL_MEM_FENCE);
#endif
}
#else
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_igemm(__global const float *restrict in, __global const vec *restrict wpack,
                  __global const float *restrict bias, __global float *restrict out,
                  const igemm_shape p)
{
#if KB_FIRST
    /* Channel blocks vary fastest: the blocks of one pixel tile run back to back and read its
     * input while it is in cache (host: where a batch's input and output exceed the cache). */
    const int kb = get_global_id(0);
    const int tile = get_global_id(1);
#else
    const int tile = get_global_id(0);
    const int kb = get_global_id(1);
#endif
    const int ng = get_global_id(2);
    const int g = ng % p.groups, n = ng / p.groups;
#if FLAT
    /* Tiles over the flattened plane. The last one is moved back to end with the plane, so
     * that every tile reads whole, and stores from its lane lo on (the lanes before, the tile
     * before it stored). The loop then has no guarded twin in the kernel: with one, PoCL's
     * compiler spilled an accumulator of this loop to the stack (5% of the time: NOTES.md). */
    const int oy = 0;
    const int plane_out = p.OH * p.OW;
#if FLAT_SHORT
    const int ox0 = 0, lo = 0;
#else
    const int ox0 = min(tile * PX, plane_out - PX);
    const int lo = tile * PX - ox0;
#endif
#else
    const int ty = tile / p.tiles_x;
    const int oy = ty * ROWS;
    const int ox0 = (tile - ty * p.tiles_x) * PX;
    const int lo = 0;
#endif

    vec acc[TP][KV];
    #pragma unroll
    for (int i = 0; i < TP; i++)
        #pragma unroll
        for (int j = 0; j < KV; j++)
            acc[i][j] = (vec)(0.0f);
#if !FLAT
    const int row_step = p.stride_h * p.XW; /* input distance between two output rows */
#endif

    __global const float *x = in + (size_t)((p.in_n0 + n) * p.C + g * p.Cg) * p.XH * p.XW;
    __global const vec *wk = wpack + (size_t)(g * p.k_blocks + kb) * p.Cg * p.R * p.S * KV;
#if ONE_BY_ONE
#if FLAT
    for (int c = 0; c < p.Cg; c++) {
        __global const float *xr = x + (size_t)c * p.XH * p.XW + ox0;
        vec w[KV];
        #pragma unroll
        for (int j = 0; j < KV; j++)
            w[j] = wk[c * KV + j];
        #pragma unroll
        for (int px = 0; px < PX; px++) {
#if FLAT_SHORT
            /* A plane shorter than the tile: lanes past the plane read zeros. */
            const float xv = px < plane_out ? xr[px] : 0.0f;
#else
            const float xv = xr[px];
#endif
            ACCUMULATE(xv, px)
        }
    }
#elif PAD1X1
    /* A 1x1 kernel with padding reads the input in place: each pixel of the tile reads one
     * input column and each row one input row for the whole reduction, so a pixel or row in the
     * padding reads a clamped (valid) position and its sums are zeroed after the reduction; the
     * inner loop tests nothing. A tile whose rows are all padding skips the reduction
     * (DeepBench's faceid_9: 4 of 7 rows). */
    int col[PX], row_off[ROWS], col_ok = 0, row_ok = 0;
#pragma unroll
    for (int px = 0; px < PX; px++) {
        const int ix = (ox0 + px) * p.stride_w - p.pad_l;
        col_ok |= (ix >= 0 && ix < p.XW) << px;
        col[px] = clamp(ix, 0, p.XW - 1);
    }
#pragma unroll
    for (int rr = 0; rr < ROWS; rr++) {
        const int iy = (oy + rr) * p.stride_h - p.pad_t;
        row_ok |= (oy + rr < p.OH && iy >= 0 && iy < p.XH) << rr;
        row_off[rr] = clamp(iy, 0, p.XH - 1) * p.XW;
    }
    for (int c = 0; c < (row_ok ? p.Cg : 0); c++) {
        __global const float *xc = x + (size_t)c * p.XH * p.XW;
        TILE_STEP(wk + c * KV, xc[row_off[rr] + col[px]]);
    }
#pragma unroll
    for (int rr = 0; rr < ROWS; rr++)
#pragma unroll
        for (int px = 0; px < PX; px++)
            if (!((row_ok >> rr) & (col_ok >> px) & 1))
#pragma unroll
                for (int j = 0; j < KV; j++)
                    acc[rr * PX + px][j] = (vec)(0.0f);
#else
    /* Rows of the tile that read only zero padding add nothing: a tile made of them skips the
     * reduction. */
    int inside = 0;
#pragma unroll
    for (int rr = 0; rr < ROWS; rr++) {
        const int y = (oy + rr) * p.stride_h;
        inside |= oy + rr < p.OH && y >= p.y0 && y < p.y1;
    }
    for (int c = 0; c < (inside ? p.Cg : 0); c++) {
        __global const float *xr =
            x + (size_t)c * p.XH * p.XW + (size_t)(oy * p.stride_h) * p.XW + ox0 * p.stride_w;
        TILE_STEP(wk + c * KV, xr[rr * row_step + px * p.stride_w]);
    }
#endif
#else
    const int RS = p.R * p.S;
    /* Kernel rows that read only zero padding for every row of the tile add nothing: skipped
     * (on a 7x7 map with 3x3 taps, 2 of the 21 row taps). */
    int r_lo = 0, r_hi = p.R;
    const int last_row = min(oy + ROWS, p.OH) - 1;
    while (r_lo < r_hi && last_row * p.stride_h + r_lo * p.dil_h < p.y0)
        r_lo++;
    while (r_hi > r_lo && oy * p.stride_h + (r_hi - 1) * p.dil_h >= p.y1)
        r_hi--;
    for (int c = 0; c < p.Cg; c++) {
        __global const float *xc = x + (size_t)c * p.XH * p.XW;
        __global const vec *wc = wk + (size_t)c * RS * KV;
        for (int r = r_lo; r < r_hi; r++) {
            __global const float *xr =
                xc + (size_t)(oy * p.stride_h + r * p.dil_h) * p.XW + ox0 * p.stride_w;
            for (int s = 0; s < p.S; s++) {
                __global const float *xs = xr + s * p.dil_w;
                TILE_STEP(wc + (r * p.S + s) * KV, xs[rr * row_step + px * p.stride_w]);
            }
        }
    }
#endif

    /* Epilogue: bias and activation, then the only stores. Each accumulator vector is copied
     * out by value (never addressed), so that the tile stays in registers until here. */
    const int k0 = kb * KV * VW;
#if FLAT
    const int valid = min(PX, plane_out - ox0);
    const int rows = 1;
#else
    const int valid = min(PX, p.OW - ox0);
    const int rows = min(ROWS, p.OH - oy);
#endif
    __global float *o = out + ((size_t)((p.out_n0 + n) * p.K + g * p.Kg) * p.OH + oy) * p.OW + ox0;
    const size_t plane = (size_t)p.OH * p.OW;
#if VW == 16 && (ROWS == 1 || (ROWS == 2 && PX == 7))
    /* Each 16-channel block of the tile transposed in registers, so that every channel's
     * pixels leave as a few vector stores (measured: the scalar epilogue below took 17% of
     * res4a_branch2a's time, and half of a 3 -> 64 3x3 layer's where a quarter of the tiles
     * were partial). A whole tile (every pixel and channel inside the output) tests nothing
     * per channel; with one row, a partial one (the last of a row, or the last channel block
     * of a group) stores its channels inside the group, each its pixels [lo, valid). */
#if ROWS == 2
    const int whole = valid == PX && rows == 2 && k0 + KV * VW <= p.Kg;
#define STORE_CHANNEL(v, d) STORE_TWO_ROWS_OF_7(v, d, p.OW)
#else
    const int whole = lo == 0 && valid == PX && k0 + KV * VW <= p.Kg;
#define STORE_CHANNEL(v, d)                                                                   \
    do {                                                                                      \
        if (WHOLE || (lo == 0 && valid == PX))                                                \
            STORE_PX(v, d);                                                                   \
        else if (lo == 0)                                                                     \
            STORE_FIRST(v, d, valid);                                                         \
        else                                                                                  \
            STORE_LANES(v, d, lo, valid);                                                     \
    } while (0)
#endif
#define TRANSPOSED_EPILOGUE()                                                                 \
    _Pragma("unroll") for (int j = 0; j < KV; j++) {                                          \
        if (WHOLE || k0 + j * VW < p.Kg) {                                                    \
            vec r[16];                                                                        \
            _Pragma("unroll") for (int i = 0; i < 16; i++)                                    \
                r[i] = i < TP ? acc[i < TP ? i : 0][j] : (vec)(0.0f);                         \
            TRANSPOSE16(r);                                                                   \
            _Pragma("unroll") for (int l = 0; l < VW; l++) {                                  \
                const int kg = k0 + j * VW + l;                                               \
                if (WHOLE || kg < p.Kg) {                                                     \
                    vec v = r[l] + (vec)(p.has_bias ? bias[g * p.Kg + kg] : 0.0f);            \
                    if (p.activation == 1)                                                    \
                        v = fmax(v, (vec)(0.0f));                                             \
                    STORE_CHANNEL(v, o + (size_t)kg * plane);                                 \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }
    if (whole) {
#define WHOLE 1
        TRANSPOSED_EPILOGUE();
#undef WHOLE
        return;
    }
#if ROWS == 1
#define WHOLE 0
    TRANSPOSED_EPILOGUE();
#undef WHOLE
    return;
#endif
#endif
#pragma unroll
    for (int j = 0; j < KV; j++) {
#pragma unroll
        for (int i = 0; i < TP; i++) {
            const int rr = i / PX, px = i - rr * PX;
            float lane[VW];
            VSTORE(acc[i][j], 0, lane);
            if (px >= lo && px < valid && rr < rows) {
                for (int l = 0; l < VW; l++) {
                    const int kg = k0 + j * VW + l;
                    if (kg >= p.Kg)
                        break;
                    const float v = lane[l] + (p.has_bias ? bias[g * p.Kg + kg] : 0.0f);
                    o[(size_t)kg * plane + rr * p.OW + px] = p.activation == 1 ? fmax(v, 0.0f) : v;
                }
            }
        }
    }
}
#endif /* PIXVEC */
