/* tests/unit/test_cellsplit.c — the cell splitter, table-driven: each input
 * cell against the expected items (kinds and names, as cc_cell_describe
 * prints them), generated declaration variants, malformed input that must be
 * refused with a helpful message, and a fuzz loop through split + plan. */
#include "cellpp.h"
#include "cellsplit.h"
#include "session.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct tcase { const char *in, *want; } tcase;

/* Describe format: PP:<include|define=NAME|undef=NAME|cond|other>,
 * TYPE:<tag/typedef names> (TYPE:fwd struct S for forward declarations),
 * FUNC:<name>, DECL:<name[()][=]>..., STMT, OTHER; a trailing ! marks an
 * item without its ';' (the cell's last). */
static const tcase cases[] = {
    /* preprocessor */
    { "#include <stdio.h>", "PP:include" },
    { "#include \"my.h\"\n#include <stdlib.h>", "PP:include PP:include" },
    { "  #  include <math.h>", "PP:include" },
    { "#define N 10", "PP:define=N" },
    { "#define SQ(x) ((x) * (x))", "PP:define=SQ" },
    { "#define LONG(a, b) \\\n  ((a) + \\\n   (b))\nint x;", "PP:define=LONG DECL:x" },
    { "#define S \"a;b{\"\nputs(S);", "PP:define=S STMT" },
    { "#define C /* { */ 1\nint y = C;", "PP:define=C DECL:y=" },
    { "#undef N", "PP:undef=N" },
    { "#ifdef DEBUG\nint dbg;\n#endif", "PP:cond DECL:dbg PP:cond" },
    { "#if 0\n#else\n#endif", "PP:cond PP:cond PP:cond" },
    { "#pragma once", "PP:other" },
    { "#error don't do this", "PP:other" },
    { "#define EMPTY\nEMPTY", "PP:define=EMPTY STMT!" },
    { "x = 1; # define Y 2", "STMT STMT!" },
    { "#define A 1 // a ; comment\nA;", "PP:define=A STMT" },
    /* implicit int function definitions (gnu17 accepts them, as gcc does) */
    { "main()\n{\n  exit(0);\n}", "FUNC:main" },
    { "test_ccp (int i)\n{\n  return i;\n}", "FUNC:test_ccp" },
    { "f(a, b) int a; char *b; { return a + *b; }", "FUNC:f" },
    { "f(a, b);", "STMT" },
    { "f(a) + 1;", "STMT" },
    /* types */
    { "struct Node { int v; struct Node *next; };", "TYPE:struct Node" },
    { "struct S;", "TYPE:fwd struct S" },
    { "union U { int i; float f; };", "TYPE:union U" },
    { "enum Color { RED, GREEN = 2, BLUE };", "TYPE:enum Color" },
    { "enum { A, B };", "TYPE" },
    { "typedef struct Node Node;", "TYPE:Node" },
    { "typedef struct Node { int v; } Node;", "TYPE:struct Node,Node" },
    { "typedef int (*binop)(int, int);", "TYPE:binop" },
    { "typedef unsigned long ulong, *pulong;", "TYPE:ulong,pulong" },
    { "typedef struct { int x, y; } Point;", "TYPE:Point" },
    { "typedef enum { OFF, ON } Switch;", "TYPE:Switch" },
    { "typedef int arr3[3];", "TYPE:arr3" },
    { "struct __attribute__((packed)) P { char c; int i; };", "TYPE:struct P" },
    { "struct S { int a; }", "TYPE:struct S!" },
    { "struct Outer { struct Inner { int x; } in; int y; };", "TYPE:struct Outer" },
    { "struct Bits { unsigned a : 3, b : 5; };", "TYPE:struct Bits" },
    { "struct Flex { int n; double d[]; };", "TYPE:struct Flex" },
    /* functions */
    { "int add(int a, int b) { return a + b; }", "FUNC:add" },
    { "static int add(int a, int b) { return a + b; }", "FUNC:add" },
    { "static inline int sq(int x) { return x * x; }", "FUNC:sq" },
    { "inline double half(double x) { return x / 2; }", "FUNC:half" },
    { "void nothing(void) {}", "FUNC:nothing" },
    { "void *alloc(size_t n) { return malloc(n); }", "FUNC:alloc" },
    { "char **split(const char *s, int *n) { (void)s; *n = 0; return 0; }", "FUNC:split" },
    { "struct Node *mk(int v) { return 0; }", "FUNC:mk" },
    { "int old(a, b) int a; double b; { return a + (int)b; }", "FUNC:old" },
    { "int old1(a) int a; { return a; }", "FUNC:old1" },
    { "void g(void) __attribute__((noinline)) { }", "FUNC:g" },
    { "__attribute__((noinline)) void h(void) { }", "FUNC:h" },
    { "_Noreturn void die(void) { for (;;) {} }", "FUNC:die" },
    { "int (*getop(char c))(int, int) { return 0; }", "FUNC:getop" },
    { "int main(void) { return 0; }", "FUNC:main" },
    { "int main(int argc, char **argv) { return argc; }", "FUNC:main" },
    { "void main() { }", "FUNC:main" },
    { "unsigned long long fact(unsigned n) { return n < 2 ? 1 : n * fact(n - 1); }", "FUNC:fact" },
    { "size_t len(const char *s) { size_t n = 0; while (s[n]) n++; return n; }", "FUNC:len" },
    { "int f(void) { return 1; }\nint g(void) { return f(); }", "FUNC:f FUNC:g" },
    { "int f(void) { return 1; };", "FUNC:f" },
    { "int va(int n, ...) { return n; }", "FUNC:va" },
    { "static int counter(void) { static int c; return ++c; }", "FUNC:counter" },
    { "int body(void) { if (1) { } else { } do { } while (0); return 0; }", "FUNC:body" },
    { "struct S { int a; } make(void) { struct S s = {1}; return s; }", "FUNC:struct S,make" },
    { "Node *find(Node *h, int v) { return h; }", "FUNC:find" },
    { "Matrix mul(Matrix a, Matrix b) { return a; }", "FUNC:mul" },
    /* prototypes */
    { "int add(int a, int b);", "DECL:add()" },
    { "void f(void), g(int);", "DECL:f(),g()" },
    { "static int helper(void);", "DECL:helper()" },
    { "extern double sqrt(double);", "DECL:sqrt()" },
    { "void f(void) __attribute__((noinline));", "DECL:f()" },
    { "void (*signal2(int sig, void (*func)(int)))(int);", "DECL:signal2()" },
    { "int printf(const char *fmt, ...);", "DECL:printf()" },
    { "Node *find(Node *h, int v);", "DECL:find()" },
    /* variables */
    { "int x;", "DECL:x" },
    { "int x = 5;", "DECL:x=" },
    { "int n = 10, m[3] = {1, 2, 3};", "DECL:n=,m=" },
    { "double *buf = malloc(n * sizeof *buf);", "DECL:buf=" },
    { "int (*op)(int, int) = add;", "DECL:op=" },
    { "int (*ops[4])(int, int) = {0};", "DECL:ops=" },
    { "char *s = \"hi\";", "DECL:s=" },
    { "char s[] = \"hello\";", "DECL:s=" },
    { "int a[] = {1, 2, 3};", "DECL:a=" },
    { "const int N = 5;", "DECL:N=" },
    { "const char *const names[] = {\"a\", \"b\"};", "DECL:names=" },
    { "static int hidden = 3;", "DECL:hidden=" },
    { "extern int errno2;", "DECL:errno2" },
    { "register int r;", "DECL:r" },
    { "volatile int flag = 0;", "DECL:flag=" },
    { "_Thread_local int tl;", "DECL:tl" },
    { "__thread int tl2 = 1;", "DECL:tl2=" },
    { "_Alignas(16) char abuf[64];", "DECL:abuf" },
    { "_Atomic int ai = 0;", "DECL:ai=" },
    { "_Atomic(int) ai2;", "DECL:ai2" },
    /* <complex.h>'s complex/imaginary macros, and the other C11 keywords */
    { "double complex z = 1.0 + 2.0 * I;", "DECL:z=" },
    { "double complex w;", "DECL:w" },
    { "long double complex lz, *plz;", "DECL:lz,plz" },
    { "complex double cw = 2.0;", "DECL:cw=" },
    { "float imaginary fi;", "DECL:fi" },
    { "float _Complex fz = 1.0f;", "DECL:fz=" },
    { "double _Complex dz;", "DECL:dz" },
    { "double complex;", "DECL:complex" },
    { "double complex(double x);", "DECL:complex()" },
    { "_Atomic(int) ai3 = 7, *pai;", "DECL:ai3=,pai" },
    { "_Alignas(16) char buf16[16] = \"hi\";", "DECL:buf16=" },
    { "_Thread_local int t3 = 3;", "DECL:t3=" },
    { "static _Thread_local int st = 4;", "DECL:st=" },
    { "_Thread_local static int st2;", "DECL:st2" },
    { "typeof(1 + 2) t = 3;", "DECL:t=" },
    { "__typeof__(x) y = x;", "DECL:y=" },
    { "__auto_type q = 5;", "DECL:q=" },
    { "unsigned long long big = 1ULL << 40;", "DECL:big=" },
    { "long double ld;", "DECL:ld" },
    { "unsigned u;", "DECL:u" },
    { "signed char sc = -1;", "DECL:sc=" },
    { "short int si, *psi = &si;", "DECL:si,psi=" },
    { "struct P q = {.x = 1, .y = 2};", "DECL:q=" },
    { "struct P pts[2] = {[1] = {.x = 3}};", "DECL:pts=" },
    { "struct Acc { int x; } acc = {4};", "DECL:struct Acc,acc=" },
    { "struct { int a; } anon;", "DECL:anon" },
    { "enum { A1, B1 } e = A1;", "DECL:e=" },
    { "enum Color c = RED;", "DECL:c=" },
    { "size_t sz;", "DECL:sz" },
    { "FILE *f = stdout;", "DECL:f=" },
    { "uint8_t bytes[4];", "DECL:bytes" },
    { "Node *head = NULL;", "DECL:head=" },
    { "Matrix m;", "DECL:m" },
    { "Matrix *pm = 0;", "DECL:pm=" },
    { "int x = 1 /* ; */, y = 2; // ;", "DECL:x=,y=" },
    { "char c = '{';", "DECL:c=" },
    { "char q = '\\'';", "DECL:q=" },
    { "int *p = (int *)malloc(4), n = sizeof(int[3]);", "DECL:p=,n=" },
    { "int x = ({ int t = 2; t * 3; });", "DECL:x=" },
    { "double d = 1e-3, e2 = 0x1p+3, h = .5;", "DECL:d=,e2=,h=" },
    { "int x __attribute__((aligned(8))) = 0;", "DECL:x=" },
    { "static const struct P origin = {0, 0};", "DECL:origin=" },
    { "int grid[3][3] = {{1}, {2}, {3}};", "DECL:grid=" },
    { "void (*handlers[2])(void);", "DECL:handlers" },
    { "int x = 3", "DECL:x=!" },
    { "wchar_t *ws = L\"wide\";", "DECL:ws=" },
    { "char *u = u8\"utf8;\";", "DECL:u=" },
    { "char16_t *c16 = u\"x\";", "DECL:c16=" },
    { "int i = 0, j, k = i;", "DECL:i=,j,k=" },
    { "int x = 1; int y = x + 1;", "DECL:x= DECL:y=" },
    { "int x = f(1, 2), y[2] = {3, 4}, *z = &x;", "DECL:x=,y=,z=" },
    /* statements */
    { "printf(\"%d\\n\", 1);", "STMT" },
    { "x = 3;", "STMT" },
    { "x++;", "STMT" },
    { "++x;", "STMT" },
    { "*p = 3;", "STMT" },
    { "(void)0;", "STMT" },
    { "p->x = 1;", "STMT" },
    { "a[1] = 2;", "STMT" },
    { "p = (struct P){1, 2};", "STMT" },
    { "x = ({ int y = 3; y * 2; });", "STMT" },
    { "for (int i = 0; i < 3; i++) { printf(\"%d\", i); }", "STMT" },
    { "for (;;) break;", "STMT" },
    { "while (1) break;", "STMT" },
    { "while (x) { x--; }", "STMT" },
    { "do x++; while (x < 3);", "STMT" },
    { "do { x++; } while (x < 3);", "STMT" },
    { "if (a) b();", "STMT" },
    { "if (a) { b(); }", "STMT" },
    { "if (a) { b(); } else { c(); }", "STMT" },
    { "if (a) b(); else if (c) d(); else e();\nf();", "STMT STMT" },
    { "if (a) { } else if (b) { } else { }\nx = 1;", "STMT STMT" },
    { "if (a) if (b) c(); else d();", "STMT" },
    { "if (a) for (;;) { break; } else while (0) {}", "STMT" },
    { "switch (x) { case 1: break; default: break; }", "STMT" },
    { "switch (x) case 1: y = 2;", "STMT" },
    { "return 0;", "STMT" },
    { "return;", "STMT" },
    { "break;", "STMT" },
    { "goto end;", "STMT" },
    { "end: ;", "STMT" },
    { "label: x++;", "STMT" },
    { "again: if (x) goto again;", "STMT" },
    { "{ int local = 3; }", "STMT" },
    { "{ }", "STMT" },
    { "{ int a; } { int b; }", "STMT STMT" },
    { "a * b;", "DECL:b" },
    { "a * b", "STMT!" },
    { "a * f(b)", "STMT!" },
    { "T * f(b), *g(c);", "DECL:f(),g()" },
    { "sizeof(int);", "STMT" },
    { "f()", "STMT!" },
    { "x", "STMT!" },
    { "x + y * 2", "STMT!" },
    { "printf(\"%s\\n\", u8\"x;\" L\"y\" u\"z\" U\"w\");", "STMT" },
    { "puts(\"/* not a comment */\");", "STMT" },
    { "puts(\"// nor this\");", "STMT" },
    { "s = \"a\\\"b;\";", "STMT" },
    { "x = a < b ? a : b;", "STMT" },
    { "x = y << 2 >> 1;", "STMT" },
    { "x = sizeof(struct P);", "STMT" },
    { "(*fp)(3);", "STMT" },
    { "fp(3);", "STMT" },
    { "ops[0](1, 2);", "STMT" },
    { "__builtin_trap();", "STMT" },
    { "asm volatile(\"nop\");", "STMT" },
    { "x = 1, y = 2;", "STMT" },
    { "x = 1 /* ; */;", "STMT" },
    { "x = 1;;;", "STMT" },
    { ";", "" },
    { "", "" },
    { "   \n\t\n", "" },
    { "// only a comment", "" },
    { "/* only\n a comment */", "" },
    /* mixes */
    { "#include <stdio.h>\nint x = 1;\nprintf(\"%d\", x);\nint f(void) { return x; }\nx = f();",
      "PP:include DECL:x= STMT FUNC:f STMT" },
    { "int a = 1;\na++;\nint b = a * 2;", "DECL:a= STMT DECL:b=" },
    { "struct P { int x; };\nstruct P p = {1};\np.x++;", "TYPE:struct P DECL:p= STMT" },
    { "typedef int T;\nT * q = 0;", "TYPE:T DECL:q=" },
    { "typedef int T;\nT (*fp)(int);", "TYPE:T DECL:fp" },
    { "typedef struct N N;\nN *(*mk)(int);", "TYPE:N DECL:mk" },
    { "int f(void);\nint f(void) { return 1; }\nf();", "DECL:f() FUNC:f STMT" },
    { "for (int i = 0; i < 2; i++) {}\nint i = 5;", "STMT DECL:i=" },
    { "if (x) {}\nelse_ = 3;", "STMT STMT" },
    { "x = 1\n#define Y 2\n", "STMT! PP:define=Y" },
    { "_Static_assert(sizeof(int) == 4, \"int\");", "OTHER" },
    { "static_assert(1, \"x\");", "OTHER" },
    { "__extension__ typedef long long ll;", "TYPE:ll" },
    /* CUDA */
    { "__global__ void k(int *a) { a[0] = 1; }", "FUNC:k" },
    { "__global__ void __launch_bounds__(256) kb(float *a) { }", "FUNC:kb" },
    { "static __global__ void ks(void) { }", "FUNC:ks" },
    { "__device__ float sq(float x) { return x * x; }", "FUNC:sq" },
    { "__host__ __device__ int both(int x) { return x; }", "FUNC:both" },
    { "__device__ __forceinline__ int fi(int x) { return x; }", "FUNC:fi" },
    { "template <typename T> __device__ T tsq(T x) { return x * x; }", "FUNC:tsq" },
    { "template <typename T, int N> __global__ void tk(T *a) { a[0] = N; }", "FUNC:tk" },
    { "__device__ int counter;", "DECL:counter" },
    { "__device__ int counter2 = 5;", "DECL:counter2=" },
    { "__constant__ float coef[4];", "DECL:coef" },
    { "__device__ __constant__ float c2[4] = {1, 2, 3, 4};", "DECL:c2=" },
    { "__shared__ float tile[16][16];", "DECL:tile" },
    { "__managed__ int mg;", "DECL:mg" },
    { "__global__ void k(int *a);", "DECL:k()" },
    { "k<<<1, 1>>>(d);", "STMT" },
    { "k<<<grid, block, 0, stream>>>(d, n);", "STMT" },
    { "tk<float, 4><<<1, 1>>>(d);", "STMT" },
    { "dim3 grid(4, 4);", "DECL:grid()" },
    { "dim3 block = dim3(16, 16);", "DECL:block=" },
    { "cudaMalloc(&d, 4 * sizeof(int));", "STMT" },
    { "cudaStream_t st;", "DECL:st" },
    { "cudaEvent_t e1, e2;", "DECL:e1,e2" },
    { "float *d_a = NULL;", "DECL:d_a=" },
    { "cudaError_t err = cudaGetLastError();", "DECL:err=" },
    { "struct F { __device__ int operator()(int x) const { return x; } };", "TYPE:struct F" },
    { "template <typename T> struct Vec { T x, y; };", "TYPE:struct Vec" },
    { "namespace ns { int z; }", "OTHER" },
    { "using namespace std;", "OTHER" },
    { "extern \"C\" { int ec(void); }", "OTHER" },
    { "extern \"C\" int ec2(void) { return 1; }", "FUNC:ec2" },
    { "std::vector<int> v;", "DECL:v" },
    { "std::cout << 1;", "STMT" },
    { "auto lam = [](int x) { return x; };", "DECL:lam=" },
};

