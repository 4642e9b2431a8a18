/*
 * Everything one cnnbench run measured, kept for the reports written after the run (--json,
 * --csv, --plot) and for the side-by-side table of --device all.
 */
#ifndef CNNBENCH_RESULTS_H
#define CNNBENCH_RESULTS_H

#include "cnncl.h"
#include "peaks.h"
#include "peer.h"
#include "runner.h"
#include "suite.h"

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_DEVICES 16

typedef struct bench_device_run {
    cnn_device_info info;
    bench_peaks peaks;
    int pocl;                       /* PoCL device: POCL_AFFINITY matters */
} bench_device_run;

/* One layer on one device at one batch size. */
typedef struct bench_record {
    bench_entry entry;              /* the problem with the batch applied (entry.problem.mb) */
    char name[BENCH_NAME_MAX];      /* display name */
    size_t device;                  /* index into bench_results.devices */
    bench_result result;            /* result.peers[i] is peer_names[i]'s */
    double pct_roofline;            /* of the device's peaks, from result.ms_median */
    double cold_ms, warm_ms;        /* --first-call: plan + first execution in a fresh context
                                       with an empty / a warm program cache (0: not measured) */
} bench_record;

typedef struct bench_results {
    char suite[64];                 /* suite name, or "command line" */
    char date[64];                  /* ISO 8601, local time with offset */
    char host[64];
    char pocl_affinity[32];         /* value at start-up ("" when unset) */
    int pocl_affinity_by_us;
    bench_device_run devices[BENCH_MAX_DEVICES];
    size_t device_count;
    const char *peer_names[BENCH_MAX_PEERS];
    size_t peer_count;
    bench_record *records;
    size_t count, capacity;
} bench_results;

void bench_results_init(bench_results *r);
void bench_results_free(bench_results *r);
/* Append a copy of rec; 0, or -1 when out of memory. */
int bench_results_add(bench_results *r, const bench_record *rec);

/* Summary over the records of one device: geometric means of conv GFLOP/s and % of roofline,
 * verified counts, and per peer the geometric mean of the ratios. */
typedef struct bench_summary {
    int layers, verified, wrong, errors, unchecked;
    int conv_layers;
    double geomean_gflops;
    double geomean_pct_roofline;
    double total_ms;
    int peer_layers[BENCH_MAX_PEERS];
    double peer_geomean_ratio[BENCH_MAX_PEERS];
} bench_summary;

void bench_results_summary(const bench_results *r, size_t device, bench_summary *s);

/* Writers (bench/output_*.c). Each returns 0, or -1 with err set. */
int bench_write_json(const bench_results *r, const char *path, char *err, size_t err_size);
int bench_write_csv(const bench_results *r, const char *path, char *err, size_t err_size);
int bench_write_svg(const bench_results *r, const char *path, char *err, size_t err_size);

#endif /* CNNBENCH_RESULTS_H */
