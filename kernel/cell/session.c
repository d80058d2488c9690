/* kernel/cell/session.c — the session's memory of earlier cells: an ordered list
 * of header items (includes, macros, types, functions, variables, CUDA
 * material) keyed by name, the committed cells' objects, and the name table
 * for completion and %who. Planning (codegen.c) reads it through
 * cc_session_view and never the other way round; committing is here: a
 * later definition of a key replaces the old one (types in place,
 * everything else moved to the end). The session owns every string in it;
 * names handed out are borrowed until the next commit or reset. */
#include "session.h"
#include "session_items.h"
#include "codegen_buf.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct cc_session {
    cc_sitem *items; size_t n_items, cap_items;
    cc_cellrec *cells; size_t n_cells, cap_cells;
    unsigned seq;                         /* commits so far */
    cc_name_info *names; size_t n_names;  /* rebuilt after every change */
    cc_cancel cancel;                     /* asked while planning; kept by a reset */
    bool cxx;                             /* the session is CUDA C++ (cc_session_is_cxx) */
};

cc_session *cc_session_new(void)
{
    return cc_xcalloc(1, sizeof(cc_session));
}

void cc_sitem_clear(cc_sitem *it)
{
    for (size_t k = 0; k < it->n_keys; k++) free(it->keys[k]);
    free(it->keys);
    free(it->text);
    free(it->decl);
    free(it->tdef);
    free(it->soname);
    free(it->refname);
    free(it->sig);
    free(it->pre);
    free(it->post);
    memset(it, 0, sizeof *it);
}

void cc_session_reset(cc_session *s)
{
    for (size_t i = 0; i < s->n_items; i++) cc_sitem_clear(&s->items[i]);
    for (size_t i = 0; i < s->n_cells; i++) { free(s->cells[i].soname); free(s->cells[i].devlink); }
    free(s->items);
    free(s->cells);
    free(s->names);
    cc_cancel keep = s->cancel;
    memset(s, 0, sizeof *s);
    s->cancel = keep;
}

void cc_session_set_cancel(cc_session *s, bool (*fn)(void *ctx), void *ctx)
{
    s->cancel = (cc_cancel){ fn, ctx };
}

bool cc_session_is_cxx(const cc_session *s)
{
    return s && s->cxx;
}

void cc_session_set_cxx(cc_session *s, bool cxx)
{
    s->cxx = cxx;
}

void cc_session_free(cc_session *s)
{
    if (!s) return;
    cc_session_reset(s);
    free(s);
}

/* ---- name table -------------------------------------------------------- */

static cc_name_kind name_kind(const cc_sitem *it)
{
    switch (it->kind) {
    case CC_SI_FUNC: return CC_NAME_FUNCTION;
    case CC_SI_VAR: return CC_NAME_VARIABLE;
    case CC_SI_MACRO: return CC_NAME_MACRO;
    case CC_SI_KERNEL: return CC_NAME_KERNEL;
    case CC_SI_DEVVAR: return CC_NAME_DEVICE;
    case CC_SI_MATERIAL:   /* device code, or C++ a host compiler reads too */
        if (it->link_always) return CC_NAME_FUNCTION;
        if (!it->text || cc_cell_is_cuda(it->text)) return CC_NAME_DEVICE;
        if (!strncmp(it->text, "namespace", 9) || !strncmp(it->text, "inline namespace", 16) ||
            !strncmp(it->text, "using", 5) || strstr(it->text, "struct ") || strstr(it->text, "class "))
            return CC_NAME_TYPE;
        {   /* after a template header, a '(' before any '=' is a function */
            const char *t = it->text;
            if (!strncmp(t, "template", 8) && strchr(t, '>')) t = strchr(t, '>') + 1;
            size_t paren = strcspn(t, "("), eq = strcspn(t, "=");
            return paren < eq ? CC_NAME_FUNCTION : CC_NAME_VARIABLE;
        }
    default: return CC_NAME_TYPE;
    }
}

static void rebuild_names(cc_session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_items; i++)
        if (s->items[i].kind != CC_SI_INCLUDE) n += s->items[i].n_keys;
    free(s->names);
    s->names = n ? cc_xcalloc(n, sizeof *s->names) : NULL;
    s->n_names = 0;
    if (!s->names) return;
    for (size_t i = 0; i < s->n_items; i++) {
        const cc_sitem *it = &s->items[i];
        if (it->kind == CC_SI_INCLUDE) continue;
        for (size_t k = 0; k < it->n_keys; k++)   /* an overload ("f(int)") is named "f" */
            s->names[s->n_names++] = (cc_name_info){ it->refname ? it->refname : it->keys[k], name_kind(it), it->decl };
    }
}

