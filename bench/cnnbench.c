/*
 * cnnbench: runs a suite of convolution and pooling layers on one device with cnncl, times
 * each, verifies each against the reference, and prints a table. `cnnbench --help` says how.
 *
 * This file is the program's flow only: options, environment, device, suite, the loop over
 * layers, the exit code. Parsing (problem.c, suite.c, options.c), running (runner.c),
 * checking (verify.c) and printing (report.c) live in their own files.
 */
#include "cnn_internal.h"
#include "cnncl.h"
#include "options.h"
#include "first_call.h"
#include "peaks.h"
#include "peer_json.h"
#include "report.h"
#include "results.h"
#include "runner.h"
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* POCL_AFFINITY as found at start-up, and whether cnnbench set it. */
typedef struct affinity_env {
    char value[64];
    int present;
    int set_by_us;
} affinity_env;

/* PoCL runs its worker threads where the OS puts them unless POCL_AFFINITY=1 pins them; runs
 * then often settle at half speed. Set it before the first OpenCL call (PoCL reads it when it
 * starts), unless the user chose a value. It is harmless for every other driver. */
static void prepare_pocl_affinity(affinity_env *a)
{
    memset(a, 0, sizeof *a);
    const char *v = getenv("POCL_AFFINITY");
    if (v) {
        snprintf(a->value, sizeof a->value, "%s", v);
        a->present = 1;
        return;
    }
    if (setenv("POCL_AFFINITY", "1", 0) == 0) {
        snprintf(a->value, sizeof a->value, "1");
        a->present = 1;
        a->set_by_us = 1;
    } else {
        fprintf(stderr, "cnnbench: warning: could not set POCL_AFFINITY=1\n");
    }
}

/* PoCL's CPU device: vendor is the CPU's ("AuthenticAMD"), the name starts with "pthread"
 * (or "cpu" in newer releases), the version string says "PoCL". */
static int device_is_pocl(const cnn_device_info *d)
{
    return cnn_contains_nocase(d->opencl_version, "pocl") ||
           cnn_contains_nocase(d->vendor, "Portable Computing Language") ||
           cnn_contains_nocase(d->name, "pthread");
}

static int list_devices(void)
{
    size_t count = 0;
    cnn_status s = cnn_device_list(NULL, 0, &count);
    if (s != CNN_SUCCESS) {
        fprintf(stderr, "cnnbench: cnn_device_list: %s\n", cnn_status_string(s));
        return BENCH_EXIT_USAGE;
    }
    cnn_device_info *infos = calloc(count ? count : 1, sizeof *infos);
    if (!infos) {
        fprintf(stderr, "cnnbench: out of memory\n");
        return BENCH_EXIT_USAGE;
    }
    size_t got = 0;
    s = cnn_device_list(infos, count, &got);
    if (s != CNN_SUCCESS) {
        fprintf(stderr, "cnnbench: cnn_device_list: %s\n", cnn_status_string(s));
        free(infos);
        return BENCH_EXIT_USAGE;
    }
    if (got < count)
        count = got;
    printf("%-9s %-10s %-40s %-24s %-16s %5s %9s\n", "selector", "type", "name", "vendor",
           "driver", "CUs", "memory");
    for (size_t i = 0; i < count; i++) {
        const cnn_device_info *d = &infos[i];
        printf("%-9s %-10s %-40s %-24s %-16s %5u %7.1f G\n", d->selector,
               cnn_device_type_string(d->type), d->name, d->vendor, d->driver, d->compute_units,
               (double)d->global_mem_bytes / (1024.0 * 1024.0 * 1024.0));
    }
    free(infos);
    return BENCH_EXIT_OK;
}

static int print_suite_line(const char *name, const char *path, void *user)
{
    (void)user;
    bench_suite s;
    char err[512];
    bench_suite_init(&s, name);
    if (bench_suite_load(&s, path, err, sizeof err) == 0)
        printf("%-12s %4zu problems  %s\n", name, s.count, s.title);
    else
        printf("%-12s (unreadable: %s)\n", name, err);
    bench_suite_free(&s);
    return 0;
}

static int list_suites(const char *dir)
{
    char err[512];
    printf("suites in %s:\n", dir);
    if (bench_suite_foreach(dir, print_suite_line, NULL, err, sizeof err)) {
        fprintf(stderr, "cnnbench: %s\n", err);
        return BENCH_EXIT_USAGE;
    }
    return BENCH_EXIT_OK;
}

