/* The stages on the device (see pipeline.h). A batch lives in one device tensor from stage to
 * stage; the host sees it only for replicated borders, --grid captures and the result. */
#include "pipeline.h"
#include "fail.h"

#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CNNF_NPY_MAX_BYTES ((size_t)1 << 30)

int cnnf_pipeline_prepare(cnnf_pipeline *pl, const cnnf_stage *stages, int count, int in_channels,
                          char *err, size_t err_size)
{
    memset(pl, 0, sizeof *pl);
    pl->stages = stages;
    pl->count = count;
    pl->conv_w = calloc((size_t)(count > 0 ? count : 1), sizeof *pl->conv_w);
    pl->conv_b = calloc((size_t)(count > 0 ? count : 1), sizeof *pl->conv_b);
    pl->conv_shape = calloc((size_t)(count > 0 ? count : 1), sizeof *pl->conv_shape);
    if (!pl->conv_w || !pl->conv_b || !pl->conv_shape) {
        cnnf_pipeline_free(pl);
        return cnnf_fail(err, err_size, "out of memory");
    }
    int channels = in_channels;
    for (int i = 0; i < count; i++) {
        const cnnf_stage *s = &stages[i];
        if (s->kind != CNNF_STAGE_CONV)
            continue;
        char why[512];
        cnnf_array w, b;
        memset(&b, 0, sizeof b);
        if (cnnf_npy_load(s->weights_path, CNNF_NPY_MAX_BYTES, &w, why, sizeof why)) {
            cnnf_pipeline_free(pl);
            return cnnf_fail(err, err_size, "stage %d (%s): %s", i + 1, s->label, why);
        }
        /* K x C/g x R x S, or K x C/g for 1x1 */
        int64_t shape[4] = {0, 0, 1, 1};
        int ok = w.ndim == 4 || w.ndim == 2;
        for (int d = 0; ok && d < w.ndim; d++)
            shape[d] = w.shape[d];
        ok = ok && shape[0] >= 1 && shape[1] >= 1 && shape[2] >= 1 && shape[3] >= 1 &&
             shape[2] <= 255 && shape[3] <= 255;
        const int64_t cg = shape[1], groups = s->groups;
        if (!ok || cg * groups != channels || shape[0] % groups != 0) {
            cnnf_array_free(&w);
            cnnf_pipeline_free(pl);
            if (!ok)
                return cnnf_fail(err, err_size,
                                 "stage %d (%s): %s: weights must be K x C/groups x R x S (4-D) or "
                                 "K x C (2-D)",
                                 i + 1, s->label, s->weights_path);
            return cnnf_fail(err, err_size,
                             "stage %d (%s): %s has %lld input channels per group x %lld groups, "
                             "but its input has %d channels%s",
                             i + 1, s->label, s->weights_path, (long long)cg, (long long)groups,
                             channels,
                             shape[0] % groups ? " (and K is not a multiple of groups)" : "");
        }
        if (s->bias_path[0]) {
            if (cnnf_npy_load(s->bias_path, CNNF_NPY_MAX_BYTES, &b, why, sizeof why) ||
                b.count != shape[0]) {
                const int loaded = b.data != NULL;
                cnnf_array_free(&w);
                cnnf_array_free(&b);
                cnnf_pipeline_free(pl);
                if (!loaded)
                    return cnnf_fail(err, err_size, "stage %d (%s): %s", i + 1, s->label, why);
                return cnnf_fail(err, err_size,
                                 "stage %d (%s): %s has %lld values for %lld output "
                                 "channels",
                                 i + 1, s->label, s->bias_path, (long long)b.count,
                                 (long long)shape[0]);
            }
        }
        pl->conv_w[i] = w.data;
        pl->conv_b[i] = b.data;
        memcpy(pl->conv_shape[i], shape, sizeof shape);
        channels = (int)shape[0];
    }
    return 0;
}

void cnnf_pipeline_free(cnnf_pipeline *pl)
{
    if (!pl)
        return;
    for (int i = 0; i < pl->count; i++) {
        if (pl->conv_w)
            free(pl->conv_w[i]);
        if (pl->conv_b)
            free(pl->conv_b[i]);
    }
    free(pl->conv_w);
    free(pl->conv_b);
    free(pl->conv_shape);
    memset(pl, 0, sizeof *pl);
}

