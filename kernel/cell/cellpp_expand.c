/* kernel/cell/cellpp_expand.c — finding the top-level invocations of
 * function-like macros that make declarations, such as
 *
 *     #define DEFINE_OP(name, op) __global__ void name##_k(float *a) { ... } \
 *                                 float name##_host(float x, float y) { ... }
 *     DEFINE_OP(add, +)
 *     DEFINE_OP(mul, *)
 *
 * object-like macros standing for `struct TAG` before a body
 * (`#define COMPLEX struct CS` / `COMPLEX { long x, y; };`), and object-like
 * macros of CUDA qualifiers (`#define HD __host__ __device__`, `#define
 * KERNEL __global__ void`),
 * so that the probe (cellpp.c) can have the real preprocessor expand them in
 * place and the functions and types they make are split, kept and
 * redefinable like written ones. A macro qualifies when its replacement
 * starts with a declaration word (a type keyword, a storage class, a CUDA
 * qualifier, struct/class/template, or a `_t` type name); an invocation
 * qualifies where a declaration or statement could start at file scope.
 * A statement macro (`CHECK(cudaMalloc(...));`, a `do { } while (0)` or a
 * call) is left alone: expanding it would only show generated text in its
 * errors. */
#include "cellpp_int.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const decl_words[] = {
    "typedef", "static", "extern", "inline", "const", "volatile", "void", "char", "short", "int",
    "long", "float", "double", "signed", "unsigned", "_Bool", "bool", "struct", "union", "enum",
    "class", "template", "namespace", "using", "constexpr", "auto", "_Static_assert",
    "static_assert", "_Noreturn", "__extension__", "__attribute__", "__inline__", "__inline",
    "__global__", "__device__", "__host__", "__constant__", "__shared__", "__managed__",
    "__forceinline__", "__noinline__", "__launch_bounds__", NULL
};

