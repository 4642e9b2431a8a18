/* cnnfilter: filter images on any OpenCL device with cnncl, a batch at a time.
 *
 *   cnnfilter -f edge2 photo.jpg -o edges.png
 *   cnnfilter -f gaussian:2 -f maxpool:2 --scale normalize shots/ -o small/
 *
 * Built only on the public C API (include/cnncl.h): it is also the example of how to embed the
 * library. Images are read and written here (image_io.c), stages parsed in stages.c, run on the
 * device in pipeline.c; this file is the command line, the batching and the reports. */
#define _POSIX_C_SOURCE 200809L
#include "grid.h"
#include "image_io.h"
#include "pipeline.h"
#include "stages.h"

#include <cnncl.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_STAGES 64

static const char usage_text[] =
    "usage: cnnfilter [options] -f STAGE... INPUT... -o OUTPUT\n"
    "\n"
    "Runs a pipeline of filters on images on an OpenCL device (cnncl), images of one size\n"
    "together as one batch. INPUT: image files (PNG, JPEG, BMP, PGM/PPM) or folders (their\n"
    "images, by name). OUTPUT: the PNG for one input, else a folder (made if missing) where\n"
    "each result is NAME.png.\n"
    "\n"
    "Stages (-f, in order; NAME[:ARGS][,key=value...]):\n"
    "  identity edge1 edge2 edge3 sharpen boxblur   the seed's filter table (3x3)\n"
    "  kernel:ROWS, kernel:@FILE   a custom kernel: kernel:\"0,-1,0;-1,5,-1;0,-1,0\"\n"
    "  gaussian:SIGMA              a normalized Gaussian, 2*ceil(3*SIGMA)+1 wide\n"
    "  relu                        max(x, 0)\n"
    "  maxpool:K[:S] avgpool:K[:S] K x K windows, stride S (default K): downscaling\n"
    "  conv:W.npy[:B.npy]          a learned layer: NumPy weights K x C/g x R x S (or K x C),\n"
    "                              bias K; cross-correlation, as frameworks store them\n"
    "  Filters work per channel as the seed's flipped convolution G = F * X.\n"
    "  Keys: stride=N; border=replicate|zero|none (filters: replicate, the size is kept;\n"
    "  conv: zero); groups=G (conv). kernel:ROWS takes no keys (its commas are values):\n"
    "  use --border and --stride before it.\n"
    "  --kernel TEXT|@FILE       the same as -f kernel:TEXT\n"
    "  --border B, --stride N    defaults for the filter stages given after them\n"
    "  --each             apply every stage to the input alone (a table of filters, not a\n"
    "                     pipeline): the results are NAME-STAGE.png, in a folder\n"
    "\n"
    "Output:\n"
    "  -o, --output PATH  the output file or folder\n"
    "  --scale MODE       clamp (round, clamp to 0..255; default), normalize (each image's\n"
    "                     min..max to 0..255) or abs (|x|, clamped: edge maps)\n"
    "  --alpha drop|keep  an alpha channel is dropped (default), or kept as a channel that\n"
    "                     the stages filter like the others\n"
    "  --force            replace existing outputs (never, without it)\n"
    "  --grid FILE.png    a contact sheet of the first image and every stage, labelled\n"
    "  --grid-cell N      its cells' size in pixels (default 256)\n"
    "\n"
    "Device and checks:\n"
    "  --device SEL       cnncl's selector: auto, gpu, cpu, ref, P:D, a name (default\n"
    "                     $CNNCL_DEVICE, else auto)\n"
    "  --batch N          at most N images per batch (default 8)\n"
    "  --verify           run the pipeline on the reference path too and report each image's\n"
    "                     largest difference (fails above 1e-4 * max|y| + 1e-3)\n"
    "  --time             the device time of each stage\n"
    "  -q, --quiet        no progress bar\n"
    "\n"
    "Exit status: 0 every image done; 1 an image failed (each is reported with its name; the\n"
    "others go on); 2 usage error.\n";

typedef struct options {
    cnnf_stage stages[MAX_STAGES];
    int stage_count;
    const char **inputs;
    int input_count;
    const char *output, *device, *grid;
    int grid_cell, batch, force, verify, timing, quiet;
    int each;                 /* --each: every stage on the input alone (a table of filters) */
    cnnf_scale scale;
    cnnf_alpha alpha;
} options;

