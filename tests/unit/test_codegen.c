/* tests/unit/test_codegen.c — the cell model end to end: sequences of cells
 * are planned, their translation units compiled for real (cc, and nvcc for a
 * few CUDA cases), committed, then loaded with dlopen(RTLD_NOW|RTLD_LOCAL) in
 * a child process that calls each cell's __cudacell_run in order — the way
 * the runtime does — so persistence and redefinition are proven, not assumed. */
#include "compiler.h"
#include "session.h"
#include "showretry.h"
#include "tap.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_dir[256];
static int g_ncell;
static char *g_nvcc;

/* ---- compiling -------------------------------------------------------- */

static char *read_all(FILE *f)
{
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
    while (s && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) { char *t = realloc(s, cap *= 2); if (!t) { free(s); return NULL; } s = t; }
    }
    if (s) s[len] = '\0';
    return s;
}

/* Compile a plan into g_dir/<soname>. Returns 0 on success; *diag gets the
 * compiler's output (malloc'd). */
static int compile_plan(const cc_plan *p, char *soname, size_t sn, char **diag)
{
    int k = g_ncell++;
    snprintf(soname, sn, "cell-%d.so", k);
    char src[512], cmd[4 * PATH_MAX + 8192];
    snprintf(src, sizeof src, "%s/cell-%d.%s", g_dir, k, p->lang == CC_LANG_CUDA ? "cu" : "c");
    FILE *f = fopen(src, "w");
    if (!f) return -1;
    fputs(p->source, f);
    fclose(f);
    char deps[2 * PATH_MAX + 4096] = "", inc[PATH_MAX], lib[PATH_MAX];
    if (cc_display_dirs(NULL, inc, lib) < 0) {   /* libcudacell: the prelude includes its header */
        *diag = strdup("libcudacell not found next to the test (build it first)");
        return -1;
    }
    snprintf(deps, sizeof deps, " -I%s -L%s -lcudacell", inc, lib);
    for (size_t i = 0; i < p->n_deps; i++) {
        size_t l = strlen(deps);
        snprintf(deps + l, sizeof deps - l, " %s/%s", g_dir, p->deps[i]);
    }
    if (p->lang == CC_LANG_CUDA)
        snprintf(cmd, sizeof cmd, "'%s' -shared -Xcompiler -fPIC --cudart shared -arch=sm_75 -o %s/%s "
                 "-Xlinker -soname,%s -Xlinker --no-as-needed -Xlinker --no-undefined %s%s -Xlinker -rpath,%s:%s 2>&1",
                 g_nvcc, g_dir, soname, soname, src, deps, g_dir, lib);
    else
        snprintf(cmd, sizeof cmd, "cc -std=gnu17 -shared -fPIC -o %s/%s -Wl,-soname,%s "
                 "-Wl,--no-as-needed -Wl,--no-undefined %s%s -Wl,-rpath,%s:%s 2>&1", g_dir, soname, soname, src, deps,
                 g_dir, lib);
    FILE *pp = popen(cmd, "r");
    if (!pp) return -1;
    *diag = read_all(pp);
    int st = pclose(pp);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- running ------------------------------------------------------------ */

/* Load and run the objects in order in one child process; returns what they
 * printed plus "[rc=N]" for nonzero returns (malloc'd). */
static char *run_objects_from(char **sos, int n, int run_from)
{
    int fd[2];
    if (pipe(fd)) return NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]); close(fd[1]);
        for (int i = 0; i < n; i++) {
            if (!sos[i]) continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", g_dir, sos[i]);
            void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (!h) { printf("[dlopen: %s]", dlerror()); fflush(stdout); _exit(1); }
            int (*entry)(int, char **) = (int (*)(int, char **))dlsym(h, CC_CELL_ENTRY);
            if (!entry) { printf("[no entry]"); fflush(stdout); _exit(1); }
            if (i < run_from) continue;     /* reload only, as after a restart */
            char *argv[] = { "cell", "A1", NULL };
            int rc = entry(2, argv);
            fflush(stdout);
            if (rc) { printf("[rc=%d]", rc); fflush(stdout); }
        }
        _exit(0);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    char *out = f ? read_all(f) : NULL;
    if (f) fclose(f);
    int st;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st) && out) {
        char *t = malloc(strlen(out) + 32);
        if (t) sprintf(t, "%s[signal %d]", out, WTERMSIG(st));
        free(out);
        out = t;
    }
    return out;
}

static char *run_objects(char **sos, int n) { return run_objects_from(sos, n, 0); }

/* Plan, compile and commit each cell (NULL ends the list), then run them
 * all. Returns the output, or "COMPILE: <diagnostics>" / "SPLIT: <error>". */
static char *session_run_lang(cc_session *s, const char *const *cells, cc_lang lang)
{
    char *sos[64] = {0};
    int n = 0;
    char *ret = NULL;
    for (; cells[n] && n < 64; n++) {
        char *err = NULL;
        cc_lang l = lang == CC_LANG_CUDA || cc_cell_is_cuda(cells[n]) || strncmp(cells[n], "//cuda", 6) == 0
                    ? CC_LANG_CUDA : CC_LANG_C;
        cc_plan *p = cc_session_plan(s, cells[n], 1, l, &err);
        if (!p) {
            ret = malloc(strlen(err) + 8);
            if (ret) sprintf(ret, "SPLIT: %s", err);
            free(err);
            goto done;
        }
        char so[64], *diag = NULL;
        if (compile_plan(p, so, sizeof so, &diag)) {
            ret = malloc(strlen(diag ? diag : "") + strlen(p->source) + 32);
            if (ret) sprintf(ret, "COMPILE: %s\n---\n%s", diag ? diag : "", p->source);
            free(diag);
            cc_plan_free(p);
            goto done;
        }
        free(diag);
        cc_session_commit(s, p, so);
        sos[n] = p->has_run ? strdup(so) : NULL;
        cc_plan_free(p);
    }
    ret = run_objects(sos, n);
done:
    for (int i = 0; i < 64; i++) free(sos[i]);
    return ret;
}

