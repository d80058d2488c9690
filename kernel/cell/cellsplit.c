/* kernel/cell/cellsplit.c — the top-level splitter of a cell. Owns: cutting the
 * token stream (celltok.c) into items — preprocessor lines, declarations,
 * function definitions, statements. It calls down to celldecl.c for what a
 * declaration declares and to cellitem.c for token helpers; neither calls
 * back. All returned memory belongs to the cc_cell and is released by
 * cc_cell_free (cellitem.c). */
#include "cellsplit.h"
#include "celldecl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static bool is_ident_char(int c) { return isalnum(c) || c == '_' || c == '$'; }

static char tok_ch(const char *src, const cc_tok *t)
{
    return t->kind == CC_TOK_PUNCT && t->len == 1 ? src[t->off] : 0;
}

/* ---- splitting into items --------------------------------------------- */

typedef struct splitter {
    cc_cell *c;
    cc_is_type_fn is_type;
    void *ctx;
    cc_item *items; size_t n, cap;
} splitter;

static bool sp_is(const splitter *S, size_t i, const char *t) { return cc_tok_is(S->c, i, t); }
static bool sp_ch(const splitter *S, size_t i, char ch)
{
    return i < S->c->n_toks && tok_ch(S->c->src, &S->c->toks[i]) == ch;
}
static bool sp_ident(const splitter *S, size_t i)
{
    return i < S->c->n_toks && S->c->toks[i].kind == CC_TOK_IDENT;
}

static const char *const stmt_keywords[] = {
    "if", "else", "for", "while", "do", "switch", "return", "break", "continue",
    "goto", "case", "default", "sizeof", "_Alignof", "alignof", "__builtin_va_arg",
    "asm", "__asm__", "__asm", "throw", "delete", "new", NULL };

static bool in_list(const cc_cell *c, size_t i, const char *const *list)
{
    for (int k = 0; list[k]; k++) if (cc_tok_is(c, i, list[k])) return true;
    return false;
}

/* Skip a C++ qualified name A::B<...>::C starting at i; returns the index after it. */
static size_t skip_qualified(const splitter *S, size_t i)
{
    size_t n = S->c->n_toks;
    while (i < n) {
        if (sp_ident(S, i)) i++;
        if (sp_is(S, i, "<")) {
            int depth = 0;
            size_t j = i;
            for (; j < n; j++) {
                if (sp_is(S, j, "<")) depth++;
                else if (sp_is(S, j, ">")) depth--;
                else if (sp_is(S, j, ">>")) depth -= 2;
                else if (sp_is(S, j, ";") || sp_ch(S, j, '{')) return i;
                else if (S->c->toks[j].match > (int)j) j = (size_t)S->c->toks[j].match;
                if (depth <= 0) break;
            }
            if (j >= n) return i;
            i = j + 1;
        }
        if (sp_is(S, i, "::")) { i++; continue; }
        return i;
    }
    return i;
}

/* The standard library's class templates, named without std:: after
 * `using namespace std;` (`vector<float> v(n);` declares v). */
static bool std_template(const cc_cell *c, size_t i)
{
    static const char *const names[] = {
        "vector", "map", "multimap", "unordered_map", "unordered_multimap", "set", "multiset",
        "unordered_set", "unordered_multiset", "array", "pair", "tuple", "unique_ptr", "shared_ptr",
        "weak_ptr", "deque", "list", "forward_list", "queue", "stack", "priority_queue", "function",
        "optional", "variant", "basic_string", "span", "bitset", "atomic", "complex", "valarray", NULL };
    return in_list(c, i, names);
}

