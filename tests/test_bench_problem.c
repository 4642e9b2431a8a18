/*
 * cnnbench's problem descriptors (bench/problem.h): valid specs with every resolved field,
 * invalid specs with the message that names the problem, and format -> parse round trips.
 * No device needed.
 */
#include "problem.h"
#include "test_util.h"

/* The resolved fields of a problem, in the order of the struct. */
typedef struct expect {
    bench_op op;
    const char *name;
    int64_t mb, g, ic, ih, iw, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, pb, pr;
} expect;

/* Parse spec and compare every field with e; prints the spec on failure. */
static int check_spec(const char *spec, const expect *e)
{
    bench_problem p;
    char err[512] = "";
    tu_note("spec %s", spec);
    CHECK_MSG(bench_problem_parse(&p, spec, err, sizeof err) == 0, "rejected: %s\n", err);
    CHECK(p.op == e->op);
    CHECK_MSG(strcmp(p.name, e->name) == 0, "name \"%s\", want \"%s\"\n", p.name, e->name);
    const int64_t got[] = {p.mb, p.g, p.ic, p.ih, p.iw, p.oc, p.oh, p.ow, p.kh,
                           p.kw, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw, p.pb, p.pr};
    const int64_t want[] = {e->mb, e->g, e->ic, e->ih, e->iw, e->oc, e->oh, e->ow, e->kh,
                            e->kw, e->sh, e->sw, e->ph, e->pw, e->dh, e->dw, e->pb, e->pr};
    static const char *const names[] = {"mb", "g", "ic", "ih", "iw", "oc", "oh", "ow", "kh",
                                        "kw", "sh", "sw", "ph", "pw", "dh", "dw", "pb", "pr"};
    for (size_t i = 0; i < sizeof got / sizeof got[0]; i++)
        CHECK_MSG(got[i] == want[i], "%s = %" PRId64 ", want %" PRId64 "\n", names[i], got[i],
                  want[i]);
    if (p.op == BENCH_OP_CONV) {
        CHECK(p.has_bias == 1);
        CHECK(p.activation == CNN_ACTIVATION_RELU);
    }
    return 0;
}

/* Parse must fail, with a message that contains each of the given words. */
static int check_rejected(const char *spec, const char *word1, const char *word2)
{
    bench_problem p;
    memset(&p, 0x5a, sizeof p);
    bench_problem before = p;
    char err[512] = "";
    tu_note("spec %s", spec);
    CHECK_MSG(bench_problem_parse(&p, spec, err, sizeof err) == -1, "accepted\n");
    CHECK_MSG(err[0] != '\0', "no message\n");
    CHECK_MSG(strstr(err, word1) != NULL, "message \"%s\" does not say \"%s\"\n", err, word1);
    CHECK_MSG(word2 == NULL || strstr(err, word2) != NULL,
              "message \"%s\" does not say \"%s\"\n", err, word2);
    CHECK_MSG(memcmp(&p, &before, sizeof p) == 0, "the problem was written on failure\n");
    /* NULL err is allowed */
    CHECK(bench_problem_parse(&p, spec, NULL, 0) == -1);
    return 0;
}

