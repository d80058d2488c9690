/* kernel/pipeline/cells.c — running a code segment as a C or CUDA cell:
 * plan (session.c) → compile (compiler.c) → commit → run (runtime_client.c)
 * → report (cells_report.c). (The magics that run a cell, %%c %%cuda
 * %%time %%timeit, are kernel/magics/run.c.)
 *
 * Everything goes out through the engine's cc_out: every failure ends in
 * exactly one error output (cc_out_error). The runtime process is started
 * lazily, on the first cell that has code to run. */
#include "cells.h"
#include "cells_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cc_output.h"
#include "cellpp.h"
#include "cellpp_run.h"
#include "cellutil.h"
#include "compiler.h"
#include "crash_report.h"
#include "gpu_probe.h"
#include "interrupt.h"
#include "launch.h"
#include "log.h"
#include "runtime_client.h"
#include "services.h"
#include "session.h"
#include "showretry.h"
#include "userwords.h"

#define CC_GPU_WAIT_MS 3000   /* a CUDA cell waits this long for GPU discovery */

/* ---- the pipeline -------------------------------------------------------------- */

/* The sm_NN of the session's GPU (device $CUDACELL_DEVICE, default 0) into
 * buf, or "" when there is none (the compiler then uses its default). */
static void gpu_arch(cc_services *svc, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!svc->gpu)
        return;
    json_t *rep = cc_gpu_probe_report(svc->gpu, CC_GPU_WAIT_MS);
    const char *want = getenv("CUDACELL_DEVICE");
    long idx = want && *want ? strtol(want, NULL, 10) : 0;
    json_t *devs = json_object_get(rep, "devices");
    size_t i;
    json_t *d;
    json_array_foreach(devs, i, d) {
        json_t *ix = json_object_get(d, "index");
        const char *sm = json_string_value(json_object_get(d, "sm"));
        if (sm && (json_is_integer(ix) ? json_integer_value(ix) == idx : (long)i == idx)) {
            snprintf(buf, size, "%s", sm);
            return;
        }
    }
}

/* Compile the plan (or find it in the cache) without reporting the result:
 * 0, or -1 when the compile cache failed (reported). */
static int compile_quiet(cc_out *o, cc_services *svc, const cc_plan *plan, cc_compile_res *cr)
{
    char arch[32] = "";
    char *note = cc_cache_take_note(svc->cache), *err = NULL;
    if (note)
        cc_out_printf(o, 2, "%s\n", note);   /* once per session: the cache directory was refused */
    free(note);
    if (cc_cache_ensure(svc->cache, (const char *const *)plan->deps, plan->n_deps, &err) < 0) {
        cc_cell_error_text(o, "CacheError", err);
        free(err);
        memset(cr, 0, sizeof *cr);
        return -1;
    }
    if (plan->lang == CC_LANG_CUDA)
        gpu_arch(svc, arch, sizeof arch);
    cc_compile_req req = {
        .lang = plan->lang,
        .source = plan->source,
        .deps = (const char *const *)plan->deps,
        .n_deps = plan->n_deps,
        .cflags = svc->cflags ? svc->cflags : "",
        .nvccflags = svc->nvccflags ? svc->nvccflags : "",
        .ldflags = svc->ldflags ? svc->ldflags : "",
        .cuda_arch = arch[0] ? arch : NULL,
        .workdir = svc->workdir,
        .cache_dir = svc->cache_dir,
        .pch = svc->pch,
    };
    cc_compile(o, &req, cr);
    cc_show_retry(o, plan, &req, cr);   /* the last expression could not be shown */
    return 0;
}

static int compile_plan(cc_out *o, cc_services *svc, const cc_plan *plan, cc_compile_res *cr,
                        const char *code, int first_line)
{
    if (compile_quiet(o, svc, plan, cr) < 0)
        return -1;
    return cc_cell_report_compile(o, plan, cr, code, first_line);
}

/* The front end's cancel question: an interrupt for this request? */
static bool interrupt_pending(void *ctx)
{
    (void)ctx;
    return cc_intr_count() > 0;
}

/* A kernel of an earlier cell that a host-only unit can launch? */
static bool kernel_known(void *ctx, const char *p, size_t len)
{
    const cc_name_info *ni = cc_session_lookup_n(ctx, p, len);
    return ni && ni->kind == CC_NAME_KERNEL;
}

