/* kernel/cell/userwords.h — what a notebook user types that is not C and not a
 * %magic line: the exit/quit words of a console, the end-of-input answers
 * to a stdin prompt, and the options on a %%timeit line. Pure; unit-tested
 * in tests/unit/test_magics.c. */
#ifndef CC_USERWORDS_H
#define CC_USERWORDS_H

#include <stdbool.h>

/* The prompt of the first input_request of an execute request; later ones
 * in the same request have an empty prompt. */
#define CC_STDIN_FIRST_PROMPT "stdin (Ctrl-D or %EOF alone ends input): "

/* True when the whole cell is `exit`, `quit`, `exit()` or `quit()` with
 * only blanks around (IPython's words that end a console). */
bool cc_is_exit_cell(const char *code);

/* True when an input_reply value means end-of-file: exactly U+0004 (what
 * ipykernel takes for Ctrl-D), or the word %EOF with only blanks around. */
bool cc_is_eof_answer(const char *value);

/* %%timeit's options, IPython's names: -n N (loops per run), -r R (runs),
 * -q (print nothing), -o (show the result as the cell's Out value). 0 for
 * loops/repeats means "choose automatically". */
typedef struct cc_timeit_opts {
    long loops;
    long repeats;
    bool quiet;
    bool output;
} cc_timeit_opts;

#define CC_TIMEIT_MAX_LOOPS 1000000000L
#define CC_TIMEIT_MAX_REPEATS 100000L

/* Parse the text after %%timeit. Short options combine as with getopt
 * ("-qo", "-n3", "-qn 3"). Returns 0, or -1 with *err malloc'd (a
 * user-facing paragraph naming the bad option and listing the accepted
 * ones). */
int cc_timeit_parse(const char *args, cc_timeit_opts *o, char **err);

#endif