static int test_resnet_layers(cnn_context *ctx)
{
    (void)ctx;
    const expect res2b = {BENCH_OP_CONV, "res2a_branch2b", 1, 1, 64, 56, 56, 64, 56, 56, 3, 3,
                          1, 1, 1, 1, 0, 0, 1, 1};
    if (check_spec("mb1ic64ih56oc64oh56kh3ph1n\"res2a_branch2b\"", &res2b))
        return 1;
    const expect conv1 = {BENCH_OP_CONV, "conv1", 1, 1, 3, 224, 224, 64, 112, 112, 7, 7,
                          2, 2, 3, 3, 0, 0, 3, 3};
    if (check_spec("mb1ic3ih224oc64oh112kh7sh2ph3n\"conv1\"", &conv1))
        return 1;
    /* the v1.5 stride-2 3x3 and a stride-2 1x1 projection */
    const expect res3b = {BENCH_OP_CONV, "res3a_branch2b", 1, 1, 128, 56, 56, 128, 28, 28, 3, 3,
                          2, 2, 1, 1, 0, 0, 1, 1};
    if (check_spec("mb1ic128ih56oc128oh28kh3sh2ph1n\"res3a_branch2b\"", &res3b))
        return 1;
    const expect proj = {BENCH_OP_CONV, "res5a_branch1", 1, 1, 1024, 14, 14, 2048, 7, 7, 1, 1,
                         2, 2, 0, 0, 0, 0, 0, 0};
    if (check_spec("mb1ic1024ih14oc2048oh7kh1sh2n\"res5a_branch1\"", &proj))
        return 1;
    /* benchdnn's own default mb2 written out, and blanks and '_' separators */
    const expect mb2 = {BENCH_OP_CONV, "", 2, 1, 256, 14, 14, 256, 14, 14, 3, 3, 1, 1, 1, 1,
                        0, 0, 1, 1};
    if (check_spec("  mb2_ic256ih14_oc256oh14_kh3ph1  ", &mb2))
        return 1;
    return 0;
}

static int test_defaults(cnn_context *ctx)
{
    (void)ctx;
    /* mb 1, g 1, stride 1, no padding, no dilation, oh computed, no name */
    const expect d = {BENCH_OP_CONV, "", 1, 1, 3, 5, 5, 2, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0};
    if (check_spec("ic3ih5oc2kh3", &d))
        return 1;
    bench_problem p;
    char err[256];
    CHECK(bench_problem_parse(&p, "ic3ih5oc2kh3", err, sizeof err) == 0);
    CHECK(p.algo == CNN_CONV2D_ALGO_AUTO);
    /* a name to the end of the descriptor, without quotes */
    const expect n = {BENCH_OP_CONV, "plain_name", 1, 1, 3, 5, 5, 2, 3, 3, 3, 3, 1, 1, 0, 0,
                      0, 0, 0, 0};
    if (check_spec("ic3ih5oc2kh3nplain_name", &n))
        return 1;
    /* a quoted name keeps blanks and '#' */
    const expect q = {BENCH_OP_CONV, "a b#c", 1, 1, 3, 5, 5, 2, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0,
                      0, 0};
    if (check_spec("ic3ih5oc2kh3n\"a b#c\"", &q))
        return 1;
    /* --alg=direct forces the algorithm */
    CHECK(bench_problem_parse(&p, "--alg=direct ic3ih5oc2kh3", err, sizeof err) == 0);
    CHECK(p.algo == CNN_CONV2D_ALGO_DIRECT);
    CHECK(p.op == BENCH_OP_CONV);
    /* --conv is the default and may be written */
    CHECK(bench_problem_parse(&p, "--conv ic3ih5oc2kh3", err, sizeof err) == 0);
    CHECK(p.op == BENCH_OP_CONV);
    /* groups: depthwise */
    const expect dw = {BENCH_OP_CONV, "", 1, 32, 32, 112, 112, 32, 112, 112, 3, 3, 1, 1, 1, 1,
                       0, 0, 1, 1};
    if (check_spec("g32ic32ih112oc32kh3ph1", &dw))
        return 1;
    int64_t in[4], wt[4];
    cnn_conv2d_params cp;
    CHECK(bench_problem_parse(&p, "g32ic32ih112oc32kh3ph1", err, sizeof err) == 0);
    bench_problem_conv(&p, in, wt, &cp);
    CHECK(in[0] == 1 && in[1] == 32 && in[2] == 112 && in[3] == 112);
    CHECK(wt[0] == 32 && wt[1] == 1 && wt[2] == 3 && wt[3] == 3);
    CHECK(cp.groups == 32);
    CHECK(cp.activation == CNN_ACTIVATION_RELU);
    return 0;
}

