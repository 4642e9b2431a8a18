/* The on-disk cache of program binaries: $XDG_CACHE_HOME/cnncl (else ~/.cache/cnncl), one file
 * per key, written atomically. An entry is used only if it is a regular file owned by this
 * user, not writable by others, and its stored key and content checksum match; anything else
 * is ignored (and rebuilt by the caller). CNNCL_CACHE=off turns the cache off. */
#ifndef CNNCL_DISK_CACHE_H
#define CNNCL_DISK_CACHE_H

#include <stddef.h>

/* Whether the cache is enabled (reads CNNCL_CACHE). */
int cnn_disk_cache_enabled(void);

/* Load the payload stored under key; *data is malloc'ed. 0 when absent or invalid. */
int cnn_disk_cache_load(const char *key, unsigned char **data, size_t *size);

/* Store payload under key (temporary file + rename). 0 on failure (logged, not fatal). */
int cnn_disk_cache_store(const char *key, const unsigned char *data, size_t size);

#endif /* CNNCL_DISK_CACHE_H */
