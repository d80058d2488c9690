"""The runtime process and what cells do to it: stdout/stderr a cell closes
or redirects, the runtime's own pipes, processes cells leave behind, and
what a kernel that is killed or loses its frontend leaves behind (compiler,
work directory, compiler temporaries in the cache)."""
import glob
import os
import signal
import subprocess
import sys
import time

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from kernel_harness import C_PRELUDE, KERNEL_BIN, TIMEOUT, Kernel

GONE_WAIT = 15.0   # seconds a process or directory is given to disappear


# ---- helpers -------------------------------------------------------------------
def _gone(pid: int) -> bool:
    """True when pid has exited (a zombie counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def _wait(cond, timeout: float = GONE_WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def _children(pid: int, name: str) -> list[int]:
    """Children of pid whose argv[0] ends in name."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == pid and os.path.basename(argv0) == name:
            out.append(int(d))
    return out


def _runtime_pid(kernel_pid: int) -> int:
    pids = _children(kernel_pid, "cudacell-runtime")
    assert len(pids) == 1, f"runtime processes of kernel {kernel_pid}: {pids}"
    return pids[0]


def _workdirs(tmp: str, kernel_pid: int) -> list[str]:
    return glob.glob(os.path.join(tmp, f"cudacell-{kernel_pid}-*"))


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


# A cell that daemonizes a grandchild (fork, setsid, fork) that sleeps
# forever, writes its pid to a file and lets the middle process exit.
DAEMON_CELL = r"""
#include <signal.h>
#include <sys/wait.h>
pid_t middle = fork();
if (middle == 0) {
    setsid();
    pid_t g = fork();
    if (g == 0) { for (;;) pause(); }
    FILE *f = fopen("%s", "w");
    fprintf(f, "%%d\n", (int)g);
    fclose(f);
    _exit(0);
}
waitpid(middle, NULL, 0);
"""


def _start_daemon(k: Kernel, tmp_path) -> int:
    pidfile = str(tmp_path / "daemon.pid")
    r = k.execute(DAEMON_CELL % pidfile)
    assert r.status == "ok", r.describe()
    with open(pidfile) as f:
        pid = int(f.read())
    assert not _gone(pid)
    return pid


# ---- stdout / stderr ---------------------------------------------------------------
def test_closing_stdout_and_stderr_does_not_silence_later_cells(kernel):
    r = kernel.execute("close(1); close(2);")
    assert r.status == "ok", r.describe()
    r = kernel.execute('printf("out again\\n"); fprintf(stderr, "err again\\n");')
    assert r.status == "ok", r.describe()
    assert r.stdout == "out again\n"
    assert r.stderr == "err again\n"


def test_dev_null_over_stdout_does_not_silence_later_cells(kernel):
    r = kernel.execute('#include <fcntl.h>\n'
                       'int devnull = open("/dev/null", O_WRONLY);\n'
                       'dup2(devnull, 1); dup2(devnull, 2); close(devnull);\n'
                       'printf("swallowed\\n");')
    assert r.status == "ok", r.describe()
    assert "swallowed" not in r.stdout
    r = kernel.execute('printf("visible\\n"); fprintf(stderr, "visible too\\n");')
    assert r.status == "ok", r.describe()
    assert r.stdout == "visible\n"
    assert r.stderr == "visible too\n"


def test_replaced_stdout_pointer_is_restored(kernel):
    r = kernel.execute('stdout = fopen("/dev/null", "w");')
    assert r.status == "ok", r.describe()
    r = kernel.execute('printf("through the real stdout\\n");')
    assert r.stdout == "through the real stdout\n", r.describe()


# ---- the runtime's own pipes ---------------------------------------------------------------
def test_closing_fds_3_and_4_leaves_the_runtime_alone(fresh_kernel):
    k = fresh_kernel
    assert k.execute("int kept = 7;").status == "ok"
    r = k.execute("close(3); close(4);")
    assert r.status == "ok", r.describe()
    r = k.execute('printf("kept=%d\\n", kept);')
    assert r.status == "ok", r.describe()
    assert r.stdout == "kept=7\n"
    assert "restarted" not in r.stderr


def test_closing_the_runtimes_channel_is_explained(fresh_kernel):
    k = fresh_kernel
    r = k.execute("for (int fd = 3; fd < 65536; fd++) close(fd);")
    assert r.status == "error", r.describe()
    err = r.errors[0]
    assert err["ename"] == "ChannelClosed", r.describe()
    assert "file descriptors it does not own" in err["evalue"] + "".join(err["traceback"])
    assert "exit(" not in err["evalue"]
    r = k.execute('printf("after\\n");')
    assert r.status == "ok" and r.stdout == "after\n", r.describe()


# ---- processes cells leave behind ----------------------------------------------------------
def test_daemon_of_a_cell_ends_at_shutdown(tmp_path):
    k = Kernel()
    pid = None
    try:
        assert k.execute(C_PRELUDE).status == "ok"
        pid = _start_daemon(k, tmp_path)
        k.shutdown()
        assert _wait(lambda: _gone(pid)), "a fork+setsid grandchild of a cell outlived the kernel"
    finally:
        if pid:
            _kill_quietly(pid)


def test_daemon_of_a_cell_ends_when_the_runtime_crashes(fresh_kernel, tmp_path):
    k = fresh_kernel
    pid = _start_daemon(k, tmp_path)
    try:
        r = k.execute("*(volatile int *)0 = 1;")
        assert r.status == "error", r.describe()
        assert _wait(lambda: _gone(pid)), "a fork+setsid grandchild of a cell outlived the restart"
        assert k.execute('printf("alive\\n");').stdout == "alive\n"
    finally:
        _kill_quietly(pid)


