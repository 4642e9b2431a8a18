/* Logging: the only process-wide state of the library. A caller-set callback, or stderr. */
#include "cnn_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cnn_log_fn log_fn;        /* NULL: the default stderr writer */
static void *log_user;
static atomic_int log_level = -1; /* -1: not set yet; read CNNCL_LOG on first use (threads may
                                    race to do it: they all read the same value) */

void cnn_log_set_callback(cnn_log_fn fn, void *user_data)
{
    log_fn = fn;
    log_user = user_data;
}

void cnn_log_set_level(cnn_log_level level) { log_level = (int)level; }

static int level_from_env(void)
{
    const char *e = getenv("CNNCL_LOG");
    if (!e || !*e) return CNN_LOG_WARN;
    if (cnn_contains_nocase(e, "debug")) return CNN_LOG_DEBUG;
    if (cnn_contains_nocase(e, "info")) return CNN_LOG_INFO;
    if (cnn_contains_nocase(e, "warn")) return CNN_LOG_WARN;
    if (cnn_contains_nocase(e, "error")) return CNN_LOG_ERROR;
    if (cnn_contains_nocase(e, "off")) return CNN_LOG_OFF;
    return CNN_LOG_WARN;
}

int cnn_log_enabled(cnn_log_level level)
{
    if (log_level < 0)
        log_level = level_from_env();
    return (int)level >= log_level && level != CNN_LOG_OFF;
}

static const char *level_name(cnn_log_level level)
{
    switch (level) {
    case CNN_LOG_DEBUG: return "debug";
    case CNN_LOG_INFO: return "info";
    case CNN_LOG_WARN: return "warn";
    case CNN_LOG_ERROR: return "error";
    default: return "log";
    }
}

void cnn_log(cnn_log_level level, const char *fmt, ...)
{
    if (!cnn_log_enabled(level))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_fn)
        log_fn(level, msg, log_user);
    else
        fprintf(stderr, "cnncl %s: %s\n", level_name(level), msg);
}
