/* kernel/cell/codegen.c — one cell to one translation unit, and the cell model's
 * planning entry (cc_session_plan, cc_plan_free). Splits the cell, walks its
 * items (codegen_items.c: preprocessor lines, types, functions;
 * codegen_decl.c: declarations, statements), emits the session header
 * (codegen_hdr.c), then the cell's file-scope declarations, then the entry
 * function
 *     int __cudacell_run(int argc, char **argv)
 * holding the statements and variable initializers in cell order, and
 * describes the cell's new declarations for cc_session_commit. Every piece of
 * cell text is preceded by #line N "cell" and padded to its column, so
 * diagnostics carry the notebook cell's own positions. Reads the session
 * only through cc_session_view. The plan owns all it holds (cc_plan_free).
 * See docs/HOW_IT_WORKS.md. */
#include "codegen_gen.h"
#include "cellvalue.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the whole unit ---------------------------------------------------- */

static unsigned long long fnv64(const char *s, unsigned long long h)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool cell_is_live(const cg_view *v, const char *soname)
{
    for (size_t i = 0; i < v->n_items; i++)
        if (v->items[i].soname && strcmp(v->items[i].soname, soname) == 0) return true;
    return false;
}

/* Device-variable imports: this cell's linker function, and calls to the
 * linkers of earlier live cells (so kernels defined there find their
 * variables again after a runtime restart). */
static void gen_devlinks(cg_gen *g, const bool *used, cc_strbuf *hdr, cc_strbuf *entry_pre)
{
    const cg_view *v = g->v;
    cc_strbuf fill = {0};
    for (size_t i = 0; i < v->n_items; i++) {
        if (!used[i] || v->items[i].kind != CC_SI_DEVVAR) continue;
        const char *n = v->items[i].keys[0];
        cc_strbuf_printf(&fill, "    p = 0; cudaGetSymbolAddress(&p, (const void *)__cc_sym_%s()); "
                       "cudaMemcpyToSymbol(__cc_p_%s, &p, sizeof p);\n", n, n);
    }
    for (size_t c = 0; c < v->n_cells; c++) {
        if (!v->cells[c].devlink || !cell_is_live(v, v->cells[c].soname)) continue;
        cc_strbuf_printf(hdr, "extern \"C\" void %s(void);\n", v->cells[c].devlink);
        cc_strbuf_printf(entry_pre, "    %s();\n", v->cells[c].devlink);
    }
    if (fill.s) {
        char sym[64];
        unsigned long long h = fnv64(g->code, 1469598103934665603ull);
        h = fnv64(hdr->s ? hdr->s : "", h);
        snprintf(sym, sizeof sym, "__cc_devlink_%016llx", h);
        g->pv->devlink = cc_xstrdup(sym);
        g->has_run = true;     /* fill this cell's pointers once, right away */
        cc_strbuf_printf(hdr, "extern \"C\" void %s(void)\n{\n    void *p;\n%s}\n", sym, fill.s);
        cc_strbuf_printf(entry_pre, "    %s();\n", sym);
    }
    free(fill.s);
}

static void gen_entry(cg_gen *g, cc_strbuf *out, const char *pre)
{
    cc_strbuf_add(out, "#line 1 \"<cudacell>\"\n");
    cc_strbuf_printf(out, "%sint " CC_CELL_ENTRY "(int argc, char **argv)\n{\n    (void)argc; (void)argv;\n",
            g->cxx ? "extern \"C\" " : "");
    cc_strbuf_add(out, pre);
    if (g->show_len) {
        g->pv->show_at = out->len + g->show_off;
        g->pv->show_len = g->show_len;
        g->pv->show_close = out->len + g->show_close;
    }
    if (g->run.s) cc_strbuf_add(out, g->run.s);
    cc_strbuf_add(out, "#line 1 \"<cudacell>\"\n");
    if (g->has_main) {
        if (g->main_args == 3) cc_strbuf_add(out, "    { extern char **environ;\n");
        const char *args = g->main_args == 3 ? "argc, argv, environ" : g->main_args == 2 ? "argc, argv" : "";
        const char *fn = g->cxx ? "__cc_main" : "main";
        if (g->main_void) cc_strbuf_printf(out, "    %s(%s);\n    return 0;\n", fn, args);
        else cc_strbuf_printf(out, "    return %s(%s);\n", fn, args);
        if (g->main_args == 3) cc_strbuf_add(out, "    }\n");
    } else {
        cc_strbuf_add(out, "    return 0;\n");
    }
    cc_strbuf_add(out, "}\n");
}

/* Field-by-field formatters for the structs the cell can see (its own and
 * the session's), so its last expression shows {x = 1, y = 2.5}. */
