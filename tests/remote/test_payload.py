"""The launcher payload made by kernel/proto/launch_payload.c, decoded by
gateway_provisioners' own ResponseManager._decode_payload (what the gateway
runs on the bytes a launcher sends back)."""
from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import types

import pytest

from conftest import GP_REASON
import kernel_harness

TOOL = os.path.join(kernel_harness.BUILD, "tests", "payload_tool")

pytestmark = pytest.mark.skipif(bool(GP_REASON), reason=GP_REASON or "")


def _manager(bits: int = 1024):
    """The decoding half of a ResponseManager (its __init__ also binds the
    response socket, which these tests do not need)."""
    from Cryptodome.PublicKey import RSA
    from gateway_provisioners.response_manager import ResponseManager

    key = RSA.generate(bits)
    fake = types.SimpleNamespace(_private_key=key, _response_registry={},
                                 log=logging.getLogger("test_payload"))
    fake.public_pem = key.publickey().export_key("PEM").decode()
    # What the gateway substitutes for {public_key}: the PEM body on one line.
    fake.public_key = "".join(l for l in fake.public_pem.splitlines() if "-----" not in l)
    fake.decode = lambda data: ResponseManager._decode_payload(fake, data)
    return fake


def _payload(conn: dict | str | None, public_key: str) -> subprocess.CompletedProcess:
    """The payload for conn; None: the launcher's own connection info with a
    fresh CurveZMQ pair (payload_tool --curve)."""
    if not os.access(TOOL, os.X_OK):
        pytest.fail(f"no {TOOL}: build it (ninja -C {kernel_harness.BUILD})")
    if conn is None:
        return subprocess.run([TOOL, "--curve", public_key], capture_output=True, timeout=30)
    text = conn if isinstance(conn, str) else json.dumps(conn)
    return subprocess.run([TOOL, public_key], input=text.encode(), capture_output=True, timeout=30)


CONN = {"shell_port": 40001, "iopub_port": 40002, "stdin_port": 40003, "hb_port": 40004,
        "control_port": 40005, "comm_port": 40006, "ip": "0.0.0.0", "transport": "tcp",
        "signature_scheme": "hmac-sha256", "key": "5b2f6c1e-1111-4222-8333-944445555666",
        "kernel_name": "", "pid": 1234, "pgid": 1200, "kernel_id": "d6a5e6c2-kid"}


@pytest.mark.parametrize("bits,full_pem", [(1024, False), (2048, False), (1024, True)])
def test_gateway_decodes_the_payload(bits, full_pem):
    m = _manager(bits)
    r = _payload(CONN, m.public_pem if full_pem else m.public_key)
    assert r.returncode == 0, r.stderr.decode()
    info = m.decode(r.stdout.decode())
    assert info == dict(CONN, key=CONN["key"].encode())   # the gateway turns the key into bytes


def test_payload_is_version_1_json():
    m = _manager()
    r = _payload(CONN, m.public_key)
    outer = json.loads(base64.b64decode(r.stdout))
    assert outer["version"] == 1 and set(outer) == {"version", "key", "conn_info"}
    # RSA-1024 PKCS#1 v1.5 block for the key; whole AES blocks for the JSON
    assert len(base64.b64decode(outer["key"])) == 128
    assert len(base64.b64decode(outer["conn_info"])) % 16 == 0


@pytest.mark.parametrize("size", [15, 16, 17, 4000])
def test_padding_at_block_edges(size):
    """PKCS#7 padding for every length the gateway's unpad() must accept."""
    m = _manager()
    body = '{"k":"' + "x" * (size - 8) + '"}'
    assert len(body) == size
    r = _payload(body, m.public_key)
    assert r.returncode == 0, r.stderr.decode()
    assert m.decode(r.stdout.decode()) == {"k": "x" * (size - 8)}


def test_payload_for_another_key_does_not_decode():
    """A payload made for one server's key is refused by another server."""
    m, other = _manager(), _manager()
    r = _payload(CONN, other.public_key)
    assert r.returncode == 0
    with pytest.raises(Exception):
        m.decode(r.stdout.decode())


def test_not_a_key_is_refused():
    r = _payload(CONN, "{public_key}")
    assert r.returncode == 1
    assert "--public-key is not an RSA public key" in r.stderr.decode()


# ---- CurveZMQ keys inside the payload (--transport-encryption auto|required)

def _needs_curve():
    import zmq

    if not zmq.has("curve"):
        pytest.skip("pyzmq's libzmq has no CURVE")


def test_gateway_decodes_curve_keys():
    """Keys a client put in the connection info come back unchanged."""
    import zmq

    _needs_curve()
    pub, sec = (k.decode() for k in zmq.curve_keypair())
    m = _manager()
    conn = dict(CONN, curve_publickey=pub, curve_secretkey=sec)
    r = _payload(conn, m.public_key)
    assert r.returncode == 0, r.stderr.decode()
    assert m.decode(r.stdout.decode()) == dict(conn, key=CONN["key"].encode())


def test_launcher_curve_keys_satisfy_the_provisioner():
    """The launcher's own connection info with its key pair, decoded by the
    gateway, is what the provisioner's check of a 'required' launch accepts."""
    import zmq
    from gateway_provisioners.remote_provisioner import RemoteProvisionerBase

    _needs_curve()
    m = _manager(2048)
    r = _payload(None, m.public_key)
    assert r.returncode == 0, r.stderr.decode()
    info = m.decode(r.stdout.decode())
    pub, sec = info["curve_publickey"], info["curve_secretkey"]
    assert len(pub) == 40 and len(sec) == 40
    assert zmq.curve_public(sec.encode()).decode() == pub, "the secret key is not the public key's"
    assert info["kernel_id"] == "payload-tool-kernel" and info["comm_port"] == 40006

    def refuse(e):
        raise e

    prov = types.SimpleNamespace(curve_enabled=True, transport_encryption="required",
                                 kernel_id="payload-tool-kernel", connection_info={},
                                 parent=None, log=logging.getLogger("test_payload"),
                                 log_and_raise=refuse)
    RemoteProvisionerBase._validate_transport_encryption_response(prov, info)
    assert info["curve_publickey"] == pub and info["curve_secretkey"] == sec


def test_launcher_curve_keys_are_fresh():
    _needs_curve()
    m = _manager()
    a, b = (m.decode(_payload(None, m.public_key).stdout.decode()) for _ in range(2))
    assert a["curve_secretkey"] != b["curve_secretkey"]
