/* kernel/util/strbuf.h — a growable, NUL-terminated string built with printf
 * formats: the kernel's one growable string (code generation writes with it
 * too). The caller owns b->s (free it); a zeroed cc_strbuf is empty. */
#ifndef CC_STRBUF_H
#define CC_STRBUF_H

#include <stddef.h>

typedef struct cc_strbuf {
    char *s;
    size_t len, cap;
} cc_strbuf;

/* Append text (n bytes of s / all of s / formatted); b->s stays
 * NUL-terminated. Abort when memory runs out (kernel/util/xalloc.h). */
void cc_strbuf_addn(cc_strbuf *b, const char *s, size_t n);
void cc_strbuf_add(cc_strbuf *b, const char *s);
void cc_strbuf_printf(cc_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
