/*
 * cnnbench's result writers (bench/results.h): a bench_results built in memory is written as
 * JSON, CSV and SVG, and read back. The JSON is parsed by the strict parser below (RFC 8259:
 * no trailing commas, no leading zeros, no raw control characters in strings, well-formed
 * UTF-8, no duplicate keys) and checked against the schema; the CSV's header against
 * the JSON's layer keys; the SVG for being well-formed XML with both ceilings labelled.
 * No device needed.
 *
 *     test_bench_json SCRATCH_DIR
 */
#include "results.h"
#include "test_util.h"

#include <ctype.h>

/* ---- a strict JSON parser ----------------------------------------------------------------- */

enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

typedef struct jv {
    int type;
    int boolean;
    double number;
    int integer;           /* a number written without fraction or exponent */
    char *string;          /* J_STRING: decoded UTF-8 */
    struct jv *items;      /* J_ARRAY, J_OBJECT */
    char **keys;           /* J_OBJECT */
    size_t count;
} jv;

typedef struct jparser {
    const char *s;
    size_t i, n;
    int depth;
    char err[256];
} jparser;

static int jfail(jparser *p, const char *what)
{
    if (!p->err[0])
        snprintf(p->err, sizeof p->err, "offset %zu: %s", p->i, what);
    return -1;
}

static void jfree(jv *v)
{
    if (!v)
        return;
    free(v->string);
    for (size_t i = 0; i < v->count; i++) {
        jfree(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

static void skip_ws(jparser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                           p->s[p->i] == '\r'))
        p->i++;
}

/* A growing byte buffer. */
typedef struct jbuf {
    char *b;
    size_t len, cap;
} jbuf;

static int jbuf_put(jbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *g = realloc(b->b, cap);
        if (!g)
            return -1;
        b->b = g;
        b->cap = cap;
    }
    memcpy(b->b + b->len, s, n);
    b->len += n;
    b->b[b->len] = '\0';
    return 0;
}

static int put_utf8(jbuf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
    }
    return jbuf_put(b, u, n);
}

/* Length of the well-formed UTF-8 sequence at s (0: not one). */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    if (avail == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t n;
    uint32_t cp, min;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) { n = 2; cp = s[0] & 0x1f; min = 0x80; }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) { n = 3; cp = s[0] & 0x0f; min = 0x800; }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) { n = 4; cp = s[0] & 0x07; min = 0x10000; }
    else return 0;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : n;
}

static int hex4(jparser *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        if (p->i >= p->n)
            return jfail(p, "\\u cut short");
        const char c = p->s[p->i++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return jfail(p, "bad hex digit in \\u");
    }
    *out = v;
    return 0;
}

static int parse_string(jparser *p, char **out)
{
    jbuf b = {NULL, 0, 0};
    if (jbuf_put(&b, "", 0))
        return jfail(p, "out of memory");
    p->i++; /* the opening quote */
    while (1) {
        if (p->i >= p->n) {
            free(b.b);
            return jfail(p, "unterminated string");
        }
        const unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            *out = b.b;
            return 0;
        }
        if (c < 0x20) {
            free(b.b);
            return jfail(p, "raw control character in a string");
        }
        if (c == '\\') {
            p->i++;
            if (p->i >= p->n) {
                free(b.b);
                return jfail(p, "escape cut short");
            }
            const char e = p->s[p->i++];
            const char *lit = NULL;
            switch (e) {
            case '"': lit = "\""; break;
            case '\\': lit = "\\"; break;
            case '/': lit = "/"; break;
            case 'b': lit = "\b"; break;
            case 'f': lit = "\f"; break;
            case 'n': lit = "\n"; break;
            case 'r': lit = "\r"; break;
            case 't': lit = "\t"; break;
            case 'u': break;
            default:
                free(b.b);
                return jfail(p, "unknown escape");
            }
            int rc;
            if (lit) {
                rc = jbuf_put(&b, lit, 1);
            } else {
                uint32_t cp;
                if (hex4(p, &cp)) {
                    free(b.b);
                    return -1;
                }
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t lo;
                    if (p->i + 2 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') {
                        free(b.b);
                        return jfail(p, "lone high surrogate");
                    }
                    p->i += 2;
                    if (hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                        free(b.b);
                        return jfail(p, "bad low surrogate");
                    }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    free(b.b);
                    return jfail(p, "lone low surrogate");
                }
                rc = put_utf8(&b, cp);
            }
            if (rc) {
                free(b.b);
                return jfail(p, "out of memory");
            }
            continue;
        }
        const size_t len = utf8_seq((const unsigned char *)p->s + p->i, p->n - p->i);
        if (len == 0) {
            free(b.b);
            return jfail(p, "ill-formed UTF-8 in a string");
        }
        if (jbuf_put(&b, p->s + p->i, len)) {
            free(b.b);
            return jfail(p, "out of memory");
        }
        p->i += len;
    }
}

static int is_digit_c(char c)
{
    return c >= '0' && c <= '9';
}

static int parse_number(jparser *p, jv *v)
{
    const size_t start = p->i;
    int integer = 1;
    if (p->i < p->n && p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->n || !is_digit_c(p->s[p->i]))
        return jfail(p, "a number needs a digit");
    if (p->s[p->i] == '0') {
        p->i++;
        if (p->i < p->n && is_digit_c(p->s[p->i]))
            return jfail(p, "leading zero");
    } else {
        while (p->i < p->n && is_digit_c(p->s[p->i]))
            p->i++;
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        integer = 0;
        p->i++;
        if (p->i >= p->n || !is_digit_c(p->s[p->i]))
            return jfail(p, "a fraction needs a digit");
        while (p->i < p->n && is_digit_c(p->s[p->i]))
            p->i++;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        integer = 0;
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (p->i >= p->n || !is_digit_c(p->s[p->i]))
            return jfail(p, "an exponent needs a digit");
        while (p->i < p->n && is_digit_c(p->s[p->i]))
            p->i++;
    }
    char text[64];
    const size_t len = p->i - start;
    if (len >= sizeof text)
        return jfail(p, "number too long");
    memcpy(text, p->s + start, len);
    text[len] = '\0';
    v->type = J_NUMBER;
    v->number = strtod(text, NULL);
    v->integer = integer;
    return 0;
}

