/* Image files for cnnfilter (see image_io.h): stb_image decodes, after our own limits on the
 * file and the dimensions it declares; stb_image_write encodes into memory, and we write the
 * file beside its destination and rename it into place. */
#define _POSIX_C_SOURCE 200809L
#include "image_io.h"
#include "fail.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Binary PGM/PPM (P5/P6): the bytes the header promises, 0 when it is not one, UINT64_MAX when
 * its header is incomplete. stb_image decodes a short P5/P6 file (or one without maxval)
 * without saying so, leaving the missing pixels uninitialized. */
static uint64_t pnm_needed(const unsigned char *b, size_t size)
{
    if (size < 3 || b[0] != 'P' || (b[1] != '5' && b[1] != '6'))
        return 0;
    const uint64_t channels = b[1] == '6' ? 3 : 1;
    uint64_t v[3] = {0, 0, 0};
    size_t i = 2;
    for (int k = 0; k < 3; k++) {
        for (;;) { /* blanks and # comments */
            while (i < size && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
                i++;
            if (i < size && b[i] == '#') {
                while (i < size && b[i] != '\n')
                    i++;
                continue;
            }
            break;
        }
        if (i >= size || b[i] < '0' || b[i] > '9')
            return UINT64_MAX; /* no width, height or maxval: stb_image would read on */
        while (i < size && b[i] >= '0' && b[i] <= '9' && v[k] < ((uint64_t)1 << 40))
            v[k] = v[k] * 10 + (uint64_t)(b[i++] - '0');
    }
    i++; /* the one blank after maxval */
    const uint64_t sample = v[2] > 255 ? 2 : 1;
    if (v[0] > CNNF_MAX_SIDE || v[1] > CNNF_MAX_SIDE)
        return 0; /* refused for its size anyway */
    return (uint64_t)i + v[0] * v[1] * channels * sample;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG: every chunk's length within the file. stb_image trusts a chunk's length and allocates
 * for it (a 75-byte file made it ask for 2 GiB). 0, or -1 with a message. */
static int check_png_chunks(const unsigned char *b, size_t size, const char *name, char *err,
                            size_t err_size)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (size < 8 || memcmp(b, sig, 8) != 0)
        return 0;
    for (size_t at = 8; at + 12 <= size;) {
        const uint64_t len = be32(b + at);
        if (len > size - at - 12)
            return cnnf_fail(err, err_size,
                             "%s: damaged or truncated PNG: a chunk of %llu bytes at "
                             "byte %zu, %zu left",
                             name, (unsigned long long)len, at, size - at - 12);
        if (!memcmp(b + at + 4, "IEND", 4))
            break;
        at += 12 + (size_t)len;
    }
    return 0;
}

/* JPEG: the segments before and between scans, and every Huffman table (DHT) holding at most
 * 256 codes. stb_image 2.27 writes past its table for more (found by fuzzing). 0, or -1. */
static int check_jpeg_segments(const unsigned char *b, size_t size, const char *name,
                               char *err, size_t err_size)
{
    if (size < 4 || b[0] != 0xff || b[1] != 0xd8)
        return 0;
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
        if (m == 0xc4) { /* DHT: tables of 1 + 16 counts + the codes' values */
            for (size_t t = at + 4, end = at + 2 + len; t < end;) {
                if (end - t < 17)
                    return cnnf_fail(err, err_size, "%s: damaged JPEG: a short Huffman table",
                                     name);
                size_t codes = 0;
                for (int i = 1; i <= 16; i++)
                    codes += b[t + (size_t)i];
                if (codes > 256 || codes > end - t - 17)
                    return cnnf_fail(err, err_size,
                                     "%s: damaged JPEG: a Huffman table of %zu codes", name, codes);
                t += 17 + codes;
            }
        }
        at += 2 + len;
        if (m == 0xda) { /* SOS: entropy-coded data to the next marker other than RSTn */
            while (at + 1 < size &&
                   !(b[at] == 0xff && b[at + 1] != 0 && !(b[at + 1] >= 0xd0 && b[at + 1] <= 0xd7)))
                at++;
        }
    }
    return 0;
}

