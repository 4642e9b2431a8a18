/*
 * cnnfilter's pieces (examples/cnnfilter): the seed's filter table through the pipeline on a
 * synthetic image, against values worked out by hand; borders; pooling; a PNG written and read
 * back (PNG, BMP, JPEG); a batch equal to the same images one by one, exactly; and bad input (files and stage
 * strings) refused with messages that name the problem. On every OpenCL device.
 *
 *     test_cnnfilter SCRATCH_DIR
 */
#include "image_io.h"
#include "pipeline.h"
#include "stages.h"
#include "test_util.h"

#include <stb_image_write.h>

static const char *scratch = "/tmp";


/* Runs stage text (border and the rest as written) on image, one channel; 0 when the result is
 * oh x ow and equals want within 1e-5. */
static int run_one(cnn_context *ctx, const char *text, const float *x, int h, int w,
                   const float *want, int oh, int ow)
{
    char err[512];
    cnnf_stage s;
    CHECK_MSG(cnnf_stage_parse(text, &s, err, sizeof err) == 0, "%s: %s\n", text, err);
    cnnf_pipeline pl;
    CHECK(cnnf_pipeline_prepare(&pl, &s, 1, 1, err, sizeof err) == 0);
    float *data = tu_floats((int64_t)h * w);
    CHECK(data != NULL);
    memcpy(data, x, sizeof(float) * (size_t)(h * w));
    cnnf_image in = {1, h, w, data}, out;
    const int rc = cnnf_pipeline_run(&pl, ctx, &in, 1, &out, NULL, NULL, NULL, err, sizeof err);
    cnnf_pipeline_free(&pl);
    cnnf_stage_free(&s);
    CHECK_MSG(rc == 0, "%s: %s\n", text, err);
    int bad = out.c != 1 || out.h != oh || out.w != ow;
    for (int i = 0; !bad && i < oh * ow; i++)
        bad = !(fabsf(out.data[i] - want[i]) <= 1e-5f);
    if (bad) {
        fprintf(stderr, "%s: got %dx%dx%d:", text, out.c, out.h, out.w);
        for (int i = 0; i < out.c * out.h * out.w && i < 16; i++)
            fprintf(stderr, " %g", out.data[i]);
        fprintf(stderr, "\n");
    }
    cnnf_image_free(&out);
    CHECK(!bad);
    return 0;
}

/* The filter table on the 5x5 input without padding (border=none: a 3x3 result, each value the
 * 3x3 window around input (i+1, j+1)), worked out by hand. Every table kernel is the same turned
 * by 180 degrees; a one-hot kernel shows the flip: its right-hand weight picks the left pixel. */
static int test_filter_table(cnn_context *ctx)
{
    static const float identity[9] = {1, 0, 1, 0, 1, 1, 4, 1, 1};
    /* top-left - top-right - bottom-left + bottom-right of each window */
    static const float edge1[9] = {-4, -1, -3, 2, -3, -1, 1, -2, 0};
    /* up + down + left + right - 4 centre */
    static const float edge2[9] = {0, 6, 3, 9, -2, -1, -13, 3, 0};
    /* 9 centre - the window's sum (sums 13 13 17 / 13 10 9 / 14 10 7) */
    static const float edge3[9] = {-4, -13, -8, -13, -1, 0, 22, -1, 2};
    /* centre - edge2 */
    static const float sharpen[9] = {1, -6, -2, -9, 3, 2, 17, -2, 1};
    static const float boxblur[9] = {13.f / 9, 13.f / 9, 17.f / 9, 13.f / 9, 10.f / 9,
                                     9.f / 9,  14.f / 9, 10.f / 9, 7.f / 9};
    /* the left neighbour of each window's centre */
    static const float left[9] = {2, 1, 0, 3, 0, 1, 1, 4, 1};
    static const struct {
        const char *stage;
        const float *want;
    } cases[] = {
        {"identity,border=none", identity}, {"edge1,border=none", edge1},
        {"edge2,border=none", edge2},       {"edge3,border=none", edge3},
        {"sharpen,border=none", sharpen},   {"boxblur,border=none", boxblur},
        {"kernel:@onehot,border=none", left},
    };
    char path[600];
    snprintf(path, sizeof path, "%s/onehot.txt", scratch);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("0 0 0\n0 0 1\n0 0 0\n", f);
    fclose(f);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[700];
        if (strcmp(cases[i].stage, "kernel:@onehot,border=none") == 0)
            snprintf(text, sizeof text, "kernel:@%s,border=none", path);
        else
            snprintf(text, sizeof text, "%s", cases[i].stage);
        tu_note("%s", text);
        if (run_one(ctx, text, tu_ex1_x, 5, 5, cases[i].want, 3, 3))
            return 1;
    }
    /* The same kernel inline, and the identity keeping the size with each border. */
    if (run_one(ctx, "kernel:0,0,0;0,0,1;0,0,0", tu_ex1_x + 6, 1, 1, (const float[]){1}, 1, 1))
        return 1;
    if (run_one(ctx, "identity", tu_ex1_x, 5, 5, tu_ex1_x, 5, 5))
        return 1;
    if (run_one(ctx, "identity,border=zero", tu_ex1_x, 5, 5, tu_ex1_x, 5, 5))
        return 1;
    return 0;
}

