# The display suite's fixtures (tests/kernel_harness.py, importable through
# tests/pytest.ini's pythonpath). `kernel` is one kernel shared by a test
# module; `fresh_kernel` is a kernel of the test's own.
from kernel_harness import fresh_kernel, kernel  # noqa: F401  (pytest fixtures)
