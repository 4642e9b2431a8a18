/* Winograd F(4x4,3x3), or F(2x2,3x3) with -DWM=2, for 3x3 convolutions of stride 1 (Lavin and
 * Gray, 2015): each WM x WM output tile is A^T [ (G g G^T) .* (B^T d B) ] A, summed over input
 * channels, where d is the WA x WA input patch under the tile (WA = WM + 2) and g the 3x3
 * kernel. The sum over channels of the WA^2 elementwise products (36, or 16) is WA^2
 * independent GEMMs, which the host runs as a grouped 1x1 GEMM (conv2d_igemm.cl); these
 * kernels are the three transforms around it (written here for F(4x4): xi < 36):
 *   winograd_weights  U[xi][k][c]   = (G g_kc G^T)[xi]          once per weights' contents
 *   winograd_input    V[xi][c][t]   = (B^T d_ct B)[xi]          per pass of tiles
 *   winograd_output   y[k][tile t]  = act(A^T M[.][k][t] A + bias[k])
 * F(4x4): interpolation points 0, +-1, +-2, +-1/2 and infinity; F(2x2): 0, +-1 and infinity;
 * xi = WA * row + column of the transform. A pass covers the tile rows [row0, row0 + rows) of the batch (row = n * tiles_h + ty),
 * so that V and M hold chunk = rows x tiles_w tiles per plane, numbered (row - row0) * tiles_w
 * + tx. The input and output transforms are shaped for CPUs: a work-item takes a strip of TW
 * tiles of one tile row with the tiles along the lanes of float vectors, so that V and M are
 * read and written as whole vectors. */

#ifndef WM
#define WM 4 /* outputs per tile side */
#endif
#define WA (WM + 2) /* inputs per tile side */
#define TW 16 /* tiles per strip: the lanes of a float16 */
typedef float16 vec;
/* LOAD(AS, p) / STORE(AS, p, v): a vector at any float-aligned address of address space AS, as
 * one access (vector_access.clh). */
#define LOAD(AS, p) LOADU(16, AS, p)
#define STORE(AS, p, v) STOREU(16, AS, p, v)

typedef struct {
    int C, K, H, W, OH, OW;          /* H, W: planes of the input as read (maybe a padded copy) */
    int Cg, groups;
    int pad_t, pad_l;                /* 0 when reading a padded copy */
    int tiles_h, tiles_w;
    int in_n0;                       /* image n of the batch is image n + in_n0 of the input
                                        as read (a padded copy holds a part of the batch) */
    int row_end;                     /* rows from here on (past the images of this pass) are
                                        zeros in V and not written out */
    int row0, rows, chunk;           /* this pass; chunk = rows x tiles_w, the floats per plane
                                        of V and M */
    int flip, has_bias, activation;
    int x_images;                    /* images in the input as read (its size, for bounds) */
} winograd_shape;

#if WM == 4
/* The transforms as macros on arrays z (input) and o (output) of floats or float vectors. */
/* The six rows of B^T z for one column z of the input patch. */
#define INPUT_TRANSFORM(z, o)                                        \
    do {                                                             \
        o[0] = 4.0f * z[0] - 5.0f * z[2] + z[4];                     \
        o[1] = -4.0f * (z[1] + z[2]) + (z[3] + z[4]);                \
        o[2] = 4.0f * (z[1] - z[2]) + (z[4] - z[3]);                 \
        o[3] = 2.0f * (z[3] - z[1]) + (z[4] - z[2]);                 \
        o[4] = 2.0f * (z[1] - z[3]) + (z[4] - z[2]);                 \
        o[5] = 4.0f * z[1] - 5.0f * z[3] + z[5];                     \
    } while (0)

/* The four rows of A^T z for one column z of the 6x6 product. */
#define OUTPUT_TRANSFORM(z, o)                                       \
    do {                                                             \
        o[0] = z[0] + (z[1] + z[2]) + (z[3] + z[4]);                 \
        o[1] = (z[1] - z[2]) + 2.0f * (z[3] - z[4]);                 \
        o[2] = (z[1] + z[2]) + 4.0f * (z[3] + z[4]);                 \
        o[3] = (z[1] - z[2]) + 8.0f * (z[3] - z[4]) + z[5];          \
    } while (0)

/* The six rows of G z for one column z of the 3x3 kernel. */
#define WEIGHT_TRANSFORM(z, o)                                       \
    do {                                                             \
        o[0] = 0.25f * z[0];                                         \
        o[1] = -(z[0] + z[1] + z[2]) / 6.0f;                         \
        o[2] = -(z[0] - z[1] + z[2]) / 6.0f;                         \
        o[3] = z[0] / 24.0f + z[1] / 12.0f + z[2] / 6.0f;            \
        o[4] = z[0] / 24.0f - z[1] / 12.0f + z[2] / 6.0f;            \
        o[5] = z[2];                                                 \
    } while (0)
