/* kernel/magics/run.c — the magics that run the rest of the cell as a C or
 * CUDA cell through the cell engine (cells.c), with the language forced
 * (%%c, %%cuda) or timed (%%time, %%timeit). An empty body is a usage error. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>

#include "cells.h"
#include "cc_output.h"
#include "services.h"
#include "userwords.h"
#include "xalloc.h"

static int body_cell(cc_out *x, cc_services *svc, const cc_segment *seg, int lang, cc_cell_mode mode,
                     const cc_timeit_opts *topts)
{
    const char *body = seg->body ? seg->body : "";
    const char *p = body;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (!*p) {
        char ev[96];
        snprintf(ev, sizeof ev, "%%%%%s needs code below it", seg->name);
        char *tb = cc_xasprintf("%%%%%s applies to the rest of the cell, which is empty. Put the code to run "
                                "on the lines after %%%%%s.", seg->name, seg->name);
        cc_out_error(x, "UsageError", ev, tb);
        free(tb);
        return -1;
    }
    if (mode == CC_CELL_TIMEIT)
        return cc_cell_timeit(x, svc, body, seg->line, topts);
    return cc_cell_execute(x, svc, body, seg->line, lang, mode);
}

int cc_magic_c(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return body_cell(x, svc, seg, CC_LANG_C, CC_CELL_RUN, NULL);
}

int cc_magic_cuda(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return body_cell(x, svc, seg, CC_LANG_CUDA, CC_CELL_RUN, NULL);
}

int cc_magic_time(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return body_cell(x, svc, seg, -1, CC_CELL_TIME, NULL);
}

int cc_magic_timeit(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    cc_timeit_opts o;
    char *err = NULL;
    if (cc_timeit_parse(seg->args, &o, &err) < 0) {
        cc_out_error(x, "UsageError", err, NULL);
        free(err);
        return -1;
    }
    return body_cell(x, svc, seg, -1, CC_CELL_TIMEIT, &o);
}
