"""usage_request on control (the extension jupyter-resource-usage shows):
the fields ipykernel 7 sends, for the kernel plus its runtime process."""
import os
import socket

from kernel_harness import Kernel


def test_usage_reply_fields(kernel: Kernel):
    kernel.execute('puts("runtime up");')   # so the runtime process exists
    r = kernel.control("usage_request", {})
    assert r["header"]["msg_type"] == "usage_reply"
    c = r["content"]
    for key in ("hostname", "pid", "kernel_cpu", "kernel_memory", "host_cpu_percent",
                "cpu_count", "host_virtual_memory"):
        assert key in c, f"{key} missing from {sorted(c)}"
    assert c["hostname"] == socket.gethostname()
    assert c["pid"] == kernel.pid
    assert c["kernel_memory"] > 0 and c["cpu_count"] == os.cpu_count()
    assert c["host_virtual_memory"]["total"] > 0
    rt = c.get("runtime")
    assert rt and rt["pid"] != kernel.pid and rt["memory"] > 0, c


def test_usage_is_answered_while_a_cell_runs(kernel: Kernel):
    mid = kernel.execute_async('printf("spin\\n"); fflush(stdout); for (;;) {}')
    kernel.wait_for_output(mid, "spin")
    try:
        r = kernel.control("usage_request", {}, timeout=10)
        assert r["content"]["kernel_cpu"] >= 0
    finally:
        kernel.interrupt_request()
        kernel.collect(mid)