#else
/* F(2x2,3x3): B^T, A^T and G of the points 0, +-1 and infinity. */
#define INPUT_TRANSFORM(z, o)                                        \
    do {                                                             \
        o[0] = z[0] - z[2];                                          \
        o[1] = z[1] + z[2];                                          \
        o[2] = z[2] - z[1];                                          \
        o[3] = z[1] - z[3];                                          \
    } while (0)
#define OUTPUT_TRANSFORM(z, o)                                       \
    do {                                                             \
        o[0] = z[0] + z[1] + z[2];                                   \
        o[1] = z[1] - z[2] - z[3];                                   \
    } while (0)
#define WEIGHT_TRANSFORM(z, o)                                       \
    do {                                                             \
        o[0] = z[0];                                                 \
        o[1] = 0.5f * (z[0] + z[1] + z[2]);                          \
        o[2] = 0.5f * (z[0] - z[1] + z[2]);                          \
        o[3] = z[2];                                                 \
    } while (0)
#endif

/* One work-item per (output channel k, input channel c of its group): u at
 * (xi * K + k) * Cg + c, which is the weight layout of a grouped 1x1 convolution with
 * 36 x groups groups (group xi * groups + g). */
__kernel void winograd_weights(__global const float *restrict w, __global float *restrict u,
                               const winograd_shape p)
{
    const int i = get_global_id(0); /* k * Cg + c */
#ifdef FUSED_KB
    if (i >= (p.K + FUSED_KB - 1) / FUSED_KB * FUSED_KB * p.Cg)
        return;
#else
    if (i >= p.K * p.Cg)
        return;
#endif
    const int live = i < p.K * p.Cg; /* past K: the zeros of the fused layout's last block */
    float g[3][3];
#pragma unroll
    for (int r = 0; r < 3; r++)
#pragma unroll
        for (int s = 0; s < 3; s++)
            g[r][s] = live ? w[(size_t)i * 9 + (p.flip ? 8 - (r * 3 + s) : r * 3 + s)] : 0.0f;
    float gg[WA][3]; /* G g */
#pragma unroll
    for (int s = 0; s < 3; s++) {
        float z[3] = {g[0][s], g[1][s], g[2][s]}, o[WA];
        WEIGHT_TRANSFORM(z, o);
#pragma unroll
        for (int a = 0; a < WA; a++)
            gg[a][s] = o[a];
    }
    const size_t plane = (size_t)p.K * p.Cg;
#pragma unroll
    for (int a = 0; a < WA; a++) {
        float o[WA];
        WEIGHT_TRANSFORM(gg[a], o);
#pragma unroll
        for (int b = 0; b < WA; b++) {
#ifdef FUSED_KB
            /* The fused kernel's layout: blocks of FUSED_KB output channels, u at
             * ((k / KB * WA^2 + xi) * C + c) * KB + k % KB (zeros past K: see the host). */
            const int k = i / p.Cg, c = i - k * p.Cg;
            u[(((size_t)(k / FUSED_KB) * WA * WA + a * WA + b) * p.Cg + c) * FUSED_KB +
              k % FUSED_KB] = o[b];
#else
            u[(a * WA + b) * plane + i] = o[b];
#endif
        }
    }
}

/* Stores a vector of TW tiles' values at dst in address space AS, or its first `valid` lanes
 * (STORE_FIRST16, vector_access.clh: a constant `valid` leaves only its own pieces). */
#define STORE_LANES(AS, value, dst, valid)                                                   \
    do {                                                                                     \
        if ((valid) == TW)                                                                   \
            STORE(AS, dst, value);                                                           \
        else                                                                                 \
            STORE_FIRST16(AS, dst, value, valid);                                            \
    } while (0)

/* B^T d B of the strip of TW tiles from tile tx0 of tile row `row` (of the batch), input
 * channel c, tile l in lane l, stored at dst + xi * xi_step (the first `valid` lanes). Rows past
 * the pass's images (row_end) give zeros. The transform along y comes first, on whole input rows
 * read straight from memory (no shuffles, few live registers); then each of its WA rows is
 * split into the WA columns of its tiles (every WM-th element, in two-vector shuffles) and
 * transformed along x, and its WA values are stored at once. The host passes a zero-padded copy
 * of the input whenever the workspace allows it, so that most strips take the whole-vector
 * loads; strips at the borders load their rows into a private array with guards. Defined for
 * both destinations: global V, and the fused kernel's local V. */
