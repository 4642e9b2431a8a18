/* Kernel sources embedded at build time by cmake/EmbedKernels.cmake (generated
 * kernel_sources.c in the build tree). CNNCL_KERNEL_DIR loads them from disk instead. */
#ifndef CNNCL_KERNEL_SOURCES_H
#define CNNCL_KERNEL_SOURCES_H

#include <stddef.h>

typedef struct cnn_kernel_source {
    const char *name;          /* file name, e.g. "conv2d_direct.cl" */
    const unsigned char *data; /* the file's bytes, NOT NUL-terminated */
    size_t size;
} cnn_kernel_source;

extern const cnn_kernel_source cnn_kernel_sources[];
extern const size_t cnn_kernel_source_count;
/* 16 hex digits of a SHA-256 over every file's name and bytes, computed at build time. */
extern const char cnn_kernel_sources_digest[];

#endif /* CNNCL_KERNEL_SOURCES_H */
