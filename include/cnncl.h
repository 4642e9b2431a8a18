/*
 * cnncl: a portable convolution engine on OpenCL.
 *
 * Usage, in short:
 *
 *     cnn_context *ctx;
 *     char err[256];
 *     if (cnn_context_create(&ctx, NULL, err, sizeof err) != CNN_SUCCESS) { puts(err); return 1; }
 *     cnn_tensor *x, *w, *y;
 *     cnn_tensor_create(&x, ctx, 1, 3, 224, 224);        // NCHW activations
 *     cnn_tensor_create(&w, ctx, 64, 3, 7, 7);           // OIHW weights
 *     cnn_conv2d_params p = cnn_conv2d_params_default(); // stride 1, dilation 1, groups 1
 *     p.stride_h = p.stride_w = 2; p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 3;
 *     int64_t ys[4];
 *     cnn_conv2d_output_shape(ys, (int64_t[4]){1, 3, 224, 224}, (int64_t[4]){64, 3, 7, 7}, &p);
 *     cnn_tensor_create(&y, ctx, ys[0], ys[1], ys[2], ys[3]);
 *     cnn_tensor_write(x, pixels, 1 * 3 * 224 * 224);
 *     cnn_tensor_write(w, weights, 64 * 3 * 7 * 7);
 *     if (cnn_conv2d(ctx, y, x, w, NULL, &p) != CNN_SUCCESS) puts(cnn_context_last_error(ctx));
 *     cnn_tensor_read(y, out, ys[0] * ys[1] * ys[2] * ys[3]);
 *     cnn_tensor_destroy(x); ... cnn_context_destroy(ctx);
 *
 * Conventions: every fallible call returns a cnn_status; outputs come first and are set to NULL
 * (or left untouched, for tensors) on failure; the detail of the last failure of a context is in
 * cnn_context_last_error(). Sizes are int64_t. Every _create has a _destroy that accepts NULL.
 * Operations are enqueued in order on the context's device; cnn_tensor_read() and
 * cnn_context_finish() wait for them. A context is not thread-safe: use one per thread.
 * This header has no OpenCL types; see cnncl_opencl.h for interop with a caller's OpenCL objects.
 */
#ifndef CNNCL_H
#define CNNCL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNNCL_VERSION_MAJOR 0
#define CNNCL_VERSION_MINOR 1
#define CNNCL_VERSION_PATCH 0

/* Library version as "MAJOR.MINOR.PATCH". */
const char *cnn_version(void);

/* ------------------------------------------------------------------------------------------ */
/* Status                                                                                     */

typedef enum cnn_status {
    CNN_SUCCESS = 0,
    CNN_ERROR_INVALID_ARGUMENT = 1, /* a NULL pointer, a zero or negative size, an unknown enum */
    CNN_ERROR_INVALID_SHAPE = 2,    /* shapes that do not fit together, or an empty output */
    CNN_ERROR_OVERFLOW = 3,         /* a size whose product overflows */
    CNN_ERROR_OUT_OF_MEMORY = 4,    /* host or device allocation failed */
    CNN_ERROR_DEVICE_NOT_FOUND = 5, /* the device selector matched no device */
    CNN_ERROR_OPENCL = 6,           /* an OpenCL call failed (call and code in the last error) */
    CNN_ERROR_BUILD_FAILED = 7,     /* a kernel did not compile (build log in the last error) */
    CNN_ERROR_UNSUPPORTED = 8,      /* valid, but not supported on this device or algorithm */
    CNN_ERROR_LIMIT_EXCEEDED = 9,   /* a device limit (max allocation, local memory) is exceeded */
    CNN_ERROR_INTERNAL = 10         /* a bug in cnncl: please report it */
} cnn_status;

/* A constant, human-readable name of a status ("invalid argument"); never NULL. */
const char *cnn_status_string(cnn_status status);

/* ------------------------------------------------------------------------------------------ */
/* Logging: one process-wide callback. By default messages at WARN and above go to stderr.    */
/* CNNCL_LOG=debug|info|warn|error|off sets the level when the caller has not.                */

