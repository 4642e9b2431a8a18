/*
 * Tests of what cnnfilter checks in a file before stb_image decodes it
 * (examples/cnnfilter/image_check.c):
 *
 *     test_cnnfilter_image_check DATA_DIR      (tests/data/jpeg)
 *
 * JPEG: progressive.jpg (ten scans: DC first and refinement, spectral bands, AC refinement;
 * 4:2:0) and baseline.jpg are one 40 x 24 picture (ImageMagick, quality 85): both must decode,
 * to the same pixels. Then progressive.jpg is damaged one way at a time, each a way that made
 * stb_image 2.27 decode with memory it never set (an undefined table, a component no scan
 * decodes), and each must be refused with its message and an untouched image.
 * BMP: an 8-bit image with a two-colour palette decodes to its colours; a pixel past the
 * palette, or an offset that leaves no room for one, is refused (stb_image would copy stack
 * memory). PGM/PPM headers: numbers past the limits are refused before stb reads them; PNG
 * (libpng): a header past the limits is refused before any pixel, a truncated file cleanly.
 * Exit code 0 on success, 1 on failure; each failure prints "FAILED: file:line ...".
 */
#include "counting_check.h"
#include "image_io.h"

#include <zlib.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A PNG's signature and IHDR (8-bit RGB, side x side) with its CRC, and nothing after: 33
 * bytes. */
static void png_header(unsigned char png[33], uint32_t side)
{
    static const unsigned char start[29] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0,
                                            0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 0, 0, 0, 0,
                                            0, 8, 2, 0, 0, 0};
    memcpy(png, start, sizeof start);
    for (int i = 0; i < 4; i++)
        png[16 + i] = png[20 + i] = (unsigned char)(side >> (24 - 8 * i));
    const uLong crc = crc32(0L, png + 12, 17);
    for (int i = 0; i < 4; i++)
        png[29 + i] = (unsigned char)(crc >> (24 - 8 * i));
}

/* The whole file, malloc'ed; NULL when it cannot be read. */
static unsigned char *read_file(const char *dir, const char *name, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("FAILED: cannot open %s\n", path);
        failures++;
        return NULL;
    }
    unsigned char *b = malloc(1 << 16);
    *size = b ? fread(b, 1, 1 << 16, f) : 0;
    fclose(f);
    return b;
}

/* The offset of the first segment with this marker among those before the first scan's data
 * (the first SOS included); 0 when there is none. */
static size_t segment_at(const unsigned char *b, size_t size, unsigned char marker)
{
    for (size_t at = 2; at + 4 <= size && b[at] == 0xff;) {
        if (b[at + 1] == marker)
            return at;
        if (b[at + 1] == 0xda)
            return 0;
        at += 2 + ((size_t)b[at + 2] << 8 | b[at + 3]);
    }
    return 0;
}

/* Refused, the message naming the file and the reason, the image left zeroed. */
static void expect_refused(const unsigned char *b, size_t size, const char *what,
                           const char *reason)
{
    cnnf_image img;
    char err[512] = "";
    const int rc = cnnf_image_decode(b, size, what, CNNF_ALPHA_DROP, &img, err, sizeof err);
    if (rc == 0) {
        printf("FAILED: %s: decoded, expected \"%s\"\n", what, reason);
        failures++;
        cnnf_image_free(&img);
        return;
    }
    if (!strstr(err, what) || !strstr(err, reason)) {
        printf("FAILED: %s: \"%s\", expected \"%s\"\n", what, err, reason);
        failures++;
    }
    CHECK(img.data == NULL && img.c == 0 && img.h == 0 && img.w == 0);
}

static void test_progressive_equals_baseline(const unsigned char *prog, size_t prog_size,
                                             const unsigned char *base, size_t base_size)
{
    cnnf_image p, q;
    char err[512];
    CHECK(cnnf_image_decode(prog, prog_size, "progressive.jpg", CNNF_ALPHA_DROP, &p, err,
                            sizeof err) == 0);
    CHECK(cnnf_image_decode(base, base_size, "baseline.jpg", CNNF_ALPHA_DROP, &q, err,
                            sizeof err) == 0);
    CHECK(p.c == 3 && p.h == 24 && p.w == 40);
    CHECK(q.c == 3 && q.h == 24 && q.w == 40);
    if (p.data && q.data && p.c == q.c && p.h == q.h && p.w == q.w)
        CHECK(memcmp(p.data, q.data, sizeof(float) * 3 * 24 * 40) == 0);
    cnnf_image_free(&p);
    cnnf_image_free(&q);
}

