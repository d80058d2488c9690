/* kernel/cells.c — running a code segment as a C or CUDA cell:
 * plan (session.c) → compile (compiler.c) → commit → run (runtime_client.c)
 * → report. (The magics that run a cell, %%c %%cuda %%time %%timeit, are
 * kernel/magics/run.c.)
 *
 * Every failure ends in exactly one error output (cc_exec_error); notes
 * such as "the runtime was restarted" go to stderr just before it. The
 * runtime process is started lazily, on the first cell that has code to run. */
#include "cells.h"

#include <pthread.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cellhint.h"
#include "cellpp_run.h"
#include "cellutil.h"
#include "compiler.h"
#include "crash_report.h"
#include "execute.h"
#include "gpu_probe.h"
#include "interrupt.h"
#include "runtime_client.h"
#include "services.h"
#include "session.h"
#include "showretry.h"
#include "userwords.h"

#define CC_GPU_WAIT_MS 3000   /* a CUDA cell waits this long for GPU discovery */

/* ---- helpers --------------------------------------------------------------- */

/* First line of text (malloc'd). */
static char *first_line(const char *text)
{
    if (!text)
        return strdup("");
    const char *nl = strchr(text, '\n');
    return nl ? strndup(text, (size_t)(nl - text)) : strdup(text);
}

static void error_with_text(cc_exec *x, const char *ename, const char *text)
{
    char *evalue = first_line(text);
    cc_exec_error(x, ename, evalue, text);
    free(evalue);
}

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

/* Restart the runtime with the session's objects (types and functions of
 * earlier cells stay usable). */
static void restart_quietly(cc_services *svc)
{
    const char **objs = NULL;
    size_t n = cc_session_objects(svc->session, &objs);
    cc_cache_ensure(svc->cache, objs, n, NULL);   /* put back any that vanished from the cache */
    cc_rt_restart(svc->rt, objs, n);
    free(objs);
}

/* After the runtime died: restart it, and say so. */
static void restart_runtime(cc_exec *x, cc_services *svc, const char *why)
{
    restart_quietly(svc);
    cc_exec_printf(x, 2, "%s; variable values were reset (functions and types of earlier cells are kept).\n", why);
}

static const char *signal_ename(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SegmentationFault";
    case SIGBUS: return "BusError";
    case SIGFPE: return "FloatingPointError";
    case SIGABRT: return "Aborted";
    case SIGILL: return "IllegalInstruction";
    case SIGKILL: return "Killed";
    default: return "Crash";
    }
}

static const char *signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV: return "segmentation fault (SIGSEGV): the cell read or wrote memory it does not own "
                         "(a bad or NULL pointer, an index out of bounds, or a use after free)";
    case SIGBUS: return "bus error (SIGBUS): the cell accessed memory that cannot be accessed "
                        "(a misaligned access or a truncated memory-mapped file)";
    case SIGFPE: return "arithmetic error (SIGFPE): usually an integer division by zero";
    case SIGABRT: return "abort (SIGABRT): abort() was called, for example by a failed assert() "
                         "or by the C library after detecting heap corruption";
    case SIGILL: return "illegal instruction (SIGILL): corrupted code pointer, or code built for another CPU";
    case SIGKILL: return "killed (SIGKILL): something outside the cell killed it, often the "
                         "out-of-memory killer when memory ran out";
    default: return NULL;
    }
}

#define CC_RESTART_NOTE "The runtime process restarted: functions and types of earlier cells are still " \
                        "defined; global variables were reset (they lost their values)."

/* What killed the runtime, in the cell's terms. malloc'd. */
static char *crash_text(cc_services *svc, const cc_rt_result *r)
{
    char *text = NULL;
    int rc = 0;
    if (r->channel_closed && !r->term_signal)
        rc = asprintf(&text, "The cell closed file descriptors it does not own: the runtime process's "
                             "connection to the kernel (for example with a loop of close() calls or "
                             "closefrom()), so the runtime could not report back and ended. Close only "
                             "the descriptors your cell opened itself.");
    else if (!r->term_signal)
        rc = asprintf(&text, "The cell called exit(%d), which ended the runtime process. "
                             "Use `return` from main() to finish a cell instead.", r->exit_status);
    else if (r->crash && (text = cc_crash_report(svc->crash_cells, r->crash, r->crash_len, r->message)))
        return text;   /* the cause, then where it happened */
    else if (r->message)
        rc = asprintf(&text, "%s.\nThe runtime process running the cell died of it.", r->message);
    else if (signal_words(r->term_signal))
        rc = asprintf(&text, "The cell crashed the runtime process: %s.", signal_words(r->term_signal));
    else
        rc = asprintf(&text, "The cell crashed the runtime process: it was killed by signal %d (%s).",
                      r->term_signal, strsignal(r->term_signal));
    return rc < 0 ? NULL : text;
}