/* ---- generated declarations -------------------------------------------- */

static const char *gen_types[] = {
    "int", "unsigned long", "const char", "struct S", "size_t", "FILE", "uint8_t",
    "long double", "_Bool", "enum E", "union U", "double", "signed char", "short",
    "cudaStream_t", "float",
};
typedef struct form { const char *decl, *want; bool func; } form;
static const form gen_forms[] = {
    { "x;", "DECL:x", false },
    { "*x;", "DECL:x", false },
    { "x = 0;", "DECL:x=", false },
    { "x[3];", "DECL:x", false },
    { "*x[2] = {0};", "DECL:x=", false },
    { "(*fp)(int);", "DECL:fp", false },
    { "f(void);", "DECL:f()", true },
    { "f(int a) { (void)a; return 0; }", "FUNC:f", true },
    { "x, *y = 0;", "DECL:x,y=", false },
    { "**pp;", "DECL:pp", false },
    { "(*arr[4])(void) = {0};", "DECL:arr=", false },
    { "*g(int n, char **v) { return 0; }", "FUNC:g", true },
};
static const char *gen_prefixes[] = {
    "", "static ", "extern ", "const ", "static const ", "volatile ",
    "__attribute__((unused)) ", "_Thread_local ",
};

static int check_case(const char *in, const char *want, const char *label)
{
    cc_cell c;
    char *err = NULL;
    if (cc_cell_split(in, NULL, NULL, &c, &err)) {
        CHECK(0, "%s: split refused: %s", label, err);
        free(err);
        return -1;
    }
    char *got = cc_cell_describe(&c);
    CHECK_STR(got, want, "%s", label);
    free(got);
    cc_cell_free(&c);
    return 0;
}

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char label[96];
        snprintf(label, sizeof label, "case %zu: %.60s", i, cases[i].in);
        for (char *p = label; *p; p++) if (*p == '\n' || *p == '#') *p = ' ';
        check_case(cases[i].in, cases[i].want, label);
    }
}