static int parse_value(jparser *p, jv *v);

static int parse_container(jparser *p, jv *v, int object)
{
    const char close = object ? '}' : ']';
    v->type = object ? J_OBJECT : J_ARRAY;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return 0;
    }
    size_t cap = 0;
    while (1) {
        if (v->count == cap) {
            cap = cap ? cap * 2 : 8;
            jv *items = realloc(v->items, cap * sizeof *items);
            if (!items)
                return jfail(p, "out of memory");
            v->items = items;
            if (object) {
                char **keys = realloc(v->keys, cap * sizeof *keys);
                if (!keys)
                    return jfail(p, "out of memory");
                v->keys = keys;
            }
        }
        jv *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        if (object) {
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != '"')
                return jfail(p, "an object key must be a string");
            char *key = NULL;
            if (parse_string(p, &key))
                return -1;
            for (size_t k = 0; k < v->count; k++)
                if (strcmp(v->keys[k], key) == 0) {
                    free(key);
                    return jfail(p, "duplicate key");
                }
            v->keys[v->count] = key;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                v->count++; /* so that the key is freed */
                return jfail(p, "':' expected after a key");
            }
            p->i++;
        }
        v->count++;
        if (parse_value(p, item))
            return -1;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            skip_ws(p);
            if (p->i < p->n && p->s[p->i] == close)
                return jfail(p, "trailing comma");
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return 0;
        }
        return jfail(p, object ? "',' or '}' expected" : "',' or ']' expected");
    }
}

static int literal(jparser *p, const char *word)
{
    const size_t len = strlen(word);
    if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0)
        return jfail(p, "unexpected text");
    p->i += len;
    return 0;
}

static int parse_value(jparser *p, jv *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(p);
    if (p->i >= p->n)
        return jfail(p, "a value expected");
    if (++p->depth > 64)
        return jfail(p, "nested too deep");
    int rc;
    const char c = p->s[p->i];
    if (c == '{' || c == '[') {
        rc = parse_container(p, v, c == '{');
    } else if (c == '"') {
        v->type = J_STRING;
        rc = parse_string(p, &v->string);
    } else if (c == 't' || c == 'f') {
        v->type = J_BOOL;
        v->boolean = c == 't';
        rc = literal(p, c == 't' ? "true" : "false");
    } else if (c == 'n') {
        v->type = J_NULL;
        rc = literal(p, "null");
    } else {
        rc = parse_number(p, v);
    }
    p->depth--;
    return rc;
}

/* Parse a whole document; 0 with *root, or -1 with the reason in err. */
static int json_parse(const char *text, size_t len, jv *root, char *err, size_t err_size)
{
    jparser p;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.n = len;
    int rc = parse_value(&p, root);
    if (rc == 0) {
        skip_ws(&p);
        if (p.i != p.n)
            rc = jfail(&p, "text after the document");
    }
    if (rc) {
        jfree(root);
        snprintf(err, err_size, "%s", p.err);
    }
    return rc;
}

