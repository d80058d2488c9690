"""tests/cells/test_crash_location.py — a crash (SIGSEGV, SIGABRT, SIGFPE, a
stack overflow) names the cell and line where it happened, with the source
line and the chain of calls within cells, innermost first; the cause comes
first and the note that the runtime restarted last, all in one error output;
nothing generated (entry function, header, object or file names) shows."""
import os
import re
import shutil

import pytest

NVCC = shutil.which("nvcc") or next(
    (p for p in (os.path.join(os.environ.get("CUDA_HOME", "/nonexistent"), "bin", "nvcc"),
                 "/usr/local/cuda/bin/nvcc") if os.access(p, os.X_OK)), None)
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc not installed: CUDA cells cannot compile")

# Words of the machinery that must never reach the user's traceback.
GENERATED = ["__cudacell_run", "<cudacell>", "<prelude>", "cudacell.h", "cudacell.", "__cc_", "cell-",
             "/tmp", "/cache", "cudacell-runtime", "rt_crash", "0x0000", "??"]


def crash(k, code, timeout=120):
    """Run a crashing cell; return (its execution count, traceback lines)."""
    r = k.execute(code, timeout=timeout)
    assert r.status == "error", r.describe()
    errors = r.errors
    assert len(errors) == 1, f"exactly one error output expected: {r.describe()}"
    tb = errors[0]["traceback"]
    text = "\n".join(tb)
    for word in GENERATED:
        assert word not in text, f"{word!r} leaked into the traceback:\n{text}"
    assert "restarted" in tb[-1], f"the restart note comes last:\n{text}"
    return r.content["execution_count"], tb


def frames(tb):
    """The frame lines ("In [N], line L[, in f]:  source"), in order."""
    return [line.strip() for line in tb if line.strip().startswith("In [")]


def frame_re(count, line, func, source):
    fn = rf", in {re.escape(func)}" if func else ""
    return re.compile(rf"^In \[{count}\], line {line}{fn}:\s+{re.escape(source)}$")


def test_null_deref_in_function_of_an_earlier_cell(fresh_kernel):
    k = fresh_kernel
    r = k.ok("void set_first(int *p)\n{\n  *p = 42;\n}")
    defined = r.content["execution_count"]
    count, tb = crash(k, "int unused_here = 1;\nset_first(NULL);")
    assert tb[0].startswith("Segmentation fault (SIGSEGV)"), tb
    assert "NULL pointer" in tb[0], tb
    f = frames(tb)
    assert len(f) == 2, tb
    assert frame_re(defined, 3, "set_first", "*p = 42;").match(f[0]), f
    assert frame_re(count, 2, None, "set_first(NULL);").match(f[1]), f
    # The source texts are aligned in one column.
    col = [t.index(src) for t, src in zip([t for t in tb if "In [" in t], ["*p = 42;", "set_first(NULL);"])]
    assert col[0] == col[1], tb


def test_abort_names_its_line(fresh_kernel):
    count, tb = crash(fresh_kernel, 'puts("about to abort");\nabort();')
    assert "SIGABRT" in tb[0], tb
    f = frames(tb)
    assert len(f) == 1 and frame_re(count, 2, None, "abort();").match(f[0]), tb
    assert any("library code" in t for t in tb), tb   # abort() itself is in libc


def test_integer_division_by_zero(fresh_kernel):
    count, tb = crash(fresh_kernel, "volatile int zero = 0;\nint q = 7 / zero;\nprintf(\"%d\\n\", q);")
    assert "SIGFPE" in tb[0] and "division by zero" in tb[0], tb
    f = frames(tb)
    assert len(f) == 1 and frame_re(count, 2, None, "int q = 7 / zero;").match(f[0]), tb


