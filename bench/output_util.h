/*
 * What the writers of bench/output_*.c share: a checked output file, UTF-8 checking for the
 * escapers, and the one list of a layer's columns that the JSON objects and the CSV rows are
 * both written from (so the two never disagree about names or order).
 *
 *     bench_out o;
 *     if (bench_out_open(&o, path, err, err_size))
 *         return -1;
 *     bench_out_printf(&o, "...");            // errors are remembered, not returned
 *     return bench_out_close(&o, err, err_size); // 0, or -1 naming the file
 */
#ifndef CNNBENCH_OUTPUT_UTIL_H
#define CNNBENCH_OUTPUT_UTIL_H

#include "results.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- a checked output file ------------------------------------------------------------- */

typedef struct bench_out {
    FILE *f;
    const char *path;       /* as given; "-" is stdout */
    int failed;             /* a write failed */
    int error;              /* its errno (0: unknown) */
} bench_out;

/* Open path for writing ("-": stdout). Returns 0, or -1 with "cannot open PATH: reason". */
int bench_out_open(bench_out *o, const char *path, char *err, size_t err_size);

void bench_out_printf(bench_out *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void bench_out_write(bench_out *o, const char *s, size_t len);
void bench_out_puts(bench_out *o, const char *s);

/* Flush and close (stdout is flushed, not closed). Returns 0, or -1 with "cannot write PATH:
 * reason" when any write, the flush or the close failed. */
int bench_out_close(bench_out *o, char *err, size_t err_size);

/* ---- text ------------------------------------------------------------------------------ */

/* Length (1 to 4) of the well-formed UTF-8 sequence at s[0, avail), or 0 when s[0] does not
 * start one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut
 * short). ASCII, control characters included, gives 1. */
size_t bench_utf8_length(const unsigned char *s, size_t avail);

/* ---- a layer's columns ------------------------------------------------------------------ */

typedef enum bench_value_kind {
    BENCH_V_NULL = 0,
    BENCH_V_STRING,
    BENCH_V_INT,
    BENCH_V_NUMBER,   /* written with digits significant digits; null when not finite */
    BENCH_V_BOOL
} bench_value_kind;

typedef struct bench_value {
    const char *key;
    bench_value_kind kind;
    const char *s;
    int64_t i;
    double d;
    int digits;
    int b;
} bench_value;

/* The 28 required layer keys, then cnnbench's own. */
#define BENCH_LAYER_REQUIRED_KEYS 28
#define BENCH_LAYER_MAX_VALUES 56

typedef struct bench_layer_row {
    bench_value v[BENCH_LAYER_MAX_VALUES];
    size_t count;
    char spec[512];          /* storage for the "spec" string */
    char detail[256];        /* storage for "error" of a wrong result */
} bench_layer_row;

/* The scalar columns of record rec, in the order of the JSON layer objects (the nested
 * "peers" object follows them there; the CSV flattens it). */
void bench_layer_row_fill(bench_layer_row *row, const bench_record *rec);

/* "verified", "unchecked", "wrong", "error" */
const char *bench_outcome_string(bench_outcome outcome);

/* Write a number the way every writer does: %.<digits>g, or "null" / "" (null_text) when
 * not finite. */
void bench_out_number(bench_out *o, double v, int digits, const char *null_text);

#endif /* CNNBENCH_OUTPUT_UTIL_H */
