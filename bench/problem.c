/* Problem descriptors in benchdnn syntax: parsing, validation, conversion, printing.
 * The shape arithmetic itself is the library's (cnn_conv2d_output_shape,
 * cnn_pool2d_output_shape), so cnnbench and the engine never disagree about a size. */
#include "problem.h"
#include "fail.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Field values are capped so that the arithmetic on them below cannot overflow int64. */
#define FIELD_MAX INT64_C(2147483647)

enum field {
    F_MB, F_G, F_IC, F_IH, F_IW, F_OC, F_OH, F_OW, F_KH, F_KW, F_SH, F_SW, F_PH, F_PW, F_DH, F_DW,
    F_ID, F_OD, F_KD, F_SD, F_PD, F_DD, F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "mb", "g", "ic", "ih", "iw", "oc", "oh", "ow", "kh", "kw", "sh", "sw", "ph", "pw", "dh",
    "dw", "id", "od", "kd", "sd", "pd", "dd"};

#define FIELD_LIST "mb g ic ih iw oc oh ow kh kw sh sw ph pw dh dw n\"name\""

/* What the text says, before defaults and deductions. */
typedef struct raw_spec {
    int64_t v[F_COUNT];
    int given[F_COUNT];
    char name[BENCH_NAME_MAX];
    int has_name;
    bench_op op;
    int op_given;
    const char *alg; /* points into the spec; alg_len characters */
    size_t alg_len;
    size_t alg_col;
} raw_spec;


static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int find_field(const char *key, size_t len)
{
    for (int f = 0; f < F_COUNT; f++)
        if (strlen(field_names[f]) == len && memcmp(field_names[f], key, len) == 0)
            return f;
    return -1;
}

/* The descriptor token s[0, len), which starts at 1-based column col0 of the spec. */
static int parse_descriptor(raw_spec *r, const char *s, size_t len, size_t col0, char *err,
                            size_t err_size)
{
    size_t i = 0;
    while (i < len) {
        const char ch = s[i];
        if (ch == '_') {
            i++;
            continue;
        }
        if (ch == 'n') { /* the name: n"text" or n followed by the rest of the descriptor */
            if (r->has_name)
                return bench_fail(err, err_size, "column %zu: the name n is given twice", col0 + i);
            size_t start = i + 1, end;
            if (start < len && s[start] == '"') {
                const char *close = memchr(s + start + 1, '"', len - start - 1);
                if (!close)
                    return bench_fail(err, err_size, "column %zu: the name's closing quote is missing",
                                col0 + start);
                start++;
                end = (size_t)(close - s);
                i = end + 1;
            } else {
                end = len;
                i = len;
                /* Written back quoted (bench_problem_format), so it may not hold a quote. */
                const char *quote = memchr(s + start, '"', end - start);
                if (quote)
                    return bench_fail(err, err_size,
                                "column %zu: a name without quotes may not contain '\"' "
                                "(write n\"NAME\")",
                                col0 + (size_t)(quote - s));
            }
            if (end - start >= BENCH_NAME_MAX)
                return bench_fail(err, err_size, "column %zu: the name is longer than %d characters",
                            col0 + start, BENCH_NAME_MAX - 1);
            memcpy(r->name, s + start, end - start);
            r->name[end - start] = '\0';
            r->has_name = 1;
            continue;
        }
        if (!is_lower(ch))
            return bench_fail(err, err_size,
                        "column %zu: unexpected character '%c' (expected a field: " FIELD_LIST
                        ")",
                        col0 + i, ch);
        const size_t key_at = i;
        while (i < len && is_lower(s[i]))
            i++;
        const int f = find_field(s + key_at, i - key_at);
        if (f < 0)
            return bench_fail(err, err_size, "column %zu: unknown field '%.*s' (fields: " FIELD_LIST ")",
                        col0 + key_at, (int)(i - key_at), s + key_at);
        if (r->given[f])
            return bench_fail(err, err_size, "column %zu: field '%s' is given twice", col0 + key_at,
                        field_names[f]);
        if (i >= len || !is_digit(s[i]))
            return bench_fail(err, err_size, "column %zu: field '%s' needs a number", col0 + i,
                        field_names[f]);
        int64_t v = 0;
        while (i < len && is_digit(s[i])) {
            v = v * 10 + (s[i] - '0');
            if (v > FIELD_MAX)
                return bench_fail(err, err_size, "column %zu: the value of '%s' is larger than %" PRId64,
                            col0 + key_at, field_names[f], FIELD_MAX);
            i++;
        }
        r->v[f] = v;
        r->given[f] = 1;
    }
    return 0;
}