static int test_w_copies_h(cnn_context *ctx)
{
    (void)ctx;
    /* iw = ih, kw = kh, sw = sh, pw = ph; oh = (10 + 2 - 3) / 2 + 1 = 5 */
    const expect c = {BENCH_OP_CONV, "", 1, 1, 3, 10, 10, 4, 5, 5, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1};
    if (check_spec("ic3ih10oc4kh3sh2ph1", &c))
        return 1;
    /* every w-value given: ow = (20 + 4 - 5) / 2 + 1 = 10, oh = 10 + 2 - 3 + 1 = 10 */
    const expect w = {BENCH_OP_CONV, "", 1, 1, 3, 10, 20, 4, 10, 10, 3, 5, 1, 2, 1, 2, 0, 0,
                      1, 2};
    if (check_spec("ic3ih10iw20oc4kh3kw5sh1sw2ph1pw2", &w))
        return 1;
    /* 1-D: only w-values, ih = kh = 1 */
    const expect one_d = {BENCH_OP_CONV, "", 1, 1, 4, 1, 10, 4, 1, 8, 1, 3, 1, 1, 0, 0, 0, 0,
                          0, 0};
    if (check_spec("ic4iw10oc4kw3", &one_d))
        return 1;
    return 0;
}

static int test_dilation(cnn_context *ctx)
{
    (void)ctx;
    /* dh1 = the library's dilation 2: extent 5, oh = 32 + 4 - 5 + 1 = 32; dw copies dh */
    const expect d = {BENCH_OP_CONV, "", 1, 1, 8, 32, 32, 8, 32, 32, 3, 3, 1, 1, 2, 2, 1, 1,
                      2, 2};
    if (check_spec("ic8ih32oc8kh3ph2dh1", &d))
        return 1;
    bench_problem p;
    char err[256];
    int64_t in[4], wt[4];
    cnn_conv2d_params cp;
    CHECK(bench_problem_parse(&p, "ic8ih32oc8kh3ph2dh1", err, sizeof err) == 0);
    bench_problem_conv(&p, in, wt, &cp);
    CHECK(cp.dilation_h == 2 && cp.dilation_w == 2);
    CHECK(cp.pad_top == 2 && cp.pad_bottom == 2 && cp.pad_left == 2 && cp.pad_right == 2);
    /* dh0 is dense */
    CHECK(bench_problem_parse(&p, "ic8ih32oc8kh3ph1dh0", err, sizeof err) == 0);
    bench_problem_conv(&p, in, wt, &cp);
    CHECK(cp.dilation_h == 1 && cp.dilation_w == 1);
    CHECK(p.oh == 32);
    /* different h and w dilations: extents 7 (3, d3) and 3 (3, d1); oh = 20 - 7 + 1 = 14 */
    const expect hw = {BENCH_OP_CONV, "", 1, 1, 2, 20, 20, 2, 14, 18, 3, 3, 1, 1, 0, 0, 2, 0,
                       0, 0};
    if (check_spec("ic2ih20oc2kh3dh2dw0", &hw))
        return 1;
    return 0;
}

