/*
 * --plot FILE.svg: a standalone SVG 1.1 picture of the run (no scripts, no external fonts or
 * images: a browser shows it, rsvg-convert turns it into a PNG).
 *
 *   title     suite, device(s), date, host, POCL_AFFINITY, what GFLOP/s means
 *   roofline  log-log: x = arithmetic intensity (direct-convolution FLOPs over the fewest bytes
 *             moved), y = GFLOP/s; per device the two ceilings, peak_gflops (horizontal) and
 *             peak_gbs * x (sloped), labelled with their values; every convolution that ran a
 *             dot in its device's colour, numbered as its row in the chart below (a red cross
 *             over a wrong result); a label is put where it overlaps least
 *   legend    one line per device: colour, name, peaks (or "peaks not measured")
 *   bars      % of roofline per layer (pooling included: its floor is the byte one): number,
 *             name, bar, value and GFLOP/s (GB/s for pooling); WRONG / did not run marked
 * Text is XML-escaped; a byte that is not well-formed UTF-8 becomes U+FFFD.
 */
#include "fail.h"
#include "output_util.h"
#include "results.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 960.0
#define PLOT_X0 84.0
#define PLOT_X1 (WIDTH - 36.0)
#define PLOT_Y0 118.0
#define PLOT_Y1 (PLOT_Y0 + 420.0)
#define LEGEND_LINE 18.0
#define BAR_ROW 18.0
#define FONT 11.0
#define CHAR_W 0.6   /* average sans-serif glyph width per font size, for layout */
#define NAME_CHARS_MAX 30
#define WRONG_COLOUR "#d62728"

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
                                      "#76b7b2", "#edc948", "#9c755f", "#bab0ac"};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

static const char *colour(size_t device)
{
    return palette[device % PALETTE_SIZE];
}

/* ---- text ------------------------------------------------------------------------------ */

/* XML character data or attribute text of s, at most max_chars characters (0: all), with
 * an ellipsis when cut. Characters XML 1.0 does not allow become U+FFFD. */
static void write_text_n(bench_out *o, const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t avail = strlen((const char *)p), chars = 0;
    while (avail > 0) {
        if (max_chars && chars == max_chars - 1 && bench_utf8_length(p, avail) < avail) {
            bench_out_puts(o, "\xe2\x80\xa6"); /* ... */
            return;
        }
        const unsigned char c = *p;
        const size_t len = bench_utf8_length(p, avail);
        chars++;
        if (len == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
            bench_out_puts(o, "\xef\xbf\xbd");
            p++;
            avail--;
            continue;
        }
        switch (c) {
        case '&': bench_out_puts(o, "&amp;"); break;
        case '<': bench_out_puts(o, "&lt;"); break;
        case '>': bench_out_puts(o, "&gt;"); break;
        case '"': bench_out_puts(o, "&quot;"); break;
        case '\'': bench_out_puts(o, "&apos;"); break;
        default: bench_out_write(o, (const char *)p, len); break;
        }
        p += len;
        avail -= len;
    }
}

static void write_text(bench_out *o, const char *s)
{
    write_text_n(o, s, 0);
}

/* Characters (code points) of s, for layout. */
static size_t text_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t avail = strlen(s), n = 0;
    while (avail > 0) {
        size_t len = bench_utf8_length(p, avail);
        if (len == 0)
            len = 1;
        p += len;
        avail -= len;
        n++;
    }
    return n;
}

static double text_width(size_t chars, double font)
{
    return (double)chars * font * CHAR_W;
}

/* <text x y [anchor] [attrs]>s</text> */
static void text_at(bench_out *o, double x, double y, const char *anchor, const char *attrs,
                    const char *s)
{
    bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor)
        bench_out_printf(o, " text-anchor=\"%s\"", anchor);
    if (attrs)
        bench_out_printf(o, " %s", attrs);
    bench_out_puts(o, ">");
    write_text(o, s);
    bench_out_puts(o, "</text>\n");
}

/* "250", "12.3", "0.5": a value with 3 to 4 significant digits. */
static void format_value(char *buf, size_t size, double v)
{
    if (v >= 100.0)
        snprintf(buf, size, "%.0f", v);
    else if (v >= 10.0)
        snprintf(buf, size, "%.1f", v);
    else
        snprintf(buf, size, "%.3g", v);
}