/* PERM: two-source permutes of float16 (PERM16, vector_access.clh). */
#define PERM PERM16

#if WM == 4
/* z[j], lane l = column WM l + j of the strip's row r: WM vectors, and r[WM] the vector that
 * ends at the strip's last column. */
#define SPLIT_COLUMNS(r, z)                                                          \
    do {                                                                                   \
        const vec lo01 = PERM(r[0], r[1], 0, 4, 8, 12, 16, 20, 24, 28,                     \
                              1, 5, 9, 13, 17, 21, 25, 29);                                \
        const vec hi01 = PERM(r[2], r[3], 0, 4, 8, 12, 16, 20, 24, 28,                     \
                              1, 5, 9, 13, 17, 21, 25, 29);                                \
        const vec lo23 = PERM(r[0], r[1], 2, 6, 10, 14, 18, 22, 26, 30,                    \
                              3, 7, 11, 15, 19, 23, 27, 31);                               \
        const vec hi23 = PERM(r[2], r[3], 2, 6, 10, 14, 18, 22, 26, 30,                    \
                              3, 7, 11, 15, 19, 23, 27, 31);                               \
        z[0] = PERM(lo01, hi01, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);   \
        z[1] = PERM(lo01, hi01, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); \
        z[2] = PERM(lo23, hi23, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);   \
        z[3] = PERM(lo23, hi23, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); \
        /* The last two columns are the first two of the next tile: r[4]'s last lanes. */   \
        z[4] = PERM(z[0], r[4], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 30);    \
        z[5] = PERM(z[1], r[4], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 31);    \
    } while (0)
#else
#define SPLIT_COLUMNS(r, z)                                                          \
    do {                                                                                   \
        z[0] = EVEN_ODD16(r[0], r[1], 0);                                                  \
        z[1] = EVEN_ODD16(r[0], r[1], 1);                                                  \
        z[2] = PERM(z[0], r[2], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 30);    \
        z[3] = PERM(z[1], r[2], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 31);    \
    } while (0)
#endif

/* The WA rows of the strip as pointers into `rows` (guarded copies) or into the input. */
#define STRIP_W (WM * TW + 2) /* input columns under a strip */
#define DEFINE_INPUT_STRIP(NAME, AS)                                                       \
    __attribute__((always_inline)) inline void NAME(                                       \
        __global const float *restrict x, const winograd_shape *p, int row, int tx0, int c, \
        AS float *restrict dst, size_t xi_step, int valid)                                 \
    {                                                                                      \
        const int n = row / p->tiles_h, ty = row - n * p->tiles_h;                         \
        const int iy0 = ty * WM - p->pad_t, ix0 = tx0 * WM - p->pad_l;                     \
        const int live = row < p->row_end;                                                 \
        __global const float *plane =                                                      \
            x + (size_t)((n + p->in_n0) * p->C + c) * p->H * p->W;                         \
        if (live && ix0 >= 0 && ix0 + STRIP_W <= p->W && iy0 >= 0 && iy0 + WA <= p->H) {  \
            __global const float *src = plane + iy0 * p->W + ix0;                          \
            INPUT_STRIP_ROWS(src, p->W, __global, AS);                                     \
        } else {                                                                           \
            float rows[WA * STRIP_W];                                                      \
            for (int i = 0; i < WA; i++) {                                                 \
                const int iy = iy0 + i;                                                    \
                const int in_y = live && iy >= 0 && iy < p->H;                             \
                __global const float *src = plane + iy * p->W + ix0;                       \
                for (int q = 0; q < STRIP_W; q++)                                          \
                    rows[i * STRIP_W + q] =                                                \
                        in_y && ix0 + q >= 0 && ix0 + q < p->W ? src[q] : 0.0f;            \
            }                                                                              \
            INPUT_STRIP_ROWS(rows, STRIP_W, __private, AS);                                \
        }                                                                                  \
    }

/* The body for rows at src, src + pitch, ...: along y, then along x, then the stores. The two
 * columns past the strip's WM TW are the last two lanes of a whole vector ending there (float2
 * tails compile to 8-byte pieces, and drag the vectors they meet into them). */
