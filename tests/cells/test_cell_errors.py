"""Compile errors and warnings, and crashes of the user's code: each gives a
clear error, the kernel lives on, and the session is as before."""
import re

import pytest


def test_compile_error_reply_and_one_error_output(kernel):
    r = kernel.execute("int ok_before = 1;\nint z = 2;\nint y = ;")
    assert r.status == "error", r.describe()
    assert len(r.of_type("error")) == 1, r.describe()


def test_compile_error_has_cell_line_and_column(kernel):
    r = kernel.execute("int ok_before2 = 1;\nint z2 = 2;\nint y2 = ;")
    text = "\n".join(r.errors[0]["traceback"]) if r.errors else ""
    assert re.search(r"(^|\D)3:\d+", text), f"no line 3:col in the traceback:\n{text}"


def test_compile_error_line_counts_magic_lines(kernel):
    r = kernel.execute("!true\nint bad_after_magic = ;")
    assert r.status == "error"
    text = "\n".join(r.errors[0]["traceback"]) if r.errors else ""
    assert re.search(r"(^|\D)2:\d+", text), f"no line 2:col in the traceback:\n{text}"


def test_compile_error_has_no_temp_paths(kernel):
    r = kernel.execute("int a_ok = 1;\nint b_bad = ;")
    text = r.error_text
    assert "/tmp" not in text, text
    assert not re.search(r"[\w./-]+\.(c|cu|h|so):\d", text), f"a file path leaked into:\n{text}"


def test_compile_error_no_stderr_stream(kernel):
    r = kernel.execute("int c_bad = ;")
    assert r.status == "error"
    assert r.stderr == "", r.describe()


def test_compile_error_names_the_problem(kernel):
    r = kernel.execute("int q = undefined_name_xyz;")
    assert r.status == "error"
    assert "undefined_name_xyz" in r.error_text


def test_warning_shown_and_cell_runs(kernel):
    r = kernel.execute('#warning "heads up"\nprintf("ran\\n");')
    assert r.status == "ok", r.describe()
    assert "heads up" in r.stderr, r.describe()
    assert r.stdout == "ran\n"


def test_failed_cell_leaves_session_unchanged(kernel):
    kernel.ok("int keep = 5;")
    r = kernel.execute("int keep = 6;\nint new_fn(void) { return 1; }\nint bad_k = ;")
    assert r.status == "error"
    assert kernel.ok('printf("%d\\n", keep);').stdout == "5\n"
    r2 = kernel.execute('printf("%d\\n", new_fn());')
    assert r2.status == "error", "a function from a failed cell must not exist"


def test_after_compile_error_next_cell_works(kernel):
    kernel.execute("int broken = ;")
    assert kernel.ok('puts("fine");').stdout == "fine\n"


CRASHES = {
    "segfault": ("int *volatile np = 0;\n*np = 1;", ["SIGSEGV", "segmentation"]),
    "abort": ("#include <stdlib.h>\nabort();", ["SIGABRT", "abort"]),
    "sigfpe": ("volatile int zero = 0, one = 1;\nvolatile int q = one / zero;\n(void)q;", ["SIGFPE", "floating"]),
    "stack_overflow": ("int recurse(volatile int n) { volatile char pad[256]; pad[0] = n; "
                       "return recurse(n + 1) + pad[0]; }\nrecurse(0);", ["SIGSEGV", "stack"]),
    "exit3": ("#include <stdlib.h>\nexit(3);", ["3"]),
    "sigkill": ("#include <signal.h>\nraise(SIGKILL);", ["SIGKILL", "killed"]),
}


@pytest.mark.parametrize("name", list(CRASHES))
def test_crash_is_reported(fresh_kernel, name):
    k = fresh_kernel
    code, words = CRASHES[name]
    k.ok("int survivor(int x) { return 2 * x; }\nint value_before = 99;")
    r = k.execute(code, timeout=120)
    assert r.status == "error", r.describe()
    text = r.error_text + r.stderr
    assert any(w.lower() in text.lower() for w in words), f"expected one of {words} in:\n{text}"
    if name == "exit3":
        assert "exit" in text.lower(), text
    assert "reset" in text.lower(), f"no message saying variable values were reset:\n{text}"
    assert k.alive()
    # The kernel goes on: a new cell runs and earlier functions are callable.
    assert k.ok('printf("%d\\n", survivor(21));').stdout == "42\n"


def test_crash_resets_variables_but_keeps_declarations(fresh_kernel):
    k = fresh_kernel
    k.ok("int kept_decl = 1;")
    k.ok("kept_decl = 50;")
    k.execute("int *volatile np2 = 0;\n*np2 = 1;")
    r = k.ok('printf("%d\\n", kept_decl);')
    assert r.stdout in ("1\n", "0\n"), f"variable should be reset after a crash: {r.describe()}"


def test_two_crashes_in_a_row(fresh_kernel):
    k = fresh_kernel
    for _ in range(2):
        r = k.execute("int *volatile np3 = 0;\n*np3 = 1;")
        assert r.status == "error"
    assert k.ok('puts("still here");').stdout == "still here\n"


def test_output_before_crash_arrives(fresh_kernel):
    k = fresh_kernel
    r = k.execute('printf("before crash\\n");\nint *volatile np4 = 0;\n*np4 = 1;')
    assert r.status == "error"
    assert "before crash" in r.stdout, r.describe()


