/* kernel/control.c — control-channel requests, answered inline by the
 * server thread: kernel_info, interrupt, shutdown. Each is wrapped in
 * iopub busy/idle like every request. */
#include "control.h"

#include <string.h>

#include "info.h"
#include "interrupt.h"
#include "log.h"

static void reply(cc_kernel *k, const cc_msg *req, const char *type, json_t *content)
{
    cc_send(k, CC_CH_CONTROL, cc_msg_new(type, req, content));
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
    } else {
        cc_log_warn("unknown control message type '%s' ignored", t);
    }
}
