/* Suite files: reading, line parsing, finding suites in a directory. */
#include "suite.h"
#include "fail.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef CNNBENCH_SUITE_DIR
#define CNNBENCH_SUITE_DIR "bench/suites"
#endif
/* Where an installed cnnbench finds its suites when the source tree is not there. */
#ifndef CNNBENCH_INSTALLED_SUITE_DIR
#define CNNBENCH_INSTALLED_SUITE_DIR "/usr/local/share/cnncl/suites"
#endif

#define LINE_MAX_CHARS 4096


static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Copy s[0, len) without surrounding blanks into dst (truncated to size). */
static void copy_trimmed(char *dst, size_t size, const char *s, size_t len)
{
    while (len > 0 && is_blank(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

void bench_suite_init(bench_suite *suite, const char *name)
{
    memset(suite, 0, sizeof *suite);
    if (name)
        snprintf(suite->name, sizeof suite->name, "%s", name);
}

void bench_suite_free(bench_suite *suite)
{
    if (!suite)
        return;
    free(suite->entries);
    suite->entries = NULL;
    suite->count = suite->capacity = 0;
}

int bench_suite_add(bench_suite *suite, const bench_entry *entry, char *err, size_t err_size)
{
    if (suite->count == suite->capacity) {
        const size_t cap = suite->capacity ? suite->capacity * 2 : 32;
        if (cap > SIZE_MAX / sizeof *suite->entries)
            return bench_fail(err, err_size, "out of memory for the suite's entries");
        bench_entry *grown = realloc(suite->entries, cap * sizeof *grown);
        if (!grown)
            return bench_fail(err, err_size, "out of memory for the suite's entries");
        suite->entries = grown;
        suite->capacity = cap;
    }
    suite->entries[suite->count++] = *entry;
    return 0;
}

int bench_suite_parse_line(bench_entry *entry, const char *line, char *err, size_t err_size)
{
    const size_t len = strlen(line);
    if (len >= LINE_MAX_CHARS)
        return bench_fail(err, err_size, "the line is longer than %d characters", LINE_MAX_CHARS - 1);
    char spec[LINE_MAX_CHARS];
    memcpy(spec, line, len + 1);

    /* The comment starts at the first '#' outside quotes. */
    int quoted = 0;
    size_t hash = len;
    for (size_t i = 0; i < len; i++) {
        if (spec[i] == '"')
            quoted = !quoted;
        else if (spec[i] == '#' && !quoted) {
            hash = i;
            break;
        }
    }
    bench_entry e;
    memset(&e, 0, sizeof e);
    e.count = 1;
    if (hash < len)
        copy_trimmed(e.source, sizeof e.source, spec + hash + 1, len - hash - 1);
    spec[hash] = '\0';

    /* --count=N is the suite's knob: blank it out (columns stay right) and parse the rest. */
    int any = 0;
    size_t i = 0;
    while (spec[i]) {
        if (is_blank(spec[i])) {
            i++;
            continue;
        }
        any = 1;
        const size_t start = i;
        quoted = 0;
        while (spec[i] && (quoted || !is_blank(spec[i]))) {
            if (spec[i] == '"')
                quoted = !quoted;
            i++;
        }
        if (i - start > 8 && memcmp(spec + start, "--count=", 8) == 0) {
            if (e.count_given)
                return bench_fail(err, err_size, "column %zu: --count is given twice", start + 1);
            int64_t v = 0;
            size_t j = start + 8;
            for (; j < i && spec[j] >= '0' && spec[j] <= '9' && v <= INT64_C(1000000000); j++)
                v = v * 10 + (spec[j] - '0');
            if (j != i || v < 1 || v > INT64_C(1000000000))
                return bench_fail(err, err_size,
                            "column %zu: --count needs a whole number from 1 to 1000000000",
                            start + 1);
            e.count = v;
            e.count_given = 1;
            memset(spec + start, ' ', i - start);
        }
    }
    if (!any)
        return 0;
    if (bench_problem_parse(&e.problem, spec, err, err_size))
        return -1;
    *entry = e;
    return 1;
}

/* "dir/resnet50.txt" -> "resnet50" */
static void name_from_path(char *name, size_t size, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".txt") == 0)
        len -= 4;
    copy_trimmed(name, size, base, len);
}

int bench_suite_load(bench_suite *suite, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return bench_fail(err, err_size, "%s: cannot open: %s", path, strerror(errno));
    if (!suite->name[0])
        name_from_path(suite->name, sizeof suite->name, path);
    if (!suite->path[0])
        snprintf(suite->path, sizeof suite->path, "%s", path);
    const int want_title = !suite->title[0];

    char line[LINE_MAX_CHARS + 1];
    char reason[512];
    int lineno = 0, status = 0, in_header = 1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            status = bench_fail(err, err_size, "%s:%d: the line is longer than %d characters", path,
                          lineno, LINE_MAX_CHARS - 1);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';

        const char *p = line;
        while (is_blank(*p))
            p++;
        if (*p == '#' && in_header && want_title && !suite->title[0]) {
            copy_trimmed(suite->title, sizeof suite->title, p + 1, strlen(p + 1));
            continue;
        }
        bench_entry e;
        const int got = bench_suite_parse_line(&e, line, reason, sizeof reason);
        if (got < 0) {
            status = bench_fail(err, err_size, "%s:%d: %s", path, lineno, reason);
            break;
        }
        if (got == 0)
            continue;
        in_header = 0;
        e.line = lineno;
        if (bench_suite_add(suite, &e, err, err_size)) {
            status = -1;
            break;
        }
    }
    if (status == 0 && ferror(f))
        status = bench_fail(err, err_size, "%s: read error", path);
    fclose(f);
    return status;
}