/* Does the item starting at token i declare something (vs. a statement)? */
static bool starts_declaration(const splitter *S, size_t i)
{
    const cc_cell *c = S->c;
    if (sp_is(S, i, "__extension__")) i++;
    if (sp_ch(S, i, '[') && sp_ch(S, i + 1, '[')) return true;      /* [[attr]] */
    if (!sp_ident(S, i)) return false;
    if (in_list(c, i, stmt_keywords)) return false;
    if (cd_is_decl_keyword(c, i)) return true;
    if (sp_is(S, i + 1, ":")) return false;                           /* label */
    if (sp_is(S, i + 1, "::") || sp_is(S, i + 1, "<")) {             /* C++ A::B<T> x; */
        if (sp_is(S, i + 1, "<") && !cd_known_type(c, i, S->is_type, S->ctx) && !std_template(c, i)) return false;
        size_t j = skip_qualified(S, i);
        if (j == i) return false;
        while (sp_is(S, j, "*") || sp_is(S, j, "&") || sp_is(S, j, "const")) j++;
        return sp_ident(S, j) && !in_list(c, j, stmt_keywords);
    }
    bool known = cd_known_type(c, i, S->is_type, S->ctx);
    if (sp_ident(S, i + 1)) return true;                              /* T x */
    if (sp_ch(S, i + 1, '(') && c->toks[i + 1].match > 0) {          /* implicit int: f(a) {  f(a) int a; { */
        size_t k = (size_t)c->toks[i + 1].match + 1;
        if (sp_ch(S, k, '{') || (k < c->n_toks && (cd_is_decl_keyword(c, k) || cd_known_type(c, k, S->is_type, S->ctx)) &&
                                 !sp_is(S, k, "sizeof")))
            return true;
    }
    size_t j = i + 1;
    if (sp_is(S, j, "*")) {
        while (sp_is(S, j, "*") || sp_is(S, j, "const") || sp_is(S, j, "restrict")) j++;
        if (known) return true;
        if (!sp_ident(S, j)) return false;
        j++;
        if (sp_is(S, j, "=") || sp_is(S, j, ";") || sp_is(S, j, ",") || sp_ch(S, j, '[')) return true;
        if (sp_ch(S, j, '(') && c->toks[j].match > 0) {
            size_t k = (size_t)c->toks[j].match + 1;
            return sp_ch(S, k, '{') || sp_is(S, k, ";") || sp_is(S, k, ",");  /* T *f(...) {  T *f(...); */
        }
        return false;
    }
    if (known && sp_ch(S, j, '(') && (sp_is(S, j + 1, "*") || sp_is(S, j + 1, "^"))) return true;
    if (known && (sp_is(S, j, "&") || sp_is(S, j, "&&"))) return true;
    return false;
}

/* End (exclusive) of the statement at i; sets *nosemi when the cell ends or
 * a preprocessor line comes before its ';'. */
static size_t parse_stmt(const splitter *S, size_t i, bool *nosemi, int depth)
{
    const cc_cell *c = S->c;
    size_t n = c->n_toks;
    if (i >= n) { *nosemi = true; return n; }
    if (depth > 2000) { *nosemi = true; return n; }
    if (sp_ch(S, i, '{')) return (size_t)c->toks[i].match + 1;
    if (sp_is(S, i, "if")) {
        size_t j = i + 1;
        if (sp_ch(S, j, '(')) j = (size_t)c->toks[j].match + 1;
        j = parse_stmt(S, j, nosemi, depth + 1);
        if (!*nosemi && sp_is(S, j, "else")) j = parse_stmt(S, j + 1, nosemi, depth + 1);
        return j;
    }
    if (sp_is(S, i, "for") || sp_is(S, i, "while") || sp_is(S, i, "switch")) {
        size_t j = i + 1;
        if (sp_ch(S, j, '(')) j = (size_t)c->toks[j].match + 1;
        return parse_stmt(S, j, nosemi, depth + 1);
    }
    if (sp_is(S, i, "do")) {
        size_t j = parse_stmt(S, i + 1, nosemi, depth + 1);
        if (*nosemi) return j;
        if (sp_is(S, j, "while")) {
            j++;
            if (sp_ch(S, j, '(')) j = (size_t)c->toks[j].match + 1;
        }
        if (sp_is(S, j, ";")) return j + 1;
        *nosemi = true;
        return j;
    }
    if (sp_is(S, i, "case") || sp_is(S, i, "default") ||
        (sp_ident(S, i) && sp_is(S, i + 1, ":") && !in_list(c, i, stmt_keywords))) {
        size_t j = i + 1;
        while (j < n && !sp_is(S, j, ":") && !sp_is(S, j, ";") && c->toks[j].kind != CC_TOK_PREPROC) {
            if (c->toks[j].match > (int)j) j = (size_t)c->toks[j].match;
            j++;
        }
        if (sp_is(S, j, ":")) return parse_stmt(S, j + 1, nosemi, depth + 1);
        if (sp_is(S, j, ";")) return j + 1;
        *nosemi = true;
        return j;
    }
    for (size_t j = i; j < n; j++) {
        if (c->toks[j].kind == CC_TOK_PREPROC) { *nosemi = true; return j; }
        if (sp_is(S, j, ";")) return j + 1;
        if (c->toks[j].match > (int)j) j = (size_t)c->toks[j].match;
    }
    *nosemi = true;
    return n;
}

