/* kernel/cell/celldecl.c — what a top-level declaration declares: its specifiers
 * (storage class, CUDA qualifiers, struct/union/enum bodies) and each of its
 * declarators (name, function or object, initializer), plus which names are
 * types (keywords, the cell's own typedefs, the session's). Called by
 * cellsplit.c; calls only cellitem.c below it. Fills cc_item fields; all
 * strings it allocates belong to the item (freed by cc_cell_free). */
#include "celldecl.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Keywords that name (part of) a type. */
static const char *const type_keywords[] = {
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
    "__signed__", "_Bool", "bool", "_Complex", "__complex__", "_Imaginary", "__int128",
    "_Float16", "_Float32", "_Float64", "_Float128", "__float128", "__fp16", "wchar_t",
    "char8_t", "char16_t", "char32_t", "_Decimal32", "_Decimal64", "_Decimal128", NULL };

/* Qualifiers and function specifiers without a flag of their own. */
static const char *const plain_keywords[] = {
    "volatile", "restrict", "__restrict", "__restrict__", "_Noreturn", "noreturn",
    "__forceinline__", "__noinline__", "constexpr", "__extension__", "virtual",
    "explicit", "mutable", "friend", "__volatile__", "__const", NULL };

static const char *const attr_keywords[] = {
    "__attribute__", "__attribute", "__declspec", "_Alignas", "alignas", "__launch_bounds__",
    "__align__", "__asm__", "__asm", "asm", "__maxnreg__", NULL };

static const char *const decl_start_keywords[] = {
    "struct", "union", "enum", "class", "typeof", "__typeof__", "__typeof", "decltype",
    "_Atomic", "_Static_assert", "static_assert", "template", "using", "__extension__", NULL };

static bool cd_in(const cc_cell *c, size_t i, const char *const *list)
{
    for (int k = 0; list[k]; k++) if (cc_tok_is(c, i, list[k])) return true;
    return false;
}

static bool cd_ident(const cc_cell *c, size_t i) { return i < c->n_toks && c->toks[i].kind == CC_TOK_IDENT; }
static bool cd_open(const cc_cell *c, size_t i, char ch)
{
    return i < c->n_toks && c->toks[i].kind == CC_TOK_PUNCT && c->toks[i].len == 1 &&
           c->src[c->toks[i].off] == ch && c->toks[i].match > (int)i;
}

bool cd_is_attribute(const cc_cell *c, size_t i)
{
    return cd_ident(c, i) && cd_in(c, i, attr_keywords) && cd_open(c, i + 1, '(');
}

bool cd_is_decl_keyword(const cc_cell *c, size_t i)
{
    if (!cd_ident(c, i)) return false;
    if (cc_tok_keyword_flag(c, i) || cd_in(c, i, type_keywords) || cd_in(c, i, plain_keywords) ||
        cd_in(c, i, decl_start_keywords)) return true;
    return cd_is_attribute(c, i) && !cc_tok_is(c, i, "asm") && !cc_tok_is(c, i, "__asm__") &&
           !cc_tok_is(c, i, "__asm");
}

/* ---- the cell's own type names ----------------------------------------- */

static size_t tn_hash(const char *p, size_t len)
{
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static bool tn_eq(const char *s, const char *p, size_t len)
{
    return strncmp(s, p, len) == 0 && s[len] == '\0';
}

static bool tn_has(const cc_typenames *t, const char *p, size_t len)
{
    if (!t->cap) return false;
    for (size_t i = tn_hash(p, len) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->v[i]) return false;
        if (tn_eq(t->v[i], p, len)) return true;
    }
}