typedef enum cnn_log_level {
    CNN_LOG_DEBUG = 0,
    CNN_LOG_INFO = 1,
    CNN_LOG_WARN = 2,
    CNN_LOG_ERROR = 3,
    CNN_LOG_OFF = 4
} cnn_log_level;

typedef void (*cnn_log_fn)(cnn_log_level level, const char *message, void *user_data);

/* Route log messages to fn (NULL restores the default stderr writer). Not thread-safe against
 * concurrent logging: set it before creating contexts. */
void cnn_log_set_callback(cnn_log_fn fn, void *user_data);
/* Messages below level are dropped. Overrides CNNCL_LOG. */
void cnn_log_set_level(cnn_log_level level);

/* ------------------------------------------------------------------------------------------ */
/* Devices                                                                                    */

typedef enum cnn_device_type {
    CNN_DEVICE_REFERENCE = 0, /* the plain CPU reference path, no OpenCL */
    CNN_DEVICE_CPU = 1,
    CNN_DEVICE_GPU = 2,
    CNN_DEVICE_ACCELERATOR = 3,
    CNN_DEVICE_OTHER = 4
} cnn_device_type;

typedef struct cnn_device_info {
    char name[256];
    char vendor[256];
    char driver[128];         /* driver version */
    char opencl_version[128]; /* device OpenCL version string; "none" for the reference */
    char selector[32];        /* a selector that picks exactly this device: "ref" or "P:D" */
    cnn_device_type type;
    int platform_index;       /* -1 for the reference device */
    int device_index;         /* -1 for the reference device */
    uint32_t compute_units;
    uint64_t global_mem_bytes;
    uint64_t max_alloc_bytes;
    uint64_t local_mem_bytes;
    uint64_t max_work_group_size;
    uint64_t global_cache_bytes; /* the device's global memory cache (on CPUs, the last-level
                                    cache); 0 when unknown */
} cnn_device_info;

/* List the devices: the reference device first, then every OpenCL device of every platform.
 * Writes at most capacity entries to infos (which may be NULL when capacity is 0) and the total
 * number of devices to *count. Works, listing only the reference, when no OpenCL exists. */
cnn_status cnn_device_list(cnn_device_info *infos, size_t capacity, size_t *count);

/* Name of a device type ("reference", "cpu", "gpu", "accelerator", "other"). */
const char *cnn_device_type_string(cnn_device_type type);

/* ------------------------------------------------------------------------------------------ */
/* Context: one device, its queue, compiled programs and cached plans.                       */

typedef struct cnn_context cnn_context;

/* Threads: contexts are independent, one per thread runs fully in parallel. A context may
 * also be shared: every call on it, its tensors and its plans takes the context's lock, so
 * calls from several threads are safe and run one after the other. cnn_context_last_error()
 * belongs to the context: with a shared context it may hold another thread's error. The log
 * callback and level are process-wide: set them before starting threads. */

/* Create a context on the device named by selector:
 *   "auto"  the first GPU, else the first OpenCL CPU device, else the reference;
 *   "gpu", "cpu"  the first OpenCL device of that type (an error listing the devices if none);
 *   "ref"   the reference CPU path (plain loops, double accumulation);
 *   "P:D"   OpenCL platform P, device D (indices as cnn_device_list() reports them);
 *   any other text: the first device whose name or vendor contains it (case-insensitive).
 * NULL selector: the environment variable CNNCL_DEVICE, else "auto".
 * On failure *ctx is NULL and, if errbuf is not NULL, the reason is written there
 * (NUL-terminated, truncated to errbuf_size). The chosen device is logged at INFO. */
cnn_status cnn_context_create(cnn_context **ctx, const char *selector, char *errbuf,
                              size_t errbuf_size);

/* Destroy the context; waits for its queued work. Tensors and plans of the context must be
 * destroyed first. NULL is accepted. */
void cnn_context_destroy(cnn_context *ctx);

/* The detail of the last failure on this context ("" if none); owned by the context, valid
 * until the next call on it. NULL ctx gives a constant text. */
const char *cnn_context_last_error(const cnn_context *ctx);

