/* kernel/cell/codegen_hdr.c — the session header of a generated translation unit
 * (what earlier cells declared, as C or as CUDA C++ sees it), the list of
 * objects a cell must link. Everything returned is malloc'd and owned by
 * the caller. */
#include "codegen.h"
#include "cxxnames.h"
#include "celltok.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what a C translation unit can take from CUDA cells ---------------- */

typedef struct cxx_why { const cg_ids *hidden; const char *text; char *buf; size_t n; } cxx_why;

static bool cxx_word(void *ctx, const char *p, size_t len)
{
    cxx_why *w = ctx;
    if (!cc_cxx_only_name(p, len) && !cg_ids_has(w->hidden, p, len)) return false;
    const char *a = p;   /* a tag keeps its keyword: `struct P` */
    static const char *const tags[] = { "struct ", "union ", "enum " };
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(tags[k]);
        if ((size_t)(p - w->text) >= l && memcmp(p - l, tags[k], l) == 0) a = p - l;
    }
    snprintf(w->buf, w->n, "`%.*s`", (int)(p + len - a), a);
    return true;
}

/* A '<' that is not part of "<<" or "<=": a template argument list. */
static bool has_angle(const char *t)
{
    for (const char *p = strchr(t, '<'); p; p = strchr(p + 1, '<'))
        if (p[1] != '<' && p[1] != '=' && (p == t || p[-1] != '<')) return true;
    return false;
}

/* Would this item from a CUDA cell break a C translation unit? Exact words
 * decide (cxxnames.c), plus the type names in `hidden` (types C cannot see
 * either); `why` gets what C cannot read ("`float4`", "`std::string`"). */
static bool cxx_only(const cc_sitem *it, const cg_ids *hidden, char *why, size_t n)
{
    const char *t = it->text;
    if (it->kind == CC_SI_INCLUDE) {
        const char *a = strpbrk(t, "<\"");
        if (!a) return true;
        const char *z = strpbrk(a + 1, ">\"");
        return cc_cxx_header(a + 1, z ? (size_t)(z - a - 1) : strlen(a + 1));
    }
    if (it->kind == CC_SI_MACRO) return false;
    const char *q = strstr(t, "::");
    if (q) {
        const char *a = q, *z = q + 2;
        while (a > t && (isalnum((unsigned char)a[-1]) || a[-1] == '_' || a[-1] == ':')) a--;
        while (isalnum((unsigned char)*z) || *z == '_' || *z == ':') z++;
        snprintf(why, n, "`%.*s`", (int)(z - a), a);
        return true;
    }
    if (strchr(t, '&')) { snprintf(why, n, "a C++ reference (`&`)"); return true; }
    if (it->kind != CC_SI_TYPE && has_angle(t)) { snprintf(why, n, "a C++ template (`<...>`)"); return true; }
    cxx_why w = { hidden, t, why, n };
    return cg_ids_each(t, cxx_word, &w);
}

static void add_type_names(cg_ids *s, const cc_sitem *it);

/* ---- what a host-only C++ unit can take from CUDA cells ----------------- */

static bool device_word(void *ctx, const char *p, size_t len)
{
    (void)ctx;
    return cc_device_namespace(p, len);
}

/* Would this item need nvcc? Device code (material, device variables,
 * definitions with CUDA qualifiers), device-only headers (thrust, CUB …),
 * and declarations written with their namespaces. */
static bool device_only(const cc_sitem *it, char *why, size_t n)
{
    if (it->kind == CC_SI_DEVVAR) { snprintf(why, n, "device variable"); return true; }
    if (it->kind == CC_SI_INCLUDE) {
        const char *a = strpbrk(it->text, "<\"");
        const char *z = a ? strpbrk(a + 1, ">\"") : NULL;
        bool dev = a && cc_device_header(a + 1, z ? (size_t)(z - a - 1) : strlen(a + 1));
        if (dev) snprintf(why, n, "device header");
        return dev;
    }
    if (it->kind == CC_SI_MATERIAL && cc_cell_is_cuda(it->text)) { snprintf(why, n, "device code"); return true; }
    if (it->kind == CC_SI_MACRO || it->kind == CC_SI_KERNEL) return false;
    if (cg_ids_each(it->text, device_word, NULL)) { snprintf(why, n, "device library"); return true; }
    return false;
}

/* ---- the header -------------------------------------------------------- */

/* Can a unit in `lang` see the item? For C, a CUDA type it cannot see joins
 * `hidden`, so what is declared with that type stays out too. */
