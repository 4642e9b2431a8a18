#define _POSIX_C_SOURCE 200809L
#include "disk_cache.h"

#include "cnn_internal.h"
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entry layout: magic, key length (u32), key, payload length (u64), payload checksum (u64),
 * payload. Bump the magic when the layout changes. */
static const char cache_magic[8] = {'C', 'N', 'N', 'C', 'L', 'B', 'C', '1'};
#define CACHE_MAX_PAYLOAD (512u * 1024u * 1024u)

int cnn_disk_cache_enabled(void)
{
    const char *e = getenv("CNNCL_CACHE");
    return !(e && (!strcmp(e, "off") || !strcmp(e, "0") || !strcmp(e, "false")));
}

/* mkdir -p with owner-only permissions for the folders it makes. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return 0;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

/* The cache folder, created if needed; 0 when there is none. */
static int cache_dir(char *dst, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(dst, size, "%s/cnncl", xdg);
    else if (home && home[0] == '/')
        n = snprintf(dst, size, "%s/.cache/cnncl", home);
    else
        return 0;
    if (n < 0 || (size_t)n >= size)
        return 0;
    return make_dirs(dst);
}

static int entry_path(const char *key, char *dst, size_t size)
{
    char dir[4096];
    if (!cache_dir(dir, sizeof dir))
        return 0;
    uint64_t h = cnn_fnv1a64(CNN_FNV_OFFSET, key, strlen(key));
    int n = snprintf(dst, size, "%s/%016llx.bin", dir, (unsigned long long)h);
    return n > 0 && (size_t)n < size;
}

int cnn_disk_cache_load(const char *key, unsigned char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    char path[4200];
    if (!cnn_disk_cache_enabled() || !entry_path(key, path, sizeof path))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    struct stat st;
    /* Someone else's file, or one that others may write, is not trusted. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH))) {
        cnn_log(CNN_LOG_WARN, "disk cache: ignoring %s (not a private regular file)", path);
        fclose(f);
        return 0;
    }
    char magic[8];
    uint32_t key_len = 0;
    uint64_t payload_len = 0, checksum = 0;
    unsigned char *payload = NULL;
    char *stored_key = NULL;
    int ok = fread(magic, 1, 8, f) == 8 && !memcmp(magic, cache_magic, 8) &&
             fread(&key_len, sizeof key_len, 1, f) == 1 && key_len == strlen(key);
    if (ok) {
        stored_key = malloc(key_len + 1u);
        ok = stored_key && fread(stored_key, 1, key_len, f) == key_len &&
             !memcmp(stored_key, key, key_len);
    }
    ok = ok && fread(&payload_len, sizeof payload_len, 1, f) == 1 && payload_len > 0 &&
         payload_len <= CACHE_MAX_PAYLOAD && fread(&checksum, sizeof checksum, 1, f) == 1;
    if (ok) {
        payload = malloc((size_t)payload_len);
        ok = payload && fread(payload, 1, (size_t)payload_len, f) == payload_len &&
             fgetc(f) == EOF &&
             cnn_fnv1a64(CNN_FNV_OFFSET, payload, (size_t)payload_len) == checksum;
    }
    fclose(f);
    free(stored_key);
    if (!ok) {
        cnn_log(CNN_LOG_INFO, "disk cache: ignoring invalid entry %s", path);
        free(payload);
        return 0;
    }
    *data = payload;
    *size = (size_t)payload_len;
    return 1;
}

int cnn_disk_cache_store(const char *key, const unsigned char *data, size_t size)
{
    char path[4200], tmp[4300];
    if (!cnn_disk_cache_enabled() || size == 0 || size > CACHE_MAX_PAYLOAD ||
        !entry_path(key, path, sizeof path))
        return 0;
    /* mkstemp: a unique name, created owner-only, so concurrent writers never collide. */
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        remove(tmp);
        return 0;
    }
    uint32_t key_len = (uint32_t)strlen(key);
    uint64_t payload_len = size;
    uint64_t checksum = cnn_fnv1a64(CNN_FNV_OFFSET, data, size);
    int ok = fwrite(cache_magic, 1, 8, f) == 8 && fwrite(&key_len, sizeof key_len, 1, f) == 1 &&
             fwrite(key, 1, key_len, f) == key_len &&
             fwrite(&payload_len, sizeof payload_len, 1, f) == 1 &&
             fwrite(&checksum, sizeof checksum, 1, f) == 1 && fwrite(data, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok) {
        remove(tmp);
        cnn_log(CNN_LOG_INFO, "disk cache: could not write %s", path);
    }
    return ok;
}