/* Describe the context's device. */
cnn_status cnn_context_device(const cnn_context *ctx, cnn_device_info *info);

/* Wait until all work queued on the context is done. */
cnn_status cnn_context_finish(cnn_context *ctx);

/* Device time of the kernels of the last operation (conv2d, pool2d, bias_act) run on the
 * context, in milliseconds, from OpenCL profiling events; waits for that operation to finish.
 * CNN_ERROR_UNSUPPORTED where no profiling is available (a caller's queue without profiling).
 * For the reference device, the wall time of the operation. */
cnn_status cnn_context_last_op_ms(cnn_context *ctx, double *ms);

/* The most device memory one workspace of an operation may take (a padded copy of the input,
 * say), in bytes; 0 restores the default, 256 MiB capped by the device's max allocation. An
 * operation whose workspace would be larger runs in several passes over parts of the batch;
 * one that cannot be split small enough falls back to an algorithm without that workspace.
 * Applies to plans made afterwards. */
cnn_status cnn_context_set_workspace_limit(cnn_context *ctx, uint64_t bytes);

/* Which shape of kernels the OpenCL device runs. GPU-shaped kernels tile each work-group's
 * part of the problem in local memory for hundreds of work-items; CPU-shaped ones give each
 * work-item a long register tile and no local memory (work-groups of one). */
typedef enum cnn_kernel_family {
    CNN_KERNELS_AUTO = 0, /* by the device's type: GPU-shaped on GPUs, CPU-shaped elsewhere */
    CNN_KERNELS_CPU = 1,
    CNN_KERNELS_GPU = 2
} cnn_kernel_family;

/* Force a kernel family on the context's device (default AUTO): GPU runs the GPU-shaped kernels
 * on a CPU device too (how the tests check them without a GPU), CPU the CPU-shaped ones. Applies
 * to plans made afterwards; the context's cached one-shot plans are dropped. No effect on the
 * reference device. CNN_ERROR_INVALID_ARGUMENT for a value outside the enum. */
cnn_status cnn_context_set_kernel_family(cnn_context *ctx, cnn_kernel_family family);

/* Find mode flags. */
#define CNN_FIND_OFF 0
#define CNN_FIND_ALGORITHMS 1 /* time every algorithm that can serve the shape */
#define CNN_FIND_TUNE 2       /* also each algorithm's kernel parameters (tile shapes), within
                                 the tune budget */

/* Find mode: a plan whose algorithm is AUTO times every algorithm that can serve its shape
 * (among allowed_algos) on the device and keeps the fastest, like cuDNN's Find; with
 * CNN_FIND_TUNE also their kernel parameters. The winner is remembered per device and shape in
 * the disk cache (see CNNCL_CACHE), and every later AUTO plan of that shape on that device, in
 * any process, uses it, find mode or not. It is also remembered for the shape's class (same
 * kernel, strides, dilations and grouping; batch, channels and output sizes within the same
 * powers of two): outside find mode, a shape never timed takes its class's latest winner. Off
 * by default: rules choose, at no cost. mode is CNN_FIND_OFF, CNN_FIND_ALGORITHMS or
 * CNN_FIND_ALGORITHMS | CNN_FIND_TUNE. Results found with other kernels (another cnncl build)
 * are not used. */
cnn_status cnn_context_set_find_mode(cnn_context *ctx, int mode);

/* The most time a plan may spend tuning kernel parameters in find mode, in milliseconds (each
 * algorithm's default parameters are always timed); 0: no limit. Default 1000 ms. */
cnn_status cnn_context_set_tune_budget(cnn_context *ctx, double ms);

/* ------------------------------------------------------------------------------------------ */
/* Tensors: NCHW float32 in the context's device memory.                                      */

typedef struct cnn_tensor cnn_tensor;

/* Create an n x c x h x w float tensor (contents undefined). All sizes must be >= 1. */
cnn_status cnn_tensor_create(cnn_tensor **tensor, cnn_context *ctx, int64_t n, int64_t c,
                             int64_t h, int64_t w);
