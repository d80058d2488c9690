/* tests/unit/test_engine.c — the cell engine driven without Jupyter or
 * ZeroMQ: cells go through cc_engine_run (magics split → cell front end →
 * compile → runtime → result) and everything they report arrives through
 * this file's own cc_out (kernel/pipeline/cc_output.h), which records it as
 * a log of events. Needs cudacell-runtime and libcudacell from the build
 * ($CUDACELL_BUILD, else the build directory above this test). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc_output.h"
#include "engine.h"
#include "interrupt.h"
#include "services.h"
#include "tap.h"
#include "userwords.h"

/* ---- an output that records ------------------------------------------------ */

typedef struct rec {
    char *out, *err;           /* stream text */
    size_t out_len, err_len;
    char *events;              /* "out|disp:text/html|out|result:40|error:CompileError" … */
    size_t events_len;
    int n_displays, n_results, n_errors;
    char *result;              /* text/plain of the last RESULT */
    char *html;                /* text/html of the last DISPLAY */
    char *ename, *evalue, *traceback;   /* the error */
    char *prompt;              /* the last input prompt */
    const char *answer;        /* what input answers; NULL: refused */
    int flushes;
} rec;

static void append(char **s, size_t *len, const char *data, size_t n)
{
    *s = realloc(*s, *len + n + 1);
    if (!*s)
        abort();
    memcpy(*s + *len, data, n);
    *len += n;
    (*s)[*len] = '\0';
}

static void event(rec *r, const char *what)
{
    if (r->events_len)
        append(&r->events, &r->events_len, "|", 1);
    append(&r->events, &r->events_len, what, strlen(what));
}

static void rec_stream(void *ctx, int fd, const char *data, size_t len)
{
    rec *r = ctx;
    const char *name = fd == 2 ? "err" : "out";
    /* one event per run of the same stream */
    size_t nl = strlen(name);
    if (r->events_len < nl || strcmp(r->events + r->events_len - nl, name) != 0)
        event(r, name);
    if (fd == 2)
        append(&r->err, &r->err_len, data, len);
    else
        append(&r->out, &r->out_len, data, len);
}

static void rec_flush(void *ctx)
{
    ((rec *)ctx)->flushes++;
}

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? strdup(v) : NULL;
}

static void rec_display(void *ctx, cc_out_kind kind, json_t *bundle)
{
    rec *r = ctx;
    json_t *data = json_object_get(bundle, "data");
    char ev[160];
    if (kind == CC_OUT_RESULT) {
        r->n_results++;
        set_str(&r->result, json_string_value(json_object_get(data, "text/plain")));
        snprintf(ev, sizeof ev, "result:%.140s", r->result ? r->result : "?");
    } else {
        r->n_displays++;
        if (kind == CC_OUT_DISPLAY)
            set_str(&r->html, json_string_value(json_object_get(data, "text/html")));
        snprintf(ev, sizeof ev, "disp:%d", (int)kind);
    }
    event(r, ev);
    json_decref(bundle);
}

static void rec_error(void *ctx, const char *ename, const char *evalue, const char *tb)
{
    rec *r = ctx;
    char ev[96];
    r->n_errors++;
    set_str(&r->ename, ename);
    set_str(&r->evalue, evalue);
    set_str(&r->traceback, tb);
    snprintf(ev, sizeof ev, "error:%.80s", ename);
    event(r, ev);
}

static int rec_input(void *ctx, const char *prompt, bool password, char **line)
{
    rec *r = ctx;
    (void)password;
    set_str(&r->prompt, prompt);
    event(r, "input");
    if (!r->answer)
        return CC_IN_REFUSED;
    *line = strdup(r->answer);
    return CC_IN_OK;
}

static const cc_out_ops rec_ops = {
    .stream = rec_stream, .flush = rec_flush, .display = rec_display,
    .error = rec_error, .input = rec_input,
};

static void rec_free(rec *r)
{
    free(r->out); free(r->err); free(r->events); free(r->result); free(r->html);
    free(r->ename); free(r->evalue); free(r->traceback); free(r->prompt);
    memset(r, 0, sizeof *r);
}

static const char *s(const char *v) { return v ? v : ""; }

/* ---- running cells ------------------------------------------------------------ */

static cc_services *svc;
static int count;

/* One cell, as one execute request would run it: a fresh output. */
static int run_cell(rec *r, const char *code, const char *answer)
{
    rec_free(r);
    r->answer = answer;
    cc_out o = {.ops = &rec_ops, .ctx = r, .execution_count = ++count};
    cc_intr_clear();
    int rc = cc_engine_run(&o, svc, code);
    cc_out_flush(&o);
    CHECK(rc == (o.failed ? -1 : 0), "cell %d: the return value matches o.failed", count);
    return rc;
}

