#define _POSIX_C_SOURCE 200809L
#include "disk_cache.h"

#include "cnn_internal.h"
#include "fault.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The layout is in disk_cache.h. Bump the magic when it changes. */
static const unsigned char cache_magic[8] = {'C', 'N', 'N', 'C', 'L', 'B', 'C', '1'};

/* The folder warning is logged once per process; temporary names are unique per process. */
static atomic_int folder_warned;
static atomic_uint tmp_counter;

int cnn_disk_cache_enabled(void)
{
    const char *e = getenv("CNNCL_CACHE");
    return !(e && (!strcmp(e, "off") || !strcmp(e, "0") || !strcmp(e, "false")));
}

/* ---- the entry format (pure) --------------------------------------------------------------- */

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int cnn_disk_cache_decode(const unsigned char *bytes, size_t size, const char *key,
                          const unsigned char **payload, size_t *payload_size)
{
    if (payload)
        *payload = NULL;
    if (payload_size)
        *payload_size = 0;
    if (!bytes || !key || size < CNN_DISK_CACHE_HEADER_SIZE ||
        memcmp(bytes, cache_magic, sizeof cache_magic) != 0)
        return 0;
    const size_t key_len = strlen(key);
    const uint32_t stored_key_len = get_le32(bytes + 8);
    if (key_len == 0 || key_len > CNN_DISK_CACHE_MAX_KEY || stored_key_len != key_len ||
        key_len > size - CNN_DISK_CACHE_HEADER_SIZE || memcmp(bytes + 12, key, key_len) != 0)
        return 0;
    /* size >= 28 + K here, so the payload length and checksum are inside. */
    const unsigned char *p = bytes + 12 + key_len;
    const uint64_t len = get_le64(p), checksum = get_le64(p + 8);
    const size_t avail = size - CNN_DISK_CACHE_HEADER_SIZE - key_len;
    if (len == 0 || len > CNN_DISK_CACHE_MAX_PAYLOAD || len != (uint64_t)avail)
        return 0;
    const unsigned char *data = p + 16;
    if (cnn_fnv1a64(CNN_FNV_OFFSET, data, avail) != checksum)
        return 0;
    if (payload)
        *payload = data;
    if (payload_size)
        *payload_size = avail;
    return 1;
}

/* The header (magic, lengths, key, checksum: everything but the payload) into out, which holds
 * CNN_DISK_CACHE_HEADER_SIZE + key_len bytes. */
static void encode_header(const char *key, size_t key_len, const unsigned char *payload,
                          size_t payload_size, unsigned char *out)
{
    memcpy(out, cache_magic, sizeof cache_magic);
    put_le32(out + 8, (uint32_t)key_len);
    memcpy(out + 12, key, key_len);
    put_le64(out + 12 + key_len, (uint64_t)payload_size);
    put_le64(out + 20 + key_len, cnn_fnv1a64(CNN_FNV_OFFSET, payload, payload_size));
}

static int encodable(const char *key, size_t key_len, const unsigned char *payload,
                     size_t payload_size)
{
    return key && payload && key_len > 0 && key_len <= CNN_DISK_CACHE_MAX_KEY &&
           payload_size > 0 && payload_size <= CNN_DISK_CACHE_MAX_PAYLOAD;
}

size_t cnn_disk_cache_encode(const char *key, const unsigned char *payload, size_t payload_size,
                             unsigned char *out, size_t out_size)
{
    const size_t key_len = key ? strlen(key) : 0;
    if (!encodable(key, key_len, payload, payload_size))
        return 0;
    const size_t total = CNN_DISK_CACHE_HEADER_SIZE + key_len + payload_size;
    if (out && out_size >= total) {
        encode_header(key, key_len, payload, payload_size, out);
        memcpy(out + CNN_DISK_CACHE_HEADER_SIZE + key_len, payload, payload_size);
    }
    return total;
}

void cnn_disk_cache_entry_name(const char *key, char *dst, size_t size)
{
    const uint64_t h = cnn_fnv1a64(CNN_FNV_OFFSET, key, strlen(key));
    snprintf(dst, size, "%016llx.bin", (unsigned long long)h);
}

/* ---- the folder ---------------------------------------------------------------------------- */

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

/* The cache folder, opened (created owner-only if missing): a descriptor for openat, or -1
 * when there is none or it is not private (then the cache is off: warned once). A symbolic
 * link to a folder is followed, but the folder itself is what is checked. */
