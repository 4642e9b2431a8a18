/* The OpenCL backend's private state, shared by its files (cl_backend.c: buffers, queue and
 * timing; cl_conv2d.c and cl_pool2d.c: the operations). */
#ifndef CNNCL_CL_BACKEND_INTERNAL_H
#define CNNCL_CL_BACKEND_INTERNAL_H

#include "cl_backend.h"
#include "cl_program.h"

typedef struct cl_backend {
    cnn_backend base;
    cl_context context;
    cl_device_id device;
    cl_command_queue queue;
    int profiling;                 /* the queue records profiling info */
    cnn_device_info info;
    size_t max_work_item[3];
    cl_uint base_align_bytes;      /* every buffer's start is aligned to this (at least 4) */
    cnn_cl_programs programs;
    cl_event *op_events;           /* kernels of the last operation (all of its passes) */
    int op_event_count, op_event_cap;
    /* Tests only (cnn_cl_test_set_limits): info and max_work_item hold lowered limits, and
     * every launch checks its work-group and the kernel's local memory against them, every
     * buffer argument its size against info.max_alloc_bytes. 0: no checks, no extra queries. */
    int strict_limits;
} cl_backend;

/* Start a new operation: forget the events of the previous one. */
void cnn_cl_op_begin(cl_backend *b);

/* Enqueue a kernel of the current operation; global sizes are multiples of local. */
cnn_status cnn_cl_launch(cl_backend *b, cl_kernel kernel, cl_uint dims, const size_t *global,
                         const size_t *local);

/* The work-group of a 1-D launch: want (a power of two) or the largest power of two below it
 * that the device allows (its work-group size and its first dimension's work-items). A global
 * size rounded up to a multiple of want is a multiple of it. */
size_t cnn_cl_local_1d(const cl_backend *b, size_t want);

/* Set kernel argument i; records the failing call on error. */
cnn_status cnn_cl_set_arg(cl_backend *b, cl_kernel kernel, cl_uint i, size_t size,
                          const void *value);

/* Whether this backend's plans use the GPU-shaped kernels (the context's kernel family). */
static inline int cnn_cl_gpu_kernels(const cl_backend *b)
{
    return cnn_context_gpu_kernels(b->base.ctx);
}

/* Round x up to a multiple of m. */
static inline size_t cnn_round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

/* The operations (cl_conv2d.c, cl_pool2d.c). */
cnn_status cnn_cl_conv2d_prepare(cnn_backend *be, const cnn_conv2d_desc *d, void **state);
cnn_status cnn_cl_conv2d_run(cnn_backend *be, void *state, const cnn_conv2d_desc *d, void *out,
                             const void *in, const void *weights, uint64_t weights_stamp,
                             const void *bias);

/* The name of a convolution variant: kernel file and build options (for self-validation). */
#define CNN_CL_VARIANT_MAX 256

/* The CPU-shaped implicit GEMM and 1x1 GEMM (cl_conv2d_igemm.c); state is theirs. The run
 * functions of the algorithms enqueue into the operation that cnn_cl_conv2d_run began. */
cnn_status cnn_cl_igemm_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                char variant[CNN_CL_VARIANT_MAX]);
cnn_status cnn_cl_igemm_run(cl_backend *b, void *state, const cnn_conv2d_desc *d, cl_mem out,
                            cl_mem in, cl_mem weights, uint64_t weights_stamp, cl_mem bias);
void cnn_cl_igemm_release(void *state);
/* Repack OIHW weights with conv2d_pack.cl's conv2d_pack_weights (kernel pack) into packed:
 * [group][k-block][c][r][s][kb], zeros past kg; count floats. Shared by both GEMMs. */
cnn_status cnn_cl_pack_weights(cl_backend *b, cl_kernel pack, cl_mem weights, cl_mem packed,
                               size_t count, cl_int kg, cl_int cg, cl_int rs, cl_int kb,
                               cl_int k_blocks, cl_int groups, cl_int flip);
/* Tile shapes worth timing for d (tuning strings, see backend.h). */
int cnn_cl_igemm_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                            char (*tunings)[CNN_TUNING_MAX], int max);

/* The GPU-shaped implicit GEMM and 1x1 GEMM (cl_conv2d_gemm_gpu.c): local-memory work-group
 * tiles; used for IGEMM and GEMM1X1 when the kernel family is GPU. */
cnn_status cnn_cl_gemm_gpu_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                   char variant[CNN_CL_VARIANT_MAX]);
cnn_status cnn_cl_gemm_gpu_run(cl_backend *b, void *state, cl_mem out, cl_mem in,
                               cl_mem weights, uint64_t weights_stamp, cl_mem bias);
void cnn_cl_gemm_gpu_release(void *state);
int cnn_cl_gemm_gpu_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                               char (*tunings)[CNN_TUNING_MAX], int max);

/* Winograd F(4x4,3x3) (cl_conv2d_winograd.c): its transforms around a grouped 1x1 GEMM. */
cnn_status cnn_cl_winograd_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                   char variant[CNN_CL_VARIANT_MAX]);
cnn_status cnn_cl_winograd_run(cl_backend *b, void *state, cl_mem out, cl_mem in, cl_mem weights,
                               uint64_t weights_stamp, cl_mem bias);
void cnn_cl_winograd_release(void *state);
int cnn_cl_winograd_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                               char (*tunings)[CNN_TUNING_MAX], int max);

/* Tile sets of the direct kernel worth timing (cl_conv2d.c). */
int cnn_cl_direct_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                             char (*tunings)[CNN_TUNING_MAX], int max);

/* Depthwise convolution (cl_conv2d_depthwise.c): one input channel per group. */
cnn_status cnn_cl_depthwise_prepare(cl_backend *b, const cnn_conv2d_desc *d, void **state,
                                    char variant[CNN_CL_VARIANT_MAX]);
cnn_status cnn_cl_depthwise_run(cl_backend *b, void *state, cl_mem out, cl_mem in,
                                cl_mem weights, cl_mem bias);
void cnn_cl_depthwise_release(void *state);
int cnn_cl_depthwise_candidates(cl_backend *b, const cnn_conv2d_desc *d,
                                char (*tunings)[CNN_TUNING_MAX], int max);
void cnn_cl_conv2d_release(cnn_backend *be, void *state);
int cnn_cl_conv2d_variant(cnn_backend *be, const void *state, char *buf, size_t size);
int cnn_cl_conv2d_candidates(cnn_backend *be, const cnn_conv2d_desc *d,
                             char (*tunings)[CNN_TUNING_MAX], int max);
cnn_status cnn_cl_pool2d_prepare(cnn_backend *be, const cnn_pool2d_desc *d, void **state);
cnn_status cnn_cl_pool2d_run(cnn_backend *be, void *state, const cnn_pool2d_desc *d, void *out,
                             const void *in);
void cnn_cl_pool2d_release(cnn_backend *be, void *state);
cnn_status cnn_cl_bias_act(cnn_backend *be, const cnn_bias_act_desc *d, void *out,
                           const void *x, const void *bias);

/* Kernels index with 32-bit ints: refuse larger tensors with a clear status. The limit is
 * 2^31 less CNN_CL_INDEX_SLACK elements, so that a 1-D launch of one work-item per element,
 * rounded up to whole work-groups (bias_act, the weight packing and transforms), still has
 * global ids that are ints (the kernels compare `int i = get_global_id(0)` with the count). */
#define CNN_CL_INDEX_SLACK 4096

cnn_status cnn_cl_check_int_range(cl_backend *b, const char *what, const int64_t *dims, int n);

#endif /* CNNCL_CL_BACKEND_INTERNAL_H */