/* A tick label for m * 10^k (m 1 to 9): "0.01", "1", "100", "10k", "2M", "1e-05". */
static void format_tick(char *buf, size_t size, int m, int k)
{
    if (m != 1) {
        const double v = m * pow(10.0, k);
        if (k >= 3 && k <= 5)
            snprintf(buf, size, "%gk", v / 1e3);
        else if (k >= 6 && k <= 8)
            snprintf(buf, size, "%gM", v / 1e6);
        else
            snprintf(buf, size, "%g", v);
        return;
    }
    if (k >= 0 && k <= 3)
        snprintf(buf, size, "%.0f", pow(10.0, k));
    else if (k >= 4 && k <= 5)
        snprintf(buf, size, "%.0fk", pow(10.0, k - 3));
    else if (k >= 6 && k <= 8)
        snprintf(buf, size, "%.0fM", pow(10.0, k - 6));
    else if (k < 0 && k >= -3)
        snprintf(buf, size, "%.*f", -k, pow(10.0, k));
    else
        snprintf(buf, size, "1e%d", k);
}

/* ---- the roofline's axes ---------------------------------------------------------------- */

typedef struct axes {
    int x_lo, x_hi, y_lo, y_hi; /* decades */
} axes;

static double px(const axes *a, double x)
{
    return PLOT_X0 + (log10(x) - a->x_lo) / (a->x_hi - a->x_lo) * (PLOT_X1 - PLOT_X0);
}

static double py(const axes *a, double y)
{
    return PLOT_Y1 - (log10(y) - a->y_lo) / (a->y_hi - a->y_lo) * (PLOT_Y1 - PLOT_Y0);
}

static int positive(double v)
{
    return isfinite(v) && v > 0.0;
}

/* A convolution that ran and has a place on the roofline. */
static int on_roofline(const bench_record *rec)
{
    const bench_result *res = &rec->result;
    return rec->entry.problem.op == BENCH_OP_CONV && res->outcome != BENCH_ERROR &&
           positive(res->flops) && positive(res->bytes) && positive(res->gflops);
}

static void decades(double lo, double hi, int *d_lo, int *d_hi)
{
    *d_lo = (int)floor(log10(lo));
    *d_hi = (int)ceil(log10(hi));
    if (*d_hi <= *d_lo)
        *d_hi = *d_lo + 1;
}

static void compute_axes(const bench_results *r, size_t devices, axes *a)
{
    double x_lo = INFINITY, x_hi = 0.0, y_lo = INFINITY, y_hi = 0.0;
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        if (!on_roofline(rec))
            continue;
        const double x = rec->result.flops / rec->result.bytes, y = rec->result.gflops;
        x_lo = fmin(x_lo, x); x_hi = fmax(x_hi, x);
        y_lo = fmin(y_lo, y); y_hi = fmax(y_hi, y);
    }
    for (size_t d = 0; d < devices; d++) {
        const bench_peaks *pk = &r->devices[d].peaks;
        if (positive(pk->gflops)) {
            y_hi = fmax(y_hi, pk->gflops);
            y_lo = fmin(y_lo, pk->gflops);
        }
        if (positive(pk->gflops) && positive(pk->gbs)) {
            const double ridge = pk->gflops / pk->gbs;
            x_lo = fmin(x_lo, ridge);
            x_hi = fmax(x_hi, ridge);
        }
    }
    if (!(x_hi > 0.0)) {
        x_lo = 1.0;
        x_hi = 1000.0;
    }
    if (!(y_hi > 0.0)) {
        y_lo = 1.0;
        y_hi = 1000.0;
    }
    decades(x_lo / 1.5, x_hi * 1.5, &a->x_lo, &a->x_hi);
    decades(y_lo / 1.5, y_hi * 1.4, &a->y_lo, &a->y_hi); /* room for the peak's label */
}