static char *session_run(cc_session *s, const char *const *cells)
{
    return session_run_lang(s, cells, CC_LANG_C);
}

/* Run a fresh session over cells and compare the output. */
#define SCENARIO(want, ...) do {                                      \
        const char *cells_[] = { __VA_ARGS__, NULL };                 \
        cc_session *s_ = cc_session_new();                            \
        char *out_ = session_run(s_, cells_);                         \
        CHECK_STR(out_, want, "scenario at line %d", __LINE__);      \
        free(out_);                                                   \
        cc_session_free(s_);                                          \
    } while (0)

/* ---- scenarios ---------------------------------------------------------- */

static void test_persistence(void)
{
    SCENARIO("3 7 10 hello 1.5\n",
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
        "#define TWICE(x) ((x) * 2)\n"
        "typedef struct Point { double x, y; } Point;\n"
        "static int add(int a, int b) { return a + b; }\n"
        "int n = 10, m[3] = {1, 2, 3};\n"
        "double *buf = malloc(n * sizeof *buf);\n"
        "int (*op)(int, int) = add;\n"
        "char *s = \"hello\";\n"
        "Point pt = { .x = 1.5, .y = 2 };\n",
        "printf(\"%d %d %d %s %g\\n\", op(1, 2), TWICE(m[1]) + m[2], n, s, pt.x);\n");
    SCENARIO("0 1 2 \n3\n",
        "#include <stdio.h>\nint counter;\n"
        "void tick(void) { counter++; }\n",
        "for (int i = 0; i < 3; i++) { printf(\"%d \", counter); tick(); }\nputs(\"\");",
        "printf(\"%d\\n\", counter);");
    SCENARIO("a=2 b=4\n",
        "#include <stdio.h>\nint a = 1;\na++;\nint b = a * 2;\nprintf(\"a=%d b=%d\\n\", a, b);");
    SCENARIO("red=0 blue=2 sz=3\n",
        "#include <stdio.h>\nenum Color { RED, GREEN, BLUE };\nconst int K = 3;\n"
        "int arr[] = {4, 5, 6};\n",
        "enum Color c = BLUE;\nprintf(\"red=%d blue=%d sz=%d\\n\", RED, c, K);");
    SCENARIO("x=4 y=9\n",
        "#include <stdio.h>\nstruct Acc { int x, y; } acc = { 4, 9 };\n",
        "struct Acc *p = &acc;\nprintf(\"x=%d y=%d\\n\", p->x, p->y);");
    SCENARIO("sum=6 len=3\n",
        "#include <stdio.h>\n#define SUM3(a, b, c) \\\n  ((a) + \\\n   (b) + (c))\n"
        "int len(const int *v, int n);\n",
        "int len(const int *v, int n) { (void)v; return n; }\n",
        "int v[3] = {1, 2, 3};\nprintf(\"sum=%d len=%d\\n\", SUM3(v[0], v[1], v[2]), len(v, 3));");
    SCENARIO("knr 5\n",
        "#include <stdio.h>\nint old(a, b) int a; int b; { return a + b; }\n",
        "printf(\"knr %d\\n\", old(2, 3));");
    SCENARIO("ops 3 -1 2\n",
        "#include <stdio.h>\nint add(int a, int b) { return a + b; }\n"
        "int sub(int a, int b) { return a - b; }\nint mul(int a, int b) { return a * b; }\n"
        "int (*ops[3])(int, int) = { add, sub, mul };\n",
        "printf(\"ops %d %d %d\\n\", ops[0](1, 2), ops[1](1, 2), ops[2](1, 2));");
}

static void test_control_flow(void)
{
    SCENARIO("big\n1 2 3 \ncase 2\nloop 3\ndone\n",
        "#include <stdio.h>\nint x = 5;\n"
        "if (x > 3) { puts(\"big\"); } else if (x > 1) puts(\"mid\"); else puts(\"small\");\n"
        "int i = 0;\ndo { i++; printf(\"%d \", i); } while (i < 3);\nputs(\"\");\n"
        "switch (i - 1) { case 1: puts(\"case 1\"); break; case 2: puts(\"case 2\"); break; default: break; }\n"
        "int k = 0;\nagain: k++;\nif (k < 3) goto again;\nprintf(\"loop %d\\n\", k);\n"
        "{ int local = 1; (void)local; }\nputs(\"done\");");
    SCENARIO("before[rc=7]",
        "#include <stdio.h>\nprintf(\"before\");\nreturn 7;\nprintf(\"after\");");
    SCENARIO("tail\n",
        "#include <stdio.h>\nint t = 1;\n",
        "puts(\"tail\");\nt");
}

