/* kernel/codegen.h — internal contract between session.c (the store of what
 * earlier cells declared) and codegen.c (turning a new cell plus that store
 * into one translation unit). Not used outside the cell model. */
#ifndef CC_CODEGEN_H
#define CC_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include "session.h"
#include "cellsplit.h"

/* What one session item is, and so how it appears in later headers. */
typedef enum cc_si_kind {
    CC_SI_INCLUDE,   /* #include line; key "#include <x.h>" */
    CC_SI_MACRO,     /* #define; key: the macro name */
    CC_SI_UNDEF,     /* (only in a commit) #undef: removes the macro */
    CC_SI_TYPE,      /* struct/union/enum/typedef text; keys: tag, typedef names, enumerators */
    CC_SI_FUNC,      /* host function: text is the prototype (no ';') */
    CC_SI_VAR,       /* host variable: text is "specifiers declarator" (no storage class) */
    CC_SI_KERNEL,    /* non-template __global__: text is the prototype */
    CC_SI_MATERIAL,  /* CUDA header material re-emitted in full: __device__ functions, templates, file-scope __shared__ */
    CC_SI_DEVVAR,    /* __device__/__constant__/__managed__ variable: see docs/HOW_IT_WORKS.md */
} cc_si_kind;

typedef struct cc_sitem {
    cc_si_kind kind;
    char **keys; size_t n_keys;   /* malloc'd; keys[0] is the display name */
    char *text;      /* header text as described per kind; malloc'd */
    char *decl;      /* declaration as shown to users; malloc'd */
    char *tdef;      /* DEVVAR: the declarator with the name replaced by __cc_t_<name>, spec included */
    char *soname;    /* object holding the definition; NULL for mere declarations and types */
    unsigned seq;    /* commit number of the cell that made it */
    bool weak;       /* prototype / extern / forward declaration: never replaces anything */
    bool cuda;       /* made by a CUDA cell */
    bool is_typedef; /* TYPE: declares typedef names (for the splitter's type test) */
} cc_sitem;

typedef struct cc_cellrec {
    char *soname;    /* malloc'd */
    unsigned seq;
    char *devlink;   /* symbol of the cell's device-variable linker, or NULL */
} cc_cellrec;

/* What cc_session_plan hands codegen: the session as it is. Borrowed. */
typedef struct cg_view {
    const cc_sitem *items; size_t n_items;
    const cc_cellrec *cells; size_t n_cells;
    cc_is_type_fn is_type; void *is_type_ctx;
    const cc_cancel *cancel;   /* may be NULL */
} cg_view;

/* What a plan carries to cc_session_commit (cc_plan.priv). */
typedef struct cg_priv {
    cc_sitem *items; size_t n_items;   /* the cell's new items (soname/seq unset) */
    char *devlink;                      /* NULL if the cell defines none */
    char *tail_expr;                    /* the trailing expression without ';', or NULL */
    size_t show_at, show_len;           /* the name of the macro that shows the trailing
                                         * expression, at source[show_at]; show_len 0: none */
    size_t show_close;                  /* source[show_close]: its closing "))" */
} cg_priv;

/* Build the plan: fills p->source, deps, has_main, has_run and p->priv
 * (a cg_priv). Returns 0, or -1 with *err malloc'd (user-facing). */
int cg_generate(const cg_view *v, const char *code, int first_line, cc_lang lang,
                cc_plan *p, char **err);

void cc_sitem_clear(cc_sitem *it);
void cg_priv_free(cg_priv *pv);

/* ---- shared by codegen.c and codegen_hdr.c only ---- */

/* nvcc gives kernels hidden visibility; later cells launch them through the
 * defining object's host stub, so kernels are made visible again. */
#define CG_VISIBLE "__attribute__((visibility(\"default\")))"

/* Host functions and variables defined by cells get the symbol name
 * "cudacell.<name>" (an asm label on their first declaration, here and in
 * later headers). A dlopen'd object looks symbols up in the global scope
 * first, where libc lives: without the label a cell's own `times`, `error`,
 * `index` or `send` would silently be libc's. The dot keeps the label apart
 * from every C identifier. Takes the name as its printf argument. */
#define CG_LABEL "__asm__(\"cudacell.%s\")"

typedef struct cg_buf { char *s; size_t len, cap; bool oom; } cg_buf;
/* text followed by the CG_LABEL of name, put before any trailing
 * __attribute__((…)) (gcc wants it there); none when name is NULL or text
 * already has an asm label of the user's. */
void cg_add_labeled(cg_buf *b, const char *text, const char *name);

/* Struct text whose last member is a flexible array (`T name[];` before
 * the closing brace). */
bool cg_text_has_flexible(const char *t);
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

/* The header part of a TU: every live item the cell may use, except those
 * the cell redefines (own_keys) and those mentioning a redefined type or
 * macro; device variables only when referenced (refs). Appends to out;
 * marks used[i] for emitted items. Items of CUDA cells that a C unit cannot
 * see and the cell mentions go to `hidden` (the cc_plan.c_hidden format).
 * Then the deps. */
void cg_header(const cg_view *v, cc_lang lang, const cg_ids *own_keys, const cg_ids *refs,
               cg_buf *out, bool *used, cg_buf *hidden);
int cg_deps(const cg_view *v, cc_lang lang, const bool *used, const cg_ids *refs, cc_plan *p);

#endif
