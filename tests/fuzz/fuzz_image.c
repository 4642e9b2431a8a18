/* libFuzzer target: cnnfilter's image decoder, cnnf_image_decode() (examples/cnnfilter/
 * image_io.h): PNG through libpng; the other formats through our checks of the file
 * (image_check.h) and of the declared dimensions, then stb_image. Under MemorySanitizer PNG
 * files are skipped: Debian's libpng is not instrumented, so every pixel it writes would look
 * uninitialized (libpng is fuzzed upstream, in OSS-Fuzz).
 *
 * The input is a whole file's bytes, decoded twice: alpha dropped and alpha kept. On success:
 * 1 <= w, h <= CNNF_MAX_SIDE, w * h <= CNNF_MAX_PIXELS, c is 1 or 3 (alpha dropped) or 1 to 4
 * (kept), data != NULL, and every value is a whole number in 0..255 (all c * h * w are read:
 * ASan checks the buffer's size). Small images also go through cnnf_to_8bit and cnnf_render,
 * which must give back the pixels. On failure: a non-empty message and a zeroed image.
 * abort() otherwise.
 *
 * Seeds: tests/fuzz/corpus/image (tiny PNG, JPEG, BMP, PGM/PPM files); dictionary:
 * tests/fuzz/image.dict (format magic and PNG chunk names). */
#include "image_io.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A binary PGM/PPM (P5, P6) holds its pixels after the header: a file shorter than
 * w * h * channels bytes is truncated, which image_io.h says is refused (stb_image 2.27 decodes
 * it, leaving the missing pixels uninitialized). */
static int truncated_pnm(const uint8_t *data, size_t size, const cnnf_image *img)
{
    if (size < 2 || data[0] != 'P' || (data[1] != '5' && data[1] != '6'))
        return 0;
    const int comp = data[1] == '5' ? 1 : 3;
    return (uint64_t)size < (uint64_t)img->w * (uint64_t)img->h * (uint64_t)comp;
}

static void fail(const char *what, const cnnf_image *img, cnnf_alpha alpha)
{
    fprintf(stderr, "fuzz_image: %s (alpha %s: c %d, h %d, w %d)\n", what,
            alpha == CNNF_ALPHA_KEEP ? "keep" : "drop", img->c, img->h, img->w);
    abort();
}

static void check_decoded(const cnnf_image *img, cnnf_alpha alpha)
{
    if (img->w < 1 || img->h < 1 || img->w > CNNF_MAX_SIDE || img->h > CNNF_MAX_SIDE ||
        (int64_t)img->w * img->h > CNNF_MAX_PIXELS)
        fail("decoded size out of the limits", img, alpha);
    const int c_ok = alpha == CNNF_ALPHA_KEEP ? img->c >= 1 && img->c <= 4
                                              : img->c == 1 || img->c == 3;
    if (!c_ok)
        fail("decoded channel count out of range", img, alpha);
    if (!img->data)
        fail("decoded image without data", img, alpha);
    const size_t count = (size_t)img->c * (size_t)img->h * (size_t)img->w;
    for (size_t i = 0; i < count; i++) {
        const float v = img->data[i];
        if (!(v >= 0.0f && v <= 255.0f) || v != (float)(int)v)
            fail("a decoded value is not a whole number in 0..255", img, alpha);
    }
    if ((int64_t)img->w * img->h > 4096)
        return;
    /* Small images: back to 8-bit pixels, and rendered as a PNG would be. */
    unsigned char *px = malloc(count);
    if (!px)
        return;
    cnnf_to_8bit(img->data, img->c, img->h, img->w, CNNF_SCALE_CLAMP, px);
    const size_t plane = (size_t)img->h * (size_t)img->w;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < img->c; c++)
            if (px[i * (size_t)img->c + (size_t)c] != (unsigned char)img->data[(size_t)c * plane + i])
                fail("cnnf_to_8bit does not give back the decoded pixels", img, alpha);
    free(px);
    unsigned char *pixels = NULL;
    int width = 0, height = 0, channels = 0;
    char err[256];
    if (cnnf_render(img, CNNF_SCALE_NORMALIZE, &pixels, &width, &height, &channels, err,
                    sizeof err) == 0) {
        if (!pixels || width != img->w || height != img->h || channels != img->c)
            fail("cnnf_render changes the size of a 1- to 4-channel image", img, alpha);
        free(pixels);
    }
}

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define FUZZ_SKIP_PNG 1
#endif
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_SKIP_PNG
    if (size >= 4 && data[0] == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G')
        return 0;
#endif
    static const cnnf_alpha modes[2] = {CNNF_ALPHA_DROP, CNNF_ALPHA_KEEP};
    for (int m = 0; m < 2; m++) {
        cnnf_image img;
        memset(&img, 0x5a, sizeof img);
        char err[512];
        memset(err, 'X', sizeof err);
        if (cnnf_image_decode(data, size, "fuzz", modes[m], &img, err, sizeof err) != 0) {
            if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
                fail("a rejection without a message", &img, modes[m]);
            if (img.data != NULL || img.c != 0 || img.h != 0 || img.w != 0)
                fail("a rejection leaves the image set", &img, modes[m]);
            return 0; /* the other mode reads the same header */
        }
        check_decoded(&img, modes[m]);
        if (truncated_pnm(data, size, &img))
            fail("a truncated PGM/PPM decodes (its missing pixels uninitialized)", &img,
                 modes[m]);
        cnnf_image_free(&img);
    }
    return 0;
}
