/* kernel/util/log.h — diagnostics of the kernel process itself, written to stderr.
 * Never used for user-visible output (that goes to the frontend as messages). */
#ifndef CC_LOG_H
#define CC_LOG_H

#include <stdarg.h>

/* CC_LOG_LEVEL env var: 0 errors only, 1 warnings (default), 2 info, 3 debug. */
void cc_log_init(void);
void cc_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cc_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cc_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cc_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A warning that can repeat very fast (one per dropped message): at most one
 * line per second for each `reason` (compared as a string; up to 32 distinct
 * ones, further reasons share one allowance). The next line printed for a
 * reason ends with how many were suppressed since the previous one, as
 * "(and N more like it since HH:MM:SS)". Thread-safe. */
void cc_log_warn_limited(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