/* One input image: its file, where its result goes, and its shape from the header. */
typedef struct job {
    char *path;
    char **out;          /* its result (or with --each, one per stage) */
    int c, h, w;
    int failed;
} job;

static int usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cnnfilter: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'cnnfilter --help'.\n");
    va_end(ap);
    return 2;
}

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->grid_cell = 256;
    o->batch = 8;
    o->inputs = calloc((size_t)argc, sizeof *o->inputs);
    if (!o->inputs)
        return usage_error("%s", "out of memory");
    cnnf_border border = CNNF_BORDER_DEFAULT;
    int stride = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int has_value = i + 1 < argc;
        char err[768];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (strcmp(a, "-f") == 0 || strcmp(a, "--filter") == 0 ||
                   strcmp(a, "--kernel") == 0) {
            if (!has_value)
                return usage_error("%s needs a value", a);
            if (o->stage_count == MAX_STAGES)
                return usage_error("more than %d stages", MAX_STAGES);
            char text[1024];
            snprintf(text, sizeof text, "%s%s", strcmp(a, "--kernel") == 0 ? "kernel:" : "",
                     argv[++i]);
            cnnf_stage *s = &o->stages[o->stage_count];
            if (cnnf_stage_parse(text, s, err, sizeof err))
                return usage_error("%s", err);
            if (s->kind == CNNF_STAGE_FILTER) {
                if (s->border == CNNF_BORDER_DEFAULT)
                    s->border = border;
                if (s->stride == 1)
                    s->stride = stride;
            }
            o->stage_count++;
        } else if (strcmp(a, "--border") == 0 && has_value) {
            const char *v = argv[++i];
            border = strcmp(v, "replicate") == 0 ? CNNF_BORDER_REPLICATE
                     : strcmp(v, "zero") == 0    ? CNNF_BORDER_ZERO
                     : strcmp(v, "none") == 0    ? CNNF_BORDER_NONE
                                                 : (cnnf_border)-1;
            if ((int)border < 0)
                return usage_error("--border %s: replicate, zero or none", v);
        } else if (strcmp(a, "--stride") == 0 && has_value) {
            stride = atoi(argv[++i]);
            if (stride < 1 || stride > 64)
                return usage_error("--stride %s: 1 to 64", argv[i]);
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && has_value) {
            o->output = argv[++i];
        } else if (strcmp(a, "--scale") == 0 && has_value) {
            const char *v = argv[++i];
            if (strcmp(v, "clamp") == 0)
                o->scale = CNNF_SCALE_CLAMP;
            else if (strcmp(v, "normalize") == 0)
                o->scale = CNNF_SCALE_NORMALIZE;
            else if (strcmp(v, "abs") == 0)
                o->scale = CNNF_SCALE_ABS;
            else
                return usage_error("--scale %s: clamp, normalize or abs", v);
        } else if (strcmp(a, "--alpha") == 0 && has_value) {
            const char *v = argv[++i];
            if (strcmp(v, "drop") && strcmp(v, "keep"))
                return usage_error("--alpha %s: drop or keep", v);
            o->alpha = strcmp(v, "keep") == 0 ? CNNF_ALPHA_KEEP : CNNF_ALPHA_DROP;
        } else if (strcmp(a, "--force") == 0) {
            o->force = 1;
        } else if (strcmp(a, "--each") == 0) {
            o->each = 1;
        } else if (strcmp(a, "--grid") == 0 && has_value) {
            o->grid = argv[++i];
        } else if (strcmp(a, "--grid-cell") == 0 && has_value) {
            o->grid_cell = atoi(argv[++i]);
            if (o->grid_cell < 16 || o->grid_cell > 2048)
                return usage_error("--grid-cell %s: 16 to 2048", argv[i]);
        } else if (strcmp(a, "--device") == 0 && has_value) {
            o->device = argv[++i];
        } else if (strcmp(a, "--batch") == 0 && has_value) {
            o->batch = atoi(argv[++i]);
            if (o->batch < 1 || o->batch > 1024)
                return usage_error("--batch %s: 1 to 1024", argv[i]);
        } else if (strcmp(a, "--verify") == 0) {
            o->verify = 1;
        } else if (strcmp(a, "--time") == 0) {
            o->timing = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option, or an option without its value: %s", a);
        } else {
            o->inputs[o->input_count++] = a;
        }
    }
    if (o->stage_count == 0)
        return usage_error("%s", "no stage: give at least one -f STAGE (e.g. -f sharpen)");
    if (o->input_count == 0)
        return usage_error("%s", "no input image or folder");
    if (!o->output)
        return usage_error("%s", "no output: -o FILE.png (one input) or -o FOLDER");
    return 0;
}

