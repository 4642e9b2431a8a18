/* Fuzz target: the disk cache's entry parser, cnn_disk_cache_decode (host/disk_cache.h), which
 * reads files that may be garbage, truncated, or another program's or device's entry.
 *
 * Each input is decoded three ways:
 *   1. as an entry, for a fixed program-binary key;
 *   2. as [1 byte n][n bytes key][entry], for that key (a NUL in it ends the key early);
 *   3. as an entry, for the key it stores itself (reaches the payload checks).
 * Properties, checked by abort():
 *   - a refusal clears the outputs (NULL, 0);
 *   - an acceptance points the payload inside the input, right after the header and key, to
 *     its end, never empty; and re-encoding (cnn_disk_cache_encode) that payload under that
 *     key gives back exactly the input: nothing else is accepted.
 * Seeds: tests/fuzz/corpus/disk_cache (valid entries in each form, truncated ones, a bad
 * checksum, a wrong key, a trailing byte). Needs host/ on the include path; links cnncl. */
#include "disk_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The key of the seeds valid_fixed_key*: shaped like a program binary's (host/cl_program.c). */
#define FUZZ_FIXED_KEY                                                                     \
    "cnncl 0.1.0|conv2d_direct.cl|0123456789abcdef|-cl-std=CL1.2 -DLX=1 -DLY=4|"            \
    "pthread-skylake-avx512|AuthenticAMD|3.1+debian|OpenCL 3.0 PoCL|OpenCL 3.0 PoCL 3.1"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *entry, size_t size, const char *key)
{
    static const unsigned char sentinel = 0;
    const unsigned char *payload = &sentinel; /* both must be overwritten */
    size_t payload_size = 12345;
    const int ok = cnn_disk_cache_decode(entry, size, key, &payload, &payload_size);
    if (!ok) {
        if (payload != NULL || payload_size != 0)
            abort();
        return;
    }
    if (ok != 1)
        abort();
    const size_t key_len = strlen(key);
    if (size < CNN_DISK_CACHE_HEADER_SIZE + key_len + 1 ||
        payload != entry + CNN_DISK_CACHE_HEADER_SIZE + key_len ||
        payload_size != size - CNN_DISK_CACHE_HEADER_SIZE - key_len ||
        payload_size > CNN_DISK_CACHE_MAX_PAYLOAD)
        abort();
    /* Exactly the encoding of what it returned. */
    if (cnn_disk_cache_encode(key, payload, payload_size, NULL, 0) != size)
        abort();
    unsigned char *again = malloc(size);
    if (!again)
        return;
    if (cnn_disk_cache_encode(key, payload, payload_size, again, size) != size ||
        memcmp(again, entry, size) != 0)
        abort();
    free(again);
    /* Without output pointers: the same answer. */
    if (cnn_disk_cache_decode(entry, size, key, NULL, NULL) != 1)
        abort();
}

/* bytes[0, n) as a NUL-terminated key (malloc'ed), or NULL. */
static char *key_from(const uint8_t *bytes, size_t n)
{
    char *key = malloc(n + 1);
    if (key) {
        if (n > 0)
            memcpy(key, bytes, n);
        key[n] = '\0';
    }
    return key;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. A fixed key. */
    check(data, size, FUZZ_FIXED_KEY);

    /* 2. The key from the input's first bytes, the entry after it. */
    if (size >= 1 && (size_t)data[0] <= size - 1) {
        const size_t n = data[0];
        char *key = key_from(data + 1, n);
        if (key) {
            check(data + 1 + n, size - 1 - n, key);
            free(key);
        }
    }

    /* 3. The key the entry stores (its length at offset 8, little-endian; the key at 12). */
    if (size >= 12) {
        const size_t n = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 |
                         (size_t)data[11] << 24;
        if (n <= size - 12 && n <= CNN_DISK_CACHE_MAX_KEY) {
            char *key = key_from(data + 12, n);
            if (key) {
                check(data, size, key);
                free(key);
            }
        }
    }
    return 0;
}
