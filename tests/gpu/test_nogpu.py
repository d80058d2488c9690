"""tests/gpu/test_nogpu.py — CUDA behaviour that is checked on every machine,
GPU or not: CUDA cells compile and their host code runs, CUDA failures come
back as plain-words CUDAErrors and never kill the kernel, a missing nvcc is
explained while C cells keep working, and the fail shim's sticky error makes
the runtime restart."""
import os
import shutil

import pytest

from gpu_util import HAVE_GPU, HAVE_NVCC, SANITIZED, SHIM
from kernel_harness import Kernel

needs_nvcc = pytest.mark.skipif(not HAVE_NVCC, reason="nvcc not installed: CUDA cells cannot compile")

HOST_CELL = r"""
#include <stdio.h>
__global__ void twice(int *p) { p[threadIdx.x] *= 2; }
printf("host code ran\n");
"""


def _assert_c_cell_works(k: Kernel, tag: str) -> None:
    r = k.execute(f'#include <stdio.h>\nprintf("alive-{tag}\\n");')
    assert r.status == "ok" and f"alive-{tag}" in r.stdout, r.describe()


@needs_nvcc
def test_cuda_cell_host_code_runs(kernel):
    r = kernel.execute(HOST_CELL)
    assert "host code ran" in r.stdout, r.describe()
    if HAVE_GPU:
        assert r.status == "ok", r.describe()
    else:
        # Without a GPU the cell succeeds (its host code ran) and the
        # runtime's no-GPU note is on stderr.
        assert r.status == "ok", r.describe()
        assert "host code did run" in r.stderr, r.describe()
    _assert_c_cell_works(kernel, "after-host")


@needs_nvcc
@pytest.mark.skipif(HAVE_GPU, reason="checks the no-GPU message; this machine has a GPU")
def test_cuda_malloc_without_gpu_is_plain_words(fresh_kernel):
    # the session's first CUDA cell: it gets the whole note
    kernel = fresh_kernel
    r = kernel.execute(r"""%%cuda
#include <stdio.h>
float *d = NULL;
cudaError_t e = cudaMalloc(&d, 1024);
printf("cudaMalloc said %s\n", cudaGetErrorName(e));
""")
    assert "cudaMalloc said cudaError" in r.stdout, r.describe()
    assert r.status == "ok", r.describe()   # not the cell's fault: a note, not an error
    text = r.stderr
    # one of: no driver / driver too old / no device — each says what to do
    assert any(w in text for w in ("NVIDIA driver", "No usable GPU", "No GPU is visible")), text
    assert "host code did run" in text and "C cells keep working" in text, text
    assert "%gpu" in text, text
    assert kernel.alive()
    _assert_c_cell_works(kernel, "after-malloc")


@needs_nvcc
def test_c_cell_sees_cuda_cell_names_that_only_look_like_cuda(fresh_kernel):
    """Visibility from C is decided by the declaration's types, not by name
    prefixes: cuda_count, cudaBuf, struct stdstuff, half_width are C."""
    k = fresh_kernel
    r = k.execute("%%cuda\nint cuda_count(void) { return 3; }\nfloat *cudaBuf;\n"
                  "struct stdstuff { int a; };\nstruct stdstuff sst = { 4 };\nint half_width = 5;\n"
                  "cudaBuf = (float *)malloc(sizeof *cudaBuf); *cudaBuf = 2.5f;")
    assert r.status == "ok", r.describe()
    r = k.execute('%%c\n#include <stdio.h>\nprintf("%d %g %d %d\\n", cuda_count(), *cudaBuf, sst.a, half_width);')
    assert r.status == "ok" and r.stdout == "3 2.5 4 5\n", r.describe()


