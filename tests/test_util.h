/*
 * A tiny test harness for the cnncl CTest suite.
 *
 *     static int test_something(cnn_context *ctx)
 *     {
 *         cnn_tensor *x = tu_tensor(ctx, 1, 1, 5, 5);   // tracked: freed by tu_release()
 *         CHECK(x != NULL);
 *         CHECK_STATUS(cnn_tensor_write(x, data, 25), CNN_SUCCESS);
 *         CHECK_NEAR(got, 6.0, 1e-6);
 *         return 0;
 *     }
 *     ...
 *     failures += tu_run("something", test_something, ctx);
 *
 * A failing CHECK prints file:line, the expression, the current note (problem descriptor),
 * the device, the context's last error and the seed, then returns 1 from the test function.
 * Resources made through tu_tensor()/tu_floats() or passed to tu_track() are freed by
 * tu_release() (tu_run() calls it after every test), so a failing test does not leak into the
 * next one.
 *
 * Conventions:
 *   - exit code 77 (TU_SKIP) means "skipped"; only OpenCL-labelled tests that need an OpenCL
 *     device use it, and only when no OpenCL device exists;
 *   - CNNCL_TEST_SEED (decimal or 0x hex) seeds the PRNG; the default is fixed, so runs are
 *     deterministic; the seed is printed with every failure;
 *   - problems are printed as one-line descriptors in benchdnn style (tu_conv_desc()).
 */
#ifndef CNNCL_TEST_UTIL_H
#define CNNCL_TEST_UTIL_H

#include "cnncl.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TU_SKIP 77
#define TU_DEFAULT_SEED UINT64_C(0x5eedc0ffee)
#define TU_NOTE_SIZE 512
#define TU_MAX_DEVICES 32

/* ---- per-process state ------------------------------------------------------------------- */

/* What tu_track() holds, and how tu_release() frees it. */
enum tu_kind { TU_TENSOR = 1, TU_CONV_PLAN, TU_POOL_PLAN, TU_HOST, TU_CONTEXT };

typedef struct tu_resource {
    int kind; /* an enum tu_kind */
    void *ptr;
} tu_resource;

typedef struct tu_state_data {
    char note[TU_NOTE_SIZE];   /* what is being tested: a descriptor, a case name */
    char device[64];           /* the selector of the device under test */
    const cnn_context *ctx;    /* its last error is printed on failure */
    uint64_t seed;
    int seed_ready;
    tu_resource *res;
    size_t res_count, res_cap;
} tu_state_data;

static inline tu_state_data *tu_state(void)
{
    static tu_state_data state;
    return &state;
}

/* printf into the note printed with every failure. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static inline void tu_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tu_state()->note, TU_NOTE_SIZE, fmt, ap);
    va_end(ap);
}

static inline void tu_clear_note(void)
{
    tu_state()->note[0] = '\0';
}

/* The seed of this run: CNNCL_TEST_SEED or the fixed default. */
static inline uint64_t tu_seed(void)
{
    tu_state_data *s = tu_state();
    if (!s->seed_ready) {
        const char *env = getenv("CNNCL_TEST_SEED");
        s->seed = TU_DEFAULT_SEED;
        if (env != NULL && env[0] != '\0') {
            s->seed = (uint64_t)strtoull(env, NULL, 0);
        }
        s->seed_ready = 1;
    }
    return s->seed;
}

/* ---- failure reports and assertions ------------------------------------------------------ */

static inline void tu_report_details(void)
{
    tu_state_data *s = tu_state();
    fprintf(stderr, "\n");
    if (s->note[0] != '\0') {
        fprintf(stderr, "    case:   %s\n", s->note);
    }
    if (s->device[0] != '\0') {
        fprintf(stderr, "    device: %s\n", s->device);
    }
    if (s->ctx != NULL) {
        fprintf(stderr, "    last error: \"%s\"\n", cnn_context_last_error(s->ctx));
    }
    fprintf(stderr, "    seed:   CNNCL_TEST_SEED=0x%" PRIx64 "\n", tu_seed());
    fflush(stderr);
}

