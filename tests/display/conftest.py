# Makes tests/kernel_harness.py importable. `kernel` is one kernel shared by a
# test module; `fresh_kernel` is a kernel of the test's own.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kernel_harness import fresh_kernel, kernel  # noqa: E402,F401  (pytest fixtures)
