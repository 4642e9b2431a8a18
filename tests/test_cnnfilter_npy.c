/*
 * Tests of the cnnfilter .npy reader (examples/cnnfilter/npy.c). No OpenCL, no NumPy, no files
 * needed at run time except the two cnnf_npy_load() temp files:
 *
 *     test_cnnfilter_npy [tmpdir]     (tmpdir defaults to /tmp)
 *
 * Golden files are built here: headers as numpy writes them (dict padded with spaces to a
 * multiple of 64 bytes, ending in '\n') plus hand-made little/big endian data, and two files
 * written by NumPy 2.4 np.save() embedded byte for byte. Every refusal is checked by its message.
 * Exit code 0 on success, 1 on failure; each failure prints "FAILED: file:line ...".
 */
#include "counting_check.h"
#include "npy.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building .npy bytes ---------------------------------------------------------------- */

/* Preamble for version major.minor, then header exactly as given (its length is strlen), then
 * data. Returns the total size. */
static size_t npy_raw(unsigned char *buf, size_t cap, int major, int minor, const char *header,
                      const void *data, size_t data_len)
{
    const size_t hlen = strlen(header);
    const size_t pre = major == 1 ? 10 : 12;
    if (pre + hlen + data_len > cap) {
        printf("FAILED: %s:%d: test buffer too small\n", __FILE__, __LINE__);
        failures++;
        return 0;
    }
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = (unsigned char)minor;
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8 & 0xff);
    if (pre == 12) {
        buf[10] = (unsigned char)(hlen >> 16 & 0xff);
        buf[11] = (unsigned char)(hlen >> 24 & 0xff);
    }
    memcpy(buf + pre, header, hlen);
    if (data_len > 0)
        memcpy(buf + pre + hlen, data, data_len);
    return pre + hlen + data_len;
}

/* As numpy writes it: the dict padded with spaces and a final '\n' so that the data starts at a
 * multiple of 64 bytes. */
static size_t npy_file(unsigned char *buf, size_t cap, int major, const char *dict,
                       const void *data, size_t data_len)
{
    char header[512];
    const size_t pre = major == 1 ? 10 : 12;
    size_t n = strlen(dict);
    memcpy(header, dict, n);
    while ((pre + n + 1) % 64 != 0)
        header[n++] = ' ';
    header[n++] = '\n';
    header[n] = '\0';
    return npy_raw(buf, cap, major, 0, header, data, data_len);
}

static void put_bits(unsigned char *p, uint64_t bits, int size, int big_endian)
{
    for (int k = 0; k < size; k++)
        p[big_endian ? size - 1 - k : k] = (unsigned char)(bits >> (8 * k) & 0xff);
}

static void put_f32(unsigned char *p, float v, int big_endian)
{
    uint32_t w;
    memcpy(&w, &v, sizeof w);
    put_bits(p, w, 4, big_endian);
}

static void put_f64(unsigned char *p, double v, int big_endian)
{
    uint64_t w;
    memcpy(&w, &v, sizeof w);
    put_bits(p, w, 8, big_endian);
}

/* ---- checking --------------------------------------------------------------------------- */

static int parse_ok(const char *file, int line, const unsigned char *bytes, size_t size,
                    cnnf_array *a, int ndim, int64_t count)
{
    char err[256] = "";
    const int rc = cnnf_npy_parse(bytes, size, a, err, sizeof err);
    if (rc != 0 || a->ndim != ndim || a->count != count || a->data == NULL) {
        printf("FAILED: %s:%d: parse rc %d ndim %d (want %d) count %lld (want %lld): %s\n", file,
               line, rc, a->ndim, ndim, (long long)a->count, (long long)count, err);
        failures++;
        cnnf_array_free(a);
        return 0;
    }
    return 1;
}
#define PARSE_OK(bytes, size, a, ndim, count)                                                      \
    parse_ok(__FILE__, __LINE__, bytes, size, a, ndim, count)