static void test_generated(void)
{
    char in[256], label[300];
    size_t nt = sizeof gen_types / sizeof *gen_types, nf = sizeof gen_forms / sizeof *gen_forms;
    size_t np = sizeof gen_prefixes / sizeof *gen_prefixes;
    for (size_t t = 0; t < nt; t++)
        for (size_t f = 0; f < nf; f++)
            for (size_t p = 0; p < np; p++) {
                /* keep it to a sample of the prefix grid so the count stays readable */
                if ((t + f + p) % 3 != 0 && p > 1) continue;
                if (gen_forms[f].func && strstr(gen_prefixes[p], "_Thread_local")) continue;
                snprintf(in, sizeof in, "%s%s %s", gen_prefixes[p], gen_types[t], gen_forms[f].decl);
                snprintf(label, sizeof label, "generated: %s", in);
                check_case(in, gen_forms[f].want, label);
            }
}

/* Items carry what codegen needs. */
static void test_details(void)
{
    cc_cell c;
    char *err;
    const char *src = "static const int N = 5;\nint arr[] = {1};\nint *const cp = 0;\n"
                      "extern int e;\n__device__ int dv;\n  x = 1";
    CHECK(cc_cell_split(src, NULL, NULL, &c, &err) == 0, "split details");
    CHECK(c.n_items == 6, "six items");
    if (c.n_items == 6) {
        CHECK(c.items[0].flags & CC_F_STATIC && c.items[0].flags & CC_F_CONST, "static const flags");
        CHECK(c.items[0].decls[0].top_const && c.items[0].decls[0].has_init, "top-level const with init");
        CHECK(c.items[1].decls[0].incomplete_array, "incomplete array");
        CHECK(c.items[2].decls[0].top_const, "const pointer is top-level const");
        CHECK(c.items[3].flags & CC_F_EXTERN && !c.items[3].decls[0].has_init, "extern declaration");
        CHECK(c.items[4].flags & CC_F_DEVICE, "__device__ flag");
        CHECK(c.items[5].line == 6 && c.items[5].col == 3 && c.items[5].no_semicolon, "position and tail of the last item");
    }
    cc_cell_free(&c);
    CHECK(cc_cell_split("const char *s = \"x\";", NULL, NULL, &c, &err) == 0 && !c.items[0].decls[0].top_const,
          "pointer to const is not top-level const");
    cc_cell_free(&c);
    CHECK(cc_cell_split("enum E { A, B = 3, C };", NULL, NULL, &c, &err) == 0 && c.items[0].n_enumerators == 3 &&
          strcmp(c.items[0].enumerators[2], "C") == 0, "enumerators collected");
    cc_cell_free(&c);
    CHECK(cc_cell_split("int f(a, b) int a; int b; { return a + b; }", NULL, NULL, &c, &err) == 0 &&
          c.items[0].kind == CC_ITEM_FUNC && c.items[0].decls[0].knr, "K&R flagged");
    cc_cell_free(&c);
    CHECK(cc_cell_split("#define X \\\n 1\nX;", NULL, NULL, &c, &err) == 0 && c.items[1].line == 3,
          "line count past a continued directive");
    cc_cell_free(&c);
    CHECK(cc_is_common_type("size_t", 6) && cc_is_common_type("my_type_t", 9) && cc_is_common_type("dim3", 4) &&
          !cc_is_common_type("x", 1) && !cc_is_common_type("_t", 2), "common type names");
}

