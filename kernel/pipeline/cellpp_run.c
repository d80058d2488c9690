/* kernel/pipeline/cellpp_run.c — running a C cell's preprocessor conditionals
 * through the real preprocessor before the cell is planned (the pure parts
 * are cellpp.c; the design is in docs/HOW_IT_WORKS.md). Only a cell with a
 * conditional directive pays for the extra preprocessor run; a cell that
 * pops a macro gets the session fix-up of cc_pp_macro_fixup. Host-only C++
 * cells go through the host C++ compiler's preprocessor the same way, CUDA
 * cells through nvcc -E, with every conditional that tests __CUDA_ARCH__
 * left in place for nvcc's two passes. The same run expands the macro
 * invocations that make declarations (cellpp_expand.c). */
#include "cellpp.h"
#include "cellpp_run.h"

#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "services.h"
#include "session.h"
#include "xalloc.h"

static const char *session_macro(void *ctx, const char *name)
{
    const cc_name_info *n = cc_session_lookup(ctx, name);
    return n && n->kind == CC_NAME_MACRO ? n->decl : NULL;
}

static bool session_type(void *ctx, const char *name, size_t len)
{
    return cc_session_is_type(ctx, name, len);
}

/* The code with its untaken groups blanked into *out; *out stays NULL when
 * the preprocessor fails (the compile then reports the cell's own error). */
static int resolve_conds(struct cc_out *x, cc_services *svc, const char *code, int first_line, cc_lang lang,
                         char **out)
{
    char *err = NULL, *pp = NULL;
    cc_pp_probe pr;
    cc_plan *hp = cc_session_plan(svc->session, "", first_line, lang, &err);
    free(err);
    if (!hp)
        return 0;
    cc_pp_opts po = {.keep_arch = lang == CC_LANG_CUDA, .session_macro = session_macro, .is_type = session_type,
                     .ctx = svc->session};
    cc_pp_probe_build(code, first_line, &po, &pr);
    char *src = cc_xasprintf("%s\n%s", hp->source, pr.text);
    cc_compile_req req = {
        .lang = lang, .source = src, .cflags = svc->cflags ? svc->cflags : "",
        .nvccflags = svc->nvccflags ? svc->nvccflags : "", .ldflags = "", .workdir = svc->workdir, .cache_dir = svc->cache_dir,
    };
    int rc = cc_preprocess(x, &req, &pp);
    if (rc == 0)
        *out = cc_pp_apply(code, &pr, pp);
    free(src);
    free(pp);
    cc_pp_probe_free(&pr);
    cc_plan_free(hp);
    return rc == -2 ? -2 : 0;
}

bool cc_cell_wants_pp(struct cc_session *s, const char *code)
{
    cc_pp_opts po = {.session_macro = session_macro, .is_type = session_type, .ctx = s};
    return cc_pp_wanted(code, &po) || strstr(code, "pop_macro");
}

int cc_cell_resolve_pp(struct cc_out *x, cc_services *svc, const char *code, int first_line, cc_lang lang,
                       char **resolved)
{
    *resolved = NULL;
    if (!code)
        return 0;
    char *conds = NULL;
    cc_pp_opts po = {.keep_arch = lang == CC_LANG_CUDA, .session_macro = session_macro, .is_type = session_type,
                     .ctx = svc->session};
    if (cc_pp_wanted(code, &po) && resolve_conds(x, svc, code, first_line, lang, &conds) == -2)
        return -2;
    char *fixed = cc_pp_macro_fixup(conds ? conds : code, session_macro, svc->session);
    if (fixed) {
        free(conds);
        conds = fixed;
    }
    *resolved = conds;
    return 0;
}
