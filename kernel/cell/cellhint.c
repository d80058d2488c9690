/* kernel/cell/cellhint.c — plain words for a C cell that failed to compile
 * because of the cell model or the language rather than a slip: a name
 * from a CUDA cell that C cannot see, a variable-length array at the top
 * level (a global), C++ written in a C cell. Reads the cell, the compiler's
 * diagnostics and the plan's hidden names; no I/O. */
#include "cellhint.h"

#include "cellsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- names from CUDA cells ---------------------------------------------- */

/* diag names `name` in quotes, as GCC and ld do (‘x’, 'x', `x'). */
static bool diag_names(const char *diag, const char *name, size_t len)
{
    for (const char *p = strstr(diag, name); p; p = strstr(p + 1, name)) {
        if (p == diag) continue;
        unsigned char before = (unsigned char)p[-1], after = (unsigned char)p[len];
        bool open = before == '\'' || before == '`' ||
                    (p - diag >= 3 && memcmp(p - 3, "\xe2\x80\x98", 3) == 0);   /* ‘ */
        bool close = after == '\'' || (after == 0xe2 && (unsigned char)p[len + 2] == 0x99);
        if (open && close) return true;
    }
    return false;
}

static void hidden_hint(cc_strbuf *m, const char *diag, const char *hidden)
{
    for (const char *line = hidden; line && *line;) {
        const char *nl = strchr(line, '\n'), *t1 = strchr(line, '\t');
        if (!nl || !t1 || t1 > nl || t1 + 3 > nl) break;
        char *name = cc_xstrndup(line, (size_t)(t1 - line));
        char kind = t1[1];
        char *why = cc_xstrndup(t1 + 3, (size_t)(nl - t1 - 3));
        const char *bare = strchr(name, ' ') ? strchr(name, ' ') + 1 : name;
        char *said = cc_xasprintf("`%s` ", name);   /* overloads share a name: one paragraph */
        if ((diag_names(diag, name, strlen(name)) || diag_names(diag, bare, strlen(bare))) &&
            !(m->s && strstr(m->s, said))) {
            if (m->len) cc_strbuf_printf(m, "\n");
            if (kind == 'k')
                cc_strbuf_printf(m, "`%s` is a CUDA kernel (__global__) from a CUDA cell: C cells cannot launch "
                            "kernels. Launch it from a CUDA cell (`%%%%cuda`), or call a host function of a "
                            "CUDA cell that launches it.", name);
            else if (kind == 'd')
                cc_strbuf_printf(m, "`%s` is device code (__device__) from a CUDA cell: only CUDA cells (`%%%%cuda`) "
                            "can use it.", name);
            else
                cc_strbuf_printf(m, "`%s` was defined in a CUDA cell and its %s uses %s, which C cells cannot see; "
                            "use it from a CUDA cell (`%%%%cuda`) or give it a C-compatible %s.", name,
                         kind == 't' ? "definition" : "declaration", why,
                         kind == 't' ? "definition" : "signature");
        }
        free(said);
        free(name);
        free(why);
        line = nl + 1;
    }
}

/* ---- a variable-length array at the top level ---------------------------- */

/* The declaration of `name` in the cell, or NULL. */
static const cc_item *find_decl(const cc_cell *c, const char *name, const cc_declarator **d)
{
    for (size_t i = 0; i < c->n_items; i++) {
        const cc_item *it = &c->items[i];
        if (it->kind != CC_ITEM_DECL) continue;
        for (size_t k = 0; k < it->n_decls; k++)
            if (strcmp(it->decls[k].name, name) == 0) { *d = &it->decls[k]; return it; }
    }
    return NULL;
}

/* "T *v = malloc(n * sizeof *v);" and "{ T v[n]; ... }" for `T v[n]...`,
 * or -1 when the declarator is not a plain array of arrays. */