/* Past spaces, newlines, comments and continuations from p (not past e). */
static size_t skip_space(const char *s, size_t p, size_t e)
{
    while (p < e) {
        if (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' || s[p] == '\f' || s[p] == '\v') p++;
        else if (s[p] == '\\' && cc_pp_skip_cont(s, p) != p) p = cc_pp_skip_cont(s, p);
        else if (s[p] == '/' && p + 1 < e && s[p + 1] == '*') p = cc_pp_skip_block(s, p);
        else if (s[p] == '/' && p + 1 < e && s[p + 1] == '/') { while (p < e && s[p] != '\n') p++; }
        else break;
    }
    return p;
}

static size_t ident_end(const char *s, size_t p, size_t e)
{
    while (p < e && cc_pp_is_ident((unsigned char)s[p])) p++;
    return p;
}

static bool is_decl_word(const char *w, size_t n)
{
    for (const char *const *k = decl_words; *k; k++)
        if (strlen(*k) == n && !strncmp(*k, w, n)) return true;
    return n > 2 && w[n - 2] == '_' && w[n - 1] == 't';   /* size_t, uint8_t, cudaError_t … */
}

static bool is_tag_word(const char *w, size_t n)
{
    return (n == 6 && !strncmp(w, "struct", 6)) ||
           (n == 5 && !strncmp(w, "union", 5)) || (n == 4 && !strncmp(w, "enum", 4)) ||
           (n == 5 && !strncmp(w, "class", 5));
}

static bool is_cuda_word(const char *w, size_t n)
{
    static const char *const q[] = {"__global__", "__device__", "__host__", "__forceinline__", "__noinline__",
                                    "__launch_bounds__", "__constant__", "__shared__", "__managed__", NULL};
    for (size_t i = 0; q[i]; i++)
        if (strlen(q[i]) == n && !strncmp(q[i], w, n)) return true;
    return false;
}

enum { NOT_DECL, FN_DECL, OBJ_TAG, OBJ_QUALIFIER,
       FN_PARAM = 16 /* + k: the replacement starts with parameter k (a type, maybe: `T get_##n(void)`) */ };

/* What the #define text t (from '#', len bytes) makes, to expand: a
 * function-like macro whose replacement starts with a declaration word
 * (FN_DECL, asked with fn), or an object-like one standing for `struct TAG`
 * (union, enum, class: OBJ_TAG) or starting with a CUDA qualifier
 * (`#define HD __host__ __device__`: OBJ_QUALIFIER). */
static int decl_macro_text(const char *t, size_t len, bool fn)
{
    size_t p = skip_space(t, 1, len);           /* past '#' */
    size_t q = ident_end(t, p, len);
    if (q - p != 6 || strncmp(t + p, "define", 6)) return NOT_DECL;
    p = skip_space(t, q, len);
    q = ident_end(t, p, len);
    if (q == p || (q < len && t[q] == '(') != fn) return NOT_DECL;
    size_t params = q;
    if (fn) {
        while (q < len && t[q] != ')') q++;
        if (q >= len) return NOT_DECL;
        q++;
    }
    p = skip_space(t, q, len);
    q = ident_end(t, p, len);
    if (q == p) return NOT_DECL;
    if (fn && is_decl_word(t + p, q - p)) return FN_DECL;
    if (fn) {   /* a parameter? its argument then decides */
        int k = 0;
        for (size_t a = params + 1; a < len && t[a] != ')' && k < 64; k++) {
            a = skip_space(t, a, len);
            size_t b = ident_end(t, a, len);
            if (b - a == q - p && !strncmp(t + a, t + p, q - p)) return FN_PARAM + k;
            while (b < len && t[b] != ',' && t[b] != ')') b++;
            a = b < len && t[b] == ',' ? b + 1 : b;
        }
        return NOT_DECL;
    }
    return is_tag_word(t + p, q - p) ? OBJ_TAG : is_cuda_word(t + p, q - p) ? OBJ_QUALIFIER : NOT_DECL;
}

/* The cell's #define/#undef lines by macro name: an open-addressing table of
 * names, each with the indexes of its directives in order, so a lookup
 * costs one hash and a binary search however long the cell is. */
typedef struct mdefs {
    struct mname { const char *p; size_t len; size_t *dirs; size_t n, cap; } *v;
    size_t cap;
} mdefs;

static size_t mhash(const char *p, size_t n)
{
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static struct mname *mfind(const mdefs *m, const char *p, size_t n, bool add)
{
    if (!m->cap) return NULL;
    for (size_t i = mhash(p, n) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct mname *e = &m->v[i];
        if (!e->p) {
            if (!add) return NULL;
            e->p = p;
            e->len = n;
            return e;
        }
        if (e->len == n && !memcmp(e->p, p, n)) return e;
    }
}

static void mdefs_build(const char *s, const pp_dirs *d, mdefs *m)
{
    size_t want = 16;
    while (want < 2 * d->n + 16) want *= 2;
    m->cap = want;
    m->v = cc_xcalloc(want, sizeof *m->v);
    for (size_t i = 0; i < d->n; i++) {
        const pp_dir *x = &d->v[i];
        if (strcmp(x->name, "define") && strcmp(x->name, "undef")) continue;
        size_t p = skip_space(s, x->off + 1, x->end);
        p = skip_space(s, ident_end(s, p, x->end), x->end);   /* past the directive's name */
        size_t q = ident_end(s, p, x->end);
        if (q == p) continue;
        struct mname *e = mfind(m, s + p, q - p, true);
        if (e->n == e->cap) {
            e->cap = e->cap ? e->cap * 2 : 2;
            e->dirs = cc_xrealloc(e->dirs, e->cap * sizeof *e->dirs);
        }
        e->dirs[e->n++] = i;
    }
}

static void mdefs_free(mdefs *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->v[i].dirs);
    free(m->v);
}

/* What name (at offset pos of s) is there (decl_macro_text): by the cell's
 * last #define/#undef of it before pos, else the session's definition. */
static int decl_macro_at(const char *s, const pp_dirs *d, const mdefs *m, const cc_pp_opts *o, const char *name,
                         size_t pos, bool fn)
{
    const struct mname *e = mfind(m, name, strlen(name), false);
    if (e) {
        size_t lo = 0, hi = e->n;   /* the directives before pos: [0, lo) */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (d->v[e->dirs[mid]].off < pos) lo = mid + 1; else hi = mid;
        }
        if (lo) {
            const pp_dir *x = &d->v[e->dirs[lo - 1]];
            return strcmp(x->name, "define") ? NOT_DECL : decl_macro_text(s + x->off, x->end - x->off, fn);
        }
    }
    const char *t = o->session_macro ? o->session_macro(o->ctx, name) : NULL;
    return t ? decl_macro_text(t, strlen(t), fn) : NOT_DECL;
}

