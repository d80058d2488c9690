"""tests/corpus/test_corpus_cuda.py — every CUDA C++ corpus program
(tests/corpus/cuda/*.cu, see corpus.py) run three ways: whole with nvcc, as
one cell, and split into several cells; a program passes when the exit status
(or abort/signal) and stdout of both cell runs equal the nvcc executable's.
One TAP line per program.

The programs are deterministic with or without a GPU (they print a fixed line
when CUDA calls fail, and check device results against a CPU reference when
they succeed), so the comparison means the same on both. A program nvcc
itself cannot compile fails its test whatever the lists say: the corpus holds
valid programs only. A first cell that shows no device code is marked
`%%cuda` (corpus.mark_cuda), as a user pasting C++ host code into a fresh
session would have to.

xfail_cuda.txt lists programs known to fail, with the reason. It is strict: a
listed program that passes fails its test, so the list stays honest.
"""
from __future__ import annotations

import os

import corpus
import pytest
from kernel_harness import Kernel

PROGRAMS = corpus.cuda_programs()
XFAIL = corpus.read_list("xfail_cuda.txt")
INVALID = "nvcc cannot build the program itself: "
CELL_TIMEOUT = 180      # one nvcc compile of a thrust/CUB cell on 2 loaded cores


def _name(path: str) -> str:
    return "cuda/" + os.path.basename(path)


def _check(kernel, path: str, tmp: str) -> str | None:
    """None when the program passes all three ways, else what differed."""
    text = open(path, errors="replace").read()
    exe, msg = corpus.nvcc_build(path)
    if exe is None:
        return INVALID + msg[:1000]
    want = corpus.run_exe(exe, tmp, corpus.CUDA_RUN_TIMEOUT)
    if want is None:
        return INVALID + f"it did not finish within {corpus.CUDA_RUN_TIMEOUT} s"
    whole = corpus.run_cells(kernel, corpus.mark_cuda([text]), timeout=CELL_TIMEOUT)
    split = corpus.split_cells(text, by_count=True)
    parts = corpus.run_cells(kernel, corpus.mark_cuda(split), timeout=CELL_TIMEOUT)
    return corpus.compare("nvcc", want, whole, parts, len(split))


_pool: corpus.Pool | None = None


@pytest.fixture(scope="module")
def pool(request):
    global _pool
    if corpus.nvcc_path() is None:
        pytest.skip("nvcc is not installed: the CUDA corpus cannot be built")
    if _pool is None:
        corpus.prune_cuda_cache(PROGRAMS)
        _pool = corpus.Pool(corpus.selected(request, PROGRAMS), Kernel, _check)
    yield _pool
    _pool.join()


def test_corpus_size():
    assert len(PROGRAMS) >= 60, f"only {len(PROGRAMS)} CUDA programs in tests/corpus/cuda"


def test_lists_name_real_programs():
    names = {_name(p) for p in PROGRAMS}
    stale = [n for n in XFAIL if n not in names]
    assert not stale, f"xfail_cuda.txt names programs that are not in the corpus: {stale}"


@pytest.mark.parametrize("path", PROGRAMS, ids=_name)
def test_program(pool, path):
    why = pool.futures[path].result(timeout=1200)
    name = _name(path)
    assert why is None or not why.startswith(INVALID), f"{name}: {why}"
    if name in XFAIL:
        assert why is not None, f"{name} now passes: remove it from tests/corpus/xfail_cuda.txt"
        pytest.xfail(f"{XFAIL[name]} ({why[:300]})")
    assert why is None, f"{name}: {why}"