/* The parse must fail, leave *out empty and say `want` (a substring). */
static void parse_fails(const char *file, int line, const unsigned char *bytes, size_t size,
                        const char *want)
{
    char err[256] = "";
    cnnf_array a;
    float junk = 0.0f;
    int rc;
    memset(&a, 0x5a, sizeof a);
    a.data = &junk; /* stale values must be overwritten, not freed */
    rc = cnnf_npy_parse(bytes, size, &a, err, sizeof err);
    if (rc != -1 || a.data != NULL || a.ndim != 0 || a.count != 0 || strstr(err, want) == NULL ||
        strchr(err, '\n') != NULL) {
        printf("FAILED: %s:%d: rc %d, message \"%s\", want \"%s\"\n", file, line, rc, err, want);
        failures++;
    }
    if (rc == 0)
        cnnf_array_free(&a);
}
#define PARSE_FAILS(bytes, size, want) parse_fails(__FILE__, __LINE__, bytes, size, want)

/* A one-element <f4 file with the given dict, for header syntax tests. */
static size_t one_f4(unsigned char *buf, size_t cap, const char *dict)
{
    unsigned char d[4];
    put_f32(d, 7.0f, 0);
    return npy_file(buf, cap, 1, dict, d, sizeof d);
}

/* ---- real NumPy output (NumPy 2.4.6) ---------------------------------------------------- */

/* np.save(f, np.asfortranarray(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64))):
 * the data is in Fortran order 1 4 2 5 3 6 */
static const unsigned char real_fortran_f8_2x3[176] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x38, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x54, 0x72, 0x75, 0x65,
    0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32, 0x2c, 0x20, 0x33,
    0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x40,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x40,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x40,
};

/* np.save(f, np.array([[-32768, -1, 0, 1], [2, 3, 300, 32767], [-300, -2, 7, 8]], np.int16)) */
static const unsigned char real_i2_3x4[152] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x69, 0x32, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x33, 0x2c, 0x20,
    0x34, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x80, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x2c, 0x01, 0xff, 0x7f,
    0xd4, 0xfe, 0xfe, 0xff, 0x07, 0x00, 0x08, 0x00,
};

/* ---- accepted files --------------------------------------------------------------------- */

static void test_f4_3x3(void)
{
    unsigned char d[9 * 4], buf[256];
    cnnf_array a;
    size_t n;
    for (int k = 0; k < 9; k++)
        put_f32(d + 4 * k, 0.5f * (float)k - 2.0f, 0);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }",
                 d, sizeof d);
    CHECK(n == 128 + 36); /* 10 + 60-char dict + '\n' padded to 128 */
    if (PARSE_OK(buf, n, &a, 2, 9)) {
        CHECK(a.shape[0] == 3 && a.shape[1] == 3);
        for (int k = 0; k < 9; k++)
            CHECK(a.data[k] == 0.5f * (float)k - 2.0f);
        cnnf_array_free(&a);
        CHECK(a.data == NULL && a.ndim == 0 && a.count == 0);
    }
}

static void test_f8_2x2(void)
{
    unsigned char d[4 * 8], buf[256];
    cnnf_array a;
    size_t n;
    put_f64(d + 0, 1.0 / 3.0, 0);
    put_f64(d + 8, -1e300, 0); /* beyond float range: -Inf */
    put_f64(d + 16, 1e-50, 0); /* below float range: 0 */
    put_f64(d + 24, 2.5, 0);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                 d, sizeof d);
    if (PARSE_OK(buf, n, &a, 2, 4)) {
        CHECK(a.data[0] == (float)(1.0 / 3.0));
        CHECK(isinf(a.data[1]) && a.data[1] < 0);
        CHECK(a.data[2] == 0.0f);
        CHECK(a.data[3] == 2.5f);
        cnnf_array_free(&a);
    }
}

