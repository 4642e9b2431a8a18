/* FNV-1a, 64 bit: cache keys and content checksums (not a defence against an attacker who can
 * write the cache; the disk cache checks ownership and permissions for that). */
#ifndef CNNCL_HASH_H
#define CNNCL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CNN_FNV_OFFSET UINT64_C(0xcbf29ce484222325)

uint64_t cnn_fnv1a64(uint64_t h, const void *data, size_t size);

#endif /* CNNCL_HASH_H */
