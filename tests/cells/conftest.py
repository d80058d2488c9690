# The cells suite's fixtures (tests/kernel_harness.py is importable through
# tests/pytest.ini's pythonpath). In this suite `kernel` and
# `fresh_kernel` are kernels whose first cell included the usual headers
# (stdio.h, stdlib.h, string.h, unistd.h), as a C programmer's would.
import pytest

from kernel_harness import c_kernel, workdir  # noqa: F401  (pytest fixtures)


@pytest.fixture(scope="module")
def kernel():
    k = c_kernel()
    yield k
    k.shutdown()


@pytest.fixture
def fresh_kernel():
    k = c_kernel()
    yield k
    k.shutdown()
