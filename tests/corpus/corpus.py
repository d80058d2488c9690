"""tests/corpus/corpus.py — the C and CUDA C++ corpora: programs run whole
with gcc (or nvcc), as one cell, and split into several cells, whose exit
status (or abort) and stdout must agree.

Sources:
  * tests/corpus/c/*.c — hand-written programs of the kind people paste;
  * tests/corpus/cuda/*.cu — hand-written CUDA C++ programs (textbook and
    CUDA-by-example style, thrust, CUB, cooperative groups, C++ host code),
    run by test_corpus_cuda.py; built whole with nvcc (nvcc_build), the
    executable cached under $CUDACELL_BUILD/corpus-cache/cuda/ by a hash of
    the source, the flags and the nvcc binary (stale ones pruned);
  * GCC's C torture tests (gcc/testsuite/gcc.c-torture/execute/*.c) from
    Debian's gcc-12-source (/usr/src/gcc-12/gcc-*.tar.*, installed by
    `scripts/setup.sh --with-tests`), extracted once into
    $CUDACELL_BUILD/corpus-cache/ and never checked in.

The torture programs are chosen deterministically: every STRIDE-th name in
sorted order, without dg- directives or names in exclude.txt, that compile
with plain `gcc -std=gnu17 -O1 -w` and exit 0 within a few seconds here. The
choice is cached next to the extracted files.

CUDA programs are deterministic with or without a GPU: each checks its CUDA
calls and prints a fixed line (and exits with a fixed code) when they fail,
and compares device results with a CPU reference when they succeed.

Splitting does not use the kernel's own splitter (the test would be
circular): a small scanner cuts the text at blank lines found outside
comments, literals, brackets and #if groups, and the chunks are grouped into
at most MAX_CELLS cells: of about equal size for C, of about equal numbers
of chunks for CUDA (whose long main would otherwise leave every declaration
in one cell). A CUDA run's first cell gets `%%cuda` when it shows no device
code (mark_cuda).
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
from concurrent.futures import Future
from typing import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("CUDACELL_BUILD") or os.path.join(os.path.dirname(os.path.dirname(HERE)), "build")
CACHE = os.path.join(BUILD, "corpus-cache")
TORTURE_DIR = "gcc/testsuite/gcc.c-torture/execute/"
STRIDE = 7          # every 7th program of ~1600: ~200 candidates across the whole set
MAX_CELLS = 4
GCC_FLAGS = ["-std=gnu17", "-O1", "-w"]
RUN_TIMEOUT = 5
NVCC_FLAGS = ["-std=c++17", "-O1", "-w"]
CUDA_RUN_TIMEOUT = 30
# A cell that shows none of these is C to the kernel unless marked %%cuda.
_CUDA_MARK = re.compile(r"__global__|__device__|__constant__|__shared__|<<<")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def read_list(name: str) -> dict[str, str]:
    """name → reason, from a checked-in list of `name: reason` lines."""
    out = {}
    with open(os.path.join(HERE, name)) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, why = line.partition(":")
                out[key.strip()] = why.strip()
    return out


# ---- sources ------------------------------------------------------------------
def gcc_tarball() -> str | None:
    found = sorted(glob.glob("/usr/src/gcc-12/gcc-12*.tar.*"))
    return found[0] if found else None


def torture_dir() -> str | None:
    """The extracted torture directory (extracting it on first use), or None."""
    tar = gcc_tarball()
    if not tar:
        return None
    dest = os.path.join(CACHE, "torture")
    stamp = os.path.join(dest, ".stamp")
    if os.path.exists(stamp) and open(stamp).read() == tar:
        return dest
    os.makedirs(dest, exist_ok=True)
    with tarfile.open(tar) as t:
        for m in t:
            if not m.isfile() or not m.name.endswith(".c"):
                continue
            i = m.name.find(TORTURE_DIR)
            rest = m.name[i + len(TORTURE_DIR):] if i >= 0 else ""
            if not rest or "/" in rest:
                continue
            with t.extractfile(m) as src, open(os.path.join(dest, rest), "wb") as out:
                out.write(src.read())
    with open(stamp, "w") as f:
        f.write(tar)
    return dest


def gcc_run(path: str, workdir: str) -> tuple[str, str] | None:
    """(outcome, stdout) of the program compiled whole by gcc, or None when it
    does not compile. outcome: 'exit N' or 'signal N'."""
    exe = os.path.join(workdir, "a.out")
    cc = subprocess.run(["gcc", *GCC_FLAGS, path, "-o", exe, "-lm"], capture_output=True)
    if cc.returncode != 0:
        return None
    return run_exe(exe, workdir, RUN_TIMEOUT)


def nvcc_path() -> str | None:
    found = shutil.which("nvcc")
    if found:
        return found
    cand = "/usr/local/cuda/bin/nvcc"
    return cand if os.access(cand, os.X_OK) else None


def _cuda_key(path: str, nvcc: str) -> str:
    """The cache name of path's executable: its source, the flags and which
    nvcc (path, size, mtime, so an upgraded toolkit rebuilds)."""
    st = os.stat(nvcc)
    with open(path, "rb") as f:
        src = f.read()
    salt = " ".join(NVCC_FLAGS + [nvcc, str(st.st_size), str(st.st_mtime_ns)])
    return hashlib.sha256(src + b"\0" + salt.encode()).hexdigest()[:24]


def prune_cuda_cache(programs: list[str]) -> None:
    """Remove cached executables that none of programs maps to any more."""
    nvcc, d = nvcc_path(), os.path.join(CACHE, "cuda")
    if not nvcc or not os.path.isdir(d):
        return
    keep = {_cuda_key(p, nvcc) for p in programs}
    for name in os.listdir(d):
        if name not in keep:
            try:
                os.unlink(os.path.join(d, name))
            except OSError:
                pass


def nvcc_build(path: str) -> tuple[str | None, str]:
    """(executable, '') of the CUDA program compiled whole by nvcc, cached by
    a hash of its source, the flags and nvcc's path; (None, nvcc's message)
    when it does not compile."""
    nvcc = nvcc_path()
    if not nvcc:
        return None, "nvcc is not installed"
    d = os.path.join(CACHE, "cuda")
    exe = os.path.join(d, _cuda_key(path, nvcc))
    if os.path.exists(exe):
        return exe, ""
    os.makedirs(d, exist_ok=True)
    tmp = f"{exe}.tmp{os.getpid()}.{threading.get_ident()}"
    cc = subprocess.run([nvcc, *NVCC_FLAGS, path, "-o", tmp], capture_output=True)
    if cc.returncode != 0:
        return None, (cc.stdout + cc.stderr).decode(errors="replace")
    os.replace(tmp, exe)
    return exe, ""


def run_exe(exe: str, workdir: str, timeout: float) -> tuple[str, str] | None:
    """(outcome, stdout) of running exe in workdir, None when it times out."""
    try:
        r = subprocess.run([exe], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                           cwd=workdir)
    except subprocess.TimeoutExpired:
        return None
    outcome = f"signal {-r.returncode}" if r.returncode < 0 else f"exit {r.returncode}"
    return outcome, r.stdout.decode(errors="replace")


def cuda_programs() -> list[str]:
    return sorted(glob.glob(os.path.join(HERE, "cuda", "*.cu")))


def mark_cuda(cells: list[str]) -> list[str]:
    """The cells with `%%cuda` put before the first one when it shows no
    device code outside comments: the kernel takes such a cell for C (a
    session is C until its first CUDA cell), so a user pasting a CUDA C++
    program marks it."""
    code = _COMMENT.sub(" ", cells[0]) if cells else ""
    if cells and not _CUDA_MARK.search(code):
        return ["%%cuda\n" + cells[0]] + cells[1:]
    return cells


def torture_programs() -> list[str]:
    """Paths of the chosen torture programs (cached choice), [] without the source."""
    d = torture_dir()
    if not d:
        return []
    exclude = read_list("exclude.txt")
    sel = os.path.join(CACHE, f"selection-{STRIDE}.json")
    if os.path.exists(sel):
        with open(sel) as f:
            names = json.load(f)
    else:
        names = []
        with tempfile.TemporaryDirectory() as tmp:
            for name in sorted(os.listdir(d))[::STRIDE]:
                if not name.endswith(".c"):
                    continue
                text = open(os.path.join(d, name), errors="replace").read()
                if "dg-" in text:
                    continue
                got = gcc_run(os.path.join(d, name), tmp)
                if got and got[0] == "exit 0":
                    names.append(name)
        with open(sel, "w") as f:
            json.dump(names, f)
    return [os.path.join(d, n) for n in names if n not in exclude]


def handwritten_programs() -> list[str]:
    return sorted(glob.glob(os.path.join(HERE, "c", "*.c")))


# ---- splitting ------------------------------------------------------------------
_COND_OPEN = re.compile(r"^\s*#\s*if(n?def)?\b")
_COND_CLOSE = re.compile(r"^\s*#\s*endif\b")


def chunks(text: str) -> list[str]:
    """Top-level chunks: text cut at blank lines outside comments, literals,
    brackets and #if groups."""
    lines = text.split("\n")
    out, cur = [], []
    depth = if_depth = 0
    in_comment = continued = False
    for line in lines:
        cur.append(line)
        if continued:                       # a directive's continuation line
            continued = line.endswith("\\")
            continue
        if not in_comment and line.lstrip().startswith("#"):
            if _COND_OPEN.match(line):
                if_depth += 1
            elif _COND_CLOSE.match(line):
                if_depth -= 1
            continued = line.endswith("\\")
            continue
        if not line.strip() and not in_comment and depth == 0 and if_depth == 0:
            if any(x.strip() for x in cur):
                out.append("\n".join(cur))
            cur = []
            continue
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    i += 1
            elif line.startswith("/*", i):
                in_comment = True
                i += 1
            elif line.startswith("//", i):
                break
            elif c in "\"'":
                i += 1
                while i < n and line[i] != c:
                    i += 2 if line[i] == "\\" else 1
            elif c in "({[":
                depth += 1
            elif c in ")}]":
                depth -= 1
            i += 1
    if any(x.strip() for x in cur):
        out.append("\n".join(cur))
    return out