/* One error output: the cause, where it happened, then that the runtime
 * restarted. */
static void report_crash(cc_exec *x, cc_services *svc, const cc_rt_result *r)
{
    char *cause = crash_text(svc, r);
    char *text = NULL;
    size_t n = cause ? strlen(cause) : 0;
    if (asprintf(&text, "%s%s%s", cause ? cause : "The runtime process died.",
                 n && cause[n - 1] == '\n' ? "" : "\n", CC_RESTART_NOTE) < 0)
        text = NULL;
    restart_quietly(svc);
    error_with_text(x, r->term_signal ? signal_ename(r->term_signal) : r->channel_closed ? "ChannelClosed" : "Exit",
                    text ? text : CC_RESTART_NOTE);
    free(text);
    free(cause);
}

static void report_run(cc_exec *x, cc_services *svc, const cc_rt_result *r)
{
    switch (r->status) {
    case CC_RT_OK:
        break;
    case CC_RT_INTERRUPTED:
        cc_exec_error(x, "KeyboardInterrupt", "interrupted",
                      "KeyboardInterrupt: the cell was interrupted; global variables keep the values "
                      "they had at that moment.");
        break;
    case CC_RT_KILLED:
        restart_runtime(x, svc, "The runtime did not stop at the interrupt and was restarted");
        cc_exec_error(x, "KeyboardInterrupt", "interrupted",
                      "KeyboardInterrupt: the cell was stopped by restarting the runtime process.");
        break;
    case CC_RT_CRASHED:
        report_crash(x, svc, r);
        break;
    case CC_RT_ERROR:
        if (r->restart_needed)
            restart_runtime(x, svc, "The error left the GPU context unusable, so the runtime was restarted");
        error_with_text(x, r->ename ? r->ename : "RuntimeError", r->message ? r->message : "the cell failed");
        break;
    }
}

/* ---- the pipeline -------------------------------------------------------------- */

