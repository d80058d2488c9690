/* kernel/cell/codegen_macros.c — session items written under macros their
 * cell changes later. An X-macro list is the classic case:
 *
 *     #define X(c) c,
 *     enum Color { COLORS };      // COLORS expands to X(RED) X(GREEN) …
 *     #undef X
 *
 * Later cells see the session's macros as they stand at the end of the
 * cell (X undefined), so the enum's text alone would not compile there.
 * Each item made where such a macro stands otherwise than at the cell's end
 * carries the macro as it stood there (the item may name it through another
 * macro, as the enum names X through COLORS): its header text is wrapped in
 * push_macro / #undef / that #define … #undef / pop_macro. Only cells that
 * #undef, redefine or pop a macro (cg_plan_replay's set) pay for this. */
#include "codegen_gen.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MS_DEPTH 8

typedef struct cg_mstate {
    const char *name;            /* borrowed from g->replay */
    char *text;                  /* its #define line here, or NULL: undefined */
    char *end;                   /* ... at the end of the cell (what later cells see) */
    char *stack[MS_DEPTH];       /* push_macro saves */
    int depth;
    size_t diff_at;              /* 1 + its place in g->ms_diff, 0: not there */
} cg_mstate;

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* Keeps g->ms_diff (the macros that differ from their end state) true for m. */
static void note(cg_gen *g, cg_mstate *m)
{
    bool differs = g->ms_diff && !same(m->text, m->end);
    if (differs && !m->diff_at) {
        g->ms_diff[g->n_ms_diff++] = (size_t)(m - g->ms);
        m->diff_at = g->n_ms_diff;
    } else if (!differs && m->diff_at) {
        size_t at = m->diff_at - 1, last = g->ms_diff[--g->n_ms_diff];
        g->ms_diff[at] = last;
        g->ms[last].diff_at = at + 1;
        m->diff_at = 0;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const cg_mstate *)a)->name, ((const cg_mstate *)b)->name);
}

/* The state of macro name[0..n) (g->ms is sorted by name), or NULL. */
static cg_mstate *find(cg_gen *g, const char *name, size_t n)
{
    size_t lo = 0, hi = g->n_ms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(g->ms[mid].name, name, n);
        if (!c) c = g->ms[mid].name[n] ? 1 : 0;
        if (!c) return &g->ms[mid];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

/* Every macro as the session left it (the cell's start). */
static void set_start(cg_gen *g)
{
    for (size_t k = 0; k < g->n_ms; k++) {
        cg_mstate *m = &g->ms[k];
        free(m->text);
        m->text = NULL;
        for (int d = 0; d < m->depth; d++) free(m->stack[d]);
        m->depth = 0;
        for (size_t i = g->v->n_items; i-- > 0;) {
            const cc_sitem *it = &g->v->items[i];
            if (it->kind == CC_SI_MACRO && it->n_keys && !strcmp(it->keys[0], m->name)) {
                m->text = cc_xstrdup(it->text);
                break;
            }
        }
    }
}

void cg_macros_start(cg_gen *g)
{
    if (!g->replay.n) return;
    g->ms = cc_xcalloc(g->replay.n, sizeof *g->ms);
    for (size_t k = 0; k < g->replay.cap; k++)
        if (g->replay.v[k]) g->ms[g->n_ms++].name = g->replay.v[k];
    qsort(g->ms, g->n_ms, sizeof *g->ms, by_name);
    set_start(g);
    for (size_t i = 0; i < g->cell.n_items; i++)   /* where the cell leaves them */
        if (g->cell.items[i].kind == CC_ITEM_PREPROC) cg_macros_track(g, &g->cell.items[i]);
    for (size_t k = 0; k < g->n_ms; k++) {
        g->ms[k].end = g->ms[k].text;
        g->ms[k].text = NULL;
    }
    set_start(g);
    g->ms_diff = cc_xcalloc(g->n_ms, sizeof *g->ms_diff);
    for (size_t k = 0; k < g->n_ms; k++) note(g, &g->ms[k]);
}


void cg_macros_track(cg_gen *g, const cc_item *it)
{
    if (!g->n_ms) return;
    char *t = cg_slice_dup(g, it->first, it->end);
    if (!t) return;
    if ((it->pp == CC_PP_DEFINE || it->pp == CC_PP_UNDEF) && it->name) {
        cg_mstate *m = find(g, it->name, strlen(it->name));
        if (m) {
            free(m->text);
            m->text = it->pp == CC_PP_DEFINE ? cc_xstrdup(t) : NULL;
            note(g, m);
        }
    } else {
        const char *push = strstr(t, "push_macro"), *pop = strstr(t, "pop_macro");
        const char *q = push || pop ? strchr(t, '"') : NULL;
        size_t n = q ? strcspn(q + 1, "\"") : 0;
        cg_mstate *m = n ? find(g, q + 1, n) : NULL;
        if (m && push && m->depth < MS_DEPTH) {
            m->stack[m->depth++] = m->text ? cc_xstrdup(m->text) : NULL;
        } else if (m && pop && m->depth > 0) {
            free(m->text);
            m->text = m->stack[--m->depth];
            note(g, m);
        }
    }
    free(t);
}

void cg_macros_wrap(cg_gen *g, size_t from)
{
    if (!g->n_ms_diff) return;
    for (size_t i = from; i < g->pv->n_items; i++) {
        cc_sitem *si = &g->pv->items[i];
        if (si->kind == CC_SI_MACRO || si->kind == CC_SI_UNDEF || si->kind == CC_SI_INCLUDE || si->pre) continue;
        cc_strbuf pre = {0}, post = {0};
        for (size_t k = 0; k < g->n_ms_diff; k++) {   /* (named through other macros too: all that differ) */
            const cg_mstate *m = &g->ms[g->ms_diff[k]];
            cc_strbuf_printf(&pre, "#pragma push_macro(\"%s\")\n#undef %s\n", m->name, m->name);
            if (m->text) cc_strbuf_printf(&pre, "%s\n", m->text);
            cc_strbuf_printf(&post, "#undef %s\n#pragma pop_macro(\"%s\")\n", m->name, m->name);
        }
        si->pre = pre.s;
        si->post = post.s;
    }
}

void cg_macros_free(cg_gen *g)
{
    for (size_t i = 0; i < g->n_ms; i++) {
        free(g->ms[i].text);
        free(g->ms[i].end);
        for (int d = 0; d < g->ms[i].depth; d++) free(g->ms[i].stack[d]);
    }
    free(g->ms);
    free(g->ms_diff);
    g->ms = NULL;
    g->ms_diff = NULL;
    g->n_ms = g->n_ms_diff = 0;
}
