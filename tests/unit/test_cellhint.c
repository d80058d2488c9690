/* tests/unit/test_cellhint.c — the plain-words explanations of failed C
 * cells, table-driven: cell text, the compiler's diagnostics (as GCC and ld
 * write them, curly quotes and plain), the plan's hidden CUDA names, and
 * what the explanation must contain (or that there is none). */
#include "cellhint.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

typedef struct hcase {
    const char *code, *diag, *hidden;
    const char *want[4];     /* substrings of the hint; want[0] NULL: no hint */
} hcase;

#define VM(name) "cell:2:5: error: variably modified \xe2\x80\x98" name "\xe2\x80\x99 at file scope\n"

static const hcase cases[] = {
    /* a top-level variable-length array */
    { "int n = 5;\nint v[n];", VM("v"), NULL,
      { "cell:2:5: `v`", "global", "constant", "`int *v = malloc(n * sizeof *v);`" } },
    { "int n = 5;\nint v[n];", VM("v"), NULL, { "`{ int v[n]; ... }`" } },
    { "int m = 3;\ndouble grid[m][m + 1];", VM("grid"), NULL,
      { "`double *grid = malloc(m * (m + 1) * sizeof *grid);`", "grid[i * (m + 1) + j]" } },
    { "int k = 2;\nstatic char *names[k];", VM("names"), NULL,
      { "`static char **names = malloc(k * sizeof *names);`", "`{ static char *names[k]; ... }`" } },
    { "int k = 2;\nint (*fp[k])(void);", VM("fp"), NULL, { "global", "malloc", "block" } },
    { "int k = 2;\nint v[k];", "cell:2:5: error: variably modified 'v' at file scope\n", NULL,
      { "`int *v = malloc(k * sizeof *v);`" } },
    { "int k = 2;\ntypedef int row[k];", VM("row"), NULL, { NULL } },
    /* C++ in a C cell */
    { "#include <iostream>\nstd::cout << 1;", "cell:1:10: fatal error: iostream: No such file\n", NULL,
      { "C++ (`#include <iostream>`)", "`%%cuda`" } },
    { "std::cout << 1;", "cell:1:4: error: expected\n", NULL, { "`std::cout`" } },
    { "using namespace std;\ncout << 1;", "error\n", NULL, { "`using namespace std`" } },
    { "class Foo { public: int x; };", "error\n", NULL, { "`class Foo`" } },
    { "template <typename T> T id(T x) { return x; }", "error\n", NULL, { "`template`" } },
    { "int class = 1; int template = 2; x = y;", "error: y undeclared\n", NULL, { NULL } },
    { "[[gnu::unused]] int q; x = y;", "error\n", NULL, { NULL } },
    { "puts(\"std::cout\"); // class X\nx = y;", "error\n", NULL, { NULL } },
    /* names from CUDA cells that C cannot see */
    { "float x = make4().x;",
      "cell:1:11: warning: implicit declaration of function \xe2\x80\x98make4\xe2\x80\x99\n",
      "make4\tf\t`float4`\n",
      { "`make4` was defined in a CUDA cell", "uses `float4`", "`%%cuda`", "C-compatible signature" } },
    { "int r = usep(0);", "cell:1: undefined reference to `usep'\n", "other\tf\t`half`\nusep\tf\t`struct P`\n",
      { "`usep`", "`struct P`" } },
    { "ov(1);", "cell:1: undefined reference to `ov'\n", "ov\tf\t`half`\nov\tf\t`float2`\n",
      { "`ov` was defined in a CUDA cell and its declaration uses `half`" } },
    { "k(1);", "cell:1: undefined reference to `k'\n", "k\tk\tCUDA\n", { "CUDA kernel", "`%%cuda`" } },
    { "int y = twice(1);", "implicit declaration of function 'twice'\n", "twice\td\tCUDA\n", { "device code" } },
    { "struct P *p = 0; p->v = 1;", "error: invalid use of undefined type \xe2\x80\x98struct P\xe2\x80\x99\n",
      "struct P\tt\t`float4`\n", { "`struct P` was defined in a CUDA cell and its definition uses `float4`" } },
    { "vec v;", "error: unknown type name \xe2\x80\x98vec\xe2\x80\x99\n", "vec\tt\t`float4`\n",
      { "`vec` was defined", "C-compatible definition" } },
    { "int usep_x = 1; x = y;", "error: \xe2\x80\x98y\xe2\x80\x99 undeclared\n", "usep\tf\t`half`\n", { NULL } },
    { "x = y;", "error: \xe2\x80\x98y\xe2\x80\x99 undeclared\n", NULL, { NULL } },
    /* the link failed: a function no cell has defined, or a library not linked */
    { "int foo(void) { return bar(1); }", "cell: in function `foo':\ncell:1: undefined reference to `bar'\n"
      "cell:1: undefined reference to `bar'\n", NULL,
      { "`bar` is called or used here, but no cell has defined it yet", "in this cell or an earlier one" } },
    { "f();", "cell:1: undefined reference to `cudacell.f'\ncell:2: undefined reference to `g'\n", NULL,
      { "`f`, `g` are called", "defined them" } },
    { "cublasCreate(&h);", "cell:3: undefined reference to `cublasCreate_v2'\n", NULL,
      { "`cublasCreate_v2` comes from a library that is not linked", "`%ldflags -lcublas`" } },
    { "omp_get_thread_num();", "cell:1: undefined reference to `omp_get_thread_num'\n", NULL, { "`%cflags -fopenmp`" } },
};

int main(void)
{
    char *ov = cc_cell_hint("ov(1);", "undefined reference to `ov'", "ov\tf\t`half`\nov\tf\t`float2`\n");
    CHECK(ov && !strstr(ov, "float2"), "an overloaded name is explained once");
    free(ov);
    char *cx = cc_cxx_hint("cell:2: undefined reference to `helper(int)'\n");
    CHECK(cx && strstr(cx, "`helper(int)` is called"), "C++ cells get the link explanation too");
    free(cx);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const hcase *c = &cases[i];
        char *h = cc_cell_hint(c->code, c->diag, c->hidden);
        if (!c->want[0]) {
            CHECK(h == NULL, "case %zu: no hint (got: %s)", i, h ? h : "");
        } else {
            for (int k = 0; k < 4 && c->want[k]; k++)
                CHECK(h && strstr(h, c->want[k]), "case %zu: hint has %s (got: %s)", i, c->want[k], h ? h : "(none)");
        }
        free(h);
    }
    CHECK(cc_cell_hint(NULL, "x", NULL) == NULL && cc_cell_hint("x", NULL, NULL) == NULL, "NULL in, NULL out");
    return tap_done();
}
