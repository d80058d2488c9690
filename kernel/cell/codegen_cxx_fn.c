/* kernel/cell/codegen_cxx_fn.c — functions of C++ units: which keep C linkage
 * (a signature C could declare, not overloaded: %%c cells call them), and
 * the rest with C++ linkage, keyed in the session by name and parameter
 * types ("f(int)") so overloads live side by side and redefining one
 * replaces that one only; out-of-class member definitions. The rest of the
 * C++ side is codegen_cxx.c. */
#include "codegen_gen.h"
#include "cxxnames.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* "name(param types)": each parameter without its name and default. */
static char *sig_key(const cg_gen *g, const char *name, size_t open)
{
    const cc_cell *c = &g->cell;
    cc_strbuf b = {0};
    cc_strbuf_printf(&b, "%s(", name);
    if (c->toks[open].match < 0) { cc_strbuf_add(&b, ")"); return b.s; }
    size_t close = (size_t)c->toks[open].match, start = open + 1;
    bool first = true;
    for (size_t k = open + 1; k <= close; k++) {
        if (k < close && !cc_tok_is(c, k, ",")) {
            if (c->toks[k].match > (int)k) k = (size_t)c->toks[k].match;
            continue;
        }
        size_t end = start;   /* the parameter's tokens up to a default argument */
        while (end < k && !cc_tok_is(c, end, "=")) {
            if (c->toks[end].match > (int)end) end = (size_t)c->toks[end].match;
            end++;
        }
        if (end - start >= 2 && c->toks[end - 1].kind == CC_TOK_IDENT && !cc_tok_keyword_flag(c, end - 1)) {
            if (!cg_cxx_type_word(g, end - 1) && !cc_tok_is(c, end - 2, "::")) end--;   /* the parameter's name */
        }
        char *p = end > start ? cc_toks_join(c, start, end, CG_NONE, CG_NONE, 0) : NULL;
        if (p && strcmp(p, "void") != 0 && *p) {
            if (!first) cc_strbuf_add(&b, ", ");
            cc_strbuf_add(&b, p);
            first = false;
        }
        free(p);
        start = k + 1;
    }
    cc_strbuf_add(&b, ")");
    return b.s;
}


/* ---- functions --------------------------------------------------------- */

static bool cxx_word(void *ctx, const char *p, size_t len)
{
    (void)ctx;
    return cc_cxx_only_name(p, len);
}

/* The signature a C cell could declare too (no reference, template,
 * qualified name or C++/CUDA-only type). */
static bool c_compatible(const char *proto)
{
    return proto && !strstr(proto, "::") && !strchr(proto, '&') && !strchr(proto, '<') && !strchr(proto, '=') &&
           !cg_ids_each(proto, cxx_word, NULL);
}

/* Whether another overload of `name` (a different signature) exists: in the
 * session, or earlier in this cell. Such a function gets C++ linkage. */
static bool overloaded(const cg_gen *g, const cc_item *self, const char *name, const char *sig)
{
    for (size_t i = 0; i < g->v->n_items; i++) {
        const cc_sitem *si = &g->v->items[i];
        if (si->kind != CC_SI_FUNC) continue;
        const char *nm = si->refname ? si->refname : si->keys[0];
        const char *ss = si->cxx_link ? si->keys[0] : si->sig;
        if (strcmp(nm, name) == 0 && (!ss || strcmp(ss, sig) != 0 || si->cxx_link)) return true;
    }
    for (size_t i = 0; i < g->cell.n_items && &g->cell.items[i] != self; i++) {
        const cc_item *o = &g->cell.items[i];
        if ((o->kind == CC_ITEM_FUNC || o->kind == CC_ITEM_DECL) && o->n_decls && o->decls[0].is_func &&
            strcmp(o->decls[0].name, name) == 0 && !(o->flags & CC_F_EXTERN_C)) {
            char *s2 = sig_key(g, name, o->decls[0].name_tok + 1);
            bool diff = strcmp(s2, sig) != 0;
            free(s2);
            if (diff) return true;
        }
    }
    return false;
}

