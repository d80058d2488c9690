/* kernel/cell/cellvalue.h — readable values for a cell's last expression
 * (internal to codegen.c; see cellvalue.c). */
#ifndef CC_CELLVALUE_H
#define CC_CELLVALUE_H

#include "cellsplit.h"
#include "codegen_buf.h"

/* Tokens [first, end) of a C expression whose value is a truth value: a
 * comparison or logical operator at its top level, `!x`, `true`, `false`. */
bool cv_is_boolean(const cc_cell *c, size_t first, size_t end);

/* Appends to out a formatter for every struct and union defined in the type
 * texts (session TYPE items, in order), for C (__CC_STRUCT_FNS) or C++
 * (__cc_fields overloads); nothing when there are none. is_type may be NULL. */
void cv_formatters(const char *const *texts, size_t n, bool cxx, cc_is_type_fn is_type,
                   void *ctx, cc_strbuf *out);

#endif
