/* cnnfilter: PNG files in, through libpng (Debian libpng-dev), the reference decoder, fuzzed
 * continuously upstream. stb_image 2.27 was found by fuzzing to copy memory it never wrote into
 * the pixels of damaged PNGs (a deflate distance code of 30; palette indices past the palette),
 * which no check short of decoding can rule out. */
#ifndef CNNFILTER_PNG_READ_H
#define CNNFILTER_PNG_READ_H

#include <stddef.h>

/* Decode a whole PNG file's bytes to 8 bits a sample, interleaved: gray (1), gray + alpha (2),
 * RGB (3) or RGBA (4) channels as the file holds them (palettes and transparency expanded,
 * 16-bit samples to their high byte, no gamma correction). Sizes over CNNF_MAX_SIDE or
 * CNNF_MAX_PIXELS are refused before any pixel is decoded. *pixels is malloc'ed; with pixels
 * NULL, only the header is read (w, h and channels as decoding would give them). 0, or -1 with
 * a message naming the file (name). */
int cnnf_png_read(const unsigned char *bytes, size_t size, const char *name,
                  unsigned char **pixels, int *w, int *h, int *channels, char *err,
                  size_t err_size);

#endif /* CNNFILTER_PNG_READ_H */