static int test_deduced_padding(cnn_context *ctx)
{
    (void)ctx;
    /* benchdnn deduces padding from oh: total = (4-1)*2 - 8 + 3 = 1 -> top 0, bottom 1; without
     * ow the w-padding copies it */
    const expect asym = {BENCH_OP_CONV, "", 1, 1, 16, 8, 8, 16, 4, 4, 3, 3, 2, 2, 0, 0, 0, 0,
                         1, 1};
    if (check_spec("ic16ih8oc16oh4kh3sh2", &asym))
        return 1;
    /* total 2 -> symmetric 1 / 1 */
    const expect sym = {BENCH_OP_CONV, "", 1, 1, 16, 8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 0, 0, 1,
                        1};
    if (check_spec("ic16ih8oc16oh8kh3", &sym))
        return 1;
    /* oh and ow both: h total (8-1)*1 - 8 + 3 = 2 (1/1), w total (3-1)*2 - 8 + 3 = -1 (none) */
    const expect both = {BENCH_OP_CONV, "", 1, 1, 4, 8, 8, 4, 8, 3, 3, 3, 1, 2, 1, 0, 0, 0, 1,
                         0};
    if (check_spec("ic4ih8oc4oh8ow3kh3sw2", &both))
        return 1;
    bench_problem p;
    char err[256];
    int64_t in[4], wt[4];
    cnn_conv2d_params cp;
    CHECK(bench_problem_parse(&p, "ic16ih8oc16oh4kh3sh2", err, sizeof err) == 0);
    bench_problem_conv(&p, in, wt, &cp);
    CHECK(cp.pad_top == 0 && cp.pad_bottom == 1 && cp.pad_left == 0 && cp.pad_right == 1);
    return 0;
}

static int test_pooling(cnn_context *ctx)
{
    (void)ctx;
    static const struct {
        const char *spec;
        cnn_pool_mode mode;
        int include_pad;
    } algs[] = {
        {"--pool mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", CNN_POOL_MAX, 1},
        {"--pool --alg=max mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", CNN_POOL_MAX, 1},
        {"--pool --alg=pooling_max mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", CNN_POOL_MAX, 1},
        {"--pool --alg=avg_p mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", CNN_POOL_AVG, 1},
        {"--pool --alg=pooling_avg_include_padding mb1ic64ih112oh56kh3sh2ph1n\"pool1\"",
         CNN_POOL_AVG, 1},
        {"--pool --alg=avg_np mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", CNN_POOL_AVG, 0},
        {"--alg=AVG_NP --pool mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", CNN_POOL_AVG, 0},
        {"--pool --alg=pooling_avg_exclude_padding mb1ic64ih112oh56kh3sh2ph1n\"pool1\"",
         CNN_POOL_AVG, 0},
    };
    const expect e = {BENCH_OP_POOL, "pool1", 1, 1, 64, 112, 112, 64, 56, 56, 3, 3, 2, 2, 1, 1,
                      0, 0, 1, 1};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        if (check_spec(algs[i].spec, &e))
            return 1;
        bench_problem p;
        char err[256];
        CHECK(bench_problem_parse(&p, algs[i].spec, err, sizeof err) == 0);
        CHECK(p.pool_mode == algs[i].mode);
        if (algs[i].mode == CNN_POOL_AVG)
            CHECK(p.count_include_pad == algs[i].include_pad);
        CHECK(p.ceil_mode == 0);
        int64_t in[4];
        cnn_pool2d_params pp;
        bench_problem_pool(&p, in, &pp);
        CHECK(in[0] == 1 && in[1] == 64 && in[2] == 112 && in[3] == 112);
        CHECK(pp.kernel_h == 3 && pp.kernel_w == 3 && pp.stride_h == 2 && pp.stride_w == 2);
        CHECK(pp.pad_h == 1 && pp.pad_w == 1 && pp.ceil_mode == 0 && pp.global == 0);
        CHECK(pp.mode == algs[i].mode);
        int64_t out[4];
        bench_problem_output_shape(&p, out);
        CHECK(out[0] == 1 && out[1] == 64 && out[2] == 56 && out[3] == 56);
    }
    /* ResNet-50's head: a 7x7 average to 1x1 */
    const expect head = {BENCH_OP_POOL, "pool5", 1, 1, 2048, 7, 7, 2048, 1, 1, 7, 7, 1, 1, 0, 0,
                         0, 0, 0, 0};
    if (check_spec("--pool --alg=avg_np mb1ic2048ih7oh1kh7n\"pool5\"", &head))
        return 1;
    /* stride defaults to 1 for pooling too; oh computed */
    const expect s1 = {BENCH_OP_POOL, "", 1, 1, 3, 5, 5, 3, 4, 4, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0};
    if (check_spec("--pool ic3ih5kh2", &s1))
        return 1;
    return 0;
}