size_t cc_session_names(const cc_session *s, cc_name_info **out)
{
    *out = NULL;
    if (!s->n_names) return 0;
    *out = cc_xmalloc(s->n_names * sizeof **out);
    memcpy(*out, s->names, s->n_names * sizeof **out);
    return s->n_names;
}

const cc_name_info *cc_session_lookup_n(const cc_session *s, const char *name, size_t len)
{
    /* newest first, so a redefinition is what inspection shows */
    for (size_t i = s->n_names; i-- > 0;)
        if (strncmp(s->names[i].name, name, len) == 0 && s->names[i].name[len] == '\0') return &s->names[i];
    return NULL;
}

const cc_name_info *cc_session_lookup(const cc_session *s, const char *name)
{
    return cc_session_lookup_n(s, name, strlen(name));
}

/* ---- objects ----------------------------------------------------------- */

static bool cell_live(const cc_session *s, const cc_cellrec *c)
{
    for (size_t i = 0; i < s->n_items; i++)
        if (s->items[i].soname && strcmp(s->items[i].soname, c->soname) == 0) return true;
    return false;
}

size_t cc_session_objects(const cc_session *s, const char ***out)
{
    *out = NULL;
    if (!s->n_cells) return 0;
    const char **v = cc_xmalloc((s->n_cells ? s->n_cells : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < s->n_cells; i++)     /* cells are kept in commit order */
        if (cell_live(s, &s->cells[i])) v[n++] = s->cells[i].soname;
    if (!n) { free(v); return 0; }
    *out = v;
    return n;
}

/* ---- the view planning reads -------------------------------------------- */

bool cc_session_is_type(const cc_session *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->n_items; i++) {
        const cc_sitem *it = &s->items[i];
        /* C++: a class's tag is a type name too, and so is a `using` alias */
        bool cxx_name = it->cuda && (it->kind == CC_SI_TYPE ||
                                     (it->kind == CC_SI_MATERIAL && it->text &&
                                      (strncmp(it->text, "using ", 6) == 0 ||
                                       (strncmp(it->text, "template", 8) == 0 && strstr(it->text, " using ")))));
        if (!(it->kind == CC_SI_TYPE && it->is_typedef) && !cxx_name) continue;
        for (size_t k = 0; k < it->n_keys; k++) {
            const char *key = it->keys[k], *sp = strchr(key, ' ');
            if (cxx_name && sp && it->kind == CC_SI_TYPE && strncmp(key, "enum ", 5) != 0) key = sp + 1;
            if (strlen(key) == len && memcmp(key, name, len) == 0) return true;
        }
    }
    return false;
}

static bool session_is_type(void *ctx, const char *name, size_t len)
{
    return cc_session_is_type(ctx, name, len);
}

void cc_session_view(cc_session *s, cg_view *v)
{
    *v = (cg_view){ s->items, s->n_items, s->cells, s->n_cells, session_is_type, s, &s->cancel };
}

/* ---- committing -------------------------------------------------------- */

static bool shares_key(const cc_sitem *a, const cc_sitem *b)
{
    for (size_t i = 0; i < a->n_keys; i++)
        for (size_t k = 0; k < b->n_keys; k++)
            if (strcmp(a->keys[i], b->keys[k]) == 0) return true;
    return false;
}

static void remove_item(cc_session *s, size_t i)
{
    cc_sitem_clear(&s->items[i]);
    memmove(&s->items[i], &s->items[i + 1], (s->n_items - i - 1) * sizeof *s->items);
    s->n_items--;
}

static void append_item(cc_session *s, cc_sitem *it)
{
    if (s->n_items == s->cap_items) {
        size_t cap = s->cap_items ? s->cap_items * 2 : 32;
        cc_sitem *v = cc_xrealloc(s->items, cap * sizeof *v);
        s->items = v; s->cap_items = cap;
    }
    s->items[s->n_items++] = *it;
    memset(it, 0, sizeof *it);
}

/* Whether some key of ni is in the set (the keys the session had when the
 * commit began, plus those committed since). */
static bool any_key_in(const cg_ids *keys, const cc_sitem *ni)
{
    for (size_t k = 0; k < ni->n_keys; k++)
        if (cg_ids_has(keys, ni->keys[k], strlen(ni->keys[k]))) return true;
    return false;
}

