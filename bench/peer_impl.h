/* What a peer implementation provides (bench/peer_clblast.c, bench/peer_onednn.c); bench/peer.c
 * dispatches by name. Each implementation defines its own struct that starts with
 * bench_peer. */
#ifndef CNNBENCH_PEER_IMPL_H
#define CNNBENCH_PEER_IMPL_H

#include "peer.h"

typedef struct bench_peer_vtable {
    const char *name;
    int (*run)(bench_peer *peer, const bench_peer_layer *layer, bench_peer_result *r);
    void (*destroy)(bench_peer *peer);
} bench_peer_vtable;

struct bench_peer {
    const bench_peer_vtable *vt;
};

/* Write a printf-style note into r->note and return -1 (a layer the peer did not run). */
int bench_peer_note(bench_peer_result *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#ifdef CNNBENCH_HAVE_CLBLAST
bench_peer *bench_clblast_create(cnn_context *ctx, char *err, size_t err_size);
#endif
#ifdef CNNBENCH_HAVE_ONEDNN
/* nchw: the convolution's input and output in NCHW ("onednn-nchw"), else in its own layouts. */
bench_peer *bench_onednn_create(cnn_context *ctx, int nchw, char *err, size_t err_size);
#endif

#endif /* CNNBENCH_PEER_IMPL_H */
