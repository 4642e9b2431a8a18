/* A kernel that does not compile, or a kernel file that is missing, must come back as
 * CNN_ERROR_BUILD_FAILED with the build log (or the missing path) in the last error, leave the
 * output untouched, and leave the context usable. CNNCL_KERNEL_DIR points the library at a
 * folder of broken kernels; CNNCL_CACHE=off keeps the disk cache out of it. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <stdlib.h>
#include <unistd.h>

static char kernel_dir[256];

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static int test_broken_conv_kernel(cnn_context *ctx)
{
    const int64_t in[4] = {1, 2, 6, 6}, wt[4] = {3, 2, 3, 3};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    cnn_tensor *x = tu_tensor_fill(ctx, in, 1.0f);
    cnn_tensor *w = tu_tensor_fill(ctx, wt, 1.0f);
    const int64_t os[4] = {1, 3, 4, 4};
    cnn_tensor *y = tu_tensor_fill(ctx, os, -7.0f);
    CHECK(x && w && y);
    CHECK_STATUS(cnn_conv2d(ctx, y, x, w, NULL, &p), CNN_ERROR_BUILD_FAILED);
    const char *msg = cnn_context_last_error(ctx);
    CHECK_MSG(strstr(msg, "conv2d_direct.cl") != NULL, "message names the file: %s", msg);
    CHECK_MSG(strstr(msg, "build log") != NULL, "message carries the build log: %s", msg);
    CHECK_MSG(strstr(msg, "not_a_type") != NULL, "the log shows the compiler's complaint: %s", msg);
    float *got = tu_read(y);
    CHECK(got != NULL);
    for (int i = 0; i < 48; i++)
        CHECK_MSG(got[i] == -7.0f, "output %d was written: %g", i, got[i]);
    /* A plan fails the same way and returns no plan. */
    cnn_conv2d_plan *plan = (cnn_conv2d_plan *)&plan;
    CHECK_STATUS(cnn_conv2d_plan_create(&plan, ctx, in, wt, 0, &p), CNN_ERROR_BUILD_FAILED);
    CHECK(plan == NULL);
    return 0;
}

static int test_missing_kernel_file(cnn_context *ctx)
{
    const int64_t in[4] = {1, 1, 4, 4};
    cnn_pool2d_params p = cnn_pool2d_params_default();
    cnn_tensor *x = tu_tensor_fill(ctx, in, 1.0f);
    const int64_t os[4] = {1, 1, 2, 2};
    cnn_tensor *y = tu_tensor_fill(ctx, os, -7.0f);
    CHECK(x && y);
    CHECK_STATUS(cnn_pool2d(ctx, y, x, &p), CNN_ERROR_BUILD_FAILED);
    const char *msg = cnn_context_last_error(ctx);
    CHECK_MSG(strstr(msg, "pool2d.cl") != NULL, "message names the missing file: %s", msg);
    float *got = tu_read(y);
    CHECK(got != NULL);
    for (int i = 0; i < 4; i++)
        CHECK(got[i] == -7.0f);
    return 0;
}

/* The good kernels of bias_act.cl still build in the same context: a failed build does not
 * poison the context. */
static int test_context_still_works(cnn_context *ctx)
{
    const int64_t s[4] = {1, 2, 2, 2};
    cnn_tensor *x = tu_tensor_fill(ctx, s, -1.5f);
    CHECK(x != NULL);
    CHECK_OK(cnn_bias_act(ctx, x, x, NULL, CNN_ACTIVATION_RELU));
    float *got = tu_read(x);
    CHECK(got != NULL);
    for (int i = 0; i < 8; i++)
        CHECK(got[i] == 0.0f);
    return 0;
}

int main(void)
{
    tu_devices devs;
    if (tu_device_selectors(&devs, 0))
        return 1;
    if (devs.count == 0) {
        printf("no OpenCL device: skipped\n");
        return TU_SKIP;
    }
    snprintf(kernel_dir, sizeof kernel_dir, "/tmp/cnncl-broken-kernels-XXXXXX");
    if (!mkdtemp(kernel_dir)) {
        perror("mkdtemp");
        return 1;
    }
    /* conv2d_direct.cl does not compile; pool2d.cl is missing; bias_act.cl is the real one; the
     * prelude every kernel is built after (vector_access.clh) is there, and empty. */
    int ok = write_file(kernel_dir, "vector_access.clh", "/* none of these kernels uses it */\n");
    ok = ok && write_file(kernel_dir, "conv2d_direct.cl",
                        "__kernel void conv2d_direct(__global not_a_type *x) { x[0] = 1; }\n");
    ok = ok && write_file(kernel_dir, "bias_act.cl",
                          "__kernel void bias_act(__global const float *x, __global const float *b,"
                          " __global float *out, const int count, const int plane,"
                          " const int channels, const int has_bias, const int activation)\n"
                          "{ int i = get_global_id(0); if (i >= count) return;"
                          " float v = x[i] + (has_bias ? b[(i / plane) % channels] : 0.0f);"
                          " out[i] = activation == 1 ? fmax(v, 0.0f) : v; }\n");
    if (!ok) {
        perror("writing kernels");
        return 1;
    }
    setenv("CNNCL_KERNEL_DIR", kernel_dir, 1);
    setenv("CNNCL_CACHE", "off", 1);
    cnn_log_set_level(CNN_LOG_OFF);

    int failures = 0;
    for (int i = 0; i < devs.count; i++) {
        cnn_context *ctx = tu_context(devs.selector[i]);
        if (!ctx) {
            failures++;
            continue;
        }
        failures += tu_run("broken conv kernel", test_broken_conv_kernel, ctx);
        failures += tu_run("missing kernel file", test_missing_kernel_file, ctx);
        failures += tu_run("context still works", test_context_still_works, ctx);
        tu_context_destroy(ctx);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/conv2d_direct.cl", kernel_dir);
    remove(path);
    snprintf(path, sizeof path, "%s/bias_act.cl", kernel_dir);
    remove(path);
    snprintf(path, sizeof path, "%s/vector_access.clh", kernel_dir);
    remove(path);
    rmdir(kernel_dir);
    printf("%d failed\n", failures);
    return failures ? 1 : 0;
}