/* A type the session knows makes `T * x` a declaration. */
static bool knows_T(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    return len == 5 && memcmp(name, "Thing", 5) == 0;
}

static void test_session_types(void)
{
    cc_cell c;
    char *err;
    CHECK(cc_cell_split("Thing (*fp)(int);", knows_T, NULL, &c, &err) == 0 && c.items[0].kind == CC_ITEM_DECL,
          "session typedef: function pointer declaration");
    cc_cell_free(&c);
    CHECK(cc_cell_split("Other (*fp)(int);", knows_T, NULL, &c, &err) == 0 && c.items[0].kind == CC_ITEM_STMT,
          "unknown name: a call");
    cc_cell_free(&c);
    CHECK(cc_cell_split("Thing * make(void);", knows_T, NULL, &c, &err) == 0 && c.items[0].kind == CC_ITEM_DECL,
          "session typedef: prototype");
    cc_cell_free(&c);
}

/* ---- malformed input ------------------------------------------------------ */

static const tcase bad[] = {
    { "void f() {", "never closed" },
    { "int a[3 = {1};", "never closed" },
    { "/* open", "never closed" },
    { "x = 1; /* open\n more", "line 1" },
    { "\"abc", "string literal is never closed" },
    { "char c = 'x;", "character literal is never closed" },
    { "puts(\"a\nb\");", "string literal" },
    { ")", "closes nothing" },
    { "}", "closes nothing" },
    { "int a[3] = {1, 2, 3];", "does not match" },
    { "f(1, 2;", "never closed" },
    { "if (x) { y(); ", "never closed" },
    { "{ { }", "never closed" },
    { "x = (1 + 2));", "closes nothing" },
    { "R\"x(abc", "raw string" },
    { "int f(void) {\n  if (x) {\n    y();\n}\n", "Line 1, column 13" },
    { "int a = 1;\nint b = (2;\n", "Line 2, column 9" },
};

