/* tests/unit/test_runtime.c — the compiler driver and the runtime process
 * end to end, without the Jupyter side: kernel/pipeline/compiler.c compiles
 * hand-written translation units, kernel/pipeline/runtime_client.c runs them in
 * cudacell-runtime (found next to this test's build directory, or in
 * $CUDACELL_BUILD). They report through the engine's output interface,
 * implemented here by buffers that capture stdout/stderr and answer stdin. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cc_output.h"
#include "compiler.h"
#include "interrupt.h"
#include "runtime_client.h"
#include "tap.h"

/* ---- the engine's output, into buffers (cc_output.h) ---------------------------- */

static char *cap[3];
static size_t cap_len[3];
static const char *input_lines[4];
static int n_input, input_i;
static bool allow_input = true;

static void cap_stream(void *ctx, int stream, const char *data, size_t len)
{
    (void)ctx;
    cap[stream] = realloc(cap[stream], cap_len[stream] + len + 1);
    memcpy(cap[stream] + cap_len[stream], data, len);
    cap_len[stream] += len;
    cap[stream][cap_len[stream]] = '\0';
}

static int cap_input(void *ctx, const char *prompt, bool password, char **line)
{
    (void)ctx; (void)prompt; (void)password;
    if (!allow_input)
        return CC_IN_REFUSED;
    if (cc_intr_count())
        return CC_IN_INTERRUPTED;
    *line = strdup(input_i < n_input ? input_lines[input_i++] : "");
    return CC_IN_OK;
}

static void cap_display(void *ctx, cc_out_kind kind, json_t *bundle)
{
    (void)ctx; (void)kind;
    json_decref(bundle);   /* rich output is tested in tests/display */
}

static void cap_error(void *ctx, const char *ename, const char *evalue, const char *tb)
{
    (void)ctx; (void)ename; (void)evalue; (void)tb;
}

static const cc_out_ops cap_ops = {
    .stream = cap_stream, .display = cap_display, .error = cap_error, .input = cap_input,
};

/* ---- helpers ------------------------------------------------------------------ */

static char workdir[256], cache_dir[320], exe_dir[PATH_MAX + 8];
static cc_runtime *rt;
static cc_out dummy = {.ops = &cap_ops};

static void reset_capture(void)
{
    for (int i = 0; i < 3; i++) {
        free(cap[i]);
        cap[i] = NULL;
        cap_len[i] = 0;
    }
}

static const char *out(int s) { return cap[s] ? cap[s] : ""; }

#define PRELUDE "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"

static int compile_c(const char *src, cc_compile_res *res, const char *dep)
{
    const char *deps[1] = {dep};
    cc_compile_req q = {
        .lang = CC_LANG_C, .source = src, .deps = deps, .n_deps = dep ? 1 : 0,
        .cflags = "", .nvccflags = "", .ldflags = "", .workdir = workdir, .cache_dir = cache_dir,
    };
    cc_compile(&dummy, &q, res);
    return res->ok;
}

static cc_rt_status run(const cc_compile_res *c, int timeit, const char *args, cc_rt_result *r)
{
    cc_rt_run_req q = {.so_path = c->so_path, .timeit = timeit, .args = args};
    reset_capture();
    cc_rt_run(rt, &dummy, &q, r);
    return r->status;
}

