/*
 * npy.c - strict NumPy .npy reader for cnnfilter (see npy.h for what is accepted and refused).
 *
 * Layout (numpy/lib/format.py): "\x93NUMPY", major, minor, header length (uint16 LE for 1.0,
 * uint32 LE for 2.0/3.0), a Python dict literal padded with spaces and ending in '\n', then the
 * raw array data. The dict is parsed by a small hand-written scanner (no eval); every value is
 * read byte by byte and assembled arithmetically, so no unaligned or type-punned loads occur and
 * the result does not depend on the host's byte order.
 */
#include "npy.h"
#include "fail.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values are assembled into uint32/uint64 and memcpy'd into float/double: needs IEEE sizes. */
_Static_assert(sizeof(float) == 4, "float must be IEEE binary32");
_Static_assert(sizeof(double) == 8, "double must be IEEE binary64");

/* Copy header text into a message: non-printables as '?' (a hostile file must not put newlines
 * or terminal escapes into our one-line errors), long text cut to "abc...". */
static void show(char *dst, size_t cap, const unsigned char *s, size_t len)
{
    const size_t room = cap - 1; /* callers pass cap >= 8 */
    const int cut = len > room;
    const size_t take = cut ? room - 3 : len;
    size_t n = 0;
    for (size_t i = 0; i < take; i++)
        dst[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
    if (cut) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
}

/* "(2, 3)", "(5,)" or "()", as Python prints the tuple; cap must hold 8 dims of int64. */
static void format_shape(char *dst, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = (size_t)snprintf(dst, cap, "(");
    for (int k = 0; k < ndim && n < cap; k++)
        n += (size_t)snprintf(dst + n, cap - n, "%s%" PRId64, k ? ", " : "", shape[k]);
    if (n < cap)
        snprintf(dst + n, cap - n, "%s)", ndim == 1 ? "," : "");
}

/* ---- dtype ------------------------------------------------------------------------------ */

typedef enum { KIND_FLOAT, KIND_INT, KIND_UINT } npy_kind;

typedef struct {
    npy_kind kind;
    int size; /* bytes per element: 1, 2, 4 or 8 */
    int big_endian;
    const char *name; /* for messages: "float64" */
} npy_dtype;

static const char *dtype_name(npy_kind kind, int size)
{
    static const char *const f[] = {"float32", "float64"};
    static const char *const i[] = {"int8", "int16", "int32", "int64"};
    static const char *const u[] = {"uint8", "uint16", "uint32", "uint64"};
    const int l = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    if (kind == KIND_FLOAT)
        return f[size == 8];
    return kind == KIND_INT ? i[l] : u[l];
}

/* Why a descr is refused, by its type character (numpy's dtype.kind / typestr codes). */
static const char *unsupported_kind(unsigned char c)
{
    switch (c) {
    case 'c': return "complex";
    case 'O': return "object arrays";
    case 'b':
    case '?': return "bool";
    case 'U': return "unicode strings";
    case 'S':
    case 'a': return "byte strings";
    case 'V': return "void or structured";
    case 'M': return "datetime";
    case 'm': return "timedelta";
    default: return NULL;
    }
}

static int parse_descr(const unsigned char *s, size_t len, npy_dtype *dt, char *err,
                       size_t err_size)
{
    char shown[40];
    size_t i = 0;
    unsigned char order = '=';
    unsigned char kind = 0;
    int size = 0, digits = 0;
    const char *why = NULL;

    show(shown, sizeof shown, s, len);
    if (i < len && (s[i] == '<' || s[i] == '>' || s[i] == '|' || s[i] == '='))
        order = s[i++];
    if (i < len)
        kind = s[i++];
    while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 3) {
        size = size * 10 + (s[i++] - '0');
        digits++;
    }
    if (kind == 0) {
        why = "empty";
    } else if ((why = unsupported_kind(kind)) != NULL) {
        /* named above */
    } else if ((kind != 'f' && kind != 'i' && kind != 'u') || i != len || digits == 0) {
        why = "unknown type code";
    } else if (kind == 'f' && size == 2) {
        why = "float16";
    } else if (kind == 'f' && size != 4 && size != 8) {
        why = "unsupported float size";
    } else if (size != 1 && size != 2 && size != 4 && size != 8) {
        why = "unsupported integer size";
    } else if (order == '|' && size > 1) {
        /* numpy writes '|' only for 1-byte types; for wider ones the byte order is unknown */
        why = "byte order '|' on a multi-byte type";
    }
    if (why != NULL) {
        cnnf_fail(err, err_size, "unsupported dtype '%s' (%s)", shown, why);
        return -1;
    }
    dt->kind = kind == 'f' ? KIND_FLOAT : kind == 'i' ? KIND_INT : KIND_UINT;
    dt->size = size;
    dt->big_endian = order == '>'; /* '=' and no order char: native, little endian here */
    dt->name = dtype_name(dt->kind, size);
    return 0;
}

