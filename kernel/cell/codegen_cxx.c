/* kernel/cell/codegen_cxx.c — the C++ side of code generation (units of a
 * CUDA C++ session, nvcc's and the host compiler's alike): what C does not
 * have and the C paths of codegen_items.c / codegen_decl.c would get wrong.
 * Functions (C or C++ linkage, overload keys) are codegen_cxx_fn.c.
 *   - out-of-class definitions (`int C::get() const {…}`, `int C::n = 5;`)
 *     are defined once, in their cell, whose object every later C++ unit
 *     links (the class body already declares them);
 *   - namespaces, `using`, constexpr variables and lambdas held in globals
 *     are header material: re-emitted in full into every later C++ unit;
 *   - variables of class type (and every variable with a constructor-style
 *     or brace initializer) are constructed in place, at their place in the
 *     cell, into storage that carries the variable's symbol; re-running the
 *     cell destroys the old object first.
 * Returns false where the C path should handle the item. */
#include "codegen_gen.h"
#include "cellsplit.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------- */

bool cg_cxx_type_word(const cg_gen *g, size_t tok)
{
    static const char *const kw[] = { "int", "char", "short", "long", "float", "double", "signed",
                                      "unsigned", "bool", "void", "const", "volatile", NULL };
    for (size_t q = 0; kw[q]; q++)
        if (cc_tok_is(&g->cell, tok, kw[q])) return true;
    return false;
}

bool cg_cxx_qualified(const cg_gen *g, const cc_declarator *d)
{
    return cc_tok_is(&g->cell, d->name_tok + 1, "::");
}

static bool spec_has(const cg_gen *g, const cc_item *it, const char *w)
{
    for (size_t k = it->first; k < it->spec_end; k++)
        if (cc_tok_is(&g->cell, k, w)) return true;
    return false;
}

/* The qualified name of an out-of-class definition: "C::get". */
char *cg_cxx_qualified_name(const cg_gen *g, const cc_declarator *d, size_t *after)
{
    size_t k = d->name_tok;
    while (k + 2 < d->end && cc_tok_is(&g->cell, k + 1, "::")) k += 2;
    if (cc_tok_is(&g->cell, k, "operator")) {   /* C::operator+= */
        while (k + 1 < d->end && !cc_tok_is(&g->cell, k + 1, "(")) k++;
    }
    *after = k + 1;
    char *s = cc_toks_join(&g->cell, d->name_tok, k + 1, CG_NONE, CG_NONE, 0);
    /* "C :: get" → "C::get" */
    char *w = s;
    for (char *r = s; r && *r; r++) if (*r != ' ') *w++ = *r;
    if (w) *w = '\0';
    return s;
}

/* A definition emitted only here; later C++ units link its object. */
void cg_cxx_link_only(cg_gen *g, const char *key)
{
    cc_sitem *si = cg_new_item(g, CC_SI_MATERIAL, false);
    cg_item_key(g, si, key);
    si->refname = cc_xstrndup(key, strcspn(key, "("));   /* "C::get" */
    si->text = cc_xstrdup("");
    si->link_always = true;
}

/* ---- material: namespaces, using, constexpr, lambdas ------------------- */

/* Names declared at the top of a namespace body, for its keys: each one
 * after a newline. */
static void body_names(const cg_gen *g, size_t open, cc_strbuf *b)
{
    const cc_cell *c = &g->cell;
    if (c->toks[open].match < 0) return;
    size_t close = (size_t)c->toks[open].match;
    char *body = cc_xstrndup(g->code + c->toks[open].off + 1,
                             (size_t)(c->toks[close].off - c->toks[open].off - 1));
    cc_cell in;
    char *err = NULL;
    if (cc_cell_split(body, NULL, NULL, &in, &err) == 0) {
        for (size_t i = 0; i < in.n_items; i++) {
            const cc_item *x = &in.items[i];
            if (x->tag) cc_strbuf_printf(b, "\n%s", x->tag);
            for (size_t k = 0; k < x->n_decls; k++) cc_strbuf_printf(b, "\n%s", x->decls[k].name);
            if (x->kind == CC_ITEM_OTHER || x->kind == CC_ITEM_TYPE) {
                char *t = cc_toks_join(&in, x->first, x->first + 3 < x->end ? x->first + 3 : x->end,
                                       CG_NONE, CG_NONE, 0);
                cc_strbuf_printf(b, "\n[%s]", t ? t : "");
                free(t);
            }
        }
        cc_cell_free(&in);
    }
    free(err);
    free(body);
}

