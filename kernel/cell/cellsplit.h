/* kernel/cell/cellsplit.h — splitting the text of a C or CUDA cell into top-level
 * items: preprocessor lines, type definitions, function definitions,
 * declarations (variables and prototypes), statements.
 *
 * The text is tokenized once (celltok.h); the items and the helpers over
 * them are in cellitem.h; what each declaration declares is filled in by
 * celldecl.c. The splitter never fails on odd code: it only refuses text
 * whose comments, literals or brackets do not close, with a message the user
 * can act on. Pure: no I/O, no globals. */
#ifndef CC_CELLSPLIT_H
#define CC_CELLSPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "cellitem.h"
#include "celltok.h"

/* Split src into items. is_type may be NULL. Returns 0, or -1 with *err. */
int cc_cell_split(const char *src, cc_is_type_fn is_type, void *ctx, cc_cell *out, char **err);
int cc_cell_split_cancel(const char *src, cc_is_type_fn is_type, void *ctx, const cc_cancel *cancel,
                         cc_cell *out, char **err);

#endif
