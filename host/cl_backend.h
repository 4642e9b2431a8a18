/* The OpenCL backend's entry points for the rest of the runtime. */
#ifndef CNNCL_CL_BACKEND_H
#define CNNCL_CL_BACKEND_H

#include "cnn_internal.h"

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

/* One OpenCL device as enumerated: platform index p, device index d within the platform. */
typedef struct cnn_cl_device_entry {
    cl_platform_id platform;
    cl_device_id device;
    int platform_index;
    int device_index;
} cnn_cl_device_entry;

/* All OpenCL devices of all platforms; *entries is malloc'ed (free it). No platform at all (no
 * ICD installed) is not an error: *count is 0. */
cnn_status cnn_cl_enumerate(cnn_cl_device_entry **entries, size_t *count);

/* A device string (dev set) or a platform string (dev NULL) of any length, malloc'ed and
 * NUL-terminated; NULL when the driver does not answer or memory runs out. */
char *cnn_cl_info_string(cl_device_id dev, cl_platform_id platform, cl_uint what);

/* Fill a public device description from OpenCL queries. */
void cnn_cl_device_info(cl_device_id device, int platform_index, int device_index,
                        cnn_device_info *info);

/* A backend on a device, with its own cl_context and in-order profiling queue. */
cnn_status cnn_cl_backend_create(cnn_context *ctx, cl_device_id device, cnn_backend **be);

/* A backend on a caller's context and queue (retained, released on destroy). */
cnn_status cnn_cl_backend_create_from(cnn_context *ctx, cl_context cl_ctx, cl_device_id device,
                                      cl_command_queue queue, cnn_backend **be);

/* Whether a backend is the OpenCL one; its objects. */
int cnn_backend_is_cl(const cnn_backend *be);
void cnn_cl_backend_objects(const cnn_backend *be, cl_context *cl_ctx, cl_device_id *device,
                            cl_command_queue *queue);

/* For tests only: lower the limits that ctx's OpenCL backend plans with (the work-group size,
 * also capping each dimension's work-items; the local memory; the max allocation, which also
 * bounds tensors and workspaces) to at most the given values (0 keeps the device's value; a
 * value above the device's is the device's), in the backend and in the context's device
 * description, and drop the context's cached one-shot plans. It also turns on a strict mode:
 * every kernel launch first checks that its work-group (each dimension and the product) and
 * the kernel's local memory (CL_KERNEL_LOCAL_MEM_SIZE: its __local arrays and the __local
 * arguments set) are within these limits, and every buffer set as a kernel argument that its
 * size is within the max allocation; a violation fails the launch with CNN_ERROR_INTERNAL and
 * a message naming the kernel, the sizes and the limit. Plans made before the call keep the
 * limits they were made with. CNN_ERROR_UNSUPPORTED on a context that is not OpenCL. Without
 * this call nothing is checked or queried. */
cnn_status cnn_cl_test_set_limits(cnn_context *ctx, size_t max_work_group_size,
                                  uint64_t local_mem_bytes, uint64_t max_alloc_bytes);

/* Name of an OpenCL error code ("CL_INVALID_VALUE"). */
const char *cnn_cl_error_name(cl_int code);

/* Record a failed OpenCL call on ctx: "clFoo failed: CL_X (-n) at file:line". */
#define CNN_CL_FAIL(ctx, call_name, code)                                                      \
    cnn_error((ctx), (code) == CL_OUT_OF_HOST_MEMORY || (code) == CL_MEM_OBJECT_ALLOCATION_FAILURE \
                         || (code) == CL_OUT_OF_RESOURCES                                     \
                         ? CNN_ERROR_OUT_OF_MEMORY                                            \
                         : CNN_ERROR_OPENCL,                                                  \
              "%s failed: %s (%d) at %s:%d", (call_name), cnn_cl_error_name(code), (int)(code), \
              __FILE__, __LINE__)

#endif /* CNNCL_CL_BACKEND_H */
