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
#define VLOAD vload16
#define VSTORE vstore16

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
    if (i >= p.K * p.Cg)
        return;
    float g[3][3];
#pragma unroll
    for (int r = 0; r < 3; r++)
#pragma unroll
        for (int s = 0; s < 3; s++)
            g[r][s] = w[(size_t)i * 9 + (p.flip ? 8 - (r * 3 + s) : r * 3 + s)];
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
        for (int b = 0; b < WA; b++)
            u[(a * WA + b) * plane + i] = o[b];
    }
}

/* One work-item per (strip of TW tiles, tile row of the pass, input channel): V at
 * (xi * C + c) * chunk + tile. Rows past the pass's images get zeros. The host passes a
 * zero-padded copy of the input whenever the workspace allows it, so that every strip takes
 * the whole-vector loads; the guarded loads serve the rest. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_input(__global const float *restrict x, __global float *restrict v,
                    const winograd_shape p)
{
    const int tx0 = get_global_id(0) * TW, rl = get_global_id(1), c = get_global_id(2);
    const int row = p.row0 + rl;
    const int n = row / p.tiles_h, ty = row - n * p.tiles_h;
    const int iy0 = ty * WM - p.pad_t, ix0 = tx0 * WM - p.pad_l;
    const int live = row < p.row_end;
    const int inside = live && ix0 >= 0 && ix0 + WM * TW + 2 <= p.W;
    __global const float *plane = x + (size_t)((n + p.in_n0) * p.C + c) * p.H * p.W;

    /* h[i][b]: the row transform (B^T along x) of input row iy0 + i, tile l in lane l. */
    vec h[WA][WA];
#pragma unroll
    for (int i = 0; i < WA; i++) {
        const int iy = iy0 + i;
        /* The row's WM TW + 2 inputs of the strip: whole vectors, or guarded loads at the
         * borders (padding, and past the input's far edge). */
        vec a[WM];
#pragma unroll
        for (int q = 0; q < WM; q++)
            a[q] = (vec)(0.0f);
        float2 tail = (float2)(0.0f);
        if (live && iy >= 0 && iy < p.H) {
            __global const float *src = plane + iy * p.W + ix0;
            if (inside) {
#pragma unroll
                for (int q = 0; q < WM; q++)
                    a[q] = VLOAD(q, src);
                tail = vload2(0, src + WM * TW);
            } else {
                float r[WM * TW + 2];
                for (int q = 0; q < WM * TW + 2; q++)
                    r[q] = ix0 + q >= 0 && ix0 + q < p.W ? src[q] : 0.0f;
#pragma unroll
                for (int q = 0; q < WM; q++)
                    a[q] = VLOAD(q, r);
                tail = vload2(0, r + WM * TW);
            }
        }
        /* z[j], lane l = input column WM l + j: every WM-th element, in two-vector shuffles.
         * The last two columns are the first two of the next tile. */
        vec z[WA];
#if WM == 4
        z[0] = (vec)((float8)(a[0].s048c, a[1].s048c), (float8)(a[2].s048c, a[3].s048c));
        z[1] = (vec)((float8)(a[0].s159d, a[1].s159d), (float8)(a[2].s159d, a[3].s159d));
        z[2] = (vec)((float8)(a[0].s26ae, a[1].s26ae), (float8)(a[2].s26ae, a[3].s26ae));
        z[3] = (vec)((float8)(a[0].s37bf, a[1].s37bf), (float8)(a[2].s37bf, a[3].s37bf));
        z[4] = (vec)(z[0].s1234, z[0].s5678, z[0].s9abc, z[0].sdef, tail.s0);
        z[5] = (vec)(z[1].s1234, z[1].s5678, z[1].s9abc, z[1].sdef, tail.s1);
#else
        z[0] = (vec)(a[0].even, a[1].even);
        z[1] = (vec)(a[0].odd, a[1].odd);
        z[2] = (vec)(z[0].s1234, z[0].s5678, z[0].s9abc, z[0].sdef, tail.s0);
        z[3] = (vec)(z[1].s1234, z[1].s5678, z[1].s9abc, z[1].sdef, tail.s1);
#endif
        vec o[WA];
        INPUT_TRANSFORM(z, o);
#pragma unroll
        for (int b = 0; b < WA; b++)
            h[i][b] = o[b];
    }

    const int valid = min(TW, p.tiles_w - tx0);
    const size_t xi_step = (size_t)p.C * p.chunk;
    __global float *vc = v + (size_t)c * p.chunk + rl * p.tiles_w + tx0;