/* The header form of a namespace block for later units: its variables
 * become extern declarations, so every cell shares the defining cell's
 * objects (*has_vars then says its object must be linked); functions,
 * types and nested namespaces (likewise) stay as written. malloc'd. */
static char *namespace_header(const char *text, bool *has_vars)
{
    cc_tok *t;
    size_t n;
    if (cc_tokenize(text, &t, &n, NULL)) return cc_xstrdup(text);
    size_t open = 0;
    while (open < n && !(t[open].kind == CC_TOK_PUNCT && t[open].len == 1 && text[t[open].off] == '{')) open++;
    if (open == n || t[open].match < 0) { free(t); return cc_xstrdup(text); }
    size_t close = (size_t)t[open].match;
    int body_off = t[open].off + 1, body_end = t[close].off;
    free(t);
    cc_strbuf out = {0};
    cc_strbuf_addn(&out, text, (size_t)body_off);
    char *body = cc_xstrndup(text + body_off, (size_t)(body_end - body_off));
    cc_cell in;
    char *err = NULL;
    if (cc_cell_split(body, NULL, NULL, &in, &err) != 0) {
        cc_strbuf_add(&out, body);
    } else {
        for (size_t i = 0; i < in.n_items; i++) {
            const cc_item *x = &in.items[i];
            const cc_tok *a = &in.toks[x->first], *z = &in.toks[x->end - 1];
            const char *xt = body + a->off;
            size_t xl = (size_t)(z->off + z->len - a->off);
            bool var = x->kind == CC_ITEM_DECL && x->n_decls &&
                       !(x->flags & (CC_F_TYPEDEF | CC_F_STATIC | CC_F_EXTERN | CC_F_TEMPLATE | CC_F_THREAD)) &&
                       !x->has_body;
            for (size_t k = x->first; var && k < x->spec_end; k++)
                var = !cc_tok_is(&in, k, "constexpr") && !cc_tok_is(&in, k, "const") && !cc_tok_is(&in, k, "auto") &&
                      !cc_tok_is(&in, k, "inline") && !cc_tok_is(&in, k, "using");
            for (size_t k = 0; var && k < x->n_decls; k++) {
                const cc_declarator *d = &x->decls[k];
                size_t p = d->name_tok + 1;   /* `T v(3)` is a variable, `T f(int)` a function */
                bool ctor = d->is_func && cc_tok_is(&in, p, "(") && p + 1 < in.n_toks &&
                            (in.toks[p + 1].kind == CC_TOK_NUMBER || in.toks[p + 1].kind == CC_TOK_STRING ||
                             in.toks[p + 1].kind == CC_TOK_CHAR);
                var = (!d->is_func || ctor) && !d->top_const;
            }
            if (var) {
                char *spec = cc_toks_join(&in, x->first, x->spec_end, CG_NONE, CG_NONE, 0);
                for (size_t k = 0; k < x->n_decls; k++) {
                    size_t e = x->decls[k].name_tok + 1;   /* the declarator up to `(args)` / `{…}` */
                    while (e < x->decls[k].end && !cc_tok_is(&in, e, "(") && !cc_tok_is(&in, e, "{")) e++;
                    if (e < x->decls[k].end && cc_tok_is(&in, e, "(") && !x->decls[k].is_func) e = x->decls[k].end;
                    char *d = cc_toks_join(&in, x->decls[k].first, e, CG_NONE, CG_NONE, 0);
                    cc_strbuf_printf(&out, " extern %s %s;", spec ? spec : "", d ? d : "");
                    free(d);
                }
                free(spec);
                *has_vars = true;
            } else if (x->kind == CC_ITEM_OTHER && (cc_tok_is(&in, x->first, "namespace") ||
                                                    (cc_tok_is(&in, x->first, "inline") &&
                                                     cc_tok_is(&in, x->first + 1, "namespace")))) {
                char *sub = cc_xstrndup(xt, xl);
                char *h = namespace_header(sub, has_vars);
                cc_strbuf_printf(&out, " %s", h);
                free(h);
                free(sub);
            } else {
                cc_strbuf_add(&out, " ");
                cc_strbuf_addn(&out, xt, xl);
            }
        }
        cc_strbuf_add(&out, " ");
        cc_cell_free(&in);
    }
    free(err);
    free(body);
    cc_strbuf_add(&out, text + body_end);
    return out.s;
}

