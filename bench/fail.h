/* The error convention of cnnbench's parsers: write a message into a caller's buffer and
 * return -1. */
#ifndef CNNBENCH_FAIL_H
#define CNNBENCH_FAIL_H

#include <stddef.h>

/* Format the message into err (if not NULL, truncated to err_size) and return -1. */
int bench_fail(char *err, size_t err_size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* CNNBENCH_FAIL_H */
