#include "first_call.h"
#include "timing.h"

#include "fail.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Plan + first execution of p in a new context; < 0 on failure. Contents are zeros: only the
 * time matters here (cnnbench verifies the results elsewhere). */
static double one_first_call(const char *selector, const bench_problem *p, char *err,
                             size_t err_size)
{
    cnn_context *ctx = NULL;
    char msg[512];
    if (cnn_context_create(&ctx, selector, msg, sizeof msg) != CNN_SUCCESS) {
        bench_fail(err, err_size, "first call: %s", msg);
        return -1.0;
    }
    int64_t in[4], wt[4] = {1, 1, 1, 1}, out[4];
    bench_problem_output_shape(p, out);
    cnn_tensor *x = NULL, *w = NULL, *b = NULL, *y = NULL;
    cnn_conv2d_plan *cp = NULL;
    cnn_pool2d_plan *pp = NULL;
    cnn_conv2d_params cparams;
    cnn_pool2d_params pparams;
    if (p->op == BENCH_OP_CONV)
        bench_problem_conv(p, in, wt, &cparams);
    else
        bench_problem_pool(p, in, &pparams);
    cnn_status s = cnn_tensor_create(&x, ctx, in[0], in[1], in[2], in[3]);
    if (s == CNN_SUCCESS)
        s = cnn_tensor_create(&y, ctx, out[0], out[1], out[2], out[3]);
    if (s == CNN_SUCCESS && p->op == BENCH_OP_CONV)
        s = cnn_tensor_create(&w, ctx, wt[0], wt[1], wt[2], wt[3]);
    if (s == CNN_SUCCESS && p->op == BENCH_OP_CONV && p->has_bias)
        s = cnn_tensor_create(&b, ctx, 1, wt[0], 1, 1);
    double ms = -1.0;
    if (s == CNN_SUCCESS) {
        const double t0 = bench_now_ms();
        if (p->op == BENCH_OP_CONV) {
            s = cnn_conv2d_plan_create(&cp, ctx, in, wt, p->has_bias, &cparams);
            if (s == CNN_SUCCESS)
                s = cnn_conv2d_plan_execute(cp, y, x, w, b);
        } else {
            s = cnn_pool2d_plan_create(&pp, ctx, in, &pparams);
            if (s == CNN_SUCCESS)
                s = cnn_pool2d_plan_execute(pp, y, x);
        }
        if (s == CNN_SUCCESS)
            s = cnn_context_finish(ctx);
        if (s == CNN_SUCCESS)
            ms = bench_now_ms() - t0;
    }
    if (s != CNN_SUCCESS)
        bench_fail(err, err_size, "first call: %s: %s", cnn_status_string(s),
                   cnn_context_last_error(ctx));
    cnn_conv2d_plan_destroy(cp);
    cnn_pool2d_plan_destroy(pp);
    cnn_tensor_destroy(x);
    cnn_tensor_destroy(w);
    cnn_tensor_destroy(b);
    cnn_tensor_destroy(y);
    cnn_context_destroy(ctx);
    return ms;
}

/* Remove dir/cnncl/<files>, dir/cnncl and dir. */
static void remove_cache_dir(const char *dir)
{
    char sub[600], path[1024];
    snprintf(sub, sizeof sub, "%.512s/cnncl", dir);
    DIR *d = opendir(sub);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%.255s", sub, e->d_name);
            remove(path);
        }
        closedir(d);
    }
    rmdir(sub);
    rmdir(dir);
}

int bench_first_call(const char *selector, const bench_problem *p, double *cold_ms,
                     double *warm_ms, char *err, size_t err_size)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/cnnbench-cache-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return bench_fail(err, err_size, "first call: cannot make a temporary cache folder");
    const char *old = getenv("XDG_CACHE_HOME");
    char *saved = NULL;
    if (old && !(saved = malloc(strlen(old) + 1))) {
        rmdir(dir);
        return bench_fail(err, err_size, "first call: out of memory");
    }
    if (saved)
        strcpy(saved, old);
    setenv("XDG_CACHE_HOME", dir, 1);
    *cold_ms = one_first_call(selector, p, err, err_size);
    *warm_ms = *cold_ms >= 0.0 ? one_first_call(selector, p, err, err_size) : -1.0;
    if (saved)
        setenv("XDG_CACHE_HOME", saved, 1);
    else
        unsetenv("XDG_CACHE_HOME");
    free(saved);
    remove_cache_dir(dir);
    return *cold_ms >= 0.0 && *warm_ms >= 0.0 ? 0 : -1;
}
