/* kernel/server.h — the transport: sockets, heartbeat, the poll loop. */
#ifndef CC_SERVER_H
#define CC_SERVER_H

#include <jansson.h>
#include "kernel.h"

/* Bind everything, start the heartbeat and shell worker threads, and serve
 * until shutdown. Returns the process exit code. */
int cc_server_run(cc_kernel *k);

/* How many shell messages the server has received so far (any thread). */
unsigned long cc_server_shell_seq(void);

/* Subshells (JEP 91), called from control requests on the server thread:
 * create one (its id into id_out), delete one (-1 if unknown), list ids. */
int cc_server_subshell_create(cc_kernel *k, char id_out[37]);
int cc_server_subshell_delete(const char *id);
json_t *cc_server_subshell_list(void);

#endif
