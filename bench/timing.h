/* Host clocks and order statistics shared by cnnbench's runner, peers and reports. */
#ifndef CNNBENCH_TIMING_H
#define CNNBENCH_TIMING_H

#include <stddef.h>

/* A monotonic clock in milliseconds (for differences only). */
double bench_now_ms(void);

/* The median of n values (n >= 1); sorts v, so v[0] and v[n-1] are then the min and max. */
double bench_median(double *v, size_t n);

#endif /* CNNBENCH_TIMING_H */