CLEAN_CELLS = [
    "volatile int vol_g = 1;",
    "const double const_g = 2.5;",
    "int arr_g[4] = {1, 2, 3, 4};",
    "struct { int a; double b; } st_g = {1, 2.0};",
    "int (*fp_g)(const char *) = puts;",
    "char str_g[] = \"text\";",
    "static unsigned long long big_g = 1ULL << 40;",
    "_Atomic int atom_g = 3;",
]


@pytest.mark.parametrize("code", CLEAN_CELLS)
def test_clean_declaration_gives_no_warning(kernel, code):
    """Warnings come from the user's code only, never from the generated glue."""
    r = kernel.execute(code)
    assert r.status == "ok", r.describe()
    assert r.stderr == "", f"spurious compiler output for {code!r}:\n{r.stderr}"


def _one_error_without_generated_code(r):
    assert r.status == "error", r.describe()
    assert len(r.of_type("error")) == 1, r.describe()
    text = r.error_text
    for generated in ("__cc", "#line", "__cudacell", "__builtin_mem"):
        assert generated not in text, f"generated code in the error:\n{text}"
    return text


def test_top_level_vla_explains_the_rule_and_the_fix(kernel):
    r = kernel.execute("int vla_n = 5;\nint vla_v[vla_n];")
    text = _one_error_without_generated_code(r)
    assert "top level" in text and "global" in text and "constant" in text, text
    assert "int *vla_v = malloc(vla_n * sizeof *vla_v);" in text, text
    assert "{ int vla_v[vla_n]; ... }" in text, text
    assert re.search(r"(^|\D)2:5", text), text   # where, in the cell's coordinates


def test_top_level_2d_vla_suggests_one_allocation(kernel):
    r = kernel.execute("int vla_m = 3;\ndouble vla_grid[vla_m][vla_m];")
    text = _one_error_without_generated_code(r)
    assert "double *vla_grid = malloc(vla_m * vla_m * sizeof *vla_grid);" in text, text
    assert "{ double vla_grid[vla_m][vla_m]; ... }" in text, text


@pytest.mark.parametrize("code, out", [
    ('#include <iostream>\nstd::cout << "hi" << std::endl;', "hi\n"),
    ('#include <cstdio>\nstd::printf("hi\\n");', "hi\n"),
    ('class CppThing { public: int x; };\nCppThing ct{7};\nprintf("%d\\n", ct.x);', "7\n"),
    ('template <typename T> T cpp_twice(T x) { return 2 * x; }\nprintf("%d\\n", cpp_twice(4));', "8\n"),
])
def test_cpp_in_a_c_session_runs_as_cpp(fresh_kernel, code, out):
    """Unmistakable C++ in a C session is compiled as C++, and the session
    becomes CUDA C++ from then on (as after a CUDA cell)."""
    r = fresh_kernel.execute(code)
    assert r.status == "ok" and r.stdout == out, r.describe()
    assert "cuda" in fresh_kernel.execute("%lang").stdout


@pytest.mark.parametrize("code, marker", [
    ('#include <iostream>\nstd::cout << "hi" << std::endl;', "#include <iostream>"),
    ("template <typename T> T cpp_twice(T x) { return 2 * x; }", "template"),
])
def test_cpp_in_a_c_magic_cell_says_how_to_switch(fresh_kernel, code, marker):
    r = fresh_kernel.execute("%%c\n" + code)
    text = _one_error_without_generated_code(r)
    assert f"C++ (`{marker}`)" in text, text
    assert "compiled as C" in text and "%%cuda" in text and "%lang cuda" in text, text


def test_c_that_only_looks_like_cpp_stays_c(fresh_kernel):
    r = fresh_kernel.execute("int template = 5;\nint lt = template < 3;\n"
                             'printf("%d\\n", lt);')
    assert r.status == "ok" and r.stdout == "0\n", r.describe()
    assert fresh_kernel.execute("%lang").stdout.startswith("c")


def test_plain_c_error_gets_no_cpp_or_vla_hint(kernel):
    r = kernel.execute("int class_count = 1;\nint hint_z = class_count + not_declared_here;")
    text = _one_error_without_generated_code(r)
    assert "C++" not in text and "global" not in text, text
    assert "not_declared_here" in text


def test_function_not_defined_yet_is_explained(kernel):
    """A cell that calls a function no cell has defined links when it runs:
    one error, in plain words, naming the function, with the linker's own
    lines cleaned of temporaries and our symbols."""
    kernel.ok("int cerr_later(int);")
    r = kernel.execute("int cerr_user(void) { return cerr_later(1) + 1; }")
    errs = r.of_type("error")
    assert r.status == "error" and len(errs) == 1, r.describe()
    text = "\n".join(errs[0]["content"]["traceback"])
    assert "`cerr_later` is called or used here, but no cell has defined it yet" in text, text
    assert "cell:1: undefined reference to `cerr_later'" in text, text
    for w in ("cudacell.", ".o:", "collect2", "/usr/bin/ld"):
        assert w not in text, f"{w!r} in:\n{text}"
    kernel.ok("int cerr_later(int x) { return 10 * x; }")
    r = kernel.ok("int cerr_user(void) { return cerr_later(1) + 1; }\nprintf(\"%d\\n\", cerr_user());")
    assert r.stdout == "11\n", r.describe()
