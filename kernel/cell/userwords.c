/* kernel/cell/userwords.c — the words a notebook user types that are neither C
 * nor a magic line: exit/quit, the end-of-input answers, %%timeit's options
 * (see userwords.h). No I/O. */
#include "userwords.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellutil.h"
#include "xalloc.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* s with blanks trimmed, compared to word. */
static bool trimmed_is(const char *s, const char *word)
{
    if (!s)
        return false;
    while (blank(*s))
        s++;
    size_t n = strlen(s);
    while (n && blank(s[n - 1]))
        n--;
    return n == strlen(word) && strncmp(s, word, n) == 0;
}

bool cc_is_exit_cell(const char *code)
{
    return trimmed_is(code, "exit") || trimmed_is(code, "quit") || trimmed_is(code, "exit()") ||
           trimmed_is(code, "quit()");
}

bool cc_is_eof_answer(const char *value)
{
    return value && (strcmp(value, "\x04") == 0 || trimmed_is(value, "%EOF"));
}

/* ---- %%timeit options --------------------------------------------------- */

static const char accepted[] =
    "%%timeit accepts -n N (loops per run), -r R (number of runs), -q (quiet: print no result) "
    "and -o (show the result as the cell's Out value), as IPython's %%timeit does.";

/* head: malloc'd first sentence (taken). Sets *err to it plus the list of
 * accepted options; returns -1. */
static int fail(char **err, char *head)
{
    cc_set_error(err, "%s %s", head, accepted);
    free(head);
    return -1;
}

/* A whole number in [1, max] for option opt ("-n" or "-r"). */
static int number(const char *text, const char *opt, long max, long *out, char **err)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > max)
        return fail(err, cc_xasprintf("%%%%timeit %s takes a whole number from 1 to %ld; got '%s'.", opt, max, text));
    *out = v;
    return 0;
}

/* One word starting with '-': its flags, and for -n/-r the value, which is
 * the rest of the word or the next word (*i advances past it). */
static int one_option(char **w, size_t n, size_t *i, cc_timeit_opts *o, char **err)
{
    const char *p = w[*i] + 1;
    if (!*p)
        return fail(err, cc_xasprintf("%%%%timeit does not understand '-' alone."));
    for (; *p; p++) {
        char opt[3] = {'-', *p, '\0'};
        if (*p == 'q') {
            o->quiet = true;
        } else if (*p == 'o') {
            o->output = true;
        } else if (*p == 'n' || *p == 'r') {
            const char *val = p[1] ? p + 1 : (*i + 1 < n ? w[++*i] : NULL);
            if (!val)
                return fail(err, cc_xasprintf("%%%%timeit %s needs a number after it (%s).", opt,
                                     *p == 'n' ? "the loops per run, e.g. -n 100" : "the number of runs, e.g. -r 5"));
            if (*p == 'n')
                return number(val, opt, CC_TIMEIT_MAX_LOOPS, &o->loops, err);
            return number(val, opt, CC_TIMEIT_MAX_REPEATS, &o->repeats, err);
        } else {
            return fail(err, cc_xasprintf("%%%%timeit does not know the option %s.", opt));
        }
    }
    return 0;
}

int cc_timeit_parse(const char *args, cc_timeit_opts *o, char **err)
{
    size_t n = 0;
    *err = NULL;
    memset(o, 0, sizeof *o);
    char **w = cc_split_words(args ? args : "", &n, err);
    if (!w)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (w[i][0] == '-')
            rc = one_option(w, n, &i, o, err);
        else
            rc = fail(err, cc_xasprintf("%%%%timeit takes only options on its line, not '%s' (IPython's setup statement "
                               "there is not supported): put setup code in an earlier cell and the code to "
                               "time on the lines below %%%%timeit.", w[i]));
    }
    cc_words_free(w);
    return rc;
}
