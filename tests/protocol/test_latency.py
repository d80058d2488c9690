"""Heartbeat and control stay responsive while the shell is busy.

The spec: heartbeat echoes and control requests are answered within 50 ms
even while a cell runs. Asserted as a median under 50 ms, and every request
answered within a second (a loaded 2-core CI machine may delay one tick; a
blocked kernel would miss by far more)."""
import statistics

import pytest

from kernel_harness import latency_summary

MEDIAN_LIMIT = 0.050
MAX_LIMIT = 1.0


def _assert_fast(lat, what):
    assert all(x != float("inf") for x in lat), f"{what}: a request was never answered ({lat})"
    med = statistics.median(lat)
    assert med < MEDIAN_LIMIT and max(lat) < MAX_LIMIT, f"{what}: {latency_summary(lat)}"


def test_heartbeat_echoes_exact_bytes(kernel):
    lat = kernel.heartbeat_latencies(n=5, pause=0)
    assert all(x < 5 for x in lat), lat


def test_heartbeat_idle_latency(kernel):
    _assert_fast(kernel.heartbeat_latencies(n=20), "heartbeat (idle)")


def test_control_idle_latency(kernel):
    _assert_fast(kernel.control_latencies(n=20), "control kernel_info (idle)")


def _busy(kernel, code, marker):
    mid = kernel.execute_async(code)
    kernel.wait_for_output(mid, marker)
    return mid


def _finish(kernel, mid):
    kernel.interrupt_request()
    return kernel.collect(mid, timeout=30)


def test_heartbeat_while_shell_command_runs(kernel):
    mid = _busy(kernel, "!echo busy; sleep 5", "busy")
    try:
        lat = kernel.heartbeat_latencies(n=20)
    finally:
        _finish(kernel, mid)
    _assert_fast(lat, "heartbeat during !sleep 5")


def test_control_while_shell_command_runs(kernel):
    mid = _busy(kernel, "!echo busy; sleep 5", "busy")
    try:
        lat = kernel.control_latencies(n=20)
    finally:
        _finish(kernel, mid)
    _assert_fast(lat, "control kernel_info during !sleep 5")


def _start_c_loop(kernel):
    mid = kernel.execute_async('#include <stdio.h>\nprintf("spinning\\n"); fflush(stdout); for (;;) {}')
    try:
        kernel.wait_for_output(mid, "spinning", timeout=60)
    except TimeoutError:
        r = kernel.collect(mid, timeout=60)
        pytest.fail(f"the C cell did not start spinning: {r.describe()}")
    return mid


def test_heartbeat_while_c_cell_spins(kernel):
    mid = _start_c_loop(kernel)
    try:
        lat = kernel.heartbeat_latencies(n=20)
    finally:
        r = _finish(kernel, mid)
    _assert_fast(lat, "heartbeat during for(;;){}")
    assert r.content.get("ename") == "KeyboardInterrupt", r.describe()


def test_control_while_c_cell_spins(kernel):
    mid = _start_c_loop(kernel)
    try:
        lat = kernel.control_latencies(n=20)
    finally:
        _finish(kernel, mid)
    _assert_fast(lat, "control kernel_info during for(;;){}")


def test_kernel_usable_after_busy_tests(kernel):
    assert "ok" in kernel.ok("!echo ok").stdout
