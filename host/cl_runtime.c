/* OpenCL platform and device discovery, device descriptions, error names. */
#include "cl_backend.h"
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cnn_status cnn_cl_enumerate(cnn_cl_device_entry **entries, size_t *count)
{
    *entries = NULL;
    *count = 0;
    cl_uint np = 0;
    /* No ICD at all answers CL_PLATFORM_NOT_FOUND_KHR (-1001) or 0 platforms: not an error. */
    if (clGetPlatformIDs(0, NULL, &np) != CL_SUCCESS || np == 0)
        return CNN_SUCCESS;
    cl_platform_id *platforms = cnn_malloc(np * sizeof *platforms);
    if (!platforms)
        return CNN_ERROR_OUT_OF_MEMORY;
    if (clGetPlatformIDs(np, platforms, NULL) != CL_SUCCESS) {
        free(platforms);
        return CNN_SUCCESS;
    }
    size_t total = 0, cap = 0;
    cnn_cl_device_entry *list = NULL;
    for (cl_uint p = 0; p < np; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS ||
            nd == 0)
            continue;
        cl_device_id *devs = cnn_malloc(nd * sizeof *devs);
        if (!devs) {
            free(list);
            free(platforms);
            return CNN_ERROR_OUT_OF_MEMORY;
        }
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, nd, devs, NULL) != CL_SUCCESS) {
            free(devs);
            continue;
        }
        if (total + nd > cap) {
            cap = total + nd;
            cnn_cl_device_entry *grown = cnn_realloc(list, cap * sizeof *list);
            if (!grown) {
                free(devs);
                free(list);
                free(platforms);
                return CNN_ERROR_OUT_OF_MEMORY;
            }
            list = grown;
        }
        for (cl_uint d = 0; d < nd; d++) {
            list[total].platform = platforms[p];
            list[total].device = devs[d];
            list[total].platform_index = (int)p;
            list[total].device_index = (int)d;
            total++;
        }
        free(devs);
    }
    free(platforms);
    *entries = list;
    *count = total;
    return CNN_SUCCESS;
}

char *cnn_cl_info_string(cl_device_id dev, cl_platform_id platform, cl_uint what)
{
    size_t size = 0;
    cl_int err = dev ? clGetDeviceInfo(dev, what, 0, NULL, &size)
                     : clGetPlatformInfo(platform, what, 0, NULL, &size);
    if (err != CL_SUCCESS || size == 0)
        return NULL;
    char *s = cnn_malloc(size + 1);
    if (!s)
        return NULL;
    err = dev ? clGetDeviceInfo(dev, what, size, s, NULL)
              : clGetPlatformInfo(platform, what, size, s, NULL);
    if (err != CL_SUCCESS) {
        free(s);
        return NULL;
    }
    s[size] = '\0'; /* a driver that forgets the terminator */
    return s;
}

/* A device string into a fixed field of cnn_device_info: cut to fit when longer (a name is
 * still a name), "unknown" when the driver does not answer. */
static void query_string(cl_device_id dev, cl_device_info what, char *dst, size_t size)
{
    char *s = cnn_cl_info_string(dev, NULL, what);
    snprintf(dst, size, "%s", s ? s : "unknown");
    free(s);
}

