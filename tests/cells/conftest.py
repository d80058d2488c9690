# Makes tests/kernel_harness.py importable. In this suite `kernel` and
# `fresh_kernel` are kernels whose first cell included the usual headers
# (stdio.h, stdlib.h, string.h, unistd.h), as a C programmer's would.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pytest  # noqa: E402

from kernel_harness import c_kernel, workdir  # noqa: E402,F401  (pytest fixtures)


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
