/* kernel/cell/cellpp.c — the pure half of evaluating a C cell's preprocessor
 * conditionals (see cellpp.h): finding directives the way the preprocessor
 * does (lines whose first token is '#', outside block comments, with their
 * continuations), building the probe, blanking untaken segments, and the
 * #pragma push_macro/pop_macro fix-up of the session's macros.
 *
 * The scan is line-based and lenient on purpose: text inside a skipped group
 * need not be valid C (an apostrophe in `#if 0` prose is fine), exactly as
 * for cpp. */
#include "cellpp.h"
#include "cellpp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- scanning ---------------------------------------------------------- */

static bool is_ident(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool cc_pp_is_ident(int c) { return is_ident(c); }

/* Past a backslash-newline at p, if there is one. */
size_t cc_pp_skip_cont(const char *s, size_t p)
{
    while (s[p] == '\\' && (s[p + 1] == '\n' || (s[p + 1] == '\r' && s[p + 2] == '\n')))
        p += s[p + 1] == '\n' ? 2 : 3;
    return p;
}

/* From a quote at p to past its closing quote, or to the line's end. */
size_t cc_pp_skip_literal(const char *s, size_t p)
{
    char q = s[p++];
    while (s[p] && s[p] != '\n' && s[p] != q) {
        if (s[p] == '\\' && s[p + 1]) p++;
        p++;
    }
    return s[p] == q ? p + 1 : p;
}

/* From "/ *" at p to past its end (or the text's end). */
size_t cc_pp_skip_block(const char *s, size_t p)
{
    const char *e = strstr(s + p + 2, "*/");
    return e ? (size_t)(e - s) + 2 : strlen(s);
}

/* From p to the newline that ends this logical line (continuations and
 * block comments crossing lines included). */
static size_t line_end(const char *s, size_t p)
{
    while (s[p] && s[p] != '\n') {
        if (s[p] == '\\' && cc_pp_skip_cont(s, p) != p) { p = cc_pp_skip_cont(s, p); continue; }
        if (s[p] == '/' && s[p + 1] == '*') { p = cc_pp_skip_block(s, p); continue; }
        if (s[p] == '/' && s[p + 1] == '/') {
            while (s[p] && s[p] != '\n') p = s[p] == '\\' && cc_pp_skip_cont(s, p) != p ? cc_pp_skip_cont(s, p) : p + 1;
            break;
        }
        if (s[p] == '"' || s[p] == '\'') { p = cc_pp_skip_literal(s, p); continue; }
        p++;
    }
    return p;
}

static int count_lines(const char *s, size_t from, size_t to, int line)
{
    for (size_t i = from; i < to; i++) if (s[i] == '\n') line++;
    return line;
}

static void add_dir(pp_dirs *d, const char *s, size_t off, size_t end, int line)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = cc_xrealloc(d->v, d->cap * sizeof *d->v);
    }
    pp_dir *x = &d->v[d->n++];
    x->off = off; x->end = end; x->line = line;
    size_t p = off + 1, k = 0;
    for (;;) {
        p = cc_pp_skip_cont(s, p);
        if (s[p] == ' ' || s[p] == '\t') { p++; continue; }
        break;
    }
    while (is_ident((unsigned char)s[p]) && k < sizeof x->name - 1) { x->name[k++] = s[p]; p = cc_pp_skip_cont(s, p + 1); }
    x->name[k] = '\0';
}

/* Every directive of s, in order. */
void cc_pp_scan_dirs(const char *s, pp_dirs *d)
{
    size_t p = 0;
    int line = 1;
    while (s[p]) {
        size_t q = p;                       /* the start of a line */
        while (s[q] == ' ' || s[q] == '\t') q++;
        size_t e;
        if (s[q] == '#') {
            e = line_end(s, q);
            add_dir(d, s, q, e, line);
        } else {
            e = line_end(s, p);
        }
        line = count_lines(s, p, e, line);
        p = s[e] ? e + 1 : e;
        if (s[e]) line++;
    }
}

static bool is_cond(const char *name)
{
    static const char *const c[] = { "if", "ifdef", "ifndef", "elif", "elifdef", "elifndef", "else", "endif", NULL };
    for (const char *const *k = c; *k; k++)
        if (strcmp(name, *k) == 0) return true;
    return false;
}

bool cc_pp_has_cond(const char *code)
{
    pp_dirs d = {0};
    cc_pp_scan_dirs(code ? code : "", &d);
    bool any = false;
    for (size_t i = 0; i < d.n && !any; i++) any = is_cond(d.v[i].name);
    free(d.v);
    return any;
}

