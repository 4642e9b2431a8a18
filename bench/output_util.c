/* Shared by the writers: checked file output, UTF-8 checking, a layer's columns. */
#include "output_util.h"
#include "fail.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

/* ---- a checked output file ------------------------------------------------------------- */

int bench_out_open(bench_out *o, const char *path, char *err, size_t err_size)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (!path || !path[0])
        return bench_fail(err, err_size, "no output file given");
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    o->f = fopen(path, "w");
    if (!o->f)
        return bench_fail(err, err_size, "cannot open %s for writing: %s", path,
                          strerror(errno));
    return 0;
}

static void note_failure(bench_out *o)
{
    if (!o->failed) {
        o->failed = 1;
        o->error = errno;
    }
}

void bench_out_printf(bench_out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    const int n = vfprintf(o->f, fmt, ap);
    va_end(ap);
    if (n < 0)
        note_failure(o);
}

void bench_out_write(bench_out *o, const char *s, size_t len)
{
    if (o->failed || len == 0)
        return;
    if (fwrite(s, 1, len, o->f) != len)
        note_failure(o);
}

void bench_out_puts(bench_out *o, const char *s)
{
    bench_out_write(o, s, strlen(s));
}

int bench_out_close(bench_out *o, char *err, size_t err_size)
{
    if (!o->f)
        return bench_fail(err, err_size, "%s: not open", o->path ? o->path : "(no file)");
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        note_failure(o);
    if (o->f != stdout) {
        errno = 0;
        if (fclose(o->f) != 0)
            note_failure(o);
    }
    o->f = NULL;
    if (o->failed)
        return bench_fail(err, err_size, "cannot write %s: %s", o->path,
                          o->error ? strerror(o->error) : "write error");
    return 0;
}

void bench_out_number(bench_out *o, double v, int digits, const char *null_text)
{
    if (!isfinite(v)) {
        bench_out_puts(o, null_text);
        return;
    }
    if (v == 0.0)
        v = 0.0; /* no "-0" */
    bench_out_printf(o, "%.*g", digits, v);
}

/* ---- text ------------------------------------------------------------------------------ */