/* Whether a host-only cell talks to CUDA itself (a runtime or library call,
 * a launch), so the runtime checks CUDA's state after it; a cell of plain
 * C++ then gets no note about a missing GPU. */
static bool calls_cuda(const char *code)
{
    static const char *const pre[] = { "cuda", "cublas", "cufft", "curand", "cusparse", "cusolver", "nccl",
                                       "nvtx", "__cudaPushCallConfiguration", NULL };
    for (const char *p = code; *p; p++) {
        if (p > code && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) continue;
        for (size_t k = 0; pre[k]; k++)
            if (strncmp(p, pre[k], strlen(pre[k])) == 0) return true;
    }
    return false;
}

/* The language of a cell and, for a host-only one, its text with launches
 * rewritten (*host, malloc'd): forced by %%c / %%cuda, else CUDA for device
 * syntax, else the session's: C, or (in a C++ session) host-only C++ unless
 * the cell needs nvcc. A cell of a C session that is unmistakably C++
 * (a C++ header, `template <`, `std::` …) takes the C++ route and makes the
 * session C++. One pass over the cell's tokens (two for such a cell). */
static cc_lang cell_lang(cc_session *s, const char *code, int forced, char **host)
{
    *host = NULL;
    if (forced >= 0) return (cc_lang)forced;
    if (!cc_session_is_cxx(s) && !cc_cell_is_cxx(code)) {
        /* a C cell with conditionals, a popped macro or a macro that makes
         * declarations is preprocessed first
         * (cellpp_run.c), which wants to know it is C; any other cell is
         * told C or CUDA by the plan, on the tokens it makes anyway */
        if (!cc_cell_wants_pp(s, code)) return CC_LANG_AUTO;
        return cc_cell_is_cuda(code) ? CC_LANG_CUDA : CC_LANG_C;
    }
    *host = cc_cell_host_text(code, kernel_known, s);
    return *host ? CC_LANG_CXX : CC_LANG_CUDA;
}

/* The plan of a cell in its language. A host-only cell (host: its rewritten
 * text, taken over) that names something of an earlier cell only nvcc can
 * compile (device code, a thrust type …) becomes a CUDA cell. */
static cc_plan *plan_cell(cc_out *o, cc_services *svc, const char *code, int first_line_no, cc_lang *lang,
                          char *host, char **err)
{
    char *resolved = NULL;   /* conditionals evaluated (C and host-only C++ cells with any) */
    if (*lang == CC_LANG_CXX) {
        char *rw = host;
        if (rw && cc_cell_resolve_pp(o, svc, rw, first_line_no, CC_LANG_CXX, &resolved) == 0 && resolved) {
            free(rw);
            rw = resolved;
            resolved = NULL;
        }
        cc_plan *p = rw ? cc_session_plan(svc->session, rw, first_line_no, CC_LANG_CXX, err) : NULL;
        free(rw);
        if (p && !p->c_hidden) return p;
        cc_plan_free(p);
        free(*err);
        *err = NULL;
        *lang = CC_LANG_CUDA;
    } else {
        free(host);
    }
    int pprc = *lang == CC_LANG_AUTO ? 0 : cc_cell_resolve_pp(o, svc, code, first_line_no, *lang, &resolved);
    cc_plan *plan = pprc == 0 ? cc_session_plan(svc->session, resolved ? resolved : code, first_line_no, *lang, err)
                              : NULL;
    free(resolved);
    if (plan)
        *lang = plan->lang;   /* CC_LANG_AUTO: what the plan found */
    return plan;
}

