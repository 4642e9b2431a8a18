/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit state, full period, good enough for data. */
#include "rng.h"

bench_rng bench_rng_make(uint64_t seed)
{
    bench_rng r = {seed};
    return r;
}

uint64_t bench_rng_next(bench_rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int64_t bench_rng_below(bench_rng *rng, int64_t n)
{
    if (n <= 1)
        return 0;
    /* The modulo bias is below 2^-40 for any size a layer has; irrelevant for sampling. */
    return (int64_t)(bench_rng_next(rng) % (uint64_t)n);
}

float bench_rng_uniform(bench_rng *rng, float lo, float hi)
{
    const double u = (double)(bench_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
    const float v = (float)(lo + (hi - lo) * u);
    return v < hi ? v : lo; /* rounding to float may reach hi */
}

void bench_rng_fill(bench_rng *rng, float *dst, size_t count, float lo, float hi)
{
    for (size_t i = 0; i < count; i++)
        dst[i] = bench_rng_uniform(rng, lo, hi);
}

uint64_t bench_hash_string(const char *s)
{
    uint64_t h = UINT64_C(0xCBF29CE484222325);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001B3);
    }
    return h;
}
