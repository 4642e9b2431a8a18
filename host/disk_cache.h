/* The on-disk cache of program binaries (and of find/self-check results): $XDG_CACHE_HOME/cnncl
 * (else ~/.cache/cnncl), one file per key, named after the key's 64-bit FNV-1a hash.
 *
 * It is not an attack surface:
 *   - the folder is created owner-only (0700); an existing folder that is not a directory
 *     owned by this user (euid), or that group or others may write, is not used at all: a
 *     warning is logged once per process and the cache behaves as if CNNCL_CACHE=off;
 *   - an entry is used only if it is a regular file (a symbolic link is not followed), owned
 *     by this user, not writable by group or others, within the size limits, its stored key
 *     equals the requested key byte for byte and its payload checksum matches; anything else
 *     is ignored, and the caller rebuilds (and stores a fresh entry over it);
 *   - entries are written to a temporary file in the same folder (O_CREAT|O_EXCL, 0600),
 *     flushed and fsync'ed, then renamed over the entry: readers and concurrent writers never
 *     see a partial file.
 * The checksum is FNV-1a 64 (host/hash.h): it catches corruption and torn writes, not forgery;
 * forgery is kept out by the ownership and permission checks (only this user can write).
 * CNNCL_CACHE=off (or 0, false) turns the cache off.
 *
 * Its size is bounded: after each store, when the entries take more than CNNCL_CACHE_MAX_MB
 * MiB (CNN_DISK_CACHE_DEFAULT_MAX_MB by default; 0: no limit), the least recently used are
 * removed until they take three quarters of it. An entry's mtime is its last use: set when it
 * is written and again each time it is loaded. Kernels change with every build of cnncl that
 * touches them, and each change leaves entries nothing will load again; without a bound the
 * folder only grows (861 MB on the development machine after a few days).
 *
 * Entry layout (integers little-endian), nothing after the payload:
 *   offset 0       8 bytes  magic "CNNCLBC1"
 *   offset 8       u32      key length K (1 .. CNN_DISK_CACHE_MAX_KEY)
 *   offset 12      K bytes  key (no terminating NUL)
 *   offset 12+K    u64      payload length P (1 .. CNN_DISK_CACHE_MAX_PAYLOAD)
 *   offset 20+K    u64      FNV-1a 64 of the payload
 *   offset 28+K    P bytes  payload */
#ifndef CNNCL_DISK_CACHE_H
#define CNNCL_DISK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define CNN_DISK_CACHE_HEADER_SIZE 28u /* an entry's size is this + K + P */
#define CNN_DISK_CACHE_MAX_KEY (64u * 1024u)
#define CNN_DISK_CACHE_MAX_PAYLOAD (512u * 1024u * 1024u)
#define CNN_DISK_CACHE_DEFAULT_MAX_MB 256u /* the size limit without CNNCL_CACHE_MAX_MB */

/* Whether the cache is enabled (reads CNNCL_CACHE). */
int cnn_disk_cache_enabled(void);

/* Load the payload stored under key; *data is malloc'ed. 0 when absent or invalid. */
int cnn_disk_cache_load(const char *key, unsigned char **data, size_t *size);

/* Store payload under key (temporary file + rename). 0 on failure (logged, not fatal). */
int cnn_disk_cache_store(const char *key, const unsigned char *data, size_t size);

/* Parse an entry held in memory (pure: no I/O, no allocation, no logging). 1 when bytes[0,
 * size) is exactly one valid entry for key (magic, lengths, stored key equal to key byte for
 * byte, payload checksum); then *payload points into bytes and *payload_size is its length.
 * 0 otherwise, with *payload = NULL and *payload_size = 0 (either pointer may be NULL). */
int cnn_disk_cache_decode(const unsigned char *bytes, size_t size, const char *key,
                          const unsigned char **payload, size_t *payload_size);

/* Encode the entry of payload under key into out (pure). Returns the entry's size, and writes
 * it only when out_size is at least that (out may be NULL to ask for the size); 0 when key or
 * payload is empty or over the limits. */
size_t cnn_disk_cache_encode(const char *key, const unsigned char *payload, size_t payload_size,
                             unsigned char *out, size_t out_size);

/* The entry's file name for key ("<16 hex digits>.bin"), into dst (at least 21 bytes). */
void cnn_disk_cache_entry_name(const char *key, char *dst, size_t size);

/* The size limit in bytes: CNNCL_CACHE_MAX_MB MiB (0: no limit; a value that is not a whole
 * number is warned about once and the default used), else CNN_DISK_CACHE_DEFAULT_MAX_MB. */
uint64_t cnn_disk_cache_limit(void);

/* When the entries of the open cache folder dfd (files named as entries, regular, this user's)
 * take more than limit bytes, remove the least recently used (oldest mtime) until they take at
 * most three quarters of it, never the entry named keep (may be NULL). limit 0: nothing. Returns
 * the number removed (host/disk_cache_trim.c). */
int cnn_disk_cache_trim(int dfd, uint64_t limit, const char *keep);

#endif /* CNNCL_DISK_CACHE_H */
