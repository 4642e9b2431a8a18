/* cnnfilter: what a JPEG, BMP or PGM/PPM file must be before stb_image sees it (PNG goes to
 * libpng instead: png_read.h). stb_image 2.27 (Debian's libstb) trusts tables, sizes and
 * numbers that a damaged or hostile file can get wrong: it writes past a Huffman table of more
 * than 256 codes, decodes with Huffman and quantization tables that no segment defined
 * (uninitialized memory: an assertion in builds that keep them, garbage pixels in the others),
 * leaves pixels uninitialized for a short PGM/PPM or a JPEG component that no scan decodes,
 * copies stack memory for a BMP pixel whose colour is past the palette, and overflows an int on
 * a PGM/PPM header's long number. Each was found by fuzzing (tests/fuzz/README.md). */
#ifndef CNNFILTER_IMAGE_CHECK_H
#define CNNFILTER_IMAGE_CHECK_H

#include <stddef.h>

/* The formats handed to stb_image, by their first bytes; anything else (PNG included) is
 * refused. JPEG: every segment within the file; Huffman tables of at most 256 codes; one frame
 * header (baseline, extended or progressive); every scan uses only tables defined before it;
 * every component decoded by some scan (progressive: its first DC scan before any other).
 * Binary PGM/PPM: width and height within CNNF_MAX_SIDE and CNNF_MAX_PIXELS, maxval 1 to 65535,
 * and the whole of the pixels the header promises. BMP with a palette: a palette before the
 * pixels, and every pixel's colour within it.
 * 0, or -1 with a message naming the file. */
int cnnf_image_check(const unsigned char *bytes, size_t size, const char *name, char *err,
                     size_t err_size);

#endif /* CNNFILTER_IMAGE_CHECK_H */
