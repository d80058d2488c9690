"""The C cell model: declarations persist, statements run in order, top-level
variables persist with runtime initializers, the newest definition wins;
inspect_request and history_request see what the session declared and ran."""


def out(kernel, code, **kw):
    return kernel.ok(code, **kw).stdout


def test_hello_world(kernel):
    assert out(kernel, 'printf("hello, world\\n");') == "hello, world\n"


def test_hello_world_in_a_new_session():
    """The spec's hello world, in a session without any #include."""
    from kernel_harness import Kernel
    k = Kernel()
    try:
        r = k.execute('printf("hello, world\\n");')
        assert r.status == "ok", r.describe()
        assert r.stdout == "hello, world\n"
    finally:
        k.shutdown()


def test_include_persists(kernel):
    kernel.ok("#include <iso646.h>")
    assert out(kernel, 'if (1 and not 0) printf("and\\n");') == "and\n"


def test_define_persists(kernel):
    kernel.ok("#define SQUARE(x) ((x) * (x))")
    assert out(kernel, 'printf("%d\\n", SQUARE(7));') == "49\n"


def test_struct_persists(kernel):
    kernel.ok("struct pt { int x, y; };")
    assert out(kernel, 'struct pt p = {1, 2};\nprintf("%d\\n", p.x + p.y);') == "3\n"


def test_typedef_persists(kernel):
    kernel.ok("typedef struct { double re, im; } cplx;")
    assert out(kernel, 'cplx c1 = {1.5, 2};\nprintf("%g\\n", c1.re + c1.im);') == "3.5\n"


def test_enum_persists(kernel):
    kernel.ok("enum color { RED, GREEN = 5, BLUE };")
    assert out(kernel, 'printf("%d %d\\n", RED, BLUE);') == "0 6\n"


def test_function_persists(kernel):
    kernel.ok("int add(int a, int b) { return a + b; }")
    assert out(kernel, 'printf("%d\\n", add(40, 2));') == "42\n"


def test_static_function_and_variable_persist(kernel):
    kernel.ok("static int hidden = 3;\nstatic int sq(int x) { return x * x; }")
    assert out(kernel, 'printf("%d %d\\n", hidden, sq(4));') == "3 16\n"


def test_global_persists_and_changes(kernel):
    kernel.ok("int gcount = 41;")
    assert out(kernel, 'gcount++;\nprintf("%d\\n", gcount);') == "42\n"
    assert out(kernel, 'printf("%d\\n", gcount);') == "42\n"


def test_complex_atomic_aligned_thread_local_globals(fresh_kernel):
    """C99/C11 specifiers on top-level variables: <complex.h>'s `double
    complex`, _Complex, _Atomic, _Alignas, _Thread_local (also static)."""
    k = fresh_kernel
    k.ok("#include <complex.h>\n#include <stdatomic.h>\n"
         "double complex z = 1.0 + 2.0 * I;\ndouble complex w;\n"
         "float _Complex fz = 3.0f + 4.0f * I;\n"
         "_Atomic(int) ai = 7;\n_Atomic int aj;\n"
         '_Alignas(16) char abuf[16] = "hi";\n'
         "_Thread_local int tl = 3;\nstatic _Thread_local int stl = 4;")
    assert out(k, 'printf("%g %g %g %g %d %d %s %d %d %d\\n", creal(z), cimag(z), creal(w),\n'
                  '       cimagf(fz), ai, aj, abuf, (int)((uintptr_t)abuf % 16), tl, stl);\n'
                  "w = 0.5 - 1.0 * I; aj = 9; tl = 5; stl = 6;") == "1 2 0 4 7 0 hi 0 3 4\n"
    assert out(k, 'printf("%g %g %d %d %d\\n", creal(w), cimag(w), aj, tl, stl);') == "0.5 -1 9 5 6\n"


def test_statements_run_in_order(kernel):
    code = 'printf("a\\n");\nint mid = 2;\nprintf("%d\\n", mid);\nprintf("c\\n");'
    assert out(kernel, code) == "a\n2\nc\n"


def test_runtime_initializer_malloc(kernel):
    kernel.ok("#include <stdlib.h>\ndouble *buf = malloc(10 * sizeof *buf);\nbuf[3] = 2.5;")
    assert out(kernel, 'printf("%g\\n", buf[3]);') == "2.5\n"


