/* kernel/pipeline/showretry.c — a cell whose last expression could not be shown.
 * codegen wraps the last expression in __CC_SHOW((...)); gcc refuses that
 * for a bit-field (typeof of a bit-field), and the show of any value it
 * cannot take would otherwise end the cell with errors about cudacell.h.
 * Here the cell is compiled again: first with __CC_SHBF (a bit-field's
 * value), then with the macro call blanked out (the expression as a plain
 * statement, `expr;`), so a value that cannot be shown shows nothing, and a
 * genuine error in the expression is reported once, on the user's line,
 * without our macros. */
#include "showretry.h"

#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "xalloc.h"

char *cc_show_source(const cc_plan *plan, const char *name)
{
    const cg_priv *pv = plan ? plan->priv : NULL;
    size_t n = name ? strlen(name) : 0;
    if (!pv || !pv->show_len || n > pv->show_len || !plan->source)
        return NULL;
    char *s = cc_xstrdup(plan->source);
    if (name) {
        memset(s + pv->show_at, ' ', pv->show_len);
        memcpy(s + pv->show_at, name, n);
    } else {   /* "__CC_SHOW((" and "))" become blanks: `expr;` */
        memset(s + pv->show_at, ' ', pv->show_len + 2);
        memset(s + pv->show_close, ' ', 2);
    }
    return s;
}

static bool is_error(const char *l, size_t len)
{
    const char *e = memmem(l, len, "error", 5);
    return e && ((e > l && e[-1] == ' ' && e + 5 < l + len && e[5] == ':') || memmem(l, len, "): error", 8));
}

bool cc_show_errors_outside_cell(const char *diag)
{
    bool any = false;
    for (const char *p = diag ? diag : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (is_error(p, len)) {
            if (strncmp(p, "cell:", 5) == 0 || strncmp(p, "cell(", 5) == 0)
                return false;
            any = true;
        }
        p += len + (nl ? 1 : 0);
    }
    return any;
}

static bool about_the_show(const char *diag)
{
    return diag && (strstr(diag, "__CC_SHOW") || strstr(diag, "cudacell.h"));
}

/* Compiles the cell with the show macro named `name` (NULL: none). Its result replaces
 * *cr when it compiled (or was stopped), or when it is the last attempt.
 * True when it compiled or was stopped. */
static bool attempt(struct cc_out *x, const cc_plan *plan, cc_compile_req *req, const char *name,
                    bool last, cc_compile_res *cr)
{
    char *src = cc_show_source(plan, name);
    if (!src)
        return false;
    const char *keep = req->source;
    cc_compile_res r;
    req->source = src;
    cc_compile(x, req, &r);
    req->source = keep;
    free(src);
    bool done = r.ok || r.interrupted || r.tool_missing;
    if (done || last) {
        cc_compile_res_clear(cr);
        *cr = r;
    } else {
        cc_compile_res_clear(&r);
    }
    return done;
}

void cc_show_retry(struct cc_out *x, const cc_plan *plan, cc_compile_req *req, cc_compile_res *cr)
{
    const cg_priv *pv = plan->priv;
    if (cr->ok || cr->interrupted || cr->tool_missing || !pv || !pv->show_len ||
        !about_the_show(cr->diagnostics))
        return;
    bool plain_show = pv->show_len == strlen("__CC_SHOW");   /* not __CC_SHOW_BOOL */
    if (plan->lang == CC_LANG_C && plain_show && cc_show_errors_outside_cell(cr->diagnostics) &&
        attempt(x, plan, req, "__CC_SHBF", false, cr))
        return;
    attempt(x, plan, req, NULL, true, cr);
}