/* The problems to run: the suite (if any), then the --layer problems. */
static int build_work(bench_suite *work, const bench_options *o, const char *dir)
{
    char err[1024], path[BENCH_PATH_MAX];
    const char *suite = bench_options_suite(o);
    bench_suite_init(work, NULL);
    if (suite) {
        if (bench_suite_resolve(path, sizeof path, dir, suite, err, sizeof err) ||
            bench_suite_load(work, path, err, sizeof err)) {
            fprintf(stderr, "cnnbench: %s\n", err);
            return -1;
        }
    } else {
        snprintf(work->name, sizeof work->name, "command line");
    }
    for (size_t i = 0; i < o->layer_count; i++) {
        bench_entry e;
        memset(&e, 0, sizeof e);
        e.count = 1;
        snprintf(e.source, sizeof e.source, "--layer");
        if (bench_problem_parse(&e.problem, o->layers[i], err, sizeof err)) {
            fprintf(stderr, "cnnbench: --layer '%s': %s\n", o->layers[i], err);
            return -1;
        }
        if (bench_suite_add(work, &e, err, sizeof err)) {
            fprintf(stderr, "cnnbench: %s\n", err);
            return -1;
        }
    }
    if (work->count == 0) {
        fprintf(stderr, "cnnbench: suite %s has no problems\n", work->name);
        return -1;
    }
    return 0;
}

/* Per-device state of a run: its context, peers and report. */
typedef struct device_run {
    const char *selector;
    cnn_context *ctx;
    bench_peer *peers[BENCH_MAX_PEERS];
    char peer_notes[BENCH_MAX_PEERS][256];
} device_run;

/* Every problem of work, once per batch size, on one device; records go into results.
 * Returns 1 when a layer failed. */
static int run_device(device_run *dev, size_t device_index, const bench_suite *work,
                      const bench_options *o, const bench_run_config *cfg, bench_report *rep,
                      bench_results *results)
{
    int failed = 0;
    const bench_peaks *peaks = &results->devices[device_index].peaks;
    const size_t batches = o->batch_count ? o->batch_count : 1;
    for (size_t b = 0; b < batches; b++) {
        const int64_t batch = o->batch_count ? o->batches[b] : 0;
        bench_report_table_head(rep, batch);
        for (size_t i = 0; i < work->count; i++) {
            bench_record rec;
            memset(&rec, 0, sizeof rec);
            rec.entry = work->entries[i];
            rec.device = device_index;
            char err[256];
            bench_entry_display_name(&rec.entry, i, rec.name, sizeof rec.name);
            bench_result *r = &rec.result;
            if (batch && bench_problem_set_batch(&rec.entry.problem, batch, err, sizeof err)) {
                r->outcome = BENCH_ERROR;
                snprintf(r->error, sizeof r->error, "%s", err);
            } else {
                bench_report_progress(rep, i, work->count, rec.name);
                bench_run(dev->ctx, &rec.entry.problem, cfg, r);
                rec.pct_roofline = r->outcome == BENCH_ERROR
                                       ? 0.0
                                       : bench_roofline_pct(peaks, r->flops, r->bytes,
                                                            r->ms_median);
                if (o->first_call && r->outcome != BENCH_ERROR &&
                    bench_first_call(dev->selector, &rec.entry.problem, &rec.cold_ms,
                                     &rec.warm_ms, err, sizeof err))
                    fprintf(stderr, "cnnbench: %s: %s\n", rec.name, err);
            }
            bench_report_row(rep, &rec);
            if (r->outcome == BENCH_WRONG || r->outcome == BENCH_ERROR)
                failed = 1;
            if (bench_results_add(results, &rec)) {
                fprintf(stderr, "cnnbench: out of memory for the results\n");
                return 1;
            }
        }
        bench_report_summary(rep);
    }
    return failed;
}

/* The selectors to run: every device for "all", else the one given. */
static int device_selectors(const char *selector, char list[][32], size_t *count)
{
    if (strcmp(selector, "all") != 0) {
        snprintf(list[0], 32, "%s", selector);
        *count = 1;
        return 0;
    }
    cnn_device_info infos[BENCH_MAX_DEVICES];
    size_t n = 0;
    if (cnn_device_list(infos, BENCH_MAX_DEVICES, &n) != CNN_SUCCESS)
        return -1;
    if (n > BENCH_MAX_DEVICES)
        n = BENCH_MAX_DEVICES;
    for (size_t i = 0; i < n; i++)
        snprintf(list[i], 32, "%s", infos[i].selector);
    *count = n;
    return 0;
}

/* Context, peaks and peers of one device (baselines[i]: the file of --vs-json at i). Returns
 * 0, or -1 (message printed). */