static void test_redefinition(void)
{
    SCENARIO("3 12 12 x=2.5\n",
        "#include <stdio.h>\nint f(int a) { return a + 1; }\nint g(int a) { return f(a) * 3; }\n"
        "int x = 7;\nprintf(\"%d \", f(2));",
        "int f(int a) { return a * 4; }\n",
        /* g keeps calling the f it was linked with (its own cell's deps) */
        "printf(\"%d %d \", f(3), g(3));",
        "double x = 2.5;\n",
        "printf(\"x=%g\\n\", x);");
    SCENARIO("1 2 3\n",
        "#include <stdio.h>\nstruct P { int a; };\nvoid show(struct P p) { printf(\"%d \", p.a); }\n",
        "struct P v = {1};\nshow(v);",
        "struct P { int a, b, c; };\nstruct P w = {1, 2, 3};\nprintf(\"%d %d\\n\", w.b, w.c);");
    /* re-running the very same cell: no redefinition, zeroed counter */
    SCENARIO("1 1 0 1\n",
        "#include <stdio.h>\nint counter;\ncounter++;\n",
        "printf(\"%d \", counter);",
        "int counter;\ncounter++;\n",
        "printf(\"%d \", counter);",
        /* the cell's own (new) counter is the one its statements see */
        "printf(\"%d \", counter);\nint counter;\ncounter++;\nprintf(\"%d\\n\", counter);");
    SCENARIO("10 20\n",
        "#include <stdio.h>\n#define N 10\nprintf(\"%d \", N);",
        "#undef N\n#define N 20\n",
        "printf(\"%d\\n\", N);");
    SCENARIO("v2\n",
        "#include <stdio.h>\ntypedef int T;\nT val = 1;\n",
        "typedef double T;\nT val = 2.0;\n",
        "printf(\"v%g\\n\", val);");
    /* X-macros: the enum and the struct were written under an X the cell
     * changes later; later cells see them as written */
    SCENARIO("GREEN 2 3 10\n",
        "#include <stdio.h>\n#define COLORS X(RED) X(GREEN) X(BLUE)\n#define X(c) c,\nenum Color { COLORS };\n#undef X\n"
        "#define X(c) #c,\nconst char *color_names[] = { COLORS };\n#undef X\n"
        "#define X(c) int c##_n;\nstruct counts { COLORS };\n#define X(c) char c##_x[2];\n"
        "struct big { COLORS double d; };\n#undef X\n",
        "struct counts k = {1, 2, 3};\nprintf(\"%s %d %d %zu\\n\", color_names[GREEN], BLUE, k.BLUE_n, "
        "sizeof(struct big) - sizeof(double) + 2);");
}

/* Names that libc also exports stay the cell's own (asm labels). */
static void test_libc_names(void)
{
    SCENARIO("times=6 send=8 y0=1.5\n",
        "#include <stdio.h>\nint times(int x) { return x * 3; }\nint send(int x) { return x * 4; }\n"
        "double y0 = 1.5;\n",
        "printf(\"times=%d send=%d y0=%g\\n\", times(2), send(2), y0);");
}

/* C99/C11 specifiers at file scope: defined in one cell, set and read in
 * later ones (the compiler checks the generated declarations). */
static void test_c11_globals(void)
{
    SCENARIO("1 2 0 | 3 4 | 7 0 | hi 0 | 3 4\n0.5 -1 9 5 6\n",
        "#include <stdio.h>\n#include <complex.h>\n#include <stdatomic.h>\n"
        "double complex z = 1.0 + 2.0 * I;\ndouble complex w;\n"
        "float _Complex fz = 3.0f + 4.0f * I;\n"
        "_Atomic(int) ai = 7;\n_Atomic int aj;\n"
        "_Alignas(16) char buf[16] = \"hi\";\n"
        "_Thread_local int t = 3;\nstatic _Thread_local int st = 4;\n",
        "printf(\"%g %g %g | %g %g | %d %d | %s %d | %d %d\\n\", creal(z), cimag(z), creal(w),\n"
        "       crealf(fz), cimagf(fz), ai, aj, buf, (int)((uintptr_t)buf % 16), t, st);\n"
        "w = 0.5 - 1.0 * I; aj = 9; t = 5; st = 6;\n",
        "printf(\"%g %g %d %d %d\\n\", creal(w), cimag(w), aj, t, st);");
}

static void test_main(void)
{
    SCENARIO("main\n[rc=3]",
        "#include <stdio.h>\nint main(void) { puts(\"main\"); return 3; }");
    SCENARIO("args 2 A1\n",
        "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"args %d %s\\n\", argc, argv[1]); return 0; }");
    SCENARIO("void main\n",
        "#include <stdio.h>\nvoid main() { puts(\"void main\"); }");
    SCENARIO("first\nsecond\n",
        "#include <stdio.h>\nint main(void) { puts(\"first\"); return 0; }",
        "int main(void) { puts(\"second\"); return 0; }");
    SCENARIO("stmt then main\n",
        "#include <stdio.h>\nint main(void) { puts(\"main\"); return 0; }\nprintf(\"stmt then \");",
        "");
}

