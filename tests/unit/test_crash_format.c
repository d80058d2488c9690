/* tests/unit/test_crash_format.c — the pure part of crash reports
 * (kernel/pipeline/crash_format.c): decoding RT_R_CRASH, reading addr2line's
 * answer, naming the signal, and laying out the frames. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "crash_format.h"
#include "rt_proto.h"
#include "tap.h"

/* ---- decoding -------------------------------------------------------------- */

static void put_crash(rt_buf *b, uint64_t total, uint32_t gap_at, uint32_t bad_index)
{
    rt_put_u32(b, SIGSEGV);
    rt_put_u32(b, SEGV_MAPERR);
    rt_put_u64(b, 0x10);
    rt_put_u64(b, total);
    rt_put_u32(b, gap_at);
    rt_put_u32(b, 2);
    rt_put_str(b, "/cache/cell-aa.so");
    rt_put_str(b, "/lib/libc.so.6");
    rt_put_u32(b, 3);
    rt_put_u32(b, 0);
    rt_put_u64(b, 0x1109);
    rt_put_u32(b, bad_index);
    rt_put_u64(b, 0x2724a);
    rt_put_u32(b, RT_CRASH_NO_OBJ);
    rt_put_u64(b, 0xdead);
}

static void test_decode(void)
{
    rt_buf b = {0};
    cc_crash c;
    put_crash(&b, 3, 3, 1);
    CHECK(cc_crash_decode(b.data, b.len, &c) == 0, "a well-formed payload decodes");
    CHECK(c.sig == SIGSEGV && c.code == SEGV_MAPERR && c.addr == 0x10, "signal, code and address");
    CHECK(c.nobj == 2 && !strcmp(c.objs[1], "/lib/libc.so.6"), "object paths");
    CHECK(c.nframes == 3 && c.frames[0].obj == 0 && c.frames[0].offset == 0x1109, "first frame");
    CHECK(c.frames[2].obj == CC_CRASH_NO_OBJ && c.frames[2].offset == 0xdead, "a frame in no known object");
    cc_crash_clear(&c);

    int all_bad = 1;
    for (size_t n = 0; n < b.len; n++)
        if (cc_crash_decode(b.data, n, &c) == 0) {
            all_bad = 0;
            cc_crash_clear(&c);
        }
    CHECK(all_bad, "every truncated payload is refused");
    rt_buf_free(&b);

    rt_buf bad = {0};
    put_crash(&bad, 3, 3, 7);
    CHECK(cc_crash_decode(bad.data, bad.len, &c) == -1, "an object index out of range is refused");
    rt_buf_free(&bad);
    put_crash(&bad, 2, 3, 1);
    CHECK(cc_crash_decode(bad.data, bad.len, &c) == -1, "fewer frames in all than sent is refused");
    rt_buf_free(&bad);
}

/* ---- addr2line ---------------------------------------------------------------- */

static void test_a2l(void)
{
    const char *out =
        "0x0000000000001109\n"
        "cudacell.set_first\n"
        "/tmp/x/cell:3\n"
        "0x000000000000111d\n"
        "inner\n"
        "/tmp/x/cell:7 (discriminator 2)\n"
        "__cudacell_run\n"
        "/tmp/x/cell:12\n"
        "0x0000000000000040\n"
        "??\n"
        "??:0\n";
    cc_a2l_group *g = NULL;
    size_t n = cc_a2l_parse(out, &g);
    CHECK(n == 3, "three addresses (%zu)", n);
    CHECK(n == 3 && g[0].addr == 0x1109 && g[0].n == 1, "first address, one location");
    CHECK_STR(n == 3 ? g[0].locs[0].func : NULL, "cudacell.set_first", "function as printed");
    CHECK(n == 3 && g[0].locs[0].line == 3 && !strcmp(g[0].locs[0].file, "/tmp/x/cell"), "file and line");
    CHECK(n == 3 && g[1].n == 2, "an inline chain is two locations");
    CHECK(n == 3 && g[1].locs[0].line == 7, "the discriminator is not part of the line");
    CHECK(n == 3 && g[1].locs[1].line == 12 && !strcmp(g[1].locs[1].func, "__cudacell_run"), "inlined into");
    CHECK(n == 3 && g[2].n == 1 && !g[2].locs[0].func && !g[2].locs[0].file && !g[2].locs[0].line,
          "?? is unknown");
    cc_a2l_free(g, n);
    CHECK(cc_a2l_parse("", &g) == 0, "empty output, no groups");
    cc_a2l_free(g, 0);
}

