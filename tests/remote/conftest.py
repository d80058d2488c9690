"""tests/remote/conftest.py — launcher mode through the real
gateway_provisioners package and a real OpenSSH server of our own.

The session's `sshd` fixture starts /usr/sbin/sshd on a free loopback port
with a throwaway host key and a throwaway client key authorized for the
current user, and points paramiko (as gateway_provisioners' distributed
provisioner uses it) at it through a private HOME. The kernel is launched on
127.0.0.2: jupyter_client counts 127.0.0.1 as this machine, and for such a
host the distributed provisioner skips SSH and starts the launcher itself.

gateway_provisioners reads its settings (GP_SSH_PORT, GP_RESPONSE_*,
GP_KERNEL_LOG_DIR) when first imported, so they are set here, before any
test imports it. Everything is skipped, with the reason, when
gateway_provisioners or sshd is missing.
"""
from __future__ import annotations

import getpass
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

import kernel_harness  # (sets JUPYTER_PATH, the cache dir, sanitizer logs)

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
REMOTE_HOST = "127.0.0.2"
KERNEL_PREFIX = "cudacell-remote-"


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


GP_REASON = (None if importlib.util.find_spec("gateway_provisioners")
             else "gateway_provisioners is not installed (pip install -r tests/requirements.txt)")


def _skip_reason() -> str | None:
    if GP_REASON:
        return GP_REASON
    if not os.access(SSHD, os.X_OK) or not shutil.which("ssh-keygen"):
        return "OpenSSH server is missing (apt-get install openssh-server, or scripts/setup.sh --with-tests)"
    try:
        with socket.socket() as s:
            s.bind((REMOTE_HOST, 0))
    except OSError as e:
        return f"cannot bind {REMOTE_HOST} on this machine's loopback: {e}"
    return None


SKIP_REASON = _skip_reason()
TMP = tempfile.mkdtemp(prefix="cudacell-remote-")
HOME = os.path.join(TMP, "home")
LOG_DIR = os.path.join(TMP, "kernel-logs")
SSH_PORT = _free_port(REMOTE_HOST) if not SKIP_REASON else 0
os.makedirs(os.path.join(HOME, ".ssh"), mode=0o700)
os.makedirs(LOG_DIR)
if not SKIP_REASON:
    os.environ.update({
        "GP_SSH_PORT": str(SSH_PORT),
        "GP_RESPONSE_IP": "127.0.0.1",
        "GP_RESPONSE_PORT": str(_free_port()),
        "GP_KERNEL_LOG_DIR": LOG_DIR,
        "GP_UNAUTHORIZED_USERS": "nobody-in-particular",   # the default refuses root
        "GP_LAUNCH_TIMEOUT": "30",
        "HOME": HOME,   # paramiko's known_hosts and client key
    })