static void gen_formatters(cg_gen *g, const bool *used, cc_strbuf *out)
{
    const cg_view *v = g->v;
    size_t n = 0, cap = v->n_items + g->pv->n_items;
    const char **texts = cc_xmalloc((cap ? cap : 1) * sizeof *texts);
    for (size_t i = 0; i < v->n_items; i++)
        if (used[i] && v->items[i].kind == CC_SI_TYPE && !v->items[i].weak) texts[n++] = v->items[i].text;
    for (size_t i = 0; i < g->pv->n_items; i++)
        if (g->pv->items[i].kind == CC_SI_TYPE && !g->pv->items[i].weak) texts[n++] = g->pv->items[i].text;
    cv_formatters(texts, n, g->cxx, v->is_type, v->is_type_ctx, out);
    free(texts);
}

static bool has_user_label(cg_gen *g, const char *name)
{
    char *l = cg_user_label(g, name);
    free(l);
    return l != NULL;
}

static bool cxx_keeps_c(const cg_gen *g, const cc_item *it)
{
    char *sig;
    bool c = cg_cxx_c_linkage(g, it, &sig);
    free(sig);
    return c;
}

/* Names of the host functions and variables the cell defines. */
static void collect_defs(cg_gen *g)
{
    for (size_t i = 0; i < g->cell.n_items; i++) {
        const cc_item *it = &g->cell.items[i];
        if (it->kind == CC_ITEM_FUNC) {
            const char *n = it->decls[0].name;
            if ((strcmp(n, "main") == 0 && g->cxx) || cg_is_material(g, it->flags) || it->has_body ||
                (g->cxx && !(it->flags & (CC_F_GLOBAL | CC_F_EXTERN_C)) && !cxx_keeps_c(g, it)) ||
                (g->cxx && (it->flags & CC_F_GLOBAL)) || (it->flags & CC_F_EXTERN_C)) continue;
            if (!has_user_label(g, n)) cg_ids_add(&g->defs, n, strlen(n));
        } else if (it->kind == CC_ITEM_DECL) {
            if (g->cxx && (it->flags & (CC_F_DEVICE | CC_F_CONSTANT | CC_F_MANAGED | CC_F_SHARED))) continue;
            for (size_t k = 0; k < it->n_decls; k++) {
                const cc_declarator *d = &it->decls[k];
                if (d->is_func || ((it->flags & CC_F_EXTERN) && !d->has_init) || has_user_label(g, d->name)) continue;
                cg_ids_add(&g->defs, d->name, strlen(d->name));
            }
        }
    }
}

/* Returns -1 when cancelled. */
static int gen_items(cg_gen *g)
{
    collect_defs(g);
    cg_plan_replay(g);
    cg_macros_start(g);
    for (size_t i = 0; i < g->cell.n_items; i++) {
        const cc_item *it = &g->cell.items[i];
        if (i % CC_CANCEL_EVERY == CC_CANCEL_EVERY - 1 && cc_cancelled(g->v->cancel)) { cg_macros_free(g); return -1; }
        size_t had = g->pv->n_items;
        switch (it->kind) {
        case CC_ITEM_PREPROC: cg_preproc(g, it); cg_macros_track(g, it); break;
        case CC_ITEM_TYPE: cg_type(g, it); break;
        case CC_ITEM_FUNC: cg_func(g, it); break;
        case CC_ITEM_DECL: cg_decl(g, it); break;
        case CC_ITEM_STMT: cg_stmt(g, it); break;
        case CC_ITEM_OTHER: cg_other(g, it); break;
        }
        if (it->kind != CC_ITEM_PREPROC) cg_macros_wrap(g, had);
    }
    cg_end_replay(g);
    cg_macros_free(g);
    return 0;
}

static void collect_refs(const cg_gen *g, cg_ids *refs)
{
    for (size_t i = 0; i < g->cell.n_toks; i++) {
        const cc_tok *t = &g->cell.toks[i];
        if (t->kind == CC_TOK_IDENT) {
            cg_ids_add(refs, g->code + t->off, (size_t)t->len);
        } else if (t->kind == CC_TOK_PREPROC) {   /* macro bodies, at file scope or in a function */
            char *s = cc_xstrndup(g->code + t->off, (size_t)t->len);
            size_t k = strspn(s + 1, " \t") + 1;
            if (strncmp(s + k, "include", 7) != 0) cg_ids_scan(refs, s);
            free(s);
        }
    }
    for (size_t i = 0; i < g->v->n_items; i++) {
        const cc_sitem *it = &g->v->items[i];
        /* material reaches what it names; a host-only unit leaves device material out */
        bool material = it->kind == CC_SI_MATERIAL && g->cxx &&
                        !(g->lang == CC_LANG_CXX && cc_cell_is_cuda(it->text));
        if (it->kind == CC_SI_MACRO || material) cg_ids_scan(refs, it->text);
    }
}

