/* kernel/execute.c — an execute_request from start to reply, and the cc_exec
 * output API every executor writes through (streams, errors, displays,
 * stdin). The data path reads top to bottom in cc_execute_request:
 * request → segments (magics/split.c) → run each → stream output → reply. */
#include "execute.h"
#include "execute_request.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cells.h"
#include "interrupt.h"
#include "log.h"
#include "magics.h"
#include "runtime_client.h"
#include "server.h"
#include "services.h"
#include "shell.h"
#include "userwords.h"

/* ---- streams ---------------------------------------------------------- */

static void send_stream(cc_exec *x, int stream, bool final)
{
    cc_outstream *o = stream == 2 ? &x->err : &x->out;
    char *text = cc_outstream_take(o, final);
    if (!text)
        return;
    if (!x->silent)
        cc_send(x->k, CC_CH_IOPUB, cc_msg_new("stream", x->req,
                json_pack("{s:s,s:s}", "name", stream == 2 ? "stderr" : "stdout", "text", text)));
    free(text);
}

void cc_exec_write(cc_exec *x, int stream, const char *data, size_t len)
{
    cc_outstream *o = stream == 2 ? &x->err : &x->out;
    cc_outstream *other = stream == 2 ? &x->out : &x->err;
    if (len == 0)
        return;
    /* Keep stdout/stderr order: flush the other stream before switching. */
    if (other->len || other->tail_len)
        send_stream(x, stream == 2 ? 1 : 2, false);
    cc_outstream_append(o, data, len);
    if (cc_outstream_due(o, cc_now_ms()))
        send_stream(x, stream, false);
}

void cc_exec_printf(cc_exec *x, int stream, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n > 0)
        cc_exec_write(x, stream, s, (size_t)n);
    free(s);
}

void cc_exec_flush(cc_exec *x)
{
    send_stream(x, 1, true);
    send_stream(x, 2, true);
}

static void flush_due(cc_exec *x)
{
    long long now = cc_now_ms();
    if (cc_outstream_due(&x->out, now))
        send_stream(x, 1, false);
    if (cc_outstream_due(&x->err, now))
        send_stream(x, 2, false);
}

/* ---- errors and rich output ------------------------------------------- */

static json_t *split_lines(const char *text)
{
    json_t *a = json_array();
    const char *p = text ? text : "";
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n || nl)
            json_array_append_new(a, json_stringn(p, n));
        if (!nl)
            break;
        p = nl + 1;
    }
    /* drop trailing empty lines */
    while (json_array_size(a) > 1) {
        const char *last = json_string_value(json_array_get(a, json_array_size(a) - 1));
        if (last && *last)
            break;
        json_array_remove(a, json_array_size(a) - 1);
    }
    return a;
}

void cc_exec_error(cc_exec *x, const char *ename, const char *evalue, const char *traceback_text)
{
    if (x->failed) {
        /* Exactly one error output per cell: later ones go to stderr. */
        cc_exec_printf(x, 2, "%s: %s\n", ename, evalue ? evalue : "");
        return;
    }
    x->failed = true;
    cc_exec_flush(x);
    char *ev = cc_utf8_sanitize(evalue ? evalue : "", evalue ? strlen(evalue) : 0);
    char *tb = cc_utf8_sanitize(traceback_text ? traceback_text : "",
                                traceback_text ? strlen(traceback_text) : 0);
    json_t *lines = split_lines(*tb ? tb : ev);
    x->error_reply = json_pack("{s:s,s:s,s:o}", "ename", ename, "evalue", ev, "traceback", lines);
    if (!x->silent)
        cc_send(x->k, CC_CH_IOPUB, cc_msg_new("error", x->req, json_deep_copy(x->error_reply)));
    free(ev);
    free(tb);
}

void cc_exec_publish(cc_exec *x, const char *msg_type, json_t *content)
{
    cc_exec_flush(x);
    if (x->silent) {
        json_decref(content);
        return;
    }
    cc_send(x->k, CC_CH_IOPUB, cc_msg_new(msg_type, x->req, content));
}

/* ---- waiting and stdin ------------------------------------------------ */

int cc_exec_poll(cc_exec *x, struct pollfd *fds, int nfds, int timeout_ms)
{
    zmq_pollitem_t items[16];
    int n = 0;
    if (nfds > 14)
        nfds = 14;
    /* zmq_poll's event bits differ from poll()'s: translate both ways. */
    for (int i = 0; i < nfds; i++) {
        items[n].socket = NULL;
        items[n].fd = fds[i].fd;
        items[n].events = (short)(((fds[i].events & POLLIN) ? ZMQ_POLLIN : 0) |
                                  ((fds[i].events & POLLOUT) ? ZMQ_POLLOUT : 0) |
                                  ((fds[i].events & POLLPRI) ? ZMQ_POLLPRI : 0));
        items[n].revents = 0;
        n++;
    }
    items[n].socket = NULL;
    items[n].fd = cc_intr_wakefd();
    items[n].events = ZMQ_POLLIN;
    items[n].revents = 0;
    n++;

    /* Wake in time to send streamed output that is due. */
    if (x && (x->out.len || x->err.len)) {
        long long wait = CC_OUTSTREAM_FLUSH_MS;
        if (timeout_ms < 0 || timeout_ms > wait)
            timeout_ms = (int)wait;
    }
    int rc = zmq_poll(items, n, timeout_ms);
    if (rc < 0 && zmq_errno() == EINTR)
        rc = 0;
    for (int i = 0; i < nfds; i++) {
        short r = items[i].revents;
        fds[i].revents = (short)(((r & ZMQ_POLLIN) ? POLLIN : 0) |
                                 ((r & ZMQ_POLLOUT) ? POLLOUT : 0) |
                                 ((r & ZMQ_POLLPRI) ? POLLPRI : 0) |
                                 ((r & ZMQ_POLLERR) ? (POLLERR | POLLHUP) : 0));
    }
    if (x)
        flush_due(x);
    return rc;
}

