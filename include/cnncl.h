/**
 * @file cnncl.h
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
 * cnn_context_finish() wait for them. Threads may share a context (its calls take its lock) or
 * use one each.
 * This header has no OpenCL types; see cnncl_opencl.h for interop with a caller's OpenCL objects.
 */
#ifndef CNNCL_H
#define CNNCL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @file cnncl_version.h
 * CNNCL_VERSION_MAJOR, _MINOR, _PATCH and CNNCL_VERSION_STRING of these headers (generated
 * from the project's version, the one place it is set). Included by cnncl.h.
 */
/** @def CNNCL_VERSION_MAJOR
 * The headers' major version. */
/** @def CNNCL_VERSION_MINOR
 * The headers' minor version. */
/** @def CNNCL_VERSION_PATCH
 * The headers' patch version. */
/** @def CNNCL_VERSION_STRING
 * The headers' version as "MAJOR.MINOR.PATCH" (cnn_version() gives the library's). */
#include "cnncl_version.h"

/** The functions the library exports (the shared library hides everything else). */
#if defined(__GNUC__)
#define CNN_API __attribute__((visibility("default")))
#else
#define CNN_API
#endif

/** Library version as "MAJOR.MINOR.PATCH", of the library linked at run time (compare with
 * CNNCL_VERSION_STRING, the headers' version). */
CNN_API const char *cnn_version(void);

/* ------------------------------------------------------------------------------------------ */
/** @defgroup status Status
 * Every fallible call returns a cnn_status; cnn_context_last_error() gives the detail.
 * @{ */

/** What a call did: success, or why it failed. */
typedef enum cnn_status {
    CNN_SUCCESS = 0,                /**< the call did what it was asked */
    CNN_ERROR_INVALID_ARGUMENT = 1, /**< a NULL pointer, a zero or negative size, an unknown
                                         enum */
    CNN_ERROR_INVALID_SHAPE = 2,    /**< shapes that do not fit together, or an empty output */
    CNN_ERROR_OVERFLOW = 3,         /**< a size whose product overflows */
    CNN_ERROR_OUT_OF_MEMORY = 4,    /**< host or device allocation failed */
    CNN_ERROR_DEVICE_NOT_FOUND = 5, /**< the device selector matched no device */
    CNN_ERROR_OPENCL = 6,           /**< an OpenCL call failed (call and code in the last error) */
    CNN_ERROR_BUILD_FAILED = 7,     /**< a kernel did not compile (build log in the last error) */
    CNN_ERROR_UNSUPPORTED = 8,      /**< valid, but not supported on this device or algorithm */
    CNN_ERROR_LIMIT_EXCEEDED = 9,   /**< a device limit (max allocation, local memory) is
                                         exceeded */
    CNN_ERROR_INTERNAL = 10         /**< a bug in cnncl: please report it */
} cnn_status;

/** A constant, human-readable name of a status ("invalid argument"); never NULL. */
CNN_API const char *cnn_status_string(cnn_status status);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup logging Logging
 * Logging: one process-wide callback. By default messages at WARN and above go to stderr.
 * CNNCL_LOG=debug|info|warn|error|off sets the level when the caller has not.
 * @{ */

/** The level of a log message; also the threshold below which messages are dropped. */
typedef enum cnn_log_level {
    CNN_LOG_DEBUG = 0, /**< details: plans, algorithms chosen, caches */
    CNN_LOG_INFO = 1,  /**< the device chosen, and the like */
    CNN_LOG_WARN = 2,  /**< something the caller should know (the default threshold) */
    CNN_LOG_ERROR = 3, /**< failures */
    CNN_LOG_OFF = 4    /**< as a threshold: no messages */
} cnn_log_level;

/** A log callback: receives each message at or above the level, and the user_data given to
 * cnn_log_set_callback(). */
typedef void (*cnn_log_fn)(cnn_log_level level, const char *message, void *user_data);

/** Route log messages to fn (NULL restores the default stderr writer). Not thread-safe against
 * concurrent logging: set it before creating contexts. */
CNN_API void cnn_log_set_callback(cnn_log_fn fn, void *user_data);
/** Messages below level are dropped. Overrides CNNCL_LOG. */
CNN_API void cnn_log_set_level(cnn_log_level level);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup devices Devices
 * The devices a context can run on: the reference CPU path and every OpenCL device.
 * @{ */

/** The kind of a device. */
typedef enum cnn_device_type {
    CNN_DEVICE_REFERENCE = 0, /**< the plain CPU reference path, no OpenCL */
    CNN_DEVICE_CPU = 1,       /**< an OpenCL CPU device (PoCL, say) */
    CNN_DEVICE_GPU = 2,       /**< an OpenCL GPU */
    CNN_DEVICE_ACCELERATOR = 3, /**< an OpenCL accelerator */
    CNN_DEVICE_OTHER = 4      /**< any other OpenCL device */
} cnn_device_type;

/** A description of a device, as cnn_device_list() and cnn_context_device() give it. */
typedef struct cnn_device_info {
    char name[256];           /**< device name */
    char vendor[256];         /**< vendor name */
    char driver[128];         /**< driver version */
    char opencl_version[128]; /**< device OpenCL version string; "none" for the reference */
    char selector[32];        /**< a selector that picks exactly this device: "ref" or "P:D" */
    cnn_device_type type;     /**< the kind of device */
    int platform_index;       /**< -1 for the reference device */
    int device_index;         /**< -1 for the reference device */
    uint32_t compute_units;   /**< compute units */
    uint64_t global_mem_bytes;    /**< global memory, in bytes */
    uint64_t max_alloc_bytes;     /**< the largest single allocation, in bytes */
    uint64_t local_mem_bytes;     /**< local memory per work-group, in bytes */
    uint64_t max_work_group_size; /**< the most work-items in a work-group */
    uint64_t global_cache_bytes; /**< the device's global memory cache (on CPUs, the last-level
                                    cache); 0 when unknown */
} cnn_device_info;

/** List the devices: the reference device first, then every OpenCL device of every platform.
 * Writes at most capacity entries to infos (which may be NULL when capacity is 0) and the total
 * number of devices to *count. Works, listing only the reference, when no OpenCL exists. */
CNN_API cnn_status cnn_device_list(cnn_device_info *infos, size_t capacity, size_t *count);

/** Name of a device type ("reference", "cpu", "gpu", "accelerator", "other"). */
CNN_API const char *cnn_device_type_string(cnn_device_type type);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup context Context
 * Context: one device, its queue, compiled programs and cached plans.
 * @{ */

/** A context: one device, its queue, compiled programs and cached plans (opaque). */
typedef struct cnn_context cnn_context;

/**< Threads: contexts are independent, one per thread runs fully in parallel. A context may
 * also be shared: every call on it, its tensors and its plans takes the context's lock, so
 * calls from several threads are safe and run one after the other. cnn_context_last_error()
 * belongs to the context: with a shared context it may hold another thread's error. The log
 * callback and level are process-wide: set them before starting threads. */

/** Create a context on the device named by selector:
 *   - "auto"  the first GPU, else the first OpenCL CPU device, else the reference;
 *   - "gpu", "cpu"  the first OpenCL device of that type (an error listing the devices if none);
 *   - "ref"   the reference CPU path (plain loops, double accumulation);
 *   - "P:D"   OpenCL platform P, device D (indices as cnn_device_list() reports them);
 *   - any other text: the first device whose name or vendor contains it (case-insensitive).
 *
 * NULL selector: the environment variable CNNCL_DEVICE, else "auto".
 * On failure *ctx is NULL and, if errbuf is not NULL, the reason is written there
 * (NUL-terminated, truncated to errbuf_size). The chosen device is logged at INFO. */
CNN_API cnn_status cnn_context_create(cnn_context **ctx, const char *selector, char *errbuf,
                                      size_t errbuf_size);

/** Destroy the context; waits for its queued work. Tensors and plans of the context must be
 * destroyed first. NULL is accepted. */
CNN_API void cnn_context_destroy(cnn_context *ctx);

/** The detail of the last failure on this context ("" if none); owned by the context, valid
 * until the next call on it. NULL ctx gives a constant text. */
CNN_API const char *cnn_context_last_error(const cnn_context *ctx);

/** Describe the context's device. */
CNN_API cnn_status cnn_context_device(const cnn_context *ctx, cnn_device_info *info);

/** Wait until all work queued on the context is done. */
CNN_API cnn_status cnn_context_finish(cnn_context *ctx);

/** Device time of the kernels of the last operation (conv2d, pool2d, bias_act) run on the
 * context, in milliseconds, from OpenCL profiling events; waits for that operation to finish.
 * CNN_ERROR_UNSUPPORTED where no profiling is available (a caller's queue without profiling).
 * For the reference device, the wall time of the operation. */
CNN_API cnn_status cnn_context_last_op_ms(cnn_context *ctx, double *ms);

/** The most device memory one workspace of an operation may take (a padded copy of the input,
 * say), in bytes; 0 restores the default, 256 MiB capped by the device's max allocation. An
 * operation whose workspace would be larger runs in several passes over parts of the batch;
 * one that cannot be split small enough falls back to an algorithm without that workspace.
 * Applies to plans made afterwards. */
CNN_API cnn_status cnn_context_set_workspace_limit(cnn_context *ctx, uint64_t bytes);

/** Which shape of kernels the OpenCL device runs. GPU-shaped kernels tile each work-group's
 * part of the problem in local memory for hundreds of work-items; CPU-shaped ones give each
 * work-item a long register tile and no local memory (work-groups of one). */
typedef enum cnn_kernel_family {
    CNN_KERNELS_AUTO = 0, /**< by the device's type: GPU-shaped on GPUs, CPU-shaped elsewhere */
    CNN_KERNELS_CPU = 1,  /**< CPU-shaped kernels */
    CNN_KERNELS_GPU = 2   /**< GPU-shaped kernels */
} cnn_kernel_family;

/** Force a kernel family on the context's device (default AUTO): GPU runs the GPU-shaped kernels
 * on a CPU device too (how the tests check them without a GPU), CPU the CPU-shaped ones. Applies
 * to plans made afterwards; the context's cached one-shot plans are dropped. No effect on the
 * reference device. CNN_ERROR_INVALID_ARGUMENT for a value outside the enum. */
CNN_API cnn_status cnn_context_set_kernel_family(cnn_context *ctx, cnn_kernel_family family);

/** @name Find mode flags
 * Find mode flags, for cnn_context_set_find_mode().
 * @{ */
#define CNN_FIND_OFF 0        /**< rules choose the algorithm, nothing is timed (the default) */
#define CNN_FIND_ALGORITHMS 1 /**< time every algorithm that can serve the shape */
#define CNN_FIND_TUNE 2       /**< also each algorithm's kernel parameters (tile shapes), within
                                 the tune budget */
/** @} */

/** Find mode: a plan whose algorithm is AUTO times every algorithm that can serve its shape
 * (among allowed_algos) on the device and keeps the fastest, like cuDNN's Find; with
 * CNN_FIND_TUNE also their kernel parameters. The winner is remembered per device and shape in
 * the disk cache (see CNNCL_CACHE), and every later AUTO plan of that shape on that device, in
 * any process, uses it, find mode or not. It is also remembered for the shape's class (same
 * kernel, strides, dilations and grouping; batch, channels and output sizes within the same
 * powers of two): outside find mode, a shape never timed takes its class's latest winner. Off
 * by default: rules choose, at no cost. mode is CNN_FIND_OFF, CNN_FIND_ALGORITHMS or
 * CNN_FIND_ALGORITHMS | CNN_FIND_TUNE. Results found with other kernels (another cnncl build)
 * are not used. */
CNN_API cnn_status cnn_context_set_find_mode(cnn_context *ctx, int mode);

/** The most time a plan may spend tuning kernel parameters in find mode, in milliseconds (each
 * algorithm's default parameters are always timed); 0: no limit. Default 1000 ms. */
CNN_API cnn_status cnn_context_set_tune_budget(cnn_context *ctx, double ms);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup tensors Tensors
 * Tensors: NCHW float32 in the context's device memory.
 * @{ */

/** An NCHW float32 tensor in a context's device memory (opaque). */
typedef struct cnn_tensor cnn_tensor;

/** Create an n x c x h x w float tensor (contents undefined). All sizes must be >= 1. */
CNN_API cnn_status cnn_tensor_create(cnn_tensor **tensor, cnn_context *ctx, int64_t n, int64_t c,
                                     int64_t h, int64_t w);
/** Destroy a tensor. NULL is accepted. */
CNN_API void cnn_tensor_destroy(cnn_tensor *tensor);
/** The shape as {n, c, h, w}. */
CNN_API cnn_status cnn_tensor_shape(const cnn_tensor *tensor, int64_t shape[4]);
/** Number of elements, n*c*h*w (0 for NULL). */
CNN_API int64_t cnn_tensor_count(const cnn_tensor *tensor);
/** Copy count floats (must equal the element count) from host memory into the tensor. */
CNN_API cnn_status cnn_tensor_write(cnn_tensor *tensor, const float *src, int64_t count);
/** Copy the tensor into count floats of host memory (count must equal the element count);
 * waits for the operations that write the tensor. */
CNN_API cnn_status cnn_tensor_read(const cnn_tensor *tensor, float *dst, int64_t count);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup convolution Convolution
 * Convolution (conv2d) with fused bias and activation, one-shot or through plans; bias +
 * activation as an operation of its own.
 * @{ */

/** The activation applied after the bias. */
typedef enum cnn_activation {
    CNN_ACTIVATION_NONE = 0, /**< none: out = x + bias */
    CNN_ACTIVATION_RELU = 1  /**< ReLU: out = max(x + bias, 0) */
} cnn_activation;

/** Algorithms; AUTO lets the engine choose per shape and device. */
typedef enum cnn_conv2d_algo {
    CNN_CONV2D_ALGO_AUTO = 0,    /**< the engine chooses per shape and device */
    CNN_CONV2D_ALGO_DIRECT = 1,  /**< tiled direct convolution, local-memory tiles (GPU-shaped) */
    CNN_CONV2D_ALGO_IGEMM = 2,   /**< implicit GEMM, register tiles over output channels x pixels,
                                    weights repacked once per plan (CPU-shaped) */
    CNN_CONV2D_ALGO_GEMM1X1 = 3, /**< 1x1 kernels as a plain GEMM over the channels */
    CNN_CONV2D_ALGO_DEPTHWISE = 4, /**< one input channel per group (groups == C), vectors along
                                      output rows */
    CNN_CONV2D_ALGO_WINOGRAD = 5  /**< 3x3 kernels, stride 1, dilation 1: Winograd F(4x4,3x3),
                                     a quarter of the multiplies (F(2x2,3x3) on small maps).
                                     Its rounding error grows with the input patches, not the
                                     3x3 windows: tested bound
                                     1e-5 sum|x*w| + 2e-5 max|x| sum|w_k| + 1e-6 per output
                                     (the others: 1e-5 sum|x*w| + 1e-6) */
} cnn_conv2d_algo;

/** The parameters of a convolution; start from cnn_conv2d_params_default(). */
typedef struct cnn_conv2d_params {
    /** @name Stride
     * @{ */
    int64_t stride_h, stride_w;     /**< >= 1 */
    /** @} */
    /** @name Dilation
     * @{ */
    int64_t dilation_h, dilation_w; /**< >= 1 */
    /** @} */
    /** @name Padding
     * @{ */
    int64_t pad_top, pad_bottom, pad_left, pad_right; /**< >= 0, zeros */
    /** @} */
    int64_t groups;                 /**< >= 1, divides C and K; groups == C == K is depthwise */
    cnn_activation activation;      /**< applied after the bias, in the same kernel */
    int flip;                       /**< 0: cross-correlation (CNN frameworks); 1: mathematical
                                       convolution, the kernel rotated by 180 degrees (image
                                       filtering, the seed's G = F * X) */
    cnn_conv2d_algo algo;           /**< AUTO: the engine chooses (among allowed_algos) */
    unsigned allowed_algos;         /**< with AUTO: bit (1u << algo) per algorithm the engine may
                                       choose; 0 means all */
} cnn_conv2d_params;

/** Stride 1, dilation 1, no padding, 1 group, no activation, cross-correlation, AUTO. */
CNN_API cnn_conv2d_params cnn_conv2d_params_default(void);

/** Output shape of a convolution of an input {N, C, H, W} with weights {K, C/groups, R, S}:
 * {N, K, OH, OW}, OH = floor((H + pad_top + pad_bottom - dilation_h*(R-1) - 1) / stride_h) + 1.
 * CNN_ERROR_INVALID_SHAPE if the kernel is larger than the padded input or the channels
 * do not fit; out is written only on success. */
CNN_API cnn_status cnn_conv2d_output_shape(int64_t out[4], const int64_t input[4],
                                           const int64_t weights[4],
                                           const cnn_conv2d_params *params);

/** Number of weights of a layer, K_h * K_w * (C_i / groups) * C_o (the seed's formula for
 * groups = 1), biases not counted. */
CNN_API cnn_status cnn_conv2d_weight_count(int64_t *count, int64_t kernel_h, int64_t kernel_w,
                                           int64_t in_channels, int64_t out_channels,
                                           int64_t groups);

/** One-shot convolution: out = act(conv(input, weights) + bias). bias is a {1, K, 1, 1} tensor or
 * NULL (no bias). Plans are made and cached inside the context. out must have the shape that
 * cnn_conv2d_output_shape() gives and must not alias input, weights or bias. */
CNN_API cnn_status cnn_conv2d(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                              const cnn_tensor *weights, const cnn_tensor *bias,
                              const cnn_conv2d_params *params);

/** A plan validates a convolution once, chooses its algorithm and builds its kernel; it is then
 * executed many times on tensors of the planned shapes. */
typedef struct cnn_conv2d_plan cnn_conv2d_plan;

/** Make a plan for a convolution of input_shape with weight_shape and params (validated as
 * cnn_conv2d() does). has_bias: whether executions pass a bias tensor. */
CNN_API cnn_status cnn_conv2d_plan_create(cnn_conv2d_plan **plan, cnn_context *ctx,
                                          const int64_t input_shape[4],
                                          const int64_t weight_shape[4], int has_bias,
                                          const cnn_conv2d_params *params);
/** Run the plan: out = act(conv(input, weights) + bias), on tensors of the planned shapes
 * (bias: given exactly when the plan has one); out must not alias the others. */
CNN_API cnn_status cnn_conv2d_plan_execute(cnn_conv2d_plan *plan, cnn_tensor *out,
                                           const cnn_tensor *input, const cnn_tensor *weights,
                                           const cnn_tensor *bias);
/** The algorithm the plan uses (never AUTO), and its output shape. */
CNN_API cnn_status cnn_conv2d_plan_info(const cnn_conv2d_plan *plan, cnn_conv2d_algo *algo,
                                        int64_t out_shape[4]);
/** Destroy a plan. NULL is accepted. */
CNN_API void cnn_conv2d_plan_destroy(cnn_conv2d_plan *plan);

/** Name of an algorithm ("auto", "direct", "igemm", "gemm1x1", "depthwise", "winograd"). */
CNN_API const char *cnn_conv2d_algo_string(cnn_conv2d_algo algo);

/* ------------------------------------------------------------------------------------------ */
/** Bias + activation as an operation of its own: out = act(x + bias[c]). out may be x (in
 * place). bias is {1, C, 1, 1} or NULL. */
CNN_API cnn_status cnn_bias_act(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *x,
                                const cnn_tensor *bias, cnn_activation activation);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @defgroup pooling Pooling
 * Pooling, with PyTorch's semantics (MaxPool2d / AvgPool2d / AdaptiveAvgPool2d(1)).
 * @{ */

/** Max or average pooling. */
typedef enum cnn_pool_mode {
    CNN_POOL_MAX = 0, /**< the largest value of each window */
    CNN_POOL_AVG = 1  /**< the mean of each window (see count_include_pad) */
} cnn_pool_mode;

/** The parameters of a pooling; start from cnn_pool2d_params_default(). */
typedef struct cnn_pool2d_params {
    cnn_pool_mode mode;         /**< max or average */
    /** @name Window
     * @{ */
    int64_t kernel_h, kernel_w; /**< >= 1 */
    /** @} */
    /** @name Stride
     * @{ */
    int64_t stride_h, stride_w; /**< >= 1 */
    /** @} */
    /** @name Padding
     * @{ */
    int64_t pad_h, pad_w;       /**< 0 <= pad <= kernel / 2, on both sides; padding never wins a
                                   max */
    /** @} */
    int ceil_mode;              /**< output size rounds up; a window starting in the right or
                                   bottom padding is dropped */
    int count_include_pad;      /**< AVG: divide by the window clipped to the padded input (1), or
                                   by the input cells only (0) */
    int global;                 /**< 1: the window is the whole input, stride 1, no padding; the
                                   other sizes are ignored */
} cnn_pool2d_params;

/** Max, 2x2, stride 2, no padding, floor mode, count_include_pad = 1. */
CNN_API cnn_pool2d_params cnn_pool2d_params_default(void);

/** Output shape of a pooling of an input {N, C, H, W}: {N, C, OH, OW},
 * OH = floor((H + 2 * pad_h - kernel_h) / stride_h) + 1 (ceil with ceil_mode).
 * CNN_ERROR_INVALID_SHAPE if the window is larger than the padded input; out is written only
 * on success. */
CNN_API cnn_status cnn_pool2d_output_shape(int64_t out[4], const int64_t input[4],
                                           const cnn_pool2d_params *params);

/** One-shot pooling; plans are cached inside the context. out must have the output shape. */
CNN_API cnn_status cnn_pool2d(cnn_context *ctx, cnn_tensor *out, const cnn_tensor *input,
                              const cnn_pool2d_params *params);

/** A pooling validated once and executed many times on tensors of the planned shape. */
typedef struct cnn_pool2d_plan cnn_pool2d_plan;

/** Make a plan for a pooling of input_shape with params (validated as cnn_pool2d() does). */
CNN_API cnn_status cnn_pool2d_plan_create(cnn_pool2d_plan **plan, cnn_context *ctx,
                                          const int64_t input_shape[4],
                                          const cnn_pool2d_params *params);
/** Run the plan on an input of the planned shape; out must have the output shape. */
CNN_API cnn_status cnn_pool2d_plan_execute(cnn_pool2d_plan *plan, cnn_tensor *out,
                                           const cnn_tensor *input);
/** Destroy a plan. NULL is accepted. */
CNN_API void cnn_pool2d_plan_destroy(cnn_pool2d_plan *plan);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CNNCL_H */