cc_sitem *cg_cxx_material(cg_gen *g, const cc_item *it, const char *key, const char *prefix)
{
    cg_add_pos(g, &g->file, it->first);
    cc_strbuf_add(&g->file, prefix);
    cg_add_slice(g, &g->file, it->first, it->end);
    cc_strbuf_add(&g->file, "\n");
    cc_sitem *si = cg_new_item(g, CC_SI_MATERIAL, false);
    cg_item_key(g, si, key);
    cc_strbuf t = {0};
    cc_strbuf_add(&t, prefix);
    char *s = cg_slice_dup(g, it->first, it->end);
    cc_strbuf_add(&t, s ? s : "");
    free(s);
    si->text = t.s;
    si->decl = cc_xstrdup(t.s ? t.s : "");
    return si;
}

bool cg_cxx_other(cg_gen *g, const cc_item *it)
{
    if (!g->cxx) return false;
    const cc_cell *c = &g->cell;
    cc_strbuf key = {0}, names = {0};   /* a namespace block: one key per name it declares */
    char *shown = NULL;   /* the namespace's name, as %who and completion show it */
    if (cc_tok_is(c, it->first, "namespace") || (cc_tok_is(c, it->first, "inline") && cc_tok_is(c, it->first + 1, "namespace"))) {
        size_t nt = it->first + (cc_tok_is(c, it->first, "inline") ? 2 : 1);
        if (nt < it->end && c->toks[nt].kind == CC_TOK_IDENT) shown = cc_tok_str(c, nt);
        size_t k = it->first;
        while (k < it->end && !cc_tok_is(c, k, "{") && !cc_tok_is(c, k, "=")) k++;
        char *nm = cc_toks_join(c, it->first, k, CG_NONE, CG_NONE, 0);
        cc_strbuf_printf(&key, "%s {", nm ? nm : "namespace");
        free(nm);
        if (k < it->end && cc_tok_is(c, k, "{")) body_names(g, k, &names);
    } else if (cc_tok_is(c, it->first, "using")) {
        size_t k = it->first + 1;
        if (k + 1 < it->end && c->toks[k].kind == CC_TOK_IDENT && cc_tok_is(c, k + 1, "=")) {
            char *nm = cc_tok_str(c, k);   /* using F = float;  key "F", as a typedef's */
            cc_strbuf_add(&key, nm);
            free(nm);
        } else {
            char *t = cc_toks_join(c, it->first, it->end, CG_NONE, CG_NONE, 0);
            cc_strbuf_add(&key, t ? t : "using");
            free(t);
        }
    } else {
        return false;
    }
    /* A namespace block is keyed by each name it declares ("util { clampi",
     * "util { twice"): a later block declaring one of them replaces it
     * whole (newest definition wins), one declaring only new names adds to it. */
    cc_sitem *si = NULL;
    for (const char *n = names.s; n && *n; ) {
        const char *e = strchr(n + 1, '\n');
        size_t len = e ? (size_t)(e - n) : strlen(n);
        char *k = cc_xasprintf("%s %.*s", key.s, (int)(len - 1), n + 1);
        if (!si) si = cg_cxx_material(g, it, k, "");
        else cg_item_key(g, si, k);
        free(k);
        n += len;
    }
    free(names.s);
    if (!si) si = cg_cxx_material(g, it, key.s, "");
    if (si && shown) si->refname = shown;
    else free(shown);
    if (si && cc_tok_is(c, it->first + (cc_tok_is(c, it->first, "inline") ? 1 : 0), "namespace")) {
        bool vars = false;   /* its variables live in this cell's object; later units declare them */
        char *h = namespace_header(si->text, &vars);
        free(si->text);
        si->text = h;
        si->link_always = vars;
    }
    free(key.s);
    return true;
}

