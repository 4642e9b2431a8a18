/* The plans that one-shot calls (cnn_conv2d, cnn_pool2d) make, kept per context and keyed by
 * their validated descriptor. */
#ifndef CNNCL_PLAN_CACHE_H
#define CNNCL_PLAN_CACHE_H

#include "cnn_internal.h"

typedef enum cnn_plan_kind { CNN_PLAN_CONV2D, CNN_PLAN_POOL2D } cnn_plan_kind;

/* The cached plan for this descriptor, or NULL. */
void *cnn_plan_cache_find(cnn_context *ctx, cnn_plan_kind kind, const void *desc,
                          size_t desc_size);
/* Keep plan under desc; free_fn releases it when evicted or when the context goes. On failure
 * the caller still owns plan. */
cnn_status cnn_plan_cache_insert(cnn_context *ctx, cnn_plan_kind kind, const void *desc,
                                 size_t desc_size, void *plan, void (*free_fn)(void *));

#endif /* CNNCL_PLAN_CACHE_H */
