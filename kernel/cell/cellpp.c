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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- scanning ---------------------------------------------------------- */

typedef struct pp_dir {
    size_t off, end;      /* '#' .. the newline that ends it (excluded) */
    char name[16];        /* "if", "define", "pragma", ... */
    int line;             /* 1-based line of the '#' */
} pp_dir;

typedef struct pp_dirs { pp_dir *v; size_t n, cap; } pp_dirs;

static bool is_ident(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Past a backslash-newline at p, if there is one. */
static size_t skip_cont(const char *s, size_t p)
{
    while (s[p] == '\\' && (s[p + 1] == '\n' || (s[p + 1] == '\r' && s[p + 2] == '\n')))
        p += s[p + 1] == '\n' ? 2 : 3;
    return p;
}

/* From a quote at p to past its closing quote, or to the line's end. */
static size_t skip_literal(const char *s, size_t p)
{
    char q = s[p++];
    while (s[p] && s[p] != '\n' && s[p] != q) {
        if (s[p] == '\\' && s[p + 1]) p++;
        p++;
    }
    return s[p] == q ? p + 1 : p;
}

/* From "/ *" at p to past its end (or the text's end). */
static size_t skip_block(const char *s, size_t p)
{
    const char *e = strstr(s + p + 2, "*/");
    return e ? (size_t)(e - s) + 2 : strlen(s);
}

/* From p to the newline that ends this logical line (continuations and
 * block comments crossing lines included). */
static size_t line_end(const char *s, size_t p)
{
    while (s[p] && s[p] != '\n') {
        if (s[p] == '\\' && skip_cont(s, p) != p) { p = skip_cont(s, p); continue; }
        if (s[p] == '/' && s[p + 1] == '*') { p = skip_block(s, p); continue; }
        if (s[p] == '/' && s[p + 1] == '/') {
            while (s[p] && s[p] != '\n') p = s[p] == '\\' && skip_cont(s, p) != p ? skip_cont(s, p) : p + 1;
            break;
        }
        if (s[p] == '"' || s[p] == '\'') { p = skip_literal(s, p); continue; }
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
        p = skip_cont(s, p);
        if (s[p] == ' ' || s[p] == '\t') { p++; continue; }
        break;
    }
    while (is_ident((unsigned char)s[p]) && k < sizeof x->name - 1) { x->name[k++] = s[p]; p = skip_cont(s, p + 1); }
    x->name[k] = '\0';
}

/* Every directive of s, in order. */
static void scan_dirs(const char *s, pp_dirs *d)
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
    scan_dirs(code ? code : "", &d);
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

void cc_pp_probe_build(const char *code, int first_line, cc_pp_probe *pr)
{
    memset(pr, 0, sizeof *pr);
    pp_dirs d = {0};
    cc_strbuf b = {0};
    scan_dirs(code, &d);
    size_t seg_start = 0;
    add_marker(&b, 0);
    for (size_t i = 0; i < d.n; i++) {
        const pp_dir *x = &d.v[i];
        cc_strbuf_printf(&b, "#line %d \"cell\"\n", first_line + x->line - 1);
        cc_strbuf_addn(&b, code + x->off, x->end - x->off);
        cc_strbuf_add(&b, "\n");
        if (!is_cond(x->name)) continue;
        add_range(&pr->segs, &pr->n_segs, seg_start, x->off);
        add_range(&pr->conds, &pr->n_conds, x->off, x->end);
        seg_start = x->end;
        add_marker(&b, pr->n_segs);
    }
    add_range(&pr->segs, &pr->n_segs, seg_start, strlen(code));
    free(d.v);
    pr->text = b.s;
}

void cc_pp_probe_free(cc_pp_probe *pr)
{
    free(pr->text);
    free(pr->segs);
    free(pr->conds);
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

char *cc_pp_apply(const char *code, const cc_pp_probe *pr, const char *cpp_out)
{
    char *s = cc_xstrdup(code);
    bool *taken = cc_xcalloc(pr->n_segs + 1, sizeof *taken);
    find_markers(cpp_out ? cpp_out : "", taken, pr->n_segs);
    for (size_t i = 0; i < pr->n_segs; i++)
        if (!taken[i]) blank(s, pr->segs[i].off, pr->segs[i].end);
    for (size_t i = 0; i < pr->n_conds; i++) blank(s, pr->conds[i].off, pr->conds[i].end);
    free(taken);
    return s;
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
    scan_dirs(code, &d);
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
