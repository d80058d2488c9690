/* kernel/cell/codegen_buf.h — the growable text buffer (cg_buf) and identifier
 * set (cg_ids) that code generation and the value formatters (cellvalue.c)
 * write with. The lowest layer of codegen: it calls nothing of the cell
 * model. A buffer that failed to grow sets oom and ignores further text. */
#ifndef CC_CODEGEN_BUF_H
#define CC_CODEGEN_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cg_buf { char *s; size_t len, cap; bool oom; } cg_buf;
void cg_add(cg_buf *b, const char *s);
void cg_addn(cg_buf *b, const char *s, size_t n);
void cg_addf(cg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A set of identifiers (owned copies). */
typedef struct cg_ids { char **v; size_t cap, n; } cg_ids;
void cg_ids_add(cg_ids *s, const char *p, size_t len);
bool cg_ids_has(const cg_ids *s, const char *p, size_t len);
void cg_ids_scan(cg_ids *s, const char *text);   /* every identifier outside literals/comments */
bool cg_text_mentions(const char *text, const cg_ids *s);
void cg_ids_free(cg_ids *s);
/* Calls fn for each identifier of text that is outside comments and
 * literals; stops when fn returns true (and returns true). */
bool cg_ids_each(const char *text, bool (*fn)(void *ctx, const char *p, size_t len), void *ctx);

#endif
