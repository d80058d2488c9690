/* tests/unit/test_cellutil.c — word splitting, diagnostics clean-up and
 * duration formatting (kernel/cell/cellutil.c). */
#include <stdlib.h>
#include <string.h>

#include "cellutil.h"
#include "tap.h"

static void test_split(void)
{
    size_t n = 99;
    char *err = NULL;
    char **w = cc_split_words("", &n, &err);
    CHECK(w && n == 0 && w[0] == NULL, "empty string gives no words");
    cc_words_free(w);

    w = cc_split_words("  -O2   -DX=1\t-g \n", &n, &err);
    CHECK(w && n == 3, "blanks separate words (3 words)");
    CHECK_STR(w ? w[0] : NULL, "-O2", "first word");
    CHECK_STR(w ? w[2] : NULL, "-g", "last word");
    CHECK(w && w[3] == NULL, "array is NULL-terminated");
    cc_words_free(w);

    w = cc_split_words("one 'two three' \"four \\\"4\\\"\" fi\\ ve", &n, &err);
    CHECK(w && n == 4, "quotes and escapes keep blanks inside a word");
    CHECK_STR(w ? w[1] : NULL, "two three", "single quotes are literal");
    CHECK_STR(w ? w[2] : NULL, "four \"4\"", "double quotes allow \\\"");
    CHECK_STR(w ? w[3] : NULL, "fi ve", "backslash escapes a blank");
    cc_words_free(w);

    w = cc_split_words("-DMSG='\"hi there\"'", &n, &err);
    CHECK(w && n == 1, "a quoted part joins the word around it");
    CHECK_STR(w ? w[0] : NULL, "-DMSG=\"hi there\"", "joined word");
    cc_words_free(w);

    w = cc_split_words("a 'unterminated", &n, &err);
    CHECK(w == NULL, "unterminated quote is an error");
    CHECK(err && strstr(err, "Unterminated quote"), "error says what is wrong");
    free(err);
}

static void test_diag(void)
{
    const char *strip[] = {"/tmp/cudacell-abc", "/home/u/proj", "/tmp/cudacell-abc/cache"};
    const char *raw =
        "/tmp/cudacell-abc/cell-0123456789abcdef01234567.c: In function '__cudacell_run':\n"
        "cell:3:5: error: expected ';' before '}' token\n"
        "cell: In function 'helper':\n"
        "cell:1:9: warning: unused variable 'x'\n"
        "/usr/bin/ld: /tmp/cudacell-abc/ccXyZ.o: in function `__cudacell_run':\n"
        "/home/u/proj/cell:8: undefined reference to `foo'\n"
        "/tmp/cudacell-abc/cache/cell-aaaaaaaabbbbbbbbcccccccc.so: file not recognized\n"
        "<cudacell>: At top level:\n"
        "cell: At top level:\n"
        "collect2: error: ld returned 1 exit status\n\n\n";
    char *d = cc_diag_clean(raw, strip, 3);
    CHECK(d && !strstr(d, "/tmp/cudacell-abc"), "work directory removed everywhere");
    CHECK(d && !strstr(d, "/home/u/proj"), "current directory removed");
    CHECK(d && !strstr(d, "__cudacell_run"), "lines about the generated entry dropped");
    CHECK(d && strstr(d, "cell:3:5: error: expected ';'"), "error line kept as cell:LINE:COL");
    CHECK(d && strstr(d, "cell: In function 'helper':"), "context of user functions kept");
    CHECK(d && strstr(d, "\ncell:8: undefined reference to `foo'\n"), "linker line rewritten to cell:LINE");
    CHECK(d && strstr(d, "\ncell: file not recognized"), "generated object name shown as cell (longest prefix first)");
    CHECK(d && !strstr(d, "At top level"), "'At top level' of generated files dropped");
    CHECK(d && strlen(d) > 0 && d[strlen(d) - 1] == '\n' && d[strlen(d) - 2] != '\n',
          "trailing blank lines trimmed to one newline");
    char *e = cc_diag_first_error(d);
    CHECK_STR(e, "cell:3:5: error: expected ';' before '}' token", "first error line found");
    free(e);
    free(d);

    d = cc_diag_clean("cell(12): error: identifier \"x\" is undefined\n"
                      "1 error detected in the compilation of \"/tmp/cudacell-abc/cell-0123456789abcdef01234567.cu\".\n",
                      strip, 3);
    CHECK(d && strncmp(d, "cell:12: error: identifier", 26) == 0, "nvcc's cell(12) becomes cell:12");
    CHECK(d && strstr(d, "compilation of \"cell\"."), "nvcc's generated file name becomes cell");
    free(d);

    d = cc_diag_clean("/usr/bin/ld: /tmp/cudacell-abc/cchIM6ts.o: in function `cudacell.foo':\n"
                      "/usr/bin/ld: cell:1: undefined reference to `cudacell.bar'\n"
                      "collect2: error: ld returned 1 exit status\n", strip, 3);
    CHECK_STR(d, "cell: in function `foo':\ncell:1: undefined reference to `bar'\n",
              "linker lines: the temporary object is the cell, our symbols are the user's names, collect2 goes");
    free(d);

    d = cc_diag_clean("", strip, 3);
    CHECK_STR(d, "", "no output stays empty");
    free(d);

    e = cc_diag_first_error("/usr/bin/ld: cell:4: undefined reference to `bar'\ncollect2: error: ld returned 1\n");
    CHECK_STR(e, "/usr/bin/ld: cell:4: undefined reference to `bar'", "link error found before collect2");
    free(e);
    e = cc_diag_first_error("something odd\n");
    CHECK_STR(e, "something odd", "falls back to the first line");
    free(e);
    e = cc_diag_first_error("");
    CHECK_STR(e, "compilation failed", "fallback text when there is no output");
    free(e);
}