static void tn_add(cc_typenames *t, const char *name)
{
    size_t len = strlen(name);
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        const char **v = cc_xcalloc(cap, sizeof *v);
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i]) continue;
            size_t j = tn_hash(t->v[i], strlen(t->v[i])) & (cap - 1);
            while (v[j]) j = (j + 1) & (cap - 1);
            v[j] = t->v[i];
        }
        free(t->v);
        t->v = v; t->cap = cap;
    }
    size_t i = tn_hash(name, len) & (t->cap - 1);
    for (; t->v[i]; i = (i + 1) & (t->cap - 1))
        if (tn_eq(t->v[i], name, len)) return;
    t->v[i] = name;
    t->n++;
}

static bool declares_types(const cc_item *it)
{
    return (it->flags & CC_F_TYPEDEF) || (it->flags & CC_F_TEMPLATE && it->tag);
}

/* C++: a class or template struct name is a type ("struct S" -> "S"). */
static const char *tag_name(const cc_item *it)
{
    const char *sp = it->tag ? strchr(it->tag, ' ') : NULL;
    return sp ? sp + 1 : NULL;
}

void cd_index_typenames(cc_cell *c)
{
    cc_typenames *t = &c->typenames;
    for (; t->n_items_done < c->n_items; t->n_items_done++) {
        const cc_item *it = &c->items[t->n_items_done];
        if (!declares_types(it)) continue;
        for (size_t d = 0; d < it->n_decls; d++)
            if (it->decls[d].name) tn_add(t, it->decls[d].name);
        if (tag_name(it)) tn_add(t, tag_name(it));
    }
}

bool cd_cell_typedef(const cc_cell *c, size_t i)
{
    if (!cd_ident(c, i)) return false;
    const char *p = c->src + c->toks[i].off;
    size_t len = (size_t)c->toks[i].len;
    if (tn_has(&c->typenames, p, len)) return true;
    /* items not indexed yet: the one being analysed */
    for (size_t k = c->typenames.n_items_done; k < c->n_items; k++) {
        const cc_item *it = &c->items[k];
        if (!declares_types(it)) continue;
        for (size_t d = 0; d < it->n_decls; d++)
            if (it->decls[d].name && strlen(it->decls[d].name) == len && memcmp(it->decls[d].name, p, len) == 0)
                return true;
        const char *tn = tag_name(it);
        if (tn && strlen(tn) == len && memcmp(tn, p, len) == 0) return true;
    }
    return false;
}

bool cd_known_type(const cc_cell *c, size_t i, cc_is_type_fn is_type, void *ctx)
{
    if (i >= c->n_toks || c->toks[i].kind != CC_TOK_IDENT) return false;
    const char *p = c->src + c->toks[i].off;
    size_t len = (size_t)c->toks[i].len;
    if (cc_is_common_type(p, len)) return true;
    if (is_type && is_type(ctx, p, len)) return true;
    return cd_cell_typedef(c, i);
}

bool cd_is_knr_head(const cc_cell *c, size_t first, size_t semi, cc_is_type_fn is_type, void *ctx)
{
    for (size_t j = first; j < semi; j++) {
        if (!cd_open(c, j, '(')) continue;
        if (j == first || !cd_ident(c, j - 1) || cd_is_decl_keyword(c, j - 1)) return false;
        size_t close = (size_t)c->toks[j].match;
        if (close == j + 1 || close + 1 >= semi) return false;
        for (size_t k = j + 1; k < close; k++) {
            bool want_ident = (k - j) % 2 == 1;
            if (want_ident) {
                if (!cd_ident(c, k) || cd_is_decl_keyword(c, k) || cd_known_type(c, k, is_type, ctx)) return false;
            } else if (!cc_tok_is(c, k, ",")) return false;
        }
        return cd_is_decl_keyword(c, close + 1) || cd_known_type(c, close + 1, is_type, ctx) ||
               cd_ident(c, close + 1);
    }
    return false;
}

/* ---- specifiers ------------------------------------------------------- */

static void cd_push_name(char ***v, size_t *n, const char *p, size_t len)
{
    *v = cc_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = cc_xstrndup(p, len);
}

