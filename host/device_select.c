/* Device listing and the selector grammar of cnn_context_create. */
#include "cl_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cnn_device_type_string(cnn_device_type type)
{
    switch (type) {
    case CNN_DEVICE_REFERENCE: return "reference";
    case CNN_DEVICE_CPU: return "cpu";
    case CNN_DEVICE_GPU: return "gpu";
    case CNN_DEVICE_ACCELERATOR: return "accelerator";
    case CNN_DEVICE_OTHER: return "other";
    }
    return "unknown";
}

static void reference_info(cnn_device_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "cnncl reference (plain C loops)");
    snprintf(info->vendor, sizeof info->vendor, "cnncl");
    snprintf(info->driver, sizeof info->driver, "%s", cnn_version());
    snprintf(info->opencl_version, sizeof info->opencl_version, "none");
    snprintf(info->selector, sizeof info->selector, "ref");
    info->type = CNN_DEVICE_REFERENCE;
    info->platform_index = -1;
    info->device_index = -1;
    info->compute_units = 1;
}

cnn_status cnn_device_list(cnn_device_info *infos, size_t capacity, size_t *count)
{
    if (!count || (capacity > 0 && !infos))
        return CNN_ERROR_INVALID_ARGUMENT;
    cnn_cl_device_entry *entries = NULL;
    size_t n = 0;
    cnn_status s = cnn_cl_enumerate(&entries, &n);
    if (s != CNN_SUCCESS)
        return s;
    if (capacity > 0)
        reference_info(&infos[0]);
    for (size_t i = 0; i < n && i + 1 < capacity; i++)
        cnn_cl_device_info(entries[i].device, entries[i].platform_index,
                           entries[i].device_index, &infos[i + 1]);
    free(entries);
    *count = n + 1;
    return CNN_SUCCESS;
}

/* "P:D" with two non-negative decimal numbers. */
static int parse_index_pair(const char *sel, int *p, int *d)
{
    char *end;
    long a = strtol(sel, &end, 10);
    if (end == sel || *end != ':' || a < 0 || a > 1000000)
        return 0;
    const char *second = end + 1;
    long b = strtol(second, &end, 10);
    if (end == second || *end != '\0' || b < 0 || b > 1000000)
        return 0;
    *p = (int)a;
    *d = (int)b;
    return 1;
}

static cl_device_type cl_type_of(cl_device_id dev)
{
    cl_device_type t = 0;
    clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    return t;
}

/* Index of the entry the selector names, -1 for the reference, -2 for none. */
static int match_selector(const char *sel, const cnn_cl_device_entry *e, size_t n)
{
    if (!strcmp(sel, "ref") || !strcmp(sel, "reference"))
        return -1;
    if (!strcmp(sel, "auto")) {
        for (size_t i = 0; i < n; i++)
            if (cl_type_of(e[i].device) & CL_DEVICE_TYPE_GPU)
                return (int)i;
        for (size_t i = 0; i < n; i++)
            if (cl_type_of(e[i].device) & CL_DEVICE_TYPE_CPU)
                return (int)i;
        return n > 0 ? 0 : -1;
    }
    if (!strcmp(sel, "gpu") || !strcmp(sel, "cpu") || !strcmp(sel, "accelerator")) {
        cl_device_type want = !strcmp(sel, "gpu")   ? CL_DEVICE_TYPE_GPU
                              : !strcmp(sel, "cpu") ? CL_DEVICE_TYPE_CPU
                                                    : CL_DEVICE_TYPE_ACCELERATOR;
        for (size_t i = 0; i < n; i++)
            if (cl_type_of(e[i].device) & want)
                return (int)i;
        return -2;
    }
    int p, d;
    if (parse_index_pair(sel, &p, &d)) {
        for (size_t i = 0; i < n; i++)
            if (e[i].platform_index == p && e[i].device_index == d)
                return (int)i;
        return -2;
    }
    /* A name or vendor substring, in cnn_device_list() order: the reference first. */
    cnn_device_info info;
    reference_info(&info);
    if (cnn_contains_nocase(info.name, sel) || cnn_contains_nocase(info.vendor, sel))
        return -1;
    for (size_t i = 0; i < n; i++) {
        cnn_cl_device_info(e[i].device, e[i].platform_index, e[i].device_index, &info);
        if (cnn_contains_nocase(info.name, sel) || cnn_contains_nocase(info.vendor, sel))
            return (int)i;
    }
    return -2;
}

/* "no device matches 'gpu'; devices: ref (reference), 0:0 pthread-... (cpu)" */
static cnn_status not_found(cnn_context *ctx, const char *sel, const cnn_cl_device_entry *e,
                            size_t n)
{
    cnn_error(ctx, CNN_ERROR_DEVICE_NOT_FOUND, "no device matches '%s'; devices: ref (reference)",
              sel);
    for (size_t i = 0; i < n; i++) {
        cnn_device_info info;
        char line[400];
        cnn_cl_device_info(e[i].device, e[i].platform_index, e[i].device_index, &info);
        snprintf(line, sizeof line, ", %s %s (%s)", info.selector, info.name,
                 cnn_device_type_string(info.type));
        cnn_error_append(ctx, line);
    }
    if (n == 0)
        cnn_error_append(ctx, "; no OpenCL platform was found (is an ICD such as "
                              "pocl-opencl-icd installed?)");
    return CNN_ERROR_DEVICE_NOT_FOUND;
}

cnn_status cnn_context_create(cnn_context **out, const char *selector, char *errbuf,
                              size_t errbuf_size)
{
    if (!out) {
        cnn_copy_message(errbuf, errbuf_size, "cnn_context_create: ctx is NULL");
        return CNN_ERROR_INVALID_ARGUMENT;
    }
    *out = NULL;
    cnn_context *ctx = cnn_context_alloc();
    if (!ctx) {
        cnn_copy_message(errbuf, errbuf_size, "cnn_context_create: out of host memory");
        return CNN_ERROR_OUT_OF_MEMORY;
    }
    const char *sel = selector;
    if (!sel || !*sel)
        sel = getenv("CNNCL_DEVICE");
    if (!sel || !*sel)
        sel = "auto";

    cnn_cl_device_entry *entries = NULL;
    size_t n = 0;
    cnn_status s = cnn_cl_enumerate(&entries, &n);
    if (s != CNN_SUCCESS)
        return cnn_context_complete(out, ctx, s, errbuf, errbuf_size);

    int idx = match_selector(sel, entries, n);
    if (idx == -2) {
        s = not_found(ctx, sel, entries, n);
    } else if (idx == -1) {
        if (!strcmp(sel, "auto"))
            cnn_log(CNN_LOG_INFO, "no OpenCL device found: 'auto' uses the reference path");
        reference_info(&ctx->device);
        s = cnn_reference_backend_create(ctx, &ctx->backend);
    } else {
        cnn_cl_device_info(entries[idx].device, entries[idx].platform_index,
                           entries[idx].device_index, &ctx->device);
        s = cnn_cl_backend_create(ctx, entries[idx].device, &ctx->backend);
    }
    free(entries);
    return cnn_context_complete(out, ctx, s, errbuf, errbuf_size);
}
