"""tests/frontends/test_console.py — `jupyter console` with the cudacell
kernel, typed into through a pseudo-terminal as a person would: wait for the
prompt, type a C statement and Enter, read the output, leave with Ctrl-D.

The terminal is a plain pty (os.openpty + select), nothing else needed."""
from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

import kernel_harness

TIMEOUT = kernel_harness.TIMEOUT
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]|\r")

pytest.importorskip("jupyter_console", reason="jupyter-console is not installed (tests/requirements.txt)")


class Console:
    """jupyter console on a pty: send keys, wait for text on the screen."""

    def __init__(self, cwd: str):
        kernel_harness.require_kernel()
        self.master, slave = os.openpty()
        env = dict(os.environ, TERM="xterm", COLUMNS="120", LINES="40")
        # Our own connection file: close() can stop the kernel even when the
        # console did not (it runs in a session of its own).
        self.connection_file = os.path.join(cwd, "console-kernel.json")
        argv = [sys.executable, "-m", "jupyter_console", "--kernel", kernel_harness.KERNEL_NAME,
                "-f", self.connection_file,
                "--ZMQTerminalInteractiveShell.simple_prompt=False",
                f"--ZMQTerminalInteractiveShell.kernel_timeout={TIMEOUT:.0f}"]
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.raw = b""

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def _read(self, timeout: float) -> bool:
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:   # EIO: the other side closed
            return False
        self.raw += data
        return bool(data)

    def expect(self, pattern: str, start: int = 0, timeout: float = TIMEOUT) -> int:
        """Wait until `pattern` (a regex) appears in the screen text after
        offset start; returns the offset just past it."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.text, start)
            if m:
                return m.end()
            left = deadline - time.monotonic()
            if left <= 0 or (self.proc.poll() is not None and not self._read(0)):
                raise AssertionError(f"no {pattern!r} on the console within {timeout:.0f}s; "
                                     f"screen so far:\n{self.text[-3000:]}")
            self._read(min(left, 0.5))

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def _stop_kernel(self) -> None:
        """Ask the console's kernel to shut down, if it still runs."""
        if not os.path.exists(self.connection_file):
            return
        from jupyter_client import BlockingKernelClient
        kc = BlockingKernelClient(connection_file=self.connection_file)
        try:
            kc.load_connection_file()
            kc.start_channels()
            kc.shutdown()
            time.sleep(1.0)
        except Exception:   # already gone
            pass
        finally:
            kc.stop_channels()

    def close(self) -> None:
        if self.proc.poll() is None:
            self._stop_kernel()
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)


@pytest.fixture
def console(workdir):
    c = Console(workdir)
    yield c
    c.close()


def test_console_runs_a_c_statement_and_exits(console):
    pos = console.expect(r"In \[1\]: ")
    console.send('printf("console ok\\n");\r')
    # is_complete says complete, so one Enter runs it; the output comes before
    # the next prompt.
    pos = console.expect(r"console ok", pos)
    pos = console.expect(r"In \[2\]: ", pos)

    # An incomplete line (an open brace) gets a continuation line, and the
    # closing brace plus Enter runs the whole cell.
    console.send("for (int i = 0; i < 2; i++) {\r")
    time.sleep(0.5)
    console.send('printf("loop %d\\n", i);\r}\r')
    pos = console.expect(r"loop 0\s+loop 1", pos)
    pos = console.expect(r"In \[3\]: ", pos)

    # A compile error is shown with its cell line, and the console goes on.
    console.send("int x = ;\r")
    pos = console.expect(r"cell:1:\d+: error", pos)
    pos = console.expect(r"In \[4\]: ", pos)

    console.send("\x04")   # Ctrl-D: leave, answering the confirmation if asked
    deadline = time.monotonic() + TIMEOUT
    answered = False
    while console.proc.poll() is None and time.monotonic() < deadline:
        console._read(0.2)
        if not answered and "really want to exit" in console.text[pos:]:
            console.send("y\r")
            answered = True
    assert console.proc.returncode == 0, f"jupyter console did not exit cleanly:\n{console.text[-2000:]}"


@pytest.mark.parametrize("word", ["exit", "quit()"])
def test_console_exit_word_ends_the_console(console, word):
    pos = console.expect(r"In \[1\]: ")
    console.send(word + "\r")
    deadline = time.monotonic() + TIMEOUT
    while console.proc.poll() is None and time.monotonic() < deadline:
        console._read(0.2)
    assert console.proc.returncode == 0, f"`{word}` did not end jupyter console:\n{console.text[-2000:]}"
    assert "Shutting down kernel" in console.text[pos:], console.text[-2000:]