static void cd_enumerators(cc_cell *c, cc_item *it, size_t open)
{
    size_t close = (size_t)c->toks[open].match;
    bool expect = true;
    for (size_t k = open + 1; k < close; k++) {
        if (c->toks[k].match > (int)k) { k = (size_t)c->toks[k].match; continue; }
        if (cc_tok_is(c, k, ",")) { expect = true; continue; }
        if (expect && cd_ident(c, k)) {
            cd_push_name(&it->enumerators, &it->n_enumerators, c->src + c->toks[k].off,
                         (size_t)c->toks[k].len);
        }
        expect = false;
    }
}

/* Skip `<...>` of a template head at i (i at '<'); returns the index after it. */
static size_t cd_skip_angles(const cc_cell *c, size_t i, size_t limit)
{
    int depth = 0;
    for (size_t j = i; j < limit; j++) {
        if (cc_tok_is(c, j, "<")) depth++;
        else if (cc_tok_is(c, j, ">")) depth--;
        else if (cc_tok_is(c, j, ">>")) depth -= 2;
        else if (c->toks[j].match > (int)j) j = (size_t)c->toks[j].match;
        if (depth <= 0) return j + 1;
    }
    return limit;
}

/* <complex.h>'s `complex` / `imaginary` (macros for _Complex, _Imaginary)
 * after a type keyword, when no declarator could start there: `double
 * complex z` declares z, but `double complex;` or `double complex(double)`
 * declare something named complex. */
static bool cd_complex_macro(const cc_cell *c, size_t j)
{
    if (!cc_tok_is(c, j, "complex") && !cc_tok_is(c, j, "imaginary")) return false;
    return j + 1 < c->n_toks && !cc_tok_is(c, j + 1, "=") && !cc_tok_is(c, j + 1, ";") &&
           !cc_tok_is(c, j + 1, ",") && !cc_tok_is(c, j + 1, "[") && !cc_tok_is(c, j + 1, "(") &&
           !cc_tok_is(c, j + 1, ")");
}

/* Reads the specifiers from it->first; returns the index of the first
 * declarator token. */