/* What gcc accepts in a whole C program works the same in cells. */
static void test_c_semantics(void)
{
    /* main reaching its closing brace returns 0 (C99 5.1.2.2.3) */
    SCENARIO("hi\n", "#include <stdio.h>\nint main(void) { printf(\"hi\\n\"); }");
    /* main can have its address taken and be called, here and later */
    SCENARIO("1\n2\ndone\n",
        "#include <stdio.h>\nstatic int d;\nint main(void) { int (*m)(void) = &main;\n"
        "  if (d++ < 2) { printf(\"%d\\n\", d); return m(); }\n  puts(\"done\"); }");
    SCENARIO("m\nm\nm\n", "#include <stdio.h>\nint main(void) { puts(\"m\"); return 0; }", "main(); main();");
    /* address-taken and array compound literals at file scope keep static storage */
    SCENARIO("1 2 8\n",
        "struct S { int a, b; };\nstruct S *s = &(struct S){1, 2};\nint *arr = (int[]){7, 8};",
        "#include <stdio.h>\nint burn(int n) { volatile int x[64]; for (int i = 0; i < 64; i++) x[i] = n; return x[3]; }\n"
        "burn(9);\nprintf(\"%d %d %d\\n\", s->a, s->b, arr[1]);");
    /* attributes after a declarator (the label goes before them), the user's own asm label */
    SCENARIO("3 5 2 42 42\n",
        "int bar(int, int) __attribute__((noinline));\nint bar(int a, int b) { return a + b; }\n"
        "int c __attribute__((aligned(16))) = 5;\nint t[2] __attribute__((used)) = {1, 2};\n"
        "int renamed(void) __asm__(\"my_renamed_sym\");\nint renamed(void) { return 42; }",
        "#include <stdio.h>\nint other(void) __asm__(\"my_renamed_sym\");\n"
        "printf(\"%d %d %d %d %d\\n\", bar(1, 2), c, t[1], renamed(), other());");
    /* a flexible array member initialized at file scope */
    SCENARIO("5 hello\n", "struct msg { int len; char text[]; };\nstatic struct msg hello = {5, \"hello\"};",
        "#include <stdio.h>\nprintf(\"%d %s\\n\", hello.len, hello.text);");
    /* implicit int and K&R definitions */
    SCENARIO("42 3\n", "f(a, b) int a; int b; { return a * b; }\ng (int x)\n{\n  return x + 1;\n}",
        "#include <stdio.h>\nprintf(\"%d %d\\n\", f(6, 7), g(2));");
    /* completing a forward-declared struct keeps the types that point to it */
    SCENARIO("-1\n", "struct bv;\nstruct st { struct bv *p; };",
        "#include <stdio.h>\nstruct bv { int n; };\nint use(struct st *s) { return s->p ? s->p->n : -1; }\n"
        "struct st e;\nprintf(\"%d\\n\", use(&e));");
    /* statements and initializers see the macros of their own place */
    SCENARIO("1 2 2\n2\n",
        "#include <stdio.h>\n#define N 1\nint a = N;\n#undef N\n#define N 2\nint b = N;\nprintf(\"%d %d %d\\n\", a, b, N);",
        "printf(\"%d\\n\", N);");
}

/* Compile errors point into the notebook cell. */
static void test_diagnostics(void)
{
    cc_session *s = cc_session_new();
    const char *cells[] = { "#include <stdio.h>\nint ok = 1;\n", NULL };
    char *out = session_run(s, cells);
    free(out);
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, "int y = 2;\nint z = y +\n    undefined_thing;\n", 5, CC_LANG_C, &err);
    CHECK(p != NULL, "plan with an error inside");
    if (p) {
        char so[64], *diag = NULL;
        int rc = compile_plan(p, so, sizeof so, &diag);
        CHECK(rc != 0, "the compiler rejects it");
        CHECK(diag && strstr(diag, "cell:7:5:"), "error at the cell's own line 7 col 5");
        CHECK(diag && !strstr(diag, g_dir), "no temp path in the error position");
        free(diag);
        cc_plan_free(p);
    }
    p = cc_session_plan(s, "  int w = 1;\n\tw = w + nope;\n", 1, CC_LANG_C, &err);
    if (p) {
        char so[64], *diag = NULL;
        compile_plan(p, so, sizeof so, &diag);
        CHECK(diag && strstr(diag, "cell:2:"), "error line after a tab");
        CHECK(diag && strstr(diag, "cell:2:10:"), "error column kept after a tab");
        free(diag);
        cc_plan_free(p);
    }
    p = cc_session_plan(s, "void f(void) {\n", 1, CC_LANG_C, &err);
    CHECK(p == NULL && err && strstr(err, "never closed"), "unbalanced brace refused: %s", err ? err : "");
    free(err);
    cc_session_free(s);
}

