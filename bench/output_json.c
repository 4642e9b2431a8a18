/*
 * --json FILE: the run as one JSON document (RFC 8259), indented two spaces.
 *
 *   {
 *     "format_version": 1, "cnncl_version": "...", "peer": "cnncl" (for --vs-json),
 *     "device":  {name, vendor, driver, type, compute_units, peak_gflops, peak_gbs, ...},
 *     "devices": [ the same object for every device of the run (one for a single device),
 *                  each with its own "summary" ],
 *     "layers":  [ one object per layer, device and batch size ],
 *     "summary": { counts and geometric means of the first device; date, host, suite, ... }
 *   }
 *
 * "device" is the first (often the only) device, as the schema has it. A layer's keys
 * are listed in bench_layer_row_fill() (output_util.c): the schema's 28 first, in its order,
 * then cnnbench's own, then "peers". Conventions:
 *   - a number that was not measured (a layer that did not run, an unknown peak) is null, as
 *     is any NaN or infinity; milliseconds and rates have 6 significant digits;
 *   - "verified": true, false (a wrong result, or the layer did not run: see "outcome" and
 *     "error"), null when verification was off;
 *   - pooling layers: k = c, r x s = the window, groups = c (each channel pooled alone, as a
 *     depthwise convolution would), dilation 1, algo "pool_max" or "pool_avg" ("spec" says
 *     which average and whether ceil mode), gflops and flops null (no FLOPs counted);
 *   - dilation_h/w are the library's (1 = dense), not benchdnn's d - 1 of "spec";
 *   - compile_ms: cold_ms (plan + first execution, empty program cache) when --first-call
 *     measured it, else plan_ms;
 *   - "peers": {"clblast": {ran, ms_median, ms_min, ms_max, gflops, ratio, note} or null when
 *     the peer was not run on the layer and said nothing (pooling)}; ratio = peer ms / cnncl
 *     ms, above 1 when cnncl is faster.
 * Strings are escaped per RFC 8259; UTF-8 passes through, a byte that is not well-formed UTF-8
 * becomes U+FFFD.
 */
#include "output_util.h"
#include "results.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define JSON_MAX_DEPTH 16

typedef struct json_writer {
    bench_out out;
    int depth;
    int has_items[JSON_MAX_DEPTH]; /* whether the container at each depth has an item yet */
} json_writer;

static void write_string(bench_out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t avail = strlen((const char *)p);
    bench_out_puts(o, "\"");
    while (avail > 0) {
        const unsigned char c = *p;
        const char *esc = NULL;
        char buf[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                buf[0] = '\\'; buf[1] = 'u'; buf[2] = '0'; buf[3] = '0';
                buf[4] = hex[c >> 4]; buf[5] = hex[c & 15]; buf[6] = '\0';
                esc = buf;
            }
            break;
        }
        if (esc) {
            bench_out_puts(o, esc);
            p++;
            avail--;
            continue;
        }
        const size_t len = bench_utf8_length(p, avail);
        if (len == 0) {
            bench_out_puts(o, "\\ufffd");
            p++;
            avail--;
            continue;
        }
        bench_out_write(o, (const char *)p, len);
        p += len;
        avail -= len;
    }
    bench_out_puts(o, "\"");
}

/* The separator, newline and indentation before an item, then its key (NULL in arrays). */
static void item(json_writer *w, const char *key)
{
    if (w->depth > 0) {
        bench_out_puts(&w->out, w->has_items[w->depth - 1] ? ",\n" : "\n");
        w->has_items[w->depth - 1] = 1;
    }
    for (int i = 0; i < w->depth; i++)
        bench_out_puts(&w->out, "  ");
    if (key) {
        write_string(&w->out, key);
        bench_out_puts(&w->out, ": ");
    }
}

static void open_container(json_writer *w, const char *key, char bracket)
{
    item(w, key);
    bench_out_write(&w->out, &bracket, 1);
    if (w->depth < JSON_MAX_DEPTH)
        w->has_items[w->depth] = 0;
    w->depth++;
}

