/* The reference path: the definitions, written as plainly as possible. Double accumulation;
 * no tiling, no cleverness: this is what every device result is checked against. */
#include "reference.h"

#include <float.h>
#include <math.h>
#include <time.h>

static double activate(cnn_activation act, double v)
{
    return act == CNN_ACTIVATION_RELU && v < 0.0 ? 0.0 : v;
}

double cnn_ref_conv2d_point(const cnn_conv2d_desc *d, const float *in, const float *weights,
                            const float *bias, int64_t n, int64_t k, int64_t oy, int64_t ox,
                            double *abs_sum)
{
    const int64_t cg = d->c / d->groups;   /* input channels per group */
    const int64_t kg = d->k / d->groups;   /* output channels per group */
    const int64_t g = k / kg;
    double sum = 0.0, mag = 0.0;
    for (int64_t ci = 0; ci < cg; ci++) {
        const int64_t c = g * cg + ci;
        for (int64_t r = 0; r < d->r; r++) {
            const int64_t iy = oy * d->stride_h - d->pad_top + r * d->dilation_h;
            if (iy < 0 || iy >= d->h)
                continue;
            for (int64_t s = 0; s < d->s; s++) {
                const int64_t ix = ox * d->stride_w - d->pad_left + s * d->dilation_w;
                if (ix < 0 || ix >= d->w)
                    continue;
                /* flip: the mathematical convolution uses the kernel rotated by 180 degrees */
                const int64_t wr = d->flip ? d->r - 1 - r : r;
                const int64_t ws = d->flip ? d->s - 1 - s : s;
                const double x = in[((n * d->c + c) * d->h + iy) * d->w + ix];
                const double w = weights[((k * cg + ci) * d->r + wr) * d->s + ws];
                sum += x * w;
                mag += fabs(x * w);
            }
        }
    }
    if (d->has_bias && bias) {
        sum += bias[k];
        mag += fabs((double)bias[k]);
    }
    if (abs_sum)
        *abs_sum = mag;
    return activate(d->activation, sum);
}

void cnn_ref_conv2d(const cnn_conv2d_desc *d, float *out, const float *in, const float *weights,
                    const float *bias)
{
    for (int64_t n = 0; n < d->n; n++)
        for (int64_t k = 0; k < d->k; k++)
            for (int64_t oy = 0; oy < d->oh; oy++)
                for (int64_t ox = 0; ox < d->ow; ox++)
                    out[((n * d->k + k) * d->oh + oy) * d->ow + ox] =
                        (float)cnn_ref_conv2d_point(d, in, weights, bias, n, k, oy, ox, NULL);
}

double cnn_ref_conv2d_tolerance(const cnn_conv2d_desc *d, const float *weights, int64_t k,
                                double abs_sum, double x_max)
{
    const double tol = 1e-5 * abs_sum + 1e-6;
    if (d->algo != CNN_CONV2D_ALGO_WINOGRAD)
        return tol;
    const int64_t per_k = (d->c / d->groups) * d->r * d->s;
    double w_sum = 0.0;
    for (int64_t i = 0; i < per_k; i++)
        w_sum += fabs((double)weights[k * per_k + i]);
    return tol + 2e-5 * x_max * w_sum;
}

double cnn_ref_max_abs(const float *x, int64_t count)
{
    double m = 0.0;
    for (int64_t i = 0; i < count; i++)
        m = fmax(m, fabs((double)x[i]));
    return m;
}

float cnn_ref_pool2d_point(const cnn_pool2d_desc *d, const float *in, int64_t n, int64_t c,
                           int64_t oy, int64_t ox)
{
    /* PyTorch: the window [start, start + k) is clipped to the padded extent for the
     * count_include_pad divisor, and to the input for the cells that are read. */
    int64_t y0 = oy * d->stride_h - d->pad_h, x0 = ox * d->stride_w - d->pad_w;
    int64_t y1 = y0 + d->kernel_h, x1 = x0 + d->kernel_w;
    if (y1 > d->h + d->pad_h) y1 = d->h + d->pad_h;
    if (x1 > d->w + d->pad_w) x1 = d->w + d->pad_w;
    const int64_t padded_cells = (y1 - y0) * (x1 - x0);
    if (y0 < 0) y0 = 0;
    if (x0 < 0) x0 = 0;
    if (y1 > d->h) y1 = d->h;
    if (x1 > d->w) x1 = d->w;
    const float *plane = in + (n * d->c + c) * d->h * d->w;
    if (d->mode == CNN_POOL_MAX) {
        float m = -INFINITY;
        for (int64_t y = y0; y < y1; y++)
            for (int64_t x = x0; x < x1; x++)
                if (plane[y * d->w + x] > m || isnan(plane[y * d->w + x]))
                    m = plane[y * d->w + x];
        return m;
    }
    double sum = 0.0;
    for (int64_t y = y0; y < y1; y++)
        for (int64_t x = x0; x < x1; x++)
            sum += plane[y * d->w + x];
    const int64_t divisor = d->count_include_pad ? padded_cells : (y1 - y0) * (x1 - x0);
    return (float)(sum / (double)divisor);
}

void cnn_ref_pool2d(const cnn_pool2d_desc *d, float *out, const float *in)
{
    for (int64_t n = 0; n < d->n; n++)
        for (int64_t c = 0; c < d->c; c++)
            for (int64_t oy = 0; oy < d->oh; oy++)
                for (int64_t ox = 0; ox < d->ow; ox++)
                    out[((n * d->c + c) * d->oh + oy) * d->ow + ox] =
                        cnn_ref_pool2d_point(d, in, n, c, oy, ox);
}

void cnn_ref_bias_act(const cnn_bias_act_desc *d, float *out, const float *x, const float *bias)
{
    const int64_t plane = d->h * d->w;
    for (int64_t n = 0; n < d->n; n++)
        for (int64_t c = 0; c < d->c; c++) {
            const double b = d->has_bias && bias ? bias[c] : 0.0;
            const int64_t base = (n * d->c + c) * plane;
            for (int64_t i = 0; i < plane; i++)
                out[base + i] = (float)activate(d->activation, (double)x[base + i] + b);
        }
}