static void test_malformed(void)
{
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cc_cell c;
        char *err = NULL;
        int rc = cc_cell_split(bad[i].in, NULL, NULL, &c, &err);
        CHECK(rc == -1 && err && strstr(err, bad[i].want) && strstr(err, "run the cell again"),
              "malformed %zu refused with a useful message", i);
        if (rc == -1 && (!err || !strstr(err, bad[i].want))) printf("#   message: %s\n", err ? err : "(none)");
        free(err);
        if (rc == 0) cc_cell_free(&c);
    }
    /* an apostrophe in #error text is fine */
    cc_cell c;
    char *err = NULL;
    CHECK(cc_cell_split("#error don't\nint x;", NULL, NULL, &c, &err) == 0 && c.n_items == 2, "apostrophe in a directive");
    cc_cell_free(&c);
}

/* ---- fuzz --------------------------------------------------------------- */

static const char alphabet[] = "{}()[];,=*&<>\"'/\\\n #abcxyz_019.+-:?!~^|%";
static const char *words[] = { "int ", "struct ", "typedef ", "static ", "if ", "else ", "do ", "while ",
    "for ", "return ", "__global__ ", "__device__ ", "<<<", ">>>", "/*", "*/", "//", "#define ",
    "u8\"", "R\"(", "enum ", "main", "__attribute__((", "_Static_assert(", "case ", ":", "\\\n" };

static unsigned rng_state = 12345;
static unsigned rnd(void) { rng_state = rng_state * 1103515245u + 12345u; return rng_state >> 8; }

static void mutate(char *buf, size_t cap, const char *seed)
{
    size_t n = strlen(seed);
    if (n >= cap) n = cap - 1;
    memcpy(buf, seed, n);
    buf[n] = '\0';
    int edits = 1 + (int)(rnd() % 6);
    for (int e = 0; e < edits; e++) {
        size_t len = strlen(buf);
        size_t pos = len ? rnd() % (len + 1) : 0;
        switch (rnd() % 4) {
        case 0:   /* delete a run */
            if (len) { size_t k = 1 + rnd() % 4; if (pos + k > len) k = len - pos; memmove(buf + pos, buf + pos + k, len - pos - k + 1); }
            break;
        case 1: { /* insert a char */
            if (len + 2 >= cap) break;
            memmove(buf + pos + 1, buf + pos, len - pos + 1);
            buf[pos] = alphabet[rnd() % (sizeof alphabet - 1)];
            break;
        }
        case 2: { /* insert a word */
            const char *w = words[rnd() % (sizeof words / sizeof *words)];
            size_t wl = strlen(w);
            if (len + wl + 1 >= cap) break;
            memmove(buf + pos + wl, buf + pos, len - pos + 1);
            memcpy(buf + pos, w, wl);
            break;
        }
        default:  /* replace a char */
            if (len) buf[rnd() % len] = alphabet[rnd() % (sizeof alphabet - 1)];
        }
    }
}

/* ---- huge cells: the front end is linear and can be cancelled ---------- */

