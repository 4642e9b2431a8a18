/* The disk cache is not an attack surface (host/disk_cache.h). Labels: lifecycle, opencl.
 *
 * Without a device (never skipped):
 *   - the entry format: round trip, every truncation, every single-byte change, a trailing
 *     byte, the wrong key, the limits;
 *   - store and load through a private XDG_CACHE_HOME: folder 0700, entry 0600, no temporary
 *     file left; garbage, truncated, wrong-key, foreign-device, bad-checksum, symbolic-link,
 *     group/other-writable, FIFO, folder-shaped and (as root) foreign-owned entries are
 *     ignored and stored over; a folder writable by group/others or (as root) owned by another
 *     user turns the cache off with one warning;
 *   - two processes storing and loading the same key at once: every load is one whole entry.
 *   - the size limit (CNNCL_CACHE_MAX_MB): past it, the least recently used entries go (a load
 *     is a use), files that are not entries stay; 0 means no limit, a bad value the default;
 * On every OpenCL device (exit 77 without one, after the above), through the library, each
 * round in a child process so that no program survives in memory: a cold round fills the
 * cache; then every entry is corrupted in one way per round (the same kinds as above) and a
 * new process must rebuild every program from source (none is loaded from the disk, every
 * entry is reported ignored), get the right results, and leave every entry rewritten valid;
 * a folder writable by others (or foreign-owned) is not touched at all; a warm round loads
 * every program from the disk; two processes filling the same empty cache at once both get
 * the right results and leave every entry valid.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv, nftw, fork, symlink, mkfifo */

#include "cache_dirs.h"
#include "test_util.h"

#include "disk_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ENTRIES 256
#define MAX_DEVICES 16 /* device names read from a round's list */
#define FOREIGN_DEVICE "Foreign Device 9000 (not this one)"

/* ---- files -------------------------------------------------------------------------------- */

/* The whole file (malloc'ed; NULL when it cannot be read). */
static unsigned char *read_file(const char *path, size_t *size)
{
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = (unsigned char *)malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        unsigned char *grown = (unsigned char *)realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
        }
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    *size = n;
    return buf;
}

/* Replace path by a new file holding data, with the given mode (whatever the umask). */
static int write_file(const char *path, const void *data, size_t size, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        return 0;
    }
    int ok = write(fd, data, size) == (ssize_t)size;
    ok = close(fd) == 0 && ok;
    return ok && chmod(path, mode) == 0;
}

static void remove_tree(const char *dir)
{
    chmod(dir, 0700); /* a test may have taken the owner's rights away */
    tu_remove_tree(dir);
}

/* The key stored in an entry (the layout of disk_cache.h), malloc'ed, or NULL. */
static char *stored_key(const unsigned char *bytes, size_t size)
{
    if (size < CNN_DISK_CACHE_HEADER_SIZE) {
        return NULL;
    }
    size_t len = (size_t)bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 |
                 (size_t)bytes[11] << 24;
    if (len > size - CNN_DISK_CACHE_HEADER_SIZE) {
        return NULL;
    }
    char *key = (char *)malloc(len + 1);
    if (key != NULL) {
        memcpy(key, bytes + 12, len);
        key[len] = '\0';
    }
    return key;
}

/* The entry of payload under key (malloc'ed), or NULL. */
static unsigned char *encode(const char *key, const void *payload, size_t payload_size,
                             size_t *size)
{
    *size = cnn_disk_cache_encode(key, (const unsigned char *)payload, payload_size, NULL, 0);
    unsigned char *bytes = *size > 0 ? (unsigned char *)malloc(*size) : NULL;
    if (bytes != NULL &&
        cnn_disk_cache_encode(key, (const unsigned char *)payload, payload_size, bytes, *size) !=
            *size) {
        free(bytes);
        bytes = NULL;
    }
    return bytes;
}

/* key with its first occurrence of from replaced by to (malloc'ed); key + "|" + to when from
 * does not occur. */
static char *replace_once(const char *key, const char *from, const char *to)
{
    const char *at = from[0] != '\0' ? strstr(key, from) : NULL;
    size_t n = strlen(key) + strlen(to) + 2;
    char *out = (char *)malloc(n);
    if (out == NULL) {
        return NULL;
    }
    if (at == NULL) {
        snprintf(out, n, "%s|%s", key, to);
    } else {
        snprintf(out, n, "%.*s%s%s", (int)(at - key), key, to, at + strlen(from));
    }
    return out;
}

/* Files in dir: every one a valid entry named after its own key, and nothing else (no
 * temporary file, link or folder). Returns the number of entries, or -1 (with a message). */
static int64_t check_folder_consistent(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "    cannot open %s\n", dir);
        return -1;
    }
    int64_t count = 0;
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        size_t size = 0;
        unsigned char *bytes = NULL;
        char *key = NULL;
        char name[32] = "";
        const unsigned char *payload = NULL;
        size_t payload_size = 0;
        int ok = lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
                 (st.st_mode & 0777) == 0600;
        ok = ok && (bytes = read_file(path, &size)) != NULL && (key = stored_key(bytes, size));
        if (ok) {
            cnn_disk_cache_entry_name(key, name, sizeof name);
            ok = !strcmp(name, e->d_name) &&
                 cnn_disk_cache_decode(bytes, size, key, &payload, &payload_size) == 1 &&
                 payload == bytes + CNN_DISK_CACHE_HEADER_SIZE + strlen(key) &&
                 payload_size == size - CNN_DISK_CACHE_HEADER_SIZE - strlen(key);
        }
        if (!ok) {
            fprintf(stderr, "    %s: not a valid private entry named after its key\n", path);
            bad++;
        }
        count++;
        free(bytes);
        free(key);
    }
    closedir(d);
    return bad == 0 ? count : -1;
}

/* ---- the entry format ----------------------------------------------------------------------- */

