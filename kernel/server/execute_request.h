/* kernel/server/execute_request.h — execute_request, top to bottom:
 * request → checks → the engine runs the cell (engine/engine.h: segments
 * from magics/split.c, magics, `!` commands, C/CUDA cells), its output
 * streamed to iopub → the execute_reply's content. */
#ifndef CC_EXECUTE_REQUEST_H
#define CC_EXECUTE_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include "kernel.h"

struct cc_services;

/* Runs the request; *reply gets the execute_reply's content (the caller
 * sends it). Returns true when it failed and the request asked to stop on
 * error (the caller then aborts the executes received before the reply
 * left). */
bool cc_execute_request(cc_kernel *k, struct cc_services *svc, const cc_msg *req, json_t **reply);

#endif