int cnnf_image_decode(const unsigned char *bytes, size_t size, const char *name, cnnf_alpha alpha,
                      cnnf_image *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (size == 0)
        return cnnf_fail(err, err_size, "%s: empty file", name);
    if (size > (size_t)INT32_MAX)
        return cnnf_fail(err, err_size, "%s: larger than 2 GiB", name);
    if (check_png_chunks(bytes, size, name, err, err_size) ||
        check_jpeg_segments(bytes, size, name, err, err_size))
        return -1;
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(bytes, (int)size, &w, &h, &comp)) {
        /* stb refuses PNGs over 2^30 bytes decoded as not PNG at all (and then tries the other
         * formats): say what the header says instead. */
        static const unsigned char png[12] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a,
                                              0, 0, 0, 13};
        if (size >= 24 && memcmp(bytes, png, sizeof png) == 0 && !memcmp(bytes + 12, "IHDR", 4)) {
            const uint32_t pw = (uint32_t)bytes[16] << 24 | (uint32_t)bytes[17] << 16 |
                                (uint32_t)bytes[18] << 8 | bytes[19];
            const uint32_t ph = (uint32_t)bytes[20] << 24 | (uint32_t)bytes[21] << 16 |
                                (uint32_t)bytes[22] << 8 | bytes[23];
            if (pw > CNNF_MAX_SIDE || ph > CNNF_MAX_SIDE || (uint64_t)pw * ph > CNNF_MAX_PIXELS)
                return cnnf_fail(err, err_size,
                                 "%s: %u x %u pixels, over the limit of %d a side and "
                                 "%d Mpixel",
                                 name, pw, ph, CNNF_MAX_SIDE, CNNF_MAX_PIXELS >> 20);
        }
        return cnnf_fail(err, err_size,
                         "%s: not an image cnnfilter reads (PNG, JPEG, BMP, PGM/PPM): %s", name,
                         stbi_failure_reason());
    }
    if (w < 1 || h < 1 || w > CNNF_MAX_SIDE || h > CNNF_MAX_SIDE ||
        (int64_t)w * h > CNNF_MAX_PIXELS)
        return cnnf_fail(err, err_size,
                         "%s: %d x %d pixels, over the limit of %d a side and %d Mpixel", name, w,
                         h, CNNF_MAX_SIDE, CNNF_MAX_PIXELS >> 20);
    const uint64_t pnm = pnm_needed(bytes, size);
    if (pnm == UINT64_MAX)
        return cnnf_fail(err, err_size, "%s: damaged PGM/PPM header (width, height and maxval)",
                         name);
    if (pnm > size)
        return cnnf_fail(err, err_size,
                         "%s: truncated: %zu bytes, its PGM/PPM header promises %llu", name, size,
                         (unsigned long long)pnm);
    /* Alpha is the last channel of 2 (gray + alpha) and 4 (RGBA). */
    const int has_alpha = comp == 2 || comp == 4;
    const int colour = comp >= 3;
    const int want = alpha == CNNF_ALPHA_KEEP && has_alpha ? comp : colour ? 3 : 1;
    int w2, h2, comp2;
    unsigned char *pixels = stbi_load_from_memory(bytes, (int)size, &w2, &h2, &comp2, want);
    if (!pixels)
        return cnnf_fail(err, err_size, "%s: cannot decode (%s; truncated or damaged?)", name,
                         stbi_failure_reason());
    if (w2 != w || h2 != h) {
        stbi_image_free(pixels);
        return cnnf_fail(err, err_size, "%s: decoded size %dx%d differs from the header's %dx%d",
                         name, w2, h2, w, h);
    }
    float *data = malloc(sizeof(float) * (size_t)want * (size_t)w * (size_t)h);
    if (!data) {
        stbi_image_free(pixels);
        return cnnf_fail(err, err_size, "%s: out of memory for %d x %d x %d", name, want, h, w);
    }
    const size_t plane = (size_t)w * (size_t)h;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < want; c++)
            data[(size_t)c * plane + i] = (float)pixels[i * (size_t)want + (size_t)c];
    stbi_image_free(pixels);
    out->c = want;
    out->h = h;
    out->w = w;
    out->data = data;
    return 0;
}

int cnnf_image_load(const char *path, cnnf_alpha alpha, cnnf_image *out, char *err,
                    size_t err_size)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cnnf_fail(err, err_size, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return cnnf_fail(err, err_size, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > CNNF_MAX_FILE_BYTES) {
        fclose(f);
        return cnnf_fail(err, err_size, "%s: %lld bytes, over the limit of %zu MiB", path,
                         (long long)st.st_size, CNNF_MAX_FILE_BYTES >> 20);
    }
    const size_t size = (size_t)st.st_size;
    unsigned char *bytes = malloc(size ? size : 1);
    if (!bytes) {
        fclose(f);
        return cnnf_fail(err, err_size, "%s: out of memory", path);
    }
    const size_t got = fread(bytes, 1, size, f);
    fclose(f);
    if (got != size) {
        free(bytes);
        return cnnf_fail(err, err_size, "%s: read %zu of %zu bytes", path, got, size);
    }
    const int rc = cnnf_image_decode(bytes, size, path, alpha, out, err, err_size);
    free(bytes);
    return rc;
}

void cnnf_image_free(cnnf_image *img)
{
    if (!img)
        return;
    free(img->data);
    memset(img, 0, sizeof *img);
}

static unsigned char to_byte(double v)
{
    if (!(v > 0.0)) /* also NaN */
        return 0;
    return v >= 255.0 ? 255 : (unsigned char)lround(v);
}