static void test_sources(void)
{
    cc_session *s = cc_session_new();
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, "#include <stdio.h>\nstatic int sq(int x) { return x * x; }\n"
                                    "int v = sq(3);\nstruct S { int a; };\n", 3, CC_LANG_C, &err);
    CHECK(p != NULL, "plan");
    if (!p) return;
    CHECK(strstr(p->source, "#line 4 \"cell\"") != NULL, "first_line shifts #line");
    CHECK(strstr(p->source, "static int sq") == NULL && strstr(p->source, "int sq(int x)"), "static stripped");
    CHECK(strstr(p->source, "int " CC_CELL_ENTRY "(int argc, char **argv)") != NULL, "entry function");
    CHECK(p->has_run && !p->has_main && p->n_deps == 0, "flags and deps of a first cell");
    cc_session_commit(s, p, "cell-a.so");
    cc_plan_free(p);
    p = cc_session_plan(s, "int w = sq(v);\n", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "extern int v __asm__(\"cudacell.v\");") &&
          strstr(p->source, "int sq(int x) __asm__(\"cudacell.sq\");"), "header has labelled prototypes");
    CHECK(p && strstr(p->source, "struct S { int a; };"), "header has the struct");
    CHECK(p && p->n_deps == 1 && strcmp(p->deps[0], "cell-a.so") == 0, "dep on the defining object");
    CHECK(p && strstr(p->source, "#line 1 \"session\""), "header marked as session");
    cc_session_commit(s, p, "cell-b.so");
    cc_plan_free(p);
    p = cc_session_plan(s, "struct S { int a, b; };\nint v = 3;\n", 1, CC_LANG_C, &err);
    CHECK(p && !strstr(p->source, "struct S { int a; };"), "redefined type left out of the header");
    CHECK(p && !strstr(p->source, "extern int v"), "redefined variable left out of the header");
    CHECK(p && p->n_deps == 0, "no dep for names the cell defines itself");
    cc_plan_free(p);
    p = cc_session_plan(s, "int nothing_to_run(void) { return 1; }\n", 1, CC_LANG_C, &err);
    CHECK(p && !p->has_run, "declarations only: nothing to run");
    cc_plan_free(p);
    p = cc_session_plan(s, "x = 1\n", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "__CC_SHOW((x = 1));"), "tail expression is shown");
    cc_plan_free(p);
    p = cc_session_plan(s, "int q = 2;          x + q\n", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "#line 1 \"cell\"\n__CC_SHOW((         x + q));"),
          "tail expression: the macro takes the padding, columns are kept");
    cc_plan_free(p);
    p = cc_session_plan(s, "int q = 2;\nx + q\n", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "#line 1 \"cell\"\n__CC_SHOW((\nx + q));"),
          "tail expression at column 1: the macro goes on the line before");
    char *alt = cc_show_source(p, "__CC_SHBF");
    CHECK(alt && strstr(alt, "#line 1 \"cell\"\n__CC_SHBF((\nx + q));"), "bit-field variant: same columns");
    free(alt);
    alt = cc_show_source(p, NULL);
    CHECK(alt && strstr(alt, "#line 1 \"cell\"\n           \nx + q  ;") && !strstr(alt, "__CC_SHOW"),
          "plain variant: the expression as a statement, lines kept");
    free(alt);
    CHECK(!cc_show_source(p, "__CC_TOO_LONG_NAME"), "a longer name is refused");
    cc_plan_free(p);
    p = cc_session_plan(s, "x = 1;\n", 1, CC_LANG_C, &err);
    CHECK(p && !cc_show_source(p, NULL), "no show: no variant");
    cc_plan_free(p);
    CHECK(cc_show_errors_outside_cell("/x/cudacell.h:145:20: error: 'typeof' applied to a bit-field\n"
                                      "cell:2:1: note: in expansion of macro\n"), "error only in the header");
    CHECK(!cc_show_errors_outside_cell("/x/cudacell.h:145:20: error: a\ncell:2:1: error: b\n"),
          "an error in the cell");
    CHECK(!cc_show_errors_outside_cell("cell:2:1: warning: w\n"), "no error at all");
    p = cc_session_plan(s, "x = 1;\n", 1, CC_LANG_C, &err);
    CHECK(p && !strstr(p->source, "__CC_SHOW") && strstr(p->source, "x = 1;"), "';' ends an expression: no value");
    cc_plan_free(p);
    p = cc_session_plan(s, "if (x) x = 2\n", 1, CC_LANG_C, &err);
    CHECK(p && !strstr(p->source, "__CC_SHOW") && strstr(p->source, "if (x) x = 2;"),
          "a statement without ';' is not a value");
    cc_plan_free(p);
    p = cc_session_plan(s, "return\n", 1, CC_LANG_C, &err);
    CHECK(p && !strstr(p->source, "__CC_SHOW"), "return without ';' is not a value");
    cc_plan_free(p);
    /* names and objects */
    const cc_name_info *ni = cc_session_lookup(s, "sq");
    CHECK(ni && ni->kind == CC_NAME_FUNCTION && strstr(ni->decl, "sq"), "lookup function");
    ni = cc_session_lookup(s, "v");
    CHECK(ni && ni->kind == CC_NAME_VARIABLE, "lookup variable");
    ni = cc_session_lookup(s, "struct S");
    CHECK(ni && ni->kind == CC_NAME_TYPE, "lookup type");
    CHECK(cc_session_lookup(s, "nope") == NULL, "lookup missing");
    cc_name_info *names;
    size_t nn = cc_session_names(s, &names);
    CHECK(nn == 4, "names: sq v struct S w (%zu)", nn);
    free(names);
    const char **objs;
    size_t no = cc_session_objects(s, &objs);
    CHECK(no == 2 && strcmp(objs[0], "cell-a.so") == 0 && strcmp(objs[1], "cell-b.so") == 0, "objects in load order");
    free(objs);
    /* redefine everything cell-a held: it is no longer needed */
    p = cc_session_plan(s, "int sq(int x) { return x; }\nint v = 1;\n", 1, CC_LANG_C, &err);
    cc_session_commit(s, p, "cell-c.so");
    cc_plan_free(p);
    no = cc_session_objects(s, &objs);
    CHECK(no == 2 && strcmp(objs[0], "cell-b.so") == 0 && strcmp(objs[1], "cell-c.so") == 0, "dead object dropped");
    free(objs);
    cc_session_reset(s);
    CHECK(cc_session_lookup(s, "sq") == NULL, "reset forgets");
    cc_session_free(s);
}

