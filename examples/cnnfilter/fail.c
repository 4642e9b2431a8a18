#include "fail.h"

#include <stdarg.h>
#include <stdio.h>

int cnnf_fail(char *err, size_t err_size, const char *fmt, ...)
{
    if (err == NULL || err_size == 0)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}
