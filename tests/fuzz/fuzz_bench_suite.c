/* libFuzzer target: cnnbench's suite files (bench/suite.h).
 *
 * The input is a suite file. Each line (split at '\n', trailing '\r' removed, as the loader
 * does) goes to bench_suite_parse_line(): 1 gives an entry with 1 <= count <= 10^9, a
 * NUL-terminated source and a problem that formats and parses back to itself; 0 is a blank or
 * comment line; -1 comes with a non-empty message. Then the whole input is written to a
 * per-process temporary file (reused) and read with bench_suite_load(), which must agree with
 * the lines: it succeeds exactly when no line is refused, with one entry per problem line, in
 * order, carrying its line number (checked where the file has no NUL byte and no line of 4000
 * characters or more, where fgets and the line parser legitimately differ). abort() otherwise. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_util.h"
#include "suite.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *line)
{
    fprintf(stderr, "fuzz_bench_suite: %s\n  line: '%.300s'\n", what, line ? line : "");
    abort();
}

static int same_problem(const bench_problem *a, const bench_problem *b)
{
    return a->op == b->op && a->mb == b->mb && a->g == b->g && a->ic == b->ic &&
           a->ih == b->ih && a->iw == b->iw && a->oc == b->oc && a->oh == b->oh &&
           a->ow == b->ow && a->kh == b->kh && a->kw == b->kw && a->sh == b->sh &&
           a->sw == b->sw && a->ph == b->ph && a->pw == b->pw && a->dh == b->dh &&
           a->dw == b->dw && a->pb == b->pb && a->pr == b->pr && a->algo == b->algo &&
           a->has_bias == b->has_bias && a->activation == b->activation &&
           a->pool_mode == b->pool_mode && a->count_include_pad == b->count_include_pad &&
           a->ceil_mode == b->ceil_mode && strcmp(a->name, b->name) == 0;
}

static void check_entry(const bench_entry *e, const char *line, int round_trip)
{
    if (e->count < 1 || e->count > 1000000000)
        fail("an entry's count is out of 1..10^9", line);
    if (memchr(e->source, '\0', sizeof e->source) == NULL)
        fail("an entry's source is not NUL-terminated", line);
    if (!round_trip)
        return;
    char text[1024];
    const int n = bench_problem_format(&e->problem, text, sizeof text);
    if (n <= 0 || n >= (int)sizeof text)
        fail("an entry's problem does not format", line);
    bench_problem q;
    char err[256];
    if (bench_problem_parse(&q, text, err, sizeof err) != 0 || !same_problem(&q, &e->problem)) {
        fprintf(stderr, "fuzz_bench_suite: canonical text '%s'\n", text);
        fail("an entry's problem does not survive format + parse", line);
    }
}

typedef struct expectation {
    int refused;      /* some line is refused */
    size_t problems;  /* problem lines before the first refused one */
    int lines[64];    /* line numbers of the first problems */
} expectation;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (!text)
        return 0;
    int comparable = memchr(data, '\0', size) == NULL;

    expectation ex;
    memset(&ex, 0, sizeof ex);
    int lineno = 0;
    for (char *line = text; line != NULL;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!nl && !*line)
            break; /* nothing after the last newline */
        lineno++;
        size_t len = strlen(line);
        if (len >= 4000)
            comparable = 0;
        while (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        bench_entry e;
        char err[512];
        memset(err, 'X', sizeof err);
        const int got = bench_suite_parse_line(&e, line, err, sizeof err);
        if (got == 1) {
            check_entry(&e, line, 1);
            if (!ex.refused) {
                if (ex.problems < sizeof ex.lines / sizeof ex.lines[0])
                    ex.lines[ex.problems] = lineno;
                ex.problems++;
            }
        } else if (got == -1) {
            if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
                fail("a refused line without a message", line);
            ex.refused = 1;
        } else if (got != 0) {
            fail("bench_suite_parse_line returns neither 1, 0 nor -1", line);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);

    /* The same bytes as a file. */
    const char *tmp_path = fuzz_write_tmp("suite", data, size);
    if (!tmp_path)
        return 0;
    bench_suite suite;
    bench_suite_init(&suite, NULL);
    char err[2048];
    memset(err, 'X', sizeof err);
    const int rc = bench_suite_load(&suite, tmp_path, err, sizeof err);
    if (rc != 0 && (memchr(err, '\0', sizeof err) == NULL || strncmp(err, tmp_path,
                                                                     strlen(tmp_path)) != 0))
        fail("bench_suite_load fails without a message naming the file", NULL);
    if (suite.count > suite.capacity || (suite.count > 0 && suite.entries == NULL))
        fail("bench_suite_load leaves an inconsistent suite", NULL);
    for (size_t i = 0; i < suite.count; i++) {
        check_entry(&suite.entries[i], "(from the file)", 0); /* its line was checked whole */
        if (i > 0 && suite.entries[i].line <= suite.entries[i - 1].line)
            fail("the suite's line numbers do not increase", NULL);
    }
    if (comparable) {
        if ((rc != 0) != ex.refused) {
            fprintf(stderr, "fuzz_bench_suite: load %s (%s), the line parser %s a line\n",
                    rc ? "fails" : "succeeds", rc ? err : "", ex.refused ? "refuses" : "refuses no");
            fail("bench_suite_load and bench_suite_parse_line disagree", NULL);
        }
        if (suite.count != ex.problems)
            fail("bench_suite_load keeps another number of entries than the lines give", NULL);
        for (size_t i = 0; i < suite.count && i < sizeof ex.lines / sizeof ex.lines[0]; i++)
            if (suite.entries[i].line != ex.lines[i])
                fail("an entry carries the wrong line number", NULL);
    }
    bench_suite_free(&suite);
    bench_suite_free(&suite);
    return 0;
}