#define INPUT_STRIP_ROWS(src, pitch, SRC_AS, DST_AS)                                       \
    do {                                                                                   \
        _Pragma("unroll") for (int a = 0; a < WA; a++) {                                   \
            vec r[WM + 1];                                                                 \
            _Pragma("unroll") for (int q = 0; q <= WM; q++) {                              \
                const int at = q < WM ? q * TW : STRIP_W - TW;                             \
                vec zy[WA], oy[WA];                                                        \
                _Pragma("unroll") for (int i = 0; i < WA; i++)                             \
                    zy[i] = LOAD(SRC_AS, src + i * (pitch) + at);                          \
                INPUT_TRANSFORM(zy, oy);                                                   \
                r[q] = oy[a];                                                              \
            }                                                                              \
            vec z[WA], o[WA];                                                              \
            SPLIT_COLUMNS(r, z);                                                           \
            INPUT_TRANSFORM(z, o);                                                         \
            _Pragma("unroll") for (int b = 0; b < WA; b++)                                 \
                STORE_LANES(DST_AS, o[b], dst + (a * WA + b) * xi_step, valid);            \
        }                                                                                  \
    } while (0)

DEFINE_INPUT_STRIP(input_strip_global, __global)
#ifdef FUSED_KB
DEFINE_INPUT_STRIP(input_strip_local, __local)
#endif

/* One work-item per (strip of TW tiles, tile row of the pass, input channel): V at
 * (xi * C + c) * chunk + tile. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_input(__global const float *restrict x, __global float *restrict v,
                    const winograd_shape p)
{
    const int tx0 = get_global_id(0) * TW, rl = get_global_id(1), c = get_global_id(2);
    input_strip_global(x, &p, p.row0 + rl, tx0, c,
                       v + (size_t)c * p.chunk + rl * p.tiles_w + tx0, (size_t)p.C * p.chunk,
                       min(TW, p.tiles_w - tx0));
}

/* The WM output rows of TW tiles from the WA^2 products z[a][j] (xi = WA a + j), with bias
 * and activation: rows[a][q] holds columns 16 q ... 16 q + 15 of output row a, where tile l's
 * column j is column WM l + j (interleaved in two-vector shuffles). */
__attribute__((always_inline)) inline void output_rows(vec z[WA][WA], float bias_k,
                                                       int activation, vec rows[WM][WM])
{
    vec am[WM][WA]; /* A^T m, column by column */
#pragma unroll
    for (int j = 0; j < WA; j++) {
        vec c[WA], o[WM];
#pragma unroll
        for (int a = 0; a < WA; a++)
            c[a] = z[a][j];
        OUTPUT_TRANSFORM(c, o);
#pragma unroll
        for (int a = 0; a < WM; a++)
            am[a][j] = o[a];
    }
    const vec b = (vec)(bias_k);
#pragma unroll
    for (int a = 0; a < WM; a++) {
        vec o[WM];
        OUTPUT_TRANSFORM(am[a], o);
        vec val[WM];
#pragma unroll
        for (int j = 0; j < WM; j++) {
            val[j] = o[j] + b;
            if (activation == 1)
                val[j] = fmax(val[j], (vec)(0.0f));
        }
#if WM == 4
        const vec e0 = (vec)(val[0].s0, val[1].s0, val[0].s1, val[1].s1, val[0].s2, val[1].s2,
                             val[0].s3, val[1].s3, val[0].s4, val[1].s4, val[0].s5, val[1].s5,
                             val[0].s6, val[1].s6, val[0].s7, val[1].s7);
        const vec e1 = (vec)(val[0].s8, val[1].s8, val[0].s9, val[1].s9, val[0].sa, val[1].sa,
                             val[0].sb, val[1].sb, val[0].sc, val[1].sc, val[0].sd, val[1].sd,
                             val[0].se, val[1].se, val[0].sf, val[1].sf);
        const vec f0 = (vec)(val[2].s0, val[3].s0, val[2].s1, val[3].s1, val[2].s2, val[3].s2,
                             val[2].s3, val[3].s3, val[2].s4, val[3].s4, val[2].s5, val[3].s5,
                             val[2].s6, val[3].s6, val[2].s7, val[3].s7);
        const vec f1 = (vec)(val[2].s8, val[3].s8, val[2].s9, val[3].s9, val[2].sa, val[3].sa,
                             val[2].sb, val[3].sb, val[2].sc, val[3].sc, val[2].sd, val[3].sd,
                             val[2].se, val[3].se, val[2].sf, val[3].sf);
        rows[a][0] = (vec)(e0.s01, f0.s01, e0.s23, f0.s23, e0.s45, f0.s45, e0.s67, f0.s67);
        rows[a][1] = (vec)(e0.s89, f0.s89, e0.sab, f0.sab, e0.scd, f0.scd, e0.sef, f0.sef);
        rows[a][2] = (vec)(e1.s01, f1.s01, e1.s23, f1.s23, e1.s45, f1.s45, e1.s67, f1.s67);
        rows[a][3] = (vec)(e1.s89, f1.s89, e1.sab, f1.sab, e1.scd, f1.scd, e1.sef, f1.sef);
#else
        rows[a][0] = (vec)(val[0].s0, val[1].s0, val[0].s1, val[1].s1, val[0].s2, val[1].s2,
                           val[0].s3, val[1].s3, val[0].s4, val[1].s4, val[0].s5, val[1].s5,
                           val[0].s6, val[1].s6, val[0].s7, val[1].s7);
        rows[a][1] = (vec)(val[0].s8, val[1].s8, val[0].s9, val[1].s9, val[0].sa, val[1].sa,
                           val[0].sb, val[1].sb, val[0].sc, val[1].sc, val[0].sd, val[1].sd,
                           val[0].se, val[1].se, val[0].sf, val[1].sf);
#endif
    }
}