static int parse_knob(raw_spec *r, const char *s, size_t len, size_t col, char *err,
                      size_t err_size)
{
    if ((len == 6 && memcmp(s, "--conv", 6) == 0) || (len == 6 && memcmp(s, "--pool", 6) == 0)) {
        const bench_op op = s[2] == 'c' ? BENCH_OP_CONV : BENCH_OP_POOL;
        if (r->op_given && r->op != op)
            return bench_fail(err, err_size, "column %zu: --conv and --pool are both given", col);
        r->op = op;
        r->op_given = 1;
        return 0;
    }
    if (len > 6 && memcmp(s, "--alg=", 6) == 0) {
        if (r->alg)
            return bench_fail(err, err_size, "column %zu: --alg is given twice", col);
        r->alg = s + 6;
        r->alg_len = len - 6;
        r->alg_col = col + 6;
        return 0;
    }
    return bench_fail(err, err_size, "column %zu: unknown option '%.*s' (options: --conv, --pool, "
                "--alg=NAME)", col, (int)len, s);
}

/* Case-insensitive comparison of s[0, len) with a NUL-terminated word. */
static int word_is(const char *s, size_t len, const char *word)
{
    if (strlen(word) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* The convolution algorithms the library names. Extend with the enum. */
static const cnn_conv2d_algo conv_algos[] = {CNN_CONV2D_ALGO_AUTO, CNN_CONV2D_ALGO_DIRECT};

static int resolve_alg(const raw_spec *r, bench_problem *p, char *err, size_t err_size)
{
    p->algo = CNN_CONV2D_ALGO_AUTO;
    p->pool_mode = CNN_POOL_MAX;
    p->count_include_pad = 1;
    if (!r->alg)
        return 0;
    if (p->op == BENCH_OP_POOL) {
        if (word_is(r->alg, r->alg_len, "max") || word_is(r->alg, r->alg_len, "pooling_max")) {
            p->pool_mode = CNN_POOL_MAX;
        } else if (word_is(r->alg, r->alg_len, "avg_p") ||
                   word_is(r->alg, r->alg_len, "pooling_avg_include_padding")) {
            p->pool_mode = CNN_POOL_AVG;
            p->count_include_pad = 1;
        } else if (word_is(r->alg, r->alg_len, "avg_np") ||
                   word_is(r->alg, r->alg_len, "pooling_avg_exclude_padding")) {
            p->pool_mode = CNN_POOL_AVG;
            p->count_include_pad = 0;
        } else {
            return bench_fail(err, err_size,
                        "column %zu: unknown pooling algorithm '%.*s' (max, avg_p, avg_np)",
                        r->alg_col, (int)r->alg_len, r->alg);
        }
        return 0;
    }
    for (size_t i = 0; i < sizeof conv_algos / sizeof conv_algos[0]; i++)
        if (word_is(r->alg, r->alg_len, cnn_conv2d_algo_string(conv_algos[i]))) {
            p->algo = conv_algos[i];
            return 0;
        }
    if (word_is(r->alg, r->alg_len, "max") || word_is(r->alg, r->alg_len, "avg_p") ||
        word_is(r->alg, r->alg_len, "avg_np"))
        return bench_fail(err, err_size,
                    "column %zu: '%.*s' is a pooling algorithm: write --pool before it",
                    r->alg_col, (int)r->alg_len, r->alg);
    char known[128] = "";
    for (size_t i = 0; i < sizeof conv_algos / sizeof conv_algos[0]; i++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                 cnn_conv2d_algo_string(conv_algos[i]));
    }
    return bench_fail(err, err_size, "column %zu: unknown convolution algorithm '%.*s' (%s)",
                r->alg_col, (int)r->alg_len, r->alg, known);
}

/* benchdnn's padding deduced from a given output size: the total padding the output needs,
 * the odd pixel at the end; none when the output needs none. */
static void deduce_pad(int64_t out, int64_t in, int64_t k, int64_t d, int64_t s, int64_t *begin,
                       int64_t *end)
{
    const int64_t extent = (k - 1) * (d + 1) + 1;
    const int64_t total = (out - 1) * s - in + extent;
    *begin = total > 0 ? total / 2 : 0;
    *end = total > 0 ? total - total / 2 : 0;
}

/* Resolve defaults, copy h-values to w-values, deduce padding. */
static int resolve_sizes(raw_spec *r, bench_problem *p, char *err, size_t err_size)
{
    int64_t *v = r->v;
    const int *given = r->given;
    for (int f = F_ID; f <= F_DD; f++)
        if (given[f])
            return bench_fail(err, err_size, "'%s' is a 3-D field: cnncl convolves 2-D images",
                        field_names[f]);
    if (p->op == BENCH_OP_POOL) {
        if (given[F_OC] || given[F_G])
            return bench_fail(err, err_size, "a pooling descriptor has no '%s' (it keeps ic channels)",
                        given[F_OC] ? "oc" : "g");
        if (given[F_DH] || given[F_DW])
            return bench_fail(err, err_size, "pooling with dilation (dh/dw) is not supported");
    } else if (!given[F_OC]) {
        return bench_fail(err, err_size, "the output channels oc are missing");
    }
    if (!given[F_IC])
        return bench_fail(err, err_size, "the input channels ic are missing");

    if (!given[F_IH]) { /* 1-D: only w-values */
        if (!given[F_IW])
            return bench_fail(err, err_size, "the input size ih (and iw) is missing");
        static const int h_fields[] = {F_KH, F_OH, F_SH, F_PH, F_DH};
        for (size_t i = 0; i < sizeof h_fields / sizeof h_fields[0]; i++)
            if (given[h_fields[i]])
                return bench_fail(err, err_size,
                            "'%s' is given without ih (a descriptor with iw only is 1-D)",
                            field_names[h_fields[i]]);
        if (!given[F_KW])
            return bench_fail(err, err_size, "the kernel size kw is missing");
        v[F_IH] = v[F_KH] = v[F_OH] = v[F_SH] = 1;
        v[F_PH] = v[F_DH] = 0;
        r->given[F_IH] = r->given[F_KH] = r->given[F_SH] = r->given[F_PH] = r->given[F_DH] = 1;
    } else if (!given[F_KH]) {
        return bench_fail(err, err_size, "the kernel size kh is missing");
    }
    if (!given[F_MB]) v[F_MB] = 1; /* benchdnn: 2 */
    if (!given[F_G]) v[F_G] = 1;
    if (!given[F_SH]) v[F_SH] = 1;
    if (!given[F_DH]) v[F_DH] = 0;
    if (!given[F_IW]) v[F_IW] = v[F_IH];
    if (!given[F_KW]) v[F_KW] = v[F_KH];
    if (!given[F_SW]) v[F_SW] = v[F_SH];
    if (!given[F_DW]) v[F_DW] = v[F_DH];
    if (p->op == BENCH_OP_POOL) {
        v[F_OC] = v[F_IC];
        v[F_G] = 1;
    }

    static const int at_least_one[] = {F_MB, F_G, F_IC, F_IH, F_IW, F_OC, F_KH, F_KW, F_SH, F_SW};
    for (size_t i = 0; i < sizeof at_least_one / sizeof at_least_one[0]; i++)
        if (v[at_least_one[i]] < 1)
            return bench_fail(err, err_size, "'%s' must be at least 1", field_names[at_least_one[i]]);
    if ((given[F_OH] && v[F_OH] < 1) || (given[F_OW] && v[F_OW] < 1))
        return bench_fail(err, err_size, "'%s' must be at least 1", v[F_OH] < 1 ? "oh" : "ow");
    if (v[F_IC] % v[F_G] != 0 || v[F_OC] % v[F_G] != 0)
        return bench_fail(err, err_size, "g%" PRId64 " must divide ic%" PRId64 " and oc%" PRId64,
                    v[F_G], v[F_IC], v[F_OC]);

    p->mb = v[F_MB]; p->g = v[F_G]; p->ic = v[F_IC]; p->oc = v[F_OC];
    p->ih = v[F_IH]; p->iw = v[F_IW]; p->kh = v[F_KH]; p->kw = v[F_KW];
    p->sh = v[F_SH]; p->sw = v[F_SW]; p->dh = v[F_DH]; p->dw = v[F_DW];

    /* Padding: given (symmetric), deduced from a given output size (benchdnn; the odd pixel
     * goes to the end), or copied from the h-padding. Pooling never deduces. */
    if (given[F_PH]) {
        p->ph = p->pb = v[F_PH];
    } else if (given[F_OH] && p->op == BENCH_OP_CONV) {
        deduce_pad(v[F_OH], p->ih, p->kh, p->dh, p->sh, &p->ph, &p->pb);
    } else {
        p->ph = p->pb = 0;
    }
    if (given[F_PW]) {
        p->pw = p->pr = v[F_PW];
    } else if (given[F_OW] && p->op == BENCH_OP_CONV) {
        deduce_pad(v[F_OW], p->iw, p->kw, p->dw, p->sw, &p->pw, &p->pr);
    } else {
        p->pw = p->ph;
        p->pr = p->pb;
    }
    return 0;
}

/* Compute the output size with the library and check it against a given oh/ow. */
static int resolve_output(const raw_spec *r, bench_problem *p, char *err, size_t err_size)
{
    int64_t in[4], out[4];
    if (p->op == BENCH_OP_CONV) {
        const int64_t eh = (p->kh - 1) * (p->dh + 1) + 1, ew = (p->kw - 1) * (p->dw + 1) + 1;
        if (eh > p->ih + p->ph + p->pb || ew > p->iw + p->pw + p->pr)
            return bench_fail(err, err_size,
                        "the kernel extent %" PRId64 "x%" PRId64 " (kh%" PRId64 " kw%" PRId64
                        " dh%" PRId64 " dw%" PRId64 ") is larger than the padded input %"
                        PRId64 "x%" PRId64,
                        eh, ew, p->kh, p->kw, p->dh, p->dw, p->ih + p->ph + p->pb,
                        p->iw + p->pw + p->pr);
        int64_t wt[4];
        cnn_conv2d_params cp;
        bench_problem_conv(p, in, wt, &cp);
        const cnn_status s = cnn_conv2d_output_shape(out, in, wt, &cp);
        if (s != CNN_SUCCESS)
            return bench_fail(err, err_size, "cnn_conv2d_output_shape rejects the problem: %s",
                        cnn_status_string(s));
        if ((r->given[F_OH] && r->v[F_OH] != out[2]) || (r->given[F_OW] && r->v[F_OW] != out[3])) {
            const int h = r->given[F_OH] && r->v[F_OH] != out[2];
            return bench_fail(err, err_size,
                        "%s%" PRId64 " does not match the computed output %s %" PRId64
                        " (i%" PRId64 " k%" PRId64 " s%" PRId64 " p%" PRId64 "+%" PRId64
                        " d%" PRId64 ")",
                        h ? "oh" : "ow", h ? r->v[F_OH] : r->v[F_OW], h ? "height" : "width",
                        h ? out[2] : out[3], h ? p->ih : p->iw, h ? p->kh : p->kw,
                        h ? p->sh : p->sw, h ? p->ph : p->pw, h ? p->pb : p->pr,
                        h ? p->dh : p->dw);
        }
    } else {
        if (p->ph > p->kh / 2 || p->pw > p->kw / 2)
            return bench_fail(err, err_size,
                        "pooling padding p%" PRId64 "x%" PRId64 " exceeds half the window %"
                        PRId64 "x%" PRId64 " (PyTorch's limit, and the library's)",
                        p->ph, p->pw, p->kh, p->kw);
        if (p->kh > p->ih + 2 * p->ph || p->kw > p->iw + 2 * p->pw)
            return bench_fail(err, err_size,
                        "the window %" PRId64 "x%" PRId64 " is larger than the padded input %"
                        PRId64 "x%" PRId64,
                        p->kh, p->kw, p->ih + 2 * p->ph, p->iw + 2 * p->pw);
        cnn_pool2d_params pp;
        int64_t ceil_out[4];
        p->ceil_mode = 0;
        bench_problem_pool(p, in, &pp);
        cnn_status s = cnn_pool2d_output_shape(out, in, &pp);
        if (s == CNN_SUCCESS) {
            pp.ceil_mode = 1;
            s = cnn_pool2d_output_shape(ceil_out, in, &pp);
        }
        if (s != CNN_SUCCESS)
            return bench_fail(err, err_size, "cnn_pool2d_output_shape rejects the problem: %s",
                        cnn_status_string(s));
        /* A missing oh/ow follows the rounding mode the other one asks for. */
        const int h_given = r->given[F_OH], w_given = r->given[F_OW];
        const int64_t want_h = r->v[F_OH], want_w = r->v[F_OW];
        if ((!h_given || want_h == out[2]) && (!w_given || want_w == out[3])) {
            /* floor mode */
        } else if ((!h_given || want_h == ceil_out[2]) && (!w_given || want_w == ceil_out[3])) {
            p->ceil_mode = 1;
            out[2] = ceil_out[2];
            out[3] = ceil_out[3];
        } else {
            char given[64];
            if (h_given && w_given)
                snprintf(given, sizeof given, "oh%" PRId64 " ow%" PRId64, want_h, want_w);
            else
                snprintf(given, sizeof given, "%s%" PRId64, h_given ? "oh" : "ow",
                         h_given ? want_h : want_w);
            return bench_fail(err, err_size,
                        "%s matches neither the floor-mode output %" PRId64 "x%" PRId64
                        " nor the ceil-mode output %" PRId64 "x%" PRId64,
                        given, out[2], out[3], ceil_out[2], ceil_out[3]);
        }
    }
    /* The canonical text writes oh, ow and the pads: they must fit the fields' limit too. */
    if (p->ph > FIELD_MAX || p->pb > FIELD_MAX || p->pw > FIELD_MAX || p->pr > FIELD_MAX)
        return bench_fail(err, err_size,
                    "the padding %" PRId64 "+%" PRId64 "x%" PRId64 "+%" PRId64
                    " is larger than %" PRId64 " (the largest value of a field)",
                    p->ph, p->pb, p->pw, p->pr, FIELD_MAX);
    if (out[2] > FIELD_MAX || out[3] > FIELD_MAX)
        return bench_fail(err, err_size,
                    "the output %" PRId64 "x%" PRId64 " is larger than %" PRId64
                    " (the largest value of a field)",
                    out[2], out[3], FIELD_MAX);
    p->oh = out[2];
    p->ow = out[3];
    return 0;
}

int bench_problem_parse(bench_problem *p, const char *spec, char *err, size_t err_size)
{
    if (!p || !spec)
        return bench_fail(err, err_size, "no problem given");
    raw_spec r;
    memset(&r, 0, sizeof r);
    r.op = BENCH_OP_CONV;
    const char *desc = NULL;
    size_t desc_len = 0, desc_col = 0;

    /* Tokens separated by blanks; quotes keep a name's blanks inside its token. */
    size_t i = 0;
    while (spec[i]) {
        if (is_blank(spec[i])) {
            i++;
            continue;
        }
        const size_t start = i;
        int quoted = 0;
        while (spec[i] && (quoted || !is_blank(spec[i]))) {
            if (spec[i] == '"')
                quoted = !quoted;
            i++;
        }
        const size_t len = i - start;
        if (len >= 2 && spec[start] == '-' && spec[start + 1] == '-') {
            if (parse_knob(&r, spec + start, len, start + 1, err, err_size))
                return -1;
        } else if (desc) {
            return bench_fail(err, err_size, "column %zu: a second descriptor '%.*s' (one per problem)",
                        start + 1, (int)len, spec + start);
        } else {
            desc = spec + start;
            desc_len = len;
            desc_col = start + 1;
        }
    }
    if (!desc)
        return bench_fail(err, err_size, "no descriptor (e.g. mb1ic64ih56oc64kh3ph1)");
    if (parse_descriptor(&r, desc, desc_len, desc_col, err, err_size))
        return -1;

    bench_problem q;
    memset(&q, 0, sizeof q);
    q.op = r.op;
    memcpy(q.name, r.name, sizeof q.name);
    q.has_bias = 1;
    q.activation = CNN_ACTIVATION_RELU;
    if (resolve_alg(&r, &q, err, err_size) || resolve_sizes(&r, &q, err, err_size) ||
        resolve_output(&r, &q, err, err_size))
        return -1;
    *p = q;
    return 0;
}

int bench_problem_set_batch(bench_problem *p, int64_t mb, char *err, size_t err_size)
{
    if (!p || mb < 1 || mb > FIELD_MAX)
        return bench_fail(err, err_size, "the batch size must be between 1 and %" PRId64, FIELD_MAX);
    p->mb = mb;
    return 0;
}

void bench_problem_conv(const bench_problem *p, int64_t input[4], int64_t weights[4],
                        cnn_conv2d_params *params)
{
    input[0] = p->mb; input[1] = p->ic; input[2] = p->ih; input[3] = p->iw;
    weights[0] = p->oc; weights[1] = p->ic / p->g; weights[2] = p->kh; weights[3] = p->kw;
    *params = cnn_conv2d_params_default();
    params->stride_h = p->sh;
    params->stride_w = p->sw;
    params->dilation_h = p->dh + 1;
    params->dilation_w = p->dw + 1;
    params->pad_top = p->ph;
    params->pad_bottom = p->pb;
    params->pad_left = p->pw;
    params->pad_right = p->pr;
    params->groups = p->g;
    params->activation = p->activation;
    params->algo = p->algo;
}

void bench_problem_pool(const bench_problem *p, int64_t input[4], cnn_pool2d_params *params)
{
    input[0] = p->mb; input[1] = p->ic; input[2] = p->ih; input[3] = p->iw;
    *params = cnn_pool2d_params_default();
    params->mode = p->pool_mode;
    params->kernel_h = p->kh;
    params->kernel_w = p->kw;
    params->stride_h = p->sh;
    params->stride_w = p->sw;
    params->pad_h = p->ph;
    params->pad_w = p->pw;
    params->ceil_mode = p->ceil_mode;
    params->count_include_pad = p->count_include_pad;
    params->global = 0;
}

void bench_problem_output_shape(const bench_problem *p, int64_t out[4])
{
    out[0] = p->mb;
    out[1] = p->op == BENCH_OP_POOL ? p->ic : p->oc;
    out[2] = p->oh;
    out[3] = p->ow;
}

const char *bench_pool_alg_string(cnn_pool_mode mode, int count_include_pad)
{
    if (mode == CNN_POOL_MAX)
        return "max";
    return count_include_pad ? "avg_p" : "avg_np";
}

/* snprintf that appends; len counts what the whole text needs. */
typedef struct text {
    char *buf;
    size_t size;
    size_t len;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void append(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = t->len < t->size ? vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap)
                                   : vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static int text_done(text *t)
{
    if (t->size > 0 && t->len >= t->size)
        t->buf[t->size - 1] = '\0';
    else if (t->size > 0 && t->len == 0)
        t->buf[0] = '\0';
    return (int)t->len;
}

int bench_problem_format(const bench_problem *p, char *buf, size_t size)
{
    text t = {buf, size, 0};
    const int conv = p->op == BENCH_OP_CONV;
    if (!conv)
        append(&t, "--pool --alg=%s ", bench_pool_alg_string(p->pool_mode, p->count_include_pad));
    else if (p->algo != CNN_CONV2D_ALGO_AUTO)
        append(&t, "--alg=%s ", cnn_conv2d_algo_string(p->algo));
    append(&t, "mb%" PRId64, p->mb);
    if (conv && p->g != 1)
        append(&t, "g%" PRId64, p->g);
    append(&t, "ic%" PRId64 "ih%" PRId64, p->ic, p->ih);
    if (p->iw != p->ih)
        append(&t, "iw%" PRId64, p->iw);
    if (conv)
        append(&t, "oc%" PRId64, p->oc);
    /* The parser deduces an omitted padding from oh/ow (convolution) or copies the h-padding
     * (pw); print exactly what it needs to come back to the same pads. */
    const int pad_h_sym = p->ph == p->pb, pad_w_sym = p->pw == p->pr;
    /* w-pads equal to the h-pads: neither ow nor pw, so that the parser copies the h-pads again
     * (a printed ow would make it deduce the w-pads from ow instead, which may differ: found by
     * fuzzing) and computes the same ow from them. */
    const int w_pads_copy_h = p->pw == p->ph && p->pr == p->pb;
    const int print_ow = !w_pads_copy_h && (p->ow != p->oh || !pad_w_sym);
    append(&t, "oh%" PRId64, p->oh);
    if (print_ow)
        append(&t, "ow%" PRId64, p->ow);
    append(&t, "kh%" PRId64, p->kh);
    if (p->kw != p->kh)
        append(&t, "kw%" PRId64, p->kw);
    if (p->sh != 1)
        append(&t, "sh%" PRId64, p->sh);
    if (p->sw != p->sh)
        append(&t, "sw%" PRId64, p->sw);
    const int print_ph = pad_h_sym && p->ph != 0;
    if (print_ph)
        append(&t, "ph%" PRId64, p->ph);
    int print_pw;
    if (!conv)
        print_pw = p->pw != p->ph;
    else if (print_ow)
        print_pw = pad_w_sym && p->pw != 0;
    else
        print_pw = p->pw != p->ph || p->pr != p->pb;
    if (print_pw)
        append(&t, "pw%" PRId64, p->pw);
    if (conv && p->dh != 0)
        append(&t, "dh%" PRId64, p->dh);
    if (conv && p->dw != p->dh)
        append(&t, "dw%" PRId64, p->dw);
    if (p->name[0])
        append(&t, "n\"%s\"", p->name);
    return text_done(&t);
}

static void append_pad(text *t, int64_t begin, int64_t end)
{
    if (begin == end)
        append(t, "p%" PRId64, begin);
    else
        append(t, "p%" PRId64 "+%" PRId64, begin, end);
}

int bench_problem_summary(const bench_problem *p, char *buf, size_t size)
{
    text t = {buf, size, 0};
    append(&t, "%" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64 " ", p->mb, p->ic, p->ih, p->iw);
    if (p->op == BENCH_OP_POOL)
        append(&t, "%s", bench_pool_alg_string(p->pool_mode, p->count_include_pad));
    append(&t, "%" PRId64 "x%" PRId64 "/", p->kh, p->kw);
    if (p->sh == p->sw)
        append(&t, "%" PRId64, p->sh);
    else
        append(&t, "%" PRId64 "x%" PRId64, p->sh, p->sw);
    if (p->ph == p->pw && p->pb == p->pr) {
        append_pad(&t, p->ph, p->pb);
    } else {
        append_pad(&t, p->ph, p->pb);
        append(&t, ",");
        append_pad(&t, p->pw, p->pr);
    }
    if (p->op == BENCH_OP_CONV) {
        if (p->dh != 0 || p->dw != 0)
            append(&t, " dil%" PRId64 "x%" PRId64, p->dh + 1, p->dw + 1);
        if (p->g != 1)
            append(&t, " g%" PRId64, p->g);
    } else if (p->ceil_mode) {
        append(&t, " ceil");
    }
    append(&t, " -> ");
    if (p->op == BENCH_OP_CONV)
        append(&t, "%" PRId64 "x", p->oc);
    append(&t, "%" PRId64 "x%" PRId64, p->oh, p->ow);
    return text_done(&t);
}
