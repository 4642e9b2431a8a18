/* Overflow-checked size arithmetic: every product of user sizes goes through here before it
 * reaches an allocation or a kernel argument. */
#include "cnn_internal.h"

int cnn_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0)
        return 0;
    if (a != 0 && b > INT64_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

int cnn_add_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0 || a > INT64_MAX - b)
        return 0;
    *out = a + b;
    return 1;
}

int cnn_product_i64(const int64_t *values, int count, int64_t *out)
{
    int64_t p = 1;
    for (int i = 0; i < count; i++)
        if (!cnn_mul_i64(p, values[i], &p))
            return 0;
    *out = p;
    return 1;
}

int cnn_shape_bytes(const int64_t shape[4], int64_t *count, size_t *bytes)
{
    int64_t n, b;
    if (!cnn_product_i64(shape, 4, &n) || !cnn_mul_i64(n, (int64_t)sizeof(float), &b))
        return 0;
    if ((uint64_t)b > (uint64_t)SIZE_MAX)
        return 0;
    *count = n;
    *bytes = (size_t)b;
    return 1;
}
