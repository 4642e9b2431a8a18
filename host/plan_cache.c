/* A small most-recently-used list of plans per context. Programs are shared between plans by
 * the backend, so evicting a plan is cheap to undo. */
#include "plan_cache.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

#define CNN_PLAN_CACHE_MAX 64

typedef struct plan_entry {
    struct plan_entry *next;
    cnn_plan_kind kind;
    size_t desc_size;
    void *plan;
    void (*free_fn)(void *);
    unsigned char desc[]; /* the descriptor bytes (zero-padded structs) */
} plan_entry;

struct cnn_plan_cache {
    plan_entry *head; /* most recently used first */
    int count;
};

void *cnn_plan_cache_find(cnn_context *ctx, cnn_plan_kind kind, const void *desc,
                          size_t desc_size)
{
    if (!ctx->plans)
        return NULL;
    plan_entry **link = &ctx->plans->head;
    for (plan_entry *e = *link; e; link = &e->next, e = e->next) {
        if (e->kind == kind && e->desc_size == desc_size && !memcmp(e->desc, desc, desc_size)) {
            *link = e->next; /* move to front */
            e->next = ctx->plans->head;
            ctx->plans->head = e;
            return e->plan;
        }
    }
    return NULL;
}

cnn_status cnn_plan_cache_insert(cnn_context *ctx, cnn_plan_kind kind, const void *desc,
                                 size_t desc_size, void *plan, void (*free_fn)(void *))
{
    if (!ctx->plans && !(ctx->plans = cnn_calloc(1, sizeof *ctx->plans)))
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "plan cache: out of host memory");
    plan_entry *e = cnn_malloc(sizeof *e + desc_size);
    if (!e)
        return cnn_error(ctx, CNN_ERROR_OUT_OF_MEMORY, "plan cache: out of host memory");
    e->kind = kind;
    e->desc_size = desc_size;
    e->plan = plan;
    e->free_fn = free_fn;
    memcpy(e->desc, desc, desc_size);
    e->next = ctx->plans->head;
    ctx->plans->head = e;
    if (++ctx->plans->count > CNN_PLAN_CACHE_MAX) {
        plan_entry **link = &ctx->plans->head;
        while ((*link)->next)
            link = &(*link)->next;
        plan_entry *last = *link;
        *link = NULL;
        last->free_fn(last->plan);
        free(last);
        ctx->plans->count--;
    }
    return CNN_SUCCESS;
}

void cnn_plan_cache_destroy(cnn_context *ctx)
{
    if (!ctx->plans)
        return;
    plan_entry *e = ctx->plans->head;
    while (e) {
        plan_entry *next = e->next;
        e->free_fn(e->plan);
        free(e);
        e = next;
    }
    free(ctx->plans);
    ctx->plans = NULL;
}