/* n copies of the line made by fmt (with its number), plus head and tail. */
static char *repeat_lines(const char *head, const char *fmt, long n, const char *sep, const char *tail)
{
    size_t cap = strlen(head) + strlen(tail) + (size_t)n * (strlen(fmt) + strlen(sep) + 24) + 1;
    char *s = malloc(cap), *p = s;
    if (!s) abort();
    p += sprintf(p, "%s", head);
    for (long i = 0; i < n; i++) {
        p += sprintf(p, fmt, i, i);
        p += sprintf(p, "%s", sep);
    }
    sprintf(p, "%s", tail);
    return s;
}

static size_t count_kind(const cc_cell *c, cc_item_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_items; i++) n += c->items[i].kind == kind;
    return n;
}

static void test_huge(void)
{
    /* a million statements; the typedef at the top still makes the last line a declaration */
    char *code = repeat_lines("typedef int T;\nint g;\n", "g++;", 1000000, "\n", "T * p;\n");
    cc_cell c;
    char *err = NULL;
    int rc = cc_cell_split(code, NULL, NULL, &c, &err);
    CHECK(rc == 0, "a 1M-line cell splits (%s)", err ? err : "ok");
    CHECK(c.n_items == 1000003, "1M-line cell: %zu items", c.n_items);
    CHECK(count_kind(&c, CC_ITEM_STMT) == 1000000, "1M-line cell: a million statements");
    CHECK(c.n_items && c.items[c.n_items - 1].kind == CC_ITEM_DECL &&
          strcmp(c.items[c.n_items - 1].decls[0].name, "p") == 0, "1M-line cell: T * p; after them is a declaration");
    cc_cell_free(&c);
    free(err);
    free(code);

    /* many typedefs of the cell itself, each used right after */
    code = repeat_lines("", "typedef int T%ld; T%ld * v;", 100000, "\n", "");
    err = NULL;
    rc = cc_cell_split(code, NULL, NULL, &c, &err);
    CHECK(rc == 0 && count_kind(&c, CC_ITEM_TYPE) == 100000 && count_kind(&c, CC_ITEM_DECL) == 100000,
          "100k typedefs each used in a declaration: %zu types, %zu declarations",
          count_kind(&c, CC_ITEM_TYPE), count_kind(&c, CC_ITEM_DECL));
    cc_cell_free(&c);
    free(err);
    free(code);
}

static int cancel_calls;
static bool cancel_on_third(void *ctx)
{
    (void)ctx;
    return ++cancel_calls >= 3;
}

static void test_cancel(void)
{
    char *code = repeat_lines("int g;\n", "g += %ld + %ld;", 200000, "\n", "");
    cc_cancel cancel = { cancel_on_third, NULL };
    cc_cell c;
    char *err = NULL;
    cancel_calls = 0;
    int rc = cc_cell_split_cancel(code, NULL, NULL, &cancel, &c, &err);
    CHECK(rc == -1 && cancel_calls == 3, "a split stops when cancel says so (rc %d, %d questions)", rc, cancel_calls);
    CHECK_STR(err, CC_CANCELLED_MSG, "a cancelled split says it was interrupted");
    CHECK(c.n_items == 0 && c.toks == NULL, "a cancelled split leaves an empty cell");
    free(err);

    cc_session *s = cc_session_new();
    cc_session_set_cancel(s, cancel_on_third, NULL);
    cancel_calls = 0;
    err = NULL;
    cc_plan *p = cc_session_plan(s, code, 1, CC_LANG_C, &err);
    CHECK(!p && err && strcmp(err, CC_CANCELLED_MSG) == 0, "a plan stops when the session's cancel says so");
    free(err);
    cc_session_set_cancel(s, NULL, NULL);
    err = NULL;
    p = cc_session_plan(s, code, 1, CC_LANG_C, &err);
    CHECK(p != NULL, "without a cancel the same cell plans (%s)", err ? err : "ok");
    cc_plan_free(p);
    free(err);
    cc_session_free(s);
    free(code);
}

static void test_long_line(void)
{
    /* 20000 statements on one line: the generated text stays proportional
     * to the cell (each item is not padded out to its column) */
    char *code = repeat_lines("int g;\n", "g++;", 20000, " ", "\n");
    cc_session *s = cc_session_new();
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, code, 1, CC_LANG_C, &err);
    CHECK(p && strlen(p->source) < 40 * strlen(code),
          "one line of 20000 statements: %zu bytes of source for %zu of cell",
          p ? strlen(p->source) : 0, strlen(code));
    CHECK(p && strstr(p->source, "#line 2 \"cell\"\n     g++;"), "the second statement keeps its column (6)");
    cc_plan_free(p);
    free(err);
    cc_session_free(s);
    free(code);
}

static size_t count_nl(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) n += *s == '\n';
    return n;
}

/* The session's M(x), as a declaration-making macro, for the fuzz probes. */
static const char *fuzz_macro(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "M") == 0 ? "#define M(x) int x##_m(void) { return 1; }" : NULL;
}

