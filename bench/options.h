/* cnnbench's command line. */
#ifndef CNNBENCH_OPTIONS_H
#define CNNBENCH_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_BATCHES 16
#define BENCH_DEFAULT_SUITE "resnet50"
#define BENCH_DEFAULT_REPS 10
#define BENCH_DEFAULT_WARMUP 2
#define BENCH_DEFAULT_SEED 20240601u

/* Exit codes. */
enum {
    BENCH_EXIT_OK = 0,        /* every layer ran and verified (or --no-verify) */
    BENCH_EXIT_FAILED = 1,    /* a layer failed verification or could not run */
    BENCH_EXIT_USAGE = 2      /* bad command line, unknown suite, bad suite file, no device */
};

typedef struct bench_options {
    const char *device;       /* NULL: $CNNCL_DEVICE, else "auto" */
    const char *suite;        /* NULL: none given */
    const char *suite_dir;    /* NULL: $CNNCL_SUITE_DIR, else the build's bench/suites */
    const char **layers;      /* --layer specs (pointers into argv) */
    size_t layer_count;
    int64_t batches[BENCH_MAX_BATCHES]; /* --batch; none: each problem's own mb */
    size_t batch_count;
    int reps;
    int warmup;
    int verify;
    uint64_t seed;
    const char *json_path;    /* --json FILE */
    const char *csv_path;     /* --csv FILE */
    const char *plot_path;    /* --plot FILE.svg */
    const char *peers[4];     /* --vs NAME, in the order given (at most BENCH_MAX_PEERS);
                                 for --vs-json, the file's label once it is read */
    const char *peer_files[4]; /* --vs-json FILE at the same index; NULL for --vs NAME */
    size_t peer_count;
    unsigned algo_mask;       /* --algo: bit (1 << cnn_conv2d_algo) per allowed algorithm;
                                 0: all (the engine chooses) */
    double min_time_ms;       /* --min-time: repeat until this much device time (0: off) */
    int remeasure_peaks;      /* --remeasure-peaks: ignore the cached device peaks */
    int first_call;           /* --first-call: measure cold and warm first-call latency */
    int find;                 /* --find: the library times the algorithms (find mode) */
    int tune;                 /* --tune: find mode with the kernel parameters, no budget */
    int kernels;              /* --kernels: a cnn_kernel_family (0: auto) */
    int epilogue_cost;        /* --epilogue-cost: time each convolution without bias + ReLU */
    int list_devices;
    int list_suites;
    int help;
    int version;
} bench_options;

/* Parse argv into *o (defaults for what is not given). Returns 0, or -1 with the reason in err.
 * Free with bench_options_free() in both cases. */
int bench_options_parse(bench_options *o, int argc, char **argv, char *err, size_t err_size);
void bench_options_free(bench_options *o);

/* The --help text. */
void bench_options_help(FILE *out, const char *argv0);

/* The suite to run: --suite, else the default when no --layer is given, else NULL. */
const char *bench_options_suite(const bench_options *o);

#endif /* CNNBENCH_OPTIONS_H */