/* Takes ownership of *ni's contents (leaves it zeroed). keys: every key the
 * session may hold, so a new name skips the scan of the session. */
static void commit_item(cc_session *s, cc_sitem *ni, cg_ids *keys)
{
    if (!any_key_in(keys, ni)) {   /* nothing to replace or to be dropped for */
        for (size_t k = 0; k < ni->n_keys; k++) cg_ids_add(keys, ni->keys[k], strlen(ni->keys[k]));
        if (ni->kind == CC_SI_UNDEF) cc_sitem_clear(ni);
        else append_item(s, ni);
        return;
    }
    for (size_t k = 0; k < ni->n_keys; k++) cg_ids_add(keys, ni->keys[k], strlen(ni->keys[k]));
    if (ni->kind == CC_SI_UNDEF) {
        for (size_t i = s->n_items; i-- > 0;)
            if (s->items[i].kind == CC_SI_MACRO && shares_key(&s->items[i], ni)) remove_item(s, i);
        cc_sitem_clear(ni);
        return;
    }
    if (ni->weak || ni->kind == CC_SI_INCLUDE) {
        for (size_t i = 0; i < s->n_items; i++)
            if (shares_key(&s->items[i], ni)) { cc_sitem_clear(ni); return; }
        append_item(s, ni);
        return;
    }
    /* a definition: replaces what earlier cells said about the same keys
     * (items of this same commit, like overloads, stay side by side) */
    size_t in_place = (size_t)-1;
    for (size_t i = 0; i < s->n_items; i++) {
        cc_sitem *old = &s->items[i];
        if ((old->seq == ni->seq && !old->weak) || !shares_key(old, ni)) continue;
        if (ni->kind == CC_SI_TYPE && old->kind == CC_SI_TYPE && in_place == (size_t)-1) {
            in_place = i;
            continue;
        }
        remove_item(s, i);
        if (in_place != (size_t)-1 && in_place > i) in_place--;
        i--;
    }
    if (in_place != (size_t)-1) {
        cc_sitem_clear(&s->items[in_place]);
        s->items[in_place] = *ni;
        memset(ni, 0, sizeof *ni);
        return;
    }
    append_item(s, ni);
}

static void record_cell(cc_session *s, const char *soname, const char *devlink)
{
    for (size_t i = 0; i < s->n_cells; i++) {
        if (strcmp(s->cells[i].soname, soname) != 0) continue;
        cc_cellrec c = s->cells[i];            /* same object again: move it to the end */
        memmove(&s->cells[i], &s->cells[i + 1], (s->n_cells - i - 1) * sizeof c);
        c.seq = s->seq;
        s->cells[s->n_cells - 1] = c;
        return;
    }
    if (s->n_cells == s->cap_cells) {
        size_t cap = s->cap_cells ? s->cap_cells * 2 : 16;
        cc_cellrec *v = cc_xrealloc(s->cells, cap * sizeof *v);
        s->cells = v; s->cap_cells = cap;
    }
    s->cells[s->n_cells++] = (cc_cellrec){ cc_xstrdup(soname), s->seq, devlink ? cc_xstrdup(devlink) : NULL };
}

void cc_session_commit(cc_session *s, const cc_plan *p, const char *soname)
{
    cg_priv *pv = p ? p->priv : NULL;
    if (!pv || !soname) return;
    s->seq++;
    if (p->lang != CC_LANG_C) s->cxx = true;   /* the first CUDA C++ cell makes the session C++ */
    cg_ids keys = {0};
    for (size_t i = 0; i < s->n_items; i++)
        for (size_t k = 0; k < s->items[i].n_keys; k++)
            cg_ids_add(&keys, s->items[i].keys[k], strlen(s->items[i].keys[k]));
    for (size_t i = 0; i < pv->n_items; i++) {
        cc_sitem *ni = &pv->items[i];
        ni->seq = s->seq;
        bool defines = ni->kind == CC_SI_FUNC || ni->kind == CC_SI_VAR || ni->kind == CC_SI_KERNEL ||
                       ni->kind == CC_SI_DEVVAR || ni->link_always;
        free(ni->soname);
        ni->soname = defines && !ni->weak ? cc_xstrdup(soname) : NULL;
        commit_item(s, ni, &keys);
    }
    cg_ids_free(&keys);
    /* the plan's items were consumed: leave it harmless */
    free(pv->items);
    pv->items = NULL;
    pv->n_items = 0;
    record_cell(s, soname, pv->devlink);
    rebuild_names(s);
}
