#define _POSIX_C_SOURCE 200809L
#include "cl_program.h"
#include "cl_fault.h"

#include "disk_cache.h"
#include "hash.h"
#include "kernel_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cnn_cl_program_entry {
    cnn_cl_program_entry *next;
    char *source_name;
    char *options;
    cl_program program;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cnn_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

cnn_status cnn_cl_programs_init(cnn_cl_programs *ps, cl_context context, cl_device_id device)
{
    memset(ps, 0, sizeof *ps);
    ps->context = context;
    ps->device = device;
    cl_platform_id platform = NULL;
    clGetDeviceInfo(device, CL_DEVICE_PLATFORM, sizeof platform, &platform, NULL);
    /* Whole strings, however long: two devices whose names differ only past some length must
     * not share binaries. */
    char *parts[5] = {
        cnn_cl_info_string(device, NULL, CL_DEVICE_NAME),
        cnn_cl_info_string(device, NULL, CL_DEVICE_VENDOR),
        cnn_cl_info_string(device, NULL, CL_DRIVER_VERSION),
        cnn_cl_info_string(device, NULL, CL_DEVICE_VERSION),
        platform ? cnn_cl_info_string(NULL, platform, CL_PLATFORM_VERSION) : NULL,
    };
    size_t size = 1;
    for (int i = 0; i < 5; i++)
        size += (parts[i] ? strlen(parts[i]) : 1) + 1;
    ps->device_key = cnn_malloc(size);
    if (ps->device_key) {
        size_t at = 0;
        for (int i = 0; i < 5; i++)
            at += (size_t)snprintf(ps->device_key + at, size - at, "%s%s", i ? "|" : "",
                                   parts[i] ? parts[i] : "?");
    }
    for (int i = 0; i < 5; i++)
        free(parts[i]);
    return ps->device_key ? CNN_SUCCESS : CNN_ERROR_OUT_OF_MEMORY;
}

void cnn_cl_programs_release(cnn_cl_programs *ps)
{
    cnn_cl_program_entry *e = ps->head;
    while (e) {
        cnn_cl_program_entry *next = e->next;
        cnn_cl_release_program(e->program);
        free(e->source_name);
        free(e->options);
        free(e);
        e = next;
    }
    ps->head = NULL;
    free(ps->device_key);
    ps->device_key = NULL;
}

/* The source text: from $CNNCL_KERNEL_DIR/<name> during development, else the embedded copy.
 * *text is malloc'ed and NUL-terminated. */
static cnn_status load_source(cnn_context *ctx, const char *name, char **text, size_t *len)
{
    const char *dir = getenv("CNNCL_KERNEL_DIR");
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f)
            return cnn_error(ctx, CNN_ERROR_BUILD_FAILED,
                             "cannot open kernel source %s (CNNCL_KERNEL_DIR is set)", path);
        size_t cap = 1 << 16, n = 0;
        char *buf = cnn_malloc(cap);
        while (buf) {
            n += fread(buf + n, 1, cap - n - 1, f);
            if (n < cap - 1)
                break;
            char *grown = cnn_realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        int read_error = ferror(f);
        fclose(f);
        if (!buf)
            return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "reading %s: out of memory", path);
        if (read_error) {
            free(buf);
            return cnn_error(ctx, CNN_ERROR_BUILD_FAILED, "error reading kernel source %s", path);
        }
        buf[n] = '\0';
        *text = buf;
        *len = n;
        return CNN_SUCCESS;
    }
    for (size_t i = 0; i < cnn_kernel_source_count; i++) {
        if (strcmp(cnn_kernel_sources[i].name, name) != 0)
            continue;
        char *buf = cnn_malloc(cnn_kernel_sources[i].size + 1);
        if (!buf)
            return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "kernel source: out of memory");
        memcpy(buf, cnn_kernel_sources[i].data, cnn_kernel_sources[i].size);
        buf[cnn_kernel_sources[i].size] = '\0';
        *text = buf;
        *len = cnn_kernel_sources[i].size;
        return CNN_SUCCESS;
    }
    return cnn_error(ctx, CNN_ERROR_INTERNAL, "kernel source %s is not embedded", name);
}

static void append_build_log(cnn_context *ctx, cl_program program, cl_device_id device)
{
    size_t size = 0;
    if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) !=
            CL_SUCCESS ||
        size == 0)
        return;
    char *log = cnn_malloc(size + 1);
    if (!log)
        return;
    if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log, NULL) ==
        CL_SUCCESS) {
        log[size] = '\0';
        cnn_error_append(ctx, "\nbuild log:\n");
        cnn_error_append(ctx, log);
    }
    free(log);
}

/* Build from a cached binary; NULL when there is none or it does not load. */
static cl_program build_from_cache(cnn_cl_programs *ps, const char *key)
{
    unsigned char *bin = NULL;
    size_t size = 0;
    if (!cnn_disk_cache_load(key, &bin, &size))
        return NULL;
    cl_int status = CL_SUCCESS, err = CL_SUCCESS;
    const unsigned char *bins[1] = {bin};
    cl_program p =
        cnn_cl_create_program_with_binary(ps->context, 1, &ps->device, &size, bins, &status, &err);
    free(bin);
    if (err != CL_SUCCESS || status != CL_SUCCESS || !p) {
        if (p)
            cnn_cl_release_program(p);
        return NULL;
    }
    if (cnn_cl_build_program(p, 1, &ps->device, NULL) != CL_SUCCESS) {
        cnn_cl_release_program(p);
        return NULL;
    }
    return p;
}

