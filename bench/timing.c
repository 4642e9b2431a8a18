#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "timing.h"

#include <stdlib.h>
#include <time.h>

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void bench_idle(double ms)
{
    const time_t sec = (time_t)(ms / 1e3);
    struct timespec ts = {sec, (long)((ms - 1e3 * (double)sec) * 1e6)};
    while (nanosleep(&ts, &ts) != 0) /* interrupted: the rest */
        ;
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
