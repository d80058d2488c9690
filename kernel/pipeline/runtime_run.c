/* kernel/pipeline/runtime_run.c — one run in `cudacell-runtime` (see
 * runtime_client.h and runtime/proto/rt_proto.h): sends RUN, streams the process's
 * stdout/stderr pipes into the engine's cc_out, relays the displays
 * libcudacell sends (RT_R_DISPLAY, acknowledged so output order is kept),
 * serves its stdin requests, and tells a finished cell from an interrupted
 * or crashed one. The process itself is runtime_client.c's. */
#include "runtime_client.h"
#include "runtime_int.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc_output.h"
#include "cellutil.h"
#include "interrupt.h"
#include "log.h"
#include "userwords.h"
#include "xalloc.h"

extern char **environ;

#define RT_REAP_WAIT_MS 2000   /* after the reply pipe closed, wait this long for the exit */

/* ---- one run ------------------------------------------------------------------ */

/* Everything a pipe has now, to the output. Returns 0 at end of file. */
static int drain(cc_runtime *rt, cc_out *o, int *fd, int stream)
{
    char buf[65536];
    for (;;) {
        if (*fd < 0)
            return 0;
        ssize_t r = read(*fd, buf, sizeof buf);
        if (r > 0) {
            cc_out_write(o, stream, buf, (size_t)r);
            continue;
        }
        if (r == 0) {
            cc_rt_close_fd(fd);
            return 0;
        }
        if (errno == EINTR)
            continue;
        (void)rt;
        return 1;   /* EAGAIN: nothing more for now */
    }
}

static int send_run(cc_runtime *rt, const cc_rt_run_req *req, char **err)
{
    rt_buf b = {0};
    char cwd[4096];
    size_t nargs = 0;
    char **args = cc_split_words(req->args ? req->args : "", &nargs, err);
    if (!args)
        return -1;
    rt_put_u32(&b, (req->is_cuda ? RT_RUN_CUDA : 0) | (req->timeit ? RT_RUN_TIMEIT : 0));
    rt_put_str(&b, req->so_path);
    rt_put_str(&b, getcwd(cwd, sizeof cwd) ? cwd : "");
    rt_put_u32(&b, (uint32_t)nargs);
    for (size_t i = 0; i < nargs; i++)
        rt_put_str(&b, args[i]);
    cc_words_free(args);
    rt_put_u64(&b, (uint64_t)(req->timeit_loops > 0 ? req->timeit_loops : 0));
    rt_put_u32(&b, (uint32_t)(req->timeit_repeats > 0 ? req->timeit_repeats : 0));
    uint32_t envc = 0;
    while (environ[envc])
        envc++;
    rt_put_u32(&b, envc);
    for (uint32_t i = 0; i < envc; i++)
        rt_put_str(&b, environ[i]);
    int rc = rt_send_buf(rt->cmd_fd, RT_C_RUN, &b);
    rt_buf_free(&b);
    return rc;
}

/* The runtime asks for a line of stdin. *told: the allow_stdin=false
 * explanation was already shown in this cell. The first request of a cell
 * says how to end input; an answer of Ctrl-D or %EOF is end-of-file (the
 * runtime's stdio then keeps its EOF flag, as after Ctrl-D on a terminal). */
static void serve_input(cc_runtime *rt, cc_out *o, bool *told)
{
    char *line = NULL;
    int rc = cc_out_input(o, o && o->stdin_asked ? "" : CC_STDIN_FIRST_PROMPT, false, &line);
    if (o)
        o->stdin_asked = o->stdin_asked || rc != CC_IN_REFUSED;
    if (rc == CC_IN_OK && cc_is_eof_answer(line)) {
        free(line);
        line = NULL;
    }
    rt_buf b = {0};
    if (rc == CC_IN_REFUSED && !*told && o) {
        static const char msg[] = "stdin: this frontend does not accept input (allow_stdin is false); "
                                  "reads from stdin get end-of-file.\n";
        cc_out_write(o, 2, msg, sizeof msg - 1);
        *told = true;
    }
    if (rc == CC_IN_OK && line) {
        char *withnl = cc_xasprintf("%s\n", line);
        rt_put_u32(&b, RT_IN_LINE);
        rt_put_bytes(&b, withnl, strlen(withnl));
        free(withnl);
    }
    if (!b.len) {
        rt_put_u32(&b, RT_IN_EOF);
        rt_put_str(&b, "");
    }
    if (rt_send_buf(rt->cmd_fd, RT_C_INPUT, &b) < 0)
        cc_log_warn("runtime: cannot send the input reply: %s", strerror(errno));
    rt_buf_free(&b);
    free(line);
}

/* ---- rich output (libcudacell) ------------------------------------------- */

