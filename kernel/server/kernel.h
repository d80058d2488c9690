/* kernel/server/kernel.h — the kernel object shared by the transport thread (server.c)
 * and the shell worker thread (shell.c), and the one way to send a message.
 *
 * Threads: the main thread runs the server (owns every ZeroMQ socket, answers
 * control requests inline); the intake thread verifies and decodes shell and
 * stdin messages and routes them (intake.c); one worker thread runs shell
 * requests (which may take hours), plus one per subshell; one thread echoes
 * heartbeats. Nothing the workers or the intake do can delay the server. */
#ifndef CC_KERNEL_H
#define CC_KERNEL_H

#include <stdbool.h>
#include <pthread.h>
#include "connection.h"
#include "sign.h"
#include "wire.h"

typedef enum cc_channel {
    CC_CH_SHELL = 0,
    CC_CH_CONTROL = 1,
    CC_CH_STDIN = 2,
    CC_CH_IOPUB = 3,
} cc_channel;

struct cc_services;   /* the language side: session, compiler, runtime (services.h) */

typedef struct cc_kernel {
    cc_conn conn;
    cc_signer *signer;
    void *zctx;                  /* ZeroMQ context */
    pthread_t server_thread;
    char session_id[37];
    char *exe_dir;               /* directory of the kernel binary (for the runtime) */
    volatile int shutting_down;  /* set by shutdown_request */
    bool restart_requested;
    volatile int runtime_pid;    /* the runtime process, 0 if none (for usage_request) */
    struct cc_services *svc;     /* owned by the worker thread */
} cc_kernel;

/* Send m on channel ch and free it (always, even on error). Callable from any
 * thread: the server thread writes to the socket directly, other threads hand
 * the signed frames to the server through an inproc socket of their own. */
int cc_send(cc_kernel *k, cc_channel ch, cc_msg *m);

/* iopub `status` (busy/idle) with parent as parent_header. */
void cc_send_status(cc_kernel *k, const cc_msg *parent, const char *state);

/* The kernel object of this process (one per process). */
cc_kernel *cc_kernel_get(void);

#endif
