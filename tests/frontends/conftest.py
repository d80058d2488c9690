"""tests/frontends/conftest.py — the frontends suite: the kernel driven by
real Jupyter frontends (jupyter console through a pseudo-terminal, nbclient).
Importing kernel_harness writes the temporary kernelspec that points at
$CUDACELL_BUILD/cudacell and puts it on JUPYTER_PATH."""
import kernel_harness  # noqa: F401  (kernelspec, JUPYTER_PATH, cache dir)
from kernel_harness import workdir  # noqa: F401  (fixture)
