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
