/*
 * cnnbench's suite files (bench/suite.h): every file of bench/suites loads, with a title and
 * a source on every line; the network suites add up to their networks' published totals;
 * suite-file errors name FILE:LINE. No device needed.
 *
 *     test_bench_suites SUITE_DIR SCRATCH_DIR
 *
 * SCRATCH_DIR (the build's tests directory) receives the deliberately broken suite files.
 */
#include "suite.h"
#include "test_util.h"

#define MAX_SUITES 64

typedef struct dirs {
    const char *suites;
    const char *scratch;
} dirs;

typedef struct suite_list {
    char name[MAX_SUITES][64];
    char path[MAX_SUITES][BENCH_PATH_MAX];
    size_t count;
} suite_list;

static int collect(const char *name, const char *path, void *user)
{
    suite_list *list = user;
    if (list->count == MAX_SUITES)
        return 1;
    snprintf(list->name[list->count], sizeof list->name[0], "%s", name);
    snprintf(list->path[list->count], sizeof list->path[0], "%s", path);
    list->count++;
    return 0;
}

/* Totals of a suite: entries and counted layers by op, direct-convolution GFLOP with counts,
 * and the facts the network suites check (depthwise layers, 3x3 stride-1 shape, batch). */
typedef struct totals {
    size_t entries, conv_entries, pool_entries;
    int64_t conv_count, pool_count;
    double gflop;           /* sum over conv entries of count * 2*N*K*OH*OW*(C/g)*R*S / 1e9 */
    size_t depthwise_entries; /* groups == input channels == output channels */
    int64_t depthwise_count;
    size_t not_3x3_entries; /* convolutions other than 3x3, stride 1, padding 1 */
    int64_t max_mb;
} totals;

static void add_up(const bench_suite *s, totals *t)
{
    memset(t, 0, sizeof *t);
    t->entries = s->count;
    for (size_t i = 0; i < s->count; i++) {
        const bench_entry *e = &s->entries[i];
        const bench_problem *p = &e->problem;
        if (p->mb > t->max_mb)
            t->max_mb = p->mb;
        if (p->op != BENCH_OP_CONV) {
            t->pool_entries++;
            t->pool_count += e->count;
            continue;
        }
        t->conv_entries++;
        t->conv_count += e->count;
        t->gflop += (double)e->count * 2.0 * (double)p->mb * (double)p->oc * (double)p->oh *
                    (double)p->ow * (double)(p->ic / p->g) * (double)p->kh * (double)p->kw / 1e9;
        if (p->g > 1 && p->g == p->ic && p->g == p->oc) {
            t->depthwise_entries++;
            t->depthwise_count += e->count;
        }
        if (p->kh != 3 || p->kw != 3 || p->ph != 1 || p->sh != 1)
            t->not_3x3_entries++;
    }
}

/* The totals of DIR/name.txt, loaded through the same resolution cnnbench uses. */
static int load_totals(totals *t, const dirs *d, const char *name)
{
    char path[BENCH_PATH_MAX], err[1024] = "";
    bench_suite s;
    bench_suite_init(&s, NULL);
    tu_note("suite %s in %s", name, d->suites);
    CHECK_MSG(bench_suite_resolve(path, sizeof path, d->suites, name, err, sizeof err) == 0,
              "%s\n", err);
    const int rc = bench_suite_load(&s, path, err, sizeof err);
    const int named = rc == 0 && strcmp(s.name, name) == 0 && strcmp(s.path, path) == 0;
    add_up(&s, t);
    bench_suite_free(&s);
    CHECK_MSG(rc == 0, "%s\n", err);
    CHECK(named);
    return 0;
}

static int test_every_suite_loads(const dirs *d)
{
    suite_list *list = tu_track(TU_HOST, calloc(1, sizeof *list));
    char err[1024] = "";
    CHECK(list != NULL);
    CHECK_MSG(bench_suite_foreach(d->suites, collect, list, err, sizeof err) == 0, "%s\n", err);
    static const char *const required[] = {"seed",      "resnet50", "vgg16",
                                           "deepbench", "pooling",  "mobilenet_v2"};
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        int found = 0;
        for (size_t i = 0; i < list->count; i++)
            found |= strcmp(list->name[i], required[r]) == 0;
        CHECK_MSG(found, "suite %s is missing from %s\n", required[r], d->suites);
    }
    for (size_t i = 0; i < list->count; i++) {
        bench_suite s;
        bench_suite_init(&s, NULL);
        tu_note("suite %s", list->path[i]);
        const int rc = bench_suite_load(&s, list->path[i], err, sizeof err);
        if (rc != 0) {
            bench_suite_free(&s);
            CHECK_MSG(rc == 0, "%s\n", err);
        }
        int ok = s.title[0] != '\0' && s.count > 0 && strcmp(s.name, list->name[i]) == 0;
        size_t bad = s.count;
        for (size_t e = 0; e < s.count && bad == s.count; e++)
            if (s.entries[e].source[0] == '\0' || s.entries[e].line <= 0 ||
                s.entries[e].count < 1)
                bad = e;
        const int bad_line = bad < s.count ? s.entries[bad].line : 0;
        const size_t count = s.count;
        char title[BENCH_SOURCE_MAX];
        snprintf(title, sizeof title, "%s", s.title);
        bench_suite_free(&s);
        CHECK_MSG(ok, "title \"%s\", %zu entries\n", title, count);
        CHECK_MSG(bad == count, "line %d has no source (a '# where it comes from' comment)\n",
                  bad_line);
        printf("     %-10s %3zu problems  %s\n", list->name[i], count, title);
    }
    return 0;
}

