/* kernel/codegen.c — one cell to one translation unit. Splits the cell,
 * emits the session header (codegen_hdr.c), then the cell's file-scope
 * declarations, then the entry function
 *     int __cudacell_run(int argc, char **argv)
 * holding the statements and variable initializers in cell order, and
 * describes the cell's new declarations for cc_session_commit. Every piece of
 * cell text is preceded by #line N "cell" and padded to its column, so
 * diagnostics carry the notebook cell's own positions. The plan owns all it
 * holds (cc_plan_free). See docs/HOW_IT_WORKS.md. */
#include "codegen.h"
#include "cellvalue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

typedef struct gen {
    const cg_view *v;
    cc_cell cell;
    const char *code;
    int first_line;
    cc_lang lang;
    bool cxx;
    cg_buf file;            /* the cell's file-scope declarations */
    cg_buf run;             /* the body of the entry function */
    cg_buf glue;            /* accessors of device variables defined here */
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
    cg_ids replay;          /* macros whose directives are replayed in the entry (see plan_replay) */
} gen;

/* ---- text of the cell ------------------------------------------------- */

static int nb_line(const gen *g, size_t tok) { return g->first_line + g->cell.toks[tok].line - 1; }

/* Tokens further right than this get no blanks (their diagnostics show a
 * wrong column): padding every item of a very long line to its column
 * would make the generated text grow with the square of the line. */
#define CG_PAD_MAX_COL 1024

/* #line marker plus the blanks that put token `tok` at its own column. */
static void add_pos(const gen *g, cg_buf *b, size_t tok)
{
    const cc_tok *t = &g->cell.toks[tok];
    cg_addf(b, "#line %d \"cell\"\n", nb_line(g, tok));
    if (t->col > CG_PAD_MAX_COL) return;
    const char *ls = g->code + t->off;
    while (ls > g->code && ls[-1] != '\n') ls--;
    for (const char *p = ls; p < g->code + t->off; p++) {
        if (*p == '\t') cg_add(b, "\t");
        else if (((unsigned char)*p & 0xC0) != 0x80) cg_add(b, " ");
    }
}

static void add_slice(const gen *g, cg_buf *b, size_t first, size_t end)
{
    if (end <= first) return;
    const cc_tok *a = &g->cell.toks[first], *z = &g->cell.toks[end - 1];
    cg_addn(b, g->code + a->off, (size_t)(z->off + z->len - a->off));
}

static char *slice_dup(const gen *g, size_t first, size_t end)
{
    cg_buf b = {0};
    add_slice(g, &b, first, end);
    return b.s ? b.s : strdup("");
}

/* The item's text with the storage-class tokens (flags in `blank`) among its
 * specifiers replaced by spaces, so columns stay true. */
static void add_blanked(const gen *g, cg_buf *b, const cc_item *it, unsigned blank)
{
    size_t start = b->len;
    add_slice(g, b, it->first, it->end);
    if (b->oom) return;
    int base = g->cell.toks[it->first].off;
    for (size_t k = it->first; k < it->spec_end; k++) {
        if (!(cc_tok_keyword_flag(&g->cell, k) & blank)) continue;
        const cc_tok *t = &g->cell.toks[k];
        memset(b->s + start + (t->off - base), ' ', (size_t)t->len);
    }
}

/* ---- new session items ------------------------------------------------- */

