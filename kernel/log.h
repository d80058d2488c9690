/* kernel/log.h — diagnostics of the kernel process itself, written to stderr.
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

#endif