static void test_damaged(const unsigned char *good, size_t size)
{
    unsigned char *b = malloc(size + 64);
    if (!b)
        return;
    const size_t sof = segment_at(good, size, 0xc2), sos = segment_at(good, size, 0xda);
    const size_t dht = segment_at(good, size, 0xc4), dqt = segment_at(good, size, 0xdb);
    CHECK(sof && sos && dht && dqt);
    /* The first scan: the DC coefficients of components 1, 2, 3 (tables 0, 1, 1), Ah 0, Al 1. */
    CHECK(good[sos + 4] == 3 && good[sos + 5] == 1 && good[sos + 7] == 2 &&
          good[sos + 8] == 0x10 && good[sos + 13] == 0x01);
    if (!sof || !sos || !dht || !dqt) {
        free(b);
        return;
    }

    memcpy(b, good, size); /* component 1 reads quantization table 3 (two are defined) */
    b[sof + 4 + 8] = 3;
    expect_refused(b, size, "tq.jpg", "component 1 uses quantization table 3, never defined");

    memcpy(b, good, size); /* the first scan decodes component 2 with DC table 3 */
    b[sos + 8] = 0x30;
    expect_refused(b, size, "td.jpg",
                   "a scan of component 2 uses a Huffman table never defined");

    memcpy(b, good, size); /* the first scan refines (Ah 1): no DC scan came before it */
    b[sos + 13] = 0x11;
    expect_refused(b, size, "ah.jpg", "a scan refines component 1 before its first DC scan");

    memcpy(b, good, sos); /* every segment before the first scan, then the end */
    b[sos] = 0xff;
    b[sos + 1] = 0xd9;
    expect_refused(b, sos + 2, "no-scan.jpg", "no scan decodes component 1");

    const size_t sof_len = 2 + ((size_t)good[sof + 2] << 8 | good[sof + 3]);
    memcpy(b, good, sof + sof_len); /* the frame header twice */
    memcpy(b + sof + sof_len, good + sof, size - sof);
    expect_refused(b, size + sof_len, "two-frames.jpg", "a second frame header");

    memcpy(b, good, size); /* a Huffman table of class 2 */
    b[dht + 4] = 0x20;
    expect_refused(b, size, "class.jpg", "Huffman table class 2 index 0");

    memcpy(b, good, size); /* a quantization table of precision 2 */
    b[dqt + 4] = 0x20;
    expect_refused(b, size, "dqt.jpg", "a bad quantization table");
    free(b);
}

/* A 4 x 2 BMP, 8 bits a pixel, a palette of two colours (dark red, light blue). */
static size_t small_bmp(unsigned char *b)
{
    static const unsigned char header[54] = {
        'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 62, 0, 0, 0, /* size 70, pixels at 62 */
        40, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 1, 0, 8, 0, /* 4 x 2, 1 plane, 8 bits */
        0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    static const unsigned char palette[8] = {0, 0, 128, 0, 255, 200, 100, 0}; /* B, G, R, 0 */
    static const unsigned char pixels[8] = {0, 1, 1, 0, 1, 0, 0, 1};
    memcpy(b, header, sizeof header);
    memcpy(b + 54, palette, sizeof palette);
    memcpy(b + 62, pixels, sizeof pixels);
    return 70;
}

static void test_bmp_palette(void)
{
    unsigned char b[70];
    const size_t n = small_bmp(b);
    cnnf_image img;
    char err[512];
    CHECK(cnnf_image_decode(b, n, "palette.bmp", CNNF_ALPHA_DROP, &img, err, sizeof err) == 0);
    if (img.data) {
        /* The last row of the file is the top row: pixels 1, 0, 0, 1. */
        CHECK(img.c == 3 && img.h == 2 && img.w == 4);
        CHECK(img.data[0] == 100 && img.data[8 + 0] == 200 && img.data[16 + 0] == 255);
        CHECK(img.data[1] == 128 && img.data[8 + 1] == 0 && img.data[16 + 1] == 0);
        cnnf_image_free(&img);
    }
    b[62 + 5] = 2; /* colour 2 of 2 */
    expect_refused(b, n, "past.bmp", "a pixel's colour is past its palette of 2");
    b[30] = b[31] = b[32] = b[33] = 0xff; /* compression -1: stb_image reads it as none */
    expect_refused(b, n, "past-1.bmp", "a pixel's colour is past its palette of 2");
    small_bmp(b);
    b[10] = 30; /* pixels at byte 30: inside the header, no palette */
    expect_refused(b, n, "offset.bmp", "no palette before its pixels");
}

static void test_header_numbers(void)
{
    /* stb_image 2.27 reads these numbers into an int that overflows */
    static const char pgm[] = "P5\n4 3\n200400000000000\n0123456789ab";
    expect_refused((const unsigned char *)pgm, sizeof pgm - 1, "maxval.pgm",
                   "maxval 2147483648 or more (1 to 65535)");
    static const char ppm[] = "P6\n99999 3\n255\n";
    expect_refused((const unsigned char *)ppm, sizeof ppm - 1, "wide.ppm",
                   "99999 x 3 pixels, over the limit");
    /* A PNG header claiming 65536 x 65536 pixels: refused before libpng reads on. One of
     * 256 x 256 with nothing after it: libpng's error, cleanly. */
    unsigned char png[33];
    png_header(png, 65536);
    expect_refused(png, sizeof png, "big.png", "65536 x 65536 pixels, over the limit");
    png_header(png, 256);
    expect_refused(png, sizeof png, "short.png", "damaged or truncated PNG (the file ends early)");
    expect_refused((const unsigned char *)"GIF89a....", 10, "anim.gif",
                   "not an image cnnfilter reads");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: test_cnnfilter_image_check DATA_DIR\n");
        return 2;
    }
    size_t prog_size = 0, base_size = 0;
    unsigned char *prog = read_file(argv[1], "progressive.jpg", &prog_size);
    unsigned char *base = read_file(argv[1], "baseline.jpg", &base_size);
    if (prog && base) {
        test_progressive_equals_baseline(prog, prog_size, base, base_size);
        test_damaged(prog, prog_size);
    }
    test_bmp_palette();
    test_header_numbers();
    free(prog);
    free(base);
    return counting_check_exit("test_cnnfilter_image_check");
}
