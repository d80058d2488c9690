"""tests/browser/conftest.py — a real JupyterLab 4 server and a headless
Chromium driven by Selenium, for the browser suite.

It owns:
  * `lab`: JupyterLab started from the test interpreter's environment
    (`python -m jupyterlab`) on 127.0.0.1 with a random port and a random
    token, no browser, and every directory it reads or writes (config, data,
    runtime, settings, workspaces, root) in a temporary folder, so nothing of
    the user's leaks in. The kernelspec is the one tests/kernel_harness.py
    writes (it points at $CUDACELL_BUILD/cudacell). Nothing goes to the
    network: the news feed and the update check are turned off.
  * `browser`: Debian's chromium through /usr/bin/chromedriver, given to
    Selenium explicitly (SE_OFFLINE=true: Selenium Manager downloads nothing).
  * `artifacts`: where screenshots go: browser/ under $CUDACELL_ARTIFACTS,
    else <build>/test-artifacts/browser.

Every test here is skipped, with the reason, when selenium, chromium or
chromedriver is missing (scripts/setup.sh --with-tests installs them).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

import kernel_harness  # (writes the temporary kernelspec, sets JUPYTER_PATH)

CHROMEDRIVER = os.environ.get("CUDACELL_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_CANDIDATES = [os.environ.get("CUDACELL_CHROMIUM", ""), "/usr/bin/chromium",
                       "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
LAB_START_TIMEOUT = 90.0


def _missing_reason() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (scripts/setup.sh --with-tests installs it)"
    if not _chromium():
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if not os.access(CHROMEDRIVER, os.X_OK):
        return f"chromedriver not found at {CHROMEDRIVER} (apt-get install chromium-driver)"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return f"jupyterlab is not installed for {sys.executable}"
    return None


def _chromium() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        if c and os.access(c, os.X_OK):
            return c
    return None


MISSING = _missing_reason()


def pytest_collection_modifyitems(config, items):
    if MISSING:
        skip = pytest.mark.skip(reason=MISSING)
        for item in items:
            item.add_marker(skip)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Lab:
    """A running JupyterLab: its URL, token, root dir and log."""

    def __init__(self, base: str):
        self.base = base
        self.root = os.path.join(base, "root")
        self.port = _free_port()
        self.token = os.urandom(16).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(base, "lab.log")
        self.proc: subprocess.Popen | None = None

    def _env(self) -> dict:
        env = dict(os.environ)
        home = os.path.join(self.base, "home")
        dirs = {
            "HOME": home,
            "JUPYTER_CONFIG_DIR": os.path.join(self.base, "config"),
            "JUPYTER_DATA_DIR": os.path.join(self.base, "data"),
            "JUPYTER_RUNTIME_DIR": os.path.join(self.base, "runtime"),
            "IPYTHONDIR": os.path.join(self.base, "ipython"),
        }
        for d in list(dirs.values()) + [self.root]:
            os.makedirs(d, exist_ok=True)
        env.update(dirs)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env.pop("JUPYTER_CONFIG_PATH", None)
        env["JUPYTER_PATH"] = kernel_harness.JUPYTER_DATA   # only our kernelspec
        # No network: no news feed, no update check. The app is exposed as
        # window.jupyterapp so the tests can read the kernel's state.
        cfg = {"LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "expose_app_in_browser": True,
            "user_settings_dir": os.path.join(self.base, "settings"),
            "workspaces_dir": os.path.join(self.base, "workspaces"),
        }}
        with open(os.path.join(dirs["JUPYTER_CONFIG_DIR"], "jupyter_server_config.json"), "w") as f:
            json.dump(cfg, f)
        labconfig = os.path.join(dirs["JUPYTER_CONFIG_DIR"], "labconfig")
        os.makedirs(labconfig, exist_ok=True)
        with open(os.path.join(labconfig, "page_config.json"), "w") as f:
            json.dump({"disabledExtensions": {
                "@jupyterlab/apputils-extension:announcements": True,
            }}, f)
        return env

    def start(self) -> None:
        argv = [sys.executable, "-m", "jupyterlab",
                "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                "--no-browser", "--ServerApp.open_browser=False",
                f"--ServerApp.root_dir={self.root}"]
        if os.geteuid() == 0:
            argv.append("--allow-root")
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, env=self._env(), cwd=self.root,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + LAB_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        pytest.fail(f"JupyterLab did not answer within {LAB_START_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 4000) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()   # jupyter_server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()


@pytest.fixture(scope="session")
def lab():
    kernel_harness.require_kernel()
    base = tempfile.mkdtemp(prefix="cudacell-lab-")
    server = Lab(base)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    os.environ["SE_OFFLINE"] = "true"   # Selenium Manager must not download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = _chromium()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1800", "--no-first-run", "--disable-extensions",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--metrics-recording-only", "--no-default-browser-check"):
        opts.add_argument(a)
    profile = tempfile.mkdtemp(prefix="cudacell-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts() -> str:
    root = os.environ.get("CUDACELL_ARTIFACTS") or os.path.join(kernel_harness.BUILD, "test-artifacts")
    d = os.path.join(root, "browser")
    os.makedirs(d, exist_ok=True)
    return d