def test_multiple_declarators(kernel):
    kernel.ok("int n = 10, m[3] = {1, 2, 3};")
    assert out(kernel, 'printf("%d %d %d\\n", n, m[0], m[2]);') == "10 1 3\n"


def test_initializer_calls_earlier_function(kernel):
    kernel.ok("int seven(void) { return 7; }")
    kernel.ok("int from_call = seven() * 6;")
    assert out(kernel, 'printf("%d\\n", from_call);') == "42\n"


def test_initializer_uses_earlier_variable(kernel):
    kernel.ok("int base_v = 5;")
    kernel.ok("int derived_v = base_v * 2;")
    assert out(kernel, 'printf("%d\\n", derived_v);') == "10\n"


def test_declaration_and_statements_in_one_cell(kernel):
    code = ('int tri(int k) { return k * (k + 1) / 2; }\n'
            'int tri_total = 0;\n'
            'for (int i = 1; i <= 3; i++) tri_total += tri(i);\n'
            'printf("%d\\n", tri_total);')
    assert out(kernel, code) == "10\n"
    assert out(kernel, 'printf("%d\\n", tri(4) + tri_total);') == "20\n"


def test_function_redefinition_wins(kernel):
    kernel.ok("int version_fn(void) { return 1; }")
    kernel.ok("int version_fn(void) { return 2; }")
    assert out(kernel, 'printf("%d\\n", version_fn());') == "2\n"


def test_redefined_function_used_by_later_function(kernel):
    kernel.ok("int base_fn(void) { return 1; }")
    kernel.ok("int base_fn(void) { return 3; }")
    kernel.ok("int user_fn(void) { return base_fn() * 10; }")
    assert out(kernel, 'printf("%d\\n", user_fn());') == "30\n"


def test_variable_redefinition_wins(kernel):
    kernel.ok("int rv = 1;")
    kernel.ok("double rv = 2.5;")
    assert out(kernel, 'printf("%g\\n", rv);') == "2.5\n"


def test_rerun_same_cell(kernel):
    kernel.ok("int acc = 0;")
    cell = 'acc += 5;\nprintf("%d\\n", acc);'
    assert out(kernel, cell) == "5\n"
    assert out(kernel, cell) == "10\n"


def test_rerun_defining_cell(kernel):
    cell = "int again_fn(void) { return 7; }"
    kernel.ok(cell)
    kernel.ok(cell)
    assert out(kernel, 'printf("%d\\n", again_fn());') == "7\n"


def test_rerun_declaring_cell_resets_value(kernel):
    cell = "int counter_r = 0;\ncounter_r++;\nprintf(\"%d\\n\", counter_r);"
    assert out(kernel, cell) == "1\n"
    assert out(kernel, cell) == "1\n"


def test_main_with_args(kernel):
    kernel.ok("%args a b")
    code = ('int main(int argc, char **argv) {\n'
            '    for (int i = 1; i < argc; i++) printf("%s\\n", argv[i]);\n'
            '    return 0;\n'
            '}')
    assert out(kernel, code) == "a\nb\n"


def test_main_without_args(kernel):
    code = 'int main(void) { printf("main ran\\n"); return 0; }'
    assert out(kernel, code) == "main ran\n"


def test_c_cell_magic(kernel):
    assert out(kernel, '%%c\nputs("via c magic");') == "via c magic\n"


def test_comment_only_cell(kernel):
    r = kernel.ok("/* nothing */\n// here")
    assert r.stdout == ""


def test_inspect_session_function(kernel):
    kernel.ok("int inspect_me(int a, double b) { return a + (int)b; }")
    c = kernel.shell("inspect_request", {"code": "inspect_me", "cursor_pos": 5, "detail_level": 0})["content"]
    assert c["found"] is True
    text = c["data"]["text/plain"]
    assert "inspect_me" in text and "int a" in text and "double b" in text, text


def test_inspect_session_variable(kernel):
    kernel.ok("double inspect_var = 1.5;")
    c = kernel.shell("inspect_request", {"code": "inspect_var", "cursor_pos": 3, "detail_level": 0})["content"]
    assert c["found"] is True
    assert "double" in c["data"]["text/plain"]


def test_history_holds_c_cells(fresh_kernel):
    k = fresh_kernel
    k.ok('puts("h1");')
    k.ok('puts("h2");')
    hist = k.shell("history_request", {"output": False, "raw": True, "hist_access_type": "tail", "n": 2})
    assert [h[2] for h in hist["content"]["history"]] == ['puts("h1");', 'puts("h2");']
