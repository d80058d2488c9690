/* kernel/cell/codegen_decl.c — code generation for declarations and statements:
 * variables (their definitions at file scope, initializers run in the entry
 * in cell order), device variables, prototypes, statements, the shown tail
 * expression and file-scope code kept as is. */
#include "codegen_gen.h"
#include "cellvalue.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- declarations ----------------------------------------------------- */

/* "spec declarator" with the declarator's name replaced by `name`. */
static char *decl_renamed(const cg_gen *g, const cc_item *it, const cc_declarator *d, unsigned drop, const char *name)
{
    size_t bs = CG_NONE, be = CG_NONE;
    if (it->has_body && it->tag) { be = it->body_end; bs = (size_t)g->cell.toks[be - 1].match; }
    char *spec = cc_toks_join(&g->cell, it->first, it->spec_end, bs, be, drop);
    char *pre = cc_toks_join(&g->cell, d->first, d->name_tok, CG_NONE, CG_NONE, 0);
    char *post = cc_toks_join(&g->cell, d->name_tok + 1, d->end, CG_NONE, CG_NONE, 0);
    char *out = NULL;
    if (spec && pre && post) {
        out = cc_xmalloc(strlen(spec) + strlen(pre) + strlen(name) + strlen(post) + 5);
        /* "spec pre name post": blanks only where words would touch */
        size_t pl = strlen(pre);
        bool sp2 = pl && ((pre[pl - 1] >= 'a' && pre[pl - 1] <= 'z') || (pre[pl - 1] >= 'A' && pre[pl - 1] <= 'Z') ||
                          pre[pl - 1] == '_' || (pre[pl - 1] >= '0' && pre[pl - 1] <= '9'));
        bool sp3 = *post && (isalnum((unsigned char)*post) || *post == '_');
        sprintf(out, "%s%s%s%s%s%s%s", spec, *spec ? " " : "", pre, sp2 ? " " : "", name, sp3 ? " " : "", post);
    }
    free(spec); free(pre); free(post);
    return out;
}

/* `= init` with the initializer at its own line and column. */
static void add_init(const cg_gen *g, cc_strbuf *b, const cc_declarator *d)
{
    cc_strbuf_add(b, " =\n");
    /* `int x = ;` keeps its (empty) initializer so the compiler complains */
    cg_add_pos(g, b, d->init_first < d->init_end ? d->init_first : d->init_first - 1);
    cg_add_slice(g, b, d->init_first, d->init_end);
}

/* The initializer holds a compound literal whose storage must outlive the
 * entry function: one whose address is taken (`&(struct S){1, 2}`) or an
 * array literal, which decays to a pointer (`(int[]){1, 2}`). Such a
 * variable keeps its file-scope initializer, so the literal has static
 * storage as in a whole program (gcc then wants it constant, as it would). */
static bool init_needs_static_literal(const cg_gen *g, size_t first, size_t end)
{
    const cc_cell *c = &g->cell;
    for (size_t k = first; k + 1 < end; k++) {
        if (!cc_tok_is(c, k, "(") || c->toks[k].match <= (int)k) continue;
        size_t close = (size_t)c->toks[k].match;
        if (close + 1 >= end || !cc_tok_is(c, close + 1, "{")) continue;
        if (k > first && c->toks[k - 1].kind == CC_TOK_IDENT) continue;   /* a call, not a cast */
        if (k > first && cc_tok_is(c, k - 1, "&")) return true;
        for (size_t j = k + 1; j < close; j++)
            if (cc_tok_is(c, j, "[")) return true;
    }
    return false;
}

/* The variable's struct type (by its tag) has a flexible array member, so
 * it can only be initialized statically, as gcc does at file scope. */
