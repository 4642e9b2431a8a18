/* Host clocks and order statistics shared by cnnbench's runner, peers and reports. */
#ifndef CNNBENCH_TIMING_H
#define CNNBENCH_TIMING_H

#include <stddef.h>

/* A monotonic clock in milliseconds (for differences only). */
double bench_now_ms(void);

/* Milliseconds of idle time before a library's timed runs when several take turns on each
 * layer (--vs): an OpenMP runtime's threads (oneDNN's) spin for a few milliseconds after a
 * parallel region, and took the cores from the next layer's cnncl runs (0.5-0.6x dips at
 * random layers, gone with OMP_WAIT_POLICY=passive, which slows oneDNN instead). */
#define BENCH_TURN_GAP_MS 20.0

/* Sleep for ms milliseconds. */
void bench_idle(double ms);

/* The median of n values (n >= 1); sorts v, so v[0] and v[n-1] are then the min and max. */
double bench_median(double *v, size_t n);

#endif /* CNNBENCH_TIMING_H */