/* libcudacell names a display by its Jupyter message type. -1: unknown. */
static int display_kind(const char *t)
{
    static const char *const names[] = {
        [CC_OUT_DISPLAY] = "display_data", [CC_OUT_UPDATE] = "update_display_data",
        [CC_OUT_CLEAR] = "clear_output",   [CC_OUT_RESULT] = "execute_result",
    };
    for (int k = 0; k < (int)(sizeof names / sizeof names[0]); k++)
        if (strcmp(t, names[k]) == 0)
            return k;
    return -1;
}

/* An RT_R_DISPLAY frame: str type, str bundle JSON. Handed to the cc_out
 * (which checks the bundle's shape); a frame that cannot be read is logged
 * and dropped. */
static void publish_display(cc_runtime *rt, cc_out *o, rt_reader *r)
{
    const char *type = rt_get_str(r, NULL);
    size_t len = 0;
    const char *text = rt_get_str(r, &len);
    int kind = r->bad ? -1 : display_kind(type);
    if (kind < 0) {
        cc_log_warn("runtime: dropped a display message of type \"%.40s\"%s", type,
                    r->bad ? " (truncated frame)" : "");
        return;
    }
    if (!o || (rt->timeit && kind == CC_OUT_RESULT))
        return;   /* %%timeit runs the cell many times: no Out[] for it */
    json_error_t jerr;
    json_t *bundle = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!bundle) {
        cc_log_warn("runtime: dropped a %s message whose content is not JSON: %s", type, jerr.text);
        return;
    }
    drain(rt, o, &rt->out_fd, 1);
    drain(rt, o, &rt->err_fd, 2);
    cc_out_display(o, (cc_out_kind)kind, bundle);   /* takes bundle; flushes the streams first */
}

/* The runtime waits for RT_C_DISPLAY_ACK before the display call returns, so
 * its pipes hold exactly what the cell wrote before the call: drained before
 * the message is published, the order stdout/display/stdout is kept. */
static void relay_display(cc_runtime *rt, cc_out *o, rt_reader *r)
{
    publish_display(rt, o, r);
    if (rt_send(rt->cmd_fd, RT_C_DISPLAY_ACK, NULL, 0) < 0)
        cc_log_warn("runtime: cannot acknowledge a display message: %s", strerror(errno));
}

/* Handle one reply frame. Returns 1 when the run is over. */
static int on_frame(cc_runtime *rt, cc_out *o, uint32_t type, const char *payload, size_t len,
                    cc_rt_result *res, bool *told)
{
    rt_reader r;
    rt_reader_init(&r, payload, len);
    switch (type) {
    case RT_R_DONE:
        if (rt->loads_pending > 0) {
            rt->loads_pending--;
            return 0;
        }
        rt_get_u32(&r);
        res->run_ms = rt_get_f64(&r);
        res->status = CC_RT_OK;
        return 1;
    case RT_R_ERROR: {
        const char *ename = rt_get_str(&r, NULL);
        const char *msg = rt_get_str(&r, NULL);
        uint32_t sticky = rt_get_u32(&r);
        double ms = rt_get_f64(&r);
        if (rt->loads_pending > 0) {
            rt->loads_pending--;
            cc_log_warn("runtime: reloading an earlier cell failed: %s", msg);
            return 0;
        }
        res->status = CC_RT_ERROR;
        res->ename = cc_xstrdup(ename);
        res->message = cc_xstrdup(msg);
        res->restart_needed = sticky != 0;
        res->run_ms = ms;
        return 1;
    }
    case RT_R_INTERRUPTED:
        res->run_ms = rt_get_f64(&r);
        res->status = CC_RT_INTERRUPTED;
        return 1;
    case RT_R_INPUT:
        serve_input(rt, o, told);
        return 0;
    case RT_R_TIMEIT:
        res->loops = (long)rt_get_u64(&r);
        res->repeats = (long)rt_get_u32(&r);
        res->mean_ns = rt_get_f64(&r);
        res->std_ns = rt_get_f64(&r);
        return 0;
    case RT_R_DISPLAY:
        relay_display(rt, o, &r);
        return 0;
    case RT_R_NOTE:
        free(rt->note);
        rt->note = cc_xstrdup(rt_get_str(&r, NULL));
        return 0;
    case RT_R_CRASH:   /* kept raw: kernel/pipeline/crash_report.c reads it */
        free(rt->crash);
        rt->crash = cc_xmalloc(len);
        rt->crash_len = len;
        memcpy(rt->crash, payload, len);
        return 0;
    default:
        return 0;
    }
}

/* The runtime is gone (or going): reap it, collect its last output, and
 * fill res. interrupted: an interrupt was pending. */
