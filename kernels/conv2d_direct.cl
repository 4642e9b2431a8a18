/* Tiled direct convolution (NCHW input, OIHW weights, NCHW output), bias and activation fused.
 *
 * A work-group computes an output tile of TILE_W x TILE_H pixels for KB output channels of one
 * image and one group. Work-item (lx, ly, lz) owns WPT_X pixels of row ly, spaced LX apart so
 * that neighbouring work-items touch neighbouring addresses, for WPT_K output channels.
 * With USE_LOCAL, the input tile (with its halo) and the weights of CB input channels are
 * staged in local memory, double-buffered (the next channels are staged while these are read,
 * one barrier per step), and the work-items accumulate from it; without, they read global
 * memory directly (for shapes whose tile does not fit in local memory).
 * Shapes are arguments; only tunables and feature switches are macros. The epilogue (bias,
 * activation, flip) is an argument too: it costs one uniform branch per output and keeps the
 * number of programs that a cold start compiles small. */

#ifndef LX
#define LX 16
#endif
#ifndef LY
#define LY 8
#endif
#ifndef LZ
#define LZ 1
#endif
#ifndef WPT_X
#define WPT_X 2
#endif
#ifndef WPT_K
#define WPT_K 4
#endif
#ifndef USE_LOCAL
#define USE_LOCAL 1
#endif

#define TILE_W (LX * WPT_X)
#define TILE_H LY
#define KB (LZ * WPT_K)

typedef struct {
    int C, H, W;          /* input */
    int K, R, S;          /* weights: K x Cg x R x S */
    int OH, OW;
    int stride_h, stride_w, dil_h, dil_w, pad_t, pad_l;
    int Cg, Kg, k_blocks; /* channels per group, KB-blocks per group */
    int flip;             /* 1: the kernel rotated by 180 degrees (mathematical convolution) */
    int has_bias;
    int activation;       /* 0: none, 1: ReLU */
    int cb;               /* input channels staged per step */
    int in_tile_h, in_tile_w;
} conv_shape;