static bool type_is_flexible(const cg_gen *g, const cc_item *it)
{
    if (!it->tag) return false;
    bool found = false;
    for (size_t i = 0; i < g->cell.n_items && !found; i++) {
        const cc_item *o = &g->cell.items[i];
        if (!o->has_body || !o->tag || strcmp(o->tag, it->tag) != 0) continue;
        char *t = cg_slice_dup(g, o->body_first, o->body_end);
        found = cg_text_has_flexible(t);
        free(t);
    }
    for (size_t i = 0; i < g->v->n_items && !found; i++) {
        const cc_sitem *si = &g->v->items[i];
        if (si->kind != CC_SI_TYPE || si->weak) continue;
        for (size_t k = 0; k < si->n_keys; k++)
            if (strcmp(si->keys[k], it->tag) == 0) found = cg_text_has_flexible(si->text);
    }
    return found;
}

static void gen_devvar(cg_gen *g, const cc_item *it, const cc_declarator *d)
{
    cg_add_pos(g, &g->file, it->first);
    char *def = decl_renamed(g, it, d, CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE, d->name);
    cc_strbuf_add(&g->file, def ? def : "");
    free(def);
    if (d->has_init) add_init(g, &g->file, d);
    cc_strbuf_add(&g->file, ";\n");
    if (it->flags & CC_F_SHARED) {
        cc_sitem *si = cg_new_item(g, CC_SI_MATERIAL, false);
        cg_item_key(g, si, d->name);
        char *t = decl_renamed(g, it, d, CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE, d->name);
        if (t) si->text = cc_xasprintf("%s;", t);
        si->decl = t;
        return;
    }
    cc_strbuf_printf(&g->glue, "extern \"C\" void *__cc_sym_%s(void) { return (void *)&%s; }\n", d->name, d->name);
    cc_sitem *si = cg_new_item(g, CC_SI_DEVVAR, false);
    cg_item_key(g, si, d->name);
    unsigned cuda = CC_F_DEVICE | CC_F_CONSTANT | CC_F_MANAGED | CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE;
    si->text = decl_renamed(g, it, d, cuda, d->name);
    char tname[300];
    snprintf(tname, sizeof tname, "__cc_t_%s", d->name);
    si->tdef = decl_renamed(g, it, d, cuda, tname);
    si->decl = decl_renamed(g, it, d, CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE, d->name);
}

static void gen_var(cg_gen *g, const cc_item *it, const cc_declarator *d)
{
    unsigned drop = CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE;
    if (g->cxx && (it->flags & (CC_F_DEVICE | CC_F_CONSTANT | CC_F_MANAGED | CC_F_SHARED))) {
        gen_devvar(g, it, d);
        return;
    }
    bool declaration = (it->flags & CC_F_EXTERN) && !d->has_init;
    cc_sitem *si = cg_new_item(g, CC_SI_VAR, declaration);
    if (si) {
        cg_item_key(g, si, d->name);
        si->text = decl_renamed(g, it, d, drop | CC_F_THREAD, d->name);
        if ((it->flags & CC_F_THREAD) && si->text) {
            char *t = cc_xasprintf("_Thread_local %s", si->text);
            free(si->text);
            si->text = t;
        }
        si->decl = si->text ? cc_xstrdup(si->text) : NULL;
    }
    if (declaration) {
        cg_add_pos(g, &g->file, it->first);
        char *t = decl_renamed(g, it, d, drop, d->name);
        cc_strbuf_add(&g->file, g->cxx ? "extern \"C\" { extern " : "extern ");
        cg_add_labeled(&g->file, t, cg_ids_has(&g->defs, d->name, strlen(d->name)) ? d->name : NULL);
        cc_strbuf_add(&g->file, g->cxx ? "; }\n" : ";\n");
        free(t);
        return;
    }
    /* C++ (CUDA cells): `extern "C" { extern T x = init; }` defines with C
     * linkage even when T is const; a bare `extern "C" T x;` only declares */
    bool keep_init = d->has_init && (d->top_const || d->incomplete_array || (it->flags & CC_F_AUTO_TYPE) ||
                                     init_needs_static_literal(g, d->init_first, d->init_end) ||
                                     (!d->is_func && type_is_flexible(g, it) && !cc_tok_is(&g->cell, d->name_tok - 1, "*")));
    char *def = decl_renamed(g, it, d, drop, d->name);
    cg_add_pos(g, &g->file, it->first);
    if (g->cxx) cc_strbuf_add(&g->file, keep_init ? "extern \"C\" { extern " : "extern \"C\" { ");
    cg_add_labeled(&g->file, def, d->name);
    free(def);
    if (keep_init) add_init(g, &g->file, d);
    cc_strbuf_add(&g->file, g->cxx ? "; }\n" : ";\n");
    if (keep_init) return;
    g->has_run = true;
    if (!d->has_init) {
        cg_add_pos(g, &g->run, d->name_tok);
        cc_strbuf_printf(&g->run, "__builtin_memset((void *)&%s, 0, sizeof %s);\n", d->name, d->name);
        return;
    }
    /* { T tmp = init; memcpy(&name, &tmp, sizeof name); } — at the
     * declaration's place, so it runs in order with the statements */
    /* the variable's own type, without re-spelling its attributes (gcc
     * rejects `used`, `section`, … on a local) */
    cg_add_pos(g, &g->run, it->first);
    cc_strbuf_printf(&g->run, "{ __typeof__(%s) __cc_tmp", d->name);
    add_init(g, &g->run, d);
    cc_strbuf_printf(&g->run, "; __builtin_memcpy((void *)&%s, (const void *)&__cc_tmp, sizeof %s); }\n", d->name, d->name);
}

