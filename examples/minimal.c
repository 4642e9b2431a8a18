/* The smallest program that embeds cnncl: the seed's worked example 1 (a 5x5 input, a 3x3
 * kernel, stride 1, no padding) on the default device, printed as the 3x3 feature map
 *  6  9 11 / 10  4  4 / 7  7  4. Build: cc minimal.c -lcnncl -lOpenCL -lm (see the README). */
#include <cnncl.h>

#include <stdio.h>

int main(void)
{
    const float x[25] = {1, 2, 3, 4, 5, 2, 1, 0, 1, 2, 3, 0, 1, 1, 0, 1, 4, 1, 1, 2, 2, 1, 1, 0, 0};
    const float w[9] = {1, 0, 1, 1, 0, 1, 0, 1, 0};
    float y[9];
    char err[512];
    cnn_context *ctx = NULL;
    cnn_tensor *tx = NULL, *tw = NULL, *ty = NULL;
    /* NULL: $CNNCL_DEVICE, else the first GPU, else an OpenCL CPU, else the reference path. */
    cnn_status s = cnn_context_create(&ctx, NULL, err, sizeof err);
    if (s != CNN_SUCCESS) {
        fprintf(stderr, "no device: %s\n", err);
        return 1;
    }
    const cnn_conv2d_params p = cnn_conv2d_params_default(); /* stride 1, no padding */
    if ((s = cnn_tensor_create(&tx, ctx, 1, 1, 5, 5)) == CNN_SUCCESS &&
        (s = cnn_tensor_create(&tw, ctx, 1, 1, 3, 3)) == CNN_SUCCESS &&
        (s = cnn_tensor_create(&ty, ctx, 1, 1, 3, 3)) == CNN_SUCCESS &&
        (s = cnn_tensor_write(tx, x, 25)) == CNN_SUCCESS &&
        (s = cnn_tensor_write(tw, w, 9)) == CNN_SUCCESS &&
        (s = cnn_conv2d(ctx, ty, tx, tw, NULL, &p)) == CNN_SUCCESS &&
        (s = cnn_tensor_read(ty, y, 9)) == CNN_SUCCESS) {
        for (int i = 0; i < 9; i++)
            printf("%3.0f%s", y[i], i % 3 == 2 ? "\n" : " ");
    } else {
        fprintf(stderr, "cnncl: %s: %s\n", cnn_status_string(s), cnn_context_last_error(ctx));
    }
    cnn_tensor_destroy(tx);
    cnn_tensor_destroy(tw);
    cnn_tensor_destroy(ty);
    cnn_context_destroy(ctx);
    return s == CNN_SUCCESS ? 0 : 1;
}