static int open_device(device_run *dev, const char *selector, const bench_options *o,
                       bench_baseline *const *baselines, bench_device_run *info)
{
    char err[1024] = "";
    memset(dev, 0, sizeof *dev);
    dev->selector = selector;
    cnn_status s = cnn_context_create(&dev->ctx, selector, err, sizeof err);
    if (s == CNN_SUCCESS)
        s = cnn_context_device(dev->ctx, &info->info);
    if (s != CNN_SUCCESS) {
        fprintf(stderr, "cnnbench: no usable device for \"%s\": %s%s%s\n", selector,
                cnn_status_string(s), err[0] ? ": " : "", err);
        return -1;
    }
    info->pocl = device_is_pocl(&info->info);
    if (o->kernels)
        cnn_context_set_kernel_family(dev->ctx, (cnn_kernel_family)o->kernels);
    if (o->tune) {
        cnn_context_set_find_mode(dev->ctx, CNN_FIND_ALGORITHMS | CNN_FIND_TUNE);
        cnn_context_set_tune_budget(dev->ctx, 0.0);
    } else if (o->find) {
        cnn_context_set_find_mode(dev->ctx, CNN_FIND_ALGORITHMS);
    }
    char why[128];
    if (bench_peaks_get(dev->ctx, o->remeasure_peaks, &info->peaks, why, sizeof why))
        snprintf(info->peaks.how, sizeof info->peaks.how, "no roofline: %s", why);
    for (size_t i = 0; i < o->peer_count; i++) {
        dev->peers[i] = baselines[i]
                            ? bench_json_peer_create(baselines[i], dev->peer_notes[i],
                                                     sizeof dev->peer_notes[i])
                            : bench_peer_create(o->peers[i], dev->ctx, dev->peer_notes[i],
                                                sizeof dev->peer_notes[i]);
        if (dev->peers[i])
            dev->peer_notes[i][0] = '\0';
    }
    return 0;
}

static void close_device(device_run *dev)
{
    for (size_t i = 0; i < BENCH_MAX_PEERS; i++)
        bench_peer_destroy(dev->peers[i]);
    cnn_context_destroy(dev->ctx);
    memset(dev, 0, sizeof *dev);
}

/* --json, --csv, --plot. Returns 0, or -1 (message printed). */
static int write_outputs(const bench_options *o, const bench_results *results)
{
    char err[1024];
    int failed = 0;
    if (o->json_path && bench_write_json(results, o->json_path, err, sizeof err)) {
        fprintf(stderr, "cnnbench: %s\n", err);
        failed = 1;
    }
    if (o->csv_path && bench_write_csv(results, o->csv_path, err, sizeof err)) {
        fprintf(stderr, "cnnbench: %s\n", err);
        failed = 1;
    }
    if (o->plot_path && bench_write_svg(results, o->plot_path, err, sizeof err)) {
        fprintf(stderr, "cnnbench: %s\n", err);
        failed = 1;
    }
    return failed ? -1 : 0;
}

static void describe_run(bench_results *results, const bench_suite *work,
                         const affinity_env *affinity, const bench_options *o)
{
    snprintf(results->suite, sizeof results->suite, "%s", work->name);
    time_t t = time(NULL);
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(results->date, sizeof results->date, "%Y-%m-%dT%H:%M:%S%z", &tm);
    if (gethostname(results->host, sizeof results->host) != 0)
        snprintf(results->host, sizeof results->host, "?");
    results->host[sizeof results->host - 1] = '\0';
    if (affinity->present)
        snprintf(results->pocl_affinity, sizeof results->pocl_affinity, "%.31s", affinity->value);
    results->pocl_affinity_by_us = affinity->set_by_us;
    for (size_t i = 0; i < o->peer_count && i < BENCH_MAX_PEERS; i++)
        results->peer_names[i] = o->peers[i];
    results->peer_count = o->peer_count;
}

static void free_baselines(bench_baseline **baselines)
{
    for (size_t i = 0; i < BENCH_MAX_PEERS; i++)
        bench_baseline_free(baselines[i]);
}