/* ---- the cause ------------------------------------------------------------------ */

static void test_cause(void)
{
    static const struct { int sig, code; uint64_t addr; const char *want; } t[] = {
        {SIGSEGV, SEGV_MAPERR, 0, "Segmentation fault (SIGSEGV): invalid memory access at address 0x0 (a NULL pointer)"},
        {SIGSEGV, SEGV_MAPERR, 0x7f0000001000, "at address 0x7f0000001000 (a bad pointer"},
        {SIGSEGV, SEGV_ACCERR, 0x5000, "string literal"},
        {SIGSEGV, 128, 0, "invalid memory access (a bad pointer)"},
        {SIGFPE, FPE_INTDIV, 0, "Arithmetic error (SIGFPE): integer division by zero"},
        {SIGBUS, BUS_ADRALN, 0, "Bus error (SIGBUS): misaligned"},
        {SIGABRT, 0, 0, "Aborted (SIGABRT): abort() was called"},
        {SIGILL, 0, 0, "Illegal instruction (SIGILL)"},
        {SIGUSR1, 0, 0, "Killed by signal"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *c = cc_crash_cause(t[i].sig, t[i].code, t[i].addr);
        CHECK(c && strstr(c, t[i].want) && !strchr(c, '\n'), "cause %zu: %s", i, c ? c : "(null)");
        free(c);
    }
}

/* ---- layout ----------------------------------------------------------------------- */

/* A crash whose frames are given as (object, offset) pairs. */
static cc_crash make(const uint32_t *obj, size_t n, uint64_t total, size_t gap_at)
{
    static char *objs[] = {"/c/cell-a.so", "/c/cell-b.so", "/lib/x86_64-linux-gnu/libc.so.6", "", "/b/libcudacell.so"};
    static cc_crash_frame fr[64];
    for (size_t i = 0; i < n; i++)
        fr[i] = (cc_crash_frame){obj[i], 0x1000 + i};
    return (cc_crash){.sig = SIGSEGV, .total = total, .gap_at = gap_at, .objs = objs, .nobj = 5,
                      .frames = fr, .nframes = n};
}

static cc_a2l_loc L(const char *func, const char *file, int line)
{
    return (cc_a2l_loc){(char *)func, (char *)file, line};
}

static void test_layout(void)
{
    cc_crash_cell a = {9, "void set_first(int *p)\n{\n  *p = 42;\n}", 1};
    cc_crash_cell bcell = {10, "set_first(NULL);", 1};
    const cc_crash_cell *cells[5] = {&a, &bcell, NULL, NULL, NULL};

    /* A function of an earlier cell called from a later one; the runtime
     * and libc below are left out. */
    uint32_t o1[] = {0, 1, 3, 2, 2};
    cc_crash c = make(o1, 5, 5, 5);
    cc_a2l_loc l0 = L("cudacell.set_first", "/x/cell", 3), l1 = L("__cudacell_run", "/x/cell", 1);
    cc_a2l_group g0 = {0, &l0, 1}, g1 = {0, &l1, 1};
    const cc_a2l_group *s1[5] = {&g0, &g1, NULL, NULL, NULL};
    char *t = cc_crash_frames_text(&c, cells, s1);
    CHECK_STR(t, "  In [9], line 3, in set_first:  *p = 42;\n"
                 "  In [10], line 1:               set_first(NULL);\n",
              "two cell frames, aligned, statement frame without a name");
    free(t);

    /* A crash inside libc: one library line, named, above the cell. */
    uint32_t o2[] = {2, 2, 1, 3};
    c = make(o2, 4, 4, 4);
    const cc_a2l_group *s2[4] = {NULL, NULL, &g1, NULL};
    t = cc_crash_frames_text(&c, cells, s2);
    CHECK_STR(t, "  (in library code, libc.so.6)\n  In [10], line 1:  set_first(NULL);\n", "libc frames collapse");
    free(t);

    /* Our own library and the program are not named; mixed runs are one line. */
    uint32_t o3[] = {4, 3, 2, 1};
    c = make(o3, 4, 4, 4);
    const cc_a2l_group *s3[4] = {NULL, NULL, NULL, &g1};
    t = cc_crash_frames_text(&c, cells, s3);
    CHECK_STR(t, "  (in library code)\n  In [10], line 1:  set_first(NULL);\n", "mixed library frames, unnamed");
    free(t);

    /* Recursion with frames left out in the middle. */
    cc_crash_cell r = {3, "int f(int n)\n{\n  return f(n + 1);\n}\nf(0);", 1};
    const cc_crash_cell *rc[5] = {&r, NULL, NULL, NULL, NULL};
    uint32_t o4[] = {0, 0, 0, 0, 0, 0, 3};
    c = make(o4, 7, 1007, 3);
    cc_a2l_loc lf = L("cudacell.f", "cell", 3), lr = L("__cudacell_run", "cell", 5);
    cc_a2l_group gf = {0, &lf, 1}, gr = {0, &lr, 1};
    const cc_a2l_group *s4[7] = {&gf, &gf, &gf, &gf, &gf, &gr, NULL};
    t = cc_crash_frames_text(&c, rc, s4);
    CHECK_STR(t, "  In [3], line 3, in f:  return f(n + 1);\n"
                 "  [the line above repeated 2 more times]\n"
                 "  ... 1000 more frames not shown ...\n"
                 "  In [3], line 3, in f:  return f(n + 1);\n"
                 "  [the line above repeated 1 more time]\n"
                 "  In [3], line 5:        f(0);\n",
              "repeats collapse; the gap is counted");
    free(t);

    /* Inline chain; glue of the entry (the call of main) is not shown;
     * __cc_main is main; the magic line shifts the source lookup. */
    cc_crash_cell m = {4, "int main(void)\n{\n  return g();\n}", 2};
    const cc_crash_cell *mc[5] = {&m, NULL, NULL, NULL, NULL};
    uint32_t o5[] = {0, 0};
    c = make(o5, 2, 2, 2);
    cc_a2l_loc chain[2] = {L("g", "/x/cell", 40), L("__cc_main", "/x/cell", 4)};
    cc_a2l_loc glue = L("__cudacell_run", "/x/<cudacell>", 1);
    cc_a2l_group gc = {0, chain, 2}, gg = {0, &glue, 1};
    const cc_a2l_group *s5[2] = {&gc, &gg};
    t = cc_crash_frames_text(&c, mc, s5);
    CHECK_STR(t, "  In [4], line 40, in g:\n  In [4], line 4, in main:  return g();\n",
              "inlined frames, main, lines past the code have no source");
    free(t);

    /* No line table: the cell is still named. A call through NULL. */
    uint32_t o6[] = {CC_CRASH_NO_OBJ, 0};
    c = make(o6, 2, 2, 2);
    c.frames[0].offset = 0;
    c.addr = 0;
    const cc_a2l_group *s6[2] = {NULL, NULL};
    t = cc_crash_frames_text(&c, mc, s6);
    CHECK_STR(t, "  (at address 0x0, where there is no code: a call through a NULL or invalid function pointer)\n"
                 "  In [4]:\n", "bad PC, then a cell frame without line");
    free(t);

    /* Nothing in a cell: no lines at all. */
    uint32_t o7[] = {2, 3};
    c = make(o7, 2, 2, 2);
    t = cc_crash_frames_text(&c, cells, s6);
    CHECK_STR(t, "", "no cell frame, no traceback lines");
    free(t);
}

int main(void)
{
    test_decode();
    test_a2l();
    test_cause();
    test_layout();
    return tap_done();
}
