/*
 * cnnbench problem descriptors: one convolution or pooling layer written on one line, in the
 * syntax of oneDNN's benchdnn, so shapes can be pasted from there.
 *
 *     bench_problem p;
 *     char err[256];
 *     if (bench_problem_parse(&p, "mb1ic64ih56oc64oh56kh3ph1n\"res2a_branch2b\"", err, sizeof err))
 *         puts(err);
 *     int64_t in[4], wt[4];
 *     cnn_conv2d_params cp;
 *     bench_problem_conv(&p, in, wt, &cp);
 *
 * Grammar of a spec (tokens separated by blanks):
 *
 *     spec  := knob* descriptor
 *     knob  := "--conv" | "--pool" | "--alg=" NAME
 *     descriptor := (field INTEGER | "_" | name)+
 *     field := mb g ic ih iw oc oh ow kh kw sh sw ph pw dh dw
 *     name  := 'n' '"' any text but '"' '"'  |  'n' text to the end of the descriptor
 *
 * Conventions (benchdnn's, except where marked):
 *   - mb defaults to 1 (benchdnn's default is 2: cnnbench measures batch-1 inference first);
 *     g defaults to 1; sh/sw default to 1; ph/pw default to 0; dh/dw default to 0.
 *   - ic and oc are the total channel counts; g must divide both (g == ic == oc: depthwise).
 *   - Dilation is benchdnn's "d - 1" form: dh0 is a dense kernel, dh1 skips one pixel
 *     (the library's dilation_h = dh + 1). The kernel's extent is (kh - 1) * (dh + 1) + 1.
 *   - A missing w-value copies its h-value: iw = ih, kw = kh, sw = sh, pw = ph, dw = dh.
 *     A descriptor without any h-value but with iw is a 1-D problem: ih = kh = 1.
 *   - oh/ow are computed; when given they must equal the computed size.
 *   - A given ph/pw pads both sides (pad_bottom = ph, pad_right = pw), PyTorch's convention.
 *     benchdnn derives its bottom/right padding from oh instead; the outputs are the same.
 *   - Convolution only: when oh is given but ph is not, the padding is deduced from oh as
 *     benchdnn does: total = (oh-1)*sh - ih + extent, top = total / 2, bottom = the rest (so
 *     it may be asymmetric); the same for pw from ow. Without ow, pw copies the h-padding.
 *   - 3-D fields (id, od, kd, sd, pd, dd) are rejected.
 *   - Every convolution is run with a bias and a fused ReLU (benchdnn's --dir=FWD_B with
 *     --attr-post-ops=relu).
 *
 * Pooling (benchdnn's pool driver; the algorithm is benchdnn's --alg knob, written inline):
 *     --pool --alg=max mb1ic64ih112oh56kh3sh2ph1n"resnet50:pool1"
 *   Fields mb ic ih iw oh ow kh kw sh sw ph pw (no oc, g or dilation). --alg is max (default),
 *   avg_p (average including padding, PyTorch count_include_pad=True) or avg_np (excluding
 *   padding); oneDNN's long names pooling_max, pooling_avg_include_padding and
 *   pooling_avg_exclude_padding are accepted too. Padding is never deduced (missing ph is 0,
 *   missing pw is ph); a given oh/ow that matches PyTorch's ceil_mode but not floor mode
 *   selects ceil_mode. The library requires ph <= kh / 2.
 *
 * Convolution --alg names are the library's (cnn_conv2d_algo_string): auto (default), direct.
 */
#ifndef CNNBENCH_PROBLEM_H
#define CNNBENCH_PROBLEM_H

#include "cnncl.h"

#include <stddef.h>
#include <stdint.h>

#define BENCH_NAME_MAX 128

typedef enum bench_op {
    BENCH_OP_CONV = 0,
    BENCH_OP_POOL = 1
} bench_op;

/* A parsed, validated layer. Sizes are resolved: oh/ow computed, w-values copied, pads set.
 * ph/pw are the top/left padding, pb/pr the bottom/right one (equal unless deduced).
 * dh/dw keep benchdnn's meaning (0 = dense). */
typedef struct bench_problem {
    bench_op op;
    char name[BENCH_NAME_MAX];     /* "" when the descriptor has none */
    int64_t mb, g, ic, ih, iw, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw;
    int64_t pb, pr;
    /* convolution */
    cnn_conv2d_algo algo;          /* --alg; AUTO by default */
    int has_bias;                  /* 1: always, for now */
    cnn_activation activation;     /* RELU: always, for now */
    /* pooling */
    cnn_pool_mode pool_mode;
    int count_include_pad;         /* avg_p: 1, avg_np: 0 */
    int ceil_mode;
} bench_problem;

/* Parse and validate spec into *p. Returns 0, or -1 with a one-line reason in err (which may
 * be NULL; the text names the column of the problem where there is one). *p is written only
 * on success. */
int bench_problem_parse(bench_problem *p, const char *spec, char *err, size_t err_size);

/* Replace the minibatch (--batch). Returns 0, or -1 when mb < 1. */
int bench_problem_set_batch(bench_problem *p, int64_t mb, char *err, size_t err_size);

/* The problem as the library's convolution: input {mb, ic, ih, iw}, weights
 * {oc, ic/g, kh, kw}, params (with the problem's activation and algorithm). */
void bench_problem_conv(const bench_problem *p, int64_t input[4], int64_t weights[4],
                        cnn_conv2d_params *params);

/* The problem as the library's pooling: input {mb, ic, ih, iw} and params. */
void bench_problem_pool(const bench_problem *p, int64_t input[4], cnn_pool2d_params *params);

/* Output shape {mb, oc, oh, ow} (pooling: oc = ic). */
void bench_problem_output_shape(const bench_problem *p, int64_t out[4]);

/* The canonical spec, which bench_problem_parse() reads back into the same problem: knobs,
 * then mb, g (if not 1), ic, ih, iw (if not ih), oc, oh, ow (if not oh), kh, kw (if not kh),
 * sh/sw (if not 1 / not sh), ph/pw, dh/dw likewise, then n"name". Returns the length that the
 * full text needs (like snprintf); buf is always NUL-terminated when size > 0. */
int bench_problem_format(const bench_problem *p, char *buf, size_t size);

/* A short human summary: "1x64x56x56 3x3/1p1 -> 64x56x56" (g, dilation when not trivial);
 * pooling "1x64x112x112 max3x3/2p1 -> 56x56". Same return convention. */
int bench_problem_summary(const bench_problem *p, char *buf, size_t size);

/* Name of a pooling algorithm as written in specs: "max", "avg_p", "avg_np". */
const char *bench_pool_alg_string(cnn_pool_mode mode, int count_include_pad);

#endif /* CNNBENCH_PROBLEM_H */
