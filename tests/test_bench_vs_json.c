/*
 * cnnbench --vs-json: the JSON reader (bench/json_read.c) on valid and malformed text, with the
 * exact positions it reports; baseline files (bench/peer_json.c) that load, and the ones that
 * are refused with the reason; and the peer's lookup of a layer by its shape. No device needed.
 *
 *     test_bench_vs_json SCRATCH_DIR
 */
#include "json_read.h"
#include "peer_impl.h"
#include "peer_json.h"
#include "test_util.h"

static const char *scratch;

static int test_values(cnn_context *ctx)
{
    (void)ctx;
    char err[256] = "";
    json_value *v = json_parse(
        " {\"a\": [1, -2.5e3, 0.125, true, false, null], \"s\": \"x\\\"\\\\\\/\\n\\u00e9"
        "\\ud83d\\ude00\", \"o\": {}, \"e\": [], \"a\": 7}\n",
        err, sizeof err);
    if (!v)
        tu_note("%s", err);
    CHECK(v != NULL);
    CHECK(v->type == JSON_OBJECT && v->count == 5);
    CHECK(json_number(v, "a", 0.0) == 7.0); /* the last of a repeated name */
    const json_value *a = v->items[0];
    CHECK(a->type == JSON_ARRAY && a->count == 6);
    CHECK(a->items[0]->number == 1.0 && a->items[1]->number == -2500.0);
    CHECK(a->items[2]->number == 0.125);
    CHECK(a->items[3]->type == JSON_BOOL && a->items[3]->boolean == 1);
    CHECK(a->items[4]->type == JSON_BOOL && a->items[4]->boolean == 0);
    CHECK(a->items[5]->type == JSON_NULL);
    CHECK(strcmp(json_string(v, "s", ""), "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80") == 0);
    CHECK(json_member(v, "o")->type == JSON_OBJECT && json_member(v, "o")->count == 0);
    CHECK(json_member(v, "e")->type == JSON_ARRAY && json_member(v, "e")->count == 0);
    CHECK(json_member(v, "missing") == NULL);
    CHECK(json_number(v, "s", -1.0) == -1.0); /* not a number: the fallback */
    json_free(v);
    return 0;
}

/* 0 when text is refused with exactly message. */
static int expect_error(const char *text, const char *message)
{
    char err[256] = "";
    json_value *v = json_parse(text, err, sizeof err);
    if (v) {
        json_free(v);
        tu_note("json_parse(%s) accepted it", text);
        return 1;
    }
    if (strcmp(err, message) != 0) {
        tu_note("json_parse(%s): \"%s\", expected \"%s\"", text, err, message);
        return 1;
    }
    return 0;
}
#define EXPECT_ERROR(text, message) CHECK(expect_error(text, message) == 0)

static int test_errors(cnn_context *ctx)
{
    (void)ctx;
    EXPECT_ERROR("", "line 1, column 1: unexpected end of the text");
    EXPECT_ERROR("[1, 2,]", "line 1, column 7: unexpected character ']'");
    EXPECT_ERROR("{\"a\": 1,\n \"b\" 2}", "line 2, column 6: expected ':' after a member name");
    EXPECT_ERROR("[01]", "line 1, column 3: expected ',' or ']'");
    EXPECT_ERROR("[1.]", "line 1, column 2: a digit must follow the decimal point");
    EXPECT_ERROR("[1e+]", "line 1, column 2: a digit must follow the exponent");
    EXPECT_ERROR("\"abc", "line 1, column 1: unterminated string");
    EXPECT_ERROR("\"a\tb\"", "line 1, column 3: control character in a string");
    EXPECT_ERROR("\"\\x\"", "line 1, column 4: bad escape '\\x'");
    EXPECT_ERROR("\"\\u12G4\"", "line 1, column 4: bad \\u escape");
    EXPECT_ERROR("{1: 2}", "line 1, column 2: expected a member name in quotes");
    EXPECT_ERROR("[] []", "line 1, column 4: text after the value");
    EXPECT_ERROR("nul", "line 1, column 1: unexpected character 'n'");
    EXPECT_ERROR("+1", "line 1, column 1: unexpected character '+'");
    /* Nesting past 64 levels is refused, not recursed into. */
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = '\0';
    EXPECT_ERROR(deep, "line 1, column 66: nested deeper than 64 levels");
    return 0;
}

static char *write_file(const char *name, const char *text)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 512, "%s/%s", scratch, name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

#define CONV_FIELDS(n, c, hw, k, rs, pad)                                                      \
    "\"n\": " #n ", \"c\": " #c ", \"h\": " #hw ", \"w\": " #hw ", \"k\": " #k ", \"r\": " #rs  \
    ", \"s\": " #rs ", \"oh\": " #hw ", \"ow\": " #hw ", \"stride_h\": 1, \"stride_w\": 1, "      \
    "\"pad_top\": " #pad ", \"pad_bottom\": " #pad ", \"pad_left\": " #pad ", \"pad_right\": "   \
    #pad ", \"dilation_h\": 1, \"dilation_w\": 1, \"groups\": 1"

/* 0 when the file name with text is refused with a message containing reason. */
static int expect_refused(const char *name, const char *text, const char *reason)
{
    char err[512] = "";
    const char *path = write_file(name, text);
    if (!path) {
        tu_note("cannot write %s in %s", name, scratch);
        return 1;
    }
    bench_baseline *b = bench_baseline_load(path, err, sizeof err);
    if (b) {
        bench_baseline_free(b);
        tu_note("%s was accepted", name);
        return 1;
    }
    if (!strstr(err, reason)) {
        tu_note("%s: \"%s\" does not say \"%s\"", name, err, reason);
        return 1;
    }
    return 0;
}
#define EXPECT_REFUSED(name, text, reason) CHECK(expect_refused(name, text, reason) == 0)

