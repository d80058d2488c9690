/* kernel/server/control.h — control-channel requests, answered inline by the
 * server thread so they are never delayed by a running cell (through the
 * dispatch table, dispatch.h). */
#ifndef CC_CONTROL_H
#define CC_CONTROL_H

#include "kernel.h"

void cc_control_handle(cc_kernel *k, const cc_msg *m);

#endif