/* Walking back from the '{' at j: is it the body of struct/union/enum? */
static bool brace_is_aggregate(const splitter *S, size_t j)
{
    const cc_cell *c = S->c;
    size_t k = j;
    bool seen_tag = false;
    while (k > 0) {
        k--;
        if (sp_ch(S, k, ')') && c->toks[k].match > 0 && cd_is_attribute(c, (size_t)c->toks[k].match - 1)) {
            k = (size_t)c->toks[k].match - 1;
            continue;
        }
        if (sp_is(S, k, "struct") || sp_is(S, k, "union") || sp_is(S, k, "enum") ||
            sp_is(S, k, "class")) return true;
        if (sp_ident(S, k) && !seen_tag) { seen_tag = true; continue; }
        if (sp_is(S, k, "final")) continue;
        return false;
    }
    return false;
}

/* End of the declaration or function definition at i; *fbody gets the index
 * of a function body's '{' (0 if none). */
static size_t scan_decl(const splitter *S, size_t i, bool *nosemi, size_t *fbody)
{
    const cc_cell *c = S->c;
    size_t n = c->n_toks;
    bool seen_eq = false, knr = false;
    *fbody = 0;
    for (size_t j = i; j < n; j++) {
        const cc_tok *t = &c->toks[j];
        if (t->kind == CC_TOK_PREPROC) { *nosemi = true; return j; }
        if (sp_ch(S, j, '{')) {
            bool agg = brace_is_aggregate(S, j);
            bool after_params = j > i && (sp_ch(S, j - 1, ')') || sp_is(S, j - 1, "const") ||
                                          sp_is(S, j - 1, "override") || sp_is(S, j - 1, "noexcept"));
            if (!seen_eq && !agg && (after_params || knr)) {
                *fbody = j;
                return (size_t)t->match + 1;
            }
            j = (size_t)t->match;
            continue;
        }
        if (t->match > (int)j) { j = (size_t)t->match; continue; }
        if (sp_is(S, j, "=")) seen_eq = true;
        if (sp_is(S, j, ";")) {
            if (!seen_eq && !knr && cd_is_knr_head(c, i, j, S->is_type, S->ctx)) { knr = true; continue; }
            if (knr && (sp_ch(S, j + 1, '{') || cd_is_decl_keyword(c, j + 1) ||
                        cd_known_type(c, j + 1, S->is_type, S->ctx))) continue;
            return j + 1;
        }
    }
    *nosemi = true;
    return n;
}