static int has_image_extension(const char *name)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".pnm"};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof ext / sizeof ext[0]; i++)
        if (strcasecmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    const size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    return p;
}

/* The input paths: files as given, folders' image files by name. */
static int collect_inputs(const options *o, char ***paths, int *count)
{
    int cap = 64, n = 0;
    char **list = malloc(sizeof *list * (size_t)cap);
    if (!list)
        return -1;
    for (int i = 0; i < o->input_count; i++) {
        struct stat st;
        const int is_dir = stat(o->inputs[i], &st) == 0 && S_ISDIR(st.st_mode);
        int first = n;
        if (is_dir) {
            DIR *d = opendir(o->inputs[i]);
            if (!d) {
                fprintf(stderr, "cnnfilter: %s: %s\n", o->inputs[i], strerror(errno));
                continue;
            }
            for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.' || !has_image_extension(e->d_name))
                    continue;
                if (n == cap) {
                    char **grown = realloc(list, sizeof *list * (size_t)(cap *= 2));
                    if (!grown) {
                        closedir(d);
                        return -1;
                    }
                    list = grown;
                }
                if (!(list[n++] = join(o->inputs[i], e->d_name))) {
                    closedir(d);
                    return -1;
                }
            }
            closedir(d);
            qsort(list + first, (size_t)(n - first), sizeof *list, compare_names);
        } else {
            if (n == cap) {
                char **grown = realloc(list, sizeof *list * (size_t)(cap *= 2));
                if (!grown)
                    return -1;
                list = grown;
            }
            const size_t len = strlen(o->inputs[i]) + 1;
            if (!(list[n] = malloc(len)))
                return -1;
            memcpy(list[n++], o->inputs[i], len);
        }
    }
    *paths = list;
    *count = n;
    return 0;
}

/* NAME.png in dir for input path; with a stage label, NAME-LABEL.png (the label's characters
 * other than letters, digits, '.', '-' and '_' as '_'). */
static char *output_for(const char *dir, const char *path, const char *stage)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[1024];
    snprintf(name, sizeof name, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot)
        *dot = '\0';
    if (stage) {
        size_t n = strlen(name);
        if (n + 1 < sizeof name)
            name[n++] = '-';
        for (const char *c = stage; *c && n + 5 < sizeof name; c++)
            name[n++] = isalnum((unsigned char)*c) || *c == '.' || *c == '-' || *c == '_' ? *c
                                                                                         : '_';
        name[n] = '\0';
    }
    strncat(name, ".png", sizeof name - strlen(name) - 1);
    return join(dir, name);
}

