/* kernel/pipeline/cc_output.h — the one way the cell engine talks to whoever
 * runs it. Everything below the execute-request layer (the segment runner,
 * magics, the cell pipeline, the compiler driver, the runtime client, the
 * `!` runner) reports through a cc_out: stream text, displays, the cell's
 * error, and asks for a line of input. None of it knows about Jupyter: the
 * execute-request layer (kernel/server/execute.c) implements cc_out_ops once on top
 * of its request; a test implements it with buffers (tests/unit/test_engine.c).
 *
 * Interrupts do not pass through here: they reach the engine through
 * kernel/pipeline/interrupt.h (per-thread, async-signal-safe), and the engine waits
 * with cc_out_poll, which also wakes on them.
 *
 * Ownership: text passed to a callback is borrowed for the call; a display
 * bundle is taken (the callback must json_decref it); a line returned by
 * input is malloc'd and becomes the caller's. */
#ifndef CC_OUTPUT_H
#define CC_OUTPUT_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

/* What a display call asks for. The bundle is a JSON object:
 *   DISPLAY, UPDATE, RESULT: {"data": {mime: value}, "metadata": {...},
 *                             "transient": {"display_id": ...}} (any part
 *                             may be missing; UPDATE needs the display_id);
 *   CLEAR: {"wait": bool}.
 * RESULT is the cell's value (the front end gives it the cell's number). */
typedef enum cc_out_kind {
    CC_OUT_DISPLAY = 0,
    CC_OUT_UPDATE,
    CC_OUT_CLEAR,
    CC_OUT_RESULT,
} cc_out_kind;

/* cc_out_input's answer. */
typedef enum cc_in_status {
    CC_IN_OK = 0,
    CC_IN_REFUSED = -1,       /* input is not allowed here (or no one can answer) */
    CC_IN_INTERRUPTED = -2,
    CC_IN_SHUTDOWN = -3,      /* the kernel is shutting down */
} cc_in_status;

typedef struct cc_out_ops {
    /* Bytes a cell or command wrote: fd 1 stdout, 2 stderr. They may split a
     * UTF-8 sequence or hold invalid bytes. Required. */
    void (*stream)(void *ctx, int fd, const char *data, size_t len);
    /* Send buffered stream text now (the engine calls it before a display
     * and an error, and when a command ends). May be NULL. */
    void (*flush)(void *ctx);
    /* A display; bundle taken. Required. */
    void (*display)(void *ctx, cc_out_kind kind, json_t *bundle);
    /* The cell's error: called at most once per cc_out (cc_out_error keeps
     * the rule). traceback may hold several lines, or be NULL. Required. */
    void (*error)(void *ctx, const char *ename, const char *evalue, const char *traceback);
    /* A line of input (without its newline) into *line, malloc'd; returns a
     * cc_in_status. Flush buffered stream text before prompting. May be
     * NULL: input is refused. */
    int (*input)(void *ctx, const char *prompt, bool password, char **line);
    /* Called whenever the engine waits (before and after each wait): output
     * buffered for too long can go out. Returns the longest the next wait
     * may last in ms, or -1 for no limit. May be NULL. */
    int (*tick)(void *ctx);
} cc_out_ops;

typedef struct cc_out {
    const cc_out_ops *ops;
    void *ctx;
    int execution_count;   /* set by the caller: the cell's number (crash reports say In [n]); 0: none */
    bool failed;           /* kept by the engine: an error was reported */
    bool stdin_asked;      /* kept by the engine: input was asked once (the first prompt says how to end it) */
} cc_out;

/* The engine's side of the interface. Each accepts o == NULL (output is
 * dropped, input refused), so a helper can run with no one listening. */
void cc_out_write(cc_out *o, int fd, const char *data, size_t len);
void cc_out_printf(cc_out *o, int fd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cc_out_flush(cc_out *o);

/* Streams are flushed first, so stdout/display order is kept; bundle taken. */
void cc_out_display(cc_out *o, cc_out_kind kind, json_t *bundle);

/* Exactly one error per cc_out: the first call flushes the streams and
 * reports it and sets o->failed; later ones are written to stderr as
 * "ename: evalue" lines. */
void cc_out_error(cc_out *o, const char *ename, const char *evalue, const char *traceback);

/* Asks ops->input; *line is NULL unless CC_IN_OK. */
int cc_out_input(cc_out *o, const char *prompt, bool password, char **line);

/* poll() fds (nfds may be 0, at most 15) plus the calling thread's
 * interrupt wake fd, with ticks around the wait (see ops->tick). EINTR
 * counts as a timeout (0). */
int cc_out_poll(cc_out *o, struct pollfd *fds, int nfds, int timeout_ms);

#endif
