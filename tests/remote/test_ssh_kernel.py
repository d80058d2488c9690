"""cudacell's launcher mode driven end to end: jupyter_client's
KernelManager with gateway_provisioners' distributed-provisioner, which
starts the kernel over SSH (our own sshd, conftest.py) and talks to it only
through the launcher protocol: the encrypted connection info, then signals
and shutdown on the communication port."""
from __future__ import annotations

import socket
import time

import pytest
import zmq

from conftest import LAUNCHER_ARGS, kernel_log, our_processes, wait_no_processes, write_kernelspec
from kernel_harness import Kernel


@pytest.fixture(scope="module")
def ssh_spec(sshd):
    return write_kernelspec("ssh", LAUNCHER_ARGS)


def _no_orphans(what: str) -> None:
    left = wait_no_processes()
    assert not left, f"{what}: processes of this build still running:\n" + "\n".join(left)


def _reconnect(k: Kernel) -> None:
    """A new client: a relaunched remote kernel picks new ports (a local one keeps its own)."""
    k.kc.stop_channels()
    k.kc = k.km.client()
    k.kc.start_channels()
    k.kc.wait_for_ready(timeout=60)
    k._poller = zmq.Poller()
    for ch in (k.kc.iopub_channel, k.kc.shell_channel, k.kc.stdin_channel):
        k._poller.register(ch.socket, zmq.POLLIN)
    k._drain()


def test_kernel_over_ssh(ssh_spec, sshd):
    """Start, C cells, a shell command, an interrupt, a restart, a shutdown."""
    before = our_processes()
    assert not before, "processes of this build were running before the test:\n" + "\n".join(before)
    k = Kernel(kernel_name=ssh_spec)
    kid = k.km.kernel_id
    try:
        prov = k.km.provisioner
        assert type(prov).__name__ == "DistributedProvisioner"
        assert prov.assigned_host == "127.0.0.2" and prov.comm_port > 0, vars(prov)
        assert "launcher: connection info sent" in kernel_log(kid)
        with open(sshd["log"]) as f:
            assert "Accepted publickey" in f.read(), "the provisioner did not log in over SSH"

        k.ok("#include <stdio.h>\nint twice(int x) { return 2 * x; }")
        assert k.ok('printf("%d\\n", twice(21));').stdout == "42\n"
        assert k.ok("!hostname").stdout.strip() == socket.gethostname()

        # interrupt_mode "signal": the provisioner sends {"signum": 2} to the comm port
        mid = k.execute_async('printf("spinning\\n"); fflush(stdout);\nfor (;;);')
        k.wait_for_output(mid, "spinning", timeout=120)
        k.km.interrupt_kernel()
        r = k.collect(mid, timeout=60)
        assert r.status == "error" and r.content["ename"] == "KeyboardInterrupt", r.describe()
        assert "launcher: interrupt requested by the gateway" in kernel_log(kid)
        assert k.ok('printf("%d\\n", twice(4));').stdout == "8\n"

        old_pid = prov.pid
        k.km.restart_kernel(now=False)
        assert k.km.provisioner.pid != old_pid
        _reconnect(k)
        r = k.execute('printf("%d\\n", twice(1));')
        assert r.status == "error", "the restarted kernel still knew twice(): " + r.describe()
        assert k.ok('puts("fresh");').stdout == "fresh\n"
    finally:
        k.shutdown()
    assert not k.km.is_alive()
    _no_orphans("after shutdown")
    log = kernel_log(kid)
    assert "launcher: shutdown requested by the gateway" in log, log[-3000:]


def test_sigterm_through_the_comm_port(ssh_spec):
    """kill() of the provisioner (SIGTERM via the listener) ends the kernel cleanly."""
    k = Kernel(kernel_name=ssh_spec)
    kid = k.km.kernel_id
    try:
        k.ok('puts("up");')
        k.kc.stop_channels()
        k.km.shutdown_kernel(now=True)   # no shutdown_request: terminate / kill through the listener
    finally:
        if k.km.has_kernel:
            k.km.shutdown_kernel(now=True)
    _no_orphans("after a forced shutdown")
    assert "launcher: signal 15 requested by the gateway" in kernel_log(kid) \
        or "launcher: signal 9 requested by the gateway" in kernel_log(kid), kernel_log(kid)[-3000:]



def test_kernel_on_localhost_without_ssh(sshd):
    """remote_hosts ["localhost"]: the provisioner starts the launcher itself (no SSH)."""
    k = Kernel(kernel_name=write_kernelspec("local", LAUNCHER_ARGS, hosts=["localhost"]))
    try:
        assert k.km.provisioner.comm_port > 0
        assert k.ok('puts("local");').stdout == "local\n"
    finally:
        k.shutdown()
    _no_orphans("after shutdown")


# ---- launches that cannot succeed: a clear message in the kernel's log, no orphan

NOT_A_KEY = "bm90IGFuIFJTQSBrZXk="   # base64 of "not an RSA key"


def _failed_launch(spec: str) -> tuple[str, str]:
    """Start a kernel that never reports back; (the provisioner's error, the kernel's log)."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=spec)
    with pytest.raises(Exception) as e:
        km.start_kernel()
    kid = km.kernel_id
    _no_orphans(f"after the failed launch of {spec}")
    if km.has_kernel:
        km.shutdown_kernel(now=True)
    return str(e.value), kernel_log(kid)


def _args(**replace: str) -> list[str]:
    args = list(LAUNCHER_ARGS)
    for flag, value in replace.items():
        args[args.index("--" + flag.replace("_", "-")) + 1] = value
    return args


def _spec_failing(name: str, env: dict | None = None, **replace: str) -> str:
    spec = write_kernelspec(name, _args(**replace), env=env)
    # fail fast: the provisioner gives up waiting after launch_timeout seconds
    import json, os
    from kernel_harness import JUPYTER_DATA
    path = os.path.join(JUPYTER_DATA, "kernels", spec, "kernel.json")
    with open(path) as f:
        d = json.load(f)
    d["metadata"]["kernel_provisioner"]["config"]["launch_timeout"] = 5
    with open(path, "w") as f:
        json.dump(d, f)
    return spec


def test_not_a_public_key(sshd):
    err, log = _failed_launch(_spec_failing("badkey", public_key=NOT_A_KEY))
    assert "launch timeout" in err, err
    assert "--public-key is not an RSA public key" in log, log


def test_public_key_of_another_server(sshd):
    """The gateway cannot decrypt the payload; the kernel stops when no one contacts it."""
    from Cryptodome.PublicKey import RSA

    pem = RSA.generate(1024).publickey().export_key("PEM").decode()
    other = "".join(l for l in pem.splitlines() if "-----" not in l)
    err, log = _failed_launch(_spec_failing("otherkey", env={"CUDACELL_LAUNCH_CONTACT_TIMEOUT": "3"},
                                            public_key=other))
    assert "launch timeout" in err, err
    assert "launcher: connection info sent" in log, log
    assert "no one has contacted this kernel within 3 s" in log, log


def test_unreachable_response_address(sshd):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"   # bound, never listening: refused
        err, log = _failed_launch(_spec_failing("noresponse", response_address=closed))
    assert "launch timeout" in err, err
    assert f"cannot reach the gateway at its response address {closed}" in log, log
