/* kernel/pipeline/cells.h — running a code segment as a C or CUDA cell:
 * plan (session.c) → compile (compiler.c) → run (runtime_client.c) → report. */
#ifndef CC_CELLS_H
#define CC_CELLS_H

#include "session.h"

struct cc_out;
struct cc_services;

typedef enum cc_cell_mode { CC_CELL_RUN = 0, CC_CELL_TIME, CC_CELL_TIMEIT } cc_cell_mode;

/* lang_forced: -1 autodetect (CUDA syntax → CUDA), else a cc_lang. */
int cc_cell_execute(struct cc_out *o, struct cc_services *svc, const char *code,
                    int first_line, int lang_forced, cc_cell_mode mode);

/* %%timeit: as cc_cell_execute in CC_CELL_TIMEIT mode (language
 * autodetected), with t's loops, repeats and reporting options. */
struct cc_timeit_opts;
int cc_cell_timeit(struct cc_out *o, struct cc_services *svc, const char *code, int first_line,
                   const struct cc_timeit_opts *t);

/* The error name (ename) a cell's fatal signal is reported under, e.g.
 * "SegmentationFault" for SIGSEGV; "Crash" for one without a name. */
const char *cc_signal_ename(int sig);

#endif