static char *strdup_or_null(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int compare_jobs(const void *a, const void *b)
{
    const job *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    if (x->c != y->c)
        return x->c < y->c ? -1 : 1;
    return 0;
}

static void progress(const options *o, int done, int total, const char *name)
{
    if (o->quiet)
        return;
    const int width = 30, fill = total ? done * width / total : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    const int tty = isatty(STDERR_FILENO);
    fprintf(stderr, "%s[%s] %d/%d %-40.40s%s", tty ? "\r" : "", bar, done, total, name,
            tty ? "" : "\n");
    if (tty && done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* --grid: the first image at the input and after each stage, as 8-bit pictures. */
typedef struct grid_capture {
    const options *o;
    cnnf_image8 cells[MAX_STAGES + 1];
    char labels[MAX_STAGES + 1][CNNF_LABEL_MAX + 16];
    int count;
    int done;
} grid_capture;

static void capture_stage(void *user, int stage, const cnnf_image *first)
{
    grid_capture *g = user;
    if (g->done || g->count > MAX_STAGES)
        return;
    cnnf_image shown = *first;
    /* The grid draws gray or RGB: alpha, kept as a channel, is left out. */
    if (shown.c == 2 || shown.c == 4)
        shown.c--;
    unsigned char *pixels;
    int w, h, c;
    char err[256];
    const cnnf_scale scale = stage < 0 ? CNNF_SCALE_CLAMP : g->o->scale;
    if (cnnf_render(&shown, scale, &pixels, &w, &h, &c, err, sizeof err)) {
        fprintf(stderr, "cnnfilter: --grid: %s\n", err);
        return;
    }
    cnnf_image8 *cell = &g->cells[g->count];
    cell->width = w;
    cell->height = h;
    cell->channels = c;
    cell->pixels = pixels;
    if (stage < 0)
        snprintf(g->labels[g->count], sizeof g->labels[0], "input %dx%d", first->w, first->h);
    else
        snprintf(g->labels[g->count], sizeof g->labels[0], "%d. %s", stage + 1,
                 g->o->stages[stage].label);
    g->count++;
}

static int write_grid(const options *o, grid_capture *g)
{
    const char *labels[MAX_STAGES + 1];
    for (int i = 0; i < g->count; i++)
        labels[i] = g->labels[i];
    cnnf_image8 sheet;
    char err[512];
    int rc = cnnf_grid_compose(g->cells, labels, g->count, 0, o->grid_cell, &sheet, err,
                               sizeof err);
    if (rc == 0) {
        rc = cnnf_png_write(o->grid, sheet.pixels, sheet.width, sheet.height, sheet.channels,
                            o->force, err, sizeof err);
        cnnf_image8_free(&sheet);
    }
    if (rc)
        fprintf(stderr, "cnnfilter: --grid: %s\n", err);
    else if (!o->quiet)
        fprintf(stderr, "cnnfilter: contact sheet of %d stages in %s\n", g->count - 1, o->grid);
    return rc;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* --verify: the largest |device - reference| of an image, against the bound. */
static int compare(const cnnf_image *got, const cnnf_image *ref, double *max_err, double *max_ref)
{
    const size_t n = (size_t)got->c * (size_t)got->h * (size_t)got->w;
    *max_err = 0.0;
    *max_ref = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)got->data[i] - ref->data[i]);
        *max_err = d > *max_err || isnan(d) ? d : *max_err;
        *max_ref = fabs(ref->data[i]) > *max_ref ? fabs(ref->data[i]) : *max_ref;
    }
    return *max_err <= 1e-4 * *max_ref + 1e-3;
}

static void free_options(options *o)
{
    for (int k = 0; k < o->stage_count; k++)
        cnnf_stage_free(&o->stages[k]);
    free(o->inputs);
}

static void free_jobs(job *jobs, int n, int branches)
{
    for (int k = 0; jobs && k < n; k++) {
        for (int b = 0; jobs[k].out && b < branches; b++)
            free(jobs[k].out[b]);
        free(jobs[k].out);
    }
    free(jobs);
}

/* Everything after the options; the exit status. */
static int run(const options *opts);

int main(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == 0)
        rc = run(&o);
    free_options(&o);
    return rc;
}

