/* Programs: built once per (device, source, options) and kept in memory by the backend; their
 * binaries are also kept in the disk cache. */
#ifndef CNNCL_CL_PROGRAM_H
#define CNNCL_CL_PROGRAM_H

#include "cl_backend.h"

typedef struct cnn_cl_program_entry cnn_cl_program_entry;

typedef struct cnn_cl_programs {
    cnn_cl_program_entry *head;
    cl_context context;
    cl_device_id device;
    char *device_key; /* device, vendor, driver and platform, whole: part of the disk-cache key */
    int arg_info;     /* build with -cl-kernel-arg-info (the strict launch checks of tests) */
} cnn_cl_programs;

/* CNN_ERROR_OUT_OF_MEMORY when the device key cannot be made (nothing to release then). */
cnn_status cnn_cl_programs_init(cnn_cl_programs *ps, cl_context context, cl_device_id device);
void cnn_cl_programs_release(cnn_cl_programs *ps);

/* The built program of kernels/<source_name> with the given options (owned by ps). A build
 * failure returns CNN_ERROR_BUILD_FAILED with the build log in ctx's last error. */
cnn_status cnn_cl_program_get(cnn_cl_programs *ps, cnn_context *ctx, const char *source_name,
                              const char *options, cl_program *program);

/* A kernel of a program (the caller releases it). */
cnn_status cnn_cl_kernel_create(cnn_cl_programs *ps, cnn_context *ctx, const char *source_name,
                                const char *options, const char *kernel_name, cl_kernel *kernel);

#endif /* CNNCL_CL_PROGRAM_H */
