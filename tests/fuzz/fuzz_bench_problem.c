/* libFuzzer target: cnnbench's problem descriptors (bench/problem.h).
 *
 * The input is one spec (NUL-terminated copy; bytes after an embedded NUL are ignored). When
 * bench_problem_parse() accepts it, the problem must:
 *   - format (bench_problem_format) into a text of the length the formatter says, which
 *     parses back into the same problem (every field compared);
 *   - agree with the library: cnn_conv2d_output_shape / cnn_pool2d_output_shape accept the
 *     problem's shapes and give bench_problem_output_shape();
 *   - accept bench_problem_set_batch() within 1..2^31-1 and refuse 0;
 *   - give a summary of the length bench_problem_summary() says.
 * A failure of any of these is a bug: abort() with both texts on stderr.
 * Error messages must be NUL-terminated and non-empty. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_util.h"
#include "problem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *spec, const char *again)
{
    fprintf(stderr, "fuzz_bench_problem: %s\n  spec:      '%s'\n  formatted: '%s'\n", what,
            spec, again ? again : "");
    abort();
}

/* Every field of two parsed problems; NULL when equal, else the first field that differs. */
static const char *problem_diff(const bench_problem *a, const bench_problem *b)
{
#define SAME(f) \
    if (a->f != b->f) \
        return #f;
    SAME(op) SAME(mb) SAME(g) SAME(ic) SAME(ih) SAME(iw) SAME(oc) SAME(oh) SAME(ow) SAME(kh)
    SAME(kw) SAME(sh) SAME(sw) SAME(ph) SAME(pw) SAME(dh) SAME(dw) SAME(pb) SAME(pr)
    SAME(algo) SAME(has_bias) SAME(activation) SAME(pool_mode) SAME(count_include_pad)
    SAME(ceil_mode)
#undef SAME
    if (strcmp(a->name, b->name) != 0)
        return "name";
    return NULL;
}

static void check_library_shape(const bench_problem *p, const char *spec)
{
    int64_t in[4], out[4], want[4];
    cnn_status s;
    if (p->op == BENCH_OP_CONV) {
        int64_t wt[4];
        cnn_conv2d_params cp;
        bench_problem_conv(p, in, wt, &cp);
        s = cnn_conv2d_output_shape(out, in, wt, &cp);
    } else {
        cnn_pool2d_params pp;
        bench_problem_pool(p, in, &pp);
        s = cnn_pool2d_output_shape(out, in, &pp);
    }
    if (s != CNN_SUCCESS)
        fail("the library rejects a parsed problem's shape", spec, cnn_status_string(s));
    bench_problem_output_shape(p, want);
    if (memcmp(out, want, sizeof out) != 0)
        fail("bench_problem_output_shape differs from the library's output shape", spec, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *spec = fuzz_cstring(data, size);
    if (!spec)
        return 0;

    bench_problem p, q;
    char err[256];
    err[0] = 'X';
    if (bench_problem_parse(&p, spec, err, sizeof err) != 0) {
        if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
            fail("a rejection without a message", spec, NULL);
        /* Without an error buffer too. */
        if (bench_problem_parse(&q, spec, NULL, 0) == 0)
            fail("accepted without an error buffer, rejected with one", spec, NULL);
        free(spec);
        return 0;
    }

    /* The canonical text, measured first, then written. */
    const int need = bench_problem_format(&p, NULL, 0);
    if (need <= 0)
        fail("bench_problem_format gives no text", spec, NULL);
    char *text = malloc((size_t)need + 1);
    if (!text)
        abort();
    memset(text, 'Z', (size_t)need + 1);
    const int wrote = bench_problem_format(&p, text, (size_t)need + 1);
    if (wrote != need || strlen(text) != (size_t)need)
        fail("bench_problem_format's length differs from what it wrote", spec, text);
    /* A truncated buffer is still NUL-terminated. */
    char small[8];
    (void)bench_problem_format(&p, small, sizeof small);
    if (memchr(small, '\0', sizeof small) == NULL)
        fail("bench_problem_format leaves a short buffer unterminated", spec, text);

    if (bench_problem_parse(&q, text, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_bench_problem: reparse error: %s\n", err);
        fail("the canonical text does not parse", spec, text);
    }
    const char *diff = problem_diff(&p, &q);
    if (diff) {
        fprintf(stderr, "fuzz_bench_problem: field '%s' differs after the round trip\n", diff);
        fail("the canonical text parses to another problem", spec, text);
    }
    /* The canonical text is a fixed point of format(parse(...)). */
    char *again = malloc((size_t)need + 1);
    if (!again)
        abort();
    if (bench_problem_format(&q, again, (size_t)need + 1) != need || strcmp(again, text) != 0)
        fail("formatting the reparsed problem gives another text", text, again);
    free(again);

    check_library_shape(&p, spec);

    char summary[512];
    const int slen = bench_problem_summary(&p, summary, sizeof summary);
    if (slen <= 0 || (slen < (int)sizeof summary && strlen(summary) != (size_t)slen))
        fail("bench_problem_summary's length differs from what it wrote", spec, summary);

    q = p;
    if (bench_problem_set_batch(&q, 0, err, sizeof err) == 0 || q.mb != p.mb)
        fail("bench_problem_set_batch accepts 0", spec, text);
    const int64_t mb = (int64_t)(1 + (size % 7));
    if (bench_problem_set_batch(&q, mb, err, sizeof err) != 0 || q.mb != mb)
        fail("bench_problem_set_batch refuses a small batch", spec, text);

    free(text);
    free(spec);
    return 0;
}
