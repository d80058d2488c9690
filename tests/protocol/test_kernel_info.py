"""kernel_info on shell and control, and the IOPub welcome message (protocol 5.5)."""
import json
import time

import zmq


def _info(kernel, channel):
    reply = kernel.request(channel, "kernel_info_request", {})
    assert reply["header"]["msg_type"] == "kernel_info_reply"
    return reply["content"]


def test_shell_kernel_info_status_ok(kernel):
    assert _info(kernel, "shell")["status"] == "ok"


def test_control_kernel_info_status_ok(kernel):
    assert _info(kernel, "control")["status"] == "ok"


def test_protocol_version_is_5_5(kernel):
    assert _info(kernel, "shell")["protocol_version"] == "5.5"


def test_reply_header_version_is_5_5(kernel):
    reply = kernel.shell("kernel_info_request", {})
    assert reply["header"]["version"] == "5.5"


def test_implementation(kernel):
    c = _info(kernel, "shell")
    assert c["implementation"] == "cudacell"
    assert c.get("implementation_version"), "implementation_version should be set"


def test_language_info_fields(kernel):
    li = _info(kernel, "shell")["language_info"]
    assert li["name"] == "c"
    assert isinstance(li.get("version"), str) and li["version"]
    assert li["mimetype"] == "text/x-csrc"
    assert li["file_extension"] == ".c"
    assert li["pygments_lexer"] == "c"


def test_language_info_codemirror_mode(kernel):
    mode = _info(kernel, "shell")["language_info"]["codemirror_mode"]
    assert mode in ("text/x-csrc", {"name": "clike", "mime": "text/x-csrc"}), mode


def test_banner_mentions_gpu(kernel):
    banner = _info(kernel, "shell")["banner"]
    assert isinstance(banner, str) and banner.strip()
    low = banner.lower()
    assert "gpu" in low or "cuda" in low, f"the banner should say which GPUs there are, or none: {banner!r}"


def test_supported_features_is_a_list(kernel):
    c = _info(kernel, "shell")
    assert isinstance(c.get("supported_features"), list), c
    assert all(isinstance(f, str) for f in c["supported_features"])


def test_control_and_shell_info_agree(kernel):
    a, b = _info(kernel, "shell"), _info(kernel, "control")
    for key in ("protocol_version", "implementation", "language_info"):
        assert a[key] == b[key], key


def test_kernel_info_has_status_on_iopub(kernel):
    """kernel_info on shell is wrapped in busy/idle with the request as parent."""
    mid = kernel.send("shell", "kernel_info_request", {})
    kernel.wait_reply("shell", mid)
    states, deadline = [], time.monotonic() + 10
    while len(states) < 2 and time.monotonic() < deadline:
        try:
            m = kernel.kc.iopub_channel.get_msg(timeout=1)
        except Exception:
            continue
        if m["parent_header"].get("msg_id") == mid and m["header"]["msg_type"] == "status":
            states.append(m["content"]["execution_state"])
    assert states == ["busy", "idle"]


def _recv_signed(kernel, sock, timeout_ms):
    if not sock.poll(timeout_ms):
        return None
    frames = sock.recv_multipart()
    i = frames.index(b"<IDS|MSG>")
    sig, parts = frames[i + 1], frames[i + 2:i + 6]
    assert sig == kernel.sign(parts), "iopub message with a bad signature"
    return [json.loads(p) for p in parts]


def test_iopub_welcome_on_subscribe(kernel):
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(kernel.endpoint("iopub"))
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got = _recv_signed(kernel, sub, 1000)
            if got is None:
                continue
            header, _parent, _meta, content = got
            if header["msg_type"] == "iopub_welcome":
                assert content.get("subscription") == ""
                return
        raise AssertionError("no iopub_welcome within 10 s of subscribing")
    finally:
        sub.close()


def test_iopub_welcome_for_each_subscriber(kernel):
    """XPUB: a second subscriber gets its own welcome."""
    ctx = zmq.Context.instance()
    socks = []
    try:
        for _ in range(2):
            s = ctx.socket(zmq.SUB)
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.SUBSCRIBE, b"")
            s.connect(kernel.endpoint("iopub"))
            socks.append(s)
            time.sleep(0.2)
        for s in socks:
            deadline, found = time.monotonic() + 10, False
            while not found and time.monotonic() < deadline:
                got = _recv_signed(kernel, s, 1000)
                found = bool(got) and got[0]["msg_type"] == "iopub_welcome"
            assert found, "a subscriber got no iopub_welcome"
    finally:
        for s in socks:
            s.close()


def test_connect_info_ports_used(kernel):
    """Sanity of the harness: the five ports of the connection file answer."""
    lat = kernel.heartbeat_latencies(n=2, pause=0)
    assert all(x < 5 for x in lat)


_FAKE_REPORT = ('{"status":"ok","message":"","driver_version":13000,"runtime_version":13000,'
                '"devices":[{"index":0,"name":"Fake Slow GPU","cc":"9.0","sm":"sm_90","sms":1,'
                '"mem_total":1,"mem_free":1,"clock_khz":1}],"nvcc":"13.0"}')
_PROBE_SLEEP = 12   # seconds: longer than the 5 s the issue allows for kernel_info


def test_kernel_info_never_waits_for_the_gpu_probe(tmp_path):
    import kernel_harness
    helper = tmp_path / "slow-gpuinfo"
    helper.write_text(f"#!/bin/sh\nsleep {_PROBE_SLEEP}\ncat <<'EOF'\n{_FAKE_REPORT}\nEOF\n")
    helper.chmod(0o755)
    t_launch = time.monotonic()
    k = kernel_harness.Kernel(env={"CUDACELL_GPUINFO": str(helper),
                                   "CUDACELL_NVCC": "/bin/true", "CUDACELL_NSYS": "/bin/true"})
    try:
        # 1. Ready at once, saying that detection is still running.
        print(f"launch -> ready with a {_PROBE_SLEEP} s probe: {k.ready_time * 1e3:.0f} ms")
        assert k.ready_time < 5, f"ready took {k.ready_time:.1f} s: it waited for the GPU probe"
        banner = _info(k, "shell")["banner"]
        assert "detection still running" in banner, banner

        # 2. A cell that waits for the probe (%%nsys needs the GPU's
        # architecture) must not hold kernel_info up.
        mid = k.execute_async("%%nsys\nint nsys_a = 1;")
        time.sleep(1.0)
        t0 = time.monotonic()
        banner = _info(k, "control")["banner"]
        waited = time.monotonic() - t0
        print(f"kernel_info while a cell waits for the probe: {waited * 1e3:.0f} ms")
        assert waited < 5, f"kernel_info waited {waited:.1f} s for the GPU probe"
        assert "detection still running" in banner, banner
        k.collect(mid, timeout=120)

        # 3. Once the probe is done, kernel_info shows what it found.
        deadline = t_launch + _PROBE_SLEEP + 60
        while "Fake Slow GPU" not in banner and time.monotonic() < deadline:
            time.sleep(0.5)
            banner = _info(k, "shell")["banner"]
        assert "GPU 0: Fake Slow GPU (sm_90)" in banner, banner
    finally:
        k.shutdown()
