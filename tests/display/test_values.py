"""tests/display/test_values.py — values worth reading: a cell's last
expression of any type shows gdb-like text (structs field by field, nested
arrays in braces, comparisons as true/false, char as 97 'a'), a value that
cannot be shown gives a one-line note and never compiler notes about
cudacell's own header, and cc_plot/cc_scatter take double and integer arrays.
C cells and CUDA cells (host code: compiled, and run without a GPU)."""
import re
import shutil
import os

import pytest

NVCC = shutil.which("nvcc") or next(
    (p for p in (os.path.join(os.environ.get("CUDA_HOME", "/nonexistent"), "bin", "nvcc"),
                 "/usr/local/cuda/bin/nvcc") if os.access(p, os.X_OK)), None)
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc not installed: CUDA cells cannot compile")

# what only our machinery would print: the show macro, _Generic, our header
MACHINERY = re.compile(r"__CC_|_Generic|cudacell\.h|__cc_|<cudacell>")


def out_value(r):
    """text/plain of the cell's single execute_result."""
    got = r.of_type("execute_result")
    assert len(got) == 1, r.describe()
    return got[0]["content"]["data"]["text/plain"]


def clean_ok(kernel, code):
    """Runs code; it must succeed without a word about our machinery."""
    r = kernel.execute(code)
    assert r.status == "ok", r.describe()
    assert not MACHINERY.search(r.stderr + r.stdout), r.describe()
    return r


DEFS = """
struct v2 { int x; double y; };
struct seg { struct v2 a, b; int tag[3]; char name[8]; const char *note; };
typedef struct { float w; unsigned flags : 3; union { int i; float f; }; } packed_t;
"""


@pytest.fixture(scope="module")
def defs(kernel):
    kernel.ok(DEFS)
    return kernel


# ---- structs, arrays, booleans, char ----------------------------------------
@pytest.mark.parametrize("code,text", [
    ("struct v2 p1 = {1, 2.5};\np1", "{x = 1, y = 2.5}"),
    ('struct seg s1 = {{1, 2}, {3, 4.5}, {7, 8, 9}, "ab", "hi"};\ns1',
     '{a = {x = 1, y = 2.0}, b = {x = 3, y = 4.5}, tag = {7, 8, 9}, name = "ab", note = "hi"}'),
    ("packed_t pk = {1.5f, 5, {.f = 0.5f}};\npk", "{w = 1.5, flags = 5, {i = 1056964608, f = 0.5}}"),
    ("struct v2 vs[2] = {{1, 1}, {2, 2}};\nvs", "{{x = 1, y = 1.0}, {x = 2, y = 2.0}}"),
    ("int m22[2][2] = {{1, 2}, {3, 4}};\nm22", "{{1, 2}, {3, 4}}"),
    ('char names2[2][4] = {"ab", "cd"};\nnames2', '{"ab", "cd"}'),
    ("int a3v[3] = {1, 2, 3};\na3v", "{1, 2, 3}"),
])
def test_struct_and_array_values(defs, code, text):
    assert out_value(clean_ok(defs, code)) == text


def test_struct_defined_in_the_same_cell(kernel):
    r = clean_ok(kernel, "struct pt3 { int x, y, z; };\nstruct pt3 q3 = {1, 2, 3};\nq3")
    assert out_value(r) == "{x = 1, y = 2, z = 3}"


def test_struct_returned_by_a_function(defs):
    r = clean_ok(defs, "struct v2 mk_v2(int x) { struct v2 v = {x, x / 2.0}; return v; }\nmk_v2(3)")
    assert out_value(r) == "{x = 3, y = 1.5}"


@pytest.mark.parametrize("expr,text", [
    ("3 > 2", "true"), ("1 == 2", "false"), ("2 > 1 && 0", "false"), ("(!0)", "true"),
    ("true", "true"), ("false", "false"), ("(1 < 2)", "true"),
    ("(1 < 2) + 1", "2"), ("1 ? 5 : 6", "5"), ("(int)(3 > 2)", "1"),
])
def test_comparisons_show_as_bool(kernel, expr, text):
    assert out_value(clean_ok(kernel, expr)) == text


def test_char_shows_number_and_character(kernel):
    assert out_value(clean_ok(kernel, "char ch5 = 'A';\nch5")) == "65 'A'"
    assert out_value(clean_ok(kernel, "'A'")) == "65", "in C 'A' is an int"


# ---- values that cannot be shown --------------------------------------------
@pytest.mark.parametrize("code", [
    "#include <stdlib.h>\ndiv(7, 2)",                         # a libc struct
    "#include <time.h>\nstruct timespec ts0 = {0};\nts0",
    "union { int i; float f; } un0;\nun0",                  # an anonymous union
    "int (*(*odd_fp)(int))[3] = 0;\nodd_fp",                 # a function pointer of odd type
    "int odd_f(double x) { return (int)x; }\nodd_f",           # a function
    "__int128 big0 = 1;\nbig0",
])
def test_unshowable_values_compile_cleanly(kernel, code):
    r = clean_ok(kernel, code)
    assert len(r.of_type("execute_result")) <= 1, r.describe()


def test_unshowable_struct_gives_a_one_line_note(kernel):
    v = out_value(clean_ok(kernel, "#include <stdlib.h>\ndiv(7, 2)"))
    assert v.startswith("(value not shown") and "\n" not in v, v