/* ---- variables --------------------------------------------------------- */

/* A lambda held in a global (`auto f = [](int x) { … };`): stateless, so
 * every later unit gets its own copy. */
static bool is_lambda(const cg_gen *g, const cc_item *it, const cc_declarator *d)
{
    return d->has_init && spec_has(g, it, "auto") && cc_tok_is(&g->cell, d->init_first, "[");
}

/* Where the initializer of a declarator of class style starts: `(` of
 * `T x(args)` (parsed as a function declarator), `{` of `T x{…}`; 0 when
 * neither. */
static size_t direct_init(const cg_gen *g, const cc_declarator *d)
{
    size_t k = d->name_tok + 1;
    if (k >= d->end) return 0;
    if (cc_tok_is(&g->cell, k, "{")) return k;
    if (d->is_func && cc_tok_is(&g->cell, k, "(")) {
        /* `Vec v(1, 2)`, not `int f(int)`: an argument that is not a type */
        const cc_cell *c = &g->cell;
        if (c->toks[k].match == (int)k + 1) return 0;   /* T x(): a function */
        const cc_tok *a = &c->toks[k + 1];
        if (a->kind == CC_TOK_NUMBER || a->kind == CC_TOK_STRING || a->kind == CC_TOK_CHAR) return k;
        if (cc_tok_is(c, k + 1, "-") || cc_tok_is(c, k + 1, "&") || cc_tok_is(c, k + 1, "{") ||
            cc_tok_is(c, k + 1, "nullptr") || cc_tok_is(c, k + 1, "true") || cc_tok_is(c, k + 1, "false"))
            return k;
        if (a->kind == CC_TOK_IDENT && !cc_tok_keyword_flag(c, k + 1)) {
            char *w = cc_tok_str(c, k + 1);
            bool type = g->v->is_type && g->v->is_type(g->v->is_type_ctx, w, strlen(w));
            static const char *const more[] = { "struct", "class", "typename", "auto", "size_t", NULL };
            type |= cg_cxx_type_word(g, k + 1);
            for (size_t q = 0; more[q]; q++) type |= strcmp(w, more[q]) == 0;
            free(w);
            /* `Vec v(a)`, `Vec v(a + 1, b)`: a name that is not a type, then not a declarator */
            if (!type && (k + 2 >= c->n_toks || !(c->toks[k + 2].kind == CC_TOK_IDENT)) &&
                !cc_tok_is(c, k + 2, "*") && !cc_tok_is(c, k + 2, "::") && !cc_tok_is(c, k + 2, "<"))
                return k;
        }
    }
    return 0;
}

/* Whether a plain `T x;` / `T x = e;` is of a C++ type (one the C path's
 * zero-and-copy would break): std::/template types, or a class of the
 * session or cell with members functions. */
static bool cxx_type(const cg_gen *g, const cc_item *it)
{
    for (size_t k = it->first; k < it->spec_end; k++)
        if (cc_tok_is(&g->cell, k, "::") || cc_tok_is(&g->cell, k, "<")) return true;
    for (size_t k = it->first; k < it->spec_end; k++) {
        if (g->cell.toks[k].kind != CC_TOK_IDENT || cc_tok_keyword_flag(&g->cell, k)) continue;
        char *w = cc_tok_str(&g->cell, k);
        for (size_t i = 0; w && i < g->v->n_items; i++) {
            const cc_sitem *si = &g->v->items[i];
            if (si->kind != CC_SI_TYPE || !si->cuda || !strchr(si->text, '(')) continue;
            for (size_t q = 0; q < si->n_keys; q++) {
                const char *sp = strchr(si->keys[q], ' ');
                if (strcmp(sp ? sp + 1 : si->keys[q], w) == 0) { free(w); return true; }
            }
        }
        for (size_t i = 0; w && i < g->cell.n_items; i++) {
            const cc_item *o = &g->cell.items[i];
            if (o->kind != CC_ITEM_TYPE || !o->tag) continue;
            const char *sp = strchr(o->tag, ' ');
            if (strcmp(sp ? sp + 1 : o->tag, w) != 0) continue;
            char *t = cg_slice_dup(g, o->first, o->end);
            bool fn = t && strchr(t, '(');
            free(t);
            if (fn) { free(w); return true; }
        }
        free(w);
    }
    return false;
}