static int test_resnet50(const dirs *d)
{
    totals t;
    if (load_totals(&t, d, "resnet50"))
        return 1;
    CHECK(t.entries == 25);
    CHECK_MSG(t.conv_entries == 23, "%zu conv entries\n", t.conv_entries);
    CHECK_MSG(t.pool_entries == 2, "%zu pool entries\n", t.pool_entries);
    CHECK_MSG(t.conv_count == 53, "counts add up to %" PRId64 " convolutions\n", t.conv_count);
    CHECK(t.pool_count == 2);
    CHECK_NEAR(t.gflop, 8.17, 0.01);
    return 0;
}

static int test_vgg16(const dirs *d)
{
    totals t;
    if (load_totals(&t, d, "vgg16"))
        return 1;
    CHECK_MSG(t.conv_count == 13, "counts add up to %" PRId64 " convolutions\n", t.conv_count);
    CHECK_NEAR(t.gflop, 30.7, 0.1);
    CHECK(t.pool_count == 5);
    CHECK_MSG(t.not_3x3_entries == 0, "%zu convolutions not 3x3/1p1\n", t.not_3x3_entries);
    return 0;
}

/* torchvision's count: 52 convolutions, 300.77 M multiply-adds with the classifier's 1.28 M,
 * 17 of them depthwise (groups = channels) in 10 shapes. */
static int test_mobilenet_v2(const dirs *d)
{
    totals t;
    if (load_totals(&t, d, "mobilenet_v2"))
        return 1;
    CHECK_MSG(t.conv_entries == 30, "%zu conv entries\n", t.conv_entries);
    CHECK_MSG(t.conv_count == 52, "counts add up to %" PRId64 " convolutions\n", t.conv_count);
    CHECK(t.pool_count == 0);
    CHECK_NEAR(t.gflop, 2.0 * 0.29949, 0.0001);
    CHECK_MSG(t.depthwise_entries == 10 && t.depthwise_count == 17,
              "%zu depthwise entries, %" PRId64 " layers\n", t.depthwise_entries,
              t.depthwise_count);
    return 0;
}

static int test_deepbench(const dirs *d)
{
    totals t;
    if (load_totals(&t, d, "deepbench"))
        return 1;
    CHECK(t.pool_entries == 0);
    /* conv_problems.h's inference_server_set has 107 entries */
    CHECK_MSG(t.conv_count == 107, "counts add up to %" PRId64 "\n", t.conv_count);
    CHECK(t.max_mb >= 2);
    return 0;
}

/* Write text to DIR/name; the path into path. */
static int write_file(char *path, size_t size, const dirs *d, const char *name, const char *text)
{
    snprintf(path, size, "%s/%s", d->scratch, name);
    FILE *f = fopen(path, "w");
    CHECK_MSG(f != NULL, "cannot create %s\n", path);
    const int wrote = fputs(text, f) >= 0;
    CHECK(fclose(f) == 0 && wrote);
    return 0;
}

/* err must start with "path:line:" and mention word. */
static int check_error_at(const char *err, const char *path, int line, const char *word)
{
    char prefix[BENCH_PATH_MAX + 32];
    snprintf(prefix, sizeof prefix, "%s:%d:", path, line);
    CHECK_MSG(strncmp(err, prefix, strlen(prefix)) == 0, "\"%s\" does not start with \"%s\"\n",
              err, prefix);
    CHECK_MSG(strstr(err, word) != NULL, "\"%s\" does not say \"%s\"\n", err, word);
    return 0;
}

