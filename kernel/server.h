/* kernel/server.h — the transport: sockets, heartbeat, the poll loop. */
#ifndef CC_SERVER_H
#define CC_SERVER_H

#include "kernel.h"

/* Bind everything, start the heartbeat and shell worker threads, and serve
 * until shutdown. Returns the process exit code. */
int cc_server_run(cc_kernel *k);

#endif
