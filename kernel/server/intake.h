/* kernel/server/intake.h — incoming messages, from frames to the thread that
 * handles them. The server thread receives each multipart message without
 * copying it (cc_raw) and drops one over the size limits. Control messages
 * it decodes itself; shell and stdin messages go to the intake thread, which
 * verifies the signature, refuses replays, decodes, and routes each to the
 * main shell worker, a subshell's worker (header.subshell_id) or the stdin
 * queue. So a large shell message is never verified or parsed on the thread
 * that answers control. The subshell registry lives here too. */
#ifndef CC_INTAKE_H
#define CC_INTAKE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "kernel.h"

struct cc_replay;

#define CC_RAW_MAX_FRAMES 1024   /* more frames than this: dropped */

typedef struct cc_raw {
    cc_channel channel;
    unsigned long seq;      /* shell: the server's receive order (1, 2, …) */
    size_t n, bytes;        /* frames, and their total size */
    void **part;            /* n zmq_msg_t*, owned */
} cc_raw;

/* Server thread: one whole message from sock, its frames kept as received
 * (no copy). NULL when none is waiting, or when it had more than max_bytes in
 * all (0: no limit) or more than CC_RAW_MAX_FRAMES frames: then it is dropped
 * with a rate-limited warning naming chname. */
cc_raw *cc_raw_recv(void *sock, cc_channel ch, const char *chname, size_t max_bytes);
void cc_raw_free(cc_raw *r);

/* Verify (refusing replays through seen), decode and return the message, or
 * NULL after a rate-limited warning. r stays the caller's. Any thread. */
cc_msg *cc_raw_decode(const cc_kernel *k, struct cc_replay *seen, const cc_raw *r, const char *chname);

/* Server thread, at startup: bind the workers' queues and start the intake
 * thread (before the workers start). seen is borrowed until cc_intake_stop. */
int cc_intake_start(cc_kernel *k, struct cc_replay *seen);

/* Server thread: hand r over (the intake owns it from now). */
void cc_intake_submit(cc_raw *r);

/* Server thread: true while the intake holds enough unprocessed messages
 * (count or bytes) that the server should stop reading shell and stdin for
 * now, so that a flood waits in the sender's queues, not in our memory. */
bool cc_intake_full(void);

/* Server thread, at shutdown: stop the intake thread (what it still holds
 * is dropped), stop every subshell and tell the main worker to finish. */
void cc_intake_stop(void);

/* Close the workers' queues, after the main worker has ended. */
void cc_intake_close(void);

/* Subshells (JEP 91), for control requests on the server thread: create one
 * (its id into id_out), delete one (-1 if unknown), list the ids. */
int cc_intake_subshell_create(cc_kernel *k, char id_out[37]);
int cc_intake_subshell_delete(const char *id);
json_t *cc_intake_subshell_list(void);

#endif
