/*
 * Tests for the cnnfilter contact sheet (examples/cnnfilter/grid.c): layout sizes, colours at
 * known spots, box-filter and nearest scaling, labels (glyphs, clipping, '?' substitution,
 * font scale 2), and every refusal. Standalone: exit 0 on success, 1 on the first failure.
 *
 *     gcc -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Werror -fsanitize=address,undefined -g \
 *         -Iexamples/cnnfilter tests/test_cnnfilter_grid.c examples/cnnfilter/grid.c \
 *         -o /tmp/test_grid && /tmp/test_grid
 */
#include "grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            printf("FAILED: %s:%d %s\n", __FILE__, __LINE__, #cond);                       \
            fflush(stdout); /* before LeakSanitizer, which exits without flushing */     \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)

/* A pixel of an RGB sheet equals (r, g, b); prints what it found when it does not. */
#define CHECK_PX(img, x, y, r, g, b)                                                       \
    do {                                                                                   \
        const unsigned char *p_ = px_at((img), (x), (y));                                  \
        if (p_[0] != (r) || p_[1] != (g) || p_[2] != (b)) {                                \
            printf("FAILED: %s:%d pixel (%d,%d) is (%d,%d,%d), expected (%d,%d,%d)\n",     \
                   __FILE__, __LINE__, (x), (y), p_[0], p_[1], p_[2], (int)(r), (int)(g),  \
                   (int)(b));                                                              \
            fflush(stdout);                                                                \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)
#define CHECK_GRAY(img, x, y, v) CHECK_PX(img, x, y, v, v, v)

/* A refusal: -1, the message contains `needle`, *out untouched. `call` names the macro's
 * out, err and err_size. */
#define CHECK_REFUSED(call, needle)                                                        \
    do {                                                                                   \
        char err_[256] = "";                                                               \
        cnnf_image8 out_ = {7, 8, 9, (unsigned char *)&sentinel};                          \
        cnnf_image8 *out = &out_;                                                          \
        (void)out;                                                                         \
        char *err = err_;                                                                  \
        const size_t err_size = sizeof err_;                                               \
        int rc_ = (call);                                                                  \
        if (rc_ != -1 || strstr(err_, (needle)) == NULL || out_.width != 7 ||              \
            out_.height != 8 || out_.channels != 9 ||                                      \
            out_.pixels != (unsigned char *)&sentinel) {                                   \
            printf("FAILED: %s:%d %s gave %d \"%s\", expected -1 with \"%s\"\n", __FILE__, \
                   __LINE__, #call, rc_, err_, (needle));                                  \
            fflush(stdout);                                                                \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)

static int sentinel;

static const unsigned char *px_at(const cnnf_image8 *img, int x, int y)
{
    return img->pixels + ((size_t)y * (size_t)img->width + (size_t)x) * 3;
}

/* The layout formula from grid.h, written out independently. */
static int tile_w(int cell) { return cell + 2; }
static int tile_h(int cell) { return cell + 9 * (cell >= 192 ? 2 : 1) + 4 + 2; }
static int sheet_w(int cols, int cell) { return 4 + cols * (tile_w(cell) + 4); }
static int sheet_h(int rows, int cell) { return 4 + rows * (tile_h(cell) + 4); }
static int cell_x(int col, int cell) { return 4 + col * (tile_w(cell) + 4) + 1; }
static int cell_y(int row, int cell) { return 4 + row * (tile_h(cell) + 4) + 1; }

/* Dark (text) pixels in a rectangle of the sheet. */
static int count_dark(const cnnf_image8 *img, int x, int y, int w, int h)
{
    int n = 0;
    for (int r = y; r < y + h; r++)
        for (int c = x; c < x + w; c++)
            n += px_at(img, c, r)[0] == CNNF_GRID_TEXT;
    return n;
}

static cnnf_image8 make(int w, int h, int ch)
{
    cnnf_image8 im = {w, h, ch, calloc((size_t)w * (size_t)h * (size_t)ch, 1)};
    return im;
}

static int test_2x2(void)
{
    enum { CELL = 60 };
    cnnf_image8 im[4];
    im[0] = make(40, 40, 3); /* red, grows to 60x60 */
    for (int i = 0; i < 40 * 40; i++)
        im[0].pixels[i * 3] = 255;
    im[1] = make(20, 10, 1); /* gray 100, grows to 60x30 */
    memset(im[1].pixels, 100, 200);
    im[2] = make(3, 5, 3); /* every pixel distinct, grows to 36x60 (nearest) */
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 3; x++) {
            unsigned char *p = im[2].pixels + (y * 3 + x) * 3;
            p[0] = (unsigned char)(x * 100);
            p[1] = (unsigned char)(y * 50);
            p[2] = 7;
        }
    im[3] = make(300, 100, 3); /* shrinks 5:1 to 60x20 (box) */
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 300; x++) {
            unsigned char *p = im[3].pixels + ((size_t)y * 300 + (size_t)x) * 3;
            p[0] = (unsigned char)((x % 5) * (x % 5) * 10); /* 0 10 40 90 160: mean 60 */
            p[1] = (unsigned char)((y % 5) * 50);          /* mean 100 */
            p[2] = (unsigned char)((x + y) % 2 * 255);     /* 12 or 13 of 25 are 255 */
        }
    const char *labels[4] = {"input", "", "a very long label that must be clipped",
                             "sobel_3x3"};
    cnnf_image8 s;
    char err[256] = "";
    int rc = cnnf_grid_compose(im, labels, 4, 2, CELL, &s, err, sizeof err);
    for (int i = 0; i < 4; i++)
        free(im[i].pixels);
    if (rc != 0)
        printf("compose: %s\n", err);
    CHECK(rc == 0);
    CHECK(s.channels == 3 && s.pixels != NULL);
    CHECK(s.width == sheet_w(2, CELL) && s.height == sheet_h(2, CELL));
    CHECK(s.width == 136 && s.height == 162); /* the formula, by hand */

    /* Sheet background, borders, between tiles. */
    CHECK_GRAY(&s, 0, 0, CNNF_GRID_SHEET_BG);
    CHECK_GRAY(&s, 3, 3, CNNF_GRID_SHEET_BG);
    CHECK_GRAY(&s, 67, 10, CNNF_GRID_SHEET_BG); /* the gap between columns */
    CHECK_GRAY(&s, 10, 80, CNNF_GRID_SHEET_BG); /* the gap between rows */
    CHECK_GRAY(&s, 135, 161, CNNF_GRID_SHEET_BG);
    CHECK_GRAY(&s, 4, 4, CNNF_GRID_BORDER_RGB);  /* tile 0, top-left corner */
    CHECK_GRAY(&s, 65, 40, CNNF_GRID_BORDER_RGB); /* tile 0, right edge */
    CHECK_GRAY(&s, 30, 78, CNNF_GRID_BORDER_RGB); /* tile 0, bottom edge under the strip */
    CHECK_GRAY(&s, 70, 83, CNNF_GRID_BORDER_RGB); /* tile 3, top-left corner */

    /* Cell 0: red fills the whole cell. */
    CHECK_PX(&s, 5, 5, 255, 0, 0);
    CHECK_PX(&s, 64, 64, 255, 0, 0);
    /* Cell 1: gray 60x30 centred vertically (rows 15..44 of the cell), cell background around. */
    const int c1x = cell_x(1, CELL), c1y = cell_y(0, CELL);
    CHECK_GRAY(&s, c1x + 30, c1y + 14, CNNF_GRID_CELL_BG);
    CHECK_GRAY(&s, c1x + 30, c1y + 15, 100);
    CHECK_GRAY(&s, c1x + 0, c1y + 44, 100);
    CHECK_GRAY(&s, c1x + 59, c1y + 45, CNNF_GRID_CELL_BG);
    /* Cell 2: 36x60 at column offset 12; nearest source x = (2*ox+1)*3/72, y = (2*oy+1)*5/120. */
    const int c2x = cell_x(0, CELL) + 12, c2y = cell_y(1, CELL);
    CHECK_GRAY(&s, c2x - 1, c2y + 30, CNNF_GRID_CELL_BG);
    CHECK_PX(&s, c2x + 0, c2y + 0, 0, 0, 7);
    CHECK_PX(&s, c2x + 11, c2y + 11, 0, 0, 7);
    CHECK_PX(&s, c2x + 12, c2y + 12, 100, 50, 7);
    CHECK_PX(&s, c2x + 20, c2y + 30, 100, 100, 7);
    CHECK_PX(&s, c2x + 35, c2y + 59, 200, 200, 7);
    CHECK_GRAY(&s, c2x + 36, c2y + 30, CNNF_GRID_CELL_BG);
    /* Cell 3: 60x20 at row offset 20; each pixel is the rounded mean of a 5x5 block. */
    const int c3x = cell_x(1, CELL), c3y = cell_y(1, CELL) + 20;
    CHECK_GRAY(&s, c3x + 5, c3y - 1, CNNF_GRID_CELL_BG);
    CHECK_PX(&s, c3x + 3, c3y + 5, 60, 100, 122);  /* ox+oy even: 12*255/25 = 122.4 */
    CHECK_PX(&s, c3x + 7, c3y + 4, 60, 100, 133);  /* ox+oy odd: 13*255/25 = 132.6 */
    CHECK_PX(&s, c3x + 59, c3y + 19, 60, 100, 122);
    CHECK_GRAY(&s, c3x + 5, c3y + 20, CNNF_GRID_CELL_BG);

    /* Label strips: rows cell+0 .. cell+12 under each cell, text rows from strip top + 2. */
    const int strip0 = cell_y(0, CELL) + CELL, strip1 = cell_y(1, CELL) + CELL;
    CHECK_GRAY(&s, 5, strip0, CNNF_GRID_STRIP_BG);
    CHECK_GRAY(&s, 64, strip0 + 12, CNNF_GRID_STRIP_BG);
    CHECK_GRAY(&s, 5, strip0 + 13, CNNF_GRID_BORDER_RGB);
    CHECK(count_dark(&s, cell_x(0, CELL), strip0, CELL, 13) > 10); /* "input" */
    CHECK(count_dark(&s, c1x, strip0, CELL, 13) == 0);             /* empty label */
    CHECK(count_dark(&s, 0, 0, s.width, strip0) == 0);             /* no text in images */
    /* "input" (5 glyphs, 29 px) centred: starts at column (60 - 29) / 2 = 15 of the cell;
     * the 'i' has its dot at glyph column 2, row 0; column 0 of 'i' is blank. */
    CHECK_GRAY(&s, cell_x(0, CELL) + 15 + 2, strip0 + 2, CNNF_GRID_TEXT);
    CHECK_GRAY(&s, cell_x(0, CELL) + 15, strip0 + 2, CNNF_GRID_STRIP_BG);
    CHECK_GRAY(&s, cell_x(0, CELL) + 14, strip0 + 4, CNNF_GRID_STRIP_BG);

    /* Clipping: 9 glyphs fit ((6*9 - 1) = 53 <= 60 - 4), so the long label becomes
     * "a very..." starting at column 3 and "sobel_3x3" (exactly 9) is drawn whole. */
    const int t2 = cell_x(0, CELL) + 3, t3 = cell_x(1, CELL) + 3, ty = strip1 + 2;
    for (int g = 6; g < 9; g++) { /* three dots: rows 5-6, columns 1-2; nothing above */
        CHECK_GRAY(&s, t2 + g * 6 + 1, ty + 5, CNNF_GRID_TEXT);
        CHECK_GRAY(&s, t2 + g * 6 + 2, ty + 6, CNNF_GRID_TEXT);
        CHECK(count_dark(&s, t2 + g * 6, ty, 5, 5) == 0);
    }
    CHECK_GRAY(&s, t2 + 5 * 6, ty + 2, CNNF_GRID_TEXT); /* 'y' of "very": row 2 = #...# */
    CHECK_GRAY(&s, t2 + 5 * 6 + 4, ty + 2, CNNF_GRID_TEXT);
    CHECK(count_dark(&s, t2 + 9 * 6, strip1, CELL - 9 * 6 - 3, 13) == 0); /* nothing after */
    CHECK(count_dark(&s, t3 + 8 * 6, ty, 5, 1) == 5); /* '3' row 0 = ##### */
    CHECK(count_dark(&s, t3 + 5 * 6, ty + 7, 5, 1) == 5); /* '_' sits in row 7 */

    cnnf_image8_free(&s);
    CHECK(s.pixels == NULL && s.width == 0 && s.height == 0 && s.channels == 0);
    cnnf_image8_free(NULL);
    return 0;
}

static int test_columns(void)
{
    unsigned char px[3] = {1, 2, 3};
    cnnf_image8 im[5];
    for (int i = 0; i < 5; i++)
        im[i] = (cnnf_image8){1, 1, 3, px};
    cnnf_image8 s;
    char err[256];

    /* columns 0 for 5 images: 3 columns (3*3 >= 5), 2 rows; the 6th slot stays background. */
    CHECK(cnnf_grid_compose(im, NULL, 5, 0, 60, &s, err, sizeof err) == 0);
    CHECK(s.width == sheet_w(3, 60) && s.height == sheet_h(2, 60));
    CHECK(s.width == 202 && s.height == 162);
    CHECK_PX(&s, cell_x(1, 60) + 30, cell_y(1, 60) + 30, 1, 2, 3); /* tile 4 */
    CHECK_GRAY(&s, cell_x(2, 60) + 30, cell_y(1, 60) + 30, CNNF_GRID_SHEET_BG);
    CHECK_GRAY(&s, cell_x(2, 60) - 1, cell_y(1, 60) - 1, CNNF_GRID_SHEET_BG);
    CHECK(count_dark(&s, 0, 0, s.width, s.height) == 0); /* labels NULL: no text */
    cnnf_image8_free(&s);

    /* columns 1: a single column; columns > count: clamped to count. */
    CHECK(cnnf_grid_compose(im, NULL, 3, 1, 50, &s, err, sizeof err) == 0);
    CHECK(s.width == sheet_w(1, 50) && s.height == sheet_h(3, 50));
    cnnf_image8_free(&s);
    CHECK(cnnf_grid_compose(im, NULL, 2, 7, 50, &s, err, sizeof err) == 0);
    CHECK(s.width == sheet_w(2, 50) && s.height == sheet_h(1, 50));
    cnnf_image8_free(&s);
    /* columns 0 for 1, 4 and 2 images. */
    CHECK(cnnf_grid_compose(im, NULL, 1, 0, 10, &s, err, sizeof err) == 0);
    CHECK(s.width == sheet_w(1, 10) && s.height == sheet_h(1, 10));
    cnnf_image8_free(&s);
    CHECK(cnnf_grid_compose(im, NULL, 4, 0, 10, &s, err, sizeof err) == 0);
    CHECK(s.width == sheet_w(2, 10) && s.height == sheet_h(2, 10));
    cnnf_image8_free(&s);
    CHECK(cnnf_grid_compose(im, NULL, 2, 0, 10, &s, err, sizeof err) == 0);
    CHECK(s.width == sheet_w(2, 10) && s.height == sheet_h(1, 10));
    cnnf_image8_free(&s);
    return 0;
}

static int test_labels(void)
{
    unsigned char px[1] = {200};
    cnnf_image8 im = {1, 1, 1, px};
    cnnf_image8 a, b;
    char err[256];

    /* Scale 2 at cell_size 192: strip 22 rows, "I" (10 px wide) centred at column 91;
     * row 0 of 'I' is .###. -> 6 dark pixels wide, 2 tall. */
    const char *li[1] = {"I"};
    CHECK(cnnf_grid_compose(&im, li, 1, 0, 192, &a, err, sizeof err) == 0);
    CHECK(a.width == sheet_w(1, 192) && a.height == sheet_h(1, 192));
    CHECK(a.width == 202 && a.height == 224);
    const int sx = cell_x(0, 192) + 91, sy = cell_y(0, 192) + 192 + 2;
    CHECK(count_dark(&a, sx + 2, sy, 6, 2) == 12);
    CHECK_GRAY(&a, sx + 1, sy, CNNF_GRID_STRIP_BG);
    CHECK_GRAY(&a, sx + 8, sy + 1, CNNF_GRID_STRIP_BG);
    CHECK_GRAY(&a, sx + 4, sy + 2, CNNF_GRID_TEXT); /* the stem, row 1 */
    CHECK_GRAY(&a, sx + 5, sy + 13, CNNF_GRID_TEXT);
    CHECK_GRAY(&a, sx + 2, sy + 12, CNNF_GRID_TEXT); /* row 6 = .###. */
    CHECK_GRAY(&a, sx + 2, sy + 14, CNNF_GRID_STRIP_BG);
    CHECK_GRAY(&a, cell_x(0, 192) + 96, cell_y(0, 192) + 96, 200); /* 1x1 grows to all */
    cnnf_image8_free(&a);

    /* Non-printable characters draw as '?'; '!' draws differently. */
    const char *lq[1] = {"x\x01y\x7f"}, *lq2[1] = {"x?y?"}, *lx[1] = {"x!y!"};
    CHECK(cnnf_grid_compose(&im, lq, 1, 0, 64, &a, err, sizeof err) == 0);
    CHECK(cnnf_grid_compose(&im, lq2, 1, 0, 64, &b, err, sizeof err) == 0);
    const size_t n = (size_t)a.width * (size_t)a.height * 3;
    CHECK(a.width == b.width && a.height == b.height && memcmp(a.pixels, b.pixels, n) == 0);
    cnnf_image8_free(&b);
    CHECK(cnnf_grid_compose(&im, lx, 1, 0, 64, &b, err, sizeof err) == 0);
    CHECK(memcmp(a.pixels, b.pixels, n) != 0);
    cnnf_image8_free(&a);
    cnnf_image8_free(&b);

    /* Tiny cells: no room for a glyph (or only dots); must not draw outside the strip. */
    const char *ll[1] = {"a long label"};
    for (int cell = 1; cell <= 30; cell++) {
        CHECK(cnnf_grid_compose(&im, ll, 1, 0, cell, &a, err, sizeof err) == 0);
        CHECK(count_dark(&a, 0, 0, a.width, cell_y(0, cell) + cell) == 0);
        CHECK(count_dark(&a, 0, 0, cell_x(0, cell) + 2, a.height) == 0);
        cnnf_image8_free(&a);
    }
    return 0;
}

static int test_refusals(void)
{
    unsigned char px[3] = {0, 0, 0};
    cnnf_image8 ok = {1, 1, 3, px};
    cnnf_image8 two[2] = {{1, 1, 3, px}, {1, 1, 3, px}};

    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 0, 0, 60, out, err, err_size), "count must be");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, -5, 0, 60, out, err, err_size), "count must be");
    CHECK_REFUSED(cnnf_grid_compose(NULL, NULL, 1, 0, 60, out, err, err_size), "images is NULL");
    two[1].pixels = NULL;
    CHECK_REFUSED(cnnf_grid_compose(two, NULL, 2, 0, 60, out, err, err_size),
                  "image 1: pixels is NULL");
    two[1] = (cnnf_image8){0, 1, 3, px};
    CHECK_REFUSED(cnnf_grid_compose(two, NULL, 2, 0, 60, out, err, err_size),
                  "image 1: bad size 0x1");
    two[1] = (cnnf_image8){4, -3, 3, px};
    CHECK_REFUSED(cnnf_grid_compose(two, NULL, 2, 0, 60, out, err, err_size), "bad size 4x-3");
    two[1] = (cnnf_image8){1, 1, 2, px};
    CHECK_REFUSED(cnnf_grid_compose(two, NULL, 2, 0, 60, out, err, err_size),
                  "channels must be 1 or 3 (got 2)");
    two[1] = (cnnf_image8){1, 1, 4, px};
    CHECK_REFUSED(cnnf_grid_compose(two, NULL, 2, 0, 60, out, err, err_size), "(got 4)");
    two[1] = (cnnf_image8){1 << 30, 1 << 30, 3, px}; /* never read: refused first */
    CHECK_REFUSED(cnnf_grid_compose(two, NULL, 2, 0, 60, out, err, err_size), "too large");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, 0, 0, out, err, err_size),
                  "cell_size must be >= 1");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, 0, -1, out, err, err_size),
                  "cell_size must be >= 1");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, 0, 20000, out, err, err_size), "16384");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, 0, 2147483647, out, err, err_size), "16384");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, -1, 60, out, err, err_size),
                  "columns must be >= 0");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, 0, 16380, out, err, err_size),
                  "pixels a side"); /* 16380 + margins and border > 16384 */

    cnnf_image8 many[300];
    for (int i = 0; i < 300; i++)
        many[i] = ok;
    CHECK_REFUSED(cnnf_grid_compose(many, NULL, 300, 300, 60, out, err, err_size),
                  "pixels a side");
    CHECK_REFUSED(cnnf_grid_compose(many, NULL, 300, 1, 60, out, err, err_size),
                  "pixels a side");
    /* 2x2 tiles of 8000: 16016 x 16042, under the side limit but 770 MB. */
    CHECK_REFUSED(cnnf_grid_compose(many, NULL, 4, 2, 8000, out, err, err_size), "256 MiB");
    CHECK_REFUSED(cnnf_grid_compose(&ok, NULL, 1, 0, 60, NULL, err, err_size), "out is NULL");

    /* A NULL or tiny err buffer is fine. */
    cnnf_image8 s = {7, 8, 9, NULL};
    CHECK(cnnf_grid_compose(&ok, NULL, 0, 0, 60, &s, NULL, 0) == -1);
    char tiny[4] = "xyz";
    CHECK(cnnf_grid_compose(&ok, NULL, 0, 0, 60, &s, tiny, sizeof tiny) == -1);
    CHECK(strcmp(tiny, "gri") == 0);
    CHECK(s.width == 7 && s.height == 8 && s.channels == 9 && s.pixels == NULL);
    return 0;
}

int main(void)
{
    if (test_2x2() || test_columns() || test_labels() || test_refusals())
        return 1;
    printf("test_cnnfilter_grid: all passed\n");
    return 0;
}
