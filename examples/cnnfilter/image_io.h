/* cnnfilter's images: files in (PNG, JPEG, BMP, PGM/PPM, through stb_image from Debian's
 * libstb-dev, a well-kept single-file decoder used by many tools) and PNG out (stb_image_write).
 * In memory an image is planar float, C x H x W in 0..255, the layout the engine's NCHW
 * tensors take. Colour is C = 3 (R, G, B), grayscale C = 1; an alpha channel is dropped, or
 * kept as one more channel (C = 2 or 4) that the stages filter like the others. */
#ifndef CNNFILTER_IMAGE_IO_H
#define CNNFILTER_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

/* Inputs larger than this are refused before they are decoded. */
#define CNNF_MAX_SIDE 16384
#define CNNF_MAX_PIXELS (64 * 1024 * 1024)
#define CNNF_MAX_FILE_BYTES ((size_t)512 << 20)

typedef struct cnnf_image {
    int c, h, w;
    float *data; /* c * h * w floats, planar */
} cnnf_image;

typedef enum cnnf_alpha { CNNF_ALPHA_DROP, CNNF_ALPHA_KEEP } cnnf_alpha;

/* How floats become 8-bit pixels. */
typedef enum cnnf_scale {
    CNNF_SCALE_CLAMP,     /* round and clamp to 0..255 (filters that keep the range) */
    CNNF_SCALE_NORMALIZE, /* each image's min..max to 0..255 (any range; a flat image is 0) */
    CNNF_SCALE_ABS        /* |x|, rounded and clamped (edge maps, whose sign is direction) */
} cnnf_scale;

/* Decode bytes (the file's contents; name for messages). 0, or -1 with a message naming the
 * file and what is wrong (empty, not an image, truncated, too large). */
int cnnf_image_decode(const unsigned char *bytes, size_t size, const char *name, cnnf_alpha alpha,
                      cnnf_image *out, char *err, size_t err_size);
/* Read and decode a file. */
int cnnf_image_load(const char *path, cnnf_alpha alpha, cnnf_image *out, char *err,
                    size_t err_size);
/* The channels, height and width that cnnf_image_load would give, from the file's header after
 * the same checks (the whole file is read: a JPEG's checks cover its scans). */
int cnnf_image_info(const char *path, cnnf_alpha alpha, int *c, int *h, int *w, char *err,
                    size_t err_size);
void cnnf_image_free(cnnf_image *img);

/* Planar floats to interleaved 8-bit pixels (h * w * c bytes). */
void cnnf_to_8bit(const float *planar, int c, int h, int w, cnnf_scale scale,
                  unsigned char *out);

/* An image as a PNG-able picture: 1 to 4 channels as they are (gray, gray + alpha, RGB, RGBA);
 * more channels (a learned layer's feature maps) as a grid of gray planes with one-pixel gaps.
 * *pixels is malloc'ed; *channels is 1 to 4. */
int cnnf_render(const cnnf_image *img, cnnf_scale scale, unsigned char **pixels, int *width,
                int *height, int *channels, char *err, size_t err_size);

/* Write img as a PNG at path (rendered as cnnf_render does). An existing file is replaced only
 * with overwrite; the file appears whole or not at all (written beside it, then renamed). */
int cnnf_image_save_png(const char *path, const cnnf_image *img, cnnf_scale scale, int overwrite,
                        char *err, size_t err_size);
/* The same for 8-bit interleaved pixels. */
int cnnf_png_write(const char *path, const unsigned char *pixels, int width, int height,
                   int channels, int overwrite, char *err, size_t err_size);

#endif /* CNNFILTER_IMAGE_IO_H */
