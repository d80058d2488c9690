/* kernel/cell/codegen_buf.h — the identifier set (cg_ids) of code generation and
 * the value formatters (cellvalue.c); they write text with cc_strbuf
 * (strbuf.h). The lowest layer of codegen: it calls nothing of the cell
 * model. */
#ifndef CC_CODEGEN_BUF_H
#define CC_CODEGEN_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

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
