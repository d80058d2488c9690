/* kernel/server/execute.c — an execute_request from start to reply, and the one
 * implementation of the engine's output interface (cc_output.h) for it:
 * stream text coalesced into iopub `stream` messages, displays checked
 * (display_relay.c) and published, the cell's error as the iopub `error`
 * and the reply's status, input through the stdin channel (shell.c). The
 * data path reads top to bottom in cc_execute_request: request → checks →
 * the engine runs the cell (engine/engine.c) → reply. */
#include "execute_request.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_output.h"
#include "display_relay.h"
#include "engine.h"
#include "interrupt.h"
#include "outstream.h"
#include "runtime_client.h"
#include "services.h"
#include "shell.h"
#include "userwords.h"
#include "clock.h"

/* One execute_request in flight: its parent message, the output it
 * streams, the error it ends with. */
typedef struct cc_exec {
    cc_kernel *k;
    const cc_msg *req;          /* the execute_request (borrowed) */
    bool silent;
    bool allow_stdin;
    int execution_count;
    json_t *error_reply;        /* {ename, evalue, traceback} for the reply, owned */
    cc_outstream out, err;      /* stdout / stderr coalescing */
    cc_out engine;              /* what the engine writes to (ctx: this cc_exec) */
} cc_exec;

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

/* Bytes may split a UTF-8 sequence; invalid bytes become U+FFFD. Coalesced;
 * sent at least every CC_OUTSTREAM_FLUSH_MS while data keeps coming (see
 * ex_tick), and on a flush. */
static void ex_stream(void *ctx, int stream, const char *data, size_t len)
{
    cc_exec *x = ctx;
    cc_outstream *o = stream == 2 ? &x->err : &x->out;
    cc_outstream *other = stream == 2 ? &x->out : &x->err;
    if (len == 0)
        return;
    /* Keep stdout/stderr order: flush the other stream before switching. */
    if (other->text.len || other->tail_len)
        send_stream(x, stream == 2 ? 1 : 2, false);
    cc_outstream_append(o, data, len);
    if (cc_outstream_due(o, cc_now_ms()))
        send_stream(x, stream, false);
}

static void ex_flush(void *ctx)
{
    cc_exec *x = ctx;
    send_stream(x, 1, true);
    send_stream(x, 2, true);
}

/* While the engine waits: send what is due; wake again in time for what
 * is pending. */
static int ex_tick(void *ctx)
{
    cc_exec *x = ctx;
    long long now = cc_now_ms();
    if (cc_outstream_due(&x->out, now))
        send_stream(x, 1, false);
    if (cc_outstream_due(&x->err, now))
        send_stream(x, 2, false);
    return x->out.text.len || x->err.text.len ? CC_OUTSTREAM_FLUSH_MS : -1;
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

/* The cell's one error (cc_out_error keeps the rule): the iopub `error`
 * (unless silent) and the reply's status "error". traceback_text is split
 * on '\n' into the traceback list. */
static void ex_error(void *ctx, const char *ename, const char *evalue, const char *traceback_text)
{
    cc_exec *x = ctx;
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

/* display_data / update_display_data / clear_output / execute_result, once
 * display_relay.c has checked and shaped the bundle (taken). */
static void ex_display(void *ctx, cc_out_kind kind, json_t *bundle)
{
    cc_exec *x = ctx;
    json_t *content = cc_display_content(kind, bundle, x->execution_count);
    if (!content)
        return;
    if (x->silent) {
        json_decref(content);
        return;
    }
    cc_send(x->k, CC_CH_IOPUB, cc_msg_new(cc_display_msg_type(kind), x->req, content));
}

/* ---- stdin -------------------------------------------------------------- */

static int ex_input(void *ctx, const char *prompt, bool password, char **line)
{
    cc_exec *x = ctx;
    if (!x->allow_stdin)
        return CC_IN_REFUSED;
    ex_flush(x);
    return cc_worker_input(x->k, x->req, prompt, password, line);
}

static const cc_out_ops exec_out_ops = {
    .stream = ex_stream,
    .flush = ex_flush,
    .display = ex_display,
    .error = ex_error,
    .input = ex_input,
    .tick = ex_tick,
};

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

bool cc_execute_request(cc_kernel *k, cc_services *svc, const cc_msg *req, json_t **reply)
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
    x.allow_stdin = a.allow_stdin;
    x.engine.ops = &exec_out_ops;
    x.engine.ctx = &x;
    cc_outstream_init(&x.out);
    cc_outstream_init(&x.err);

    /* A request that cannot run counts like a failed cell, as in ipykernel. */
    pthread_mutex_lock(&svc->count_lock);
    if (a.store_history) {
        svc->execution_count++;
        json_array_append_new(svc->history, json_pack("[i,i,O]", 1, svc->execution_count, echo));
    }
    x.execution_count = x.engine.execution_count = svc->execution_count;
    pthread_mutex_unlock(&svc->count_lock);
    if (!x.silent)
        cc_send(k, CC_CH_IOPUB, cc_msg_new("execute_input", req,
                json_pack("{s:O,s:i}", "code", echo, "execution_count", x.execution_count)));
    json_decref(echo);

    /* `exit` / `quit` alone: as ipykernel, ask the frontend to close
     * (jupyter console does; notebooks ignore it) instead of compiling. */
    bool ask_exit = !a.bad && cc_is_exit_cell(a.code);
    if (a.bad)
        cc_out_error(&x.engine, "InvalidRequest", a.bad, NULL);
    else if (!ask_exit)
        cc_engine_run(&x.engine, svc, a.code);
    ex_flush(&x);
    if (pthread_mutex_trylock(&svc->run_lock) == 0) {
        k->runtime_pid = svc->rt ? cc_rt_pid(svc->rt) : 0;
        pthread_mutex_unlock(&svc->run_lock);
    }

    json_t *rep;
    if (x.engine.failed) {
        rep = json_deep_copy(x.error_reply);
        json_object_set_new(rep, "status", json_string("error"));
    } else {
        rep = json_pack("{s:s,s:{},s:[]}", "status", "ok", "user_expressions", "payload");
        if (ask_exit)
            json_array_append_new(json_object_get(rep, "payload"),
                                  json_pack("{s:s,s:b}", "source", "ask_exit", "keepkernel", 0));
    }
    json_object_set_new(rep, "execution_count", json_integer(x.execution_count));
    *reply = rep;

    json_decref(x.error_reply);
    cc_outstream_free(&x.out);
    cc_outstream_free(&x.err);
    cc_intr_clear_target();
    free(a.bad);
    return x.engine.failed && a.stop_on_error;
}
