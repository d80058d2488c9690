"""Remote kernels encrypted end to end: jupyter_client's KernelManager with
transport_encryption = "required", the SSH kernelspec that
scripts/install-remote-kernelspecs.sh installs (share/kernelspecs/ssh), and
gateway_provisioners' distributed-provisioner over our own sshd. The
provisioner passes the policy as --transport-encryption; the kernel makes a
CurveZMQ key pair and sends it inside its encrypted connection info; the
manager's clients then use its public key, and a client without it gets
nothing back from any of the kernel's ports."""
from __future__ import annotations

import os
import time

import pytest
import zmq

from conftest import (REMOTE_HOST, install_remote_kernelspec, kernel_env_args, kernel_log,
                      our_processes, wait_no_processes)
import kernel_harness
from kernel_harness import Kernel

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="pyzmq's libzmq has no CURVE")

SILENCE = 1.5   # seconds a client without keys waits for anything at all


@pytest.fixture(scope="module")
def curve_spec(sshd):
    got = install_remote_kernelspec("ssh", "--name", "cudacell-ssh-curve", "--hosts", REMOTE_HOST,
                                    "--cudacell", kernel_harness.KERNEL_BIN, *kernel_env_args())
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", os.path.join(got["prefix"], "share", "jupyter") + os.pathsep
              + os.environ.get("JUPYTER_PATH", ""))
    yield got["name"]
    mp.undo()


def _reconnect(k: Kernel) -> None:
    """A new client for the relaunched kernel: new ports and new keys."""
    k.kc.stop_channels()
    k.kc = k.km.client()
    k.kc.start_channels()
    k.kc.wait_for_ready(timeout=60)
    k._poller = zmq.Poller()
    for ch in (k.kc.iopub_channel, k.kc.shell_channel, k.kc.stdin_channel):
        k._poller.register(ch.socket, zmq.POLLIN)
    k._drain()


def _clear_text_gets_nothing(k: Kernel) -> list:
    """Plain ZeroMQ sockets (the HMAC key, no CurveZMQ key) on all five ports:
    what came back within SILENCE seconds while the kernel answered its own
    client and printed on iopub."""
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
    got = []
    try:
        for name in ("shell", "control"):
            socks[name].send_multipart(k.raw_frames("kernel_info_request")[1])
        socks["hb"].send(b"ping")
        k.ok('printf("secret output\\n");')
        poller = zmq.Poller()
        for s in socks.values():
            poller.register(s, zmq.POLLIN)
        deadline = time.monotonic() + SILENCE
        while (left := deadline - time.monotonic()) > 0:
            for s, _ in poller.poll(left * 1000):
                got.append((next(n for n, x in socks.items() if x is s), s.recv_multipart()))
    finally:
        for s in socks.values():
            s.close()
    return got


def test_required_over_ssh(curve_spec, sshd):
    """Start, a C cell, a clear-text client refused, an interrupt, a restart
    with fresh keys, a shutdown, no process left."""
    before = our_processes()
    assert not before, "processes of this build were running before the test:\n" + "\n".join(before)
    k = Kernel(kernel_name=curve_spec, transport_encryption="required")
    kid = k.km.kernel_id
    try:
        prov = k.km.provisioner
        assert type(prov).__name__ == "DistributedProvisioner"
        assert prov.assigned_host == REMOTE_HOST and prov.curve_enabled
        with open(sshd["log"]) as f:
            assert "Accepted publickey" in f.read(), "the provisioner did not log in over SSH"
        info = k.km.get_connection_info()
        pub = info["curve_publickey"]
        assert len(pub) == 40 and info["ip"] == REMOTE_HOST
        log = kernel_log(kid)
        assert "launcher: CurveZMQ transport encryption on (policy 'required')" in log, log
        assert "transport encryption: CurveZMQ on all five sockets" in log, log

        k.ok("#include <stdio.h>\nint twice(int x) { return 2 * x; }")
        assert k.ok('printf("%d\\n", twice(21));').stdout == "42\n"

        assert _clear_text_gets_nothing(k) == []
        assert k.ok('printf("%d\\n", twice(5));').stdout == "10\n"

        mid = k.execute_async('printf("spinning\\n"); fflush(stdout);\nfor (;;);')
        k.wait_for_output(mid, "spinning", timeout=120)
        k.km.interrupt_kernel()
        r = k.collect(mid, timeout=60)
        assert r.status == "error" and r.content["ename"] == "KeyboardInterrupt", r.describe()
        assert "launcher: interrupt requested by the gateway" in kernel_log(kid)

        old_pid = prov.pid
        k.km.restart_kernel(now=False)
        assert k.km.provisioner.pid != old_pid
        new_pub = k.km.get_connection_info()["curve_publickey"]
        assert len(new_pub) == 40 and new_pub != pub, "the relaunched kernel kept the old key pair"
        _reconnect(k)
        r = k.execute('printf("%d\\n", twice(1));')
        assert r.status == "error", "the restarted kernel still knew twice(): " + r.describe()
        assert k.ok('puts("fresh");').stdout == "fresh\n"
        assert _clear_text_gets_nothing(k) == []
    finally:
        k.shutdown()
    assert not k.km.is_alive()
    left = wait_no_processes()
    assert not left, "after shutdown: processes of this build still running:\n" + "\n".join(left)
    assert "launcher: shutdown requested by the gateway" in kernel_log(kid)


def test_auto_over_ssh(curve_spec):
    """'auto' with a kernelspec that declares curve: encrypted too."""
    k = Kernel(kernel_name=curve_spec, transport_encryption="auto")
    kid = k.km.kernel_id
    try:
        assert len(k.km.get_connection_info()["curve_publickey"]) == 40
        assert "launcher: CurveZMQ transport encryption on (policy 'auto')" in kernel_log(kid)
        assert k.ok('puts("auto");').stdout == "auto\n"
    finally:
        k.shutdown()
    left = wait_no_processes()
    assert not left, "after shutdown: processes of this build still running:\n" + "\n".join(left)


def test_disabled_over_ssh_is_clear_text(curve_spec):
    """The same kernelspec without encryption: the empty policy vanishes from
    the SSH command line and the kernel runs as before, without keys."""
    k = Kernel(kernel_name=curve_spec)
    kid = k.km.kernel_id
    try:
        assert not k.km.get_connection_info().get("curve_publickey")
        assert k.ok('puts("clear");').stdout == "clear\n"
        log = kernel_log(kid)
        assert "CurveZMQ transport encryption on" not in log and "--transport-encryption" not in log, log
    finally:
        k.shutdown()
    left = wait_no_processes()
    assert not left, "after shutdown: processes of this build still running:\n" + "\n".join(left)