static int vla_fix(const cc_cell *c, const cc_item *it, const cc_declarator *d, cc_strbuf *dims, cc_strbuf *alloc,
                   cc_strbuf *block)
{
    if (it->has_body) return -1;
    for (size_t k = d->first; k < d->name_tok; k++)
        if (!cc_tok_is(c, k, "*") && !cc_tok_is(c, k, "const")) return -1;
    char *spec = cc_toks_join(c, it->first, it->spec_end, (size_t)-1, 0, CC_F_EXTERN);
    char *ptrs = cc_toks_join(c, d->first, d->name_tok, (size_t)-1, 0, 0);
    cc_strbuf size = {0};
    int n = 0, rc = 0;
    for (size_t k = d->name_tok + 1; k < d->end; k = (size_t)c->toks[k].match + 1, n++) {
        if (!cc_tok_is(c, k, "[") || c->toks[k].match <= (int)k + 1) { rc = -1; break; }
        size_t close = (size_t)c->toks[k].match;
        char *e = cc_toks_join(c, k + 1, close, (size_t)-1, 0, 0);
        cc_strbuf_printf(dims, "[%s]", e);
        bool paren = close - k > 2;
        cc_strbuf_printf(&size, "%s%s%s * ", paren ? "(" : "", e, paren ? ")" : "");
        free(e);
    }
    if (!rc && n) {
        cc_strbuf_printf(alloc, "%s %s*%s = malloc(%ssizeof *%s);", spec, ptrs, d->name, size.s, d->name);
        cc_strbuf_printf(block, "{ %s %s%s%s; ... }", spec, ptrs, d->name, dims->s);
    }
    free(spec);
    free(ptrs);
    free(size.s);
    return rc || !n ? -1 : n;
}

/* "variably modified ‘v’ at file scope" in diag: the name (malloc'd) and
 * the "cell:L:C" the line starts with. */
static char *vla_name(const char *diag, char *where, size_t wn)
{
    const char *p = strstr(diag, "variably modified ");
    if (!p) return NULL;
    const char *q = p + strlen("variably modified ");
    if (!strncmp(q, "\xe2\x80\x98", 3)) q += 3;
    else if (*q == '\'' || *q == '`') q++;
    else return NULL;
    size_t len = 0;
    while (q[len] && (q[len] == '_' || (q[len] >= '0' && q[len] <= '9') || ((q[len] | 32) >= 'a' && (q[len] | 32) <= 'z')))
        len++;
    const char *after = q + len;
    after += !strncmp(after, "\xe2\x80\x99", 3) ? 3 : 1;
    if (!len || strncmp(after, " at file scope", 14) != 0) return NULL;
    const char *ls = p;
    while (ls > diag && ls[-1] != '\n') ls--;
    const char *colon = ls;
    for (int k = 0; k < 3 && colon; k++) colon = strchr(colon + 1, ':');
    snprintf(where, wn, "%.*s ", colon && colon < p ? (int)(colon + 1 - ls) : 0, ls);
    return cc_xstrndup(q, len);
}

static void vla_hint(cc_strbuf *m, const char *code, const char *diag)
{
    char where[64];
    char *name = vla_name(diag, where, sizeof where);
    if (!name) return;
    cc_cell c;
    char *err = NULL;
    const cc_declarator *d = NULL;
    const cc_item *it = NULL;
    if (cc_cell_split(code, NULL, NULL, &c, &err) == 0) it = find_decl(&c, name, &d);
    else memset(&c, 0, sizeof c);
    free(err);
    if (!it || (it->flags & CC_F_TYPEDEF)) { free(name); cc_cell_free(&c); return; }
    cc_strbuf dims = {0}, alloc = {0}, block = {0};
    int n = vla_fix(&c, it, d, &dims, &alloc, &block);
    if (m->len) cc_strbuf_printf(m, "\n");
    cc_strbuf_printf(m, "%s`%s` is declared at the top level of the cell, which makes it a global variable (that is "
                "how later cells see it), and the size of a global array must be a constant", where, name);
    if (n > 0) {
        cc_strbuf_printf(m, ": `%s` is not. Allocate it instead: `%s`", dims.s, alloc.s);
        if (n == 2) {
            const char *second = strrchr(dims.s, '[') + 1;
            int len = (int)(strlen(second) - 1);
            bool paren = memchr(second, ' ', (size_t)len) != NULL;
            cc_strbuf_printf(m, " (then `%s[i * %s%.*s%s + j]`)", name, paren ? "(" : "", len, second, paren ? ")" : "");
        }
        cc_strbuf_printf(m, " — or, if only this cell needs it, put the array inside a block: `%s`.", block.s);
    } else {
        cc_strbuf_printf(m, ". Allocate it with malloc instead (a pointer at the top level), or, if only this cell "
                    "needs it, declare it inside a block `{ ... }`.");
    }
    free(dims.s); free(alloc.s); free(block.s);
    free(name);
    cc_cell_free(&c);
}