static void draw_axes(bench_out *o, const axes *a)
{
    /* 2 and 5 labelled too where an axis spans few decades */
    const int minor_x = a->x_hi - a->x_lo <= 3, minor_y = a->y_hi - a->y_lo <= 3;
    bench_out_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "fill=\"#fbfbfb\" stroke=\"#888\"/>\n",
                     PLOT_X0, PLOT_Y0, PLOT_X1 - PLOT_X0, PLOT_Y1 - PLOT_Y0);
    for (int k = a->x_lo; k <= a->x_hi; k++)
        for (int m = 1; m <= 9; m++) {
            const double v = m * pow(10.0, k);
            if (k == a->x_hi && m > 1)
                break;
            const double x = px(a, v);
            bench_out_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                "stroke=\"%s\" stroke-width=\"%s\"/>\n",
                             x, PLOT_Y0, x, PLOT_Y1, m == 1 ? "#ccc" : "#eee",
                             m == 1 ? "1" : "0.7");
            if (m == 1 || (minor_x && (m == 2 || m == 5))) {
                char label[32];
                format_tick(label, sizeof label, m, k);
                text_at(o, x, PLOT_Y1 + 16.0, "middle",
                        m == 1 ? "font-size=\"11\"" : "font-size=\"9\" fill=\"#777\"", label);
            }
        }
    for (int k = a->y_lo; k <= a->y_hi; k++)
        for (int m = 1; m <= 9; m++) {
            const double v = m * pow(10.0, k);
            if (k == a->y_hi && m > 1)
                break;
            const double y = py(a, v);
            bench_out_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                "stroke=\"%s\" stroke-width=\"%s\"/>\n",
                             PLOT_X0, y, PLOT_X1, y, m == 1 ? "#ccc" : "#eee",
                             m == 1 ? "1" : "0.7");
            if (m == 1 || (minor_y && (m == 2 || m == 5))) {
                char label[32];
                format_tick(label, sizeof label, m, k);
                text_at(o, PLOT_X0 - 6.0, y + 4.0, "end",
                        m == 1 ? "font-size=\"11\"" : "font-size=\"9\" fill=\"#777\"", label);
            }
        }
    text_at(o, (PLOT_X0 + PLOT_X1) / 2.0, PLOT_Y1 + 36.0, "middle", "font-size=\"12\"",
            "arithmetic intensity (FLOP per byte: direct-convolution FLOPs / fewest bytes moved)");
    bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" "
                        "transform=\"rotate(-90 %.1f %.1f)\">GFLOP/s (median kernel time)"
                        "</text>\n",
                     28.0, (PLOT_Y0 + PLOT_Y1) / 2.0, 28.0, (PLOT_Y0 + PLOT_Y1) / 2.0);
}

/* ---- labels that avoid each other ------------------------------------------------------- */

typedef struct box {
    double x0, y0, x1, y1;
} box;

typedef struct boxes {
    box *b;
    size_t count, cap;
    int failed;
} boxes;

static void boxes_add(boxes *bs, box b)
{
    if (bs->count == bs->cap) {
        const size_t cap = bs->cap ? bs->cap * 2 : 64;
        box *grown = realloc(bs->b, cap * sizeof *grown);
        if (!grown) {
            bs->failed = 1; /* placement only gets worse: keep drawing */
            return;
        }
        bs->b = grown;
        bs->cap = cap;
    }
    bs->b[bs->count++] = b;
}

static double overlap(box a, box b)
{
    const double w = fmin(a.x1, b.x1) - fmax(a.x0, b.x0);
    const double h = fmin(a.y1, b.y1) - fmax(a.y0, b.y0);
    return w > 0.0 && h > 0.0 ? w * h : 0.0;
}

/* Where the label (w x h) of a dot at (x, y) overlaps least with what is placed; returns the
 * text's anchor point and anchor ("start" or "end") and records its box. */
static void place_label(boxes *bs, double x, double y, double w, double h, double *tx,
                        double *ty, const char **anchor)
{
    /* offsets of the box's corner nearest the dot: right, left, up, down, the diagonals */
    static const double dirs[8][2] = {{1, 0}, {-1, 0}, {0, -1}, {0, 1},
                                      {1, -1}, {-1, -1}, {1, 1}, {-1, 1}};
    double best = INFINITY;
    box chosen = {0, 0, 0, 0};
    for (int radius = 0; radius < 3; radius++) {
        const double gap = 5.0 + radius * 9.0;
        for (int d = 0; d < 8; d++) {
            const double dx = dirs[d][0], dy = dirs[d][1];
            box b;
            b.x0 = dx > 0 ? x + gap : dx < 0 ? x - gap - w : x - w / 2.0;
            b.y0 = dy > 0 ? y + gap : dy < 0 ? y - gap - h : y - h / 2.0;
            b.x1 = b.x0 + w;
            b.y1 = b.y0 + h;
            double cost = radius * 2.0 + d * 0.1; /* prefer near, then right */
            for (size_t i = 0; i < bs->count; i++)
                cost += overlap(b, bs->b[i]);
            if (b.x0 < PLOT_X0 || b.x1 > PLOT_X1 || b.y0 < PLOT_Y0 || b.y1 > PLOT_Y1)
                cost += 1000.0;
            if (cost < best) {
                best = cost;
                chosen = b;
            }
        }
        if (best < 1.0)
            break;
    }
    boxes_add(bs, chosen);
    *tx = chosen.x0;
    *ty = chosen.y1 - 2.0;
    *anchor = "start";
}

