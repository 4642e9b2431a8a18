/* Depthwise convolution (one input channel per group: groups == C, K = C x multiplier),
 * shaped for CPUs: a work-item computes rows_per_item output rows of one output channel, PV
 * vectors of VW consecutive pixels at a time (enough work per item that the per-work-group
 * cost of PoCL stays small); each (r, s) tap is one scalar weight times whole input vectors. The
 * input is read from a zero-padded copy (or the tensor when no padding is needed), so the inner
 * loop has no condition. STRIDE1: contiguous vector loads; otherwise the lanes are gathered. */

#ifndef VW
#define VW 16
#endif
#ifndef PV
#define PV 2
#endif
#ifndef STRIDE1
#define STRIDE1 1
#endif

#define VEC_(w) float##w
#define VEC(w) VEC_(w)
typedef VEC(VW) vec;
#define VOP__(op, w) op##w
#define VOP_(op, w) VOP__(op, w)
#define VLOAD(i, p) VOP_(vload, VW)(i, p)
#define VSTORE(v, i, p) VOP_(vstore, VW)(v, i, p)

typedef struct {
    int C, K, OH, OW, XH, XW;
    int R, S, stride_h, stride_w, dil_h, dil_w;
    int Kg;                   /* output channels per input channel (the multiplier) */
    int tiles_x;              /* tiles of PV * VW pixels per output row */
    int rows_per_item;
    int in_n0, out_n0;        /* this pass's first image in the input as read and the output */
    int flip, has_bias, activation;
} dw_shape;

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_depthwise(__global const float *restrict in, __global const float *restrict wt,
                      __global const float *restrict bias, __global float *restrict out,
                      const dw_shape p)
{
    const int oy0 = get_global_id(0) * p.rows_per_item;
    const int oy_end = min(oy0 + p.rows_per_item, p.OH);
    const int nk = get_global_id(1);
    const int k = nk % p.K, n = nk / p.K;
    const int c = k / p.Kg;
    const int RS = p.R * p.S;
    const vec b = (vec)(p.has_bias ? bias[k] : 0.0f);
    __global const float *w = wt + (size_t)k * RS;
    __global const float *x_plane = in + (size_t)((p.in_n0 + n) * p.C + c) * p.XH * p.XW;
    __global float *o_plane = out + (size_t)((p.out_n0 + n) * p.K + k) * p.OH * p.OW;

    for (int oy = oy0; oy < oy_end; oy++) {
        for (int tx = 0; tx < p.tiles_x; tx++) {
            const int ox0 = tx * PV * VW;
            vec acc[PV];
#pragma unroll
            for (int v = 0; v < PV; v++)
                acc[v] = (vec)(0.0f);
            __global const float *x =
                x_plane + (size_t)(oy * p.stride_h) * p.XW + ox0 * p.stride_w;
            for (int r = 0; r < p.R; r++) {
                __global const float *xr = x + (size_t)(r * p.dil_h) * p.XW;
                for (int s = 0; s < p.S; s++) {
                    const int rs = r * p.S + s;
                    const vec wv = (vec)(w[p.flip ? RS - 1 - rs : rs]);
                    __global const float *xs = xr + s * p.dil_w;
#pragma unroll
                    for (int v = 0; v < PV; v++) {
#if STRIDE1
                        const vec xv = VLOAD(0, xs + v * VW);
#else
                        float lane[VW];
                        for (int l = 0; l < VW; l++)
                            lane[l] = xs[(v * VW + l) * p.stride_w];
                        const vec xv = VLOAD(0, lane);
#endif
                        acc[v] = fma(wv, xv, acc[v]);
                    }
                }
            }
            __global float *o = o_plane + (size_t)oy * p.OW + ox0;
#pragma unroll
            for (int v = 0; v < PV; v++) {
                vec y = acc[v] + b;
                if (p.activation == 1)
                    y = fmax(y, (vec)(0.0f));
                if (ox0 + (v + 1) * VW <= p.OW) {
                    VSTORE(y, 0, o + v * VW);
                } else {
                    float lane[VW];
                    VSTORE(y, 0, lane);
                    for (int l = 0; l < VW && ox0 + v * VW + l < p.OW; l++)
                        o[v * VW + l] = lane[l];
                }
            }
        }
    }
}
