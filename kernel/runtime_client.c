/* kernel/runtime_client.c — the kernel's side of `cudacell-runtime` (see
 * runtime_client.h and runtime/rt_proto.h): starts it (own process group,
 * LD_LIBRARY_PATH with libcudacell's and CUDA's library directories, never
 * the compile cache: cells are loaded by absolute path and name their
 * dependencies by absolute path, and libcudacell is loaded by absolute path
 * before anything else), sends LOAD/RUN,
 * streams its stdout/stderr pipes into the execute request, relays the rich
 * output libcudacell sends (RT_R_DISPLAY → display_data, update_display_data,
 * clear_output, execute_result on iopub), serves its stdin requests, and
 * tells a finished cell from an interrupted or crashed one.
 *
 * Owns: the process (stopped and reaped by cc_rt_restart / cc_rt_free:
 * end-of-file and SIGTERM first, so it can end what its cells left running,
 * then SIGKILL), the four pipe ends, the list of objects to load into the
 * next process. */
#include "child_spawn.h"
#include "runtime_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cellutil.h"
#include "compiler.h"
#include "execute.h"
#include "interrupt.h"
#include "log.h"
#include "outstream.h"
#include "rt_proto.h"
#include "userwords.h"

extern char **environ;

#define RT_EXE_NAME "cudacell-runtime"
#define RT_REAP_WAIT_MS 2000   /* after the reply pipe closed, wait this long for the exit */
#define RT_STOP_WAIT_MS 3000   /* after SIGTERM, wait this long before SIGKILL */

struct cc_runtime {
    char *exe;           /* <exe_dir>/cudacell-runtime */
    char *cache_dir;
    char *workdir;
    pid_t pid;           /* 0: not running */
    int cmd_fd, reply_fd, out_fd, err_fd;
    rt_inbuf in;         /* partial reply frames */
    char **preload;      /* absolute paths to load into the next process */
    size_t n_preload;
    int loads_pending;   /* LOAD replies still to come */
    char *note;          /* RT_R_NOTE of a dying runtime, malloc'd */
    char *crash;         /* RT_R_CRASH payload of a dying runtime, malloc'd */
    size_t crash_len;
    bool timeit;         /* the current run repeats the cell: values are not shown */
};

/* ---- process lifetime ------------------------------------------------------ */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void free_preload(cc_runtime *rt)
{
    for (size_t i = 0; i < rt->n_preload; i++)
        free(rt->preload[i]);
    free(rt->preload);
    rt->preload = NULL;
    rt->n_preload = 0;
}

/* Reaps pid if it exits within ms; returns true with *status then. */
static bool reap_within(pid_t pid, int ms, int *status)
{
    for (int waited = 0;; waited += 5) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR))
            return got == pid;
        if (waited >= ms)
            return false;
        usleep(5000);
    }
}

/* Stop (if alive) and reap; returns the wait status, or -1 if none. The
 * runtime first gets end-of-file on its commands and SIGTERM, on which it
 * ends every process its cells left running (it is their subreaper); one
 * that does not go within RT_STOP_WAIT_MS is killed with its group. */
static int stop_process(cc_runtime *rt)
{
    int status = -1;
    close_fd(&rt->cmd_fd);
    if (rt->pid > 0) {
        kill(rt->pid, SIGTERM);
        if (!reap_within(rt->pid, RT_STOP_WAIT_MS, &status)) {
            kill(-rt->pid, SIGKILL);
            kill(rt->pid, SIGKILL);
            while (waitpid(rt->pid, &status, 0) < 0 && errno == EINTR)
                ;
        }
    }
    rt->pid = 0;
    close_fd(&rt->reply_fd);
    close_fd(&rt->out_fd);
    close_fd(&rt->err_fd);
    rt_inbuf_free(&rt->in);
    rt->loads_pending = 0;
    return status;
}