static cnn_conv2d_desc conv(int64_t n, int64_t c, int64_t hw, int64_t k, int64_t rs, int64_t pad)
{
    cnn_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.n = n; d.c = c; d.h = d.w = hw; d.k = k; d.r = d.s = rs;
    d.oh = d.ow = hw + 2 * pad - rs + 1;
    d.stride_h = d.stride_w = d.dilation_h = d.dilation_w = d.groups = 1;
    d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = pad;
    return d;
}

static int test_baseline(cnn_context *ctx)
{
    (void)ctx;
    /* Two timed convolutions (one named differently from cnnbench's), a pooling layer and a
     * layer that failed there (both skipped), and a label with characters a column cannot
     * take. */
    const char *text =
        "{\"format_version\": 1, \"peer\": \"cu dnn!\", \"peer_note\": \"PyTorch, TF32 off\",\n"
        " \"device\": {\"name\": \"NVIDIA H100\"},\n"
        " \"layers\": [\n"
        "  {\"name\": \"a\", \"op\": \"conv\", " CONV_FIELDS(1, 64, 56, 64, 3, 1)
        ", \"ms_median\": 0.5, \"ms_min\": 0.4, \"ms_max\": 0.7},\n"
        "  {\"name\": \"pool\", \"op\": \"pool\", \"ms_median\": 0.1},\n"
        "  {\"name\": \"oom\", \"op\": \"conv\", " CONV_FIELDS(32, 64, 56, 64, 3, 1)
        ", \"ms_median\": null, \"outcome\": \"error\"},\n"
        "  {\"name\": \"b\", " CONV_FIELDS(2, 8, 9, 4, 1, 0) ", \"ms_median\": 0.25}\n"
        " ]}\n";
    char err[512] = "";
    const char *path = write_file("good.json", text);
    CHECK(path != NULL);
    bench_baseline *b = bench_baseline_load(path, err, sizeof err);
    if (!b)
        tu_note("%s", err);
    CHECK(b != NULL);
    CHECK(bench_baseline_count(b) == 2);
    CHECK(strcmp(bench_baseline_label(b), "cudnn") == 0);

    bench_peer *peer = bench_json_peer_create(b, err, sizeof err);
    CHECK(peer != NULL && strcmp(peer->vt->name, "cudnn") == 0);
    const cnn_conv2d_desc first = conv(1, 64, 56, 64, 3, 1), second = conv(2, 8, 9, 4, 1, 0);
    bench_peer_layer layer;
    memset(&layer, 0, sizeof layer);
    bench_peer_result r;
    layer.conv = &first;
    CHECK(peer->vt->run(peer, &layer, &r) == 0);
    CHECK(r.ran && r.ms_median == 0.5 && r.ms_min == 0.4 && r.ms_max == 0.7);
    CHECK(strstr(r.note, "NVIDIA H100") != NULL);
    layer.conv = &second;
    memset(&r, 0, sizeof r);
    CHECK(peer->vt->run(peer, &layer, &r) == 0 && r.ms_median == 0.25 && r.ms_min == 0.25);
    /* The layer that failed there, and one that differs in a single field, are not found. */
    const cnn_conv2d_desc failed = conv(32, 64, 56, 64, 3, 1);
    cnn_conv2d_desc other = first;
    other.dilation_w = 2;
    other.ow = 54;
    const cnn_conv2d_desc *absent[2] = {&failed, &other};
    for (int i = 0; i < 2; i++) {
        layer.conv = absent[i];
        memset(&r, 0, sizeof r);
        CHECK(peer->vt->run(peer, &layer, &r) == -1 && !r.ran);
        CHECK(strstr(r.note, "no layer of this shape") != NULL);
    }
    peer->vt->destroy(peer);
    bench_baseline_free(b);

    char missing[600];
    snprintf(missing, sizeof missing, "%s/no-such-file.json", scratch);
    err[0] = '\0';
    CHECK(bench_baseline_load(missing, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot open") != NULL);
    EXPECT_REFUSED("notjson.json", "layer,ms\n", "not JSON: line 1, column 1");
    EXPECT_REFUSED("nolayers.json", "{\"peer\": \"x\"}", "no \"layers\" array");
    EXPECT_REFUSED("empty.json", "{\"layers\": [{\"op\": \"pool\", \"ms_median\": 1}]}",
                   "no timed convolution among its 1 layers");
    EXPECT_REFUSED("noshape.json",
                   "{\"layers\": [{\"name\": \"x\", \"n\": 1, \"ms_median\": 1}]}",
                   "layers[0] (\"x\"): \"c\" is missing or not a count");
    EXPECT_REFUSED("fraction.json",
                   "{\"layers\": [{\"name\": \"y\", " CONV_FIELDS(1, 3, 8, 4, 3, 1)
                   ", \"groups\": 1.5, \"ms_median\": 1}]}",
                   "\"groups\" is missing or not a count");
    EXPECT_REFUSED("notobject.json", "{\"layers\": [3]}", "layers[0] is not an object");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_bench_vs_json SCRATCH_DIR\n");
        return 2;
    }
    scratch = argv[1];
    int failures = 0;
    failures += tu_run("vs-json: JSON values", test_values, NULL);
    failures += tu_run("vs-json: JSON errors and their positions", test_errors, NULL);
    failures += tu_run("vs-json: baseline files and the peer's lookup", test_baseline, NULL);
    tu_release_all_memory();
    return failures ? 1 : 0;
}
