/* kernel/engine/engine.h — the cell engine's entry: one cell's text, run
 * through the pipeline (magics split → each segment: a magic, a `!`
 * command, or C/CUDA code → compile → runtime → result), reporting through
 * a cc_out. Knows nothing of Jupyter: kernel/server/execute.c drives it for an
 * execute_request, tests/unit/test_engine.c drives it with buffers. */
#ifndef CC_ENGINE_H
#define CC_ENGINE_H

#include "cc_output.h"

struct cc_services;

/* Run the cell's segments in order until one fails (o->failed) or an
 * interrupt arrives (a KeyboardInterrupt error). Segments that use the
 * session or the runtime hold svc->run_lock while they run. Returns 0, or
 * -1 when the cell reported an error. */
int cc_engine_run(cc_out *o, struct cc_services *svc, const char *code);

#endif