/* A C cell's main is a session function; a CUDA unit never declares it
 * (C++ forbids an extern "C" main). */
static void test_cuda_no_main(void)
{
    cc_session *s = cc_session_new();
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, "int main(void) { return 0; }", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "int main(void) __asm__(\"cudacell.main\");"), "C main keeps its name, labelled");
    if (p) cc_session_commit(s, p, "cell-main.so");
    cc_plan_free(p);
    p = cc_session_plan(s, "main();", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "cudacell.main"), "a later C cell sees main");
    cc_plan_free(p);
    p = cc_session_plan(s, "int x = 1;", 1, CC_LANG_CUDA, &err);
    CHECK(p && !strstr(p->source, "cudacell.main"), "a CUDA cell does not");
    cc_plan_free(p);
    cc_session_free(s);
}

static void test_cuda_sources(void)
{
    CHECK(cc_cell_is_cuda("__global__ void k() {}"), "is_cuda __global__");
    CHECK(cc_cell_is_cuda("k<<<1, 2>>>(x);"), "is_cuda launch");
    CHECK(cc_cell_is_cuda("__device__ int d;"), "is_cuda __device__");
    CHECK(!cc_cell_is_cuda("// __global__\nint x;"), "not cuda: comment");
    CHECK(!cc_cell_is_cuda("puts(\"__device__ <<<\");"), "not cuda: string");
    CHECK(!cc_cell_is_cuda("x = a << b;"), "not cuda: shift");
    cc_session *s = cc_session_new();
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, "__device__ int dv = 1;\n__device__ int twice(int x) { return 2 * x; }\n"
        "__global__ void k(int *a) { a[0] = twice(dv); }\nint host(int x) { return x + 1; }\n"
        "template <typename T> __global__ void tk(T *a) { a[0] = 0; }\n", 1, CC_LANG_CUDA, &err);
    CHECK(p != NULL, "cuda plan");
    if (!p) { cc_session_free(s); return; }
    CHECK(strstr(p->source, "extern \"C\" int " CC_CELL_ENTRY) != NULL, "C linkage entry");
    CHECK(strstr(p->source, "extern \"C\" __attribute__((visibility(\"default\")))\n#line 3 \"cell\"\n__global__ void k") != NULL,
          "kernel gets C linkage and default visibility");
    CHECK(strstr(p->source, "__cc_sym_dv") != NULL, "device variable accessor");
    cc_session_commit(s, p, "cell-cu.so");
    cc_plan_free(p);
    p = cc_session_plan(s, "k<<<1, 1>>>(0);\nint h;\ncudaMemcpyFromSymbol(&h, dv, sizeof h);\n", 1, CC_LANG_CUDA, &err);
    CHECK(p && strstr(p->source, "extern \"C\" __attribute__((visibility(\"default\"))) __global__ void k(int *a);"),
          "kernel prototype in later CUDA cell");
    CHECK(p && strstr(p->source, "__device__ int twice(int x) { return 2 * x; }"), "device function re-emitted");
    CHECK(p && strstr(p->source, "template <typename T> __global__ void tk"), "template re-emitted");
    CHECK(p && strstr(p->source, "#define dv (*__cc_p_dv)"), "device variable macro");
    CHECK(p && p->n_deps == 1, "cuda dep");
    cc_plan_free(p);
    p = cc_session_plan(s, "k<<<1, 1>>>(0);\n", 1, CC_LANG_CUDA, &err);
    CHECK(p && !strstr(p->source, "__cc_p_dv"), "unreferenced device variable not imported");
    cc_plan_free(p);
    p = cc_session_plan(s, "int y = host(1);\n", 1, CC_LANG_C, &err);
    CHECK(p && strstr(p->source, "int host(int x) __asm__(\"cudacell.host\");") && !strstr(p->source, "__global__") &&
          !strstr(p->source, "__device__"), "C cell sees host functions only");
    cc_plan_free(p);
    cc_session_free(s);
}

/* Which names of CUDA cells a C cell sees: decided by the exact words of
 * each declaration (cuda_count, cudaBuf, struct stdstuff, half_width are
 * plain C; float4, cudaStream_t, std::, & and types built on them are not),
 * and the hidden ones the C cell mentions are listed for the error hint. */
