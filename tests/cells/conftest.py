# Makes tests/kernel_harness.py importable and its fixtures visible here.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kernel_harness import fresh_kernel, kernel, workdir  # noqa: E402,F401  (pytest fixtures)
