/* tests/unit/test_cxx.c — the C++ side of the cell front end (issue 10):
 * which cells of a C++ session need nvcc, kernel launches rewritten for the
 * host compiler (launch.c), the units codegen_cxx.c makes for C++
 * constructs (overload keys, out-of-class members, namespaces, class-type
 * globals), and a fuzz loop of mutated C++ cells through split, rewrite and
 * plan. Pure: nothing is compiled. */
#include "cellutil.h"
#include "launch.h"
#include "session.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool known_k(void *ctx, const char *p, size_t len)
{
    (void)ctx;
    return (len == 1 && *p == 'k') || (len == 4 && memcmp(p, "axpy", 4) == 0);
}

static void test_rewrite(void)
{
    static const struct { const char *in, *want; } cases[] = {
        { "k<<<1, 2>>>(x);", "(__cudaPushCallConfiguration(1, 2) ? (void)0 : k(x));" },
        { "axpy<<<g, b, 0, s>>>(n, a, x, y);",
          "(__cudaPushCallConfiguration(g, b, 0, s) ? (void)0 : axpy(n, a, x, y));" },
        { "k<<<dim3(2, 2), dim3(f(1, 2))>>>(p, q(3, 4));",
          "(__cudaPushCallConfiguration(dim3(2, 2), dim3(f(1, 2))) ? (void)0 : k(p, q(3, 4)));" },
        { "for (int i = 0; i < 3; i++)\n  k<<<1,\n 1>>>(i);\nint z = 1 << 3;",
          "for (int i = 0; i < 3; i++)\n  (__cudaPushCallConfiguration(1,\n 1) ? (void)0 : k(i));\nint z = 1 << 3;" },
        { "/* k<<<1,1>>>() */ puts(\"k<<<\");", "/* k<<<1,1>>>() */ puts(\"k<<<\");" },
        { "int a = b >> 2;", "int a = b >> 2;" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = cc_launch_rewrite(cases[i].in, known_k, NULL);
        CHECK_STR(got, cases[i].want, "rewrite: %s", cases[i].in);
        free(got);
    }
    static const char *const refused[] = {
        "other<<<1, 1>>>(x);",          /* not a known kernel */
        "k<float><<<1, 1>>>(x);",       /* explicit template arguments */
        "ns::k<<<1, 1>>>(x);",          /* qualified */
        "k<<<1, 1>>>;",                 /* no arguments */
        "k<<<1, (2>>>(x);",             /* unbalanced */
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char *got = cc_launch_rewrite(refused[i], known_k, NULL);
        CHECK(got == NULL, "not rewritten: %s", refused[i]);
        free(got);
    }
}

static void test_needs_nvcc(void)
{
    static const struct { const char *in; bool nvcc; } cases[] = {
        { "float *d; cudaMalloc(&d, 4);", false },
        { "k<<<1, 1>>>(d);", false },
        { "other<<<1, 1>>>(d);", true },
        { "__global__ void g() {}", true },
        { "__device__ int dv;", true },
        { "__shared__ float s[4];", true },
        { "#include <thrust/device_vector.h>", true },
        { "#include <cub/cub.cuh>", true },
        { "#include \"mine.cuh\"", true },
        { "#include <vector>\n#include <cublas_v2.h>", false },
        { "thrust::host_vector<int> h(3);", true },
        { "namespace cg = cooperative_groups;", true },
        { "/* __global__ */ puts(\"__device__\");", false },
        { "std::vector<int> v{1, 2};", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
        CHECK(cc_cell_needs_nvcc(cases[i].in, known_k, NULL) == cases[i].nvcc, "%s nvcc: %s",
              cases[i].nvcc ? "needs" : "no", cases[i].in);
        char *host = cc_cell_host_text(cases[i].in, known_k, NULL);   /* both in one pass */
        CHECK((host == NULL) == cases[i].nvcc, "host text agrees: %s", cases[i].in);
        free(host);
    }
}

static void test_is_cxx(void)
{
    static const struct { const char *in; bool cxx; } cases[] = {
        { "#include <vector>", true }, { "#include <cstdio>", true }, { "#include <cuda_runtime.h>", true },
        { "#include \"util.hpp\"", true }, { "#include <thrust/sort.h>", true },
        { "template <typename T> T f(T x) { return x; }", true }, { "template <> int g<int>(int);", true },
        { "namespace a { int x; }", true }, { "namespace n = a::b;", true }, { "using namespace std;", true },
        { "std::printf(\"x\");", true }, { "class A { int x; };", true }, { "class B : public A {};", true },
        { "#include <stdio.h>\n#include <math.h>", false }, { "int template = 1; int t = template < 2;", false },
        { "typedef int class; class c;", false }, { "/* std::vector */ int x;", false },
        { "puts(\"template <typename T>\");", false }, { "int namespace = 0;", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK(cc_cell_is_cxx(cases[i].in) == cases[i].cxx, "%s: %s", cases[i].cxx ? "C++" : "C", cases[i].in);
}

/* Plan code in lang against s and commit it; the plan's source (malloc'd). */
static char *step(cc_session *s, const char *code, cc_lang lang, int n)
{
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, code, 1, lang, &err);
    CHECK(p != NULL, "plan %d (%s)", n, err ? err : "ok");
    free(err);
    if (!p) return strdup("");
    char so[32];
    snprintf(so, sizeof so, "cell-%d.so", n);
    char *src = strdup(p->source);
    cc_session_commit(s, p, so);
    cc_plan_free(p);
    return src;
}

static bool has(const char *src, const char *w) { return strstr(src, w) != NULL; }

static void test_units(void)
{
    cc_session *s = cc_session_new();
    CHECK(!cc_session_is_cxx(s), "a new session is C");
    free(step(s, "int c_var = 1;\nint c_fn(int x) { return x; }", CC_LANG_C, 1));
    char *src = step(s, "__global__ void k(float *p) { p[0] = 1; }\n"
                        "template <typename T> __global__ void tk(T *p) {}\n"
                        "__device__ float dev(float x) { return x; }", CC_LANG_CUDA, 2);
    free(src);
    CHECK(cc_session_is_cxx(s), "the first CUDA cell makes the session C++");

    src = step(s, "int f(int a) { return a; }\ndouble f(double a) { return a; }\n"
                  "int dflt(int a, int b = 2) { return a + b; }\nint plain(int a) { return a; }", CC_LANG_CXX, 3);
    CHECK(has(src, "extern int c_var __asm__(\"cudacell.c_var\")") && has(src, "int c_fn(int x) __asm__"),
          "C declarations keep C linkage in a C++ unit");
    CHECK(!has(src, "__device__ float dev") && !has(src, "tk("), "device material stays out of a host-only unit");
    CHECK(has(src, "extern \"C\" __attribute__((visibility(\"default\"))) __global__ void k(float *p);"),
          "an earlier kernel is declared, for a launch through its stub");
    CHECK(has(src, "#include <cudacell_prelude.h>"),
          "the prelude, which declares the launch configuration call for host C++, comes first");
    CHECK(has(src, "int f(int a) __asm__(\"cudacell.f\")") && !has(src, "double f(double a) __asm__") &&
          !has(src, "\"cudacell.dflt\""),
          "the first overload keeps C linkage, the second and a function with defaults get C++ linkage");
    CHECK(has(src, "\"cudacell.plain\""), "a plain C-compatible function keeps C linkage");
    free(src);

    src = step(s, "double f(double a) { return a * 3; }\nconst char *f(const char *s) { return s; }", CC_LANG_CXX, 4);
    CHECK(has(src, "int f(int a)") && !has(src, "double f(double a);"),
          "redefining one overload leaves the other in the header");
    free(src);
    cc_name_info *names = NULL;
    size_t n = cc_session_names(s, &names), fs = 0;
    for (size_t i = 0; i < n; i++) fs += strcmp(names[i].name, "f") == 0;   /* overloads are named "f" */
    free(names);
    CHECK(fs == 3, "three overloads of f live side by side (%zu)", fs);

    src = step(s, "struct C { int a; C() : a(1) {} int get() const; static int n; };\n"
                  "int C::get() const { return a + n; }\nint C::n = 5;\n"
                  "namespace ns { int g(int x) { return x; } }\nusing F = float;\nconstexpr int K = 3;\n"
                  "auto sq = [](int x) { return x * x; };", CC_LANG_CXX, 5);
    CHECK(!has(src, "cudacell.C\""), "out-of-class members get no C label");
    free(src);
    src = step(s, "#include <vector>\nC c;\nstd::vector<float> v(K, 1.0f);\nF w{2};", CC_LANG_CXX, 6);
    CHECK(has(src, "namespace ns { int g(int x)") && has(src, "using F = float;") && has(src, "constexpr int K = 3;") &&
          has(src, "auto sq = ["), "namespaces, aliases, constexpr and lambdas are re-emitted");
    CHECK(has(src, "new ((void *)&v) __cc_T") && has(src, "(K, 1.0f)"), "a class-type global is constructed in place");
    CHECK(has(src, "new ((void *)&c) __cc_T()"), "a class global without initializer is value-initialized");
    CHECK(has(src, "unsigned char __cc_store_v[sizeof(decltype(v))] __asm__(\"cudacell.v\")"),
          "its storage carries the variable's symbol");
    free(src);
    src = step(s, "printf(\"%d\", c.get());", CC_LANG_CXX, 7);
    CHECK(has(src, "extern C c __asm__(\"cudacell.c\")") && has(src, "extern std::vector<float> v __asm__"),
          "later cells declare class-type globals by their symbol");
    free(src);
    free(step(s, "template <typename T, int N> struct Arr { T d[N]; int size() const { return N; } };\n"
                 "Arr<float, 4> arr;\ntemplate <class T> class Box { public: Box(int n) : n(n) {} int n; };\n"
                 "Box<double> box(7);", CC_LANG_CXX, 8));
    src = step(s, "printf(\"%d %d\", arr.size(), box.n);", CC_LANG_CXX, 9);
    CHECK(has(src, "extern Arr<float, 4> arr __asm__(\"cudacell.arr\")") && has(src, "extern Box<double> box __asm__"),
          "a variable of a template defined in the same cell is a global (template-id declarations)");
    free(src);
    cc_plan *p = cc_session_plan(s, "int z = ns::g(1);", 1, CC_LANG_CXX, NULL);
    bool linked5 = false;
    for (size_t i = 0; p && i < p->n_deps; i++) linked5 |= strcmp(p->deps[i], "cell-5.so") == 0;
    CHECK(linked5, "a later C++ unit links the object with the out-of-class definitions");
    cc_plan_free(p);
    p = cc_session_plan(s, "int z = c_fn(1);", 1, CC_LANG_C, NULL);
    CHECK(p && has(p->source, "int f(int a)") && !has(p->source, "double f(") && !has(p->source, "ns::"),
          "a C unit sees the C-linkage overload only");
    cc_plan_free(p);
    cc_session_reset(s);
    CHECK(!cc_session_is_cxx(s), "a reset makes the session C again");
    cc_session_free(s);
}

/* ---- fuzz: mutated C++ cells never crash the front end ----------------- */

static const char *const seeds[] = {
    "struct V { float x; V(float a) : x(a) {} float get() const { return x; } };",
    "template <typename T> T tw(T x) { return 2 * x; }\ntemplate <> int tw<int>(int x) { return x; }",
    "namespace a { namespace b { int f(int); } }\nusing namespace a;",
    "std::vector<int> v{1, 2, 3};\nstd::map<std::string, int> m{{\"a\", 1}};",
    "k<<<dim3(1, 2), 32, 0, s>>>(p, n);\nauto l = [&](int i) { return i + 1; };",
    "class B : public A { public: B() = default; ~B() override {} int operator()(int) const; };",
    "int B::operator()(int x) const { return x; }\nconstexpr int N = 4;\nenum class E : int { X, Y };",
    "Vec v(1, 2);\nconst Vec &r = v;\nVec w = v + v;",
};
static const char alphabet[] = "{}()<>[];:,=&*~#\"' \nabckvT_019";
static unsigned rng = 777;
static unsigned rnd(void) { rng = rng * 1103515245u + 12345u; return rng >> 8; }

/* Free operators and explicit specializations of function templates. */
static void test_operators_and_specializations(void)
{
    cc_session *s = cc_session_new();
    free(step(s, "#include <iostream>\nstruct V { int x; };\n"
                 "std::ostream &operator<<(std::ostream &os, const V &v) { return os << v.x; }\n"
                 "V operator+(V a, V b) { return {a.x + b.x}; }\nV operator-(V a, V b) { return {a.x - b.x}; }\n"
                 "template <typename T> T twice(T x) { return x + x; }", CC_LANG_CXX, 1));
    char *src = step(s, "#include <string>\ntemplate <> std::string twice(std::string s) { return s + s; }\n"
                        "std::cout << (V{1} + V{2}) << twice(3);", CC_LANG_CXX, 2);
    CHECK(has(src, "std::ostream &operator<<(std::ostream &os, const V &v) { return os << v.x; }") &&
          has(src, "V operator+(V a, V b)") && has(src, "V operator-(V a, V b)") && !has(src, "cudacell.operator"),
          "free operators reach later units whole, each its own, with no C label");
    CHECK(has(src, "template <typename T> T twice(T x)"), "an explicit specialization keeps its template");
    free(src);
    src = step(s, "V operator+(V a, V b) { return {a.x * b.x}; }", CC_LANG_CXX, 3);
    free(src);
    src = step(s, "std::cout << (V{2} + V{3}) << twice(std::string(\"a\"));", CC_LANG_CXX, 4);
    CHECK(has(src, "{ return {a.x * b.x}; }") && !has(src, "{ return {a.x + b.x}; }") && has(src, "V operator-(V a, V b)") &&
          has(src, "template <> std::string twice(std::string s)"),
          "redefining one operator replaces that one only; the specialization stays");
    free(src);
    free(step(s, "namespace util { int clampi(int v) { return v; } }\nnamespace util { int other(int v) { return 1; } }",
              CC_LANG_CXX, 5));
    free(step(s, "namespace util { int clampi(int v) { return 2 * v; } int twice(int x) { return 2 * x; } }", CC_LANG_CXX, 6));
    src = step(s, "int q = util::clampi(1) + util::twice(2) + util::other(3);", CC_LANG_CXX, 7);
    CHECK(has(src, "return 2 * v;") && !has(src, "{ return v; }") && has(src, "int other(int v)"),
          "a namespace block that redefines a member replaces the block that had it; another block stays");
    free(src);
    cc_session_free(s);
}

static void test_fuzz(void)
{
    cc_session *s = cc_session_new();
    free(step(s, "__global__ void k(int *p, int n) {}\nstruct Vec { float x, y; Vec(float a, float b) : x(a), y(b) {} };",
              CC_LANG_CUDA, 100));
    char buf[600];
    int plans = 0, refused = 0;
    for (int i = 0; i < 6000; i++) {
        const char *seed = seeds[rnd() % (sizeof seeds / sizeof *seeds)];
        snprintf(buf, sizeof buf, "%s", seed);
        for (int e = 0, ne = 1 + (int)(rnd() % 5); e < ne; e++) {
            size_t len = strlen(buf), pos = len ? rnd() % len : 0;
            if (rnd() % 2 && len) memmove(buf + pos, buf + pos + 1, len - pos);
            else if (len + 2 < sizeof buf) { memmove(buf + pos + 1, buf + pos, len - pos + 1); buf[pos] = alphabet[rnd() % (sizeof alphabet - 1)]; }
        }
        (void)cc_cell_needs_nvcc(buf, known_k, NULL);
        char *rw = cc_launch_rewrite(buf, known_k, NULL);
        char *err = NULL;
        cc_plan *p = cc_session_plan(s, rw ? rw : buf, 1, i % 3 ? CC_LANG_CXX : CC_LANG_CUDA, &err);
        if (p) {
            plans++;
            if (!p->source) CHECK(0, "fuzz: a plan without source");
            if (i % 50 == 0) { char so[32]; snprintf(so, sizeof so, "cell-z%d.so", i); cc_session_commit(s, p, so); }
            cc_plan_free(p);
        } else {
            refused++;
            if (!err || !*err) CHECK(0, "fuzz: refused without a message: [%s]", buf);
        }
        free(err);
        free(rw);
    }
    CHECK(plans > 1000, "fuzz: 6000 mutated C++ cells, %d planned, %d refused", plans, refused);
    cc_session_free(s);
}

/* nvcc's excerpts: the cell's own line instead of generated text, and no
 * generated session declarations */
static void test_excerpts(void)
{
    const char *code = "int good = 1;\nVec v(1, 2, 3);\n";
    const char *diag =
        "cell:2: error: no instance of constructor \"Vec::Vec\" matches the argument list\n"
        "            argument types are: (int, int, int)\n"
        "       (1, 2, 3); __cc_live_v = true; }\n"
        "       ^\n"
        "session(4): note: function \"f(int)\" does not match\n"
        "  extern \"C\" { int f(int a) __asm__(\"cudacell.f\"); }\n"
        "                   ^\n"
        "session(2): note: see Vec\n"
        "  struct Vec { float x; };\n"
        "         ^\n";
    char *out = cc_diag_add_context(diag, code, 1);
    CHECK(strstr(out, "argument types are: (int, int, int)\n  Vec v(1, 2, 3);\nsession(4)") != NULL,
          "the detail line stays, the excerpt is the cell's line 2, its caret goes");
    CHECK(!strstr(out, "__cc") && !strstr(out, "__asm__") && !strstr(out, "extern \"C\""),
          "no generated text is left: %s", out);
    CHECK(strstr(out, "struct Vec { float x; };\n         ^\n") != NULL, "a session excerpt of user code stays");
    free(out);
}

int main(void)
{
    test_operators_and_specializations();
    test_excerpts();
    test_rewrite();
    test_needs_nvcc();
    test_is_cxx();
    test_units();
    test_fuzz();
    return tap_done();
}
