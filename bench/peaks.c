/* The device's measured peaks: an FMA-bound kernel and a copy kernel, timed with profiling
 * events, best of several runs; cached per device in $XDG_CACHE_HOME/cnncl/peaks.txt. */
#include "peaks.h"

#include "cnncl_opencl.h"
#include "fail.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* PEAK_CHAINS independent FMA chains of VEC-wide vectors per work-item: enough independent
 * work to hide the FMA latency (measured on this project's Zen CPU: 8 chains of float16 reach
 * 350 GFLOP/s, 16 chains 530, the same as hand-written AVX-512 with 16 chains).
 * x = x * a + b stays finite for |a| < 1. */
static const char peak_source[] =
    "#define V(n) float##n\n"
    "#define VT(n) V(n)\n"
    "typedef VT(VEC) vec;\n"
    "__kernel void peak_fma(__global float *out, const int iters, const float a, const float b)\n"
    "{\n"
    "    const float g = (float)get_global_id(0);\n"
    "    vec x0 = (vec)(g), x1 = x0 + 1.0f, x2 = x0 + 2.0f, x3 = x0 + 3.0f;\n"
    "    vec x4 = x0 + 4.0f, x5 = x0 + 5.0f, x6 = x0 + 6.0f, x7 = x0 + 7.0f;\n"
    "    vec y0 = x0 + 8.0f, y1 = x0 + 9.0f, y2 = x0 + 10.0f, y3 = x0 + 11.0f;\n"
    "    vec y4 = x0 + 12.0f, y5 = x0 + 13.0f, y6 = x0 + 14.0f, y7 = x0 + 15.0f;\n"
    "    for (int i = 0; i < iters; i++) {\n"
    "        x0 = mad(x0, a, b); x1 = mad(x1, a, b); x2 = mad(x2, a, b); x3 = mad(x3, a, b);\n"
    "        x4 = mad(x4, a, b); x5 = mad(x5, a, b); x6 = mad(x6, a, b); x7 = mad(x7, a, b);\n"
    "        y0 = mad(y0, a, b); y1 = mad(y1, a, b); y2 = mad(y2, a, b); y3 = mad(y3, a, b);\n"
    "        y4 = mad(y4, a, b); y5 = mad(y5, a, b); y6 = mad(y6, a, b); y7 = mad(y7, a, b);\n"
    "    }\n"
    "    vec s = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((y0 + y1) + (y2 + y3)) + ((y4 + y5) + (y6 + y7));\n"
    "#if VEC == 16\n"
    "    float r = dot(s.lo.lo, (float4)(1.0f)) + dot(s.lo.hi, (float4)(1.0f)) +\n"
    "              dot(s.hi.lo, (float4)(1.0f)) + dot(s.hi.hi, (float4)(1.0f));\n"
    "#else\n"
    "    float r = dot(s, (vec)(1.0f));\n"
    "#endif\n"
    "    out[get_global_id(0)] = r;\n"
    "}\n"
    "__kernel void peak_copy(__global const float4 *restrict in, __global float4 *restrict out)\n"
    "{\n"
    "    out[get_global_id(0)] = in[get_global_id(0)];\n"
    "}\n"
    "__kernel void peak_copy_chunk(__global const float16 *restrict in,\n"
    "                              __global float16 *restrict out, const int chunk)\n"
    "{\n"
    "    const size_t base = get_global_id(0) * (size_t)chunk;\n"
    "    for (int i = 0; i < chunk; i++)\n"
    "        out[base + i] = in[base + i];\n"
    "}\n";

#define PEAK_CHAINS 16
#define PEAK_RUNS 5

typedef struct cl_objects {
    cl_context context;
    cl_device_id device;
    cl_command_queue queue;
} cl_objects;

