/* cnnbench's command line: parsing and --help. */
#include "options.h"
#include "fail.h"
#include "cnncl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


/* A whole decimal number in [lo, hi]. */
static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s || !*s)
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*s - '0');
    }
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* "1,32,256" */
static int parse_batches(bench_options *o, const char *s, char *err, size_t err_size)
{
    o->batch_count = 0;
    while (1) {
        const char *comma = strchr(s, ',');
        const size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char item[32];
        int64_t v;
        if (len == 0 || len >= sizeof item)
            return bench_fail(err, err_size, "--batch: expected N or N,N,... (e.g. 1,32)");
        memcpy(item, s, len);
        item[len] = '\0';
        if (!parse_int(item, 1, INT64_C(2147483647), &v))
            return bench_fail(err, err_size, "--batch: '%s' is not a batch size >= 1", item);
        if (o->batch_count == BENCH_MAX_BATCHES)
            return bench_fail(err, err_size, "--batch: at most %d sizes", BENCH_MAX_BATCHES);
        o->batches[o->batch_count++] = v;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

/* "direct,igemm" or "all" into a mask of allowed algorithms (bit 1 << cnn_conv2d_algo). */
static int parse_algos(bench_options *o, const char *s, char *err, size_t err_size)
{
    o->algo_mask = 0;
    if (strcmp(s, "all") == 0)
        return 0;
    while (1) {
        const char *comma = strchr(s, ',');
        const size_t len = comma ? (size_t)(comma - s) : strlen(s);
        int found = 0;
        /* Every algorithm the library names (it says "unknown" past the last one). */
        for (int a = CNN_CONV2D_ALGO_DIRECT; a < 31; a++) {
            const char *name = cnn_conv2d_algo_string((cnn_conv2d_algo)a);
            if (strcmp(name, "unknown") == 0)
                break;
            if (strlen(name) == len && strncmp(name, s, len) == 0) {
                o->algo_mask |= 1u << a;
                found = 1;
            }
        }
        if (!found)
            return bench_fail(err, err_size,
                              "--algo: unknown algorithm '%.*s' (all, direct, igemm, gemm1x1, "
                              "depthwise, winograd)",
                              (int)len, s);
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

/* "--name value" or "--name=value": returns the value and advances *i, or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *matched)
{
    const size_t len = strlen(name);
    const char *arg = argv[*i];
    *matched = 0;
    if (strncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == '=') {
        *matched = 1;
        return arg + len + 1;
    }
    if (arg[len] != '\0')
        return NULL;
    *matched = 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int bench_options_parse(bench_options *o, int argc, char **argv, char *err, size_t err_size)
{
    memset(o, 0, sizeof *o);
    o->reps = BENCH_DEFAULT_REPS;
    o->warmup = BENCH_DEFAULT_WARMUP;
    o->verify = 1;
    o->seed = BENCH_DEFAULT_SEED;
    if (argc > 1) {
        o->layers = calloc((size_t)argc, sizeof *o->layers);
        if (!o->layers)
            return bench_fail(err, err_size, "out of memory");
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        int m;
        int64_t n;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            o->help = 1;
        } else if (strcmp(arg, "--version") == 0) {
            o->version = 1;
        } else if (strcmp(arg, "--list-devices") == 0) {
            o->list_devices = 1;
        } else if (strcmp(arg, "--list-suites") == 0) {
            o->list_suites = 1;
        } else if (strcmp(arg, "--no-verify") == 0) {
            o->verify = 0;
        } else if ((v = option_value(argc, argv, &i, "--device", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--device needs a selector (auto, gpu, cpu, ref, P:D "
                            "or a name)");
            o->device = v;
        } else if ((v = option_value(argc, argv, &i, "--suite-dir", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--suite-dir needs a directory");
            o->suite_dir = v;
        } else if ((v = option_value(argc, argv, &i, "--suite", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--suite needs a name (see --list-suites) or a file");
            o->suite = v;
        } else if ((v = option_value(argc, argv, &i, "--layer", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--layer needs a problem, e.g. "
                            "mb1ic64ih56oc64kh3ph1n\"res2a_branch2b\"");
            o->layers[o->layer_count++] = v;
        } else if ((v = option_value(argc, argv, &i, "--batch", &m)) || m) {
            if (!v)
                return bench_fail(err, err_size, "--batch needs N or N,N,...");
            if (parse_batches(o, v, err, err_size))
                return -1;
        } else if ((v = option_value(argc, argv, &i, "--reps", &m)) || m) {
            if (!parse_int(v, 1, 1000000, &n))
                return bench_fail(err, err_size, "--reps needs a number from 1 to 1000000");
            o->reps = (int)n;
        } else if ((v = option_value(argc, argv, &i, "--warmup", &m)) || m) {
            if (!parse_int(v, 0, 1000000, &n))
                return bench_fail(err, err_size, "--warmup needs a number from 0 to 1000000");
            o->warmup = (int)n;
        } else if ((v = option_value(argc, argv, &i, "--json", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--json needs a file name");
            o->json_path = v;
        } else if ((v = option_value(argc, argv, &i, "--csv", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--csv needs a file name");
            o->csv_path = v;
        } else if ((v = option_value(argc, argv, &i, "--plot", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--plot needs a file name (FILE.svg)");
            o->plot_path = v;
        } else if ((v = option_value(argc, argv, &i, "--vs-json", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--vs-json needs a file name");
            if (o->peer_count == sizeof o->peers / sizeof o->peers[0])
                return bench_fail(err, err_size, "--vs, --vs-json: at most %zu peers",
                                  sizeof o->peers / sizeof o->peers[0]);
            o->peer_files[o->peer_count] = v;
            o->peers[o->peer_count++] = "json";
        } else if ((v = option_value(argc, argv, &i, "--vs", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size,
                                  "--vs needs a peer library (clblast, onednn, onednn-nchw)");
            if (o->peer_count == sizeof o->peers / sizeof o->peers[0])
                return bench_fail(err, err_size, "--vs, --vs-json: at most %zu peers",
                                  sizeof o->peers / sizeof o->peers[0]);
            o->peers[o->peer_count++] = v;
        } else if ((v = option_value(argc, argv, &i, "--algo", &m)) || m) {
            if (!v || !*v)
                return bench_fail(err, err_size, "--algo needs a list (direct,...) or all");
            if (parse_algos(o, v, err, err_size))
                return -1;
        } else if ((v = option_value(argc, argv, &i, "--min-time", &m)) || m) {
            char *end = NULL;
            double sec = v ? strtod(v, &end) : -1.0;
            if (!v || end == v || *end != '\0' || !(sec >= 0.0 && sec <= 3600.0))
                return bench_fail(err, err_size, "--min-time needs seconds from 0 to 3600");
            o->min_time_ms = sec * 1000.0;
        } else if (strcmp(arg, "--remeasure-peaks") == 0) {
            o->remeasure_peaks = 1;
        } else if (strcmp(arg, "--first-call") == 0) {
            o->first_call = 1;
        } else if ((v = option_value(argc, argv, &i, "--kernels", &m)) || m) {
            if (!v || (strcmp(v, "auto") && strcmp(v, "cpu") && strcmp(v, "gpu")))
                return bench_fail(err, err_size, "--kernels needs auto, cpu or gpu");
            o->kernels = strcmp(v, "gpu") == 0 ? 2 : strcmp(v, "cpu") == 0 ? 1 : 0;
        } else if (strcmp(arg, "--find") == 0) {
            o->find = 1;
        } else if (strcmp(arg, "--tune") == 0) {
            o->tune = 1;
        } else if (strcmp(arg, "--epilogue-cost") == 0) {
            o->epilogue_cost = 1;
        } else if ((v = option_value(argc, argv, &i, "--seed", &m)) || m) {
            if (!parse_int(v, 0, INT64_MAX, &n))
                return bench_fail(err, err_size, "--seed needs a whole number");
            o->seed = (uint64_t)n;
        } else {
            return bench_fail(err, err_size, "unknown option '%s'", arg);
        }
    }
    return 0;
}

void bench_options_free(bench_options *o)
{
    if (!o)
        return;
    free(o->layers);
    o->layers = NULL;
    o->layer_count = 0;
}

const char *bench_options_suite(const bench_options *o)
{
    if (o->suite)
        return o->suite;
    return o->layer_count ? NULL : BENCH_DEFAULT_SUITE;
}

void bench_options_help(FILE *out, const char *argv0)
{
    fprintf(out,
"usage: %s [options]\n"
"\n"
"Runs convolution and pooling layers on one device with cnncl, times them, and verifies\n"
"every result against the library's CPU reference.\n"
"\n"
"Device:\n"
"  --device D        the library's selector: auto (first GPU, else OpenCL CPU, else ref),\n"
"                    gpu, cpu, ref (plain-loop reference), P:D (platform P, device D as\n"
"                    --list-devices shows), a name/vendor substring, or all (every device\n"
"                    in turn, then a side-by-side table).\n"
"                    Default: $CNNCL_DEVICE, else auto.\n"
"  --list-devices    list the devices and exit.\n"
"\n"
"What to run:\n"
"  --suite NAME      a suite of the suite directory (default %s when no --layer is\n"
"                    given), or the path of a suite file (NAME contains '/' or ends .txt).\n"
"  --list-suites     list the suites and exit.\n"
"  --suite-dir DIR   where suites are found. Default: $CNNCL_SUITE_DIR, else the source\n"
"                    tree's bench/suites.\n"
"  --layer SPEC      one problem in oneDNN benchdnn syntax; may be repeated; replaces the\n"
"                    default suite (with --suite too, the suite runs first). E.g.\n"
"                      --layer 'mb1ic64ih56oc64oh56kh3ph1n\"res2a_branch2b\"'\n"
"                      --layer '--pool --alg=max mb1ic64ih112oh56kh3sh2ph1'\n"
"                    Fields: mb g ic ih iw oc oh ow kh kw sh sw ph pw dh dw n\"name\".\n"
"                    Defaults: mb 1 (benchdnn: 2), g 1, stride 1, padding 0, dh/dw 0;\n"
"                    dilation is benchdnn's d-1 form (dh0 = dense); missing w-values copy\n"
"                    the h-values; a given oh/ow must match the computed size (without ph,\n"
"                    the padding is deduced from oh as benchdnn does). Pooling: --pool and\n"
"                    --alg=max|avg_p|avg_np (average with / without the padding).\n"
"  --batch N[,N...]  replace every problem's mb; several sizes run the list once each.\n"
"\n"
"Measuring:\n"
"  --reps N          timed executions per layer (default %d); the table gives the median,\n"
"                    min and max of the device time from OpenCL profiling events\n"
"                    (cnn_context_last_op_ms; on ref, the operation's wall time).\n"
"  --warmup N        untimed executions after the first one (default %d). The first\n"
"                    execution is reported apart (first ms), as is plan creation (plan ms).\n"
"  --min-time S      repeat each layer past --reps until S seconds of device time were\n"
"                    measured (default 0: exactly --reps).\n"
"  --algo LIST       convolution algorithms allowed, comma-separated, or all (default):\n"
"                    direct, igemm, gemm1x1, depthwise, winograd. The engine chooses\n"
"                    among them (one name: that algorithm; a layer it cannot serve\n"
"                    fails).\n"
"  --kernels F       the kernel family: auto (by device type, the default), gpu (the\n"
"                    GPU-shaped kernels, local-memory tiles, on any device) or cpu.\n"
"  --find            find mode: the library times every algorithm that serves a layer (among\n"
"                    --algo) and keeps the fastest, remembered in its disk cache.\n"
"  --tune            find mode with each algorithm's kernel parameters too (tile shapes), no\n"
"                    time budget: tunes every layer of the suite for this device; the\n"
"                    results serve every later plan of those shapes.\n"
"  --epilogue-cost   also time each convolution without its fused bias + ReLU: column\n"
"                    'epi %%' = how much the epilogue adds, in %% of that time.\n"
"  --first-call      also measure first-call latency (plan + first execution in a fresh\n"
"                    context) with an empty and with a warm program cache: cold/warm ms.\n"
"  --remeasure-peaks measure the device's peak FMA rate and copy bandwidth again instead\n"
"                    of using the cached figures ($XDG_CACHE_HOME/cnncl/peaks.txt).\n"
"  --no-verify       skip the check against the reference.\n"
"  --seed N          seed of the random data and of the sampled outputs (default %u).\n"
"\n"
,
            argv0, BENCH_DEFAULT_SUITE, BENCH_DEFAULT_REPS, BENCH_DEFAULT_WARMUP,
            (unsigned)BENCH_DEFAULT_SEED);
    /* In pieces: C11 only promises string literals of 4095 characters. */
    fputs(
"Peers (the same layers, the same run, side by side):\n"
"  --vs clblast      CLBlast's Sconvgemm on the same OpenCL device and buffers (convolution\n"
"                    only; Sconvgemm has no bias/ReLU, groups or asymmetric padding).\n"
"  --vs onednn       oneDNN's native CPU convolution with the same bias + ReLU fused, in\n"
"                    the layouts it prefers (blocked: nChw16c), reordered outside the timing.\n"
"  --vs onednn-nchw  the same with its input and output in NCHW, as cnncl's are.\n"
"                    Each is available when cnnbench was built with it (Debian\n"
"                    libclblast-dev, libdnnl-dev); otherwise the report says so.\n"
"  --vs-json FILE    timings measured elsewhere, in cnnbench's JSON schema: cnnbench's own\n"
"                    --json output, or bench/gpu/cudnn_baseline.py's (cuDNN on a GPU). Each\n"
"                    layer is matched to the file's convolution of the same shape; the\n"
"                    file's \"peer\" member names the column (e.g. 'vs cudnn').\n"
"                    Column 'vs NAME' = NAME's ms / cnncl's ms: above 1, cnncl is faster.\n"
"\n"
"Output files:\n"
"  --json FILE       every layer and the device as JSON (schema in the README).\n"
"  --csv FILE        the same columns as CSV.\n"
"  --plot FILE.svg   an SVG roofline (GFLOP/s against arithmetic intensity, with the\n"
"                    device's two ceilings) and a bar chart of % of roofline per layer.\n"
"\n"
,
          out);
    fputs(
"Roofline: cnnbench measures the device's peak fp32 FMA rate and copy bandwidth with its\n"
"own micro-kernels (once per device, then cached). %roof = max(FLOPs / peak, bytes /\n"
"bandwidth) / measured time: 100% is the device's limit for that layer.\n"
"\n"
"Every convolution runs with a bias and a fused ReLU. GFLOP/s counts direct-convolution\n"
"FLOPs, 2*N*K*OH*OW*(C/g)*R*S, whatever algorithm runs. GB/s counts the fewest bytes moved\n"
"(input, weights, bias and output once). Verification checks every output of small layers\n"
"(<= 200000 outputs) and, for larger ones, every border output of 8 (n,k) planes, one\n"
"output per channel and per image and 2000 random outputs, each within\n"
"|y - ref| <= 1e-5 * sum|x*w| + 1e-6 (winograd: + 2e-5 * max|x| * sum|w_k|).\n"
"\n"
"Environment:\n"
"  CNNCL_DEVICE      default device selector.\n"
"  CNNCL_SUITE_DIR   default suite directory.\n"
"  CNNCL_LOG         the library's log level (debug, info, warn, error, off).\n"
"  POCL_AFFINITY     cnnbench sets POCL_AFFINITY=1 before its first OpenCL call unless it\n"
"                    is already set (PoCL otherwise often runs both threads on one core);\n"
"                    the report says which.\n"
"\n"
"Exit status:\n"
"  0  every layer ran and verified (or ran, with --no-verify)\n"
"  1  a layer failed verification or could not run\n"
"  2  usage or setup error: bad option, unknown suite, bad suite line, no such device\n",
          out);
}
