/* kernel/cell/codegen_items.c — code generation for the cell's file-scope
 * pieces other than declarations: the text helpers every piece goes through
 * (#line markers and column padding, slices of the cell), the session items
 * a cell makes, preprocessor lines (with the macro replay of the entry),
 * type definitions and function definitions. */
#include "codegen_gen.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text of the cell ------------------------------------------------- */

int cg_nb_line(const cg_gen *g, size_t tok) { return g->first_line + g->cell.toks[tok].line - 1; }

/* Tokens further right than this get no blanks (their diagnostics show a
 * wrong column): padding every item of a very long line to its column
 * would make the generated text grow with the square of the line. */
#define CG_PAD_MAX_COL 1024

/* #line marker plus the blanks that put token `tok` at its own column. */
void cg_add_pos(const cg_gen *g, cc_strbuf *b, size_t tok)
{
    const cc_tok *t = &g->cell.toks[tok];
    cc_strbuf_printf(b, "#line %d \"cell\"\n", cg_nb_line(g, tok));
    if (t->col > CG_PAD_MAX_COL) return;
    const char *ls = g->code + t->off;
    while (ls > g->code && ls[-1] != '\n') ls--;
    for (const char *p = ls; p < g->code + t->off; p++) {
        if (*p == '\t') cc_strbuf_add(b, "\t");
        else if (((unsigned char)*p & 0xC0) != 0x80) cc_strbuf_add(b, " ");
    }
}

void cg_add_slice(const cg_gen *g, cc_strbuf *b, size_t first, size_t end)
{
    if (end <= first) return;
    const cc_tok *a = &g->cell.toks[first], *z = &g->cell.toks[end - 1];
    cc_strbuf_addn(b, g->code + a->off, (size_t)(z->off + z->len - a->off));
}

char *cg_slice_dup(const cg_gen *g, size_t first, size_t end)
{
    cc_strbuf b = {0};
    cg_add_slice(g, &b, first, end);
    return b.s ? b.s : cc_xstrdup("");
}

/* The item's text with the storage-class tokens (flags in `blank`) among its
 * specifiers replaced by spaces, so columns stay true. */
static void add_blanked(const cg_gen *g, cc_strbuf *b, const cc_item *it, unsigned blank)
{
    size_t start = b->len;
    cg_add_slice(g, b, it->first, it->end);
    int base = g->cell.toks[it->first].off;
    for (size_t k = it->first; k < it->spec_end; k++) {
        if (!(cc_tok_keyword_flag(&g->cell, k) & blank)) continue;
        const cc_tok *t = &g->cell.toks[k];
        memset(b->s + start + (t->off - base), ' ', (size_t)t->len);
    }
}

/* The user's own asm label on a declarator of `name` in this cell
 * (`__asm__("sym")`, malloc'd), or NULL. Such a name keeps the user's symbol. */
char *cg_user_label(cg_gen *g, const char *name)
{
    const cc_cell *c = &g->cell;
    if (!g->any_asm) {   /* most cells have none: one look, not one per name */
        g->any_asm = -1;
        for (size_t t = 0; t < c->n_toks && g->any_asm < 0; t++)
            if (cc_tok_is(c, t, "__asm__") || cc_tok_is(c, t, "__asm") || cc_tok_is(c, t, "asm")) g->any_asm = 1;
    }
    if (g->any_asm < 0) return NULL;
    for (size_t i = 0; i < c->n_items; i++) {
        const cc_item *it = &c->items[i];
        if (it->kind != CC_ITEM_DECL && it->kind != CC_ITEM_FUNC) continue;
        for (size_t k = 0; k < it->n_decls; k++) {
            const cc_declarator *d = &it->decls[k];
            if (strcmp(d->name, name) != 0) continue;
            for (size_t t = d->name_tok + 1; t + 1 < d->end; t++)
                if ((cc_tok_is(c, t, "__asm__") || cc_tok_is(c, t, "__asm") || cc_tok_is(c, t, "asm")) &&
                    cc_tok_is(c, t + 1, "(") && c->toks[t + 1].match > (int)t)
                    return cg_slice_dup(g, t, (size_t)c->toks[t + 1].match + 1);
        }
    }
    return NULL;
}

/* ---- new session items ------------------------------------------------- */

