/* Depthwise convolution (one input channel per group: groups == C, K = C x multiplier),
 * shaped for CPUs: a work-item computes rows_per_item output rows of one output channel, PV
 * vectors of VW consecutive pixels at a time (enough work per item that the per-work-group
 * cost of PoCL stays small); each (r, s) tap is one scalar weight times whole input vectors.
 *
 * The work-item first stages the input rows it needs, zero-padded, in local memory (its own:
 * work-groups of one item), so that the taps' loops have no condition and no separate copy of
 * the whole input is made (that copy, a launch of its own, took about half of a small layer's
 * time). STRIDE (1 or 2): whole-vector loads, every other lane for 2; 0: any stride, the lanes
 * gathered one by one.
 *
 * FLAT_PLANE 1 (stride 1, dilation 1, "same" padding): whole planes per work-item, each staged
 * once and run as one flat array, vectors of VW consecutive outputs across its rows
 * (depthwise_planes). FLAT_PLANE 2 (stride 2, dilation 1, outputs covering the input): the
 * same over the plane's four (row, column) parities (depthwise_phases). */

#ifndef VW
#define VW 16
#endif
#ifndef PV
#define PV 2
#endif
#ifndef STRIDE
#define STRIDE 1
#endif
#ifndef FLAT_PLANE
#define FLAT_PLANE 0
#endif
#ifndef KR /* the kernel's rows and columns compiled in (0: the shape's, read at run time) */
#define KR 0
#endif
#ifndef KS
#define KS 0
#endif
#if KR && KS
#define R_ KR
#define S_ KS
#else
#define R_ p.R
#define S_ p.S
#endif

#define VEC_(w) float##w
#define VEC(w) VEC_(w)
typedef VEC(VW) vec;
#define VOP__(op, w) op##w
#define VOP_(op, w) VOP__(op, w)
#define VLOAD(i, p) VOP_(vload, VW)(i, p)
#define VSTORE(v, i, p) VOP_(vstore, VW)(v, i, p)
/* LOAD(AS, p) / STORE(AS, p, v): a vector at any float-aligned address of address space AS, as
 * one access; STORE_FIRST, the first n lanes of v (n < VW) to d: a row's or a plane's last
 * vector (vector_access.clh). */
#define LOAD(AS, p) LOADU(VW, AS, p)
#define STORE(AS, p, v) STOREU(VW, AS, p, v)
#if VW == 16
#define STORE_FIRST(AS, d, v, n) STORE_FIRST16(AS, d, v, n)
#else
#define STORE_FIRST(AS, d, v, n)                                                              \
    do {                                                                                      \
        float l_[VW];                                                                         \
        VSTORE(v, 0, l_);                                                                     \
        for (int i_ = 0; i_ < (n); i_++)                                                      \
            (d)[i_] = l_[i_];                                                                 \
    } while (0)
#endif

typedef struct {
    int C, K, H, W, OH, OW;
    int XW;                   /* staged row width: the tiles' columns, padding included */
    int R, S, stride_h, stride_w, dil_h, dil_w, pad_t, pad_l;
    int Kg;                   /* output channels per input channel (the multiplier) */
    int tiles_x;              /* tiles of PV * VW pixels per output row */
    int rows_per_item;
    int planes_per_item;      /* output planes (n, k) per work-item, on small maps */
    int planes;               /* N x K */
    int flip, has_bias, activation;
} dw_shape;

