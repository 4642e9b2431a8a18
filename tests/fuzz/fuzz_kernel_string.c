/* libFuzzer target: cnnfilter's kernel text and stage parser (examples/cnnfilter/stages.h).
 *
 * Input: STAGE [NUL FILE]. STAGE goes to cnnf_kernel_parse() as it is, and to cnnf_stage_parse()
 * with one change: a stage naming a file (kernel:@PATH[,keys]) has PATH replaced by a
 * per-process temporary file holding FILE, so that the fuzzer never opens paths of its own
 * making (a FIFO or /dev/stdin would block) and still reaches the file reader.
 *
 * Checked on success: the kernel has 1..CNNF_KERNEL_MAX rows and columns of finite floats; a
 * stage has a valid kind, a NUL-terminated label, and in-range stride, border, groups and pooling
 * window; a filter stage has its kernel, a conv stage its weights path. On failure: a non-empty
 * message and nothing allocated (the stage's kernel is NULL). abort() otherwise. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_util.h"
#include "stages.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_kernel_string: %s\n  text: '%.200s'\n", what, text);
    abort();
}

static void check_kernel(const float *v, int kh, int kw, const char *text)
{
    if (!v || kh < 1 || kw < 1 || kh > CNNF_KERNEL_MAX || kw > CNNF_KERNEL_MAX)
        fail("a parsed kernel has no values or a size out of range", text);
    for (int i = 0; i < kh * kw; i++)
        if (!isfinite(v[i]))
            fail("a parsed kernel has a value that is not finite", text);
}

static void check_message(const char *err, size_t size, const char *text)
{
    if (memchr(err, '\0', size) == NULL || err[0] == '\0')
        fail("a rejection without a message", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 20000)
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    const size_t text_len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(text_len + 1);
    if (!text)
        return 0;
    memcpy(text, data, text_len);
    text[text_len] = '\0';

    char err[512];
    float *values = (float *)1;
    int kh = -1, kw = -1;
    memset(err, 'X', sizeof err);
    if (cnnf_kernel_parse(text, &values, &kh, &kw, err, sizeof err) == 0) {
        check_kernel(values, kh, kw, text);
        free(values);
    } else {
        check_message(err, sizeof err, text);
        if (values != NULL)
            fail("a rejected kernel leaves *values set", text);
    }

    /* The stage, with a file reference pointed at our own file. */
    char *stage = text;
    char *at = strchr(text, '@');
    if (at) {
        const uint8_t *file = nul ? nul + 1 : data + size;
        const char *path = fuzz_write_tmp("kernel", file, (size_t)(data + size - file));
        if (!path) {
            free(text);
            return 0;
        }
        const char *keys = strchr(at, ',');
        const size_t head = (size_t)(at - text) + 1;
        const size_t tail = keys ? strlen(keys) : 0;
        stage = malloc(head + strlen(path) + tail + 1);
        if (!stage) {
            free(text);
            return 0;
        }
        memcpy(stage, text, head);
        memcpy(stage + head, path, strlen(path));
        memcpy(stage + head + strlen(path), keys ? keys : "", tail + 1);
    }

    cnnf_stage s;
    memset(&s, 0x5a, sizeof s);
    memset(err, 'X', sizeof err);
    if (cnnf_stage_parse(stage, &s, err, sizeof err) == 0) {
        if (memchr(s.label, '\0', sizeof s.label) == NULL)
            fail("a stage label is not NUL-terminated", stage);
        if (s.stride < 1 || s.stride > 64 || s.groups < 1 ||
            (s.border != CNNF_BORDER_DEFAULT && s.border != CNNF_BORDER_REPLICATE &&
             s.border != CNNF_BORDER_ZERO && s.border != CNNF_BORDER_NONE))
            fail("a stage with stride, groups or border out of range", stage);
        switch (s.kind) {
        case CNNF_STAGE_FILTER: check_kernel(s.kernel, s.kh, s.kw, stage); break;
        case CNNF_STAGE_RELU: break;
        case CNNF_STAGE_MAXPOOL:
        case CNNF_STAGE_AVGPOOL:
            if (s.pool_k < 1 || s.pool_k > 256 || s.pool_s < 1 || s.pool_s > 256)
                fail("a pooling stage with its window or stride out of range", stage);
            break;
        case CNNF_STAGE_CONV:
            if (!s.weights_path[0] || !memchr(s.weights_path, '\0', sizeof s.weights_path) ||
                !memchr(s.bias_path, '\0', sizeof s.bias_path))
                fail("a conv stage without a NUL-terminated weights path", stage);
            break;
        default: fail("a stage of an unknown kind", stage);
        }
        cnnf_stage_free(&s);
        cnnf_stage_free(&s); /* a second free is harmless: the kernel pointer was reset */
    } else {
        check_message(err, sizeof err, stage);
        if (s.kernel != NULL)
            fail("a rejected stage leaves a kernel behind", stage);
    }
    if (stage != text)
        free(stage);
    free(text);
    return 0;
}