static void test_big_endian(void)
{
    const float v[4] = {1.0f, -0.5f, 3.25f, 1e-3f};
    unsigned char d[4 * 8], buf[256];
    cnnf_array a;
    size_t n;
    for (int k = 0; k < 4; k++)
        put_f32(d + 4 * k, v[k], 1);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }",
                 d, 16);
    if (PARSE_OK(buf, n, &a, 1, 4)) {
        for (int k = 0; k < 4; k++)
            CHECK(a.data[k] == v[k]);
        cnnf_array_free(&a);
    }
    for (int k = 0; k < 4; k++)
        put_f64(d + 8 * k, (double)v[k], 1);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (4,), }",
                 d, 32);
    if (PARSE_OK(buf, n, &a, 1, 4)) {
        for (int k = 0; k < 4; k++)
            CHECK(a.data[k] == v[k]);
        cnnf_array_free(&a);
    }
}

static void test_fortran(void)
{
    /* [[1, 2, 3], [4, 5, 6]] stored column by column: 1 4 2 5 3 6; C order is 1 2 3 4 5 6 */
    const float col_major[6] = {1, 4, 2, 5, 3, 6};
    unsigned char d[24 * 4], buf[256];
    cnnf_array a;
    size_t n;
    for (int k = 0; k < 6; k++)
        put_f32(d + 4 * k, col_major[k], 0);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                 d, 24);
    if (PARSE_OK(buf, n, &a, 2, 6)) {
        CHECK(a.shape[0] == 2 && a.shape[1] == 3);
        for (int k = 0; k < 6; k++)
            CHECK(a.data[k] == (float)(k + 1));
        cnnf_array_free(&a);
    }
    /* 3-d <i4 (2, 3, 4): element (i, j, k) = 100i + 10j + k sits at i + 2j + 6k in the file */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                put_bits(d + 4 * (i + 2 * j + 6 * k), (uint64_t)(100 * i + 10 * j + k), 4, 0);
    n = npy_file(buf, sizeof buf, 1,
                 "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }", d, 96);
    if (PARSE_OK(buf, n, &a, 3, 24)) {
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    CHECK(a.data[i * 12 + j * 4 + k] == (float)(100 * i + 10 * j + k));
        cnnf_array_free(&a);
    }
    /* fortran_order on a 1-d array changes nothing: file order 0 100 10 110 20 120 */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<i4', 'fortran_order': True, 'shape': (6,), }",
                 d, 24);
    if (PARSE_OK(buf, n, &a, 1, 6)) {
        CHECK(a.data[1] == 100.0f && a.data[2] == 10.0f);
        cnnf_array_free(&a);
    }
}

static void test_shapes(void)
{
    unsigned char d[8 * 4], buf[256];
    cnnf_array a;
    size_t n;
    for (int k = 0; k < 8; k++)
        put_f32(d + 4 * k, (float)k + 0.25f, 0);
    /* 0-d: one value, ndim 0, count 1 */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", d,
                 4);
    if (PARSE_OK(buf, n, &a, 0, 1)) {
        CHECK(a.data[0] == 0.25f);
        cnnf_array_free(&a);
    }
    /* 1-d */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
                 d, 20);
    if (PARSE_OK(buf, n, &a, 1, 5)) {
        CHECK(a.shape[0] == 5 && a.data[4] == 4.25f);
        cnnf_array_free(&a);
    }
    /* 8-d, all ones but the last */
    n = npy_file(buf, sizeof buf, 1,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 2), }",
                 d, 8);
    if (PARSE_OK(buf, n, &a, 8, 2)) {
        CHECK(a.shape[7] == 2 && a.data[1] == 1.25f);
        cnnf_array_free(&a);
    }
    /* empty: count 0 but data still allocated */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }",
                 NULL, 0);
    if (PARSE_OK(buf, n, &a, 2, 0)) {
        CHECK(a.shape[0] == 0 && a.shape[1] == 3);
        cnnf_array_free(&a);
    }
    /* trailing bytes after the data are accepted and ignored */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                 d, 32);
    if (PARSE_OK(buf, n, &a, 1, 2)) {
        CHECK(a.data[0] == 0.25f && a.data[1] == 1.25f);
        cnnf_array_free(&a);
    }
}

