/* kernel/execute.h — one execute_request in flight: its parent message, the
 * output it streams, the error it ends with, and the stdin round trip.
 * Every executor (magics, `!` commands, C/CUDA cells) writes through this. */
#ifndef CC_EXECUTE_H
#define CC_EXECUTE_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include "kernel.h"
#include "outstream.h"

typedef struct cc_exec {
    cc_kernel *k;
    const cc_msg *req;          /* the execute_request (borrowed) */
    bool silent;
    bool store_history;
    bool allow_stdin;
    bool stdin_asked;           /* an input_request was sent (the first one carries the hint) */
    int execution_count;
    bool failed;                /* an error was reported */
    json_t *error_reply;        /* {ename, evalue, traceback} for the reply, owned */
    cc_outstream out, err;      /* stdout / stderr coalescing */
} cc_exec;

/* Stream bytes to the frontend (stream=1 stdout, 2 stderr). Bytes may split a
 * UTF-8 sequence; invalid bytes become U+FFFD. Coalesced; sent at least every
 * CC_OUTSTREAM_FLUSH_MS while data keeps coming, and on cc_exec_flush. */
void cc_exec_write(cc_exec *x, int stream, const char *data, size_t len);
void cc_exec_printf(cc_exec *x, int stream, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cc_exec_flush(cc_exec *x);

/* Report the cell's error: one iopub `error` message (unless silent) and the
 * reply's status "error". Only the first call counts; later ones are appended
 * to stderr instead so exactly one error output is sent. traceback_text may
 * hold several lines; it is split on '\n' into the traceback list. */
void cc_exec_error(cc_exec *x, const char *ename, const char *evalue, const char *traceback_text);

/* display_data / update_display_data / execute_result / clear_output etc.
 * content is stolen. Streams are flushed first so order is kept. */
void cc_exec_publish(cc_exec *x, const char *msg_type, json_t *content);

/* Ask the frontend for a line of input (input_request on stdin).
 * Returns 0 and a malloc'd *line (without trailing newline) on success,
 * -1 when stdin is not allowed, -2 when interrupted, -3 on shutdown. */
int cc_exec_input(cc_exec *x, const char *prompt, bool password, char **line);

/* Worker-side: poll() the given fds (may be 0) plus the interrupt wake fd and
 * the stdin-reply queue; returns poll()'s result. Helpers use it when they
 * wait so interrupts are seen at once. */
int cc_exec_poll(cc_exec *x, struct pollfd *fds, int nfds, int timeout_ms);

#endif
