/*
 * cnnbench suites: text files of problems, one per line.
 *
 *     # ResNet-50 v1.5, every distinct convolution at batch 1      <- the first comment: title
 *     mb1ic3ih224oc64oh112kh7sh2ph3n"conv1" --count=1  # torchvision resnet.py, conv1
 *     --pool --alg=max mb1ic64ih112oh56kh3sh2ph1n"pool1"  # torchvision resnet.py, maxpool
 *
 * A line is a problem spec (see problem.h), optionally a --count=N knob (how many times the
 * layer occurs in its network; 1 when absent), and a trailing "# comment" that names where the
 * layer comes from (kept as the entry's source). Blank lines and lines that are only a comment
 * are skipped. A '#' inside a quoted name does not start a comment.
 *
 * Suites are found by name in a directory: the --suite-dir option, else the environment
 * variable CNNCL_SUITE_DIR, else the source tree's bench/suites (fixed at build time).
 */
#ifndef CNNBENCH_SUITE_H
#define CNNBENCH_SUITE_H

#include "problem.h"

#include <stddef.h>
#include <stdint.h>

#define BENCH_SOURCE_MAX 256
#define BENCH_PATH_MAX 1024

typedef struct bench_entry {
    bench_problem problem;
    int64_t count;                 /* occurrences in the network; 1 when not given */
    int count_given;
    char source[BENCH_SOURCE_MAX]; /* the line's comment: where the layer comes from */
    int line;                      /* line in its file; 0 for a problem from the command line */
} bench_entry;

typedef struct bench_suite {
    char name[64];                 /* "resnet50" */
    char path[BENCH_PATH_MAX];     /* "" when built from the command line */
    char title[BENCH_SOURCE_MAX];  /* the file's first comment line */
    bench_entry *entries;
    size_t count;
    size_t capacity;
} bench_suite;

/* An empty suite called name. */
void bench_suite_init(bench_suite *suite, const char *name);
/* Free the entries; the suite is empty afterwards. NULL is accepted. */
void bench_suite_free(bench_suite *suite);

/* Append a copy of entry. Returns 0, or -1 when out of memory. */
int bench_suite_add(bench_suite *suite, const bench_entry *entry, char *err, size_t err_size);

/* Parse one line (NUL-terminated, without its newline). Returns 1 with *entry filled, 0 for a
 * blank or comment-only line, -1 with the reason in err ("column C: ..."). */
int bench_suite_parse_line(bench_entry *entry, const char *line, char *err, size_t err_size);

/* Append every problem of the file at path. The suite's name, path and title are set from the
 * file when still empty. Errors read "FILE:LINE: reason". Returns 0 or -1; on -1 the suite
 * keeps the entries before the bad line. */
int bench_suite_load(bench_suite *suite, const char *path, char *err, size_t err_size);

/* The build's default suite directory: the source tree's bench/suites, or where the suites
 * are installed (share/cnncl/suites) when the source tree is not there. */
const char *bench_suite_default_dir(void);
/* The directory to use: option when not NULL, else $CNNCL_SUITE_DIR when set and not empty,
 * else the default. */
const char *bench_suite_dir(const char *option);

/* The file for a suite: name itself when it contains '/' or ends in ".txt" (a path), else
 * DIR/name.txt. Returns 0, or -1 when the file cannot be read (the message lists the suites
 * of dir). */
int bench_suite_resolve(char *path, size_t path_size, const char *dir, const char *name,
                        char *err, size_t err_size);

/* Call fn for every suite of dir (files *.txt), in name order, with its name ("resnet50") and
 * path; stop early when fn returns non-zero. Returns 0, or -1 when the directory cannot be
 * read or memory runs out. */
int bench_suite_foreach(const char *dir, int (*fn)(const char *name, const char *path,
                                                   void *user),
                        void *user, char *err, size_t err_size);

#endif /* CNNBENCH_SUITE_H */