/* The WM x WM outputs of the strip of TW tiles from tile tx0 of tile row `row`, output
 * channel k, from the WA^2 products z; the parts of tiles past the output are not written. */
__attribute__((always_inline)) inline void output_strip(vec z[WA][WA], float bias_k,
                                                        __global float *restrict y,
                                                        const winograd_shape *p, int row,
                                                        int tx0, int k)
{
    const int n = row / p->tiles_h, ty = row - n * p->tiles_h;
    vec rows[WM][WM];
    output_rows(z, bias_k, p->activation, rows);
    const int oy0 = ty * WM, ox0 = tx0 * WM;
    __global float *out = y + ((size_t)(n * p->K + k) * p->OH + oy0) * p->OW + ox0;
    const int full_w = ox0 + WM * TW <= p->OW;
    /* Rows past the output skipped by a condition, not a break: PoCL's compiler cannot unroll
     * a loop with an early exit (and warned so at every build). */
#pragma unroll
    for (int a = 0; a < WM; a++) {
        if (oy0 + a >= p->OH)
            continue;
        __global float *dst = out + a * p->OW;
        if (full_w) {
#pragma unroll
            for (int q = 0; q < WM; q++)
                STORE(__global, dst + q * TW, rows[a][q]);
        } else {
            float lane[WM * TW];
#pragma unroll
            for (int q = 0; q < WM; q++)
                STORE(__private, lane + q * TW, rows[a][q]);
            for (int q = 0; ox0 + q < p->OW && q < WM * TW; q++)
                dst[q] = lane[q];
        }
    }
}

/* The WA^2 products of TW consecutive tiles at mk, one transform point every xi_step floats. */
__attribute__((always_inline)) inline void load_products(__global const float *restrict mk,
                                                         size_t xi_step, vec z[WA][WA])
{
#pragma unroll
    for (int a = 0; a < WA; a++)
#pragma unroll
        for (int j = 0; j < WA; j++)
            z[a][j] = LOAD(__global, mk + (a * WA + j) * xi_step);
}

/* One work-item per (strip of TW tiles, tile row of the pass, output channel), from the GEMM
 * results at (xi * K + k) * chunk + tile. M has TW floats of slack at its end, so that the last
 * strip may read whole vectors. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_output(__global const float *restrict m, __global const float *restrict bias,
                     __global float *restrict y, const winograd_shape p)
{
    const int tx0 = get_global_id(0) * TW, rl = get_global_id(1), k = get_global_id(2);
    const int row = p.row0 + rl;
    if (row >= p.row_end)
        return;
    const size_t xi_step = (size_t)p.K * p.chunk;
    __global const float *mk = m + (size_t)k * p.chunk + rl * p.tiles_w + tx0;
    vec z[WA][WA];
    load_products(mk, xi_step, z);
    output_strip(z, p.has_bias ? bias[k] : 0.0f, y, &p, row, tx0, k);
}

#ifdef PLANE_TW
/* Transforms for maps of PLANE_TW tiles a row or fewer (PLANE_TW WM + 2 <= 32 columns): a strip
 * of one tile row would fill PLANE_TW of its TW lanes, so a work-item's vectors hold the tiles of
 * PLANE_RV whole tile rows instead, tile row i in lanes [i PLANE_TW, (i + 1) PLANE_TW): the
 * consecutive tiles of V and M. Measured on 14x14 and 7x7 maps: bench/NOTES.md. */
#define PLANE_RV (TW / PLANE_TW)     /* tile rows per work-item */
#define PLANE_N (PLANE_RV * PLANE_TW) /* lanes in use */
#define PLANE_COLS 32                /* input columns under a tile row, as two vectors */

