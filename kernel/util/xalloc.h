/* kernel/util/xalloc.h — the kernel's one allocation policy: allocation
 * never fails for the caller. On out-of-memory these print one line to
 * stderr and abort (as Redis's zmalloc does), so no caller carries an
 * "oom" flag or a -1 path whose only cause is a failed malloc. */
#ifndef CC_XALLOC_H
#define CC_XALLOC_H

#include <stddef.h>

void *cc_xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *cc_xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *cc_xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *cc_xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *cc_xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
char *cc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), malloc, returns_nonnull));

/* p itself, or the out-of-memory abort when p is NULL: for allocations made
 * by other libraries (json_dumps, realpath after ENOMEM...). */
void *cc_xcheck(void *p) __attribute__((returns_nonnull));

/* The kernel's one error setter (the other half of the error policy:
 * failures other than out-of-memory return -1 with a message): a malloc'd
 * formatted message into *err, which the caller frees; nothing when err is
 * NULL. Aborts on out-of-memory like the functions above. */
void cc_set_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the one-line message and abort. */
_Noreturn void cc_oom(size_t n);

#endif