/* Enqueue, wait, and return the kernel's device time in ms (< 0 on error). */
static double timed_launch(const cl_objects *o, cl_kernel k, size_t global, size_t local)
{
    cl_event ev;
    if (clEnqueueNDRangeKernel(o->queue, k, 1, NULL, &global, local ? &local : NULL, 0, NULL,
                               &ev) != CL_SUCCESS)
        return -1.0;
    cl_ulong t0 = 0, t1 = 0;
    cl_int err = clWaitForEvents(1, &ev);
    if (err == CL_SUCCESS)
        err = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
    if (err == CL_SUCCESS)
        err = clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    clReleaseEvent(ev);
    return err == CL_SUCCESS ? (double)(t1 - t0) * 1e-6 : -1.0;
}

static cl_program build(const cl_objects *o, int vec, char *err, size_t err_size)
{
    const char *src = peak_source;
    cl_int e;
    cl_program p = clCreateProgramWithSource(o->context, 1, &src, NULL, &e);
    if (e != CL_SUCCESS) {
        bench_fail(err, err_size, "peaks: clCreateProgramWithSource failed (%d)", (int)e);
        return NULL;
    }
    char options[64];
    snprintf(options, sizeof options, "-cl-mad-enable -DVEC=%d", vec);
    if ((e = clBuildProgram(p, 1, &o->device, options, NULL, NULL)) != CL_SUCCESS) {
        bench_fail(err, err_size, "peaks: building the micro-kernels failed (%d)", (int)e);
        clReleaseProgram(p);
        return NULL;
    }
    return p;
}

/* GFLOP/s of the FMA kernel with vectors of vec floats; 0 on error. */
static double measure_fma(const cl_objects *o, const cnn_device_info *info, int vec,
                          size_t *global_out, char *err, size_t err_size)
{
    cl_program p = build(o, vec, err, err_size);
    if (!p)
        return 0.0;
    cl_int e;
    cl_kernel k = clCreateKernel(p, "peak_fma", &e);
    /* Enough work-items to fill every compute unit many times over. */
    const int gpu = info->type == CNN_DEVICE_GPU;
    size_t local = gpu ? 256 : 1;
    if (local > info->max_work_group_size)
        local = info->max_work_group_size;
    const size_t global = (size_t)(info->compute_units ? info->compute_units : 1) *
                          (gpu ? 2048u : 8u) * (16u / (size_t)vec);
    *global_out = global;
    cl_mem out = clCreateBuffer(o->context, CL_MEM_WRITE_ONLY, global * sizeof(float), NULL, &e);
    double best = 0.0;
    if (k && out) {
        cl_int iters = 64;
        const cl_float a = 0.999f, b = 0.001f;
        clSetKernelArg(k, 0, sizeof out, &out);
        clSetKernelArg(k, 2, sizeof a, &a);
        clSetKernelArg(k, 3, sizeof b, &b);
        /* Grow the loop until one launch takes at least 20 ms, then keep the best of a few. */
        double ms;
        for (;;) {
            clSetKernelArg(k, 1, sizeof iters, &iters);
            ms = timed_launch(o, k, global, local);
            if (ms < 0.0 || ms >= 20.0 || iters >= (1 << 24))
                break;
            iters *= ms < 2.0 ? 8 : 2;
        }
        const double flops = 2.0 * PEAK_CHAINS * vec * (double)iters * (double)global;
        for (int run = 0; run < PEAK_RUNS && ms > 0.0; run++) {
            if (flops / (ms * 1e6) > best)
                best = flops / (ms * 1e6);
            ms = timed_launch(o, k, global, local);
        }
        if (ms < 0.0) {
            bench_fail(err, err_size, "peaks: the FMA kernel failed to run");
            best = 0.0;
        }
    } else {
        bench_fail(err, err_size, "peaks: could not create the FMA kernel or its buffer");
    }
    if (out)
        clReleaseMemObject(out);
    if (k)
        clReleaseKernel(k);
    clReleaseProgram(p);
    return best;
}

/* GB/s of a copy (bytes read + written) over buffers much larger than caches, the better of
 * two shapes: one float4 per work-item (coalesced, for GPUs) and contiguous chunks of float16
 * per work-item (for CPUs, where PoCL runs each work-group as a loop); 0 on error. */