static const jv *jget(const jv *obj, const char *key)
{
    if (!obj || obj->type != J_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

/* ---- files -------------------------------------------------------------------------------- */

/* The whole file, NUL-terminated (tracked: freed by tu_release), or NULL. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    jbuf b = {NULL, 0, 0};
    char chunk[4096];
    size_t n;
    int ok = jbuf_put(&b, "", 0) == 0;
    while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ok = jbuf_put(&b, chunk, n) == 0;
    ok = ok && !ferror(f);
    fclose(f);
    if (!ok) {
        free(b.b);
        return NULL;
    }
    *len = b.len;
    return tu_track(TU_HOST, b.b);
}

/* ---- the results under test --------------------------------------------------------------- */

#define CONV_NAME "conv \"q\" \\ back\ttab\x01 Gr\xc3\xb6\xc3\x9f" "e \xff"
/* what a JSON or CSV reader gets back: the invalid byte 0xff as U+FFFD */
#define CONV_NAME_READ "conv \"q\" \\ back\ttab\x01 Gr\xc3\xb6\xc3\x9f" "e \xef\xbf\xbd"
#define POOL_NAME "pool \"5\", avg"

static const char *const required_keys[] = {
    "name", "source", "n", "c", "h", "w", "k", "r", "s", "stride_h", "stride_w", "pad_top",
    "pad_bottom", "pad_left", "pad_right", "dilation_h", "dilation_w", "groups", "algo",
    "ms_median", "ms_min", "ms_max", "gflops", "gbs", "pct_roofline", "verified", "max_err",
    "compile_ms"};
#define REQUIRED_COUNT (sizeof required_keys / sizeof required_keys[0])

/* Two layers on one device: a dilated convolution whose output is wrong (a NaN error) with a
 * CLBlast result, and a max pooling that verified, with NaN as its max time. */
static int make_results(bench_results *r, double peak_gflops, double peak_gbs)
{
    char err[256];
    bench_results_init(r);
    snprintf(r->suite, sizeof r->suite, "unit");
    snprintf(r->date, sizeof r->date, "2024-05-01T12:00:00+0000");
    snprintf(r->host, sizeof r->host, "testhost");
    snprintf(r->pocl_affinity, sizeof r->pocl_affinity, "1");
    r->pocl_affinity_by_us = 1;
    bench_device_run *dev = &r->devices[0];
    snprintf(dev->info.name, sizeof dev->info.name, "cpu-<znver4> & co");
    snprintf(dev->info.vendor, sizeof dev->info.vendor, "AuthenticAMD");
    snprintf(dev->info.driver, sizeof dev->info.driver, "3.1");
    snprintf(dev->info.opencl_version, sizeof dev->info.opencl_version, "OpenCL 3.0 PoCL");
    snprintf(dev->info.selector, sizeof dev->info.selector, "0:0");
    dev->info.type = CNN_DEVICE_CPU;
    dev->info.compute_units = 2;
    dev->peaks.gflops = peak_gflops;
    dev->peaks.gbs = peak_gbs;
    dev->peaks.from_cache = 1;
    snprintf(dev->peaks.how, sizeof dev->peaks.how, "fma float16, copy float4");
    dev->pocl = 1;
    r->device_count = 1;
    r->peer_names[0] = "clblast";
    r->peer_count = 1;

    bench_record conv;
    memset(&conv, 0, sizeof conv);
    CHECK(bench_problem_parse(&conv.entry.problem, "mb2ic64ih56oc64oh56kh3ph2dh1n\"x\"", err,
                              sizeof err) == 0);
    conv.entry.count = 3;
    snprintf(conv.entry.source, sizeof conv.entry.source, "torchvision, r\xc3\xa9sum\xc3\xa9");
    snprintf(conv.name, sizeof conv.name, "%s", CONV_NAME);
    bench_result *c = &conv.result;
    c->outcome = BENCH_WRONG;
    c->algo = CNN_CONV2D_ALGO_DIRECT;
    c->flops = 2.0 * 2 * 64 * 56 * 56 * 64 * 9;
    c->bytes = 4.0 * (2 * 64 * 56 * 56 * 2 + 64 * 64 * 9 + 64);
    c->plan_ms = 612.5;
    c->first_ms = 250.0;
    c->ms_median = 1.2345;
    c->ms_min = 1.2;
    c->ms_max = 1.5;
    c->wall_ms_median = 1.3;
    c->device_timing = 1;
    c->gflops = 93.7;
    c->gbs = 12.25;
    c->timed_reps = 20;
    c->check.checked = 2100;
    c->check.failed = 7;
    c->check.max_abs_err = NAN;
    c->check.worst_got = NAN;
    c->peers[0].ran = 1;
    c->peers[0].ms_median = 3.0;
    c->peers[0].ms_min = 2.9;
    c->peers[0].ms_max = 3.5;
    c->peers[0].gflops = 38.5;
    c->peers[0].ratio = 2.43;
    snprintf(c->peers[0].note, sizeof c->peers[0].note, "conv only: no bias/ReLU");
    conv.pct_roofline = 37.5;
    CHECK(bench_results_add(r, &conv) == 0);

    bench_record pool;
    memset(&pool, 0, sizeof pool);
    CHECK(bench_problem_parse(&pool.entry.problem,
                              "--pool --alg=max mb1ic64ih112oh56kh3sh2ph1n\"pool1\"", err,
                              sizeof err) == 0);
    pool.entry.count = 1;
    snprintf(pool.entry.source, sizeof pool.entry.source, "resnet.py: maxpool");
    snprintf(pool.name, sizeof pool.name, "%s", POOL_NAME);
    bench_result *q = &pool.result;
    q->outcome = BENCH_VERIFIED;
    q->bytes = 4.0 * 64 * (112 * 112 + 56 * 56);
    q->plan_ms = 100.0;
    q->first_ms = 20.0;
    q->ms_median = 0.25;
    q->ms_min = 0.2;
    q->ms_max = NAN;
    q->wall_ms_median = 0.3;
    q->device_timing = 1;
    q->gbs = 16.06;
    q->timed_reps = 20;
    q->check.exhaustive = 1;
    q->check.checked = 200704;
    q->check.max_abs_err = 0.0;
    pool.pct_roofline = 61.2;
    pool.cold_ms = 700.25;
    pool.warm_ms = 30.5;
    CHECK(bench_results_add(r, &pool) == 0);
    return 0;
}

/* ---- checks ------------------------------------------------------------------------------- */

static int is_type(const jv *v, int type)
{
    return v != NULL && v->type == type;
}

static int number_is(const jv *v, double want)
{
    return is_type(v, J_NUMBER) && fabs(v->number - want) <= 1e-9 * fabs(want) + 1e-12;
}

static int int_is(const jv *v, int64_t want)
{
    return is_type(v, J_NUMBER) && v->integer && v->number == (double)want;
}

static int string_is(const jv *v, const char *want)
{
    return is_type(v, J_STRING) && strcmp(v->string, want) == 0;
}

/* Types of a layer's required keys: strings, integers, numbers (or null: not measured),
 * verified a boolean or null. */
static int check_layer_types(const jv *layer)
{
    CHECK(is_type(layer, J_OBJECT));
    CHECK(layer->count > REQUIRED_COUNT);
    for (size_t k = 0; k < REQUIRED_COUNT; k++) {
        const char *key = required_keys[k];
        tu_note("layer key %s", key);
        CHECK_MSG(strcmp(layer->keys[k], key) == 0, "key %zu is \"%s\", the schema says \"%s\"\n",
                  k, layer->keys[k], key);
        const jv *v = &layer->items[k];
        if (!strcmp(key, "name") || !strcmp(key, "source") || !strcmp(key, "algo"))
            CHECK(is_type(v, J_STRING));
        else if (!strcmp(key, "verified"))
            CHECK(is_type(v, J_BOOL) || is_type(v, J_NULL));
        else if (!strncmp(key, "ms_", 3) || !strcmp(key, "gflops") || !strcmp(key, "gbs") ||
                 !strcmp(key, "pct_roofline") || !strcmp(key, "max_err") ||
                 !strcmp(key, "compile_ms"))
            CHECK(is_type(v, J_NUMBER) || is_type(v, J_NULL));
        else
            CHECK_MSG(is_type(v, J_NUMBER) && v->integer, "not an integer\n");
    }
    tu_clear_note();
    return 0;
}

static int check_json_document(const jv *root, double peak_gflops)
{
    CHECK(is_type(root, J_OBJECT));
    CHECK(int_is(jget(root, "format_version"), 1));
    CHECK(is_type(jget(root, "cnncl_version"), J_STRING));

    /* device: the schema's keys and types */
    const jv *dev = jget(root, "device");
    CHECK(is_type(dev, J_OBJECT));
    static const char *const dev_strings[] = {"name", "vendor", "driver", "type"};
    for (size_t i = 0; i < 4; i++)
        CHECK_MSG(is_type(jget(dev, dev_strings[i]), J_STRING), "device.%s\n", dev_strings[i]);
    CHECK(string_is(jget(dev, "name"), "cpu-<znver4> & co"));
    CHECK(string_is(jget(dev, "type"), "cpu"));
    CHECK(int_is(jget(dev, "compute_units"), 2));
    if (peak_gflops > 0.0) {
        CHECK(number_is(jget(dev, "peak_gflops"), 250.0));
        CHECK(number_is(jget(dev, "peak_gbs"), 40.1));
    } else {
        CHECK(is_type(jget(dev, "peak_gflops"), J_NULL));
        CHECK(is_type(jget(dev, "peak_gbs"), J_NULL));
    }
    const jv *devices = jget(root, "devices");
    CHECK(is_type(devices, J_ARRAY) && devices->count == 1);
    CHECK(string_is(jget(&devices->items[0], "name"), "cpu-<znver4> & co"));
    CHECK(int_is(jget(jget(&devices->items[0], "summary"), "layers"), 2));

    /* layers */
    const jv *layers = jget(root, "layers");
    CHECK(is_type(layers, J_ARRAY));
    CHECK(layers->count == 2);
    for (size_t i = 0; i < layers->count; i++)
        if (check_layer_types(&layers->items[i]))
            return 1;
    /* the same keys in the same order for every layer */
    CHECK(layers->items[0].count == layers->items[1].count);
    for (size_t k = 0; k < layers->items[0].count; k++)
        CHECK(strcmp(layers->items[0].keys[k], layers->items[1].keys[k]) == 0);

    const jv *conv = &layers->items[0];
    CHECK_MSG(string_is(jget(conv, "name"), CONV_NAME_READ), "name \"%s\"\n",
              jget(conv, "name")->string);
    CHECK(string_is(jget(conv, "source"), "torchvision, r\xc3\xa9sum\xc3\xa9"));
    CHECK(int_is(jget(conv, "n"), 2));
    CHECK(int_is(jget(conv, "c"), 64));
    CHECK(int_is(jget(conv, "h"), 56));
    CHECK(int_is(jget(conv, "w"), 56));
    CHECK(int_is(jget(conv, "k"), 64));
    CHECK(int_is(jget(conv, "r"), 3));
    CHECK(int_is(jget(conv, "s"), 3));
    CHECK(int_is(jget(conv, "stride_h"), 1));
    CHECK(int_is(jget(conv, "stride_w"), 1));
    CHECK(int_is(jget(conv, "pad_top"), 2));
    CHECK(int_is(jget(conv, "pad_bottom"), 2));
    CHECK(int_is(jget(conv, "pad_left"), 2));
    CHECK(int_is(jget(conv, "pad_right"), 2));
    CHECK(int_is(jget(conv, "dilation_h"), 2)); /* benchdnn's dh1 */
    CHECK(int_is(jget(conv, "dilation_w"), 2));
    CHECK(int_is(jget(conv, "groups"), 1));
    CHECK(string_is(jget(conv, "algo"), "direct"));
    CHECK(number_is(jget(conv, "ms_median"), 1.2345));
    CHECK(number_is(jget(conv, "ms_min"), 1.2));
    CHECK(number_is(jget(conv, "ms_max"), 1.5));
    CHECK(number_is(jget(conv, "gflops"), 93.7));
    CHECK(number_is(jget(conv, "gbs"), 12.25));
    if (peak_gflops > 0.0)
        CHECK(number_is(jget(conv, "pct_roofline"), 37.5));
    CHECK(is_type(jget(conv, "verified"), J_BOOL) && !jget(conv, "verified")->boolean);
    CHECK(is_type(jget(conv, "max_err"), J_NULL)); /* NaN */
    CHECK(number_is(jget(conv, "compile_ms"), 612.5)); /* plan_ms: no cold_ms */
    CHECK(string_is(jget(conv, "op"), "conv"));
    CHECK(int_is(jget(conv, "count"), 3));
    CHECK(int_is(jget(conv, "device"), 0));
    CHECK(string_is(jget(conv, "outcome"), "wrong"));
    CHECK(is_type(jget(conv, "error"), J_STRING) &&
          strstr(jget(conv, "error")->string, "7 of 2100") != NULL);
    CHECK(string_is(jget(conv, "spec"), "mb2ic64ih56oc64oh56kh3ph2dh1n\"x\""));
    CHECK(number_is(jget(conv, "wall_ms_median"), 1.3));
    CHECK(number_is(jget(conv, "first_ms"), 250.0));
    CHECK(is_type(jget(conv, "cold_ms"), J_NULL));
    CHECK(is_type(jget(conv, "device_timing"), J_BOOL) && jget(conv, "device_timing")->boolean);
    CHECK(number_is(jget(conv, "flops"), 2.0 * 2 * 64 * 56 * 56 * 64 * 9));
    const jv *peers = jget(conv, "peers");
    CHECK(is_type(peers, J_OBJECT) && peers->count == 1);
    const jv *cl = jget(peers, "clblast");
    CHECK(is_type(cl, J_OBJECT));
    CHECK(number_is(jget(cl, "ms_median"), 3.0));
    CHECK(number_is(jget(cl, "gflops"), 38.5));
    CHECK(number_is(jget(cl, "ratio"), 2.43));
    CHECK(string_is(jget(cl, "note"), "conv only: no bias/ReLU"));

    const jv *pool = &layers->items[1];
    CHECK(string_is(jget(pool, "name"), POOL_NAME));
    CHECK(string_is(jget(pool, "algo"), "pool_max"));
    CHECK(string_is(jget(pool, "op"), "pool"));
    CHECK(int_is(jget(pool, "c"), 64));
    CHECK(int_is(jget(pool, "k"), 64));       /* pooling keeps the channels */
    CHECK(int_is(jget(pool, "groups"), 64));  /* each channel alone */
    CHECK(int_is(jget(pool, "r"), 3));
    CHECK(int_is(jget(pool, "s"), 3));
    CHECK(int_is(jget(pool, "stride_h"), 2));
    CHECK(int_is(jget(pool, "dilation_h"), 1));
    CHECK(number_is(jget(pool, "ms_median"), 0.25));
    CHECK(is_type(jget(pool, "ms_max"), J_NULL)); /* NaN */
    CHECK(is_type(jget(pool, "gflops"), J_NULL)); /* no FLOPs counted for pooling */
    CHECK(number_is(jget(pool, "gbs"), 16.06));
    CHECK(is_type(jget(pool, "verified"), J_BOOL) && jget(pool, "verified")->boolean);
    CHECK(number_is(jget(pool, "max_err"), 0.0));
    CHECK(number_is(jget(pool, "compile_ms"), 700.25)); /* cold_ms when measured */
    CHECK(number_is(jget(pool, "warm_ms"), 30.5));
    CHECK(is_type(jget(pool, "exhaustive"), J_BOOL) && jget(pool, "exhaustive")->boolean);
    CHECK(is_type(jget(jget(pool, "peers"), "clblast"), J_NULL));
    if (peak_gflops > 0.0)
        CHECK(number_is(jget(pool, "pct_roofline"), 61.2));

    /* summary */
    const jv *sum = jget(root, "summary");
    CHECK(is_type(sum, J_OBJECT));
    CHECK(int_is(jget(sum, "layers"), 2));
    CHECK(int_is(jget(sum, "verified"), 1));
    CHECK(int_is(jget(sum, "failed"), 1));
    CHECK(int_is(jget(sum, "wrong"), 1));
    CHECK(int_is(jget(sum, "errors"), 0));
    CHECK(number_is(jget(sum, "geomean_gflops"), 93.7));
    if (peak_gflops > 0.0) {
        CHECK(is_type(jget(sum, "geomean_pct_roofline"), J_NUMBER));
        CHECK_NEAR(jget(sum, "geomean_pct_roofline")->number, sqrt(37.5 * 61.2), 0.01);
    }
    CHECK_NEAR(jget(sum, "total_ms")->number, 1.4845, 1e-9);
    const jv *sp = jget(jget(sum, "peers"), "clblast");
    CHECK(int_is(jget(sp, "layers"), 1));
    CHECK(number_is(jget(sp, "geomean_ratio"), 2.43));
    CHECK(string_is(jget(sum, "date"), "2024-05-01T12:00:00+0000"));
    CHECK(string_is(jget(sum, "host"), "testhost"));
    CHECK(string_is(jget(sum, "suite"), "unit"));
    CHECK(string_is(jget(sum, "pocl_affinity"), "1"));
    CHECK(string_is(jget(sum, "pocl_affinity_set_by"), "cnnbench"));
    return 0;
}

static int test_json(const char *scratch)
{
    bench_results r;
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/bench_results_test.json", scratch);
    if (make_results(&r, 250.0, 40.1)) {
        bench_results_free(&r);
        return 1;
    }
    const int rc = bench_write_json(&r, path, err, sizeof err);
    bench_results_free(&r);
    CHECK_MSG(rc == 0, "%s\n", err);
    size_t len = 0;
    const char *text = read_file(path, &len);
    CHECK(text != NULL);
    CHECK(strlen(text) == len); /* no NUL inside */
    jv root;
    tu_note("%s", path);
    CHECK_MSG(json_parse(text, len, &root, err, sizeof err) == 0, "invalid JSON: %s\n", err);
    const int failed = check_json_document(&root, 250.0);
    jfree(&root);
    CHECK(failed == 0);

    /* unknown peaks: null, not 0 */
    if (make_results(&r, 0.0, 0.0)) {
        bench_results_free(&r);
        return 1;
    }
    r.records[0].pct_roofline = 0.0;
    r.records[1].pct_roofline = 0.0;
    const int rc2 = bench_write_json(&r, path, err, sizeof err);
    bench_results_free(&r);
    CHECK_MSG(rc2 == 0, "%s\n", err);
    text = read_file(path, &len);
    CHECK(text != NULL);
    CHECK_MSG(json_parse(text, len, &root, err, sizeof err) == 0, "invalid JSON: %s\n", err);
    const int failed2 = check_json_document(&root, 0.0) ||
                        !is_type(jget(&jget(&root, "layers")->items[0], "pct_roofline"), J_NULL) ||
                        !is_type(jget(jget(&root, "summary"), "geomean_pct_roofline"), J_NULL);
    jfree(&root);
    CHECK(failed2 == 0);
    return 0;
}

/* The strict parser itself: it must reject what is not JSON. */
static int test_parser(const char *scratch)
{
    (void)scratch;
    static const char *const bad[] = {
        "", "{", "{\"a\":1,}", "[1,]", "[01]", "[1.]", "[.5]", "[1e]", "[NaN]", "[Infinity]",
        "[-inf]", "{\"a\" 1}", "{a:1}", "[\"\x01\"]", "[\"\\x\"]", "[\"\\ud800\"]", "[\"\xff\"]",
        "{\"a\":1,\"a\":2}", "[1] 2", "[tru]", "nul", "[\"abc]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jv v;
        char err[256];
        tu_note("text %s", bad[i]);
        CHECK(json_parse(bad[i], strlen(bad[i]), &v, err, sizeof err) == -1);
    }
    const char *good = " {\"a\": [1, -0.5e+3, true, false, null, \"\\u00e9\\ud83d\\ude00\\n\"], "
                       "\"b\": {}} ";
    jv v;
    char err[256];
    CHECK_MSG(json_parse(good, strlen(good), &v, err, sizeof err) == 0, "%s\n", err);
    const jv *a = jget(&v, "a");
    const int ok = a && a->count == 6 && number_is(&a->items[1], -500.0) &&
                   string_is(&a->items[5], "\xc3\xa9\xf0\x9f\x98\x80\n");
    jfree(&v);
    CHECK(ok);
    return 0;
}

/* Split one CSV record (RFC 4180) at text into fields; returns the characters consumed
 * (through the CRLF), 0 at the end, -1 when malformed. */
static long csv_record(const char *text, char fields[][256], size_t max_fields, size_t *count)
{
    const char *p = text;
    *count = 0;
    if (!*p)
        return 0;
    while (1) {
        if (*count == max_fields)
            return -1;
        char *out = fields[(*count)++];
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (1) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    p += 2;
                    if (n < 255) out[n++] = '"';
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    if (n < 255) out[n++] = *p;
                    p++;
                }
            }
        } else {
            while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                if (*p == '"')
                    return -1;
                if (n < 255) out[n++] = *p;
                p++;
            }
        }
        out[n] = '\0';
        if (*p == ',') {
            p++;
            continue;
        }
        if (p[0] == '\r' && p[1] == '\n')
            return (long)(p + 2 - text);
        return -1;
    }
}

