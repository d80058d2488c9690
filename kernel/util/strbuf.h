/* kernel/util/strbuf.h — a growable, NUL-terminated string built with printf
 * formats. The caller owns b->s (free it); a zeroed cc_strbuf is empty. */
#ifndef CC_STRBUF_H
#define CC_STRBUF_H

#include <stddef.h>

typedef struct cc_strbuf {
    char *s;
    size_t len, cap;
} cc_strbuf;

/* Append formatted text. Aborts when memory runs out. */
void cc_strbuf_printf(cc_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
