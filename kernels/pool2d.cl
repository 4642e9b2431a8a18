/* Max and average pooling over NCHW, PyTorch semantics. The window is clipped to the input for
 * reading, and to the padded input for count_include_pad.
 *
 * GPU-shaped (pool2d_max, pool2d_avg): one work-item per output element over the flattened
 * output, so that a work-group of a few hundred is full whatever the rows' width (rows of 7 or
 * 14 outputs would leave most of a 32-wide row group idle) and neighbouring work-items read and
 * write neighbouring addresses. The window's size is compiled in (POOL_GPU_KH, POOL_GPU_KW)
 * when it is small, so that its loads unroll and are all in flight at once. */

typedef struct {
    int H, W, OH, OW;
    int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    int count_include_pad;
    int planes;             /* N * C */
} pool_shape;

#ifndef POOL_GPU_KH /* else both given by the host */
#define POOL_GPU_KH p.kernel_h
#define POOL_GPU_KW p.kernel_w
#endif

/* The output element of this work-item (the host keeps planes * OH * OW in int range), and its
 * window [y0, y0 + POOL_GPU_KH) x [x0, x0 + POOL_GPU_KW) in input coordinates, unclipped. */
#define POOL_WINDOW()                                                                      \
    const uint i = get_global_id(0);                                                       \
    if (i >= (uint)p.planes * (uint)p.OH * (uint)p.OW)                                     \
        return;                                                                            \
    const uint row = i / (uint)p.OW;                                                       \
    const int ox = (int)(i - row * (uint)p.OW);                                            \
    const int oy = (int)(row % (uint)p.OH), plane = (int)(row / (uint)p.OH);               \
    const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;              \
    __global const float *src = in + (size_t)plane * p.H * p.W

/* STMT for each input cell v of the window, clipped to the input, row by row. */
#define FOR_WINDOW_CELLS(v, STMT)                                                          \
    for (int dy = 0; dy < POOL_GPU_KH; dy++) {                                             \
        const int y = y0 + dy;                                                             \
        if (y < 0 || y >= p.H)                                                             \
            continue;                                                                      \
        for (int dx = 0; dx < POOL_GPU_KW; dx++) {                                         \
            const int x = x0 + dx;                                                         \
            if (x < 0 || x >= p.W)                                                         \
                continue;                                                                  \
            const float v = src[y * p.W + x];                                              \
            STMT;                                                                          \
        }                                                                                  \
    }

__kernel void pool2d_max(__global const float *restrict in, __global float *restrict out,
                         const pool_shape p)
{
    POOL_WINDOW();
    float m = -INFINITY;
    FOR_WINDOW_CELLS(v, m = (v > m || isnan(v)) ? v : m); /* NaN propagates, as in PyTorch */
    out[i] = m;
}

__kernel void pool2d_avg(__global const float *restrict in, __global float *restrict out,
                         const pool_shape p)
{
    POOL_WINDOW();
    float sum = 0.0f;
    FOR_WINDOW_CELLS(v, sum += v);
    /* Cells counted: the window clipped to the padded input, or to the input. */
    const int y1 = min(y0 + POOL_GPU_KH, p.H + p.pad_h), x1 = min(x0 + POOL_GPU_KW, p.W + p.pad_w);
    const int divisor = p.count_include_pad
                            ? (y1 - y0) * (x1 - x0)
                            : (min(y1, p.H) - max(y0, 0)) * (min(x1, p.W) - max(x0, 0));
    out[i] = sum / (float)divisor;
}

/* Vectors at any float-aligned address, as one access (vector_access.clh). */
#define LOAD8(p) LOADU(8, __global, p)
#define LOAD16(p) LOADU(16, __global, p)
#define STORE8(p, v) STOREU(8, __global, p, v)
#define STORE16(p, v) STOREU(16, __global, p, v)

/* pool2d_rows' helpers are inlined by force: measured, PoCL's compiler left the 16-output one a
 * call, and ResNet-50's pool1 took 2.7x longer. */
#define POOL_INLINE static inline __attribute__((always_inline))

/* Max as the plain compare-and-pick (one vmaxps; fmax's NaN rules cost three instructions
 * more). The vector paths that use it mark the windows holding a NaN and set them at the end. */
