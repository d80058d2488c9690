/* kernel/cell/cellvalue.c — what the kernel adds so a cell's last expression
 * shows a readable value (Out[n]):
 *   - cv_is_boolean: a C comparison or logical expression (an int in C) is
 *     shown as true/false;
 *   - cv_formatters: one formatter per struct and union the notebook defines,
 *     printing each field ({x = 1, y = 2.5}) through libcudacell's __CC_PUT
 *     (C: registered for _Generic via __CC_STRUCT_FNS) or __cc_put_obj (C++:
 *     an overload of __cc_fields found by argument-dependent lookup).
 * Field names come from splitting the struct body like a cell; types the
 * splitter cannot read for sure (preprocessor conditionals, C++ access
 * specifiers, constructors) get no formatter and show "{...}". Pure: no I/O. */
#include "cellvalue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- booleans ----------------------------------------------------------- */

/* Binary operators by precedence, lowest first (C: comma 1, assignment 2,
 * ?: 3, || 4, && 5, | 6, ^ 7, & 8, == != 9, < > <= >= 10, others higher). */
static int binary_level(const cc_cell *c, size_t i)
{
    static const struct { const char *op; int level; } ops[] = {
        {",", 1}, {"=", 2}, {"+=", 2}, {"-=", 2}, {"*=", 2}, {"/=", 2}, {"%=", 2},
        {"<<=", 2}, {">>=", 2}, {"&=", 2}, {"^=", 2}, {"|=", 2}, {"?", 3},
        {"||", 4}, {"&&", 5}, {"|", 6}, {"^", 7}, {"&", 8}, {"==", 9}, {"!=", 9},
        {"<", 10}, {">", 10}, {"<=", 10}, {">=", 10}, {"<<", 11}, {">>", 11},
        {"+", 12}, {"-", 12}, {"*", 13}, {"/", 13}, {"%", 13},
    };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (cc_tok_is(c, i, ops[k].op))
            return ops[k].level;
    return 0;
}

/* A token after which an operator is binary (it ends an operand). */
static bool ends_operand(const cc_cell *c, size_t i)
{
    const cc_tok *t = &c->toks[i];
    if (t->kind != CC_TOK_PUNCT)
        return !cc_tok_is(c, i, "sizeof") && !cc_tok_is(c, i, "_Alignof") &&
               !cc_tok_is(c, i, "return");
    return cc_tok_is(c, i, ")") || cc_tok_is(c, i, "]") || cc_tok_is(c, i, "++") ||
           cc_tok_is(c, i, "--");
}

bool cv_is_boolean(const cc_cell *c, size_t first, size_t end)
{
    while (end - first >= 2 && cc_tok_is(c, first, "(") && c->toks[first].match == (int)end - 1) {
        first++;   /* (expr) */
        end--;
    }
    if (end <= first)
        return false;
    if (end - first == 1)
        return cc_tok_is(c, first, "true") || cc_tok_is(c, first, "false");
    int lowest = 0;
    for (size_t i = first; i < end; i++) {
        const cc_tok *t = &c->toks[i];
        if (t->match > (int)i && (cc_tok_is(c, i, "(") || cc_tok_is(c, i, "[") ||
                                  cc_tok_is(c, i, "{"))) {
            i = (size_t)t->match;   /* a group is part of an operand */
            continue;
        }
        int lv = i > first && ends_operand(c, i - 1) ? binary_level(c, i) : 0;
        if (lv && (!lowest || lv < lowest))
            lowest = lv;
    }
    if (!lowest)
        return cc_tok_is(c, first, "!");   /* !x, with nothing binary after it */
    return lowest == 4 || lowest == 5 || lowest == 9 || lowest == 10;
}

/* ---- struct formatters --------------------------------------------------- */

typedef struct fgen {
    bool cxx;
    cc_is_type_fn is_type;
    void *ctx;
    cg_ids typedefs;       /* typedef names the type texts declare */
    cg_ids names;          /* types that have a formatter already */
    char **work; size_t n_work, cap_work;   /* type texts still to read */
    cc_strbuf protos, assoc, defs;
    int n;
} fgen;

static bool fg_is_type(void *ctx, const char *name, size_t len)
{
    fgen *f = ctx;
    return cg_ids_has(&f->typedefs, name, len) || (f->is_type && f->is_type(f->ctx, name, len));
}

static void work_add(fgen *f, const char *s, size_t len)
{
    if (f->n_work == f->cap_work) {
        f->cap_work = f->cap_work ? 2 * f->cap_work : 16;
        f->work = cc_xrealloc(f->work, f->cap_work * sizeof *f->work);
    }
    f->work[f->n_work++] = cc_xasprintf("%.*s;", (int)len, s);
}

/* Source text of tokens [a, b). */
static const char *tok_src(const cc_cell *c, size_t a, size_t b, size_t *len)
{
    const cc_tok *x = &c->toks[a], *y = &c->toks[b - 1];
    *len = (size_t)(y->off + y->len - x->off);
    return c->src + x->off;
}