/* ---- rows: one per layer, a bar per device ------------------------------------------------ */

typedef struct svg_rows {
    size_t count;
    size_t *row_of;   /* per record */
    size_t *first;    /* per row: its first record */
    int with_batch;   /* the run has several batch sizes: names carry "mbN" */
} svg_rows;

/* The row number (1-based) of a record, which its dot carries. */
static size_t row_number(const svg_rows *rows, size_t record)
{
    return rows->row_of[record] + 1;
}

static void rows_free(svg_rows *rows)
{
    free(rows->row_of);
    free(rows->first);
}

/* Group the records by layer (display name and canonical spec), in first-seen order, so that
 * --device all puts a layer's devices side by side. Returns 0, or -1 when out of memory. */
static int rows_make(svg_rows *rows, const bench_results *r)
{
    memset(rows, 0, sizeof *rows);
    const size_t n = r->count ? r->count : 1;
    typedef char spec_text[BENCH_NAME_MAX + 640];
    spec_text *keys = malloc(n * sizeof *keys);
    rows->row_of = malloc(n * sizeof *rows->row_of);
    rows->first = malloc(n * sizeof *rows->first);
    if (!keys || !rows->row_of || !rows->first) {
        free(keys);
        rows_free(rows);
        return -1;
    }
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        char spec[512];
        bench_problem_format(&rec->entry.problem, spec, sizeof spec);
        snprintf(keys[i], sizeof keys[i], "%s|%s", rec->name, spec);
        if (i > 0 && rec->entry.problem.mb != r->records[0].entry.problem.mb)
            rows->with_batch = 1;
        size_t row = rows->count;
        for (size_t k = 0; k < rows->count; k++)
            if (strcmp(keys[rows->first[k]], keys[i]) == 0) {
                row = k;
                break;
            }
        if (row == rows->count)
            rows->first[rows->count++] = i;
        rows->row_of[i] = row;
    }
    free(keys);
    return 0;
}

/* The display name of a row: the name, with the batch size when the run has several. */
static void row_name(char *buf, size_t size, const svg_rows *rows, const bench_record *rec)
{
    if (rows->with_batch)
        snprintf(buf, size, "%s mb%" PRId64, rec->name, rec->entry.problem.mb);
    else
        snprintf(buf, size, "%s", rec->name);
}

static double row_height(size_t devices)
{
    return devices > 1 ? (double)devices * 11.0 + 7.0 : BAR_ROW;
}

/* ---- the roofline ------------------------------------------------------------------------- */

static void draw_ceilings(bench_out *o, const axes *a, const bench_results *r, size_t devices,
                          boxes *bs)
{
    const double x_min = pow(10.0, a->x_lo), x_max = pow(10.0, a->x_hi);
    const double y_min = pow(10.0, a->y_lo), y_max = pow(10.0, a->y_hi);
    for (size_t d = 0; d < devices; d++) {
        const bench_peaks *pk = &r->devices[d].peaks;
        const int has_f = positive(pk->gflops), has_b = positive(pk->gbs);
        if (!has_f && !has_b)
            continue;
        char prefix[32] = "", label[128], value[32];
        if (devices > 1)
            snprintf(prefix, sizeof prefix, "[%zu] ", d + 1);
        const double ridge = has_f && has_b ? pk->gflops / pk->gbs : has_f ? x_min : x_max;
        if (has_f) {
            const double y = py(a, pk->gflops);
            const double x0 = px(a, fmax(ridge, x_min));
            bench_out_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                "stroke=\"%s\" stroke-width=\"2.5\"/>\n",
                             x0, y, PLOT_X1, y, colour(d));
            format_value(value, sizeof value, pk->gflops);
            snprintf(label, sizeof label, "%speak %s GFLOP/s (fp32 FMA)", prefix, value);
            const double ly = y - 6.0;
            text_at(o, PLOT_X1 - 6.0, ly, "end", "font-size=\"12\" font-weight=\"bold\"", label);
            const double w = text_width(text_chars(label), 12.0);
            box b = {PLOT_X1 - 6.0 - w, ly - 12.0, PLOT_X1 - 6.0, ly + 2.0};
            boxes_add(bs, b);
        }
        if (has_b) {
            /* from where the slope enters the plot to the ridge (or the right edge) */
            double xa = fmax(x_min, y_min / pk->gbs);
            double xb = fmin(ridge, x_max);
            if (xb > xa && pk->gbs * xa < y_max) {
                xb = fmin(xb, y_max / pk->gbs);
                const double X0 = px(a, xa), Y0 = py(a, pk->gbs * xa);
                const double X1 = px(a, xb), Y1 = py(a, pk->gbs * xb);
                bench_out_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                    "stroke=\"%s\" stroke-width=\"2.5\"/>\n",
                                 X0, Y0, X1, Y1, colour(d));
                format_value(value, sizeof value, pk->gbs);
                snprintf(label, sizeof label, "%scopy bandwidth %s GB/s", prefix, value);
                const double angle = atan2(Y1 - Y0, X1 - X0) * 180.0 / 3.14159265358979;
                /* the label's start a third of the way along, lifted off the line */
                const double t = 0.25;
                const double lx = X0 + t * (X1 - X0), ly = Y0 + t * (Y1 - Y0) - 7.0;
                bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
                                    "font-weight=\"bold\" transform=\"rotate(%.2f %.1f %.1f)\">",
                                 lx, ly, angle, lx, ly);
                write_text(o, label);
                bench_out_puts(o, "</text>\n");
                const double w = text_width(text_chars(label), 12.0);
                const double c = cos(angle * 3.14159265358979 / 180.0);
                const double s = sin(angle * 3.14159265358979 / 180.0);
                box b = {lx, fmin(ly, ly + s * w) - 12.0, lx + c * w, fmax(ly, ly + s * w) + 2.0};
                boxes_add(bs, b);
            }
        }
    }
}