static void gen_proto(cg_gen *g, const cc_item *it, const cc_declarator *d)
{
    unsigned drop = CC_F_STATIC | CC_F_INLINE;
    bool material = cg_is_material(g, it->flags);
    bool kernel = g->cxx && (it->flags & CC_F_GLOBAL) && !material;
    if (g->cxx && !material && !(it->flags & CC_F_EXTERN_C))
        cc_strbuf_add(&g->file, kernel ? "extern \"C\" " CG_VISIBLE "\n" : "extern \"C\"\n");
    cg_add_pos(g, &g->file, it->first);
    char *t = cg_proto_text(g, it, d, material ? 0 : drop);
    cg_add_labeled(&g->file, t, !material && !kernel && cg_ids_has(&g->defs, d->name, strlen(d->name)) ? d->name : NULL);
    cc_strbuf_add(&g->file, ";\n");
    if (material || (!g->cxx && (it->flags & (CC_F_GLOBAL | CC_F_DEVICE)))) { free(t); return; }
    cc_sitem *si = cg_new_item(g, kernel ? CC_SI_KERNEL : CC_SI_FUNC, true);
    if (!si) { free(t); return; }
    cg_item_key(g, si, d->name);
    char *clean = cg_proto_text(g, it, d, drop | CC_F_EXTERN);
    si->text = clean;
    si->decl = clean ? cc_xstrdup(clean) : NULL;
    free(t);
}

void cg_decl(cg_gen *g, const cc_item *it)
{
    if (cg_cxx_template_decl(g, it)) return;
    if (it->has_body && it->tag) {   /* struct S {...} s; -> the type on its own */
        cg_add_pos(g, &g->file, it->body_first);
        cg_add_slice(g, &g->file, it->body_first, it->body_end);
        cc_strbuf_add(&g->file, ";\n");
        cc_sitem *si = cg_new_item(g, CC_SI_TYPE, false);
        if (si) {
            cg_type_keys(g, si, it, false);
            cc_strbuf t = {0};
            cg_add_slice(g, &t, it->body_first, it->body_end);
            cc_strbuf_add(&t, ";");
            si->text = t.s;
            si->decl = t.s ? cc_xstrdup(t.s) : NULL;
        }
    }
    for (size_t k = 0; k < it->n_decls; k++) {
        const cc_declarator *d = &it->decls[k];
        if (cg_cxx_var(g, it, d)) continue;
        if (d->is_func && it->n_decls == 1 && cg_cxx_func(g, it, true)) continue;
        if (d->is_func) gen_proto(g, it, d);
        else gen_var(g, it, d);
    }
}

/* A statement that is an expression (so it has a value to show): not one
 * starting with a statement keyword, not a label. */
