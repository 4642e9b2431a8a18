/* For tests that define clGetDeviceInfo themselves to change what a device reports: the
 * statically linked library then calls theirs, which forwards what it does not change to the
 * ICD loader's (found with dlsym(RTLD_NEXT)) and answers the rest as a driver would. Define
 * _GNU_SOURCE before any include. */
#ifndef CNNCL_TESTS_DEVICE_INFO_HOOK_H
#define CNNCL_TESTS_DEVICE_INFO_HOOK_H

#include <CL/cl.h>
#include <dlfcn.h>
#include <string.h>

typedef cl_int(CL_API_CALL *tu_get_device_info_fn)(cl_device_id, cl_device_info, size_t, void *,
                                                    size_t *);

/* The ICD loader's clGetDeviceInfo; NULL when it cannot be found. */
static inline tu_get_device_info_fn tu_real_get_device_info(void)
{
    static tu_get_device_info_fn real;
    if (real == NULL) {
        void *sym = dlsym(RTLD_NEXT, "clGetDeviceInfo");
        memcpy(&real, &sym, sizeof real); /* object to function pointer, as POSIX allows */
    }
    return real;
}

/* An answer of `bytes` bytes the way a driver gives it: its size in *size_ret, and
 * CL_INVALID_VALUE for a buffer too small. */
static inline cl_int tu_device_info_answer(const void *what, size_t bytes, size_t size,
                                           void *value, size_t *size_ret)
{
    if (size_ret != NULL) {
        *size_ret = bytes;
    }
    if (value != NULL) {
        if (size < bytes) {
            return CL_INVALID_VALUE;
        }
        memcpy(value, what, bytes);
    }
    return CL_SUCCESS;
}

#endif /* CNNCL_TESTS_DEVICE_INFO_HOOK_H */