static void test_fuzz(void)
{
    cc_session *s = cc_session_new();
    char *err = NULL;
    cc_plan *p = cc_session_plan(s, "#include <stdio.h>\ntypedef struct N { int v; } N;\nint g = 1;\n"
                                    "int f(int x) { return x; }\n#define M(x) f(x)\n", 1, CC_LANG_C, &err);
    if (p) { cc_session_commit(s, p, "cell-seed.so"); cc_plan_free(p); }
    size_t ncases = sizeof cases / sizeof *cases;
    char buf[512];
    int split_ok = 0, split_err = 0, plans = 0, pp_probes = 0, pp_lines_bad = 0;
    clock_t t0 = clock();
    for (int i = 0; i < 20000; i++) {
        mutate(buf, sizeof buf, cases[rnd() % ncases].in);
        if (i % 7 == 0) {  /* sometimes glue two cases together */
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "\n%s", cases[rnd() % ncases].in);
        }
        cc_cell c;
        err = NULL;
        if (cc_cell_split(buf, NULL, NULL, &c, &err) == 0) {
            split_ok++;
            char *d = cc_cell_describe(&c);
            free(d);
            cc_cell_free(&c);
        } else {
            split_err++;
            if (!err || !*err) { CHECK(0, "fuzz: refusal without a message for [%s]", buf); }
            free(err);
        }
        if (i % 3 == 0) {   /* the probe: built, applied to itself, lines kept */
            static const char *const pp_bits[] = {
                "\nM(a) M(b)\n", "\n#if A\nM(k)\n#elif defined(__CUDA_ARCH__)\nint e;\n#endif\n",
                "\n#define D(n) typedef int t##n;\nD(1) D(\n2)\n", "\n#define S struct T\nS { int a; };\n",
                "\n#ifdef __CUDA_ARCH__\n#if B\nM(q)\n#endif\n#endif\n", "M(", "\n#if X\n" };
            char pbuf[1024];
            size_t cut = strlen(buf) ? rnd() % (strlen(buf) + 1) : 0;
            snprintf(pbuf, sizeof pbuf, "%.*s%s%s", (int)cut, buf, pp_bits[rnd() % 7], buf + cut);
            cc_pp_opts po = {.keep_arch = i % 2 == 0, .session_macro = fuzz_macro};
            (void)cc_pp_wanted(pbuf, &po);
            cc_pp_probe pr;
            cc_pp_probe_build(pbuf, 1, &po, &pr);
            char *r = cc_pp_apply(pbuf, &pr, pr.text);
            if (count_nl(r) != count_nl(pbuf)) { pp_lines_bad++; CHECK(0, "fuzz: the probe changed the line count of [%s]", pbuf); }
            pp_probes += pr.n_exps > 0 || pr.n_conds > 0;
            free(r);
            cc_pp_probe_free(&pr);
        }
        if (i % 4 == 0) {
            err = NULL;
            cc_lang lang = cc_cell_is_cuda(buf) ? CC_LANG_CUDA : CC_LANG_C;
            p = cc_session_plan(s, buf, 1 + i % 5, lang, &err);
            if (p) {
                plans++;
                if (!p->source) CHECK(0, "fuzz: plan without source");
                if (i % 40 == 0) { char so[32]; snprintf(so, sizeof so, "cell-f%d.so", i); cc_session_commit(s, p, so); }
                cc_plan_free(p);
            } else {
                free(err);
            }
        }
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(split_ok > 1000 && split_err > 100, "fuzz: 20000 mutated cells, %d split, %d refused, %d planned",
          split_ok, split_err, plans);
    CHECK(pp_probes > 1000 && pp_lines_bad == 0, "fuzz: %d probes with work, every one kept the line count", pp_probes);
    printf("# fuzz ran in %.2f s\n", secs);
    cc_session_free(s);
}

/* ---- preprocessor conditionals (cellpp.c) ---- */

/* The probe of code, run through a fake "preprocessor output" naming the
 * taken markers, applied back. */
static char *pp_resolve(const char *code, const char *taken)
{
    cc_pp_probe pr;
    cc_pp_probe_build(code, 1, NULL, &pr);
    char *out = cc_pp_apply(code, &pr, taken);
    cc_pp_probe_free(&pr);
    return out;
}

static bool vec2_type(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    return len == 4 && !strncmp(name, "vec2", 4);
}