static void on_death(cc_runtime *rt, cc_out *o, cc_rt_result *res, bool interrupted)
{
    int status = 0;
    pid_t got = 0;
    for (int waited = 0; waited < RT_REAP_WAIT_MS; waited += 10) {
        got = waitpid(rt->pid, &status, WNOHANG);
        if (got != 0 && !(got < 0 && errno == EINTR))
            break;
        drain(rt, o, &rt->out_fd, 1);
        drain(rt, o, &rt->err_fd, 2);
        usleep(10000);
    }
    drain(rt, o, &rt->out_fd, 1);
    drain(rt, o, &rt->err_fd, 2);
    if (got <= 0) {
        /* It closed its reply pipe but lives on: treat it as broken. */
        status = cc_rt_stop_process(rt);
        if (status < 0)
            status = 0;
    } else {
        rt->pid = 0;   /* reaped: stop_process must not signal a recycled pid */
        cc_rt_stop_process(rt);
    }
    res->status = interrupted ? CC_RT_KILLED : CC_RT_CRASHED;
    if (WIFSIGNALED(status))
        res->term_signal = WTERMSIG(status);
    else if (WIFEXITED(status)) {
        res->exit_status = WEXITSTATUS(status);
        res->channel_closed = res->exit_status == RT_EXIT_CHANNEL_CLOSED;
    }
    if (rt->note) {
        res->message = rt->note;
        rt->note = NULL;
    }
    res->crash = rt->crash;
    res->crash_len = rt->crash_len;
    rt->crash = NULL;
    rt->crash_len = 0;
}

/* True while pid has not exited (it is not reaped here). */
static bool alive(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno == EINTR;
    return si.si_pid == 0;
}

static void wait_for_end(cc_runtime *rt, cc_out *o, cc_rt_result *res)
{
    bool told = false, over = false;
    while (!over) {
        struct pollfd fds[3];
        int n = 0;
        bool intr = cc_intr_count() > 0;
        if (rt->out_fd >= 0)
            fds[n++] = (struct pollfd){rt->out_fd, POLLIN, 0};
        if (rt->err_fd >= 0)
            fds[n++] = (struct pollfd){rt->err_fd, POLLIN, 0};
        fds[n++] = (struct pollfd){rt->reply_fd, POLLIN, 0};
        if (intr || !o)
            poll(fds, (nfds_t)n, intr ? 20 : 100);   /* the wake fd stays readable: don't spin */
        else
            cc_out_poll(o, fds, n, 100);

        drain(rt, o, &rt->out_fd, 1);
        drain(rt, o, &rt->err_fd, 2);
        long got = rt_inbuf_fill(&rt->in, rt->reply_fd);
        bool eof = got == 0 || (got < 0 && errno != EAGAIN);
        uint32_t type;
        char *payload;
        size_t len;
        int k;
        while (!over && (k = rt_inbuf_next(&rt->in, &type, &payload, &len)) == 1) {
            over = on_frame(rt, o, type, payload, len, res, &told);
            free(payload);
        }
        if (over) {
            drain(rt, o, &rt->out_fd, 1);   /* the runtime flushed before replying */
            drain(rt, o, &rt->err_fd, 2);
            break;
        }
        if (!eof && k != -1 && alive(rt->pid)) {
            if (cc_intr_count() > 0)
                cc_intr_tick();   /* SIGKILL once the grace after SIGINT has passed */
            continue;
        }
        on_death(rt, o, res, cc_intr_count() > 0);
        over = true;
    }
}

int cc_rt_run(cc_runtime *rt, cc_out *o, const cc_rt_run_req *req, cc_rt_result *res)
{
    char *err = NULL;
    memset(res, 0, sizeof *res);
    if (rt->pid == 0 && cc_rt_start_process(rt, &err) < 0) {
        res->status = CC_RT_ERROR;
        res->ename = cc_xstrdup("RuntimeError");
        res->message = err;   /* cc_rt_start_process always says why */
        return 0;
    }
    if (cc_intr_count() > 0) {
        res->status = CC_RT_INTERRUPTED;
        return 0;
    }
    rt->timeit = req->timeit != 0;
    cc_intr_set_target(rt->pid, CC_INTR_RUNTIME);
    if (cc_intr_count() > 0) {
        cc_intr_clear_target();
        res->status = CC_RT_INTERRUPTED;
        return 0;
    }
    if (send_run(rt, req, &err) < 0) {
        if (err) {   /* %args could not be split: nothing was sent */
            cc_intr_clear_target();
            res->status = CC_RT_ERROR;
            res->ename = cc_xstrdup("UsageError");
            res->message = err;
            return 0;
        }
        /* The pipe broke: the runtime died; wait_for_end reports how. */
    }
    wait_for_end(rt, o, res);
    cc_intr_clear_target();
    /* An interrupt that came as the cell ended (e.g. it cancelled the input
     * the cell waited for, and the cell then finished on end-of-file) still
     * ends the cell as interrupted. */
    if (res->status == CC_RT_OK && cc_intr_count() > 0)
        res->status = CC_RT_INTERRUPTED;
    return 0;
}

void cc_rt_result_clear(cc_rt_result *res)
{
    free(res->message);
    free(res->ename);
    free(res->crash);
    memset(res, 0, sizeof *res);
}
