/* kernel/util/xalloc.c — the abort-on-out-of-memory allocators of xalloc.h. */
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn void cc_oom(size_t n)
{
    char m[96];
    int k = snprintf(m, sizeof m, "cudacell: out of memory allocating %zu bytes\n", n);
    if (k > 0) {
        ssize_t w = write(STDERR_FILENO, m, (size_t)k < sizeof m ? (size_t)k : sizeof m - 1);
        (void)w;
    }
    abort();
}

void *cc_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        cc_oom(n);
    return p;
}

void *cc_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        cc_oom(n * size);
    return p;
}

void *cc_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        cc_oom(n);
    return q;
}

char *cc_xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        cc_oom(strlen(s) + 1);
    return d;
}

char *cc_xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d)
        cc_oom(n + 1);
    return d;
}

char *cc_xasprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        cc_oom(0);
    return s;
}

void *cc_xcheck(void *p)
{
    if (!p)
        cc_oom(0);
    return p;
}

void cc_set_error(char **err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
        cc_oom(0);
    va_end(ap);
}