/* One work-item per (group of PLANE_RV tile rows of the pass, input channel): V at
 * (xi * C + c) * chunk + tile. Each tile row's WA input rows are read as two vectors of columns
 * from the left padding on, the lanes outside the row zeroed (the read may cover the next rows,
 * never past the buffer: rows at its very start and end are copied with guards instead; copying
 * every row that way measured 1.3x slower, as its scalar stores stall the vector loads after
 * them), transformed along y, split into tile columns and transformed along x; its PLANE_TW
 * lanes land at their place in a private row per transform point (the next tile row's stores
 * cover the lanes past them; merging in registers instead spilled F(4x4)'s 36 vectors). */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_input_plane(__global const float *restrict x, __global float *restrict v,
                          const winograd_shape p)
{
    const int rl0 = get_global_id(0) * PLANE_RV, c = get_global_id(1);
    const long x_floats = (long)p.x_images * p.C * p.H * p.W;
    const int16 lane = LANES16;
    const int16 in_row0 = lane >= p.pad_l && lane < p.pad_l + p.W;
    const int16 in_row1 = lane + TW >= p.pad_l && lane + TW < p.pad_l + p.W;
    float zb[WA * WA][2 * TW];
#pragma unroll
    for (int i = 0; i < PLANE_RV; i++) {
        const int row = p.row0 + rl0 + i;
        const int live = rl0 + i < p.rows && row < p.row_end;
        const int n = row / p.tiles_h, ty = row - n * p.tiles_h;
        const long plane = (long)((n + p.in_n0) * p.C + c) * p.H * p.W;
        vec zy[2][WA];
#pragma unroll
        for (int a = 0; a < WA; a++) {
            const int iy = ty * WM - p.pad_t + a;
            const long at = plane + (long)iy * p.W - p.pad_l;
            if (!live || iy < 0 || iy >= p.H) {
                zy[0][a] = zy[1][a] = (vec)(0.0f);
            } else if (at >= 0 && at + PLANE_COLS <= x_floats) {
                zy[0][a] = select((vec)(0.0f), LOAD(__global, x + at), in_row0);
                zy[1][a] = select((vec)(0.0f), LOAD(__global, x + at + TW), in_row1);
            } else {
                float cols[PLANE_COLS];
                for (int q = 0; q < PLANE_COLS; q++)
                    cols[q] = q >= p.pad_l && q < p.pad_l + p.W ? x[at + q] : 0.0f;
                zy[0][a] = LOAD(__private, cols);
                zy[1][a] = LOAD(__private, cols + TW);
            }
        }
        vec ty_rows[WA][2]; /* B^T d along y: row a, columns 16 q ... */
#pragma unroll
        for (int q = 0; q < 2; q++) {
            vec oy[WA];
            INPUT_TRANSFORM(zy[q], oy);
#pragma unroll
            for (int a = 0; a < WA; a++)
                ty_rows[a][q] = oy[a];
        }
#pragma unroll
        for (int a = 0; a < WA; a++) {
            vec r[WM + 1];
#pragma unroll
            for (int q = 0; q <= WM; q++)
                r[q] = q < 2 ? ty_rows[a][q < 2 ? q : 0] : (vec)(0.0f);
            vec z[WA], o[WA];
            SPLIT_COLUMNS(r, z);
            INPUT_TRANSFORM(z, o);
#pragma unroll
            for (int b = 0; b < WA; b++)
                STORE(__private, &zb[a * WA + b][i * PLANE_TW], o[b]);
        }
    }
    const int valid = min(PLANE_RV, p.rows - rl0) * PLANE_TW;
    __global float *dst = v + (size_t)c * p.chunk + rl0 * p.tiles_w;
    const size_t xi_step = (size_t)p.C * p.chunk;
#pragma unroll
    for (int xi = 0; xi < WA * WA; xi++) {
        const vec zv = LOAD(__private, &zb[xi][0]);
        if (valid == PLANE_N) /* a whole group: pieces known at compile time */
            STORE_LANES(__global, zv, dst + xi * xi_step, PLANE_N);
        else
            STORE_LANES(__global, zv, dst + xi * xi_step, valid);
    }
}