static int run(const options *opts)
{
    const options o = *opts;
    char **paths = NULL;
    int n_paths = 0;
    job *jobs = NULL;
    cnn_context *ctx = NULL, *ref = NULL;
    cnnf_image *in = NULL, *out = NULL, *check = NULL;
    job **members = NULL;
    int code = 2;
    const int branches = o.each ? o.stage_count : 1;
    if (collect_inputs(&o, &paths, &n_paths)) {
        fprintf(stderr, "cnnfilter: out of memory\n");
        goto done;
    }
    if (n_paths == 0) {
        fprintf(stderr, "cnnfilter: no image files among the inputs\n");
        code = 1;
        goto done;
    }
    /* One input and an output that is not a folder: the output is the file. */
    struct stat st;
    const int out_is_dir = (stat(o.output, &st) == 0 && S_ISDIR(st.st_mode)) ||
                           o.output[strlen(o.output) - 1] == '/' || n_paths > 1 ||
                           o.input_count > 1 || o.each;
    if (out_is_dir && mkdir(o.output, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cnnfilter: %s: %s\n", o.output, strerror(errno));
        goto done;
    }
    jobs = calloc((size_t)n_paths, sizeof *jobs);
    if (!jobs)
        goto done;
    int failures = 0, done_count = 0;
    for (int i = 0; i < n_paths; i++) {
        jobs[i].path = paths[i];
        jobs[i].out = calloc((size_t)branches, sizeof *jobs[i].out);
        if (!jobs[i].out)
            goto done;
        for (int k = 0; k < branches; k++) {
            jobs[i].out[k] = out_is_dir ? output_for(o.output, paths[i],
                                                     o.each ? o.stages[k].label : NULL)
                                        : strdup_or_null(o.output);
            if (!jobs[i].out[k])
                goto done;
        }
        /* The header tells the size, for batching; a file it refuses is loaded alone, which
         * reports why. */
        cnnf_image_info(paths[i], o.alpha, &jobs[i].c, &jobs[i].h, &jobs[i].w, NULL, 0);
        for (int j = 0; j < i && out_is_dir && !jobs[i].failed; j++) {
            if (strcmp(jobs[j].out[0], jobs[i].out[0]) == 0) {
                fprintf(stderr, "cnnfilter: %s: its output %s is also %s's; skipped\n",
                        paths[i], jobs[i].out[0], paths[j]);
                jobs[i].failed = 1;
            }
        }
        for (int k = 0; k < branches && !jobs[i].failed && !o.force; k++) {
            if (stat(jobs[i].out[k], &st) == 0) {
                fprintf(stderr, "cnnfilter: %s: %s exists (--force replaces it)\n", paths[i],
                        jobs[i].out[k]);
                jobs[i].failed = 1;
            }
        }
        failures += jobs[i].failed;
        done_count += jobs[i].failed;
    }
    qsort(jobs, (size_t)n_paths, sizeof *jobs, compare_jobs);

    char err[1024] = "";
    cnn_status s = cnn_context_create(&ctx, o.device, err, sizeof err);
    if (s == CNN_SUCCESS && o.verify)
        s = cnn_context_create(&ref, "ref", err, sizeof err);
    if (s != CNN_SUCCESS) {
        fprintf(stderr, "cnnfilter: no device: %s: %s\n", cnn_status_string(s), err);
        goto done;
    }
    cnn_device_info info;
    cnn_context_device(ctx, &info);
    if (!o.quiet)
        fprintf(stderr, "cnnfilter: %d image(s) on %s (%s), %d stage(s)\n", n_paths, info.name,
                cnn_device_type_string(info.type), o.stage_count);

    double stage_ms[MAX_STAGES] = {0}, wall0 = now_ms();
    double worst_err = 0.0;
    int verify_failed = 0, images_done = 0, batches = 0;
    cnnf_pipeline pipelines[MAX_STAGES];
    int pipeline_channels[MAX_STAGES];
    memset(pipelines, 0, sizeof pipelines);
    for (int k = 0; k < MAX_STAGES; k++)
        pipeline_channels[k] = -1;
    grid_capture grid;
    memset(&grid, 0, sizeof grid);
    grid.o = &o;
    in = calloc((size_t)o.batch, sizeof *in);
    out = calloc((size_t)o.batch, sizeof *out);
    check = calloc((size_t)o.batch, sizeof *check);
    members = calloc((size_t)o.batch, sizeof *members);
    if (!in || !out || !check || !members)
        goto done;
    for (int i = 0; i < n_paths;) {
        /* The next batch: images of one shape, up to --batch (unknown shapes alone). */
        int n = 0, j = i;
        for (; j < n_paths && n < o.batch; j++) {
            if (jobs[j].failed) {
                continue;
            }
            if (n > 0 && (compare_jobs(&jobs[j], members[0]) != 0 || jobs[j].w == 0))
                break;
            char why[1024];
            if (cnnf_image_load(jobs[j].path, o.alpha, &in[n], why, sizeof why)) {
                fprintf(stderr, "\ncnnfilter: %s\n", why);
                jobs[j].failed = 1;
                failures++;
                done_count++;
                continue;
            }
            members[n++] = &jobs[j];
            if (jobs[j].w == 0) {
                j++;
                break;
            }
        }
        i = j;
        if (n == 0)
            continue;
        batches++;
        /* The pipeline, or with --each each stage alone; the grid gets the first batch. */
        const int want_grid = o.grid && !grid.done;
        int failed[1024] = {0};
        if (want_grid && o.each)
            capture_stage(&grid, -1, &in[0]);
        for (int k = 0; k < branches; k++) {
            const int first = o.each ? k : 0, count = o.each ? 1 : o.stage_count;
            /* Prepared once per branch and channel count (conv stages read their .npy). */
            cnnf_pipeline *pl = &pipelines[k];
            int rc = 0;
            if (pipeline_channels[k] != in[0].c) {
                cnnf_pipeline_free(pl);
                pipeline_channels[k] = -1;
                rc = cnnf_pipeline_prepare(pl, o.stages + first, count, in[0].c, err,
                                           sizeof err);
                if (rc == 0)
                    pipeline_channels[k] = in[0].c;
            }
            if (rc == 0)
                rc = cnnf_pipeline_run(pl, ctx, in, n, out, o.timing ? stage_ms + first : NULL,
                                       want_grid && !o.each ? capture_stage : NULL, &grid, err,
                                       sizeof err);
            if (rc == 0 && want_grid && o.each)
                capture_stage(&grid, k, &out[0]);
            if (rc == 0 && ref)
                rc = cnnf_pipeline_run(pl, ref, in, n, check, NULL, NULL, NULL, err,
                                       sizeof err);
            for (int b = 0; b < n; b++) {
                job *jb = members[b];
                if (rc != 0) {
                    fprintf(stderr, "\ncnnfilter: %s: %s\n", jb->path, err);
                    failed[b] = 1;
                    continue;
                }
                if (ref) {
                    double e, m;
                    const int ok = compare(&out[b], &check[b], &e, &m);
                    printf("%s%s%s: max |device - reference| %.3g (max |y| %.3g)%s\n", jb->path,
                           o.each ? " " : "", o.each ? o.stages[k].label : "", e, m,
                           ok ? "" : "  FAILED");
                    verify_failed += !ok;
                    worst_err = e > worst_err ? e : worst_err;
                }
                char why[1024];
                if (cnnf_image_save_png(jb->out[k], &out[b], o.scale, o.force, why,
                                        sizeof why)) {
                    fprintf(stderr, "\ncnnfilter: %s: %s\n", jb->path, why);
                    failed[b] = 1;
                }
                cnnf_image_free(&out[b]);
                cnnf_image_free(&check[b]);
            }
        }
        if (want_grid)
            grid.done = 1;
        for (int b = 0; b < n; b++) {
            done_count++;
            members[b]->failed = failed[b];
            failures += failed[b];
            images_done += !failed[b];
            progress(&o, done_count, n_paths, members[b]->path);
            cnnf_image_free(&in[b]);
        }
    }
    if (o.grid && grid.done && write_grid(&o, &grid))
        failures++;
    for (int g = 0; g < grid.count; g++)
        cnnf_image8_free(&grid.cells[g]);
    if (o.timing) {
        printf("stage                         device ms   per image\n");
        for (int k = 0; k < o.stage_count; k++) {
            const cnnf_stage_kind before = k > 0 ? o.stages[k - 1].kind : CNNF_STAGE_RELU;
            if (o.stages[k].kind == CNNF_STAGE_RELU && !o.each && !o.grid &&
                (before == CNNF_STAGE_FILTER || before == CNNF_STAGE_CONV))
                printf("%-28.28s      fused into the stage above\n", o.stages[k].label);
            else
                printf("%-28.28s %10.3f %11.4f\n", o.stages[k].label, stage_ms[k],
                       images_done ? stage_ms[k] / images_done : 0.0);
        }
        printf("wall %.1f ms for %d image(s), reading and writing included\n",
               now_ms() - wall0, images_done);
    }
    if (o.verify)
        printf("verify: %d image(s), largest difference %.3g, %d above the bound\n",
               images_done, worst_err, verify_failed);
    if (!o.quiet)
        fprintf(stderr, "cnnfilter: %d of %d image(s) written to %s, %d batch(es)%s\n",
                images_done, n_paths, o.output, batches,
                failures ? "; see the errors above" : "");
    code = failures || verify_failed ? 1 : 0;
    for (int k = 0; k < branches; k++)
        cnnf_pipeline_free(&pipelines[k]);
done:
    free(in);
    free(out);
    free(check);
    free(members);
    free_jobs(jobs, n_paths, branches);
    for (int k = 0; paths && k < n_paths; k++)
        free(paths[k]);
    free(paths);
    cnn_context_destroy(ref);
    cnn_context_destroy(ctx);
    return code;
}
