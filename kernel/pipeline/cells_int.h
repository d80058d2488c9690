/* kernel/pipeline/cells_int.h — what cells.c (the pipeline) and cells_report.c (what
 * a run ended with) share and nobody else uses. */
#ifndef CC_CELLS_INT_H
#define CC_CELLS_INT_H

#include <stdbool.h>

#include "cc_output.h"
#include "cells.h"
#include "compiler.h"
#include "runtime_client.h"
#include "session.h"
#include "userwords.h"

struct cc_services;

/* The error ename whose evalue is text's first line and traceback text. */
void cc_cell_error_text(cc_out *o, const char *ename, const char *text);

/* The compile's error, or its notes and warnings. Returns 0 when the cell
 * can run, -1 after reporting the error. */
int cc_cell_report_compile(cc_out *o, const cc_plan *plan, const cc_compile_res *cr, const char *code,
                           int first_line);

/* How the run ended; restarts the runtime after a crash or a killed cell. */
void cc_cell_report_run(cc_out *o, struct cc_services *svc, const cc_rt_result *r);

/* %%time: compile and run times on stdout (ran: there was code to run). */
void cc_cell_print_time(cc_out *o, const cc_compile_res *cr, const cc_rt_result *r, bool ran);

/* %%timeit: IPython's line on stdout unless -q; with -o also the cell's value. */
void cc_cell_report_timeit(cc_out *o, const cc_rt_result *r, const cc_timeit_opts *t);

#endif
