/* Find mode: an AUTO plan times the algorithms that serve its shape and keeps one of them, the
 * result is right, the winner is written to the disk cache, and a second context (as another
 * process would) takes the remembered winner. The disk cache lives in a fresh XDG_CACHE_HOME. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include "conv_problem.h"

#include "cnn_internal.h"
#include "reference.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static int count_files(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/cnncl", dir);
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int plan_algo(cnn_context *ctx, const int64_t xs[4], const int64_t ws[4],
                     const cnn_conv2d_params *p, cnn_conv2d_algo *algo)
{
    tu_conv_problem pr;
    if (tu_conv_problem_make(&pr, xs, ws, p, 11))
        return 1;
    cnn_conv2d_plan *plan = NULL;
    CHECK_OK(cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, p));
    tu_track(TU_CONV_PLAN, plan);
    CHECK_OK(cnn_conv2d_plan_info(plan, algo, NULL));
    CHECK(*algo != CNN_CONV2D_ALGO_AUTO);
    CHECK(p->allowed_algos == 0 || (p->allowed_algos & (1u << *algo)));
    return tu_conv_problem_run(ctx, &pr, plan, *algo, 1);
}

static char cache_dir[64];

/* Remove cache_dir/cnncl/<files>, cache_dir/cnncl and cache_dir. */
static void remove_cache_dir(void)
{
    char sub[128], path[512];
    snprintf(sub, sizeof sub, "%s/cnncl", cache_dir);
    DIR *d = opendir(sub);
    if (d) {
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%.255s", sub, e->d_name);
            remove(path);
        }
        closedir(d);
    }
    rmdir(sub);
    rmdir(cache_dir);
}

static int test_find(cnn_context *ctx)
{
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    CHECK_OK(cnn_context_set_find_mode(ctx, 1));
    const int64_t xs[4] = {1, 32, 14, 14}, ws[4] = {32, 32, 1, 1};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.activation = CNN_ACTIVATION_RELU;
    const int before = count_files(cache_dir);
    cnn_conv2d_algo first = CNN_CONV2D_ALGO_AUTO, again = CNN_CONV2D_ALGO_AUTO;
    if (plan_algo(ctx, xs, ws, &p, &first))
        return 1;
    CHECK_MSG(count_files(cache_dir) > before, "find mode wrote no cache entry");
    /* A new context on the same device takes the remembered winner. */
    cnn_context *other = NULL;
    CHECK_OK(cnn_context_create(&other, info.selector, NULL, 0));
    cnn_context_set_find_mode(other, 1);
    const int entries = count_files(cache_dir);
    int failed = plan_algo(other, xs, ws, &p, &again);
    tu_release();
    cnn_context_destroy(other);
    CHECK(!failed);
    CHECK_MSG(again == first, "remembered %s, then chose %s", cnn_conv2d_algo_string(first),
              cnn_conv2d_algo_string(again));
    CHECK(count_files(cache_dir) == entries); /* nothing new to remember */
    /* Restricted to two algorithms, a 3x3 layer: the choice stays inside them. */
    const int64_t ws3[4] = {32, 32, 3, 3};
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.allowed_algos = (1u << CNN_CONV2D_ALGO_DIRECT) | (1u << CNN_CONV2D_ALGO_IGEMM);
    if (plan_algo(ctx, xs, ws3, &p, &first))
        return 1;
    CHECK(first == CNN_CONV2D_ALGO_DIRECT || first == CNN_CONV2D_ALGO_IGEMM);
    return 0;
}

/* Tune mode: the kernel parameters of each algorithm are timed too; the plan is right, the
 * winner (algorithm and parameters) is remembered and served to a new context, which needs no
 * find mode for it. A tiny budget still times every algorithm's defaults. */
