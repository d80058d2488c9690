"""CurveZMQ transport encryption (jupyter_client >= 8.9).

With transport_encryption "required" (or "auto", since our kernelspec
declares "supported_encryption": ["curve"]) jupyter_client writes a key
pair into the connection file and every client socket is a CURVE client.
The kernel then serves cells, interrupts and restarts as usual; a client
without the keys gets nothing back from any socket and does not disturb it;
a connection file with bad keys stops the kernel before anything binds."""
import json
import os
import socket
import statistics
import subprocess
import time

import pytest
import zmq
from jupyter_client.manager import KernelManager

from kernel_harness import (BUILD, KERNEL_BIN, KERNEL_NAME, TIMEOUT, Kernel, require_kernel,
                            sanitizer_reports)

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="pyzmq's libzmq has no CURVE")

SILENCE = 1.5   # seconds a client without keys waits for anything at all


@pytest.fixture(scope="module")
def enc():
    """A kernel started with transport_encryption = "required"."""
    k = Kernel(transport_encryption="required")
    yield k
    k.shutdown()


def test_built_kernelspec_declares_curve():
    with open(os.path.join(BUILD, "kernel.json")) as f:
        spec = json.load(f)
    assert "curve" in spec["metadata"]["supported_encryption"]


def test_required_gives_the_kernel_keys(enc):
    with open(enc.km.connection_file) as f:
        info = json.load(f)
    assert len(info["curve_publickey"]) == 40 and len(info["curve_secretkey"]) == 40


def test_encrypted_cells_run(enc):
    r = enc.ok('#include <stdio.h>\nint answer = 6 * 7;\nprintf("answer %d\\n", answer);')
    assert "answer 42" in r.stdout
    assert "answer 43" in enc.ok('printf("answer %d\\n", answer + 1);').stdout


def test_encrypted_heartbeat_and_control(enc):
    assert enc.kc.hb_channel.is_beating()
    lat = enc.heartbeat_latencies(n=5, pause=0)
    assert all(x != float("inf") for x in lat), lat
    assert enc.control("kernel_info_request")["content"]["status"] == "ok"


def test_encrypted_interrupt(enc):
    mid = enc.execute_async('#include <stdio.h>\nprintf("spinning\\n"); fflush(stdout);\nfor (;;) {}')
    enc.wait_for_output(mid, "spinning")
    assert enc.interrupt_request()["content"]["status"] == "ok"
    r = enc.collect(mid, timeout=30)
    assert r.status == "error" and r.content["ename"] == "KeyboardInterrupt", r.describe()
    assert "after" in enc.ok('printf("after\\n");').stdout


def _plain_sockets(k):
    """Sockets of a client that has the HMAC key but no CurveZMQ keys."""
    ctx = zmq.Context.instance()
    socks = {}
    for name, kind in (("shell", zmq.DEALER), ("control", zmq.DEALER), ("stdin", zmq.DEALER),
                       ("iopub", zmq.SUB), ("hb", zmq.REQ)):
        s = ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        if kind == zmq.SUB:
            s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(k.endpoint(name))
        socks[name] = s
    return socks


def _nothing_back(k, socks):
    """Send what would get an answer on a plain kernel; return what came back."""
    for name in ("shell", "control"):
        _, frames = k.raw_frames("kernel_info_request")
        socks[name].send_multipart(frames)
    socks["hb"].send(b"ping")
    # Traffic on iopub while the plain subscriber listens.
    k.ok('printf("secret output\\n");')
    poller = zmq.Poller()
    for s in socks.values():
        poller.register(s, zmq.POLLIN)
    got = []
    deadline = time.monotonic() + SILENCE
    while (left := deadline - time.monotonic()) > 0:
        for s, _ in poller.poll(left * 1000):
            name = next(n for n, x in socks.items() if x is s)
            got.append((name, s.recv_multipart()))
    return got


def test_client_without_keys_gets_nothing(enc):
    socks = _plain_sockets(enc)
    try:
        got = _nothing_back(enc, socks)
    finally:
        for s in socks.values():
            s.close()
    assert got == []
    assert enc.alive()
    assert "still here" in enc.ok('printf("still here\\n");').stdout
    assert enc.kc.hb_channel.is_beating()


def test_client_with_another_server_key_gets_nothing(enc):
    wrong_pub, _ = zmq.curve_keypair()
    socks = _plain_sockets(enc)
    try:
        for s in socks.values():   # reconnect them as CURVE clients with the wrong server key
            s.disconnect(s.getsockopt(zmq.LAST_ENDPOINT))
        for name, s in socks.items():
            s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
            s.curve_serverkey = wrong_pub
            s.connect(enc.endpoint(name))
        got = _nothing_back(enc, socks)
    finally:
        for s in socks.values():
            s.close()
    assert got == []
    assert "still here" in enc.ok('printf("still here\\n");').stdout


def test_encrypted_restart():
    k = Kernel(transport_encryption="required")
    try:
        k.ok('int before = 1;')
        old_pid = k.pid
        k.km.restart_kernel(now=False)
        k.kc.wait_for_ready(timeout=TIMEOUT)
        assert k.pid != old_pid
        assert k.km.get_connection_info()["curve_publickey"]
        k._drain()
        r = k.ok('#include <stdio.h>\nprintf("fresh %d\\n", 7);')
        assert "fresh 7" in r.stdout and r.content["execution_count"] == 1
    finally:
        k.shutdown()


