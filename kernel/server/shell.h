/* kernel/server/shell.h — the shell worker thread: takes shell requests from the
 * server in order, answers each through the dispatch table (dispatch.h:
 * busy/idle, locks, handler), and aborts queued executes after an error when
 * stop_on_error asks for it. */
#ifndef CC_SHELL_H
#define CC_SHELL_H

#include <pthread.h>
#include <stdbool.h>
#include "kernel.h"

#define CC_INPROC_OUT   "inproc://cc-out"     /* any thread → server: [channel][frames…] */
#define CC_INPROC_SHELL "inproc://cc-shell"   /* server → worker: cc_msg* (NULL = stop) */
#define CC_INPROC_STDIN "inproc://cc-stdin"   /* server → worker: input_reply cc_msg* */

typedef struct cc_worker cc_worker;

/* The main shell's worker (creates the services). */
int cc_worker_start(cc_kernel *k, pthread_t *th);

/* A subshell's worker reading cc_msg* from the inproc PULL at endpoint
 * (the server binds the PUSH end first). It stops, and frees itself, when
 * it reads NULL. Returns NULL on failure. */
cc_worker *cc_subshell_start(cc_kernel *k, const char *id, const char *endpoint);
bool cc_worker_done(void);

/* The stdin round trip, on the main shell's worker thread: an
 * input_request with req as parent, then the input_reply's value into
 * *line (malloc'd). Returns 0, -2 when interrupted, -3 on shutdown
 * (execute.c's input for the engine; cc_output.h's cc_in_status). */
int cc_worker_input(cc_kernel *k, const cc_msg *req, const char *prompt, bool password, char **line);

/* Close the calling thread's inproc sender (before the thread exits). */
void cc_send_thread_done(void);

#endif