static int test_csv(const char *scratch)
{
    bench_results r;
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/bench_results_test.csv", scratch);
    char json_path[1024];
    snprintf(json_path, sizeof json_path, "%s/bench_results_test_csv.json", scratch);
    if (make_results(&r, 250.0, 40.1)) {
        bench_results_free(&r);
        return 1;
    }
    const int rc = bench_write_csv(&r, path, err, sizeof err);
    const int rc_json = bench_write_json(&r, json_path, err, sizeof err);
    bench_results_free(&r);
    CHECK_MSG(rc == 0 && rc_json == 0, "%s\n", err);

    size_t len = 0, jlen = 0;
    const char *text = read_file(path, &len);
    const char *jtext = read_file(json_path, &jlen);
    CHECK(text != NULL && jtext != NULL);
    jv root;
    CHECK_MSG(json_parse(jtext, jlen, &root, err, sizeof err) == 0, "%s\n", err);
    /* the JSON layer keys, without the nested "peers", into a flat list */
    char keys[64][64];
    size_t key_count = 0;
    const jv *layer = &jget(&root, "layers")->items[0];
    for (size_t k = 0; k < layer->count && key_count < 64; k++)
        if (strcmp(layer->keys[k], "peers") != 0)
            snprintf(keys[key_count++], sizeof keys[0], "%s", layer->keys[k]);
    jfree(&root);

    char (*fields)[256] = tu_track(TU_HOST, malloc(96 * sizeof *fields));
    CHECK(fields != NULL);
    size_t count = 0;
    long used = csv_record(text, fields, 96, &count);
    CHECK_MSG(used > 0, "the header row is not RFC 4180\n");
    CHECK(count == 1 + key_count + 4);
    CHECK(strcmp(fields[0], "device_name") == 0);
    for (size_t k = 0; k < key_count; k++)
        CHECK_MSG(strcmp(fields[1 + k], keys[k]) == 0, "column %zu is \"%s\", JSON says \"%s\"\n",
                  1 + k, fields[1 + k], keys[k]);
    for (size_t k = 0; k < REQUIRED_COUNT; k++)
        CHECK(strcmp(fields[1 + k], required_keys[k]) == 0);
    CHECK(strcmp(fields[1 + key_count], "clblast_ms_median") == 0);
    CHECK(strcmp(fields[1 + key_count + 2], "clblast_ratio") == 0);
    CHECK(strcmp(fields[1 + key_count + 3], "clblast_note") == 0);

    /* two rows of the same width; quoting undone */
    const char *p = text + used;
    size_t row_fields;
    used = csv_record(p, fields, 96, &row_fields);
    CHECK_MSG(used > 0, "row 1 is not RFC 4180\n");
    CHECK(row_fields == count);
    CHECK(strcmp(fields[0], "cpu-<znver4> & co") == 0);
    CHECK_MSG(strcmp(fields[1], CONV_NAME_READ) == 0, "name \"%s\"\n", fields[1]);
    CHECK(strcmp(fields[2], "torchvision, r\xc3\xa9sum\xc3\xa9") == 0);
    CHECK(strcmp(fields[20], "1.2345") == 0); /* ms_median */
    CHECK(strcmp(fields[27], "") == 0);       /* max_err: NaN is empty */
    CHECK(strcmp(fields[26], "false") == 0);  /* verified */
    CHECK(strcmp(fields[1 + key_count + 2], "2.43") == 0);
    p += used;
    used = csv_record(p, fields, 96, &row_fields);
    CHECK_MSG(used > 0, "row 2 is not RFC 4180\n");
    CHECK(row_fields == count);
    CHECK(strcmp(fields[1], POOL_NAME) == 0);
    CHECK(strcmp(fields[19], "pool_max") == 0);
    CHECK(strcmp(fields[22], "") == 0); /* ms_max NaN */
    p += used;
    CHECK(*p == '\0');
    return 0;
}