static int open_cache_dir(char *dir, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(dir, size, "%s/cnncl", xdg);
    else if (home && home[0] == '/')
        n = snprintf(dir, size, "%s/.cache/cnncl", home);
    else
        return -1;
    if (n < 0 || (size_t)n >= size)
        return -1;
    const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    int fd = open(dir, flags);
    if (fd < 0 && errno == ENOENT && make_dirs(dir))
        fd = open(dir, flags);
    if (fd < 0) {
        cnn_log(CNN_LOG_DEBUG, "disk cache: cannot open the folder %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) != 0)
        why = "cannot stat it";
    else if (st.st_uid != geteuid())
        why = "it is owned by another user";
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        why = "group or others may write it";
    if (why) {
        close(fd);
        if (!atomic_exchange(&folder_warned, 1))
            cnn_log(CNN_LOG_WARN,
                    "disk cache: not using %s: %s; the cache is off while it is so (said "
                    "once; make it the user's own with mode 0700, or remove it)",
                    dir, why);
        return -1;
    }
    return fd;
}

/* ---- load and store ------------------------------------------------------------------------ */

static int read_full(int fd, unsigned char *buf, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t r = read(fd, buf + done, size - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        done += (size_t)r;
    }
    /* Nothing more: the file did not grow since fstat. */
    unsigned char extra;
    ssize_t r;
    do
        r = read(fd, &extra, 1);
    while (r < 0 && errno == EINTR);
    return r == 0;
}

static int write_full(int fd, const unsigned char *buf, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, buf + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        done += (size_t)w;
    }
    return 1;
}

int cnn_disk_cache_load(const char *key, unsigned char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (!key || !cnn_disk_cache_enabled())
        return 0;
    char dir[4096], name[32];
    int dfd = open_cache_dir(dir, sizeof dir);
    if (dfd < 0)
        return 0;
    cnn_disk_cache_entry_name(key, name, sizeof name);
    /* O_NOFOLLOW: a symbolic link is not an entry; O_NONBLOCK: a FIFO does not block the open
     * (it is then refused as not a regular file). */
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int open_errno = errno;
    close(dfd);
    if (fd < 0) {
        if (open_errno == ELOOP)
            cnn_log(CNN_LOG_WARN, "disk cache: ignoring %s/%s (a symbolic link)", dir, name);
        else if (open_errno != ENOENT)
            cnn_log(CNN_LOG_INFO, "disk cache: cannot open %s/%s: %s", dir, name,
                    strerror(open_errno));
        return 0;
    }
    struct stat st;
    /* Someone else's file, or one that others may write, is not trusted. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH))) {
        cnn_log(CNN_LOG_WARN, "disk cache: ignoring %s/%s (not a private regular file)", dir,
                name);
        close(fd);
        return 0;
    }
    const uint64_t max_size = (uint64_t)CNN_DISK_CACHE_HEADER_SIZE + CNN_DISK_CACHE_MAX_KEY +
                              CNN_DISK_CACHE_MAX_PAYLOAD;
    unsigned char *buf = NULL;
    const unsigned char *payload = NULL;
    size_t payload_size = 0;
    int ok = st.st_size >= (off_t)CNN_DISK_CACHE_HEADER_SIZE &&
             (uint64_t)st.st_size <= max_size;
    if (ok) {
        const size_t n = (size_t)st.st_size;
        buf = cnn_malloc(n);
        ok = buf && read_full(fd, buf, n) &&
             cnn_disk_cache_decode(buf, n, key, &payload, &payload_size);
    }
    if (ok)
        futimens(fd, NULL); /* its last use, for the size limit's least-recently-used order */
    close(fd);
    if (!ok) {
        cnn_log(CNN_LOG_INFO, "disk cache: ignoring invalid entry %s/%s", dir, name);
        free(buf);
        return 0;
    }
    memmove(buf, payload, payload_size);
    *data = buf;
    *size = payload_size;
    return 1;
}

int cnn_disk_cache_store(const char *key, const unsigned char *data, size_t size)
{
    const size_t key_len = key ? strlen(key) : 0;
    if (!cnn_disk_cache_enabled() || !encodable(key, key_len, data, size))
        return 0;
    char dir[4096], name[32], tmp[96];
    int dfd = open_cache_dir(dir, sizeof dir);
    if (dfd < 0)
        return 0;
    cnn_disk_cache_entry_name(key, name, sizeof name);
    unsigned char *header = cnn_malloc(CNN_DISK_CACHE_HEADER_SIZE + key_len);
    if (!header) {
        close(dfd);
        return 0;
    }
    encode_header(key, key_len, data, size, header);

    /* A temporary file of our own in the same folder: a unique name, O_CREAT|O_EXCL (never an
     * existing file or link), owner-only. */
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u.%lx", name, (long)getpid(),
                 atomic_fetch_add(&tmp_counter, 1u), (unsigned long)ts.tv_nsec);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    int ok = fd >= 0, err = errno;
    if (ok) {
        /* 0600 whatever the umask; the data, flushed to the disk before the rename (a write
         * error, e.g. a full disk, shows here or at close). */
        ok = fchmod(fd, S_IRUSR | S_IWUSR) == 0 &&
             write_full(fd, header, CNN_DISK_CACHE_HEADER_SIZE + key_len) &&
             write_full(fd, data, size) && fsync(fd) == 0;
        if (!ok)
            err = errno ? errno : EIO;
        if (close(fd) != 0 && ok) {
            ok = 0;
            err = errno;
        }
        /* rename is atomic: readers see the old entry or the new one, never a part of one. */
        if (ok && renameat(dfd, tmp, dfd, name) != 0) {
            ok = 0;
            err = errno;
        }
        if (!ok)
            unlinkat(dfd, tmp, 0);
    }
    if (!ok)
        cnn_log(CNN_LOG_INFO, "disk cache: could not write %s/%s: %s", dir, name, strerror(err));
    else
        cnn_disk_cache_trim(dfd, cnn_disk_cache_limit(), name);
    free(header);
    close(dfd);
    return ok;
}
