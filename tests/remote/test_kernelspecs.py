"""scripts/install-remote-kernelspecs.sh and the kernelspecs it installs
(share/kernelspecs/): what gateway_provisioners substitutes and looks up,
the Kubernetes pod template, and an installed SSH kernelspec that starts."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from conftest import GP_REASON, REMOTE_HOST, install_remote_kernelspec, wait_no_processes
import kernel_harness
from kernel_harness import Kernel

SCRIPT = os.path.join(kernel_harness.SOURCE, "scripts", "install-remote-kernelspecs.sh")
JUPYTER = os.path.join(os.path.dirname(sys.executable), "jupyter")
PLACEHOLDERS = {"kernel_id", "port_range", "response_address", "public_key", "transport_encryption"}

pytestmark = pytest.mark.skipif(bool(GP_REASON), reason=GP_REASON or "")


def _install(kind: str, *args: str) -> dict:
    return install_remote_kernelspec(kind, *args)


@pytest.mark.parametrize("kind,args,provisioner", [
    ("ssh", ["--hosts", "gpu1, gpu2"], "distributed-provisioner"),
    ("kubernetes", ["--image", "registry.example/cudacell:1"], "kubernetes-provisioner"),
    ("docker", ["--image", "registry.example/cudacell:1"], "docker-provisioner"),
    ("docker", ["--image", "registry.example/cudacell:1", "--swarm"], "docker-swarm-provisioner"),
])
def test_installed_kernelspec(kind, args, provisioner):
    got = _install(kind, *args)
    spec = got["spec"]
    registered = {e.name for e in entry_points(group="jupyter_client.kernel_provisioners")}
    assert spec["metadata"]["kernel_provisioner"]["provisioner_name"] == provisioner
    assert provisioner in registered
    used = {m for a in spec["argv"] for m in re.findall(r"{([A-Za-z0-9_]+)}", a)}
    assert used == PLACEHOLDERS, spec["argv"]
    assert spec["language"] == "c" and spec["interrupt_mode"] == "signal"
    # What gateway_provisioners needs before it asks the launcher for CurveZMQ keys
    assert spec["metadata"]["supported_encryption"] == ["curve"]
    assert spec["argv"][spec["argv"].index("--transport-encryption") + 1] == "{transport_encryption}"
    if kind == "ssh":
        assert spec["metadata"]["kernel_provisioner"]["config"]["remote_hosts"] == ["gpu1", "gpu2"]
        assert spec["argv"][0].endswith("/.venv/bin/cudacell")
    else:
        assert spec["metadata"]["kernel_provisioner"]["config"]["image_name"] == "registry.example/cudacell:1"
        launcher = spec["argv"][1]
        assert launcher.startswith(got["dir"] + "/scripts/") and os.path.isfile(launcher), launcher


def _render_pod(**keywords) -> dict:
    """The pod as launch_kubernetes.py renders it (same jinja2 settings)."""
    import yaml
    from jinja2 import Environment, FileSystemLoader

    d = _install("kubernetes", "--image", "registry.example/cudacell:1")["dir"]
    env = Environment(loader=FileSystemLoader(os.path.join(d, "scripts")), trim_blocks=True,
                      lstrip_blocks=True)
    base = {"kernel_pod_name": "u-1234", "kernel_namespace": "ns", "kernel_id": "1234",
            "kernel_image": "registry.example/cudacell:1"}
    return yaml.safe_load(env.get_template("kernel-pod.yaml.j2").render(**base, **keywords))


def test_pod_asks_for_a_gpu():
    pod = _render_pod()
    c = pod["spec"]["containers"][0]
    assert pod["kind"] == "Pod" and pod["metadata"]["labels"]["kernel_id"] == "1234"
    assert c["image"] == "registry.example/cudacell:1"
    assert c["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def test_pod_with_two_gpus_and_a_uid():
    pod = _render_pod(kernel_gpus=2, kernel_uid=1000, kernel_gid=100, kernel_memory="8Gi")
    c = pod["spec"]["containers"][0]
    assert c["resources"]["limits"] == {"nvidia.com/gpu": 2, "memory": "8Gi"}
    assert pod["spec"]["securityContext"]["runAsUser"] == 1000


def test_script_refuses_missing_hosts():
    r = subprocess.run([SCRIPT, "ssh", "--jupyter", JUPYTER], capture_output=True, text=True)
    assert r.returncode != 0 and "ssh needs --hosts" in r.stderr


def test_installed_ssh_kernelspec_runs(sshd, monkeypatch):
    """The script's own SSH kernelspec, pointed at our sshd, runs a cell."""
    got = _install("ssh", "--hosts", REMOTE_HOST, "--cudacell", kernel_harness.KERNEL_BIN,
                   "--env", "CUDACELL_CACHE_DIR=" + os.environ["CUDACELL_CACHE_DIR"])
    monkeypatch.setenv("JUPYTER_PATH", os.path.join(got["prefix"], "share", "jupyter") + os.pathsep
                       + os.environ.get("JUPYTER_PATH", ""))
    k = Kernel(kernel_name=got["name"])
    try:
        assert k.km.provisioner.assigned_host == REMOTE_HOST
        assert k.ok('puts("installed");').stdout == "installed\n"
    finally:
        k.shutdown()
    left = wait_no_processes()
    assert not left, "\n".join(left)