cc_runtime *cc_rt_new(const char *exe_dir, const char *cache_dir, const char *workdir)
{
    cc_runtime *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    rt->cmd_fd = rt->reply_fd = rt->out_fd = rt->err_fd = -1;
    if (asprintf(&rt->exe, "%s/%s", exe_dir ? exe_dir : ".", RT_EXE_NAME) < 0)
        rt->exe = NULL;
    rt->cache_dir = strdup(cache_dir ? cache_dir : ".");
    rt->workdir = strdup(workdir ? workdir : "/tmp");
    if (!rt->exe || !rt->cache_dir || !rt->workdir) {
        cc_rt_free(rt);
        return NULL;
    }
    return rt;
}

void cc_rt_free(cc_runtime *rt)
{
    if (!rt)
        return;
    stop_process(rt);
    free_preload(rt);
    free(rt->note);
    free(rt->crash);
    free(rt->exe);
    free(rt->cache_dir);
    free(rt->workdir);
    free(rt);
}

int cc_rt_pid(const cc_runtime *rt) { return rt ? (int)rt->pid : 0; }

/* libcudacell's directory into lib (PATH_MAX), "" when not found (cells
 * linking it failed to compile already). Looked up from the directory the
 * runtime program lives in (the kernel's). */
static void display_lib_dir(const cc_runtime *rt, char *lib)
{
    char exe_dir[PATH_MAX], inc[PATH_MAX];
    snprintf(exe_dir, sizeof exe_dir, "%s", rt->exe);
    char *slash = strrchr(exe_dir, '/');
    if (slash)
        *slash = '\0';
    if (cc_display_dirs(slash ? exe_dir : NULL, inc, lib) < 0)
        lib[0] = '\0';
}

/* LD_LIBRARY_PATH=<libcudacell dir>:<cuda lib>:<old>. malloc'd. The
 * compile cache is never on it: a file planted there must not be found. */
static char *library_path(const cc_runtime *rt)
{
    const char *home = getenv("CUDA_HOME");
    const char *old = getenv("LD_LIBRARY_PATH");
    char cuda[4096] = "";
    char lib[PATH_MAX];
    struct stat st;
    if (home && *home) {
        snprintf(cuda, sizeof cuda, "%s/lib64", home);
        if (stat(cuda, &st) != 0)
            cuda[0] = '\0';
    }
    if (!cuda[0] && stat("/usr/local/cuda/lib64", &st) == 0)
        snprintf(cuda, sizeof cuda, "/usr/local/cuda/lib64");
    display_lib_dir(rt, lib);
    char *v = NULL;
    if (asprintf(&v, "LD_LIBRARY_PATH=%s%s%s%s%s", lib, lib[0] && cuda[0] ? ":" : "", cuda,
                 (lib[0] || cuda[0]) && old && *old ? ":" : "", old && *old ? old : "") < 0)
        return NULL;
    return v;
}

static void send_load(cc_runtime *rt, const char *path)
{
    rt_buf b = {0};
    rt_put_str(&b, path);
    if (rt_send_buf(rt->cmd_fd, RT_C_LOAD, &b) == 0)
        rt->loads_pending++;
    rt_buf_free(&b);
}

/* A child-side pipe end moved above the fds the child uses (0-4), so the
 * dup2 file actions cannot overwrite one another. */