def test_encrypted_over_ipc(tmp_path):
    require_kernel()
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", transport_encryption="required",
                       ip=str(tmp_path / "kernel-ipc"))
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        out = []
        reply = kc.execute_interactive('#include <stdio.h>\nprintf("over ipc\\n");', timeout=TIMEOUT,
                                       output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok" and "over ipc" in "".join(out)
        assert km.curve_publickey is not None
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not sanitizer_reports()


def test_auto_encrypts_because_the_kernelspec_declares_it():
    k = Kernel(transport_encryption="auto")
    try:
        assert k.km.curve_publickey is not None
        assert "auto" in k.ok('#include <stdio.h>\nprintf("auto\\n");').stdout
    finally:
        k.shutdown()


# ---- bad keys: a clear error and exit, nothing bound ------------------------
def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _run_kernel_with(tmp_path, fields):
    ports = _free_ports(5)
    conn = {"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-sha256",
            **dict(zip(("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"), ports)),
            **fields}
    path = tmp_path / "kernel-bad.json"
    path.write_text(json.dumps(conn))
    env = dict(os.environ, CC_LOG_LEVEL="2")   # so a bound socket would be logged
    p = subprocess.run([KERNEL_BIN, "-f", str(path)], env=env, capture_output=True, text=True,
                       timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    return p, ports


GOOD_PUB, GOOD_SEC = (k.decode() for k in zmq.curve_keypair())
OTHER_PUB, OTHER_SEC = (k.decode() for k in zmq.curve_keypair())


@pytest.mark.parametrize("fields, needle", [
    ({"curve_publickey": GOOD_PUB, "curve_secretkey": GOOD_SEC[:30]}, "40 characters"),
    ({"curve_publickey": GOOD_PUB[:-1] + "~", "curve_secretkey": GOOD_SEC}, "character 40 is not"),
    ({"curve_publickey": GOOD_PUB, "curve_secretkey": OTHER_SEC}, "does not belong"),
    ({"curve_publickey": GOOD_PUB}, "no \"curve_secretkey\""),
], ids=["short-key", "non-z85-char", "mismatched-pair", "public-only"])
def test_bad_keys_stop_the_kernel(tmp_path, fields, needle):
    require_kernel()
    p, ports = _run_kernel_with(tmp_path, fields)
    assert p.returncode != 0, p.stderr
    errors = [line for line in p.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and needle in errors[0], p.stderr
    assert "transport encryption" in errors[0] or "CurveZMQ" in errors[0]
    assert GOOD_SEC not in p.stderr and OTHER_SEC not in p.stderr
    assert " on tcp://" not in p.stderr and "ready" not in p.stderr, p.stderr
    for port in ports:   # nothing was left listening
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def _startup_log(tmp_path, ip, fields):
    """The kernel's log (CC_LOG_LEVEL 2) from start to "ready", then SIGTERM."""
    require_kernel()
    ports = _free_ports(5)
    conn = {"transport": "tcp", "ip": ip, "key": "k", **fields,
            **dict(zip(("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"), ports))}
    path = tmp_path / "kernel-log.json"
    path.write_text(json.dumps(conn))
    p = subprocess.Popen([KERNEL_BIN, "-f", str(path)], env=dict(os.environ, CC_LOG_LEVEL="2"),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    lines = []
    try:
        for line in p.stderr:   # the kernel logs "ready" once every socket is bound
            lines.append(line)
            if line.rstrip().endswith("ready"):
                break
    finally:
        p.terminate()
        p.wait(timeout=TIMEOUT)
        p.stderr.close()
    assert lines and lines[-1].rstrip().endswith("ready"), "".join(lines)
    return "".join(lines)


def test_clear_text_on_the_network_is_warned_about(tmp_path):
    log = _startup_log(tmp_path, "0.0.0.0", {})
    assert "without transport encryption" in log and "transport_encryption" in log, log


def test_loopback_or_encrypted_is_not_warned_about(tmp_path):
    assert "without transport encryption" not in _startup_log(tmp_path, "127.0.0.1", {})
    log = _startup_log(tmp_path, "0.0.0.0", {"curve_publickey": GOOD_PUB, "curve_secretkey": GOOD_SEC})
    assert "without transport encryption" not in log and "CurveZMQ on all five sockets" in log, log


# ---- what encryption costs ---------------------------------------------------
def _kernel_info_round_trips(k, n=100):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        assert k.shell("kernel_info_request", timeout=10)["content"]["status"] == "ok"
        out.append(time.perf_counter() - t0)
    return out


def test_measure_kernel_info_round_trip(enc, kernel):
    """Measured, not asserted: median shell kernel_info round trip."""
    assert enc.km.curve_publickey is not None and kernel.km.curve_publickey is None
    curve = _kernel_info_round_trips(enc)
    plain = _kernel_info_round_trips(kernel)
    print(f"\nkernel_info round trip, median of 100: CURVE {statistics.median(curve) * 1e3:.2f} ms, "
          f"plain {statistics.median(plain) * 1e3:.2f} ms")