/* Well-formed enough: balanced tags with one root, attributes quoted, entities known, no
 * control characters, well-formed UTF-8. */
static int xml_well_formed(const char *s, char *why, size_t why_size)
{
    const char *stack[64];
    size_t stack_len[64];
    int depth = 0, roots = 0;
    for (const char *p = s; *p;) {
        const unsigned char c = (unsigned char)*p;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            snprintf(why, why_size, "control character at %ld", (long)(p - s));
            return 0;
        }
        if (c >= 0x80) {
            const size_t n = utf8_seq((const unsigned char *)p, strlen(p));
            if (n == 0) {
                snprintf(why, why_size, "ill-formed UTF-8 at %ld", (long)(p - s));
                return 0;
            }
            p += n;
            continue;
        }
        if (c == '&') {
            static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            int ok = 0;
            for (size_t i = 0; i < 5; i++)
                ok |= strncmp(p, ents[i], strlen(ents[i])) == 0;
            if (!ok) {
                snprintf(why, why_size, "bad entity at %ld: %.10s", (long)(p - s), p);
                return 0;
            }
            p++;
            continue;
        }
        if (c != '<') {
            if (depth == 0 && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                snprintf(why, why_size, "text outside the root at %ld", (long)(p - s));
                return 0;
            }
            p++;
            continue;
        }
        if (strncmp(p, "<!--", 4) == 0) {
            const char *end = strstr(p, "-->");
            if (!end) {
                snprintf(why, why_size, "unterminated comment");
                return 0;
            }
            p = end + 3;
            continue;
        }
        const int closing = p[1] == '/';
        const char *name = p + (closing ? 2 : 1);
        size_t name_len = 0;
        while (name[name_len] && (isalnum((unsigned char)name[name_len]) ||
                                  name[name_len] == '-' || name[name_len] == ':'))
            name_len++;
        if (name_len == 0) {
            snprintf(why, why_size, "'<' without a tag name at %ld", (long)(p - s));
            return 0;
        }
        const char *q = name + name_len;
        char quote = 0;
        while (*q && (quote || *q != '>')) {
            if (quote && *q == '<') {
                snprintf(why, why_size, "'<' in an attribute at %ld", (long)(q - s));
                return 0;
            }
            if (*q == '"' || *q == '\'')
                quote = quote == *q ? 0 : quote ? quote : *q;
            q++;
        }
        if (!*q) {
            snprintf(why, why_size, "unterminated tag at %ld", (long)(p - s));
            return 0;
        }
        const int self_closing = q[-1] == '/';
        if (closing) {
            if (depth == 0 || stack_len[depth - 1] != name_len ||
                strncmp(stack[depth - 1], name, name_len) != 0) {
                snprintf(why, why_size, "</%.*s> does not close the open tag at %ld",
                         (int)name_len, name, (long)(p - s));
                return 0;
            }
            depth--;
        } else if (!self_closing) {
            if (depth == 0)
                roots++;
            if (depth == 64) {
                snprintf(why, why_size, "nested too deep");
                return 0;
            }
            stack[depth] = name;
            stack_len[depth] = name_len;
            depth++;
        } else if (depth == 0) {
            roots++;
        }
        p = q + 1;
    }
    if (depth != 0 || roots != 1) {
        snprintf(why, why_size, "%d tags left open, %d roots", depth, roots);
        return 0;
    }
    return 1;
}