/* ---- probe and apply --------------------------------------------------- */

static void add_range(cc_pp_range **v, size_t *n, size_t off, size_t end)
{
    *v = cc_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (cc_pp_range){ off, end };
}

static void add_marker(cc_strbuf *b, size_t seg)
{
    cc_strbuf_printf(b, "__cc_branch_%zu\n", seg);
}

/* keep[i]: directive i is a conditional of a chain (#if … #endif) that
 * tests __CUDA_ARCH…, or lies inside one: left in the text for nvcc. */
static bool *arch_chains(const char *s, const pp_dirs *d)
{
    bool *keep = cc_xcalloc(d->n + 1, sizeof *keep);
    int *chain = cc_xcalloc(d->n + 1, sizeof *chain), *parent = cc_xcalloc(d->n + 1, sizeof *parent);
    bool *arch = cc_xcalloc(d->n + 1, sizeof *arch);
    int *stack = cc_xcalloc(d->n + 1, sizeof *stack), depth = 0, n_chains = 0;
    for (size_t i = 0; i < d->n; i++) {
        const pp_dir *x = &d->v[i];
        chain[i] = -1;
        if (!is_cond(x->name)) continue;
        bool opens = !strncmp(x->name, "if", 2);
        if (opens) {
            parent[n_chains] = depth ? stack[depth - 1] : -1;
            stack[depth++] = n_chains++;
        }
        if (!depth) continue;                 /* an #else or #endif without its #if */
        chain[i] = stack[depth - 1];
        if (memmem(s + x->off, x->end - x->off, "__CUDA_ARCH", 11)) arch[chain[i]] = true;
        if (!strcmp(x->name, "endif")) depth--;
    }
    for (int c = 0; c < n_chains; c++)       /* a parent opens before its children */
        if (parent[c] >= 0 && arch[parent[c]]) arch[c] = true;
    for (size_t i = 0; i < d->n; i++)
        keep[i] = chain[i] >= 0 && arch[chain[i]];
    free(chain); free(parent); free(arch); free(stack);
    return keep;
}

/* The CUDA headers define these as attributes; the probe undefines them so
 * an expansion says __global__ where the macro did. */
static const char *const cuda_words[] = {
    "__global__", "__device__", "__host__", "__shared__", "__constant__", "__managed__",
    "__forceinline__", "__noinline__", "__launch_bounds__", "__align__", "__grid_constant__", NULL
};

static void add_expansion(cc_strbuf *b, const char *code, const cc_pp_range *r, size_t k, int line)
{
    cc_strbuf_printf(b, "#line %d \"cell\"\n__cc_exp_%zu_ ", line, k);
    cc_strbuf_addn(b, code + r->off, r->end - r->off);
    cc_strbuf_printf(b, " __cc_exp_end_%zu\n", k);
}

bool cc_pp_wanted(const char *code, const cc_pp_opts *o)
{
    pp_dirs d = {0};
    code = code ? code : "";
    cc_pp_scan_dirs(code, &d);
    bool *keep = o && o->keep_arch ? arch_chains(code, &d) : NULL;
    bool want = false;
    for (size_t i = 0; i < d.n && !want; i++) want = is_cond(d.v[i].name) && !(keep && keep[i]);
    if (!want && o) {
        cc_pp_range *v = NULL;
        size_t n = 0;
        cc_pp_find_decl_macros(code, &d, o, &v, &n);
        want = n > 0;
        free(v);
    }
    free(keep);
    free(d.v);
    return want;
}

