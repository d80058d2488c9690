/* kernel/cells.c — running a code segment as a C or CUDA cell:
 * plan (session.c) → compile (compiler.c) → commit → run (runtime_client.c)
 * → report (cells_report.c), and the magics about cells: %%c %%cuda %%time
 * %%timeit %cflags %ldflags %args %reset %who.
 *
 * Everything goes out through the engine's cc_out: every failure ends in
 * exactly one error output (cc_out_error). The runtime process is started
 * lazily, on the first cell that has code to run. */
#include "cells.h"
#include "cells_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cc_output.h"
#include "cellpp_run.h"
#include "cellutil.h"
#include "compiler.h"
#include "crash_report.h"
#include "gpu_probe.h"
#include "interrupt.h"
#include "magics.h"
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

static int compile_plan(cc_out *o, cc_services *svc, const cc_plan *plan, cc_compile_res *cr,
                        const char *code, int first_line)
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
    };
    cc_compile(o, &req, cr);
    cc_show_retry(o, plan, &req, cr);   /* the last expression could not be shown */
    return cc_cell_report_compile(o, plan, cr, code, first_line);
}

/* The front end's cancel question: an interrupt for this request? */
static bool interrupt_pending(void *ctx)
{
    (void)ctx;
    return cc_intr_count() > 0;
}