def test_daemon_of_a_cell_ends_at_reset(fresh_kernel, tmp_path):
    k = fresh_kernel
    pid = _start_daemon(k, tmp_path)
    try:
        r = k.execute("%reset")
        assert r.status == "ok", r.describe()
        assert _wait(lambda: _gone(pid)), "a fork+setsid grandchild of a cell outlived %reset"
    finally:
        _kill_quietly(pid)


# ---- a kernel that is killed ------------------------------------------------------------------
def test_compiler_dies_with_a_killed_kernel(tmp_path):
    pidfile = tmp_path / "cc.pid"
    slow_cc = tmp_path / "slow-cc"
    slow_cc.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 600\n")
    slow_cc.chmod(0o755)
    k = Kernel(env={"CC": str(slow_cc)})
    cc_pid = None
    try:
        k.execute_async("int x = 1;")
        assert _wait(lambda: pidfile.exists() and pidfile.read_text().strip(), TIMEOUT)
        cc_pid = int(pidfile.read_text())
        assert not _gone(cc_pid)
        os.kill(k.pid, signal.SIGKILL)
        assert _wait(lambda: _gone(cc_pid)), "the compiler outlived the kernel"
    finally:
        k.shutdown(check=False)
        if cc_pid:
            _kill_quietly(cc_pid)


def test_work_directory_of_a_killed_kernel_is_removed_at_next_start(tmp_path):
    tmp = str(tmp_path)
    k1 = Kernel(env={"TMPDIR": tmp})
    pid1 = k1.pid
    assert k1.execute("int x = 1;").status == "ok"
    dirs = _workdirs(tmp, pid1)
    assert len(dirs) == 1, os.listdir(tmp)
    os.kill(pid1, signal.SIGKILL)
    k1.shutdown(check=False)
    assert os.path.isdir(dirs[0])   # a killed process cannot clean up
    # A live process's directory with the same naming is left alone.
    live = os.path.join(tmp, f"cudacell-{os.getpid()}-abcdef")
    os.mkdir(live, 0o700)
    k2 = Kernel(env={"TMPDIR": tmp})
    try:
        assert not os.path.exists(dirs[0]), "the dead kernel's work directory is still there"
        assert os.path.isdir(live)
        assert len(_workdirs(tmp, k2.pid)) == 1
    finally:
        pid2 = k2.pid
        k2.shutdown()
    assert _workdirs(tmp, pid2) == []


def test_stale_compiler_temporaries_are_removed_at_start(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    p = subprocess.Popen(["true"])
    p.wait()
    dead = p.pid
    hour_ago = time.time() - 1800   # half an hour: past the dead-owner grace, under the cache's one-hour rule
    two_days_ago = time.time() - 2 * 86400
    files = {
        f".tmp-{'a' * 24}-{dead}.so": (hour_ago, False),           # dead owner, old: removed
        f".tmp-{'b' * 24}-{dead}.so": (time.time(), True),         # dead owner, just written: kept
        f".tmp-{'c' * 24}-{os.getpid()}.so": (hour_ago, True),     # live owner: kept
        f".tmp-{'d' * 24}-{os.getpid()}.so": (two_days_ago, False),  # two days old: removed
        f"libcc_{'e' * 24}.so": (two_days_ago, True),              # not a temporary
    }
    for name, (mtime, _) in files.items():
        path = cache / name
        path.write_bytes(b"")
        os.utime(path, (mtime, mtime))
    k = Kernel(env={"CUDACELL_CACHE_DIR": str(cache)})
    try:
        left = set(os.listdir(cache))
        for name, (_, kept) in files.items():
            assert (name in left) == kept, (name, sorted(left))
    finally:
        k.shutdown()


def test_sigterm_shuts_the_kernel_down_cleanly(tmp_path):
    tmp = str(tmp_path)
    k = Kernel(env={"TMPDIR": tmp})
    try:
        assert k.execute("int x = 1;").status == "ok"
        rt = _runtime_pid(k.pid)
        assert len(_workdirs(tmp, k.pid)) == 1
        os.kill(k.pid, signal.SIGTERM)
        assert _wait(lambda: not k.km.is_alive()), "the kernel did not exit on SIGTERM"
        assert _wait(lambda: _gone(rt)), "the runtime outlived the kernel"
        assert _workdirs(tmp, k.pid) == [], "SIGTERM left the work directory"
    finally:
        k.shutdown(check=False)


# ---- a kernel whose frontend is gone ----------------------------------------------------------
LAUNCHER = """
import os, subprocess, sys, time
env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()), TMPDIR=sys.argv[3])
p = subprocess.Popen([sys.argv[1], "-f", sys.argv[2]], env=env)
print(p.pid, flush=True)
time.sleep(600)
"""


def test_kernel_exits_when_its_frontend_dies(tmp_path):
    tmp = str(tmp_path)
    conn, _ = write_connection_file(str(tmp_path / "conn.json"))
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, KERNEL_BIN, conn, tmp],
                                stdout=subprocess.PIPE, text=True)
    kpid = int(launcher.stdout.readline())
    kc = BlockingKernelClient(connection_file=conn)
    kc.load_connection_file()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        reply = kc.execute_interactive("int x = 1;", timeout=TIMEOUT, output_hook=lambda m: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        rt = _runtime_pid(kpid)
        assert len(_workdirs(tmp, kpid)) == 1
        launcher.kill()
        launcher.wait()
        assert _wait(lambda: _gone(kpid)), "the kernel outlived the frontend named in JPY_PARENT_PID"
        assert _wait(lambda: _gone(rt)), "the runtime outlived the kernel"
        assert _workdirs(tmp, kpid) == [], "the work directory was left behind"
    finally:
        kc.stop_channels()
        launcher.kill()
        _kill_quietly(kpid)