cc_sitem *cg_new_item(cg_gen *g, cc_si_kind kind, bool weak)
{
    cc_sitem *v = cc_xrealloc(g->pv->items, (g->pv->n_items + 1) * sizeof *v);
    g->pv->items = v;
    cc_sitem *it = &v[g->pv->n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->weak = weak;
    it->cuda = g->cxx;
    return it;
}

void cg_item_key(cg_gen *g, cc_sitem *it, const char *key)
{
    char **v = cc_xrealloc(it->keys, (it->n_keys + 1) * sizeof *v);
    it->keys = v;
    v[it->n_keys++] = cc_xstrdup(key);
    if (!it->weak && it->kind != CC_SI_UNDEF) cg_ids_add(&g->own, key, strlen(key));
}

/* ---- preprocessor lines ----------------------------------------------- */

/* The macro a `#pragma push_macro("X")` / `pop_macro` line names, into
 * out; 1 push, 2 pop, 0 neither. */
static int pragma_macro(const cg_gen *g, const cc_item *it, char *out, size_t cap)
{
    char *t = cg_slice_dup(g, it->first, it->end);
    int kind = !t ? 0 : strstr(t, "push_macro") ? 1 : strstr(t, "pop_macro") ? 2 : 0;
    const char *q = kind ? strchr(t, '"') : NULL;
    size_t n = 0;
    if (q) while (q[1 + n] && q[1 + n] != '"' && n + 1 < cap) { out[n] = q[1 + n]; n++; }
    out[n] = '\0';
    free(t);
    return n && it->pp == CC_PP_OTHER ? kind : 0;
}

/* Statements and initializers run in the entry, after all the cell's
 * file-scope text, so they would see its macros as they are at its end.
 * When the cell #undefs, redefines or pops a macro, the file part saves
 * each such macro first and restores it at its end (push_macro/pop_macro),
 * and the entry replays the cell's directives in order, so every statement
 * sees the macros of its own place, as in one file. */
void cg_plan_replay(cg_gen *g)
{
    cg_ids defined = {0};
    bool need = false;
    for (size_t i = 0; i < g->cell.n_items; i++) {
        const cc_item *it = &g->cell.items[i];
        char name[128];
        if (it->kind != CC_ITEM_PREPROC) continue;
        if (pragma_macro(g, it, name, sizeof name)) {
            cg_ids_add(&g->replay, name, strlen(name));
            need = true;
        } else if ((it->pp == CC_PP_DEFINE || it->pp == CC_PP_UNDEF) && it->name) {
            size_t n = strlen(it->name);
            if (it->pp == CC_PP_UNDEF || cg_ids_has(&defined, it->name, n)) need = true;
            cg_ids_add(&defined, it->name, n);
            cg_ids_add(&g->replay, it->name, n);
        }
    }
    cg_ids_free(&defined);
    if (!need) { cg_ids_free(&g->replay); return; }
    for (size_t k = 0; k < g->replay.cap; k++)   /* a hash set: walk its slots */
        if (g->replay.v[k]) cc_strbuf_printf(&g->file, "#pragma push_macro(\"%s\")\n", g->replay.v[k]);
}

void cg_end_replay(cg_gen *g)
{
    /* #undef first: gcc's pop_macro does not undefine a macro that was
     * undefined when it was pushed */
    for (size_t k = 0; k < g->replay.cap; k++)
        if (g->replay.v[k]) cc_strbuf_printf(&g->file, "#undef %s\n#pragma pop_macro(\"%s\")\n", g->replay.v[k], g->replay.v[k]);
}

void cg_preproc(cg_gen *g, const cc_item *it)
{
    cg_add_pos(g, &g->file, it->first);
    cg_add_slice(g, &g->file, it->first, it->end);
    cc_strbuf_add(&g->file, "\n");
    char pm[128];
    if (g->replay.n && (it->pp == CC_PP_DEFINE || it->pp == CC_PP_UNDEF || pragma_macro(g, it, pm, sizeof pm))) {
        if (it->pp == CC_PP_DEFINE && it->name)   /* "redefined" was said once, in the file part */
            cc_strbuf_printf(&g->run, "#undef %s\n", it->name);
        cg_add_pos(g, &g->run, it->first);
        cg_add_slice(g, &g->run, it->first, it->end);
        cc_strbuf_add(&g->run, "\n");
    }
    char *text = cg_slice_dup(g, it->first, it->end);
    if (!text) return;
    cc_sitem *si = NULL;
    if (it->pp == CC_PP_INCLUDE) {
        /* key: the line with its blanks collapsed */
        char *key = cc_xmalloc(strlen(text) + 1), *q = key;
        if (!key) { free(text); return; }
        for (const char *p = text; *p; p++) {
            if (*p == '\\' && p[1] == '\n') { p++; continue; }
            if (*p == ' ' || *p == '\t') { if (q > key && q[-1] != ' ' && q[-1] != '#') *q++ = ' '; continue; }
            *q++ = *p;
        }
        while (q > key && q[-1] == ' ') q--;
        *q = '\0';
        if ((si = cg_new_item(g, CC_SI_INCLUDE, false))) cg_item_key(g, si, key);
        free(key);
    } else if (it->pp == CC_PP_DEFINE && it->name) {
        if ((si = cg_new_item(g, CC_SI_MACRO, false))) cg_item_key(g, si, it->name);
    } else if (it->pp == CC_PP_UNDEF && it->name) {
        if ((si = cg_new_item(g, CC_SI_UNDEF, false))) cg_item_key(g, si, it->name);
    }
    if (si) { si->text = text; si->decl = cc_xstrdup(text); }
    else free(text);
}

/* ---- types ------------------------------------------------------------ */

void cg_type_keys(cg_gen *g, cc_sitem *si, const cc_item *it, bool with_decls)
{
    if (it->tag && it->has_body) cg_item_key(g, si, it->tag);
    if (with_decls)
        for (size_t k = 0; k < it->n_decls; k++) cg_item_key(g, si, it->decls[k].name);
    for (size_t k = 0; k < it->n_enumerators; k++) cg_item_key(g, si, it->enumerators[k]);
}

void cg_type(cg_gen *g, const cc_item *it)
{
    cg_add_pos(g, &g->file, it->first);
    cg_add_slice(g, &g->file, it->first, it->end);
    cc_strbuf_add(&g->file, it->no_semicolon ? ";\n" : "\n");
    bool fwd = !it->has_body && it->n_decls == 0;
    cc_sitem *si = cg_new_item(g, CC_SI_TYPE, fwd);
    si->is_typedef = (it->flags & CC_F_TYPEDEF) != 0;
    if (fwd && it->tag) cg_item_key(g, si, it->tag);
    cg_type_keys(g, si, it, (it->flags & CC_F_TYPEDEF) != 0);
    if ((it->flags & CC_F_TEMPLATE) && it->tag && !it->has_body) cg_item_key(g, si, it->tag);
    cc_strbuf t = {0};
    cg_add_slice(g, &t, it->first, it->end);
    if (it->no_semicolon) cc_strbuf_add(&t, ";");
    si->text = t.s;
    si->decl = t.s ? cc_xstrdup(t.s) : NULL;
    if (!si->n_keys) { g->pv->n_items--; cc_sitem_clear(si); }
}

/* ---- functions -------------------------------------------------------- */

bool cg_is_material(const cg_gen *g, unsigned f)
{
    if (!g->cxx) return false;
    if (f & CC_F_TEMPLATE) return true;
    return (f & CC_F_DEVICE) && !(f & CC_F_GLOBAL);
}

/* Prototype text of a declarator: specifiers (storage class and a struct
 * body left out) plus the declarator. */
char *cg_proto_text(const cg_gen *g, const cc_item *it, const cc_declarator *d, unsigned drop)
{
    size_t bs = CG_NONE, be = CG_NONE;
    if (it->has_body) { be = it->body_end; bs = (size_t)g->cell.toks[be - 1].match; }
    char *spec = cc_toks_join(&g->cell, it->first, it->spec_end, bs, be, drop);
    char *decl;
    if (d->knr) {
        decl = cc_xmalloc(strlen(d->name) + 3);
        if (decl) sprintf(decl, "%s()", d->name);
    } else {
        decl = cc_toks_join(&g->cell, d->first, d->end, CG_NONE, CG_NONE, 0);
    }
    char *out = NULL;
    if (spec && !*spec && !g->cxx) {   /* implicit int, written out: the prototype adds no warning */
        free(spec);
        spec = cc_xstrdup("int");
    }
    if (spec && decl && (out = cc_xmalloc(strlen(spec) + strlen(decl) + 2)))
        sprintf(out, "%s%s%s", spec, *spec ? " " : "", decl);
    free(spec);
    free(decl);
    return out;
}

static void count_main_params(cg_gen *g, const cc_item *it)
{
    size_t open = it->decls[0].name_tok + 1;
    const cc_tok *t = &g->cell.toks[open];
    g->main_args = 0;
    if (t->match < 0) return;
    size_t close = (size_t)t->match;
    if (close == open + 1 || (close == open + 2 && cc_tok_is(&g->cell, open + 1, "void"))) return;
    int commas = 0;
    for (size_t k = open + 1; k < close; k++) {
        if (g->cell.toks[k].match > (int)k) { k = (size_t)g->cell.toks[k].match; continue; }
        if (cc_tok_is(&g->cell, k, ",")) commas++;
    }
    g->main_args = commas >= 2 ? 3 : 2;
}

void cg_func(cg_gen *g, const cc_item *it)
{
    const cc_declarator *d = &it->decls[0];
    unsigned drop = CC_F_STATIC | CC_F_INLINE;
    if (strcmp(d->name, "main") == 0 && !g->cxx) {
        /* C: main keeps its name (so gcc still returns 0 when it reaches
         * its closing brace) and gets the label like any function, so it can
         * be called and have its address taken; the entry calls it */
        g->has_main = g->has_run = true;
        g->main_void = cc_tok_is(&g->cell, it->spec_end - 1, "void") && it->spec_end > it->first;
        count_main_params(g, it);
    } else if (strcmp(d->name, "main") == 0 && !(it->flags & CC_F_TEMPLATE)) {
        g->has_main = g->has_run = true;
        g->main_void = cc_tok_is(&g->cell, it->spec_end - 1, "void") && it->spec_end > it->first;
        count_main_params(g, it);
        cc_strbuf_add(&g->file, "#define main __cc_main\n");
        cg_add_pos(g, &g->file, it->first);
        add_blanked(g, &g->file, it, drop);
        cc_strbuf_add(&g->file, "\n#undef main\n");
        return;
    }
    /* a free operator (`std::ostream &operator<<(…)`) has no plain name to
     * label or key it by, and an explicit specialization (`template <> T
     * f(…)`) must not replace its template: both are material like templates,
     * keyed by their text up to the body, so each overload keeps its own */
    bool op = g->cxx && strcmp(d->name, "operator") == 0;
    bool spec = (it->flags & CC_F_TEMPLATE) && cc_tok_is(&g->cell, it->first, "template") &&
                cc_tok_is(&g->cell, it->first + 1, "<") && cc_tok_is(&g->cell, it->first + 2, ">");
    if (op || cg_is_material(g, it->flags)) {
        cg_add_pos(g, &g->file, it->first);
        cg_add_slice(g, &g->file, it->first, it->end);
        cc_strbuf_add(&g->file, "\n");
        cc_sitem *si = cg_new_item(g, CC_SI_MATERIAL, false);
        size_t e = it->first;
        while (e < it->end && !cc_tok_is(&g->cell, e, "{") && !cc_tok_is(&g->cell, e, ";")) e++;
        char *key = op || spec ? cc_toks_join(&g->cell, it->first, e, CG_NONE, CG_NONE, 0) : NULL;
        cg_item_key(g, si, key ? key : d->name);
        free(key);
        si->text = cg_slice_dup(g, it->first, it->end);
        si->decl = cg_proto_text(g, it, d, 0);
        return;
    }
    if (cg_cxx_func(g, it, false)) return;
    bool kernel = g->cxx && (it->flags & CC_F_GLOBAL);
    if (cg_ids_has(&g->defs, d->name, strlen(d->name))) {
        /* first declaration carries the symbol's label (see CG_LABEL) */
        char *pt = cg_proto_text(g, it, d, drop | CC_F_EXTERN);
        cg_add_pos(g, &g->file, it->first);
        if (g->cxx) cc_strbuf_add(&g->file, "extern \"C\" { ");
        cg_add_labeled(&g->file, pt, d->name);
        cc_strbuf_add(&g->file, g->cxx ? "; }\n" : ";\n");
        free(pt);
    }
    if (g->cxx && !(it->flags & CC_F_EXTERN_C)) cc_strbuf_add(&g->file, kernel ? "extern \"C\" " CG_VISIBLE "\n" : "extern \"C\"\n");
    cg_add_pos(g, &g->file, it->first);
    add_blanked(g, &g->file, it, drop);
    cc_strbuf_add(&g->file, "\n");
    if (!g->cxx && (it->flags & (CC_F_GLOBAL | CC_F_DEVICE))) return;   /* CUDA code forced to C: the compiler will say */
    cc_sitem *si = cg_new_item(g, kernel ? CC_SI_KERNEL : CC_SI_FUNC, false);
    cg_item_key(g, si, d->name);
    if (g->cxx && !kernel) { char *sig; cg_cxx_c_linkage(g, it, &sig); si->sig = sig; }
    si->no_label = (it->flags & CC_F_EXTERN_C) != 0;
    si->text = cg_proto_text(g, it, d, drop | CC_F_EXTERN);
    si->decl = si->text ? cc_xstrdup(si->text) : NULL;
    char *ul = kernel ? NULL : cg_user_label(g, d->name);
    if (ul && si->text && !strstr(si->text, ul)) {   /* later cells call the user's symbol */
        char *t = cc_xmalloc(strlen(si->text) + strlen(ul) + 2);
        if (t) { sprintf(t, "%s %s", si->text, ul); free(si->text); si->text = t; }
    }
    free(ul);
}

