/* kernel/server/dispatch.c — the table of shell and control requests and the one
 * way a request is answered (cc_dispatch): look the type up, publish busy,
 * take the entry's lock, run its handler, release, publish idle. The
 * handlers are here too, next to their rows; each is a few lines that call
 * the module doing the work (execute, complete, info, intake, usage); the
 * execute handler sends the execute_reply whose content execute.c builds.
 *
 * Shell requests run on a shell worker thread (shell.c), control requests on
 * the server thread (control.c), so a control handler must never wait: the
 * one that might (usage_request) answers from a thread of its own. Unknown
 * types are ignored with a rate-limited log line; on shell they are still
 * wrapped in busy/idle, as every shell request is. */
#include "dispatch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "execute_request.h"
#include "info.h"
#include "intake.h"
#include "interrupt.h"
#include "log.h"
#include "server.h"
#include "services.h"
#include "shell.h"
#include "usage.h"
#include "xalloc.h"

/* ---- replies ------------------------------------------------------------- */

void cc_reply(cc_request *r, json_t *content)
{
    char type[64];
    if (!cc_msg_reply_type(cc_msg_type(r->msg), type, sizeof type)) {
        json_decref(content);
        return;
    }
    cc_send(r->k, r->ch, cc_msg_new(type, r->msg, content));
}

static const char *content_str(const cc_msg *m, const char *key, const char *dflt)
{
    const char *v = json_string_value(json_object_get(m->content, key));
    return v ? v : dflt;
}

