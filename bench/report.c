/* The text report: header, table rows, summary, progress line. */
#include "report.h"
#include "timing.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NAME_WIDTH_MAX 40
#define SHAPE_WIDTH_MAX 48

void bench_entry_display_name(const bench_entry *entry, size_t index, char *buf, size_t size)
{
    if (entry->problem.name[0])
        snprintf(buf, size, "%s", entry->problem.name);
    else
        snprintf(buf, size, "#%zu", index + 1);
}

void bench_report_init(bench_report *rep, FILE *out, const bench_suite *suite, int progress,
                       const char *const *peer_names, size_t peer_count, int first_call)
{
    memset(rep, 0, sizeof *rep);
    rep->out = out;
    rep->progress = progress;
    rep->peer_names = peer_names;
    rep->peer_count = peer_count < BENCH_MAX_PEERS ? peer_count : BENCH_MAX_PEERS;
    rep->first_call = first_call;
    rep->start_ms = bench_now_ms();
    rep->name_width = 5;   /* "layer" */
    rep->shape_width = 5;  /* "shape" */
    for (size_t i = 0; i < suite->count; i++) {
        char text[256];
        bench_entry_display_name(&suite->entries[i], i, text, sizeof text);
        int w = (int)strlen(text);
        if (w > rep->name_width)
            rep->name_width = w < NAME_WIDTH_MAX ? w : NAME_WIDTH_MAX;
        /* with --batch the mb digits change; leave room for them */
        w = bench_problem_summary(&suite->entries[i].problem, text, sizeof text) + 3;
        if (w > rep->shape_width)
            rep->shape_width = w < SHAPE_WIDTH_MAX ? w : SHAPE_WIDTH_MAX;
    }
}

static double gib(uint64_t bytes) { return (double)bytes / (1024.0 * 1024.0 * 1024.0); }