/* ---- C++ in a C cell ------------------------------------------------------ */

/* What makes the cell C++ (malloc'd, e.g. "std::cout"), or NULL. */
static char *cxx_marker(const char *code)
{
    cc_tok *t;
    size_t n;
    if (cc_tokenize(code, &t, &n, NULL)) return NULL;
    cc_cell c = { .src = code, .toks = t, .n_toks = n };
    char *found = NULL;
    int attr = 0;   /* inside [[ ]] (C23 attributes use ::) */
    for (size_t i = 0; i < n && !found; i++) {
        const char *s = code + t[i].off;
        if (t[i].kind == CC_TOK_PREPROC) {
            const char *h = s + 1;
            while (*h == ' ' || *h == '\t') h++;
            if (strncmp(h, "include", 7) != 0) continue;
            const char *a = strchr(h, '<'), *z = a ? strchr(a, '>') : NULL;
            if (a && z && z < s + t[i].len && !memchr(a, '.', (size_t)(z - a)))
                found = cc_xstrndup(s, (size_t)(z + 1 - s));
            continue;
        }
        if (cc_tok_is(&c, i, "[") && cc_tok_is(&c, i + 1, "[")) attr++;
        if (cc_tok_is(&c, i, "]") && cc_tok_is(&c, i + 1, "]") && attr) attr--;
        if (cc_tok_is(&c, i, "::") && !attr) {
            size_t a = i && t[i - 1].kind == CC_TOK_IDENT ? i - 1 : i, z = i + 1;
            while (z + 1 < n && t[z].kind == CC_TOK_IDENT && cc_tok_is(&c, z + 1, "::")) z += 2;
            if (z < n && t[z].kind == CC_TOK_IDENT) z++;
            found = cc_xstrndup(code + t[a].off, (size_t)(t[z - 1].off + t[z - 1].len - t[a].off));
            continue;
        }
        bool starts = i == 0 || cc_tok_is(&c, i - 1, ";") || cc_tok_is(&c, i - 1, "}") ||
                      cc_tok_is(&c, i - 1, "{") || t[i - 1].kind == CC_TOK_PREPROC;
        if (!starts || i + 1 >= n) continue;
        size_t last = i + 1;     /* `class Foo`, `namespace ns`, `using namespace std`, `template <` */
        if (cc_tok_is(&c, i, "using")) {
            if (!cc_tok_is(&c, i + 1, "namespace") || i + 2 >= n) continue;
            last = i + 2;
        } else if (cc_tok_is(&c, i, "template")) {
            if (!cc_tok_is(&c, i + 1, "<")) continue;
            last = i;
        } else if (!cc_tok_is(&c, i, "class") && !cc_tok_is(&c, i, "namespace")) {
            continue;
        }
        if (t[last].kind == CC_TOK_IDENT)
            found = cc_xstrndup(s, (size_t)(t[last].off + t[last].len - t[i].off));
    }
    free(t);
    return found;
}

static void cxx_hint(cc_strbuf *m, const char *code)
{
    char *what = cxx_marker(code);
    if (!what) return;
    if (m->len) cc_strbuf_printf(m, "\n");
    cc_strbuf_printf(m, "This cell is C++ (`%s`), but it was compiled as C: a session is C until its first "
                "CUDA or C++ cell, and a `%%%%c` cell is always C. To run C++, put `%%%%cuda` on the cell's "
                "first line, or run `%%lang cuda` to make this and every later cell CUDA C++ (cells without "
                "device code then go to the host C++ compiler; no GPU is needed).", what);
    free(what);
}

/* ---- entry ----------------------------------------------------------------- */

/* ---- a function no cell has defined (the link failed) ---------------------- */

