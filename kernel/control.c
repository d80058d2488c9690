/* kernel/control.c — control-channel requests, answered inline by the
 * server thread: kernel_info, interrupt, shutdown, usage, and the subshell
 * requests (create/delete/list). Each is wrapped in iopub busy/idle like
 * every request. */
#include "control.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"
#include "intake.h"
#include "shell.h"
#include "interrupt.h"
#include "log.h"
#include "server.h"
#include "usage.h"

static void reply(cc_kernel *k, const cc_msg *req, const char *type, json_t *content)
{
    cc_send(k, CC_CH_CONTROL, cc_msg_new(type, req, content));
}

/* usage_request reads /proc and may ask nvidia-smi (up to a second): it is
 * answered from a short-lived thread so the control loop never waits. */
static void *usage_thread(void *arg)
{
    cc_msg *req = arg;
    cc_kernel *k = cc_kernel_get();
    json_t *c = cc_usage_reply(k->runtime_pid);
    cc_send_status(k, req, "busy");
    reply(k, req, "usage_reply", c);
    cc_send_status(k, req, "idle");
    cc_msg_free(req);
    cc_send_thread_done();
    return NULL;
}

static void start_usage(const cc_msg *m)
{
    cc_msg *copy = cc_msg_new("usage_request", m, NULL);   /* keeps ids and header as parent */
    json_decref(copy->header);
    copy->header = json_deep_copy(m->header);
    pthread_t th;
    if (pthread_create(&th, NULL, usage_thread, copy) == 0)
        pthread_detach(th);
    else
        cc_msg_free(copy);
}

void cc_control_handle(cc_kernel *k, const cc_msg *m)
{
    const char *t = cc_msg_type(m);

    if (strcmp(t, "kernel_info_request") == 0) {
        cc_send_status(k, m, "busy");
        reply(k, m, "kernel_info_reply", cc_info_kernel_info());
        cc_send_status(k, m, "idle");
    } else if (strcmp(t, "interrupt_request") == 0) {
        cc_send_status(k, m, "busy");
        cc_intr_request();
        reply(k, m, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
        cc_send_status(k, m, "idle");
    } else if (strcmp(t, "shutdown_request") == 0) {
        json_t *r = json_object_get(m->content, "restart");
        bool restart = json_is_true(r);
        cc_send_status(k, m, "busy");
        reply(k, m, "shutdown_reply", json_pack("{s:s,s:b}", "status", "ok", "restart", restart));
        cc_send_status(k, m, "idle");
        k->restart_requested = restart;
        k->shutting_down = 1;
    } else if (strcmp(t, "usage_request") == 0) {
        start_usage(m);
    } else if (strcmp(t, "create_subshell_request") == 0) {
        char id[37];
        cc_send_status(k, m, "busy");
        if (cc_intake_subshell_create(k, id) == 0)
            reply(k, m, "create_subshell_reply", json_pack("{s:s,s:s}", "status", "ok", "subshell_id", id));
        else
            reply(k, m, "create_subshell_reply", json_pack("{s:s,s:s,s:s,s:[]}", "status", "error",
                  "ename", "SubshellError", "evalue", "could not start a subshell", "traceback"));
        cc_send_status(k, m, "idle");
    } else if (strcmp(t, "delete_subshell_request") == 0) {
        const char *id = json_string_value(json_object_get(m->content, "subshell_id"));
        cc_send_status(k, m, "busy");
        if (id && cc_intake_subshell_delete(id) == 0)
            reply(k, m, "delete_subshell_reply", json_pack("{s:s}", "status", "ok"));
        else
            reply(k, m, "delete_subshell_reply", json_pack("{s:s,s:s,s:s,s:[]}", "status", "error",
                  "ename", "SubshellNotFound", "evalue", "no subshell with this id", "traceback"));
        cc_send_status(k, m, "idle");
    } else if (strcmp(t, "list_subshell_request") == 0) {
        cc_send_status(k, m, "busy");
        reply(k, m, "list_subshell_reply", json_pack("{s:s,s:o}", "status", "ok",
              "subshell_id", cc_intake_subshell_list()));
        cc_send_status(k, m, "idle");
    } else {
        cc_log_warn_limited("unknown control type", "unknown control message type '%s' ignored", t);
    }
}