static void *interrupt_later(void *ms)
{
    usleep((useconds_t)(long)ms * 1000);
    cc_intr_request();
    return NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_kb(int pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* ---- the tests -------------------------------------------------------------------- */

static void test_compile(void)
{
    cc_compile_res a, b, e;
    const char *src = PRELUDE "int counter = 5;\n"
                      "int __cudacell_run(int argc, char **argv) {\n"
                      "    printf(\"hello %d argc=%d\\n\", counter++, argc);\n"
                      "    for (int i = 1; i < argc; i++) printf(\"[%s]\", argv[i]);\n"
                      "    printf(\"no newline\");\n    return 0;\n}\n";
    CHECK(compile_c(src, &a, NULL), "a C translation unit compiles");
    CHECK(strncmp(a.soname, "cell-", 5) == 0 && strlen(a.soname) == 5 + 24 + 3 &&
          strcmp(a.soname + 29, ".so") == 0, "soname is cell-<24 hex>.so (%s)", a.soname);
    CHECK(access(a.so_path, R_OK) == 0, "the object is in the cache directory");
    CHECK(compile_c(src, &b, NULL) && b.cache_hit && strcmp(a.soname, b.soname) == 0,
          "same source again is a cache hit with the same soname");
    CHECK(b.compile_ms < 10.0, "cache hit takes under 10 ms (%.2f ms)", b.compile_ms);

    cc_rt_result r;
    CHECK(run(&a, 0, "one 'two three'", &r) == CC_RT_OK, "the cell runs");
    CHECK_STR(out(1), "hello 5 argc=3\n[one][two three]no newline",
              "stdout arrives whole, last line without newline included, argv from %%args");
    cc_rt_result_clear(&r);
    CHECK(run(&a, 0, NULL, &r) == CC_RT_OK && strstr(out(1), "hello 6"), "globals persist between runs");
    cc_rt_result_clear(&r);

    /* A second object linking the first by soname sees its variable. */
    cc_compile_res c2;
    CHECK(compile_c(PRELUDE "extern int counter;\nint __cudacell_run(int argc, char **argv) {\n"
                    "    printf(\"c2 %d\\n\", counter); return 3; }\n", &c2, a.soname),
          "a cell linking an earlier cell's object compiles");
    CHECK(run(&c2, 0, NULL, &r) == CC_RT_OK && strstr(out(1), "c2 7"), "it shares the earlier cell's global");
    CHECK(strstr(out(2), "main returned 3\n") != NULL, "a nonzero return is one stderr line");
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c2);

    CHECK(!compile_c(PRELUDE "int __cudacell_run(int argc, char **argv) {\n#line 2 \"cell\"\n"
                     "    int y = 1\n    return y;\n}\n", &e, NULL), "a syntax error fails");
    CHECK(strstr(e.diagnostics, "cell:3:") && strstr(e.diagnostics, "error: expected"), "diagnostics name cell:LINE");
    CHECK(!strstr(e.diagnostics, workdir) && !strstr(e.diagnostics, "__cudacell_run"),
          "no temp paths nor generated entry in the diagnostics");
    cc_compile_res_clear(&e);

    CHECK(!compile_c(PRELUDE "int nowhere(void);\nint __cudacell_run(int argc, char **argv) {\n#line 4 \"cell\"\n"
                     "    return nowhere();\n}\n", &e, NULL), "an undefined function fails at link time");
    CHECK(strstr(e.diagnostics, "undefined reference to `nowhere'") != NULL, "the linker names it");
    cc_compile_res_clear(&e);

    const char *warn_src = PRELUDE "int __cudacell_run(int argc, char **argv) {\n#line 1 \"cell\"\n"
                           "    int w = \"s\"; return 0 * w;\n}\n";
    CHECK(compile_c(warn_src, &e, NULL) && strstr(e.diagnostics, "warning"), "warnings come back with success");
    cc_compile_res_clear(&e);
    CHECK(compile_c(warn_src, &e, NULL) && e.cache_hit && strstr(e.diagnostics, "warning"),
          "a cache hit shows the warnings again");
    cc_compile_res_clear(&e);

    setenv("CC", "/nonexistent/cc", 1);
    compile_c(PRELUDE "int __cudacell_run(int a, char **v) { return 0; }\n", &e, NULL);
    CHECK(e.tool_missing && !e.ok && strstr(e.diagnostics, "was not found"), "a missing compiler is explained");
    unsetenv("CC");
    cc_compile_res_clear(&e);

    cc_compile_res_clear(&a);
    cc_compile_res_clear(&b);
}

static void test_io(void)
{
    cc_compile_res c;
    cc_rt_result r;

    compile_c(PRELUDE "int __cudacell_run(int argc, char **argv) {\n"
              "    for (int i = 0; i < 200000; i++) printf(\"line %d\\n\", i);\n"
              "    fprintf(stderr, \"err tail\");\n    return 0;\n}\n", &c, NULL);
    CHECK(run(&c, 0, NULL, &r) == CC_RT_OK, "200 000 lines run");
    CHECK(cap_len[1] == 2288890, "all 200 000 lines arrive (%zu bytes)", cap_len[1]);
    CHECK(cap[1] && strstr(cap[1], "line 199999\n") && strncmp(cap[1], "line 0\nline 1\n", 14) == 0,
          "first and last lines in order");
    CHECK_STR(out(2), "err tail", "stderr without newline arrives");
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c);

    char dir[320];
    snprintf(dir, sizeof dir, "%s/wd", workdir);
    mkdir(dir, 0700);
    char file[340];
    snprintf(file, sizeof file, "%s/data.txt", dir);
    FILE *f = fopen(file, "w");
    fputs("from file\n", f);
    fclose(f);
    char old[PATH_MAX];
    if (!getcwd(old, sizeof old))
        old[0] = '\0';
    CHECK(chdir(dir) == 0, "kernel changes directory");
    setenv("CC_TEST_VAR", "xyz", 1);
    compile_c(PRELUDE "int __cudacell_run(int argc, char **argv) {\n"
              "    char s[64] = \"\"; FILE *f = fopen(\"data.txt\", \"r\");\n"
              "    if (f) { fgets(s, sizeof s, f); fclose(f); }\n"
              "    printf(\"%s%s\\n\", s, getenv(\"CC_TEST_VAR\") ? getenv(\"CC_TEST_VAR\") : \"(unset)\");\n"
              "    return 0;\n}\n", &c, NULL);
    CHECK(run(&c, 0, NULL, &r) == CC_RT_OK && strcmp(out(1), "from file\nxyz\n") == 0,
          "the cell sees the kernel's cwd and environment");
    cc_rt_result_clear(&r);
    unsetenv("CC_TEST_VAR");
    CHECK(run(&c, 0, NULL, &r) == CC_RT_OK && strstr(out(1), "(unset)"), "an unset variable disappears too");
    cc_rt_result_clear(&r);
    if (old[0] && chdir(old) != 0)
        perror("chdir");
    cc_compile_res_clear(&c);

    compile_c(PRELUDE "int __cudacell_run(int argc, char **argv) {\n"
              "    int n = 0; printf(\"n? \"); if (scanf(\"%d\", &n) == 1) printf(\"got %d\\n\", n);\n"
              "    int ch = getchar(); char buf[64]; char *l = NULL; size_t cap = 0;\n"
              "    if (fgets(buf, sizeof buf, stdin)) printf(\"fgets [%s]\", buf); else printf(\"fgets EOF\\n\");\n"
              "    if (getline(&l, &cap, stdin) > 0) printf(\"getline [%s]\", l); else printf(\"getline EOF\\n\");\n"
              "    printf(\"ch=%d\\n\", ch); free(l); return 0;\n}\n", &c, NULL);
    input_lines[0] = "42";
    input_lines[1] = "hello world";
    input_lines[2] = "third";
    n_input = 3;
    input_i = 0;
    CHECK(run(&c, 0, NULL, &r) == CC_RT_OK, "a cell reading stdin runs");
    CHECK_STR(out(1), "n? got 42\nfgets [hello world\n]getline [third\n]ch=10\n",
              "scanf, getchar, fgets and getline read the frontend's lines");
    cc_rt_result_clear(&r);
    allow_input = false;
    CHECK(run(&c, 0, NULL, &r) == CC_RT_OK && strstr(out(1), "fgets EOF") && strstr(out(1), "getline EOF"),
          "without allow_stdin reads get end-of-file");
    const char *m = strstr(out(2), "allow_stdin is false");
    CHECK(m && !strstr(m + 1, "allow_stdin is false"), "and one stderr line says why");
    allow_input = true;
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c);
}

