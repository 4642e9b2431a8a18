/* Folders for the tests that move cnncl's disk cache (XDG_CACHE_HOME): PoCL's own kernel cache
 * follows XDG_CACHE_HOME and HOME too, so it is pinned where it was first, and moving cnncl's
 * cache does not make PoCL recompile everything; and the temporary trees are removed after.
 * Needs setenv and nftw: define _XOPEN_SOURCE 700 (or _GNU_SOURCE) before any include. */
#ifndef CNNCL_TEST_CACHE_DIRS_H
#define CNNCL_TEST_CACHE_DIRS_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* Call before XDG_CACHE_HOME changes. Returns 0, or -1 when the variable cannot be set. */
static inline int tu_pin_pocl_cache(void)
{
    if (getenv("POCL_CACHE_DIR") != NULL) {
        return 0;
    }
    char pocl[1024];
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (x != NULL && x[0] != '\0') {
        snprintf(pocl, sizeof pocl, "%s/pocl", x);
    } else {
        snprintf(pocl, sizeof pocl, "%s/.cache/pocl", h != NULL ? h : "/tmp");
    }
    return setenv("POCL_CACHE_DIR", pocl, 1);
}

static inline int tu_remove_entry(const char *path, const struct stat *sb, int type,
                                  struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* dir and everything under it, links not followed. */
static inline void tu_remove_tree(const char *dir)
{
    nftw(dir, tu_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* CNNCL_TEST_CACHE_DIRS_H */