void cc_pp_probe_build(const char *code, int first_line, const cc_pp_opts *o, cc_pp_probe *pr)
{
    memset(pr, 0, sizeof *pr);
    pp_dirs d = {0};
    cc_strbuf b = {0};
    cc_pp_scan_dirs(code, &d);
    bool *keep = o && o->keep_arch ? arch_chains(code, &d) : NULL;
    if (o) cc_pp_find_decl_macros(code, &d, o, &pr->exps, &pr->n_exps);
    size_t seg_start = 0, e = 0, at = 0;
    int line = first_line;   /* the cell line at offset `at` */
    add_marker(&b, 0);
    if (pr->n_exps)   /* expansions keep the CUDA qualifiers as written, for the front end */
        for (const char *const *q = cuda_words; *q; q++) cc_strbuf_printf(&b, "#undef %s\n", *q);
    for (size_t i = 0; i < d.n; i++) {
        const pp_dir *x = &d.v[i];
        for (; e < pr->n_exps && pr->exps[e].off < x->off; e++) {
            line = count_lines(code, at, pr->exps[e].off, line);
            at = pr->exps[e].off;
            add_expansion(&b, code, &pr->exps[e], e, line);
        }
        cc_strbuf_printf(&b, "#line %d \"cell\"\n", first_line + x->line - 1);
        cc_strbuf_addn(&b, code + x->off, x->end - x->off);
        cc_strbuf_add(&b, "\n");
        if (!is_cond(x->name) || (keep && keep[i])) continue;
        add_range(&pr->segs, &pr->n_segs, seg_start, x->off);
        add_range(&pr->conds, &pr->n_conds, x->off, x->end);
        seg_start = x->end;
        add_marker(&b, pr->n_segs);
    }
    for (; e < pr->n_exps; e++) {
        line = count_lines(code, at, pr->exps[e].off, line);
        at = pr->exps[e].off;
        add_expansion(&b, code, &pr->exps[e], e, line);
    }
    add_range(&pr->segs, &pr->n_segs, seg_start, strlen(code));
    free(keep);
    free(d.v);
    pr->text = b.s;
}

void cc_pp_probe_free(cc_pp_probe *pr)
{
    free(pr->text);
    free(pr->segs);
    free(pr->conds);
    free(pr->exps);
    memset(pr, 0, sizeof *pr);
}

/* Marks taken[n] for every marker found as a whole token in out. */
static void find_markers(const char *out, bool *taken, size_t n)
{
    static const char tag[] = "__cc_branch_";
    for (const char *p = out; (p = strstr(p, tag)); p += sizeof tag - 1) {
        if (p > out && is_ident((unsigned char)p[-1])) continue;
        char *end;
        unsigned long k = strtoul(p + sizeof tag - 1, &end, 10);
        if (end != p + sizeof tag - 1 && !is_ident((unsigned char)*end) && k < n) taken[k] = true;
    }
}

static void blank(char *s, size_t off, size_t end)
{
    for (size_t i = off; i < end; i++)
        if (s[i] != '\n') s[i] = ' ';
}

/* The expansion of invocation k in out (malloc'd, on one line), or NULL
 * when the preprocessor did not reach it (an untaken branch). The
 * expansions come out in order: *from is where the search starts, moved
 * past each one found. */
static char *expansion(const char **from, size_t k)
{
    char open[48], close[48];
    snprintf(open, sizeof open, "__cc_exp_%zu_ ", k);
    snprintf(close, sizeof close, "__cc_exp_end_%zu", k);
    const char *a = strstr(*from, open);
    if (!a) return NULL;
    a += strlen(open);
    const char *z = strstr(a, close);
    if (!z || is_ident((unsigned char)z[strlen(close)])) return NULL;
    *from = z + strlen(close);
    while (z > a && (z[-1] == ' ' || z[-1] == '\n' || z[-1] == '\r' || z[-1] == '\t')) z--;
    char *t = cc_xstrndup(a, (size_t)(z - a));
    for (char *c = t; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    return t;
}

char *cc_pp_apply(const char *code, const cc_pp_probe *pr, const char *cpp_out)
{
    char *s = cc_xstrdup(code);
    bool *taken = cc_xcalloc(pr->n_segs + 1, sizeof *taken);
    find_markers(cpp_out ? cpp_out : "", taken, pr->n_segs);
    for (size_t i = 0; i < pr->n_segs; i++)
        if (!taken[i]) blank(s, pr->segs[i].off, pr->segs[i].end);
    for (size_t i = 0; i < pr->n_conds; i++) blank(s, pr->conds[i].off, pr->conds[i].end);
    free(taken);
    if (!pr->n_exps) return s;
    cc_strbuf b = {0};
    size_t at = 0;
    const char *from = cpp_out ? cpp_out : "";
    for (size_t k = 0; k < pr->n_exps; k++) {
        char *x = expansion(&from, k);
        if (!x) continue;
        const cc_pp_range *r = &pr->exps[k];
        cc_strbuf_addn(&b, s + at, r->off - at);
        cc_strbuf_add(&b, x);
        for (size_t i = r->off; i < r->end; i++)   /* the lines it spanned stay */
            if (s[i] == '\n') cc_strbuf_add(&b, "\n");
        at = r->end;
        free(x);
    }
    cc_strbuf_add(&b, s + at);
    free(s);
    return b.s ? b.s : cc_xstrdup("");
}

/* ---- push_macro / pop_macro -------------------------------------------- */

/* What a macro is at some point of the cell: as at the cell's start, not
 * defined, or defined by the cell's directive at `dir`. */
typedef struct pp_state { int how; size_t dir; } pp_state;   /* how: 0 start, 1 undefined, 2 defined */

typedef struct pp_macro {
    char name[128];
    pp_state cur;
    pp_state stack[16]; int depth;
    bool popped;
} pp_macro;

/* The identifier after the directive's name, or the string of
 * pragma push_macro("X") / pop_macro("X"); kind 1 push, 2 pop. */
static bool dir_subject(const char *s, const pp_dir *x, char *name, size_t cap, int *kind)
{
    const char *p = s + x->off + 1;
    const char *e = s + x->end;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    p += strlen(x->name);
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    *kind = 0;
    if (strcmp(x->name, "pragma") == 0) {
        if ((size_t)(e - p) > 10 && strncmp(p, "push_macro", 10) == 0) *kind = 1, p += 10;
        else if ((size_t)(e - p) > 9 && strncmp(p, "pop_macro", 9) == 0) *kind = 2, p += 9;
        else return false;
        while (p < e && (*p == ' ' || *p == '\t' || *p == '(')) p++;
        if (p < e && *p == '"') p++;
    }
    size_t k = 0;
    while (p < e && is_ident((unsigned char)*p) && k < cap - 1) name[k++] = *p++;
    name[k] = '\0';
    return k > 0;
}

static pp_macro *macro_of(pp_macro **v, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].name, name) == 0) return &(*v)[i];
    *v = cc_xrealloc(*v, (*n + 1) * sizeof **v);
    pp_macro *m = &(*v)[(*n)++];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    return m;
}