static void test_cellpp(void)
{
    CHECK(!cc_pp_has_cond("int x;\n#define A 1\n"), "no conditional");
    CHECK(cc_pp_has_cond("int x;\n  #  ifdef A\n#endif\n"), "indented #ifdef");
    CHECK(!cc_pp_has_cond("/*\n#if 0\n*/ int x;"), "#if inside a comment is no directive");
    CHECK(!cc_pp_has_cond("const char *s = \"\\\n#if\";"), "#if in a continued string is none either");
    CHECK(cc_pp_has_cond("#if 0\n don't\n#endif"), "apostrophe in a skipped group");

    const char *code = "int a;\n#if X\nint b;\n#elif Y\n#error no\n#else\n junk '\n#endif\nint c;\n";
    cc_pp_probe pr;
    cc_pp_probe_build(code, 5, NULL, &pr);
    CHECK(pr.n_segs == 5 && pr.n_conds == 4, "segments and conditionals");
    CHECK(pr.text && strstr(pr.text, "__cc_branch_0\n") && strstr(pr.text, "#line 6 \"cell\"\n#if X\n__cc_branch_1\n") &&
          strstr(pr.text, "#error no") && !strstr(pr.text, "int b"), "probe: markers, directives with cell lines, no code");
    cc_pp_probe_free(&pr);

    char *r = pp_resolve(code, "x\n__cc_branch_0\n__cc_branch_1\n__cc_branch_4\n");
    CHECK_STR(r, "int a;\n     \nint b;\n       \n         \n     \n       \n      \nint c;\n",
              "only the taken group stays, directives blanked, lines kept");
    free(r);
    r = pp_resolve(code, "__cc_branch_0 __cc_branch_10 x__cc_branch_1 __cc_branch_3 __cc_branch_4");
    CHECK_STR(r, "int a;\n     \n      \n       \n         \n     \n junk '\n      \nint c;\n",
              "markers count as whole tokens only");
    free(r);
    r = pp_resolve("#if A /* a comment\n that ends here */\nint x;\n#endif\n", "__cc_branch_1");
    CHECK_STR(r, "                  \n                  \nint x;\n      \n", "a comment continues the directive");
    free(r);

    /* CUDA: chains testing __CUDA_ARCH__ (and what they hold) stay for nvcc */
    cc_pp_opts cuda = {.keep_arch = true};
    const char *arch = "#ifdef __CUDA_ARCH__\n#if X\nint d;\n#endif\n#else\nint h;\n#endif\n"
                       "#if defined(USE_F)\nint f;\n#endif\n";
    CHECK(cc_pp_wanted(arch, &cuda) && !cc_pp_wanted("#if __CUDA_ARCH__ >= 800\nint a;\n#endif\n", &cuda),
          "an __CUDA_ARCH__ chain alone needs no probe; another conditional does");
    cc_pp_probe_build(arch, 1, &cuda, &pr);
    CHECK(pr.n_conds == 2 && pr.n_segs == 3, "only the chain that does not test the arch is evaluated");
    r = cc_pp_apply(arch, &pr, "__cc_branch_0\n__cc_branch_2\n");
    CHECK_STR(r, "#ifdef __CUDA_ARCH__\n#if X\nint d;\n#endif\n#else\nint h;\n#endif\n"
                 "                  \n      \n      \n", "the arch chain is kept whole, the other resolved");
    free(r);
    cc_pp_probe_free(&pr);

    /* macros that make declarations are expanded in place */
    cc_pp_opts plain = {0};
    const char *mk = "#define DEF(n, op) int n##_f(int a, int b) { return a op b; }\n"
                     "#define CHECK_OK(x) do { if (!(x)) abort(); } while (0)\n"
                     "DEF(add, +)\nDEF(mul,\n    *) DEF(sub, -)\nvoid g(void) { DEF(no, +) }\nCHECK_OK(1);\n";
    CHECK(cc_pp_wanted(mk, &plain), "a declaration-making macro needs the probe");
    CHECK(!cc_pp_wanted("#define CHECK_OK(x) do { } while (0)\nCHECK_OK(1);\nint DEF(int);\n", &plain),
          "a statement macro, or an unknown name, does not");
    cc_pp_probe_build(mk, 1, &plain, &pr);
    CHECK(pr.n_exps == 3 && pr.text && strstr(pr.text, "#line 4 \"cell\"\n__cc_exp_1_ DEF(mul,\n    *) __cc_exp_end_1\n"),
          "three file-scope invocations, in the probe with their cell lines");
    r = cc_pp_apply(mk, &pr, "__cc_branch_0\n__cc_exp_0_ int add_f(int a, int b) { return a + b; } __cc_exp_end_0\n"
                             "__cc_exp_1_ int mul_f(int a,\n int b) { return a * b; } __cc_exp_end_1\n");
    CHECK(r && strstr(r, "\nint add_f(int a, int b) { return a + b; }\nint mul_f(int a,  int b) { return a * b; }\n"
                         " DEF(sub, -)\nvoid g(void) { DEF(no, +) }\n"),
          "expansions replace their invocations, lines kept; one the preprocessor did not reach stays");
    free(r);
    cc_pp_probe_free(&pr);

    cc_pp_probe_build("#define CPX struct CS\n#define REAL double\nCPX { long x; };\nstatic CPX f(CPX a);\nREAL r;\n",
                      1, &plain, &pr);
    CHECK(pr.n_exps == 1 && pr.exps[0].end - pr.exps[0].off == 3 && strstr(pr.text, "__cc_exp_0_ CPX __cc_exp_end_0"),
          "an object-like macro standing for `struct TAG` is expanded before its body only");
    cc_pp_probe_free(&pr);
    cc_pp_probe_build("#define HD __host__ __device__\n#define KERNEL __global__ void\n#define BLOCK 256\n"
                      "HD float sq(float x) { return x * x; }\nKERNEL k(float *a) { a[0] = HD_none; }\nint b = BLOCK;\n",
                      1, &plain, &pr);
    CHECK(pr.n_exps == 2 && strstr(pr.text, "__cc_exp_0_ HD __cc_exp_end_0") &&
          strstr(pr.text, "__cc_exp_1_ KERNEL __cc_exp_end_1"),
          "object-like macros of CUDA qualifiers are expanded where a declaration starts, constants are not");
    cc_pp_probe_free(&pr);

    cc_pp_opts typed = {.is_type = vec2_type};
    cc_pp_probe_build("#define GET(T, n) T get_##n(void) { return n; }\nGET(int, a)\nGET(size_t, s)\nGET(vec2, c)\nGET(unknown_x, b)\n"
                      "GET(nothing, d)\nGET((x), e)\n", 1, &typed, &pr);
    CHECK(pr.n_exps == 3 && strstr(pr.text, "__cc_exp_0_ GET(int, a)") && strstr(pr.text, "__cc_exp_2_ GET(vec2, c)"),
          "a macro starting with a parameter is expanded where its argument is a type (keyword, _t, the session's)");
    cc_pp_probe_free(&pr);

    /* pop_macro: the session learns the macro the compiler ends with */
    CHECK(cc_pp_macro_fixup("#define A 1\n", NULL, NULL) == NULL, "no pop: nothing to do");
    r = cc_pp_macro_fixup("#define W 1\n#pragma push_macro(\"W\")\n#undef W\n#define W 2\n#pragma pop_macro(\"W\")", NULL, NULL);
    CHECK(r && strstr(r, "pop_macro(\"W\")\n#pragma push_macro(\"W\")\n#undef W\n#define W 1\n#pragma pop_macro(\"W\")\n"),
          "restates the cell's definition");
    free(r);
    r = cc_pp_macro_fixup("#pragma push_macro(\"W\")\n#define W 2\n#pragma pop_macro(\"W\")\n", NULL, NULL);
    CHECK(r && strstr(r, "#pragma push_macro(\"W\")\n#undef W\n#pragma pop_macro(\"W\")\n"), "back to undefined");
    free(r);
}

int main(void)
{
    test_cellpp();
    test_table();
    test_generated();
    test_details();
    test_session_types();
    test_malformed();
    test_huge();
    test_cancel();
    test_long_line();
    test_fuzz();
    return tap_done();
}
