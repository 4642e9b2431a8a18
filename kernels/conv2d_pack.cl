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

/* NCHW input planes [plane_base, plane_base + planes) -> planes of XH x XW with the padding
 * (top, left) as zeros, and zeros past the input on the bottom and right. */
__kernel void conv2d_pad_input(__global const float *restrict x, __global float *restrict padded,
                               const int planes, const int H, const int W, const int XH,
                               const int XW, const int pad_t, const int pad_l,
                               const int plane_base)
{
    const int xx = get_global_id(0), yy = get_global_id(1), plane = get_global_id(2);
    if (xx >= XW || yy >= XH || plane >= planes)
        return;
    const int iy = yy - pad_t, ix = xx - pad_l;
    float v = 0.0f;
    if (iy >= 0 && iy < H && ix >= 0 && ix < W)
        v = x[((size_t)(plane_base + plane) * H + iy) * W + ix];
    padded[((size_t)plane * XH + yy) * XW + xx] = v;
}
