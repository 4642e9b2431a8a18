/* The OpenCL calls that create and release objects, and those that can fail for want of
 * resources, as the library makes them: each creating wrapper is a fault injection point
 * (fault.h: it fails the way the driver would, NULL or an error code, when armed), and the
 * objects the library holds are counted (cnn_cl_live_objects: leak checks, the soak test).
 * Used by every file in place of the plain calls. */
#ifndef CNNCL_CL_FAULT_H
#define CNNCL_CL_FAULT_H

#include "fault.h"

#include <CL/cl.h>
#include <stdatomic.h>

/* Objects alive, by kind (counted by the wrappers below). */
typedef enum cnn_cl_object {
    CNN_CL_OBJ_MEM,     /* buffers created, and callers' buffers retained (interop) */
    CNN_CL_OBJ_KERNEL,
    CNN_CL_OBJ_PROGRAM,
    CNN_CL_OBJ_EVENT,
    CNN_CL_OBJ_KINDS
} cnn_cl_object;
extern atomic_llong cnn_cl_live[CNN_CL_OBJ_KINDS];

/* The counts now (process-wide, every context). */
void cnn_cl_live_objects(long long counts[CNN_CL_OBJ_KINDS]);

static inline void cnn_cl_counted(cnn_cl_object kind, const void *object)
{
    if (object)
        atomic_fetch_add(&cnn_cl_live[kind], 1);
}

static inline void cnn_cl_release_mem(cl_mem m)
{
    if (m && clReleaseMemObject(m) == CL_SUCCESS)
        atomic_fetch_sub(&cnn_cl_live[CNN_CL_OBJ_MEM], 1);
}
static inline cl_int cnn_cl_retain_mem(cl_mem m)
{
    const cl_int err = clRetainMemObject(m);
    if (err == CL_SUCCESS)
        atomic_fetch_add(&cnn_cl_live[CNN_CL_OBJ_MEM], 1);
    return err;
}
static inline void cnn_cl_release_kernel(cl_kernel k)
{
    if (k && clReleaseKernel(k) == CL_SUCCESS)
        atomic_fetch_sub(&cnn_cl_live[CNN_CL_OBJ_KERNEL], 1);
}
static inline void cnn_cl_release_program(cl_program p)
{
    if (p && clReleaseProgram(p) == CL_SUCCESS)
        atomic_fetch_sub(&cnn_cl_live[CNN_CL_OBJ_PROGRAM], 1);
}
static inline void cnn_cl_release_event(cl_event e)
{
    if (e && clReleaseEvent(e) == CL_SUCCESS)
        atomic_fetch_sub(&cnn_cl_live[CNN_CL_OBJ_EVENT], 1);
}

static inline cl_mem cnn_cl_create_buffer(cl_context c, cl_mem_flags flags, size_t size,
                                          void *host, cl_int *err)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ALLOC)) {
        *err = CL_MEM_OBJECT_ALLOCATION_FAILURE;
        return NULL;
    }
    cl_mem m = clCreateBuffer(c, flags, size, host, err);
    cnn_cl_counted(CNN_CL_OBJ_MEM, m);
    return m;
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
    cl_program p = clCreateProgramWithSource(c, count, strings, lengths, err);
    cnn_cl_counted(CNN_CL_OBJ_PROGRAM, p);
    return p;
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
    cl_program p = clCreateProgramWithBinary(c, n, devices, lengths, binaries, status, err);
    cnn_cl_counted(CNN_CL_OBJ_PROGRAM, p);
    return p;
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
    cl_kernel k = clCreateKernel(p, name, err);
    cnn_cl_counted(CNN_CL_OBJ_KERNEL, k);
    return k;
}

static inline cl_int cnn_cl_enqueue_kernel(cl_command_queue q, cl_kernel k, cl_uint dims,
                                           const size_t *global, const size_t *local,
                                           cl_event *event)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ENQUEUE))
        return CL_OUT_OF_RESOURCES;
    const cl_int err = clEnqueueNDRangeKernel(q, k, dims, NULL, global, local, 0, NULL, event);
    if (err == CL_SUCCESS && event)
        cnn_cl_counted(CNN_CL_OBJ_EVENT, *event);
    return err;
}

static inline cl_int cnn_cl_enqueue_write(cl_command_queue q, cl_mem m, size_t bytes,
                                          const void *src, cl_event *event)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ENQUEUE))
        return CL_OUT_OF_RESOURCES;
    const cl_int err = clEnqueueWriteBuffer(q, m, CL_TRUE, 0, bytes, src, 0, NULL, event);
    if (err == CL_SUCCESS && event)
        cnn_cl_counted(CNN_CL_OBJ_EVENT, *event);
    return err;
}

static inline cl_int cnn_cl_enqueue_read(cl_command_queue q, cl_mem m, size_t bytes, void *dst,
                                         cl_event *event)
{
    if (cnn_fault_hit(CNN_FAULT_CL_ENQUEUE))
        return CL_OUT_OF_RESOURCES;
    const cl_int err = clEnqueueReadBuffer(q, m, CL_TRUE, 0, bytes, dst, 0, NULL, event);
    if (err == CL_SUCCESS && event)
        cnn_cl_counted(CNN_CL_OBJ_EVENT, *event);
    return err;
}

#endif /* CNNCL_CL_FAULT_H */
