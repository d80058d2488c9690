"""tests/frontends/test_nbclient.py — a notebook run end to end by nbclient
(what `jupyter nbconvert --execute` and papermill use): the outputs saved in
the notebook are the ones a person would see."""
from __future__ import annotations

import os

import nbformat
import pytest

import kernel_harness

nbclient = pytest.importorskip("nbclient")

HAVE_DISPLAY = os.path.exists(os.path.join(kernel_harness.SOURCE, "runtime", "display", "cudacell.h"))


def _run(cells: list[str], workdir: str, allow_errors: bool = False) -> nbformat.NotebookNode:
    kernel_harness.require_kernel()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel_harness.KERNEL_NAME,
                                 "display_name": "cudacell (test build)", "language": "c"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    client = nbclient.NotebookClient(nb, timeout=int(kernel_harness.TIMEOUT), kernel_name=kernel_harness.KERNEL_NAME,
                                     allow_errors=allow_errors, resources={"metadata": {"path": workdir}})
    client.execute()
    nbformat.validate(nb)
    return nb


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def test_c_cells_keep_state_and_print(workdir):
    nb = _run([
        "int counter = 40;",
        "counter += 2;",
        'printf("counter=%d\\n", counter);',
    ], workdir)
    assert [c.execution_count for c in nb.cells] == [1, 2, 3]
    assert _stdout(nb.cells[2]) == "counter=42\n", nb.cells[2].outputs


def test_error_cell_is_saved_as_an_error_output(workdir):
    nb = _run(['printf("before\\n");', "int x = ;", 'printf("after\\n");'], workdir, allow_errors=True)
    assert _stdout(nb.cells[0]) == "before\n"
    errs = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert len(errs) == 1, nb.cells[1].outputs
    assert "cell:1" in "\n".join(errs[0].traceback), errs[0]
    assert _stdout(nb.cells[2]) == "after\n"   # allow_errors: the next cell still ran


def test_stop_on_error_raises_cell_execution_error(workdir):
    with pytest.raises(nbclient.exceptions.CellExecutionError) as e:
        _run(["int x = ;", 'printf("never\\n");'], workdir)
    assert "error" in str(e.value)


@pytest.mark.skipif(not HAVE_DISPLAY, reason="runtime/display/cudacell.h not in the source tree yet")
def test_display_calls_are_saved_as_mime_bundles(workdir):
    nb = _run([
        'cc_display_html("<b>bold</b> text");\n'
        'cc_display_markdown("# Title");\n'
        'printf("after displays\\n");',
    ], workdir)
    outs = nb.cells[0].outputs
    displays = [o for o in outs if o.output_type == "display_data"]
    assert len(displays) == 2, outs
    assert displays[0].data["text/html"] == "<b>bold</b> text", displays[0]
    assert "text/plain" in displays[0].data
    assert displays[1].data["text/markdown"] == "# Title", displays[1]
    # order kept: both displays before the printf that followed them
    kinds = [o.output_type for o in outs]
    assert kinds.index("stream") > max(i for i, k in enumerate(kinds) if k == "display_data"), kinds
