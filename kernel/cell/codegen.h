/* kernel/cell/codegen.h — internal header of code generation: turning a new
 * cell plus the session's view (session_items.h) into one translation unit
 * (codegen*.c). Not used outside the cell model. */
#ifndef CC_CODEGEN_H
#define CC_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include "session.h"
#include "session_items.h"
#include "codegen_buf.h"
#include "cellsplit.h"

/* Build the plan: fills p->source, deps, has_main, has_run and p->priv
 * (a cg_priv). Returns 0, or -1 with *err malloc'd (user-facing). */
int cg_generate(const cg_view *v, const char *code, int first_line, cc_lang lang,
                cc_plan *p, char **err);

void cg_priv_free(cg_priv *pv);

/* ---- shared by the codegen*.c files only ---- */

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

/* text followed by the CG_LABEL of name, put before any trailing
 * __attribute__((…)) (gcc wants it there); none when name is NULL or text
 * already has an asm label of the user's. */
void cg_add_labeled(cc_strbuf *b, const char *text, const char *name);

/* Struct text whose last member is a flexible array (`T name[];` before
 * the closing brace). */
bool cg_text_has_flexible(const char *t);

/* The header part of a TU: every live item the cell may use, except those
 * the cell redefines (own_keys) and those mentioning a redefined type or
 * macro; device variables only when referenced (refs). Appends to out;
 * marks used[i] for emitted items. Items of CUDA cells that a C unit cannot
 * see and the cell mentions go to `hidden` (the cc_plan.c_hidden format).
 * Then the deps. */
void cg_header(const cg_view *v, cc_lang lang, const cg_ids *own_keys, const cg_ids *refs,
               cc_strbuf *out, bool *used, cc_strbuf *hidden);
void cg_deps(const cg_view *v, cc_lang lang, const bool *used, const cg_ids *refs, cc_plan *p);

#endif