size_t bench_utf8_length(const unsigned char *s, size_t avail)
{
    if (avail == 0)
        return 0;
    const unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2; cp = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3; cp = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4; cp = c & 0x07; min = 0x10000;
    } else {
        return 0; /* a continuation byte, 0xc0/0xc1 (always overlong), 0xf5.. */
    }
    if (avail < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* ---- a layer's columns ------------------------------------------------------------------ */

const char *bench_outcome_string(bench_outcome outcome)
{
    switch (outcome) {
    case BENCH_VERIFIED: return "verified";
    case BENCH_UNCHECKED: return "unchecked";
    case BENCH_WRONG: return "wrong";
    case BENCH_ERROR: return "error";
    }
    return "unknown";
}

static bench_value *next(bench_layer_row *row, const char *key, bench_value_kind kind)
{
    /* The list below is fixed; BENCH_LAYER_MAX_VALUES has room for all of it. */
    bench_value *v = &row->v[row->count < BENCH_LAYER_MAX_VALUES ? row->count++
                                                                   : BENCH_LAYER_MAX_VALUES - 1];
    memset(v, 0, sizeof *v);
    v->key = key;
    v->kind = kind;
    return v;
}

static void put_string(bench_layer_row *row, const char *key, const char *s)
{
    if (s)
        next(row, key, BENCH_V_STRING)->s = s;
    else
        next(row, key, BENCH_V_NULL);
}

static void put_int(bench_layer_row *row, const char *key, int64_t i)
{
    next(row, key, BENCH_V_INT)->i = i;
}

/* A number, or null when not finite or when present is 0. */
static void put_number(bench_layer_row *row, const char *key, double d, int digits, int present)
{
    if (!present || !isfinite(d)) {
        next(row, key, BENCH_V_NULL);
        return;
    }
    bench_value *v = next(row, key, BENCH_V_NUMBER);
    v->d = d;
    v->digits = digits;
}

static void put_bool(bench_layer_row *row, const char *key, int b)
{
    next(row, key, BENCH_V_BOOL)->b = b != 0;
}

static void put_null(bench_layer_row *row, const char *key)
{
    next(row, key, BENCH_V_NULL);
}

/* Digits: milliseconds and rates 6 significant digits, percentages and errors fewer, counts
 * of FLOPs and bytes exact (they are integers below 2^53). */
#define MS 6
#define RATE 6
#define PCT 4
#define ERR 3
#define EXACT 15

void bench_layer_row_fill(bench_layer_row *row, const bench_record *rec)
{
    memset(row, 0, sizeof *row);
    const bench_problem *p = &rec->entry.problem;
    const bench_result *res = &rec->result;
    const int conv = p->op == BENCH_OP_CONV;
    const int ran = res->outcome != BENCH_ERROR;
    const int checked = res->outcome == BENCH_VERIFIED || res->outcome == BENCH_WRONG;

    bench_problem_format(p, row->spec, sizeof row->spec);

    /* the schema */
    put_string(row, "name", rec->name);
    put_string(row, "source", rec->entry.source);
    put_int(row, "n", p->mb);
    put_int(row, "c", p->ic);
    put_int(row, "h", p->ih);
    put_int(row, "w", p->iw);
    put_int(row, "k", conv ? p->oc : p->ic);     /* pooling keeps the channels */
    put_int(row, "r", p->kh);                    /* pooling: the window */
    put_int(row, "s", p->kw);
    put_int(row, "stride_h", p->sh);
    put_int(row, "stride_w", p->sw);
    put_int(row, "pad_top", p->ph);
    put_int(row, "pad_bottom", p->pb);
    put_int(row, "pad_left", p->pw);
    put_int(row, "pad_right", p->pr);
    put_int(row, "dilation_h", conv ? p->dh + 1 : 1); /* the library's: 1 = dense */
    put_int(row, "dilation_w", conv ? p->dw + 1 : 1);
    put_int(row, "groups", conv ? p->g : p->ic);  /* pooling: every channel alone */
    if (conv)
        put_string(row, "algo", cnn_conv2d_algo_string(res->algo));
    else
        put_string(row, "algo", p->pool_mode == CNN_POOL_MAX ? "pool_max" : "pool_avg");
    put_number(row, "ms_median", res->ms_median, MS, ran);
    put_number(row, "ms_min", res->ms_min, MS, ran);
    put_number(row, "ms_max", res->ms_max, MS, ran);
    put_number(row, "gflops", res->gflops, RATE, ran && conv && res->ms_median > 0.0);
    put_number(row, "gbs", res->gbs, RATE, ran && res->ms_median > 0.0);
    put_number(row, "pct_roofline", rec->pct_roofline, PCT, ran && rec->pct_roofline > 0.0);
    if (res->outcome == BENCH_VERIFIED || res->outcome == BENCH_WRONG || !ran)
        put_bool(row, "verified", res->outcome == BENCH_VERIFIED);
    else
        put_null(row, "verified");
    put_number(row, "max_err", res->check.max_abs_err, ERR, checked);
    const double compile = rec->cold_ms > 0.0 ? rec->cold_ms : res->plan_ms;
    put_number(row, "compile_ms", compile, MS, compile > 0.0);

    /* cnnbench's own */
    put_int(row, "device", (int64_t)rec->device);
    put_string(row, "op", conv ? "conv" : "pool");
    put_string(row, "spec", row->spec);
    put_int(row, "count", rec->entry.count);
    put_int(row, "oh", p->oh);
    put_int(row, "ow", p->ow);
    put_string(row, "outcome", bench_outcome_string(res->outcome));
    if (res->outcome == BENCH_ERROR) {
        put_string(row, "error", res->error);
    } else if (res->outcome == BENCH_WRONG) {
        const bench_verify_result *c = &res->check;
        snprintf(row->detail, sizeof row->detail,
                 "%" PRId64 " of %" PRId64 " checked outputs wrong; worst out[n=%" PRId64
                 ",k=%" PRId64 ",y=%" PRId64 ",x=%" PRId64 "] = %.7g, reference %.7g, "
                 "tolerance %.2e",
                 c->failed, c->checked, c->worst[0], c->worst[1], c->worst[2], c->worst[3],
                 c->worst_got, c->worst_ref, c->worst_tol);
        put_string(row, "error", row->detail);
    } else {
        put_null(row, "error");
    }
    if (checked) {
        put_int(row, "checked", res->check.checked);
        put_int(row, "wrong_outputs", res->check.failed);
        put_bool(row, "exhaustive", res->check.exhaustive);
    } else {
        put_null(row, "checked");
        put_null(row, "wrong_outputs");
        put_null(row, "exhaustive");
    }
    put_int(row, "timed_reps", ran ? res->timed_reps : 0);
    put_bool(row, "device_timing", res->device_timing);
    put_number(row, "plan_ms", res->plan_ms, MS, res->plan_ms > 0.0);
    put_number(row, "first_ms", res->first_ms, MS, res->first_ms > 0.0);
    put_number(row, "cold_ms", rec->cold_ms, MS, rec->cold_ms > 0.0);
    put_number(row, "warm_ms", rec->warm_ms, MS, rec->warm_ms > 0.0);
    put_number(row, "wall_ms_median", res->wall_ms_median, MS, ran && res->wall_ms_median > 0.0);
    put_number(row, "ms_no_epilogue", res->ms_no_epilogue, MS, ran && res->ms_no_epilogue > 0.0);
    put_number(row, "flops", res->flops, EXACT, conv && res->flops > 0.0);
    put_number(row, "bytes", res->bytes, EXACT, res->bytes > 0.0);
    put_number(row, "flops_per_byte", res->bytes > 0.0 ? res->flops / res->bytes : 0.0, PCT,
               conv && res->flops > 0.0 && res->bytes > 0.0);
}
