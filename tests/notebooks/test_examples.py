"""Every example notebook in share/examples runs top to bottom with nbclient
without an error output. Cells tagged `raises-exception` may fail, and so may
cells tagged `gpu` on a machine without a GPU."""
import glob
import os

import nbformat
import pytest
from nbclient import NotebookClient

from kernel_harness import KERNEL_NAME, SOURCE, TIMEOUT, require_kernel, sanitizer_reports

EXAMPLES = sorted(glob.glob(os.path.join(SOURCE, "share", "examples", "*.ipynb")))


def _has_gpu():
    return os.path.exists("/dev/nvidia0") or bool(glob.glob("/dev/nvidia[0-9]*"))


@pytest.mark.skipif(not EXAMPLES, reason="no example notebooks in share/examples yet")
@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_notebook_runs(path, tmp_path):
    require_kernel()
    nb = nbformat.read(path, as_version=4)
    allowed = {"raises-exception"} | (set() if _has_gpu() else {"gpu"})
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if allowed & set(tags) and "raises-exception" not in tags:
            cell.metadata["tags"] = list(tags) + ["raises-exception"]
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=int(TIMEOUT * 5),
                            resources={"metadata": {"path": str(tmp_path)}}, allow_errors=False)
    client.execute()
    _check_outputs(os.path.basename(path), nb)
    errors = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or allowed & set(cell.metadata.get("tags", [])):
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                errors.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
    assert not errors, "\n".join(errors)
    reports = sanitizer_reports()
    assert not reports, "\n".join(reports)


def _text(nb, stream):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("name") == stream)


def _check_outputs(name, nb):
    """What each example must show: results on a GPU; without one, the host
    parts ran and the no-GPU note explains why the GPU parts could not."""
    out, err = _text(nb, "stdout"), _text(nb, "stderr")
    if name == "cuda_basics.ipynb":
        if _has_gpu():
            assert "max error: 0" in out, out
        else:
            assert "CUDA unavailable" in out, out
            assert "host code did run" in err, err
    elif name == "c_basics.ipynb":
        assert out.strip(), "c_basics printed nothing"


def test_examples_are_valid_notebooks():
    for path in EXAMPLES:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.get("kernelspec", {}).get("name") == "cudacell", \
            f"{os.path.basename(path)} should name the cudacell kernel"