static bool item_visible(const cc_sitem *it, cc_lang lang, cg_ids *hidden, char *why, size_t n)
{
    why[0] = '\0';
    /* a C cell's main: C++ may neither declare it extern "C" nor call it */
    if (lang != CC_LANG_C && it->kind == CC_SI_FUNC && strcmp(it->keys[0], "main") == 0) return false;
    if (lang == CC_LANG_CUDA) return true;
    if (lang == CC_LANG_CXX) return !device_only(it, why, n);
    if (it->kind == CC_SI_KERNEL || it->kind == CC_SI_MATERIAL || it->kind == CC_SI_DEVVAR) return false;
    if (!it->cuda) return true;
    if (!cxx_only(it, hidden, why, n)) {
        if (!it->cxx_link && !it->link_always) return true;
        snprintf(why, n, "C++ linkage (it is overloaded)");
        return false;
    }
    add_type_names(hidden, it);
    return false;
}

/* A hidden item the C cell mentions: "name\tK\twhy\n" into out, K being
 * f (function or variable), t (type), k (kernel), d (device code). */
static void note_hidden(const cc_sitem *it, const cg_ids *refs, const char *why, cc_strbuf *out)
{
    char k = it->kind == CC_SI_KERNEL ? 'k' : it->kind == CC_SI_TYPE ? 't' :
             it->kind == CC_SI_FUNC || it->kind == CC_SI_VAR ? 'f' :
             it->kind == CC_SI_MATERIAL || it->kind == CC_SI_DEVVAR ? 'd' : 0;
    if (k && it->refname) {   /* an overload keyed "f(int)": by its name */
        if (cg_ids_has(refs, it->refname, strlen(it->refname)))
            cc_strbuf_printf(out, "%s\t%c\t%s\n", it->refname, k, why);
        return;
    }
    for (size_t i = 0; k && i < it->n_keys; i++) {
        const char *sp = strchr(it->keys[i], ' ');
        const char *nm = k == 't' && sp ? sp + 1 : it->keys[i];
        if (strchr(nm, ' ') || !cg_ids_has(refs, nm, strlen(nm))) continue;
        cc_strbuf_printf(out, "%s\t%c\t%s\n", it->keys[i], k, why);
    }
}

static void emit_devvar(const cc_sitem *it, cc_strbuf *out)
{
    const char *n = it->keys[0];
    cc_strbuf_printf(out, "extern \"C\" void *__cc_sym_%s(void);\n", n);
    cc_strbuf_printf(out, "typedef %s;\n", it->tdef);
    cc_strbuf_printf(out, "static __device__ __cc_t_%s *__cc_p_%s;\n", n, n);
    cc_strbuf_printf(out, "#ifdef __CUDA_ARCH__\n#define %s (*__cc_p_%s)\n#else\n"
                 "#define %s (*(__cc_t_%s *)__cc_sym_%s())\n#endif\n", n, n, n, n, n);
}

static void emit_body(const cc_sitem *it, cc_lang lang, cc_strbuf *out);

/* The item, under the macros it was written with when its cell changed them
 * later (codegen_macros.c). */
static void emit_item(const cc_sitem *it, cc_lang lang, cc_strbuf *out)
{
    if (it->pre) cc_strbuf_add(out, it->pre);
    emit_body(it, lang, out);
    if (it->post) cc_strbuf_add(out, it->post);
}

static void emit_body(const cc_sitem *it, cc_lang lang, cc_strbuf *out)
{
    bool cxx = lang != CC_LANG_C;
    switch (it->kind) {
    case CC_SI_INCLUDE: case CC_SI_MACRO: case CC_SI_TYPE: case CC_SI_MATERIAL:
        cc_strbuf_add(out, it->text);
        cc_strbuf_add(out, "\n");
        break;
    case CC_SI_FUNC: case CC_SI_VAR: {
        if (it->cxx_link) {   /* C++ linkage: a plain prototype, overloads side by side */
            cc_strbuf_printf(out, "%s;\n", it->text);
            break;
        }
        const char *ext = it->kind == CC_SI_VAR ? "extern " : "";
        cc_strbuf_printf(out, cxx ? "extern \"C\" { %s" : "%s", ext);
        cg_add_labeled(out, it->text, it->soname && !it->no_label ? it->keys[0] : NULL);
        cc_strbuf_add(out, cxx ? "; }\n" : ";\n");
        break;
    }
    case CC_SI_KERNEL:
        cc_strbuf_printf(out, "extern \"C\" " CG_VISIBLE " %s;\n", it->text);
        break;
    case CC_SI_DEVVAR:
        emit_devvar(it, out);
        break;
    case CC_SI_UNDEF:
        break;
    }
}

/* Bare names of the types and macros an item defines ("struct S" -> "S"). */
static void add_type_names(cg_ids *s, const cc_sitem *it)
{
    if (it->kind != CC_SI_TYPE && it->kind != CC_SI_MACRO) return;
    for (size_t k = 0; k < it->n_keys; k++) {
        const char *sp = strchr(it->keys[k], ' ');
        const char *nm = sp ? sp + 1 : it->keys[k];
        cg_ids_add(s, nm, strlen(nm));
    }
}