/* Input row iy of plane x, columns [-pad_l, XW - pad_l), zeros outside the input, to dst. */
static void stage_row(__global const float *restrict x, __local float *restrict dst,
                      const int iy, const dw_shape *p)
{
    const int n = iy >= 0 && iy < p->H ? max(0, min(p->W, p->XW - p->pad_l)) : 0;
    const int left = n > 0 ? min(p->pad_l, p->XW) : p->XW;
    /* The left padding, the row (its last vector overlapping the one before), then the right
     * padding as whole vectors that may run past XW: into the next row, staged after this one,
     * or into the vector of slack after the last. */
    int q = 0;
    for (; q + VW <= left; q += VW)
        STORE(__local, dst + q, (vec)(0.0f));
    for (; q < left; q++)
        dst[q] = 0.0f;
    if (n > 0) {
        __global const float *src = x + (size_t)iy * p->W;
        int i = 0;
        for (; i + VW <= n; i += VW)
            STORE(__local, dst + left + i, LOAD(__global, src + i));
        if (i < n && n >= VW) {
            STORE(__local, dst + left + n - VW, LOAD(__global, src + n - VW));
        } else if (i < n && (long)iy * p->W + VW <= (long)p->H * p->W) {
            /* A row shorter than a vector, read whole: the lanes past it come from the plane's
             * next rows, and the right padding below overwrites them. */
            STORE(__local, dst + left, LOAD(__global, src));
        } else {
            for (; i < n; i++)
                dst[left + i] = src[i];
        }
        for (q = left + n; q < p->XW; q += VW)
            STORE(__local, dst + q, (vec)(0.0f));
    }
}

/* Output rows [oy0, oy_end) of output plane nk. */
static void depthwise_rows(__global const float *restrict in, __global const float *restrict wt,
                           __global const float *restrict bias, __global float *restrict out,
                           const dw_shape p, __local float *restrict stage, const int oy0,
                           const int oy_end, const int nk)
{
    const int k = nk % p.K, n = nk / p.K;
    const int c = k / p.Kg;
    const int RS = p.R * p.S;
    const vec b = (vec)(p.has_bias ? bias[k] : 0.0f);
    __global const float *w = wt + (size_t)k * RS;
    __global float *o_plane = out + (size_t)(n * p.K + k) * p.OH * p.OW;

    /* The input rows of output rows [oy0, oy_end), staged from input row iy0 on. */
    const int iy0 = oy0 * p.stride_h - p.pad_t;
    const int rows_in = (oy_end - 1 - oy0) * p.stride_h + (p.R - 1) * p.dil_h + 1;
    __global const float *x_plane = in + (size_t)(n * p.C + c) * p.H * p.W;
    for (int j = 0; j < rows_in; j++)
        stage_row(x_plane, stage + (size_t)j * p.XW, iy0 + j, &p);

#if KR && KS
    /* The taps' weights, flipped or not, once per plane. */
    float wk[KR * KS];
#pragma unroll
    for (int rs = 0; rs < KR * KS; rs++)
        wk[rs] = w[p.flip ? RS - 1 - rs : rs];
#define TAP_WEIGHT(rs) wk[rs]
/* One accumulator per kernel row: a chain of S_ dependent FMAs each rather than one of R_ x S_
 * (the FMA's latency, not its throughput, bounded the single chain). */
#define CHAINS KR
#define CHAIN(r) (r)
#else
#define TAP_WEIGHT(rs) w[p.flip ? RS - 1 - (rs) : (rs)]
#define CHAINS 1
#define CHAIN(r) 0
#endif
    for (int oy = oy0; oy < oy_end; oy++) {
        for (int tx = 0; tx < p.tiles_x; tx++) {
            const int ox0 = tx * PV * VW;
            vec acc[PV][CHAINS];
#pragma unroll
            for (int v = 0; v < PV; v++)
#pragma unroll
                for (int h = 0; h < CHAINS; h++)
                    acc[v][h] = (vec)(0.0f);
            __local const float *x =
                stage + (size_t)((oy - oy0) * p.stride_h) * p.XW + ox0 * p.stride_w;
#pragma unroll
            for (int r = 0; r < R_; r++) {
                __local const float *xr = x + (size_t)(r * p.dil_h) * p.XW;
#pragma unroll
                for (int s = 0; s < S_; s++) {
                    const vec wv = (vec)(TAP_WEIGHT(r * S_ + s));
                    __local const float *xs = xr + s * p.dil_w;
#pragma unroll
                    for (int v = 0; v < PV; v++) {
#if STRIDE == 1
                        const vec xv = LOAD(__local, xs + v * VW);
#elif STRIDE == 2 && VW == 16
                        const vec xv = EVEN_ODD16(LOAD(__local, xs + 2 * v * VW),
                                                  LOAD(__local, xs + 2 * v * VW + VW), 0);
#else
                        float lane[VW];
                        for (int l = 0; l < VW; l++)
                            lane[l] = xs[(v * VW + l) * p.stride_w];
                        const vec xv = VLOAD(0, lane);
#endif
                        acc[v][CHAIN(r)] = fma(wv, xv, acc[v][CHAIN(r)]);
                    }
                }
            }
            __global float *o = o_plane + (size_t)oy * p.OW + ox0;
#pragma unroll
            for (int v = 0; v < PV; v++) {
                vec y = b;
#pragma unroll
                for (int h = 0; h < CHAINS; h++)
                    y += acc[v][h];
                if (p.activation == 1)
                    y = fmax(y, (vec)(0.0f));
                if (ox0 + (v + 1) * VW <= p.OW) {
                    STORE(__global, o + v * VW, y);
                } else if (ox0 + v * VW < p.OW) {
                    STORE_FIRST(__global, o + v * VW, y, p.OW - ox0 - v * VW);
                }
            }
        }
    }
}