static int cell_run(cc_out *o, cc_services *svc, const char *code, int first_line_no, int lang_forced,
                    cc_cell_mode mode, const cc_timeit_opts *topts)
{
    char *err = NULL;
    cc_compile_res cr;
    cc_rt_result r;

    if (!svc->session)
        svc->session = cc_session_new();
    cc_session_set_cancel(svc->session, interrupt_pending, NULL);
    char *host = NULL;
    cc_lang lang = cell_lang(svc->session, code, lang_forced, &host);
    cc_plan *plan = plan_cell(o, svc, code, first_line_no, &lang, host, &err);
    if (!plan && cc_intr_count() > 0) {
        free(err);
        cc_out_error(o, "KeyboardInterrupt", "interrupted",
                     "KeyboardInterrupt: the cell was interrupted while it was being read; nothing of it ran.");
        return -1;
    }
    if (!plan) {
        cc_cell_error_text(o, "SyntaxError", err ? err : "the cell could not be read");
        free(err);
        return -1;
    }
    bool host_ok = false;
    if (lang == CC_LANG_CXX) {
        if (compile_quiet(o, svc, plan, &cr) < 0) {
            cc_plan_free(plan);
            return -1;
        }
        host_ok = cr.ok || cr.interrupted || cc_intr_count() > 0;
    }
    if (host_ok) {
        if (cc_cell_report_compile(o, plan, &cr, code, first_line_no) < 0) {
            cc_compile_res_clear(&cr);
            cc_plan_free(plan);
            return -1;
        }
        goto compiled;
    }
    if (lang == CC_LANG_CXX) {
        cc_log_debug("host-only compile failed, nvcc takes the cell: %.2000s", cr.diagnostics ? cr.diagnostics : "");
        /* what the host compiler refused (device code it cannot see, a header
         * it cannot read) goes to nvcc, whose word on the cell is final */
        cc_compile_res_clear(&cr);
        cc_plan_free(plan);
        lang = CC_LANG_CUDA;
        if (!(plan = plan_cell(o, svc, code, first_line_no, &lang, NULL, &err))) {
            cc_cell_error_text(o, "SyntaxError", err ? err : "the cell could not be read");
            free(err);
            return -1;
        }
    }
    if (compile_plan(o, svc, plan, &cr, code, first_line_no) < 0) {
        cc_compile_res_clear(&cr);
        cc_plan_free(plan);
        return -1;
    }
compiled:
    /* Its declarations are the session's now, even if running it fails. */
    pthread_rwlock_wrlock(&svc->names_lock);
    cc_session_commit(svc->session, plan, cr.soname);
    pthread_rwlock_unlock(&svc->names_lock);
    cc_cache_pin(svc->cache, cr.soname, (const char *const *)plan->deps, plan->n_deps);
    if (!svc->crash_cells)
        svc->crash_cells = cc_crash_cells_new();
    cc_crash_cells_add(svc->crash_cells, cr.soname, o->execution_count, code, first_line_no);
    bool run = plan->has_run || mode == CC_CELL_TIMEIT;
    memset(&r, 0, sizeof r);
    if (run) {
        if (!svc->rt)
            svc->rt = cc_rt_new(svc->exe_dir, svc->cache_dir, svc->workdir);
        cc_rt_run_req rq = {
            .so_path = cr.so_path,
            .is_cuda = lang == CC_LANG_CUDA || (lang == CC_LANG_CXX && (calls_cuda(code) || strstr(code, "<<<"))),
            .timeit = mode == CC_CELL_TIMEIT,
            .timeit_loops = topts ? topts->loops : 0,
            .timeit_repeats = topts ? topts->repeats : 0,
            .args = svc->args,
        };
        cc_rt_run(svc->rt, o, &rq, &r);
    }
    if (mode == CC_CELL_TIME)
        cc_cell_print_time(o, &cr, &r, run);
    if (mode == CC_CELL_TIMEIT && r.status == CC_RT_OK && r.repeats > 0)
        cc_cell_report_timeit(o, &r, topts);
    cc_cell_report_run(o, svc, &r);
    if (!cr.cache_hit && cr.ok)   /* the cache grew: back under its cap (the session's entries stay) */
        cc_cache_added(svc->cache, cr.so_path, cc_cache_max_bytes(getenv("CUDACELL_CACHE_MAX_MB")));
    int rc = r.status == CC_RT_OK ? 0 : -1;
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&cr);
    cc_plan_free(plan);
    return rc;
}

int cc_cell_execute(cc_out *o, cc_services *svc, const char *code, int first_line_no, int lang_forced,
                    cc_cell_mode mode)
{
    return cell_run(o, svc, code, first_line_no, lang_forced, mode, NULL);
}

int cc_cell_timeit(cc_out *o, cc_services *svc, const char *code, int first_line_no,
                   const cc_timeit_opts *t)
{
    return cell_run(o, svc, code, first_line_no, -1, CC_CELL_TIMEIT, t);
}