/* A 2x2 image [[1, 2], [3, 4]] under the box blur: with replicated edges each output averages
 * the padded 4x4 [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]]; with zeros every window holds the
 * four pixels. Stride 2 keeps the first. The seed's worked example 2: max pooling. */
static int test_borders_and_pools(cnn_context *ctx)
{
    static const float x[4] = {1, 2, 3, 4};
    if (run_one(ctx, "boxblur", x, 2, 2, (const float[]){18.f / 9, 21.f / 9, 24.f / 9, 3}, 2, 2))
        return 1;
    if (run_one(ctx, "boxblur,border=zero", x, 2, 2,
                (const float[]){10.f / 9, 10.f / 9, 10.f / 9, 10.f / 9}, 2, 2))
        return 1;
    if (run_one(ctx, "boxblur,stride=2", x, 2, 2, (const float[]){2}, 1, 1))
        return 1;
    static const float pool_x[16] = {5, 2, 3, 4, 2, 1, 0, 1, 3, 7, 9, 5, 1, 4, 1, 8};
    if (run_one(ctx, "maxpool:2", pool_x, 4, 4, (const float[]){5, 4, 7, 9}, 2, 2))
        return 1;
    if (run_one(ctx, "avgpool:2", pool_x, 4, 4, (const float[]){2.5f, 2, 3.75f, 5.75f}, 2, 2))
        return 1;
    if (run_one(ctx, "maxpool:3:1", pool_x, 4, 4, (const float[]){9, 9, 9, 9}, 2, 2))
        return 1;
    static const float signed_x[4] = {-1, 2, -3, 4};
    if (run_one(ctx, "relu", signed_x, 2, 2, (const float[]){0, 2, 0, 4}, 2, 2))
        return 1;
    return 0;
}

static int write_bytes(const char *name, const void *bytes, size_t n, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", scratch, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    const int ok = fwrite(bytes, 1, n, f) == n;
    return fclose(f) != 0 || !ok;
}

/* Gray, RGB and RGBA (alpha kept) images written as PNG and read back unchanged; alpha
 * dropped on request; an existing file kept unless overwrite. */