static int test_ceil_mode(cnn_context *ctx)
{
    (void)ctx;
    bench_problem p;
    char err[256];
    /* 5 wide, window 2, stride 2: floor 2, ceil 3 */
    CHECK(bench_problem_parse(&p, "--pool ic1ih5oh3kh2sh2", err, sizeof err) == 0);
    CHECK(p.ceil_mode == 1);
    CHECK(p.oh == 3 && p.ow == 3);
    CHECK(bench_problem_parse(&p, "--pool ic1ih5oh2kh2sh2", err, sizeof err) == 0);
    CHECK(p.ceil_mode == 0);
    CHECK(p.oh == 2 && p.ow == 2);
    CHECK(bench_problem_parse(&p, "--pool ic1ih5kh2sh2", err, sizeof err) == 0);
    CHECK(p.ceil_mode == 0);
    CHECK(p.oh == 2);
    /* only ow given: it selects the mode for both */
    CHECK(bench_problem_parse(&p, "--pool ic1ih5iw5ow3kh2sh2", err, sizeof err) == 0);
    CHECK(p.ceil_mode == 1);
    CHECK(p.oh == 3 && p.ow == 3);
    /* GoogLeNet-style 3x3/2 ceil on 112 -> 56 (floor 55) */
    CHECK(bench_problem_parse(&p, "--pool ic64ih112oh56kh3sh2", err, sizeof err) == 0);
    CHECK(p.ceil_mode == 1);
    int64_t in[4];
    cnn_pool2d_params pp;
    bench_problem_pool(&p, in, &pp);
    CHECK(pp.ceil_mode == 1);
    /* neither */
    if (check_rejected("--pool ic1ih5oh4kh2sh2", "oh4", "neither"))
        return 1;
    return 0;
}