__kernel __attribute__((reqd_work_group_size(LX, LY, LZ)))
void conv2d_direct(__global const float *restrict in, __global const float *restrict wt,
                   __global const float *restrict bias, __global float *restrict out,
                   const conv_shape p, __local float *in_tile, __local float *w_tile)
{
    const int lx = get_local_id(0), ly = get_local_id(1), lz = get_local_id(2);
    const int tile_x0 = get_group_id(0) * TILE_W;
    const int tile_y0 = get_group_id(1) * TILE_H;
    const int zb = get_group_id(2);
    const int kblock = zb % p.k_blocks;
    const int ng = zb / p.k_blocks;
    const int groups = p.C / p.Cg;
    const int g = ng % groups;
    const int n = ng / groups;
    const int kg0 = kblock * KB;          /* first channel of the work-group, within the group */
    const int RS = p.R * p.S;

    float acc[WPT_K][WPT_X];
    for (int kk = 0; kk < WPT_K; kk++)
        for (int px = 0; px < WPT_X; px++)
            acc[kk][px] = 0.0f;

    const int iy0 = tile_y0 * p.stride_h - p.pad_t;
    const int ix0 = tile_x0 * p.stride_w - p.pad_l;
    __global const float *in_img = in + (size_t)(n * p.C + g * p.Cg) * p.H * p.W;
    __global const float *wt_grp = wt + (size_t)(g * p.Kg) * p.Cg * RS;

#if USE_LOCAL
    /* in_tile and w_tile hold two buffers each: the step after this one is staged into the
     * other buffer while this one is read, so one barrier per step suffices. */
    const int lid = (lz * LY + ly) * LX + lx;
    const int lsize = LX * LY * LZ;
    const int plane = p.in_tile_h * p.in_tile_w;
    const int in_size = p.cb * plane, w_size = KB * p.cb * RS;
#define STAGE(c0_, buf_)                                                                   \
    do {                                                                                   \
        __local float *in_buf_ = in_tile + (buf_) * in_size;                              \
        __local float *w_buf_ = w_tile + (buf_) * w_size;                                 \
        /* The input tile with its halo; zeros for padding and past the edges. */         \
        for (int i = lid; i < in_size; i += lsize) {                                       \
            const int cc = i / plane, rem = i - cc * plane;                                \
            const int ty = rem / p.in_tile_w, tx = rem - ty * p.in_tile_w;                 \
            const int c = (c0_) + cc, iy = iy0 + ty, ix = ix0 + tx;                        \
            float v = 0.0f;                                                                \
            if (c < p.Cg && iy >= 0 && iy < p.H && ix >= 0 && ix < p.W)                    \
                v = in_img[((size_t)c * p.H + iy) * p.W + ix];                             \
            in_buf_[i] = v;                                                                \
        }                                                                                  \
        /* The weights of KB output channels x cb input channels (flipped if asked). */   \
        for (int i = lid; i < w_size; i += lsize) {                                        \
            const int kk = i / (p.cb * RS), rem = i - kk * (p.cb * RS);                    \
            const int cc = rem / RS, rs = rem - cc * RS;                                   \
            const int kg = kg0 + kk, c = (c0_) + cc;                                       \
            float v = 0.0f;                                                                \
            if (kg < p.Kg && c < p.Cg)                                                     \
                v = wt_grp[((size_t)kg * p.Cg + c) * RS + (p.flip ? RS - 1 - rs : rs)];    \
            w_buf_[i] = v;                                                                 \
        }                                                                                  \
    } while (0)
    STAGE(0, 0);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int c0 = 0, cur = 0; c0 < p.Cg; c0 += p.cb, cur ^= 1) {
        __local const float *in_cur = in_tile + cur * in_size;
        __local const float *w_cur = w_tile + cur * w_size;
        const int cn = min(p.cb, p.Cg - c0);
        for (int cc = 0; cc < cn; cc++) {
            for (int r = 0; r < p.R; r++) {
                __local const float *row =
                    in_cur + cc * plane + (ly * p.stride_h + r * p.dil_h) * p.in_tile_w;
                for (int s = 0; s < p.S; s++) {
                    float xv[WPT_X];
                    for (int px = 0; px < WPT_X; px++)
                        xv[px] = row[(px * LX + lx) * p.stride_w + s * p.dil_w];
                    for (int kk = 0; kk < WPT_K; kk++) {
                        const float wv = w_cur[((lz * WPT_K + kk) * p.cb + cc) * RS + r * p.S + s];
                        for (int px = 0; px < WPT_X; px++)
                            acc[kk][px] = mad(wv, xv[px], acc[kk][px]);
                    }
                }
            }
        }
        /* The other buffer was last read in the previous step, before the last barrier. */
        if (c0 + p.cb < p.Cg)
            STAGE(c0 + p.cb, cur ^ 1);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#else
    (void)in_tile;
    (void)w_tile;
    const int oy = tile_y0 + ly;
    for (int c = 0; c < p.Cg; c++) {
        for (int r = 0; r < p.R; r++) {
            const int iy = iy0 + (ly * p.stride_h) + r * p.dil_h;
            const int row_ok = oy < p.OH && iy >= 0 && iy < p.H;
            for (int s = 0; s < p.S; s++) {
                float xv[WPT_X];
                for (int px = 0; px < WPT_X; px++) {
                    const int ix = ix0 + (px * LX + lx) * p.stride_w + s * p.dil_w;
                    xv[px] = row_ok && ix >= 0 && ix < p.W
                                 ? in_img[((size_t)c * p.H + iy) * p.W + ix]
                                 : 0.0f;
                }
                const int rs = r * p.S + s;
                for (int kk = 0; kk < WPT_K; kk++) {
                    const int kg = kg0 + lz * WPT_K + kk;
                    const float wv =
                        kg < p.Kg
                            ? wt_grp[((size_t)kg * p.Cg + c) * RS + (p.flip ? RS - 1 - rs : rs)]
                            : 0.0f;
                    for (int px = 0; px < WPT_X; px++)
                        acc[kk][px] = mad(wv, xv[px], acc[kk][px]);
                }
            }
        }
    }
#endif

    /* Epilogue: bias and activation before the only store. */
    const int oy_out = tile_y0 + ly;
    if (oy_out >= p.OH)
        return;
    for (int kk = 0; kk < WPT_K; kk++) {
        const int kg = kg0 + lz * WPT_K + kk;
        if (kg >= p.Kg)
            break;
        const int k = g * p.Kg + kg;
        const float b = p.has_bias ? bias[k] : 0.0f;
        __global float *out_row = out + (((size_t)n * p.K + k) * p.OH + oy_out) * p.OW;
        for (int px = 0; px < WPT_X; px++) {
            const int ox = tile_x0 + px * LX + lx;
            if (ox < p.OW) {
                const float v = acc[kk][px] + b;
                out_row[ox] = p.activation == 1 ? fmax(v, 0.0f) : v;
            }
        }
    }
}