static void test_cuda_names_in_c(void)
{
    cc_session *s = cc_session_new();
    char *err = NULL;
    cc_plan *p = cc_session_plan(s,
        "int cuda_count(void) { return 3; }\nfloat *cudaBuf;\nstruct stdstuff { int a; };\n"
        "struct stdstuff sst;\nint half_width = 5;\nunsigned long long int2x;\n"
        "float4 make4(void) { return make_float4(1, 2, 3, 4); }\ncudaStream_t strm;\n"
        "typedef float4 vec;\nstruct P { vec v; };\nint usep(struct P *p) { return p != 0; }\n"
        "int by_ref(int &r) { return r; }\n#include <string>\nstd::string greet(void) { return \"hi\"; }\n"
        "__global__ void kern(int *a) { a[0] = 1; }\n__device__ int twice(int x) { return 2 * x; }\n",
        1, CC_LANG_CUDA, &err);
    CHECK(p != NULL, "cuda names: plan the CUDA cell (%s)", err ? err : "");
    if (!p) { free(err); cc_session_free(s); return; }
    cc_session_commit(s, p, "cell-names.so");
    cc_plan_free(p);
    p = cc_session_plan(s, "int all = cuda_count() + (cudaBuf != 0) + sst.a + half_width + (int)int2x;\n"
                           "make4(); strm; usep(0); by_ref(all); greet(); kern(0); twice(1);\n", 1, CC_LANG_C, &err);
    CHECK(p != NULL, "cuda names: plan the C cell");
    if (!p) { cc_session_free(s); return; }
    const char *hid = p->c_hidden ? p->c_hidden : "";
    /* the session header: from its #line marker to the cell's first one */
    const char *h0 = strstr(p->source, "#line 1 \"session\"");
    const char *h1 = h0 ? strstr(h0 + 1, "#line ") : NULL;
    char *src = h0 && h1 ? strndup(h0, (size_t)(h1 - h0)) : strdup("");
    CHECK(strstr(src, "int cuda_count(void) __asm__(\"cudacell.cuda_count\");") != NULL, "cuda_count() is C");
    CHECK(strstr(src, "extern float *cudaBuf __asm__") != NULL, "cudaBuf is C");
    CHECK(strstr(src, "struct stdstuff { int a; };") && strstr(src, "extern struct stdstuff sst"), "struct stdstuff is C");
    CHECK(strstr(src, "extern int half_width") && strstr(src, "int2x"), "half_width and int2x are C");
    CHECK(!strstr(src, "make4") && !strstr(src, "strm") && !strstr(src, "usep") && !strstr(src, "struct P") &&
          !strstr(src, "vec") && !strstr(src, "by_ref") && !strstr(src, "greet") && !strstr(src, "<string>"),
          "CUDA-only declarations stay out of the C unit's header");
    free(src);
    CHECK(strstr(hid, "make4\tf\t`float4`\n") != NULL, "hidden: make4 uses float4");
    CHECK(strstr(hid, "strm\tf\t`cudaStream_t`\n") != NULL, "hidden: strm uses cudaStream_t");
    CHECK(strstr(hid, "usep\tf\t`struct P`\n") != NULL, "hidden: usep uses struct P (a type C cannot see)");
    CHECK(strstr(hid, "by_ref\tf\ta C++ reference") != NULL, "hidden: by_ref takes a reference");
    CHECK(strstr(hid, "greet\tf\t`std::string`\n") != NULL, "hidden: greet returns std::string");
    CHECK(strstr(hid, "kern\tk\t") && strstr(hid, "twice\td\t"), "hidden: the kernel and the device function");
    CHECK(!strstr(hid, "cuda_count") && !strstr(hid, "vec\t"), "hidden: only what C cannot see and the cell mentions");
    cc_plan_free(p);
    p = cc_session_plan(s, "int x = 1;\n", 1, CC_LANG_C, &err);
    CHECK(p && p->c_hidden == NULL, "hidden: nothing when the cell mentions none");
    cc_plan_free(p);
    p = cc_session_plan(s, "int y = make4;\n", 1, CC_LANG_CUDA, &err);
    CHECK(p && p->c_hidden == NULL && strstr(p->source, "make4"), "a CUDA cell sees everything");
    cc_plan_free(p);
    cc_session_free(s);
}

/* The same, compiled: host code of a CUDA cell runs and C cells call it. */
static void test_cuda_names_build(void)
{
    if (!g_nvcc) { printf("ok %d - # SKIP nvcc not found\n", ++tap_n); return; }
    cc_session *s = cc_session_new();
    const char *cells[] = {
        "//cuda\nint cuda_count(void) { return 3; }\nfloat *cudaBuf;\nstruct stdstuff { int a; };\n"
        "struct stdstuff sst = { 4 };\nint half_width = 5;\n"
        "float4 make4(void) { return make_float4(1, 2, 3, 4); }\n"
        "cudaBuf = (float *)malloc(sizeof *cudaBuf); *cudaBuf = 2.5f;\n",
        "#include <stdio.h>\nprintf(\"%d %g %d %d\\n\", cuda_count(), *cudaBuf, sst.a, half_width);",
        NULL };
    char *out = session_run_lang(s, cells, CC_LANG_C);
    CHECK_STR(out, "3 2.5 4 5\n", "C cell calls host code of a CUDA cell whose names start with cuda/std/half");
    free(out);
    cc_session_free(s);
}

