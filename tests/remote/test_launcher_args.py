"""cudacell's launcher-mode arguments refused before anything starts: the
kernel exits 1 with one message naming the argument (what a kernelspec or
an image's environment got wrong)."""
from __future__ import annotations

import subprocess

import pytest

import kernel_harness

KEY = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAK"   # truncated: not a key


@pytest.mark.parametrize("args,message", [
    (["--kernel-id", "", "--response-address", "", "--public-key", ""],   # an image without its variables
     "launcher mode needs --kernel-id"),
    (["--kernel-id", "k", "--response-address", "127.0.0.1:9"],
     "launcher mode needs --public-key"),
    (["--kernel-id", "k", "--response-address", "{response_address}", "--public-key", KEY],
     "--response-address '{response_address}' is not of the form HOST:PORT"),
    (["--kernel-id", "k", "--response-address", "127.0.0.1:9", "--public-key", KEY,
      "--port-range", "40000..40010"],
     "--port-range '40000..40010' holds 10 ports; the gateway asks for at least 1000"),
    # CurveZMQ is no reason to refuse: the launch goes on to the (bad) key
    (["--kernel-id", "k", "--response-address", "127.0.0.1:9", "--public-key", KEY,
      "--transport-encryption", "required"],
     "--public-key is not an RSA public key"),
    (["--kernel-id", "k", "--response-address", "127.0.0.1:9", "--public-key", KEY,
      "--transport-encryption", "requird"],
     "--transport-encryption 'requird' is not one of auto, required or disabled"),
    (["--kernel-id", "k", "--response-address", "127.0.0.1:9", "--public-key", KEY],
     "--public-key is not an RSA public key"),
])
def test_refused(args, message):
    kernel_harness.require_kernel()
    r = subprocess.run([kernel_harness.KERNEL_BIN, *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert message in r.stderr, r.stderr
