/* kernel/pipeline/crash_format.c — decoding, naming and formatting of crash reports
 * (see crash_format.h). Pure: no I/O, so it is unit-tested table by table
 * (tests/unit/test_crash_format.c). */
#include "crash_format.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_proto.h"
#include "strbuf.h"
#include "xalloc.h"

#define CC_ENTRY_FN "__cudacell_run"
#define CC_SOURCE_MAX 120   /* longer source lines are cut, with "..." */

/* ---- the RT_R_CRASH payload ------------------------------------------------ */

void cc_crash_clear(cc_crash *c)
{
    for (size_t i = 0; i < c->nobj; i++)
        free(c->objs[i]);
    free(c->objs);
    free(c->frames);
    memset(c, 0, sizeof *c);
}

int cc_crash_decode(const char *payload, size_t len, cc_crash *out)
{
    rt_reader r;
    memset(out, 0, sizeof *out);
    rt_reader_init(&r, payload, len);
    out->sig = (int)rt_get_u32(&r);
    out->code = (int)rt_get_u32(&r);
    out->addr = rt_get_u64(&r);
    out->total = rt_get_u64(&r);
    out->gap_at = rt_get_u32(&r);
    uint32_t nobj = rt_get_u32(&r);
    if (r.bad || nobj > r.left / 5)   /* each path takes at least 5 bytes */
        goto bad;
    out->objs = cc_xcalloc(nobj ? nobj : 1, sizeof *out->objs);
    for (; out->nobj < nobj; out->nobj++)
        out->objs[out->nobj] = cc_xstrdup(rt_get_str(&r, NULL));
    uint32_t n = rt_get_u32(&r);
    if (r.bad || n > r.left / 12)
        goto bad;
    out->frames = cc_xcalloc(n ? n : 1, sizeof *out->frames);
    for (; out->nframes < n; out->nframes++) {
        cc_crash_frame *f = &out->frames[out->nframes];
        f->obj = rt_get_u32(&r);
        f->offset = rt_get_u64(&r);
        if (f->obj != CC_CRASH_NO_OBJ && f->obj >= nobj)
            goto bad;
    }
    if (r.bad || out->gap_at > out->nframes || out->total < out->nframes)
        goto bad;
    return 0;
bad:
    cc_crash_clear(out);
    return -1;
}

/* ---- addr2line's answer ------------------------------------------------------ */

void cc_a2l_free(cc_a2l_group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < g[i].n; j++) {
            free(g[i].locs[j].func);
            free(g[i].locs[j].file);
        }
        free(g[i].locs);
    }
    free(g);
}

/* "0x00000000000011d4" alone on its line: the start of an address group. */
static bool address_line(const char *s, size_t n, uint64_t *addr)
{
    if (n < 3 || s[0] != '0' || s[1] != 'x')
        return false;
    for (size_t i = 2; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    *addr = strtoull(s, NULL, 16);
    return true;
}

/* "/dir/cell:12 (discriminator 3)" → file "/dir/cell", line 12;
 * "??:0" and ":?" → unknown. */
static void parse_location(const char *s, size_t n, cc_a2l_loc *loc)
{
    const char *paren = memmem(s, n, " (", 2);
    if (paren)
        n = (size_t)(paren - s);
    const char *colon = NULL;
    for (size_t i = n; i-- > 0;)
        if (s[i] == ':') {
            colon = s + i;
            break;
        }
    size_t flen = colon ? (size_t)(colon - s) : n;
    if (flen && !(flen == 2 && s[0] == '?' && s[1] == '?'))
        loc->file = cc_xstrndup(s, flen);
    loc->line = colon ? atoi(colon + 1) : 0;
}

size_t cc_a2l_parse(const char *text, cc_a2l_group **out)
{
    size_t n = 0, cap = 0;
    cc_a2l_group *g = NULL;
    const char *func = NULL;
    size_t func_len = 0;
    *out = NULL;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        uint64_t addr;
        if (address_line(p, len, &addr)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                g = cc_xrealloc(g, cap * sizeof *g);
            }
            g[n++] = (cc_a2l_group){addr, NULL, 0};
            func = NULL;
        } else if (n && !func) {
            func = p;   /* the function line; its location line follows */
            func_len = len;
        } else if (n) {
            cc_a2l_group *cur = &g[n - 1];
            cur->locs = cc_xrealloc(cur->locs, (cur->n + 1) * sizeof *cur->locs);
            cc_a2l_loc *loc = &cur->locs[cur->n++];
            memset(loc, 0, sizeof *loc);
            if (func_len && !(func_len == 2 && func[0] == '?' && func[1] == '?'))
                loc->func = cc_xstrndup(func, func_len);
            parse_location(p, len, loc);
            func = NULL;
        }
        p = nl ? nl + 1 : NULL;
    }
    *out = g;
    return n;
}

/* ---- the cause ------------------------------------------------------------------ */