static double measure_copy(const cl_objects *o, const cnn_device_info *info, size_t *bytes_out,
                           char *err, size_t err_size)
{
    cl_program p = build(o, 4, err, err_size);
    if (!p)
        return 0.0;
    const int gpu = info->type == CNN_DEVICE_GPU;
    size_t bytes = gpu ? (size_t)1 << 30 : (size_t)128 << 20;
    while (bytes > info->max_alloc_bytes || 2 * bytes > info->global_mem_bytes / 2)
        bytes /= 2;
    *bytes_out = bytes;
    cl_int e;
    cl_kernel k4 = clCreateKernel(p, "peak_copy", &e);
    cl_kernel kc = clCreateKernel(p, "peak_copy_chunk", &e);
    cl_mem in = clCreateBuffer(o->context, CL_MEM_READ_ONLY, bytes, NULL, &e);
    cl_mem out = clCreateBuffer(o->context, CL_MEM_WRITE_ONLY, bytes, NULL, &e);
    double best = 0.0;
    if (k4 && kc && in && out) {
        /* Touch the input once so that first-use page faults are not timed. */
        const float zero = 0.0f;
        e = clEnqueueFillBuffer(o->queue, in, &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
        const cl_int chunk = 256; /* float16s per work-item: 16 KiB */
        clSetKernelArg(k4, 0, sizeof in, &in);
        clSetKernelArg(k4, 1, sizeof out, &out);
        clSetKernelArg(kc, 0, sizeof in, &in);
        clSetKernelArg(kc, 1, sizeof out, &out);
        clSetKernelArg(kc, 2, sizeof chunk, &chunk);
        size_t local = gpu ? 256 : 0; /* CPUs: let the driver choose */
        if (local > info->max_work_group_size)
            local = info->max_work_group_size;
        const size_t one = 1;
        for (int variant = 0; variant < 2 && e == CL_SUCCESS; variant++) {
            cl_kernel k = variant == 0 ? k4 : kc;
            const size_t global = variant == 0 ? bytes / 16 : bytes / (64 * (size_t)chunk);
            const size_t lsize = variant == 0 ? local : one;
            for (int run = 0; run < 2 * PEAK_RUNS + 1 && e == CL_SUCCESS; run++) {
                const double ms = timed_launch(o, k, global, lsize);
                if (ms <= 0.0) {
                    e = CL_INVALID_OPERATION;
                    break;
                }
                const double gbs = 2.0 * (double)bytes / (ms * 1e6);
                if (run > 0 && gbs > best) /* the first run warms the output pages */
                    best = gbs;
            }
        }
        if (e != CL_SUCCESS) {
            bench_fail(err, err_size, "peaks: a copy kernel failed to run");
            best = 0.0;
        }
    } else {
        bench_fail(err, err_size, "peaks: could not create the copy kernels or their %zu-byte "
                   "buffers", bytes);
    }
    if (in)
        clReleaseMemObject(in);
    if (out)
        clReleaseMemObject(out);
    if (k4)
        clReleaseKernel(k4);
    if (kc)
        clReleaseKernel(kc);
    clReleaseProgram(p);
    return best;
}

/* ---- the cache: one line per device, "key<TAB>gflops<TAB>gbs<TAB>how" ------------------ */

static int cache_path(char *dst, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(dir, sizeof dir, "%s", xdg);
    else if (home && home[0] == '/')
        n = snprintf(dir, sizeof dir, "%s/.cache", home);
    else
        return 0;
    if (n < 0 || (size_t)n >= sizeof dir)
        return 0;
    mkdir(dir, 0700);
    n = snprintf(dst, size, "%s/cnncl", dir);
    if (n < 0 || (size_t)n >= size || (mkdir(dst, 0700) != 0 && errno != EEXIST))
        return 0;
    n = snprintf(dst, size, "%s/cnncl/peaks.txt", dir);
    return n > 0 && (size_t)n < size;
}

static void device_key(const cnn_device_info *info, char *key, size_t size)
{
    snprintf(key, size, "%s|%s|%s", info->name, info->vendor, info->driver);
    for (char *c = key; *c; c++)
        if (*c == '\t' || *c == '\n')
            *c = ' ';
}

static int cache_read(const char *key, bench_peaks *peaks)
{
    char path[4200], line[1024];
    if (!cache_path(path, sizeof path))
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int found = 0;
    const size_t klen = strlen(key);
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0 || line[klen] != '\t')
            continue;
        char *end;
        double gf = strtod(line + klen + 1, &end);
        if (*end != '\t')
            continue;
        double gb = strtod(end + 1, &end);
        if (*end != '\t' || !(gf > 0.0) || !(gb > 0.0) || !isfinite(gf) || !isfinite(gb))
            continue;
        peaks->gflops = gf;
        peaks->gbs = gb;
        snprintf(peaks->how, sizeof peaks->how, "%s", end + 1);
        peaks->how[strcspn(peaks->how, "\n")] = '\0';
        found = 1;
    }
    fclose(f);
    return found;
}