@needs_nvcc
def test_c_cell_using_cuda_only_name_is_explained(fresh_kernel):
    k = fresh_kernel
    r = k.execute("%%cuda\nfloat4 make4(void) { return make_float4(1, 2, 3, 4); }\ncudaStream_t strm;")
    assert r.status == "ok", r.describe()
    # after a CUDA cell the session is C++; a %%c cell is C and cannot see these
    for code, name, word in (("float x = make4().x;", "make4", "float4"),
                             ('printf("%p\\n", (void *)&strm);', "strm", "cudaStream_t")):
        r = k.execute("%%c\n" + code)
        assert r.status == "error" and len(r.errors) == 1, r.describe()
        text = r.error_text
        assert f"`{name}` was defined in a CUDA cell" in text and f"`{word}`" in text, text
        assert "C cells cannot see" in text and "%%cuda" in text, text
        assert "__cc" not in text and "#line" not in text, text


MALLOC_CELL = r"""%%cuda
float *dm = NULL;
printf("malloc %d\n", cudaMalloc(&dm, 1024) == cudaSuccess);
"""


@needs_nvcc
@pytest.mark.skipif(HAVE_GPU, reason="checks the no-GPU message; this machine has a GPU")
def test_no_gpu_note_said_once_then_one_line(fresh_kernel):
    k = fresh_kernel
    first = k.execute(MALLOC_CELL)
    assert first.status == "ok" and "malloc 0" in first.stdout, first.describe()
    assert "host code did run" in first.stderr and "%gpu" in first.stderr, first.describe()
    for _ in range(2):
        r = k.execute(MALLOC_CELL)
        assert r.status == "ok" and "malloc 0" in r.stdout, r.describe()
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, f"later CUDA cells get one short line:\n{r.stderr}"
        assert lines[0].startswith("No GPU") and "%gpu" in lines[0], r.stderr
        assert "host code did run" not in r.stderr, r.stderr


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="nvidia-smi is installed here")
def test_nvidia_smi_not_found_is_explained(kernel):
    r = kernel.execute("!nvidia-smi")
    assert r.status == "ok", r.describe()
    assert "not found" in r.stdout, r.describe()
    assert "NVIDIA driver" in r.stderr and "%gpu" in r.stderr, r.describe()
    assert r.stderr.count("\n") == 1, r.describe()
    other = kernel.execute("!no-such-command-cudacell")
    assert "not found" in other.stdout and other.stderr == "", other.describe()


def test_missing_nvcc_is_explained_and_c_still_works():
    env = {
        "CUDACELL_NVCC": "/nonexistent/cuda/bin/nvcc",
        "CUDA_HOME": "/nonexistent/cuda",
        "PATH": "/usr/bin:/bin",
    }
    k = Kernel(env=env)
    try:
        r = k.execute("__global__ void k(void) {}\nint x = 1;")
        assert r.status == "error", r.describe()
        text = r.error_text + r.stderr
        assert "nvcc was not found" in text, r.describe()
        assert "CUDA_HOME" in text and "PATH" in text and "C cells keep working" in text, r.describe()
        _assert_c_cell_works(k, "no-nvcc")
    finally:
        k.shutdown()


@needs_nvcc
@pytest.mark.skipif(not os.path.exists(SHIM), reason=f"fail shim not built at {SHIM}")
def test_shim_sticky_error_restarts_runtime():
    env = {
        "LD_PRELOAD": SHIM,
        "CUDACELL_FAIL": "cudaDeviceSynchronize=cudaErrorIllegalAddress",
    }
    if SANITIZED:   # the shim is not instrumented; ASan would refuse to start
        env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    k = Kernel(env=env)
    try:
        _assert_c_cell_works(k, "before-shim")
        r = k.execute(HOST_CELL)
        assert "host code ran" in r.stdout, r.describe()
        assert r.status == "error" and r.content.get("ename") == "CUDAError", r.describe()
        text = r.error_text
        assert "cudaErrorIllegalAddress" in text and "illegal memory access" in text, text
        assert "restart" in text.lower(), text
        assert k.alive()
        _assert_c_cell_works(k, "after-shim")
    finally:
        k.shutdown()