const char *bench_suite_default_dir(void)
{
    struct stat st;
    if (stat(CNNBENCH_SUITE_DIR, &st) != 0 && stat(CNNBENCH_INSTALLED_SUITE_DIR, &st) == 0)
        return CNNBENCH_INSTALLED_SUITE_DIR;
    return CNNBENCH_SUITE_DIR;
}

const char *bench_suite_dir(const char *option)
{
    if (option)
        return option;
    const char *env = getenv("CNNCL_SUITE_DIR");
    if (env && env[0])
        return env;
    return bench_suite_default_dir();
}

static int ends_with_txt(const char *s)
{
    const size_t len = strlen(s);
    return len > 4 && strcmp(s + len - 4, ".txt") == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int bench_suite_foreach(const char *dir, int (*fn)(const char *name, const char *path,
                                                   void *user),
                        void *user, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    if (!d)
        return bench_fail(err, err_size, "cannot read the suite directory %s: %s", dir,
                    strerror(errno));
    char **names = NULL;
    size_t count = 0, cap = 0;
    int status = 0;
    const struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !ends_with_txt(de->d_name))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) {
                status = bench_fail(err, err_size, "out of memory listing %s", dir);
                break;
            }
            names = grown;
        }
        const size_t len = strlen(de->d_name);
        names[count] = malloc(len + 1);
        if (!names[count]) {
            status = bench_fail(err, err_size, "out of memory listing %s", dir);
            break;
        }
        memcpy(names[count], de->d_name, len + 1);
        count++;
    }
    closedir(d);
    if (status == 0) {
        qsort(names, count, sizeof *names, compare_names);
        for (size_t i = 0; i < count; i++) {
            char path[BENCH_PATH_MAX], name[64];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            name_from_path(name, sizeof name, names[i]);
            if (fn(name, path, user))
                break;
        }
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return status;
}

/* Collects "a, b, c" for the not-found message. */
typedef struct name_list {
    char text[512];
} name_list;

static int collect_name(const char *name, const char *path, void *user)
{
    (void)path;
    name_list *list = user;
    const size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s%s", used ? ", " : "", name);
    return 0;
}

int bench_suite_resolve(char *path, size_t path_size, const char *dir, const char *name,
                        char *err, size_t err_size)
{
    if (!name || !name[0])
        return bench_fail(err, err_size, "no suite name given");
    int n;
    if (strchr(name, '/') || ends_with_txt(name))
        n = snprintf(path, path_size, "%s", name);
    else
        n = snprintf(path, path_size, "%s/%s.txt", dir, name);
    if (n < 0 || (size_t)n >= path_size)
        return bench_fail(err, err_size, "the suite path for '%s' is too long", name);
    FILE *f = fopen(path, "r");
    if (f) {
        fclose(f);
        return 0;
    }
    const int saved = errno;
    if (strchr(name, '/') || ends_with_txt(name))
        return bench_fail(err, err_size, "cannot open the suite file %s: %s", path, strerror(saved));
    name_list list;
    list.text[0] = '\0';
    char ignored[256];
    if (bench_suite_foreach(dir, collect_name, &list, ignored, sizeof ignored))
        return bench_fail(err, err_size, "no suite '%s': cannot read the suite directory %s (%s); "
                    "set --suite-dir or CNNCL_SUITE_DIR",
                    name, dir, strerror(saved));
    return bench_fail(err, err_size, "no suite '%s' in %s (suites there: %s)", name, dir,
                list.text[0] ? list.text : "none");
}
