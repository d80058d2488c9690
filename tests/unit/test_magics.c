/* tests/unit/test_magics.c — cc_magics_split (segments, kinds, line numbers,
 * comments and strings), the magic table, %env argument parsing, and the
 * user's words of userwords.c (exit/quit, end-of-input, %%timeit options). */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "magics.h"
#include "magics_test.h"
#include "tap.h"
#include "userwords.h"


/* The segments of code as one string, e.g. "C1{int x;\n}|S2[ls]|L3 cd[/tmp]". */
static char desc[8192];
static const char *split(const char *code)
{
    cc_segment *v;
    size_t n;
    desc[0] = '\0';
    if (cc_magics_split(code, &v, &n) != 0)
        return "(error)";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const cc_segment *s = &v[i];
        const char *sep = i ? "|" : "";
        switch (s->kind) {
        case CC_SEG_CODE:
            k += snprintf(desc + k, sizeof desc - k, "%sC%d{%s}", sep, s->line, s->body);
            break;
        case CC_SEG_SHELL:
            k += snprintf(desc + k, sizeof desc - k, "%sS%d[%s]", sep, s->line, s->args);
            break;
        case CC_SEG_LINE_MAGIC:
            k += snprintf(desc + k, sizeof desc - k, "%sL%d %s[%s]", sep, s->line, s->name, s->args);
            break;
        case CC_SEG_CELL_MAGIC:
            k += snprintf(desc + k, sizeof desc - k, "%sM%d %s[%s]{%s}", sep, s->line, s->name, s->args,
                          s->body ? s->body : "(misplaced)");
            break;
        }
    }
    cc_segments_free(v, n);
    return desc;
}

static void test_split_basic(void)
{
    CHECK_STR(split(""), "", "empty cell has no segments");
    CHECK_STR(split("\n\n  \n"), "", "blank cell has no segments");
    CHECK_STR(split("int x = 1;"), "C1{int x = 1;}", "plain code is one segment");
    CHECK_STR(split("int x;\nx = 2;\n"), "C1{int x;\nx = 2;\n}", "code lines form one run");
    CHECK_STR(split("!ls -l"), "S1[ls -l]", "a ! line is a shell command");
    CHECK_STR(split("   !  echo hi  "), "S1[echo hi]", "leading blanks before ! and around the command");
    CHECK_STR(split("!!ls"), "S1[ls]", "IPython's !!cmd runs like !cmd");
    CHECK_STR(split("%cd /tmp"), "L1 cd[/tmp]", "line magic with args");
    CHECK_STR(split("  %pwd"), "L1 pwd[]", "line magic, blanks before, no args");
    CHECK_STR(split("%env   A=1  "), "L1 env[A=1]", "line magic args trimmed");
    CHECK_STR(split("%cd/tmp"), "L1 cd[/tmp]", "name ends at a non-name character");
    CHECK_STR(split("%who\r\n!ls\r\n"), "L1 who[]|S2[ls]", "CRLF line ends are trimmed");
    CHECK_STR(split("int a;\n!ls\nint b;\n%pwd\nint c;"),
              "C1{int a;\n}|S2[ls]|C3{int b;\n}|L4 pwd[]|C5{int c;}",
              "code, shell, code, magic, code in order with line numbers");
    CHECK_STR(split("!echo 1\n!echo 2\n!echo 3"), "S1[echo 1]|S2[echo 2]|S3[echo 3]",
              "several ! lines in order");
    CHECK_STR(split("!ls\n\n\n!pwd"), "S1[ls]|S4[pwd]", "blank lines between commands make no segment");
    CHECK_STR(split("\n\nint x;"), "C1{\n\nint x;}", "leading blank lines stay in the code (line numbers exact)");
    CHECK_STR(split("!"), "S1[]", "a lone ! is an empty command (run as nothing)");
}