static void test_durations(void)
{
    char b[32];
    cc_format_duration(45.0, b, sizeof b);
    CHECK_STR(b, "45 ns", "nanoseconds");
    cc_format_duration(2310.0, b, sizeof b);
    CHECK_STR(b, "2.31 \xc2\xb5s", "microseconds, 3 significant digits");
    cc_format_duration(999.7, b, sizeof b);
    CHECK_STR(b, "1 \xc2\xb5s", "999.7 ns rounds up into the next unit");
    cc_format_duration(123.4e6, b, sizeof b);
    CHECK_STR(b, "123 ms", "milliseconds");
    cc_format_duration(4.2e9, b, sizeof b);
    CHECK_STR(b, "4.2 s", "seconds");
    cc_format_duration(3600e9, b, sizeof b);
    CHECK_STR(b, "3.6e+03 s", "seconds stay the largest unit");

    char *t = cc_format_timeit(2310.0, 45.0, 7, 100000);
    CHECK_STR(t, "2.31 \xc2\xb5s \xc2\xb1 45 ns per loop (mean \xc2\xb1 std. dev. of 7 runs, 100000 loops each)",
              "IPython's %%timeit line");
    free(t);
    t = cc_format_timeit(1.5e9, 0, 1, 1);
    CHECK_STR(t, "1.5 s \xc2\xb1 0 ns per loop (mean \xc2\xb1 std. dev. of 1 run, 1 loop each)", "singular run and loop");
    free(t);
}

static void test_context(void)
{
    const char *code = "int a = 1;\n\tint y = ;\n";
    char *d = cc_diag_add_context("cell:3:8: error: expected expression\n", code, 2);
    CHECK_STR(d, "cell:3:8: error: expected expression\n    3 | \tint y = ;\n      | \t      ^\n",
              "context: source line and caret (tab kept), lines offset by first_line");
    free(d);
    d = cc_diag_add_context("cell:9:1: error: x\n", code, 1);
    CHECK_STR(d, "cell:9:1: error: x\n", "context: a line outside the code is left alone");
    free(d);
    d = cc_diag_add_context("cell:1:5: note: see here\ncell:1:1: warning: w", code, 1);
    CHECK_STR(d, "cell:1:5: note: see here\ncell:1:1: warning: w\n    1 | int a = 1;\n      | ^\n",
              "context: notes get none, a last line without newline is completed");
    free(d);
    d = cc_diag_add_context("cell:1:1: error: e\n    1 | int a = 1;\n      | ^\n", code, 1);
    CHECK_STR(d, "cell:1:1: error: e\n    1 | int a = 1;\n      | ^\n",
              "context: not added twice when the compiler showed it");
    free(d);
}

int main(void)
{
    test_context();
    test_split();
    test_diag();
    test_durations();
    return tap_done();
}
