/* kernel/util/log.c — the kernel's own diagnostics: one timestamped line per call
 * on stderr, "[cudacell HH:MM:SS.mmm] level: message". The threshold comes
 * from CC_LOG_LEVEL (0 errors, 1 warnings — the default, 2 info, 3 debug).
 * Each line is formatted into a local buffer and written with one write(2),
 * so lines from different threads never interleave. Repeating warnings
 * (cc_log_warn_limited) print at most once a second per reason. */
#include "log.h"
#include "clock.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { CC_LOG_ERROR, CC_LOG_WARN, CC_LOG_INFO, CC_LOG_DEBUG };

/* Written once by cc_log_init before any thread starts; read-only after. */
static int cc_log_level = CC_LOG_WARN;

void cc_log_init(void)
{
    const char *v = getenv("CC_LOG_LEVEL");
    if (v && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end == '\0') {
            if (n < CC_LOG_ERROR) n = CC_LOG_ERROR;
            if (n > CC_LOG_DEBUG) n = CC_LOG_DEBUG;
            cc_log_level = (int)n;
        }
    }
}

static void cc_log_emit_tail(int level, const char *name, const char *tail, const char *fmt, va_list ap)
{
    if (level > cc_log_level)
        return;

    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);

    char line[2048];
    int n = snprintf(line, sizeof line, "[cudacell %02d:%02d:%02d.%03ld] %s: ",
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, name);
    if (n < 0)
        return;
    size_t used = (size_t)n;
    int m = vsnprintf(line + used, sizeof line - used, fmt, ap);
    if (m > 0)
        used += (size_t)m;
    if (used > sizeof line - 1)
        used = sizeof line - 1;          /* vsnprintf truncated */
    if (used > 0 && line[used - 1] == '\n')
        used--;                          /* callers may or may not add one */
    if (tail) {
        m = snprintf(line + used, sizeof line - used, "%s", tail);
        if (m > 0)
            used += (size_t)m;
    }
    if (used > sizeof line - 2) {        /* truncated: keep room for "\n" */
        used = sizeof line - 2;
        memcpy(line + used - 3, "...", 3);
    }
    line[used++] = '\n';

    const char *p = line;
    while (used > 0) {
        ssize_t w = write(STDERR_FILENO, p, used);
        if (w <= 0)
            break;
        p += w;
        used -= (size_t)w;
    }
}

#define CC_LOG_FN(fn, level, name)                  \
    void fn(const char *fmt, ...)                   \
    {                                               \
        va_list ap;                                 \
        va_start(ap, fmt);                          \
        cc_log_emit_tail(level, name, NULL, fmt, ap); \
        va_end(ap);                                 \
    }

CC_LOG_FN(cc_log_error, CC_LOG_ERROR, "error")
CC_LOG_FN(cc_log_warn, CC_LOG_WARN, "warning")
CC_LOG_FN(cc_log_info, CC_LOG_INFO, "info")
CC_LOG_FN(cc_log_debug, CC_LOG_DEBUG, "debug")

/* ---- rate-limited warnings ----------------------------------------------- */

#define CC_LOG_REASONS 32

typedef struct cc_log_reason {
    char text[64];           /* the reason, truncated; "" = free slot */
    long long last_ms;       /* when its last line was printed (cc_now_ms), 0: never */
    unsigned long suppressed;
} cc_log_reason;

static cc_log_reason cc_log_reasons[CC_LOG_REASONS + 1];   /* last: shared overflow */
static pthread_mutex_t cc_log_reasons_mu = PTHREAD_MUTEX_INITIALIZER;

static cc_log_reason *cc_log_reason_slot(const char *reason)
{
    for (int i = 0; i < CC_LOG_REASONS; i++) {
        cc_log_reason *r = &cc_log_reasons[i];
        if (r->text[0] == '\0') {
            snprintf(r->text, sizeof r->text, "%s", reason[0] ? reason : "?");
            return r;
        }
        if (strncmp(r->text, reason[0] ? reason : "?", sizeof r->text - 1) == 0)
            return r;
    }
    return &cc_log_reasons[CC_LOG_REASONS];
}

void cc_log_warn_limited(const char *reason, const char *fmt, ...)
{
    long long now = cc_now_ms();

    pthread_mutex_lock(&cc_log_reasons_mu);
    cc_log_reason *r = cc_log_reason_slot(reason ? reason : "");
    long long ms = now - r->last_ms;
    if (r->last_ms != 0 && ms < 1000) {
        r->suppressed++;
        pthread_mutex_unlock(&cc_log_reasons_mu);
        return;
    }
    unsigned long suppressed = r->suppressed;
    r->suppressed = 0;
    r->last_ms = now;
    pthread_mutex_unlock(&cc_log_reasons_mu);

    char tail[96] = "";
    if (suppressed) {
        struct timespec wall;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &wall);
        wall.tv_sec -= ms / 1000;            /* when the previous line was printed */
        localtime_r(&wall.tv_sec, &tm);
        snprintf(tail, sizeof tail, " (and %lu more like it since %02d:%02d:%02d)",
                 suppressed, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    va_list ap;
    va_start(ap, fmt);
    cc_log_emit_tail(CC_LOG_WARN, "warning", tail, fmt, ap);
    va_end(ap);
}
