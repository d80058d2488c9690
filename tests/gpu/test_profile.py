"""tests/gpu/test_profile.py — the %%ncu and %%nsys magics.

Checked on every machine: a missing profiler is explained (and the cell did
not run), an empty cell gets its usage, and — with a stand-in "profiler"
that only prints its arguments and runs the program — the whole path: the
cell built as a standalone program by nvcc (statements become main()), the
profiler started with the magic's arguments, its output streamed, compile
errors named by cell line. With a GPU and the real tools, the real report."""
import os
import shutil
import stat

import pytest

from gpu_util import HAVE_GPU, HAVE_NVCC
from kernel_harness import Kernel

needs_nvcc = pytest.mark.skipif(not HAVE_NVCC, reason="nvcc not installed: the cell cannot be built")

FIXED_DIRS = ["/usr/local/cuda/bin"]
CELL = r"""__global__ void twice(int *p) { p[threadIdx.x] *= 2; }
int n = 3;
printf("host n=%d\n", n);
int *d = NULL;
cudaMalloc(&d, 32 * sizeof(int));
twice<<<1, 32>>>(d);"""


def _found_in_fixed_places(exe: str) -> bool:
    import glob
    return any(os.access(os.path.join(d, exe), os.X_OK) for d in FIXED_DIRS) or bool(
        glob.glob(f"/opt/nvidia/nsight-*/*/{exe}") + glob.glob(f"/opt/nvidia/nsight-*/*/bin/{exe}"))


@pytest.fixture
def fake_profiler(tmp_path):
    """A stand-in profiler: prints its arguments, then runs ./prog and what follows."""
    p = tmp_path / "fake-profiler"
    p.write_text('#!/bin/sh\necho "fake profiler args: $*"\n'
                 'while [ $# -gt 0 ] && [ "$1" != ./prog ]; do shift; done\nexec "$@"\n')
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return str(p)


@pytest.mark.parametrize("magic,exe,product", [("ncu", "ncu", "Nsight Compute"), ("nsys", "nsys", "Nsight Systems")])
def test_missing_profiler_is_explained(magic, exe, product):
    if _found_in_fixed_places(exe):
        pytest.skip(f"{exe} is installed in a place always searched")
    k = Kernel(env={"PATH": "/usr/bin:/bin", "CUDA_HOME": "/nonexistent/cuda"})
    try:
        r = k.execute(f'%%{magic}\nprintf("should not run\\n");')
        assert r.status == "error", r.describe()
        assert r.content["ename"] == "ProfilerNotFound", r.describe()
        text = r.error_text
        assert f"%%{magic} needs NVIDIA {product}" in text, text
        assert "the cell did not run" in text and "PATH" in text and f"CUDACELL_{exe.upper()}" in text, text
        assert "should not run" not in r.stdout
        # the kernel goes on
        r = k.execute('printf("still here\\n");')
        assert r.status == "ok" and "still here" in r.stdout, r.describe()
    finally:
        k.shutdown()


def test_profiler_override_that_does_not_exist(kernel):
    # CUDACELL_NCU names the tool; a wrong value is reported as such.
    r = kernel.execute('%env CUDACELL_NCU=/nonexistent/ncu')
    assert r.status == "ok", r.describe()
    r = kernel.execute('%%ncu\nprintf("x\\n");')
    assert r.status == "error" and r.content["ename"] == "ProfilerNotFound", r.describe()
    assert "CUDACELL_NCU is set to '/nonexistent/ncu'" in r.error_text, r.error_text
    kernel.execute('%env CUDACELL_NCU=')


def test_empty_cell_shows_usage(kernel):
    r = kernel.execute("%%nsys\n\n")
    assert r.status == "error" and r.content["ename"] == "UsageError", r.describe()
    assert "standalone program" in r.error_text


def test_lsmagic_lists_profilers(kernel):
    out = kernel.ok("%lsmagic").stdout
    assert "%%ncu" in out and "%%nsys" in out, out


@needs_nvcc
def test_cell_runs_as_standalone_program_under_the_profiler(fake_profiler):
    k = Kernel(env={"CUDACELL_NCU": fake_profiler})
    try:
        r = k.execute("%%ncu --set basic\n" + CELL, timeout=180)
        assert r.status == "ok", r.describe()
        out = r.stdout
        assert "standalone program" in out and "earlier cells" in out, out
        assert "fake profiler args: --set basic ./prog" in out, out
        assert "host n=3" in out, out   # statements ran as main()
        # the session is untouched: `n` was not declared in it
        r = k.execute('printf("%d\\n", n);')
        assert r.status == "error", r.describe()
    finally:
        k.shutdown()


@needs_nvcc
def test_cell_with_its_own_main_and_percent_args(fake_profiler):
    k = Kernel(env={"CUDACELL_NSYS": fake_profiler})
    try:
        k.ok("%args alpha beta")
        r = k.execute('%%nsys\nint main(int argc, char **argv) { printf("argc=%d %s\\n", argc, argv[2]); return 0; }',
                      timeout=180)
        assert r.status == "ok", r.describe()
        assert "fake profiler args: profile --stats=true" in r.stdout, r.stdout
        assert "argc=3 beta" in r.stdout, r.stdout
    finally:
        k.shutdown()


@needs_nvcc
def test_compile_error_names_the_cell_line(fake_profiler):
    k = Kernel(env={"CUDACELL_NCU": fake_profiler})
    try:
        r = k.execute('%%ncu\nint ok = 1;\nint x = ;', timeout=180)
        assert r.status == "error" and r.content["ename"] == "CompileError", r.describe()
        assert "cell(3)" in r.stdout + r.stderr, r.describe()   # line 3 of the notebook cell
        assert "fake profiler args" not in r.stdout
    finally:
        k.shutdown()


@pytest.mark.skipif(not HAVE_GPU, reason="needs a GPU")
@pytest.mark.skipif(not shutil.which("ncu") and not _found_in_fixed_places("ncu"), reason="ncu not installed")
def test_real_ncu_reports_the_kernel(kernel):
    r = kernel.execute("%%ncu\n" + CELL, timeout=300)
    assert r.status == "ok", r.describe()
    assert "twice" in r.stdout, r.stdout[-3000:]


@pytest.mark.skipif(not HAVE_GPU, reason="needs a GPU")
@pytest.mark.skipif(not shutil.which("nsys") and not _found_in_fixed_places("nsys"), reason="nsys not installed")
def test_real_nsys_reports_the_kernel(kernel):
    r = kernel.execute("%%nsys\n" + CELL, timeout=300)
    assert r.status == "ok", r.describe()
    assert "twice" in r.stdout, r.stdout[-3000:]
