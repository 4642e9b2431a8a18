/*
 * Running one problem on a context: data, plan, warm-up, timed repeats, verification.
 *
 * For a convolution: random input, weights and bias in [-1, 1) from a seed derived from the
 * run's seed and the problem's descriptor (the same layer gets the same data in any suite);
 * the output is filled with NaN; a plan with bias and ReLU fused is made (timed: plan_ms); one
 * first execution (timed to its end: first_ms, which includes any first-launch compilation);
 * `warmup` more; then `reps` executions, each followed by cnn_context_last_op_ms (the device
 * time of the operation's kernels; the wall time where the device has no profiling). The
 * output of the last execution is read back and verified (verify.h). Pooling likewise.
 */
#ifndef CNNBENCH_RUNNER_H
#define CNNBENCH_RUNNER_H

#include "cnncl.h"
#include "peer.h"
#include "problem.h"
#include "verify.h"

#include <stdint.h>

/* --min-time never repeats a layer more often than this. */
#define BENCH_MAX_REPS 100000

typedef struct bench_run_config {
    int reps;       /* timed executions, >= 1 */
    int warmup;     /* untimed executions after the first one, >= 0 */
    int verify;     /* 0: do not check the output */
    uint64_t seed;  /* data and sampling seed */
    double min_time_ms; /* repeat past reps until this much device time was measured (0: off) */
    unsigned algo_mask; /* allowed algorithms, bit 1 << cnn_conv2d_algo (0: all): the
                           engine chooses among them (cnn_conv2d_params.allowed_algos) */
    int epilogue_cost;        /* also time each convolution without bias and ReLU */
    bench_peer *const *peers; /* timed after cnncl on each convolution, same data */
    size_t peer_count;
} bench_run_config;

typedef enum bench_outcome {
    BENCH_VERIFIED = 0,  /* ran, every checked output within tolerance */
    BENCH_UNCHECKED = 1, /* ran, verification switched off */
    BENCH_WRONG = 2,     /* ran, some output outside tolerance */
    BENCH_ERROR = 3      /* did not run: see error */
} bench_outcome;

typedef struct bench_result {
    bench_outcome outcome;
    char error[1024];         /* BENCH_ERROR: the call that failed, its status, the detail */
    cnn_conv2d_algo algo;     /* convolution: the algorithm the plan chose */
    int64_t out_shape[4];
    double flops;             /* direct-convolution FLOPs, 2*N*K*OH*OW*(C/g)*R*S; 0 for pooling */
    double bytes;             /* fewest bytes moved: input, weights, bias and output once */
    double plan_ms;           /* wall time of the plan's creation */
    double first_ms;          /* wall time of the first execution, to its end */
    double ms_median, ms_min, ms_max; /* per execution, over the timed repeats */
    double wall_ms_median;    /* wall time per timed execution, enqueue to completion */
    int device_timing;        /* 1: from profiling events; 0: wall time (no profiling) */
    double gflops, gbs;       /* flops and bytes over ms_median */
    int timed_reps;           /* executions timed (reps, or more for min_time_ms) */
    double ms_no_epilogue;    /* --epilogue-cost: median ms of the same convolution without
                                 bias and ReLU (0: not measured) */
    bench_verify_result check;
    bench_peer_result peers[BENCH_MAX_PEERS]; /* in the order of cfg->peers */
} bench_result;

/* Run p on ctx. Returns 0 when the problem ran (r->outcome says whether it verified), -1 when
 * it could not run (r->outcome is BENCH_ERROR and r->error says why). */
int bench_run(cnn_context *ctx, const bench_problem *p, const bench_run_config *cfg,
              bench_result *r);

#endif /* CNNBENCH_RUNNER_H */
