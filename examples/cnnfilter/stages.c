/* Parsing of cnnfilter's stages (see stages.h). Everything is checked here, so that a bad
 * pipeline is refused before any image is read. */
#include "stages.h"
#include "fail.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The seed's filter table (DIGEST.md, "The filter table"). */
static const struct {
    const char *name;
    float k[9];
} named[] = {
    {"identity", {0, 0, 0, 0, 1, 0, 0, 0, 0}},
    {"edge1", {1, 0, -1, 0, 0, 0, -1, 0, 1}},
    {"edge2", {0, 1, 0, 1, -4, 1, 0, 1, 0}},
    {"edge3", {-1, -1, -1, -1, 8, -1, -1, -1, -1}},
    {"sharpen", {0, -1, 0, -1, 5, -1, 0, -1, 0}},
    {"boxblur", {1.f / 9, 1.f / 9, 1.f / 9, 1.f / 9, 1.f / 9, 1.f / 9, 1.f / 9, 1.f / 9, 1.f / 9}},
};

int cnnf_named_filter(const char *name, float out[9])
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strcmp(name, named[i].name) == 0) {
            memcpy(out, named[i].k, sizeof named[i].k);
            return 0;
        }
    }
    return -1;
}

int cnnf_kernel_parse(const char *text, float **values, int *kh, int *kw, char *err,
                      size_t err_size)
{
    *values = NULL;
    float *v = malloc(sizeof(float) * CNNF_KERNEL_MAX * CNNF_KERNEL_MAX);
    if (!v)
        return cnnf_fail(err, err_size, "out of memory");
    int rows = 0, cols = -1, n_row = 0, count = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r')
            p++;
        const int end_of_row = *p == ';' || *p == '\n' || *p == '\0';
        if (end_of_row) {
            if (n_row > 0) {
                if (cols >= 0 && n_row != cols) {
                    free(v);
                    return cnnf_fail(err, err_size,
                                     "kernel \"%.40s\": row %d has %d values, row 1 has %d", text,
                                     rows + 1, n_row, cols);
                }
                cols = n_row;
                rows++;
                n_row = 0;
                if (rows > CNNF_KERNEL_MAX) {
                    free(v);
                    return cnnf_fail(err, err_size, "kernel \"%.40s\": more than %d rows", text,
                                     CNNF_KERNEL_MAX);
                }
            }
            if (*p == '\0')
                break;
            p++;
            continue;
        }
        char *end;
        errno = 0;
        const double x = strtod(p, &end);
        if (end == p || (*end && !strchr(" \t,;\r\n", *end))) {
            free(v);
            return cnnf_fail(err, err_size, "kernel \"%.40s\": \"%.12s\" is not a number", text, p);
        }
        if (!isfinite(x) || fabs(x) > 3.0e38) {
            free(v);
            return cnnf_fail(err, err_size, "kernel \"%.40s\": %.12s is not a finite float", text,
                             p);
        }
        if (n_row >= CNNF_KERNEL_MAX) {
            free(v);
            return cnnf_fail(err, err_size, "kernel \"%.40s\": more than %d values in a row", text,
                             CNNF_KERNEL_MAX);
        }
        /* A value of row rows + 1: checked here, before it is stored (the end-of-row check
         * comes too late for a row past the last one). */
        if (rows >= CNNF_KERNEL_MAX) {
            free(v);
            return cnnf_fail(err, err_size, "kernel \"%.40s\": more than %d rows", text,
                             CNNF_KERNEL_MAX);
        }
        v[count++] = (float)x;
        n_row++;
        p = end;
    }
    if (rows == 0) {
        free(v);
        return cnnf_fail(err, err_size, "kernel \"%.40s\": no values", text);
    }
    *values = v;
    *kh = rows;
    *kw = cols;
    return 0;
}