static bool is_expression(const cg_gen *g, const cc_item *it)
{
    static const char *const kw[] = {
        "return", "if", "else", "for", "while", "do", "switch", "case", "default",
        "goto", "break", "continue", "asm", "__asm__", "__asm", "{", NULL,
    };
    for (const char *const *k = kw; *k; k++)
        if (cc_tok_is(&g->cell, it->first, *k))
            return false;
    if (it->end - it->first >= 2 && g->cell.toks[it->first].kind == CC_TOK_IDENT &&
        cc_tok_is(&g->cell, it->first + 1, ":") && !cc_tok_is(&g->cell, it->first + 2, ":"))
        return false;   /* label: */
    return true;
}

/* The cell's last expression, written without ';': its value is shown
 * (Out[n]) through libcudacell's __CC_SHOW, which just evaluates a void
 * expression. The macro name must not shift the expression's columns: it
 * goes into the padding when that is wide enough, else (C only) on the line
 * before, since GCC reports tokens of a macro argument at their own line.
 * nvcc reports a macro call at its first line, so CUDA keeps one line. */
static void gen_show(cg_gen *g, const cc_item *it)
{
    /* C comparisons are ints: show them as true/false (cellvalue.c) */
    const char *open = !g->cxx && cv_is_boolean(&g->cell, it->first, it->end)
                       ? "__CC_SHOW_BOOL((" : "__CC_SHOW((";
    size_t olen = strlen(open);
    g->shows = true;
    const cc_tok *t = &g->cell.toks[it->first];
    const char *ls = g->code + t->off;
    size_t pad = 0;
    bool plain = true;   /* the padding is spaces only */
    while (ls > g->code && ls[-1] != '\n') {
        ls--;
        if (((unsigned char)*ls & 0xC0) != 0x80) pad++;
        if (*ls == '\t') plain = false;
    }
    int line = cg_nb_line(g, it->first);
    bool in_pad = plain && pad >= olen;
    bool before = !in_pad && !g->cxx && line > 1;   /* the name on the line before */
    cc_strbuf_printf(&g->run, "#line %d \"cell\"\n", before ? line - 1 : line);
    g->show_off = g->run.len;
    g->show_len = olen - 2;   /* the name, without "((": cells.c may swap it */
    if (in_pad) {
        cc_strbuf_printf(&g->run, "%s%*s", open, (int)(pad - olen), "");
    } else if (before) {
        cc_strbuf_printf(&g->run, "%s\n", open);
        for (const char *p = ls; p < g->code + t->off; p++)
            if (((unsigned char)*p & 0xC0) != 0x80) cc_strbuf_add(&g->run, *p == '\t' ? "\t" : " ");
    } else {
        cc_strbuf_add(&g->run, open);   /* columns shift a little */
    }
    cg_add_slice(g, &g->run, it->first, it->end);
    g->show_close = g->run.len;
    cc_strbuf_add(&g->run, "));");
}

void cg_stmt(cg_gen *g, const cc_item *it)
{
    bool tail = it->no_semicolon && !cc_tok_is(&g->cell, it->end - 1, "}");
    if (tail && is_expression(g, it)) {
        gen_show(g, it);
    } else {
        cg_add_pos(g, &g->run, it->first);
        cg_add_slice(g, &g->run, it->first, it->end);
        if (tail) cc_strbuf_add(&g->run, ";");
    }
    if (tail) {
        free(g->pv->tail_expr);
        g->pv->tail_expr = cg_slice_dup(g, it->first, it->end);
    }
    cc_strbuf_add(&g->run, "\n");
    g->has_run = true;
}

void cg_other(cg_gen *g, const cc_item *it)
{
    if (cg_cxx_other(g, it)) return;
    cg_add_pos(g, &g->file, it->first);
    cg_add_slice(g, &g->file, it->first, it->end);
    cc_strbuf_add(&g->file, "\n");
    if (g->cxx && cc_tok_is(&g->cell, it->first, "using")) {
        cc_sitem *si = cg_new_item(g, CC_SI_MATERIAL, true);
        si->text = cg_slice_dup(g, it->first, it->end);
        cg_item_key(g, si, si->text ? si->text : "using");
        si->decl = si->text ? cc_xstrdup(si->text) : NULL;
    }
}