static void test_cells(void)
{
    rec r = {0};

    CHECK(run_cell(&r, "int n = 4;\nstatic int square(int x) { return x * x; }\n", NULL) == 0,
          "a declaration cell runs");
    CHECK(r.n_errors == 0 && !r.out && !r.err && r.n_results == 0,
          "and reports nothing (events [%s], err [%s])", s(r.events), s(r.err));

    CHECK(run_cell(&r, "int total = square(n);\nprintf(\"total=%d\\n\", total);\n", NULL) == 0,
          "a cell using the earlier declarations runs");
    CHECK_STR(r.out, "total=16\n", "its printf arrives as stdout text");
    CHECK_STR(r.events, "out", "as stream text only");

    CHECK(run_cell(&r, "int y = undeclared_thing + 1;\n", NULL) == -1, "a cell that does not compile fails");
    CHECK(r.n_errors == 1, "with exactly one error callback (%d)", r.n_errors);
    CHECK_STR(r.ename, "CompileError", "named CompileError");
    CHECK(strstr(s(r.evalue), "undeclared_thing") != NULL, "whose evalue names the mistake: %s", s(r.evalue));
    CHECK(strstr(s(r.traceback), "cell:1:") != NULL, "and whose traceback points at the cell's line 1");

    CHECK(run_cell(&r, "printf(\"before\\n\");\ncc_display_html(\"<b>hi</b>\");\nprintf(\"after\\n\");\n",
                   NULL) == 0, "a cell calling cc_display_html runs");
    CHECK(r.n_displays == 1, "one display arrives (%d)", r.n_displays);
    CHECK_STR(r.html, "<b>hi</b>", "with the HTML as text/html");
    CHECK_STR(r.events, "out|disp:0|out", "between the two lines of stdout, in order");
    CHECK_STR(r.out, "before\nafter\n", "both lines arrive");

    CHECK(run_cell(&r, "n * 10", NULL) == 0, "a cell ending in an expression runs");
    CHECK(r.n_results == 1, "one result arrives (%d)", r.n_results);
    CHECK_STR(r.result, "40", "its value as text/plain");

    CHECK(run_cell(&r, "char line[64] = \"\";\nfgets(line, sizeof line, stdin);\nprintf(\"got %s\", line);\n",
                   "hello") == 0, "a cell reading stdin runs");
    CHECK_STR(r.prompt, CC_STDIN_FIRST_PROMPT, "the input callback is asked, first with the prompt that says how to end input");
    CHECK_STR(r.out, "got hello\n", "and the answer reaches the cell");

    CHECK(run_cell(&r, "%who\n!echo from-shell\n", NULL) == 0, "a cell of a magic and a ! command runs");
    CHECK(strstr(s(r.out), "int n") != NULL, "%%who lists the session's variables");
    CHECK(strstr(s(r.out), "from-shell") != NULL, "the ! command's output arrives");

    CHECK(run_cell(&r, "%nosuchmagic\nprintf(\"never\\n\");\n", NULL) == -1, "an unknown magic fails the cell");
    CHECK_STR(r.ename, "UsageError", "with a UsageError");
    CHECK(!r.out, "and the code after it does not run");
    rec_free(&r);
}

/* Output with no one listening: the engine's calls accept NULL. */
static void test_null_output(void)
{
    char *line = (char *)1;
    cc_out_write(NULL, 1, "x", 1);
    cc_out_printf(NULL, 2, "%d", 1);
    cc_out_display(NULL, CC_OUT_DISPLAY, json_object());
    cc_out_error(NULL, "E", "e", NULL);
    CHECK(cc_out_input(NULL, "", false, &line) == CC_IN_REFUSED && line == NULL,
          "with no output, input is refused");
}

/* Later errors of a cell go to stderr (cc_out_error's rule). */
static void test_one_error(void)
{
    rec r = {0};
    cc_out o = {.ops = &rec_ops, .ctx = &r};
    cc_out_error(&o, "First", "one", "tb");
    cc_out_error(&o, "Second", "two", NULL);
    CHECK(o.failed && r.n_errors == 1, "a second error is not a second error callback");
    CHECK_STR(r.err, "Second: two\n", "it is written to stderr");
    CHECK(r.flushes >= 1, "streams are flushed before the error");
    rec_free(&r);
}

static char tmp[64];

static void setup(void)
{
    char self[PATH_MAX], exe_dir[PATH_MAX + 8], cache[128];
    const char *build = getenv("CUDACELL_BUILD");
    if (build && *build) {
        snprintf(exe_dir, sizeof exe_dir, "%s", build);
    } else {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = '\0';
        snprintf(exe_dir, sizeof exe_dir, "%s/..", self);   /* <build>/tests/.. */
    }
    snprintf(tmp, sizeof tmp, "/tmp/cc-test-engine-XXXXXX");
    if (!mkdtemp(tmp))
        exit(1);
    snprintf(cache, sizeof cache, "%s/cache", tmp);
    mkdir(cache, 0700);
    setenv("TMPDIR", tmp, 1);               /* the services' private work directory */
    setenv("CUDACELL_CACHE_DIR", cache, 1);
    svc = cc_services_new(exe_dir, NULL);
    if (!svc) {
        printf("Bail out! cannot create the engine's services\n");
        exit(1);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    cc_intr_init();
    setup();

    test_null_output();
    test_one_error();
    test_cells();

    cc_services_free(svc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return tap_done();
}