static void store_in_cache(cnn_cl_programs *ps, cl_program p, const char *key)
{
    size_t size = 0;
    if (!cnn_disk_cache_enabled())
        return;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return;
    unsigned char *bin = cnn_malloc(size);
    if (!bin)
        return;
    unsigned char *bins[1] = {bin};
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS)
        cnn_disk_cache_store(key, bin, size);
    (void)ps;
    free(bin);
}

/* Prepended to every kernel source: the vector accesses and permutes the kernels share. */
#define KERNEL_PRELUDE "vector_access.clh"

static cnn_status build(cnn_cl_programs *ps, cnn_context *ctx, const char *source_name,
                        const char *options, cl_program *out)
{
    char *prelude = NULL, *text = NULL;
    size_t prelude_len = 0, len = 0;
    cnn_status s = load_source(ctx, KERNEL_PRELUDE, &prelude, &prelude_len);
    if (s == CNN_SUCCESS)
        s = load_source(ctx, source_name, &text, &len);
    if (s != CNN_SUCCESS) {
        free(prelude);
        return s;
    }
    /* The key names everything that changes the binary: library version, sources, options,
     * device and driver. */
    size_t key_size = strlen(ps->device_key) + strlen(options) + strlen(source_name) + 128;
    char *key = cnn_malloc(key_size);
    if (!key) {
        free(prelude);
        free(text);
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "program key: out of memory");
    }
    const uint64_t digest =
        cnn_fnv1a64(cnn_fnv1a64(CNN_FNV_OFFSET, prelude, prelude_len), text, len);
    snprintf(key, key_size, "cnncl %s|%s|%016llx|%s|%s", cnn_version(), source_name,
             (unsigned long long)digest, options, ps->device_key);

    double t0 = now_ms();
    cl_program p = build_from_cache(ps, key);
    if (p) {
        cnn_log(CNN_LOG_DEBUG, "program %s [%s] loaded from the disk cache in %.1f ms",
                source_name, options, now_ms() - t0);
    } else {
        cl_int err;
        const char *srcs[2] = {prelude, text};
        const size_t lens[2] = {prelude_len, len};
        p = cnn_cl_create_program_with_source(ps->context, 2, srcs, lens, &err);
        if (err != CL_SUCCESS) {
            s = CNN_CL_FAIL(ctx, "clCreateProgramWithSource", err);
        } else if ((err = cnn_cl_build_program(p, 1, &ps->device, options)) !=
                   CL_SUCCESS) {
            s = cnn_error(ctx, CNN_ERROR_BUILD_FAILED, "building %s with options '%s' failed: %s",
                          source_name, options, cnn_cl_error_name(err));
            append_build_log(ctx, p, ps->device);
            cnn_cl_release_program(p);
            p = NULL;
        } else {
            cnn_log(CNN_LOG_DEBUG, "program %s [%s] built in %.1f ms", source_name, options,
                    now_ms() - t0);
            store_in_cache(ps, p, key);
        }
    }
    free(key);
    free(prelude);
    free(text);
    if (s == CNN_SUCCESS)
        *out = p;
    return s;
}

static cnn_status program_get(cnn_cl_programs *ps, cnn_context *ctx, const char *source_name,
                              const char *options, cl_program *program)
{
    for (cnn_cl_program_entry *e = ps->head; e; e = e->next)
        if (!strcmp(e->source_name, source_name) && !strcmp(e->options, options)) {
            *program = e->program;
            return CNN_SUCCESS;
        }
    cnn_cl_program_entry *e = cnn_calloc(1, sizeof *e);
    if (!e || !(e->source_name = dup_string(source_name)) || !(e->options = dup_string(options))) {
        if (e)
            free(e->source_name);
        free(e);
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "program cache: out of memory");
    }
    cnn_status s = build(ps, ctx, source_name, options, &e->program);
    if (s != CNN_SUCCESS) {
        free(e->source_name);
        free(e->options);
        free(e);
        return s;
    }
    e->next = ps->head;
    ps->head = e;
    *program = e->program;
    return CNN_SUCCESS;
}

cnn_status cnn_cl_program_get(cnn_cl_programs *ps, cnn_context *ctx, const char *source_name,
                              const char *options, cl_program *program)
{
    if (!ps->arg_info)
        return program_get(ps, ctx, source_name, options, program);
    /* Kernel argument qualifiers are reported only for programs built with this flag (PoCL
     * keeps them in the binaries it gives back, so without it only a cached binary had them). */
    static const char flag[] = " -cl-kernel-arg-info";
    char *with = cnn_malloc(strlen(options) + sizeof flag);
    if (!with)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "program options: out of memory");
    memcpy(with, options, strlen(options));
    memcpy(with + strlen(options), flag, sizeof flag);
    cnn_status s = program_get(ps, ctx, source_name, with, program);
    free(with);
    return s;
}

cnn_status cnn_cl_kernel_create(cnn_cl_programs *ps, cnn_context *ctx, const char *source_name,
                                const char *options, const char *kernel_name, cl_kernel *kernel)
{
    cl_program program;
    cnn_status s = cnn_cl_program_get(ps, ctx, source_name, options, &program);
    if (s != CNN_SUCCESS)
        return s;
    cl_int err;
    *kernel = cnn_cl_create_kernel(program, kernel_name, &err);
    if (err != CL_SUCCESS)
        return CNN_CL_FAIL(ctx, "clCreateKernel", err);
    return CNN_SUCCESS;
}
