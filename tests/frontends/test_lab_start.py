"""tests/frontends/test_lab_start.py — scripts/lab.sh, the JupyterLab start
of scripts/setup.sh: started in the background of a script (where bash
makes the job ignore SIGINT), it serves the lab with the Jupyter news check
off, and one SIGINT stops it.

It uses the venv this test runs in (CUDACELL_VENV) and a JupyterLab app
dir of its own (JUPYTERLAB_DIR: links to the venv's assets, its own
settings), so it changes nothing in the venv."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import kernel_harness

pytest.importorskip("jupyterlab", reason="JupyterLab is not installed in this Python (requirements.txt)")

SOURCE = os.environ.get("CUDACELL_SOURCE") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
LAB_SH = os.path.join(SOURCE, "scripts", "lab.sh")
START_TIMEOUT = kernel_harness.TIMEOUT * 2
STOP_DEADLINE = 10.0   # the bound for stopping on SIGINT
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_dir(tmp_path) -> str:
    from jupyterlab.commands import get_app_dir
    real = get_app_dir()
    mine = tmp_path / "lab"
    mine.mkdir()
    for name in ("static", "schemas", "themes"):
        if os.path.exists(os.path.join(real, name)):
            os.symlink(os.path.join(real, name), mine / name)
    return str(mine)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_lab_in_the_background_has_no_news_and_stops_on_sigint(tmp_path):
    if not os.path.exists(os.path.join(sys.prefix, "bin", "python")):
        pytest.skip("this Python does not run from a venv with bin/python")
    port = _free_port()
    lab_dir = _lab_dir(tmp_path)
    out = tmp_path / "lab.out"
    pidfile = tmp_path / "lab.pid"
    env = dict(os.environ, CUDACELL_VENV=sys.prefix, JUPYTERLAB_DIR=lab_dir,
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    # As `scripts/setup.sh &` in a script: a non-interactive bash runs the
    # job with SIGINT ignored and stdin from /dev/null.
    script = f'"{LAB_SH}" --port {port} --no-browser >"{out}" 2>&1 & echo $! >"{pidfile}"; wait'
    shell = subprocess.Popen(["bash", "-c", script], cwd=str(tmp_path), env=env, start_new_session=True)
    pid = None
    try:
        deadline = time.monotonic() + START_TIMEOUT
        token = None
        while time.monotonic() < deadline and shell.poll() is None:
            if pid is None and pidfile.exists() and pidfile.read_text().strip():
                pid = int(pidfile.read_text())
            m = re.search(r"token=([0-9a-f]+)", out.read_text() if out.exists() else "")
            if m and token is None:
                token = m.group(1)
            if token:
                try:
                    url = f"http://127.0.0.1:{port}/lab/api/settings/{NOTIFICATION}?token={token}"
                    with urllib.request.urlopen(url, timeout=5) as r:
                        settings = json.load(r)
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start within {START_TIMEOUT:.0f}s:\n"
                        f"{out.read_text() if out.exists() else ''}"[-3000:])

        # The news question is answered "Never" by default.
        props = settings["schema"]["properties"]
        assert props["fetchNews"]["default"] == "false", props["fetchNews"]
        with open(os.path.join(lab_dir, "settings", "overrides.d", "cudacell.json")) as f:
            assert json.load(f)[NOTIFICATION]["fetchNews"] == "false"

        # One SIGINT stops it.
        with open(f"/proc/{pid}/status") as f:
            ignored = int(re.search(r"SigIgn:\s*([0-9a-f]+)", f.read()).group(1), 16)
        assert not ignored & (1 << (signal.SIGINT - 1)), "the lab still ignores SIGINT"
        t0 = time.monotonic()
        os.kill(pid, signal.SIGINT)
        while _alive(pid) and time.monotonic() - t0 < STOP_DEADLINE:
            time.sleep(0.1)
        took = time.monotonic() - t0
        assert not _alive(pid), f"JupyterLab still runs {STOP_DEADLINE:.0f}s after SIGINT:\n{out.read_text()[-3000:]}"
        print(f"JupyterLab stopped {took:.1f}s after SIGINT")
        shell.wait(timeout=10)
    finally:
        if pid and _alive(pid):
            os.kill(pid, signal.SIGKILL)
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