/* Row numbers of the bar chart, which the dots carry. */
static void draw_points(bench_out *o, const axes *a, const bench_results *r,
                        const svg_rows *rows, boxes *bs)
{
    /* Dots first, as obstacles for every label. */
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        if (!on_roofline(rec))
            continue;
        const double x = px(a, rec->result.flops / rec->result.bytes);
        const double y = py(a, rec->result.gflops);
        box b = {x - 4.0, y - 4.0, x + 4.0, y + 4.0};
        boxes_add(bs, b);
    }
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        if (!on_roofline(rec))
            continue;
        const double ai = rec->result.flops / rec->result.bytes;
        const double x = px(a, ai), y = py(a, rec->result.gflops);
        char tip[BENCH_NAME_MAX + 160], number[24], g[32], f[32];
        format_value(g, sizeof g, rec->result.gflops);
        format_value(f, sizeof f, ai);
        snprintf(tip, sizeof tip, "%zu %s: %s GFLOP/s at %s FLOP/byte", row_number(rows, i),
                 rec->name, g, f);
        bench_out_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" "
                            "stroke=\"#fff\" stroke-width=\"0.8\"><title>",
                         x, y, colour(rec->device));
        write_text(o, tip);
        bench_out_puts(o, "</title></circle>\n");
        if (rec->result.outcome == BENCH_WRONG)
            bench_out_printf(o, "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"" WRONG_COLOUR
                                "\" stroke-width=\"2\"/>\n",
                             x - 4.0, y - 4.0);
        snprintf(number, sizeof number, "%zu", row_number(rows, i));
        const double w = text_width(strlen(number), 10.0), h = 10.0;
        double tx, ty;
        const char *anchor;
        place_label(bs, x, y, w, h, &tx, &ty, &anchor);
        bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#222\">%s"
                            "</text>\n",
                         tx, ty, number);
    }
}

/* ---- the bar chart ------------------------------------------------------------------------ */

/* "57.6 GFLOP/s" for a convolution, "10.4 GB/s" for pooling, "not timed". */
static void rate_text(char *buf, size_t size, const bench_record *rec)
{
    char v[32];
    if (rec->entry.problem.op == BENCH_OP_CONV && positive(rec->result.gflops)) {
        format_value(v, sizeof v, rec->result.gflops);
        snprintf(buf, size, "%s GFLOP/s", v);
    } else if (positive(rec->result.gbs)) {
        format_value(v, sizeof v, rec->result.gbs);
        snprintf(buf, size, "%s GB/s", v);
    } else {
        snprintf(buf, size, "not timed");
    }
}

