/* Image files for cnnfilter (see image_io.h): libpng decodes PNG (png_read.c), stb_image the
 * other formats after our checks of the file (image_check.c) and of the dimensions it declares;
 * stb_image_write encodes into memory, and we write the file beside its destination and rename
 * it into place. */
#define _POSIX_C_SOURCE 200809L
#include "image_io.h"
#include "fail.h"
#include "image_check.h"
#include "png_read.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_png(const unsigned char *bytes, size_t size)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    return size >= 8 && memcmp(bytes, signature, 8) == 0;
}

/* Size and channels as the decoder gives them (alpha not dropped yet), after every check that
 * comes before decoding; then, unless pixels is NULL, the pixels: w * h * comp, interleaved,
 * to be freed with free_pixels(). */
static int read_image(const unsigned char *bytes, size_t size, const char *name,
                      unsigned char **pixels, int *w, int *h, int *comp, char *err,
                      size_t err_size)
{
    if (size == 0)
        return cnnf_fail(err, err_size, "%s: empty file", name);
    if (size > (size_t)INT32_MAX)
        return cnnf_fail(err, err_size, "%s: larger than 2 GiB", name);
    if (is_png(bytes, size))
        return cnnf_png_read(bytes, size, name, pixels, w, h, comp, err, err_size);
    if (cnnf_image_check(bytes, size, name, err, err_size))
        return -1;
    if (!stbi_info_from_memory(bytes, (int)size, w, h, comp))
        return cnnf_fail(err, err_size,
                         "%s: not an image cnnfilter reads (PNG, JPEG, BMP, PGM/PPM): %s", name,
                         stbi_failure_reason());
    if (*w < 1 || *h < 1 || *w > CNNF_MAX_SIDE || *h > CNNF_MAX_SIDE ||
        (int64_t)*w * *h > CNNF_MAX_PIXELS)
        return cnnf_fail(err, err_size,
                         "%s: %d x %d pixels, over the limit of %d a side and %d Mpixel", name,
                         *w, *h, CNNF_MAX_SIDE, CNNF_MAX_PIXELS >> 20);
    if (!pixels)
        return 0;
    int w2, h2, comp2;
    *pixels = stbi_load_from_memory(bytes, (int)size, &w2, &h2, &comp2, *comp);
    if (!*pixels)
        return cnnf_fail(err, err_size, "%s: cannot decode (%s; truncated or damaged?)", name,
                         stbi_failure_reason());
    if (w2 != *w || h2 != *h) {
        stbi_image_free(*pixels);
        *pixels = NULL;
        return cnnf_fail(err, err_size, "%s: decoded size %dx%d differs from the header's %dx%d",
                         name, w2, h2, *w, *h);
    }
    return 0;
}

/* Pixels of read_image(): libpng's are malloc'ed, stb_image's its own. */
static void free_pixels(const unsigned char *bytes, size_t size, unsigned char *pixels)
{
    if (is_png(bytes, size))
        free(pixels);
    else
        stbi_image_free(pixels);
}

/* The channels kept: alpha is the last channel of 2 (gray + alpha) and 4 (RGBA), and dropping
 * it keeps the first ones. */
static int kept_channels(int comp, cnnf_alpha alpha)
{
    const int has_alpha = comp == 2 || comp == 4;
    return alpha == CNNF_ALPHA_KEEP || !has_alpha ? comp : comp - 1;
}

int cnnf_image_decode(const unsigned char *bytes, size_t size, const char *name, cnnf_alpha alpha,
                      cnnf_image *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    int w = 0, h = 0, comp = 0;
    unsigned char *pixels = NULL;
    if (read_image(bytes, size, name, &pixels, &w, &h, &comp, err, err_size))
        return -1;
    const int want = kept_channels(comp, alpha);
    float *data = malloc(sizeof(float) * (size_t)want * (size_t)w * (size_t)h);
    if (!data) {
        free_pixels(bytes, size, pixels);
        return cnnf_fail(err, err_size, "%s: out of memory for %d x %d x %d", name, want, h, w);
    }
    const size_t plane = (size_t)w * (size_t)h;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < want; c++)
            data[(size_t)c * plane + i] = (float)pixels[i * (size_t)comp + (size_t)c];
    free_pixels(bytes, size, pixels);
    out->c = want;
    out->h = h;
    out->w = w;
    out->data = data;
    return 0;
}

/* A whole file into memory (*bytes malloc'ed), within CNNF_MAX_FILE_BYTES. */
static int read_file(const char *path, unsigned char **bytes, size_t *size, char *err,
                     size_t err_size)
{
    *bytes = NULL;
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
    *size = (size_t)st.st_size;
    *bytes = malloc(*size ? *size : 1);
    if (!*bytes) {
        fclose(f);
        return cnnf_fail(err, err_size, "%s: out of memory", path);
    }
    const size_t got = fread(*bytes, 1, *size, f);
    fclose(f);
    if (got != *size) {
        free(*bytes);
        *bytes = NULL;
        return cnnf_fail(err, err_size, "%s: read %zu of %zu bytes", path, got, *size);
    }
    return 0;
}

int cnnf_image_load(const char *path, cnnf_alpha alpha, cnnf_image *out, char *err,
                    size_t err_size)
{
    memset(out, 0, sizeof *out);
    unsigned char *bytes;
    size_t size;
    if (read_file(path, &bytes, &size, err, err_size))
        return -1;
    const int rc = cnnf_image_decode(bytes, size, path, alpha, out, err, err_size);
    free(bytes);
    return rc;
}

int cnnf_image_info(const char *path, cnnf_alpha alpha, int *c, int *h, int *w, char *err,
                    size_t err_size)
{
    *c = *h = *w = 0;
    unsigned char *bytes;
    size_t size;
    if (read_file(path, &bytes, &size, err, err_size))
        return -1;
    int comp = 0;
    const int rc = read_image(bytes, size, path, NULL, w, h, &comp, err, err_size);
    free(bytes);
    if (rc)
        *h = *w = 0;
    else
        *c = kept_channels(comp, alpha);
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