bool cg_cxx_var(cg_gen *g, const cc_item *it, const cc_declarator *d)
{
    if (!g->cxx || (it->flags & (CC_F_DEVICE | CC_F_CONSTANT | CC_F_MANAGED | CC_F_SHARED | CC_F_THREAD)))
        return false;
    if (cg_cxx_qualified(g, d)) {   /* int C::count = 5;  (a static data member) */
        size_t after;
        char *q = cg_cxx_qualified_name(g, d, &after);
        cg_add_pos(g, &g->file, it->first);
        cg_add_slice(g, &g->file, it->first, it->end);
        cc_strbuf_add(&g->file, "\n");
        cg_cxx_link_only(g, q);
        free(q);
        return true;
    }
    if (spec_has(g, it, "constexpr") || is_lambda(g, it, d)) {
        cg_cxx_material(g, it, d->name, is_lambda(g, it, d) && !(it->flags & CC_F_STATIC) ? "static " : "");
        return true;
    }
    if ((it->flags & CC_F_EXTERN) && !d->has_init) return false;
    if (d->has_init && !d->is_func) {   /* a reference: bound where it is defined */
        bool ref = false;
        for (size_t k = d->first; k < d->name_tok; k++)
            ref |= cc_tok_is(&g->cell, k, "&") || cc_tok_is(&g->cell, k, "&&");
        if (ref) {
            unsigned drop = CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE;
            char *spec = cc_toks_join(&g->cell, it->first, it->spec_end, CG_NONE, CG_NONE, drop);
            char *decl = cc_toks_join(&g->cell, d->first, d->end, CG_NONE, CG_NONE, 0);
            char *text = cc_xasprintf("%s %s", spec ? spec : "", decl ? decl : "");
            free(spec);
            free(decl);
            cg_add_pos(g, &g->file, it->first);
            cg_add_labeled(&g->file, text, d->name);
            cc_strbuf_add(&g->file, " =\n");
            cg_add_pos(g, &g->file, d->init_first);
            cg_add_slice(g, &g->file, d->init_first, d->init_end);
            cc_strbuf_add(&g->file, ";\n");
            cc_sitem *si = cg_new_item(g, CC_SI_VAR, false);
            cg_item_key(g, si, d->name);
            si->text = text;
            si->decl = cc_xstrdup(text);
            return true;
        }
    }
    char *text;
    size_t di = 0;
    if (spec_has(g, it, "auto")) {
        /* `auto x = e;`: the type auto deduces, spelled so later units can
         * say it: decltype(__cc_auto_type(e)) (a by-value template
         * parameter deduces exactly as auto does; declared in the prelude) */
        if (!d->has_init || d->is_func || d->name_tok != d->first || d->end != d->name_tok + 1 ||
            cc_tok_is(&g->cell, d->init_first, "{") || d->top_const)
            return false;
        for (size_t k = it->first; k < it->spec_end; k++)
            if (!cc_tok_is(&g->cell, k, "auto") && !cc_tok_is(&g->cell, k, "static")) return false;
        char *init = cc_toks_join(&g->cell, d->init_first, d->init_end, CG_NONE, CG_NONE, 0);
        text = cc_xasprintf("decltype(__cc_auto_type(%s)) %s", init ? init : "0", d->name);
        free(init);
    } else {
        di = direct_init(g, d);
        if (!di && (d->is_func || !cxx_type(g, it))) return false;
        for (size_t k = d->first; k < (di ? di : d->end); k++)   /* arrays and references: the C path */
            if (cc_tok_is(&g->cell, k, "[") || cc_tok_is(&g->cell, k, "&") || cc_tok_is(&g->cell, k, "&&"))
                return false;
        if (d->top_const) return false;
        size_t dend = di ? di : d->end;
        unsigned drop = CC_F_STATIC | CC_F_EXTERN | CC_F_INLINE;
        char *spec = cc_toks_join(&g->cell, it->first, it->spec_end, CG_NONE, CG_NONE, drop);
        char *decl = cc_toks_join(&g->cell, d->first, dend, CG_NONE, CG_NONE, 0);
        text = cc_xasprintf("%s %s", spec ? spec : "", decl ? decl : "");
        free(spec);
        free(decl);
    }
    const char *n = d->name;
    /* the typed declaration and the storage that carries its symbol */
    cg_add_pos(g, &g->file, it->first);
    cc_strbuf_add(&g->file, "extern \"C\" { extern ");
    cg_add_labeled(&g->file, text, n);
    cc_strbuf_add(&g->file, "; }\n");
    cc_strbuf_printf(&g->file, "#line 1 \"<cudacell>\"\nalignas(decltype(%s)) unsigned char __cc_store_%s"
                     "[sizeof(decltype(%s))] " CG_LABEL ";\nstatic bool __cc_live_%s, __cc_reg_%s;\n", n, n, n, n, n, n);
    /* destroyed when the runtime ends normally (%reset, restart, shutdown) */
    cc_strbuf_printf(&g->file, "static void __cc_fin_%s(void) { if (__cc_live_%s) { __cc_live_%s = false; "
                     "typedef decltype(%s) __cc_T; %s.~__cc_T(); } }\n", n, n, n, n, n);
    /* constructed at its place in the cell; a re-run destroys the old one */
    g->has_run = true;
    cc_strbuf_printf(&g->run, "{ typedef decltype(%s) __cc_T; if (__cc_live_%s) %s.~__cc_T(); "
                     "new ((void *)&%s) __cc_T", n, n, n, n);
    if (di) {
        cc_strbuf_add(&g->run, "\n");
        cg_add_pos(g, &g->run, di);
        size_t close = g->cell.toks[di].match > 0 ? (size_t)g->cell.toks[di].match + 1 : d->end;
        cg_add_slice(g, &g->run, di, close);
    } else if (d->has_init && cc_tok_is(&g->cell, d->init_first, "{")) {
        cc_strbuf_add(&g->run, "\n");
        cg_add_pos(g, &g->run, d->init_first);
        cg_add_slice(g, &g->run, d->init_first, d->init_end);
    } else if (d->has_init) {
        cc_strbuf_add(&g->run, "(\n");
        cg_add_pos(g, &g->run, d->init_first);
        cg_add_slice(g, &g->run, d->init_first, d->init_end);
        cc_strbuf_add(&g->run, ")");
    } else {
        cc_strbuf_add(&g->run, "()");
    }
    cc_strbuf_printf(&g->run, "; __cc_live_%s = true; if (!__cc_reg_%s) { __cc_reg_%s = true; "
                     "__cc_at_end(__cc_fin_%s); } }\n", n, n, n, n);
    cc_sitem *si = cg_new_item(g, CC_SI_VAR, false);
    if (si) {
        cg_item_key(g, si, n);
        si->text = text;
        si->decl = cc_xstrdup(text);
    } else {
        free(text);
    }
    return true;
}

