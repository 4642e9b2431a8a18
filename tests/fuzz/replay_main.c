/* A main() for the fuzz targets without libFuzzer: runs LLVMFuzzerTestOneInput() once on every
 * file under the paths given (directories recursively, in name order, hidden entries skipped)
 * and says how many ran. This is how CTest replays the corpora and saved crashes with any
 * compiler (tests/fuzz/CMakeLists.txt: fuzz_replay_<target>).
 *
 * Usage: fuzz_replay_<target> [--optional] PATH...
 *   A missing PATH is an error, unless it follows --optional (crash folders that may not
 *   exist). LLVMFuzzerInitialize runs first when the target defines it. A target that needs a
 *   device it does not find may exit 77 (CTest: skipped).
 * Exit status: 0 when every input ran (a violation aborts the process), 1 on a usage or I/O
 * error, or when no input was found at all. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional, as with libFuzzer: a target that defines it sets itself up once before the inputs. */
#if defined(__GNUC__)
__attribute__((weak))
#endif
int LLVMFuzzerInitialize(int *argc, char ***argv);

static long files_run;
static unsigned long long bytes_run;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 4096, size = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            fprintf(stderr, "replay: %s: out of memory\n", path);
            return 1;
        }
        size += fread(buf + size, 1, cap - size, f);
        if (size < cap)
            break;
        cap *= 2;
        uint8_t *grown = realloc(buf, cap);
        if (!grown)
            free(buf);
        buf = grown;
    }
    const int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "replay: %s: read error\n", path);
        return 1;
    }
    /* An exact-size copy, so that ASan sees a read past the input's end. */
    uint8_t *input = malloc(size ? size : 1);
    if (!input) {
        free(buf);
        return 1;
    }
    memcpy(input, buf, size);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    (void)LLVMFuzzerTestOneInput(input, size);
    free(input);
    files_run++;
    bytes_run += size;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) ? run_file(path) : 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ., .., and hidden files such as .gitkeep */
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                rc = 1;
                break;
            }
            names = grown;
        }
        const size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[count] = malloc(len);
        if (!names[count]) {
            rc = 1;
            break;
        }
        snprintf(names[count], len, "%s/%s", path, e->d_name);
        count++;
    }
    closedir(d);
    if (count > 1)
        qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        if (rc == 0)
            rc = run_path(names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int optional = 0, rc = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s [--optional] PATH...\n", argv[0]);
        return 1;
    }
    if (LLVMFuzzerInitialize)
        (void)LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--optional") == 0) {
            optional = 1;
            continue;
        }
        struct stat st;
        if (optional && stat(argv[i], &st) != 0) {
            printf("replay: %s: not there (optional)\n", argv[i]);
            continue;
        }
        rc = run_path(argv[i]);
    }
    if (rc != 0)
        return 1;
    printf("replay: %ld input%s, %llu bytes, ran without a finding\n", files_run,
           files_run == 1 ? "" : "s", bytes_run);
    if (files_run == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return 0;
}