/* One work-item per (group of PLANE_RV tile rows of the pass, output channel), from the GEMM
 * results at (xi * K + k) * chunk + tile (M's slack past its end covers the last vectors). */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_output_plane(__global const float *restrict m, __global const float *restrict bias,
                           __global float *restrict y, const winograd_shape p)
{
    const int rl0 = get_global_id(0) * PLANE_RV, k = get_global_id(1);
    const size_t xi_step = (size_t)p.K * p.chunk;
    __global const float *mk = m + (size_t)k * p.chunk + rl0 * p.tiles_w;
    vec z[WA][WA];
    load_products(mk, xi_step, z);
    vec rows[WM][WM];
    output_rows(z, p.has_bias ? bias[k] : 0.0f, p.activation, rows);
    float out_rows[WM][WM * TW];
#pragma unroll
    for (int a = 0; a < WM; a++)
#pragma unroll
        for (int q = 0; q < WM; q++)
            STORE(__private, &out_rows[a][q * TW], rows[a][q]);
    for (int i = 0; i < PLANE_RV; i++) {
        const int row = p.row0 + rl0 + i;
        if (rl0 + i >= p.rows || row >= p.row_end)
            break;
        const int n = row / p.tiles_h, ty = row - n * p.tiles_h;
        __global float *out = y + ((size_t)(n * p.K + k) * p.OH + ty * WM) * p.OW;
        for (int a = 0; a < WM && ty * WM + a < p.OH; a++)
            for (int q = 0; q < p.OW; q++)
                out[a * p.OW + q] = out_rows[a][i * PLANE_TW * WM + q];
    }
}
#endif

/* GPU-shaped transforms: one work-item per (tile of the pass, channel), the tiles along
 * dimension 0, so that a work-group's WA^2 stores into V (and its loads from M) are runs of
 * consecutive floats; scalar arithmetic, no strips. The GEMM between them is the GPU-shaped
 * one (conv2d_gemm_gpu.cl) on the same V, U and M layouts. */
__kernel void winograd_input_gpu(__global const float *restrict x, __global float *restrict v,
                                 const winograd_shape p)
{
    const int t = get_global_id(0), c = get_global_id(1);
    if (t >= p.chunk)
        return;
    const int rl = t / p.tiles_w, tx = t - rl * p.tiles_w;
    const int row = p.row0 + rl;
    const int live = row < p.row_end;
    const int n = row / p.tiles_h, ty = row - n * p.tiles_h;
    const int iy0 = ty * WM - p.pad_t, ix0 = tx * WM - p.pad_l;
    __global const float *plane = x + (size_t)((n + p.in_n0) * p.C + c) * p.H * p.W;
    float h[WA][WA]; /* h[i][b]: row i of the patch transformed along x */
#pragma unroll
    for (int i = 0; i < WA; i++) {
        const int iy = iy0 + i;
        float z[WA], o[WA];
#pragma unroll
        for (int j = 0; j < WA; j++) {
            const int ix = ix0 + j;
            z[j] = live && iy >= 0 && iy < p.H && ix >= 0 && ix < p.W ? plane[iy * p.W + ix]
                                                                      : 0.0f;
        }
        INPUT_TRANSFORM(z, o);
#pragma unroll
        for (int b = 0; b < WA; b++)
            h[i][b] = o[b];
    }
    const size_t xi_step = (size_t)p.C * p.chunk;
    __global float *dst = v + (size_t)c * p.chunk + t;
#pragma unroll
    for (int b = 0; b < WA; b++) {
        float z[WA], o[WA];
#pragma unroll
        for (int i = 0; i < WA; i++)
            z[i] = h[i][b];
        INPUT_TRANSFORM(z, o);
#pragma unroll
        for (int a = 0; a < WA; a++)
            dst[(a * WA + b) * xi_step] = o[a];
    }
}

__kernel void winograd_output_gpu(__global const float *restrict m,
                                  __global const float *restrict bias, __global float *restrict y,
                                  const winograd_shape p)
{
    const int t = get_global_id(0), k = get_global_id(1);
    if (t >= p.chunk)
        return;
    const int rl = t / p.tiles_w, tx = t - rl * p.tiles_w;
    const int row = p.row0 + rl;
    if (row >= p.row_end)
        return;
    const int n = row / p.tiles_h, ty = row - n * p.tiles_h;
    const size_t xi_step = (size_t)p.K * p.chunk;
    __global const float *src = m + (size_t)k * p.chunk + t;
    float am[WM][WA]; /* A^T m, column by column */
#pragma unroll
    for (int j = 0; j < WA; j++) {
        float z[WA], o[WM];
#pragma unroll
        for (int a = 0; a < WA; a++)
            z[a] = src[(a * WA + j) * xi_step];
        OUTPUT_TRANSFORM(z, o);
#pragma unroll
        for (int a = 0; a < WM; a++)
            am[a][j] = o[a];
    }
    const float b = p.has_bias ? bias[k] : 0.0f;
    const int oy0 = ty * WM, ox0 = tx * WM;
    __global float *out = y + ((size_t)(n * p.K + k) * p.OH + oy0) * p.OW + ox0;
#pragma unroll
    for (int a = 0; a < WM; a++) {
        float o[WM];
        OUTPUT_TRANSFORM(am[a], o);
#pragma unroll
        for (int j = 0; j < WM; j++) {
            float val = o[j] + b;
            if (p.activation == 1)
                val = fmax(val, 0.0f);
            if (oy0 + a < p.OH && ox0 + j < p.OW)
                out[a * p.OW + j] = val;
        }
    }
}