/* The element at p as an unsigned integer of dt->size bytes in the file's byte order. */
static uint64_t load_bits(const unsigned char *p, const npy_dtype *dt)
{
    uint64_t u = 0;
    for (int k = 0; k < dt->size; k++)
        u = (u << 8) | p[dt->big_endian ? k : dt->size - 1 - k];
    return u;
}

static float to_float(const unsigned char *p, const npy_dtype *dt)
{
    uint64_t u = load_bits(p, dt);
    switch (dt->kind) {
    case KIND_FLOAT:
        if (dt->size == 4) {
            const uint32_t w = (uint32_t)u;
            float f;
            memcpy(&f, &w, sizeof f);
            return f;
        } else {
            double d;
            memcpy(&d, &u, sizeof d);
            /* IEEE (Annex F) conversion: rounds, overflows to +-Inf, keeps NaN */
            return (float)d;
        }
    case KIND_INT: {
        const int bits = 8 * dt->size;
        int64_t s;
        if (bits < 64 && ((u >> (bits - 1)) & 1u))
            u |= ~((UINT64_C(1) << bits) - 1); /* sign-extend */
        /* two's complement to int64 without the implementation-defined unsigned->signed cast */
        s = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)~u - 1;
        return (float)s;
    }
    case KIND_UINT:
        return (float)u;
    }
    return 0.0f;
}

/* ---- header dict ------------------------------------------------------------------------ */

typedef struct {
    const unsigned char *s;
    size_t n, i;
    char *err;
    size_t err_size;
} hdr_parser;

static int hfail(hdr_parser *h, const char *what)
{
    cnnf_fail(h->err, h->err_size, "malformed .npy header: %s (at header byte %zu)", what, h->i);
    return -1;
}

static void skip_ws(hdr_parser *h)
{
    while (h->i < h->n &&
           (h->s[h->i] == ' ' || h->s[h->i] == '\t' || h->s[h->i] == '\n' || h->s[h->i] == '\r'))
        h->i++;
}

static int at(const hdr_parser *h, char c)
{
    return h->i < h->n && h->s[h->i] == (unsigned char)c;
}

/* A '...' or "..." literal without escapes (numpy never writes any in these keys/values). */
static int parse_string(hdr_parser *h, const unsigned char **str, size_t *len)
{
    unsigned char q;
    size_t start;
    if (!at(h, '\'') && !at(h, '"'))
        return hfail(h, "expected a quoted string");
    q = h->s[h->i++];
    start = h->i;
    while (h->i < h->n && h->s[h->i] != q) {
        if (h->s[h->i] == '\\')
            return hfail(h, "escape sequences in strings are not supported");
        if (h->s[h->i] == '\n')
            return hfail(h, "unterminated string");
        h->i++;
    }
    if (h->i >= h->n)
        return hfail(h, "unterminated string");
    *str = h->s + start;
    *len = h->i - start;
    h->i++;
    return 0;
}

static int parse_bool(hdr_parser *h, int *value)
{
    static const char *const words[2] = {"False", "True"};
    for (int v = 0; v < 2; v++) {
        const size_t l = strlen(words[v]);
        if (h->n - h->i >= l && memcmp(h->s + h->i, words[v], l) == 0) {
            const size_t e = h->i + l;
            /* "Truex" is a name, not True */
            if (e < h->n && (h->s[e] == '_' || (h->s[e] >= '0' && h->s[e] <= '9') ||
                             ((h->s[e] | 0x20) >= 'a' && (h->s[e] | 0x20) <= 'z')))
                break;
            h->i = e;
            *value = v;
            return 0;
        }
    }
    return hfail(h, "fortran_order must be True or False");
}

