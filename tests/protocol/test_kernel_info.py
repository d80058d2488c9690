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
