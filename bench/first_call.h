/*
 * First-call latency: what a program pays the first time it runs a layer. Plan creation plus
 * the first execution to its end, in a fresh context, twice: with an empty cnncl program cache
 * (cold: the kernel is compiled) and then with the cache that the cold call filled (warm).
 * Uses a temporary XDG_CACHE_HOME of its own, restored afterwards.
 */
#ifndef CNNBENCH_FIRST_CALL_H
#define CNNBENCH_FIRST_CALL_H

#include "problem.h"

#include <stddef.h>

/* Returns 0 with both times in ms, or -1 with err set. */
int bench_first_call(const char *selector, const bench_problem *p, double *cold_ms,
                     double *warm_ms, char *err, size_t err_size);

#endif /* CNNBENCH_FIRST_CALL_H */
