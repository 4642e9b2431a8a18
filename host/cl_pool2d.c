/* Pooling and bias + activation on OpenCL (kernels/pool2d.cl, kernels/bias_act.cl): memory-bound
 * kernels; on GPUs one work-item per output element (work-groups over the flattened output), on
 * CPUs pooling takes rows of outputs as vectors per work-item, whole planes for a window the
 * size of the input, or flat planes for 3x3 windows at stride 1 with padding 1. */
#include "cl_backend_internal.h"
#include "cl_fault.h"

#include <stdio.h>
#include <stdlib.h>

/* Mirrors pool_shape in pool2d.cl. */
typedef struct pool_shape {
    cl_int H, W, OH, OW;
    cl_int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    cl_int count_include_pad, planes;
} pool_shape;

/* Which pooling kernel a plan runs. */
typedef enum pool_kernel {
    POOL_PER_OUTPUT, /* GPUs: pool2d_max / pool2d_avg, one work-item per output element */
    POOL_ROWS,       /* CPUs: pool2d_rows, a block of rows per work-item */
    POOL_PLANES,     /* CPUs, a window the size of the input: pool2d_planes, whole planes */
    POOL_SAME3       /* CPUs, 3x3 at stride 1 with padding 1: pool2d_same3, whole flat planes */
} pool_kernel;

typedef struct pool_state {
    cl_kernel kernel;
    pool_shape shape;
    size_t global[3], local[3];
    pool_kernel which;
    cl_int rows, planes_per_item, is_max;
} pool_state;

/* Input cells read per work-item of pool2d_rows: enough work that PoCL's cost per work-group
 * stays small, little enough that every core gets work-items. */
#define POOL_ROWS_CELLS 16384
/* The same for pool2d_planes, whose cells stream 16 at a time (ResNet-50's pool5: 2048 planes
 * of 49 cells in 25 work-items). */
#define POOL_PLANES_CELLS 4096

/* Work-items of a GPU-shaped pooling work-group: 8 warps of 32 (or 4 wavefronts of 64), so that
 * an SM holds enough of them to keep its loads in flight (groups of one warp were limited by the
 * number of groups an SM takes: 21% of the copy bandwidth on an H200). */
#define POOL_GPU_GROUP 256
/* Windows up to this size along each axis have it compiled into the GPU-shaped kernels. */
#define POOL_GPU_CONST_WINDOW 8

/* Work-group shape of the element-wise kernels: rows of 32 for GPU-shaped kernels, 16 for
 * CPU-shaped ones, capped by the device's limits. */
static size_t row_width(const cl_backend *b)
{
    return cnn_cl_local_1d(b, cnn_cl_gpu_kernels(b) ? 32 : 16);
}