void bench_report_header(bench_report *rep, const cnn_device_info *dev, const bench_header *h)
{
    FILE *out = rep->out;
    char date[64] = "?", host[256] = "?";
    const time_t t = time(NULL);
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %z", &tm);
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "?");
    host[sizeof host - 1] = '\0';

    fprintf(out, "cnnbench (cnncl %s)  %s  host %s\n", cnn_version(), date, host);
    fprintf(out, "device   %s [%s, selector %s; asked for \"%s\" by %s]\n", dev->name,
            cnn_device_type_string(dev->type), dev->selector, h->selector, h->selector_origin);
    if (dev->type == CNN_DEVICE_REFERENCE) {
        fprintf(out, "         the host CPU, one thread, plain loops with double accumulation "
                "(cnncl %s)\n", dev->driver);
    } else {
        fprintf(out, "         vendor %s, driver %s, %s\n", dev->vendor, dev->driver,
                dev->opencl_version);
        fprintf(out, "         %u compute units, %.1f GiB memory (max allocation %.1f GiB), "
                "%.0f KiB local memory, work-groups up to %" PRIu64 "\n",
                dev->compute_units, gib(dev->global_mem_bytes), gib(dev->max_alloc_bytes),
                (double)dev->local_mem_bytes / 1024.0, dev->max_work_group_size);
    }
    if (h->pocl_affinity)
        fprintf(out, "env      POCL_AFFINITY=%s (%s%s)\n", h->pocl_affinity,
                h->pocl_affinity_by_us ? "set by cnnbench" : "set by the user",
                h->device_is_pocl ? "" : "; not a PoCL device, no effect");
    const bench_suite *s = h->suite;
    fprintf(out, "suite    %s%s%s, %zu problem%s%s%s%s\n", s->name, s->title[0] ? ": " : "",
            s->title, s->count, s->count == 1 ? "" : "s", s->path[0] ? " (" : "", s->path,
            s->path[0] ? ")" : "");
    if (h->batch_count) {
        fprintf(out, "batch    ");
        for (size_t i = 0; i < h->batch_count; i++)
            fprintf(out, "%s%" PRId64, i ? ", " : "", h->batches[i]);
        fprintf(out, " (replacing each problem's mb)\n");
    }
    if (h->peaks && h->peaks->gflops > 0.0)
        fprintf(out, "roofline peak %.1f GFLOP/s fp32 FMA, %.1f GB/s copy (%s: %s);\n"
                "         %% roof = max(flops / peak, bytes / bandwidth) / time\n",
                h->peaks->gflops, h->peaks->gbs,
                h->peaks->from_cache ? "cached measurement" : "measured now", h->peaks->how);
    else
        fprintf(out, "roofline %s\n", h->peaks_note && h->peaks_note[0] ? h->peaks_note
                                                                         : "peaks unknown");
    for (size_t i = 0; i < h->peer_count; i++) {
        if (h->peer_notes[i][0])
            fprintf(out, "peer     %s: %s\n", h->peer_names[i], h->peer_notes[i]);
        else
            fprintf(out,
                    "peer     %s: timed on the same layers after cnncl, each library after "
                    "%.0f ms idle; column 'vs NAME' = peer ms / cnncl ms (> 1: cnncl is "
                    "faster)\n",
                    h->peer_names[i], BENCH_TURN_GAP_MS);
    }
    if (h->first_call)
        fprintf(out, "first    cold / warm ms = plan creation + first execution in a fresh "
                "context with an empty / a filled cnncl program cache\n         (the "
                "driver's own cache, e.g. PoCL's, is left as it is)\n");
    const bench_run_config *c = h->config;
    if (c->min_time_ms > 0.0)
        fprintf(out, "min-time each layer repeats past %d reps until %.0f ms of device time "
                "were measured\n", c->reps, c->min_time_ms);
    if (dev->type == CNN_DEVICE_REFERENCE)
        fprintf(out, "timing   wall time of each operation on the reference device (no OpenCL)");
    else
        fprintf(out, "timing   device time of the operation's kernels from OpenCL profiling "
                "events (cnn_context_last_op_ms)");
    fprintf(out, ";\n         median, min, max of %d reps after the first execution and %d "
            "warm-up runs;\n         plan ms = wall time of the plan's creation (kernel "
            "build); first ms = wall time of the first execution\n", c->reps, c->warmup);
    fprintf(out, "flops    GFLOP/s from direct-convolution FLOPs 2*N*K*OH*OW*(C/g)*R*S, "
            "whatever the algorithm;\n         GB/s from the fewest bytes moved (input, "
            "weights, bias, output once); convolutions fused with bias + ReLU\n");
    if (c->verify)
        fprintf(out, "verify   against the reference (double accumulation): every output of "
                "layers up to %d outputs and %.0e multiply-adds,\n         else %d random + one "
                "per channel and per image + the borders of %d (n,k) planes;\n         "
                "|y-ref| <= 1e-5*sum|x*w| + 1e-6 (winograd: + 2e-5*max|x|*sum|w_k|; max pooling: "
                "exact); seed %" PRIu64 "\n",
                BENCH_VERIFY_FULL_OUTPUTS, BENCH_VERIFY_FULL_MACS, BENCH_VERIFY_RANDOM,
                BENCH_VERIFY_PLANES, c->seed);
    else
        fprintf(out, "verify   off (--no-verify); seed %" PRIu64 "\n", c->seed);
    fflush(out);
}