/* A function of a C++ cell that keeps C linkage (the C path): C-compatible
 * and not overloaded. Sets *sig (malloc'd) for the C path's item. */
bool cg_cxx_c_linkage(const cg_gen *g, const cc_item *it, char **sig)
{
    const cc_declarator *d = &it->decls[0];
    *sig = NULL;
    if (!g->cxx || !cc_tok_is(&g->cell, d->name_tok + 1, "(")) return false;
    char *s = sig_key(g, d->name, d->name_tok + 1);
    char *proto = cg_proto_text(g, it, d, CC_F_STATIC | CC_F_INLINE | CC_F_EXTERN);
    bool c = c_compatible(proto) && !overloaded(g, it, d->name, s);
    free(proto);
    if (c) *sig = s; else free(s);
    return c;
}

bool cg_cxx_func(cg_gen *g, const cc_item *it, bool proto)
{
    const cc_declarator *d = &it->decls[0];
    if (!g->cxx || (it->flags & (CC_F_EXTERN_C | CC_F_GLOBAL | CC_F_TEMPLATE)) || strcmp(d->name, "main") == 0)
        return false;
    if (cg_is_material(g, it->flags)) return false;
    char *ul = cg_user_label(g, d->name);
    free(ul);
    if (ul) return false;
    unsigned drop = CC_F_STATIC | CC_F_INLINE;
    size_t open = d->name_tok + 1;
    char *key;
    if (cg_cxx_qualified(g, d)) {   /* int C::get() const { … } */
        char *q = cg_cxx_qualified_name(g, d, &open);
        key = cc_tok_is(&g->cell, open, "(") ? sig_key(g, q, open) : cc_xstrdup(q);
        free(q);
        cg_add_pos(g, &g->file, it->first);
        cg_add_slice(g, &g->file, it->first, it->end);
        cc_strbuf_add(&g->file, proto ? ";\n" : "\n");
        if (!proto) cg_cxx_link_only(g, key);
        free(key);
        return true;
    }
    if (!cc_tok_is(&g->cell, open, "(")) return false;
    for (size_t k = it->first; k < it->spec_end && !proto; k++)
        if (cc_tok_is(&g->cell, k, "constexpr") || cc_tok_is(&g->cell, k, "consteval")) {
            /* inline by definition, and wanted in constant expressions: the
             * whole definition goes to every later unit */
            key = sig_key(g, d->name, open);
            cg_cxx_material(g, it, key, "");
            free(key);
            return true;
        }
    char *csig;
    if (cg_cxx_c_linkage(g, it, &csig)) { free(csig); return false; }
    key = sig_key(g, d->name, open);
    cg_add_pos(g, &g->file, it->first);
    if (proto) {
        char *t = cg_proto_text(g, it, d, drop);
        cc_strbuf_add(&g->file, t ? t : "");
        cc_strbuf_add(&g->file, ";\n");
        free(t);
    } else {
        size_t start = g->file.len;
        cg_add_slice(g, &g->file, it->first, it->end);
        int base = g->cell.toks[it->first].off;   /* static / inline blanked: later cells link it */
        for (size_t k = it->first; k < it->spec_end; k++)
            if (cc_tok_keyword_flag(&g->cell, k) & drop)
                memset(g->file.s + start + (g->cell.toks[k].off - base), ' ', (size_t)g->cell.toks[k].len);
        cc_strbuf_add(&g->file, "\n");
    }
    cc_sitem *si = cg_new_item(g, CC_SI_FUNC, proto);
    if (si) {
        cg_item_key(g, si, key);
        si->refname = cc_xstrdup(d->name);
        si->cxx_link = true;
        si->text = cg_proto_text(g, it, d, drop | CC_F_EXTERN);
        si->decl = si->text ? cc_xstrdup(si->text) : NULL;
    }
    free(key);
    return true;
}

