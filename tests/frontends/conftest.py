"""tests/frontends/conftest.py — the frontends suite: the kernel driven by
real Jupyter frontends (jupyter console through a pseudo-terminal, nbclient).
Importing kernel_harness writes the temporary kernelspec that points at
$CUDACELL_BUILD/cudacell and puts it on JUPYTER_PATH."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import kernel_harness  # noqa: E402,F401  (kernelspec, JUPYTER_PATH, cache dir)
from kernel_harness import workdir  # noqa: E402,F401  (fixture)