/* A Python tuple of non-negative ints: (), (5,), (2, 3), (2, 3,). */
static int parse_shape(hdr_parser *h, int *ndim, int64_t *shape)
{
    int n = 0, commas = 0;
    if (!at(h, '('))
        return hfail(h, "shape must be a tuple");
    h->i++;
    skip_ws(h);
    while (!at(h, ')')) {
        int64_t v = 0;
        if (at(h, '-')) {
            cnnf_fail(h->err, h->err_size, "invalid shape: negative dimension in header");
            return -1;
        }
        if (!(h->i < h->n && h->s[h->i] >= '0' && h->s[h->i] <= '9'))
            return hfail(h, "expected an integer or ')' in shape");
        while (h->i < h->n && h->s[h->i] >= '0' && h->s[h->i] <= '9') {
            const int d = h->s[h->i++] - '0';
            if (v > (INT64_MAX - d) / 10) {
                cnnf_fail(h->err, h->err_size, "invalid shape: dimension too large (over 2^63-1)");
                return -1;
            }
            v = v * 10 + d;
        }
        if (at(h, 'L') || at(h, 'l'))
            h->i++; /* Python 2 numpy wrote longs as 3L */
        if (n == CNNF_NPY_MAX_DIMS) {
            cnnf_fail(h->err, h->err_size, "unsupported shape: more than %d dimensions",
                      CNNF_NPY_MAX_DIMS);
            return -1;
        }
        shape[n++] = v;
        skip_ws(h);
        if (at(h, ',')) {
            h->i++;
            commas++;
            skip_ws(h);
        } else if (!at(h, ')')) {
            return hfail(h, "expected ',' or ')' in shape");
        }
    }
    if (n == 1 && commas == 0)
        return hfail(h, "shape (n) is not a tuple, a 1-d shape is written (n,)");
    h->i++;
    *ndim = n;
    return 0;
}

typedef struct {
    const unsigned char *descr;
    size_t descr_len;
    int fortran;
    int ndim;
    int64_t shape[CNNF_NPY_MAX_DIMS];
} npy_header;

static int parse_header(hdr_parser *h, npy_header *hd)
{
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    int seen[3] = {0, 0, 0};

    skip_ws(h);
    if (!at(h, '{'))
        return hfail(h, "not a dict literal");
    h->i++;
    for (;;) {
        const unsigned char *key;
        size_t key_len;
        int k;
        skip_ws(h);
        if (at(h, '}'))
            break;
        if (parse_string(h, &key, &key_len) != 0)
            return -1;
        for (k = 0; k < 3; k++)
            if (strlen(keys[k]) == key_len && memcmp(keys[k], key, key_len) == 0)
                break;
        if (k == 3) {
            char shown[40];
            show(shown, sizeof shown, key, key_len);
            cnnf_fail(h->err, h->err_size, "malformed .npy header: unexpected key '%s'", shown);
            return -1;
        }
        if (seen[k]) {
            cnnf_fail(h->err, h->err_size, "malformed .npy header: duplicate key '%s'", keys[k]);
            return -1;
        }
        seen[k] = 1;
        skip_ws(h);
        if (!at(h, ':'))
            return hfail(h, "expected ':' after a key");
        h->i++;
        skip_ws(h);
        if (k == 0) {
            if (at(h, '[')) {
                cnnf_fail(h->err, h->err_size, "unsupported dtype: structured (descr is a list)");
                return -1;
            }
            if (parse_string(h, &hd->descr, &hd->descr_len) != 0)
                return -1;
        } else if (k == 1) {
            if (parse_bool(h, &hd->fortran) != 0)
                return -1;
        } else if (parse_shape(h, &hd->ndim, hd->shape) != 0) {
            return -1;
        }
        skip_ws(h);
        if (at(h, ','))
            h->i++;
        else if (!at(h, '}'))
            return hfail(h, "expected ',' or '}'");
    }
    h->i++;
    skip_ws(h); /* the space padding and the final '\n' */
    if (h->i != h->n)
        return hfail(h, "unexpected text after the dict");
    for (int k = 0; k < 3; k++) {
        if (!seen[k]) {
            cnnf_fail(h->err, h->err_size, "malformed .npy header: missing key '%s'", keys[k]);
            return -1;
        }
    }
    return 0;
}