static void close_container(json_writer *w, char bracket)
{
    w->depth--;
    if (w->depth < JSON_MAX_DEPTH && w->has_items[w->depth]) {
        bench_out_puts(&w->out, "\n");
        for (int i = 0; i < w->depth; i++)
            bench_out_puts(&w->out, "  ");
    }
    bench_out_write(&w->out, &bracket, 1);
}

static void put_string(json_writer *w, const char *key, const char *s)
{
    item(w, key);
    if (s)
        write_string(&w->out, s);
    else
        bench_out_puts(&w->out, "null");
}

static void put_int(json_writer *w, const char *key, int64_t v)
{
    item(w, key);
    bench_out_printf(&w->out, "%" PRId64, v);
}

/* A number, null when not finite or not present. */
static void put_number(json_writer *w, const char *key, double v, int digits, int present)
{
    item(w, key);
    bench_out_number(&w->out, present ? v : NAN, digits, "null");
}

static void put_bool(json_writer *w, const char *key, int b)
{
    item(w, key);
    bench_out_puts(&w->out, b ? "true" : "false");
}

static void put_null(json_writer *w, const char *key)
{
    item(w, key);
    bench_out_puts(&w->out, "null");
}

static void put_value(json_writer *w, const bench_value *v)
{
    switch (v->kind) {
    case BENCH_V_STRING: put_string(w, v->key, v->s); break;
    case BENCH_V_INT: put_int(w, v->key, v->i); break;
    case BENCH_V_NUMBER: put_number(w, v->key, v->d, v->digits, 1); break;
    case BENCH_V_BOOL: put_bool(w, v->key, v->b); break;
    case BENCH_V_NULL: put_null(w, v->key); break;
    }
}

static void put_stats(json_writer *w, const bench_results *r, size_t device)
{
    bench_summary s;
    bench_results_summary(r, device, &s);
    put_int(w, "layers", s.layers);
    put_int(w, "verified", s.verified);
    put_int(w, "failed", s.wrong + s.errors);
    put_int(w, "wrong", s.wrong);
    put_int(w, "errors", s.errors);
    put_int(w, "unchecked", s.unchecked);
    put_int(w, "conv_layers", s.conv_layers);
    put_number(w, "geomean_gflops", s.geomean_gflops, 6, s.geomean_gflops > 0.0);
    put_number(w, "geomean_pct_roofline", s.geomean_pct_roofline, 4,
               s.geomean_pct_roofline > 0.0);
    put_number(w, "total_ms", s.total_ms, 6, 1);
    open_container(w, "peers", '{');
    for (size_t p = 0; p < r->peer_count && p < BENCH_MAX_PEERS; p++) {
        open_container(w, r->peer_names[p] ? r->peer_names[p] : "?", '{');
        put_int(w, "layers", s.peer_layers[p]);
        put_number(w, "geomean_ratio", s.peer_geomean_ratio[p], 4, s.peer_layers[p] > 0);
        close_container(w, '}');
    }
    close_container(w, '}');
}

static void put_device(json_writer *w, const char *key, const bench_results *r, size_t d,
                       int with_summary)
{
    const bench_device_run *dev = &r->devices[d];
    const bench_peaks *pk = &dev->peaks;
    open_container(w, key, '{');
    put_string(w, "name", dev->info.name);
    put_string(w, "vendor", dev->info.vendor);
    put_string(w, "driver", dev->info.driver);
    put_string(w, "type", cnn_device_type_string(dev->info.type));
    put_int(w, "compute_units", dev->info.compute_units);
    put_number(w, "peak_gflops", pk->gflops, 6, pk->gflops > 0.0);
    put_number(w, "peak_gbs", pk->gbs, 6, pk->gbs > 0.0);
    put_int(w, "index", (int64_t)d);
    put_string(w, "selector", dev->info.selector);
    put_string(w, "opencl_version", dev->info.opencl_version);
    put_int(w, "global_mem_bytes", (int64_t)dev->info.global_mem_bytes);
    put_bool(w, "pocl", dev->pocl);
    if (pk->gflops > 0.0 || pk->gbs > 0.0) {
        put_bool(w, "peaks_from_cache", pk->from_cache);
        put_string(w, "peaks_how", pk->how);
    } else {
        put_null(w, "peaks_from_cache");
        put_null(w, "peaks_how");
    }
    if (with_summary) {
        open_container(w, "summary", '{');
        put_stats(w, r, d);
        close_container(w, '}');
    }
    close_container(w, '}');
}

