/* The records of one cnnbench run and their per-device summary. */
#include "results.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void bench_results_init(bench_results *r)
{
    memset(r, 0, sizeof *r);
}

void bench_results_free(bench_results *r)
{
    if (!r)
        return;
    free(r->records);
    r->records = NULL;
    r->count = r->capacity = 0;
}

int bench_results_add(bench_results *r, const bench_record *rec)
{
    if (r->count == r->capacity) {
        const size_t cap = r->capacity ? r->capacity * 2 : 32;
        if (cap < r->capacity || cap > SIZE_MAX / sizeof *r->records)
            return -1;
        bench_record *grown = realloc(r->records, cap * sizeof *grown);
        if (!grown)
            return -1;
        r->records = grown;
        r->capacity = cap;
    }
    r->records[r->count++] = *rec;
    return 0;
}

static int positive(double v)
{
    return isfinite(v) && v > 0.0;
}

void bench_results_summary(const bench_results *r, size_t device, bench_summary *s)
{
    memset(s, 0, sizeof *s);
    double log_gflops = 0.0, log_pct = 0.0, log_ratio[BENCH_MAX_PEERS] = {0};
    int pct_layers = 0;
    const size_t peers = r->peer_count < BENCH_MAX_PEERS ? r->peer_count : BENCH_MAX_PEERS;
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        if (rec->device != device)
            continue;
        const bench_result *res = &rec->result;
        s->layers++;
        switch (res->outcome) {
        case BENCH_VERIFIED: s->verified++; break;
        case BENCH_WRONG: s->wrong++; break;
        case BENCH_UNCHECKED: s->unchecked++; break;
        case BENCH_ERROR: s->errors++; break;
        }
        if (res->outcome == BENCH_ERROR)
            continue;
        if (positive(res->ms_median))
            s->total_ms += res->ms_median;
        /* Like the table's summary: every convolution that ran and was timed. */
        if (rec->entry.problem.op == BENCH_OP_CONV && positive(res->gflops)) {
            s->conv_layers++;
            log_gflops += log(res->gflops);
        }
        if (positive(rec->pct_roofline)) {
            pct_layers++;
            log_pct += log(rec->pct_roofline);
        }
        for (size_t p = 0; p < peers; p++)
            if (res->peers[p].ran && positive(res->peers[p].ratio)) {
                s->peer_layers[p]++;
                log_ratio[p] += log(res->peers[p].ratio);
            }
    }
    s->geomean_gflops = s->conv_layers ? exp(log_gflops / s->conv_layers) : 0.0;
    s->geomean_pct_roofline = pct_layers ? exp(log_pct / pct_layers) : 0.0;
    for (size_t p = 0; p < peers; p++)
        s->peer_geomean_ratio[p] = s->peer_layers[p] ? exp(log_ratio[p] / s->peer_layers[p]) : 0.0;
}