static void test_crashes(void)
{
    static const struct { const char *body; int sig, exit_status; const char *note; } cases[] = {
        {"int *p = 0; *(volatile int *)p = 1; return 0;", SIGSEGV, 0, NULL},
        {"abort();", SIGABRT, 0, NULL},
        {"exit(3);", 0, 3, NULL},
        {"raise(9); return 0;", SIGKILL, 0, NULL},
        {"return rec(0);", SIGSEGV, 0, "stack overflow"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[1024];
        cc_compile_res c;
        cc_rt_result r;
        snprintf(src, sizeof src, PRELUDE "#include <signal.h>\n"
                 "int rec(int n) { volatile char b[256]; b[0] = (char)n; return rec(n + 1) + b[0]; }\n"
                 "int __cudacell_run(int argc, char **argv) { printf(\"before\\n\"); %s }\n", cases[i].body);
        compile_c(src, &c, NULL);
        run(&c, 0, NULL, &r);
        CHECK(r.status == CC_RT_CRASHED && r.term_signal == cases[i].sig && r.exit_status == cases[i].exit_status,
              "crash '%s' is reported (signal %d, exit %d)", cases[i].body, r.term_signal, r.exit_status);
        CHECK(strstr(out(1), "before\n") != NULL, "output before the crash is kept");
        if (cases[i].note)
            CHECK(r.message && strstr(r.message, cases[i].note), "named: %s", r.message ? r.message : "(none)");
        cc_rt_result_clear(&r);
        cc_compile_res_clear(&c);
        CHECK(cc_rt_pid(rt) == 0, "the dead runtime is gone");
    }
    cc_compile_res c;
    cc_rt_result r;
    compile_c(PRELUDE "int __cudacell_run(int argc, char **argv) { printf(\"alive\\n\"); return 0; }\n", &c, NULL);
    cc_rt_restart(rt, NULL, 0);
    CHECK(run(&c, 0, NULL, &r) == CC_RT_OK && strcmp(out(1), "alive\n") == 0, "a fresh runtime runs the next cell");
    long kb = rss_kb(cc_rt_pid(rt));
#if defined(__SANITIZE_ADDRESS__)
    CHECK(kb > 0, "idle runtime RSS is known (%ld kB; the 3 MB bound is for builds without AddressSanitizer)", kb);
#else
    CHECK(kb > 0 && kb <= 3072, "idle runtime RSS is at most 3 MB (%ld kB)", kb);
#endif
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c);
}