def test_crash_inside_libc_shows_the_calling_line(fresh_kernel):
    count, tb = crash(fresh_kernel, "char *volatile s = NULL;\nsize_t n = strlen(s);\nprintf(\"%zu\\n\", n);")
    assert "SIGSEGV" in tb[0], tb
    i = next(i for i, t in enumerate(tb) if "library code" in t)
    f = frames(tb)
    assert len(f) == 1 and frame_re(count, 2, None, "size_t n = strlen(s);").match(f[0]), tb
    assert tb.index(next(t for t in tb if t.strip().startswith("In ["))) > i, "library frame first"


def test_stack_overflow_names_itself_and_the_recursion(fresh_kernel):
    k = fresh_kernel
    r = k.ok("int recurse(volatile int n)\n{\n  volatile char pad[256];\n  pad[0] = n;\n"
             "  return recurse(n + 1) + pad[0];\n}")
    defined = r.content["execution_count"]
    count, tb = crash(k, "recurse(0);")
    assert tb[0].lower().startswith("stack overflow"), tb
    f = frames(tb)
    # The innermost frame faulted on entry (its line is the one that grows
    # the stack); the callers are at the recursive call.
    assert re.match(rf"^In \[{defined}\], line [245], in recurse:", f[0]), f
    assert frame_re(defined, 5, "recurse", "return recurse(n + 1) + pad[0];").match(f[1]), f
    assert frame_re(count, 1, None, "recurse(0);").match(f[-1]), f
    assert any("repeated" in t for t in tb), "recursion is collapsed"
    assert len(tb) < 20, tb


def test_call_through_null_function_pointer(fresh_kernel):
    count, tb = crash(fresh_kernel, "void (*volatile fp)(void) = 0;\nfp();")
    assert "function pointer" in "\n".join(tb), tb
    f = frames(tb)
    assert len(f) == 1 and frame_re(count, 2, None, "fp();").match(f[0]), tb


def test_crash_in_main_and_magic_lines_count(fresh_kernel):
    count, tb = crash(fresh_kernel, "%%c\nint main(void)\n{\n  int *volatile p = 0;\n  return *p;\n}")
    f = frames(tb)
    assert len(f) == 1 and frame_re(count, 5, "main", "return *p;").match(f[0]), tb


@pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed")
def test_crash_in_main_with_clang_and_no_gcc_only_flag():
    """GCC gets -fno-tree-ter so a crash in main's return names its line;
    clang, which would warn about that flag on every cell, does not get it."""
    from kernel_harness import Kernel
    k = Kernel(env={"CC": shutil.which("clang")})
    try:
        r = k.ok('#include <stdio.h>\nprintf("%d\\n", 6 * 7);')
        assert r.stdout == "42\n" and not r.stderr, r.describe()
        count, tb = crash(k, "%%c\nint main(void)\n{\n  int *volatile p = 0;\n  return *p;\n}")
        f = frames(tb)
        assert len(f) == 1 and frame_re(count, 5, "main", "return *p;").match(f[0]), tb
    finally:
        k.shutdown()


@needs_nvcc
def test_crash_in_host_code_of_a_cuda_cell(fresh_kernel):
    k = fresh_kernel
    code = ("%%cuda\n__global__ void unused_kernel(int *x) { *x = 1; }\n"
            "void host_store(int *p)\n{\n  p[1] = 5;\n}\nhost_store(NULL);")
    count, tb = crash(k, code, timeout=300)
    assert "SIGSEGV" in tb[0], tb
    f = frames(tb)
    assert len(f) == 2, tb
    assert frame_re(count, 5, "host_store", "p[1] = 5;").match(f[0]), f
    assert frame_re(count, 7, None, "host_store(NULL);").match(f[1]), f


def test_functions_still_work_after_the_report(fresh_kernel):
    k = fresh_kernel
    k.ok("int twice(int x) { return 2 * x; }")
    crash(k, "int *volatile np = 0;\n*np = twice(1);")
    assert k.ok('printf("%d\\n", twice(21));').stdout == "42\n"