static int test_file_errors(const dirs *d)
{
    char path[BENCH_PATH_MAX], err[1024] = "";
    bench_suite s;

    if (write_file(path, sizeof path, d, "bench_suite_bad_field.txt",
                   "# a broken suite\n\nmb1ic3ih5oc2kh3n\"fine\"  # ok\n"
                   "mb1ic3ih5oc2kh3xx1  # an unknown field on line 4\nmb1ic3ih5oc2kh3\n"))
        return 1;
    bench_suite_init(&s, NULL);
    CHECK(bench_suite_load(&s, path, err, sizeof err) == -1);
    const size_t kept = s.count;
    char title[BENCH_SOURCE_MAX];
    snprintf(title, sizeof title, "%s", s.title);
    bench_suite_free(&s);
    if (check_error_at(err, path, 4, "unknown field 'xx'"))
        return 1;
    CHECK(kept == 1); /* the entries before the bad line */
    CHECK(strcmp(title, "a broken suite") == 0);

    if (write_file(path, sizeof path, d, "bench_suite_bad_count.txt",
                   "# counts\nmb1ic3ih5oc2kh3 --count=0  # zero\n"))
        return 1;
    bench_suite_init(&s, NULL);
    CHECK(bench_suite_load(&s, path, err, sizeof err) == -1);
    bench_suite_free(&s);
    if (check_error_at(err, path, 2, "--count"))
        return 1;

    if (write_file(path, sizeof path, d, "bench_suite_bad_oh.txt",
                   "# oh\n\n\n# a comment line\nmb1ic3ih5oc2oh9kh3ph1  # oh does not match\n"))
        return 1;
    bench_suite_init(&s, NULL);
    CHECK(bench_suite_load(&s, path, err, sizeof err) == -1);
    bench_suite_free(&s);
    if (check_error_at(err, path, 5, "oh9"))
        return 1;

    /* a missing file */
    snprintf(path, sizeof path, "%s/bench_suite_does_not_exist.txt", d->scratch);
    bench_suite_init(&s, NULL);
    CHECK(bench_suite_load(&s, path, err, sizeof err) == -1);
    bench_suite_free(&s);
    char prefix[BENCH_PATH_MAX + 8];
    snprintf(prefix, sizeof prefix, "%s:", path);
    CHECK_MSG(strncmp(err, prefix, strlen(prefix)) == 0, "\"%s\"\n", err);
    CHECK_MSG(strstr(err, "cannot open") != NULL, "\"%s\"\n", err);

    /* an unknown suite name lists the suites there */
    CHECK(bench_suite_resolve(path, sizeof path, d->suites, "no_such_suite", err, sizeof err) ==
          -1);
    CHECK_MSG(strstr(err, "no_such_suite") != NULL && strstr(err, "resnet50") != NULL,
              "\"%s\"\n", err);
    return 0;
}

static int test_parse_line(const dirs *d)
{
    (void)d;
    bench_entry e;
    char err[512] = "";
    CHECK(bench_suite_parse_line(&e, "", err, sizeof err) == 0);
    CHECK(bench_suite_parse_line(&e, "   \t", err, sizeof err) == 0);
    CHECK(bench_suite_parse_line(&e, "  # only a comment", err, sizeof err) == 0);
    CHECK_MSG(bench_suite_parse_line(&e, "mb1ic3ih5oc2kh3n\"a#b\" --count=4   # where # from  ",
                                     err, sizeof err) == 1, "%s\n", err);
    CHECK(e.count == 4 && e.count_given == 1);
    CHECK(strcmp(e.problem.name, "a#b") == 0);
    CHECK_MSG(strcmp(e.source, "where # from") == 0, "source \"%s\"\n", e.source);
    CHECK(bench_suite_parse_line(&e, "--pool --alg=avg_np ic8ih7oh1kh7", err, sizeof err) == 1);
    CHECK(e.count == 1 && e.count_given == 0);
    CHECK(e.problem.op == BENCH_OP_POOL);
    CHECK(e.source[0] == '\0');
    CHECK(bench_suite_parse_line(&e, "ic3ih5oc2kh3 --count=2 --count=3", err, sizeof err) == -1);
    CHECK(strstr(err, "twice") != NULL);
    CHECK(bench_suite_parse_line(&e, "ic3ih5oc2kh3 --count=x", err, sizeof err) == -1);
    CHECK(strstr(err, "--count") != NULL);
    return 0;
}

static int run(const char *name, int (*fn)(const dirs *), const dirs *d)
{
    tu_clear_note();
    const int failed = fn(d) != 0;
    tu_release();
    printf("%-4s %s\n", failed ? "FAIL" : "ok", name);
    fflush(stdout);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SUITE_DIR SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    const dirs d = {argv[1], argv[2]};
    int failures = 0;
    failures += run("bench suites: every suite loads", test_every_suite_loads, &d);
    failures += run("bench suites: resnet50 totals", test_resnet50, &d);
    failures += run("bench suites: vgg16 totals", test_vgg16, &d);
    failures += run("bench suites: mobilenet_v2 totals", test_mobilenet_v2, &d);
    failures += run("bench suites: deepbench", test_deepbench, &d);
    failures += run("bench suites: FILE:LINE errors", test_file_errors, &d);
    failures += run("bench suites: line parsing", test_parse_line, &d);
    tu_release_all_memory();
    return failures ? 1 : 0;
}
