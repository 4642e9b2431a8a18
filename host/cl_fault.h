/* The OpenCL calls that can fail for want of resources, as fault injection points (fault.h):
 * each wrapper fails the way the driver would (NULL or an error code) when the point is armed.
 * Used by every cl_*.c file in place of the plain calls. */
#ifndef CNNCL_CL_FAULT_H
#define CNNCL_CL_FAULT_H

#include "fault.h"

#include <CL/cl.h>

static inline cl_mem cnn_cl_create_buffer(cl_context c, cl_mem_flags flags, size_t size,
                                          void *host, cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ALLOC)) {
        *err = CL_MEM_OBJECT_ALLOCATION_FAILURE;
        return NULL;
    }
    return clCreateBuffer(c, flags, size, host, err);
}

static inline cl_context cnn_cl_create_context(cl_device_id device, cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ALLOC)) {
        *err = CL_OUT_OF_HOST_MEMORY;
        return NULL;
    }
    return clCreateContext(NULL, 1, &device, NULL, NULL, err);
}

static inline cl_command_queue cnn_cl_create_queue(cl_context c, cl_device_id device,
                                                   cl_command_queue_properties properties,
                                                   cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ALLOC)) {
        *err = CL_OUT_OF_HOST_MEMORY;
        return NULL;
    }
    return clCreateCommandQueue(c, device, properties, err);
}

static inline cl_program cnn_cl_create_program_with_source(cl_context c, cl_uint count,
                                                           const char **strings,
                                                           const size_t *lengths, cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_BUILD)) {
        *err = CL_OUT_OF_HOST_MEMORY;
        return NULL;
    }
    return clCreateProgramWithSource(c, count, strings, lengths, err);
}

static inline cl_program cnn_cl_create_program_with_binary(cl_context c, cl_uint n,
                                                           const cl_device_id *devices,
                                                           const size_t *lengths,
                                                           const unsigned char **binaries,
                                                           cl_int *status, cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_BUILD)) {
        *err = CL_OUT_OF_HOST_MEMORY;
        return NULL;
    }
    return clCreateProgramWithBinary(c, n, devices, lengths, binaries, status, err);
}

static inline cl_int cnn_cl_build_program(cl_program p, cl_uint n, const cl_device_id *devices,
                                          const char *options)
{
    if (cnn_fault_hit(CNN_FAULT_CL_BUILD))
        return CL_OUT_OF_RESOURCES;
    return clBuildProgram(p, n, devices, options, NULL, NULL);
}

static inline cl_kernel cnn_cl_create_kernel(cl_program p, const char *name, cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_KERNEL)) {
        *err = CL_OUT_OF_RESOURCES;
        return NULL;
    }
    return clCreateKernel(p, name, err);
}

static inline cl_int cnn_cl_enqueue_kernel(cl_command_queue q, cl_kernel k, cl_uint dims,
                                           const size_t *global, const size_t *local,
                                           cl_event *event)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ENQUEUE))
        return CL_OUT_OF_RESOURCES;
    return clEnqueueNDRangeKernel(q, k, dims, NULL, global, local, 0, NULL, event);
}

static inline cl_int cnn_cl_enqueue_write(cl_command_queue q, cl_mem m, size_t bytes,
                                          const void *src, cl_event *event)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ENQUEUE))
        return CL_OUT_OF_RESOURCES;
    return clEnqueueWriteBuffer(q, m, CL_TRUE, 0, bytes, src, 0, NULL, event);
}

static inline cl_int cnn_cl_enqueue_read(cl_command_queue q, cl_mem m, size_t bytes, void *dst,
                                         cl_event *event)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ENQUEUE))
        return CL_OUT_OF_RESOURCES;
    return clEnqueueReadBuffer(q, m, CL_TRUE, 0, bytes, dst, 0, NULL, event);
}

#endif /* CNNCL_CL_FAULT_H */
