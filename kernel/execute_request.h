/* kernel/execute_request.h — execute_request, top to bottom:
 * request → split into segments (magics/split.c) → each segment runs (magics,
 * `!` commands, C/CUDA cells) → streamed output → execute_reply. */
#ifndef CC_EXECUTE_REQUEST_H
#define CC_EXECUTE_REQUEST_H

#include <stdbool.h>
#include "kernel.h"

struct cc_services;

/* Runs the request and sends its reply; *reply_seq (may be NULL) is how many
 * shell messages the server had received when the reply left. Returns true
 * when it failed and the request asked to stop on error (the executes
 * received before the reply left are then aborted). */
bool cc_execute_request(cc_kernel *k, struct cc_services *svc, const cc_msg *req, unsigned long *reply_seq);

#endif