static int test_round_trip(cnn_context *ctx)
{
    (void)ctx;
    char path[600], err[512];
    for (int c = 1; c <= 4; c++) {
        if (c == 2)
            continue;
        const int h = 5, w = 7;
        float *data = tu_floats(c * h * w);
        CHECK(data != NULL);
        for (int i = 0; i < c * h * w; i++)
            data[i] = (float)((i * 37 + 11) % 256);
        cnnf_image img = {c, h, w, data}, back;
        snprintf(path, sizeof path, "%s/round-trip-%d.png", scratch, c);
        remove(path);
        CHECK_MSG(cnnf_image_save_png(path, &img, CNNF_SCALE_CLAMP, 0, err, sizeof err) == 0,
                  "%s\n", err);
        CHECK(cnnf_image_load(path, CNNF_ALPHA_KEEP, &back, err, sizeof err) == 0);
        CHECK(back.c == c && back.h == h && back.w == w);
        const int same = memcmp(back.data, data, sizeof(float) * (size_t)(c * h * w)) == 0;
        cnnf_image_free(&back);
        CHECK(same);
        if (c == 4) {
            CHECK(cnnf_image_load(path, CNNF_ALPHA_DROP, &back, err, sizeof err) == 0);
            const int rgb = back.c == 3 && !memcmp(back.data, data, sizeof(float) * 3 * h * w);
            cnnf_image_free(&back);
            CHECK(rgb);
        }
        /* not replaced without overwrite */
        CHECK(cnnf_image_save_png(path, &img, CNNF_SCALE_CLAMP, 0, err, sizeof err) != 0);
        CHECK(strstr(err, "exists (--force replaces it)") != NULL);
        CHECK(cnnf_image_save_png(path, &img, CNNF_SCALE_CLAMP, 1, err, sizeof err) == 0);
    }
    /* BMP (exact) and JPEG (lossy: a flat colour comes back within a few levels), written by
     * stb_image_write and read back through cnnfilter's loader. */
    unsigned char flat[8 * 8 * 3];
    for (int i = 0; i < 8 * 8; i++) {
        flat[3 * i] = 200;
        flat[3 * i + 1] = (unsigned char)(i * 3);
        flat[3 * i + 2] = 40;
    }
    snprintf(path, sizeof path, "%s/round-trip.bmp", scratch);
    CHECK(stbi_write_bmp(path, 8, 8, 3, flat));
    cnnf_image back;
    CHECK(cnnf_image_load(path, CNNF_ALPHA_DROP, &back, err, sizeof err) == 0);
    int bmp_ok = back.c == 3 && back.h == 8 && back.w == 8;
    for (int i = 0; bmp_ok && i < 64; i++)
        bmp_ok = back.data[i] == 200 && back.data[64 + i] == (float)(i * 3) && back.data[128 + i] == 40;
    cnnf_image_free(&back);
    CHECK(bmp_ok);
    for (int i = 0; i < 8 * 8; i++)
        flat[3 * i + 1] = 120;
    snprintf(path, sizeof path, "%s/round-trip.jpg", scratch);
    CHECK(stbi_write_jpg(path, 8, 8, 3, flat, 95));
    CHECK(cnnf_image_load(path, CNNF_ALPHA_DROP, &back, err, sizeof err) == 0);
    int jpg_ok = back.c == 3 && back.h == 8 && back.w == 8;
    for (int i = 0; jpg_ok && i < 64; i++)
        jpg_ok = fabsf(back.data[i] - 200) <= 4 && fabsf(back.data[64 + i] - 120) <= 4 &&
                 fabsf(back.data[128 + i] - 40) <= 4;
    cnnf_image_free(&back);
    CHECK(jpg_ok);
    /* Scaling: clamp rounds and clips; abs folds; normalize spans min..max. */
    static const float v[4] = {-20.4f, 100.5f, 300, 0};
    unsigned char out[4];
    cnnf_to_8bit(v, 1, 2, 2, CNNF_SCALE_CLAMP, out);
    CHECK(out[0] == 0 && out[1] == 101 && out[2] == 255 && out[3] == 0);
    cnnf_to_8bit(v, 1, 2, 2, CNNF_SCALE_ABS, out);
    CHECK(out[0] == 20 && out[1] == 101 && out[2] == 255 && out[3] == 0);
    cnnf_to_8bit(v, 1, 2, 2, CNNF_SCALE_NORMALIZE, out);
    CHECK(out[0] == 0 && out[2] == 255 && out[3] == 16); /* 20.4 / 320.4 * 255 = 16.2 */
    return 0;
}

/* A float32 .npy file (format 1.0) of shape dims. */
static int write_npy(const char *name, const int64_t *dims, int ndim, const float *v,
                     char *path, size_t size)
{
    char header[128], shape[64] = "";
    int64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        char d[24];
        snprintf(d, sizeof d, "%lld, ", (long long)dims[i]);
        strcat(shape, d);
        count *= dims[i];
    }
    int n = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (%s), }", shape);
    while ((n + 11) % 64)
        header[n++] = ' ';
    header[n - 1] = '\n';
    unsigned char *bytes = malloc((size_t)(10 + n) + sizeof(float) * (size_t)count);
    if (!bytes)
        return 1;
    memcpy(bytes, "\x93NUMPY\x01\x00", 8);
    bytes[8] = (unsigned char)(n & 0xff);
    bytes[9] = (unsigned char)(n >> 8);
    memcpy(bytes + 10, header, (size_t)n);
    memcpy(bytes + 10 + n, v, sizeof(float) * (size_t)count); /* little-endian host */
    const int rc = write_bytes(name, bytes, (size_t)(10 + n) + sizeof(float) * (size_t)count,
                               path, size);
    free(bytes);
    return rc;
}

/* Three RGB images through a pipeline with every kind of stage, as one batch and one by one:
 * the results must be the same bits. */
