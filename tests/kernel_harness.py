"""tests/kernel_harness.py — drives the real cudacell kernel for the Python
test suites (protocol, cells, notebooks) and the benchmark.

It owns: a temporary kernelspec pointing at $CUDACELL_BUILD/cudacell (so no
install is needed), starting/stopping kernels through jupyter_client, an
`execute` that gathers everything one request produced (reply, iopub
messages, stdin round trips), raw ZeroMQ sockets for malformed-message and
latency tests, and the sanitizer-report check done after each kernel stops.

Environment:
  CUDACELL_BUILD    build root holding cudacell, cudacell-runtime (default: ./build)
  CUDACELL_SOURCE   source root (default: the parent of this file's folder)
  CUDACELL_TIMEOUT  seconds to wait for one request (default 60; x3 under a sanitizer)
"""
from __future__ import annotations

import atexit
import glob
import hashlib
import hmac
import json
import os
import shutil
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from queue import Empty
from typing import Any, Callable

import pytest
import zmq
from jupyter_client.manager import KernelManager

try:  # message schemas from jupyter_kernel_test, when installed
    from jupyter_kernel_test.msgspec_v5 import schema_fragments, validate_message
except ImportError:  # pragma: no cover
    schema_fragments, validate_message = {}, None

SOURCE = os.environ.get("CUDACELL_SOURCE") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("CUDACELL_BUILD") or os.path.join(SOURCE, "build")
KERNEL_BIN = os.path.join(BUILD, "cudacell")
KERNEL_NAME = "cudacell-test"
SANITIZED = any(
    k in os.environ for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")
) or "asan" in os.path.basename(os.path.normpath(BUILD))
TIMEOUT = float(os.environ.get("CUDACELL_TIMEOUT", "60")) * (3 if SANITIZED else 1)

# ---- the temporary kernelspec and sanitizer log dir ------------------------
_TMP = tempfile.mkdtemp(prefix="cudacell-tests-")
atexit.register(shutil.rmtree, _TMP, True)
SANITIZER_LOG_DIR = os.path.join(_TMP, "sanitizer")
os.makedirs(SANITIZER_LOG_DIR)


def _built_kernelspec() -> dict:
    """The kernelspec the build generated ({} if there is none)."""
    try:
        with open(os.path.join(BUILD, "kernel.json")) as f:
            spec = json.load(f)
        return spec if isinstance(spec, dict) else {}
    except (OSError, ValueError):
        return {}


def _kernel_argv() -> list[str]:
    """argv of the kernelspec the build generated, with our binary first."""
    tail = ["-f", "{connection_file}"]
    argv = _built_kernelspec().get("argv")
    if isinstance(argv, list) and len(argv) > 1:
        tail = argv[1:]
    return [KERNEL_BIN] + tail


def _write_kernelspec() -> str:
    """The test kernelspec: the built one's argv tail and metadata (so, e.g.,
    its supported_encryption), with our binary."""
    kdir = os.path.join(_TMP, "jupyter", "kernels", KERNEL_NAME)
    os.makedirs(kdir)
    metadata = _built_kernelspec().get("metadata")
    spec = {
        "argv": _kernel_argv(),
        "display_name": "cudacell (test build)",
        "language": "c",
        "interrupt_mode": "signal",
        "metadata": metadata if isinstance(metadata, dict) else {},
    }
    with open(os.path.join(kdir, "kernel.json"), "w") as f:
        json.dump(spec, f, indent=1)
    return os.path.join(_TMP, "jupyter")


JUPYTER_DATA = _write_kernelspec()
# A compile cache of this run's own, shared by its kernels (the user's stays clean).
os.environ.setdefault("CUDACELL_CACHE_DIR", os.path.join(_TMP, "cache"))
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [JUPYTER_DATA] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
)
# Sanitizer reports of every kernel (and runtime) started from here go to
# files we can read back; harmless for uninstrumented programs.
for _var, _name in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
    _old = os.environ.get(_var, "")
    os.environ[_var] = (_old + ":" if _old else "") + "log_path=" + os.path.join(SANITIZER_LOG_DIR, _name)

_seen_reports: set[str] = set()