int cc_exec_input(cc_exec *x, const char *prompt, bool password, char **line)
{
    void *sock = cc_worker_stdin_socket();
    cc_msg *m;
    *line = NULL;
    if (!x->allow_stdin)
        return -1;
    /* Forget replies to earlier requests. */
    while (zmq_recv(sock, &m, sizeof m, ZMQ_DONTWAIT) == sizeof m)
        cc_msg_free(m);
    cc_exec_flush(x);
    cc_send(x->k, CC_CH_STDIN, cc_msg_new("input_request", x->req,
            json_pack("{s:s,s:b}", "prompt", prompt ? prompt : "", "password", password)));
    for (;;) {
        if (cc_intr_count())
            return -2;
        if (x->k->shutting_down)
            return -3;
        zmq_pollitem_t it[2] = {{sock, 0, ZMQ_POLLIN, 0}, {NULL, cc_intr_wakefd(), ZMQ_POLLIN, 0}};
        if (zmq_poll(it, 2, 500) <= 0)
            continue;
        if (!(it[0].revents & ZMQ_POLLIN))
            continue;
        if (zmq_recv(sock, &m, sizeof m, 0) != sizeof m)
            continue;
        const char *v = json_string_value(json_object_get(m->content, "value"));
        *line = strdup(v ? v : "");
        cc_msg_free(m);
        return 0;
    }
}

/* ---- the request ------------------------------------------------------ */

static bool only_space(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* ---- checking the request ------------------------------------------------ */

/* What the request asks, read once. bad: why it cannot run (malloc'd,
 * user-facing), or NULL. */
typedef struct cc_exec_args {
    const char *code;          /* borrowed; "" when bad */
    bool silent, store_history, allow_stdin, stop_on_error;
    char *bad;
} cc_exec_args;

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static void set_bad(cc_exec_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_bad(cc_exec_args *a, const char *fmt, ...)
{
    if (a->bad)
        return;   /* the first problem is enough */
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->bad, fmt, ap) < 0)
        a->bad = NULL;
    va_end(ap);
}

/* A flag read as ipykernel reads it, by Python truth: booleans, numbers
 * (0 is false) and null (false) are accepted, a missing one is dflt. A
 * string, array or object is refused: "false" would read as true there. */
static bool read_flag(const json_t *c, const char *key, bool dflt, cc_exec_args *a)
{
    json_t *v = json_object_get(c, key);
    if (!v)
        return dflt;
    if (json_is_boolean(v) || json_is_null(v))
        return json_is_true(v);
    if (json_is_number(v))
        return json_number_value(v) != 0;
    set_bad(a, "This execute_request cannot run: its '%s' field is %s, but the messaging protocol "
            "wants true or false. Nothing was run; the frontend or client that sent the request "
            "needs fixing.", key, json_kind(v));
    return dflt;
}

/* Line and column (1-based) of byte offset off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;   /* count characters, not UTF-8 continuation bytes */
        }
    }
}

static void read_code(const json_t *c, cc_exec_args *a)
{
    json_t *v = json_object_get(c, "code");
    a->code = "";
    if (!json_is_string(v)) {
        if (v)
            set_bad(a, "This execute_request cannot run: its 'code' field is %s, not a string of "
                    "source code. Nothing was run; the frontend or client that sent the request needs "
                    "fixing.", json_kind(v));
        else
            set_bad(a, "This execute_request cannot run: its 'code' field is missing. Nothing was "
                    "run; the frontend or client that sent the request needs fixing.");
        return;
    }
    const char *code = json_string_value(v);
    size_t len = json_string_length(v);
    size_t nul = strlen(code);
    if (nul < len) {
        size_t line, col;
        line_col(code, nul, &line, &col);
        set_bad(a, "The cell contains a NUL character (\\u0000) at line %zu, column %zu, which source "
                "code cannot hold, so nothing was run. Remove that character (it often comes from "
                "pasting binary data) and run the cell again.", line, col);
        return;
    }
    a->code = code;
}

