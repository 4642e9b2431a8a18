/* cnnfilter: the one way its parts report an error. */
#ifndef CNNFILTER_FAIL_H
#define CNNFILTER_FAIL_H

#include <stddef.h>

/* Format the message into err (err_size bytes, always terminated; none when err is NULL)
 * and return -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int cnnf_fail(char *err, size_t err_size, const char *fmt, ...);

#endif
