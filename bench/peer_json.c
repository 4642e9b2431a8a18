/* A peer whose timings were measured elsewhere and written as JSON in cnnbench's schema (--vs-json
 * FILE): cnnbench's own --json output, or bench/gpu/cudnn_baseline.py's. Nothing runs; each
 * layer is looked up in the file by its shape (batch, channels, map, kernel, strides, padding,
 * dilation, groups), so that names may differ. The file's "peer" member names the column
 * ("vs cudnn"); a file without one is "json". */
#include "peer_json.h"

#include "fail.h"
#include "json_read.h"
#include "peer_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASELINE_MAX_BYTES (64u << 20)

/* The fields that identify a layer (cnnbench's JSON names; a missing "groups" is 1). */
#define SHAPE_FIELDS 18
static const char *const shape_keys[SHAPE_FIELDS] = {
    "n", "c", "h", "w", "k", "r", "s", "oh", "ow", "stride_h", "stride_w", "pad_top",
    "pad_bottom", "pad_left", "pad_right", "dilation_h", "dilation_w", "groups"};

typedef struct baseline_layer {
    int64_t shape[SHAPE_FIELDS]; /* in the order of shape_keys */
    double ms_median, ms_min, ms_max;
    char name[64];
} baseline_layer;

struct bench_baseline {
    char label[32];
    char note[160];
    char path[256];
    baseline_layer *layers;
    size_t count;
};

typedef struct json_peer {
    bench_peer base;
    bench_peer_vtable vt; /* its own, for the file's label */
    const bench_baseline *baseline;
} json_peer;

static void shape_of(const cnn_conv2d_desc *d, int64_t out[SHAPE_FIELDS])
{
    const int64_t v[SHAPE_FIELDS] = {
        d->n, d->c, d->h, d->w, d->k, d->r, d->s, d->oh, d->ow, d->stride_h, d->stride_w,
        d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, d->dilation_h, d->dilation_w,
        d->groups};
    memcpy(out, v, sizeof v);
}

static char *read_file(const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bench_fail(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown = cap <= BASELINE_MAX_BYTES + 8192 ? realloc(text, cap) : NULL;
            if (!grown) {
                bench_fail(err, err_size, "%s: larger than %u MiB, or out of memory", path,
                           BASELINE_MAX_BYTES >> 20);
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        const size_t got = fread(text + size, 1, 4096, f);
        size += got;
        if (got < 4096)
            break;
    }
    const int bad = ferror(f);
    fclose(f);
    if (bad) {
        bench_fail(err, err_size, "cannot read %s", path);
        free(text);
        return NULL;
    }
    text[size] = '\0';
    if (strlen(text) != size) {
        bench_fail(err, err_size, "%s: not a text file (a NUL byte)", path);
        free(text);
        return NULL;
    }
    return text;
}

/* One entry of "layers": 1 when it is a timed convolution (into out), 0 to skip it (pooling, or
 * not timed there), -1 when malformed. */
static int read_layer(const json_value *l, size_t index, baseline_layer *out, char *err,
                      size_t err_size)
{
    if (l->type != JSON_OBJECT)
        return bench_fail(err, err_size, "layers[%zu] is not an object", index);
    if (strcmp(json_string(l, "op", "conv"), "conv") != 0)
        return 0;
    const double ms = json_number(l, "ms_median", 0.0);
    if (!(ms > 0.0 && ms < 1e12))
        return 0;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < SHAPE_FIELDS; i++) {
        const double v = json_number(l, shape_keys[i], i == SHAPE_FIELDS - 1 ? 1.0 : -1.0);
        if (!(v >= 0.0 && v <= 9e15) || v != (double)(int64_t)v)
            return bench_fail(err, err_size,
                              "layers[%zu] (\"%.60s\"): \"%s\" is missing or not a count", index,
                              json_string(l, "name", "?"), shape_keys[i]);
        out->shape[i] = (int64_t)v;
    }
    out->ms_median = ms;
    const double lo = json_number(l, "ms_min", ms), hi = json_number(l, "ms_max", ms);
    out->ms_min = lo > 0.0 && lo <= ms ? lo : ms;
    out->ms_max = hi >= ms ? hi : ms;
    snprintf(out->name, sizeof out->name, "%s", json_string(l, "name", ""));
    return 1;
}

