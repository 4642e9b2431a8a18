/* Checks that count failures and carry on, for the standalone tests of cnnfilter's parsers
 * (which do not link the library's test harness, test_util.h): every check of a run is
 * reported, then counting_check_exit() gives the exit code. One translation unit per test. */
#ifndef CNNCL_COUNTING_CHECK_H
#define CNNCL_COUNTING_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            printf("FAILED: %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

/* 0 when every check passed, else 1, with a line saying how it went. */
static inline int counting_check_exit(const char *test)
{
    if (failures != 0) {
        printf("%d check(s) failed\n", failures);
        return 1;
    }
    printf("%s: all checks passed\n", test);
    return 0;
}

#endif /* CNNCL_COUNTING_CHECK_H */
