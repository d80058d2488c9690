"""tests/gpu/conftest.py — fixtures of the GPU suite.

Every test here needs a GPU except those in test_nogpu.py and
test_profile.py (which mark their GPU tests themselves). Whether there is
one is decided once (gpu_util runs the build's own `cudacell-gpuinfo`);
without a device every GPU test is reported as skipped, with the reason.
"""
import os

import pytest

from gpu_util import GPU_REPORT, HAVE_GPU, NO_GPU_REASON
from kernel_harness import fresh_kernel, kernel, workdir  # noqa: F401  (fixtures)


def pytest_collection_modifyitems(config, items):
    skip_gpu = pytest.mark.skip(reason=NO_GPU_REASON)
    for item in items:
        if os.path.basename(str(item.fspath)) in ("test_nogpu.py", "test_profile.py"):
            continue   # these decide for themselves which of their tests need a GPU
        if not HAVE_GPU:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def gpu_report() -> dict:
    return GPU_REPORT
