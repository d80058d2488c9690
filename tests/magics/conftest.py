"""tests/magics/conftest.py — the magics suite: every Python test of `!`
lines and of the magics (C unit tests of the table and the split stay in
tests/unit/test_magics.c; the GPU-bound %gpu, %%ncu and %%nsys tests stay in
the gpu suite, whose skip logic they need).

Fixtures: `kernel` (one per module) and `fresh_kernel` (one per test) are
plain kernels, as in the protocol suite; `ckernel` and `fresh_ckernel` are
the same whose first cell included the usual headers (stdio.h, stdlib.h,
string.h, unistd.h), as the cells suite's kernels are."""
import pytest

from kernel_harness import c_kernel, fresh_kernel, kernel, workdir  # noqa: F401  (pytest fixtures)


@pytest.fixture(scope="module")
def ckernel():
    k = c_kernel()
    yield k
    k.shutdown()


@pytest.fixture
def fresh_ckernel():
    k = c_kernel()
    yield k
    k.shutdown()
