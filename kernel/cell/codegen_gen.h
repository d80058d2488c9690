/* kernel/cell/codegen_gen.h — the state of one code generation (cg_gen) and the
 * steps the codegen*.c files share: codegen_items.c writes preprocessor
 * lines, types and functions and holds the cell-text helpers,
 * codegen_decl.c writes declarations and statements, codegen.c drives them
 * over the items and assembles the unit. Internal to codegen*.c. */
#ifndef CC_CODEGEN_GEN_H
#define CC_CODEGEN_GEN_H

#include "codegen.h"

#define CG_NONE ((size_t)-1)

typedef struct cg_gen {
    const cg_view *v;
    cc_cell cell;
    const char *code;
    int first_line;
    cc_lang lang;
    bool cxx;
    cc_strbuf file;            /* the cell's file-scope declarations */
    cc_strbuf run;             /* the body of the entry function */
    cc_strbuf glue;            /* accessors of device variables defined here */
    cg_priv *pv;
    cg_ids own;             /* keys the cell defines */
    cg_ids defs;            /* functions/variables defined here: get an asm label */
    bool has_main, has_run;
    int main_args;          /* 0, 2 or 3 */
    bool main_void;
    bool shows;             /* the last expression's value is shown */
    size_t show_off;        /* where in `run` the show macro's name starts */
    size_t show_len;        /* its length (0: no show) */
    size_t show_close;      /* where in `run` its closing "))" starts */
    cg_ids replay;          /* macros whose directives are replayed in the entry (see cg_plan_replay) */
    struct cg_mstate *ms;   /* those macros as they stand at the item being generated (codegen_macros.c) */
    size_t n_ms;
    size_t *ms_diff, n_ms_diff;   /* the ones that stand otherwise than at the cell's end */
    signed char any_asm;    /* the cell holds an asm token: 1 yes, -1 no, 0 not looked yet (cg_user_label) */
} cg_gen;

/* ---- codegen_items.c: cell text, new session items, preprocessor lines,
 * types, functions ---- */
int cg_nb_line(const cg_gen *g, size_t tok);
/* #line marker plus the blanks that put token `tok` at its own column. */
void cg_add_pos(const cg_gen *g, cc_strbuf *b, size_t tok);
void cg_add_slice(const cg_gen *g, cc_strbuf *b, size_t first, size_t end);
char *cg_slice_dup(const cg_gen *g, size_t first, size_t end);
cc_sitem *cg_new_item(cg_gen *g, cc_si_kind kind, bool weak);
void cg_item_key(cg_gen *g, cc_sitem *it, const char *key);
/* The user's own asm label on a declarator of `name` in this cell
 * (`__asm__("sym")`, malloc'd), or NULL. Such a name keeps the user's symbol. */
char *cg_user_label(cg_gen *g, const char *name);
/* The macro replay of the entry (see codegen_items.c): planned before the
 * items, closed after them. */
void cg_plan_replay(cg_gen *g);
void cg_end_replay(cg_gen *g);
void cg_preproc(cg_gen *g, const cc_item *it);

/* ---- codegen_macros.c: session items written under macros their cell
 * changes later (#undef, a second #define, pop_macro) ---- */
void cg_macros_start(cg_gen *g);                   /* after cg_plan_replay */
void cg_macros_track(cg_gen *g, const cc_item *it); /* a preprocessor line of the cell */
void cg_macros_wrap(cg_gen *g, size_t from);       /* the items made since index `from` */
void cg_macros_free(cg_gen *g);
void cg_type_keys(cg_gen *g, cc_sitem *si, const cc_item *it, bool with_decls);
void cg_type(cg_gen *g, const cc_item *it);
bool cg_is_material(const cg_gen *g, unsigned f);
/* Prototype text of a declarator: specifiers (storage class and a struct
 * body left out) plus the declarator. */
char *cg_proto_text(const cg_gen *g, const cc_item *it, const cc_declarator *d, unsigned drop);
void cg_func(cg_gen *g, const cc_item *it);

/* ---- codegen_cxx.c: C++ units (see there); false: the C path does it ---- */
bool cg_cxx_func(cg_gen *g, const cc_item *it, bool proto);
bool cg_cxx_var(cg_gen *g, const cc_item *it, const cc_declarator *d);
bool cg_cxx_other(cg_gen *g, const cc_item *it);
bool cg_cxx_template_decl(cg_gen *g, const cc_item *it);
/* shared by codegen_cxx.c and codegen_cxx_fn.c */
bool cg_cxx_qualified(const cg_gen *g, const cc_declarator *d);
bool cg_cxx_type_word(const cg_gen *g, size_t tok);   /* int, char, …, void, const, volatile */            /* `C::name` */
char *cg_cxx_qualified_name(const cg_gen *g, const cc_declarator *d, size_t *after);   /* "C::get" */
void cg_cxx_link_only(cg_gen *g, const char *key);
/* header material: the item at file scope here (prefix first) and in full in every later C++ unit */
cc_sitem *cg_cxx_material(cg_gen *g, const cc_item *it, const char *key, const char *prefix);   /* defined here only; later C++ units link it */
/* A function of a C++ cell that keeps C linkage; *sig its "f(int)" (malloc'd). */
bool cg_cxx_c_linkage(const cg_gen *g, const cc_item *it, char **sig);

/* ---- codegen_decl.c: declarations and statements ---- */
void cg_decl(cg_gen *g, const cc_item *it);
void cg_stmt(cg_gen *g, const cc_item *it);
void cg_other(cg_gen *g, const cc_item *it);

#endif
