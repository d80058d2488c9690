/* kernel/cell/cellutil.h — pure helpers of the cell pipeline (compiler.c,
 * runtime_client.c, cells.c): shell-like word splitting for flags and %args,
 * compiler diagnostics rewritten for the notebook, duration formatting as
 * IPython prints it. No I/O; unit-tested in tests/unit/test_cellutil.c. */
#ifndef CC_CELLUTIL_H
#define CC_CELLUTIL_H

#include <stddef.h>

/* Split s into words the way a shell would for plain words: blanks separate,
 * '...' is literal, "..." allows \" \\ \$ \`, a backslash outside quotes
 * escapes the next character. No expansion of any kind. Returns a malloc'd
 * NULL-terminated array (free with cc_words_free) and the count in *n; NULL
 * with *err malloc'd (user-facing) for an unterminated quote. */
char **cc_split_words(const char *s, size_t *n, char **err);
void cc_words_free(char **w);

/* Rewrite raw compiler output for the user: every occurrence of each
 * prefix in strip[] (directories, given without a trailing '/') plus the
 * '/' after it is removed; generated file names ("cell-<hex>.c", ".cu") are
 * renamed "cell"; nvcc's "cell(12): error" becomes "cell:12: error";
 * context lines about the generated entry function ("In function
 * '__cudacell_run'", "in function `__cudacell_run'"), "At top level:"
 * lines of generated files and "In file included from" lines naming
 * generated files are dropped. Returns malloc'd text ("" if nothing left). */
char *cc_diag_clean(const char *raw, const char *const *strip, size_t n_strip);

/* Add the cell's source line and a caret under each "cell:L:C: error|
 * warning" line, as the compiler would for a real file: code is the code
 * segment, whose first line is line first_line of the notebook cell.
 * Returns malloc'd text. */
char *cc_diag_add_context(const char *diag, const char *code, int first_line);

/* The first line that reports an error (compiler, nvcc or linker), without
 * its newline; malloc'd. Falls back to the first non-empty line, or
 * "compilation failed" when there is none. */
char *cc_diag_first_error(const char *diag);

/* "2.31 µs", "45 ns", "1.2 s": 3 significant digits, IPython's units. */
void cc_format_duration(double ns, char *buf, size_t size);

/* "2.31 µs ± 45 ns per loop (mean ± std. dev. of 7 runs, 100000 loops each)".
 * malloc'd. */
char *cc_format_timeit(double mean_ns, double std_ns, long repeats, long loops);

#endif
