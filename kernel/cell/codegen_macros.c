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
    bool pushed_null[MS_DEPTH];
    int depth;
} cg_mstate;

static cg_mstate *find(cg_gen *g, const char *name, size_t n)
{
    for (size_t i = 0; i < g->n_ms; i++)
        if (strlen(g->ms[i].name) == n && !strncmp(g->ms[i].name, name, n)) return &g->ms[i];
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
    set_start(g);
    for (size_t i = 0; i < g->cell.n_items; i++)   /* where the cell leaves them */
        if (g->cell.items[i].kind == CC_ITEM_PREPROC) cg_macros_track(g, &g->cell.items[i]);
    for (size_t k = 0; k < g->n_ms; k++) {
        g->ms[k].end = g->ms[k].text;
        g->ms[k].text = NULL;
    }
    set_start(g);
}

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
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
        }
    } else {
        const char *push = strstr(t, "push_macro"), *pop = strstr(t, "pop_macro");
        const char *q = push || pop ? strchr(t, '"') : NULL;
        size_t n = q ? strcspn(q + 1, "\"") : 0;
        cg_mstate *m = n ? find(g, q + 1, n) : NULL;
        if (m && push && m->depth < MS_DEPTH) {
            m->pushed_null[m->depth] = !m->text;
            m->stack[m->depth++] = m->text ? cc_xstrdup(m->text) : NULL;
        } else if (m && pop && m->depth > 0) {
            free(m->text);
            m->text = m->stack[--m->depth];
        }
    }
    free(t);
}

void cg_macros_wrap(cg_gen *g, size_t from)
{
    if (!g->n_ms) return;
    for (size_t i = from; i < g->pv->n_items; i++) {
        cc_sitem *si = &g->pv->items[i];
        if (si->kind == CC_SI_MACRO || si->kind == CC_SI_UNDEF || si->kind == CC_SI_INCLUDE || si->pre) continue;
        cc_strbuf pre = {0}, post = {0};
        for (size_t k = 0; k < g->n_ms; k++) {   /* (named through other macros too: all that differ) */
            const cg_mstate *m = &g->ms[k];
            if (same(m->text, m->end)) continue;
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
    g->ms = NULL;
    g->n_ms = 0;
}