static cc_exec_args read_args(const cc_msg *req)
{
    const json_t *c = req->content;
    cc_exec_args a;
    memset(&a, 0, sizeof a);
    read_code(c, &a);
    a.silent = read_flag(c, "silent", false, &a);
    a.store_history = read_flag(c, "store_history", !a.silent, &a) && !a.silent;
    /* Only the main shell reads the stdin channel's replies. */
    a.allow_stdin = read_flag(c, "allow_stdin", true, &a) && !cc_msg_subshell(req);
    a.stop_on_error = read_flag(c, "stop_on_error", true, &a);
    json_t *ue = json_object_get(c, "user_expressions");
    if (ue && !json_is_object(ue) && !json_is_null(ue))
        set_bad(&a, "This execute_request cannot run: its 'user_expressions' field is %s, but the "
                "messaging protocol wants an object (name → expression). Nothing was run; the "
                "frontend or client that sent the request needs fixing.", json_kind(ue));
    return a;
}

static void run_segments(cc_exec *x, cc_services *svc, const char *code)
{
    cc_segment *segs = NULL;
    size_t n = 0;
    if (cc_magics_split(code, &segs, &n) < 0) {
        cc_exec_error(x, "SyntaxError", "could not read the cell", NULL);
        return;
    }
    for (size_t i = 0; i < n && !x->failed; i++) {
        if (cc_intr_count()) {
            cc_exec_error(x, "KeyboardInterrupt", "interrupted",
                          "KeyboardInterrupt: the cell was interrupted before this line ran.");
            break;
        }
        /* Segments that use the session or the runtime run one at a time
         * across the main shell and subshells; the magic table says which. */
        bool lock = cc_segment_needs_runtime(&segs[i]);
        if (lock)
            pthread_mutex_lock(&svc->run_lock);
        if (segs[i].kind == CC_SEG_CODE) {
            if (!only_space(segs[i].body))
                cc_cell_execute(x, svc, segs[i].body, segs[i].line, -1, CC_CELL_RUN);
        } else {
            cc_magic_run(x, svc, &segs[i]);
        }
        if (lock)
            pthread_mutex_unlock(&svc->run_lock);
    }
    cc_segments_free(segs, n);
}

bool cc_execute_request(cc_kernel *k, cc_services *svc, const cc_msg *req, unsigned long *reply_seq)
{
    cc_exec_args a = read_args(req);
    const json_t *code_v = json_object_get(req->content, "code");
    /* Echo and history keep the code as sent, NUL and all; else "". */
    json_t *echo = json_is_string(code_v) ? json_deep_copy(code_v) : json_string("");
    cc_exec x;

    /* Interrupts from now on are this request's (before anything is
     * published: a client that saw it start may interrupt it at once). */
    cc_intr_clear();
    memset(&x, 0, sizeof x);
    x.k = k;
    x.req = req;
    x.silent = a.silent;
    x.store_history = a.store_history;
    x.allow_stdin = a.allow_stdin;
    cc_outstream_init(&x.out);
    cc_outstream_init(&x.err);

    /* A request that cannot run counts like a failed cell, as in ipykernel. */
    pthread_mutex_lock(&svc->count_lock);
    if (x.store_history) {
        svc->execution_count++;
        json_array_append_new(svc->history, json_pack("[i,i,O]", 1, svc->execution_count, echo));
    }
    x.execution_count = svc->execution_count;
    pthread_mutex_unlock(&svc->count_lock);
    if (!x.silent)
        cc_send(k, CC_CH_IOPUB, cc_msg_new("execute_input", req,
                json_pack("{s:O,s:i}", "code", echo, "execution_count", x.execution_count)));
    json_decref(echo);

    /* `exit` / `quit` alone: as ipykernel, ask the frontend to close
     * (jupyter console does; notebooks ignore it) instead of compiling. */
    bool ask_exit = !a.bad && cc_is_exit_cell(a.code);
    if (a.bad)
        cc_exec_error(&x, "InvalidRequest", a.bad, NULL);
    else if (!ask_exit)
        run_segments(&x, svc, a.code);
    cc_exec_flush(&x);
    if (pthread_mutex_trylock(&svc->run_lock) == 0) {
        k->runtime_pid = svc->rt ? cc_rt_pid(svc->rt) : 0;
        pthread_mutex_unlock(&svc->run_lock);
    }

    json_t *rep;
    if (x.failed) {
        rep = json_deep_copy(x.error_reply);
        json_object_set_new(rep, "status", json_string("error"));
    } else {
        rep = json_pack("{s:s,s:{},s:[]}", "status", "ok", "user_expressions", "payload");
        if (ask_exit)
            json_array_append_new(json_object_get(rep, "payload"),
                                  json_pack("{s:s,s:b}", "source", "ask_exit", "keepkernel", 0));
    }
    json_object_set_new(rep, "execution_count", json_integer(x.execution_count));
    if (reply_seq)
        *reply_seq = cc_server_shell_seq();
    cc_send(k, CC_CH_SHELL, cc_msg_new("execute_reply", req, rep));

    json_decref(x.error_reply);
    cc_outstream_free(&x.out);
    cc_outstream_free(&x.err);
    cc_intr_clear_target();
    free(a.bad);
    return x.failed && a.stop_on_error;
}