void bench_report_table_head(bench_report *rep, int64_t batch)
{
    FILE *out = rep->out;
    rep->layers = rep->verified = rep->wrong = rep->errors = rep->unchecked = 0;
    rep->conv_timed = 0;
    rep->log_gflops_sum = rep->total_ms = rep->network_ms = 0.0;
    rep->roofline_layers = 0;
    rep->log_pct_sum = 0.0;
    rep->epilogue_layers = 0;
    rep->log_epilogue_sum = 0.0;
    memset(rep->peer_layers, 0, sizeof rep->peer_layers);
    memset(rep->log_ratio_sum, 0, sizeof rep->log_ratio_sum);
    rep->network_convs = rep->network_pools = 0;
    rep->counts_given = 0;
    fprintf(out, "\n");
    if (batch > 0)
        fprintf(out, "batch %" PRId64 "\n", batch);
    fprintf(out, "%-*s  %-*s  %-6s  %9s  %9s  %9s  %9s  %8s  %7s  %6s  %9s  %9s",
            rep->name_width, "layer", rep->shape_width, "shape", "algo", "ms", "min", "max",
            "wall ms", "GFLOP/s", "GB/s", "%roof", "plan ms", "first ms");
    if (rep->first_call)
        fprintf(out, "  %9s  %9s", "cold ms", "warm ms");
    if (rep->epilogue_cost)
        fprintf(out, "  %6s", "epi %");
    for (size_t i = 0; i < rep->peer_count; i++) {
        char title[32];
        snprintf(title, sizeof title, "vs %s", rep->peer_names[i]);
        fprintf(out, "  %10s", title);
    }
    fprintf(out, "  %8s  %s\n", "max err", "verified");
    fflush(out);
}

void bench_report_progress(bench_report *rep, size_t index, size_t total, const char *name)
{
    if (!rep->progress)
        return;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s  (%.1f s elapsed)", index + 1, total, name,
            (bench_now_ms() - rep->start_ms) / 1000.0);
    fflush(stderr);
}

static void clear_progress(const bench_report *rep)
{
    if (rep->progress) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
}

/* Milliseconds with 4 significant digits or so: "1234.5", "12.345", "0.0123". */
static void format_ms(char *buf, size_t size, double ms)
{
    if (ms >= 1000.0)
        snprintf(buf, size, "%.1f", ms);
    else if (ms >= 1.0)
        snprintf(buf, size, "%.3f", ms);
    else
        snprintf(buf, size, "%.4f", ms);
}

/* "5123", "12.3k", "4.56M" */
static void short_count(char *buf, size_t size, int64_t n)
{
    if (n < 10000)
        snprintf(buf, size, "%" PRId64, n);
    else if (n < 10000000)
        snprintf(buf, size, "%.1fk", (double)n / 1e3);
    else
        snprintf(buf, size, "%.2fM", (double)n / 1e6);
}

/* The error text, indented, at most a few lines (a build log can be long). */
static void print_error_detail(FILE *out, const char *text)
{
    int lines = 0;
    fprintf(out, "    error: ");
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            if (!p[1])
                break;
            if (++lines == 12) {
                fprintf(out, "\n    ...");
                break;
            }
            fprintf(out, "\n           ");
            continue;
        }
        fputc(*p, out);
    }
    fprintf(out, "\n");
}