static int check_svg(const char *path, int with_peaks)
{
    size_t len = 0;
    const char *text = read_file(path, &len);
    CHECK(text != NULL);
    tu_note("%s", path);
    CHECK(strncmp(text, "<svg", 4) == 0);
    size_t end = len;
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
        end--;
    CHECK(end >= 6 && strncmp(text + end - 6, "</svg>", 6) == 0);
    char why[256] = "";
    CHECK_MSG(xml_well_formed(text, why, sizeof why), "%s\n", why);
    CHECK(strstr(text, "xmlns=\"http://www.w3.org/2000/svg\"") != NULL);
    CHECK(strstr(text, "<script") == NULL);
    CHECK(strstr(text, "cpu-&lt;znver4&gt; &amp; co") != NULL); /* the title, escaped */
    CHECK(strstr(text, "pool &quot;5&quot;, avg") != NULL);
    CHECK(strstr(text, "unit") != NULL);                       /* the suite */
    CHECK(strstr(text, "2024-05-01T12:00:00+0000") != NULL);    /* the date */
    CHECK(strstr(text, "37.5%") != NULL || !with_peaks);         /* a bar's value */
    if (with_peaks) {
        CHECK_MSG(strstr(text, "peak 250 GFLOP/s") != NULL, "no FLOP ceiling label\n");
        CHECK_MSG(strstr(text, "40.1 GB/s") != NULL, "no bandwidth ceiling label\n");
        CHECK(strstr(text, "peaks not measured") == NULL);
    } else {
        CHECK(strstr(text, "peak 250 GFLOP/s") == NULL);
        CHECK(strstr(text, "peaks not measured") != NULL);
    }
    return 0;
}