#define FAST_MAX(a, b) ((a) < (b) ? (b) : (a))

/* The first n lanes of v to p (n < 8), as pieces of 4, 2 and 1. */
static void store_first8(__global float *p, float8 v, int n)
{
    float4 r4 = v.lo;
    if (n & 4) {
        vstore4(v.lo, 0, p);
        p += 4;
        r4 = v.hi;
    }
    float2 r2 = r4.lo;
    if (n & 2) {
        vstore2(r4.lo, 0, p);
        p += 2;
        r2 = r4.hi;
    }
    if (n & 1)
        p[0] = r2.x;
}

/* CPU-shaped pooling: a work-item computes `rows` output rows of one plane, 8 outputs at a time
 * as float8 vectors where the whole window lies inside the input along x (stride 1 or 2:
 * stride 2 reads 16 inputs and keeps the even ones), one output at a time at the borders. A row
 * shorter than a vector takes one vector whose loads run on into the next rows (never past the
 * input's end) and keeps its first lanes. */
#define POOL_VW 8

/* One output of max pooling (NaN propagates, and comes out as the vector paths' NaN). */
static float pool_one_max(__global const float *src, const pool_shape p, int oy, int ox)
{
    int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
    const int y1 = min(y0 + p.kernel_h, p.H), x1 = min(x0 + p.kernel_w, p.W);
    y0 = max(y0, 0);
    x0 = max(x0, 0);
    float m = -INFINITY;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const float v = src[y * p.W + x];
            m = (v > m || isnan(v)) ? v : m;
        }
    return isnan(m) ? NAN : m;
}

/* One output of average pooling, summed in the vector paths' order (a row's taps left to
 * right, then the rows top to bottom, never from 0.0f, which would turn a -0.0f window into
 * +0.0f): an output is the same bits whichever path computed it, and which path does depends
 * on where a row lies in the buffer (short rows, below). A window holds at least one cell of
 * the input (PyTorch's rule, checked when the plan is made). */
static float pool_one_avg(__global const float *src, const pool_shape p, int oy, int ox)
{
    int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
    int y1 = min(y0 + p.kernel_h, p.H + p.pad_h), x1 = min(x0 + p.kernel_w, p.W + p.pad_w);
    const int padded_cells = (y1 - y0) * (x1 - x0);
    y0 = max(y0, 0); x0 = max(x0, 0); y1 = min(y1, p.H); x1 = min(x1, p.W);
    float sum = 0.0f;
    for (int y = y0; y < y1; y++) {
        __global const float *r = src + y * p.W;
        float row = r[x0];
        for (int x = x0 + 1; x < x1; x++)
            row += r[x];
        sum = y == y0 ? row : sum + row;
    }
    return sum / (float)(p.count_include_pad ? padded_cells : (y1 - y0) * (x1 - x0));
}

#define POOL_ONE(src, p, oy, ox, is_max) \
    ((is_max) ? pool_one_max(src, p, oy, ox) : pool_one_avg(src, p, oy, ox))

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

/* Windows 2 and 3 wide at stride 2 (VGG's 2x2/2, ResNet's and GoogLeNet's 3x3/2), 16 outputs
 * at a time: one input row's 32 (33) cells are split once into even and odd lanes, E[j] =
 * x[2j] and O[j] = x[2j + 1], and the taps are E, O and E moved one lane (x[2j + 2]): two or
 * three two-source permutes per row instead of a load and a permute per tap. */
#ifdef POOL_KW_CONST /* (POOL_SW is then a number too) */
#if POOL_SW == 2 && (POOL_KW_CONST == 2 || POOL_KW_CONST == 3)
#define POOL_PAIRS 1
#define POOL_PAIRS_VW 16
#endif
#endif

#ifdef POOL_PAIRS

/* Max (sum for average pooling) of one input row's taps for 16 outputs; `row` is the first
 * window's left cell, every cell up to the last window's right one exists. A NaN among them
 * sets *nan (max pooling: the max of a window with a NaN is NaN). */