static int test_batch_equals_single(cnn_context *ctx)
{
    char wpath[600], bpath[600], err[512];
    static float w[4 * 3 * 3 * 3], b[4];
    tu_rng r = tu_rng_make(7);
    tu_fill_uniform(&r, w, 4 * 27, -0.5, 0.5);
    tu_fill_uniform(&r, b, 4, -1, 1);
    const int64_t wd[4] = {4, 3, 3, 3}, bd[1] = {4};
    CHECK(write_npy("batch-w.npy", wd, 4, w, wpath, sizeof wpath) == 0);
    CHECK(write_npy("batch-b.npy", bd, 1, b, bpath, sizeof bpath) == 0);
    char conv[1300];
    snprintf(conv, sizeof conv, "conv:%s:%s", wpath, bpath);
    const char *texts[] = {"gaussian:1", "sharpen,border=zero", conv, "relu", "maxpool:2",
                           "edge2,stride=2,border=none", "avgpool:2:1"};
    const int count = (int)(sizeof texts / sizeof texts[0]);
    cnnf_stage stages[7];
    for (int i = 0; i < count; i++)
        CHECK_MSG(cnnf_stage_parse(texts[i], &stages[i], err, sizeof err) == 0, "%s\n", err);
    cnnf_pipeline pl;
    CHECK_MSG(cnnf_pipeline_prepare(&pl, stages, count, 3, err, sizeof err) == 0, "%s\n", err);
    enum { N = 3, H = 19, W = 23 };
    cnnf_image in[N], batch[N], single;
    for (int i = 0; i < N; i++) {
        in[i] = (cnnf_image){3, H, W, tu_floats(3 * H * W)};
        CHECK(in[i].data != NULL);
        tu_fill_uniform(&r, in[i].data, 3 * H * W, 0, 255);
    }
    int rc = cnnf_pipeline_run(&pl, ctx, in, N, batch, NULL, NULL, NULL, err, sizeof err);
    CHECK_MSG(rc == 0, "%s\n", err);
    for (int i = 0; i < N && rc == 0; i++) {
        rc = cnnf_pipeline_run(&pl, ctx, &in[i], 1, &single, NULL, NULL, NULL, err, sizeof err);
        if (rc == 0) {
            const size_t n = (size_t)single.c * single.h * single.w;
            rc = single.c != 4 || batch[i].c != 4 ||
                 memcmp(single.data, batch[i].data, n * sizeof(float)) != 0;
            if (rc)
                tu_note("image %d of the batch differs from the same image alone", i);
            cnnf_image_free(&single);
        }
    }
    for (int i = 0; i < N; i++)
        cnnf_image_free(&batch[i]);
    cnnf_pipeline_free(&pl);
    for (int i = 0; i < count; i++)
        cnnf_stage_free(&stages[i]);
    CHECK(rc == 0);
    return 0;
}

static int expect_load_error(const char *name, const void *bytes, size_t n, const char *reason)
{
    char path[600], err[512] = "";
    if (write_bytes(name, bytes, n, path, sizeof path))
        return 1;
    cnnf_image img;
    const int rc = cnnf_image_load(path, CNNF_ALPHA_DROP, &img, err, sizeof err);
    if (rc == 0)
        cnnf_image_free(&img);
    if (rc == 0 || !strstr(err, path) || !strstr(err, reason)) {
        fprintf(stderr, "%s: \"%s\", expected the path and \"%s\"\n", name, err, reason);
        return 1;
    }
    return 0;
}

static int expect_stage_error(const char *text, const char *reason)
{
    char err[512] = "";
    cnnf_stage s;
    if (cnnf_stage_parse(text, &s, err, sizeof err) == 0) {
        cnnf_stage_free(&s);
        fprintf(stderr, "stage \"%s\" was accepted\n", text);
        return 1;
    }
    if (!strstr(err, reason)) {
        fprintf(stderr, "stage \"%s\": \"%s\", expected \"%s\"\n", text, err, reason);
        return 1;
    }
    return 0;
}

