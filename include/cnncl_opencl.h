/**
 * @file cnncl_opencl.h
 * cnncl interop with a caller's OpenCL objects: run the engine on a cl_context, queue and
 * buffers that a pipeline already owns. The only public header that includes `<CL/cl.h>`.
 *
 * The caller keeps ownership of everything it passes in: cnncl retains the objects while it
 * uses them and releases its own references on destroy; it never frees caller memory.
 */
#ifndef CNNCL_OPENCL_H
#define CNNCL_OPENCL_H

/** The OpenCL API version that `<CL/cl.h>` declares: 1.2, cnncl's, unless the caller chose one. */
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "cnncl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup interop OpenCL interop
 * Run the engine on a cl_context, queue and buffers that a pipeline already owns
 * (cnncl_opencl.h). The caller keeps ownership of everything it passes in.
 * @{ */

/** Create a context on the caller's OpenCL device, context and in-order command queue. Work is
 * enqueued on that queue. Kernel timing (cnn_context_last_op_ms) needs a queue created with
 * CL_QUEUE_PROFILING_ENABLE. On failure *ctx is NULL and errbuf (if not NULL) holds the reason. */
CNN_API cnn_status cnn_context_create_from_cl(cnn_context **ctx, cl_context cl_ctx,
                                              cl_device_id device, cl_command_queue queue,
                                              char *errbuf, size_t errbuf_size);

/** Wrap a caller's buffer as an n x c x h x w tensor starting at byte offset 0. The buffer must
 * belong to the context's cl_context and hold at least n*c*h*w floats. Destroying the tensor
 * releases cnncl's reference only. CNN_ERROR_UNSUPPORTED on a reference-device context. */
CNN_API cnn_status cnn_tensor_wrap_cl(cnn_tensor **tensor, cnn_context *ctx, cl_mem buffer,
                                      int64_t n, int64_t c, int64_t h, int64_t w);

/** The cl_mem behind a tensor (not retained for the caller); CNN_ERROR_UNSUPPORTED on a
 * reference-device tensor. Once a tensor's cl_mem was handed out (and for wrapped buffers),
 * cnncl assumes that its contents may change at any time: weights repacked from it are never
 * reused between executions. */
CNN_API cnn_status cnn_tensor_cl_mem(const cnn_tensor *tensor, cl_mem *buffer);

/** The context's OpenCL objects (not retained for the caller). */
CNN_API cnn_status cnn_context_cl_objects(const cnn_context *ctx, cl_context *cl_ctx,
                                  cl_device_id *device, cl_command_queue *queue);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CNNCL_OPENCL_H */
