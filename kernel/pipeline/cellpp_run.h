/* kernel/pipeline/cellpp_run.h — a cell's preprocessor conditionals evaluated,
 * and its declaration-making macro invocations expanded, by the real
 * preprocessor before planning (see cellpp.h). */
#ifndef CC_CELLPP_RUN_H
#define CC_CELLPP_RUN_H

#include <stdbool.h>

#include "session.h"

struct cc_out;
struct cc_services;

/* Whether the cell needs that step (a conditional, a popped macro, or an
 * invocation of a macro that makes declarations, the session's included). */
bool cc_cell_wants_pp(struct cc_session *s, const char *code);

/* *resolved: the code to plan instead of `code` (malloc'd), or NULL when the
 * code is fine as it is. Returns 0, or -2 when interrupted. */
int cc_cell_resolve_pp(struct cc_out *x, struct cc_services *svc, const char *code, int first_line, cc_lang lang,
                       char **resolved);

#endif
