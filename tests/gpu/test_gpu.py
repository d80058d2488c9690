"""tests/gpu/test_gpu.py — CUDA cells on a real GPU (all skipped without one,
see conftest.py): state across cells on host and device, device printf,
faults and recovery, libraries, interrupts, %gpu, %%timeit, launch latency."""
import os
import re
import subprocess
import time

import pytest

from gpu_util import GPU_REPORT, artifact_dir, nvcc_path, tap_note
from kernel_harness import Kernel


def ok(k: Kernel, code: str, timeout: float | None = None):
    r = k.execute(code, timeout=timeout)
    assert r.status == "ok", f"cell failed:\n{code}\n  {r.describe()}"
    return r


# ---- state across cells ------------------------------------------------------
def test_vector_add_across_three_cells(kernel):
    ok(kernel, r"""
#include <stdio.h>
#include <stdlib.h>
__global__ void vadd(const float *a, const float *b, float *c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}
""")
    ok(kernel, r"""%%cuda
int n = 1 << 20;
size_t bytes = n * sizeof(float);
float *ha = (float *)malloc(bytes), *hb = (float *)malloc(bytes), *hc = (float *)malloc(bytes);
for (int i = 0; i < n; i++) { ha[i] = (float)i; hb[i] = 2.0f * i; }
float *da, *db, *dc;
cudaMalloc(&da, bytes); cudaMalloc(&db, bytes); cudaMalloc(&dc, bytes);
cudaMemcpy(da, ha, bytes, cudaMemcpyHostToDevice);
cudaMemcpy(db, hb, bytes, cudaMemcpyHostToDevice);
""")
    r = ok(kernel, r"""
vadd<<<(n + 255) / 256, 256>>>(da, db, dc, n);
cudaMemcpy(hc, dc, bytes, cudaMemcpyDeviceToHost);
int bad = 0;
for (int i = 0; i < n; i++) if (hc[i] != 3.0f * i) bad++;
printf("mismatches=%d\n", bad);
""")
    assert "mismatches=0" in r.stdout, r.describe()


def test_device_variable_counted_across_cells(kernel):
    ok(kernel, r"""
#include <stdio.h>
__device__ int dev_counter = 0;
__global__ void bump(void) { atomicAdd(&dev_counter, 1); }
bump<<<1, 32>>>();
""")
    r = ok(kernel, r"""
bump<<<1, 32>>>();
int seen = -1;
cudaMemcpyFromSymbol(&seen, dev_counter, sizeof seen);
printf("counter=%d\n", seen);
""")
    assert "counter=64" in r.stdout, r.describe()


def test_device_helper_used_by_later_kernel(kernel):
    ok(kernel, r"""
__device__ float cube(float x) { return x * x * x; }
""")
    r = ok(kernel, r"""
#include <stdio.h>
__global__ void cubes(float *out) { out[threadIdx.x] = cube((float)threadIdx.x); }
float *dcub, hcub[8];
cudaMalloc(&dcub, sizeof hcub);
cubes<<<1, 8>>>(dcub);
cudaMemcpy(hcub, dcub, sizeof hcub, cudaMemcpyDeviceToHost);
printf("cube7=%.0f\n", hcub[7]);
""")
    assert "cube7=343" in r.stdout, r.describe()


def test_device_printf(kernel):
    r = ok(kernel, r"""
#include <stdio.h>
__global__ void hello(void) { printf("hello from thread %d\n", (int)threadIdx.x); }
hello<<<1, 4>>>();
""")
    for t in range(4):
        assert f"hello from thread {t}" in r.stdout, r.describe()


# ---- faults ------------------------------------------------------------------
def test_out_of_bounds_write_is_illegal_address_and_session_recovers(fresh_kernel):
    k = fresh_kernel
    ok(k, r"""
#include <stdio.h>
__global__ void fill(int *p, int v) { p[threadIdx.x] = v; }
__global__ void wild(int *p) { p[(size_t)1 << 36] = 1; }
""")
    r = k.execute(r"""%%cuda
int *small;
cudaMalloc(&small, 16 * sizeof(int));
wild<<<1, 1>>>(small);
""")
    assert r.status == "error" and r.content.get("ename") == "CUDAError", r.describe()
    assert "cudaErrorIllegalAddress" in r.error_text, r.error_text
    assert "restart" in r.error_text.lower(), r.error_text
    # Functions of earlier cells survive the restart; the GPU works again.
    r = ok(k, r"""
int *buf, host[4];
cudaMalloc(&buf, sizeof host);
fill<<<1, 4>>>(buf, 7);
cudaMemcpy(host, buf, sizeof host, cudaMemcpyDeviceToHost);
printf("after-restart=%d%d%d%d\n", host[0], host[1], host[2], host[3]);
""")
    assert "after-restart=7777" in r.stdout, r.describe()