static void test_integers(void)
{
    unsigned char d[64], buf[256];
    cnnf_array a;
    size_t n;
    const int16_t i2[4] = {-32768, -1, 0, 32767};
    for (int k = 0; k < 4; k++)
        put_bits(d + 2 * k, (uint16_t)i2[k], 2, 0);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }",
                 d, 8);
    if (PARSE_OK(buf, n, &a, 1, 4)) {
        for (int k = 0; k < 4; k++)
            CHECK(a.data[k] == (float)i2[k]);
        cnnf_array_free(&a);
    }
    d[0] = 0;
    d[1] = 128;
    d[2] = 255;
    n = npy_file(buf, sizeof buf, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                 d, 3);
    if (PARSE_OK(buf, n, &a, 1, 3)) {
        CHECK(a.data[0] == 0.0f && a.data[1] == 128.0f && a.data[2] == 255.0f);
        cnnf_array_free(&a);
    }
    n = npy_file(buf, sizeof buf, 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }",
                 d, 3);
    if (PARSE_OK(buf, n, &a, 1, 3)) {
        CHECK(a.data[0] == 0.0f && a.data[1] == -128.0f && a.data[2] == -1.0f);
        cnnf_array_free(&a);
    }
    /* the 64-bit extremes and a big-endian int32 */
    put_bits(d, UINT64_C(1) << 63, 8, 0);     /* INT64_MIN */
    put_bits(d + 8, ~UINT64_C(0), 8, 0);      /* -1 */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
                 d, 16);
    if (PARSE_OK(buf, n, &a, 1, 2)) {
        CHECK(a.data[0] == -9223372036854775808.0f && a.data[1] == -1.0f);
        cnnf_array_free(&a);
    }
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }",
                 d, 16);
    if (PARSE_OK(buf, n, &a, 1, 2)) {
        CHECK(a.data[0] == 9223372036854775808.0f && a.data[1] == 18446744073709551616.0f);
        cnnf_array_free(&a);
    }
    put_bits(d, (uint32_t)-70000, 4, 1);
    put_bits(d + 4, 4000000000u, 4, 1);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                 d, 4);
    if (PARSE_OK(buf, n, &a, 1, 1)) {
        CHECK(a.data[0] == -70000.0f);
        cnnf_array_free(&a);
    }
    n = npy_file(buf, sizeof buf, 1, "{'descr': '>u4', 'fortran_order': False, 'shape': (1,), }",
                 d + 4, 4);
    if (PARSE_OK(buf, n, &a, 1, 1)) {
        CHECK(a.data[0] == 4000000000.0f);
        cnnf_array_free(&a);
    }
}

static void test_versions_and_syntax(void)
{
    unsigned char d[6 * 4], buf[256];
    cnnf_array a;
    size_t n;
    for (int k = 0; k < 6; k++)
        put_f32(d + 4 * k, (float)k, 0);
    /* 2.0 and 3.0: 4-byte header length, 12-byte preamble */
    n = npy_file(buf, sizeof buf, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                 d, 24);
    CHECK(n == 128 + 24 && buf[6] == 2 && buf[10] == 0);
    if (PARSE_OK(buf, n, &a, 2, 6)) {
        CHECK(a.shape[1] == 3 && a.data[5] == 5.0f);
        cnnf_array_free(&a);
    }
    n = npy_file(buf, sizeof buf, 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
                 d, 24);
    if (PARSE_OK(buf, n, &a, 2, 6)) {
        CHECK(a.shape[0] == 3 && a.data[5] == 5.0f);
        cnnf_array_free(&a);
    }
    /* keys in any order, double quotes, no trailing comma, odd spacing, '=' byte order, a
     * Python 2 long, no alignment padding, no final newline */
    n = npy_raw(buf, sizeof buf, 1, 0,
                "  {\"shape\":(2 ,3L ,)  ,\"fortran_order\" :False,'descr':\"=f4\"}", d, 24);
    if (PARSE_OK(buf, n, &a, 2, 6)) {
        CHECK(a.shape[0] == 2 && a.shape[1] == 3 && a.data[4] == 4.0f);
        cnnf_array_free(&a);
    }
    /* NaN and Inf pass through */
    put_f32(d, NAN, 0);
    put_f32(d + 4, -INFINITY, 0);
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                 d, 8);
    if (PARSE_OK(buf, n, &a, 1, 2)) {
        CHECK(isnan(a.data[0]));
        CHECK(isinf(a.data[1]) && a.data[1] < 0);
        cnnf_array_free(&a);
    }
}