void cnn_cl_device_info(cl_device_id dev, int platform_index, int device_index,
                        cnn_device_info *info)
{
    memset(info, 0, sizeof *info);
    query_string(dev, CL_DEVICE_NAME, info->name, sizeof info->name);
    query_string(dev, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    query_string(dev, CL_DRIVER_VERSION, info->driver, sizeof info->driver);
    query_string(dev, CL_DEVICE_VERSION, info->opencl_version, sizeof info->opencl_version);
    snprintf(info->selector, sizeof info->selector, "%d:%d", platform_index, device_index);
    info->platform_index = platform_index;
    info->device_index = device_index;
    cl_device_type t = 0;
    clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    info->type = (t & CL_DEVICE_TYPE_GPU)           ? CNN_DEVICE_GPU
                 : (t & CL_DEVICE_TYPE_CPU)         ? CNN_DEVICE_CPU
                 : (t & CL_DEVICE_TYPE_ACCELERATOR) ? CNN_DEVICE_ACCELERATOR
                                                    : CNN_DEVICE_OTHER;
    cl_uint cu = 0;
    clGetDeviceInfo(dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    info->compute_units = cu;
    cl_ulong v = 0;
    clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof v, &v, NULL);
    info->global_mem_bytes = v;
    v = 0;
    clGetDeviceInfo(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof v, &v, NULL);
    info->max_alloc_bytes = v;
    v = 0;
    clGetDeviceInfo(dev, CL_DEVICE_LOCAL_MEM_SIZE, sizeof v, &v, NULL);
    info->local_mem_bytes = v;
    v = 0;
    clGetDeviceInfo(dev, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, sizeof v, &v, NULL);
    info->global_cache_bytes = v;
    size_t wg = 0;
    clGetDeviceInfo(dev, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    info->max_work_group_size = wg;
}

const char *cnn_cl_error_name(cl_int code)
{
    switch (code) {
#define CASE(x) case x: return #x
    CASE(CL_SUCCESS);
    CASE(CL_DEVICE_NOT_FOUND);
    CASE(CL_DEVICE_NOT_AVAILABLE);
    CASE(CL_COMPILER_NOT_AVAILABLE);
    CASE(CL_MEM_OBJECT_ALLOCATION_FAILURE);
    CASE(CL_OUT_OF_RESOURCES);
    CASE(CL_OUT_OF_HOST_MEMORY);
    CASE(CL_PROFILING_INFO_NOT_AVAILABLE);
    CASE(CL_MEM_COPY_OVERLAP);
    CASE(CL_IMAGE_FORMAT_MISMATCH);
    CASE(CL_IMAGE_FORMAT_NOT_SUPPORTED);
    CASE(CL_BUILD_PROGRAM_FAILURE);
    CASE(CL_MAP_FAILURE);
    CASE(CL_MISALIGNED_SUB_BUFFER_OFFSET);
    CASE(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
    CASE(CL_COMPILE_PROGRAM_FAILURE);
    CASE(CL_LINKER_NOT_AVAILABLE);
    CASE(CL_LINK_PROGRAM_FAILURE);
    CASE(CL_DEVICE_PARTITION_FAILED);
    CASE(CL_KERNEL_ARG_INFO_NOT_AVAILABLE);
    CASE(CL_INVALID_VALUE);
    CASE(CL_INVALID_DEVICE_TYPE);
    CASE(CL_INVALID_PLATFORM);
    CASE(CL_INVALID_DEVICE);
    CASE(CL_INVALID_CONTEXT);
    CASE(CL_INVALID_QUEUE_PROPERTIES);
    CASE(CL_INVALID_COMMAND_QUEUE);
    CASE(CL_INVALID_HOST_PTR);
    CASE(CL_INVALID_MEM_OBJECT);
    CASE(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR);
    CASE(CL_INVALID_IMAGE_SIZE);
    CASE(CL_INVALID_SAMPLER);
    CASE(CL_INVALID_BINARY);
    CASE(CL_INVALID_BUILD_OPTIONS);
    CASE(CL_INVALID_PROGRAM);
    CASE(CL_INVALID_PROGRAM_EXECUTABLE);
    CASE(CL_INVALID_KERNEL_NAME);
    CASE(CL_INVALID_KERNEL_DEFINITION);
    CASE(CL_INVALID_KERNEL);
    CASE(CL_INVALID_ARG_INDEX);
    CASE(CL_INVALID_ARG_VALUE);
    CASE(CL_INVALID_ARG_SIZE);
    CASE(CL_INVALID_KERNEL_ARGS);
    CASE(CL_INVALID_WORK_DIMENSION);
    CASE(CL_INVALID_WORK_GROUP_SIZE);
    CASE(CL_INVALID_WORK_ITEM_SIZE);
    CASE(CL_INVALID_GLOBAL_OFFSET);
    CASE(CL_INVALID_EVENT_WAIT_LIST);
    CASE(CL_INVALID_EVENT);
    CASE(CL_INVALID_OPERATION);
    CASE(CL_INVALID_GL_OBJECT);
    CASE(CL_INVALID_BUFFER_SIZE);
    CASE(CL_INVALID_MIP_LEVEL);
    CASE(CL_INVALID_GLOBAL_WORK_SIZE);
    CASE(CL_INVALID_PROPERTY);
    CASE(CL_INVALID_IMAGE_DESCRIPTOR);
    CASE(CL_INVALID_COMPILER_OPTIONS);
    CASE(CL_INVALID_LINKER_OPTIONS);
    CASE(CL_INVALID_DEVICE_PARTITION_COUNT);
#undef CASE
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    }
    return "unknown OpenCL error";
}