/* CUDA cells compiled by nvcc; host parts always run, kernels only with a GPU. */
static void test_cuda_build(void)
{
    if (!g_nvcc) { printf("ok %d - # SKIP nvcc not found\n", ++tap_n); return; }
    cc_session *s = cc_session_new();
    const char *cells[] = {
        "//cuda\n#include <stdio.h>\nint ngpu = 0;\nif (cudaGetDeviceCount(&ngpu) != cudaSuccess) ngpu = 0;\n"
        "printf(\"%s\\n\", ngpu > 0 ? \"gpu\" : \"nogpu\");",
        "__device__ int counter = 5;\n__constant__ float coef[4];\n"
        "__device__ int twice(int x) { return 2 * x; }\n"
        "__global__ void bump(int by) { counter += twice(by); }\n"
        "int host_val = 7;\nstatic int plus(int a) { return a + host_val; }\n"
        "int get_counter(void) { int h = -1; cudaMemcpyFromSymbol(&h, counter, sizeof h); return h; }\n",
        "__global__ void bump2(void) { counter += twice(10) + (int)coef[0]; }\n"
        "if (ngpu) { bump<<<1, 1>>>(2); bump2<<<1, 1>>>(); cudaDeviceSynchronize(); }\n"
        "int h = -1;\nif (ngpu) cudaMemcpyFromSymbol(&h, counter, sizeof h);\n"
        "printf(\"counter=%d host=%d\\n\", h, plus(1));",
        "float c[4] = {1, 2, 3, 4};\nif (ngpu) { cudaMemcpyToSymbol(coef, c, sizeof c); bump2<<<1, 1>>>(); }\n"
        "printf(\"after=%d\\n\", ngpu ? get_counter() : -1);",
        "#include <stdio.h>\nprintf(\"C cell: %d\\n\", plus(2));",
        NULL };
    char *out = session_run_lang(s, cells, CC_LANG_C);
    bool gpu = out && strncmp(out, "gpu", 3) == 0;
    if (gpu) CHECK_STR(out, "gpu\ncounter=29 host=8\nafter=50\nC cell: 9\n", "CUDA cells on the GPU");
    else CHECK_STR(out, "nogpu\ncounter=-1 host=8\nafter=-1\nC cell: 9\n", "CUDA cells, host parts (no GPU here)");
    free(out);
    cc_session_free(s);
}

/* After a runtime restart the objects of cc_session_objects are loaded
 * (not run) and the next cell must find everything: functions, types, and
 * for CUDA kernels that use __device__ variables of still earlier cells. */
static void test_reload(bool cuda)
{
    cc_session *s = cc_session_new();
    const char *cells_c[] = {
        "#include <stdio.h>\nstruct Acc { int total; };\nint scale = 3;\n",
        "int times(int x) { return x * scale; }\n",
        "int times(int x) { return x * scale * 10; }\n", NULL };
    const char *cells_cu[] = {
        "//cuda\n#include <stdio.h>\nint ngpu = 0;\nif (cudaGetDeviceCount(&ngpu) != cudaSuccess) ngpu = 0;\n",
        "__device__ int acc = 0;\n",
        "__global__ void add_acc(int v) { acc += v; }\n"
        "int read_acc(void) { int h = -1; if (ngpu) cudaMemcpyFromSymbol(&h, acc, sizeof h); return h; }\n", NULL };
    const char *const *cells = cuda ? cells_cu : cells_c;
    char *out = session_run(s, cells);
    CHECK(out && !strstr(out, "COMPILE") && !strstr(out, "["), "reload: first session runs");
    free(out);
    const char **objs;
    size_t n = cc_session_objects(s, &objs);
    CHECK(n == (cuda ? 3u : 2u), "reload: %zu objects to load (a fully redefined cell is not)", n);
    char *err = NULL;
    const char *next = cuda ? "if (ngpu) { add_acc<<<1, 1>>>(5); cudaDeviceSynchronize(); }\n"
                              "printf(\"acc=%d\\n\", ngpu ? read_acc() : 5);"
                            : "scale = 2;\nstruct Acc a = { times(2) };\nprintf(\"acc=%d\\n\", a.total);";
    cc_plan *p = cc_session_plan(s, next, 1, cuda ? CC_LANG_CUDA : CC_LANG_C, &err);
    char so[64], *diag = NULL;
    char *sos[8] = {0};
    int k = 0;
    if (p && compile_plan(p, so, sizeof so, &diag) == 0) {
        for (size_t i = 0; i < n && k < 7; i++) sos[k++] = strdup(objs[i]);
        sos[k++] = strdup(so);
        out = run_objects_from(sos, k, k - 1);
        /* values restart from zero; types and the newest functions remain */
        CHECK_STR(out, cuda ? "acc=5\n" : "acc=40\n", "reload: the next cell after a restart");
        free(out);
    } else {
        CHECK(0, "reload: next cell compiles: %s", diag ? diag : err ? err : "?");
    }
    for (int i = 0; i < k; i++) free(sos[i]);
    free(diag);
    free(err);
    free(objs);
    cc_plan_free(p);
    cc_session_free(s);
}

static char *find_nvcc(void)
{
    const char *home = getenv("CUDA_HOME");
    char path[512];
    if (home) {
        snprintf(path, sizeof path, "%s/bin/nvcc", home);
        if (access(path, X_OK) == 0) return strdup(path);
    }
    if (access("/usr/local/cuda/bin/nvcc", X_OK) == 0) return strdup("/usr/local/cuda/bin/nvcc");
    return NULL;
}

static int rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/cc-codegen-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) { perror("mkdtemp"); return 1; }
    g_nvcc = find_nvcc();
    test_sources();
    test_cuda_sources();
    test_cuda_no_main();
    test_persistence();
    test_control_flow();
    test_redefinition();
    test_main();
    test_c11_globals();
    test_c_semantics();
    test_libc_names();
    test_diagnostics();
    test_cuda_build();
    test_cuda_names_in_c();
    test_cuda_names_build();
    test_reload(false);
    if (g_nvcc) test_reload(true);
    else printf("ok %d - # SKIP nvcc not found\n", ++tap_n);
    free(g_nvcc);
    if (getenv("KEEP")) printf("# kept %s\n", g_dir); else if (rm_rf(g_dir)) fprintf(stderr, "could not remove %s\n", g_dir);
    return tap_done();
}