static int test_format(cnn_context *unused)
{
    (void)unused;
    static const char key[] = "cnncl 0.1.0|conv.cl|0123456789abcdef|-DTILE=4|Device|Vendor|1.0";
    unsigned char payload[300];
    for (size_t i = 0; i < sizeof payload; i++) {
        payload[i] = (unsigned char)(i * 7 + 3);
    }
    size_t size = 0;
    unsigned char *bytes = (unsigned char *)tu_track(TU_HOST, encode(key, payload, sizeof payload,
                                                                     &size));
    CHECK(bytes != NULL);
    CHECK(size == CNN_DISK_CACHE_HEADER_SIZE + strlen(key) + sizeof payload);
    CHECK(!memcmp(bytes, "CNNCLBC1", 8));

    const unsigned char *p = NULL;
    size_t n = 0;
    CHECK(cnn_disk_cache_decode(bytes, size, key, &p, &n) == 1);
    CHECK(n == sizeof payload && p == bytes + size - sizeof payload);
    CHECK(!memcmp(p, payload, n));
    CHECK(cnn_disk_cache_decode(bytes, size, key, NULL, NULL) == 1);

    /* Every truncation, every single-byte change: never valid, and the outputs are cleared. */
    for (size_t cut = 0; cut < size; cut++) {
        p = bytes;
        n = 1;
        CHECK_MSG(cnn_disk_cache_decode(bytes, cut, key, &p, &n) == 0, "truncated to %zu", cut);
        CHECK(p == NULL && n == 0);
    }
    for (size_t i = 0; i < size; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            bytes[i] ^= (unsigned char)(1u << bit);
            CHECK_MSG(cnn_disk_cache_decode(bytes, size, key, &p, &n) == 0,
                      "byte %zu bit %d changed", i, bit);
            bytes[i] ^= (unsigned char)(1u << bit);
        }
    }
    CHECK(cnn_disk_cache_decode(bytes, size, key, &p, &n) == 1);

    /* A byte more, other keys (longer, shorter, same length), no key, no bytes. */
    unsigned char *longer = (unsigned char *)tu_track(TU_HOST, malloc(size + 1));
    CHECK(longer != NULL);
    memcpy(longer, bytes, size);
    longer[size] = 0;
    CHECK(cnn_disk_cache_decode(longer, size + 1, key, &p, &n) == 0);
    char other[sizeof key + 1];
    snprintf(other, sizeof other, "%sX", key);
    CHECK(cnn_disk_cache_decode(bytes, size, other, &p, &n) == 0);
    other[sizeof key - 2] = '\0';
    CHECK(cnn_disk_cache_decode(bytes, size, other, &p, &n) == 0);
    memcpy(other, key, sizeof key);
    other[3] ^= 1;
    CHECK(cnn_disk_cache_decode(bytes, size, other, &p, &n) == 0);
    CHECK(cnn_disk_cache_decode(bytes, size, "", &p, &n) == 0);
    CHECK(cnn_disk_cache_decode(bytes, size, NULL, &p, &n) == 0);
    CHECK(cnn_disk_cache_decode(NULL, size, key, &p, &n) == 0);

    /* The encoder: no empty key or payload; a short buffer is not written. */
    CHECK(cnn_disk_cache_encode("", payload, 1, NULL, 0) == 0);
    CHECK(cnn_disk_cache_encode(NULL, payload, 1, NULL, 0) == 0);
    CHECK(cnn_disk_cache_encode(key, payload, 0, NULL, 0) == 0);
    CHECK(cnn_disk_cache_encode(key, NULL, 1, NULL, 0) == 0);
    unsigned char small[64];
    memset(small, 0xa5, sizeof small);
    CHECK(cnn_disk_cache_encode("k", payload, 100, small, sizeof small) ==
          CNN_DISK_CACHE_HEADER_SIZE + 1 + 100);
    for (size_t i = 0; i < sizeof small; i++) {
        CHECK(small[i] == 0xa5);
    }

    /* A payload length that wraps, or over the limit, with a matching size: refused. */
    unsigned char hdr[CNN_DISK_CACHE_HEADER_SIZE + 1 + 1];
    CHECK(cnn_disk_cache_encode("k", payload, 1, hdr, sizeof hdr) == sizeof hdr);
    CHECK(cnn_disk_cache_decode(hdr, sizeof hdr, "k", &p, &n) == 1 && n == 1);
    memset(hdr + 13, 0xff, 8);
    CHECK(cnn_disk_cache_decode(hdr, sizeof hdr, "k", &p, &n) == 0);
    memset(hdr + 8, 0xff, 4);
    CHECK(cnn_disk_cache_decode(hdr, sizeof hdr, "k", &p, &n) == 0);

    /* The file name: 16 hex digits of the key's hash. */
    char name[32];
    cnn_disk_cache_entry_name(key, name, sizeof name);
    CHECK(strlen(name) == 20 && !strcmp(name + 16, ".bin"));
    return 0;
}

/* ---- store and load, without a device ------------------------------------------------------- */

static char g_base[64]; /* the test's temporary folder */

/* The path of key's entry in the cache folder dir. */
static void entry_path(const char *dir, const char *key, char *path, size_t size)
{
    char name[32];
    cnn_disk_cache_entry_name(key, name, sizeof name);
    snprintf(path, size, "%s/%s", dir, name);
}

/* Point XDG_CACHE_HOME at <base>/<sub> (created) and its cache folder into dir. */
static int use_xdg(const char *sub, char *dir, size_t size)
{
    char xdg[200];
    snprintf(xdg, sizeof xdg, "%s/%s", g_base, sub);
    if (mkdir(xdg, 0700) != 0 && errno != EEXIST) {
        return 0;
    }
    snprintf(dir, size, "%s/cnncl", xdg);
    return setenv("XDG_CACHE_HOME", xdg, 1) == 0 && unsetenv("CNNCL_CACHE") == 0;
}

/* Log counters of this process: all levels, by message text. */
static int n_loaded, n_ignored, n_not_using, n_logged;