#if FLAT_PLANE
#if !(KR && KS && VW == 16)
#error "FLAT_PLANE: a compiled-in kernel size and float16 vectors"
#endif
/* Output rows [oy0, oy_end) of planes [nk0, nk_end), from their inputs staged item_floats
 * apart: vector q0's tap (r, s) is one load at q0 + roff[r] + coff[s], q0 counted from row oy0
 * (offsets by row and by column rather than per tap: nine per-tap offsets did not stay in
 * registers, and the 112x112 and 56x56 maps took 8-10% longer).
 * Its lanes whose output column shifted by dj[s] leaves the row read a neighbouring row, so the
 * sums are kept per kernel column s and masked by a running column index before they are
 * added. */
static void flat_outputs(__global const float *restrict wt, __global const float *restrict bias,
                         __global float *restrict out, const dw_shape p,
                         __local const float *restrict stage, const int item_floats,
                         const int *roff, const int *coff, const int *dj, const int oy0,
                         const int oy_end, const int nk0, const int nk_end)
{
    const int width = p.OW, P = (oy_end - oy0) * width;
    const int16 col0 = LANES16 % width; /* the running column of outputs q0 + lane */
    const int step = VW % width;
    for (int nk = nk0; nk < nk_end; nk++) {
        const int k = nk % p.K, n = nk / p.K;
        __local const float *src = stage + (size_t)(nk - nk0) * item_floats;
        float wk[KR * KS];
#pragma unroll
        for (int rs = 0; rs < KR * KS; rs++)
            wk[rs] = wt[(size_t)k * KR * KS + (p.flip ? KR * KS - 1 - rs : rs)];
        const vec b = (vec)(p.has_bias ? bias[k] : 0.0f);
        __global float *o = out + ((size_t)(n * p.K + k) * p.OH + oy0) * p.OW;
        int16 col = col0;
        for (int q0 = 0; q0 < P; q0 += VW) {
            vec acc[KS];
#pragma unroll
            for (int s = 0; s < KS; s++) {
                acc[s] = (vec)(0.0f);
#pragma unroll
                for (int r = 0; r < KR; r++)
                    acc[s] = fma((vec)(wk[r * KS + s]),
                                 LOAD(__local, src + q0 + roff[r] + coff[s]), acc[s]);
            }
            vec y = b;
#pragma unroll
            for (int s = 0; s < KS; s++) {
                const int16 c = col + dj[s];
                y += select((vec)(0.0f), acc[s], c >= 0 && c < width);
            }
            if (p.activation == 1)
                y = fmax(y, (vec)(0.0f));
            if (q0 + VW <= P)
                STORE(__global, o + q0, y);
            else
                STORE_FIRST(__global, o + q0, y, P - q0);
            col += step;
            col = select(col, col - width, col >= width);
        }
    }
}
#endif

#if FLAT_PLANE == 1
/* A staged band of rows_per_item output rows (a whole plane, or a band of a large one): VW
 * zeros, the input rows its taps read (zeros outside the input), then two vectors of zeros or
 * more (whole vectors): output pixel q's tap (r, s) is at q + r W + s - pad_l from the first
 * row's start. Host: cl_conv2d_depthwise.c computes the same size. */