#ifdef FUSED_KB
/* The three steps in one kernel, for layers whose transformed input fits in local memory
 * (one group, FUSED_C input channels): a work-item takes FUSED_TR whole tile rows (FUSED_S
 * strips each: NV vectors of tiles), transforms their input for all channels into local memory
 * (reading each input row from end to end, as the prefetchers like), then for each pair of
 * vectors and block of FUSED_KB output channels runs the WA^2 products over the channels with
 * the FUSED_KB x FUSED_VT tile in registers and transforms them out. V and M never go to global
 * memory: on large maps with few channels the separate transforms are bound by that traffic. */
#define NV (FUSED_TR * FUSED_S)
/* Floats from one transform point's plane of local V to the next: one vector more than the
 * plane, so that a strip's WA^2 stores fall in different cache sets (at a power-of-two stride,
 * they all fall in one and evict each other). */
#define XI_STRIDE (FUSED_C * NV * TW + TW)
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_fused(__global const float *restrict x, __global const float *restrict u,
                    __global const float *restrict bias, __global float *restrict y,
                    const winograd_shape p)
{
    __local float vl[WA * WA * XI_STRIDE]; /* [xi][c][vector][lane] */
    const int row0 = p.row0 + get_global_id(1) * FUSED_TR;
    for (int c = 0; c < FUSED_C; c++) {
#pragma unroll
        for (int v = 0; v < NV; v++)
            input_strip_local(x, &p, row0 + v / FUSED_S, v % FUSED_S * TW, c,
                              vl + (c * NV + v) * TW, XI_STRIDE, TW);
    }
    for (int v0 = 0; v0 < NV; v0 += FUSED_VT) {
        for (int k0 = 0; k0 < p.K; k0 += FUSED_KB) {
            vec m[WA * WA][FUSED_KB][FUSED_VT];
            __global const float *uk =
                u + (size_t)(k0 / FUSED_KB) * WA * WA * FUSED_C * FUSED_KB;
            for (int xi = 0; xi < WA * WA; xi++) {
                vec acc[FUSED_KB][FUSED_VT];
#pragma unroll
                for (int j = 0; j < FUSED_KB; j++)
#pragma unroll
                    for (int t = 0; t < FUSED_VT; t++)
                        acc[j][t] = (vec)(0.0f);
                __local const float *vx = vl + xi * XI_STRIDE + v0 * TW;
                __global const float *ux = uk + xi * FUSED_C * FUSED_KB;
                for (int c = 0; c < FUSED_C; c++) {
                    vec xv[FUSED_VT];
#pragma unroll
                    for (int t = 0; t < FUSED_VT; t++)
                        xv[t] = LOAD(__local, vx + (c * NV + t) * TW);
#pragma unroll
                    for (int j = 0; j < FUSED_KB; j++) {
                        const vec w = (vec)(ux[c * FUSED_KB + j]);
#pragma unroll
                        for (int t = 0; t < FUSED_VT; t++)
                            acc[j][t] = fma(w, xv[t], acc[j][t]);
                    }
                }
#pragma unroll
                for (int j = 0; j < FUSED_KB; j++)
#pragma unroll
                    for (int t = 0; t < FUSED_VT; t++)
                        m[xi][j][t] = acc[j][t];
            }
            for (int j = 0; j < FUSED_KB && k0 + j < p.K; j++) {
                const float b = p.has_bias ? bias[k0 + j] : 0.0f;
#pragma unroll
                for (int t = 0; t < FUSED_VT; t++) {
                    const int row = row0 + (v0 + t) / FUSED_S;
                    if (row >= p.row_end)
                        continue;
                    vec z[WA][WA];
#pragma unroll
                    for (int xi = 0; xi < WA * WA; xi++)
                        z[xi / WA][xi % WA] = m[xi][j][t];
                    output_strip(z, b, y, &p, row, (v0 + t) % FUSED_S * TW, k0 + j);
                }
            }
        }
    }
}
#endif