/* ---- public ----------------------------------------------------------------------------- */

int cnnf_npy_parse(const unsigned char *bytes, size_t size, cnnf_array *out, char *err,
                   size_t err_size)
{
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    npy_header hd;
    npy_dtype dt;
    hdr_parser h;
    size_t pre, hlen, avail;
    const unsigned char *data;
    int64_t nonzero = 1, count = 1;
    int any_zero = 0;
    uint64_t need;
    char shp[8 * 22 + 8];
    float *f;

    if (err != NULL && err_size > 0)
        err[0] = '\0';
    if (out == NULL) {
        cnnf_fail(err, err_size, "no output array given");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (bytes == NULL || size == 0) {
        cnnf_fail(err, err_size, "not a .npy file (empty)");
        return -1;
    }
    if (memcmp(bytes, magic, size < 6 ? size : 6) != 0) {
        cnnf_fail(err, err_size, "not a .npy file (bad magic)");
        return -1;
    }
    if (size < 8) {
        cnnf_fail(err, err_size, "truncated .npy preamble (%zu bytes)", size);
        return -1;
    }
    if (bytes[6] < 1 || bytes[6] > 3 || bytes[7] != 0) {
        cnnf_fail(err, err_size, "unsupported .npy format version %u.%u (supported: 1.0, 2.0, 3.0)",
                  (unsigned)bytes[6], (unsigned)bytes[7]);
        return -1;
    }
    pre = bytes[6] == 1 ? 10 : 12;
    if (size < pre) {
        cnnf_fail(err, err_size, "truncated .npy preamble (%zu bytes)", size);
        return -1;
    }
    hlen = (size_t)bytes[8] | (size_t)bytes[9] << 8;
    if (pre == 12)
        hlen |= (size_t)bytes[10] << 16 | (size_t)((uint32_t)bytes[11] << 24);
    if (hlen > size - pre) {
        cnnf_fail(err, err_size, "header length %zu runs past the end of the file (%zu bytes)",
                  hlen, size);
        return -1;
    }

    memset(&hd, 0, sizeof hd);
    h.s = bytes + pre;
    h.n = hlen;
    h.i = 0;
    h.err = err;
    h.err_size = err_size;
    if (parse_header(&h, &hd) != 0 || parse_descr(hd.descr, hd.descr_len, &dt, err, err_size) != 0)
        return -1;

    /* numpy's rule: the product of the non-zero dimensions times the item size must not
     * overflow, even when a zero dimension makes the array empty */
    format_shape(shp, sizeof shp, hd.ndim, hd.shape);
    for (int k = 0; k < hd.ndim; k++) {
        if (hd.shape[k] == 0) {
            any_zero = 1;
        } else if (nonzero > INT64_MAX / hd.shape[k]) {
            cnnf_fail(err, err_size, "invalid shape %s: element count overflows", shp);
            return -1;
        } else {
            nonzero *= hd.shape[k];
        }
    }
    if (nonzero > INT64_MAX / dt.size) {
        cnnf_fail(err, err_size, "invalid shape %s: byte size overflows", shp);
        return -1;
    }
    count = any_zero ? 0 : nonzero;
    need = (uint64_t)count * (uint64_t)dt.size;
    data = bytes + pre + hlen;
    avail = size - pre - hlen;
    if ((uint64_t)avail < need) {
        cnnf_fail(err, err_size,
                  "truncated: %zu bytes of data for %" PRId64 " %s (%" PRIu64 " bytes)", avail,
                  count, dt.name, need);
        return -1;
    }
    /* count <= avail here, so it fits size_t; the float copy may still not (32-bit hosts) */
    if ((size_t)count > SIZE_MAX / sizeof(float)) {
        cnnf_fail(err, err_size, "array %s too large for this platform", shp);
        return -1;
    }
    f = malloc((count > 0 ? (size_t)count : 1) * sizeof(float));
    if (f == NULL) {
        cnnf_fail(err, err_size, "out of memory for %" PRId64 " floats", count);
        return -1;
    }

    if (!hd.fortran || hd.ndim < 2 || count == 0) {
        for (int64_t e = 0; e < count; e++)
            f[e] = to_float(data + (size_t)e * (size_t)dt.size, &dt);
    } else {
        /* Fortran order: dimension 0 varies fastest in the file. Walk the C-order output with
         * an odometer and keep the matching file offset (in elements) up to date. */
        size_t fstride[CNNF_NPY_MAX_DIMS], idx[CNNF_NPY_MAX_DIMS], src = 0;
        fstride[0] = 1;
        for (int k = 1; k < hd.ndim; k++)
            fstride[k] = fstride[k - 1] * (size_t)hd.shape[k - 1];
        memset(idx, 0, sizeof idx);
        for (int64_t e = 0; e < count; e++) {
            f[e] = to_float(data + src * (size_t)dt.size, &dt);
            for (int k = hd.ndim - 1; k >= 0; k--) {
                src += fstride[k];
                if (++idx[k] < (size_t)hd.shape[k])
                    break;
                src -= fstride[k] * idx[k];
                idx[k] = 0;
            }
        }
    }

    out->ndim = hd.ndim;
    for (int k = 0; k < hd.ndim; k++)
        out->shape[k] = hd.shape[k];
    out->count = count;
    out->data = f;
    return 0;
}

int cnnf_npy_load(const char *path, size_t max_bytes, cnnf_array *out, char *err, size_t err_size)
{
    FILE *fp;
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0;
    /* read at most max_bytes + 1 so that "one byte over" is detected without a size query */
    const size_t limit = max_bytes < SIZE_MAX ? max_bytes + 1 : SIZE_MAX;
    long pos = -1;
    char why[256];
    int rc;

    if (err != NULL && err_size > 0)
        err[0] = '\0';
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (path == NULL || out == NULL) {
        cnnf_fail(err, err_size, "no path or output array given");
        return -1;
    }
    fp = fopen(path, "rb");
    if (fp == NULL) {
        cnnf_fail(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    /* Size the buffer up front where the stream is seekable; pipes fall back to growing. */
    if (fseek(fp, 0, SEEK_END) == 0)
        pos = ftell(fp);
    if (pos >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
        /* a directory opens and "seeks" on Linux but cannot be read: say so, not its size */
        if ((fgetc(fp) == EOF && ferror(fp)) || fseek(fp, 0, SEEK_SET) != 0) {
            cnnf_fail(err, err_size, "%s: read error: %s", path, strerror(errno));
            fclose(fp);
            return -1;
        }
        if ((unsigned long)pos > max_bytes) {
            cnnf_fail(err, err_size, "%s: file is %ld bytes, over the limit of %zu bytes", path,
                      pos, max_bytes);
            fclose(fp);
            return -1;
        }
        cap = (size_t)pos + 1; /* the extra byte lets the first read see EOF */
    } else {
        clearerr(fp);
    }
    if (cap > 0 && (buf = malloc(cap)) == NULL) {
        cnnf_fail(err, err_size, "%s: out of memory reading %zu bytes", path, cap);
        fclose(fp);
        return -1;
    }
    for (;;) {
        size_t want, got;
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            unsigned char *nb;
            if (cap >= limit)
                break;
            if (ncap > limit || ncap < cap)
                ncap = limit;
            nb = realloc(buf, ncap);
            if (nb == NULL) {
                cnnf_fail(err, err_size, "%s: out of memory reading %zu bytes", path, ncap);
                free(buf);
                fclose(fp);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        want = cap - len;
        got = fread(buf + len, 1, want, fp);
        len += got;
        if (got < want) {
            if (ferror(fp)) {
                cnnf_fail(err, err_size, "%s: read error: %s", path, strerror(errno));
                free(buf);
                fclose(fp);
                return -1;
            }
            break; /* EOF */
        }
    }
    fclose(fp);
    if (len > max_bytes) {
        cnnf_fail(err, err_size, "%s: file is larger than the limit of %zu bytes", path, max_bytes);
        free(buf);
        return -1;
    }
    why[0] = '\0';
    rc = cnnf_npy_parse(buf, len, out, why, sizeof why);
    free(buf);
    if (rc != 0)
        cnnf_fail(err, err_size, "%s: %s", path, why);
    return rc;
}

void cnnf_array_free(cnnf_array *a)
{
    if (a == NULL)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}