static size_t cd_specifiers(cc_cell *c, cc_item *it, size_t limit)
{
    size_t j = it->first;
    bool seen_type = false;
    while (j < limit) {
        if (cd_open(c, j, '[') && cd_open(c, j + 1, '[')) { j = (size_t)c->toks[j].match + 1; continue; }
        if (!cd_ident(c, j)) break;
        if (cc_tok_is(c, j, "template")) {
            it->flags |= CC_F_TEMPLATE;
            j++;
            if (cc_tok_is(c, j, "<")) j = cd_skip_angles(c, j, limit);
            continue;
        }
        unsigned f = cc_tok_keyword_flag(c, j);
        if (f) {
            it->flags |= f;
            if (f == CC_F_AUTO_TYPE) seen_type = true;
            if (f == CC_F_EXTERN && j + 1 < limit && c->toks[j + 1].kind == CC_TOK_STRING) {
                it->flags |= CC_F_EXTERN_C;
                j++;
            }
            j++;
            continue;
        }
        if (cd_in(c, j, type_keywords)) { seen_type = true; j++; continue; }
        if (seen_type && cd_complex_macro(c, j)) { j++; continue; }   /* double complex z */
        if (cd_in(c, j, plain_keywords)) { j++; continue; }
        if (cd_is_attribute(c, j)) { j = (size_t)c->toks[j + 1].match + 1; continue; }
        if (cc_tok_is(c, j, "_Atomic") && cd_open(c, j + 1, '(')) {
            seen_type = true; j = (size_t)c->toks[j + 1].match + 1; continue;
        }
        if (cc_tok_is(c, j, "_Atomic")) { j++; continue; }
        if ((cc_tok_is(c, j, "typeof") || cc_tok_is(c, j, "__typeof__") || cc_tok_is(c, j, "__typeof") ||
             cc_tok_is(c, j, "decltype")) && cd_open(c, j + 1, '(')) {
            seen_type = true; j = (size_t)c->toks[j + 1].match + 1; continue;
        }
        if (cc_tok_is(c, j, "struct") || cc_tok_is(c, j, "union") || cc_tok_is(c, j, "enum") ||
            cc_tok_is(c, j, "class")) {
            size_t kwi = j;
            seen_type = true;
            j++;
            if (cc_tok_is(c, j, "class") || cc_tok_is(c, j, "struct")) j++;   /* enum class */
            while (cd_is_attribute(c, j)) j = (size_t)c->toks[j + 1].match + 1;
            if (cd_ident(c, j) && !cd_is_decl_keyword(c, j)) {
                size_t kl = (size_t)c->toks[kwi].len, nl = (size_t)c->toks[j].len;
                char *tag = cc_xmalloc(kl + nl + 2);
                memcpy(tag, c->src + c->toks[kwi].off, kl);
                tag[kl] = ' ';
                memcpy(tag + kl + 1, c->src + c->toks[j].off, nl);
                tag[kl + 1 + nl] = '\0';
                free(it->tag);
                it->tag = tag;
                j++;
            }
            while (j < limit && cc_tok_is(c, j, ":") ) {   /* C++ base / enum underlying type */
                while (j < limit && !cd_open(c, j, '{') && !cc_tok_is(c, j, ";")) j++;
            }
            if (cd_open(c, j, '{') && !it->has_body) {
                it->has_body = true;
                it->body_first = kwi;
                it->body_end = (size_t)c->toks[j].match + 1;
                if (cc_tok_is(c, kwi, "enum")) cd_enumerators(c, it, j);
                j = it->body_end;
            } else if (cd_open(c, j, '{')) {
                j = (size_t)c->toks[j].match + 1;
            }
            while (cd_is_attribute(c, j)) j = (size_t)c->toks[j + 1].match + 1;
            continue;
        }
        if (seen_type) break;
        /* implicit int: `static x = 1;` */
        if (cc_tok_is(c, j + 1, "=") || cc_tok_is(c, j + 1, ";") || cc_tok_is(c, j + 1, ",") ||
            cd_open(c, j + 1, '[')) break;
        /* implicit int function: `f(a, b) int a; {` (not `T (*fp)(void)`) */
        if (cd_open(c, j + 1, '(') && !cc_tok_is(c, j + 2, "*") && !cc_tok_is(c, j + 2, "^") &&
            !cd_open(c, j + 2, '(') && !cd_cell_typedef(c, j) &&
            !cc_is_common_type(c->src + c->toks[j].off, (size_t)c->toks[j].len)) break;
        /* a typedef name, possibly C++-qualified */
        seen_type = true;
        j++;
        while (cc_tok_is(c, j, "::") || cc_tok_is(c, j, "<")) {
            if (cc_tok_is(c, j, "<")) j = cd_skip_angles(c, j, limit);
            else { j++; if (cd_ident(c, j)) j++; }
        }
    }
    return j;
}

/* ---- declarators ------------------------------------------------------ */

static bool cd_qualifier(const cc_cell *c, size_t i)
{
    return cc_tok_is(c, i, "const") || cc_tok_is(c, i, "volatile") || cc_tok_is(c, i, "restrict") ||
           cc_tok_is(c, i, "__restrict") || cc_tok_is(c, i, "__restrict__") || cc_tok_is(c, i, "_Atomic");
}