/* The engine's tensors of one run, released together. */
typedef struct run_state {
    cnn_context *ctx;
    cnn_tensor *x;        /* the batch as it is now */
    int64_t shape[4];
    char *err;
    size_t err_size;
} run_state;

static int engine_fail(run_state *r, int stage, const cnnf_stage *s, const char *what,
                       cnn_status st)
{
    if (!s)
        return cnnf_fail(r->err, r->err_size, "%s: %s: %s", what, cnn_status_string(st),
                         cnn_context_last_error(r->ctx));
    return cnnf_fail(r->err, r->err_size, "stage %d (%s): %s: %s: %s", stage + 1, s->label, what,
                     cnn_status_string(st), cnn_context_last_error(r->ctx));
}

/* A tensor of shape with host contents (or undefined when data is NULL). */
static cnn_status new_tensor(cnn_context *ctx, const int64_t shape[4], const float *data,
                             cnn_tensor **t)
{
    cnn_status st = cnn_tensor_create(t, ctx, shape[0], shape[1], shape[2], shape[3]);
    if (st == CNN_SUCCESS && data)
        st = cnn_tensor_write(*t, data, shape[0] * shape[1] * shape[2] * shape[3]);
    if (st != CNN_SUCCESS) {
        cnn_tensor_destroy(*t);
        *t = NULL;
    }
    return st;
}

/* The batch with kh - 1 rows and kw - 1 columns of replicated edge pixels around it (the
 * first (k - 1) / 2 before): read, padded on the host, written to a new tensor. */
static int replicate_border(run_state *r, int stage, const cnnf_stage *s, int kh, int kw)
{
    const int64_t n = r->shape[0], c = r->shape[1], h = r->shape[2], w = r->shape[3];
    const int64_t top = (kh - 1) / 2, left = (kw - 1) / 2;
    const int64_t ph = h + kh - 1, pw = w + kw - 1;
    float *src = malloc(sizeof(float) * (size_t)(n * c * h * w));
    float *dst = malloc(sizeof(float) * (size_t)(n * c * ph * pw));
    if (!src || !dst) {
        free(src);
        free(dst);
        return cnnf_fail(r->err, r->err_size, "stage %d (%s): out of memory", stage + 1, s->label);
    }
    cnn_status st = cnn_tensor_read(r->x, src, n * c * h * w);
    for (int64_t p = 0; st == CNN_SUCCESS && p < n * c; p++)
        for (int64_t y = 0; y < ph; y++) {
            int64_t sy = y - top;
            sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
            for (int64_t x = 0; x < pw; x++) {
                int64_t sx = x - left;
                sx = sx < 0 ? 0 : sx >= w ? w - 1 : sx;
                dst[(p * ph + y) * pw + x] = src[(p * h + sy) * w + sx];
            }
        }
    const int64_t shape[4] = {n, c, ph, pw};
    cnn_tensor *t = NULL;
    if (st == CNN_SUCCESS)
        st = new_tensor(r->ctx, shape, dst, &t);
    free(src);
    free(dst);
    if (st != CNN_SUCCESS)
        return engine_fail(r, stage, s, "replicated border", st);
    cnn_tensor_destroy(r->x);
    r->x = t;
    memcpy(r->shape, shape, sizeof shape);
    return 0;
}