static int cell_run(cc_out *o, cc_services *svc, const char *code, int first_line_no, int lang_forced,
                    cc_cell_mode mode, const cc_timeit_opts *topts)
{
    cc_lang lang = lang_forced >= 0 ? (cc_lang)lang_forced : (cc_cell_is_cuda(code) ? CC_LANG_CUDA : CC_LANG_C);
    char *err = NULL;
    cc_compile_res cr;
    cc_rt_result r;

    if (!svc->session && !(svc->session = cc_session_new())) {
        cc_out_error(o, "MemoryError", "out of memory", NULL);
        return -1;
    }
    cc_session_set_cancel(svc->session, interrupt_pending, NULL);
    char *resolved = NULL;   /* conditionals evaluated (C cells with any) */
    int pprc = cc_cell_resolve_pp(o, svc, code, first_line_no, lang, &resolved);
    cc_plan *plan = pprc == 0 ? cc_session_plan(svc->session, resolved ? resolved : code, first_line_no, lang, &err)
                              : NULL;
    free(resolved);
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
    if (compile_plan(o, svc, plan, &cr, code, first_line_no) < 0) {
        cc_compile_res_clear(&cr);
        cc_plan_free(plan);
        return -1;
    }
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
        if (!svc->rt && !(svc->rt = cc_rt_new(svc->exe_dir, svc->cache_dir, svc->workdir))) {
            cc_out_error(o, "MemoryError", "out of memory", NULL);
            cc_compile_res_clear(&cr);
            cc_plan_free(plan);
            return -1;
        }
        cc_rt_run_req rq = {
            .so_path = cr.so_path,
            .is_cuda = lang == CC_LANG_CUDA,
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
    if (!cr.cache_hit)   /* the cache grew: back under its cap (the session's entries stay) */
        cc_cache_evict(svc->cache, cc_cache_max_bytes(getenv("CUDACELL_CACHE_MAX_MB")));
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

/* ---- cell magics ------------------------------------------------------------------ */

static int body_cell(cc_out *o, cc_services *svc, const cc_segment *seg, int lang, cc_cell_mode mode,
                     const cc_timeit_opts *topts)
{
    const char *body = seg->body ? seg->body : "";
    const char *p = body;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (!*p) {
        char ev[96];
        snprintf(ev, sizeof ev, "%%%%%s needs code below it", seg->name);
        char *tb = NULL;
        if (asprintf(&tb, "%%%%%s applies to the rest of the cell, which is empty. Put the code to run on "
                          "the lines after %%%%%s.", seg->name, seg->name) < 0)
            tb = NULL;
        cc_out_error(o, "UsageError", ev, tb);
        free(tb);
        return -1;
    }
    return cell_run(o, svc, body, seg->line, lang, mode, topts);
}

int cc_magic_c(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    return body_cell(o, svc, seg, CC_LANG_C, CC_CELL_RUN, NULL);
}

int cc_magic_cuda(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    return body_cell(o, svc, seg, CC_LANG_CUDA, CC_CELL_RUN, NULL);
}

int cc_magic_time(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    return body_cell(o, svc, seg, -1, CC_CELL_TIME, NULL);
}

int cc_magic_timeit(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    cc_timeit_opts t;
    char *err = NULL;
    if (cc_timeit_parse(seg->args, &t, &err) < 0) {
        cc_out_error(o, "UsageError", err, NULL);
        free(err);
        return -1;
    }
    return body_cell(o, svc, seg, -1, CC_CELL_TIMEIT, &t);
}

/* ---- flags and arguments ---------------------------------------------------------- */

static bool is_clear_word(const char *a)
{
    return strcmp(a, "--clear") == 0 || strcmp(a, "\"\"") == 0 || strcmp(a, "''") == 0;
}

/* Show or replace one of the services' strings. */
static int setting_magic(cc_out *o, const cc_segment *seg, char **slot, const char *label, const char *none)
{
    const char *a = seg->args ? seg->args : "";
    if (!*a) {
        cc_out_printf(o, 1, "%s: %s\n", label, *slot && **slot ? *slot : none);
        return 0;
    }
    char *err = NULL;
    size_t n;
    char **w = cc_split_words(a, &n, &err);
    if (!w) {
        cc_cell_error_text(o, "UsageError", err ? err : "cannot read the arguments");
        free(err);
        return -1;
    }
    cc_words_free(w);
    char *v = strdup(is_clear_word(a) ? "" : a);
    if (!v) {
        cc_out_error(o, "MemoryError", "out of memory", NULL);
        return -1;
    }
    free(*slot);
    *slot = v;
    cc_out_printf(o, 1, "%s: %s\n", label, *v ? v : none);
    return 0;
}

int cc_magic_cflags(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    return setting_magic(o, seg, &svc->cflags, "C compiler flags",
                         "(none; always used: -std=gnu17 -g -gdwarf-4 -O1; %cflags --clear resets)");
}

int cc_magic_ldflags(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    return setting_magic(o, seg, &svc->ldflags, "linker flags", "(none; -lm is always linked)");
}

int cc_magic_args(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    return setting_magic(o, seg, &svc->args, "arguments of main()", "(none; argv[0] is \"cell\")");
}

/* ---- session ------------------------------------------------------------------------ */

int cc_magic_reset(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    (void)seg;
    pthread_rwlock_wrlock(&svc->names_lock);
    if (svc->session)
        cc_session_reset(svc->session);
    else
        svc->session = cc_session_new();
    pthread_rwlock_unlock(&svc->names_lock);
    if (svc->rt) {
        cc_rt_free(svc->rt);
        svc->rt = NULL;
    }
    cc_cache_unpin_all(svc->cache);   /* nothing loads the old objects any more */
    cc_crash_cells_clear(svc->crash_cells);
    cc_out_printf(o, 1, "Session reset: every declaration, function and variable is forgotten, and the "
                        "runtime process will start afresh with the next cell.\n");
    return 0;
}

int cc_magic_who(cc_out *o, cc_services *svc, const cc_segment *seg)
{
    static const struct { cc_name_kind kind; const char *title; } groups[] = {
        {CC_NAME_VARIABLE, "Variables"}, {CC_NAME_FUNCTION, "Functions"}, {CC_NAME_TYPE, "Types"},
        {CC_NAME_MACRO, "Macros"},       {CC_NAME_KERNEL, "CUDA kernels"}, {CC_NAME_DEVICE, "Device functions and variables"},
    };
    (void)seg;
    cc_name_info *names = NULL;
    size_t n = svc->session ? cc_session_names(svc->session, &names) : 0;
    if (n == 0) {
        cc_out_printf(o, 1, "Nothing is defined yet.\n");
        free(names);
        return 0;
    }
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        bool title = false;
        for (size_t i = 0; i < n; i++) {
            if (names[i].kind != groups[g].kind)
                continue;
            /* the names of one declaration (an enum's tag and constants, a
             * typedef'd struct) are adjacent and share its text: one line */
            if (i > 0 && names[i].decl && names[i].decl == names[i - 1].decl)
                continue;
            if (!title) {
                cc_out_printf(o, 1, "%s:\n", groups[g].title);
                title = true;
            }
            cc_out_printf(o, 1, "  %s\n", names[i].decl && *names[i].decl ? names[i].decl : names[i].name);
        }
    }
    free(names);
    return 0;
}
