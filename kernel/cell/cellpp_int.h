/* kernel/cell/cellpp_int.h — what cellpp.c (conditionals, probe, pop_macro)
 * and cellpp_expand.c (declarations made by macros) share and nobody else
 * uses: the directive scan and the lexical skips it is built on. */
#ifndef CC_CELLPP_INT_H
#define CC_CELLPP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "cellpp.h"

typedef struct pp_dir {
    size_t off, end;      /* '#' .. the newline that ends it (excluded) */
    char name[16];        /* "if", "define", "pragma", ... */
    int line;             /* 1-based line of the '#' */
} pp_dir;

typedef struct pp_dirs { pp_dir *v; size_t n, cap; } pp_dirs;

bool cc_pp_is_ident(int c);
size_t cc_pp_skip_cont(const char *s, size_t p);      /* past backslash-newlines at p */
size_t cc_pp_skip_literal(const char *s, size_t p);   /* a quote at p: past its closing quote */
size_t cc_pp_skip_block(const char *s, size_t p);     /* "/ *" at p: past its end */
void cc_pp_scan_dirs(const char *s, pp_dirs *d);      /* every directive of s, in order */

/* The identifier a #define/#undef directive names, into name[cap]. */
bool cc_pp_dir_name(const char *s, const pp_dir *x, char *name, size_t cap);

/* The top-level invocations in s (directives d) of function-like macros
 * whose replacement starts with a declaration (cellpp_expand.c), as ranges
 * from the macro's name to its closing parenthesis, in order. */
void cc_pp_find_decl_macros(const char *s, const pp_dirs *d, const cc_pp_opts *o, cc_pp_range **v, size_t *n);

#endif
