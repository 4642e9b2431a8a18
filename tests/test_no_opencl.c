/* "auto" works without any OpenCL platform. CTest runs this with OCL_ICD_VENDORS and
 * OPENCL_VENDOR_PATH pointing at an empty directory, so the ICD loader finds no platform;
 * main() also drops OCL_ICD_FILENAMES, drivers that ocl-icd loads besides those folders (an
 * NVIDIA container image sets it).
 * Labels: unit, lifecycle.
 *
 * The test first proves that OpenCL really is hidden (clGetPlatformIDs sees no platform);
 * then: the device list holds only the reference, "auto" and NULL give the reference, the
 * seed's example 1 computes, and "gpu", "cpu" and "0:0" fail with DEVICE_NOT_FOUND and a
 * message. */
#define _POSIX_C_SOURCE 200809L /* unsetenv */
#include "test_util.h"

#include "cnncl_opencl.h"


static int test_opencl_is_hidden(cnn_context *unused)
{
    (void)unused;
    cl_uint platforms = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &platforms);
    CHECK_MSG(err != CL_SUCCESS || platforms == 0,
              "the ICD loader still sees %u platform(s): OCL_ICD_VENDORS=%s is not honoured, "
              "so this test cannot check the no-OpenCL path", platforms,
              getenv("OCL_ICD_VENDORS") ? getenv("OCL_ICD_VENDORS") : "(unset)");
    return 0;
}

static int test_only_reference(cnn_context *unused)
{
    (void)unused;
    cnn_device_info infos[4];
    size_t count = 99;
    CHECK_OK(cnn_device_list(infos, 4, &count));
    CHECK(count == 1);
    CHECK(infos[0].type == CNN_DEVICE_REFERENCE);
    CHECK(strcmp(infos[0].selector, "ref") == 0);
    return 0;
}

static int test_auto_is_reference(cnn_context *unused)
{
    (void)unused;
    CHECK(unsetenv("CNNCL_DEVICE") == 0);
    static const char *const selectors[] = {"auto", NULL};
    for (int i = 0; i < 2; i++) {
        tu_note("selector %s", selectors[i] ? selectors[i] : "NULL");
        cnn_context *ctx = NULL;
        char err[512] = "";
        CHECK_STATUS(cnn_context_create(&ctx, selectors[i], err, sizeof err), CNN_SUCCESS);
        tu_track(TU_CONTEXT, ctx);
        tu_state()->ctx = ctx;
        cnn_device_info info;
        CHECK_OK(cnn_context_device(ctx, &info));
        CHECK(info.type == CNN_DEVICE_REFERENCE);
        CHECK(strcmp(info.selector, "ref") == 0);

        /* The seed's example 1. */
        cnn_tensor *x = tu_tensor_from(ctx, 1, 1, 5, 5, tu_ex1_x);
        cnn_tensor *w = tu_tensor_from(ctx, 1, 1, 3, 3, tu_ex1_k);
        const int64_t ys[4] = {1, 1, 3, 3};
        cnn_tensor *y = tu_tensor_fill(ctx, ys, NAN);
        CHECK(x != NULL && w != NULL && y != NULL);
        cnn_conv2d_params p = cnn_conv2d_params_default();
        CHECK_OK(cnn_conv2d(ctx, y, x, w, NULL, &p));
        float *got = tu_read(y);
        CHECK(got != NULL);
        CHECK_ARRAY(got, tu_ex1_y, 9, ys, 0, 0);
        tu_state()->ctx = NULL;
        tu_release();
    }
    return 0;
}

static int test_opencl_selectors_fail(cnn_context *unused)
{
    (void)unused;
    static const char *const selectors[] = {"gpu", "cpu", "0:0"};
    for (int i = 0; i < 3; i++) {
        tu_note("selector %s", selectors[i]);
        cnn_context *ctx = (cnn_context *)&selectors;
        char err[512] = "";
        CHECK_STATUS(cnn_context_create(&ctx, selectors[i], err, sizeof err),
                     CNN_ERROR_DEVICE_NOT_FOUND);
        CHECK(ctx == NULL);
        CHECK(err[0] != '\0');
    }
    return 0;
}

int main(void)
{
    /* Before any OpenCL call: the loader reads its environment once. */
    if (unsetenv("OCL_ICD_FILENAMES") != 0) {
        perror("unsetenv OCL_ICD_FILENAMES");
        return 1;
    }
    int failures = 0;
    failures += tu_run("OpenCL is hidden", test_opencl_is_hidden, NULL);
    failures += tu_run("only the reference is listed", test_only_reference, NULL);
    failures += tu_run("auto and NULL pick the reference", test_auto_is_reference, NULL);
    failures += tu_run("gpu, cpu and 0:0 fail", test_opencl_selectors_fail, NULL);
    tu_release_all_memory();
    printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