/* A filter (depthwise, flipped) or a learned conv; relu: fuse a ReLU. */
static int run_conv(run_state *r, const cnnf_pipeline *pl, int stage, int relu, double *ms)
{
    const cnnf_stage *s = &pl->stages[stage];
    const int filter = s->kind == CNNF_STAGE_FILTER;
    const int64_t c = r->shape[1];
    int64_t ws[4];
    if (filter) {
        ws[0] = c;
        ws[1] = 1;
        ws[2] = s->kh;
        ws[3] = s->kw;
    } else {
        memcpy(ws, pl->conv_shape[stage], sizeof ws);
    }
    const cnnf_border border = s->border != CNNF_BORDER_DEFAULT ? s->border
                               : filter ? CNNF_BORDER_REPLICATE : CNNF_BORDER_ZERO;
    if (border == CNNF_BORDER_REPLICATE && replicate_border(r, stage, s, (int)ws[2], (int)ws[3]))
        return -1;
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.stride_h = p.stride_w = s->stride;
    p.groups = filter ? c : s->groups;
    p.flip = filter;
    p.activation = relu ? CNN_ACTIVATION_RELU : CNN_ACTIVATION_NONE;
    if (border == CNNF_BORDER_ZERO) {
        p.pad_top = (ws[2] - 1) / 2;
        p.pad_bottom = ws[2] - 1 - p.pad_top;
        p.pad_left = (ws[3] - 1) / 2;
        p.pad_right = ws[3] - 1 - p.pad_left;
    }
    int64_t out_shape[4];
    cnn_status st = cnn_conv2d_output_shape(out_shape, r->shape, ws, &p);
    if (st != CNN_SUCCESS)
        return cnnf_fail(r->err, r->err_size,
                         "stage %d (%s): a %lldx%lld kernel does not fit a "
                         "%lldx%lld image (border=none shrinks it by the kernel size - 1)",
                         stage + 1, s->label, (long long)ws[2], (long long)ws[3],
                         (long long)r->shape[2], (long long)r->shape[3]);
    float *weights = NULL;
    const float *wdata = pl->conv_w[stage];
    if (filter) {
        /* the same kernel for every channel */
        weights = malloc(sizeof(float) * (size_t)(c * s->kh * s->kw));
        if (!weights)
            return cnnf_fail(r->err, r->err_size, "stage %d (%s): out of memory", stage + 1,
                             s->label);
        for (int64_t ch = 0; ch < c; ch++)
            memcpy(weights + ch * s->kh * s->kw, s->kernel,
                   sizeof(float) * (size_t)(s->kh * s->kw));
        wdata = weights;
    }
    const int64_t bs[4] = {1, ws[0], 1, 1};
    cnn_tensor *tw = NULL, *tb = NULL, *ty = NULL;
    st = new_tensor(r->ctx, ws, wdata, &tw);
    free(weights);
    if (st == CNN_SUCCESS && pl->conv_b[stage])
        st = new_tensor(r->ctx, bs, pl->conv_b[stage], &tb);
    if (st == CNN_SUCCESS)
        st = new_tensor(r->ctx, out_shape, NULL, &ty);
    if (st == CNN_SUCCESS)
        st = cnn_conv2d(r->ctx, ty, r->x, tw, tb, &p);
    double t = 0.0;
    if (st == CNN_SUCCESS && ms && cnn_context_last_op_ms(r->ctx, &t) == CNN_SUCCESS)
        *ms += t;
    cnn_tensor_destroy(tw);
    cnn_tensor_destroy(tb);
    if (st != CNN_SUCCESS) {
        cnn_tensor_destroy(ty);
        return engine_fail(r, stage, s, "conv2d", st);
    }
    cnn_tensor_destroy(r->x);
    r->x = ty;
    memcpy(r->shape, out_shape, sizeof out_shape);
    return 0;
}

static int run_pool(run_state *r, const cnnf_stage *s, int stage, double *ms)
{
    cnn_pool2d_params p = cnn_pool2d_params_default();
    p.mode = s->kind == CNNF_STAGE_MAXPOOL ? CNN_POOL_MAX : CNN_POOL_AVG;
    p.kernel_h = p.kernel_w = s->pool_k;
    p.stride_h = p.stride_w = s->pool_s;
    int64_t out_shape[4];
    cnn_status st = cnn_pool2d_output_shape(out_shape, r->shape, &p);
    if (st != CNN_SUCCESS)
        return cnnf_fail(r->err, r->err_size,
                         "stage %d (%s): a %dx%d window does not fit a "
                         "%lldx%lld image",
                         stage + 1, s->label, s->pool_k, s->pool_k, (long long)r->shape[2],
                         (long long)r->shape[3]);
    cnn_tensor *ty = NULL;
    st = new_tensor(r->ctx, out_shape, NULL, &ty);
    if (st == CNN_SUCCESS)
        st = cnn_pool2d(r->ctx, ty, r->x, &p);
    double t = 0.0;
    if (st == CNN_SUCCESS && ms && cnn_context_last_op_ms(r->ctx, &t) == CNN_SUCCESS)
        *ms += t;
    if (st != CNN_SUCCESS) {
        cnn_tensor_destroy(ty);
        return engine_fail(r, stage, s, "pool2d", st);
    }
    cnn_tensor_destroy(r->x);
    r->x = ty;
    memcpy(r->shape, out_shape, sizeof out_shape);
    return 0;
}

