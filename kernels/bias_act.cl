/* out = act(x + bias[c]) over NCHW; in place when out == x. One work-item per element. */

__kernel void bias_act(__global const float *x, __global const float *restrict bias,
                       __global float *out, const int count, const int plane, const int channels,
                       const int has_bias, const int activation)
{
    const int i = get_global_id(0);
    if (i >= count)
        return;
    float v = x[i];
    if (has_bias)
        v += bias[(i / plane) % channels];
    if (activation == 1)
        v = fmax(v, 0.0f);
    out[i] = v;
}
