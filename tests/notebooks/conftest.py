# The notebooks suite's fixtures (tests/kernel_harness.py, importable through
# tests/pytest.ini's pythonpath).
from kernel_harness import fresh_kernel, kernel, workdir  # noqa: F401  (pytest fixtures)