def kernel_log(kernel_id: str) -> str:
    """What the launched kernel wrote (the provisioner redirects it to a file)."""
    try:
        with open(os.path.join(LOG_DIR, f"kernel-{kernel_id}.log"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def write_kernelspec(name: str, argv_tail: list[str], env: dict | None = None,
                     hosts: list[str] | None = None) -> str:
    """A distributed-provisioner kernelspec for our build's cudacell; returns its name."""
    spec = {
        "argv": [kernel_harness.KERNEL_BIN] + argv_tail,
        "display_name": f"cudacell over SSH ({name})",
        "language": "c",
        "interrupt_mode": "signal",
        "env": {
            "CUDACELL_CACHE_DIR": os.environ["CUDACELL_CACHE_DIR"],
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", ""),
            "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", ""),
            "CC_LOG_LEVEL": "2",
            **(env or {}),
        },
        "metadata": {
            "kernel_provisioner": {
                "provisioner_name": "distributed-provisioner",
                "config": {"remote_hosts": hosts or [REMOTE_HOST]},
            }
        },
    }
    kname = KERNEL_PREFIX + name
    kdir = os.path.join(kernel_harness.JUPYTER_DATA, "kernels", kname)
    os.makedirs(kdir, exist_ok=True)
    with open(os.path.join(kdir, "kernel.json"), "w") as f:
        json.dump(spec, f, indent=1)
    return kname


LAUNCHER_ARGS = ["--kernel-id", "{kernel_id}", "--port-range", "{port_range}",
                 "--response-address", "{response_address}", "--public-key", "{public_key}"]


def install_remote_kernelspec(kind: str, *args: str) -> dict:
    """Install share/kernelspecs/KIND with scripts/install-remote-kernelspecs.sh
    under a prefix of our own: {"dir", "prefix", "name", "spec"}."""
    script = os.path.join(kernel_harness.SOURCE, "scripts", "install-remote-kernelspecs.sh")
    jupyter = os.path.join(os.path.dirname(sys.executable), "jupyter")
    prefix = os.path.join(TMP, "specs-" + kind)
    r = subprocess.run([script, kind, *args, "--prefix", prefix, "--jupyter", jupyter],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    name = (args[args.index("--name") + 1] if "--name" in args else
            {"ssh": "cudacell-ssh", "kubernetes": "cudacell-k8s", "docker": "cudacell-docker"}[kind])
    d = os.path.join(prefix, "share", "jupyter", "kernels", name)
    with open(os.path.join(d, "kernel.json")) as f:
        return {"dir": d, "prefix": prefix, "name": name, "spec": json.load(f)}


def kernel_env_args() -> list[str]:
    """--env options giving an installed kernelspec the test kernels' environment."""
    return [a for name in ("CUDACELL_CACHE_DIR", "ASAN_OPTIONS", "UBSAN_OPTIONS")
            for a in ("--env", f"{name}={os.environ.get(name, '')}")] + ["--env", "CC_LOG_LEVEL=2"]


def _keygen(path: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path], check=True)
    with open(path + ".pub") as f:
        return f.read().strip()


@pytest.fixture(scope="session")
def sshd():
    """A private sshd on REMOTE_HOST:SSH_PORT that lets this user in by key."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    kernel_harness.require_kernel()
    d = os.path.join(TMP, "sshd")
    os.makedirs(d)
    host_pub = _keygen(os.path.join(d, "host_key"))
    client_pub = _keygen(os.path.join(HOME, ".ssh", "id_ed25519"))
    with open(os.path.join(d, "authorized_keys"), "w") as f:
        f.write(client_pub + "\n")
    with open(os.path.join(HOME, ".ssh", "known_hosts"), "w") as f:
        f.write(f"[{REMOTE_HOST}]:{SSH_PORT} {host_pub}\n")
    config = os.path.join(d, "sshd_config")
    with open(config, "w") as f:
        f.write("\n".join([
            f"ListenAddress {REMOTE_HOST}:{SSH_PORT}",
            f"HostKey {d}/host_key",
            f"AuthorizedKeysFile {d}/authorized_keys",
            f"PidFile {d}/sshd.pid",
            f"AllowUsers {getpass.getuser()}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PrintMotd no",
            "",
        ]))
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)   # privilege separation directory
    log = open(os.path.join(d, "sshd.log"), "w")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection((REMOTE_HOST, SSH_PORT), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                with open(os.path.join(d, "sshd.log")) as f:
                    pytest.fail(f"sshd did not start:\n{f.read()}")
            time.sleep(0.1)
    yield {"host": REMOTE_HOST, "port": SSH_PORT, "log": os.path.join(d, "sshd.log")}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    shutil.rmtree(TMP, ignore_errors=True)


def our_processes() -> list[str]:
    """'pid cmdline' of every live process running this build's cudacell or its runtime."""
    build = os.path.realpath(kernel_harness.BUILD) + os.sep
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")[:200]
        except OSError:
            continue
        if exe.startswith(build) and state != "Z":
            out.append(f"{pid} {cmd}")
    return out


def wait_no_processes(timeout: float = 20.0) -> list[str]:
    """Our processes still alive after waiting up to timeout for them to end."""
    deadline = time.monotonic() + timeout
    while True:
        left = our_processes()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