void bench_report_row(bench_report *rep, const bench_record *rec)
{
    FILE *out = rep->out;
    const bench_entry *entry = &rec->entry;
    const bench_result *r = &rec->result;
    const char *name = rec->name;
    const bench_problem *p = &entry->problem;
    char shape[256], verified[96], checked[32], failed[32];
    bench_problem_summary(p, shape, sizeof shape);
    clear_progress(rep);
    rep->layers++;
    const char *algo = p->op == BENCH_OP_CONV ? cnn_conv2d_algo_string(r->algo) : "-";

    if (r->outcome == BENCH_ERROR) {
        rep->errors++;
        fprintf(out, "%-*s  %-*s  %-6s  %s\n", rep->name_width, name, rep->shape_width, shape,
                "-", "ERROR");
        print_error_detail(out, r->error);
        fflush(out);
        return;
    }

    short_count(checked, sizeof checked, r->check.checked);
    short_count(failed, sizeof failed, r->check.failed);
    switch (r->outcome) {
    case BENCH_VERIFIED:
        rep->verified++;
        snprintf(verified, sizeof verified, "yes, %s%s", r->check.exhaustive ? "all " : "",
                 checked);
        break;
    case BENCH_WRONG:
        rep->wrong++;
        snprintf(verified, sizeof verified, "NO, %s of %s wrong", failed, checked);
        break;
    default:
        rep->unchecked++;
        snprintf(verified, sizeof verified, "not checked");
        break;
    }
    char gflops[32] = "-", gbs[32] = "-", pct[32] = "-", err[32] = "-", med[32], lo[32],
         hi[32], wall[32];
    if (p->op == BENCH_OP_CONV && r->ms_median > 0.0)
        snprintf(gflops, sizeof gflops, "%.2f", r->gflops);
    if (r->ms_median > 0.0)
        snprintf(gbs, sizeof gbs, "%.2f", r->gbs);
    if (rec->pct_roofline > 0.0)
        snprintf(pct, sizeof pct, "%.1f", rec->pct_roofline);
    if (r->outcome != BENCH_UNCHECKED)
        snprintf(err, sizeof err, "%.1e", r->check.max_abs_err);
    format_ms(med, sizeof med, r->ms_median);
    format_ms(lo, sizeof lo, r->ms_min);
    format_ms(hi, sizeof hi, r->ms_max);
    format_ms(wall, sizeof wall, r->wall_ms_median);
    fprintf(out, "%-*s  %-*s  %-6s  %9s  %9s  %9s  %9s  %8s  %7s  %6s  %9.1f  %9.1f",
            rep->name_width, name, rep->shape_width, shape, algo, med, lo, hi, wall, gflops, gbs,
            pct, r->plan_ms, r->first_ms);
    if (rep->first_call)
        fprintf(out, "  %9.1f  %9.1f", rec->cold_ms, rec->warm_ms);
    if (rep->epilogue_cost) {
        char epi[32] = "-";
        if (r->ms_no_epilogue > 0.0 && r->ms_median > 0.0)
            snprintf(epi, sizeof epi, "%+.1f", 100.0 * (r->ms_median / r->ms_no_epilogue - 1.0));
        fprintf(out, "  %6s", epi);
    }
    for (size_t i = 0; i < rep->peer_count; i++) {
        const bench_peer_result *pr = &r->peers[i];
        char ratio[32] = "-";
        if (p->op == BENCH_OP_CONV)
            snprintf(ratio, sizeof ratio, pr->ran && pr->ratio > 0.0 ? "%.2fx" : "n/a",
                     pr->ratio);
        fprintf(out, "  %10s", ratio);
    }
    fprintf(out, "  %8s  %s%s\n", err, verified,
            r->device_timing ? "" : "  (wall time: no profiling)");
    if (r->outcome == BENCH_WRONG) {
        const int64_t *w = r->check.worst;
        fprintf(out, "    worst: out[n=%" PRId64 ",k=%" PRId64 ",y=%" PRId64 ",x=%" PRId64
                "] = %.7g, reference %.7g, |err| %.2e > tolerance %.2e\n",
                w[0], w[1], w[2], w[3], r->check.worst_got, r->check.worst_ref,
                fabs(r->check.worst_got - r->check.worst_ref), r->check.worst_tol);
    }
    for (size_t i = 0; i < rep->peer_count && p->op == BENCH_OP_CONV; i++)
        if (!r->peers[i].ran && r->peers[i].note[0])
            fprintf(out, "    %s: %s\n", rep->peer_names[i], r->peers[i].note);
    fflush(out);

    rep->total_ms += r->ms_median;
    rep->network_ms += (double)entry->count * r->ms_median;
    if (entry->count_given)
        rep->counts_given = 1;
    if (rec->pct_roofline > 0.0) {
        rep->roofline_layers++;
        rep->log_pct_sum += log(rec->pct_roofline);
    }
    if (p->op == BENCH_OP_CONV) {
        rep->network_convs += entry->count;
        if (r->gflops > 0.0) {
            rep->conv_timed++;
            rep->log_gflops_sum += log(r->gflops);
        }
        if (r->ms_no_epilogue > 0.0 && r->ms_median > 0.0) {
            rep->epilogue_layers++;
            rep->log_epilogue_sum += log(r->ms_median / r->ms_no_epilogue);
        }
        for (size_t i = 0; i < rep->peer_count; i++)
            if (r->peers[i].ran && r->peers[i].ratio > 0.0) {
                rep->peer_layers[i]++;
                rep->log_ratio_sum[i] += log(r->peers[i].ratio);
            }
    } else {
        rep->network_pools += entry->count;
    }
}

