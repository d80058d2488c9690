"""tests/gpu/gpu_util.py — what the GPU suite knows about this machine (from the
build's own `cudacell-gpuinfo`, run once) and small helpers for its tests."""
import json
import os
import shutil
import subprocess
import sys

from kernel_harness import BUILD, SANITIZED

GPUINFO = os.path.join(BUILD, "cudacell-gpuinfo")
SHIM = os.environ.get("CUDACELL_SHIM") or os.path.join(BUILD, "tests", "libcudafail.so")


def _probe() -> dict:
    if not os.access(GPUINFO, os.X_OK):
        return {"status": "error", "message": f"no {GPUINFO}: build it first", "devices": [], "nvcc": None}
    try:
        out = subprocess.run([GPUINFO], capture_output=True, text=True, timeout=60).stdout
        return json.loads(out)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        return {"status": "error", "message": f"cudacell-gpuinfo failed: {e}", "devices": [], "nvcc": None}


GPU_REPORT = _probe()
HAVE_GPU = GPU_REPORT.get("status") == "ok" and len(GPU_REPORT.get("devices", [])) > 0
HAVE_NVCC = GPU_REPORT.get("nvcc") is not None
NO_GPU_REASON = "no GPU: " + (GPU_REPORT.get("status") or "?") + " — " + (GPU_REPORT.get("message") or "")[:160]


def tap_note(text: str) -> None:
    """A TAP diagnostic line (shown by meson, ignored by the TAP count)."""
    for line in text.splitlines():
        sys.__stdout__.write("# " + line + "\n")
    sys.__stdout__.flush()


def artifact_dir() -> str:
    d = os.environ.get("CUDACELL_ARTIFACTS") or os.path.join(BUILD, "test-artifacts")
    os.makedirs(d, exist_ok=True)
    return d


def nvcc_path() -> str | None:
    return GPU_REPORT.get("nvcc_path") or shutil.which("nvcc")
