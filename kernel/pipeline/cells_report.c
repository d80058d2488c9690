/* kernel/pipeline/cells_report.c — what a cell's run ended with, in the cell's own
 * terms, through the engine's cc_out: the compile result (errors with a
 * cell-model hint first, warnings), how the runtime ended (interrupted,
 * killed, crashed: cause, where, and the restart it took), %%time's and
 * %%timeit's reports. Every failure is exactly one error output; notes such
 * as "the runtime was restarted" go to stderr just before it. */
#include "cells_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cc_output.h"
#include "cellhint.h"
#include "cellutil.h"
#include "crash_report.h"
#include "runtime_client.h"
#include "services.h"
#include "session.h"
#include "userwords.h"
#include "xalloc.h"

/* First line of text (malloc'd). */
static char *first_line(const char *text)
{
    if (!text)
        return cc_xstrdup("");
    return cc_xstrndup(text, strcspn(text, "\n"));
}

void cc_cell_error_text(cc_out *o, const char *ename, const char *text)
{
    char *evalue = first_line(text);
    cc_out_error(o, ename, evalue, text);
    free(evalue);
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
static void restart_runtime(cc_out *o, cc_services *svc, const char *why)
{
    restart_quietly(svc);
    cc_out_printf(o, 2, "%s; variable values were reset (functions and types of earlier cells are kept).\n", why);
}

const char *cc_signal_ename(int sig)
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
    if (r->channel_closed && !r->term_signal)
        return cc_xasprintf("The cell closed file descriptors it does not own: the runtime process's "
                             "connection to the kernel (for example with a loop of close() calls or "
                             "closefrom()), so the runtime could not report back and ended. Close only "
                             "the descriptors your cell opened itself.");
    if (!r->term_signal)
        return cc_xasprintf("The cell called exit(%d), which ended the runtime process. "
                            "Use `return` from main() to finish a cell instead.", r->exit_status);
    if (r->crash && (text = cc_crash_report(svc->crash_cells, r->crash, r->crash_len, r->message)))
        return text;   /* the cause, then where it happened */
    if (r->message)
        return cc_xasprintf("%s.\nThe runtime process running the cell died of it.", r->message);
    if (signal_words(r->term_signal))
        return cc_xasprintf("The cell crashed the runtime process: %s.", signal_words(r->term_signal));
    return cc_xasprintf("The cell crashed the runtime process: it was killed by signal %d (%s).",
                        r->term_signal, strsignal(r->term_signal));
}

/* One error output: the cause, where it happened, then that the runtime
 * restarted. */
static void report_crash(cc_out *o, cc_services *svc, const cc_rt_result *r)
{
    char *cause = crash_text(svc, r);
    size_t n = strlen(cause);
    char *text = cc_xasprintf("%s%s%s", cause, n && cause[n - 1] == '\n' ? "" : "\n", CC_RESTART_NOTE);
    restart_quietly(svc);
    cc_cell_error_text(o, r->term_signal ? cc_signal_ename(r->term_signal) : r->channel_closed ? "ChannelClosed" : "Exit",
                       text);
    free(text);
    free(cause);
}

void cc_cell_report_run(cc_out *o, cc_services *svc, const cc_rt_result *r)
{
    switch (r->status) {
    case CC_RT_OK:
        break;
    case CC_RT_INTERRUPTED:
        cc_out_error(o, "KeyboardInterrupt", "interrupted",
                     "KeyboardInterrupt: the cell was interrupted; global variables keep the values "
                     "they had at that moment.");
        break;
    case CC_RT_KILLED:
        restart_runtime(o, svc, "The runtime did not stop at the interrupt and was restarted");
        cc_out_error(o, "KeyboardInterrupt", "interrupted",
                     "KeyboardInterrupt: the cell was stopped by restarting the runtime process.");
        break;
    case CC_RT_CRASHED:
        report_crash(o, svc, r);
        break;
    case CC_RT_ERROR:
        if (r->restart_needed)
            restart_runtime(o, svc, "The error left the GPU context unusable, so the runtime was restarted");
        cc_cell_error_text(o, r->ename ? r->ename : "RuntimeError", r->message ? r->message : "the cell failed");
        break;
    }
}

/* What the compile of a plan produced: the error (interrupted, no compiler,
 * compile errors with a cell-model hint first), or the notes and warnings
 * of a good compile. Returns 0 when the cell can run. */
int cc_cell_report_compile(cc_out *o, const cc_plan *plan, const cc_compile_res *cr, const char *code,
                           int first_line)
{
    if (cr->interrupted) {
        cc_out_error(o, "KeyboardInterrupt", "interrupted",
                     "KeyboardInterrupt: compilation was stopped; nothing of this cell ran.");
        return -1;
    }
    if (cr->tool_missing) {
        cc_cell_error_text(o, plan->lang == CC_LANG_CUDA ? "NvccNotFound" : "CompilerNotFound", cr->diagnostics);
        return -1;
    }
    char *diag = cr->diagnostics && *cr->diagnostics
                 ? cc_diag_add_context(cr->diagnostics, code, first_line) : NULL;
    if (!cr->ok) {
        /* a rule of the cell model or C++ in a C cell: say so first */
        char *hint = plan->lang == CC_LANG_C ? cc_cell_hint(code, cr->diagnostics, plan->c_hidden)
                                             : cc_cxx_hint(cr->diagnostics);
        char *ev = hint ? cc_xstrndup(hint, strcspn(hint, "\n")) : cc_diag_first_error(cr->diagnostics);
        char *tb = hint ? cc_xasprintf("%s\n\nThe compiler said:\n%s", hint, diag ? diag : cr->diagnostics) : NULL;
        cc_out_error(o, "CompileError", ev, tb ? tb : diag ? diag : cr->diagnostics);
        free(tb);
        free(hint);
        free(ev);
        free(diag);
        return -1;
    }
    if (cr->repaired)
        cc_out_printf(o, 2, "cudacell: the cached build of this cell was %s; rebuilt it.\n",
                      cr->was_unsafe ? "not safe to load (another user owned it or could write it)" : "damaged");
    if (diag)
        cc_out_write(o, 2, diag, strlen(diag));   /* warnings */
    free(diag);
    return 0;
}

void cc_cell_print_time(cc_out *o, const cc_compile_res *cr, const cc_rt_result *r, bool ran)
{
    char c[32], t[32];
    cc_format_duration(cr->compile_ms * 1e6, c, sizeof c);
    cc_out_printf(o, 1, "compile: %s%s\n", c, cr->cache_hit ? " (cached)" : "");
    if (!ran) {
        cc_out_printf(o, 1, "run: nothing to run (declarations only)\n");
        return;
    }
    cc_format_duration(r->run_ms * 1e6, t, sizeof t);
    cc_out_printf(o, 1, "run: %s\n", t);
}

/* %%timeit's report: IPython's line on stdout unless -q; with -o the same
 * result as the cell's Out value, as IPython shows its TimeitResult. */
void cc_cell_report_timeit(cc_out *o, const cc_rt_result *r, const cc_timeit_opts *t)
{
    char *line = cc_format_timeit(r->mean_ns, r->std_ns, r->repeats, r->loops);
    if (!t || !t->quiet)
        cc_out_printf(o, 1, "%s\n", line);
    if (t && t->output) {
        char *repr = cc_xasprintf("<TimeitResult : %s>", line);
        cc_out_display(o, CC_OUT_RESULT, json_pack("{s:{s:s},s:{}}", "data", "text/plain", repr, "metadata"));
        free(repr);
    }
    free(line);
}