def sanitizer_reports() -> list[str]:
    """Texts of the sanitizer reports written since the last call."""
    out = []
    for path in sorted(glob.glob(os.path.join(SANITIZER_LOG_DIR, "*"))):
        if path in _seen_reports:
            continue
        _seen_reports.add(path)
        with open(path, errors="replace") as f:
            text = f.read()
        if text.strip():
            out.append(f"--- {os.path.basename(path)}\n{text}")
    return out


NVCC = shutil.which("nvcc") or next(
    (p for p in (os.path.join(os.environ.get("CUDA_HOME", "/nonexistent"), "bin", "nvcc"),
                 "/usr/local/cuda/bin/nvcc") if os.access(p, os.X_OK)), None)
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc not installed: CUDA cells cannot compile")


def require_kernel() -> None:
    if not os.access(KERNEL_BIN, os.X_OK):
        pytest.fail(f"no kernel binary at {KERNEL_BIN}: build it (ninja -C {BUILD}) or set CUDACELL_BUILD")


def _validate(msg: dict) -> None:
    """Check msg against the protocol's schema where one is known."""
    if validate_message is None:
        return
    mt = msg["header"]["msg_type"]
    if mt not in schema_fragments:
        return
    if mt == "execute_reply" and msg["content"].get("status") == "aborted":
        return  # "aborted" is what ipykernel and the spec's prose use; the schema lacks it
    if mt == "input_request":
        # jupyter_kernel_test 0.7.0's schema types `password` as a number; the
        # messaging spec (and ipykernel) make it a boolean. Check it by hand.
        assert isinstance(msg["content"].get("prompt"), str)
        assert isinstance(msg["content"].get("password"), bool)
        return
    validate_message(msg)


# ---- results ----------------------------------------------------------------
@dataclass
class Result:
    """Everything one execute_request produced."""

    msg_id: str
    code: str
    reply: dict | None = None
    iopub: list[dict] = field(default_factory=list)   # with our parent, busy..idle
    input_requests: list[dict] = field(default_factory=list)
    elapsed: float = 0.0
    reply_time: float = 0.0   # seconds from send to the shell reply

    @property
    def status(self) -> str:
        return self.reply["content"]["status"] if self.reply else "no reply"

    @property
    def content(self) -> dict:
        return self.reply["content"] if self.reply else {}

    def of_type(self, *types: str) -> list[dict]:
        return [m for m in self.iopub if m["header"]["msg_type"] in types]

    def stream(self, name: str) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == name)

    @property
    def stdout(self) -> str:
        return self.stream("stdout")

    @property
    def stderr(self) -> str:
        return self.stream("stderr")

    @property
    def errors(self) -> list[dict]:
        return [m["content"] for m in self.of_type("error")]

    @property
    def error_text(self) -> str:
        """ename, evalue and traceback of the reply and iopub errors, as one text."""
        parts = []
        for c in [self.content] + self.errors:
            if "ename" in c:
                parts += [c.get("ename", ""), c.get("evalue", "")] + list(c.get("traceback", []))
        return "\n".join(parts)

    @property
    def types(self) -> list[str]:
        return [m["header"]["msg_type"] for m in self.iopub]

    def describe(self) -> str:
        """For assertion messages: what came back."""
        out = [f"status={self.status}"]
        if self.reply and self.status == "error":
            out.append(f"ename={self.content.get('ename')!r} evalue={self.content.get('evalue')!r}")
        out.append(f"iopub={self.types}")
        if self.stdout:
            out.append(f"stdout={self.stdout[:600]!r}")
        if self.stderr:
            out.append(f"stderr={self.stderr[:600]!r}")
        for e in self.errors:
            out.append(f"error: {e.get('ename')}: {e.get('evalue')} | " + " / ".join(e.get("traceback", []))[:800])
        return "\n  ".join(out)