/* % of roofline per layer when any is known, else GFLOP/s per convolution. */
static double draw_bars(bench_out *o, const bench_results *r, const svg_rows *rows,
                        size_t devices, double top)
{
    size_t name_chars = 4;
    double max_pct = 100.0, max_gflops = 0.0;
    int pct_mode = 0;
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        char name[BENCH_NAME_MAX + 32];
        row_name(name, sizeof name, rows, rec);
        const size_t n = text_chars(name);
        if (n > name_chars)
            name_chars = n < NAME_CHARS_MAX ? n : NAME_CHARS_MAX;
        if (rec->result.outcome == BENCH_ERROR)
            continue;
        if (positive(rec->pct_roofline)) {
            pct_mode = 1;
            max_pct = fmax(max_pct, rec->pct_roofline);
        }
        if (rec->entry.problem.op == BENCH_OP_CONV && positive(rec->result.gflops))
            max_gflops = fmax(max_gflops, rec->result.gflops);
    }
    const double num_x = 40.0, name_x = 48.0;
    const double bar_x0 = name_x + text_width(name_chars, FONT) + 10.0;
    const double bar_x1 = WIDTH - 200.0;
    /* the scale's end: 100% (or past it in steps of 25), or the largest GFLOP/s rounded up to
     * 1, 2 or 5 times a power of ten */
    double full = 100.0, step = 25.0;
    if (pct_mode) {
        if (max_pct > 100.0)
            full = ceil(max_pct / 25.0) * 25.0;
    } else if (max_gflops > 0.0) {
        const double decade = pow(10.0, floor(log10(max_gflops)));
        if (max_gflops <= 2.0 * decade) {
            full = 2.0 * decade;
            step = decade / 2.0;
        } else if (max_gflops <= 5.0 * decade) {
            full = 5.0 * decade;
            step = decade;
        } else {
            full = 10.0 * decade;
            step = 2.0 * decade;
        }
    }
    const double scale = (bar_x1 - bar_x0) / full;
    const double rh = row_height(devices);

    text_at(o, 16.0, top, NULL, "font-size=\"15\" font-weight=\"bold\"",
            pct_mode ? "% of roofline per layer" : "GFLOP/s per convolution");
    text_at(o, 16.0, top + 16.0, NULL, "font-size=\"11\" fill=\"#555\"",
            pct_mode ? "100% = the roofline's floor max(FLOPs / peak GFLOP/s, bytes / peak GB/s) "
                       "over the median kernel time; pooling against the byte floor"
                     : "peaks not measured: % of roofline unknown; bars show GFLOP/s "
                       "(pooling: GB/s as text)");
    const double y0 = top + 30.0;
    const double y1 = y0 + (double)rows->count * rh;
    for (size_t row = 1; row < rows->count; row += 2) /* zebra stripes, under the grid */
        bench_out_printf(o, "<rect x=\"12\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            "fill=\"#f4f4f4\"/>\n",
                         y0 + (double)row * rh, WIDTH - 24.0, rh);
    for (int t = 0; t <= 40 && t * step <= full + 1e-9; t++) {
        const double v = t * step, x = bar_x0 + v * scale;
        char label[32];
        if (pct_mode)
            snprintf(label, sizeof label, "%.0f%%", v);
        else
            format_value(label, sizeof label, v);
        bench_out_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                            "stroke=\"%s\" stroke-width=\"1\"/>\n",
                         x, y0 - 4.0, x, y1, pct_mode && v == 100.0 ? "#888" : "#ddd");
        text_at(o, x, y1 + 13.0, "middle", "font-size=\"10\" fill=\"#555\"", label);
    }
    for (size_t row = 0; row < rows->count; row++) {
        const double y = y0 + (double)row * rh;
        char number[24], name[BENCH_NAME_MAX + 32];
        snprintf(number, sizeof number, "%zu", row + 1);
        row_name(name, sizeof name, rows, &r->records[rows->first[row]]);
        const double base = y + (devices > 1 ? rh / 2.0 + 4.0 : BAR_ROW - 5.0);
        text_at(o, num_x, base, "end", "font-size=\"11\" fill=\"#555\"", number);
        bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", name_x, base);
        write_text_n(o, name, NAME_CHARS_MAX);
        bench_out_puts(o, "</text>\n");
    }
    const double bar_h = devices > 1 ? 9.0 : BAR_ROW - 6.0;
    const char *font = devices > 1 ? "font-size=\"9.5\"" : "font-size=\"11\"";
    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        const bench_result *res = &rec->result;
        const size_t slot = rec->device < devices ? rec->device : 0;
        const double y = y0 + (double)rows->row_of[i] * rh + 3.5 + (double)slot * 11.0;
        const double base = y + bar_h - 1.5;
        if (res->outcome == BENCH_ERROR) {
            bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" %s fill=\"" WRONG_COLOUR "\">"
                                "did not run</text>\n",
                             bar_x0 + 4.0, base, font);
            continue;
        }
        char rate[48], value[96];
        rate_text(rate, sizeof rate, rec);
        double len = 0.0;
        if (pct_mode) {
            const double pct = positive(rec->pct_roofline) ? rec->pct_roofline : 0.0;
            len = pct * scale;
            if (pct > 0.0)
                snprintf(value, sizeof value, "%.1f%% (%s)", pct, rate);
            else
                snprintf(value, sizeof value, "n/a (%s)", rate);
        } else {
            if (rec->entry.problem.op == BENCH_OP_CONV && positive(res->gflops))
                len = res->gflops * scale;
            snprintf(value, sizeof value, "%s", rate);
        }
        if (len > 0.0)
            bench_out_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                "fill=\"%s\"/>\n",
                             bar_x0, y, len, bar_h, colour(rec->device));
        bench_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" %s>", bar_x0 + len + 4.0, base, font);
        write_text(o, value);
        if (res->outcome == BENCH_WRONG)
            bench_out_puts(o, " <tspan font-weight=\"bold\" fill=\"" WRONG_COLOUR "\">WRONG"
                              "</tspan>");
        else if (res->outcome == BENCH_UNCHECKED)
            bench_out_puts(o, " <tspan fill=\"#888\">not verified</tspan>");
        bench_out_puts(o, "</text>\n");
    }
    return y1 + 20.0;
}