void bench_report_summary(bench_report *rep)
{
    FILE *out = rep->out;
    clear_progress(rep);
    fprintf(out, "\nsummary  %d layer%s: %d/%d verified", rep->layers,
            rep->layers == 1 ? "" : "s", rep->verified, rep->layers);
    if (rep->wrong)
        fprintf(out, ", %d WRONG", rep->wrong);
    if (rep->errors)
        fprintf(out, ", %d could not run", rep->errors);
    if (rep->unchecked)
        fprintf(out, ", %d not checked", rep->unchecked);
    if (rep->conv_timed)
        fprintf(out, "; conv geomean %.2f GFLOP/s over %d layer%s",
                exp(rep->log_gflops_sum / rep->conv_timed), rep->conv_timed,
                rep->conv_timed == 1 ? "" : "s");
    if (rep->roofline_layers)
        fprintf(out, "; geomean %.1f%% of roofline", exp(rep->log_pct_sum / rep->roofline_layers));
    fprintf(out, "; total %.3f ms (sum of medians)\n", rep->total_ms);
    if (rep->epilogue_layers)
        fprintf(out, "epilogue bias + ReLU add %+.1f%% to the convolution (geomean over %d layers, "
                "same run)\n", 100.0 * (exp(rep->log_epilogue_sum / rep->epilogue_layers) - 1.0),
                rep->epilogue_layers);
    for (size_t i = 0; i < rep->peer_count; i++) {
        if (rep->peer_layers[i])
            fprintf(out, "vs %-6s geomean %.2fx over %d layer%s (%s ms / cnncl ms: > 1 means "
                    "cnncl is faster)\n", rep->peer_names[i],
                    exp(rep->log_ratio_sum[i] / rep->peer_layers[i]), rep->peer_layers[i],
                    rep->peer_layers[i] == 1 ? "" : "s", rep->peer_names[i]);
        else
            fprintf(out, "vs %-6s no layer ran\n", rep->peer_names[i]);
    }
    if (rep->counts_given)
        fprintf(out, "network  %" PRId64 " convolutions + %" PRId64 " poolings as counted in the "
                "suite: %.3f ms per pass (sum of count x median)%s\n",
                rep->network_convs, rep->network_pools, rep->network_ms,
                rep->errors ? "; incomplete, some layers did not run" : "");
    fflush(out);
}

void bench_report_side_by_side(FILE *out, const bench_results *results)
{
    if (results->device_count < 2)
        return;
    fprintf(out, "\nside by side: median ms / GFLOP/s / %% of roofline per device\n");
    for (size_t d = 0; d < results->device_count; d++)
        fprintf(out, "  device %zu: %s (%s)\n", d, results->devices[d].info.name,
                results->devices[d].info.selector);
    fprintf(out, "%-24s", "layer");
    for (size_t d = 0; d < results->device_count; d++)
        fprintf(out, "  %28s", results->devices[d].info.selector);
    fprintf(out, "\n");
    /* Records are grouped by device in the same order: row i of device 0 matches row i of
     * every other device. */
    size_t per_device = 0;
    while (per_device < results->count && results->records[per_device].device == 0)
        per_device++;
    for (size_t i = 0; i < per_device; i++) {
        fprintf(out, "%-24.24s", results->records[i].name);
        for (size_t d = 0; d < results->device_count; d++) {
            const size_t j = d * per_device + i;
            char cell[64] = "-";
            if (j < results->count && results->records[j].result.outcome != BENCH_ERROR) {
                const bench_record *rec = &results->records[j];
                char pct[16] = "-";
                if (rec->pct_roofline > 0.0)
                    snprintf(pct, sizeof pct, "%.1f%%", rec->pct_roofline);
                char ms[32];
                format_ms(ms, sizeof ms, rec->result.ms_median);
                snprintf(cell, sizeof cell, "%s / %.3g / %s%s", ms, rec->result.gflops, pct,
                         rec->result.outcome == BENCH_WRONG ? " WRONG" : "");
            }
            fprintf(out, "  %28s", cell);
        }
        fprintf(out, "\n");
    }
    fflush(out);
}
