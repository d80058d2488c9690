"""tests/corpus/test_corpus.py — every corpus program (see corpus.py) run
three ways: whole with gcc, as one cell, and split into several cells; a
program passes when the exit status (or abort/signal) and stdout of both cell
runs equal gcc's. One TAP line per program.

Two workers, each with one kernel reused for its share of the programs
(`%reset` between programs), run in background threads from the start; each
test waits for its own program's result.

xfail.txt lists programs known to fail, with the reason. It is strict: a
listed program that passes fails its test, so the list stays honest.
"""
from __future__ import annotations

import os

import corpus
import pytest
from kernel_harness import Kernel

TORTURE = corpus.torture_programs()
HANDWRITTEN = corpus.handwritten_programs()
PROGRAMS = HANDWRITTEN + TORTURE
XFAIL = corpus.read_list("xfail.txt")


def _name(path: str) -> str:
    return ("c/" if path in HANDWRITTEN else "torture/") + os.path.basename(path)


def _check(kernel, path: str, tmp: str) -> str | None:
    """None when the program passes all three ways, else what differed."""
    text = open(path, errors="replace").read()
    want = corpus.gcc_run(path, tmp)
    if want is None:
        return "gcc itself cannot compile or run it here"
    whole = corpus.run_cells(kernel, [text])
    split = corpus.split_cells(text)
    parts = corpus.run_cells(kernel, split)
    return corpus.compare("gcc", want, whole, parts, len(split))


_pool: corpus.Pool | None = None


@pytest.fixture(scope="module")
def pool(request):
    global _pool
    if _pool is None:
        _pool = corpus.Pool(corpus.selected(request, PROGRAMS), Kernel, _check)
    yield _pool
    _pool.join()


def test_torture_source_present():
    if not corpus.gcc_tarball():
        pytest.skip("gcc-12-source is not installed (scripts/setup.sh --with-tests installs it): "
                    "only the hand-written programs run")
    assert len(TORTURE) >= 150, f"only {len(TORTURE)} torture programs were selected"


def test_lists_name_real_programs():
    names = {_name(p) for p in PROGRAMS}
    stale = [n for n in XFAIL if n not in names and (n.startswith("c/") or TORTURE)]
    assert not stale, f"xfail.txt names programs that are not in the corpus: {stale}"


@pytest.mark.parametrize("path", PROGRAMS, ids=_name)
def test_program(pool, path):
    why = pool.futures[path].result(timeout=1200)
    name = _name(path)
    if name in XFAIL:
        assert why is not None, f"{name} now passes: remove it from tests/corpus/xfail.txt"
        pytest.xfail(f"{XFAIL[name]} ({why[:300]})")
    assert why is None, f"{name}: {why}"
