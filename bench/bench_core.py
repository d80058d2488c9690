#!/usr/bin/env python3
"""bench/bench_core.py — cudacell against ipykernel, side by side, in one run.

Measures the costs a notebook user feels: kernel start, a protocol round trip,
a trivial `!` command, idle memory, `!` output throughput, and for C cells
the round trip of a trivial cell (against a bare `gcc -shared -fPIC` of the
same code), a compile-cache hit, and how the 200th cell compares with the 2nd.
Prints a Markdown table with ratios and the target of each row.

Run it with the project's venv (it needs ipykernel, from tests/requirements.txt):
    .venv/bin/python bench/bench_core.py [--build build] [--cells 200] [--quick]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
FLOOD_CMD = "!head -c 20000000 /dev/zero | tr '\\0' 'x' | fold -w 100"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"), help="build dir with cudacell (default: build)")
    ap.add_argument("--cells", type=int, default=200, help="cells to define before the last compile (default 200)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (for a smoke test)")
    return ap.parse_args()


ARGS = parse_args()
os.environ.setdefault("CUDACELL_BUILD", os.path.abspath(ARGS.build))
os.environ.setdefault("CUDACELL_SOURCE", SOURCE)
sys.path.insert(0, os.path.join(SOURCE, "tests"))
from kernel_harness import Kernel, children, rss_kb  # noqa: E402


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run_rtt(k: Kernel, code: str, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.monotonic()
        r = k.execute(code)
        times.append(time.monotonic() - t0)
        if r.status != "ok":
            raise RuntimeError(f"{code!r} failed: {r.describe()}")
    return median_ms(times)


def kernel_info_rtt(k: Kernel, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.monotonic()
        k.shell("kernel_info_request", {})
        times.append(time.monotonic() - t0)
    return median_ms(times)


def flood_mbps(k: Kernel) -> tuple[float, int]:
    t0 = time.monotonic()
    r = k.execute(FLOOD_CMD, timeout=600)
    dt = time.monotonic() - t0
    nbytes = len(r.stdout.encode())
    return nbytes / dt / 1e6, nbytes


def ready_ms(kernel_name: str | None, n: int) -> float:
    """Launch → first kernel_info_reply, asking every 10 ms (median of n).
    jupyter_client's wait_for_ready also drains iopub for 0.2 s, which is
    the client's cost, not the kernel's: it is not counted here."""
    import queue
    from kernel_harness import KERNEL_NAME
    from jupyter_client import KernelManager
    times = []
    for _ in range(n):
        km = KernelManager(kernel_name=kernel_name or KERNEL_NAME)
        t0 = time.monotonic()
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        done = False
        while not done and time.monotonic() - t0 < 60:
            mid = kc.kernel_info()
            try:
                while True:
                    m = kc.get_shell_msg(timeout=0.01)
                    if m["parent_header"].get("msg_id") == mid or m["msg_type"] == "kernel_info_reply":
                        done = True
                        break
            except queue.Empty:
                pass
        times.append(time.monotonic() - t0)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return median_ms(times)


def common(k: Kernel, reps: dict, kernel_name: str | None = None) -> dict:
    res = {"ready_ms": ready_ms(kernel_name, reps["ready"])}
    res["kinfo_ms"] = kernel_info_rtt(k, reps["kinfo"])
    res["bang_ms"] = run_rtt(k, "!true", reps["bang"])
    time.sleep(0.5)
    res["rss_mb"] = rss_kb(k.pid) / 1024
    res["flood_mbps"], res["flood_bytes"] = flood_mbps(k)
    return res


def trivial_cell() -> str:
    # A unique string makes a cache miss (comments may not count); still trivial.
    return f'printf("x\\n", "{uuid.uuid4().hex}");'


def timed_ok(k: Kernel, code: str) -> float:
    """Milliseconds from sending code to its reply and idle."""
    t0 = time.monotonic()
    k.ok(code)
    return (time.monotonic() - t0) * 1000


def bare_gcc_ms(n: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(n):
            src = os.path.join(d, "cell.c")
            with open(src, "w") as f:
                f.write('#include <stdio.h>\n'
                        'int __cudacell_run(int argc, char **argv) '
                        f'{{ printf("x\\n", "{uuid.uuid4().hex}"); return 0; }}\n')
            t0 = time.monotonic()
            subprocess.run(["gcc", "-shared", "-fPIC", "-o", os.path.join(d, "cell.so"), src], check=True)
            times.append(time.monotonic() - t0)
    return median_ms(times)


def c_cells(k: Kernel, reps: dict, ncells: int) -> dict:
    res = {}
    k.ok('puts("warm");')  # starts the runtime
    time.sleep(0.5)
    res["rss_total_mb"] = (rss_kb(k.pid) + sum(rss_kb(c) for c in children(k.pid))) / 1024
    res["cell_ms"] = statistics.median([timed_ok(k, trivial_cell()) for _ in range(reps["cell"])])
    fixed = trivial_cell()
    k.ok(fixed)
    res["cache_ms"] = run_rtt(k, fixed, reps["cell"])
    # The 2nd and the Nth cell of a session that grows by one definition per cell.
    k2 = Kernel()
    try:
        k2.ok("int bench_v1 = 1;")
        res["cell2_ms"] = timed_ok(k2, "int bench_v2 = 2;")
        for i in range(3, ncells):
            k2.ok(f"int bench_v{i} = {i};\nint bench_f{i}(void) {{ return bench_v{i}; }}")
        res["cellN_ms"] = timed_ok(k2, f"int bench_v{ncells} = {ncells};")
    finally:
        k2.shutdown(check=False)
    return res


def main() -> int:
    reps = {"kinfo": 200, "bang": 30, "cell": 10, "ready": 5}
    ncells = ARGS.cells
    if ARGS.quick:
        reps, ncells = {"kinfo": 20, "bang": 5, "cell": 3, "ready": 2}, min(ncells, 20)

    print(f"cudacell: {os.environ['CUDACELL_BUILD']}/cudacell; ipykernel: {sys.executable}", flush=True)
    cc = Kernel()
    try:
        ccr = common(cc, reps)
        ccr.update(c_cells(cc, reps, ncells))
    finally:
        cc.shutdown(check=False)
    ip = Kernel(kernel_name="python3")
    try:
        ipr = common(ip, reps, "python3")
    finally:
        ip.shutdown(check=False)
    gcc = bare_gcc_ms(reps["cell"])

    def ratio(a, b):
        return f"{a / b:.2f}x" if b else "-"

    rows = [
        ("ready (launch → first kernel_info reply)", f"{ccr['ready_ms']:.0f} ms", f"{ipr['ready_ms']:.0f} ms",
         ratio(ccr["ready_ms"], ipr["ready_ms"]), "≤ 0.2x"),
        ("kernel_info round trip (median of %d)" % reps["kinfo"], f"{ccr['kinfo_ms']:.2f} ms",
         f"{ipr['kinfo_ms']:.2f} ms", ratio(ccr["kinfo_ms"], ipr["kinfo_ms"]), "≤ 0.6x"),
        ("`!true` round trip (median of %d)" % reps["bang"], f"{ccr['bang_ms']:.1f} ms",
         f"{ipr['bang_ms']:.1f} ms", ratio(ccr["bang_ms"], ipr["bang_ms"]), "≤ 0.1x"),
        ("idle RSS, kernel process", f"{ccr['rss_mb']:.1f} MB", f"{ipr['rss_mb']:.1f} MB",
         ratio(ccr["rss_mb"], ipr["rss_mb"]), "≤ 0.1x"),
        ("`!` output flood, 20 MB", f"{ccr['flood_mbps']:.1f} MB/s", f"{ipr['flood_mbps']:.1f} MB/s",
         ratio(ccr["flood_mbps"], ipr["flood_mbps"]), "≥ 2x"),
        ("RSS kernel + runtime, idle after one cell", f"{ccr['rss_total_mb']:.1f} MB", "-", "-", "≤ 10 MB"),
        ("trivial C cell round trip (cache miss)", f"{ccr['cell_ms']:.0f} ms", f"gcc -shared -fPIC {gcc:.0f} ms",
         ratio(ccr["cell_ms"], gcc), "≤ 1.5x"),
        ("same cell again (cache hit)", f"{ccr['cache_ms']:.1f} ms", "-", "-", "≤ 10 ms"),
        (f"cell 2 vs cell {ncells} of a growing session", f"{ccr['cell2_ms']:.0f} / {ccr['cellN_ms']:.0f} ms",
         "-", ratio(ccr["cellN_ms"], ccr["cell2_ms"]), "≤ 1.5x"),
    ]
    print()
    print("| measure | cudacell | ipykernel | ratio | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\nflood bytes received: cudacell {ccr['flood_bytes']}, ipykernel {ipr['flood_bytes']} "
          f"(20 000 000 x + 200 000 newlines expected, a pty may add \\r)")
    print(f"cpu: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