static int test_invalid(cnn_context *ctx)
{
    (void)ctx;
    static const struct {
        const char *spec, *word1, *word2;
    } bad[] = {
        {"mb1ic3ih5oc2kh3xx1", "unknown field", "'xx'"},
        {"mb1ic3ih5oc2kh3zz", "unknown field", "'zz'"},
        {"mb1ih5oc2kh3", "input channels ic", NULL},
        {"mb1ic3ih5kh3", "output channels oc", NULL},
        {"mb1ic3oc2kh3", "ih", NULL},
        {"mb1ic3ih5oc2", "kernel size kh", NULL},
        {"ic3ih5oc2oh4kh3ph0", "oh4", "does not match"},
        {"ic3ih5oc2ow9kh3pw1", "ow9", "does not match"},
        {"g2ic3ih5oc4kh3", "g2", "must divide"},
        {"g2ic4ih5oc3kh3", "g2", "must divide"},
        {"ic0ih5oc2kh3", "'ic'", "at least 1"},
        {"mb0ic1ih5oc2kh3", "'mb'", "at least 1"},
        {"ic3ih5oc2kh3sh0", "'sh'", "at least 1"},
        {"ic3ih5oc2kh0", "'kh'", "at least 1"},
        {"ic3ih5oc0kh3", "'oc'", "at least 1"},
        {"ic-3ih5oc2kh3", "'ic'", "needs a number"},
        {"ic3ih5oc2kh3-1", "unexpected character '-'", "column 13"},
        {"ic3ih99999999999999999999oc2kh3", "'ih'", "larger than"},
        {"ic3ih2147483648oc2kh3", "'ih'", "larger than"},
        /* found by fuzzing: both broke the canonical text's round trip */
        {"ic1ih8oc8kh3n1\"", "name without quotes", "contain"},
        {"ic1ih5oc1kh1pw2147483647", "the output", "largest value of a field"},
        {"ic3id5ih5oc2kh3", "'id'", "3-D"},
        {"ic3ih5oc2kh3kd3", "'kd'", "3-D"},
        {"ic3ih5oc2kh3od3", "'od'", "3-D"},
        {"hello", "unknown field", "'hello'"},
        {"%%%", "unexpected character '%'", NULL},
        {"", "no descriptor", NULL},
        {"   ", "no descriptor", NULL},
        {"ic3ih5oc2kh3 ic3ih5oc2kh3", "second descriptor", NULL},
        {"ic3ic4ih5oc2kh3", "'ic'", "twice"},
        {"ic3ih5oc2kh3n\"a\"n\"b\"", "name", "twice"},
        {"ic3ih5oc2kh3n\"unterminated", "closing quote", NULL},
        {"ic3ihoc2kh3", "unknown field", "'ihoc'"},
        {"ic3ih5oc2kh", "'kh'", "needs a number"},
        {"ic1ih2oc1kh3", "kernel extent", "larger than the padded input"},
        {"ic1ih5oc1kh3dh3", "kernel extent", "larger than the padded input"},
        {"--bogus ic3ih5oc2kh3", "unknown option", "--bogus"},
        {"--alg=fft ic3ih5oc2kh3", "unknown convolution algorithm", "'fft'"},
        {"--alg=max ic3ih5oc2kh3", "pooling algorithm", "--pool"},
        {"--pool --alg=min ic3ih5kh2", "unknown pooling algorithm", "'min'"},
        {"--pool --conv ic3ih5oc3kh2", "--conv and --pool", NULL},
        {"--pool ic3ih5oc3kh2", "pooling", "'oc'"},
        {"--pool g3ic3ih5kh2", "pooling", "'g'"},
        {"--pool ic3ih5kh3dh1", "dilation", NULL},
        {"--pool ic3ih5kh3ph2", "padding", "half the window"},
        {"--pool ic3ih2kh5", "window", "larger than the padded input"},
        {"--alg=auto --alg=direct ic3ih5oc2kh3", "--alg", "twice"},
        {"iw5ic3oc2kh3", "'kh'", "without ih"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (check_rejected(bad[i].spec, bad[i].word1, bad[i].word2))
            return 1;
    bench_problem p;
    char err[256];
    CHECK(bench_problem_parse(&p, NULL, err, sizeof err) == -1);
    CHECK(bench_problem_parse(NULL, "ic3ih5oc2kh3", err, sizeof err) == -1);
    /* a long name */
    char spec[512];
    snprintf(spec, sizeof spec, "ic3ih5oc2kh3n\"%0200d\"", 7);
    if (check_rejected(spec, "name", "longer than"))
        return 1;
    /* --batch */
    CHECK(bench_problem_parse(&p, "ic3ih5oc2kh3", err, sizeof err) == 0);
    CHECK(bench_problem_set_batch(&p, 0, err, sizeof err) == -1);
    CHECK(strstr(err, "batch") != NULL);
    CHECK(bench_problem_set_batch(&p, 32, err, sizeof err) == 0);
    CHECK(p.mb == 32);
    return 0;
}

/* Every field of two problems. */
static int same_problem(const bench_problem *a, const bench_problem *b)
{
    return a->op == b->op && strcmp(a->name, b->name) == 0 && a->mb == b->mb && a->g == b->g &&
           a->ic == b->ic && a->ih == b->ih && a->iw == b->iw && a->oc == b->oc &&
           a->oh == b->oh && a->ow == b->ow && a->kh == b->kh && a->kw == b->kw &&
           a->sh == b->sh && a->sw == b->sw && a->ph == b->ph && a->pw == b->pw &&
           a->dh == b->dh && a->dw == b->dw && a->pb == b->pb && a->pr == b->pr &&
           a->algo == b->algo && a->has_bias == b->has_bias && a->activation == b->activation &&
           (a->op == BENCH_OP_CONV ||
            (a->pool_mode == b->pool_mode && a->ceil_mode == b->ceil_mode &&
             (a->pool_mode == CNN_POOL_MAX || a->count_include_pad == b->count_include_pad)));
}

static int test_round_trip(cnn_context *ctx)
{
    (void)ctx;
    static const char *const specs[] = {
        "mb1ic64ih56oc64oh56kh3ph1n\"res2a_branch2b\"",
        "mb1ic3ih224oc64oh112kh7sh2ph3n\"conv1\"",
        "mb8g32ic32ih112oc32kh3ph1",
        "ic3ih10iw20oc4kh3kw5sh1sw2ph1pw2",
        "ic16ih8oc16oh4kh3sh2",
        "ic4ih8oc4oh8ow3kh3sw2",
        "ic16ih9iw8oc16oh5ow4kh3sh2",
        "ic2ih20oc2kh3dh2dw0",
        "ic8ih32oc8kh3ph2dh1n\"dilated\"",
        "ic4iw10oc4kw3",
        "--alg=direct ic3ih5oc2kh3n\"forced\"",
        "ic3ih5oc2kh3n\"a b#c\"",
        "--pool --alg=max mb1ic64ih112oh56kh3sh2ph1n\"pool1\"",
        "--pool --alg=avg_p mb2ic8ih9iw7kh3kw2sh2sw1ph1pw0",
        "--pool --alg=avg_np mb1ic2048ih7oh1kh7n\"pool5\"",
        "--pool ic1ih5oh3kh2sh2",
        "--pool ic64ih112oh56kh3sh2",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        bench_problem a, b;
        char err[256], text[512];
        tu_note("spec %s", specs[i]);
        CHECK_MSG(bench_problem_parse(&a, specs[i], err, sizeof err) == 0, "%s\n", err);
        const int len = bench_problem_format(&a, text, sizeof text);
        CHECK(len > 0 && (size_t)len < sizeof text);
        CHECK((size_t)len == strlen(text));
        tu_note("spec %s formatted %s", specs[i], text);
        CHECK_MSG(bench_problem_parse(&b, text, err, sizeof err) == 0, "%s\n", err);
        CHECK_MSG(same_problem(&a, &b), "the formatted spec reads back differently\n");
        /* and the summary is printable */
        CHECK(bench_problem_summary(&a, text, sizeof text) > 0);
    }
    /* format's return is the full length, the text truncated and terminated */
    bench_problem p;
    char err[256], small[8];
    CHECK(bench_problem_parse(&p, specs[0], err, sizeof err) == 0);
    const int full = bench_problem_format(&p, NULL, 0);
    CHECK(full > 8);
    CHECK(bench_problem_format(&p, small, sizeof small) == full);
    CHECK(strlen(small) == sizeof small - 1);
    /* a summary with the shapes */
    char text[256];
    bench_problem_summary(&p, text, sizeof text);
    CHECK_MSG(strcmp(text, "1x64x56x56 3x3/1p1 -> 64x56x56") == 0, "summary \"%s\"\n", text);
    return 0;
}

int main(void)
{
    int failures = 0;
    failures += tu_run("bench problem: ResNet-50 layers", test_resnet_layers, NULL);
    failures += tu_run("bench problem: defaults", test_defaults, NULL);
    failures += tu_run("bench problem: w-values copy h-values", test_w_copies_h, NULL);
    failures += tu_run("bench problem: dilation d-1", test_dilation, NULL);
    failures += tu_run("bench problem: deduced padding", test_deduced_padding, NULL);
    failures += tu_run("bench problem: pooling algorithms", test_pooling, NULL);
    failures += tu_run("bench problem: pooling ceil mode", test_ceil_mode, NULL);
    failures += tu_run("bench problem: invalid specs", test_invalid, NULL);
    failures += tu_run("bench problem: format -> parse", test_round_trip, NULL);
    tu_release_all_memory();
    return failures ? 1 : 0;
}