/* Files that are not images, or broken ones, and stage strings that do not parse. */
static int test_bad_input(cnn_context *ctx)
{
    (void)ctx;
    char path[600], err[512];
    CHECK(expect_load_error("empty.png", "", 0, "empty file") == 0);
    CHECK(expect_load_error("text.png", "hello, world\n", 13, "not an image") == 0);
    /* A valid PNG, then cut in half. */
    float px[3 * 16 * 16];
    for (int i = 0; i < 3 * 16 * 16; i++)
        px[i] = (float)(i % 251);
    cnnf_image img = {3, 16, 16, px};
    snprintf(path, sizeof path, "%s/whole.png", scratch);
    CHECK(cnnf_image_save_png(path, &img, CNNF_SCALE_CLAMP, 1, err, sizeof err) == 0);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    unsigned char bytes[4096];
    const size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    CHECK(n > 100 && n < sizeof bytes);
    CHECK(expect_load_error("truncated.png", bytes, n / 2, "damaged or truncated PNG") == 0);
    /* Found by fuzzing stb_image 2.27, refused before it sees them: a JPEG Huffman table of
     * more than 256 codes (stb writes past its table), and a segment longer than the file. */
    static const unsigned char dht[] = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x13, 0x00, 0x20, 0x20,
                                        0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
                                        0x20, 0x20, 0x20, 0x20, 0x20, 0xff, 0xd9};
    CHECK(expect_load_error("dht.jpg", dht, sizeof dht, "a Huffman table of 512 codes") == 0);
    static const unsigned char long_segment[] = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0xff, 0x01};
    CHECK(expect_load_error("segment.jpg", long_segment, sizeof long_segment,
                            "damaged or truncated JPEG") == 0);
    /* A PNG header claiming 100000 x 100000 pixels: refused before decoding. */
    static const unsigned char huge[] = {
        0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
        0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(expect_load_error("huge.png", huge, sizeof huge, "over the limit") == 0);
    /* stb_image decodes a short P5 file, leaving pixels uninitialized: refused first. */
    CHECK(expect_load_error("short.pgm", "P5\n64 64\n255\n\x01\x02", 15,
                            "truncated: 15 bytes, its PGM/PPM header promises 4109") == 0);
    snprintf(path, sizeof path, "%s/no-such-image.png", scratch);
    CHECK(cnnf_image_load(path, CNNF_ALPHA_DROP, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "no-such-image.png") && strstr(err, "No such file"));

    CHECK(expect_stage_error("kernel:1,2;3", "row 2 has 1 values, row 1 has 2") == 0);
    CHECK(expect_stage_error("kernel:1,x,3", "\"x,3\" is not a number") == 0);
    CHECK(expect_stage_error("kernel:", "no values") == 0);
    CHECK(expect_stage_error("kernel:1e99", "not a finite float") == 0);
    CHECK(expect_stage_error("kernel:@/no/such/kernel.txt", "kernel file /no/such/kernel.txt") == 0);
    CHECK(expect_stage_error("gaussian:0", "sigma must be above 0") == 0);
    CHECK(expect_stage_error("gaussian:x", "not a number") == 0);
    CHECK(expect_stage_error("maxpool:0", "the window must be 1 to 256") == 0);
    CHECK(expect_stage_error("avgpool:2:0", "the stride must be 1 to 256") == 0);
    CHECK(expect_stage_error("sharpen,stride=0", "stride must be 1 to 64") == 0);
    CHECK(expect_stage_error("edge1,colour=red", "unknown key \"colour\"") == 0);
    CHECK(expect_stage_error("relu,stride=2", "unknown key \"stride\"") == 0);
    CHECK(expect_stage_error("edge9", "unknown stage \"edge9\"") == 0);
    CHECK(expect_stage_error("", "an empty stage") == 0);
    CHECK(expect_stage_error("conv:", "unknown stage") == 0);
    /* conv weights that do not fit the input's channels */
    char wpath[600];
    static const float w[2 * 5] = {0};
    const int64_t wd[2] = {2, 5};
    CHECK(write_npy("bad-w.npy", wd, 2, w, wpath, sizeof wpath) == 0);
    char text[700];
    snprintf(text, sizeof text, "conv:%s", wpath);
    cnnf_stage s;
    CHECK(cnnf_stage_parse(text, &s, err, sizeof err) == 0);
    cnnf_pipeline pl;
    const int rc = cnnf_pipeline_prepare(&pl, &s, 1, 3, err, sizeof err);
    cnnf_stage_free(&s);
    CHECK(rc != 0);
    CHECK_MSG(strstr(err, "has 5 input channels per group x 1 groups, but its input has 3") != NULL,
              "%s\n", err);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        scratch = argv[1];
    static const tu_case cases[] = {
        {"cnnfilter: the seed's filter table, by hand", test_filter_table},
        {"cnnfilter: borders, stride, pooling, relu", test_borders_and_pools},
        {"cnnfilter: PNG, BMP and JPEG round trips, scaling", test_round_trip},
        {"cnnfilter: a batch equals its images one by one", test_batch_equals_single},
        {"cnnfilter: bad files and stages", test_bad_input},
    };
    return tu_main_opencl(cases, (int)(sizeof cases / sizeof cases[0]));
}
