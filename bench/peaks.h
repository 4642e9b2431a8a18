/*
 * The device's own limits, measured by cnnbench's micro-kernels: peak fp32 FMA rate and copy
 * bandwidth. They are the two ceilings of the roofline that every layer is put against:
 * time floor = max(flops / peak_gflops, bytes / peak_gbs); % of roofline = floor / measured.
 * Measured on first use and cached per device (name, vendor, driver) in
 * $XDG_CACHE_HOME/cnncl/peaks.txt (else ~/.cache/cnncl); --remeasure-peaks ignores the cache.
 */
#ifndef CNNBENCH_PEAKS_H
#define CNNBENCH_PEAKS_H

#include "cnncl.h"

typedef struct bench_peaks {
    double gflops;            /* peak fp32 FMA rate, 2 FLOPs per FMA; 0: unknown */
    double gbs;               /* copy bandwidth, bytes read + written per second / 1e9 */
    int from_cache;           /* 1: read from the cache file, 0: measured in this run */
    char how[160];            /* one line: what was measured, e.g. "fma float16 x 2048 ..." */
} bench_peaks;

/* Measure (or read from the cache) the peaks of ctx's OpenCL device. The reference device has
 * none (-1, peaks 0). Returns 0, or -1 with err set (peaks then 0). */
int bench_peaks_get(cnn_context *ctx, int remeasure, bench_peaks *peaks, char *err,
                    size_t err_size);

/* % of the roofline for a layer: 100 * floor / ms (0 when peaks are unknown). */
double bench_roofline_pct(const bench_peaks *peaks, double flops, double bytes, double ms);

#endif /* CNNBENCH_PEAKS_H */