static cc_sitem *new_item(gen *g, cc_si_kind kind, bool weak)
{
    cc_sitem *v = realloc(g->pv->items, (g->pv->n_items + 1) * sizeof *v);
    if (!v) return NULL;
    g->pv->items = v;
    cc_sitem *it = &v[g->pv->n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->weak = weak;
    it->cuda = g->cxx;
    return it;
}

static void item_key(gen *g, cc_sitem *it, const char *key)
{
    char **v = realloc(it->keys, (it->n_keys + 1) * sizeof *v);
    if (!v) return;
    it->keys = v;
    if ((v[it->n_keys] = strdup(key))) it->n_keys++;
    if (!it->weak && it->kind != CC_SI_UNDEF) cg_ids_add(&g->own, key, strlen(key));
}

static char *user_label(const gen *g, const char *name);

/* ---- preprocessor lines ----------------------------------------------- */

/* The macro a `#pragma push_macro("X")` / `pop_macro` line names, into
 * out; 1 push, 2 pop, 0 neither. */
static int pragma_macro(const gen *g, const cc_item *it, char *out, size_t cap)
{
    char *t = slice_dup(g, it->first, it->end);
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
static void plan_replay(gen *g)
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
        if (g->replay.v[k]) cg_addf(&g->file, "#pragma push_macro(\"%s\")\n", g->replay.v[k]);
}

static void end_replay(gen *g)
{
    /* #undef first: gcc's pop_macro does not undefine a macro that was
     * undefined when it was pushed */
    for (size_t k = 0; k < g->replay.cap; k++)
        if (g->replay.v[k]) cg_addf(&g->file, "#undef %s\n#pragma pop_macro(\"%s\")\n", g->replay.v[k], g->replay.v[k]);
}

static void gen_preproc(gen *g, const cc_item *it)
{
    add_pos(g, &g->file, it->first);
    add_slice(g, &g->file, it->first, it->end);
    cg_add(&g->file, "\n");
    char pm[128];
    if (g->replay.n && (it->pp == CC_PP_DEFINE || it->pp == CC_PP_UNDEF || pragma_macro(g, it, pm, sizeof pm))) {
        if (it->pp == CC_PP_DEFINE && it->name)   /* "redefined" was said once, in the file part */
            cg_addf(&g->run, "#undef %s\n", it->name);
        add_pos(g, &g->run, it->first);
        add_slice(g, &g->run, it->first, it->end);
        cg_add(&g->run, "\n");
    }
    char *text = slice_dup(g, it->first, it->end);
    if (!text) return;
    cc_sitem *si = NULL;
    if (it->pp == CC_PP_INCLUDE) {
        /* key: the line with its blanks collapsed */
        char *key = malloc(strlen(text) + 1), *q = key;
        if (!key) { free(text); return; }
        for (const char *p = text; *p; p++) {
            if (*p == '\\' && p[1] == '\n') { p++; continue; }
            if (*p == ' ' || *p == '\t') { if (q > key && q[-1] != ' ' && q[-1] != '#') *q++ = ' '; continue; }
            *q++ = *p;
        }
        while (q > key && q[-1] == ' ') q--;
        *q = '\0';
        if ((si = new_item(g, CC_SI_INCLUDE, false))) item_key(g, si, key);
        free(key);
    } else if (it->pp == CC_PP_DEFINE && it->name) {
        if ((si = new_item(g, CC_SI_MACRO, false))) item_key(g, si, it->name);
    } else if (it->pp == CC_PP_UNDEF && it->name) {
        if ((si = new_item(g, CC_SI_UNDEF, false))) item_key(g, si, it->name);
    }
    if (si) { si->text = text; si->decl = strdup(text); }
    else free(text);
}

/* ---- types ------------------------------------------------------------ */

static void type_keys(gen *g, cc_sitem *si, const cc_item *it, bool with_decls)
{
    if (it->tag && it->has_body) item_key(g, si, it->tag);
    if (with_decls)
        for (size_t k = 0; k < it->n_decls; k++) item_key(g, si, it->decls[k].name);
    for (size_t k = 0; k < it->n_enumerators; k++) item_key(g, si, it->enumerators[k]);
}

static void gen_type(gen *g, const cc_item *it)
{
    add_pos(g, &g->file, it->first);
    add_slice(g, &g->file, it->first, it->end);
    cg_add(&g->file, it->no_semicolon ? ";\n" : "\n");
    bool fwd = !it->has_body && it->n_decls == 0;
    cc_sitem *si = new_item(g, CC_SI_TYPE, fwd);
    if (!si) return;
    si->is_typedef = (it->flags & CC_F_TYPEDEF) != 0;
    if (fwd && it->tag) item_key(g, si, it->tag);
    type_keys(g, si, it, (it->flags & CC_F_TYPEDEF) != 0);
    if ((it->flags & CC_F_TEMPLATE) && it->tag && !it->has_body) item_key(g, si, it->tag);
    cg_buf t = {0};
    add_slice(g, &t, it->first, it->end);
    if (it->no_semicolon) cg_add(&t, ";");
    si->text = t.s;
    si->decl = t.s ? strdup(t.s) : NULL;
    if (!si->n_keys) { g->pv->n_items--; cc_sitem_clear(si); }
}

/* ---- functions -------------------------------------------------------- */

static bool is_material(const gen *g, unsigned f)
{
    if (!g->cxx) return false;
    if (f & CC_F_TEMPLATE) return true;
    return (f & CC_F_DEVICE) && !(f & CC_F_GLOBAL);
}

/* Prototype text of a declarator: specifiers (storage class and a struct
 * body left out) plus the declarator. */
static char *proto_text(const gen *g, const cc_item *it, const cc_declarator *d, unsigned drop)
{
    size_t bs = NONE, be = NONE;
    if (it->has_body) { be = it->body_end; bs = (size_t)g->cell.toks[be - 1].match; }
    char *spec = cc_toks_join(&g->cell, it->first, it->spec_end, bs, be, drop);
    char *decl;
    if (d->knr) {
        decl = malloc(strlen(d->name) + 3);
        if (decl) sprintf(decl, "%s()", d->name);
    } else {
        decl = cc_toks_join(&g->cell, d->first, d->end, NONE, NONE, 0);
    }
    char *out = NULL;
    if (spec && !*spec && !g->cxx) {   /* implicit int, written out: the prototype adds no warning */
        free(spec);
        spec = strdup("int");
    }
    if (spec && decl && (out = malloc(strlen(spec) + strlen(decl) + 2)))
        sprintf(out, "%s%s%s", spec, *spec ? " " : "", decl);
    free(spec);
    free(decl);
    return out;
}

static void count_main_params(gen *g, const cc_item *it)
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

static void gen_func(gen *g, const cc_item *it)
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
        cg_add(&g->file, "#define main __cc_main\n");
        add_pos(g, &g->file, it->first);
        add_blanked(g, &g->file, it, drop);
        cg_add(&g->file, "\n#undef main\n");
        return;
    }
    if (is_material(g, it->flags)) {
        add_pos(g, &g->file, it->first);
        add_slice(g, &g->file, it->first, it->end);
        cg_add(&g->file, "\n");
        cc_sitem *si = new_item(g, CC_SI_MATERIAL, false);
        if (!si) return;
        item_key(g, si, d->name);
        si->text = slice_dup(g, it->first, it->end);
        si->decl = proto_text(g, it, d, 0);
        return;
    }
    bool kernel = g->cxx && (it->flags & CC_F_GLOBAL);
    if (cg_ids_has(&g->defs, d->name, strlen(d->name))) {
        /* first declaration carries the symbol's label (see CG_LABEL) */
        char *pt = proto_text(g, it, d, drop | CC_F_EXTERN);
        add_pos(g, &g->file, it->first);
        if (g->cxx) cg_add(&g->file, "extern \"C\" { ");
        cg_add_labeled(&g->file, pt, d->name);
        cg_add(&g->file, g->cxx ? "; }\n" : ";\n");
        free(pt);
    }
    if (g->cxx && !(it->flags & CC_F_EXTERN_C)) cg_add(&g->file, kernel ? "extern \"C\" " CG_VISIBLE "\n" : "extern \"C\"\n");
    add_pos(g, &g->file, it->first);
    add_blanked(g, &g->file, it, drop);
    cg_add(&g->file, "\n");
    if (!g->cxx && (it->flags & (CC_F_GLOBAL | CC_F_DEVICE))) return;   /* CUDA code forced to C: the compiler will say */
    cc_sitem *si = new_item(g, kernel ? CC_SI_KERNEL : CC_SI_FUNC, false);
    if (!si) return;
    item_key(g, si, d->name);
    si->text = proto_text(g, it, d, drop | CC_F_EXTERN);
    si->decl = si->text ? strdup(si->text) : NULL;
    char *ul = kernel ? NULL : user_label(g, d->name);
    if (ul && si->text && !strstr(si->text, ul)) {   /* later cells call the user's symbol */
        char *t = malloc(strlen(si->text) + strlen(ul) + 2);
        if (t) { sprintf(t, "%s %s", si->text, ul); free(si->text); si->text = t; }
    }
    free(ul);
}