#define BAND_FLOATS(p) ((VW + ((p).rows_per_item + (p).R - 1) * (p).W + 3 * VW - 1) / VW * VW)

/* Output rows [oy0, oy_end) of planes [nk0, nk_end): every plane's band staged first (a band's
 * loads right after its stores would wait for them), then each run flat. */
static void depthwise_planes(__global const float *restrict in, __global const float *restrict wt,
                             __global const float *restrict bias, __global float *restrict out,
                             const dw_shape p, __local float *restrict stage, const int oy0,
                             const int oy_end, const int nk0, const int nk_end)
{
    const int band_floats = BAND_FLOATS(p);
    /* The input rows [iy0, iy1) the band reads, of which [lo, hi) are inside the input. */
    const int iy0 = oy0 - p.pad_t, iy1 = oy_end - 1 - p.pad_t + p.R;
    const int lo = max(iy0, 0), hi = min(iy1, p.H);
    const int P = (hi - lo) * p.W;
    for (int nk = nk0; nk < nk_end; nk++) {
        const int k = nk % p.K, n = nk / p.K;
        __global const float *x =
            in + (size_t)(n * p.C + k / p.Kg) * p.H * p.W + (size_t)max(lo, 0) * p.W;
        __local float *dst = stage + (size_t)(nk - nk0) * band_floats;
        for (int q = 0; q < band_floats; q += VW)
            STORE(__local, dst + q, (vec)(0.0f));
        __local float *d = dst + VW + (lo - iy0) * p.W;
        int i = 0;
        for (; i + VW <= P; i += VW)
            STORE(__local, d + i, LOAD(__global, x + i));
        if (i < P && P >= VW)
            STORE(__local, d + P - VW, LOAD(__global, x + P - VW));
        else
            for (; i < P; i++)
                d[i] = x[i];
    }
    /* Tap (r, s) of output q at q + r W + s - pad_l past the band's margin. */
    int roff[KR], coff[KS], dj[KS];
#pragma unroll
    for (int r = 0; r < KR; r++)
        roff[r] = VW - p.pad_l + r * p.W;
#pragma unroll
    for (int s = 0; s < KS; s++) {
        coff[s] = s;
        dj[s] = s - p.pad_l;
    }
    flat_outputs(wt, bias, out, p, stage, band_floats, roff, coff, dj, oy0, oy_end, nk0, nk_end);
}
#endif

#if FLAT_PLANE == 2
/* floor(v / 2) for any sign. */
static int half_floor(const int v)
{
    return v >= 0 ? v / 2 : -((1 - v) / 2);
}

/* Stride 2: the input plane as its four parities, phase (py, px) holding inputs (2i + py,
 * 2j + px) in rows of OW. Tap (r, s) of output (oy, ox) reads input (2 oy + a, 2 ox + b),
 * a = r - pad_t, b = s - pad_l: phase (a & 1, b & 1) at (oy + floor(a / 2), ox + floor(b / 2)),
 * so that the outputs run flat over the phases. For output rows [oy0, oy0 + rows_per_item), a
 * phase holds the rows i from oy0 + DI0 on, DI0 = floor(-pad_t / 2), rows_per_item + DI1 - DI0
 * of them (DI1 = floor((R - 1 - pad_t) / 2)), after a vector of margin and before two. Inputs
 * outside the plane, and columns j >= OW, are zeros or never read unmasked: the host takes this
 * path only where 2 OW >= W and 2 OH >= H. */
#define PHASE_ROWS(p)                                                                          \
    ((p).rows_per_item + half_floor((p).R - 1 - (p).pad_t) - half_floor(-(p).pad_t))
#define PHASE_FLOATS(p) ((VW + PHASE_ROWS(p) * (p).OW + 3 * VW - 1) / VW * VW)