static void test_real_numpy_files(void)
{
    const float i2[12] = {-32768, -1, 0, 1, 2, 3, 300, 32767, -300, -2, 7, 8};
    cnnf_array a;
    if (PARSE_OK(real_fortran_f8_2x3, sizeof real_fortran_f8_2x3, &a, 2, 6)) {
        CHECK(a.shape[0] == 2 && a.shape[1] == 3);
        for (int k = 0; k < 6; k++)
            CHECK(a.data[k] == (float)(k + 1)); /* C order [[1, 2, 3], [4, 5, 6]] */
        cnnf_array_free(&a);
    }
    if (PARSE_OK(real_i2_3x4, sizeof real_i2_3x4, &a, 2, 12)) {
        CHECK(a.shape[0] == 3 && a.shape[1] == 4);
        for (int k = 0; k < 12; k++)
            CHECK(a.data[k] == i2[k]);
        cnnf_array_free(&a);
    }
}

/* ---- refused files ---------------------------------------------------------------------- */

static void test_refusals(void)
{
    unsigned char buf[512], d[72];
    size_t n;
    char err[256];
    cnnf_array a;

    memset(d, 0, sizeof d);
    /* preamble */
    PARSE_FAILS((const unsigned char *)"PK\x03\x04 not numpy", 15, "not a .npy file (bad magic)");
    PARSE_FAILS((const unsigned char *)"\x93NUMPX\x01\x00", 8, "not a .npy file (bad magic)");
    PARSE_FAILS((const unsigned char *)"", 0, "not a .npy file (empty)");
    PARSE_FAILS(NULL, 0, "not a .npy file (empty)");
    PARSE_FAILS((const unsigned char *)"\x93NUM", 4, "truncated .npy preamble (4 bytes)");
    PARSE_FAILS((const unsigned char *)"\x93NUMPY\x01\x00\x10", 9, "truncated .npy preamble");
    PARSE_FAILS((const unsigned char *)"\x93NUMPY\x02\x00\x10\x00", 10, "truncated .npy preamble");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
    buf[6] = 4;
    PARSE_FAILS(buf, n, "unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)");
    buf[6] = 1;
    buf[7] = 1;
    PARSE_FAILS(buf, n, "unsupported .npy format version 1.1");
    buf[7] = 0;
    buf[9] = 1; /* header length 256 + 118 */
    PARSE_FAILS(buf, n, "header length 374 runs past the end of the file (132 bytes)");
    n = npy_raw(buf, sizeof buf, 2, 0, "{}", NULL, 0);
    buf[11] = 0x80; /* 2 GiB header */
    PARSE_FAILS(buf, n, "runs past the end of the file (14 bytes)");

    /* dict */
    n = one_f4(buf, sizeof buf, "['descr', '<f4']");
    PARSE_FAILS(buf, n, "malformed .npy header: not a dict literal");
    n = npy_raw(buf, sizeof buf, 1, 0, "", NULL, 0);
    PARSE_FAILS(buf, n, "not a dict literal");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, }");
    PARSE_FAILS(buf, n, "missing key 'shape'");
    n = one_f4(buf, sizeof buf, "{'shape': (), 'fortran_order': False}");
    PARSE_FAILS(buf, n, "missing key 'descr'");
    n = one_f4(buf, sizeof buf, "{}");
    PARSE_FAILS(buf, n, "missing key 'descr'");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'shape': (), }");
    PARSE_FAILS(buf, n, "duplicate key 'shape'");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra\x01': 1}");
    PARSE_FAILS(buf, n, "unexpected key 'extra?'");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4' 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "expected ',' or '}'");
    n = one_f4(buf, sizeof buf, "{'descr' '<f4', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "expected ':' after a key");
    n = one_f4(buf, sizeof buf, "{descr: '<f4', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "expected a quoted string (at header byte 1)");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4, 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "malformed .npy header");
    n = npy_raw(buf, sizeof buf, 1, 0, "{'descr': '<f4", NULL, 0);
    PARSE_FAILS(buf, n, "unterminated string");
    n = one_f4(buf, sizeof buf, "{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "escape sequences in strings are not supported");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x");
    PARSE_FAILS(buf, n, "unexpected text after the dict");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}");
    PARSE_FAILS(buf, n, "fortran_order must be True or False");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': Trueish, 'shape': ()}");
    PARSE_FAILS(buf, n, "fortran_order must be True or False");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}");
    PARSE_FAILS(buf, n, "shape must be a tuple");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}");
    PARSE_FAILS(buf, n, "a 1-d shape is written (n,)");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (1 1)}");
    PARSE_FAILS(buf, n, "expected ',' or ')' in shape");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (,)}");
    PARSE_FAILS(buf, n, "expected an integer or ')' in shape");
    n = one_f4(buf, sizeof buf, "{'descr': 4, 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "expected a quoted string");

    /* dtypes */
    n = one_f4(buf, sizeof buf, "{'descr': '<c8', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<c8' (complex)");
    n = one_f4(buf, sizeof buf, "{'descr': '|O', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '|O' (object arrays)");
    n = one_f4(buf, sizeof buf, "{'descr': '<f2', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<f2' (float16)");
    n = one_f4(buf, sizeof buf, "{'descr': '<f16', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<f16' (unsupported float size)");
    n = one_f4(buf, sizeof buf, "{'descr': '|b1', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '|b1' (bool)");
    n = one_f4(buf, sizeof buf, "{'descr': '<U3', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<U3' (unicode strings)");
    n = one_f4(buf, sizeof buf, "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<M8[ns]' (datetime)");
    n = one_f4(buf, sizeof buf, "{'descr': '<i3', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<i3' (unsupported integer size)");
    n = one_f4(buf, sizeof buf, "{'descr': '|f4', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '|f4' (byte order '|' on a multi-byte type)");
    n = one_f4(buf, sizeof buf, "{'descr': 'float32', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype 'float32' (unknown type code)");
    n = one_f4(buf, sizeof buf, "{'descr': '<f4 ', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<f4 ' (unknown type code)");
    n = one_f4(buf, sizeof buf, "{'descr': '', 'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '' (empty)");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4-and-a-very-long-descr-that-gets-cut-in-the-message', "
               "'fortran_order': False, 'shape': ()}");
    PARSE_FAILS(buf, n, "unsupported dtype '<f4-and-a-very-long-descr-that-gets-...' (unknown");
    n = one_f4(buf, sizeof buf,
               "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,)}");
    PARSE_FAILS(buf, n, "unsupported dtype: structured (descr is a list)");

    /* shapes */
    n = one_f4(buf, sizeof buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -1)}");
    PARSE_FAILS(buf, n, "invalid shape: negative dimension");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}");
    PARSE_FAILS(buf, n, "invalid shape: dimension too large");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}");
    PARSE_FAILS(buf, n, "invalid shape (4294967296, 4294967296): element count overflows");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,)}");
    PARSE_FAILS(buf, n, "invalid shape (2305843009213693952,): byte size overflows");
    /* numpy's rule: even an empty array may not overflow in its non-zero dimensions */
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296)}");
    PARSE_FAILS(buf, n, "element count overflows");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1)}");
    PARSE_FAILS(buf, n, "unsupported shape: more than 8 dimensions");
    n = one_f4(buf, sizeof buf,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000)}");
    PARSE_FAILS(buf, n, "truncated: 4 bytes of data for 1000000000000 float32 (4000000000000 bytes)");

    /* data */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }",
                 d, 36);
    PARSE_FAILS(buf, n, "truncated: 36 bytes of data for 9 float64 (72 bytes)");
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }",
                 d, 71);
    PARSE_FAILS(buf, n, "truncated: 71 bytes of data for 9 float64 (72 bytes)");
    PARSE_FAILS(real_i2_3x4, sizeof real_i2_3x4 - 1,
                "truncated: 23 bytes of data for 12 int16 (24 bytes)");

    /* NULL out, NULL err, tiny err: no crash */
    n = npy_file(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }",
                 d, 72);
    CHECK(cnnf_npy_parse(buf, n, NULL, err, sizeof err) == -1);
    CHECK(cnnf_npy_parse(buf, 40, &a, NULL, 0) == -1 && a.data == NULL);
    CHECK(cnnf_npy_parse(buf, 40, &a, err, 5) == -1 &&
          strlen(err) == 4);
    cnnf_array_free(NULL);
    memset(&a, 0, sizeof a);
    cnnf_array_free(&a);
}