static int test_svg(const char *scratch)
{
    bench_results r;
    char path[1024], err[512] = "";
    snprintf(path, sizeof path, "%s/bench_results_test.svg", scratch);
    if (make_results(&r, 250.0, 40.1)) {
        bench_results_free(&r);
        return 1;
    }
    int rc = bench_write_svg(&r, path, err, sizeof err);
    bench_results_free(&r);
    CHECK_MSG(rc == 0, "%s\n", err);
    if (check_svg(path, 1))
        return 1;

    snprintf(path, sizeof path, "%s/bench_results_test_nopeaks.svg", scratch);
    if (make_results(&r, 0.0, 0.0)) {
        bench_results_free(&r);
        return 1;
    }
    r.records[0].pct_roofline = r.records[1].pct_roofline = 0.0;
    rc = bench_write_svg(&r, path, err, sizeof err);
    bench_results_free(&r);
    CHECK_MSG(rc == 0, "%s\n", err);
    if (check_svg(path, 0))
        return 1;

    /* no layers at all, several devices */
    snprintf(path, sizeof path, "%s/bench_results_test_empty.svg", scratch);
    if (make_results(&r, 250.0, 40.1)) {
        bench_results_free(&r);
        return 1;
    }
    r.devices[1] = r.devices[0];
    r.devices[1].peaks.gflops = 900.0;
    r.device_count = 2;
    r.count = 0;
    rc = bench_write_svg(&r, path, err, sizeof err);
    bench_results_free(&r);
    CHECK_MSG(rc == 0, "%s\n", err);
    size_t len;
    const char *text = read_file(path, &len);
    char why[256] = "";
    CHECK(text != NULL);
    CHECK_MSG(xml_well_formed(text, why, sizeof why), "%s\n", why);
    CHECK(strstr(text, "[2] peak 900 GFLOP/s") != NULL);
    return 0;
}

