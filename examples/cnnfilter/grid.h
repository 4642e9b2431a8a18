/*
 * cnnfilter contact sheet: a labelled grid of images (the input and every pipeline stage's
 * output), used by `cnnfilter --grid FILE.png` to make pictures for the README.
 *
 *     cnnf_image8 stages[3] = {input, blurred, edges};        // 1- or 3-channel 8-bit images
 *     const char *labels[3] = {"input", "gauss 5x5", "sobel"};
 *     cnnf_image8 sheet;
 *     char err[256];
 *     if (cnnf_grid_compose(stages, labels, 3, 0, 192, &sheet, err, sizeof err) != 0) {
 *         fprintf(stderr, "cnnfilter: %s\n", err);
 *         return 1;
 *     }
 *     ... write sheet.pixels (sheet.width x sheet.height, RGB) as PNG ...
 *     cnnf_image8_free(&sheet);
 *
 * Layout (all in pixels; s = font scale, 2 when cell_size >= 192, else 1):
 *     tile   = 1-pixel border around a cell_size x cell_size image area with a label strip of
 *              CNNF_GRID_LABEL_H(s) = 9*s + 4 rows below it:
 *              tile_w = cell_size + 2, tile_h = cell_size + 9*s + 4 + 2
 *     sheet  = margin 4 around and between tiles:
 *              width  = 4 + columns * (tile_w + 4), height = 4 + rows * (tile_h + 4)
 *     columns 0 picks the smallest c with c*c >= count; columns > count is clamped to count;
 *     rows = ceil(count / columns). Tile i sits at column i % columns, row i / columns.
 * Only libc; no global state, so calls may run on any thread.
 */
#ifndef CNNFILTER_GRID_H
#define CNNFILTER_GRID_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Guarded so that another cnnfilter header may carry the same definition. */
#ifndef CNNF_IMAGE8_DEFINED
#define CNNF_IMAGE8_DEFINED
typedef struct cnnf_image8 {
    int width, height;
    int channels;          /* 1 (gray) or 3 (RGB) */
    unsigned char *pixels; /* height * width * channels bytes, rows top to bottom, interleaved */
} cnnf_image8;
#endif

#define CNNF_GRID_MARGIN 4           /* around the sheet and between tiles */
#define CNNF_GRID_BORDER 1           /* around each tile */
#define CNNF_GRID_MAX_SIDE 16384     /* largest sheet width or height */
#define CNNF_GRID_MAX_BYTES (256u << 20) /* largest sheet pixel buffer (256 MiB) */
#define CNNF_GRID_FONT_SCALE(cell_size) ((cell_size) >= 192 ? 2 : 1)
#define CNNF_GRID_LABEL_H(scale) (9 * (scale) + 4) /* one text line plus 2 rows above/below */

/* Colours (R = G = B) of the sheet's parts, so callers and tests need not guess them. */
#define CNNF_GRID_SHEET_BG 40u   /* between tiles */
#define CNNF_GRID_CELL_BG 72u    /* around a scaled image inside its cell */
#define CNNF_GRID_BORDER_RGB 160u
#define CNNF_GRID_STRIP_BG 232u  /* label strip */
#define CNNF_GRID_TEXT 16u       /* label glyphs */

/* A contact sheet: `count` images in a grid of `columns` columns (0: about square), each
 * scaled (down or up, aspect kept; box-filter averaging when shrinking, nearest when growing) to
 * fit a cell of cell_size x cell_size pixels, centred on a background, with its label (ASCII,
 * long labels clipped with "...") drawn below it in a built-in bitmap font, dark text on a light
 * strip; gray images are drawn as gray RGB. The result is RGB (channels 3), owned by the caller.
 * labels may be NULL (no labels), and so may any labels[i] (an empty label).
 * 0 on success; -1 with a one-line reason in err (bad arguments: count < 1, a NULL image, zero
 * or huge sizes (refuse sheets over 16384 pixels a side or 256 MiB), channels not 1 or 3;
 * out of memory), never a crash, *out untouched on failure. err may be NULL. */
int cnnf_grid_compose(const cnnf_image8 *images, const char *const *labels, int count,
                      int columns, int cell_size, cnnf_image8 *out, char *err, size_t err_size);

/* Frees pixels and zeroes the struct; accepts NULL. */
void cnnf_image8_free(cnnf_image8 *img);

#ifdef __cplusplus
}
#endif

#endif /* CNNFILTER_GRID_H */