/* A declaration that starts with `template` (an alias or variable template,
 * an explicit specialization of a class, an explicit instantiation): header
 * material, keyed by its name, or by its text up to a body when the name is
 * not one (`template <> struct Traits<float> {…}`). */
bool cg_cxx_template_decl(cg_gen *g, const cc_item *it)
{
    if (!g->cxx || !(it->flags & CC_F_TEMPLATE) || !cc_tok_is(&g->cell, it->first, "template")) return false;
    const cc_cell *c = &g->cell;
    char *key = NULL;
    if (it->n_decls == 1 && !it->decls[0].is_func) {
        const cc_declarator *d = &it->decls[0];
        bool is_kw = cc_tok_keyword_flag(c, d->name_tok) != 0 || cg_cxx_type_word(g, d->name_tok);
        if (!is_kw && !cc_tok_is(c, d->name_tok + 1, "<") && !cc_tok_is(c, d->name_tok - 1, "class") &&
            !cc_tok_is(c, d->name_tok - 1, "struct"))
            key = cc_xstrdup(d->name);
    }
    if (!key) {
        size_t e = it->first;
        while (e < it->end && !cc_tok_is(c, e, "{") && !cc_tok_is(c, e, ";")) e++;
        key = cc_toks_join(c, it->first, e, CG_NONE, CG_NONE, 0);
    }
    cg_cxx_material(g, it, key ? key : "template", "");
    free(key);
    return true;
}