/* NULL is accepted. */
void cnn_tensor_destroy(cnn_tensor *tensor);
/* The shape as {n, c, h, w}. */
cnn_status cnn_tensor_shape(const cnn_tensor *tensor, int64_t shape[4]);
/* Number of elements, n*c*h*w (0 for NULL). */
int64_t cnn_tensor_count(const cnn_tensor *tensor);
/* Copy count floats (must equal the element count) from host memory into the tensor. */
cnn_status cnn_tensor_write(cnn_tensor *tensor, const float *src, int64_t count);
/* Copy the tensor into count floats of host memory (count must equal the element count);
 * waits for the operations that write the tensor. */
cnn_status cnn_tensor_read(const cnn_tensor *tensor, float *dst, int64_t count);

/* ------------------------------------------------------------------------------------------ */
/* Convolution                                                                                */

typedef enum cnn_activation {
    CNN_ACTIVATION_NONE = 0,
    CNN_ACTIVATION_RELU = 1
} cnn_activation;

/* Algorithms; AUTO lets the engine choose per shape and device. */
typedef enum cnn_conv2d_algo {
    CNN_CONV2D_ALGO_AUTO = 0,
    CNN_CONV2D_ALGO_DIRECT = 1,  /* tiled direct convolution, local-memory tiles (GPU-shaped) */
    CNN_CONV2D_ALGO_IGEMM = 2,   /* implicit GEMM, register tiles over output channels x pixels,
                                    weights repacked once per plan (CPU-shaped) */
    CNN_CONV2D_ALGO_GEMM1X1 = 3, /* 1x1 kernels as a plain GEMM over the channels */
    CNN_CONV2D_ALGO_DEPTHWISE = 4, /* one input channel per group (groups == C), vectors along
                                      output rows */
    CNN_CONV2D_ALGO_WINOGRAD = 5  /* 3x3 kernels, stride 1, dilation 1: Winograd F(4x4,3x3),
                                     a quarter of the multiplies (F(2x2,3x3) on small maps).
                                     Its rounding error grows with the input patches, not the
                                     3x3 windows: tested bound
                                     1e-5 sum|x*w| + 2e-5 max|x| sum|w_k| + 1e-6 per output
                                     (the others: 1e-5 sum|x*w| + 1e-6) */
} cnn_conv2d_algo;

typedef struct cnn_conv2d_params {
    int64_t stride_h, stride_w;     /* >= 1 */
    int64_t dilation_h, dilation_w; /* >= 1 */
    int64_t pad_top, pad_bottom, pad_left, pad_right; /* >= 0, zeros */
    int64_t groups;                 /* >= 1, divides C and K; groups == C == K is depthwise */
    cnn_activation activation;      /* applied after the bias, in the same kernel */
    int flip;                       /* 0: cross-correlation (CNN frameworks); 1: mathematical
                                       convolution, the kernel rotated by 180 degrees (image
                                       filtering, the seed's G = F * X) */
    cnn_conv2d_algo algo;           /* AUTO: the engine chooses (among allowed_algos) */
    unsigned allowed_algos;         /* with AUTO: bit (1u << algo) per algorithm the engine may
                                       choose; 0 means all */
} cnn_conv2d_params;

/* Stride 1, dilation 1, no padding, 1 group, no activation, cross-correlation, AUTO. */
cnn_conv2d_params cnn_conv2d_params_default(void);

/* Output shape of a convolution of an input {N, C, H, W} with weights {K, C/groups, R, S}:
 * {N, K, OH, OW}, OH = floor((H + pad_top + pad_bottom - dilation_h*(R-1) - 1) / stride_h) + 1.
 * CNN_ERROR_INVALID_SHAPE if the kernel is larger than the padded input or the channels
 * do not fit; out is written only on success. */
cnn_status cnn_conv2d_output_shape(int64_t out[4], const int64_t input[4],
                                   const int64_t weights[4], const cnn_conv2d_params *params);

/* Number of weights of a layer, K_h * K_w * (C_i / groups) * C_o (the seed's formula for
 * groups = 1), biases not counted. */
