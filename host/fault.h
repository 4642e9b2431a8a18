/* Fault injection, for tests only: with the build switch CNNCL_FAULT_INJECTION (CMake option
 * of the same name), every host allocation, OpenCL allocation, program build, kernel creation
 * and enqueue of the library is an injection point, and a test can make the Nth point reached
 * fail, as if the system had refused (tests/test_fault_injection.c sweeps N over a whole
 * lifecycle). Without the switch the points compile to nothing. The state is process-wide and
 * not thread-safe: tests arm it from one thread. */
#ifndef CNNCL_FAULT_H
#define CNNCL_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef enum cnn_fault_kind {
    CNN_FAULT_HOST_ALLOC,  /* malloc, calloc, realloc */
    CNN_FAULT_CL_ALLOC,    /* clCreateBuffer, clCreateContext, clCreateCommandQueue */
    CNN_FAULT_CL_BUILD,    /* clCreateProgramWith*, clBuildProgram */
    CNN_FAULT_CL_KERNEL,   /* clCreateKernel */
    CNN_FAULT_CL_ENQUEUE,  /* clEnqueue* */
    CNN_FAULT_KINDS
} cnn_fault_kind;

#ifdef CNNCL_FAULT_INJECTION
/* Whether this point must fail: counts the point, and fails the armed one. */
int cnn_fault_hit(cnn_fault_kind kind);
/* Make the nth point from now (1-based) fail, and count points from zero; 0 disarms (and
 * still counts). */
void cnn_fault_arm(int64_t nth);
/* Points reached since the last cnn_fault_arm, and the kind of the one that failed (or -1). */
int64_t cnn_fault_points(void);
int cnn_fault_failed_kind(void);
#else
static inline int cnn_fault_hit(cnn_fault_kind kind)
{
    (void)kind;
    return 0;
}
#endif

/* The library's allocations, each an injection point. */
static inline void *cnn_malloc(size_t n)
{
    return cnn_fault_hit(CNN_FAULT_HOST_ALLOC) ? NULL : malloc(n);
}
static inline void *cnn_calloc(size_t n, size_t size)
{
    return cnn_fault_hit(CNN_FAULT_HOST_ALLOC) ? NULL : calloc(n, size);
}
static inline void *cnn_realloc(void *p, size_t n)
{
    return cnn_fault_hit(CNN_FAULT_HOST_ALLOC) ? NULL : realloc(p, n);
}

#endif /* CNNCL_FAULT_H */