/* ---- the picture -------------------------------------------------------------------------- */

/* The legend's second line for a device: verification and the geometric means. */
static void summary_text(char *buf, size_t size, const bench_results *r, size_t device)
{
    bench_summary s;
    bench_results_summary(r, device, &s);
    size_t used = 0;
#define ADD(...)                                                                          \
    do {                                                                                  \
        if (used < size) {                                                                \
            const int n_ = snprintf(buf + used, size - used, __VA_ARGS__);                \
            used += n_ > 0 ? (size_t)n_ : 0;                                              \
        }                                                                                 \
    } while (0)
    buf[0] = '\0';
    ADD("%d layer%s: %d verified", s.layers, s.layers == 1 ? "" : "s", s.verified);
    if (s.wrong)
        ADD(", %d WRONG", s.wrong);
    if (s.errors)
        ADD(", %d did not run", s.errors);
    if (s.unchecked)
        ADD(", %d not checked", s.unchecked);
    if (s.conv_layers) {
        char g[32];
        format_value(g, sizeof g, s.geomean_gflops);
        ADD("; geomean %s GFLOP/s over %d convolution%s", g, s.conv_layers,
            s.conv_layers == 1 ? "" : "s");
    }
    if (s.geomean_pct_roofline > 0.0)
        ADD(", %.1f%% of roofline", s.geomean_pct_roofline);
    for (size_t p = 0; p < r->peer_count && p < BENCH_MAX_PEERS; p++)
        if (s.peer_layers[p] > 0)
            ADD("; %s time / cnncl time %.3g (geomean of %d)",
                r->peer_names[p] ? r->peer_names[p] : "?", s.peer_geomean_ratio[p],
                s.peer_layers[p]);
#undef ADD
}

