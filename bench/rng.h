/* A small deterministic random generator (splitmix64), so that a layer gets the same data on
 * every run and every machine. Not for anything but test data and sampling. */
#ifndef CNNBENCH_RNG_H
#define CNNBENCH_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_rng {
    uint64_t state;
} bench_rng;

bench_rng bench_rng_make(uint64_t seed);
uint64_t bench_rng_next(bench_rng *rng);
/* Uniform in [0, n); n >= 1. */
int64_t bench_rng_below(bench_rng *rng, int64_t n);
/* Uniform float in [lo, hi). */
float bench_rng_uniform(bench_rng *rng, float lo, float hi);
/* Fill count floats uniformly in [lo, hi). */
void bench_rng_fill(bench_rng *rng, float *dst, size_t count, float lo, float hi);
/* FNV-1a hash of a string, to derive a per-layer seed from its descriptor. */
uint64_t bench_hash_string(const char *s);

#endif /* CNNBENCH_RNG_H */
