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
#include "report.h"
#include "runner.h"
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Run every problem of work once per batch size; returns the exit code. */
static int run_all(cnn_context *ctx, const bench_suite *work, const bench_options *o,
                   const bench_run_config *cfg, bench_report *rep)
{
    int failed = 0;
    const size_t batches = o->batch_count ? o->batch_count : 1;
    for (size_t b = 0; b < batches; b++) {
        const int64_t batch = o->batch_count ? o->batches[b] : 0;
        bench_report_table_head(rep, batch);
        for (size_t i = 0; i < work->count; i++) {
            bench_entry e = work->entries[i];
            char name[BENCH_NAME_MAX + 16], err[256];
            bench_entry_display_name(&e, i, name, sizeof name);
            bench_result r;
            if (batch && bench_problem_set_batch(&e.problem, batch, err, sizeof err)) {
                memset(&r, 0, sizeof r);
                r.outcome = BENCH_ERROR;
                snprintf(r.error, sizeof r.error, "%s", err);
            } else {
                bench_report_progress(rep, i, work->count, name);
                bench_run(ctx, &e.problem, cfg, &r);
            }
            bench_report_row(rep, &e, name, &r);
            if (r.outcome == BENCH_WRONG || r.outcome == BENCH_ERROR)
                failed = 1;
        }
        bench_report_summary(rep);
    }
    return failed ? BENCH_EXIT_FAILED : BENCH_EXIT_OK;
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
        bench_options_free(&o);
        return code;
    }

    bench_suite work;
    if (build_work(&work, &o, dir)) {
        bench_suite_free(&work);
        bench_options_free(&o);
        return BENCH_EXIT_USAGE;
    }

    const char *selector = o.device, *origin = "--device";
    if (!selector) {
        const char *env = getenv("CNNCL_DEVICE");
        selector = env && env[0] ? env : "auto";
        origin = env && env[0] ? "CNNCL_DEVICE" : "default";
    }
    cnn_context *ctx = NULL;
    err[0] = '\0';
    cnn_status s = cnn_context_create(&ctx, selector, err, sizeof err);
    cnn_device_info device;
    if (s == CNN_SUCCESS)
        s = cnn_context_device(ctx, &device);
    if (s != CNN_SUCCESS) {
        fprintf(stderr, "cnnbench: no usable device for \"%s\": %s%s%s\n", selector,
                cnn_status_string(s), err[0] ? ": " : "", err);
        cnn_context_destroy(ctx);
        bench_suite_free(&work);
        bench_options_free(&o);
        return BENCH_EXIT_USAGE;
    }

    bench_run_config cfg;
    cfg.reps = o.reps;
    cfg.warmup = o.warmup;
    cfg.verify = o.verify;
    cfg.seed = o.seed;

    bench_header h;
    memset(&h, 0, sizeof h);
    h.selector = selector;
    h.selector_origin = origin;
    h.pocl_affinity = affinity.present ? affinity.value : NULL;
    h.pocl_affinity_by_us = affinity.set_by_us;
    h.device_is_pocl = device_is_pocl(&device);
    h.suite_dir = dir;
    h.suite = &work;
    h.batches = o.batches;
    h.batch_count = o.batch_count;
    h.config = &cfg;

    bench_report rep;
    bench_report_init(&rep, stdout, &work, isatty(STDERR_FILENO));
    bench_report_header(&rep, &device, &h);
    const int code = run_all(ctx, &work, &o, &cfg, &rep);

    cnn_context_destroy(ctx);
    bench_suite_free(&work);
    bench_options_free(&o);
    return code;
}
