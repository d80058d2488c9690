/* kernel/cell/cellhint.h — a plain-words explanation for a C cell that failed to
 * compile because of the cell model or the language (see cellhint.c). */
#ifndef CC_CELLHINT_H
#define CC_CELLHINT_H

/* code: the cell as compiled; diag: the compiler's output; hidden: the
 * plan's c_hidden (may be NULL). Returns a malloc'd message (one paragraph
 * per finding, each starting on its own line), or NULL when none applies. */
char *cc_cell_hint(const char *code, const char *diag, const char *hidden);

/* For a cell of a CUDA C++ session: C written in it that C++ refuses (a
 * `void *` from malloc assigned without a cast), or a function no cell has
 * defined (as for C cells: the link failed). malloc'd paragraph, or NULL. */
char *cc_cxx_hint(const char *diag);

#endif