#pragma unroll
    for (int b = 0; b < WA; b++) {
        vec z[WA], o[WA];
#pragma unroll
        for (int i = 0; i < WA; i++)
            z[i] = h[i][b];
        INPUT_TRANSFORM(z, o);
#pragma unroll
        for (int a = 0; a < WA; a++) {
            __global float *dst = vc + (a * WA + b) * xi_step;
            if (valid == TW) {
                VSTORE(o[a], 0, dst);
            } else {
                float lane[TW];
                VSTORE(o[a], 0, lane);
                for (int l = 0; l < valid; l++)
                    dst[l] = lane[l];
            }
        }
    }
}

/* One work-item per (strip of TW tiles, tile row of the pass, output channel): the WM x WM
 * outputs of each tile from the WA^2 GEMM results at (xi * K + k) * chunk + tile, with bias and
 * activation; the parts of tiles past the output are not written. M has TW floats of slack
 * at its end, so that the last strip may read whole vectors. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void winograd_output(__global const float *restrict m, __global const float *restrict bias,
                     __global float *restrict y, const winograd_shape p)
{
    const int tx0 = get_global_id(0) * TW, rl = get_global_id(1), k = get_global_id(2);
    const int row = p.row0 + rl;
    if (row >= p.row_end)
        return;
    const int n = row / p.tiles_h, ty = row - n * p.tiles_h;
    const size_t xi_step = (size_t)p.K * p.chunk;
    __global const float *mk = m + (size_t)k * p.chunk + rl * p.tiles_w + tx0;

    vec am[WM][WA]; /* A^T m, column by column */
#pragma unroll
    for (int j = 0; j < WA; j++) {
        vec z[WA], o[WM];
#pragma unroll
        for (int a = 0; a < WA; a++)
            z[a] = VLOAD(0, mk + (a * WA + j) * xi_step);
        OUTPUT_TRANSFORM(z, o);
#pragma unroll
        for (int a = 0; a < WM; a++)
            am[a][j] = o[a];
    }

    const vec b = (vec)(p.has_bias ? bias[k] : 0.0f);
    const int oy0 = ty * WM, ox0 = tx0 * WM;
    __global float *out = y + ((size_t)(n * p.K + k) * p.OH + oy0) * p.OW + ox0;
    const int full_w = ox0 + WM * TW <= p.OW;
#pragma unroll
    for (int a = 0; a < WM; a++) {
        if (oy0 + a >= p.OH)
            break;
        vec o[WM];
        OUTPUT_TRANSFORM(am[a], o);
        vec val[WM];
#pragma unroll
        for (int j = 0; j < WM; j++) {
            val[j] = o[j] + b;
            if (p.activation == 1)
                val[j] = fmax(val[j], (vec)(0.0f));
        }
        /* The output row: tile l's column j at WM l + j, interleaved in two-vector shuffles. */
        vec row_out[WM];
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
        row_out[0] = (vec)(e0.s01, f0.s01, e0.s23, f0.s23, e0.s45, f0.s45, e0.s67, f0.s67);
        row_out[1] = (vec)(e0.s89, f0.s89, e0.sab, f0.sab, e0.scd, f0.scd, e0.sef, f0.sef);
        row_out[2] = (vec)(e1.s01, f1.s01, e1.s23, f1.s23, e1.s45, f1.s45, e1.s67, f1.s67);
        row_out[3] = (vec)(e1.s89, f1.s89, e1.sab, f1.sab, e1.scd, f1.scd, e1.sef, f1.sef);
#else
        row_out[0] = (vec)(val[0].s0, val[1].s0, val[0].s1, val[1].s1, val[0].s2, val[1].s2,
                           val[0].s3, val[1].s3, val[0].s4, val[1].s4, val[0].s5, val[1].s5,
                           val[0].s6, val[1].s6, val[0].s7, val[1].s7);
        row_out[1] = (vec)(val[0].s8, val[1].s8, val[0].s9, val[1].s9, val[0].sa, val[1].sa,
                           val[0].sb, val[1].sb, val[0].sc, val[1].sc, val[0].sd, val[1].sd,
                           val[0].se, val[1].se, val[0].sf, val[1].sf);
#endif
        __global float *dst = out + a * p.OW;
        if (full_w) {
#pragma unroll
            for (int q = 0; q < WM; q++)
                VSTORE(row_out[q], q, dst);
        } else {
            float lane[WM * TW];
#pragma unroll
            for (int q = 0; q < WM; q++)
                VSTORE(row_out[q], q, lane);
            for (int q = 0; ox0 + q < p.OW && q < WM * TW; q++)
                dst[q] = lane[q];
        }
    }
}