def split_cells(text: str, by_count: bool = False) -> list[str]:
    """At most MAX_CELLS cells of consecutive chunks, of about equal size, or
    (by_count) of about equal numbers of chunks, so that a long main does not
    leave everything before it in one cell."""
    parts = chunks(text)
    if len(parts) <= MAX_CELLS:
        return parts
    if by_count:
        q, r = divmod(len(parts), MAX_CELLS)
        sizes = [q + 1] * r + [q] * (MAX_CELLS - r)
        starts = [sum(sizes[:i]) for i in range(MAX_CELLS)]
        return ["\n\n".join(parts[a:a + n]) for a, n in zip(starts, sizes)]
    total = sum(len(p) for p in parts)
    cells, cur, size = [], [], 0
    for p in parts:
        cur.append(p)
        size += len(p)
        if size >= total / MAX_CELLS and len(cells) < MAX_CELLS - 1:
            cells.append("\n\n".join(cur))
            cur, size = [], 0
    if cur:
        cells.append("\n\n".join(cur))
    return cells


# ---- running as cells -------------------------------------------------------------
_EXIT = re.compile(r"exit\((-?\d+)\)")
_MAIN_RET = re.compile(r"main returned (-?\d+)")
_SIGNALS = {"Aborted": 6, "SegmentationFault": 11, "FloatingPointError": 8, "BusError": 7,
            "IllegalInstruction": 4, "Killed": 9}