/* ---- cnnf_npy_load ---------------------------------------------------------------------- */

static void test_load(const char *dir)
{
    char path[1024], err[1280];
    cnnf_array a;
    FILE *f;

    snprintf(path, sizeof path, "%s/test_cnnfilter_npy_no_such_file.npy", dir);
    CHECK(cnnf_npy_load(path, 1u << 30, &a, err, sizeof err) == -1);
    CHECK(a.data == NULL && strstr(err, path) == err && strstr(err, "cannot open") != NULL);

    snprintf(path, sizeof path, "%s/test_cnnfilter_npy_tmp.npy", dir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    CHECK(fwrite(real_i2_3x4, 1, sizeof real_i2_3x4, f) == sizeof real_i2_3x4);
    CHECK(fclose(f) == 0);

    /* one byte over the limit is refused before anything is parsed */
    CHECK(cnnf_npy_load(path, sizeof real_i2_3x4 - 1, &a, err, sizeof err) == -1);
    CHECK(a.data == NULL && strstr(err, path) == err && strstr(err, "over the limit of 151") != NULL);
    /* exactly at the limit is fine */
    CHECK(cnnf_npy_load(path, sizeof real_i2_3x4, &a, err, sizeof err) == 0);
    CHECK(a.ndim == 2 && a.count == 12 && a.data != NULL && a.data[0] == -32768.0f &&
          a.data[11] == 8.0f);
    cnnf_array_free(&a);
    CHECK(cnnf_npy_load(path, SIZE_MAX, &a, err, sizeof err) == 0 && a.count == 12);
    cnnf_array_free(&a);

    /* parse errors are prefixed with the path */
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fwrite(real_i2_3x4, 1, 100, f) == 100);
        CHECK(fclose(f) == 0);
        CHECK(cnnf_npy_load(path, 1u << 30, &a, err, sizeof err) == -1);
        CHECK(a.data == NULL && strstr(err, path) == err &&
              strstr(err, ": header length 118 runs past the end of the file (100 bytes)") != NULL);
    }
    f = fopen(path, "wb");
    if (f != NULL)
        CHECK(fclose(f) == 0);
    CHECK(cnnf_npy_load(path, 1u << 30, &a, err, sizeof err) == -1);
    CHECK(strstr(err, "not a .npy file (empty)") != NULL);
    remove(path);

    /* a directory: refused one way or another (cannot open / read error), never parsed */
    CHECK(cnnf_npy_load(dir, 1u << 30, &a, err, sizeof err) == -1);
    CHECK(a.data == NULL && strstr(err, dir) == err);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    test_f4_3x3();
    test_f8_2x2();
    test_big_endian();
    test_fortran();
    test_shapes();
    test_integers();
    test_versions_and_syntax();
    test_real_numpy_files();
    test_refusals();
    test_load(dir);
    return counting_check_exit("test_cnnfilter_npy");
}