def test_va_list_compiles_cleanly(kernel):
    clean_ok(kernel, "#include <stdarg.h>\nvoid va_probe(int n, ...) { va_list ap; va_start(ap, n); va_end(ap); }\n"
                     "va_probe(1, 2)")



# ---- bit-fields as the whole last expression --------------------------------
BITS = "struct bf5 { unsigned flag : 1; int small : 5; unsigned long long wide : 40; _Bool on : 1; };\n" \
       "struct bf5 bfs = {1, -3, 1099511627775ull, 1};\nstruct bf5 *bfp = &bfs;"


@pytest.mark.parametrize("expr,text", [
    ("bfs.flag", "1"),
    ("bfs.small", "-3"),
    ("bfp->wide", "1099511627775"),
    ("bfs.on", "true"),
    ("(bfs.small)", "-3"),
])
def test_bit_field_tail_shows_its_value(kernel, expr, text):
    kernel.ok(BITS)
    r = clean_ok(kernel, expr)
    got = r.of_type("execute_result")
    assert len(got) <= 1, r.describe()
    if got:   # shown: the value itself; otherwise nothing at all
        assert got[0]["content"]["data"]["text/plain"] == text, r.describe()
    assert got, "a bit-field's value is shown: " + r.describe()


def test_bit_field_tail_assignment_runs(kernel):
    kernel.ok("struct bf6 { unsigned n : 3; } bf6s = {0};")
    clean_ok(kernel, "bf6s.n = 5")
    assert out_value(clean_ok(kernel, "bf6s.n")) == "5"


@pytest.mark.parametrize("code,word,where", [
    ("int ok_tail = 1;\nok_tail + no_such_name_x", "no_such_name_x", "cell:2:11:"),
    ("struct opq; struct opq *opqp = 0;\n*opqp", "struct opq", "cell:2:1:"),
    ("int ok_tail2 = 1;\n    ok_tail2 + no_such_name_y", "no_such_name_y", "cell:2:16:"),
])
def test_error_in_a_tail_expression_is_one_error_on_the_users_line(kernel, code, word, where):
    r = kernel.execute(code)
    assert r.status == "error", r.describe()
    text = r.error_text + r.stderr + r.stdout
    assert not MACHINERY.search(text), text
    errs = [l for l in text.splitlines() if "error:" in l]
    assert errs and all(word in l and l.startswith(where) for l in errs), text
    assert len(set(errs)) == 1, text

# ---- plots of double and integer arrays ------------------------------------
def svg_points(r):
    """The polyline points of the one SVG the cell displayed."""
    d = [m for m in r.of_type("display_data") if "image/svg+xml" in m["content"]["data"]]
    assert len(d) == 1, r.describe()
    svg = d[0]["content"]["data"]["image/svg+xml"]
    m = re.search(r'class="line"[^>]*points="([^"]*)"', svg)
    assert m, svg
    return m.group(1)


def test_plot_of_double_and_int_arrays_matches_float(kernel):
    ref = svg_points(clean_ok(kernel, 'float pf[4] = {1, 4, 9, 16};\ncc_plot(NULL, pf, 4, "sq", "x", "y");'))
    dbl = svg_points(clean_ok(kernel, 'double pd[4] = {1, 4, 9, 16};\ncc_plot(NULL, pd, 4, "sq", "x", "y");'))
    ints = svg_points(clean_ok(kernel, 'int pi4[4] = {1, 4, 9, 16};\ncc_plot(NULL, pi4, 4, "sq", "x", "y");'))
    assert dbl == ref and ints == ref


def test_scatter_of_int_x_and_double_y(kernel):
    r = clean_ok(kernel, 'int sx[3] = {0, 1, 2};\ndouble sy[3] = {0.5, 1.5, 2.5};\n'
                         'cc_scatter(sx, sy, 3, NULL, NULL, NULL);')
    d = [m for m in r.of_type("display_data") if "image/svg+xml" in m["content"]["data"]]
    assert len(d) == 1 and d[0]["content"]["data"]["image/svg+xml"].count("<circle") == 3, r.describe()


# ---- CUDA cells: the same through C++ overloads ----------------------------
@needs_nvcc
@pytest.mark.parametrize("code,text", [
    ("%%cuda\nstruct cv3 { int x; float y; int arr[2]; };\ncv3 cq = {1, 2.5f, {3, 4}};\ncq",
     "{x = 1, y = 2.5, arr = {3, 4}}"),
    ("%%cuda\nint cm2[2][2] = {{1, 2}, {3, 4}};\ncm2", "{{1, 2}, {3, 4}}"),
    ("%%cuda\n3 > 2", "true"),
    ("%%cuda\n'a'", "97 'a'"),
])
def test_cuda_values(kernel, code, text):
    assert out_value(clean_ok(kernel, code)) == text


@needs_nvcc
def test_cuda_bit_field_tail(kernel):
    assert out_value(clean_ok(kernel, "%%cuda\nstruct cbf3 { unsigned f : 3; } cbf3s = {5};\ncbf3s.f")) == "5"


@needs_nvcc
def test_cuda_unshowable_and_plot(kernel):
    r = clean_ok(kernel, "%%cuda\n#include <stdlib.h>\ndiv(7, 2)")
    assert out_value(r).startswith("(value not shown")
    r = clean_ok(kernel, '%%cuda\ndouble cpd[3] = {1, 2, 3};\ncc_plot(NULL, cpd, 3, "t", "x", "y");')
    assert svg_points(r)