static void simulate(const char *s, const pp_dirs *d, pp_macro **v, size_t *n)
{
    for (size_t i = 0; i < d->n; i++) {
        char name[128];
        int kind;
        if (!dir_subject(s, &d->v[i], name, sizeof name, &kind)) continue;
        bool def = strcmp(d->v[i].name, "define") == 0, undef = strcmp(d->v[i].name, "undef") == 0;
        if (!def && !undef && !kind) continue;
        pp_macro *m = macro_of(v, n, name);
        if (def) m->cur = (pp_state){ 2, i };
        else if (undef) m->cur = (pp_state){ 1, 0 };
        else if (kind == 1 && m->depth < 16) m->stack[m->depth++] = m->cur;
        else if (kind == 2 && m->depth > 0) { m->cur = m->stack[--m->depth]; m->popped = true; }
    }
}

char *cc_pp_macro_fixup(const char *code, cc_pp_macro_fn session_macro, void *ctx)
{
    pp_dirs d = {0};
    cc_pp_scan_dirs(code, &d);
    pp_macro *v = NULL;
    size_t n = 0;
    simulate(code, &d, &v, &n);
    cc_strbuf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (!v[i].popped) continue;
        if (!b.s) {
            cc_strbuf_add(&b, code);
            if (b.len && b.s[b.len - 1] != '\n') cc_strbuf_add(&b, "\n");
        }
        /* compile-neutral (push … pop), but the session reads the #undef and #define */
        cc_strbuf_add(&b, "#pragma push_macro(\"");
        cc_strbuf_add(&b, v[i].name);
        cc_strbuf_add(&b, "\")\n#undef ");
        cc_strbuf_add(&b, v[i].name);
        cc_strbuf_add(&b, "\n");
        if (v[i].cur.how == 2) {
            const pp_dir *x = &d.v[v[i].cur.dir];
            cc_strbuf_addn(&b, code + x->off, x->end - x->off);
            cc_strbuf_add(&b, "\n");
        } else if (v[i].cur.how == 0) {
            const char *t = session_macro ? session_macro(ctx, v[i].name) : NULL;
            if (t) { cc_strbuf_add(&b, t); cc_strbuf_add(&b, "\n"); }
        }
        cc_strbuf_add(&b, "#pragma pop_macro(\"");
        cc_strbuf_add(&b, v[i].name);
        cc_strbuf_add(&b, "\")\n");
    }
    free(v);
    free(d.v);
    return b.s;
}

bool cc_pp_dir_name(const char *s, const pp_dir *x, char *name, size_t cap)
{
    int kind;
    return dir_subject(s, x, name, cap, &kind) && kind == 0;
}