void cnnf_to_8bit(const float *planar, int c, int h, int w, cnnf_scale scale,
                  unsigned char *out)
{
    const size_t plane = (size_t)w * (size_t)h, n = plane * (size_t)c;
    double lo = 0.0, hi = 0.0;
    if (scale == CNNF_SCALE_NORMALIZE) {
        lo = INFINITY;
        hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(planar[i])) {
                lo = planar[i] < lo ? planar[i] : lo;
                hi = planar[i] > hi ? planar[i] : hi;
            }
        }
    }
    for (size_t i = 0; i < plane; i++) {
        for (int ch = 0; ch < c; ch++) {
            const double v = planar[(size_t)ch * plane + i];
            double s = v;
            if (scale == CNNF_SCALE_ABS)
                s = fabs(v);
            else if (scale == CNNF_SCALE_NORMALIZE)
                s = hi > lo ? (v - lo) * 255.0 / (hi - lo) : 0.0;
            out[i * (size_t)c + (size_t)ch] = to_byte(s);
        }
    }
}

int cnnf_render(const cnnf_image *img, cnnf_scale scale, unsigned char **pixels, int *width,
                int *height, int *channels, char *err, size_t err_size)
{
    *pixels = NULL;
    const size_t plane = (size_t)img->w * (size_t)img->h;
    if (img->c <= 4) {
        unsigned char *p = malloc(plane * (size_t)img->c);
        if (!p)
            return cnnf_fail(err, err_size, "out of memory");
        cnnf_to_8bit(img->data, img->c, img->h, img->w, scale, p);
        *pixels = p;
        *width = img->w;
        *height = img->h;
        *channels = img->c;
        return 0;
    }
    /* Feature maps: a grid of gray planes, about square, one-pixel gaps; the scale spans all
     * planes so that they compare. */
    int cols = 1;
    while (cols * cols < img->c)
        cols++;
    const int rows = (img->c + cols - 1) / cols;
    const int64_t gw = (int64_t)cols * (img->w + 1) - 1, gh = (int64_t)rows * (img->h + 1) - 1;
    if (gw > CNNF_MAX_SIDE * 2 || gh > CNNF_MAX_SIDE * 2)
        return cnnf_fail(err, err_size, "%d channels of %d x %d: too large to show as a grid",
                         img->c, img->h, img->w);
    unsigned char *all = malloc(plane * (size_t)img->c);
    unsigned char *grid = calloc((size_t)gw * (size_t)gh, 1);
    if (!all || !grid) {
        free(all);
        free(grid);
        return cnnf_fail(err, err_size, "out of memory");
    }
    cnnf_to_8bit(img->data, img->c, img->h, img->w, scale, all);
    for (int ch = 0; ch < img->c; ch++) {
        const int64_t x0 = (int64_t)(ch % cols) * (img->w + 1),
                      y0 = (int64_t)(ch / cols) * (img->h + 1);
        for (int y = 0; y < img->h; y++)
            for (int x = 0; x < img->w; x++)
                grid[(size_t)((y0 + y) * gw + x0 + x)] =
                    all[((size_t)y * (size_t)img->w + (size_t)x) * (size_t)img->c + (size_t)ch];
    }
    free(all);
    *pixels = grid;
    *width = (int)gw;
    *height = (int)gh;
    *channels = 1;
    return 0;
}

typedef struct png_buffer {
    unsigned char *data;
    size_t size, cap;
    int failed;
} png_buffer;

static void append(void *context, void *data, int size)
{
    png_buffer *b = context;
    if (b->failed || size <= 0)
        return;
    if (b->size + (size_t)size > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->size + (size_t)size)
            cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->size, data, (size_t)size);
    b->size += (size_t)size;
}

int cnnf_png_write(const char *path, const unsigned char *pixels, int width, int height,
                   int channels, int overwrite, char *err, size_t err_size)
{
    struct stat st;
    if (!overwrite && stat(path, &st) == 0)
        return cnnf_fail(err, err_size, "%s: exists (--force replaces it)", path);
    png_buffer b = {NULL, 0, 0, 0};
    if (!stbi_write_png_to_func(append, &b, width, height, channels, pixels, width * channels) ||
        b.failed) {
        free(b.data);
        return cnnf_fail(err, err_size, "%s: PNG encoding failed (out of memory?)", path);
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp) {
        free(b.data);
        return cnnf_fail(err, err_size, "%s: path too long", path);
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(b.data);
        return cnnf_fail(err, err_size, "%s: %s", path, strerror(errno));
    }
    const int ok = fwrite(b.data, 1, b.size, f) == b.size;
    const int closed = fclose(f) == 0;
    free(b.data);
    /* Into place: rename replaces; link refuses a file that appeared meanwhile. */
    const int placed = ok && closed && (overwrite ? rename(tmp, path) : link(tmp, path)) == 0;
    const int e = errno;
    if (!overwrite || !placed)
        remove(tmp);
    if (!placed && e == EEXIST)
        return cnnf_fail(err, err_size, "%s: exists (--force replaces it)", path);
    if (!placed)
        return cnnf_fail(err, err_size, "%s: cannot write: %s", path, strerror(e));
    return 0;
}

int cnnf_image_save_png(const char *path, const cnnf_image *img, cnnf_scale scale, int overwrite,
                        char *err, size_t err_size)
{
    unsigned char *pixels;
    int w, h, c;
    if (cnnf_render(img, scale, &pixels, &w, &h, &c, err, err_size))
        return -1;
    const int rc = cnnf_png_write(path, pixels, w, h, c, overwrite, err, err_size);
    free(pixels);
    return rc;
}