/* From '(' at p, past its matching ')'; 0 when it has none. */
static size_t match_paren(const char *s, size_t p)
{
    int depth = 0;
    while (s[p]) {
        char c = s[p];
        if (c == '"' || c == '\'') { p = cc_pp_skip_literal(s, p); continue; }
        if (c == '/' && s[p + 1] == '*') { p = cc_pp_skip_block(s, p); continue; }
        if (c == '/' && s[p + 1] == '/') { while (s[p] && s[p] != '\n') p++; continue; }
        if (c == '(') depth++;
        else if (c == ')' && --depth == 0) return p + 1;
        p++;
    }
    return 0;
}

/* Does argument k of the invocation whose '(' is at open (its ')' just
 * before close) start with a type: a declaration word, a `_t` name, or a
 * type of the session? */
static bool arg_is_type(const char *s, size_t open, size_t close, int k, const cc_pp_opts *o)
{
    size_t a = open + 1;
    int depth = 0;
    for (int i = 0; i < k && a < close; a++) {   /* to the start of argument k */
        char c = s[a];
        if (c == '(' || c == '[' || c == '{') depth++;
        else if (c == ')' || c == ']' || c == '}') depth--;
        else if (c == ',' && depth == 0) i++;
        else if (c == '"' || c == '\'') a = cc_pp_skip_literal(s, a) - 1;
    }
    a = skip_space(s, a, close);
    size_t e = ident_end(s, a, close);
    if (e == a) return false;
    if (is_decl_word(s + a, e - a)) return true;
    return o->is_type && o->is_type(o->ctx, s + a, e - a);
}

void cc_pp_find_decl_macros(const char *s, const pp_dirs *d, const cc_pp_opts *o, cc_pp_range **v, size_t *n)
{
    size_t p = 0, di = 0, len = strlen(s);
    int depth = 0;
    mdefs m = {0};
    mdefs_build(s, d, &m);
    bool start = true;   /* a declaration or statement could start here (file scope) */
    while (p < len) {
        while (di < d->n && d->v[di].off < p) di++;
        if (di < d->n && d->v[di].off == p) {   /* a directive line */
            p = d->v[di++].end;
            continue;
        }
        char c = s[p];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
            (c == '\\' && cc_pp_skip_cont(s, p) != p) || (c == '/' && (s[p + 1] == '*' || s[p + 1] == '/'))) {
            size_t past = skip_space(s, p, len);
            p = past > p ? past : p + 1;
            continue;
        }
        if (c == '"' || c == '\'') { p = cc_pp_skip_literal(s, p); start = false; continue; }
        if (c == '(' || c == '[' || c == '{') { depth++; start = false; p++; continue; }
        if (c == ')' || c == ']') { if (depth) depth--; p++; continue; }
        if (c == '}' || c == ';') {
            if (c == '}' && depth) depth--;
            if (!depth) start = true;
            p++;
            continue;
        }
        if (cc_pp_is_ident((unsigned char)c) && !(c >= '0' && c <= '9')) {
            size_t b = p, e = ident_end(s, p, len);
            p = e;
            if (depth == 0 && start && e - b < 128) {
                char name[128];
                memcpy(name, s + b, e - b);
                name[e - b] = '\0';
                size_t q = skip_space(s, e, len);
                size_t close = s[q] == '(' ? match_paren(s, q) : 0;
                int fk = close ? decl_macro_at(s, d, &m, o, name, b, true) : NOT_DECL;
                if (fk >= FN_PARAM && !arg_is_type(s, q, close, fk - FN_PARAM, o))
                    close = 0;
                else if (fk != FN_DECL && fk < FN_PARAM)
                    close = 0;
                if (!close) {
                    int obj = decl_macro_at(s, d, &m, o, name, b, false);
                    if (obj == OBJ_QUALIFIER || (obj == OBJ_TAG && s[q] == '{'))
                        close = e;   /* `HD float f(…)`, `COMPLEX {` with COMPLEX standing for `struct CS` */
                }
                if (close) {
                    *v = cc_xrealloc(*v, (*n + 1) * sizeof **v);
                    (*v)[(*n)++] = (cc_pp_range){ b, close };
                    p = close;
                    continue;   /* another may follow at once: DEF(a) DEF(b) */
                }
            }
            start = false;
            continue;
        }
        start = false;
        p++;
    }
    mdefs_free(&m);
}
