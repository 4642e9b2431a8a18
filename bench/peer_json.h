/* --vs-json FILE: timings measured elsewhere (another machine, another library) as a peer column.
 * The file is cnnbench's JSON schema ("layers": [{"op", the shape fields, "ms_median", ...}]),
 * as written by cnnbench --json or bench/gpu/cudnn_baseline.py; its "peer" member names the
 * column. A layer of cnnbench's run is matched to the file's first convolution of the same
 * shape; layers without one get a note. */
#ifndef CNNBENCH_PEER_JSON_H
#define CNNBENCH_PEER_JSON_H

#include "peer.h"

#include <stddef.h>

typedef struct bench_baseline bench_baseline;

/* Read and check FILE once. NULL with the reason in err: unreadable, not JSON, not the schema
 * (a shape field missing or not a count), or no timed convolution in it. */
bench_baseline *bench_baseline_load(const char *path, char *err, size_t err_size);
/* The column's name: the file's "peer" (letters, digits, '-', '_', '.'), else "json". */
const char *bench_baseline_label(const bench_baseline *b);
/* Timed convolutions read from the file. */
size_t bench_baseline_count(const bench_baseline *b);
void bench_baseline_free(bench_baseline *b);

/* A peer that looks layers up in b (which must outlive it). */
bench_peer *bench_json_peer_create(const bench_baseline *b, char *err, size_t err_size);

#endif /* CNNBENCH_PEER_JSON_H */