static float16 pool_pairs_row(__global const float *row, int16 *nan)
{
    const float16 a = LOAD16(row), b = LOAD16(row + 16);
    const float16 e = shuffle2(a, b, (uint16)(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24,
                                              26, 28, 30));
    const float16 o = shuffle2(a, b, (uint16)(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25,
                                              27, 29, 31));
#if POOL_KW_CONST == 3
    /* x[2j + 2]: cells 2 to 32, from two more loads inside the same span (clang turns a
     * shuffle of e with x[32] into sixteen single-float loads). */
    const float16 a2 = LOAD16(row + 2), b2 = LOAD16(row + 17);
    const float16 e1 = shuffle2(a2, b2, (uint16)(0, 2, 4, 6, 8, 10, 12, 14, 17, 19, 21, 23, 25,
                                                 27, 29, 31));
#endif
#if POOL_IS_MAX
    *nan |= isunordered(e, o); /* per output: its window's cells */
#if POOL_KW_CONST == 3
    *nan |= isnan(e1);
    return FAST_MAX(FAST_MAX(e, o), e1);
#else
    return FAST_MAX(e, o);
#endif
#else
    (void)nan;
#if POOL_KW_CONST == 3
    return e + o + e1;
#else
    return e + o;
#endif
#endif
}

#endif

/* Whether the cells up to `end` (exclusive) past the start of `plane` lie inside the input:
 * a short row's vector may read on into the next rows and planes, but never past the last. */
static int in_buffer(const pool_shape p, int plane, int end)
{
    return (long)plane * p.H * p.W + end <= (long)p.planes * p.H * p.W;
}

#ifdef POOL_PAIRS

/* The 16 outputs from ox of the output row whose window rows are [y0, y1) (y1 > y0). */
POOL_INLINE float16 pool_pairs_at(__global const float *src, const pool_shape p, int y0, int y1,
                                  int ox, float divisor)
{
    int16 nan = (int16)(0);
    float16 acc = pool_pairs_row(src + y0 * p.W + 2 * ox - p.pad_w, &nan);
    for (int y = y0 + 1; y < y1; y++) {
        const float16 r = pool_pairs_row(src + y * p.W + 2 * ox - p.pad_w, &nan);
        acc = POOL_IS_MAX ? FAST_MAX(acc, r) : acc + r;
    }
    if (POOL_IS_MAX)
        acc = select(acc, (float16)(NAN), nan);
    else
        acc /= divisor;
    return acc;
}
#endif

/* The 8 outputs from ox (stride 1 or 2 along x) of the output row over input rows [y0, y1). */
POOL_INLINE float8 pool_vec8_at(__global const float *src, const pool_shape p, int y0, int y1,
                                int ox, float divisor, int is_max)
{
    (void)is_max; /* POOL_IS_MAX may be a constant */
    float8 m = (float8)(-INFINITY), sum = (float8)(0.0f);
    for (int y = y0; y < y1; y++) {
        __global const float *row = src + y * p.W + ox * POOL_SW - p.pad_w;
        /* The row's taps first, then one combine into the window's result: the loop-carried
         * chain is one step per row, not one per tap. Sums start from the first tap and row,
         * as in pool_one_avg. */
        const float8 v0 = POOL_SW == 1 ? LOAD8(row) : LOAD16(row).even;
        float8 rm = v0, rs = v0;
        POOL_KW_UNROLL
        for (int kx = 1; kx < POOL_KW; kx++) {
            const float8 v = POOL_SW == 1 ? LOAD8(row + kx) : LOAD16(row + kx).even;
            if (POOL_IS_MAX)
                rm = select(rm, v, (v > rm) | isnan(v));
            else
                rs += v;
        }
        if (POOL_IS_MAX)
            m = select(m, rm, (rm > m) | isnan(rm));
        else
            sum = y == y0 ? rs : sum + rs;
    }
    return POOL_IS_MAX ? select(m, (float8)(NAN), isnan(m)) : sum / divisor;
}

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
                dst[oy * p.OW + ox] = POOL_ONE(src, p, oy, ox, POOL_IS_MAX);