# ---- libraries ---------------------------------------------------------------
def test_cublas_sgemm_with_handle_from_earlier_cell(kernel):
    ok(kernel, "%ldflags -lcublas")
    r = ok(kernel, r"""%%cuda
#include <cublas_v2.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
cublasHandle_t blas;
cublasStatus_t blas_status = cublasCreate(&blas);
printf("create=%d\n", (int)blas_status);
""")
    assert "create=0" in r.stdout, r.describe()
    r = ok(kernel, r"""%%cuda
const int M = 64, N = 48, K = 32;
float *A = (float *)malloc(M * K * sizeof(float));
float *B = (float *)malloc(K * N * sizeof(float));
float *C = (float *)malloc(M * N * sizeof(float));
for (int i = 0; i < M * K; i++) A[i] = (float)((i * 7) % 13) / 13.0f;
for (int i = 0; i < K * N; i++) B[i] = (float)((i * 5) % 11) / 11.0f;
float *dA, *dB, *dC;
cudaMalloc(&dA, M * K * sizeof(float)); cudaMalloc(&dB, K * N * sizeof(float)); cudaMalloc(&dC, M * N * sizeof(float));
cudaMemcpy(dA, A, M * K * sizeof(float), cudaMemcpyHostToDevice);
cudaMemcpy(dB, B, K * N * sizeof(float), cudaMemcpyHostToDevice);
const float alpha = 1.0f, beta = 0.0f;
/* column-major: C (MxN) = A (MxK) * B (KxN) */
cublasStatus_t st = cublasSgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &alpha, dA, M, dB, K, &beta, dC, M);
cudaMemcpy(C, dC, M * N * sizeof(float), cudaMemcpyDeviceToHost);
double maxerr = 0;
for (int j = 0; j < N; j++)
    for (int i = 0; i < M; i++) {
        double ref = 0;
        for (int p = 0; p < K; p++) ref += (double)A[i + p * M] * B[p + j * K];
        double e = fabs(ref - C[i + j * M]);
        if (e > maxerr) maxerr = e;
    }
printf("sgemm=%d maxerr_ok=%d\n", (int)st, maxerr < 1e-3);
""")
    assert "sgemm=0 maxerr_ok=1" in r.stdout, r.describe()


# ---- interrupt ---------------------------------------------------------------
def test_interrupt_spinning_kernel(fresh_kernel):
    k = fresh_kernel
    ok(k, r"""
#include <stdio.h>
__global__ void spin(long long cycles) {
    long long t0 = clock64();
    while (clock64() - t0 < cycles) { }
}
""")
    clock_khz = GPU_REPORT["devices"][0].get("clock_khz") or 2000000
    cycles = int(clock_khz) * 1000 * 60   # about a minute
    mid = k.execute_async(f"""
printf("spinning\\n"); fflush(stdout);
spin<<<1, 1>>>({cycles}LL);
cudaDeviceSynchronize();
printf("finished\\n");
""")
    k.wait_for_output(mid, "spinning", timeout=60)
    time.sleep(0.5)
    t0 = time.monotonic()
    k.interrupt_request()
    r = k.collect(mid, "spin", timeout=30)
    took = time.monotonic() - t0
    tap_note(f"interrupt of a spinning GPU kernel: control back in {took:.2f} s")
    assert "finished" not in r.stdout, r.describe()
    assert r.status in ("error", "aborted"), r.describe()
    assert took < 5.0, f"control came back after {took:.1f} s (want about 1-2 s)"
    r = ok(k, 'printf("usable\\n");', timeout=60)
    assert "usable" in r.stdout


# ---- magics ------------------------------------------------------------------
def test_gpu_magic_table(kernel, gpu_report):
    r = ok(kernel, "%gpu")
    shown = r.of_type("display_data")
    assert shown, r.describe()
    data = shown[0]["content"]["data"]
    name = gpu_report["devices"][0]["name"]
    assert "<table" in data["text/html"] and name in data["text/html"], data["text/html"]
    plain = data["text/plain"]
    assert name in plain and gpu_report["devices"][0]["cc"] in plain, plain
    assert "This session uses GPU 0" in plain, plain
    r = kernel.execute("%gpu 99")
    assert r.status == "error" and "no GPU 99" in r.error_text, r.describe()


def test_gpu_magic_switch(fresh_kernel, gpu_report):
    r = ok(fresh_kernel, "%gpu 0")
    assert "Switched to GPU 0" in r.stdout, r.describe()
    r = ok(fresh_kernel, r"""
#include <stdio.h>
__global__ void nop(void) {}
nop<<<1, 1>>>();
int dev = -1;
cudaGetDevice(&dev);
printf("device=%d\n", dev);
""")
    assert "device=0" in r.stdout, r.describe()


