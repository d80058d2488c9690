/* kernel/server/server.h — the transport: sockets, heartbeat, the poll loop. */
#ifndef CC_SERVER_H
#define CC_SERVER_H

#include <jansson.h>
#include "kernel.h"

/* Bind everything, start the heartbeat and shell worker threads, and serve
 * until shutdown. Returns the process exit code. */
int cc_server_run(cc_kernel *k);

/* How many shell messages the server has received so far (any thread). */
unsigned long cc_server_shell_seq(void);

#endif