/* Rewrite the file with this device's line replaced (temporary file + rename). */
static void cache_write(const char *key, const bench_peaks *peaks)
{
    char path[4200], tmp[4300], line[1024];
    if (!cache_path(path, sizeof path))
        return;
    snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        remove(tmp);
        return;
    }
    FILE *in = fopen(path, "r");
    const size_t klen = strlen(key);
    if (in) {
        while (fgets(line, sizeof line, in))
            if (!(strncmp(line, key, klen) == 0 && line[klen] == '\t'))
                fputs(line, out);
        fclose(in);
    }
    fprintf(out, "%s\t%.6g\t%.6g\t%s\n", key, peaks->gflops, peaks->gbs, peaks->how);
    if (fclose(out) != 0 || rename(tmp, path) != 0)
        remove(tmp);
}

int bench_peaks_get(cnn_context *ctx, int remeasure, bench_peaks *peaks, char *err,
                    size_t err_size)
{
    memset(peaks, 0, sizeof *peaks);
    cnn_device_info info;
    if (cnn_context_device(ctx, &info) != CNN_SUCCESS)
        return bench_fail(err, err_size, "peaks: no device information");
    cl_objects o;
    if (cnn_context_cl_objects(ctx, &o.context, &o.device, &o.queue) != CNN_SUCCESS)
        return bench_fail(err, err_size, "peaks: not measured on the %s device (no OpenCL)",
                          cnn_device_type_string(info.type));
    char key[700];
    device_key(&info, key, sizeof key);
    if (!remeasure && cache_read(key, peaks)) {
        peaks->from_cache = 1;
        return 0;
    }
    size_t global = 0, bytes = 0;
    /* The widest vectors suit CPUs (one float16 per AVX-512 register); GPUs run vectors as
     * scalars per lane, where float4 keeps register pressure low. Take the better. */
    double gf16 = measure_fma(&o, &info, 16, &global, err, err_size);
    size_t global4 = 0;
    double gf4 = measure_fma(&o, &info, 4, &global4, err, err_size);
    peaks->gflops = gf16 > gf4 ? gf16 : gf4;
    peaks->gbs = measure_copy(&o, &info, &bytes, err, err_size);
    if (!(peaks->gflops > 0.0) || !(peaks->gbs > 0.0))
        return -1;
    snprintf(peaks->how, sizeof peaks->how,
             "fma: %d chains of float%d x %zu items, best of %d; copy: 2 x %zu MiB, best shape",
             PEAK_CHAINS, gf16 > gf4 ? 16 : 4, gf16 > gf4 ? global : global4, PEAK_RUNS,
             bytes >> 20);
    cache_write(key, peaks);
    return 0;
}

double bench_roofline_pct(const bench_peaks *peaks, double flops, double bytes, double ms)
{
    if (!(peaks->gflops > 0.0) || !(peaks->gbs > 0.0) || !(ms > 0.0))
        return 0.0;
    const double t_compute = flops / (peaks->gflops * 1e6); /* ms */
    const double t_memory = bytes / (peaks->gbs * 1e6);
    const double floor_ms = t_compute > t_memory ? t_compute : t_memory;
    return 100.0 * floor_ms / ms;
}
