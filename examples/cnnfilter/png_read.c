/* PNG decoding with libpng's progressive-free read API (see png_read.h). */
#include "png_read.h"
#include "fail.h"
#include "image_io.h"

#include <png.h>

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file in memory, and libpng's last error message. */
typedef struct png_source {
    const unsigned char *at;
    size_t left;
    char message[160];
} png_source;

static void read_bytes(png_structp png, png_bytep out, size_t n)
{
    png_source *src = png_get_io_ptr(png);
    if (n > src->left)
        png_error(png, "the file ends early");
    memcpy(out, src->at, n);
    src->at += n;
    src->left -= n;
}

static void on_error(png_structp png, png_const_charp message)
{
    png_source *src = png_get_error_ptr(png);
    snprintf(src->message, sizeof src->message, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message; /* benign by libpng's definition (a bad ancillary chunk is skipped) */
}

int cnnf_png_read(const unsigned char *bytes, size_t size, const char *name,
                  unsigned char **pixels, int *w, int *h, int *channels, char *err,
                  size_t err_size)
{
    if (pixels)
        *pixels = NULL;
    /* The size in the header against our limits, before libpng reads the chunks that follow
     * it. libpng refuses a file whose first chunk is not IHDR, so this is the size it reads. */
    if (size >= 24 && !memcmp(bytes + 12, "IHDR", 4)) {
        const uint64_t hw = (uint64_t)bytes[16] << 24 | (uint64_t)bytes[17] << 16 |
                            (uint64_t)bytes[18] << 8 | bytes[19];
        const uint64_t hh = (uint64_t)bytes[20] << 24 | (uint64_t)bytes[21] << 16 |
                            (uint64_t)bytes[22] << 8 | bytes[23];
        if (hw > CNNF_MAX_SIDE || hh > CNNF_MAX_SIDE || hw * hh > CNNF_MAX_PIXELS)
            return cnnf_fail(err, err_size,
                             "%s: %llu x %llu pixels, over the limit of %d a side and %d Mpixel",
                             name, (unsigned long long)hw, (unsigned long long)hh,
                             CNNF_MAX_SIDE, CNNF_MAX_PIXELS >> 20);
    }
    png_source src = {bytes, size, ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return cnnf_fail(err, err_size, "%s: out of memory for libpng", name);
    }
    /* Set before setjmp and read after a longjmp: volatile. */
    unsigned char *volatile data = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(data);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return cnnf_fail(err, err_size, "%s: damaged or truncated PNG (%s)", name, src.message);
    }
    png_set_read_fn(png, &src, read_bytes);
    png_read_info(png, info);
    const png_uint_32 width = png_get_image_width(png, info);
    const png_uint_32 height = png_get_image_height(png, info);
    png_set_expand(png);   /* palette to RGB, gray under 8 bits to 8, tRNS to alpha */
    png_set_strip_16(png); /* 16-bit samples: the high byte */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int n = png_get_channels(png, info);
    const size_t row_bytes = png_get_rowbytes(png, info);
    if (n < 1 || n > 4 || row_bytes != (size_t)width * (size_t)n)
        png_error(png, "an unexpected layout after expansion");
    *w = (int)width;
    *h = (int)height;
    *channels = n;
    if (!pixels) { /* the header only */
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    data = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!data || !rows)
        png_error(png, "out of memory for the pixels");
    for (png_uint_32 y = 0; y < height; y++)
        rows[y] = data + (size_t)y * row_bytes;
    png_read_image(png, rows);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    *pixels = data;
    return 0;
}