cnn_status cnn_cl_pool2d_prepare(cnn_backend *be, const cnn_pool2d_desc *d, void **state)
{
    cl_backend *b = (cl_backend *)be;
    /* Padding can make the output larger than the input (a 2x2 window, stride 1, pad 1). */
    const int64_t in_dims[4] = {d->n, d->c, d->h, d->w};
    const int64_t out_dims[4] = {d->n, d->c, d->oh, d->ow};
    cnn_status s = cnn_cl_check_int_range(b, "pool2d input", in_dims, 4);
    if (s == CNN_SUCCESS)
        s = cnn_cl_check_int_range(b, "pool2d output", out_dims, 4);
    if (s != CNN_SUCCESS)
        return s;
    pool_state *st = cnn_calloc(1, sizeof *st);
    if (!st)
        return cnn_error(be->ctx, CNN_ERROR_OUT_OF_MEMORY, "pool2d: out of host memory");
    /* GPU-shaped: one work-item per output; CPU-shaped: rows of outputs as vectors per
     * work-item, or whole planes when the window is the input. */
    const int whole_plane = d->oh == 1 && d->ow == 1 && d->kernel_h == d->h &&
                            d->kernel_w == d->w && d->pad_h == 0 && d->pad_w == 0;
    /* 3x3 at stride 1 with padding 1 (outputs the input's size) as flat planes: the rows
     * kernel's single outputs at the rows' ends and 8-wide vectors on rows of 17 or 28 took
     * 3-5 times the copy's time (bench/NOTES.md). With enough planes to share out. */
    const int same3 = d->kernel_h == 3 && d->kernel_w == 3 && d->stride_h == 1 &&
                      d->stride_w == 1 && d->pad_h == 1 && d->pad_w == 1 &&
                      d->n * d->c >= 4 * (int64_t)b->info.compute_units;
    st->which = cnn_cl_gpu_kernels(b) ? POOL_PER_OUTPUT
                : whole_plane         ? POOL_PLANES
                : same3               ? POOL_SAME3
                                      : POOL_ROWS;
    const char *name = st->which == POOL_PLANES ? "pool2d_planes"
                       : st->which == POOL_SAME3 ? "pool2d_same3"
                       : st->which == POOL_ROWS ? "pool2d_rows"
                       : d->mode == CNN_POOL_MAX ? "pool2d_max" : "pool2d_avg";
    /* The CPU kernels with their window width, stride along x and mode compiled in, for the
     * common windows (measured on ResNet-50's pool1: see bench/NOTES.md); whole planes with
     * their size. */
    char options[160] = "-cl-std=CL1.2";
    if (st->which == POOL_PLANES)
        snprintf(options, sizeof options,
                 "-cl-std=CL1.2 -DPOOL_PLANE_CELLS=%lld -DPOOL_IS_MAX=%d",
                 (long long)(d->h * d->w), d->mode == CNN_POOL_MAX);
    else if (st->which == POOL_SAME3)
        snprintf(options, sizeof options, "-cl-std=CL1.2 -DPOOL_SAME3=1 -DPOOL_IS_MAX=%d",
                 d->mode == CNN_POOL_MAX);
    else if (st->which == POOL_ROWS && d->kernel_w <= 8 && (d->stride_w == 1 || d->stride_w == 2))
        snprintf(options, sizeof options,
                 "-cl-std=CL1.2 -DPOOL_KW_CONST=%d -DPOOL_SW=%d -DPOOL_IS_MAX=%d",
                 (int)d->kernel_w, (int)d->stride_w, d->mode == CNN_POOL_MAX);
    else if (st->which == POOL_PER_OUTPUT && d->kernel_h <= POOL_GPU_CONST_WINDOW &&
             d->kernel_w <= POOL_GPU_CONST_WINDOW)
        snprintf(options, sizeof options, "-cl-std=CL1.2 -DPOOL_GPU_KH=%d -DPOOL_GPU_KW=%d",
                 (int)d->kernel_h, (int)d->kernel_w);
    s = cnn_cl_kernel_create(&b->programs, be->ctx, "pool2d.cl", options, name, &st->kernel);
    if (s != CNN_SUCCESS) {
        free(st);
        return s;
    }
    pool_shape *p = &st->shape;
    p->H = (cl_int)d->h; p->W = (cl_int)d->w; p->OH = (cl_int)d->oh; p->OW = (cl_int)d->ow;
    p->kernel_h = (cl_int)d->kernel_h; p->kernel_w = (cl_int)d->kernel_w;
    p->stride_h = (cl_int)d->stride_h; p->stride_w = (cl_int)d->stride_w;
    p->pad_h = (cl_int)d->pad_h; p->pad_w = (cl_int)d->pad_w;
    p->count_include_pad = d->count_include_pad;
    p->planes = (cl_int)(d->n * d->c);
    st->local[0] = st->local[1] = st->local[2] = 1;
    if (st->which == POOL_PLANES) {
        int64_t planes = POOL_PLANES_CELLS / (d->h * d->w);
        planes = planes < 1 ? 1 : planes > d->n * d->c ? d->n * d->c : planes;
        st->planes_per_item = (cl_int)planes;
        st->global[0] = (size_t)((d->n * d->c + planes - 1) / planes);
        st->global[1] = st->global[2] = 1;
    } else if (st->which == POOL_SAME3) {
        int64_t planes = POOL_ROWS_CELLS / (9 * d->h * d->w);
        const int64_t most = (d->n * d->c + 2 * (int64_t)b->info.compute_units - 1) /
                             (2 * (int64_t)b->info.compute_units); /* two items a core at least */
        planes = planes < 1 ? 1 : planes > most ? most : planes;
        st->planes_per_item = (cl_int)planes;
        st->global[0] = (size_t)((d->n * d->c + planes - 1) / planes);
        st->global[1] = st->global[2] = 1;
    } else if (st->which == POOL_ROWS) {
        /* Work per item in input cells read: a block of rows, or several whole planes when
         * a plane is small. */
        const int64_t row_cells = d->ow * d->kernel_h * d->kernel_w;
        int64_t rows = POOL_ROWS_CELLS / row_cells;
        rows = rows < 1 ? 1 : rows > d->oh ? d->oh : rows;
        int64_t planes = rows < d->oh ? 1 : POOL_ROWS_CELLS / (row_cells * d->oh);
        planes = planes < 1 ? 1 : planes > d->n * d->c ? d->n * d->c : planes;
        st->rows = (cl_int)rows;
        st->planes_per_item = (cl_int)planes;
        st->is_max = d->mode == CNN_POOL_MAX;
        st->global[0] = (size_t)((d->oh + rows - 1) / rows);
        st->global[1] = (size_t)((d->n * d->c + planes - 1) / planes);
        st->global[2] = 1;
    } else {
        st->local[0] = cnn_cl_local_1d(b, POOL_GPU_GROUP);
        st->global[0] = cnn_round_up((size_t)(d->n * d->c * d->oh * d->ow), st->local[0]);
        st->global[1] = st->global[2] = 1;
    }
    *state = st;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_pool2d_run(cnn_backend *be, void *state, const cnn_pool2d_desc *d, void *out,
                             const void *in)
{
    (void)d;
    cl_backend *b = (cl_backend *)be;
    pool_state *st = state;
    cl_mem m_in = (cl_mem)in, m_out = (cl_mem)out;
    cnn_cl_op_begin(b);
    cnn_status s = cnn_cl_set_arg(b, st->kernel, 0, sizeof m_in, &m_in);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, st->kernel, 1, sizeof m_out, &m_out);
    if (st->which == POOL_PLANES) {
        if (s == CNN_SUCCESS)
            s = cnn_cl_set_arg(b, st->kernel, 2, sizeof st->shape.planes, &st->shape.planes);
        if (s == CNN_SUCCESS)
            s = cnn_cl_set_arg(b, st->kernel, 3, sizeof st->planes_per_item,
                               &st->planes_per_item);
    } else if (s == CNN_SUCCESS) {
        s = cnn_cl_set_arg(b, st->kernel, 2, sizeof st->shape, &st->shape);
    }
    if (s == CNN_SUCCESS && st->which == POOL_SAME3)
        s = cnn_cl_set_arg(b, st->kernel, 3, sizeof st->planes_per_item, &st->planes_per_item);
    if (s == CNN_SUCCESS && st->which == POOL_ROWS) {
        s = cnn_cl_set_arg(b, st->kernel, 3, sizeof st->rows, &st->rows);
        if (s == CNN_SUCCESS)
            s = cnn_cl_set_arg(b, st->kernel, 4, sizeof st->planes_per_item,
                               &st->planes_per_item);
        if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, st->kernel, 5, sizeof st->is_max, &st->is_max);
    }
    if (s == CNN_SUCCESS) s = cnn_cl_launch(b, st->kernel, 3, st->global, st->local);
    return s;
}