/* The body of a struct/union item between its braces, or NULL. */
static const char *inner_text(const cc_cell *c, const cc_item *it, size_t *len)
{
    if (!it->has_body || it->body_end < 2) return NULL;
    const cc_tok *close = &c->toks[it->body_end - 1];
    if (close->match < 0) return NULL;
    const cc_tok *open = &c->toks[close->match];
    *len = (size_t)(close->off - (open->off + open->len));
    return c->src + open->off + open->len;
}

/* struct or union (C++ class members are private: left out). */
static bool is_record(const cc_cell *c, const cc_item *it)
{
    return it->has_body &&
           (cc_tok_is(c, it->body_first, "struct") || cc_tok_is(c, it->body_first, "union"));
}

static bool plain_declarator(const cc_declarator *d)
{
    return d->first == d->name_tok && d->end == d->name_tok + 1;
}

static bool is_bitfield(const cc_cell *c, const cc_declarator *d)
{
    for (size_t k = d->name_tok + 1; k < d->end; k++)
        if (cc_tok_is(c, k, ":")) return true;
    return false;
}

static int gen_fields(fgen *f, const char *text, size_t len, const char *access, cc_strbuf *code,
                      bool *first);

static void field_label(cc_strbuf *code, bool *first, const char *name)
{
    cc_strbuf_printf(code, "    __cc_text(__cc_b, \"%s%s%s\");\n", *first ? "" : ", ", name ? name : "",
            name ? " = " : "");
    *first = false;
}

/* One named field `name` of the item (access: "__cc_v->" or "__cc_v." plus
 * the path of enclosing anonymous-typed fields). */
static int gen_field(fgen *f, const cc_cell *c, const cc_item *it, const cc_declarator *d,
                     const char *access, cc_strbuf *code, bool *first)
{
    if (d->is_func) return 0;
    field_label(code, first, d->name);
    if (d->incomplete_array) {
        cc_strbuf_add(code, "    __cc_text(__cc_b, \"{...}\");\n");
        return 0;
    }
    if (is_record(c, it) && !it->tag && plain_declarator(d)) {   /* struct { ... } name; */
        size_t len;
        const char *in = inner_text(c, it, &len);
        if (!in) return -1;
        char *sub = cc_xasprintf("%s%s.", access, d->name);
        bool f2 = true;
        cc_strbuf_add(code, "    __cc_text(__cc_b, \"{\");\n");
        int rc = gen_fields(f, in, len, sub, code, &f2);
        cc_strbuf_add(code, "    __cc_text(__cc_b, \"}\");\n");
        free(sub);
        return rc;
    }
    bool bits = is_bitfield(c, d);
    if (f->cxx)
        cc_strbuf_printf(code, "    __cc_put_obj(__cc_b, %s%s%s);\n", bits ? "+" : "", access, d->name);
    else if (bits)
        cc_strbuf_printf(code, "    __CC_PUT_BITS(__cc_b, %s%s);\n", access, d->name);
    else
        cc_strbuf_printf(code, "    __CC_PUT(__cc_b, &%s%s);\n", access, d->name);
    return 0;
}

/* The fields of one member item. -1: the body is not plain enough. */
static int gen_member(fgen *f, const cc_cell *c, const cc_item *it, const char *access,
                      cc_strbuf *code, bool *first)
{
    switch (it->kind) {
    case CC_ITEM_PREPROC: return it->pp == CC_PP_COND ? -1 : 0;
    case CC_ITEM_OTHER: case CC_ITEM_FUNC: return 0;   /* static_assert, using, methods */
    case CC_ITEM_STMT: return -1;                       /* access labels, constructors */
    case CC_ITEM_TYPE:
    case CC_ITEM_DECL: break;
    }
    if (it->has_body && it->tag && !f->cxx) {   /* a nested named type is file-scope in C */
        size_t len;
        const char *s = tok_src(c, it->body_first, it->body_end, &len);
        work_add(f, s, len);
    }
    if (it->flags & (CC_F_TYPEDEF | CC_F_STATIC | CC_F_TEMPLATE)) return 0;
    if (it->n_decls == 0) {
        if (!is_record(c, it) || it->tag) return 0;   /* enum { ... }; or a type only */
        size_t len;
        const char *in = inner_text(c, it, &len);   /* anonymous member: {a = 1, b = 2} */
        if (!in) return -1;
        field_label(code, first, NULL);
        bool f2 = true;
        cc_strbuf_add(code, "    __cc_text(__cc_b, \"{\");\n");
        int rc = gen_fields(f, in, len, access, code, &f2);
        cc_strbuf_add(code, "    __cc_text(__cc_b, \"}\");\n");
        return rc;
    }
    for (size_t k = 0; k < it->n_decls; k++)
        if (gen_field(f, c, it, &it->decls[k], access, code, first) < 0) return -1;
    return 0;
}

