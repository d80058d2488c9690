/* kernel/pipeline/showretry.h — compiling a cell again when the show of its last
 * expression (__CC_SHOW) was what failed to compile. */
#ifndef CC_SHOWRETRY_H
#define CC_SHOWRETRY_H

#include <stdbool.h>
#include "compiler.h"
#include "session.h"

struct cc_out;

/* After cc_compile(x, req, cr) failed for plan: when the compiler's words
 * are about the show macro (cudacell.h, __CC_SHOW), compiles the cell again
 * showing the last expression as a bit-field (C, errors only inside the
 * show), then with the expression as a plain statement; *cr becomes the
 * last attempt's result. Does nothing in any other case. req->source is
 * borrowed for the retries and restored. */
void cc_show_retry(struct cc_out *x, const cc_plan *plan, cc_compile_req *req, cc_compile_res *cr);

/* The diagnostics' errors all lie outside the cell (in our header). */
bool cc_show_errors_outside_cell(const char *diag);

/* plan's source with the show macro's name replaced by `name` (padded with
 * blanks to the same length), or with name NULL the macro call blanked out
 * (the expression as a plain statement); NULL when there is no show, `name`
 * is too long, or no memory. */
char *cc_show_source(const cc_plan *plan, const char *name);

#endif