/* The library a missing name comes from, by its prefix, or NULL. */
static const char *library_of(const char *name)
{
    static const char *const libs[][2] = {
        {"cublas", "-lcublas"}, {"cufft", "-lcufft"}, {"curand", "-lcurand"}, {"cusparse", "-lcusparse"},
        {"cusolver", "-lcusolver"}, {"nvtx", "-lnvToolsExt"}, {"nccl", "-lnccl"}, {"nvrtc", "-lnvrtc"},
        {"cuda", "-lcuda"}, {"MPI_", "-lmpi"}, {"omp_", "-fopenmp"}, {NULL, NULL}};
    for (size_t i = 0; libs[i][0]; i++)
        if (!strncmp(name, libs[i][0], strlen(libs[i][0]))) return libs[i][1];
    return NULL;
}

/* Names the linker could not find ("undefined reference to `x'"), one
 * paragraph for all: what happened, and what to do. */
static void link_hint(cc_strbuf *m, const char *diag)
{
    static const char tag[] = "undefined reference to `";
    cc_strbuf names = {0};
    const char *lib = NULL;
    int n = 0;
    for (const char *p = diag; (p = strstr(p, tag)); ) {
        p += sizeof tag - 1;
        const char *e = strchr(p, '\'');
        if (!e || e - p > 200) break;
        if (e - p > 9 && !strncmp(p, "cudacell.", 9)) p += 9;   /* our symbol of a name */
        char *name = cc_xstrndup(p, (size_t)(e - p));
        char *quoted = cc_xasprintf("`%s`", name);
        if (!(names.s && strstr(names.s, quoted)) && n < 4) {
            if (n++) cc_strbuf_add(&names, ", ");
            cc_strbuf_add(&names, quoted);
            if (!lib) lib = library_of(name);
        }
        free(quoted);
        free(name);
        p = e;
    }
    if (!n) { free(names.s); return; }
    if (m->len) cc_strbuf_add(m, "\n");
    if (lib && !strcmp(lib, "-fopenmp"))
        cc_strbuf_printf(m, "%s come%s from OpenMP, which is not linked: run `%%cflags -fopenmp` (or add it to "
                         "`%%nvccflags` as `-Xcompiler -fopenmp` in a CUDA session), then run this cell again.",
                         names.s, n == 1 ? "s" : "");
    else if (lib)
        cc_strbuf_printf(m, "%s come%s from a library that is not linked: add `%s` to the linker flags "
                         "(`%%ldflags` shows them, `%%ldflags %s` sets them), then run this cell again.",
                         names.s, n == 1 ? "s" : "", lib, lib);
    else
        cc_strbuf_printf(m, "%s %s called or used here, but no cell has defined %s yet (a declaration is not a "
                         "definition). Each cell is linked when it runs, so a function must be defined, with its "
                         "body, in this cell or an earlier one: define it, or run the cell that defines it, then "
                         "run this cell again. A program that uses a function before defining it works as one "
                         "cell.", names.s, n == 1 ? "is" : "are", n == 1 ? "it" : "them");
    free(names.s);
}

char *cc_cell_hint(const char *code, const char *diag, const char *hidden)
{
    if (!code || !diag) return NULL;
    cc_strbuf m = {0};
    hidden_hint(&m, diag, hidden);
    vla_hint(&m, code, diag);
    if (!m.len) cxx_hint(&m, code);
    if (!m.len) link_hint(&m, diag);
    return m.s;
}

char *cc_cxx_hint(const char *diag)
{
    if (!diag) return NULL;
    if (strstr(diag, "\"void *\" cannot be used to initialize") || strstr(diag, "\"void *\" cannot be assigned") ||
        strstr(diag, "invalid conversion from \xe2\x80\x98void*\xe2\x80\x99") ||
        strstr(diag, "invalid conversion from 'void*'"))
        return cc_xstrdup("This session is CUDA C++ since its first CUDA cell, and C++ does not convert "
                          "`void *` (what malloc, calloc and realloc return) to other pointer types by itself: "
                          "write the cast, e.g. `float *p = (float *)malloc(n * sizeof *p);`, or run C code "
                          "in a `%%c` cell (`%lang c` makes the following cells C again).");
    cc_strbuf m = {0};
    link_hint(&m, diag);
    return m.s;
}
