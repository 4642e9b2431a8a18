/* Helpers the libFuzzer targets share: the input as a C string, and the input as a file at a
 * per-process temporary path (reused for every input, removed at exit), for parsers that read
 * files. Header-only: each target is one translation unit. */
#ifndef CNNCL_FUZZ_UTIL_H
#define CNNCL_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* data[0..size) and a NUL, in a malloc'd buffer; NULL when out of memory. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

static char fuzz_tmp_path[256];

static void fuzz_remove_tmp(void)
{
    if (fuzz_tmp_path[0])
        unlink(fuzz_tmp_path);
}

/* Writes data[0..size) to $TMPDIR (or /tmp)/cnncl_fuzz_<tag>_<pid>.txt and returns the path,
 * or NULL when it cannot be written. */
static inline const char *fuzz_write_tmp(const char *tag, const uint8_t *data, size_t size)
{
    if (!fuzz_tmp_path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/cnncl_fuzz_%s_%ld.txt",
                 dir && dir[0] ? dir : "/tmp", tag, (long)getpid());
        atexit(fuzz_remove_tmp);
    }
    FILE *f = fopen(fuzz_tmp_path, "wb");
    if (!f)
        return NULL;
    const int written = size == 0 || fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !written)
        return NULL;
    return fuzz_tmp_path;
}

#endif /* CNNCL_FUZZ_UTIL_H */