# ---- one kernel -------------------------------------------------------------
class Kernel:
    """A running cudacell kernel with a blocking client."""

    def __init__(self, env: dict | None = None, cwd: str | None = None, kernel_name: str = KERNEL_NAME,
                 stderr: Any = None, transport_encryption: str = "disabled"):
        """stderr: a file the kernel's stderr goes to (default: ours).
        transport_encryption: jupyter_client's policy ("disabled", "auto",
        "required"); with CurveZMQ keys the raw sockets below use them too."""
        if kernel_name == KERNEL_NAME:
            require_kernel()
        self.km = KernelManager(kernel_name=kernel_name, transport_encryption=transport_encryption)
        self._stash: dict[str, list[dict]] = {}
        kenv = dict(os.environ)
        if env:
            kenv.update(env)
        t0 = time.monotonic()
        self.km.start_kernel(env=kenv, cwd=cwd or _TMP, **({"stderr": stderr} if stderr else {}))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=TIMEOUT)
        except RuntimeError as e:
            self.shutdown(check=False)
            pytest.fail(f"the kernel did not answer kernel_info within {TIMEOUT:.0f}s: {e}")
        self.ready_time = time.monotonic() - t0
        self._poller = zmq.Poller()
        for ch in (self.kc.iopub_channel, self.kc.shell_channel, self.kc.stdin_channel):
            self._poller.register(ch.socket, zmq.POLLIN)
        self._drain()

    # -- plumbing
    @property
    def session(self):
        return self.kc.session

    @property
    def pid(self) -> int:
        return self.km.provisioner.pid if self.km.provisioner else self.km.kernel.pid

    def alive(self) -> bool:
        return self.km.is_alive()

    def _drain(self, quiet: float = 0.05) -> None:
        """Drop whatever is queued on iopub and shell."""
        self._stash = {}
        for ch in (self.kc.iopub_channel, self.kc.shell_channel, self.kc.stdin_channel):
            while True:
                try:
                    ch.get_msg(timeout=quiet)
                except Empty:
                    break

    def send(self, channel: str, msg_type: str, content: dict | None = None) -> str:
        msg = self.session.msg(msg_type, content or {})
        getattr(self.kc, channel + "_channel").send(msg)
        return msg["header"]["msg_id"]

    def _recv(self, channel: str, parent: str, timeout: float) -> dict | None:
        """The next message on channel whose parent is `parent`, or None after
        timeout. Messages for other requests are kept for their own reader."""
        stash = self._stash.setdefault(channel, [])
        for i, m in enumerate(stash):
            if m["parent_header"].get("msg_id") == parent:
                return stash.pop(i)
        ch = getattr(self.kc, channel + "_channel")
        deadline = time.monotonic() + timeout
        while True:
            try:
                m = ch.get_msg(timeout=max(0.0, deadline - time.monotonic()))
            except Empty:
                return None
            if m["parent_header"].get("msg_id") == parent:
                return m
            stash.append(m)
            if len(stash) > 20000:
                del stash[:10000]
            if time.monotonic() >= deadline:
                return None

    def has_reply(self, msg_id: str) -> bool:
        """Whether the shell reply to msg_id has arrived (it stays queued)."""
        m = self._recv("shell", msg_id, 0.0)
        if m is None:
            return False
        self._stash["shell"].insert(0, m)
        return True

    def wait_reply(self, channel: str, msg_id: str, timeout: float | None = None) -> dict:
        """The reply to msg_id on channel."""
        m = self._recv(channel, msg_id, timeout or TIMEOUT)
        if m is None:
            raise TimeoutError(f"no {channel} reply to {msg_id} within {timeout or TIMEOUT:.1f}s")
        _validate(m)
        return m

    def request(self, channel: str, msg_type: str, content: dict | None = None,
                timeout: float | None = None) -> dict:
        return self.wait_reply(channel, self.send(channel, msg_type, content), timeout)

    def shell(self, msg_type: str, content: dict | None = None, timeout: float | None = None) -> dict:
        return self.request("shell", msg_type, content, timeout)

    def control(self, msg_type: str, content: dict | None = None, timeout: float | None = None) -> dict:
        return self.request("control", msg_type, content, timeout)

    # -- execute
    def execute_async(self, code: str, silent: bool = False, store_history: bool = True,
                      allow_stdin: bool = False, stop_on_error: bool = True) -> str:
        return self.send("shell", "execute_request", {
            "code": code, "silent": silent, "store_history": store_history,
            "user_expressions": {}, "allow_stdin": allow_stdin, "stop_on_error": stop_on_error,
        })

    def collect(self, msg_id: str, code: str = "", timeout: float | None = None,
                stdin: Callable[[dict], str | None] | None = None,
                on_iopub: Callable[[dict], None] | None = None) -> Result:
        """Wait for the reply to msg_id and its iopub status idle.

        stdin(input_request) returns the value to send back (None = send nothing).
        on_iopub(msg) is called as each message of ours arrives."""
        res = Result(msg_id=msg_id, code=code)
        t0 = time.monotonic()
        deadline = t0 + (timeout or TIMEOUT)
        idle = False
        next_check = t0 + 1.0
        while res.reply is None or not idle:
            now = time.monotonic()
            if now > next_check:
                next_check = now + 1.0
                if not self.alive():
                    raise AssertionError(f"the kernel process died while running {code[:80]!r}; "
                                         f"so far: {res.describe()}")
            if now > deadline:
                raise TimeoutError(
                    f"execute of {code[:80]!r}: no {'reply' if res.reply is None else 'idle status'} "
                    f"within {timeout or TIMEOUT:.0f}s; so far: {res.describe()}")
            got = False
            for name in ("iopub", "shell", "stdin"):
                m = self._recv(name, msg_id, 0.0)
                if m is None:
                    continue
                got = True
                _validate(m)
                if name == "iopub":
                    res.iopub.append(m)
                    if on_iopub:
                        on_iopub(m)
                    if m["header"]["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                        idle = True
                elif name == "shell":
                    res.reply = m
                    res.reply_time = time.monotonic() - t0
                else:
                    res.input_requests.append(m)
                    value = stdin(m) if stdin else None
                    if value is not None:
                        self.kc.input(value)
            if not got:
                self._poller.poll(50)   # until any of the three has a message
        res.elapsed = time.monotonic() - t0
        return res

    def execute(self, code: str, timeout: float | None = None, silent: bool = False,
                store_history: bool = True, allow_stdin: bool = False, stop_on_error: bool = True,
                stdin: Callable[[dict], str | None] | None = None,
                on_iopub: Callable[[dict], None] | None = None) -> Result:
        mid = self.execute_async(code, silent=silent, store_history=store_history,
                                 allow_stdin=allow_stdin or stdin is not None, stop_on_error=stop_on_error)
        return self.collect(mid, code, timeout=timeout, stdin=stdin, on_iopub=on_iopub)

    def ok(self, code: str, **kw) -> Result:
        """Execute and assert it succeeded."""
        r = self.execute(code, **kw)
        assert r.status == "ok", f"cell failed:\n{code}\n  {r.describe()}"
        return r

    def wait_for_output(self, msg_id: str, text: str, timeout: float | None = None) -> list[dict]:
        """Read iopub until a stream of msg_id contains text (so a command is
        known to run). The messages read stay queued for collect()."""
        seen, buf = [], ""
        deadline = time.monotonic() + (timeout or TIMEOUT)
        try:
            while text not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{text!r} never appeared on iopub; got {buf[-500:]!r}")
                m = self._recv("iopub", msg_id, min(left, 0.5))
                if m is None:
                    continue
                seen.append(m)
                if m["header"]["msg_type"] == "stream":
                    buf += m["content"]["text"]
                elif m["header"]["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    raise TimeoutError(f"the request finished before {text!r} appeared; got {buf[-500:]!r}")
        finally:
            self._stash["iopub"] = seen + self._stash.get("iopub", [])
        return seen

    def interrupt_request(self, timeout: float | None = None) -> dict:
        return self.control("interrupt_request", {}, timeout)

    def sigint(self) -> None:
        self.km.interrupt_kernel()

    # -- raw sockets
    def endpoint(self, channel: str) -> str:
        ci = self.km.get_connection_info()
        port = ci[{"shell": "shell_port", "control": "control_port", "iopub": "iopub_port",
                   "stdin": "stdin_port", "hb": "hb_port"}[channel]]
        if ci["transport"] == "ipc":
            return f"ipc://{ci['ip']}-{port}"
        return f"tcp://{ci['ip']}:{port}"

    def raw_socket(self, socket_type: int, channel: str) -> zmq.Socket:
        """A socket of ours connected to channel, a CurveZMQ client when the
        kernel has keys (as jupyter_client's own sockets are)."""
        s = zmq.Context.instance().socket(socket_type)
        s.setsockopt(zmq.LINGER, 0)
        pub = self.km.curve_publickey
        if pub is not None:
            s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
            s.curve_serverkey = pub if isinstance(pub, bytes) else pub.encode()
        s.connect(self.endpoint(channel))
        return s

    @property
    def key(self) -> bytes:
        k = self.km.get_connection_info()["key"]
        return k if isinstance(k, bytes) else k.encode()

    def sign(self, parts: list[bytes]) -> bytes:
        h = hmac.new(self.key, digestmod=hashlib.sha256)
        for p in parts:
            h.update(p)
        return h.hexdigest().encode()

    def raw_frames(self, msg_type: str, content: dict | None = None, msg_id: str | None = None,
                   header: dict | None = None) -> tuple[str, list[bytes]]:
        """Correctly signed frames (after the identities) of one message."""
        msg_id = msg_id or uuid.uuid4().hex
        hdr = header if header is not None else {
            "msg_id": msg_id, "msg_type": msg_type, "username": "test", "session": uuid.uuid4().hex,
            "date": "2024-01-01T00:00:00.000000Z", "version": "5.5",
        }
        parts = [json.dumps(x).encode() for x in (hdr, {}, {}, content or {})]
        return msg_id, [b"<IDS|MSG>", self.sign(parts)] + parts

    def heartbeat_latencies(self, n: int = 20, pause: float = 0.05, timeout: float = 5.0) -> list[float]:
        """Round trips of n heartbeat pings (seconds); inf for a lost one."""
        s = self.raw_socket(zmq.REQ, "hb")
        out = []
        try:
            for i in range(n):
                payload = f"ping-{i}".encode()
                t0 = time.monotonic()
                s.send(payload)
                if s.poll(int(timeout * 1000)):
                    echo = s.recv()
                    out.append(time.monotonic() - t0 if echo == payload else float("inf"))
                else:
                    out.append(float("inf"))
                    break
                time.sleep(pause)
        finally:
            s.close()
        return out

    def control_latencies(self, n: int = 20, pause: float = 0.05) -> list[float]:
        """Round trips of n control kernel_info requests (seconds)."""
        out = []
        for _ in range(n):
            t0 = time.monotonic()
            self.control("kernel_info_request", {}, timeout=10)
            out.append(time.monotonic() - t0)
            time.sleep(pause)
        return out

    # -- stop
    def shutdown(self, check: bool = True) -> None:
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=False)
        except Exception:
            self.km.shutdown_kernel(now=True)
        if check:
            reports = sanitizer_reports()
            assert not reports, "sanitizer reports:\n" + "\n".join(reports)


def latency_summary(lat: list[float]) -> str:
    return f"median {statistics.median(lat) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms, n={len(lat)}"


# ---- processes seen through /proc (soak, benchmarks) --------------------------
def rss_kb(pid: int) -> int:
    """Resident set size of one process, in KiB (0 if gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """Pids whose parent is pid."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return out


# ---- fixtures (imported by each suite's conftest.py) -------------------------
@pytest.fixture(scope="module")
def kernel():
    """One kernel shared by a test module."""
    k = Kernel()
    yield k
    k.shutdown()


@pytest.fixture
def fresh_kernel():
    """A kernel of one's own."""
    k = Kernel()
    yield k
    k.shutdown()


# What a C programmer's first cell would hold; the cells suite starts with it.
C_PRELUDE = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>"


def c_kernel() -> Kernel:
    """A kernel whose session already includes the usual headers."""
    k = Kernel()
    r = k.execute(C_PRELUDE)
    if r.status != "ok":
        k.shutdown(check=False)
        pytest.fail(f"the first cell, only #include lines, failed: {r.describe()}")
    return k


@pytest.fixture
def workdir(tmp_path):
    """A temporary directory path as a string."""
    return str(tmp_path)
