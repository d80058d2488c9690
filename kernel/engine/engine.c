/* kernel/engine/engine.c — the segment runner (engine.h): splits a cell
 * into segments (magics.c) and runs each in order, under the run lock when
 * it touches the session or the runtime, stopping at the first error or
 * interrupt. */
#include "engine.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

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

/* Segments that use the session or the runtime run one at a time across
 * the main shell and subshells; `!` lines and the magics that only touch
 * the process's directory, environment or files run at once. */
static bool needs_run_lock(const cc_segment *seg)
{
    static const char *const free_magics[] = {"bash", "cd", "pwd", "env", "writefile", "lsmagic", "ncu", "nsys"};
    if (seg->kind == CC_SEG_CODE)
        return true;
    if (seg->kind == CC_SEG_SHELL || !seg->name)
        return false;
    if (strcmp(seg->name, "gpu") == 0)   /* listing is free; switching restarts the runtime */
        return seg->args && *seg->args;
    for (size_t i = 0; i < sizeof free_magics / sizeof free_magics[0]; i++)
        if (strcmp(seg->name, free_magics[i]) == 0)
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
        bool lock = needs_run_lock(&segs[i]);
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