static void test_split_not_magic(void)
{
    CHECK_STR(split("x = a\n  != b;"), "C1{x = a\n  != b;}", "a line starting with != is code");
    CHECK_STR(split("int r = 7\n % 3;"), "C1{int r = 7\n % 3;}", "'%% 3' (no letter) is code");
    CHECK_STR(split("printf(\"%d\\n\", 5);"), "C1{printf(\"%d\\n\", 5);}", "%% inside a string is code");
    CHECK_STR(split("/* comment\n!not a command\n%notmagic\n*/"),
              "C1{/* comment\n!not a command\n%notmagic\n*/}", "lines inside a block comment are code");
    CHECK_STR(split("/* one-line */\n!ls"), "C1{/* one-line */\n}|S2[ls]", "a closed comment ends before the command");
    CHECK_STR(split("int x; /* starts\n! still comment */\n!ls"),
              "C1{int x; /* starts\n! still comment */\n}|S3[ls]", "comment opened after code");
    CHECK_STR(split("// line comment /*\n!ls"), "C1{// line comment /*\n}|S2[ls]",
              "/* inside a // comment opens nothing");
    CHECK_STR(split("// continued \\\n!not a command"), "C1{// continued \\\n!not a command}",
              "a // comment continued by a backslash");
    CHECK_STR(split("char *s = \"/*\";\n!ls"), "C1{char *s = \"/*\";\n}|S2[ls]", "/* inside a string opens nothing");
    CHECK_STR(split("char c = '\"';\n!ls"), "C1{char c = '\"';\n}|S2[ls]", "a quote in a char literal");
    CHECK_STR(split("const char *s = \"abc\\\n!def\";"), "C1{const char *s = \"abc\\\n!def\";}",
              "a string continued onto the next line");
    CHECK_STR(split("#define M(x) \\\n  !x\n!ls"), "C1{#define M(x) \\\n  !x\n}|S3[ls]",
              "a macro continuation line is code");
    CHECK_STR(split("int f(void) {\n  !flag;\n  return 0;\n}"), "C1{int f(void) {\n  !flag;\n  return 0;\n}}",
              "! inside braces is C negation, not a command");
    CHECK_STR(split("if (a &&\n!b) x();"), "C1{if (a &&\n!b) x();}", "! inside parentheses is code");
    CHECK_STR(split("int f(void) {\n}\n!ls"), "C1{int f(void) {\n}\n}|S3[ls]", "after the braces close, ! is a command again");
    CHECK_STR(split("const char *r = R\"(x\n!y)\";\n!ls"), "C1{const char *r = R\"(x\n!y)\";\n}|S3[ls]",
              "C++ raw string spanning lines (CUDA cells)");
    CHECK_STR(split("int n = 1'000;\n!ls"), "C1{int n = 1'000;\n}|S2[ls]", "C23 digit separator is not a char literal");
    CHECK_STR(split("char *s = \"a\\\\\";\n!ls"), "C1{char *s = \"a\\\\\";\n}|S2[ls]", "escaped backslash before the closing quote");
}

static void test_split_cell_magic(void)
{
    CHECK_STR(split("%%bash\necho hi\nls"), "M2 bash[]{echo hi\nls}", "cell magic: body is the rest, line of body");
    CHECK_STR(split("%%writefile -a f.c\nint x;\n"), "M2 writefile[-a f.c]{int x;\n}", "cell magic args");
    CHECK_STR(split("\n  \n%%bash\nls"), "M4 bash[]{ls}", "blank lines before the cell magic are fine");
    CHECK_STR(split("%%bash"), "M2 bash[]{}", "cell magic with no body");
    CHECK_STR(split("%%bash\n!ls\n%cd /\n/* x"), "M2 bash[]{!ls\n%cd /\n/* x}", "the body is never split");
    CHECK_STR(split("int x;\n%%bash\nls"), "C1{int x;\n}|M2 bash[]{(misplaced)}|C3{ls}",
              "a cell magic after the first line is a misplaced segment");
    CHECK_STR(split("!ls\n%%time"), "S1[ls]|M2 time[]{(misplaced)}", "cell magic after a command is misplaced");
    CHECK_STR(split("%%  x"), "C1{%%  x}", "%% without a name is not a magic");
}

static void test_table(void)
{
    size_t n;
    const cc_magic *t = cc_magic_table(&n);
    CHECK(n >= 17, "the table has every magic (%zu)", n);
    bool all_helped = true;
    for (size_t i = 0; i < n; i++)
        if (!t[i].name || !t[i].usage || !t[i].help || !t[i].fn || strlen(t[i].help) < 10)
            all_helped = false;
    CHECK(all_helped, "every magic has a name, usage, help and handler");
    const char *line[] = {"cd", "pwd", "env", "lsmagic", "cflags", "ldflags", "nvccflags", "args", "reset", "who", "gpu"};
    const char *cell[] = {"bash", "writefile", "c", "cuda", "time", "timeit"};
    bool ok = true;
    for (size_t i = 0; i < sizeof line / sizeof *line; i++)
        ok = ok && cc_magic_find(line[i], false) && !cc_magic_find(line[i], true);
    CHECK(ok, "all line magics found, not as cell magics");
    ok = true;
    for (size_t i = 0; i < sizeof cell / sizeof *cell; i++)
        ok = ok && cc_magic_find(cell[i], true) && !cc_magic_find(cell[i], false);
    CHECK(ok, "all cell magics found, not as line magics");
    CHECK(cc_magic_find("foo", false) == NULL, "unknown magic not found");
    CHECK(cc_magic_find("cd", false)->fn == cc_magic_cd, "%%cd dispatches to cc_magic_cd");
    CHECK(cc_magic_find("bash", true)->fn == cc_magic_bash, "%%%%bash dispatches to cc_magic_bash");
    CHECK_STR(cc_magic_find("writefile", true)->usage, "%%writefile [-a] FILE", "writefile usage in IPython spelling");
}

