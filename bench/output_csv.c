/*
 * --csv FILE: one row per layer (and device and batch size), RFC 4180: a header row, fields
 * separated by commas, CRLF line ends, a field quoted when it holds a comma, a quote, a line
 * break or leading/trailing blanks (quotes doubled inside).
 *
 * Columns: device_name, then the keys of the JSON layer objects in the same order with the
 * same values (output_util.c: bench_layer_row_fill), then for every peer P of the run
 * P_ms_median, P_gflops, P_ratio, P_note (the JSON's nested "peers"). null is an empty field,
 * booleans are true/false. Text is UTF-8; a byte that is not well-formed UTF-8 becomes U+FFFD.
 */
#include "output_util.h"
#include "results.h"

#include <inttypes.h>
#include <string.h>

/* s with quotes doubled (when quoted) and bytes that are not well-formed UTF-8 as U+FFFD. */
static void write_text(bench_out *o, const char *s, int quoted)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t avail = strlen(s);
    while (avail > 0) {
        const size_t len = bench_utf8_length(p, avail);
        if (len == 0)
            bench_out_puts(o, "\xef\xbf\xbd");
        else if (quoted && *p == '"')
            bench_out_puts(o, "\"\"");
        else
            bench_out_write(o, (const char *)p, len);
        p += len ? len : 1;
        avail -= len ? len : 1;
    }
}

static void write_field(bench_out *o, const char *s)
{
    const size_t len = strlen(s);
    const int quote = strpbrk(s, ",\"\r\n") != NULL ||
                      (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
                                   s[len - 1] == '\t'));
    if (!quote) {
        write_text(o, s, 0);
        return;
    }
    bench_out_puts(o, "\"");
    write_text(o, s, 1);
    bench_out_puts(o, "\"");
}

static void write_value(bench_out *o, const bench_value *v)
{
    switch (v->kind) {
    case BENCH_V_STRING: write_field(o, v->s); break;
    case BENCH_V_INT: bench_out_printf(o, "%" PRId64, v->i); break;
    case BENCH_V_NUMBER: bench_out_number(o, v->d, v->digits, ""); break;
    case BENCH_V_BOOL: bench_out_puts(o, v->b ? "true" : "false"); break;
    case BENCH_V_NULL: break;
    }
}

static const char *const peer_columns[] = {"ms_median", "gflops", "ratio", "note"};

int bench_write_csv(const bench_results *r, const char *path, char *err, size_t err_size)
{
    bench_out o;
    if (bench_out_open(&o, path, err, err_size))
        return -1;
    const size_t peers = r->peer_count < BENCH_MAX_PEERS ? r->peer_count : BENCH_MAX_PEERS;

    /* The header: the columns of any row (the list does not depend on the record). */
    bench_record blank;
    memset(&blank, 0, sizeof blank);
    bench_layer_row row;
    bench_layer_row_fill(&row, &blank);
    write_field(&o, "device_name");
    for (size_t i = 0; i < row.count; i++) {
        bench_out_puts(&o, ",");
        write_field(&o, row.v[i].key);
    }
    for (size_t p = 0; p < peers; p++)
        for (size_t c = 0; c < sizeof peer_columns / sizeof peer_columns[0]; c++) {
            char name[96];
            snprintf(name, sizeof name, "%s_%s", r->peer_names[p] ? r->peer_names[p] : "?",
                     peer_columns[c]);
            bench_out_puts(&o, ",");
            write_field(&o, name);
        }
    bench_out_puts(&o, "\r\n");

    for (size_t i = 0; i < r->count; i++) {
        const bench_record *rec = &r->records[i];
        bench_layer_row_fill(&row, rec);
        write_field(&o, rec->device < r->device_count && rec->device < BENCH_MAX_DEVICES
                            ? r->devices[rec->device].info.name
                            : "");
        for (size_t v = 0; v < row.count; v++) {
            bench_out_puts(&o, ",");
            write_value(&o, &row.v[v]);
        }
        for (size_t p = 0; p < peers; p++) {
            const bench_peer_result *pr = &rec->result.peers[p];
            bench_out_puts(&o, ",");
            if (pr->ran)
                bench_out_number(&o, pr->ms_median, 6, "");
            bench_out_puts(&o, ",");
            if (pr->ran && pr->gflops > 0.0)
                bench_out_number(&o, pr->gflops, 6, "");
            bench_out_puts(&o, ",");
            if (pr->ran && pr->ratio > 0.0)
                bench_out_number(&o, pr->ratio, 4, "");
            bench_out_puts(&o, ",");
            write_field(&o, pr->note);
        }
        bench_out_puts(&o, "\r\n");
    }
    return bench_out_close(&o, err, err_size);
}
