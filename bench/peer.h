/*
 * Peers: other libraries timed on the same layers in the same run, for side-by-side ratios.
 *   clblast  CLBlast's Sconvgemm on the same OpenCL device, on the same cl_mem buffers
 *            (when CLBlast was found at build time: Debian libclblast-dev)
 *   onednn   oneDNN's native CPU convolution with the same bias + ReLU fused
 *            (when oneDNN was found at build time: Debian libdnnl-dev)
 * A peer that was not built in can still be named: bench_peer_create() then fails with a
 * message saying so, and cnnbench reports the peer as not available.
 */
#ifndef CNNBENCH_PEER_H
#define CNNBENCH_PEER_H

#include "cnn_internal.h"
#include "cnncl.h"

#include <stddef.h>

#define BENCH_MAX_PEERS 4

typedef struct bench_peer bench_peer;

/* One convolution layer as cnnbench has set it up: the validated descriptor, the cnncl
 * tensors on the device (their cl_mem for a peer on the same OpenCL device; the output may be
 * overwritten: cnncl's result has already been verified) and host copies of the inputs. */
typedef struct bench_peer_layer {
    const cnn_conv2d_desc *conv;
    cnn_context *ctx;
    const cnn_tensor *x, *w, *bias;
    cnn_tensor *y;
    const float *host_x, *host_w, *host_bias;
    int reps, warmup;
    double min_time_ms;       /* keep repeating until this much time was measured (0: off) */
} bench_peer_layer;

typedef struct bench_peer_result {
    int ran;                  /* 1: timed; 0: see note */
    double ms_median, ms_min, ms_max;
    double gflops;            /* direct-convolution FLOPs over ms_median */
    double ratio;             /* peer ms / cnncl ms: > 1 means cnncl is faster */
    char note[160];           /* why it did not run ("groups not supported"), or what it timed
                                 ("conv only: no bias/ReLU in Sconvgemm") */
} bench_peer_result;

/* Names of every peer cnnbench knows, built in or not, NULL-terminated. */
const char *const *bench_peer_names(void);
/* Whether the named peer was built in. */
int bench_peer_built_in(const char *name);

/* Set up a peer for layers run on ctx (CLBlast needs ctx's OpenCL device; oneDNN runs on the
 * host CPU whatever ctx is). NULL with the reason in err when unknown, not built in, or not
 * usable with this context. */
bench_peer *bench_peer_create(const char *name, cnn_context *ctx, char *err, size_t err_size);
const char *bench_peer_name(const bench_peer *peer);
/* Time the peer on one layer (conv only). Fills r; returns 0 when it ran, -1 with r->note set
 * when this layer is not supported by the peer or failed. */
int bench_peer_run(bench_peer *peer, const bench_peer_layer *layer, bench_peer_result *r);
void bench_peer_destroy(bench_peer *peer);

#endif /* CNNBENCH_PEER_H */