#ifdef POOL_PAIRS
            /* Outputs whose window is inside the input along x: the last one reads no further
             * than its own window. */
            const int pairs_hi = min((p.W + p.pad_w - POOL_KW_CONST) / 2 + 1, p.OW);
            /* Vectors of 16 up to pairs_hi, the last one overlapping the one before it (an
             * output computed twice is written twice with the same value); a row shorter
             * than a vector (VGG-16's pool5: 7 outputs) takes one vector whose loads run on
             * into the next rows, and keeps its first pairs_hi - ox lanes. */
            const int pairs_whole = pairs_hi - ox >= POOL_PAIRS_VW;
            if (y1 > y0 && pairs_hi > ox &&
                (pairs_whole || in_buffer(p, plane, (y1 - 1) * p.W + 2 * ox - p.pad_w + 33))) {
                for (int done = 0; !done;) {
                    int lanes = POOL_PAIRS_VW;
                    if (ox + POOL_PAIRS_VW >= pairs_hi) {
                        if (pairs_whole)
                            ox = pairs_hi - POOL_PAIRS_VW;
                        else
                            lanes = pairs_hi - ox;
                        done = 1;
                    }
                    const float16 v = pool_pairs_at(src, p, y0, y1, ox, divisor);
                    if (lanes == POOL_PAIRS_VW)
                        STORE16(dst + oy * p.OW + ox, v);
                    else
                        STORE_FIRST16(__global, dst + oy * p.OW + ox, v, lanes);
                    ox += lanes;
                }
            }
#endif
            /* The same with vectors of 8 up to ox_hi. */
            const int whole = ox_hi - ox >= POOL_VW;
            if (vector_ok && ox_hi > ox &&
                (whole ||
                 in_buffer(p, plane,
                           (y1 - 1) * p.W + ox * p.stride_w - p.pad_w + p.kernel_w - 1 +
                               (p.stride_w == 1 ? POOL_VW : 2 * POOL_VW)))) {
                for (int done = 0; !done;) {
                    int lanes = POOL_VW;
                    if (ox + POOL_VW >= ox_hi) {
                        if (whole)
                            ox = ox_hi - POOL_VW;
                        else
                            lanes = ox_hi - ox;
                        done = 1;
                    }
                    const float8 v = pool_vec8_at(src, p, y0, y1, ox, divisor, is_max);
                    if (lanes == POOL_VW)
                        STORE8(dst + oy * p.OW + ox, v);
                    else
                        store_first8(dst + oy * p.OW + ox, v, lanes);
                    ox += lanes;
                }
            }
            for (; ox < p.OW; ox++)
                dst[oy * p.OW + ox] = POOL_ONE(src, p, oy, ox, POOL_IS_MAX);
        }
    }
}

/* Whole-plane pooling (global pooling, or a window the size of the input without padding; the
 * host compiles it with POOL_PLANE_CELLS = H * W and POOL_IS_MAX): each output reduces one
 * plane's contiguous cells, 16 at a time. A work-item takes planes_per_item planes. */
#ifdef POOL_PLANE_CELLS
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void pool2d_planes(__global const float *restrict in, __global float *restrict out,
                   const int planes, const int planes_per_item)
{
    const int plane0 = get_global_id(0) * planes_per_item;
    const int plane1 = min(plane0 + planes_per_item, planes);
    for (int plane = plane0; plane < plane1; plane++) {
        __global const float *x = in + (size_t)plane * POOL_PLANE_CELLS;
        float16 acc16 = POOL_IS_MAX ? (float16)(-INFINITY) : (float16)(0.0f);
        int16 nan16 = (int16)(0);
        int i = 0;
        for (; i + 16 <= POOL_PLANE_CELLS; i += 16) {
            const float16 v = LOAD16(x + i);
            if (POOL_IS_MAX) {
                nan16 |= isnan(v);
                acc16 = FAST_MAX(acc16, v);
            } else {
                acc16 += v;
            }
        }
        float8 a8;
        float4 a4;
        float2 a2;
        float acc;
        if (POOL_IS_MAX) {
            a8 = FAST_MAX(acc16.lo, acc16.hi);
            a4 = FAST_MAX(a8.lo, a8.hi);
            a2 = FAST_MAX(a4.lo, a4.hi);
            acc = FAST_MAX(a2.x, a2.y);
        } else {
            a8 = acc16.lo + acc16.hi;
            a4 = a8.lo + a8.hi;
            a2 = a4.lo + a4.hi;
            acc = a2.x + a2.y;
        }
        int nan = any(nan16);
        for (; i < POOL_PLANE_CELLS; i++) {
            const float v = x[i];
            if (POOL_IS_MAX) {
                nan |= isnan(v);
                acc = FAST_MAX(acc, v);
            } else {
                acc += v;
            }
        }
        out[plane] = POOL_IS_MAX ? (nan ? NAN : acc) : acc / (float)POOL_PLANE_CELLS;
    }
}
#endif

