/* The CPU implicit GEMM's rules for batches larger than the cache (host/cl_conv2d_igemm.c):
 * channel blocks vary fastest (-DKB_FIRST) where the batch's input exceeds half the device's
 * cache and an image's input is larger than its output and more than 4 times the packed
 * weights, pixel tiles otherwise; pixel-vector tiles store non-temporally (-DNT_STORE) where
 * the batch's output exceeds half the cache and their vectors are aligned. Real batches reach
 * that on a 32 MiB cache only at tens of megabytes, so this executable reports a 64 KiB cache:
 * it defines clGetDeviceInfo, which the statically linked library calls instead of the ICD
 * loader's, and answers CL_DEVICE_GLOBAL_MEM_CACHE_SIZE itself, forwarding every other query.
 * On CPU devices each plan's kernel options are read from the library's debug log, where its
 * self-check's one-image twin must build no other variant; on every device each plan runs and
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

typedef struct rule_case {
    const char *what;
    int64_t n, c, h, w, k, r, stride;
    cnn_conv2d_algo algo;
    int kb_first, nt_store; /* whether the kernel's options must hold -DKB_FIRST / -DNT_STORE */
} rule_case;

/* Channel-vector tiles: inputs per image of 128 KB, 32 KB (strided 1x1) and 301 KB (3x3),
 * larger than their outputs, against packed weights of 20 KB or less, 4 KB and 14 KB; then an
 * input smaller than its output (65 KB against 262 KB), and weights more than a quarter of an
 * image (28 KB against 77 KB; 229 KB against 26 KB). Pixel-vector tiles (a flat 1x1 plane of
 * 256, rows of 32 on few channels): outputs of 49 KB and 74 KB, then rows of 40 floats (not
 * aligned). Output channels give partial last blocks; 80 input channels keep the first flat
 * 1x1 off pixel vectors, 24 and 48 channels or a stride of 2 the 3x3 layers. */
static const rule_case cases[] = {
    {"1x1 on 20x20, 2 images", 2, 80, 20, 20, 48, 1, 1, CNN_CONV2D_ALGO_GEMM1X1, 1, 0},
    {"1x1 stride 2 on 22x23, 2 images", 2, 16, 22, 23, 40, 1, 2, CNN_CONV2D_ALGO_GEMM1X1, 1, 0},
    {"3x3 on 56x56, 2 images", 2, 24, 56, 56, 20, 3, 1, CNN_CONV2D_ALGO_IGEMM, 1, 0},
    {"3x3 stride 2 on 64x64, output larger than the input", 2, 4, 64, 64, 64, 3, 2,
     CNN_CONV2D_ALGO_IGEMM, 0, 0},
    {"3x3 on 20x20, weights more than a quarter of an image", 2, 48, 20, 20, 16, 3, 1,
     CNN_CONV2D_ALGO_IGEMM, 0, 0},
    {"1x1 on 5x5, weights larger than an image", 3, 256, 5, 5, 200, 1, 1,
     CNN_CONV2D_ALGO_GEMM1X1, 0, 0},
    {"1x1 on 16x16, pixel vectors, 2 images", 2, 32, 16, 16, 24, 1, 1, CNN_CONV2D_ALGO_GEMM1X1,
     0, 1},
    {"3x3 on 8x32, 4 channels, pixel vectors, 3 images", 3, 4, 8, 32, 24, 3, 1,
     CNN_CONV2D_ALGO_IGEMM, 0, 1},
    {"3x3 on 8x40, 4 channels, pixel vectors, unaligned rows", 3, 4, 8, 40, 24, 3, 1,
     CNN_CONV2D_ALGO_IGEMM, 0, 0},
};

/* The conv2d_igemm.cl programs built while a plan was made (the log's "program FILE [OPTIONS]
 * built" lines): how many, and how many with each option. The self-check's one-image twin must
 * build none of its own: it runs the plan's variant, whose rules see the plan's batch. */
static int builds, builds_kb_first, builds_nt_store;

static void watch_builds(cnn_log_level level, const char *message, void *user_data)
{
    (void)level;
    (void)user_data;
    if (strstr(message, "program conv2d_igemm.cl [") != NULL) {
        builds++;
        builds_kb_first += strstr(message, "-DKB_FIRST=1") != NULL;
        builds_nt_store += strstr(message, "-DNT_STORE=1") != NULL;
    }
}

static int run_case(cnn_context *ctx, const rule_case *rc, int check_log)
{
    tu_note("%s", rc->what);
    const int64_t xs[4] = {rc->n, rc->c, rc->h, rc->w}, ws[4] = {rc->k, rc->c, rc->r, rc->r};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.stride_h = p.stride_w = rc->stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = rc->r / 2;
    p.activation = CNN_ACTIVATION_RELU;
    p.algo = rc->algo;
    tu_conv_problem pr;
    if (tu_conv_problem_make(&pr, xs, ws, &p, 19))
        return 1;

    cnn_conv2d_plan *plan = NULL;
    builds = builds_kb_first = builds_nt_store = 0;
    cnn_log_set_level(CNN_LOG_DEBUG);
    cnn_log_set_callback(watch_builds, NULL);
    const cnn_status s = cnn_conv2d_plan_create(&plan, ctx, xs, ws, 1, &p);
    cnn_log_set_callback(NULL, NULL);
    cnn_log_set_level(CNN_LOG_WARN);
    CHECK_STATUS(s, CNN_SUCCESS);
    tu_track(TU_CONV_PLAN, plan);
    if (check_log) {
        CHECK_MSG(builds == 1, "%d conv2d_igemm.cl programs built for the plan and its twin",
                  builds);
        CHECK_MSG(builds_kb_first == rc->kb_first, "the plan took %s first",
                  builds_kb_first ? "channel blocks" : "pixel tiles");
        CHECK_MSG(builds_nt_store == rc->nt_store, "the plan's stores were %s",
                  builds_nt_store ? "non-temporal" : "plain");
    }
    return tu_conv_problem_run(ctx, &pr, plan, p.algo, 1);
}

static int test_rules(cnn_context *ctx)
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
        {"implicit GEMM: order and stores by the batch against the cache", test_rules}};
    return tu_main_opencl(cases_, 1);
}