static int gen_fields(fgen *f, const char *text, size_t len, const char *access, cc_strbuf *code,
                      bool *first)
{
    char *src = cc_xstrndup(text, len);
    cc_cell c;
    int rc = -1;
    if (cc_cell_split(src, fg_is_type, f, &c, NULL) == 0) {
        rc = 0;
        for (size_t i = 0; i < c.n_items && rc == 0; i++)
            rc = gen_member(f, &c, &c.items[i], access, code, first);
        cc_cell_free(&c);
    }
    free(src);
    return rc;
}

/* The name a formatter is registered under: the tag, or a plain typedef name. */
static const char *record_name(const cc_item *it)
{
    if (it->tag) return it->tag;
    if (!(it->flags & CC_F_TYPEDEF)) return NULL;
    for (size_t k = 0; k < it->n_decls; k++)
        if (!it->decls[k].is_func && it->decls[k].first == it->decls[k].name_tok &&
            it->decls[k].end == it->decls[k].name_tok + 1)
            return it->decls[k].name;
    return NULL;
}

static void gen_record(fgen *f, const cc_cell *c, const cc_item *it)
{
    const char *name = record_name(it);
    size_t len;
    const char *in = inner_text(c, it, &len);
    if (!name || !in || cg_ids_has(&f->names, name, strlen(name))) return;
    cc_strbuf code = {0};
    bool first = true;
    if (gen_fields(f, in, len, f->cxx ? "__cc_v." : "__cc_v->", &code, &first) < 0) {
        free(code.s);
        return;
    }
    cg_ids_add(&f->names, name, strlen(name));
    int k = f->n++;
    if (f->cxx) {
        cc_strbuf_printf(&f->protos, "static inline int __cc_fields(__cc_val *, const %s &, int);\n", name);
        cc_strbuf_printf(&f->defs, "static inline int __cc_fields(__cc_val *__cc_b, const %s &__cc_v, int)\n{\n"
                          "    __cc_text(__cc_b, \"{\");\n%s    __cc_text(__cc_b, \"}\");\n"
                          "    return 0;\n}\n", name, code.s ? code.s : "");
    } else {
        cc_strbuf_printf(&f->protos, "static void __cc_fmt_%d(__cc_val *, const void *) "
                            "__attribute__((unused));\n", k);
        cc_strbuf_printf(&f->assoc, " %s: __cc_fmt_%d,", name, k);
        cc_strbuf_printf(&f->defs, "static void __cc_fmt_%d(__cc_val *__cc_b, const void *__cc_p)\n{\n"
                          "    const %s *__cc_v = (const %s *)__cc_p;\n"
                          "    __cc_text(__cc_b, \"{\");\n%s    __cc_text(__cc_b, \"}\");\n}\n",
                k, name, name, code.s ? code.s : "");
    }
    free(code.s);
}

static void scan_text(fgen *f, const char *text, bool typedefs_only)
{
    cc_cell c;
    if (cc_cell_split(text, fg_is_type, f, &c, NULL)) return;
    for (size_t i = 0; i < c.n_items; i++) {
        const cc_item *it = &c.items[i];
        if (it->kind != CC_ITEM_TYPE && it->kind != CC_ITEM_DECL) continue;
        if (typedefs_only) {
            if (it->flags & CC_F_TYPEDEF)
                for (size_t k = 0; k < it->n_decls; k++)
                    cg_ids_add(&f->typedefs, it->decls[k].name, strlen(it->decls[k].name));
        } else if (is_record(&c, it)) {
            gen_record(f, &c, it);
        }
    }
    cc_cell_free(&c);
}

void cv_formatters(const char *const *texts, size_t n, bool cxx, cc_is_type_fn is_type,
                   void *ctx, cc_strbuf *out)
{
    fgen f = { .cxx = cxx, .is_type = is_type, .ctx = ctx };
    for (size_t i = 0; i < n; i++)
        if (texts[i]) scan_text(&f, texts[i], true);
    for (size_t i = 0; i < n; i++)
        if (texts[i]) scan_text(&f, texts[i], false);
    for (size_t i = 0; i < f.n_work; i++)   /* nested types found meanwhile (C) */
        scan_text(&f, f.work[i], false);
    if (f.n) {
        cc_strbuf_add(out, "#line 1 \"<cudacell>\"\n");
        if (f.protos.s) cc_strbuf_add(out, f.protos.s);
        if (!cxx) cc_strbuf_printf(out, "#undef __CC_STRUCT_FNS\n#define __CC_STRUCT_FNS%s\n",
                          f.assoc.s ? f.assoc.s : "");
        if (f.defs.s) cc_strbuf_add(out, f.defs.s);
    }
    for (size_t i = 0; i < f.n_work; i++) free(f.work[i]);
    free(f.work);
    free(f.protos.s);
    free(f.assoc.s);
    free(f.defs.s);
    cg_ids_free(&f.typedefs);
    cg_ids_free(&f.names);
}