/* 3x3 windows at stride 1 with padding 1, output planes the input's size (GoogLeNet's and
 * Inception's branch pools; the host compiles it with POOL_SAME3 and POOL_IS_MAX): each plane
 * as one flat array, 16 outputs at a time across its rows, so that narrow rows (17 or 35 wide)
 * waste no lanes. Output q's taps are input cells q + (dy - 1) W + (dx - 1); those outside the
 * plane by row or by column hold the padding's identity (-inf for max; -0.0f for sums, which
 * leaves each sum the same bits as pool_one_avg's, taps left to right, rows top to bottom). A
 * work-item takes planes_per_item planes. */
#ifdef POOL_SAME3
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void pool2d_same3(__global const float *restrict in, __global float *restrict out,
                  const pool_shape p, const int planes_per_item)
{
    const int plane0 = get_global_id(0) * planes_per_item;
    const int plane1 = min(plane0 + planes_per_item, p.planes);
    const int W = p.W, H = p.H, P = H * W;
    const long total = (long)p.planes * P;
    const float16 pads = (float16)(POOL_IS_MAX ? -INFINITY : -0.0f);
    for (int plane = plane0; plane < plane1; plane++) {
        const long base = (long)plane * P;
        __global float *dst = out + base;
        /* The running row and column of outputs q0 + lane. */
        int16 col = LANES16 % W, row = LANES16 / W;
        const int dcol = 16 % W, drow = 16 / W;
        for (int q0 = 0; q0 < P; q0 += 16) {
            const int16 left = col >= 1, right = col <= W - 2, up = row >= 1, down = row <= H - 2;
            float16 acc = pads;
            int16 nan = (int16)(0);
#pragma unroll
            for (int dy = 0; dy < 3; dy++) {
                const int16 row_ok = dy == 0 ? up : dy == 2 ? down : (int16)(-1);
                float16 t[3];
#pragma unroll
                for (int dx = 0; dx < 3; dx++) {
                    const long at = base + q0 + (dy - 1) * W + (dx - 1);
                    float16 v;
                    if (at >= 0 && at + 16 <= total) {
                        v = LOAD16(in + at);
                    } else { /* the tensor's first or last cells: lanes past it unread */
                        float l[16];
                        for (int u = 0; u < 16; u++)
                            l[u] = at + u >= 0 && at + u < total ? in[at + u] : 0.0f;
                        v = vload16(0, l);
                    }
                    const int16 ok = row_ok & (dx == 0 ? left : dx == 2 ? right : (int16)(-1));
                    t[dx] = select(pads, v, ok);
                }
                float16 r;
                if (POOL_IS_MAX) {
                    nan |= isunordered(t[0], t[1]) | isnan(t[2]);
                    r = FAST_MAX(FAST_MAX(t[0], t[1]), t[2]);
                    acc = dy == 0 ? r : FAST_MAX(acc, r);
                } else {
                    r = t[0] + t[1] + t[2];
                    acc = dy == 0 ? r : acc + r;
                }
            }
            if (POOL_IS_MAX) {
                acc = select(acc, (float16)(NAN), nan);
            } else {
                /* Cells counted: 9 with the padding, else the window's rows and columns
                 * inside the plane (the masks are -1 where true). */
                const int16 cells = p.count_include_pad ? (int16)(9)
                                                        : (1 - up - down) * (1 - left - right);
                acc /= convert_float16(cells);
            }
            if (q0 + 16 <= P)
                STORE16(dst + q0, acc);
            else
                STORE_FIRST16(__global, dst + q0, acc, P - q0);
            col += dcol;
            row += drow;
            const int16 wrap = col >= W;
            col = select(col, col - W, wrap);
            row = select(row, row + 1, wrap);
        }
    }
}
#endif