/* "file:line: FAILED: <message>" and the details (case, device, last error, seed). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline void tu_report(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: FAILED: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    tu_report_details();
}

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            tu_report(__FILE__, __LINE__, "CHECK(%s)", #cond);                           \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

/* CHECK with a printf-style explanation. */
#define CHECK_MSG(cond, ...)                                                             \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: FAILED: CHECK(%s): ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                                \
            tu_report_details();                                                         \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

#define CHECK_STATUS(call, expected)                                                     \
    do {                                                                                 \
        cnn_status tu_got_ = (call);                                                     \
        cnn_status tu_want_ = (expected);                                                \
        if (tu_got_ != tu_want_) {                                                       \
            tu_report(__FILE__, __LINE__, "%s returned %d (%s), expected %d (%s)", #call, \
                      (int)tu_got_, cnn_status_string(tu_got_), (int)tu_want_,           \
                      cnn_status_string(tu_want_));                                      \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, CNN_SUCCESS)

/* |got - want| <= tol; a NaN fails. */
#define CHECK_NEAR(got, want, tol)                                                       \
    do {                                                                                 \
        double tu_g_ = (double)(got), tu_w_ = (double)(want), tu_t_ = (double)(tol);     \
        if (!(fabs(tu_g_ - tu_w_) <= tu_t_)) {                                           \
            tu_report(__FILE__, __LINE__, "CHECK_NEAR(%s, %s, %s): got %.9g, want %.9g, " \
                      "|diff| %.3g > %.3g", #got, #want, #tol, tu_g_, tu_w_,              \
                      fabs(tu_g_ - tu_w_), tu_t_);                                       \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

/* Element-wise |got[i] - want[i]| <= rel * |want[i]| + abs over count floats of a tensor of
 * the given NCHW shape (for the printed coordinates; may be NULL). Prints the first few
 * mismatches. Returns the number of mismatches. */
static inline int64_t tu_compare(const char *file, int line, const float *got, const float *want,
                                 int64_t count, const int64_t shape[4], double rel, double abs)
{
    int64_t bad = 0;
    for (int64_t i = 0; i < count; i++) {
        double g = got[i], w = want[i];
        double tol = rel * fabs(w) + abs;
        if (!(fabs(g - w) <= tol)) {
            if (bad == 0) {
                tu_report(file, line, "arrays differ (tolerance %.3g relative + %.3g)", rel,
                          abs);
            }
            if (bad < 8) {
                if (shape != NULL) {
                    int64_t x = i % shape[3], y = (i / shape[3]) % shape[2];
                    int64_t c = (i / (shape[3] * shape[2])) % shape[1];
                    int64_t n = i / (shape[3] * shape[2] * shape[1]);
                    fprintf(stderr, "    [n%" PRId64 " c%" PRId64 " y%" PRId64 " x%" PRId64
                                    "] got %.9g want %.9g\n", n, c, y, x, g, w);
                } else {
                    fprintf(stderr, "    [%" PRId64 "] got %.9g want %.9g\n", i, g, w);
                }
            }
            bad++;
        }
    }
    if (bad > 0) {
        fprintf(stderr, "    %" PRId64 " of %" PRId64 " elements differ\n", bad, count);
    }
    return bad;
}

#define CHECK_ARRAY(got, want, count, shape, rel, abs)                                   \
    do {                                                                                 \
        if (tu_compare(__FILE__, __LINE__, (got), (want), (count), (shape), (rel), (abs)) \
            != 0) {                                                                      \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

/* ---- tracked resources ------------------------------------------------------------------ */

static inline void *tu_track(int kind, void *ptr)
{
    tu_state_data *s = tu_state();
    if (ptr == NULL) {
        return NULL;
    }
    if (s->res_count == s->res_cap) {
        size_t cap = s->res_cap ? 2 * s->res_cap : 64;
        tu_resource *r = (tu_resource *)realloc(s->res, cap * sizeof *r);
        if (r == NULL) {
            fprintf(stderr, "test harness: out of memory\n");
            exit(1);
        }
        s->res = r;
        s->res_cap = cap;
    }
    s->res[s->res_count].kind = kind;
    s->res[s->res_count].ptr = ptr;
    s->res_count++;
    return ptr;
}

/* Forget a tracked pointer (the test destroyed it itself). */
static inline void tu_untrack(const void *ptr)
{
    tu_state_data *s = tu_state();
    for (size_t i = s->res_count; i-- > 0;) {
        if (s->res[i].ptr == ptr) {
            s->res[i] = s->res[--s->res_count];
            return;
        }
    }
}

/* Destroy every tracked resource, newest first (so a tracked context goes after the tensors
 * made on it). */
static inline void tu_release(void)
{
    tu_state_data *s = tu_state();
    while (s->res_count > 0) {
        tu_resource r = s->res[--s->res_count];
        switch (r.kind) {
        case TU_TENSOR: cnn_tensor_destroy((cnn_tensor *)r.ptr); break;
        case TU_CONV_PLAN: cnn_conv2d_plan_destroy((cnn_conv2d_plan *)r.ptr); break;
        case TU_POOL_PLAN: cnn_pool2d_plan_destroy((cnn_pool2d_plan *)r.ptr); break;
        case TU_CONTEXT: cnn_context_destroy((cnn_context *)r.ptr); break;
        default: free(r.ptr); break;
        }
    }
}

static inline void tu_release_all_memory(void)
{
    tu_state_data *s = tu_state();
    tu_release();
    free(s->res);
    s->res = NULL;
    s->res_cap = 0;
}

/* Counting the log messages that contain a text: tu_log_count_begin(text) routes the log, at
 * every level, to a counter that tu_log_hits holds; tu_log_count_end(level) restores the
 * default writer at that level. */
static const char *tu_log_text;
static int tu_log_hits;

static inline void tu_log_counter(cnn_log_level level, const char *message, void *user_data)
{
    (void)level;
    (void)user_data;
    if (strstr(message, tu_log_text) != NULL) {
        tu_log_hits++;
    }
}

static inline void tu_log_count_begin(const char *text)
{
    tu_log_text = text;
    tu_log_hits = 0;
    cnn_log_set_level(CNN_LOG_DEBUG);
    cnn_log_set_callback(tu_log_counter, NULL);
}

static inline void tu_log_count_end(cnn_log_level level)
{
    cnn_log_set_callback(NULL, NULL);
    cnn_log_set_level(level);
}

/* A conv2d plan (tracked for tu_release) made while counting the log messages that contain
 * text: its status; the count in *hits. */
static inline cnn_status tu_plan_counting(cnn_conv2d_plan **plan, cnn_context *ctx,
                                          const int64_t xs[4], const int64_t ws[4],
                                          const cnn_conv2d_params *p, const char *text, int *hits)
{
    *plan = NULL;
    tu_log_count_begin(text);
    const cnn_status s = cnn_conv2d_plan_create(plan, ctx, xs, ws, 1, p);
    *hits = tu_log_hits;
    tu_log_count_end(CNN_LOG_WARN);
    if (s == CNN_SUCCESS) {
        tu_track(TU_CONV_PLAN, *plan);
    }
    return s;
}

/* count floats of host memory (NULL for count <= 0 or out of memory), freed by tu_release. */
static inline float *tu_floats(int64_t count)
{
    if (count <= 0) {
        return NULL;
    }
    return (float *)tu_track(TU_HOST, malloc((size_t)count * sizeof(float)));
}

static inline float *tu_floats_fill(int64_t count, float value)
{
    float *p = tu_floats(count);
    for (int64_t i = 0; p != NULL && i < count; i++) {
        p[i] = value;
    }
    return p;
}

/* A tracked tensor, or NULL (with a message) on failure. */
static inline cnn_tensor *tu_tensor(cnn_context *ctx, int64_t n, int64_t c, int64_t h, int64_t w)
{
    cnn_tensor *t = NULL;
    cnn_status st = cnn_tensor_create(&t, ctx, n, c, h, w);
    if (st != CNN_SUCCESS) {
        fprintf(stderr, "    tu_tensor(%" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64
                        "): %s: %s\n", n, c, h, w, cnn_status_string(st),
                cnn_context_last_error(ctx));
        return NULL;
    }
    return (cnn_tensor *)tu_track(TU_TENSOR, t);
}

/* A tracked tensor holding data (n*c*h*w floats), or NULL. */
static inline cnn_tensor *tu_tensor_from(cnn_context *ctx, int64_t n, int64_t c, int64_t h,
                                         int64_t w, const float *data)
{
    cnn_tensor *t = tu_tensor(ctx, n, c, h, w);
    if (t != NULL) {
        cnn_status st = cnn_tensor_write(t, data, n * c * h * w);
        if (st != CNN_SUCCESS) {
            fprintf(stderr, "    tu_tensor_from: write: %s: %s\n", cnn_status_string(st),
                    cnn_context_last_error(ctx));
            return NULL;
        }
    }
    return t;
}

/* A tracked tensor of the given shape filled with value. */
static inline cnn_tensor *tu_tensor_fill(cnn_context *ctx, const int64_t s[4], float value)
{
    float *host = tu_floats_fill(s[0] * s[1] * s[2] * s[3], value);
    if (host == NULL) {
        return NULL;
    }
    return tu_tensor_from(ctx, s[0], s[1], s[2], s[3], host);
}

/* A convolution's tensors: the input (shape xs) from x, the weights (ws) from w, the bias of
 * ws[0] channels from b, and the output (ys) filled with NaN, so that an unwritten element
 * fails; all tracked. 0 when every one was made. */
static inline int tu_conv_tensors(cnn_context *ctx, const int64_t xs[4], const float *x,
                                  const int64_t ws[4], const float *w, const float *b,
                                  const int64_t ys[4], cnn_tensor **tx, cnn_tensor **tw,
                                  cnn_tensor **tb, cnn_tensor **ty)
{
    *tx = tu_tensor_from(ctx, xs[0], xs[1], xs[2], xs[3], x);
    *tw = tu_tensor_from(ctx, ws[0], ws[1], ws[2], ws[3], w);
    *tb = tu_tensor_from(ctx, 1, ws[0], 1, 1, b);
    *ty = tu_tensor_fill(ctx, ys, NAN);
    return *tx && *tw && *tb && *ty ? 0 : 1;
}

/* The tensor's contents in tracked host memory, or NULL. */
static inline float *tu_read(const cnn_tensor *t)
{
    int64_t count = cnn_tensor_count(t);
    float *p = tu_floats(count);
    if (p == NULL) {
        return NULL;
    }
    cnn_status st = cnn_tensor_read(t, p, count);
    if (st != CNN_SUCCESS) {
        fprintf(stderr, "    tu_read: %s\n", cnn_status_string(st));
        return NULL;
    }
    return p;
}

/* ---- devices ----------------------------------------------------------------------------- */

typedef struct tu_devices {
    int count;
    char selector[TU_MAX_DEVICES][32];
} tu_devices;

/* The selectors to run on: "ref" first (if with_ref), then every OpenCL device ("P:D").
 * Returns 0, or 1 (with a message) if the device list fails. */
static inline int tu_device_selectors(tu_devices *out, int with_ref)
{
    cnn_device_info infos[TU_MAX_DEVICES];
    size_t count = 0;
    cnn_status st = cnn_device_list(infos, TU_MAX_DEVICES, &count);
    out->count = 0;
    if (st != CNN_SUCCESS) {
        fprintf(stderr, "cnn_device_list: %s\n", cnn_status_string(st));
        return 1;
    }
    if (count > TU_MAX_DEVICES) {
        count = TU_MAX_DEVICES;
    }
    for (size_t i = 0; i < count; i++) {
        if (infos[i].type == CNN_DEVICE_REFERENCE && !with_ref) {
            continue;
        }
        snprintf(out->selector[out->count], sizeof out->selector[0], "%s", infos[i].selector);
        out->count++;
    }
    return 0;
}

/* A context on selector (NULL with a message on failure), registered for failure reports. */
static inline cnn_context *tu_context(const char *selector)
{
    cnn_context *ctx = NULL;
    char err[512] = "";
    cnn_status st = cnn_context_create(&ctx, selector, err, sizeof err);
    if (st != CNN_SUCCESS) {
        fprintf(stderr, "cnn_context_create(\"%s\"): %s: %s\n", selector,
                cnn_status_string(st), err);
        return NULL;
    }
    char name[sizeof tu_state()->device]; /* selector may be tu_state()->device itself */
    size_t len = strlen(selector) < sizeof name - 1 ? strlen(selector) : sizeof name - 1;
    memcpy(name, selector, len);
    name[len] = '\0';
    memcpy(tu_state()->device, name, sizeof name);
    tu_state()->ctx = ctx;
    return ctx;
}

static inline void tu_context_destroy(cnn_context *ctx)
{
    tu_release();
    if (tu_state()->ctx == ctx) {
        tu_state()->ctx = NULL;
    }
    cnn_context_destroy(ctx);
}

typedef int (*tu_test_fn)(cnn_context *ctx);

/* Run one test on ctx, release its resources, print its result. Returns 1 on failure. */
static inline int tu_run(const char *name, tu_test_fn fn, cnn_context *ctx)
{
    tu_state_data *s = tu_state();
    s->note[0] = '\0';
    s->ctx = ctx;
    int failed = fn(ctx) != 0;
    tu_release();
    printf("%-4s %s [%s]\n", failed ? "FAIL" : "ok", name, s->device);
    fflush(stdout);
    s->note[0] = '\0';
    return failed;
}

typedef struct tu_case {
    const char *name;
    tu_test_fn fn;
} tu_case;

/* The main of a test that needs OpenCL: every case on a context of every OpenCL device, then
 * the process's exit code (TU_SKIP when there is no OpenCL device). */
static inline int tu_main_opencl(const tu_case *cases, int count)
{
    tu_devices devs;
    if (tu_device_selectors(&devs, 0) != 0) {
        return 1;
    }
    if (devs.count == 0) {
        printf("no OpenCL device: skipped\n");
        return TU_SKIP;
    }
    int failures = 0;
    for (int i = 0; i < devs.count; i++) {
        cnn_context *ctx = tu_context(devs.selector[i]);
        if (ctx == NULL) {
            failures++;
            continue;
        }
        for (int c = 0; c < count; c++) {
            failures += tu_run(cases[c].name, cases[c].fn, ctx);
        }
        tu_context_destroy(ctx);
    }
    tu_release_all_memory();
    printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}

/* ---- deterministic PRNG (splitmix64) ----------------------------------------------------- */

typedef struct tu_rng {
    uint64_t state;
} tu_rng;

/* A generator for one stream (e.g. one device or one test), derived from the run's seed. */
static inline tu_rng tu_rng_make(uint64_t stream)
{
    tu_rng r;
    r.state = tu_seed() ^ (stream * UINT64_C(0x9e3779b97f4a7c15));
    return r;
}

static inline uint64_t tu_next(tu_rng *r)
{
    uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static inline int64_t tu_range(tu_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(tu_next(r) % span);
}

/* 1 with probability percent / 100. */
static inline int tu_chance(tu_rng *r, int percent)
{
    return (int)(tu_next(r) % 100) < percent;
}

/* Uniform float in [lo, hi). */
static inline float tu_uniform(tu_rng *r, float lo, float hi)
{
    double u = (double)(tu_next(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(lo + (hi - lo) * u);
}

static inline void tu_fill_uniform(tu_rng *r, float *p, int64_t count, float lo, float hi)
{
    for (int64_t i = 0; i < count; i++) {
        p[i] = tu_uniform(r, lo, hi);
    }
}

/* ---- one-line problem descriptors (benchdnn style) --------------------------------------- */

/* "mb2g1ic8ih9iw7oc4kh3kw3sh1sw2ph1pw0dh1dw1 pads 1/1/0/0 act relu flip 0 bias 1"
 * (ph/pw are the top/left pads; dh/dw the dilation itself, 1 = none). */
static inline const char *tu_conv_desc(char *buf, size_t size, const int64_t in[4],
                                       const int64_t w[4], const cnn_conv2d_params *p,
                                       int has_bias)
{
    snprintf(buf, size,
             "mb%" PRId64 "g%" PRId64 "ic%" PRId64 "ih%" PRId64 "iw%" PRId64 "oc%" PRId64
             "kh%" PRId64 "kw%" PRId64 "sh%" PRId64 "sw%" PRId64 "ph%" PRId64 "pw%" PRId64
             "dh%" PRId64 "dw%" PRId64 " pads %" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64
             " act %s flip %d bias %d algo %d",
             in[0], p->groups, in[1], in[2], in[3], w[0], w[2], w[3], p->stride_h, p->stride_w,
             p->pad_top, p->pad_left, p->dilation_h, p->dilation_w, p->pad_top, p->pad_bottom,
             p->pad_left, p->pad_right, p->activation == CNN_ACTIVATION_RELU ? "relu" : "none",
             p->flip, has_bias, (int)p->algo);
    return buf;
}

/* "mb2ic8ih9iw7kh3kw3sh2sw2ph1pw1 avg ceil 1 cip 0 global 0" */
static inline const char *tu_pool_desc(char *buf, size_t size, const int64_t in[4],
                                       const cnn_pool2d_params *p)
{
    snprintf(buf, size,
             "mb%" PRId64 "ic%" PRId64 "ih%" PRId64 "iw%" PRId64 "kh%" PRId64 "kw%" PRId64
             "sh%" PRId64 "sw%" PRId64 "ph%" PRId64 "pw%" PRId64 " %s ceil %d cip %d global %d",
             in[0], in[1], in[2], in[3], p->kernel_h, p->kernel_w, p->stride_h, p->stride_w,
             p->pad_h, p->pad_w, p->mode == CNN_POOL_MAX ? "max" : "avg", p->ceil_mode,
             p->count_include_pad, p->global);
    return buf;
}

/* ---- the seed's worked example 1 (DIGEST.md) ----------------------------------------------- */

static const float tu_ex1_x[25] = {1, 2, 3, 4, 5, 2, 1, 0, 1, 2, 3, 0, 1, 1, 0,
                                   1, 4, 1, 1, 2, 2, 1, 1, 0, 0};
static const float tu_ex1_k[9] = {1, 0, 1, 1, 0, 1, 0, 1, 0};
static const float tu_ex1_y[9] = {6, 9, 11, 10, 4, 4, 7, 7, 4};

/* On ctx, one-shot, each against its values worked out by hand: the example's convolution;
 * again with a bias of -5 and ReLU; average pooling 2x2 stride 2 in ceil mode of its input;
 * bias + ReLU in place on the plain feature map. 0, or 1 after a failed check. */
static inline int tu_seed_ops(cnn_context *ctx)
{
    cnn_tensor *x = tu_tensor_from(ctx, 1, 1, 5, 5, tu_ex1_x);
    cnn_tensor *w = tu_tensor_from(ctx, 1, 1, 3, 3, tu_ex1_k);
    const float bias = -5;
    cnn_tensor *b = tu_tensor_from(ctx, 1, 1, 1, 1, &bias);
    const int64_t ys[4] = {1, 1, 3, 3}, ps[4] = {1, 1, 3, 3};
    cnn_tensor *y = tu_tensor_fill(ctx, ys, NAN), *py = tu_tensor_fill(ctx, ps, NAN);
    CHECK(x != NULL && w != NULL && b != NULL && y != NULL && py != NULL);
    cnn_conv2d_params plain = cnn_conv2d_params_default();
    CHECK_OK(cnn_conv2d(ctx, y, x, w, NULL, &plain));
    float *got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, tu_ex1_y, 9, ys, 0, 0);
    cnn_conv2d_params p = cnn_conv2d_params_default();
    p.activation = CNN_ACTIVATION_RELU;
    CHECK_OK(cnn_conv2d(ctx, y, x, w, b, &p));
    static const float want_relu[9] = {1, 4, 6, 5, 0, 0, 2, 2, 0};
    got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_relu, 9, ys, 0, 0);
    /* [[1.5, 2, 3.5], [2, 1, 1], [1.5, 0.5, 0]] */
    cnn_pool2d_params pp = cnn_pool2d_params_default();
    pp.mode = CNN_POOL_AVG;
    pp.ceil_mode = 1;
    CHECK_OK(cnn_pool2d(ctx, py, x, &pp));
    static const float want_pool[9] = {1.5f, 2, 3.5f, 2, 1, 1, 1.5f, 0.5f, 0};
    got = tu_read(py);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_pool, 9, ps, 1e-6, 0);
    CHECK_OK(cnn_conv2d(ctx, y, x, w, NULL, &plain));
    CHECK_OK(cnn_bias_act(ctx, y, y, b, CNN_ACTIVATION_RELU));
    got = tu_read(y);
    CHECK(got != NULL);
    CHECK_ARRAY(got, want_relu, 9, ys, 0, 0);
    return 0;
}

#endif /* CNNCL_TEST_UTIL_H */