void cnn_cl_pool2d_release(cnn_backend *be, void *state)
{
    (void)be;
    pool_state *st = state;
    cnn_cl_release_kernel(st->kernel);
    free(st);
}

cnn_status cnn_cl_bias_act(cnn_backend *be, const cnn_bias_act_desc *d, void *out, const void *x,
                           const void *bias)
{
    cl_backend *b = (cl_backend *)be;
    const int64_t dims[4] = {d->n, d->c, d->h, d->w};
    cnn_status s = cnn_cl_check_int_range(b, "bias_act", dims, 4);
    if (s != CNN_SUCCESS)
        return s;
    cl_kernel k;
    s = cnn_cl_kernel_create(&b->programs, be->ctx, "bias_act.cl", "-cl-std=CL1.2", "bias_act",
                             &k);
    if (s != CNN_SUCCESS)
        return s;
    /* Never a NULL buffer argument (PoCL specializes those, slower): x when there is no bias. */
    cl_mem m_x = (cl_mem)x, m_out = (cl_mem)out, m_bias = d->has_bias ? (cl_mem)bias : m_x;
    cl_int count = (cl_int)(d->n * d->c * d->h * d->w), plane = (cl_int)(d->h * d->w);
    cl_int channels = (cl_int)d->c, has_bias = d->has_bias, act = (cl_int)d->activation;
    const size_t local = cnn_cl_local_1d(b, row_width(b) * 4);
    size_t global = cnn_round_up((size_t)count, local);
    cnn_cl_op_begin(b);
    s = cnn_cl_set_arg(b, k, 0, sizeof m_x, &m_x);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 1, sizeof m_bias, &m_bias);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 2, sizeof m_out, &m_out);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 3, sizeof count, &count);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 4, sizeof plane, &plane);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 5, sizeof channels, &channels);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 6, sizeof has_bias, &has_bias);
    if (s == CNN_SUCCESS) s = cnn_cl_set_arg(b, k, 7, sizeof act, &act);
    if (s == CNN_SUCCESS) s = cnn_cl_launch(b, k, 1, &global, &local);
    cnn_cl_release_kernel(k); /* the enqueued launch keeps what it needs */
    return s;
}