cnn_status cnn_conv2d_weight_count(int64_t *count, int64_t kernel_h, int64_t kernel_w,
                                   int64_t in_channels, int64_t out_channels, int64_t groups);

/* One-shot convolution: out = act(conv(input, weights) + bias). bias is a {1, K, 1, 1} tensor or
 * NULL (no bias). Plans are made and cached inside the context. out must have the shape that
 * cnn_conv2d_output_shape() gives and must not alias input, weights or bias. */
cnn_status cnn_conv2d(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                      const cnn_tensor *weights, const cnn_tensor *bias,
                      const cnn_conv2d_params *params);

/* A plan validates a convolution once, chooses its algorithm and builds its kernel; it is then
 * executed many times on tensors of the planned shapes. */
typedef struct cnn_conv2d_plan cnn_conv2d_plan;

/* has_bias: whether executions pass a bias tensor. */
cnn_status cnn_conv2d_plan_create(cnn_conv2d_plan **plan, cnn_context *ctx,
                                  const int64_t input_shape[4], const int64_t weight_shape[4],
                                  int has_bias, const cnn_conv2d_params *params);
cnn_status cnn_conv2d_plan_execute(cnn_conv2d_plan *plan, cnn_tensor *out,
                                   const cnn_tensor *input, const cnn_tensor *weights,
                                   const cnn_tensor *bias);
/* The algorithm the plan uses (never AUTO), and its output shape. */
cnn_status cnn_conv2d_plan_info(const cnn_conv2d_plan *plan, cnn_conv2d_algo *algo,
                                int64_t out_shape[4]);
void cnn_conv2d_plan_destroy(cnn_conv2d_plan *plan);

/* Name of an algorithm ("auto", "direct", "igemm", "gemm1x1", "depthwise", "winograd"). */
const char *cnn_conv2d_algo_string(cnn_conv2d_algo algo);

/* ------------------------------------------------------------------------------------------ */
/* Bias + activation as an operation of its own: out = act(x + bias[c]). out may be x (in
 * place). bias is {1, C, 1, 1} or NULL. */
cnn_status cnn_bias_act(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *x,
                        const cnn_tensor *bias, cnn_activation activation);

/* ------------------------------------------------------------------------------------------ */
/* Pooling, with PyTorch's semantics (MaxPool2d / AvgPool2d / AdaptiveAvgPool2d(1)).           */

typedef enum cnn_pool_mode {
    CNN_POOL_MAX = 0,
    CNN_POOL_AVG = 1
} cnn_pool_mode;

typedef struct cnn_pool2d_params {
    cnn_pool_mode mode;
    int64_t kernel_h, kernel_w; /* >= 1 */
    int64_t stride_h, stride_w; /* >= 1 */
    int64_t pad_h, pad_w;       /* 0 <= pad <= kernel / 2, on both sides; padding never wins a
                                   max */
    int ceil_mode;              /* output size rounds up; a window starting in the right or
                                   bottom padding is dropped */
    int count_include_pad;      /* AVG: divide by the window clipped to the padded input (1), or
                                   by the input cells only (0) */
    int global;                 /* 1: the window is the whole input, stride 1, no padding; the
                                   other sizes are ignored */
} cnn_pool2d_params;

/* Max, 2x2, stride 2, no padding, floor mode, count_include_pad = 1. */
cnn_pool2d_params cnn_pool2d_params_default(void);

cnn_status cnn_pool2d_output_shape(int64_t out[4], const int64_t input[4],
                                   const cnn_pool2d_params *params);

/* One-shot pooling; plans are cached inside the context. out must have the output shape. */
cnn_status cnn_pool2d(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                      const cnn_pool2d_params *params);

typedef struct cnn_pool2d_plan cnn_pool2d_plan;

cnn_status cnn_pool2d_plan_create(cnn_pool2d_plan **plan, cnn_context *ctx,
                                  const int64_t input_shape[4], const cnn_pool2d_params *params);
cnn_status cnn_pool2d_plan_execute(cnn_pool2d_plan *plan, cnn_tensor *out,
                                   const cnn_tensor *input);
void cnn_pool2d_plan_destroy(cnn_pool2d_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* CNNCL_H */