/* Image i of the batch as it is now, copied out of host (all n images read once). */
static int read_images(run_state *r, int n, cnnf_image *out)
{
    const int64_t count = r->shape[0] * r->shape[1] * r->shape[2] * r->shape[3];
    float *all = malloc(sizeof(float) * (size_t)count);
    if (!all)
        return cnnf_fail(r->err, r->err_size, "out of memory for the result");
    const cnn_status st = cnn_tensor_read(r->x, all, count);
    if (st != CNN_SUCCESS) {
        free(all);
        return engine_fail(r, -1, NULL, "reading the result", st);
    }
    const size_t each = (size_t)(count / r->shape[0]);
    for (int i = 0; i < n; i++) {
        out[i].c = (int)r->shape[1];
        out[i].h = (int)r->shape[2];
        out[i].w = (int)r->shape[3];
        out[i].data = malloc(sizeof(float) * each);
        if (!out[i].data) {
            for (int j = 0; j < i; j++)
                cnnf_image_free(&out[j]);
            free(all);
            return cnnf_fail(r->err, r->err_size, "out of memory for the result");
        }
        memcpy(out[i].data, all + (size_t)i * each, sizeof(float) * each);
    }
    free(all);
    return 0;
}

static int capture_first(run_state *r, int stage, cnnf_capture_fn capture, void *user)
{
    cnnf_image first;
    /* Reads the whole batch: only --grid asks, for one batch. */
    const int64_t n = r->shape[0];
    cnnf_image *all = calloc((size_t)n, sizeof *all);
    if (!all)
        return cnnf_fail(r->err, r->err_size, "out of memory");
    if (read_images(r, (int)n, all)) {
        free(all);
        return -1;
    }
    first = all[0];
    capture(user, stage, &first);
    for (int64_t i = 0; i < n; i++)
        cnnf_image_free(&all[i]);
    free(all);
    return 0;
}

int cnnf_pipeline_run(const cnnf_pipeline *pl, cnn_context *ctx, const cnnf_image *in, int n,
                      cnnf_image *out, double *stage_ms, cnnf_capture_fn capture, void *user,
                      char *err, size_t err_size)
{
    memset(out, 0, sizeof *out * (size_t)n);
    run_state r = {ctx, NULL, {n, in[0].c, in[0].h, in[0].w}, err, err_size};
    const size_t each = (size_t)in[0].c * (size_t)in[0].h * (size_t)in[0].w;
    float *batch = malloc(sizeof(float) * each * (size_t)n);
    if (!batch)
        return cnnf_fail(err, err_size, "out of memory for a batch of %d images", n);
    for (int i = 0; i < n; i++)
        memcpy(batch + (size_t)i * each, in[i].data, sizeof(float) * each);
    cnn_status st = new_tensor(ctx, r.shape, batch, &r.x);
    free(batch);
    if (st != CNN_SUCCESS)
        return engine_fail(&r, -1, NULL, "the input tensor", st);
    int rc = capture ? capture_first(&r, -1, capture, user) : 0;
    for (int i = 0; rc == 0 && i < pl->count; i++) {
        const cnnf_stage *s = &pl->stages[i];
        double *ms = stage_ms ? &stage_ms[i] : NULL;
        const int fuse_relu = i + 1 < pl->count && pl->stages[i + 1].kind == CNNF_STAGE_RELU &&
                              !capture; /* --grid shows the stage before its ReLU too */
        if (s->kind == CNNF_STAGE_FILTER || s->kind == CNNF_STAGE_CONV) {
            rc = run_conv(&r, pl, i, fuse_relu, ms);
            if (rc == 0 && fuse_relu)
                i++; /* the ReLU is done */
        } else if (s->kind == CNNF_STAGE_RELU) {
            st = cnn_bias_act(ctx, r.x, r.x, NULL, CNN_ACTIVATION_RELU);
            double t = 0.0;
            if (st == CNN_SUCCESS && ms && cnn_context_last_op_ms(ctx, &t) == CNN_SUCCESS)
                *ms += t;
            rc = st == CNN_SUCCESS ? 0 : engine_fail(&r, i, s, "relu", st);
        } else {
            rc = run_pool(&r, s, i, ms);
        }
        if (rc == 0 && capture)
            rc = capture_first(&r, i, capture, user);
    }
    if (rc == 0)
        rc = read_images(&r, n, out);
    cnn_tensor_destroy(r.x);
    return rc;
}
