/* kernel/server/control.c — the control channel's entry: control requests are
 * answered inline by the server thread, so they are never delayed by a
 * running cell. Their handlers and flags (busy/idle) are rows of the
 * dispatch table (dispatch.c): kernel_info, interrupt, shutdown, usage and
 * the subshell requests (create/delete/list). */
#include "control.h"

#include "dispatch.h"

void cc_control_handle(cc_kernel *k, const cc_msg *m)
{
    cc_request r = {.k = k, .msg = m, .ch = CC_CH_CONTROL};
    cc_dispatch(&r);
}
