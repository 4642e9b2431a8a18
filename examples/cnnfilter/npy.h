/*
 * npy.h - a strict reader for NumPy .npy files (format versions 1.0, 2.0 and 3.0), for cnnfilter.
 *
 *     cnnf_array w;
 *     char err[256];
 *     if (cnnf_npy_load("weights.npy", (size_t)1 << 30, &w, err, sizeof err) != 0) {
 *         fprintf(stderr, "cnnfilter: %s\n", err);   // e.g. "weights.npy: unsupported dtype '<c8' (complex)"
 *         return 1;
 *     }
 *     // w.ndim, w.shape[0..ndim-1], w.count floats in w.data (C order)
 *     cnnf_array_free(&w);
 *
 * Accepted: descr '<f4' '<f8' '>f4' '>f8' ('=' or no order character = little endian), and the
 * integers i1 i2 i4 i8 u1 u2 u4 u8 in either byte order ('|' only for 1-byte types); every value
 * is converted to float32 (NaN and Inf pass through; f8 values beyond float range become +-Inf,
 * integers above 2^24 are rounded). fortran_order True is transposed into C order. Shapes from ()
 * (a 0-d array, count 1) up to 8 dimensions. Bytes after the array data are ignored.
 *
 * Refused with a one-line message (never a crash): bad magic, versions other than 1.0/2.0/3.0,
 * a header running past the end of the file, a header that is not a dict literal with exactly the
 * keys 'descr', 'fortran_order' and 'shape', any other dtype (complex, object, bool, float16,
 * strings, structured, ...), negative shape values, element counts that overflow, and data
 * shorter than the shape says.
 */
#ifndef CNNFILTER_NPY_H
#define CNNFILTER_NPY_H

#include <stddef.h>
#include <stdint.h>

#define CNNF_NPY_MAX_DIMS 8

typedef struct cnnf_array {
    int ndim;
    int64_t shape[CNNF_NPY_MAX_DIMS];
    int64_t count; /* product of shape (1 for a 0-d array) */
    float *data;   /* count floats, C order (row-major), converted to float32; never NULL on
                      success, even when count is 0 */
} cnnf_array;

/* Parse a .npy file's bytes. 0 on success; -1 with a one-line reason in err (never a crash,
 * never a partially filled *out: on failure out->data is NULL and ndim 0). err may be NULL. */
int cnnf_npy_parse(const unsigned char *bytes, size_t size, cnnf_array *out, char *err,
                   size_t err_size);

/* Read a whole .npy file (refuses files over max_bytes, e.g. 1 GiB) and parse it. The message
 * names the path. */
int cnnf_npy_load(const char *path, size_t max_bytes, cnnf_array *out, char *err, size_t err_size);

/* Free the data and zero the array; accepts NULL and zeroed arrays. */
void cnnf_array_free(cnnf_array *a);

#endif /* CNNFILTER_NPY_H */