bench_baseline *bench_baseline_load(const char *path, char *err, size_t err_size)
{
    char *text = read_file(path, err, err_size);
    if (!text)
        return NULL;
    char why[256];
    json_value *root = json_parse(text, why, sizeof why);
    free(text);
    if (!root) {
        bench_fail(err, err_size, "%s: not JSON: %s", path, why);
        return NULL;
    }
    bench_baseline *b = calloc(1, sizeof *b);
    const json_value *layers = json_member(root, "layers");
    if (!b || !layers || layers->type != JSON_ARRAY) {
        bench_fail(err, err_size, b ? "%s: no \"layers\" array (cnnbench's JSON schema)"
                                    : "%s: out of memory", path);
        json_free(root);
        free(b);
        return NULL;
    }
    b->layers = calloc(layers->count ? layers->count : 1, sizeof *b->layers);
    int bad = !b->layers;
    if (bad)
        bench_fail(err, err_size, "%s: out of memory", path);
    for (size_t i = 0; i < layers->count && !bad; i++) {
        char what[200];
        const int got = read_layer(layers->items[i], i, &b->layers[b->count], what, sizeof what);
        if (got < 0) {
            bench_fail(err, err_size, "%s: %s", path, what);
            bad = 1;
        }
        b->count += got > 0;
    }
    if (!bad && b->count == 0) {
        bench_fail(err, err_size, "%s: no timed convolution among its %zu layers", path,
                   layers->count);
        bad = 1;
    }
    if (!bad) {
        const char *label = json_string(root, "peer", "json");
        /* The label becomes a column name: letters, digits, '-', '_', '.' only. */
        size_t n = 0;
        for (const char *q = label; *q && n + 1 < sizeof b->label; q++)
            if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                (*q >= '0' && *q <= '9') || *q == '-' || *q == '_' || *q == '.')
                b->label[n++] = *q;
        if (n == 0)
            snprintf(b->label, sizeof b->label, "json");
        const json_value *dev = json_member(root, "device");
        snprintf(b->note, sizeof b->note, "%.90s on %.60s",
                 json_string(root, "peer_note", "timings from a JSON file"),
                 json_string(dev, "name", "?"));
        snprintf(b->path, sizeof b->path, "%s", path);
    }
    json_free(root);
    if (bad) {
        bench_baseline_free(b);
        return NULL;
    }
    return b;
}

const char *bench_baseline_label(const bench_baseline *b) { return b->label; }
size_t bench_baseline_count(const bench_baseline *b) { return b->count; }

void bench_baseline_free(bench_baseline *b)
{
    if (!b)
        return;
    free(b->layers);
    free(b);
}

/* The first entry of d's shape, or NULL. */
static const baseline_layer *find(const bench_baseline *b, const cnn_conv2d_desc *d)
{
    int64_t key[SHAPE_FIELDS];
    shape_of(d, key);
    for (size_t i = 0; i < b->count; i++)
        if (memcmp(b->layers[i].shape, key, sizeof key) == 0)
            return &b->layers[i];
    return NULL;
}

static int json_peer_run(bench_peer *peer, const bench_peer_layer *layer, bench_peer_result *r)
{
    const json_peer *jp = (const json_peer *)peer;
    const baseline_layer *l = find(jp->baseline, layer->conv);
    if (!l) {
        snprintf(r->note, sizeof r->note, "no layer of this shape in %.120s", jp->baseline->path);
        return -1;
    }
    r->ran = 1;
    r->ms_median = l->ms_median;
    r->ms_min = l->ms_min;
    r->ms_max = l->ms_max;
    snprintf(r->note, sizeof r->note, "%.150s", jp->baseline->note);
    return 0;
}

static void json_peer_destroy(bench_peer *peer) { free(peer); }

bench_peer *bench_json_peer_create(const bench_baseline *b, char *err, size_t err_size)
{
    json_peer *jp = calloc(1, sizeof *jp);
    if (!jp) {
        bench_fail(err, err_size, "out of memory");
        return NULL;
    }
    jp->vt.name = b->label;
    jp->vt.run = json_peer_run;
    jp->vt.destroy = json_peer_destroy;
    jp->base.vt = &jp->vt;
    jp->baseline = b;
    return &jp->base;
}
