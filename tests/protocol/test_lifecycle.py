"""shutdown_request (with and without restart), restart through the
KernelManager, interrupt_request on control and SIGINT."""
import time

from kernel_harness import Kernel, TIMEOUT

# The spec: an interrupt stops what runs within about a second; allow a margin.
INTERRUPT_DEADLINE = 2.5


def _wait_dead(k, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not k.alive():
            return True
        time.sleep(0.05)
    return False


def test_shutdown_reply_and_exit():
    k = Kernel()
    try:
        reply = k.control("shutdown_request", {"restart": False})
        assert reply["content"]["status"] == "ok"
        assert reply["content"]["restart"] is False
        assert _wait_dead(k, 10), "the kernel did not exit within 10 s of shutdown_request"
        rc = k.km.provisioner.process.poll()
        assert rc == 0, f"the kernel exited with status {rc} after a clean shutdown"
    finally:
        k.shutdown()


def test_shutdown_restart_true_is_echoed():
    k = Kernel()
    try:
        reply = k.control("shutdown_request", {"restart": True})
        assert reply["content"]["status"] == "ok"
        assert reply["content"]["restart"] is True
        assert _wait_dead(k, 10), "the kernel should exit; the manager starts the new one"
    finally:
        k.shutdown()


def test_shutdown_while_busy():
    k = Kernel()
    try:
        k.execute_async("!sleep 60")
        time.sleep(0.5)
        reply = k.control("shutdown_request", {"restart": False})
        assert reply["content"]["status"] == "ok"
        assert _wait_dead(k, 10), "the kernel did not exit within 10 s while a command ran"
    finally:
        k.shutdown()


def test_restart_gives_a_working_fresh_kernel():
    k = Kernel()
    try:
        k.ok("!true")
        k.ok("!true")
        old_pid = k.pid
        k.km.restart_kernel(now=False)
        k.kc.wait_for_ready(timeout=TIMEOUT)
        assert k.pid != old_pid
        k._drain()
        r = k.ok("!echo again")
        assert "again" in r.stdout
        assert r.content["execution_count"] == 1
    finally:
        k.shutdown()


def test_interrupt_request_while_idle(kernel):
    reply = kernel.interrupt_request()
    assert reply["content"]["status"] == "ok"
    assert "still" in kernel.ok("!echo still").stdout


def _interrupt_long_command(k, how):
    mid = k.execute_async("!echo started; sleep 100")
    k.wait_for_output(mid, "started")
    t0 = time.monotonic()
    if how == "control":
        assert k.interrupt_request()["content"]["status"] == "ok"
    else:
        k.sigint()
    r = k.collect(mid, timeout=30)
    return r, time.monotonic() - t0


def test_interrupt_request_stops_command(kernel):
    r, dt = _interrupt_long_command(kernel, "control")
    assert r.status == "error"
    assert r.content["ename"] == "KeyboardInterrupt", r.describe()
    assert dt < INTERRUPT_DEADLINE, f"took {dt:.2f} s"


def test_sigint_stops_command(kernel):
    r, dt = _interrupt_long_command(kernel, "signal")
    assert r.status == "error"
    assert r.content["ename"] == "KeyboardInterrupt", r.describe()
    assert dt < INTERRUPT_DEADLINE, f"took {dt:.2f} s"


def test_kernel_usable_after_interrupts(kernel):
    _interrupt_long_command(kernel, "control")
    _interrupt_long_command(kernel, "signal")
    r = kernel.ok("!echo usable")
    assert "usable" in r.stdout
    assert kernel.alive()


def test_interrupt_reply_is_on_control(kernel):
    mid = kernel.execute_async("!echo go; sleep 100")
    kernel.wait_for_output(mid, "go")
    t0 = time.monotonic()
    reply = kernel.interrupt_request(timeout=5)
    assert reply["header"]["msg_type"] == "interrupt_reply"
    assert time.monotonic() - t0 < 1.0
    kernel.collect(mid, timeout=30)


def test_sigint_while_idle_keeps_kernel(kernel):
    kernel.sigint()
    time.sleep(0.3)
    assert kernel.alive()
    assert "fine" in kernel.ok("!echo fine").stdout
