/* cnnfilter's pipeline on the engine: the stages run in order on one context's device, on a
 * batch of images of one size (an N x C x H x W tensor), through the public C API only
 * (cnn_conv2d, cnn_pool2d, cnn_bias_act). Filters are depthwise convolutions (groups = C)
 * with the kernel flipped (params.flip = 1); a ReLU right after a filter or conv is fused into
 * it. Replicated borders are added on the host (the engine pads with zeros), between stages. */
#ifndef CNNFILTER_PIPELINE_H
#define CNNFILTER_PIPELINE_H

#include "image_io.h"
#include "stages.h"

#include <cnncl.h>

typedef struct cnnf_pipeline {
    const cnnf_stage *stages; /* borrowed */
    int count;
    /* CNNF_STAGE_CONV stages' weights (K x C/g x R x S) and bias (K or none), from .npy */
    float **conv_w, **conv_b;
    int64_t (*conv_shape)[4];
} cnnf_pipeline;

/* Load the conv stages' .npy files and check the channel counts along the pipeline for
 * images of in_channels channels. 0, or -1 with a message naming the stage. */
int cnnf_pipeline_prepare(cnnf_pipeline *pl, const cnnf_stage *stages, int count, int in_channels,
                          char *err, size_t err_size);
void cnnf_pipeline_free(cnnf_pipeline *pl);

/* Called after each stage (index 0..count-1) and for the input (index -1) with the first image
 * of the batch, for --grid. */
typedef void (*cnnf_capture_fn)(void *user, int stage, const cnnf_image *first);

/* Run the stages on n images of one shape on ctx; out[i] receives image i's result (its data
 * malloc'ed). stage_ms (count entries, or NULL) accumulates each stage's device time. 0, or -1
 * with a message naming the stage and the engine's last error; out is then empty. */
int cnnf_pipeline_run(const cnnf_pipeline *pl, cnn_context *ctx, const cnnf_image *in, int n,
                      cnnf_image *out, double *stage_ms, cnnf_capture_fn capture, void *user,
                      char *err, size_t err_size);

#endif /* CNNFILTER_PIPELINE_H */