static void test_interrupts(void)
{
    cc_compile_res c;
    cc_rt_result r;
    pthread_t th;

    compile_c(PRELUDE "int spins;\nint __cudacell_run(int argc, char **argv) {\n"
              "    spins++; printf(\"spin %d\\n\", spins); for (;;) {}\n}\n", &c, NULL);
    double t0 = now_ms();
    pthread_create(&th, NULL, interrupt_later, (void *)300L);
    run(&c, 0, NULL, &r);
    pthread_join(th, NULL);
    double dt = now_ms() - t0 - 300;
    cc_intr_clear();
    CHECK(r.status == CC_RT_INTERRUPTED, "for(;;){} stops at an interrupt (status %d)", r.status);
    CHECK(dt < 1000, "within 1 s (%.0f ms)", dt);
    int pid = cc_rt_pid(rt);
    cc_rt_result_clear(&r);
    pthread_create(&th, NULL, interrupt_later, (void *)100L);
    run(&c, 0, NULL, &r);
    pthread_join(th, NULL);
    cc_intr_clear();
    CHECK(r.status == CC_RT_INTERRUPTED && strcmp(out(1), "spin 2\n") == 0 && cc_rt_pid(rt) == pid,
          "same process, globals kept after the interrupt");
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c);

    compile_c(PRELUDE "#include <signal.h>\nint __cudacell_run(int argc, char **argv) {\n"
              "    signal(SIGINT, SIG_IGN); for (;;) {}\n}\n", &c, NULL);
    t0 = now_ms();
    pthread_create(&th, NULL, interrupt_later, (void *)100L);
    run(&c, 0, NULL, &r);
    pthread_join(th, NULL);
    dt = now_ms() - t0 - 100;
    cc_intr_clear();
    CHECK(r.status == CC_RT_KILLED, "a cell ignoring SIGINT is killed (status %d)", r.status);
    CHECK(dt < CC_INTR_RUNTIME_GRACE_MS + 700, "after the grace period (%.0f ms)", dt);
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c);
}

static void test_timeit(void)
{
    cc_compile_res c;
    cc_rt_result r;
    compile_c(PRELUDE "#include <time.h>\nint calls;\nint __cudacell_run(int argc, char **argv) {\n"
              "    struct timespec ts = {0, 20000000}; nanosleep(&ts, NULL); calls++; return 0;\n}\n", &c, NULL);
    double t0 = now_ms();
    CHECK(run(&c, 1, NULL, &r) == CC_RT_OK, "%%timeit mode runs");
    double dt = now_ms() - t0;
    CHECK(r.loops == 10, "loops chosen so one repeat takes >= 0.2 s (%ld)", r.loops);
    CHECK(r.repeats == 7, "7 repeats (%ld)", r.repeats);
    CHECK(r.mean_ns > 19e6 && r.mean_ns < 40e6, "mean per loop is about 20 ms (%.0f ns)", r.mean_ns);
    CHECK(r.std_ns >= 0 && r.std_ns < r.mean_ns, "std. dev. is sane (%.0f ns)", r.std_ns);
    CHECK(dt < 6000, "total time bounded (%.0f ms)", dt);
    cc_rt_result_clear(&r);
    cc_compile_res_clear(&c);
}

int main(void)
{
    char self[PATH_MAX];
    const char *build = getenv("CUDACELL_BUILD");
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    cc_intr_init();
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
    snprintf(workdir, sizeof workdir, "/tmp/cc-test-runtime-XXXXXX");
    if (!mkdtemp(workdir))
        return 1;
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", workdir);
    mkdir(cache_dir, 0700);
    rt = cc_rt_new(exe_dir, cache_dir, workdir);

    test_compile();
    test_io();
    test_crashes();
    test_interrupts();
    test_timeit();

    cc_rt_free(rt);
    reset_capture();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", workdir);
    return tap_done();
}
