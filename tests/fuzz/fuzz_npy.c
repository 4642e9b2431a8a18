/* libFuzzer target: cnnfilter's .npy reader, cnnf_npy_parse() (examples/cnnfilter/npy.h).
 *
 * The input is a whole file's bytes. On success: 0 <= ndim <= CNNF_NPY_MAX_DIMS, every shape
 * value >= 0, count == the product of the shape (1 for a 0-d array), count <= the input size
 * (every element takes at least one byte of data), data != NULL, and every one of the count
 * floats is readable (ASan checks the buffer's size). On failure: a non-empty message, data
 * NULL and ndim 0. abort() otherwise. */
#include "npy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const cnnf_array *a)
{
    fprintf(stderr, "fuzz_npy: %s (ndim %d, count %lld)\n", what, a->ndim, (long long)a->count);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cnnf_array a;
    memset(&a, 0x5a, sizeof a);
    char err[256];
    memset(err, 'X', sizeof err);
    if (cnnf_npy_parse(data, size, &a, err, sizeof err) != 0) {
        if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
            fail("a rejection without a message", &a);
        if (a.data != NULL || a.ndim != 0)
            fail("a rejection leaves data or ndim set", &a);
        /* Also without a message buffer. */
        cnnf_array b;
        if (cnnf_npy_parse(data, size, &b, NULL, 0) == 0)
            fail("accepted without an error buffer, rejected with one", &b);
        return 0;
    }
    if (a.ndim < 0 || a.ndim > CNNF_NPY_MAX_DIMS)
        fail("ndim out of range", &a);
    int64_t product = 1;
    for (int i = 0; i < a.ndim; i++) {
        if (a.shape[i] < 0)
            fail("a negative shape value", &a);
        if (a.shape[i] != 0 && product > INT64_MAX / a.shape[i])
            fail("the shape's product overflows", &a);
        product *= a.shape[i];
    }
    if (a.count != product)
        fail("count differs from the product of the shape", &a);
    if ((uint64_t)a.count > (uint64_t)size)
        fail("more elements than bytes of input", &a);
    if (a.data == NULL)
        fail("data is NULL on success", &a);
    /* Read every value (ASan: the buffer holds count floats); NaN and Inf may pass through. */
    volatile float sink = 0.0f;
    for (int64_t i = 0; i < a.count; i++)
        sink = sink + a.data[i] * 0.0f;
    (void)sink;
    cnnf_array_free(&a);
    if (a.data != NULL || a.ndim != 0)
        fail("cnnf_array_free leaves the array set", &a);
    cnnf_array_free(&a); /* freeing a zeroed array is allowed */
    return 0;
}