static const char *segv_detail(int code, uint64_t addr)
{
    if (code != SEGV_MAPERR && code != SEGV_ACCERR)
        return " (a bad pointer)";
    if (addr < 4096)
        return " (a NULL pointer)";
    if (code == SEGV_ACCERR)
        return " (memory the cell may not access that way, such as a string literal it writes to)";
    return " (a bad pointer, an index out of bounds, or a use after free)";
}

char *cc_crash_cause(int sig, int code, uint64_t addr)
{
    cc_strbuf b = {0};
    switch (sig) {
    case SIGSEGV:
        cc_strbuf_printf(&b, "Segmentation fault (SIGSEGV): invalid memory access");
        if ((code == SEGV_MAPERR || code == SEGV_ACCERR))
            cc_strbuf_printf(&b, " at address 0x%llx", (unsigned long long)addr);
        cc_strbuf_printf(&b, "%s", segv_detail(code, addr));
        break;
    case SIGBUS:
        cc_strbuf_printf(&b, "Bus error (SIGBUS): %s",
                         code == BUS_ADRALN ? "misaligned memory access"
                         : code == BUS_ADRERR ? "access to memory that does not exist (such as past the end "
                                                "of a memory-mapped file)"
                                              : "invalid memory access");
        break;
    case SIGFPE:
        cc_strbuf_printf(&b, "Arithmetic error (SIGFPE): %s",
                         code == FPE_INTDIV ? "integer division by zero (or INT_MIN / -1)"
                         : code == FPE_INTOVF ? "integer overflow"
                         : code == FPE_FLTDIV ? "floating-point division by zero (floating-point traps are on)"
                                              : "arithmetic error");
        break;
    case SIGABRT:
        cc_strbuf_printf(&b, "Aborted (SIGABRT): abort() was called, by the cell, by a failed assert() or by "
                             "the C library after it detected heap corruption (see the message above, if any)");
        break;
    case SIGILL:
        cc_strbuf_printf(&b, "Illegal instruction (SIGILL): a trap such as __builtin_trap(), a corrupted code "
                             "pointer, or code built for another CPU");
        break;
    case SIGTRAP:
        cc_strbuf_printf(&b, "Trace/breakpoint trap (SIGTRAP)");
        break;
    default:
        cc_strbuf_printf(&b, "Killed by signal %d (%s)", sig, strsignal(sig));
        break;
    }
    return b.s;
}

/* ---- frames to lines --------------------------------------------------------------- */

typedef enum { LN_CELL, LN_LIBRARY, LN_GAP, LN_BADPC } ln_kind;

typedef struct ln {
    ln_kind kind;
    int count, line;          /* LN_CELL; 0 unknown */
    const char *func;         /* LN_CELL: NULL for the cell's statements (borrowed) */
    const cc_crash_cell *cell;
    const char *lib;          /* LN_LIBRARY: shown library name or NULL (borrowed) */
    uint64_t skipped;         /* LN_GAP; LN_BADPC: the address */
} ln;

typedef struct lines {
    ln *v;
    size_t n, cap;
} lines;

static void add(lines *l, ln x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = cc_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = x;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* A system library worth naming ("libc.so.6"); not ours, not the program. */
static const char *library_name(const char *path)
{
    const char *b = base_name(path);
    return strncmp(b, "lib", 3) == 0 && !strstr(b, "cudacell") ? b : NULL;
}

/* One frame of a cell's object: its inline chain, as lines. */
static void add_cell_frame(lines *l, const cc_crash_cell *cell, const cc_a2l_group *sym)
{
    if (!sym || sym->n == 0) {
        add(l, (ln){.kind = LN_CELL, .count = cell->count, .cell = cell});
        return;
    }
    for (size_t j = 0; j < sym->n; j++) {
        const cc_a2l_loc *loc = &sym->locs[j];
        bool entry = loc->func && strcmp(loc->func, CC_ENTRY_FN) == 0;
        bool in_cell = loc->file && strcmp(base_name(loc->file), "cell") == 0;
        if (in_cell || !loc->file || loc->line <= 0)   /* no line table: still this cell */
            add(l, (ln){.kind = LN_CELL, .count = cell->count, .line = in_cell ? loc->line : 0,
                        .func = entry ? NULL : loc->func, .cell = cell});
        else if (!entry)   /* generated glue of the entry (calling main) is not shown */
            add(l, (ln){.kind = LN_LIBRARY});
    }
}

static void build(lines *l, const cc_crash *c, const cc_crash_cell *const *cells,
                  const cc_a2l_group *const *syms)
{
    for (size_t i = 0; i < c->nframes; i++) {
        if (i == c->gap_at && c->total > c->nframes)
            add(l, (ln){.kind = LN_GAP, .skipped = c->total - c->nframes});
        const cc_crash_frame *f = &c->frames[i];
        if (i == 0 && f->obj == CC_CRASH_NO_OBJ && f->offset == c->addr && c->sig == SIGSEGV) {
            add(l, (ln){.kind = LN_BADPC, .skipped = f->offset});   /* the PC itself faulted */
            continue;
        }
        const cc_crash_cell *cell = f->obj != CC_CRASH_NO_OBJ ? cells[f->obj] : NULL;
        if (cell)
            add_cell_frame(l, cell, syms[i]);
        else
            add(l, (ln){.kind = LN_LIBRARY,
                        .lib = f->obj != CC_CRASH_NO_OBJ ? library_name(c->objs[f->obj]) : NULL});
    }
}

/* Leave out what is below the outermost cell frame, and merge runs of
 * library frames into one line. */
static void simplify(lines *l)
{
    size_t last = l->n;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].kind == LN_CELL)
            last = i;
    l->n = last == l->n ? 0 : last + 1;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        ln *prev = k ? &l->v[k - 1] : NULL;
        if (prev && prev->kind == LN_LIBRARY && l->v[i].kind == LN_LIBRARY) {
            if (!prev->lib || !l->v[i].lib || strcmp(prev->lib, l->v[i].lib) != 0)
                prev->lib = NULL;
            continue;
        }
        l->v[k++] = l->v[i];
    }
    l->n = k;
}