static int test_tune(cnn_context *ctx)
{
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    CHECK_STATUS(cnn_context_set_find_mode(ctx, 8), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(cnn_context_set_tune_budget(ctx, -1.0), CNN_ERROR_INVALID_ARGUMENT);
    CHECK_OK(cnn_context_set_find_mode(ctx, CNN_FIND_ALGORITHMS | CNN_FIND_TUNE));
    CHECK_OK(cnn_context_set_tune_budget(ctx, 0.0));
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    const int64_t xs[4] = {1, 24, 9, 13}, ws[4] = {40, 24, 3, 3};
    const int before = count_files(cache_dir);
    cnn_conv2d_algo tuned = CNN_CONV2D_ALGO_AUTO, again = CNN_CONV2D_ALGO_AUTO;
    if (plan_algo(ctx, xs, ws, &p, &tuned))
        return 1;
    CHECK_MSG(count_files(cache_dir) > before, "tune mode wrote no cache entry");
    cnn_context *other = NULL;
    CHECK_OK(cnn_context_create(&other, info.selector, NULL, 0)); /* no find mode */
    const int entries = count_files(cache_dir);
    int failed = plan_algo(other, xs, ws, &p, &again);
    tu_release();
    cnn_context_destroy(other);
    CHECK(!failed);
    CHECK_MSG(again == tuned, "tuned %s, then chose %s", cnn_conv2d_algo_string(tuned),
              cnn_conv2d_algo_string(again));
    CHECK(count_files(cache_dir) == entries);
    /* A shape never tuned, of the same class (channels and output sizes within the same
     * powers of two): a context without find mode takes the class's winner, and says so at
     * DEBUG; one in find mode times the shape itself. */
    const int64_t xs_b[4] = {1, 20, 10, 14}, ws_b[4] = {36, 20, 3, 3};
    CHECK_OK(cnn_context_create(&other, info.selector, NULL, 0));
    tu_log_count_begin("its class's winner");
    failed = plan_algo(other, xs_b, ws_b, &p, &again);
    const int hits_without_find = tu_log_hits;
    cnn_context_set_find_mode(other, CNN_FIND_ALGORITHMS);
    const int64_t xs_c[4] = {1, 20, 10, 15};
    failed |= plan_algo(other, xs_c, ws_b, &p, &again);
    const int hits_with_find = tu_log_hits - hits_without_find;
    tu_log_count_end(CNN_LOG_WARN);
    tu_release();
    cnn_context_destroy(other);
    CHECK(!failed);
    CHECK_MSG(hits_without_find == 1 && hits_with_find == 0,
              "class winner used %d times without find mode (want 1), %d with (want 0)",
              hits_without_find, hits_with_find);
    /* A budget too small for any tuning candidate: the defaults are still timed. */
    CHECK_OK(cnn_context_set_tune_budget(ctx, 0.001));
    const int64_t xs2[4] = {1, 24, 11, 11};
    if (plan_algo(ctx, xs2, ws, &p, &tuned))
        return 1;
    CHECK_OK(cnn_context_set_find_mode(ctx, CNN_FIND_OFF));
    return 0;
}

/* cnn_context_set_kernel_family: bad values are refused; the rules follow the family in force
 * (a 3x3 layer: Winograd with the CPU-shaped kernels, the local-memory GEMM with the GPU-shaped
 * ones), and each plan computes the right result (plan_algo checks it). */
static int test_kernel_family(cnn_context *ctx)
{
    CHECK_STATUS(cnn_context_set_kernel_family(ctx, (cnn_kernel_family)3),
                 CNN_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(cnn_context_last_error(ctx), "kernel family 3") != NULL);
    CHECK(cnn_context_set_kernel_family(NULL, CNN_KERNELS_GPU) == CNN_ERROR_INVALID_ARGUMENT);
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = CNN_ACTIVATION_RELU;
    const int64_t xs[4] = {1, 32, 16, 16}, ws[4] = {32, 32, 3, 3};
    cnn_conv2d_algo cpu = CNN_CONV2D_ALGO_AUTO, gpu = CNN_CONV2D_ALGO_AUTO;
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_CPU));
    if (plan_algo(ctx, xs, ws, &p, &cpu))
        return 1;
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_GPU));
    if (plan_algo(ctx, xs, ws, &p, &gpu))
        return 1;
    CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
    CHECK_MSG(cpu == CNN_CONV2D_ALGO_WINOGRAD && gpu == CNN_CONV2D_ALGO_IGEMM,
              "CPU-shaped rules chose %s, GPU-shaped %s", cnn_conv2d_algo_string(cpu),
              cnn_conv2d_algo_string(gpu));
    /* GPU-shaped Winograd: 64 channels or more each way, 128 output tiles or more and 5e8
     * FLOPs or more. 32 images of 64 channels 16 x 16: 512 tiles, 6.0e8 FLOPs; not 8 images
     * (128 tiles, 1.5e8 FLOPs), nor one image of 512 channels 14 x 14 (16 tiles, 9.2e8). */
    static const int64_t cases[4][3] = {{32, 64, 16}, {8, 64, 16}, {1, 64, 16}, {1, 512, 14}};
    for (int i = 0; i < 4; i++) {
        const int64_t n = cases[i][0], c = cases[i][1], hw = cases[i][2];
        const int64_t xs_w[4] = {n, c, hw, hw}, ws_w[4] = {c, c, 3, 3};
        CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_GPU));
        const int failed = plan_algo(ctx, xs_w, ws_w, &p, &gpu);
        CHECK_OK(cnn_context_set_kernel_family(ctx, CNN_KERNELS_AUTO));
        if (failed)
            return 1;
        const cnn_conv2d_algo want = i == 0 ? CNN_CONV2D_ALGO_WINOGRAD : CNN_CONV2D_ALGO_IGEMM;
        CHECK_MSG(gpu == want, "GPU-shaped rules chose %s for %lldx%lldx%lldx%lld, want %s",
                  cnn_conv2d_algo_string(gpu), (long long)n, (long long)c, (long long)hw,
                  (long long)hw, cnn_conv2d_algo_string(want));
    }
    return 0;
}

int main(void)
{
    /* PoCL keeps its own kernel cache under XDG_CACHE_HOME too: leave it where it was, so that
     * moving cnncl's cache does not make PoCL compile everything again. */
    if (getenv("POCL_CACHE_DIR") == NULL) {
        char pocl[1024];
        const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
        if (x != NULL && x[0] != '\0')
            snprintf(pocl, sizeof pocl, "%s/pocl", x);
        else
            snprintf(pocl, sizeof pocl, "%s/.cache/pocl", h != NULL ? h : "/tmp");
        setenv("POCL_CACHE_DIR", pocl, 1);
    }
    snprintf(cache_dir, sizeof cache_dir, "/tmp/cnncl-find-XXXXXX");
    if (!mkdtemp(cache_dir)) {
        perror("mkdtemp");
        return 1;
    }
    setenv("XDG_CACHE_HOME", cache_dir, 1);
    unsetenv("CNNCL_CACHE");
    static const tu_case cases[] = {
        {"find mode times, remembers and reuses", test_find},
        {"tune mode times kernel parameters too", test_tune},
        {"the kernel family decides the rules", test_kernel_family},
    };
    const int code = tu_main_opencl(cases, 3);
    remove_cache_dir();
    return code;
}