def run_cells(kernel, cells: list[str], timeout: float = 60) -> tuple[str, str]:
    """(outcome, stdout) of running the cells in order in a reset session.
    outcome is 'exit N', 'signal N' or 'error <ename> in cell I/N: <evalue>'."""
    r = kernel.execute("%reset", timeout=timeout)
    if r.status != "ok":
        return f"error %reset: {r.describe()}", ""
    out = []
    for i, code in enumerate(cells):
        where = f" in cell {i + 1}/{len(cells)}"
        r = kernel.execute(code, timeout=timeout)
        out.append(r.stdout)
        if r.status == "ok":
            m = _MAIN_RET.search(r.stderr)
            if m:
                return f"exit {int(m.group(1)) & 255}", "".join(out)
            continue
        c = r.content
        ename, evalue = c.get("ename", ""), c.get("evalue", "")
        if ename == "Exit":
            m = _EXIT.search("\n".join(c.get("traceback", [])) + evalue)
            return (f"exit {int(m.group(1)) & 255}" if m else f"error {ename}{where}: {evalue}"), "".join(out)
        if ename in _SIGNALS:
            return f"signal {_SIGNALS[ename]}", "".join(out)
        return f"error {ename}{where}: {evalue}", "".join(out)
    return "exit 0", "".join(out)


# ---- the worker pool ------------------------------------------------------------
WORKERS = 2


def compare(baseline: str, want: tuple[str, str], whole: tuple[str, str], parts: tuple[str, str],
            n_cells: int) -> str | None:
    """None when the one-cell and split runs both equal the whole program's
    (outcome, stdout); else what differed, baseline naming the compiler."""
    bad = []
    if whole != want:
        bad.append(f"one cell: {whole[0]} stdout={whole[1][:300]!r}")
    if parts != want:
        bad.append(f"{n_cells} cells: {parts[0]} stdout={parts[1][:300]!r}")
    if not bad:
        return None
    return f"{baseline}: {want[0]} stdout={want[1][:300]!r}; " + "; ".join(bad)


def selected(request, programs: list[str]) -> list[str]:
    """The programs whose test in request's module pytest will run (all of
    them unless -k or node ids narrowed the run), so the pool does no more."""
    chosen = set()
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if cs is not None and item.module is request.module and "path" in cs.params:
            chosen.add(cs.params["path"])
    return [p for p in programs if p in chosen]


class Pool:
    """Background workers, each with its own kernel (made by new_kernel),
    filling one future per program with check(kernel, path, tmpdir): None
    when the program passes, else what differed."""

    def __init__(self, programs: list[str], new_kernel: Callable, check: Callable):
        self.new_kernel, self.check = new_kernel, check
        self.futures = {p: Future() for p in programs}
        self.todo: queue.Queue = queue.Queue()
        for p in programs:
            self.todo.put(p)
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(WORKERS)]
        for t in self.threads:
            t.start()

    def _work(self) -> None:
        kernel = None
        with tempfile.TemporaryDirectory() as tmp:
            while True:
                try:
                    path = self.todo.get_nowait()
                except queue.Empty:
                    break
                fut = self.futures[path]
                try:
                    if kernel is None or not kernel.alive():
                        kernel = self.new_kernel()
                    fut.set_result(self.check(kernel, path, tmp))
                except BaseException as e:  # noqa: BLE001 — reported by the program's test
                    fut.set_result(f"the harness failed: {type(e).__name__}: {e}")
                    if kernel is not None:
                        kernel.shutdown(check=False)
                    kernel = None
        if kernel is not None:
            kernel.shutdown(check=False)

    def join(self) -> None:
        for t in self.threads:
            t.join()
