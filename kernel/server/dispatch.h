/* kernel/server/dispatch.h — the one table of shell and control requests: message
 * type → handler, the channels it is accepted on, whether it is wrapped in
 * iopub busy/idle and which lock of the services it runs under. The shell
 * workers (shell.c) and the server thread's control path (control.c) both
 * answer a request with cc_dispatch. */
#ifndef CC_DISPATCH_H
#define CC_DISPATCH_H

#include <stdbool.h>
#include <jansson.h>
#include "kernel.h"

enum {
    CC_D_SHELL = 1u << 0,        /* accepted on shell (a worker thread runs it) */
    CC_D_CONTROL = 1u << 1,      /* accepted on control (the server thread runs it) */
    CC_D_BUSY_IDLE = 1u << 2,    /* iopub status busy before, idle after */
    CC_D_NAMES_LOCK = 1u << 3,   /* held: svc->names_lock for reading (the session's names) */
    CC_D_COUNT_LOCK = 1u << 4,   /* held: svc->count_lock (execution count, history) */
    /* Uses the runtime: svc->run_lock is taken by the execute pipeline for
     * each segment whose magic table entry asks for it (engine/engine.c), so a
     * subshell's `!` lines and free magics run alongside a long cell. The
     * dispatcher itself takes nothing for this flag. */
    CC_D_RUNTIME_LOCK = 1u << 5,
};

/* One request being answered. */
typedef struct cc_request {
    cc_kernel *k;
    const cc_msg *msg;
    cc_channel ch;               /* CC_CH_SHELL or CC_CH_CONTROL: where replies go */
    /* shell only: executes with msg->seq ≤ abort_upto are answered "aborted" */
    unsigned long abort_upto;
    /* set by execute_request: it failed and asked to stop on error, and the
     * server's shell count was reply_seq when its reply left */
    bool stop;
    unsigned long reply_seq;
} cc_request;

typedef void (*cc_handler_fn)(cc_request *r);

typedef struct cc_handler {
    const char *type;    /* msg_type; NULL: every type not listed, on its channels */
    cc_handler_fn fn;
    unsigned flags;      /* CC_D_* */
} cc_handler;

/* The entry answering type on channel (CC_D_SHELL or CC_D_CONTROL): its
 * own row, else the channel's catch-all row. Never NULL. */
const cc_handler *cc_dispatch_find(const char *type, unsigned channel);

/* Answer r->msg: look it up, publish busy, take its lock, run it, release,
 * publish idle (as its flags say). */
void cc_dispatch(cc_request *r);

/* Send the reply to r->msg (its type with _request → _reply) on r->ch;
 * content is stolen. A request type without that suffix gets no reply. */
void cc_reply(cc_request *r, json_t *content);

#endif