int bench_write_svg(const bench_results *r, const char *path, char *err, size_t err_size)
{
    svg_rows rows;
    if (rows_make(&rows, r))
        return bench_fail(err, err_size, "%s: out of memory for the plot's rows", path);
    bench_out o;
    if (bench_out_open(&o, path, err, err_size)) {
        rows_free(&rows);
        return -1;
    }
    const size_t devices = r->device_count < BENCH_MAX_DEVICES ? r->device_count
                                                                : BENCH_MAX_DEVICES;
    int any_peaks = 0, any_points = 0, any_wrong = 0;
    for (size_t d = 0; d < devices; d++)
        if (positive(r->devices[d].peaks.gflops) || positive(r->devices[d].peaks.gbs))
            any_peaks = 1;
    for (size_t i = 0; i < r->count; i++) {
        any_points |= on_roofline(&r->records[i]);
        any_wrong |= r->records[i].result.outcome == BENCH_WRONG;
    }

    const double legend_y = PLOT_Y1 + 62.0;
    const double bars_y = legend_y + (double)(devices ? devices : 1) * 2.0 * LEGEND_LINE + 30.0;
    const double height = bars_y + 30.0 + (double)rows.count * row_height(devices) + 40.0;

    bench_out_printf(&o, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                         "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                         "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
                     WIDTH, height, WIDTH, height);
    bench_out_printf(&o, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", WIDTH,
                     height);

    /* title */
    char line[1024];
    if (devices == 1)
        snprintf(line, sizeof line, "cnnbench: %s on %s", r->suite, r->devices[0].info.name);
    else
        snprintf(line, sizeof line, "cnnbench: %s on %zu devices", r->suite, devices);
    bench_out_puts(&o, "<title>");
    write_text(&o, line);
    bench_out_puts(&o, "</title>\n");
    text_at(&o, 16.0, 28.0, NULL, "font-size=\"18\" font-weight=\"bold\"", line);
    snprintf(line, sizeof line, "%s  |  host %s  |  cnncl %s%s%s%s", r->date, r->host,
             cnn_version(), r->pocl_affinity[0] ? "  |  POCL_AFFINITY=" : "", r->pocl_affinity,
             !r->pocl_affinity[0] ? "" : r->pocl_affinity_by_us ? " (set by cnnbench)"
                                                                : " (set by the user)");
    text_at(&o, 16.0, 48.0, NULL, "font-size=\"12\" fill=\"#444\" xml:space=\"preserve\"", line);
    text_at(&o, 16.0, 66.0, NULL, "font-size=\"12\" fill=\"#444\"",
            "GFLOP/s: direct-convolution FLOPs 2*N*K*OH*OW*(C/g)*R*S over the median kernel "
            "time, bias + ReLU fused");
    text_at(&o, 16.0, 96.0, NULL, "font-size=\"15\" font-weight=\"bold\"",
            any_peaks ? "Roofline: convolutions against the device's measured peaks"
                      : "Convolutions: GFLOP/s against arithmetic intensity");
    text_at(&o, PLOT_X1, 96.0, "end", "font-size=\"11\" fill=\"#555\"",
            any_wrong ? "dots numbered as the rows below; red cross: wrong result"
                      : "dots numbered as the rows below");

    axes a;
    compute_axes(r, devices, &a);
    draw_axes(&o, &a);
    boxes bs;
    memset(&bs, 0, sizeof bs);
    draw_ceilings(&o, &a, r, devices, &bs);
    if (!any_peaks)
        text_at(&o, PLOT_X0 + 10.0, PLOT_Y0 + 20.0, NULL,
                "font-size=\"13\" font-weight=\"bold\" fill=\"#a33\"",
                "peaks not measured: no ceilings drawn");
    if (!any_points)
        text_at(&o, (PLOT_X0 + PLOT_X1) / 2.0, (PLOT_Y0 + PLOT_Y1) / 2.0, "middle",
                "font-size=\"13\" fill=\"#555\"", "no convolution was timed");
    draw_points(&o, &a, r, &rows, &bs);
    free(bs.b);

    /* legend: two lines per device */
    for (size_t d = 0; d < devices; d++) {
        const bench_device_run *dev = &r->devices[d];
        const double y = legend_y + (double)d * 2.0 * LEGEND_LINE;
        char g[32], b[32], head[sizeof line + 32];
        bench_out_printf(&o, "<rect x=\"16\" y=\"%.1f\" width=\"12\" height=\"12\" "
                             "fill=\"%s\"/>\n",
                         y - 10.0, colour(d));
        format_value(g, sizeof g, dev->peaks.gflops);
        format_value(b, sizeof b, dev->peaks.gbs);
        if (positive(dev->peaks.gflops) || positive(dev->peaks.gbs))
            snprintf(line, sizeof line, "%s (%s, %u compute units): peak %s GFLOP/s, %s GB/s "
                     "(%s)",
                     dev->info.name, cnn_device_type_string(dev->info.type),
                     dev->info.compute_units, positive(dev->peaks.gflops) ? g : "?",
                     positive(dev->peaks.gbs) ? b : "?",
                     dev->peaks.from_cache ? "cached measurement" : "measured in this run");
        else
            snprintf(line, sizeof line, "%s (%s, %u compute units): peaks not measured",
                     dev->info.name, cnn_device_type_string(dev->info.type),
                     dev->info.compute_units);
        if (devices > 1)
            snprintf(head, sizeof head, "[%zu] %s", d + 1, line);
        else
            snprintf(head, sizeof head, "%s", line);
        text_at(&o, 34.0, y, NULL, "font-size=\"12\"", head);
        summary_text(line, sizeof line, r, d);
        text_at(&o, 34.0, y + LEGEND_LINE - 2.0, NULL, "font-size=\"11\" fill=\"#444\"", line);
    }

    draw_bars(&o, r, &rows, devices, bars_y);
    rows_free(&rows);
    bench_out_puts(&o, "</svg>\n");
    return bench_out_close(&o, err, err_size);
}