static int compile_plan(cc_exec *x, cc_services *svc, const cc_plan *plan, cc_compile_res *cr,
                        const char *code, int first_line)
{
    char arch[32] = "";
    char *note = cc_cache_take_note(svc->cache), *err = NULL;
    if (note)
        cc_exec_printf(x, 2, "%s\n", note);   /* once per session: the cache directory was refused */
    free(note);
    if (cc_cache_ensure(svc->cache, (const char *const *)plan->deps, plan->n_deps, &err) < 0) {
        error_with_text(x, "CacheError", err);
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
    cc_compile(x, &req, cr);
    cc_show_retry(x, plan, &req, cr);   /* the last expression could not be shown */
    if (cr->interrupted) {
        cc_exec_error(x, "KeyboardInterrupt", "interrupted",
                      "KeyboardInterrupt: compilation was stopped; nothing of this cell ran.");
        return -1;
    }
    if (cr->tool_missing) {
        error_with_text(x, plan->lang == CC_LANG_CUDA ? "NvccNotFound" : "CompilerNotFound", cr->diagnostics);
        return -1;
    }
    char *diag = cr->diagnostics && *cr->diagnostics
                 ? cc_diag_add_context(cr->diagnostics, code, first_line) : NULL;
    if (!cr->ok) {
        /* a rule of the cell model or C++ in a C cell: say so first */
        char *hint = plan->lang == CC_LANG_C ? cc_cell_hint(code, cr->diagnostics, plan->c_hidden) : NULL;
        char *ev = hint ? strndup(hint, strcspn(hint, "\n")) : cc_diag_first_error(cr->diagnostics);
        char *tb = NULL;
        if (hint && asprintf(&tb, "%s\n\nThe compiler said:\n%s", hint, diag ? diag : cr->diagnostics) < 0)
            tb = NULL;
        cc_exec_error(x, "CompileError", ev, tb ? tb : diag ? diag : cr->diagnostics);
        free(tb);
        free(hint);
        free(ev);
        free(diag);
        return -1;
    }
    if (cr->repaired)
        cc_exec_printf(x, 2, "cudacell: the cached build of this cell was %s; rebuilt it.\n",
                       cr->was_unsafe ? "not safe to load (another user owned it or could write it)" : "damaged");
    if (diag)
        cc_exec_write(x, 2, diag, strlen(diag));   /* warnings */
    free(diag);
    return 0;
}

static void print_time(cc_exec *x, const cc_compile_res *cr, const cc_rt_result *r, bool ran)
{
    char c[32], t[32];
    cc_format_duration(cr->compile_ms * 1e6, c, sizeof c);
    cc_exec_printf(x, 1, "compile: %s%s\n", c, cr->cache_hit ? " (cached)" : "");
    if (!ran) {
        cc_exec_printf(x, 1, "run: nothing to run (declarations only)\n");
        return;
    }
    cc_format_duration(r->run_ms * 1e6, t, sizeof t);
    cc_exec_printf(x, 1, "run: %s\n", t);
}

/* The front end's cancel question: an interrupt for this request? */
static bool interrupt_pending(void *ctx)
{
    (void)ctx;
    return cc_intr_count() > 0;
}

/* %%timeit's report: IPython's line on stdout unless -q; with -o the same
 * result as the cell's Out value, as IPython shows its TimeitResult. */
static void report_timeit(cc_exec *x, const cc_rt_result *r, const cc_timeit_opts *t)
{
    char *line = cc_format_timeit(r->mean_ns, r->std_ns, r->repeats, r->loops);
    if (!line)
        return;
    if (!t || !t->quiet)
        cc_exec_printf(x, 1, "%s\n", line);
    if (t && t->output) {
        char *repr = NULL;
        if (asprintf(&repr, "<TimeitResult : %s>", line) < 0)
            abort();
        cc_exec_publish(x, "execute_result", json_pack("{s:{s:s},s:{},s:i}", "data", "text/plain", repr,
                                                       "metadata", "execution_count", x->execution_count));
        free(repr);
    }
    free(line);
}

static int cell_run(cc_exec *x, cc_services *svc, const char *code, int first_line_no, int lang_forced,
                    cc_cell_mode mode, const cc_timeit_opts *topts)
{
    cc_lang lang = lang_forced >= 0 ? (cc_lang)lang_forced : (cc_cell_is_cuda(code) ? CC_LANG_CUDA : CC_LANG_C);
    char *err = NULL;
    cc_compile_res cr;
    cc_rt_result r;

    if (!svc->session && !(svc->session = cc_session_new())) {
        cc_exec_error(x, "MemoryError", "out of memory", NULL);
        return -1;
    }
    cc_session_set_cancel(svc->session, interrupt_pending, NULL);
    char *resolved = NULL;   /* conditionals evaluated (C cells with any) */
    int pprc = cc_cell_resolve_pp(x, svc, code, first_line_no, lang, &resolved);
    cc_plan *plan = pprc == 0 ? cc_session_plan(svc->session, resolved ? resolved : code, first_line_no, lang, &err)
                              : NULL;
    free(resolved);
    if (!plan && cc_intr_count() > 0) {
        free(err);
        cc_exec_error(x, "KeyboardInterrupt", "interrupted",
                      "KeyboardInterrupt: the cell was interrupted while it was being read; nothing of it ran.");
        return -1;
    }
    if (!plan) {
        error_with_text(x, "SyntaxError", err ? err : "the cell could not be read");
        free(err);
        return -1;
    }
    if (compile_plan(x, svc, plan, &cr, code, first_line_no) < 0) {
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
    cc_crash_cells_add(svc->crash_cells, cr.soname, x->execution_count, code, first_line_no);
    bool run = plan->has_run || mode == CC_CELL_TIMEIT;
    memset(&r, 0, sizeof r);
    if (run) {
        if (!svc->rt && !(svc->rt = cc_rt_new(svc->exe_dir, svc->cache_dir, svc->workdir))) {
            cc_exec_error(x, "MemoryError", "out of memory", NULL);
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
        cc_rt_run(svc->rt, x, &rq, &r);
    }
    if (mode == CC_CELL_TIME)
        print_time(x, &cr, &r, run);
    if (mode == CC_CELL_TIMEIT && r.status == CC_RT_OK && r.repeats > 0)
        report_timeit(x, &r, topts);
    report_run(x, svc, &r);
    if (!cr.cache_hit)   /* the cache grew: back under its cap (the session's entries stay) */
        cc_cache_evict(svc->cache, cc_cache_max_bytes(getenv("CUDACELL_CACHE_MAX_MB")));
    int rc = r.status == CC_RT_OK ? 0 : -1;
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&cr);
    cc_plan_free(plan);
    return rc;
}

int cc_cell_execute(cc_exec *x, cc_services *svc, const char *code, int first_line_no, int lang_forced,
                    cc_cell_mode mode)
{
    return cell_run(x, svc, code, first_line_no, lang_forced, mode, NULL);
}

int cc_cell_timeit(cc_exec *x, cc_services *svc, const char *code, int first_line_no,
                   const cc_timeit_opts *t)
{
    return cell_run(x, svc, code, first_line_no, -1, CC_CELL_TIMEIT, t);
}
