/* The CPU implicit GEMM's work-item order (host/cl_conv2d_igemm.c, blocks_first): channel blocks
 * vary fastest where the batch's input exceeds half the device's cache and an image's input
 * outweighs the packed weights, pixel tiles otherwise. Real batches reach that on a 32 MiB cache
 * only at tens of megabytes, so this executable reports a 64 KiB cache: it defines
 * clGetDeviceInfo, which the statically linked library calls instead of the ICD loader's, and
 * answers CL_DEVICE_GLOBAL_MEM_CACHE_SIZE itself, forwarding every other query. On CPU devices
 * each plan's order is read from the library's debug log; on every device each plan runs and
 * matches the reference. Label: opencl. */
#define _GNU_SOURCE /* RTLD_NEXT */

#include "test_util.h"

#include "conv_problem.h"

#include "device_info_hook.h"

#define FAKE_CACHE_BYTES 65536

CL_API_ENTRY cl_int CL_API_CALL clGetDeviceInfo(cl_device_id device, cl_device_info param,
                                                size_t size, void *value, size_t *size_ret)
{
    tu_get_device_info_fn real = tu_real_get_device_info();
    if (real == NULL) {
        return CL_INVALID_DEVICE;
    }
    if (param == CL_DEVICE_GLOBAL_MEM_CACHE_SIZE) {
        const cl_ulong bytes = FAKE_CACHE_BYTES;
        return tu_device_info_answer(&bytes, sizeof bytes, size, value, size_ret);
    }
    return real(device, param, size, value, size_ret);
}

typedef struct order_case {
    const char *what;
    int64_t n, c, hw, k, r, stride;
    cnn_conv2d_algo algo;
    int blocks_first; /* whether the debug log must say "blocks first" */
} order_case;

/* Inputs per image of 128 KB, 32 KB (strided 1x1) and 58 KB (3x3) against packed weights of
 * 20 KB or less, 4 KB and 37 KB; the last case's weights (256 KB) outweigh its 26 KB images.
 * Output channels give a partial last block; 80 input channels keep the flat 1x1 off pixel
 * vectors, a 30-pixel row the 3x3 (both of which take their own order). */
static const order_case cases[] = {
    {"1x1 on 20x20, 2 images", 2, 80, 20, 48, 1, 1, CNN_CONV2D_ALGO_GEMM1X1, 1},
    {"1x1 stride 2 on 22x23, 2 images", 2, 16, 22, 40, 1, 2, CNN_CONV2D_ALGO_GEMM1X1, 1},
    {"3x3 on 30x30, 2 images", 2, 16, 30, 40, 3, 1, CNN_CONV2D_ALGO_IGEMM, 1},
    {"1x1 on 5x5, weights larger than an image", 3, 256, 5, 256, 1, 1,
     CNN_CONV2D_ALGO_GEMM1X1, 0},
};

static int run_case(cnn_context *ctx, const order_case *oc, int check_log)
{
    tu_note("%s", oc->what);
    const int64_t w = oc->hw + (oc->stride > 1); /* the strided case on a non-square map */
    const int64_t xs[4] = {oc->n, oc->c, oc->hw, w}, ws[4] = {oc->k, oc->c, oc->r, oc->r};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.stride_h = p.stride_w = oc->stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = oc->r / 2;
    p.activation = CNN_ACTIVATION_RELU;
    p.algo = oc->algo;
    tu_conv_problem pr;
    if (tu_conv_problem_make(&pr, xs, ws, &p, 19))
        return 1;

    cnn_conv2d_plan *plan = NULL;
    tu_log_count_begin("blocks first");
    const cnn_status s = cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &p);
    const int hits = tu_log_hits;
    tu_log_count_end(CNN_LOG_WARN);
    CHECK_STATUS(s, CNN_SUCCESS);
    tu_track(TU_CONV_PLAN, plan);
    if (check_log) {
        CHECK_MSG((hits > 0) == oc->blocks_first, "the plan took %s first",
                  hits > 0 ? "channel blocks" : "pixel tiles");
    }
    return tu_conv_problem_run(ctx, &pr, plan, p.algo, 1);
}

static int test_order(cnn_context *ctx)
{
    cnn_device_info info;
    CHECK_OK(cnn_context_device(ctx, &info));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (run_case(ctx, &cases[i], info.type == CNN_DEVICE_CPU)) {
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    static const tu_case cases_[] = {
        {"implicit GEMM order by the batch's input against the cache", test_order}};
    return tu_main_opencl(cases_, 1);
}