def test_timeit_kernel_launch(kernel):
    ok(kernel, "__global__ void empty_kernel(void) {}")
    r = ok(kernel, "%%timeit\nempty_kernel<<<1, 1>>>();", timeout=120)
    text = r.stdout + "".join(
        m["content"]["data"].get("text/plain", "") for m in r.of_type("execute_result", "display_data"))
    assert re.search(r"per loop", text), r.describe()
    tap_note("%%timeit of a kernel launch: " + text.strip().splitlines()[-1])


# ---- launch latency: cell vs standalone binary -------------------------------
LATENCY_BODY = r"""
    for (int i = 0; i < 100; i++) lat_kernel<<<1, 1>>>();
    cudaDeviceSynchronize();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 20000; i++) lat_kernel<<<1, 1>>>();
    cudaDeviceSynchronize();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("launch_us=%.4f\n", ((t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3) / 20000);
"""


def _launch_us(text: str) -> float:
    m = re.search(r"launch_us=([0-9.]+)", text)
    assert m, text
    return float(m.group(1))


def test_launch_latency_cell_vs_standalone(kernel, tmp_path):
    nvcc = nvcc_path()
    if not nvcc:
        pytest.skip("nvcc not found")
    # The same function body as the standalone main(), compiled in a cell.
    ok(kernel, "#include <stdio.h>\n#include <time.h>\n__global__ void lat_kernel(void) {}\n"
               "void lat_run(void) {" + LATENCY_BODY + "}")
    cell = [_launch_us(ok(kernel, "%%cuda\nlat_run();").stdout) for _ in range(3)]

    src = tmp_path / "lat.cu"
    src.write_text("#include <stdio.h>\n#include <time.h>\n__global__ void lat_kernel(void) {}\n"
                   "int main(void) {" + LATENCY_BODY + "    return 0;\n}\n")
    exe = tmp_path / "lat"
    arch = GPU_REPORT["devices"][0]["sm"]
    subprocess.run([nvcc, "-O2", f"-arch={arch}", "-cudart", "shared", "-o", str(exe), str(src)],
                   check=True, capture_output=True, timeout=300)
    alone = [_launch_us(subprocess.run([str(exe)], capture_output=True, text=True, check=True,
                                       timeout=120).stdout) for _ in range(3)]
    ratio = min(cell) / min(alone)
    note = (f"launch latency: cell {min(cell):.3f} us, standalone {min(alone):.3f} us, "
            f"ratio {ratio:.3f} (goal <= 1.05)")
    tap_note(note)
    with open(os.path.join(artifact_dir(), "gpu-launch-latency.txt"), "w") as f:
        f.write(note + "\n")
    assert ratio > 0


# ---- CUDA C++ sessions (issue 10) ----------------------------------------------
def test_host_only_cell_launches_with_shared_memory_and_stream(fresh_kernel):
    k = fresh_kernel
    ok(k, r"""
#include <cstdio>
__global__ void rev(const int *in, int *out, int n) {
    extern __shared__ int s[];
    int t = threadIdx.x;
    if (t < n) s[t] = in[t];
    __syncthreads();
    if (t < n) out[t] = s[n - 1 - t];
}
""")
    r = ok(k, r"""
int h[32], back[32];
for (int i = 0; i < 32; i++) h[i] = i;
int *din, *dout;
cudaMalloc(&din, sizeof h); cudaMalloc(&dout, sizeof h);
cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice);
cudaStream_t st; cudaStreamCreate(&st);
rev<<<1, 32, 32 * sizeof(int), st>>>(din, dout, 32);
cudaStreamSynchronize(st);
cudaMemcpy(back, dout, sizeof back, cudaMemcpyDeviceToHost);
int bad = 0;
for (int i = 0; i < 32; i++) bad += back[i] != 31 - i;
printf("bad=%d err=%s\n", bad, cudaGetErrorName(cudaGetLastError()));
#ifdef __CUDACC__
printf("nvcc\n");
#else
printf("host\n");
#endif
""")
    assert r.stdout == "bad=0 err=cudaSuccess\nhost\n", r.describe()


def test_thrust_global_survives_cells_and_is_freed_at_reset(fresh_kernel):
    k = fresh_kernel
    ok(k, "#include <thrust/device_vector.h>\n#include <thrust/reduce.h>\n"
          "thrust::device_vector<float> dv(1000, 1.5f);", timeout=300)
    r = ok(k, 'printf("%g\\n", thrust::reduce(dv.begin(), dv.end()));', timeout=300)
    assert r.stdout == "1500\n", r.describe()
    ok(k, "%reset")
    r = ok(k, '#include <stdio.h>\nprintf("after\\n");')
    assert r.stdout == "after\n" and not r.stderr, r.describe()