static void cd_declarator(cc_cell *c, cc_item *it, size_t s, size_t e)
{
    size_t eq = e;
    for (size_t k = s; k < e; k++) {
        if (c->toks[k].match > (int)k) { k = (size_t)c->toks[k].match; continue; }
        if (cc_tok_is(c, k, "=")) { eq = k; break; }
    }
    size_t name = (size_t)-1;
    for (size_t k = s; k < eq; k++) {
        if (cd_is_attribute(c, k)) { k = (size_t)c->toks[k + 1].match; continue; }
        if (cd_ident(c, k) && !cd_qualifier(c, k) && !cc_tok_keyword_flag(c, k) &&
            !cd_in(c, k, plain_keywords)) { name = k; break; }
    }
    if (name == (size_t)-1) return;      /* abstract: nothing declared */
    it->decls = cc_xrealloc(it->decls, (it->n_decls + 1) * sizeof *it->decls);
    cc_declarator *d = &it->decls[it->n_decls++];
    memset(d, 0, sizeof *d);
    d->name = cc_tok_str(c, name);
    d->first = s;
    d->end = eq;
    d->name_tok = name;
    d->is_func = cd_open(c, name + 1, '(');
    d->incomplete_array = cd_open(c, name + 1, '[') && (size_t)c->toks[name + 1].match == name + 2;
    if (eq < e) { d->has_init = true; d->init_first = eq + 1; d->init_end = e; }
    /* top-level const: `const T x`, `T const x`, `T *const x` */
    size_t k = name;
    while (k > s && cd_open(c, k - 1, '(')) k--;
    bool pointer = false;
    for (size_t q = s; q < name; q++) if (cc_tok_is(c, q, "*") || cc_tok_is(c, q, "&")) pointer = true;
    if (k > s && cc_tok_is(c, k - 1, "const")) d->top_const = true;
    else if (!pointer && !d->is_func && (it->flags & CC_F_CONST)) d->top_const = true;
}

static void cd_declarators(cc_cell *c, cc_item *it, size_t s, size_t e)
{
    size_t start = s;
    for (size_t k = s; k <= e; k++) {
        if (k < e && c->toks[k].match > (int)k) { k = (size_t)c->toks[k].match; continue; }
        if (k == e || cc_tok_is(c, k, ",")) {
            if (k > start) cd_declarator(c, it, start, k);
            start = k + 1;
        }
    }
}

void cd_analyze(cc_cell *c, cc_item *it, cc_is_type_fn is_type, void *ctx)
{
    (void)is_type; (void)ctx;
    if (cc_tok_is(c, it->first, "_Static_assert") || cc_tok_is(c, it->first, "static_assert") ||
        cc_tok_is(c, it->first, "using")) {
        it->kind = CC_ITEM_OTHER;
        return;
    }
    size_t limit = it->kind == CC_ITEM_FUNC ? it->fbody : it->end;
    if (it->kind != CC_ITEM_FUNC && !it->no_semicolon && limit > it->first && cc_tok_is(c, limit - 1, ";"))
        limit--;
    it->spec_end = cd_specifiers(c, it, limit);
    if (it->kind == CC_ITEM_FUNC) {
        /* K&R: the declarator ends at the parameter list */
        size_t e = limit;
        for (size_t k = it->spec_end; k < limit; k++) {
            if (c->toks[k].match > (int)k) { k = (size_t)c->toks[k].match; continue; }
            if (cc_tok_is(c, k, ";")) { e = k; break; }
        }
        bool knr = e < limit;
        if (knr) {   /* the declarator ends with the identifier list */
            for (size_t q = it->spec_end; q < e; q++) {
                if (cd_open(c, q, '(')) { e = (size_t)c->toks[q].match + 1; break; }
            }
        }
        cd_declarator(c, it, it->spec_end, e);
        if (it->n_decls != 1) {   /* `int (void) {` and the like: keep it, let the compiler speak */
            it->kind = CC_ITEM_OTHER;
            return;
        }
        it->decls[0].knr = knr;
        it->decls[0].is_func = true;
        it->name = cc_xstrdup(it->decls[0].name);
        return;
    }
    cd_declarators(c, it, it->spec_end, limit);
    if (it->flags & CC_F_TYPEDEF) it->kind = CC_ITEM_TYPE;
    else if (it->n_decls == 0) it->kind = (it->tag || it->has_body) ? CC_ITEM_TYPE : CC_ITEM_OTHER;
}