static void env_case(const char *args, int want, const char *wname, const char *wvalue, const char *what)
{
    char *name, *value;
    int r = cc_env_parse(args, &name, &value);
    bool ok = r == want && ((!wname && !name) || (wname && name && strcmp(name, wname) == 0))
              && ((!wvalue && !value) || (wvalue && value && strcmp(value, wvalue) == 0));
    CHECK(ok, "%%env %s: %s", args, what);
    if (!ok)
        printf("#   got r=%d name=[%s] value=[%s]\n", r, name ? name : "(null)", value ? value : "(null)");
    free(name);
    free(value);
}

static void test_env_parse(void)
{
    env_case("", 0, NULL, NULL, "no args lists all");
    env_case("   ", 0, NULL, NULL, "blank args lists all");
    env_case("HOME", 1, "HOME", NULL, "a name shows one");
    env_case("A=1", 2, "A", "1", "NAME=VALUE sets");
    env_case("A 1", 2, "A", "1", "NAME VALUE sets (IPython)");
    env_case("A   hello world ", 2, "A", "hello world", "NAME VALUE keeps inner blanks");
    env_case("A = 5", 2, "A", "5", "NAME = VALUE sets");
    env_case("A=", 2, "A", "", "NAME= sets the empty string");
    env_case("A=x=y", 2, "A", "x=y", "only the first = splits");
    env_case("A=\"quoted value\"", 2, "A", "quoted value", "one pair of quotes is removed");
    env_case("CUDA_VISIBLE_DEVICES=0", 2, "CUDA_VISIBLE_DEVICES", "0", "typical use");
    env_case("1A=2", -1, "1A", NULL, "a name cannot start with a digit");
    env_case("A-B=2", -1, "A-B", NULL, "a name cannot hold '-'");
}

static void test_path_expand(void)
{
    setenv("HOME", "/home/tester", 1);
    char *p = cc_path_expand("~");
    CHECK_STR(p, "/home/tester", "~ expands to $HOME");
    free(p);
    p = cc_path_expand("~/src/a.c");
    CHECK_STR(p, "/home/tester/src/a.c", "~/path expands");
    free(p);
    p = cc_path_expand("\"my dir/x\"");
    CHECK_STR(p, "my dir/x", "quotes are removed");
    free(p);
    p = cc_path_expand("a~b");
    CHECK_STR(p, "a~b", "a ~ inside a name stays");
    free(p);
}

