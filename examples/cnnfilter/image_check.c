/* The structure checks cnnfilter makes before stb_image decodes a file (see image_check.h). */
#include "image_check.h"
#include "fail.h"
#include "image_io.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* stb_image's PNM header syntax: blanks are the six of isspace(); a comment runs from '#' to
 * a CR or LF. */
static int pnm_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* A PGM/PPM header number for a message: numbers are kept up to 2^31 (PNM_CAP). */
#define PNM_CAP ((uint64_t)1 << 31)
static const char *pnm_number(uint64_t v, char *buf, size_t size)
{
    if (v >= PNM_CAP)
        return "2147483648 or more";
    snprintf(buf, size, "%llu", (unsigned long long)v);
    return buf;
}

/* Binary PGM/PPM (P5/P6): width, height and maxval within our limits (stb_image 2.27 reads
 * them into an int that overflows), and the file as long as they promise (stb_image decodes a
 * short file, leaving the missing pixels uninitialized). */
static int check_pnm(const unsigned char *b, size_t size, const char *name, char *err,
                     size_t err_size)
{
    uint64_t v[3] = {0, 0, 0}; /* width, height, maxval */
    size_t i = 2;
    for (int k = 0; k < 3; k++) {
        for (;;) {
            while (i < size && pnm_blank(b[i]))
                i++;
            if (i >= size || b[i] != '#')
                break;
            while (i < size && b[i] != '\n' && b[i] != '\r')
                i++;
        }
        if (i >= size || b[i] < '0' || b[i] > '9')
            return cnnf_fail(err, err_size,
                             "%s: damaged PGM/PPM header (width, height and maxval)", name);
        for (; i < size && b[i] >= '0' && b[i] <= '9'; i++) /* saturating */
            v[k] = v[k] < PNM_CAP ? v[k] * 10 + (uint64_t)(b[i] - '0') : PNM_CAP;
    }
    i++; /* the one blank after maxval */
    char n0[24], n1[24];
    if (v[0] < 1 || v[1] < 1 || v[0] > CNNF_MAX_SIDE || v[1] > CNNF_MAX_SIDE ||
        v[0] * v[1] > CNNF_MAX_PIXELS)
        return cnnf_fail(err, err_size,
                         "%s: %s x %s pixels, over the limit of %d a side and %d Mpixel", name,
                         pnm_number(v[0], n0, sizeof n0), pnm_number(v[1], n1, sizeof n1),
                         CNNF_MAX_SIDE, CNNF_MAX_PIXELS >> 20);
    if (v[2] < 1 || v[2] > 65535)
        return cnnf_fail(err, err_size, "%s: damaged PGM/PPM header: maxval %s (1 to 65535)",
                         name, pnm_number(v[2], n0, sizeof n0));
    const uint64_t channels = b[1] == '6' ? 3 : 1, sample = v[2] > 255 ? 2 : 1;
    const uint64_t need = (uint64_t)i + v[0] * v[1] * channels * sample;
    if (need > size)
        return cnnf_fail(err, err_size, "%s: truncated: %zu bytes, its PGM/PPM header promises "
                         "%llu", name, size, (unsigned long long)need);
    return 0;
}

/* Byte i of the file, 0 past its end (as stb_image reads a short file). */
static unsigned byte_at(const unsigned char *b, size_t size, size_t i)
{
    return i < size ? b[i] : 0;
}

static uint32_t le32(const unsigned char *b, size_t size, size_t i)
{
    return (uint32_t)byte_at(b, size, i + 3) << 24 | (uint32_t)byte_at(b, size, i + 2) << 16 |
           (uint32_t)byte_at(b, size, i + 1) << 8 | byte_at(b, size, i);
}

/* Whether palette index v of pixel i of a BMP row is out of a palette of `colours` entries. */
static int bmp_index_bad(const unsigned char *row, int bpp, int64_t i, int64_t colours)
{
    const unsigned char byte = row[i * bpp / 8];
    const int v = bpp == 8 ? byte : bpp == 4 ? (i & 1 ? byte & 15 : byte >> 4)
                                             : byte >> (7 - (int)(i & 7)) & 1;
    return v >= colours;
}

/* BMP with a palette (1, 4 or 8 bits a pixel, uncompressed): stb_image 2.27 keeps the palette
 * in a stack array it does not clear, so a pixel whose index is past the palette the file holds
 * (or a header whose offset leaves no palette) would copy stack memory into the image. The
 * palette's size is worked out as stb_image does, from the pixel data's offset; every pixel the
 * file holds must index into it (stb_image reads bytes past the end as 0). Other BMPs pass
 * (stb_image refuses the kinds it cannot read). */
