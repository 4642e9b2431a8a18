/* Peers by name; an implementation is compiled in only when its library was found. */
#include "peer_impl.h"

#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const peer_names[] = {"clblast", "onednn", "onednn-nchw", NULL};

const char *const *bench_peer_names(void) { return peer_names; }

int bench_peer_built_in(const char *name)
{
#ifdef CNNBENCH_HAVE_CLBLAST
    if (strcmp(name, "clblast") == 0)
        return 1;
#endif
#ifdef CNNBENCH_HAVE_ONEDNN
    if (strcmp(name, "onednn") == 0 || strcmp(name, "onednn-nchw") == 0)
        return 1;
#endif
    (void)name;
    return 0;
}

bench_peer *bench_peer_create(const char *name, cnn_context *ctx, char *err, size_t err_size)
{
    int known = 0;
    for (size_t i = 0; peer_names[i]; i++)
        known |= strcmp(name, peer_names[i]) == 0;
    if (!known) {
        bench_fail(err, err_size, "unknown peer '%s' (clblast, onednn, onednn-nchw)", name);
        return NULL;
    }
#ifdef CNNBENCH_HAVE_CLBLAST
    if (strcmp(name, "clblast") == 0)
        return bench_clblast_create(ctx, err, err_size);
#endif
#ifdef CNNBENCH_HAVE_ONEDNN
    if (strcmp(name, "onednn") == 0 || strcmp(name, "onednn-nchw") == 0)
        return bench_onednn_create(ctx, strcmp(name, "onednn-nchw") == 0, err, err_size);
#endif
    (void)ctx;
    bench_fail(err, err_size,
               "peer '%s' is not available: cnnbench was built without it (install %s and "
               "reconfigure)",
               name, strcmp(name, "clblast") == 0 ? "libclblast-dev" : "libdnnl-dev");
    return NULL;
}

const char *bench_peer_name(const bench_peer *peer) { return peer->vt->name; }

int bench_peer_run(bench_peer *peer, const bench_peer_layer *layer, bench_peer_result *r)
{
    memset(r, 0, sizeof *r);
    return peer->vt->run(peer, layer, r);
}

void bench_peer_destroy(bench_peer *peer)
{
    if (peer)
        peer->vt->destroy(peer);
}

int bench_peer_note(bench_peer_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note, sizeof r->note, fmt, ap);
    va_end(ap);
    return -1;
}
