/* kernel/engine/engine.c — the segment runner (engine.h): splits a cell
 * into segments (magics/split.c) and runs each in order (code through the
 * cell pipeline, cells.c; the rest through the magic table, magics.c),
 * under the run lock when the magic table says the segment needs the
 * runtime (cc_segment_needs_runtime), stopping at the first error or
 * interrupt. */
#include "engine.h"

#include <pthread.h>
#include <stdbool.h>

#include "cells.h"
#include "interrupt.h"
#include "magics.h"
#include "services.h"

static bool only_space(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

int cc_engine_run(cc_out *o, cc_services *svc, const char *code)
{
    cc_segment *segs = NULL;
    size_t n = 0;
    if (cc_magics_split(code, &segs, &n) < 0) {
        cc_out_error(o, "SyntaxError", "could not read the cell", NULL);
        return -1;
    }
    for (size_t i = 0; i < n && !o->failed; i++) {
        if (cc_intr_count()) {
            cc_out_error(o, "KeyboardInterrupt", "interrupted",
                         "KeyboardInterrupt: the cell was interrupted before this line ran.");
            break;
        }
        /* Segments that use the session or the runtime run one at a time
         * across the main shell and subshells; the magic table says which. */
        bool lock = cc_segment_needs_runtime(&segs[i]);
        if (lock)
            pthread_mutex_lock(&svc->run_lock);
        if (segs[i].kind == CC_SEG_CODE) {
            if (!only_space(segs[i].body))
                cc_cell_execute(o, svc, segs[i].body, segs[i].line, -1, CC_CELL_RUN);
        } else {
            cc_magic_run(o, svc, &segs[i]);
        }
        if (lock)
            pthread_mutex_unlock(&svc->run_lock);
    }
    cc_segments_free(segs, n);
    return o->failed ? -1 : 0;
}
