"""Soak: mixed hostile traffic and cells against one kernel for a while,
with the kernel's and the runtime's resident memory, open file descriptors,
temporary files and cache size read before and after.

Runs for CUDACELL_SOAK_SECONDS (default 60 s, the CI setting; give e.g.
`CUDACELL_SOAK_SECONDS=1800` for the long run whose figures the README's
reliability section records). What it sends, round-robin, each round:

* ordinary cells (a counter that must count each request once, a function redefined, a 1 MB print),
* a crashing cell (NULL write) and a cell that calls exit(3),
* `!` commands and an interrupted `!sleep`,
* an interrupted spinning C cell,
* create / use / delete of a subshell,
* malformed frames, frames with a bad signature, a replayed signed
  execute_request, an oversized frame, unknown message types,
* an iopub subscriber that connects and never reads.

Asserts: the kernel answers at the end, the session's state survived every
fault except the crashes (which reset values but keep definitions), the
counter cell ran exactly as often as sent, file descriptors and RSS did not
grow without bound, no temporary file is left after shutdown. The figures are
printed as a TAP diagnostic line (`# soak: ...`).
"""
from __future__ import annotations

import glob
import json
import os
import time
import uuid

import pytest
import zmq

from kernel_harness import SANITIZED, Kernel, children, rss_kb

SECONDS = float(os.environ.get("CUDACELL_SOAK_SECONDS", "60"))


def _fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def _runtime_pid(kpid: int) -> int | None:
    for c in children(kpid):
        try:
            with open(f"/proc/{c}/comm") as f:
                if f.read().strip().startswith("cudacell-runt"):
                    return c
        except OSError:
            pass
    return None


def _dir_size(path: str) -> tuple[int, int]:
    n = size = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                size += os.lstat(os.path.join(root, name)).st_size
                n += 1
            except OSError:
                pass
    return n, size


def _leftovers(kpid: int, cache: str) -> list[str]:
    """What this kernel could leave behind: its work directory
    ($TMPDIR/cudacell-<pid>-XXXXXX) and compiler temporaries in its cache.
    (Other suites' kernels may come and go meanwhile: only ours count.)"""
    tmp = os.environ.get("TMPDIR") or "/tmp"
    return sorted(glob.glob(os.path.join(tmp, f"cudacell-{kpid}-*")) +
                  glob.glob(os.path.join(cache, ".tmp-*")))


def _snapshot(k: Kernel, cache: str) -> dict:
    rt = _runtime_pid(k.pid)
    n, size = _dir_size(cache)
    return {
        "kernel_rss_kb": rss_kb(k.pid), "kernel_fds": _fds(k.pid),
        "runtime_rss_kb": rss_kb(rt) if rt else 0, "runtime_fds": _fds(rt) if rt else -1,
        "cache_files": n, "cache_bytes": size,
    }


class Hostile:
    """Raw sockets that send what a broken or malicious client would."""

    def __init__(self, k: Kernel):
        self.k = k
        ctx = zmq.Context.instance()
        self.shell = ctx.socket(zmq.DEALER)
        self.control = ctx.socket(zmq.DEALER)
        for s, ch in ((self.shell, "shell"), (self.control, "control")):
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.IDENTITY, uuid.uuid4().hex.encode())
            s.connect(k.endpoint(ch))
        self.mute = ctx.socket(zmq.SUB)      # subscribes, never reads
        self.mute.setsockopt(zmq.LINGER, 0)
        self.mute.setsockopt(zmq.RCVHWM, 10)
        self.mute.setsockopt(zmq.SUBSCRIBE, b"")
        self.mute.connect(k.endpoint("iopub"))
        self.replayed = 0
        self.sent = 0

    def drain(self) -> None:
        for s in (self.shell, self.control):
            while s.poll(0):
                s.recv_multipart()

    def round(self, i: int) -> None:
        k = self.k
        bad = [
            [b"<IDS|MSG>"],
            [b"<IDS|MSG>", b"0" * 64, b"{", b"{}", b"{}", b"{}"],
            [b"<IDS|MSG>", b"nothex", b"{}", b"{}", b"{}", b"{}"],
            [b"no delimiter at all"],
            [b"<IDS|MSG>", k.sign([b"[]", b"{}", b"{}", b"{}"]), b"[]", b"{}", b"{}", b"{}"],
        ]
        for frames in bad:
            self.shell.send_multipart(frames)
            self.control.send_multipart(frames)
            self.sent += 2
        # a signed request of an unknown type, and one with a forged signature
        _, f = k.raw_frames("no_such_request")
        self.shell.send_multipart(f)
        _, f = k.raw_frames("kernel_info_request")
        f[1] = b"f" * 64
        self.control.send_multipart(f)
        # a replayed signed execute_request (must run once)
        _, f = k.raw_frames("execute_request", {"code": "soak_count++;", "silent": True,
                                                 "store_history": False})
        self.shell.send_multipart(f)
        self.shell.send_multipart(f)
        self.replayed += 1
        # an oversized frame every few rounds (8 MB of junk)
        if i % 5 == 0:
            self.shell.send_multipart([b"<IDS|MSG>", b"0" * 64, b"x" * (8 << 20), b"{}", b"{}", b"{}"])
        self.sent += 4
        self.drain()

    def close(self) -> None:
        for s in (self.shell, self.control, self.mute):
            s.close()