static void put_layer(json_writer *w, const bench_results *r, const bench_record *rec)
{
    bench_layer_row row;
    bench_layer_row_fill(&row, rec);
    open_container(w, NULL, '{');
    for (size_t i = 0; i < row.count; i++)
        put_value(w, &row.v[i]);
    open_container(w, "peers", '{');
    for (size_t p = 0; p < r->peer_count && p < BENCH_MAX_PEERS; p++) {
        const char *name = r->peer_names[p] ? r->peer_names[p] : "?";
        const bench_peer_result *pr = &rec->result.peers[p];
        if (!pr->ran && !pr->note[0]) {
            put_null(w, name);
            continue;
        }
        open_container(w, name, '{');
        put_bool(w, "ran", pr->ran);
        put_number(w, "ms_median", pr->ms_median, 6, pr->ran);
        put_number(w, "ms_min", pr->ms_min, 6, pr->ran);
        put_number(w, "ms_max", pr->ms_max, 6, pr->ran);
        put_number(w, "gflops", pr->gflops, 6, pr->ran && pr->gflops > 0.0);
        put_number(w, "ratio", pr->ratio, 4, pr->ran && pr->ratio > 0.0);
        put_string(w, "note", pr->note[0] ? pr->note : NULL);
        close_container(w, '}');
    }
    close_container(w, '}');
    close_container(w, '}');
}

int bench_write_json(const bench_results *r, const char *path, char *err, size_t err_size)
{
    json_writer w;
    memset(&w, 0, sizeof w);
    if (bench_out_open(&w.out, path, err, err_size))
        return -1;
    const size_t devices = r->device_count < BENCH_MAX_DEVICES ? r->device_count
                                                                : BENCH_MAX_DEVICES;
    open_container(&w, NULL, '{');
    put_int(&w, "format_version", 1);
    put_string(&w, "cnncl_version", cnn_version());
    put_string(&w, "peer", "cnncl"); /* the column name when read back by --vs-json */
    if (devices > 0) {
        put_device(&w, "device", r, 0, 0);
    } else {
        put_null(&w, "device");
    }
    open_container(&w, "devices", '[');
    for (size_t d = 0; d < devices; d++)
        put_device(&w, NULL, r, d, 1);
    close_container(&w, ']');
    open_container(&w, "layers", '[');
    for (size_t i = 0; i < r->count; i++)
        put_layer(&w, r, &r->records[i]);
    close_container(&w, ']');

    open_container(&w, "summary", '{');
    put_stats(&w, r, 0);
    put_int(&w, "devices", (int64_t)devices);
    put_string(&w, "date", r->date);
    put_string(&w, "host", r->host);
    put_string(&w, "suite", r->suite);
    put_string(&w, "pocl_affinity", r->pocl_affinity[0] ? r->pocl_affinity : NULL);
    put_string(&w, "pocl_affinity_set_by",
               !r->pocl_affinity[0] ? NULL : r->pocl_affinity_by_us ? "cnnbench" : "user");
    put_string(&w, "gflops_definition",
               "direct-convolution FLOPs 2*N*K*OH*OW*(C/g)*R*S over ms_median, whatever the "
               "algorithm");
    put_string(&w, "gbs_definition",
               "fewest bytes moved (input, weights, bias and output once) over ms_median");
    put_string(&w, "pct_roofline_definition",
               "100 * max(flops / peak_gflops, bytes / peak_gbs) / ms_median");
    close_container(&w, '}');
    close_container(&w, '}');
    bench_out_puts(&w.out, "\n");
    return bench_out_close(&w.out, err, err_size);
}
