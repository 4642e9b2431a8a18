/* The GPU-shaped GEMM's default tiles per vendor, on an NVIDIA GPU that this executable makes up:
 * it defines clGetDeviceInfo, which the statically linked library calls instead of the ICD
 * loader's, and answers CL_DEVICE_TYPE (GPU), CL_DEVICE_VENDOR ("NVIDIA Corporation") and
 * CL_DEVICE_MAX_COMPUTE_UNITS (4) for the first OpenCL device, forwarding every other query.
 * The rules (host/cl_conv2d_gemm_gpu.c, measured on an H200): 32 output channels a group or
 * fewer take the narrow tile (32 x 128), 33 to 64 the half tile (64 x 128), more the wide one
 * (128 x 128) unless that gives fewer than 3 work-groups a compute unit, where the sparse one
 * (128 x 64) doubles them. Each plan's tile is read from the library's debug log, and each plan
 * runs and matches the reference. Skipped (77) without an OpenCL device. Label: opencl. */
#define _GNU_SOURCE /* RTLD_NEXT */

#include "test_util.h"

#include "conv_problem.h"

#include "device_info_hook.h"

#define FAKE_COMPUTE_UNITS 4
#define FAKE_VENDOR "NVIDIA Corporation"

CL_API_ENTRY cl_int CL_API_CALL clGetDeviceInfo(cl_device_id device, cl_device_info param,
                                                size_t size, void *value, size_t *size_ret)
{
    tu_get_device_info_fn real = tu_real_get_device_info();
    if (real == NULL) {
        return CL_INVALID_DEVICE;
    }
    if (param == CL_DEVICE_TYPE) {
        const cl_device_type gpu = CL_DEVICE_TYPE_GPU;
        return tu_device_info_answer(&gpu, sizeof gpu, size, value, size_ret);
    }
    if (param == CL_DEVICE_VENDOR) {
        return tu_device_info_answer(FAKE_VENDOR, sizeof FAKE_VENDOR, size, value, size_ret);
    }
    if (param == CL_DEVICE_MAX_COMPUTE_UNITS) {
        const cl_uint units = FAKE_COMPUTE_UNITS;
        return tu_device_info_answer(&units, sizeof units, size, value, size_ret);
    }
    return real(device, param, size, value, size_ret);
}

typedef struct tile_case {
    const char *what;
    int64_t n, c, hw, k;
    const char *tile; /* as the debug log prints it */
} tile_case;

/* 1x1 layers (the plain GEMM) and one 3x3 (the gathered one); work-groups with the wide tile:
 * ceil(N * H * W / 128) * ceil(K / 128), against 3 x 4 compute units. */
static const tile_case cases[] = {
    {"32 channels: narrow", 1, 8, 16, 32, "tiles 32x128x32 of 2x8"},
    {"48 channels: half", 1, 8, 16, 48, "tiles 64x128x16 of 4x8"},
    {"64 channels: half", 1, 8, 16, 64, "tiles 64x128x16 of 4x8"},
    {"256 channels, 16x16: 4 wide groups, sparse", 1, 8, 16, 256, "tiles 128x64x16 of 8x4"},
    {"256 channels, 32x32: 16 wide groups, wide", 1, 8, 32, 256, "tiles 128x128x16 of 8x8"},
    {"256 channels, 2 images of 16x16: 8 wide groups, sparse", 2, 8, 16, 256,
     "tiles 128x64x16 of 8x4"},
    {"256 channels, 2 images of 24x24: 18 wide groups, wide", 2, 8, 24, 256,
     "tiles 128x128x16 of 8x8"},
};

static int run_case(cnn_context *ctx, const tile_case *tc, int64_t r)
{
    tu_note("%s, %lldx%lld kernel", tc->what, (long long)r, (long long)r);
    const int64_t xs[4] = {tc->n, tc->c, tc->hw, tc->hw}, ws[4] = {tc->k, tc->c, r, r};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = r / 2;
    p.activation = CNN_ACTIVATION_RELU;
    p.algo = r == 1 ? CNN_CONV2D_ALGO_GEMM1X1 : CNN_CONV2D_ALGO_IGEMM;
    tu_conv_problem pr;
    if (tu_conv_problem_make(&pr, xs, ws, &p, 13))
        return 1;

    cnn_conv2d_plan *plan = NULL;
    int hits = 0;
    CHECK_STATUS(tu_plan_counting(&plan, ctx, xs, ws, &p, tc->tile, &hits), CNN_SUCCESS);
    CHECK_MSG(hits >= 1, "the plan did not take %s", tc->tile);
    return tu_conv_problem_run(ctx, &pr, plan, p.algo, 1);
}

static int test_tiles(cnn_context *ctx)
{
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    CHECK_MSG(info.type == CNN_DEVICE_GPU && strcmp(info.vendor, FAKE_VENDOR) == 0 &&
                  info.compute_units == FAKE_COMPUTE_UNITS,
              "the made-up device is not an NVIDIA GPU of %d units: %s, %u units",
              FAKE_COMPUTE_UNITS, info.vendor, info.compute_units);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (run_case(ctx, &cases[i], 1) || run_case(ctx, &cases[i], 3)) {
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    cnn_context *ctx = NULL;
    char err[256] = "";
    if (cnn_context_create(&ctx, "gpu", err, sizeof err) != CNN_SUCCESS) {
        printf("SKIP: no OpenCL device to make an NVIDIA GPU of (%s)\n", err);
        return 77;
    }
    const int failures = tu_run("GPU GEMM tiles by the NVIDIA rules", test_tiles, ctx);
    tu_release();
    cnn_context_destroy(ctx);
    tu_release_all_memory();
    printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