static bool same_cell_line(const ln *a, const ln *b)
{
    return a->kind == LN_CELL && b->kind == LN_CELL && a->count == b->count && a->line == b->line &&
           a->cell == b->cell && (a->func == b->func || (a->func && b->func && !strcmp(a->func, b->func)));
}

/* "cudacell.f" → "f"; "__cc_main" → "main" (the kernel's renamings). */
static const char *shown_func(const char *f)
{
    if (!strncmp(f, "cudacell.", 9))
        return f + 9;
    if (!strcmp(f, "__cc_main"))
        return "main";
    return f;
}

static char *prefix(const ln *x)
{
    cc_strbuf b = {0};
    if (x->count > 0)
        cc_strbuf_printf(&b, "In [%d]", x->count);
    else
        cc_strbuf_printf(&b, "In an earlier cell");
    if (x->line > 0)
        cc_strbuf_printf(&b, ", line %d", x->line);
    if (x->func)
        cc_strbuf_printf(&b, ", in %s", shown_func(x->func));
    cc_strbuf_printf(&b, ":");
    return b.s;
}

/* The text of notebook line `line` of the cell, trimmed (NULL if none). */
static char *source_line(const cc_crash_cell *cell, int line)
{
    if (!cell || !cell->code || line < cell->first_line)
        return NULL;
    const char *p = cell->code;
    for (int i = cell->first_line; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, "\r\n");
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (!n)
        return NULL;
    if (n > CC_SOURCE_MAX) {
        char *s = cc_xmalloc(CC_SOURCE_MAX + 4);
        memcpy(s, p, CC_SOURCE_MAX);
        memcpy(s + CC_SOURCE_MAX, "...", 4);
        return s;
    }
    return cc_xstrndup(p, n);
}

static void print_lines(cc_strbuf *b, const lines *l)
{
    size_t width = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].kind == LN_CELL) {
            char *p = prefix(&l->v[i]);
            width = strlen(p) > width ? strlen(p) : width;
            free(p);
        }
    for (size_t i = 0; i < l->n; i++) {
        const ln *x = &l->v[i];
        if (x->kind == LN_GAP) {
            cc_strbuf_printf(b, "  ... %llu more frames not shown ...\n", (unsigned long long)x->skipped);
            continue;
        }
        if (x->kind == LN_BADPC) {
            cc_strbuf_printf(b, "  (at address 0x%llx, where there is no code: a call through a NULL or "
                                "invalid function pointer)\n", (unsigned long long)x->skipped);
            continue;
        }
        if (x->kind == LN_LIBRARY) {
            if (x->lib)
                cc_strbuf_printf(b, "  (in library code, %s)\n", x->lib);
            else
                cc_strbuf_printf(b, "  (in library code)\n");
            continue;
        }
        size_t same = 0;
        while (i + 1 + same < l->n && same_cell_line(x, &l->v[i + 1 + same]))
            same++;
        char *p = prefix(x);
        char *src = source_line(x->cell, x->line);
        if (src)
            cc_strbuf_printf(b, "  %-*s  %s\n", (int)width, p, src);
        else
            cc_strbuf_printf(b, "  %s\n", p);
        if (same)
            cc_strbuf_printf(b, "  [the line above repeated %zu more time%s]\n", same, same == 1 ? "" : "s");
        free(p);
        free(src);
        i += same;
    }
}

char *cc_crash_frames_text(const cc_crash *c, const cc_crash_cell *const *cells,
                           const cc_a2l_group *const *syms)
{
    lines l = {0};
    cc_strbuf b = {0};
    build(&l, c, cells, syms);
    simplify(&l);
    print_lines(&b, &l);
    free(l.v);
    return b.s ? b.s : cc_xstrdup("");
}
