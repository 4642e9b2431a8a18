/* cnnfilter's pipeline stages: what the command line names, parsed into kernels and pooling
 * windows. A stage is NAME[:ARGS][,key=value...]:
 *   identity edge1 edge2 edge3 sharpen boxblur   the seed's filter table (3x3)
 *   kernel:ROWS | kernel:@FILE                   a custom kernel, rows split by ';', values by
 *                                                ',' ("0,-1,0;-1,5,-1;0,-1,0"), or read from a
 *                                                file (rows on lines, values by ',' or blanks)
 *   gaussian:SIGMA                               a normalized Gaussian, 2*ceil(3 sigma)+1 wide
 *   relu                                         max(x, 0)
 *   maxpool:K[:S] avgpool:K[:S]                  K x K windows, stride S (default K)
 *   conv:WEIGHTS.npy[:BIAS.npy]                  a learned layer: weights K x C/g x R x S
 *                                                (cross-correlation, as frameworks store them)
 * Filters apply per channel (depthwise) as the seed's flipped convolution G = F * X. Keys:
 *   stride=N            (filters and conv) the step of the kernel, default 1
 *   border=replicate|zero|none   (filters and conv) replicate the edge pixels (filters'
 *                       default: the output keeps the input's size), zeros (conv's default),
 *                       or no padding (the output shrinks by the kernel size - 1)
 *   groups=G            (conv) grouped convolution, default 1
 * No stage reads files at parse time except kernel:@FILE; conv's .npy files are read when
 * the pipeline is prepared (pipeline.c). */
#ifndef CNNFILTER_STAGES_H
#define CNNFILTER_STAGES_H

#include <stddef.h>
#include <stdint.h>

typedef enum cnnf_stage_kind {
    CNNF_STAGE_FILTER,   /* a per-channel kernel: the table, kernel:, gaussian: */
    CNNF_STAGE_RELU,
    CNNF_STAGE_MAXPOOL,
    CNNF_STAGE_AVGPOOL,
    CNNF_STAGE_CONV      /* weights (and bias) from .npy files */
} cnnf_stage_kind;

typedef enum cnnf_border {
    CNNF_BORDER_DEFAULT, /* replicate for filters, zero for conv */
    CNNF_BORDER_REPLICATE,
    CNNF_BORDER_ZERO,
    CNNF_BORDER_NONE
} cnnf_border;

#define CNNF_KERNEL_MAX 63 /* the largest filter side (gaussian:10 is 61 wide) */
#define CNNF_LABEL_MAX 64

typedef struct cnnf_stage {
    cnnf_stage_kind kind;
    char label[CNNF_LABEL_MAX];   /* the stage as written, for reports and the grid */
    /* CNNF_STAGE_FILTER: kh x kw values, row-major, as written (flipped when applied). */
    int kh, kw;
    float *kernel;
    /* pooling: window and stride */
    int pool_k, pool_s;
    /* CNNF_STAGE_CONV */
    char weights_path[512], bias_path[512];
    int groups;
    /* filters and conv */
    int stride;
    cnnf_border border;
} cnnf_stage;

/* Parse one stage. 0, or -1 with a one-line message naming the stage and what is wrong. */
int cnnf_stage_parse(const char *text, cnnf_stage *out, char *err, size_t err_size);
void cnnf_stage_free(cnnf_stage *stage);

/* Parse kernel text: rows split by ';' or newlines, values by ',' or blanks; every row the
 * same length, at most CNNF_KERNEL_MAX a side, finite numbers. *values is malloc'ed. */
int cnnf_kernel_parse(const char *text, float **values, int *kh, int *kw, char *err,
                      size_t err_size);

/* The seed's table by name (identity, edge1, edge2, edge3, sharpen, boxblur): 3x3 values into
 * out; 0, or -1 for another name. */
int cnnf_named_filter(const char *name, float out[9]);

#endif /* CNNFILTER_STAGES_H */
