#!/usr/bin/env python3
"""bench/bench_cuda.py — what a CUDA cell costs in cudacell against bare nvcc.

In one run, side by side:
  1. a small CUDA cell (a __global__ kernel + a host function calling it),
     unique per trial so the compile cache never hits, from execute_request
     sent to execute_reply received, against `nvcc -x cu -shared -Xcompiler
     -fPIC --cudart shared -arch=<arch>` of the same code run by subprocess;
     trials interleaved, medians compared;
  2. the same cell run again (a cache hit);
  2b. host-only cells of the CUDA session (no device code: the host C++
     compiler builds them): a plain one, and one that allocates, launches
     the earlier cell's kernel and copies back, each unique per trial,
     against a bare `nvcc -shared` of a trivial file (issue 10: ≤ 0.35x);
  3. with a GPU only: the per-launch time of 10000 empty kernel launches
     timed inside a cell, against the same loop in a standalone program.
Prints a Markdown table (measure, cudacell, baseline, ratio, target), also
written to --out. Needs only python3 and jupyter_client:
    python3 bench/bench_cuda.py [--build build] [--trials 7] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from jupyter_client.manager import KernelManager

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_NAME = "cudacell-bench"
LAUNCHES = 10000

# Part 1's code; {tag} makes every trial a cache miss (a comment would not:
# cudacell leaves comments out of what it compiles). {linkage} is what makes
# a host name C in cudacell's generated unit.
FUNCS = """__global__ void bench_fill(int *p, int v) {{ p[threadIdx.x] = v + threadIdx.x; }}
{linkage}int bench_host(int v) {{
    static const char trial[] = "{tag}";
    (void)trial;
    int *d = NULL, h[32];
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) return -1;
    bench_fill<<<1, 32>>>(d, v);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    cudaFree(d);
    return h[31];
}}
"""
CELL = FUNCS + 'printf("%d\\n", bench_host(1));\n'
# The same code as a translation unit of its own, as cudacell would build it.
BARE = "#include <stdio.h>\n" + FUNCS + \
    'extern "C" int __cudacell_run(int argc, char **argv) {{ printf("%d\\n", bench_host(1)); return 0; }}\n'
# Part 3: the launch loop; BODY is the cell, and main() of the standalone program.
LAUNCH_DEFS = """#include <time.h>
__global__ void bench_empty(void) {}
static double bench_now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
"""
LAUNCH_BODY = f"""bench_empty<<<1, 1>>>();
cudaDeviceSynchronize();
double bench_t0 = bench_now_us();
for (int i = 0; i < {LAUNCHES}; i++) bench_empty<<<1, 1>>>();
cudaDeviceSynchronize();
double bench_t1 = bench_now_us();
printf("LAUNCH_US %.4f\\n", (bench_t1 - bench_t0) / {LAUNCHES});
"""
LAUNCH_MAIN = "#include <stdio.h>\n" + LAUNCH_DEFS + "int main(void) {\n" + LAUNCH_BODY + "return 0;\n}\n"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.environ.get("CUDACELL_BUILD") or os.path.join(SOURCE, "build"),
                    help="build dir with cudacell (default: $CUDACELL_BUILD or ./build)")
    ap.add_argument("--trials", type=int, default=7, help="trials per measure (default 7)")
    ap.add_argument("--out", help="also write the table to this file")
    return ap.parse_args()


class Kernel:
    """A cudacell kernel started from the build dir through a temporary kernelspec."""

    def __init__(self, build: str, tmp: str, tolerate: tuple[str, ...] = ()):
        self.tolerate = tolerate  # enames accepted as success (CUDAError without a GPU)
        kdir = os.path.join(tmp, "jupyter", "kernels", KERNEL_NAME)
        os.makedirs(kdir)
        with open(os.path.join(build, "kernel.json")) as f:
            argv = json.load(f)["argv"]
        spec = {"argv": [os.path.join(build, "cudacell")] + argv[1:], "display_name": "cudacell (bench)",
                "language": "c", "interrupt_mode": "signal"}
        with open(os.path.join(kdir, "kernel.json"), "w") as f:
            json.dump(spec, f)
        os.environ["JUPYTER_PATH"] = os.path.join(tmp, "jupyter")
        self.km = KernelManager(kernel_name=KERNEL_NAME)
        self.km.start_kernel(cwd=tmp)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 600) -> tuple[float, str]:
        """Runs code; returns (seconds from request sent to reply received, stdout).
        Raises RuntimeError when the cell fails (other than by an ename in self.tolerate)."""
        t0 = time.monotonic()
        mid = self.kc.execute(code)
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == mid:
                break
        dt = time.monotonic() - t0
        out, err = [], []
        while True:  # the iopub messages of this request, up to idle
            m = self.kc.get_iopub_msg(timeout=timeout)
            if m["parent_header"].get("msg_id") != mid:
                continue
            mt, c = m["header"]["msg_type"], m["content"]
            if mt == "stream":
                (out if c["name"] == "stdout" else err).append(c["text"])
            elif mt == "error":
                err += [c.get("ename", ""), c.get("evalue", "")] + c.get("traceback", [])
            elif mt == "status" and c["execution_state"] == "idle":
                break
        c = reply["content"]
        if c["status"] != "ok" and c.get("ename") not in self.tolerate:
            raise RuntimeError(f"cell failed:\n{code}\n" + "\n".join(err))
        return dt, "".join(out)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def gpu_info(build: str) -> dict:
    """cudacell-gpuinfo's report: the kernel's own view of the GPUs and of nvcc."""
    try:
        out = subprocess.run([os.path.join(build, "cudacell-gpuinfo")], capture_output=True,
                             text=True, timeout=60).stdout
        return json.loads(out)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        return {"status": "error", "message": f"cudacell-gpuinfo failed: {e}"}


def nvcc(argv: list[str], src: str, text: str) -> float:
    """Writes text to src and compiles it with argv; returns the seconds taken."""
    with open(src, "w") as f:
        f.write(text)
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{p.stderr}")
    return dt


def compile_trials(k: Kernel, nv: str, arch: str, tmp: str, n: int) -> tuple[list[float], list[float]]:
    """Part 1: n cache-miss cells and n bare nvcc runs, interleaved (seconds)."""
    cu = os.path.join(tmp, "x.cu")
    argv = [nv, "-x", "cu", "-shared", "-Xcompiler", "-fPIC", "--cudart", "shared",
            f"-arch={arch}", "-o", os.path.join(tmp, "x.so"), cu]
    # Warm-up: starts the runtime (and the CUDA context, with a GPU) and fills the file cache.
    k.run(CELL.format(linkage="", tag="warm-up"))
    nvcc(argv, cu, BARE.format(linkage='extern "C" ', tag="warm-up"))
    cache = os.environ["CUDACELL_CACHE_DIR"]
    objects = len(os.listdir(cache))
    cell_t, bare_t = [], []
    for i in range(n):
        cell_t.append(k.run(CELL.format(linkage="", tag=uuid.uuid4().hex))[0])
        bare_t.append(nvcc(argv, cu, BARE.format(linkage='extern "C" ', tag=uuid.uuid4().hex)))
        print(f"  trial {i + 1}/{n}: cell {cell_t[-1] * 1000:.0f} ms, nvcc {bare_t[-1] * 1000:.0f} ms", flush=True)
    if len(os.listdir(cache)) < objects + n:
        print("  WARNING: fewer new objects in the cache than trials: some cells were not compiled")
    return cell_t, bare_t


# Part 2b: host-only cells, after CELL defined bench_fill. {tag} makes each unique.
HOST_PLAIN = 'int host_{tag} = 41;\nprintf("%d\\n", host_{tag} + 1);\n'
HOST_LAUNCH = ('int *dev_{tag} = NULL;\nif (cudaMalloc(&dev_{tag}, 32 * sizeof(int)) == cudaSuccess) {{\n'
               '  bench_fill<<<1, 32>>>(dev_{tag}, 1);\n  cudaDeviceSynchronize();\n  cudaFree(dev_{tag});\n}}\n')
TRIVIAL = "int trivial_{tag}(int x) {{ return x + 1; }}\n"


def host_trials(k: Kernel, nv: str, arch: str, tmp: str, n: int) -> tuple[list[float], list[float], list[float]]:
    """Part 2b: n plain host-only cells, n launching ones, n bare nvcc -shared of a trivial file."""
    cu = os.path.join(tmp, "t.cu")
    argv = [nv, "-x", "cu", "-shared", "-Xcompiler", "-fPIC", "--cudart", "shared",
            f"-arch={arch}", "-o", os.path.join(tmp, "t.so"), cu]
    k.run(HOST_PLAIN.format(tag="warm"))
    plain, launch, bare = [], [], []
    for i in range(n):
        plain.append(k.run(HOST_PLAIN.format(tag=uuid.uuid4().hex[:12]))[0])
        launch.append(k.run(HOST_LAUNCH.format(tag=uuid.uuid4().hex[:12]))[0])
        bare.append(nvcc(argv, cu, TRIVIAL.format(tag=uuid.uuid4().hex[:12])))
        print(f"  trial {i + 1}/{n}: host cell {plain[-1] * 1000:.0f} ms, launching host cell "
              f"{launch[-1] * 1000:.0f} ms, nvcc -shared trivial {bare[-1] * 1000:.0f} ms", flush=True)
    return plain, launch, bare


def launch_us(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("LAUNCH_US "):
            return float(line.split()[1])
    raise RuntimeError(f"no LAUNCH_US line in {text!r}")


def launch_trials(k: Kernel, nv: str, arch: str, tmp: str) -> tuple[list[float], list[float]]:
    """Part 3: µs per empty launch, in a cell and in a standalone program, 5 runs each."""
    exe = os.path.join(tmp, "launch")
    root = os.path.dirname(os.path.dirname(os.path.realpath(nv)))  # where its libcudart is
    rpath = [f"-Xlinker=-rpath={os.path.join(root, d)}" for d in ("lib64", "lib")
             if os.path.isdir(os.path.join(root, d))]
    nvcc([nv, "-x", "cu", "--cudart", "shared", f"-arch={arch}", *rpath, "-o", exe, exe + ".cu"],
         exe + ".cu", LAUNCH_MAIN)
    k.run(LAUNCH_DEFS)
    cell_us, std_us = [], []
    for _ in range(5):
        cell_us.append(launch_us(k.run(LAUNCH_BODY)[1]))
        p = subprocess.run([exe], capture_output=True, text=True)
        std_us.append(launch_us(p.stdout + p.stderr))
    print(f"  µs per launch: cell {cell_us}, standalone {std_us}", flush=True)
    return cell_us, std_us


def main() -> int:
    args = parse_args()
    build, n = os.path.abspath(args.build), args.trials
    if not os.access(os.path.join(build, "cudacell"), os.X_OK):
        sys.exit(f"no cudacell binary in {build}: build it (ninja -C {build}) or pass --build")
    info = gpu_info(build)
    nv = info.get("nvcc_path") or shutil.which("nvcc") or sys.exit("nvcc not found (set CUDA_HOME)")
    devs = info.get("devices") if info.get("status") == "ok" else None
    arch = devs[0]["sm"] if devs else "sm_75"  # sm_75: the kernel's default without a GPU
    gpu = f"{devs[0]['name']} ({arch})" if devs else "none (" + info.get("message", "").split(". ")[0] + ")"
    print(f"cudacell: {build}/cudacell; nvcc: {nv}; arch {arch}; GPU: {gpu}", flush=True)

    tmp = tempfile.mkdtemp(prefix="cudacell-bench-")
    os.environ["CUDACELL_CACHE_DIR"] = os.path.join(tmp, "cache")  # a cold cache of our own
    # Without a GPU the cell's host code runs but its CUDA calls fail: that error is expected.
    k = Kernel(build, tmp, tolerate=() if devs else ("CUDAError",))
    try:
        cell_t, bare_t = compile_trials(k, nv, arch, tmp, n)
        fixed = CELL.format(linkage="", tag=uuid.uuid4().hex)
        k.run(fixed)
        hit_t = [k.run(fixed)[0] for _ in range(n)]
        host = host_trials(k, nv, arch, tmp, n)
        launches = launch_trials(k, nv, arch, tmp) if devs else None
    finally:
        k.close()
        shutil.rmtree(tmp, ignore_errors=True)

    med = statistics.median
    cm, bm, hm = med(cell_t) * 1000, med(bare_t) * 1000, med(hit_t) * 1000
    rows = [(f"CUDA cell round trip, cache miss (median of {n})", f"{cm:.0f} ms", f"nvcc alone {bm:.0f} ms",
             f"{cm / bm:.2f}x", "≤ 1.1x", cm / bm <= 1.1),
            (f"same CUDA cell again, cache hit (median of {n})", f"{hm:.1f} ms", "-", "-", "< 50 ms", hm < 50)]
    tm = med(host[2]) * 1000
    for label, t in (("host-only cell in a CUDA session", host[0]),
                     ("host-only cell launching an earlier kernel", host[1])):
        v = med(t) * 1000
        rows.append((f"{label}, cache miss (median of {n})", f"{v:.0f} ms", f"nvcc -shared trivial {tm:.0f} ms",
                     f"{v / tm:.2f}x", "≤ 0.35x", v / tm <= 0.35))
    if launches:
        cu, su = med(launches[0]), med(launches[1])
        rows.append((f"empty kernel launch, {LAUNCHES} in a loop (median of 5)", f"{cu:.3f} µs",
                     f"standalone {su:.3f} µs", f"{cu / su:.2f}x", "≤ 1.05x", cu / su <= 1.05))
    else:
        rows.append(("empty kernel launch", "skipped: no GPU", "-", "-", "≤ 1.05x", None))
    lines = ["| measure | cudacell | baseline | ratio | target |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r[:5]) + " |" for r in rows]
    met = [r[5] for r in rows if r[5] is not None]
    lines += ["", f"targets met: {sum(met)}/{len(met)}; GPU: {gpu}; nvcc {info.get('nvcc')}",
              f"cpu: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}"]
    table = "\n".join(lines)
    print("\n" + table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
