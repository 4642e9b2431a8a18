#define _POSIX_C_SOURCE 200809L
#include "disk_cache.h"

#include "cnn_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The bad-value warning is logged once per process. */
static atomic_int limit_warned;

uint64_t cnn_disk_cache_limit(void)
{
    const uint64_t fallback = (uint64_t)CNN_DISK_CACHE_DEFAULT_MAX_MB << 20;
    const char *e = getenv("CNNCL_CACHE_MAX_MB");
    if (!e || !e[0])
        return fallback;
    char *end = NULL;
    errno = 0;
    const unsigned long long mb = strtoull(e, &end, 10);
    if (errno || *end != '\0' || e[0] == '-' || mb > (UINT64_MAX >> 20)) {
        if (!atomic_exchange(&limit_warned, 1))
            cnn_log(CNN_LOG_WARN,
                    "disk cache: CNNCL_CACHE_MAX_MB=%s is not a whole number of MiB; using %u "
                    "(said once)",
                    e, CNN_DISK_CACHE_DEFAULT_MAX_MB);
        return fallback;
    }
    return (uint64_t)mb << 20;
}

/* Whether name is an entry's: 16 lowercase hexadecimal digits and ".bin" (what
 * cnn_disk_cache_entry_name makes). Other files of the folder (temporary files of a store in
 * progress, cnnbench's peaks.txt) are neither counted nor removed. */
static int is_entry_name(const char *name)
{
    for (int i = 0; i < 16; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    return strcmp(name + 16, ".bin") == 0;
}

typedef struct {
    struct timespec used; /* mtime: set when the entry is written and each time it is loaded */
    uint64_t bytes;
    char name[24];
} trim_entry;

static int least_recent_first(const void *pa, const void *pb)
{
    const trim_entry *a = pa, *b = pb;
    if (a->used.tv_sec != b->used.tv_sec)
        return a->used.tv_sec < b->used.tv_sec ? -1 : 1;
    if (a->used.tv_nsec != b->used.tv_nsec)
        return a->used.tv_nsec < b->used.tv_nsec ? -1 : 1;
    return strcmp(a->name, b->name);
}

int cnn_disk_cache_trim(int dfd, uint64_t limit, const char *keep)
{
    if (limit == 0)
        return 0;
    const int scan_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
    DIR *dir = scan_fd >= 0 ? fdopendir(scan_fd) : NULL;
    if (!dir) {
        if (scan_fd >= 0)
            close(scan_fd);
        return 0;
    }
    trim_entry *entries = NULL;
    size_t count = 0, capacity = 0;
    uint64_t total = 0;
    int ok = 1;
    const struct dirent *de;
    while (ok && (de = readdir(dir)) != NULL) {
        struct stat st;
        if (!is_entry_name(de->d_name) ||
            fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 256;
            trim_entry *grown = realloc(entries, capacity * sizeof *entries);
            if (!grown) {
                ok = 0;
                break;
            }
            entries = grown;
        }
        trim_entry *t = &entries[count++];
        t->used = st.st_mtim;
        t->bytes = (uint64_t)st.st_size;
        memcpy(t->name, de->d_name, 21);
        total += t->bytes;
    }
    closedir(dir);
    int removed = 0;
    if (ok && total > limit) {
        /* Down to three quarters of the limit, so that the next stores do not trim again. */
        const uint64_t target = limit / 4 * 3, before = total;
        qsort(entries, count, sizeof *entries, least_recent_first);
        for (size_t i = 0; i < count && total > target; i++) {
            if (keep && strcmp(entries[i].name, keep) == 0)
                continue;
            if (unlinkat(dfd, entries[i].name, 0) == 0 || errno == ENOENT) {
                total -= entries[i].bytes;
                removed++;
            }
        }
        cnn_log(CNN_LOG_INFO,
                "disk cache: %llu bytes of entries passed the limit of %llu (CNNCL_CACHE_MAX_MB); "
                "removed the %d least recently used, %llu bytes left",
                (unsigned long long)before, (unsigned long long)limit, removed,
                (unsigned long long)total);
    }
    free(entries);
    return removed;
}