static int check_bmp(const unsigned char *b, size_t size, const char *name, char *err,
                     size_t err_size)
{
    const int64_t offset = (int32_t)le32(b, size, 10), hsz = le32(b, size, 14);
    if (hsz != 12 && hsz != 40 && hsz != 56 && hsz != 108 && hsz != 124)
        return 0;
    const int64_t w = hsz == 12 ? (int64_t)(byte_at(b, size, 18) | byte_at(b, size, 19) << 8)
                                : (int32_t)le32(b, size, 18);
    int64_t h = hsz == 12 ? (int64_t)(byte_at(b, size, 20) | byte_at(b, size, 21) << 8)
                          : (int32_t)le32(b, size, 22);
    h = h < 0 ? -h : h;
    const size_t bpp_at = hsz == 12 ? 24 : 28;
    const unsigned bpp = byte_at(b, size, bpp_at) | byte_at(b, size, bpp_at + 1) << 8;
    /* stb_image refuses compressions 1, 2 and 4 or more (3 needs 16 or 32 bits a pixel), and
     * reads the others, negative ones included, as uncompressed. */
    const int32_t compress = hsz == 12 ? 0 : (int32_t)le32(b, size, 30);
    if ((bpp != 1 && bpp != 4 && bpp != 8) || compress > 0)
        return 0;
    if (w < 1 || h < 1 || w > CNNF_MAX_SIDE || h > CNNF_MAX_SIDE)
        return 0; /* refused for its size anyway */
    const int64_t colours = hsz == 12 ? (offset - 38) / 3 : (offset - 14 - hsz) / 4;
    if (colours < 1 || colours > 256 || offset - 14 - hsz < 0)
        return cnnf_fail(err, err_size, "%s: damaged BMP: no palette before its pixels", name);
    if (colours >= (1 << bpp))
        return 0;
    const int64_t row_bytes = (w * bpp + 7) / 8, stride = (row_bytes + 3) / 4 * 4;
    for (int64_t y = 0; y < h && (uint64_t)offset + (uint64_t)(y * stride) < size; y++) {
        const unsigned char *row = b + offset + y * stride;
        const int64_t have = (int64_t)(size - (size_t)offset - (size_t)(y * stride));
        for (int64_t i = 0; i < w && i * bpp / 8 < have; i++)
            if (bmp_index_bad(row, bpp, i, colours))
                return cnnf_fail(err, err_size,
                                 "%s: damaged BMP: a pixel's colour is past its palette of %lld",
                                 name, (long long)colours);
    }
    return 0;
}

/* What a JPEG has defined so far, as its segments are read in order (stb_image keeps its
 * tables in memory it does not clear, so an undefined one is read uninitialized). */
typedef struct jpeg_state {
    unsigned dc_tables, ac_tables, q_tables; /* bit i: table i defined */
    int frame, progressive;
    int ncomp;
    struct {
        int id, tq;
        int decoded; /* baseline: in a scan; progressive: its first DC scan seen */
    } comp[4];
} jpeg_state;

/* DQT: tables of 1 + 64 (8-bit) or 128 (16-bit) bytes. */
static int jpeg_dqt(jpeg_state *st, const unsigned char *b, size_t len, const char *name,
                    char *err, size_t err_size)
{
    for (size_t t = 0; t < len;) {
        const int precision = b[t] >> 4, index = b[t] & 15;
        const size_t bytes = 1 + (precision ? 128 : 64);
        if (precision > 1 || index > 3 || len - t < bytes)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: a bad quantization table", name);
        st->q_tables |= 1u << index;
        t += bytes;
    }
    return 0;
}

/* DHT: tables of 1 + 16 counts + the codes' values; at most 256 codes (stb_image writes past
 * its table for more). */
static int jpeg_dht(jpeg_state *st, const unsigned char *b, size_t len, const char *name,
                    char *err, size_t err_size)
{
    for (size_t t = 0; t < len;) {
        if (len - t < 17)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: a short Huffman table", name);
        const int class = b[t] >> 4, index = b[t] & 15;
        if (class > 1 || index > 3)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: Huffman table class %d index %d",
                             name, class, index);
        size_t codes = 0;
        for (int i = 1; i <= 16; i++)
            codes += b[t + (size_t)i];
        if (codes > 256 || codes > len - t - 17)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: a Huffman table of %zu codes",
                             name, codes);
        if (class == 0)
            st->dc_tables |= 1u << index;
        else
            st->ac_tables |= 1u << index;
        t += 17 + codes;
    }
    return 0;
}

/* SOF0/1/2: precision, height, width, then id, sampling, table per component. */
static int jpeg_frame(jpeg_state *st, unsigned char marker, const unsigned char *b, size_t len,
                      const char *name, char *err, size_t err_size)
{
    if (st->frame)
        return cnnf_fail(err, err_size, "%s: damaged JPEG: a second frame header", name);
    const int n = len >= 6 ? b[5] : 0;
    if (n < 1 || n > 4 || len != 6 + 3 * (size_t)n)
        return cnnf_fail(err, err_size, "%s: damaged JPEG: a bad frame header", name);
    st->frame = 1;
    st->progressive = marker == 0xc2;
    st->ncomp = n;
    for (int i = 0; i < n; i++) {
        st->comp[i].id = b[6 + 3 * i];
        st->comp[i].tq = b[8 + 3 * i] & 15;
        st->comp[i].decoded = 0;
    }
    return 0;
}

