/* cnnsoak: one process runs a suite's layers (ResNet-50 by default) many times through the
 * public API, as an application would (one-shot conv2d with bias + ReLU and pool2d, tensors
 * made and dropped every pass), and reports whether anything grows: resident memory after the
 * first pass and after the last, the OpenCL objects the library holds, the context's live
 * tensors and plans, and whether every pass computed the same bits.
 *
 *   cnnsoak [--device SEL] [--suite NAME|FILE] [--passes N] [--quiet]
 *
 * Exit status 0 when every pass matched the first and no object count grew; 1 otherwise;
 * 2 for usage or setup errors. */
#define _POSIX_C_SOURCE 200809L
#include "cl_fault.h"
#include "cnn_internal.h"
#include "cnncl.h"
#include "problem.h"
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Resident set size in KiB (/proc/self/statm), or -1. */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = -1, resident = -1;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = -1;
        fclose(f);
    }
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* FNV-1a over the bytes of a result. */
static uint64_t digest(const float *v, int64_t n, uint64_t h)
{
    const unsigned char *p = (const unsigned char *)v;
    for (int64_t i = 0; i < n * (int64_t)sizeof(float); i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void fill(float *v, int64_t n, uint64_t seed)
{
    uint64_t s = seed * 6364136223846793005ull + 1442695040888963407ull;
    for (int64_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (float)((s >> 40) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* One pass over the layers; the digest of every result, or 0 with a message on failure. */
static uint64_t pass(cnn_context *ctx, const bench_suite *suite, float *host, int64_t host_cap)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < suite->count; i++) {
        const bench_problem *p = &suite->entries[i].problem;
        int64_t in[4], out[4], wt[4] = {0};
        cnn_conv2d_params cp;
        cnn_pool2d_params pp;
        const int conv = p->op == BENCH_OP_CONV;
        cnn_status s;
        if (conv) {
            bench_problem_conv(p, in, wt, &cp);
            s = cnn_conv2d_output_shape(out, in, wt, &cp);
        } else {
            bench_problem_pool(p, in, &pp);
            s = cnn_pool2d_output_shape(out, in, &pp);
        }
        const int64_t nx = in[0] * in[1] * in[2] * in[3], ny = out[0] * out[1] * out[2] * out[3];
        const int64_t nw = wt[0] * wt[1] * wt[2] * wt[3];
        if (s != CNN_SUCCESS || nx > host_cap || ny > host_cap || nw > host_cap) {
            fprintf(stderr, "cnnsoak: %s: shape refused or too large\n", p->name);
            return 0;
        }
        cnn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *ty = NULL;
        s = cnn_tensor_create(&tx, ctx, in[0], in[1], in[2], in[3]);
        if (s == CNN_SUCCESS) {
            fill(host, nx, 1 + i);
            s = cnn_tensor_write(tx, host, nx);
        }
        if (s == CNN_SUCCESS && conv) {
            s = cnn_tensor_create(&tw, ctx, wt[0], wt[1], wt[2], wt[3]);
            if (s == CNN_SUCCESS) {
                fill(host, nw, 1000 + i);
                s = cnn_tensor_write(tw, host, nw);
            }
            if (s == CNN_SUCCESS) s = cnn_tensor_create(&tb, ctx, 1, out[1], 1, 1);
            if (s == CNN_SUCCESS) {
                fill(host, out[1], 2000 + i);
                s = cnn_tensor_write(tb, host, out[1]);
            }
        }
        if (s == CNN_SUCCESS) s = cnn_tensor_create(&ty, ctx, out[0], out[1], out[2], out[3]);
        if (s == CNN_SUCCESS) {
            if (conv) {
                cp.activation = CNN_ACTIVATION_RELU;
                s = cnn_conv2d(ctx, ty, tx, tw, tb, &cp);
            } else {
                s = cnn_pool2d(ctx, ty, tx, &pp);
            }
        }
        if (s == CNN_SUCCESS) s = cnn_tensor_read(ty, host, ny);
        if (s == CNN_SUCCESS)
            h = digest(host, ny, h);
        cnn_tensor_destroy(tx);
        cnn_tensor_destroy(tw);
        cnn_tensor_destroy(tb);
        cnn_tensor_destroy(ty);
        if (s != CNN_SUCCESS) {
            fprintf(stderr, "cnnsoak: %s: %s: %s\n", p->name, cnn_status_string(s),
                    cnn_context_last_error(ctx));
            return 0;
        }
    }
    return h ? h : 1;
}

int main(int argc, char **argv)
{
    const char *device = NULL, *suite_name = "resnet50";
    long passes = 100;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
            device = argv[++i];
        else if (strcmp(argv[i], "--suite") == 0 && i + 1 < argc)
            suite_name = argv[++i];
        else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
            passes = atol(argv[++i]);
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else {
            fprintf(stderr, "usage: cnnsoak [--device SEL] [--suite NAME|FILE] [--passes N] "
                            "[--quiet]\n");
            return 2;
        }
    }
    if (passes < 2) {
        fprintf(stderr, "cnnsoak: --passes must be 2 or more\n");
        return 2;
    }
    char path[4096], err[1024];
    bench_suite suite;
    memset(&suite, 0, sizeof suite);
    if (bench_suite_resolve(path, sizeof path, bench_suite_dir(NULL), suite_name, err,
                            sizeof err) ||
        bench_suite_load(&suite, path, err, sizeof err)) {
        fprintf(stderr, "cnnsoak: %s\n", err);
        return 2;
    }
    cnn_context *ctx = NULL;
    if (cnn_context_create(&ctx, device, err, sizeof err) != CNN_SUCCESS) {
        fprintf(stderr, "cnnsoak: %s\n", err);
        bench_suite_free(&suite);
        return 2;
    }
    cnn_device_info info;
    cnn_context_device(ctx, &info);
    const int64_t host_cap = 64ll << 20; /* floats: the largest tensor of the suites fits */
    float *host = malloc(sizeof(float) * (size_t)host_cap);
    if (!host)
        return 2;
    const double t0 = now_s();
    const uint64_t first = pass(ctx, &suite, host, host_cap);
    const long rss_first = rss_kib();
    long long objects_first[CNN_CL_OBJ_KINDS];
    cnn_cl_live_objects(objects_first);
    const int64_t tensors_first = ctx->live_tensors, plans_first = ctx->live_plans;
    long mismatches = first ? 0 : 1, p = 1;
    long rss_marks[2] = {-1, -1}; /* after a tenth and half of the passes */
    for (; p < passes && first; p++) {
        const uint64_t h = pass(ctx, &suite, host, host_cap);
        mismatches += h != first;
        if (!h)
            break;
        if (p + 1 == passes / 10 || p + 1 == passes / 2)
            rss_marks[p + 1 == passes / 10 ? 0 : 1] = rss_kib();
        if (!quiet && (p + 1) % 50 == 0)
            fprintf(stderr, "cnnsoak: %ld passes, RSS %ld KiB\n", p + 1, rss_kib());
    }
    const long rss_last = rss_kib();
    long long objects_last[CNN_CL_OBJ_KINDS];
    cnn_cl_live_objects(objects_last);
    int grew = ctx->live_tensors != tensors_first || ctx->live_plans != plans_first;
    for (int k = 0; k < CNN_CL_OBJ_KINDS; k++)
        grew |= objects_last[k] > objects_first[k];
    printf("cnnsoak: %s on %s: %ld passes of %zu layers in %.1f s\n", suite_name, info.name, p,
           suite.count, now_s() - t0);
    printf("resident memory (KiB) after pass 1: %ld, pass %ld: %ld, pass %ld: %ld, pass %ld: %ld "
           "(delta from pass 1 %+ld, from pass %ld %+ld)\n",
           rss_first, passes / 10, rss_marks[0], passes / 2, rss_marks[1], p, rss_last,
           rss_last - rss_first, passes / 10, rss_marks[0] >= 0 ? rss_last - rss_marks[0] : 0);
    printf("OpenCL objects held (buffers, kernels, programs, events) after pass 1: %lld %lld "
           "%lld %lld; at the end: %lld %lld %lld %lld\n",
           objects_first[0], objects_first[1], objects_first[2], objects_first[3],
           objects_last[0], objects_last[1], objects_last[2], objects_last[3]);
    printf("tensors and plans alive: %lld and %lld, as after pass 1\n",
           (long long)ctx->live_tensors, (long long)ctx->live_plans);
    printf("results: %s\n", mismatches ? "DIFFERENT from pass 1 in some passes"
                                       : "every pass bit-identical to pass 1");
    free(host);
    cnn_context_destroy(ctx);
    bench_suite_free(&suite);
    long long after[CNN_CL_OBJ_KINDS];
    cnn_cl_live_objects(after);
    printf("after destroying the context: %lld %lld %lld %lld OpenCL objects held\n", after[0],
           after[1], after[2], after[3]);
    for (int k = 0; k < CNN_CL_OBJ_KINDS; k++)
        grew |= after[k] != 0;
    return mismatches || grew ? 1 : 0;
}
