/* Max and average pooling over NCHW, PyTorch semantics. One work-item per output element,
 * work-items along the output row so that loads and stores are coalesced. The window is
 * clipped to the input for reading, and to the padded input for count_include_pad. */

typedef struct {
    int H, W, OH, OW;
    int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    int count_include_pad;
    int planes;             /* N * C */
} pool_shape;

#define POOL_WINDOW()                                                                  \
    const int ox = get_global_id(0), oy = get_global_id(1), plane = get_global_id(2); \
    if (ox >= p.OW || oy >= p.OH || plane >= p.planes)                                \
        return;                                                                        \
    int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;                \
    int y1 = min(y0 + p.kernel_h, p.H + p.pad_h), x1 = min(x0 + p.kernel_w, p.W + p.pad_w); \
    const int padded_cells = (y1 - y0) * (x1 - x0);                                    \
    y0 = max(y0, 0); x0 = max(x0, 0); y1 = min(y1, p.H); x1 = min(x1, p.W);            \
    __global const float *src = in + (size_t)plane * p.H * p.W;

__kernel void pool2d_max(__global const float *restrict in, __global float *restrict out,
                         const pool_shape p)
{
    POOL_WINDOW();
    (void)padded_cells;
    float m = -INFINITY;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const float v = src[y * p.W + x];
            m = (v > m || isnan(v)) ? v : m; /* NaN propagates, as in PyTorch */
        }
    out[((size_t)plane * p.OH + oy) * p.OW + ox] = m;
}

__kernel void pool2d_avg(__global const float *restrict in, __global float *restrict out,
                         const pool_shape p)
{
    POOL_WINDOW();
    float sum = 0.0f;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            sum += src[y * p.W + x];
    const int divisor = p.count_include_pad ? padded_cells : (y1 - y0) * (x1 - x0);
    out[((size_t)plane * p.OH + oy) * p.OW + ox] = sum / (float)divisor;
}

/* CPU-shaped pooling: a work-item computes `rows` output rows of one plane, 8 outputs at a time
 * as float8 vectors where the whole window lies inside the input along x (stride 1 or 2:
 * stride 2 reads 16 inputs and keeps the even ones), one output at a time at the borders. */
#define POOL_VW 8

static float pool_one(__global const float *src, const pool_shape p, int oy, int ox, int is_max)
{
    int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
    int y1 = min(y0 + p.kernel_h, p.H + p.pad_h), x1 = min(x0 + p.kernel_w, p.W + p.pad_w);
    const int padded_cells = (y1 - y0) * (x1 - x0);
    y0 = max(y0, 0); x0 = max(x0, 0); y1 = min(y1, p.H); x1 = min(x1, p.W);
    float m = -INFINITY, sum = 0.0f;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const float v = src[y * p.W + x];
            m = (v > m || isnan(v)) ? v : m;
            sum += v;
        }
    if (is_max)
        return m;
    return sum / (float)(p.count_include_pad ? padded_cells : (y1 - y0) * (x1 - x0));
}

/* pool2d_rows' window width, stride along x and mode as constants when the host gives them
 * (the taps' loop unrolls; average pooling skips the max and max pooling the sums). */
#ifdef POOL_KW_CONST
#define POOL_KW POOL_KW_CONST
#define POOL_KW_UNROLL _Pragma("unroll")
#else
#define POOL_KW p.kernel_w
#define POOL_KW_UNROLL
#endif
#ifndef POOL_SW
#define POOL_SW p.stride_w
#endif
#ifndef POOL_IS_MAX
#define POOL_IS_MAX is_max
#endif

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void pool2d_rows(__global const float *restrict in, __global float *restrict out,
                 const pool_shape p, const int rows, const int planes_per_item,
                 const int is_max)
{
    const int oy0 = get_global_id(0) * rows;
    const int oy1 = min(oy0 + rows, p.OH);
    const int plane0 = get_global_id(1) * planes_per_item;
    const int plane1 = min(plane0 + planes_per_item, p.planes);
    for (int plane = plane0; plane < plane1; plane++) {
        __global const float *src = in + (size_t)plane * p.H * p.W;
        __global float *dst = out + (size_t)plane * p.OH * p.OW;
        /* Outputs whose window is inside the input along x: [ox_lo, ox_hi); with stride 2 the
         * 16-wide load reads one input past the window, which must exist too. */
        const int ox_lo = (p.pad_w + p.stride_w - 1) / p.stride_w;
        const int kread = p.kernel_w + (p.stride_w == 2 ? 1 : 0);
        int ox_hi = p.W + p.pad_w >= kread ? (p.W + p.pad_w - kread) / p.stride_w + 1 : 0;
        ox_hi = min(ox_hi, p.OW);
        const int vector_ok = p.stride_w == 1 || p.stride_w == 2;
        for (int oy = oy0; oy < oy1; oy++) {
            int y0 = oy * p.stride_h - p.pad_h;
            int y1 = min(y0 + p.kernel_h, p.H + p.pad_h);
            const int rows_padded = y1 - y0;
            y0 = max(y0, 0);
            y1 = min(y1, p.H);
            const int rows_counted = p.count_include_pad ? rows_padded : y1 - y0;
            const float divisor = (float)(rows_counted * p.kernel_w);
            int ox = 0;
            for (; ox < min(ox_lo, p.OW); ox++)
                dst[oy * p.OW + ox] = pool_one(src, p, oy, ox, is_max);
            if (vector_ok && ox_hi - ox >= POOL_VW) {
                /* Chunks of 8 up to ox_hi; the last one may overlap the one before it (an output
                 * computed twice is written twice with the same value). */
                for (int done = 0; !done;) {
                    if (ox + POOL_VW >= ox_hi) {
                        ox = ox_hi - POOL_VW;
                        done = 1;
                    }
                    float8 m = (float8)(-INFINITY), sum = (float8)(0.0f);
                    for (int y = y0; y < y1; y++) {
                        __global const float *row = src + y * p.W + ox * POOL_SW - p.pad_w;
                        /* The row's taps first, then one combine into the window's result:
                         * the loop-carried chain is one step per row, not one per tap. */
                        float8 rm = (float8)(-INFINITY), rs = (float8)(0.0f);
                        POOL_KW_UNROLL
                        for (int kx = 0; kx < POOL_KW; kx++) {
                            float8 v;
                            if (POOL_SW == 1)
                                v = vload8(0, row + kx);
                            else
                                v = vload16(0, row + kx).even;
                            if (POOL_IS_MAX)
                                rm = select(rm, v, (v > rm) | isnan(v));
                            else
                                rs += v;
                        }
                        if (POOL_IS_MAX)
                            m = select(m, rm, (rm > m) | isnan(rm));
                        else
                            sum += rs;
                    }
                    vstore8(POOL_IS_MAX ? m : sum / divisor, 0, dst + oy * p.OW + ox);
                    ox += POOL_VW;
                }
            }
            for (; ox < p.OW; ox++)
                dst[oy * p.OW + ox] = pool_one(src, p, oy, ox, is_max);
        }
    }
}
