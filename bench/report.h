/*
 * cnnbench's report: a header that says what was measured and how, an aligned table with one
 * row per layer, and a summary. The table goes to out (stdout); the progress line, when
 * enabled, to stderr.
 */
#ifndef CNNBENCH_REPORT_H
#define CNNBENCH_REPORT_H

#include "cnncl.h"
#include "peaks.h"
#include "results.h"
#include "runner.h"
#include "suite.h"

#include <stddef.h>
#include <stdio.h>

/* What the header states besides the device. */
typedef struct bench_header {
    const char *selector;        /* the selector used */
    const char *selector_origin; /* "--device", "CNNCL_DEVICE" or "default" */
    const char *pocl_affinity;   /* the value of POCL_AFFINITY at start-up, NULL when unset */
    int pocl_affinity_by_us;     /* 1: cnnbench set it */
    int device_is_pocl;
    const char *suite_dir;
    const bench_suite *suite;    /* what runs */
    const int64_t *batches;      /* --batch sizes; batch_count 0: the problems' own */
    size_t batch_count;
    const bench_run_config *config;
    const bench_peaks *peaks;    /* the device's measured peaks (0: unknown) */
    const char *peaks_note;      /* why there are none, when unknown */
    const char *const *peer_names; /* --vs, in order */
    const char *const *peer_notes; /* per peer: "" when it is set up, else why it is not */
    size_t peer_count;
    int first_call;              /* --first-call */
} bench_header;

typedef struct bench_report {
    FILE *out;
    int name_width, shape_width;
    int progress;                /* 1: progress line on stderr */
    size_t peer_count;           /* peer columns */
    const char *const *peer_names;
    int first_call;              /* cold / warm columns */
    int epilogue_cost;           /* the 'epi %' column (set after bench_report_init) */
    int epilogue_layers;
    double log_epilogue_sum;
    double start_ms;
    /* one batch's totals */
    int layers, verified, wrong, errors, unchecked;
    int conv_timed;
    double log_gflops_sum;
    int roofline_layers;
    double log_pct_sum;
    int peer_layers[BENCH_MAX_PEERS];
    double log_ratio_sum[BENCH_MAX_PEERS];
    double total_ms;
    double network_ms;           /* sum of count x median */
    int64_t network_convs, network_pools;
    int counts_given;
} bench_report;

/* Start a report for the problems of suite (the widths come from them), with a column per
 * peer and, with first_call, cold and warm first-call columns. */
void bench_report_init(bench_report *rep, FILE *out, const bench_suite *suite, int progress,
                       const char *const *peer_names, size_t peer_count, int first_call);

void bench_report_header(bench_report *rep, const cnn_device_info *device,
                         const bench_header *h);

/* The column titles; call at the start of each batch (resets the batch's totals). */
void bench_report_table_head(bench_report *rep, int64_t batch);

/* Progress before running entry index of total (stderr, when enabled). */
void bench_report_progress(bench_report *rep, size_t index, size_t total, const char *name);

/* One row, plus an indented detail line for an error, a wrong result or a peer's note. */
void bench_report_row(bench_report *rep, const bench_record *rec);

/* Several devices (--device all): one line per layer with each device's median ms, GFLOP/s
 * and % of roofline. */
void bench_report_side_by_side(FILE *out, const bench_results *results);

/* The batch's summary lines. */
void bench_report_summary(bench_report *rep);

/* A display name for an entry: its name, else "#index". */
void bench_entry_display_name(const bench_entry *entry, size_t index, char *buf, size_t size);

#endif /* CNNBENCH_REPORT_H */
