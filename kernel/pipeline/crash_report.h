/* kernel/pipeline/crash_report.h — turns the stack a dying runtime sent (RT_R_CRASH)
 * into a traceback in the notebook's terms: which cell (In [N]), which line,
 * which function, and the source line. Keeps, for every object compiled in
 * this session, the cell it came from; asks addr2line for the lines. */
#ifndef CC_CRASH_REPORT_H
#define CC_CRASH_REPORT_H

#include <stddef.h>

typedef struct cc_crash_cells cc_crash_cells;

cc_crash_cells *cc_crash_cells_new(void);   /* aborts when out of memory */
void cc_crash_cells_free(cc_crash_cells *cells);
void cc_crash_cells_clear(cc_crash_cells *cells);

/* The object soname was compiled from code (copied), the cell's code
 * starting at notebook line first_line, run as In [count]. A later add of
 * the same soname replaces it. */
void cc_crash_cells_add(cc_crash_cells *cells, const char *soname, int count, const char *code, int first_line);

/* The report: the cause on the first line (note, the runtime's own words
 * for it, wins when given), then one line per frame in a cell, innermost
 * first. malloc'd; NULL when the payload is malformed. */
char *cc_crash_report(const cc_crash_cells *cells, const char *payload, size_t len, const char *note);

#endif