static int content_int(const cc_msg *m, const char *key, int dflt)
{
    json_t *v = json_object_get(m->content, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static json_t *error_content(const char *ename, const char *evalue)
{
    return json_pack("{s:s,s:s,s:s,s:[]}", "status", "error", "ename", ename, "evalue", evalue, "traceback");
}

/* ---- shell handlers --------------------------------------------------------- */

/* After a failed execute with stop_on_error, the executes the server received
 * before its reply left are answered "aborted" (shell.c keeps the mark):
 * reply_seq is the server's shell count as the reply leaves. */
static void h_execute(cc_request *r)
{
    if (r->msg->seq <= r->abort_upto) {
        cc_reply(r, json_pack("{s:s}", "status", "aborted"));
        return;
    }
    json_t *rep = NULL;
    r->stop = cc_execute_request(r->k, r->k->svc, r->msg, &rep);
    r->reply_seq = cc_server_shell_seq();
    cc_reply(r, rep);
}

static void h_is_complete(cc_request *r)
{
    cc_reply(r, cc_is_complete(content_str(r->msg, "code", "")));
}

static void h_complete(cc_request *r)
{
    const char *code = content_str(r->msg, "code", "");
    cc_reply(r, cc_complete(code, content_int(r->msg, "cursor_pos", (int)strlen(code)), r->k->svc->session));
}

static void h_inspect(cc_request *r)
{
    const char *code = content_str(r->msg, "code", "");
    cc_reply(r, cc_inspect(code, content_int(r->msg, "cursor_pos", (int)strlen(code)),
                           content_int(r->msg, "detail_level", 0), r->k->svc->session));
}

static void h_history(cc_request *r)
{
    cc_reply(r, cc_info_history(r->k->svc, r->msg->content));
}

static void h_comm_info(cc_request *r)
{
    cc_reply(r, cc_info_comm_info());
}

/* No comm targets exist: close it, as ipykernel does. */
static void h_comm_open(cc_request *r)
{
    json_t *id = json_object_get(r->msg->content, "comm_id");
    cc_send(r->k, CC_CH_IOPUB, cc_msg_new("comm_close", r->msg, json_pack("{s:O?,s:{}}", "comm_id", id, "data")));
}

static void h_nothing(cc_request *r)
{
    (void)r;   /* comm_msg, comm_close: nothing listens */
}

static void h_unknown_shell(cc_request *r)
{
    cc_log_warn_limited("unknown shell type", "unknown shell message type '%s' ignored", cc_msg_type(r->msg));
}

/* ---- control handlers (server thread: never wait) ------------------------------ */

static void h_kernel_info(cc_request *r)
{
    cc_reply(r, cc_info_kernel_info());
}

static void h_interrupt(cc_request *r)
{
    cc_intr_request();
    cc_reply(r, json_pack("{s:s}", "status", "ok"));
}

static void h_shutdown(cc_request *r)
{
    bool restart = json_is_true(json_object_get(r->msg->content, "restart"));
    cc_reply(r, json_pack("{s:s,s:b}", "status", "ok", "restart", restart));
    r->k->restart_requested = restart;
    r->k->shutting_down = 1;
}

/* usage_request reads /proc and may ask nvidia-smi (up to a second): it is
 * answered from a short-lived thread, wrapped in busy/idle there. */
static void *usage_thread(void *arg)
{
    cc_request *r = arg;
    json_t *c = cc_usage_reply(r->k->runtime_pid);
    cc_send_status(r->k, r->msg, "busy");
    cc_reply(r, c);
    cc_send_status(r->k, r->msg, "idle");
    cc_msg_free((cc_msg *)r->msg);
    free(r);
    cc_send_thread_done();
    return NULL;
}

static void h_usage(cc_request *r)
{
    cc_msg *copy = cc_msg_new("usage_request", r->msg, NULL);   /* keeps ids and header as parent */
    json_decref(copy->header);
    copy->header = json_deep_copy(r->msg->header);
    cc_request *t = cc_xmalloc(sizeof *t);
    *t = *r;
    t->msg = copy;
    pthread_t th;
    if (pthread_create(&th, NULL, usage_thread, t) == 0) {
        pthread_detach(th);
    } else {
        cc_msg_free(copy);
        free(t);
    }
}

static void h_create_subshell(cc_request *r)
{
    char id[37];
    if (cc_intake_subshell_create(r->k, id) == 0)
        cc_reply(r, json_pack("{s:s,s:s}", "status", "ok", "subshell_id", id));
    else
        cc_reply(r, error_content("SubshellError", "could not start a subshell"));
}

static void h_delete_subshell(cc_request *r)
{
    const char *id = json_string_value(json_object_get(r->msg->content, "subshell_id"));
    if (id && cc_intake_subshell_delete(id) == 0)
        cc_reply(r, json_pack("{s:s}", "status", "ok"));
    else
        cc_reply(r, error_content("SubshellNotFound", "no subshell with this id"));
}

static void h_list_subshell(cc_request *r)
{
    cc_reply(r, json_pack("{s:s,s:o}", "status", "ok", "subshell_id", cc_intake_subshell_list()));
}

static void h_unknown_control(cc_request *r)
{
    cc_log_warn_limited("unknown control type", "unknown control message type '%s' ignored", cc_msg_type(r->msg));
}

/* ---- the table ------------------------------------------------------------------ */

#define SH CC_D_SHELL
#define CT CC_D_CONTROL
#define BI CC_D_BUSY_IDLE

static const cc_handler table[] = {
    {"execute_request",         h_execute,         SH | BI | CC_D_RUNTIME_LOCK},
    {"kernel_info_request",     h_kernel_info,     SH | CT | BI},
    {"is_complete_request",     h_is_complete,     SH | BI},
    {"complete_request",        h_complete,        SH | BI | CC_D_NAMES_LOCK},
    {"inspect_request",         h_inspect,         SH | BI | CC_D_NAMES_LOCK},
    {"history_request",         h_history,         SH | BI | CC_D_COUNT_LOCK},
    {"comm_info_request",       h_comm_info,       SH | BI},
    {"comm_open",               h_comm_open,       SH | BI},
    {"comm_msg",                h_nothing,         SH | BI},
    {"comm_close",              h_nothing,         SH | BI},
    {"interrupt_request",       h_interrupt,       CT | BI},
    {"shutdown_request",        h_shutdown,        CT | BI},
    {"usage_request",           h_usage,           CT},   /* busy/idle from its thread */
    {"create_subshell_request", h_create_subshell, CT | BI},
    {"delete_subshell_request", h_delete_subshell, CT | BI},
    {"list_subshell_request",   h_list_subshell,   CT | BI},
    /* every other type */
    {NULL,                      h_unknown_shell,   SH | BI},
    {NULL,                      h_unknown_control, CT},
};

const cc_handler *cc_dispatch_find(const char *type, unsigned channel)
{
    const cc_handler *other = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (!(table[i].flags & channel))
            continue;
        if (!table[i].type) {
            other = other ? other : &table[i];
            continue;
        }
        if (strcmp(table[i].type, type) == 0)
            return &table[i];
    }
    return other;
}

/* ---- answering ------------------------------------------------------------------ */

static void lock(const cc_handler *h, cc_services *svc, bool take)
{
    if (!svc)
        return;
    if (h->flags & CC_D_NAMES_LOCK) {
        if (take)
            pthread_rwlock_rdlock(&svc->names_lock);
        else
            pthread_rwlock_unlock(&svc->names_lock);
    }
    if (h->flags & CC_D_COUNT_LOCK) {
        if (take)
            pthread_mutex_lock(&svc->count_lock);
        else
            pthread_mutex_unlock(&svc->count_lock);
    }
}

void cc_dispatch(cc_request *r)
{
    unsigned channel = r->ch == CC_CH_CONTROL ? CC_D_CONTROL : CC_D_SHELL;
    const cc_handler *h = cc_dispatch_find(cc_msg_type(r->msg), channel);
    bool wrap = h->flags & CC_D_BUSY_IDLE;
    if (wrap)
        cc_send_status(r->k, r->msg, "busy");
    lock(h, r->k->svc, true);
    h->fn(r);
    lock(h, r->k->svc, false);
    if (wrap)
        cc_send_status(r->k, r->msg, "idle");
}