/* SOS: the tables each of its components decodes with must be defined by now. */
static int jpeg_scan(jpeg_state *st, const unsigned char *b, size_t len, const char *name,
                     char *err, size_t err_size)
{
    if (!st->frame)
        return cnnf_fail(err, err_size, "%s: damaged JPEG: a scan before the frame header",
                         name);
    const int n = len >= 1 ? b[0] : 0;
    if (n < 1 || n > st->ncomp || len != 4 + 2 * (size_t)n)
        return cnnf_fail(err, err_size, "%s: damaged JPEG: a bad scan header", name);
    const int ss = b[1 + 2 * n], ah = b[3 + 2 * n] >> 4;
    for (int s = 0; s < n; s++) {
        const int id = b[1 + 2 * s], td = b[2 + 2 * s] >> 4, ta = b[2 + 2 * s] & 15;
        int c = 0;
        while (c < st->ncomp && st->comp[c].id != id) /* the first match, as stb_image */
            c++;
        if (c == st->ncomp)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: a scan of component %d, not in "
                             "the frame", name, id);
        if (!(st->q_tables >> st->comp[c].tq & 1))
            return cnnf_fail(err, err_size, "%s: damaged JPEG: component %d uses quantization "
                             "table %d, never defined", name, id, st->comp[c].tq);
        const int first_dc = st->progressive && ss == 0 && ah == 0;
        const int uses_dc = !st->progressive || first_dc, uses_ac = !st->progressive || ss > 0;
        if (td > 3 || ta > 3 || (uses_dc && !(st->dc_tables >> td & 1)) ||
            (uses_ac && !(st->ac_tables >> ta & 1)))
            return cnnf_fail(err, err_size, "%s: damaged JPEG: a scan of component %d uses a "
                             "Huffman table never defined", name, id);
        if (st->progressive && !first_dc && !st->comp[c].decoded)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: a scan refines component %d "
                             "before its first DC scan", name, id);
        if (!st->progressive || first_dc)
            st->comp[c].decoded = 1;
    }
    return 0;
}

static int check_jpeg(const unsigned char *b, size_t size, const char *name, char *err,
                      size_t err_size)
{
    jpeg_state st;
    memset(&st, 0, sizeof st);
    size_t at = 2;
    while (at + 4 <= size) {
        if (b[at] != 0xff)
            return cnnf_fail(err, err_size, "%s: damaged JPEG: no marker at byte %zu", name, at);
        const unsigned char m = b[at + 1];
        if (m == 0xd9) /* EOI */
            break;
        if (m == 0x01 || m == 0xff || (m >= 0xd0 && m <= 0xd7)) { /* no length */
            at += m == 0xff ? 1 : 2;
            continue;
        }
        const size_t len = (size_t)b[at + 2] << 8 | b[at + 3];
        if (len < 2 || len > size - at - 2)
            return cnnf_fail(err, err_size,
                             "%s: damaged or truncated JPEG: a segment of %zu bytes at "
                             "byte %zu",
                             name, len, at);
        const unsigned char *body = b + at + 4;
        const size_t body_len = len - 2;
        int rc = 0;
        if (m == 0xdb)
            rc = jpeg_dqt(&st, body, body_len, name, err, err_size);
        else if (m == 0xc4)
            rc = jpeg_dht(&st, body, body_len, name, err, err_size);
        else if (m == 0xc0 || m == 0xc1 || m == 0xc2)
            rc = jpeg_frame(&st, m, body, body_len, name, err, err_size);
        else if (m == 0xda)
            rc = jpeg_scan(&st, body, body_len, name, err, err_size);
        if (rc)
            return rc;
        at += 2 + len;
        if (m == 0xda) { /* entropy-coded data to the next marker other than RSTn */
            while (at + 1 < size &&
                   !(b[at] == 0xff && b[at + 1] != 0 && !(b[at + 1] >= 0xd0 && b[at + 1] <= 0xd7)))
                at++;
        }
    }
    for (int c = 0; c < st.ncomp; c++)
        if (!st.comp[c].decoded)
            return cnnf_fail(err, err_size,
                             "%s: damaged or truncated JPEG: no scan decodes component %d", name,
                             st.comp[c].id);
    return 0;
}

int cnnf_image_check(const unsigned char *b, size_t size, const char *name, char *err,
                     size_t err_size)
{
    if (size >= 4 && b[0] == 0xff && b[1] == 0xd8)
        return check_jpeg(b, size, name, err, err_size);
    if (size >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6'))
        return check_pnm(b, size, name, err, err_size);
    if (size >= 2 && b[0] == 'B' && b[1] == 'M')
        return check_bmp(b, size, name, err, err_size);
    /* Only these reach stb_image, which would try its other decoders (GIF, PSD, PIC, HDR, TGA)
     * on anything else; PNG files go to libpng and never come here. */
    return cnnf_fail(err, err_size, "%s: not an image cnnfilter reads (PNG, JPEG, BMP, PGM/PPM)",
                     name);
}