/* ---- declarations ----------------------------------------------------- */

/* "spec declarator" with the declarator's name replaced by `name`. */
static char *decl_renamed(const gen *g, const cc_item *it, const cc_declarator *d, unsigned drop, const char *name)
{
    size_t bs = NONE, be = NONE;
    if (it->has_body && it->tag) { be = it->body_end; bs = (size_t)g->cell.toks[be - 1].match; }
    char *spec = cc_toks_join(&g->cell, it->first, it->spec_end, bs, be, drop);
    char *pre = cc_toks_join(&g->cell, d->first, d->name_tok, NONE, NONE, 0);
    char *post = cc_toks_join(&g->cell, d->name_tok + 1, d->end, NONE, NONE, 0);
    char *out = NULL;
    if (spec && pre && post && (out = malloc(strlen(spec) + strlen(pre) + strlen(name) + strlen(post) + 5))) {
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
static void add_init(const gen *g, cg_buf *b, const cc_declarator *d)
{
    cg_add(b, " =\n");
    /* `int x = ;` keeps its (empty) initializer so the compiler complains */
    add_pos(g, b, d->init_first < d->init_end ? d->init_first : d->init_first - 1);
    add_slice(g, b, d->init_first, d->init_end);
}

/* The initializer holds a compound literal whose storage must outlive the
 * entry function: one whose address is taken (`&(struct S){1, 2}`) or an
 * array literal, which decays to a pointer (`(int[]){1, 2}`). Such a
 * variable keeps its file-scope initializer, so the literal has static
 * storage as in a whole program (gcc then wants it constant, as it would). */
static bool init_needs_static_literal(const gen *g, size_t first, size_t end)
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
static bool type_is_flexible(const gen *g, const cc_item *it)
{
    if (!it->tag) return false;
    bool found = false;
    for (size_t i = 0; i < g->cell.n_items && !found; i++) {
        const cc_item *o = &g->cell.items[i];
        if (!o->has_body || !o->tag || strcmp(o->tag, it->tag) != 0) continue;
        char *t = slice_dup(g, o->body_first, o->body_end);
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

static void gen_devvar(gen *g, const cc_item *it, const cc_declarator *d)
{
    add_pos(g, &g->file, it->first);
    char *def = decl_renamed(g, it, d, CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE, d->name);
    cg_add(&g->file, def ? def : "");
    free(def);
    if (d->has_init) add_init(g, &g->file, d);
    cg_add(&g->file, ";\n");
    if (it->flags & CC_F_SHARED) {
        cc_sitem *si = new_item(g, CC_SI_MATERIAL, false);
        if (!si) return;
        item_key(g, si, d->name);
        char *t = decl_renamed(g, it, d, CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE, d->name);
        if (t && (si->text = malloc(strlen(t) + 2))) sprintf(si->text, "%s;", t);
        si->decl = t;
        return;
    }
    cg_addf(&g->glue, "extern \"C\" void *__cc_sym_%s(void) { return (void *)&%s; }\n", d->name, d->name);
    cc_sitem *si = new_item(g, CC_SI_DEVVAR, false);
    if (!si) return;
    item_key(g, si, d->name);
    unsigned cuda = CC_F_DEVICE | CC_F_CONSTANT | CC_F_MANAGED | CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE;
    si->text = decl_renamed(g, it, d, cuda, d->name);
    char tname[300];
    snprintf(tname, sizeof tname, "__cc_t_%s", d->name);
    si->tdef = decl_renamed(g, it, d, cuda, tname);
    si->decl = decl_renamed(g, it, d, CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE, d->name);
}

static void gen_var(gen *g, const cc_item *it, const cc_declarator *d)
{
    unsigned drop = CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE;
    if (g->cxx && (it->flags & (CC_F_DEVICE | CC_F_CONSTANT | CC_F_MANAGED | CC_F_SHARED))) {
        gen_devvar(g, it, d);
        return;
    }
    bool declaration = (it->flags & CC_F_EXTERN) && !d->has_init;
    cc_sitem *si = new_item(g, CC_SI_VAR, declaration);
    if (si) {
        item_key(g, si, d->name);
        si->text = decl_renamed(g, it, d, drop | CC_F_THREAD, d->name);
        if ((it->flags & CC_F_THREAD) && si->text) {
            char *t = malloc(strlen(si->text) + 16);
            if (t) { sprintf(t, "_Thread_local %s", si->text); free(si->text); si->text = t; }
        }
        si->decl = si->text ? strdup(si->text) : NULL;
    }
    if (declaration) {
        add_pos(g, &g->file, it->first);
        char *t = decl_renamed(g, it, d, drop, d->name);
        cg_add(&g->file, g->cxx ? "extern \"C\" { extern " : "extern ");
        cg_add_labeled(&g->file, t, cg_ids_has(&g->defs, d->name, strlen(d->name)) ? d->name : NULL);
        cg_add(&g->file, g->cxx ? "; }\n" : ";\n");
        free(t);
        return;
    }
    /* C++ (CUDA cells): `extern "C" { extern T x = init; }` defines with C
     * linkage even when T is const; a bare `extern "C" T x;` only declares */
    bool keep_init = d->has_init && (d->top_const || d->incomplete_array || (it->flags & CC_F_AUTO_TYPE) ||
                                     init_needs_static_literal(g, d->init_first, d->init_end) ||
                                     (!d->is_func && type_is_flexible(g, it) && !cc_tok_is(&g->cell, d->name_tok - 1, "*")));
    char *def = decl_renamed(g, it, d, drop, d->name);
    add_pos(g, &g->file, it->first);
    if (g->cxx) cg_add(&g->file, keep_init ? "extern \"C\" { extern " : "extern \"C\" { ");
    cg_add_labeled(&g->file, def, d->name);
    free(def);
    if (keep_init) add_init(g, &g->file, d);
    cg_add(&g->file, g->cxx ? "; }\n" : ";\n");
    if (keep_init) return;
    g->has_run = true;
    if (!d->has_init) {
        add_pos(g, &g->run, d->name_tok);
        cg_addf(&g->run, "__builtin_memset((void *)&%s, 0, sizeof %s);\n", d->name, d->name);
        return;
    }
    /* { T tmp = init; memcpy(&name, &tmp, sizeof name); } — at the
     * declaration's place, so it runs in order with the statements */
    /* the variable's own type, without re-spelling its attributes (gcc
     * rejects `used`, `section`, … on a local) */
    add_pos(g, &g->run, it->first);
    cg_addf(&g->run, "{ __typeof__(%s) __cc_tmp", d->name);
    add_init(g, &g->run, d);
    cg_addf(&g->run, "; __builtin_memcpy((void *)&%s, (const void *)&__cc_tmp, sizeof %s); }\n", d->name, d->name);
}

static void gen_proto(gen *g, const cc_item *it, const cc_declarator *d)
{
    unsigned drop = CC_F_STATIC | CC_F_INLINE;
    bool material = is_material(g, it->flags);
    bool kernel = g->cxx && (it->flags & CC_F_GLOBAL) && !material;
    if (g->cxx && !material && !(it->flags & CC_F_EXTERN_C))
        cg_add(&g->file, kernel ? "extern \"C\" " CG_VISIBLE "\n" : "extern \"C\"\n");
    add_pos(g, &g->file, it->first);
    char *t = proto_text(g, it, d, material ? 0 : drop);
    cg_add_labeled(&g->file, t, !material && !kernel && cg_ids_has(&g->defs, d->name, strlen(d->name)) ? d->name : NULL);
    cg_add(&g->file, ";\n");
    if (material || (!g->cxx && (it->flags & (CC_F_GLOBAL | CC_F_DEVICE)))) { free(t); return; }
    cc_sitem *si = new_item(g, kernel ? CC_SI_KERNEL : CC_SI_FUNC, true);
    if (!si) { free(t); return; }
    item_key(g, si, d->name);
    char *clean = proto_text(g, it, d, drop | CC_F_EXTERN);
    si->text = clean;
    si->decl = clean ? strdup(clean) : NULL;
    free(t);
}

static void gen_decl(gen *g, const cc_item *it)
{
    if (it->has_body && it->tag) {   /* struct S {...} s; -> the type on its own */
        add_pos(g, &g->file, it->body_first);
        add_slice(g, &g->file, it->body_first, it->body_end);
        cg_add(&g->file, ";\n");
        cc_sitem *si = new_item(g, CC_SI_TYPE, false);
        if (si) {
            type_keys(g, si, it, false);
            cg_buf t = {0};
            add_slice(g, &t, it->body_first, it->body_end);
            cg_add(&t, ";");
            si->text = t.s;
            si->decl = t.s ? strdup(t.s) : NULL;
        }
    }
    for (size_t k = 0; k < it->n_decls; k++) {
        const cc_declarator *d = &it->decls[k];
        if (d->is_func) gen_proto(g, it, d);
        else gen_var(g, it, d);
    }
}

/* A statement that is an expression (so it has a value to show): not one
 * starting with a statement keyword, not a label. */
static bool is_expression(const gen *g, const cc_item *it)
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
static void gen_show(gen *g, const cc_item *it)
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
    int line = nb_line(g, it->first);
    bool in_pad = plain && pad >= olen;
    bool before = !in_pad && !g->cxx && line > 1;   /* the name on the line before */
    cg_addf(&g->run, "#line %d \"cell\"\n", before ? line - 1 : line);
    g->show_off = g->run.len;
    g->show_len = olen - 2;   /* the name, without "((": cells.c may swap it */
    if (in_pad) {
        cg_addf(&g->run, "%s%*s", open, (int)(pad - olen), "");
    } else if (before) {
        cg_addf(&g->run, "%s\n", open);
        for (const char *p = ls; p < g->code + t->off; p++)
            if (((unsigned char)*p & 0xC0) != 0x80) cg_add(&g->run, *p == '\t' ? "\t" : " ");
    } else {
        cg_add(&g->run, open);   /* columns shift a little */
    }
    add_slice(g, &g->run, it->first, it->end);
    g->show_close = g->run.len;
    cg_add(&g->run, "));");
}

static void gen_stmt(gen *g, const cc_item *it)
{
    bool tail = it->no_semicolon && !cc_tok_is(&g->cell, it->end - 1, "}");
    if (tail && is_expression(g, it)) {
        gen_show(g, it);
    } else {
        add_pos(g, &g->run, it->first);
        add_slice(g, &g->run, it->first, it->end);
        if (tail) cg_add(&g->run, ";");
    }
    if (tail) {
        free(g->pv->tail_expr);
        g->pv->tail_expr = slice_dup(g, it->first, it->end);
    }
    cg_add(&g->run, "\n");
    g->has_run = true;
}

static void gen_other(gen *g, const cc_item *it)
{
    add_pos(g, &g->file, it->first);
    add_slice(g, &g->file, it->first, it->end);
    cg_add(&g->file, "\n");
    if (g->cxx && cc_tok_is(&g->cell, it->first, "using")) {
        cc_sitem *si = new_item(g, CC_SI_MATERIAL, true);
        if (!si) return;
        si->text = slice_dup(g, it->first, it->end);
        item_key(g, si, si->text ? si->text : "using");
        si->decl = si->text ? strdup(si->text) : NULL;
    }
}

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
static void gen_devlinks(gen *g, const bool *used, cg_buf *hdr, cg_buf *entry_pre)
{
    const cg_view *v = g->v;
    cg_buf fill = {0};
    for (size_t i = 0; i < v->n_items; i++) {
        if (!used[i] || v->items[i].kind != CC_SI_DEVVAR) continue;
        const char *n = v->items[i].keys[0];
        cg_addf(&fill, "    p = 0; cudaGetSymbolAddress(&p, (const void *)__cc_sym_%s()); "
                       "cudaMemcpyToSymbol(__cc_p_%s, &p, sizeof p);\n", n, n);
    }
    for (size_t c = 0; c < v->n_cells; c++) {
        if (!v->cells[c].devlink || !cell_is_live(v, v->cells[c].soname)) continue;
        cg_addf(hdr, "extern \"C\" void %s(void);\n", v->cells[c].devlink);
        cg_addf(entry_pre, "    %s();\n", v->cells[c].devlink);
    }
    if (fill.s) {
        char sym[64];
        unsigned long long h = fnv64(g->code, 1469598103934665603ull);
        h = fnv64(hdr->s ? hdr->s : "", h);
        snprintf(sym, sizeof sym, "__cc_devlink_%016llx", h);
        g->pv->devlink = strdup(sym);
        g->has_run = true;     /* fill this cell's pointers once, right away */
        cg_addf(hdr, "extern \"C\" void %s(void)\n{\n    void *p;\n%s}\n", sym, fill.s);
        cg_addf(entry_pre, "    %s();\n", sym);
    }
    free(fill.s);
}

static void gen_entry(gen *g, cg_buf *out, const char *pre)
{
    cg_add(out, "#line 1 \"<cudacell>\"\n");
    cg_addf(out, "%sint " CC_CELL_ENTRY "(int argc, char **argv)\n{\n    (void)argc; (void)argv;\n",
            g->cxx ? "extern \"C\" " : "");
    cg_add(out, pre);
    if (g->show_len) {
        g->pv->show_at = out->len + g->show_off;
        g->pv->show_len = g->show_len;
        g->pv->show_close = out->len + g->show_close;
    }
    if (g->run.s) cg_add(out, g->run.s);
    cg_add(out, "#line 1 \"<cudacell>\"\n");
    if (g->has_main) {
        if (g->main_args == 3) cg_add(out, "    { extern char **environ;\n");
        const char *args = g->main_args == 3 ? "argc, argv, environ" : g->main_args == 2 ? "argc, argv" : "";
        const char *fn = g->cxx ? "__cc_main" : "main";
        if (g->main_void) cg_addf(out, "    %s(%s);\n    return 0;\n", fn, args);
        else cg_addf(out, "    return %s(%s);\n", fn, args);
        if (g->main_args == 3) cg_add(out, "    }\n");
    } else {
        cg_add(out, "    return 0;\n");
    }
    cg_add(out, "}\n");
}

/* Field-by-field formatters for the structs the cell can see (its own and
 * the session's), so its last expression shows {x = 1, y = 2.5}. */
static void gen_formatters(gen *g, const bool *used, cg_buf *out)
{
    const cg_view *v = g->v;
    size_t n = 0, cap = v->n_items + g->pv->n_items;
    const char **texts = malloc((cap ? cap : 1) * sizeof *texts);
    if (!texts) { out->oom = true; return; }
    for (size_t i = 0; i < v->n_items; i++)
        if (used[i] && v->items[i].kind == CC_SI_TYPE && !v->items[i].weak) texts[n++] = v->items[i].text;
    for (size_t i = 0; i < g->pv->n_items; i++)
        if (g->pv->items[i].kind == CC_SI_TYPE && !g->pv->items[i].weak) texts[n++] = g->pv->items[i].text;
    cv_formatters(texts, n, g->cxx, v->is_type, v->is_type_ctx, out);
    free(texts);
}

/* The user's own asm label on a declarator of `name` in this cell
 * (`__asm__("sym")`, malloc'd), or NULL. Such a name keeps the user's symbol. */
static char *user_label(const gen *g, const char *name)
{
    const cc_cell *c = &g->cell;
    for (size_t i = 0; i < c->n_items; i++) {
        const cc_item *it = &c->items[i];
        if (it->kind != CC_ITEM_DECL && it->kind != CC_ITEM_FUNC) continue;
        for (size_t k = 0; k < it->n_decls; k++) {
            const cc_declarator *d = &it->decls[k];
            if (strcmp(d->name, name) != 0) continue;
            for (size_t t = d->name_tok + 1; t + 1 < d->end; t++)
                if ((cc_tok_is(c, t, "__asm__") || cc_tok_is(c, t, "__asm") || cc_tok_is(c, t, "asm")) &&
                    cc_tok_is(c, t + 1, "(") && c->toks[t + 1].match > (int)t)
                    return slice_dup(g, t, (size_t)c->toks[t + 1].match + 1);
        }
    }
    return NULL;
}

static bool has_user_label(const gen *g, const char *name)
{
    char *l = user_label(g, name);
    free(l);
    return l != NULL;
}

/* Names of the host functions and variables the cell defines. */
static void collect_defs(gen *g)
{
    for (size_t i = 0; i < g->cell.n_items; i++) {
        const cc_item *it = &g->cell.items[i];
        if (it->kind == CC_ITEM_FUNC) {
            const char *n = it->decls[0].name;
            if ((strcmp(n, "main") == 0 && g->cxx) || is_material(g, it->flags) || it->has_body ||
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
static int gen_items(gen *g)
{
    collect_defs(g);
    plan_replay(g);
    for (size_t i = 0; i < g->cell.n_items; i++) {
        const cc_item *it = &g->cell.items[i];
        if (i % CC_CANCEL_EVERY == CC_CANCEL_EVERY - 1 && cc_cancelled(g->v->cancel)) return -1;
        switch (it->kind) {
        case CC_ITEM_PREPROC: gen_preproc(g, it); break;
        case CC_ITEM_TYPE: gen_type(g, it); break;
        case CC_ITEM_FUNC: gen_func(g, it); break;
        case CC_ITEM_DECL: gen_decl(g, it); break;
        case CC_ITEM_STMT: gen_stmt(g, it); break;
        case CC_ITEM_OTHER: gen_other(g, it); break;
        }
    }
    end_replay(g);
    return 0;
}

static void collect_refs(const gen *g, cg_ids *refs)
{
    for (size_t i = 0; i < g->cell.n_toks; i++) {
        const cc_tok *t = &g->cell.toks[i];
        if (t->kind == CC_TOK_IDENT) cg_ids_add(refs, g->code + t->off, (size_t)t->len);
    }
    for (size_t i = 0; i < g->cell.n_items; i++) {   /* macro bodies of the cell */
        const cc_item *it = &g->cell.items[i];
        if (it->kind != CC_ITEM_PREPROC || it->pp == CC_PP_INCLUDE) continue;
        char *s = slice_dup(g, it->first, it->end);
        if (s) { cg_ids_scan(refs, s); free(s); }
    }
    for (size_t i = 0; i < g->v->n_items; i++) {
        const cc_sitem *it = &g->v->items[i];
        if (it->kind == CC_SI_MACRO || (it->kind == CC_SI_MATERIAL && g->cxx)) cg_ids_scan(refs, it->text);
    }
}

int cg_generate(const cg_view *v, const char *code, int first_line, cc_lang lang, cc_plan *p, char **err)
{
    gen g = { .v = v, .code = code, .first_line = first_line, .lang = lang, .cxx = lang == CC_LANG_CUDA };
    *err = NULL;
    if (cc_cell_split_cancel(code, v->is_type, v->is_type_ctx, v->cancel, &g.cell, err)) return -1;
    g.pv = calloc(1, sizeof *g.pv);
    bool *used = calloc(v->n_items + 1, sizeof *used);
    if (!g.pv || !used) { free(used); free(g.pv); cc_cell_free(&g.cell); *err = strdup("Out of memory."); return -1; }
    p->priv = g.pv;
    if (gen_items(&g)) {
        cg_ids_free(&g.own);
        cg_ids_free(&g.defs);
        cg_ids_free(&g.replay);
        free(g.file.s); free(g.run.s); free(g.glue.s);
        free(used);
        cc_cell_free(&g.cell);
        *err = strdup(CC_CANCELLED_MSG);
        return -1;
    }

    /* what the cell can reach: its identifiers, macro bodies, CUDA material */
    cg_ids refs = {0};
    collect_refs(&g, &refs);
    cg_buf hdr = {0}, pre = {0}, out = {0}, hidden = {0};
    cg_header(v, lang, &g.own, &refs, &hdr, used, &hidden);
    p->c_hidden = hidden.s;
    if (g.cxx) gen_devlinks(&g, used, &hdr, &pre);

    cg_add(&out, "/* generated by cudacell: one notebook cell */\n");
    /* The prelude: the headers nearly every cell wants, so printf, malloc,
     * uint8_t and bool work without an #include (README). */
    cg_add(&out, "#line 1 \"<prelude>\"\n" CC_CELL_PRELUDE);
    if (g.cxx) cg_add(&out, "#include <cuda_runtime.h>\n#ifndef restrict\n#define restrict __restrict__\n#endif\n");
    if (hdr.s) cg_add(&out, hdr.s);
    if (g.file.s) cg_add(&out, g.file.s);
    if (g.glue.s) { cg_add(&out, "#line 1 \"<cudacell>\"\n"); cg_add(&out, g.glue.s); }
    if (g.shows) gen_formatters(&g, used, &out);
    gen_entry(&g, &out, pre.s ? pre.s : "");

    int rc = cg_deps(v, lang, used, &refs, p);
    p->has_main = g.has_main;
    p->has_run = g.has_run;
    bool oom = out.oom || hdr.oom || g.file.oom || g.run.oom || rc;
    p->source = out.s;
    free(hdr.s); free(pre.s); free(g.file.s); free(g.run.s); free(g.glue.s);
    cg_ids_free(&refs);
    cg_ids_free(&g.own);
    cg_ids_free(&g.defs);
    cg_ids_free(&g.replay);
    free(used);
    cc_cell_free(&g.cell);
    if (oom || !p->source) { *err = strdup("Out of memory while generating the cell's code."); return -1; }
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
    cc_plan *p = calloc(1, sizeof *p);
    if (!p) { if (err) *err = strdup("Out of memory."); return NULL; }
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

/* ---- CUDA detection ----------------------------------------------------- */

bool cc_cell_is_cuda(const char *code)
{
    cc_tok *t;
    size_t n;
    if (!code || cc_tokenize(code, &t, &n, NULL)) return false;
    bool cuda = false;
    for (size_t i = 0; i < n && !cuda; i++) {
        const char *s = code + t[i].off;
        size_t l = (size_t)t[i].len;
#define IS(w) (l == sizeof(w) - 1 && memcmp(s, w, l) == 0)
        if (t[i].kind == CC_TOK_IDENT)
            cuda = IS("__global__") || IS("__device__") || IS("__constant__") || IS("__shared__") ||
                   IS("__managed__");
        else if (t[i].kind == CC_TOK_PUNCT)
            cuda = IS("<<<");
#undef IS
    }
    free(t);
    return cuda;
}