@pytest.mark.skipif(SANITIZED, reason="the soak runs in the normal build only (sanitizers skew RSS)")
def test_soak(tmp_path):
    cache = str(tmp_path / "cache")
    os.makedirs(cache, mode=0o700)
    k = Kernel(env={"CUDACELL_CACHE_DIR": cache})
    kpid = k.pid
    try:
        assert k.execute("#include <stdio.h>\n#include <stdlib.h>\n#include <signal.h>\n"
                         "long soak_count = 0;\nint f(int x) { return x + 1; }").status == "ok"
        time.sleep(0.2)
        before = _snapshot(k, cache)
        hostile = Hostile(k)
        t_end = time.monotonic() + SECONDS
        rounds = counted = crashes = interrupts = subshells = cells = 0
        while time.monotonic() < t_end:
            rounds += 1
            hostile.round(rounds)
            counted += 1          # the replayed soak_count++ counts once
            r = k.execute("soak_count++;")
            assert r.status == "ok", r.describe()
            counted += 1
            cells += 1
            r = k.execute(f"int f(int x) {{ return x + {rounds}; }}\nprintf(\"%d\\n\", f(1));")
            assert r.status == "ok" and r.stdout.strip() == str(rounds + 1), r.describe()
            cells += 1
            if rounds % 3 == 0:
                r = k.execute("{ static char buf[1 << 20]; for (int i = 0; i < (int)sizeof buf - 1; i++)"
                              " buf[i] = 'a' + i % 26; buf[sizeof buf - 1] = 0; puts(buf); }")
                assert r.status == "ok" and len(r.stdout) > 1_000_000, r.describe()
                cells += 1
            if rounds % 4 == 0:
                r = k.execute("!echo soak-$((6*7))")
                assert "soak-42" in r.stdout, r.describe()
                cells += 1
            if rounds % 5 == 0:
                mid = k.execute_async("{ volatile long z = 0; for (;;) z++; }")
                time.sleep(0.3)
                k.interrupt_request()
                r = k.collect(mid)
                assert r.status == "error", r.describe()
                interrupts += 1
                cells += 1
            if rounds % 7 == 0:
                reply = k.control("create_subshell_request", {})
                sid = reply["content"].get("subshell_id")
                if sid:
                    k.control("delete_subshell_request", {"subshell_id": sid})
                    subshells += 1
            if rounds % 10 == 0:
                r = k.execute("int *soak_p = NULL; *soak_p = 1;")
                assert r.status == "error", r.describe()
                crashes += 1
                cells += 1
                # definitions survive; values reset: count again from here
                r = k.execute("printf(\"%d\\n\", f(0));")
                assert r.status == "ok" and r.stdout.strip() == str(rounds), r.describe()
                counted = 0
                k.execute("soak_count = 0;")
        # the counter ran exactly once per request, replays included nowhere
        r = k.execute('printf("%ld\\n", soak_count);')
        assert r.status == "ok" and int(r.stdout.strip()) == counted, r.describe()
        assert k.alive()
        time.sleep(0.5)
        after = _snapshot(k, cache)
        hostile.close()
        # bounded: descriptors back to about where they were; memory bounded
        assert after["kernel_fds"] <= before["kernel_fds"] + 8, (before, after)
        assert after["kernel_rss_kb"] < before["kernel_rss_kb"] + 64 * 1024, (before, after)
        assert after["runtime_fds"] <= before["runtime_fds"] + 8 or before["runtime_fds"] < 0, (before, after)
        summary = {
            "seconds": SECONDS, "rounds": rounds, "cells": cells, "crashes": crashes,
            "interrupts": interrupts, "subshells": subshells, "bad_messages": hostile.sent,
            "replays": hostile.replayed, "before": before, "after": after,
        }
        print("# soak: " + json.dumps(summary))
    finally:
        k.shutdown()
    time.sleep(0.5)
    left = _leftovers(kpid, cache)
    assert not left, f"temporary files left after shutdown: {left}"