/* A normalized Gaussian of sigma (0 < sigma <= 10), 2 ceil(3 sigma) + 1 wide. */
static int gaussian(double sigma, cnnf_stage *s, char *err, size_t err_size)
{
    if (!(sigma > 0.0 && sigma <= 10.0))
        return cnnf_fail(err, err_size, "gaussian:%g: sigma must be above 0 and at most 10", sigma);
    const int r = (int)ceil(3.0 * sigma), n = 2 * r + 1;
    s->kernel = malloc(sizeof(float) * (size_t)(n * n));
    if (!s->kernel)
        return cnnf_fail(err, err_size, "out of memory");
    double sum = 0.0;
    for (int y = -r; y <= r; y++)
        for (int x = -r; x <= r; x++)
            sum += exp(-(x * x + y * y) / (2.0 * sigma * sigma));
    for (int y = -r; y <= r; y++)
        for (int x = -r; x <= r; x++)
            s->kernel[(y + r) * n + (x + r)] =
                (float)(exp(-(x * x + y * y) / (2.0 * sigma * sigma)) / sum);
    s->kh = s->kw = n;
    return 0;
}

static int parse_int_value(const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    const long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

static int parse_keys(char *keys, cnnf_stage *s, char *err, size_t err_size)
{
    for (char *k = keys; k && *k;) {
        char *next = strchr(k, ',');
        if (next)
            *next++ = '\0';
        char *eq = strchr(k, '=');
        if (!eq)
            return cnnf_fail(err, err_size, "stage \"%s\": \"%s\" is not key=value", s->label, k);
        *eq = '\0';
        const char *v = eq + 1;
        const int takes_kernel = s->kind == CNNF_STAGE_FILTER || s->kind == CNNF_STAGE_CONV;
        if (strcmp(k, "stride") == 0 && takes_kernel) {
            if (parse_int_value(v, 1, 64, &s->stride))
                return cnnf_fail(err, err_size, "stage \"%s\": stride must be 1 to 64", s->label);
        } else if (strcmp(k, "border") == 0 && takes_kernel) {
            if (strcmp(v, "replicate") == 0)
                s->border = CNNF_BORDER_REPLICATE;
            else if (strcmp(v, "zero") == 0)
                s->border = CNNF_BORDER_ZERO;
            else if (strcmp(v, "none") == 0)
                s->border = CNNF_BORDER_NONE;
            else
                return cnnf_fail(err, err_size,
                                 "stage \"%s\": border must be replicate, zero or none", s->label);
        } else if (strcmp(k, "groups") == 0 && s->kind == CNNF_STAGE_CONV) {
            if (parse_int_value(v, 1, 1 << 20, &s->groups))
                return cnnf_fail(err, err_size, "stage \"%s\": groups must be a positive count",
                                 s->label);
        } else {
            return cnnf_fail(err, err_size, "stage \"%s\": unknown key \"%s\" for this stage",
                             s->label, k);
        }
        k = next;
    }
    return 0;
}

int cnnf_stage_parse(const char *text, cnnf_stage *out, char *err, size_t err_size)
{
    cnnf_stage s;
    memset(&s, 0, sizeof s);
    s.stride = 1;
    s.groups = 1;
    s.border = CNNF_BORDER_DEFAULT;
    snprintf(s.label, sizeof s.label, "%s", text);
    memset(out, 0, sizeof *out);
    if (!*text)
        return cnnf_fail(err, err_size, "an empty stage");
    /* kernel: takes its rows with ',' inside, so its keys cannot follow; a file can. */
    const size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, text, len + 1);
    if (!copy)
        return cnnf_fail(err, err_size, "out of memory");
    /* NAME, then :ARGS, then ,KEYS; kernel:ROWS has ',' in its rows, so keys cannot follow
     * it (kernel:@FILE,... can; or the command line's defaults). */
    const size_t n = strcspn(copy, ":,");
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), copy);
    const char *args = NULL;
    char *keys = NULL;
    if (copy[n] == ':') {
        args = copy + n + 1;
        if (strcmp(name, "kernel") != 0 || args[0] == '@') {
            char *comma = strchr(copy + n + 1, ',');
            if (comma) {
                *comma = '\0';
                keys = comma + 1;
            }
        }
    } else if (copy[n] == ',') {
        keys = copy + n + 1;
    }
    int rc = 0;
    float k9[9];
    if (cnnf_named_filter(name, k9) == 0 && !args) {
        s.kind = CNNF_STAGE_FILTER;
        s.kh = s.kw = 3;
        s.kernel = malloc(sizeof k9);
        rc = s.kernel ? 0 : cnnf_fail(err, err_size, "out of memory");
        if (s.kernel)
            memcpy(s.kernel, k9, sizeof k9);
    } else if (strcmp(name, "kernel") == 0 && args) {
        s.kind = CNNF_STAGE_FILTER;
        if (args[0] == '@') {
            FILE *f = fopen(args + 1, "r");
            char buf[16384];
            size_t got = 0;
            if (!f) {
                rc = cnnf_fail(err, err_size, "kernel file %s: %s", args + 1, strerror(errno));
            } else {
                got = fread(buf, 1, sizeof buf - 1, f);
                const int too_big = got == sizeof buf - 1 && fgetc(f) != EOF;
                fclose(f);
                buf[got] = '\0';
                if (too_big)
                    rc = cnnf_fail(err, err_size, "kernel file %s: larger than 16 KiB", args + 1);
                else if (strlen(buf) != got)
                    rc = cnnf_fail(err, err_size, "kernel file %s: not a text file", args + 1);
                else
                    rc = cnnf_kernel_parse(buf, &s.kernel, &s.kh, &s.kw, err, err_size);
            }
        } else {
            rc = cnnf_kernel_parse(args, &s.kernel, &s.kh, &s.kw, err, err_size);
        }
    } else if (strcmp(name, "gaussian") == 0 && args) {
        s.kind = CNNF_STAGE_FILTER;
        char *end;
        const double sigma = strtod(args, &end);
        rc = end == args || *end ? cnnf_fail(err, err_size, "gaussian:%s: not a number", args)
                                 : gaussian(sigma, &s, err, err_size);
    } else if (strcmp(name, "relu") == 0 && !args) {
        s.kind = CNNF_STAGE_RELU;
    } else if ((strcmp(name, "maxpool") == 0 || strcmp(name, "avgpool") == 0) && args) {
        s.kind = name[0] == 'm' ? CNNF_STAGE_MAXPOOL : CNNF_STAGE_AVGPOOL;
        char kbuf[32];
        snprintf(kbuf, sizeof kbuf, "%s", args);
        char *colon = strchr(kbuf, ':');
        if (colon)
            *colon = '\0';
        if (parse_int_value(kbuf, 1, 256, &s.pool_k))
            rc = cnnf_fail(err, err_size, "%s: the window must be 1 to 256", text);
        s.pool_s = s.pool_k;
        if (rc == 0 && colon && parse_int_value(colon + 1, 1, 256, &s.pool_s))
            rc = cnnf_fail(err, err_size, "%s: the stride must be 1 to 256", text);
    } else if (strcmp(name, "conv") == 0 && args && *args) {
        s.kind = CNNF_STAGE_CONV;
        /* WEIGHTS[:BIAS]: a path may not contain ':' here (documented). */
        const char *colon = strchr(args, ':');
        const size_t wn = colon ? (size_t)(colon - args) : strlen(args);
        if (wn == 0 || wn >= sizeof s.weights_path ||
            (colon && strlen(colon + 1) >= sizeof s.bias_path))
            rc = cnnf_fail(err, err_size, "%s: give conv:WEIGHTS.npy or conv:WEIGHTS.npy:BIAS.npy",
                           text);
        else {
            memcpy(s.weights_path, args, wn);
            s.weights_path[wn] = '\0';
            if (colon)
                snprintf(s.bias_path, sizeof s.bias_path, "%s", colon + 1);
        }
    } else {
        rc = cnnf_fail(err, err_size,
                       "unknown stage \"%s\" (identity, edge1, edge2, edge3, sharpen, boxblur, "
                       "kernel:ROWS, gaussian:SIGMA, relu, maxpool:K[:S], avgpool:K[:S], "
                       "conv:WEIGHTS.npy[:BIAS.npy])",
                       text);
    }
    if (rc == 0)
        rc = parse_keys(keys, &s, err, err_size);
    free(copy);
    if (rc != 0) {
        cnnf_stage_free(&s);
        return -1;
    }
    *out = s;
    return 0;
}

void cnnf_stage_free(cnnf_stage *stage)
{
    if (!stage)
        return;
    free(stage->kernel);
    stage->kernel = NULL;
}