static cc_item *sp_new_item(splitter *S, cc_item_kind kind, size_t first, size_t end)
{
    if (S->n == S->cap) {
        S->cap = S->cap ? S->cap * 2 : 16;
        S->items = cc_xrealloc(S->items, S->cap * sizeof *S->items);
    }
    cc_item *it = &S->items[S->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->first = first;
    it->end = end;
    it->line = S->c->toks[first].line;
    it->col = S->c->toks[first].col;
    return it;
}

static void sp_preproc(const cc_cell *c, cc_item *it)
{
    const cc_tok *t = &c->toks[it->first];
    const char *p = c->src + t->off + 1, *e = c->src + t->off + t->len;
    while (p < e && (*p == ' ' || *p == '\t' || (*p == '\\' && p + 1 < e && p[1] == '\n'))) p += *p == '\\' ? 2 : 1;
    const char *d = p;
    while (p < e && is_ident_char((unsigned char)*p)) p++;
    size_t dl = (size_t)(p - d);
#define DIR(s) (dl == sizeof(s) - 1 && memcmp(d, s, dl) == 0)
    if (DIR("include") || DIR("include_next") || DIR("import")) it->pp = CC_PP_INCLUDE;
    else if (DIR("define")) it->pp = CC_PP_DEFINE;
    else if (DIR("undef")) it->pp = CC_PP_UNDEF;
    else if (DIR("if") || DIR("ifdef") || DIR("ifndef") || DIR("elif") || DIR("else") ||
             DIR("endif") || DIR("elifdef") || DIR("elifndef")) it->pp = CC_PP_COND;
    else it->pp = CC_PP_OTHER;
#undef DIR
    if (it->pp == CC_PP_DEFINE || it->pp == CC_PP_UNDEF) {
        while (p < e && (*p == ' ' || *p == '\t' || (*p == '\\' && p + 1 < e && p[1] == '\n'))) p += *p == '\\' ? 2 : 1;
        const char *nm = p;
        while (p < e && is_ident_char((unsigned char)*p)) p++;
        if (p > nm) it->name = cc_xstrndup(nm, (size_t)(p - nm));
    }
}

int cc_cell_split(const char *src, cc_is_type_fn is_type, void *ctx, cc_cell *out, char **err)
{
    return cc_cell_split_cancel(src, is_type, ctx, NULL, out, err);
}

int cc_cell_split_cancel(const char *src, cc_is_type_fn is_type, void *ctx, const cc_cancel *cancel,
                         cc_cell *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->src = src;
    if (err) *err = NULL;
    if (cc_tokenize_cancel(src, cancel, &out->toks, &out->n_toks, err)) return -1;
    splitter S = { .c = out, .is_type = is_type, .ctx = ctx };
    size_t n = out->n_toks, i = 0, steps = 0;
    while (i < n) {
        const cc_tok *t = &out->toks[i];
        out->items = S.items; out->n_items = S.n;
        cd_index_typenames(out);   /* the items before this one are complete */
        if (++steps % CC_CANCEL_EVERY == 0 && cc_cancelled(cancel)) goto cancelled;
        if (t->kind == CC_TOK_PREPROC) {
            cc_item *it = sp_new_item(&S, CC_ITEM_PREPROC, i, i + 1);
            out->items = S.items; out->n_items = S.n;
            sp_preproc(out, it);
            i++;
            continue;
        }
        if (sp_is(&S, i, ";")) { i++; continue; }
        bool nosemi = false;
        if (sp_is(&S, i, "namespace") ||
            (sp_is(&S, i, "extern") && i + 2 < n && out->toks[i + 1].kind == CC_TOK_STRING && sp_ch(&S, i + 2, '{'))) {
            size_t j = i;
            while (j < n && !sp_ch(&S, j, '{') && !sp_is(&S, j, ";")) j++;
            size_t end = j < n ? (sp_ch(&S, j, '{') ? (size_t)out->toks[j].match + 1 : j + 1) : n;
            cc_item *it = sp_new_item(&S, CC_ITEM_OTHER, i, end);
            it->no_semicolon = j >= n;
            i = end;
            continue;
        }
        if (!starts_declaration(&S, i)) {
            size_t end = parse_stmt(&S, i, &nosemi, 0);
            if (end <= i) end = i + 1;
            cc_item *it = sp_new_item(&S, CC_ITEM_STMT, i, end);
            it->no_semicolon = nosemi;
            i = end;
            continue;
        }
        size_t fbody = 0;
        size_t end = scan_decl(&S, i, &nosemi, &fbody);
        if (end <= i) end = i + 1;
        cc_item *it = sp_new_item(&S, fbody ? CC_ITEM_FUNC : CC_ITEM_DECL, i, end);
        it->no_semicolon = nosemi;
        it->fbody = fbody;
        out->items = S.items; out->n_items = S.n;
        cd_analyze(out, it, is_type, ctx);
        i = end;
    }
    out->items = S.items; out->n_items = S.n;
    cd_index_typenames(out);
    return 0;
cancelled:
    cc_cell_free(out);
    if (err) *err = cc_xstrdup(CC_CANCELLED_MSG);
    return -1;
}