/* bench_results_summary per device: counts, geometric means, peers where they ran. */
static int test_summary(const char *scratch)
{
    (void)scratch;
    bench_results r;
    if (make_results(&r, 250.0, 40.1)) {
        bench_results_free(&r);
        return 1;
    }
    r.devices[1] = r.devices[0];
    r.device_count = 2;
    /* device 1: a conv at 10 and 1000 GFLOP/s (geomean 100), one that did not run */
    bench_record rec = r.records[0];
    rec.device = 1;
    rec.result.outcome = BENCH_VERIFIED;
    rec.result.gflops = 10.0;
    rec.result.ms_median = 2.0;
    rec.pct_roofline = 4.0;
    rec.result.peers[0].ran = 1;
    rec.result.peers[0].ratio = 0.5;
    int ok = bench_results_add(&r, &rec) == 0;
    rec.result.gflops = 1000.0;
    rec.result.ms_median = 0.5;
    rec.pct_roofline = 16.0;
    rec.result.peers[0].ran = 0; /* not in the peer's mean */
    ok = ok && bench_results_add(&r, &rec) == 0;
    rec.result.outcome = BENCH_ERROR;
    rec.result.gflops = 0.0;
    rec.result.ms_median = 0.0;
    rec.pct_roofline = 0.0;
    ok = ok && bench_results_add(&r, &rec) == 0;
    rec.result.outcome = BENCH_UNCHECKED;
    rec.result.gflops = 100.0;
    rec.result.ms_median = 1.0;
    rec.pct_roofline = NAN;
    ok = ok && bench_results_add(&r, &rec) == 0;
    bench_summary s0, s1, s9;
    bench_results_summary(&r, 0, &s0);
    bench_results_summary(&r, 1, &s1);
    bench_results_summary(&r, 9, &s9);
    bench_results_free(&r);
    CHECK(ok);
    CHECK(r.records == NULL && r.count == 0);
    CHECK(s0.layers == 2 && s0.verified == 1 && s0.wrong == 1 && s0.errors == 0);
    CHECK(s0.conv_layers == 1);
    CHECK_NEAR(s0.geomean_gflops, 93.7, 1e-9);
    CHECK(s0.peer_layers[0] == 1);
    CHECK_NEAR(s0.peer_geomean_ratio[0], 2.43, 1e-12);
    CHECK(s1.layers == 4 && s1.verified == 2 && s1.errors == 1 && s1.unchecked == 1);
    CHECK(s1.conv_layers == 3);
    CHECK_NEAR(s1.geomean_gflops, 100.0, 1e-9);     /* (10 * 1000 * 100)^(1/3) */
    CHECK_NEAR(s1.geomean_pct_roofline, 8.0, 1e-9); /* sqrt(4 * 16); NaN and 0 left out */
    CHECK_NEAR(s1.total_ms, 3.5, 1e-12);
    CHECK(s1.peer_layers[0] == 1);
    CHECK_NEAR(s1.peer_geomean_ratio[0], 0.5, 1e-12);
    CHECK(s9.layers == 0 && s9.geomean_gflops == 0.0);
    /* free twice and free of an empty one are fine */
    bench_results_free(&r);
    bench_results_free(NULL);
    return 0;
}

/* A file that cannot be opened or written: -1 and a message naming it. */
static int test_write_errors(const char *scratch)
{
    bench_results r;
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/no-such-directory/out.json", scratch);
    if (make_results(&r, 250.0, 40.1)) {
        bench_results_free(&r);
        return 1;
    }
    int (*const writers[])(const bench_results *, const char *, char *, size_t) = {
        bench_write_json, bench_write_csv, bench_write_svg};
    int failures = 0;
    for (size_t i = 0; i < 3; i++) {
        err[0] = '\0';
        if (writers[i](&r, path, err, sizeof err) != -1 || strstr(err, path) == NULL) {
            fprintf(stderr, "    writer %zu on %s: \"%s\"\n", i, path, err);
            failures++;
        }
    }
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        fclose(full);
        for (size_t i = 0; i < 3; i++) {
            err[0] = '\0';
            if (writers[i](&r, "/dev/full", err, sizeof err) != -1 ||
                strstr(err, "cannot write /dev/full") == NULL) {
                fprintf(stderr, "    writer %zu on /dev/full: \"%s\"\n", i, err);
                failures++;
            }
        }
    } else {
        printf("     (no /dev/full: the write-error case is not run)\n");
    }
    bench_results_free(&r);
    CHECK(failures == 0);
    return 0;
}

static int run(const char *name, int (*fn)(const char *), const char *scratch)
{
    tu_clear_note();
    const int failed = fn(scratch) != 0;
    tu_release();
    printf("%-4s %s\n", failed ? "FAIL" : "ok", name);
    fflush(stdout);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    int failures = 0;
    failures += run("bench output: the strict JSON parser", test_parser, argv[1]);
    failures += run("bench output: JSON schema and values", test_json, argv[1]);
    failures += run("bench output: CSV header = JSON layer keys", test_csv, argv[1]);
    failures += run("bench output: SVG roofline", test_svg, argv[1]);
    failures += run("bench output: per-device summary", test_summary, argv[1]);
    failures += run("bench output: write errors name the file", test_write_errors, argv[1]);
    tu_release_all_memory();
    return failures ? 1 : 0;
}