static void test_exit_words(void)
{
    const char *yes[] = {"exit", "quit", "exit()", "quit()", "  exit \n", "\nquit()\n\n", "\texit"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        CHECK(cc_is_exit_cell(yes[i]), "an exit word alone ends the console");
    const char *no[] = {"exit(0)", "exit(0);", "exit;", "quit = 1;", "int exit", "exit\nexit", "", "exit ()",
                        "%exit", "EXIT"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        CHECK(!cc_is_exit_cell(no[i]), "C code or anything more is not an exit word");
    CHECK(!cc_is_exit_cell(NULL), "no code is not an exit word");
}

static void test_eof_answers(void)
{
    CHECK(cc_is_eof_answer("\x04"), "Ctrl-D (U+0004) alone is end-of-file, as in ipykernel");
    CHECK(cc_is_eof_answer("%EOF"), "%%EOF alone is end-of-file");
    CHECK(cc_is_eof_answer("  %EOF \r"), "%%EOF with blanks around is end-of-file");
    CHECK(!cc_is_eof_answer(""), "an empty answer is an empty line, not end-of-file");
    CHECK(!cc_is_eof_answer("\x04\x04"), "two Ctrl-D characters are data");
    CHECK(!cc_is_eof_answer("a\x04"), "Ctrl-D after text is data");
    CHECK(!cc_is_eof_answer("%eof"), "the word is %%EOF in capitals");
    CHECK(!cc_is_eof_answer("%EOF x"), "%%EOF with more text is data");
}

static void timeit_case(const char *args, int rc, long loops, long repeats, bool quiet, bool output, const char *what)
{
    cc_timeit_opts o;
    char *err = NULL;
    int got = cc_timeit_parse(args, &o, &err);
    if (rc == 0)
        CHECK(got == 0 && !err && o.loops == loops && o.repeats == repeats && o.quiet == quiet && o.output == output,
              what);
    else
        CHECK(got == -1 && err && strstr(err, "-n N") && strstr(err, "-r R") && strstr(err, "-q") &&
              strstr(err, "-o"), what);
    free(err);
}

static void test_timeit_options(void)
{
    timeit_case("", 0, 0, 0, false, false, "no options: automatic loops and runs");
    timeit_case("-n 3 -r 2", 0, 3, 2, false, false, "-n 3 -r 2");
    timeit_case("-n3 -r2", 0, 3, 2, false, false, "-n3 -r2 (value in the same word)");
    timeit_case("-q", 0, 0, 0, true, false, "-q");
    timeit_case("-o", 0, 0, 0, false, true, "-o");
    timeit_case("-qo", 0, 0, 0, true, true, "-qo combines");
    timeit_case("-qn 10", 0, 10, 0, true, false, "-qn 10: flag then an option with its value");
    timeit_case("-r 1 -n 1000000000", 0, 1000000000L, 1, false, false, "the largest loop count");
    timeit_case("-x", -1, 0, 0, false, false, "-x is an error listing the accepted options");
    timeit_case("-n", -1, 0, 0, false, false, "-n without a value");
    timeit_case("-n 0", -1, 0, 0, false, false, "-n 0");
    timeit_case("-n abc", -1, 0, 0, false, false, "-n abc");
    timeit_case("-r -1", -1, 0, 0, false, false, "-r -1");
    timeit_case("-n 2x", -1, 0, 0, false, false, "-n 2x");
    timeit_case("-r 100001", -1, 0, 0, false, false, "too many runs");
    timeit_case("-", -1, 0, 0, false, false, "a lone -");
    timeit_case("x = 1", -1, 0, 0, false, false, "a setup statement is refused");
    timeit_case("-t", -1, 0, 0, false, false, "IPython's -t is not supported");

    cc_timeit_opts o;
    char *err = NULL;
    cc_timeit_parse("-q -x", &o, &err);
    CHECK(err && strstr(err, "does not know the option -x"), "the message names the unknown option");
    free(err);
    cc_timeit_parse("-n abc", &o, &err);
    CHECK(err && strstr(err, "-n takes a whole number") && strstr(err, "'abc'"), "the message names the bad value");
    free(err);
}

/* Whether the first segment of code runs under the runtime lock. */
static bool locks(const char *code)
{
    cc_segment *v;
    size_t n;
    if (cc_magics_split(code, &v, &n) != 0 || n == 0)
        return false;
    bool r = cc_segment_needs_runtime(&v[n - 1]);
    cc_segments_free(v, n);
    return r;
}

/* Each entry's flags: which magics wait for the runtime, which take arguments. */
static void test_table_flags(void)
{
    static const struct { const char *code; bool lock; } cases[] = {
        {"int x = 1;", true},            {"!ls", false},
        {"%cd /tmp", false},             {"%pwd", false},
        {"%env A=1", false},             {"%lsmagic", false},
        {"%%bash\necho", false},        {"%%writefile f\nx", false},
        {"%%ncu\nint x;", false},       {"%%nsys\nint x;", false},
        {"%gpu", false},                 {"%gpu 1", true},
        {"%cflags -O2", true},           {"%ldflags", true},
        {"%nvccflags", true},            {"%args a b", true},
        {"%reset", true},                {"%who", true},
        {"%%c\nint x;", true},          {"%%cuda\nint x;", true},
        {"%%time\nint x;", true},       {"%%timeit\nint x;", true},
        {"%%mpirun\nint x;", true},
        {"%nosuchmagic", false},         /* only reports an error */
        {"!ls\n%%time", false},         /* misplaced: only reports an error */
        {"%bash", false},                /* %%bash as a line magic: unknown */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(locks(cases[i].code) == cases[i].lock, "'%s' %s the runtime lock", cases[i].code,
              cases[i].lock ? "takes" : "does not take");
    size_t n;
    const cc_magic *t = cc_magic_table(&n);
    bool args_match = true;
    for (size_t i = 0; i < n; i++) {
        bool shows_args = strchr(t[i].usage, ' ') != NULL;
        if (shows_args != ((t[i].flags & CC_MAGIC_ARGS) != 0)) {
            printf("# %s: usage '%s' vs flags %#x\n", t[i].name, t[i].usage, t[i].flags);
            args_match = false;
        }
    }
    CHECK(args_match, "an entry takes arguments exactly when its usage shows some");
}

int main(void)
{
    test_split_basic();
    test_split_not_magic();
    test_split_cell_magic();
    test_table();
    test_table_flags();
    test_env_parse();
    test_path_expand();
    test_exit_words();
    test_eof_answers();
    test_timeit_options();
    return tap_done();
}