int cg_generate(const cg_view *v, const char *code, int first_line, cc_lang lang, cc_plan *p, char **err)
{
    cg_gen g = { .v = v, .code = code, .first_line = first_line, .lang = lang, .cxx = lang != CC_LANG_C };
    *err = NULL;
    if (cc_cell_split_cancel(code, v->is_type, v->is_type_ctx, v->cancel, &g.cell, err)) return -1;
    if (lang == CC_LANG_AUTO) {   /* the CUDA test on the tokens just made: one scan of the cell */
        lang = g.lang = cc_toks_are_cuda(code, g.cell.toks, g.cell.n_toks) ? CC_LANG_CUDA : CC_LANG_C;
        g.cxx = lang != CC_LANG_C;
        p->lang = lang;
    }
    g.pv = cc_xcalloc(1, sizeof *g.pv);
    bool *used = cc_xcalloc(v->n_items + 1, sizeof *used);
    p->priv = g.pv;
    if (gen_items(&g)) {
        cg_ids_free(&g.own);
        cg_ids_free(&g.defs);
        cg_ids_free(&g.replay);
        free(g.file.s); free(g.run.s); free(g.glue.s);
        free(used);
        cc_cell_free(&g.cell);
        *err = cc_xstrdup(CC_CANCELLED_MSG);
        return -1;
    }

    /* what the cell can reach: its identifiers, macro bodies, CUDA material */
    cg_ids refs = {0};
    collect_refs(&g, &refs);
    cc_strbuf hdr = {0}, pre = {0}, out = {0}, hidden = {0};
    cg_header(v, lang, &g.own, &refs, &hdr, used, &hidden);
    p->c_hidden = hidden.s;
    if (g.cxx) gen_devlinks(&g, used, &hdr, &pre);

    cc_strbuf_add(&out, "/* generated by cudacell: one notebook cell */\n");
    /* The prelude (runtime/display/cudacell_prelude.h): the headers nearly
     * every cell wants, so printf, malloc, uint8_t and bool work without an
     * #include (README); one header so the compiler can precompile it. */
    cc_strbuf_add(&out, "#line 1 \"<prelude>\"\n" CC_CELL_PRELUDE);
    if (hdr.s) cc_strbuf_add(&out, hdr.s);
    if (g.file.s) cc_strbuf_add(&out, g.file.s);
    if (g.glue.s) { cc_strbuf_add(&out, "#line 1 \"<cudacell>\"\n"); cc_strbuf_add(&out, g.glue.s); }
    if (g.shows) gen_formatters(&g, used, &out);
    gen_entry(&g, &out, pre.s ? pre.s : "");

    cg_deps(v, lang, used, &refs, p);
    p->has_main = g.has_main;
    p->has_run = g.has_run;
    p->source = out.s;
    free(hdr.s); free(pre.s); free(g.file.s); free(g.run.s); free(g.glue.s);
    cg_ids_free(&refs);
    cg_ids_free(&g.own);
    cg_ids_free(&g.defs);
    cg_ids_free(&g.replay);
    free(used);
    cc_cell_free(&g.cell);
    return 0;
}

void cg_priv_free(cg_priv *pv)
{
    if (!pv) return;
    for (size_t i = 0; i < pv->n_items; i++) cc_sitem_clear(&pv->items[i]);
    free(pv->items);
    free(pv->devlink);
    free(pv->tail_expr);
    free(pv);
}

/* ---- the cell model's entry: a plan from the session and a cell -------- */

cc_plan *cc_session_plan(cc_session *s, const char *code, int first_line, cc_lang lang, char **err)
{
    if (err) *err = NULL;
    cc_plan *p = cc_xcalloc(1, sizeof *p);
    p->lang = lang;
    p->first_line = first_line < 1 ? 1 : first_line;
    cg_view v;
    cc_session_view(s, &v);
    char *e = NULL;
    if (cg_generate(&v, code ? code : "", p->first_line, lang, p, &e)) {
        cc_plan_free(p);
        if (err) *err = e; else free(e);
        return NULL;
    }
    return p;
}

void cc_plan_free(cc_plan *p)
{
    if (!p) return;
    free(p->source);
    free(p->c_hidden);
    for (size_t i = 0; i < p->n_deps; i++) free(p->deps[i]);
    free(p->deps);
    cg_priv_free(p->priv);
    free(p);
}
