/* Layout changes that the CPU-shaped convolutions read: repacked weights (once per plan and
 * weight contents) and a zero-padded copy of the input. Memory-bound, one element per item. */

/* OIHW weights -> [group][k-block][c][r][s][KB] with KB = KV*VW channels per block, zero for
 * channels past the group's Kg. flip: the kernel rotated by 180 degrees. */
__kernel void conv2d_pack_weights(__global const float *restrict w, __global float *restrict packed,
                                  const int Kg, const int Cg, const int RS, const int KB,
                                  const int k_blocks, const int groups, const int flip)
{
    const int i = get_global_id(0);
    const int total = groups * k_blocks * Cg * RS * KB;
    if (i >= total)
        return;
    int rest = i;
    const int l = rest % KB;       rest /= KB;
    const int rs = rest % RS;      rest /= RS;
    const int c = rest % Cg;       rest /= Cg;
    const int kb = rest % k_blocks;
    const int g = rest / k_blocks;
    const int kg = kb * KB + l;
    float v = 0.0f;
    if (kg < Kg)
        v = w[((size_t)(g * Kg + kg) * Cg + c) * RS + (flip ? RS - 1 - rs : rs)];
    packed[i] = v;
}

/* Row yy of padded plane `plane` (see conv2d_pad_input): the row's input columns land at
 * [pad_l, pad_l + n), zeros around them. */
static inline void pad_row(__global const float *restrict x, __global float *restrict padded,
                           const int H, const int W, const int XH, const int XW, const int pad_t,
                           const int pad_l, const int plane_base, const int plane, const int yy)
{
    __global float *dst = padded + ((size_t)plane * XH + yy) * XW;
    const int iy = yy - pad_t;
    const int n = iy >= 0 && iy < H ? max(0, min(W, XW - pad_l)) : 0;
    const int left = n > 0 ? min(pad_l, XW) : XW;
    int q = 0;
    for (; q + 16 <= left; q += 16)
        vstore16((float16)(0.0f), 0, dst + q);
    for (; q < left; q++)
        dst[q] = 0.0f;
    if (n > 0) {
        __global const float *src = x + ((size_t)(plane_base + plane) * H + iy) * W;
        int i = 0;
        for (; i + 16 <= n; i += 16)
            vstore16(vload16(0, src + i), 0, dst + left + i);
        for (; i < n; i++)
            dst[left + i] = src[i];
        for (q = left + n; q + 16 <= XW; q += 16)
            vstore16((float16)(0.0f), 0, dst + q);
        for (; q < XW; q++)
            dst[q] = 0.0f;
    }
}

/* NCHW input planes [plane_base, plane_base + planes) -> planes of XH x XW with the padding
 * (top, left) as zeros, and zeros past the input on the bottom and right. One work-item per
 * `rows` rows of a plane of the copy, moving whole float16 vectors: shaped for CPUs, where one
 * element per work-item ran at about 10 GB/s on PoCL (a quarter of a strided 3x3 layer's time)
 * and one row per work-item paid PoCL's per-work-group cost on small maps. */
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_pad_input(__global const float *restrict x, __global float *restrict padded,
                      const int H, const int W, const int XH, const int XW, const int pad_t,
                      const int pad_l, const int plane_base, const int rows)
{
    const int plane = get_global_id(1);
    const int y0 = get_global_id(0) * rows, y_end = min(XH, y0 + rows);
    for (int yy = y0; yy < y_end; yy++)
        pad_row(x, padded, H, W, XH, XW, pad_t, pad_l, plane_base, plane, yy);
}