int main(int argc, char **argv)
{
    bench_options o;
    char err[1024];
    if (bench_options_parse(&o, argc, argv, err, sizeof err)) {
        fprintf(stderr, "cnnbench: %s\nTry 'cnnbench --help'.\n", err);
        bench_options_free(&o);
        return BENCH_EXIT_USAGE;
    }
    if (o.help || o.version) {
        if (o.help)
            bench_options_help(stdout, "cnnbench");
        else
            printf("cnnbench (cnncl %s)\n", cnn_version());
        bench_options_free(&o);
        return BENCH_EXIT_OK;
    }

    /* --vs-json files, read once: a bad one is a usage error before anything runs. */
    bench_baseline *baselines[BENCH_MAX_PEERS] = {NULL};
    for (size_t i = 0; i < o.peer_count; i++) {
        if (!o.peer_files[i])
            continue;
        baselines[i] = bench_baseline_load(o.peer_files[i], err, sizeof err);
        if (!baselines[i]) {
            fprintf(stderr, "cnnbench: --vs-json: %s\n", err);
            free_baselines(baselines);
            bench_options_free(&o);
            return BENCH_EXIT_USAGE;
        }
        o.peers[i] = bench_baseline_label(baselines[i]);
    }

    /* Before anything that may load OpenCL. */
    affinity_env affinity;
    prepare_pocl_affinity(&affinity);

    const char *dir = bench_suite_dir(o.suite_dir);
    if (o.list_devices || o.list_suites) {
        int code = BENCH_EXIT_OK;
        if (o.list_devices)
            code = list_devices();
        if (o.list_suites && code == BENCH_EXIT_OK)
            code = list_suites(dir);
        free_baselines(baselines);
        bench_options_free(&o);
        return code;
    }

    bench_suite work;
    if (build_work(&work, &o, dir)) {
        bench_suite_free(&work);
        free_baselines(baselines);
        bench_options_free(&o);
        return BENCH_EXIT_USAGE;
    }

    const char *selector = o.device, *origin = "--device";
    if (!selector) {
        const char *env = getenv("CNNCL_DEVICE");
        selector = env && env[0] ? env : "auto";
        origin = env && env[0] ? "CNNCL_DEVICE" : "default";
    }
    char selectors[BENCH_MAX_DEVICES][32];
    size_t device_count = 0;
    if (device_selectors(selector, selectors, &device_count)) {
        fprintf(stderr, "cnnbench: cannot list the devices\n");
        bench_suite_free(&work);
        free_baselines(baselines);
        bench_options_free(&o);
        return BENCH_EXIT_USAGE;
    }

    bench_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.reps = o.reps;
    cfg.warmup = o.warmup;
    cfg.verify = o.verify;
    cfg.seed = o.seed;
    cfg.min_time_ms = o.min_time_ms;
    cfg.epilogue_cost = o.epilogue_cost;
    cfg.algo_mask = o.algo_mask;
    cfg.peer_count = o.peer_count;

    bench_results results;
    bench_results_init(&results);
    describe_run(&results, &work, &affinity, &o);
    int code = BENCH_EXIT_OK;
    for (size_t d = 0; d < device_count; d++) {
        device_run dev;
        bench_device_run *info = &results.devices[results.device_count];
        if (open_device(&dev, selectors[d], &o, baselines, info)) {
            close_device(&dev);
            code = BENCH_EXIT_USAGE;
            break;
        }
        cfg.peers = dev.peers;
        const char *peer_notes[BENCH_MAX_PEERS];
        for (size_t i = 0; i < o.peer_count; i++)
            peer_notes[i] = dev.peer_notes[i];

        bench_header h;
        memset(&h, 0, sizeof h);
        h.selector = selectors[d];
        h.selector_origin = origin;
        h.pocl_affinity = affinity.present ? affinity.value : NULL;
        h.pocl_affinity_by_us = affinity.set_by_us;
        h.device_is_pocl = info->pocl;
        h.suite_dir = dir;
        h.suite = &work;
        h.batches = o.batches;
        h.batch_count = o.batch_count;
        h.config = &cfg;
        h.peaks = &info->peaks;
        h.peaks_note = info->peaks.how;
        h.peer_names = o.peers;
        h.peer_notes = peer_notes;
        h.peer_count = o.peer_count;
        h.first_call = o.first_call;

        bench_report rep;
        bench_report_init(&rep, stdout, &work, isatty(STDERR_FILENO), o.peers, o.peer_count,
                          o.first_call);
        rep.epilogue_cost = o.epilogue_cost;
        if (d > 0)
            printf("\n");
        bench_report_header(&rep, &info->info, &h);
        const size_t index = results.device_count++;
        if (run_device(&dev, index, &work, &o, &cfg, &rep, &results))
            code = BENCH_EXIT_FAILED;
        close_device(&dev);
    }
    bench_report_side_by_side(stdout, &results);
    if (write_outputs(&o, &results) && code == BENCH_EXIT_OK)
        code = BENCH_EXIT_USAGE;

    bench_results_free(&results);
    bench_suite_free(&work);
    free_baselines(baselines);
    bench_options_free(&o);
    return code;
}