static void depthwise_phases(__global const float *restrict in, __global const float *restrict wt,
                             __global const float *restrict bias, __global float *restrict out,
                             const dw_shape p, __local float *restrict stage, const int oy0,
                             const int oy_end, const int nk0, const int nk_end)
{
    const int rows = PHASE_ROWS(p) - (p.rows_per_item - (oy_end - oy0));
    const int phase_floats = PHASE_FLOATS(p);
    const int di0 = half_floor(-p.pad_t);
    const int HW = p.H * p.W;
    for (int nk = nk0; nk < nk_end; nk++) {
        const int k = nk % p.K, n = nk / p.K;
        __global const float *x = in + (size_t)(n * p.C + k / p.Kg) * HW;
        __local float *dst = stage + (size_t)(nk - nk0) * 4 * phase_floats;
        for (int q = 0; q < 4 * phase_floats; q += VW)
            STORE(__local, dst + q, (vec)(0.0f));
        /* Row t of phases (py, 0) and (py, 1): input row 2 (t + di0) + py, split into its even
         * and odd columns, VW of each at a time; lanes past the row (the next rows and planes)
         * are zeroed, and a chunk that would read past the tensor gathers its lanes one by one.
         * Rows are written in order, so a chunk running past its phase row (zeros) is
         * overwritten by the next. */
        const size_t left = (size_t)(p.planes / p.K) * p.C * HW - (size_t)(x - in);
        for (int t = 0; t < rows; t++) {
            for (int py = 0; py < 2; py++) {
                const int iy = 2 * (oy0 + t + di0) + py;
                if (iy < 0 || iy >= p.H)
                    continue;
                __local float *even = dst + (2 * py) * phase_floats + VW + t * p.OW;
                __local float *odd = even + phase_floats;
                for (int j0 = 0; j0 < p.OW && 2 * j0 < p.W; j0 += VW) {
                    const int base = iy * p.W + 2 * j0;
                    vec lo, hi;
                    if ((size_t)base + 2 * VW <= left) {
                        lo = LOAD(__global, x + base);
                        hi = LOAD(__global, x + base + VW);
                    } else {
                        float l[2 * VW];
                        for (int u = 0; u < 2 * VW; u++)
                            l[u] = base + u < HW ? x[base + u] : 0.0f;
                        lo = VLOAD(0, l);
                        hi = VLOAD(1, l);
                    }
                    const int16 c = 2 * j0 + LANES16;
                    lo = select((vec)(0.0f), lo, c < p.W);
                    hi = select((vec)(0.0f), hi, c + VW < p.W);
                    STORE(__local, even + j0, EVEN_ODD16(lo, hi, 0));
                    STORE(__local, odd + j0, EVEN_ODD16(lo, hi, 1));
                }
            }
        }
    }
    /* Tap (r, s): its phase's row (py = (r - pad_t) & 1) and row shift, then its phase's column
     * (px = (s - pad_l) & 1) and column shift. */
    int roff[KR], coff[KS], dj[KS];
#pragma unroll
    for (int r = 0; r < KR; r++)
        roff[r] = 2 * ((r - p.pad_t) & 1) * phase_floats + VW +
                  (half_floor(r - p.pad_t) - di0) * p.OW;
#pragma unroll
    for (int s = 0; s < KS; s++) {
        dj[s] = half_floor(s - p.pad_l);
        coff[s] = ((s - p.pad_l) & 1) * phase_floats + dj[s];
    }
    flat_outputs(wt, bias, out, p, stage, 4 * phase_floats, roff, coff, dj, oy0, oy_end, nk0,
                 nk_end);
}
#endif

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_depthwise(__global const float *restrict in, __global const float *restrict wt,
                      __global const float *restrict bias, __global float *restrict out,
                      const dw_shape p, __local float *restrict stage)
{
    const int nk0 = get_global_id(1) * p.planes_per_item;
    const int nk_end = min(nk0 + p.planes_per_item, p.planes);
    const int oy0 = get_global_id(0) * p.rows_per_item;
    const int oy_end = min(oy0 + p.rows_per_item, p.OH);
#if FLAT_PLANE == 1
    depthwise_planes(in, wt, bias, out, p, stage, oy0, oy_end, nk0, nk_end);
#elif FLAT_PLANE == 2
    depthwise_phases(in, wt, bias, out, p, stage, oy0, oy_end, nk0, nk_end);
#else
    for (int nk = nk0; nk < nk_end; nk++)
        depthwise_rows(in, wt, bias, out, p, stage, oy0, oy_end, nk);
#endif
}