static bool keyed_by(const cc_sitem *it, const cg_ids *keys)
{
    for (size_t k = 0; k < it->n_keys; k++)
        if (cg_ids_has(keys, it->keys[k], strlen(it->keys[k]))) return true;
    return false;
}

void cg_header(const cg_view *v, cc_lang lang, const cg_ids *own_keys, const cg_ids *refs,
               cc_strbuf *out, bool *used, cc_strbuf *hidden)
{
    cg_ids gone = {0};      /* names of redefined types/macros */
    cg_ids cxx_types = {0}; /* C units: CUDA types they cannot see */
    cg_ids macros = {0};    /* macros defined so far (one cell may define one twice) */
    char why[160];
    for (size_t i = 0; i < v->n_items; i++)   /* completing a forward declaration redefines nothing */
        if (!v->items[i].weak && keyed_by(&v->items[i], own_keys)) add_type_names(&gone, &v->items[i]);
    cc_strbuf_add(out, "#line 1 \"session\"\n");
    for (size_t i = 0; i < v->n_items; i++) {
        const cc_sitem *it = &v->items[i];
        used[i] = false;
        if (keyed_by(it, own_keys)) continue;
        if (!item_visible(it, lang, &cxx_types, why, sizeof why)) {
            note_hidden(it, refs, why[0] ? why : "CUDA", hidden);
            continue;
        }
        /* a device variable costs a pointer and a fill: only when used */
        if (it->kind == CC_SI_DEVVAR && !keyed_by(it, refs)) continue;
        if (it->kind != CC_SI_INCLUDE && gone.n) {
            /* a declaration written in terms of a type the cell redefines would
             * now mean something else: leave it out (and what depends on it) */
            const char *t = it->kind == CC_SI_DEVVAR ? it->tdef : it->text;
            bool hit = false;
            if (it->kind == CC_SI_MACRO) {
                const char *body = strstr(t, it->keys[0]);     /* skip "#define NAME" */
                hit = body && cg_text_mentions(body + strlen(it->keys[0]), &gone);
            } else {
                hit = cg_text_mentions(t, &gone);
            }
            if (hit) { add_type_names(&gone, it); continue; }
        }
        if (it->kind == CC_SI_MACRO && it->n_keys) {   /* redefined in its own cell: no warning */
            size_t kl = strlen(it->keys[0]);
            if (cg_ids_has(&macros, it->keys[0], kl)) cc_strbuf_printf(out, "#undef %s\n", it->keys[0]);
            cg_ids_add(&macros, it->keys[0], kl);
        }
        emit_item(it, lang, out);
        used[i] = true;
    }
    cg_ids_free(&macros);
    cg_ids_free(&gone);
    cg_ids_free(&cxx_types);
}

/* ---- the objects to link ----------------------------------------------- */

typedef struct dep { const char *soname; unsigned seq; } dep;

static int dep_cmp(const void *a, const void *b)
{
    const dep *x = a, *y = b;
    return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : strcmp(x->soname, y->soname);
}

void cg_deps(const cg_view *v, cc_lang lang, const bool *used, const cg_ids *refs, cc_plan *p)
{
    dep *d = cc_xmalloc((v->n_items + v->n_cells + 1) * sizeof *d);
    size_t n = 0;
    for (size_t i = 0; i < v->n_items; i++) {
        const cc_sitem *it = &v->items[i];
        if (!used[i] || !it->soname) continue;
        bool reached = keyed_by(it, refs) || (it->refname && cg_ids_has(refs, it->refname, strlen(it->refname))) ||
                       (it->link_always && lang != CC_LANG_C);
        if (!reached) continue;
        d[n++] = (dep){ it->soname, it->seq };
    }
    if (lang != CC_LANG_C) {
        for (size_t c = 0; c < v->n_cells; c++) {
            if (!v->cells[c].devlink) continue;
            for (size_t i = 0; i < v->n_items; i++) {
                if (v->items[i].soname && strcmp(v->items[i].soname, v->cells[c].soname) == 0) {
                    d[n++] = (dep){ v->cells[c].soname, v->cells[c].seq };
                    break;
                }
            }
        }
    }
    qsort(d, n, sizeof *d, dep_cmp);
    p->deps = n ? cc_xcalloc(n, sizeof *p->deps) : NULL;
    p->n_deps = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < p->n_deps; k++) if (strcmp(p->deps[k], d[i].soname) == 0) dup = true;
        if (!dup && p->deps) p->deps[p->n_deps++] = cc_xstrdup(d[i].soname);
    }
    free(d);
}
