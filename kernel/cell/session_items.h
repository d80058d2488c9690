/* kernel/cell/session_items.h — the records the session stores and code
 * generation reads and produces: one header item (cc_sitem), one committed
 * cell (cc_cellrec), the borrowed view of the session a plan is made from
 * (cg_view) and the part of a plan a commit takes over (cg_priv).
 * session.c owns the records and hands out the view; codegen.c reads it and
 * builds plans. session.c never calls codegen. Not used outside the cell
 * model. */
#ifndef CC_SESSION_ITEMS_H
#define CC_SESSION_ITEMS_H

#include <stdbool.h>
#include <stddef.h>

#include "cellitem.h"
#include "session.h"

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
    char *refname;   /* FUNC with C++ linkage: its name (keys[0] is "f(int)", one per overload) */
    bool cxx_link;   /* FUNC: C++ linkage (a C unit cannot call it) */
    char *sig;       /* FUNC of a C++ cell: "f(int)", its overload key (see codegen_cxx.c) */
    bool link_always;
    bool no_label;   /* FUNC: the user's extern "C" keeps its plain symbol *//* its object is linked into every later C++ unit (out-of-class definitions) */
    char *pre, *post; /* the macros its text was written under, when its cell changed them later
                       * (push_macro / the #define of its place … pop_macro; codegen_macros.c) */
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

void cc_sitem_clear(cc_sitem *it);

/* The session as it is, for planning: its items and cells, its type test
 * and its cancel. Borrowed until the next commit or reset. */
void cc_session_view(cc_session *s, cg_view *v);

#endif