static int high_fd(int fd)
{
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

static int start_process(cc_runtime *rt, char **err)
{
    int cmd[2] = {-1, -1}, rep[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
    char *argv[] = {rt->exe, NULL};
    char *ldpath = NULL;
    char **env = NULL;
    int rc;

    *err = NULL;
    if (access(rt->exe, X_OK) != 0) {
        if (asprintf(err, "The runtime program %s is missing or not executable (%s). It runs the compiled "
                          "cells and is installed next to the cudacell kernel; rebuild or reinstall "
                          "cudacell.", rt->exe, strerror(errno)) < 0)
            *err = NULL;
        return -1;
    }
    if (pipe2(cmd, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(er, O_CLOEXEC) < 0)
        goto fail;
    cmd[0] = high_fd(cmd[0]);
    rep[1] = high_fd(rep[1]);
    out[1] = high_fd(out[1]);
    er[1] = high_fd(er[1]);
    if (cmd[0] < 0 || rep[1] < 0 || out[1] < 0 || er[1] < 0)
        goto fail;

    size_t n = 0;
    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof *env);
    ldpath = library_path(rt);
    if (!env || !ldpath)
        goto fail;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_LIBRARY_PATH=", 16) != 0)
            env[k++] = environ[i];
    env[k++] = ldpath;
    env[k] = NULL;

    int fds[] = {CC_SPAWN_DEVNULL, out[1], er[1], cmd[0], rep[1]};
    rc = cc_spawn(&rt->pid, rt->exe, argv, env, fds, 5);
    free(env);
    free(ldpath);
    env = NULL;
    ldpath = NULL;
    close_fd(&cmd[0]);
    close_fd(&rep[1]);
    close_fd(&out[1]);
    close_fd(&er[1]);
    if (rc != 0) {
        rt->pid = 0;
        errno = rc;
        goto fail;
    }
    rt->cmd_fd = cmd[1];
    rt->reply_fd = rep[0];
    rt->out_fd = out[0];
    rt->err_fd = er[0];
    fcntl(rt->reply_fd, F_SETFL, O_NONBLOCK);
    fcntl(rt->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(rt->err_fd, F_SETFL, O_NONBLOCK);
    free(rt->note);
    rt->note = NULL;
    free(rt->crash);
    rt->crash = NULL;

    /* libcudacell by absolute path first: every cell's DT_NEEDED
     * "libcudacell.so" then matches it and no search path is consulted. */
    char lib[PATH_MAX], *libso = NULL;
    display_lib_dir(rt, lib);
    if (lib[0] && asprintf(&libso, "%s/libcudacell.so", lib) >= 0) {
        send_load(rt, libso);
        free(libso);
    }
    /* The objects of earlier cells: their functions and types stay usable. */
    for (size_t i = 0; i < rt->n_preload; i++)
        send_load(rt, rt->preload[i]);
    free_preload(rt);
    cc_log_info("runtime started, pid %d", (int)rt->pid);
    return 0;

fail:
    if (asprintf(err, "Cannot start the runtime process %s: %s.", rt->exe, strerror(errno)) < 0)
        *err = NULL;
    for (int i = 0; i < 2; i++) {
        close_fd(&cmd[i]);
        close_fd(&rep[i]);
        close_fd(&out[i]);
        close_fd(&er[i]);
    }
    free(env);
    free(ldpath);
    return -1;
}

void cc_rt_restart(cc_runtime *rt, const char *const *sonames, size_t n)
{
    if (!rt)
        return;
    stop_process(rt);
    free_preload(rt);
    rt->preload = calloc(n ? n : 1, sizeof *rt->preload);
    if (!rt->preload)
        return;
    for (size_t i = 0; i < n; i++) {
        if (sonames[i][0] == '/') {
            rt->preload[rt->n_preload] = strdup(sonames[i]);
        } else if (asprintf(&rt->preload[rt->n_preload], "%s/%s", rt->cache_dir, sonames[i]) < 0) {
            rt->preload[rt->n_preload] = NULL;
        }
        if (rt->preload[rt->n_preload])
            rt->n_preload++;
    }
}

/* ---- one run ------------------------------------------------------------------ */

/* Everything a pipe has now, to the frontend. Returns 0 at end of file. */
static int drain(cc_runtime *rt, cc_exec *x, int *fd, int stream)
{
    char buf[65536];
    for (;;) {
        if (*fd < 0)
            return 0;
        ssize_t r = read(*fd, buf, sizeof buf);
        if (r > 0) {
            if (x)
                cc_exec_write(x, stream, buf, (size_t)r);
            continue;
        }
        if (r == 0) {
            close_fd(fd);
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
static void serve_input(cc_runtime *rt, cc_exec *x, bool *told)
{
    char *line = NULL;
    int rc = -1;
    if (x) {
        rc = cc_exec_input(x, x->stdin_asked ? "" : CC_STDIN_FIRST_PROMPT, false, &line);
        x->stdin_asked = x->stdin_asked || rc != -1;
    }
    if (rc == 0 && cc_is_eof_answer(line)) {
        free(line);
        line = NULL;
    }
    rt_buf b = {0};
    if (rc == -1 && !*told && x) {
        static const char msg[] = "stdin: this frontend does not accept input (allow_stdin is false); "
                                  "reads from stdin get end-of-file.\n";
        cc_exec_write(x, 2, msg, sizeof msg - 1);
        *told = true;
    }
    if (rc == 0 && line) {
        size_t n = strlen(line);
        char *withnl = malloc(n + 2);
        if (withnl) {
            memcpy(withnl, line, n);
            withnl[n] = '\n';
            withnl[n + 1] = '\0';
            rt_put_u32(&b, RT_IN_LINE);
            rt_put_bytes(&b, withnl, n + 1);
            free(withnl);
        }
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

static bool display_type_ok(const char *t)
{
    return !strcmp(t, "display_data") || !strcmp(t, "update_display_data") ||
           !strcmp(t, "clear_output") || !strcmp(t, "execute_result");
}

/* Adds an empty object under key when content lacks one (the protocol
 * requires data and metadata in display messages). */
static void ensure_object(json_t *content, const char *key)
{
    if (!json_is_object(json_object_get(content, key)))
        json_object_set_new(content, key, json_object());
}

/* An RT_R_DISPLAY frame: str msg_type, str content JSON. Published on iopub
 * with the execute request as parent; anything malformed is logged and
 * dropped (a cell cannot make the kernel send an invalid message). */
static void publish_display(cc_runtime *rt, cc_exec *x, rt_reader *r)
{
    const char *type = rt_get_str(r, NULL);
    size_t len = 0;
    const char *text = rt_get_str(r, &len);
    if (r->bad || !display_type_ok(type)) {
        cc_log_warn("runtime: dropped a display message of type \"%.40s\"%s", type,
                    r->bad ? " (truncated frame)" : "");
        return;
    }
    if (!x || (rt->timeit && !strcmp(type, "execute_result")))
        return;   /* %%timeit runs the cell many times: no Out[] for it */
    json_error_t jerr;
    json_t *content = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(content)) {
        cc_log_warn("runtime: dropped a %s message whose content is not a JSON object: %s", type,
                    content ? "another JSON value" : jerr.text);
        json_decref(content);
        return;
    }
    if (strcmp(type, "clear_output") == 0) {
        if (!json_is_boolean(json_object_get(content, "wait")))
            json_object_set_new(content, "wait", json_false());
    } else {
        ensure_object(content, "data");
        ensure_object(content, "metadata");
    }
    if (strcmp(type, "execute_result") == 0)
        json_object_set_new(content, "execution_count", json_integer(x->execution_count));
    drain(rt, x, &rt->out_fd, 1);
    drain(rt, x, &rt->err_fd, 2);
    cc_exec_publish(x, type, content);   /* steals content; flushes the streams first */
}

/* The runtime waits for RT_C_DISPLAY_ACK before the display call returns, so
 * its pipes hold exactly what the cell wrote before the call: drained before
 * the message is published, the order stdout/display/stdout is kept. */
static void relay_display(cc_runtime *rt, cc_exec *x, rt_reader *r)
{
    publish_display(rt, x, r);
    if (rt_send(rt->cmd_fd, RT_C_DISPLAY_ACK, NULL, 0) < 0)
        cc_log_warn("runtime: cannot acknowledge a display message: %s", strerror(errno));
}

/* Handle one reply frame. Returns 1 when the run is over. */
static int on_frame(cc_runtime *rt, cc_exec *x, uint32_t type, const char *payload, size_t len,
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
        res->ename = strdup(ename);
        res->message = strdup(msg);
        res->restart_needed = sticky != 0;
        res->run_ms = ms;
        return 1;
    }
    case RT_R_INTERRUPTED:
        res->run_ms = rt_get_f64(&r);
        res->status = CC_RT_INTERRUPTED;
        return 1;
    case RT_R_INPUT:
        serve_input(rt, x, told);
        return 0;
    case RT_R_TIMEIT:
        res->loops = (long)rt_get_u64(&r);
        res->repeats = (long)rt_get_u32(&r);
        res->mean_ns = rt_get_f64(&r);
        res->std_ns = rt_get_f64(&r);
        return 0;
    case RT_R_DISPLAY:
        relay_display(rt, x, &r);
        return 0;
    case RT_R_NOTE:
        free(rt->note);
        rt->note = strdup(rt_get_str(&r, NULL));
        return 0;
    case RT_R_CRASH:   /* kept raw: kernel/crash_report.c reads it */
        free(rt->crash);
        rt->crash = malloc(len ? len : 1);
        rt->crash_len = rt->crash ? len : 0;
        if (rt->crash)
            memcpy(rt->crash, payload, len);
        return 0;
    default:
        return 0;
    }
}

/* The runtime is gone (or going): reap it, collect its last output, and
 * fill res. interrupted: an interrupt was pending. */
static void on_death(cc_runtime *rt, cc_exec *x, cc_rt_result *res, bool interrupted)
{
    int status = 0;
    pid_t got = 0;
    for (int waited = 0; waited < RT_REAP_WAIT_MS; waited += 10) {
        got = waitpid(rt->pid, &status, WNOHANG);
        if (got != 0 && !(got < 0 && errno == EINTR))
            break;
        drain(rt, x, &rt->out_fd, 1);
        drain(rt, x, &rt->err_fd, 2);
        usleep(10000);
    }
    drain(rt, x, &rt->out_fd, 1);
    drain(rt, x, &rt->err_fd, 2);
    if (got <= 0) {
        /* It closed its reply pipe but lives on: treat it as broken. */
        status = stop_process(rt);
        if (status < 0)
            status = 0;
    } else {
        rt->pid = 0;   /* reaped: stop_process must not signal a recycled pid */
        stop_process(rt);
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

static void wait_for_end(cc_runtime *rt, cc_exec *x, cc_rt_result *res)
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
        if (intr || !x)
            poll(fds, (nfds_t)n, intr ? 20 : 100);   /* the wake fd stays readable: don't spin */
        else
            cc_exec_poll(x, fds, n, 100);

        drain(rt, x, &rt->out_fd, 1);
        drain(rt, x, &rt->err_fd, 2);
        long got = rt_inbuf_fill(&rt->in, rt->reply_fd);
        bool eof = got == 0 || (got < 0 && errno != EAGAIN);
        uint32_t type;
        char *payload;
        size_t len;
        int k;
        while (!over && (k = rt_inbuf_next(&rt->in, &type, &payload, &len)) == 1) {
            over = on_frame(rt, x, type, payload, len, res, &told);
            free(payload);
        }
        if (over) {
            drain(rt, x, &rt->out_fd, 1);   /* the runtime flushed before replying */
            drain(rt, x, &rt->err_fd, 2);
            break;
        }
        if (!eof && k != -1 && alive(rt->pid)) {
            if (cc_intr_count() > 0)
                cc_intr_tick();   /* SIGKILL once the grace after SIGINT has passed */
            continue;
        }
        on_death(rt, x, res, cc_intr_count() > 0);
        over = true;
    }
}

int cc_rt_run(cc_runtime *rt, cc_exec *x, const cc_rt_run_req *req, cc_rt_result *res)
{
    char *err = NULL;
    memset(res, 0, sizeof *res);
    if (rt->pid == 0 && start_process(rt, &err) < 0) {
        res->status = CC_RT_ERROR;
        res->ename = strdup("RuntimeError");
        res->message = err ? err : strdup("Cannot start the runtime process.");
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
            res->ename = strdup("UsageError");
            res->message = err;
            return 0;
        }
        /* The pipe broke: the runtime died; wait_for_end reports how. */
    }
    wait_for_end(rt, x, res);
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