static void count_log(cnn_log_level level, const char *message, void *user_data)
{
    (void)user_data;
    n_logged++;
    if (strstr(message, "loaded from the disk cache") != NULL) {
        n_loaded++;
    }
    if (strstr(message, "disk cache: ignoring") != NULL) {
        n_ignored++;
    }
    if (strstr(message, "disk cache: not using") != NULL) {
        n_not_using++;
    }
    if (level >= CNN_LOG_WARN && getenv("CNNCL_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "    [log] %s\n", message);
    }
}

static void count_log_begin(void)
{
    n_loaded = n_ignored = n_not_using = n_logged = 0;
    cnn_log_set_level(CNN_LOG_DEBUG);
    cnn_log_set_callback(count_log, NULL);
}

static void count_log_end(void)
{
    cnn_log_set_callback(NULL, NULL);
    cnn_log_set_level(CNN_LOG_WARN);
}

static int test_store_load(cnn_context *unused)
{
    (void)unused;
    char dir[256], path[320];
    CHECK(use_xdg("store", dir, sizeof dir));
    mode_t old_umask = umask(022);
    static const char key[] = "store-load key";
    static const unsigned char a[] = "payload A", b[] = "a longer payload B";
    int stored = cnn_disk_cache_store(key, a, sizeof a);
    umask(old_umask);
    CHECK(stored == 1);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_MSG((st.st_mode & 0777) == 0700, "folder mode %o", (unsigned)(st.st_mode & 0777));
    entry_path(dir, key, path, sizeof path);
    CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
    CHECK_MSG((st.st_mode & 0777) == 0600, "entry mode %o", (unsigned)(st.st_mode & 0777));

    unsigned char *data = NULL;
    size_t size = 0;
    CHECK(cnn_disk_cache_load(key, &data, &size) == 1);
    tu_track(TU_HOST, data);
    CHECK(size == sizeof a && !memcmp(data, a, size));
    CHECK(cnn_disk_cache_load("another key", &data, &size) == 0 && data == NULL && size == 0);

    /* Stored over: the new payload; still one file (no temporary left). */
    CHECK(cnn_disk_cache_store(key, b, sizeof b) == 1);
    CHECK(cnn_disk_cache_load(key, &data, &size) == 1);
    tu_track(TU_HOST, data);
    CHECK(size == sizeof b && !memcmp(data, b, size));
    CHECK(check_folder_consistent(dir) == 1);

    /* Nothing stored for an empty payload; nothing read or written with CNNCL_CACHE=off. */
    CHECK(cnn_disk_cache_store("empty", b, 0) == 0);
    CHECK(setenv("CNNCL_CACHE", "off", 1) == 0);
    CHECK(cnn_disk_cache_load(key, &data, &size) == 0);
    CHECK(cnn_disk_cache_store("off key", a, sizeof a) == 0);
    CHECK(unsetenv("CNNCL_CACHE") == 0);
    CHECK(check_folder_consistent(dir) == 1);
    return 0;
}

/* Whether the entry of key is in dir. */
static int has_entry(const char *dir, const char *key)
{
    char path[320];
    entry_path(dir, key, path, sizeof path);
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Set the last use (mtime) of the entry of key to t seconds after the epoch. */
static int set_used(const char *dir, const char *key, time_t t)
{
    char path[320];
    entry_path(dir, key, path, sizeof path);
    const struct timespec times[2] = {{t, 0}, {t, 0}};
    return utimensat(AT_FDCWD, path, times, 0) == 0;
}

/* The size limit: with CNNCL_CACHE_MAX_MB=1, six entries of 200 kB (1.2 MB) leave the three
 * used last (three quarters of the limit is 786432 bytes), a load counting as a use, and any
 * file that is not an entry; with 0 nothing is removed; a bad value means the default. */
static int test_size_limit(cnn_context *unused)
{
    (void)unused;
    char dir[256], path[320];
    CHECK(use_xdg("limit", dir, sizeof dir));
    static const char *const keys[] = {"limit a", "limit b", "limit c",
                                       "limit d", "limit e", "limit f"};
    enum { PAYLOAD = 200000 };
    unsigned char *payload = (unsigned char *)calloc(PAYLOAD, 1);
    CHECK(payload != NULL);
    tu_track(TU_HOST, payload);
    CHECK(setenv("CNNCL_CACHE_MAX_MB", "1", 1) == 0);
    for (int i = 0; i < 5; i++) {
        payload[0] = (unsigned char)i;
        CHECK(cnn_disk_cache_store(keys[i], payload, PAYLOAD) == 1);
        CHECK(set_used(dir, keys[i], 1000000 + i)); /* a before b before c ... */
    }
    unsigned char *data = NULL;
    size_t size = 0;
    CHECK(cnn_disk_cache_load(keys[1], &data, &size) == 1); /* b: used now */
    tu_track(TU_HOST, data);
    CHECK(size == PAYLOAD && data[0] == 1);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    CHECK(write_file(path, payload, PAYLOAD, 0600)); /* not an entry: never removed */
    for (int i = 0; i < 5; i++)
        CHECK_MSG(has_entry(dir, keys[i]), "%s removed below the limit", keys[i]);

    CHECK(cnn_disk_cache_store(keys[5], payload, PAYLOAD) == 1);
    static const int kept[] = {0, 1, 0, 0, 1, 1};
    for (int i = 0; i < 6; i++)
        CHECK_MSG(has_entry(dir, keys[i]) == kept[i], "%s %s", keys[i],
                  kept[i] ? "was removed" : "was kept");
    CHECK(cnn_disk_cache_load(keys[4], &data, &size) == 1);
    tu_track(TU_HOST, data);
    CHECK(access(path, F_OK) == 0);

    /* No limit: all six entries stay. */
    CHECK(setenv("CNNCL_CACHE_MAX_MB", "0", 1) == 0);
    for (int i = 0; i < 6; i++)
        if (!kept[i])
            CHECK(cnn_disk_cache_store(keys[i], payload, PAYLOAD) == 1);
    for (int i = 0; i < 6; i++)
        CHECK_MSG(has_entry(dir, keys[i]), "%s removed without a limit", keys[i]);

    /* Not a number: the default limit (256 MiB), nothing removed. */
    CHECK(setenv("CNNCL_CACHE_MAX_MB", "lots", 1) == 0);
    CHECK(cnn_disk_cache_limit() == (uint64_t)CNN_DISK_CACHE_DEFAULT_MAX_MB << 20);
    CHECK(cnn_disk_cache_store(keys[0], payload, PAYLOAD) == 1);
    for (int i = 0; i < 6; i++)
        CHECK(has_entry(dir, keys[i]));
    CHECK(unsetenv("CNNCL_CACHE_MAX_MB") == 0);
    CHECK(unlink(path) == 0);
    CHECK(check_folder_consistent(dir) == 6);
    return 0;
}

/* The ways an entry is spoiled; each must be ignored by load and replaced by store. */
enum spoil {
    SPOIL_GARBAGE,
    SPOIL_TRUNCATED,
    SPOIL_WRONG_KEY,
    SPOIL_FOREIGN_DEVICE,
    SPOIL_CHECKSUM,
    SPOIL_SYMLINK,
    SPOIL_OTHERS_WRITABLE,
    SPOIL_GROUP_WRITABLE,
    SPOIL_FOREIGN_OWNER, /* root only */
    SPOIL_COUNT
};

static const char *const spoil_names[SPOIL_COUNT] = {
    "garbage",        "truncated",      "wrong key",           "foreign device", "bad checksum",
    "symbolic link",  "writable by others (0666)", "writable by group (0620)",
    "owned by another user (uid 1)"};

typedef struct entry {
    char path[600];
    char *key;
    unsigned char *bytes;
    size_t size;
} entry;

/* Spoil e (a valid entry) in one way; other is another valid entry (the one used for the
 * wrong key, and whose payload the foreign-device entry carries); device is a text of e's key
 * that names the device; side is a folder outside the cache for link targets. i varies the
 * truncation. 1 when done, 0 when not possible here (not root), -1 on error. */
static int spoil_entry(const entry *e, const entry *other, const char *device, const char *side,
                       int kind, int i)
{
    size_t size = 0;
    unsigned char *bytes = NULL;
    int ok = 0;
    switch (kind) {
    case SPOIL_GARBAGE: {
        bytes = (unsigned char *)malloc(e->size);
        uint64_t z = UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)(i + 1);
        for (size_t k = 0; bytes != NULL && k < e->size; k++) {
            z ^= z << 13;
            z ^= z >> 7;
            z ^= z << 17;
            bytes[k] = (unsigned char)z;
        }
        if (bytes != NULL && i % 2 == 0) {
            memcpy(bytes, "CNNCLBC1", 8); /* the magic, garbage after it */
        }
        ok = bytes != NULL && write_file(e->path, bytes, e->size, 0600);
        break;
    }
    case SPOIL_TRUNCATED: {
        const size_t cuts[3] = {e->size / 2, e->size - 1, 12};
        ok = write_file(e->path, e->bytes, cuts[i % 3], 0600);
        break;
    }
    case SPOIL_WRONG_KEY:
        ok = write_file(e->path, other->bytes, other->size, 0600);
        break;
    case SPOIL_FOREIGN_DEVICE: {
        /* This key with another device: a valid entry, but not for this device (its payload
         * is another program's, so that running it would show). */
        char *key = replace_once(e->key, device, FOREIGN_DEVICE);
        const size_t klen = strlen(other->key);
        bytes = key != NULL ? encode(key, other->bytes + CNN_DISK_CACHE_HEADER_SIZE + klen,
                                     other->size - CNN_DISK_CACHE_HEADER_SIZE - klen, &size)
                            : NULL;
        ok = bytes != NULL && cnn_disk_cache_decode(bytes, size, key, NULL, NULL) == 1 &&
             cnn_disk_cache_decode(bytes, size, e->key, NULL, NULL) == 0 &&
             write_file(e->path, bytes, size, 0600);
        free(key);
        break;
    }
    case SPOIL_CHECKSUM:
        bytes = (unsigned char *)malloc(e->size);
        if (bytes != NULL) {
            memcpy(bytes, e->bytes, e->size);
            bytes[e->size - 1 - (e->size - CNN_DISK_CACHE_HEADER_SIZE - strlen(e->key)) / 2] ^=
                0x10;
            ok = write_file(e->path, bytes, e->size, 0600);
        }
        break;
    case SPOIL_SYMLINK: {
        /* A link to a valid entry for this very key, outside the cache: still not followed. */
        char target[512];
        snprintf(target, sizeof target, "%s/%s", side, strrchr(e->path, '/') + 1);
        ok = write_file(target, e->bytes, e->size, 0600) && unlink(e->path) == 0 &&
             symlink(target, e->path) == 0;
        break;
    }
    case SPOIL_OTHERS_WRITABLE:
        ok = write_file(e->path, e->bytes, e->size, 0666);
        break;
    case SPOIL_GROUP_WRITABLE:
        ok = write_file(e->path, e->bytes, e->size, 0620);
        break;
    case SPOIL_FOREIGN_OWNER:
        if (geteuid() != 0) {
            return 0;
        }
        ok = write_file(e->path, e->bytes, e->size, 0600) && chown(e->path, 1, 1) == 0;
        break;
    default:
        break;
    }
    free(bytes);
    return ok ? 1 : -1;
}

/* After a spoiled entry was replaced: a valid private entry again, and a symbolic link's target
 * untouched. */
static int check_restored(const entry *e, const char *side, int kind)
{
    struct stat st;
    CHECK_MSG(lstat(e->path, &st) == 0 && S_ISREG(st.st_mode), "%s: not a regular file",
              e->path);
    CHECK_MSG(st.st_uid == geteuid() && (st.st_mode & 0777) == 0600, "%s: owner %u mode %o",
              e->path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
    size_t size = 0;
    unsigned char *bytes = (unsigned char *)tu_track(TU_HOST, read_file(e->path, &size));
    CHECK(bytes != NULL);
    CHECK_MSG(cnn_disk_cache_decode(bytes, size, e->key, NULL, NULL) == 1,
              "%s: not a valid entry for its key", e->path);
    if (kind == SPOIL_SYMLINK) {
        char target[512];
        snprintf(target, sizeof target, "%s/%s", side, strrchr(e->path, '/') + 1);
        bytes = (unsigned char *)tu_track(TU_HOST, read_file(target, &size));
        CHECK_MSG(bytes != NULL && size == e->size && !memcmp(bytes, e->bytes, size),
                  "the link's target %s was written through", target);
        CHECK(unlink(target) == 0);
    }
    return 0;
}

static int test_spoiled_entries(cnn_context *unused)
{
    (void)unused;
    char dir[256], side[256];
    CHECK(use_xdg("spoiled", dir, sizeof dir));
    snprintf(side, sizeof side, "%s/side", g_base);
    CHECK(mkdir(side, 0700) == 0);
    static const char *const keys[2] = {"cnncl test|prog-a|ThisDevice|1.0",
                                        "cnncl test|prog-b|ThisDevice|1.0"};
    static const unsigned char payloads[2][24] = {"the payload of program a",
                                                  "the payload of program b"};
    entry es[2];
    memset(es, 0, sizeof es);
    for (int k = 0; k < 2; k++) {
        CHECK(cnn_disk_cache_store(keys[k], payloads[k], sizeof payloads[k]) == 1);
        entry_path(dir, keys[k], es[k].path, sizeof es[k].path);
        es[k].key = (char *)keys[k];
        es[k].bytes = (unsigned char *)tu_track(TU_HOST, read_file(es[k].path, &es[k].size));
        CHECK(es[k].bytes != NULL);
    }
    int spoiled_loads = 0;
    count_log_begin(); /* every spoiled load is reported once (and not printed) */
    for (int kind = 0; kind < SPOIL_COUNT; kind++) {
        for (int variant = 0; variant < 3; variant++) {
            tu_note("entry spoiled: %s (variant %d)", spoil_names[kind], variant);
            int done = spoil_entry(&es[0], &es[1], "ThisDevice", side, kind, variant);
            CHECK(done >= 0);
            if (done == 0) {
                printf("     skipped (not root): %s\n", spoil_names[kind]);
                break;
            }
            unsigned char *data = NULL;
            size_t size = 0;
            CHECK(cnn_disk_cache_load(keys[0], &data, &size) == 0 && data == NULL);
            spoiled_loads++;
            CHECK(cnn_disk_cache_store(keys[0], payloads[0], sizeof payloads[0]) == 1);
            CHECK(check_restored(&es[0], side, kind) == 0);
            CHECK(cnn_disk_cache_load(keys[0], &data, &size) == 1);
            tu_track(TU_HOST, data);
            CHECK(size == sizeof payloads[0] && !memcmp(data, payloads[0], size));
            if (kind >= SPOIL_SYMLINK) {
                break; /* no variants */
            }
        }
    }
    /* Not files: a FIFO (must not block) and a folder at the entry's name. */
    tu_note("entry spoiled: FIFO, folder");
    unsigned char *data = NULL;
    size_t size = 0;
    CHECK(unlink(es[0].path) == 0 && mkfifo(es[0].path, 0600) == 0);
    CHECK(cnn_disk_cache_load(keys[0], &data, &size) == 0);
    CHECK(cnn_disk_cache_store(keys[0], payloads[0], sizeof payloads[0]) == 1);
    CHECK(check_restored(&es[0], side, SPOIL_GARBAGE) == 0);
    CHECK(unlink(es[0].path) == 0 && mkdir(es[0].path, 0700) == 0);
    CHECK(cnn_disk_cache_load(keys[0], &data, &size) == 0);
    CHECK(cnn_disk_cache_store(keys[0], payloads[0], sizeof payloads[0]) == 0);
    CHECK(rmdir(es[0].path) == 0);
    spoiled_loads += 2;
    CHECK(cnn_disk_cache_store(keys[0], payloads[0], sizeof payloads[0]) == 1);
    CHECK(check_folder_consistent(dir) == 2);
    count_log_end();
    CHECK_MSG(n_ignored == spoiled_loads, "%d spoiled loads, %d reported", spoiled_loads,
              n_ignored);
    return 0;
}

/* A cache folder that is not private: nothing read or written, one warning. Run in a child
 * process (the warning is once per process). */
static int bad_folder_child(const char *dir, const char *key, const unsigned char *payload,
                            size_t size)
{
    count_log_begin();
    unsigned char *data = NULL;
    size_t got = 0;
    int loads = 0, stores = 0;
    for (int i = 0; i < 3; i++) {
        loads += cnn_disk_cache_load(key, &data, &got);
        free(data);
        stores += cnn_disk_cache_store(key, payload, size);
        stores += cnn_disk_cache_store("a new key", payload, size);
    }
    count_log_end();
    CHECK_MSG(loads == 0 && stores == 0, "%d loads, %d stores in %s", loads, stores, dir);
    CHECK_MSG(n_not_using == 1, "%d warnings for %s", n_not_using, dir);
    return 0;
}

static int run_bad_folder_child(const char *dir, const char *key, const unsigned char *payload,
                                size_t size)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        return 1;
    }
    if (pid == 0) {
        int rc = bad_folder_child(dir, key, payload, size);
        tu_release_all_memory();
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int test_bad_folder(cnn_context *unused)
{
    (void)unused;
    char dir[256], path[320];
    CHECK(use_xdg("folder", dir, sizeof dir));
    static const char key[] = "folder key";
    static const unsigned char payload[] = "folder payload";
    CHECK(cnn_disk_cache_store(key, payload, sizeof payload) == 1);
    entry_path(dir, key, path, sizeof path);
    struct stat before, after;
    CHECK(stat(path, &before) == 0);

    static const mode_t modes[3] = {0777, 0770, 0702};
    for (int m = 0; m < 3; m++) {
        tu_note("cache folder mode %o", (unsigned)modes[m]);
        CHECK(chmod(dir, modes[m]) == 0);
        CHECK_MSG(run_bad_folder_child(dir, key, payload, sizeof payload) == 0,
                  "folder mode %o", (unsigned)modes[m]);
        CHECK(chmod(dir, 0700) == 0);
    }
    if (geteuid() == 0) {
        tu_note("cache folder owned by uid 1");
        CHECK(chown(dir, 1, 1) == 0);
        CHECK(run_bad_folder_child(dir, key, payload, sizeof payload) == 0);
        CHECK(chown(dir, 0, 0) == 0);
    } else {
        printf("     skipped (not root): a cache folder owned by another user\n");
    }
    /* The folder was not touched. */
    CHECK(stat(path, &after) == 0);
    CHECK(after.st_ino == before.st_ino && after.st_size == before.st_size);
    CHECK(check_folder_consistent(dir) == 1);

    /* A symbolic link to a private folder is fine; to a folder others may write, not. */
    tu_note("cache folder behind a symbolic link");
    char link_xdg[256], real[256], link[320];
    snprintf(link_xdg, sizeof link_xdg, "%s/linked", g_base);
    snprintf(real, sizeof real, "%s/linked-real", g_base);
    snprintf(link, sizeof link, "%s/cnncl", link_xdg);
    CHECK(mkdir(link_xdg, 0700) == 0 && mkdir(real, 0700) == 0 && symlink(real, link) == 0);
    CHECK(setenv("XDG_CACHE_HOME", link_xdg, 1) == 0);
    CHECK(cnn_disk_cache_store(key, payload, sizeof payload) == 1);
    CHECK(check_folder_consistent(real) == 1);
    CHECK(chmod(real, 0777) == 0);
    CHECK(run_bad_folder_child(link, key, payload, sizeof payload) == 0);
    CHECK(chmod(real, 0700) == 0);
    return 0;
}

/* Two processes (and a reader) storing and loading one key at once: a load finds nothing or
 * one whole entry of either writer, never a mixture or a part; at the end, one valid file. */
#define RACE_ROUNDS 300

static size_t race_payload(int who, int round, unsigned char *buf)
{
    const size_t size = 64 + (size_t)((round * 7919 + who * 104729) % 20000);
    buf[0] = (unsigned char)who;
    buf[1] = (unsigned char)(size & 0xff);
    buf[2] = (unsigned char)(size >> 8);
    for (size_t i = 3; i < size; i++) {
        buf[i] = (unsigned char)(i * (size_t)(who + 3) + size);
    }
    return size;
}

static int race_valid(const unsigned char *data, size_t size)
{
    if (size < 64 || data[0] > 1 || (size_t)(data[1] | data[2] << 8) != size) {
        return 0;
    }
    for (size_t i = 3; i < size; i++) {
        if (data[i] != (unsigned char)(i * (size_t)(data[0] + 3) + size)) {
            return 0;
        }
    }
    return 1;
}

static int race_child(int who, int start_fd)
{
    char go;
    if (read(start_fd, &go, 1) < 0) {
        return 1;
    }
    unsigned char *buf = (unsigned char *)malloc(64 + 20000);
    int bad = 0, found = 0;
    /* The reader (who 2) goes on until it has seen as many entries as a writer stores. */
    for (int r = 0; buf != NULL && (who < 2 ? r < RACE_ROUNDS
                                            : found < RACE_ROUNDS && r < 1000 * RACE_ROUNDS);
         r++) {
        if (who < 2 && !cnn_disk_cache_store("race key", buf, race_payload(who, r, buf))) {
            bad++;
        }
        unsigned char *data = NULL;
        size_t size = 0;
        if (cnn_disk_cache_load("race key", &data, &size)) {
            found++;
            bad += !race_valid(data, size);
        } else if (who < 2) {
            bad++; /* this process stored just now: some whole entry must be there */
        }
        free(data);
    }
    free(buf);
    if (bad != 0) {
        fprintf(stderr, "    racer %d: %d bad loads or stores, %d found\n", who, bad, found);
    }
    return bad == 0 && buf != NULL ? 0 : 1;
}

static int test_concurrent_store(cnn_context *unused)
{
    (void)unused;
    char dir[256];
    CHECK(use_xdg("race", dir, sizeof dir));
    int start[2];
    CHECK(pipe(start) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pids[3];
    for (int who = 0; who < 3; who++) {
        pids[who] = fork();
        CHECK(pids[who] >= 0);
        if (pids[who] == 0) {
            close(start[1]);
            int rc = race_child(who, start[0]);
            _exit(rc);
        }
    }
    close(start[0]);
    close(start[1]); /* go */
    int failed = 0;
    for (int who = 0; who < 3; who++) {
        int status = 0;
        if (waitpid(pids[who], &status, 0) != pids[who] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            failed++;
        }
    }
    CHECK_MSG(failed == 0, "%d of 3 racing processes failed", failed);
    CHECK(check_folder_consistent(dir) == 1);
    unsigned char *data = NULL;
    size_t size = 0;
    CHECK(cnn_disk_cache_load("race key", &data, &size) == 1);
    tu_track(TU_HOST, data);
    CHECK(race_valid(data, size));
    return 0;
}

/* ---- through the library, on every OpenCL device --------------------------------------------- */

/* A larger convolution (N 1, C 3 -> K 4, 11x9, 3x3, stride 2, pads 1/0/1/2, bias, ReLU)
 * against a plain loop: another program (or several) in the cache. */
static int workload_strided(cnn_context *ctx)
{
    enum { C = 3, H = 11, W = 9, K = 4, R = 3, S = 3 };
    const int64_t xs[4] = {1, C, H, W}, ws[4] = {K, C, R, S};
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.stride_h = p.stride_w = 2;
    p.pad_top = 1;
    p.pad_left = 1;
    p.pad_right = 2;
    p.activation = CNN_ACTIVATION_RELU;
    int64_t ys[4];
    CHECK_OK(cnn_conv2d_output_shape(ys, xs, ws, &p));
    const int64_t oh = ys[2], ow = ys[3], ny = K * oh * ow;
    float *x = tu_floats(C * H * W), *w = tu_floats(K * C * R * S), *b = tu_floats(K);
    float *want = tu_floats(ny);
    CHECK(x != NULL && w != NULL && b != NULL && want != NULL);
    tu_rng rng = tu_rng_make(42);
    tu_fill_uniform(&rng, x, C * H * W, -1, 1);
    tu_fill_uniform(&rng, w, K * C * R * S, -1, 1);
    tu_fill_uniform(&rng, b, K, -0.5f, 0.5f);
    for (int64_t k = 0; k < K; k++) {
        for (int64_t i = 0; i < oh; i++) {
            for (int64_t j = 0; j < ow; j++) {
                double acc = b[k];
                for (int64_t c = 0; c < C; c++) {
                    for (int64_t r = 0; r < R; r++) {
                        for (int64_t q = 0; q < S; q++) {
                            int64_t y = i * 2 - 1 + r, xx = j * 2 - 1 + q;
                            if (y >= 0 && y < H && xx >= 0 && xx < W) {
                                acc += (double)x[(c * H + y) * W + xx] *
                                       w[((k * C + c) * R + r) * S + q];
                            }
                        }
                    }
                }
                want[(k * oh + i) * ow + j] = acc > 0 ? (float)acc : 0.0f;
            }
        }
    }
    cnn_tensor *tx, *tw, *tb, *ty;
    CHECK(tu_conv_tensors(ctx, xs, x, ws, w, b, ys, &tx, &tw, &tb, &ty) == 0);
    CHECK_OK(cnn_conv2d(ctx, ty, tx, tw, tb, &p));
    float *got = tu_read(ty);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want, ny, ys, 1e-5, 1e-5);
    return 0;
}

/* On one context: conv (three variants), pool and bias_act, each checked. */
static int workload(cnn_context *ctx)
{
    CHECK(workload_strided(ctx) == 0);
    return tu_seed_ops(ctx);
}

/* What a round must see in its log: a count of -1 is not checked. */
typedef struct round_expect {
    int loaded_min, loaded_max; /* programs loaded from the disk cache */
    int ignored_min;            /* "disk cache: ignoring" messages */
    int not_using;              /* "disk cache: not using" warnings */
} round_expect;

static const round_expect expect_any = {0, -1, 0, 0};

/* One round in this process: a context on every OpenCL device, the workload on each. Writes
 * the devices' names, one a line, to names_path (when not NULL). 0, 1, or 77 without a
 * device. */
static int round_body(const round_expect *want, const char *names_path)
{
    cnn_device_info infos[TU_MAX_DEVICES];
    size_t count = 0;
    CHECK_OK(cnn_device_list(infos, TU_MAX_DEVICES, &count));
    FILE *names = names_path != NULL ? fopen(names_path, "w") : NULL;
    int devices = 0;
    count_log_begin();
    for (size_t i = 0; i < count && i < TU_MAX_DEVICES; i++) {
        if (infos[i].type == CNN_DEVICE_REFERENCE) {
            continue;
        }
        devices++;
        if (names != NULL) {
            fprintf(names, "%s\n", infos[i].name);
        }
        cnn_context *ctx = tu_context(infos[i].selector);
        CHECK(ctx != NULL);
        tu_track(TU_CONTEXT, ctx);
        CHECK(workload(ctx) == 0);
        tu_release();
    }
    count_log_end();
    if (names != NULL) {
        fclose(names);
    }
    if (devices == 0) {
        return TU_SKIP;
    }
    printf("     %s: %d loaded from the disk, %d ignored, %d warnings\n", tu_state()->note,
           n_loaded, n_ignored, n_not_using);
    CHECK_MSG(n_loaded >= want->loaded_min, "%d programs loaded from the disk cache, want >= %d",
              n_loaded, want->loaded_min);
    CHECK_MSG(want->loaded_max < 0 || n_loaded <= want->loaded_max,
              "%d programs loaded from the disk cache, want <= %d", n_loaded, want->loaded_max);
    CHECK_MSG(n_ignored >= want->ignored_min, "%d entries reported ignored, want >= %d",
              n_ignored, want->ignored_min);
    CHECK_MSG(want->not_using < 0 || n_not_using == want->not_using,
              "%d 'not using' warnings, want %d", n_not_using, want->not_using);
    return 0;
}

/* Run round_body() in n child processes started together; 0 when all passed, 77 when there
 * is no device, else 1. The parent never touches OpenCL, so forking is safe. */
static int rounds_in_children(const char *what, const round_expect *want, const char *names,
                              int n)
{
    int start[2];
    if (pipe(start) != 0) {
        return 1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pids[4];
    for (int k = 0; k < n && k < 4; k++) {
        pids[k] = fork();
        if (pids[k] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[k] == 0) {
            close(start[1]);
            char go;
            if (read(start[0], &go, 1) < 0) {
                _exit(1);
            }
            tu_note("%s%s", what, n > 1 ? (k == 0 ? " (first)" : " (second)") : "");
            int rc = round_body(want, k == 0 ? names : NULL);
            tu_release_all_memory();
            fflush(stdout);
            fflush(stderr);
            _exit(rc);
        }
    }
    close(start[0]);
    close(start[1]);
    int rc = 0;
    for (int k = 0; k < n && k < 4; k++) {
        int status = 0;
        if (waitpid(pids[k], &status, 0) != pids[k] || !WIFEXITED(status)) {
            fprintf(stderr, "round \"%s\": child died (status 0x%x)\n", what, status);
            rc = 1;
        } else if (WEXITSTATUS(status) != 0 && rc != 1) {
            rc = WEXITSTATUS(status);
        }
    }
    return rc;
}

/* The entries of a cache folder (valid, as check_folder_consistent found them). */
static int snapshot(const char *dir, entry *es, int *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL && *count < MAX_ENTRIES) {
        if (de->d_name[0] == '.') {
            continue;
        }
        entry *e = &es[(*count)++];
        snprintf(e->path, sizeof e->path, "%s/%s", dir, de->d_name);
        e->bytes = (unsigned char *)tu_track(TU_HOST, read_file(e->path, &e->size));
        e->key = e->bytes != NULL ? (char *)tu_track(TU_HOST, stored_key(e->bytes, e->size))
                                  : NULL;
    }
    closedir(d);
    for (int i = 0; i < *count; i++) {
        CHECK(es[i].key != NULL);
    }
    return 0;
}

static int test_library(cnn_context *unused)
{
    (void)unused;
    char dir[256], names_path[256], side[256];
    CHECK(use_xdg("library", dir, sizeof dir));
    snprintf(names_path, sizeof names_path, "%s/device-names", g_base);
    snprintf(side, sizeof side, "%s/library-side", g_base);
    CHECK(mkdir(side, 0700) == 0);

    /* Cold: fills the cache. */
    int rc = rounds_in_children("cold", &expect_any, names_path, 1);
    if (rc == TU_SKIP) {
        return TU_SKIP;
    }
    CHECK_MSG(rc == 0, "cold round failed");
    int64_t n_files = check_folder_consistent(dir);
    CHECK_MSG(n_files >= 2, "%" PRId64 " entries after the cold round", n_files);
    static entry es[MAX_ENTRIES];
    int count = 0;
    CHECK(snapshot(dir, es, &count) == 0);
    CHECK(count == n_files);
    /* Every key names one of the devices (a GPU machine may have PoCL beside the GPU). */
    static char devices[MAX_DEVICES][256];
    int n_devices = 0;
    FILE *f = fopen(names_path, "r");
    CHECK(f != NULL);
    while (n_devices < MAX_DEVICES && fgets(devices[n_devices], sizeof devices[0], f) != NULL) {
        devices[n_devices][strcspn(devices[n_devices], "\n")] = '\0';
        n_devices++;
    }
    fclose(f);
    CHECK(n_devices >= 1);
    static const char *device_of[MAX_ENTRIES];
    int with_device = 0;
    for (int i = 0; i < count; i++) {
        device_of[i] = NULL;
        for (int j = 0; j < n_devices && !device_of[i]; j++) {
            if (strstr(es[i].key, devices[j]) != NULL) {
                device_of[i] = devices[j];
            }
        }
        with_device += device_of[i] != NULL;
    }
    CHECK_MSG(with_device == count, "%d of %d keys name one of the %d devices (\"%s\", ...)",
              with_device, count, n_devices, devices[0]);

    /* Warm: every program from the disk. */
    const round_expect warm = {1, -1, 0, 0};
    CHECK_MSG(rounds_in_children("warm", &warm, NULL, 1) == 0, "warm round failed");
    CHECK(check_folder_consistent(dir) == count);

    /* Every entry spoiled in one way: none loaded, each reported, each rewritten valid. */
    for (int kind = 0; kind < SPOIL_COUNT; kind++) {
        tu_note("entries spoiled: %s", spoil_names[kind]);
        int done = 0;
        for (int i = 0; i < count; i++) {
            done = spoil_entry(&es[i], &es[(i + 1) % count], device_of[i], side, kind, i);
            CHECK(done >= 0);
            if (done == 0) {
                break;
            }
        }
        if (done == 0) {
            printf("     skipped (not root): %s\n", spoil_names[kind]);
            continue;
        }
        const round_expect spoiled = {0, 0, count, 0};
        CHECK_MSG(rounds_in_children(spoil_names[kind], &spoiled, NULL, 1) == 0,
                  "round with every entry %s failed", spoil_names[kind]);
        for (int i = 0; i < count; i++) {
            CHECK(check_restored(&es[i], side, kind) == 0);
        }
        CHECK(check_folder_consistent(dir) == count);
        for (int i = 0; i < count; i++) { /* the new bytes (payloads may differ) */
            es[i].bytes = (unsigned char *)tu_track(TU_HOST, read_file(es[i].path, &es[i].size));
            CHECK(es[i].bytes != NULL);
        }
    }

    /* A folder others may write (or another user's): not read, not written, one warning. */
    static const mode_t modes[2] = {0777, 0775};
    for (int m = 0; m < 3; m++) {
        if (m == 2 && geteuid() != 0) {
            printf("     skipped (not root): a cache folder owned by another user\n");
            break;
        }
        char what[64];
        snprintf(what, sizeof what, "cache folder %s",
                 m < 2 ? (m == 0 ? "0777" : "0775") : "owned by uid 1");
        tu_note("%s", what);
        struct stat before[MAX_ENTRIES];
        for (int i = 0; i < count; i++) {
            CHECK(lstat(es[i].path, &before[i]) == 0);
        }
        CHECK(m < 2 ? chmod(dir, modes[m]) == 0 : chown(dir, 1, 1) == 0);
        const round_expect bad_folder = {0, 0, 0, 1};
        rc = rounds_in_children(what, &bad_folder, NULL, 1);
        CHECK(chmod(dir, 0700) == 0 && chown(dir, geteuid(), getegid()) == 0);
        CHECK_MSG(rc == 0, "round with the %s failed", what);
        for (int i = 0; i < count; i++) {
            struct stat after;
            CHECK(lstat(es[i].path, &after) == 0);
            CHECK_MSG(after.st_ino == before[i].st_ino &&
                          after.st_mtime == before[i].st_mtime,
                      "%s was rewritten in a folder that is not private", es[i].path);
        }
        CHECK(check_folder_consistent(dir) == count);
    }

    /* Warm again: the rewritten entries are used. */
    CHECK_MSG(rounds_in_children("warm again", &warm, NULL, 1) == 0, "warm round failed");

    /* Two processes filling the same empty cache at once, three times. */
    for (int k = 0; k < 3; k++) {
        char sub[32], race_dir[256];
        snprintf(sub, sizeof sub, "library-race%d", k);
        CHECK(use_xdg(sub, race_dir, sizeof race_dir));
        CHECK_MSG(rounds_in_children("two processes at once", &expect_any, NULL, 2) == 0,
                  "two processes filling the cache at once failed");
        CHECK_MSG(check_folder_consistent(race_dir) == count,
                  "after two processes at once: %" PRId64 " valid entries, want %d",
                  check_folder_consistent(race_dir), count);
    }
    return 0;
}

/* ---- driver ------------------------------------------------------------------------------- */

int main(void)
{
    snprintf(g_base, sizeof g_base, "/tmp/cnncl-test-disk-cache-XXXXXX");
    if (mkdtemp(g_base) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    if (tu_pin_pocl_cache() != 0) {
        perror("setenv");
        return 1;
    }

    static const tu_case cases[] = {
        {"entry format", test_format},
        {"store and load", test_store_load},
        {"spoiled entries ignored and replaced", test_spoiled_entries},
        {"cache folder not private: cache off", test_bad_folder},
        {"concurrent stores and loads", test_concurrent_store},
        {"size limit: the least recently used entries removed", test_size_limit},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        failures += tu_run(cases[i].name, cases[i].fn, NULL);
        count_log_end(); /* also after a failed CHECK */
    }

    tu_state()->note[0] = '\0';
    int rc = test_library(NULL);
    tu_release();
    printf("%-4s through the library on every OpenCL device\n",
           rc == 0 ? "ok" : rc == TU_SKIP ? "skip" : "FAIL");
    if (rc != 0 && rc != TU_SKIP) {
        failures++;
    }
    remove_tree(g_base);
    tu_release_all_memory();
    printf("%d failure(s)\n", failures);
    if (failures != 0) {
        return 1;
    }
    return rc == TU_SKIP ? TU_SKIP : 0;
}
