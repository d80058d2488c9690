"""Kernel subshells (JEP 91): create/list/delete on control, subshell_id
routing, and a subshell that answers while the main shell is busy."""
import time

from kernel_harness import Kernel, TIMEOUT


def _subshell_request(k: Kernel, msg_type: str, content: dict, subshell_id: str) -> str:
    msg = k.session.msg(msg_type, content)
    msg["header"]["subshell_id"] = subshell_id
    k.kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def _create(k: Kernel) -> str:
    r = k.control("create_subshell_request", {})
    assert r["content"]["status"] == "ok", r["content"]
    sid = r["content"]["subshell_id"]
    assert isinstance(sid, str) and sid
    return sid


def test_feature_is_advertised(kernel):
    info = kernel.shell("kernel_info_request")["content"]
    assert "kernel subshells" in info["supported_features"]


def test_create_list_delete(kernel):
    a, b = _create(kernel), _create(kernel)
    assert a != b
    ids = kernel.control("list_subshell_request", {})["content"]["subshell_id"]
    assert a in ids and b in ids
    assert kernel.control("delete_subshell_request", {"subshell_id": a})["content"]["status"] == "ok"
    ids = kernel.control("list_subshell_request", {})["content"]["subshell_id"]
    assert a not in ids and b in ids
    r = kernel.control("delete_subshell_request", {"subshell_id": a})["content"]
    assert r["status"] == "error"
    kernel.control("delete_subshell_request", {"subshell_id": b})


def test_subshell_reply_carries_its_id(kernel):
    sid = _create(kernel)
    mid = _subshell_request(kernel, "execute_request",
                            {"code": "!echo from-subshell", "silent": False}, sid)
    reply = kernel.wait_reply("shell", mid, timeout=TIMEOUT)
    assert reply["content"]["status"] == "ok"
    assert reply["header"].get("subshell_id") == sid
    kernel.control("delete_subshell_request", {"subshell_id": sid})


def test_subshell_answers_while_main_cell_runs(kernel):
    sid = _create(kernel)
    main = kernel.execute_async('printf("spinning\\n"); fflush(stdout); for (;;) {}')
    kernel.wait_for_output(main, "spinning", timeout=TIMEOUT)
    try:
        t0 = time.monotonic()
        mid = _subshell_request(kernel, "execute_request", {"code": "!echo side; %pwd", "silent": False}, sid)
        r = kernel.wait_reply("shell", mid, timeout=30)
        assert r["content"]["status"] == "ok"
        assert time.monotonic() - t0 < 10, "the subshell waited for the main shell"
        cid = _subshell_request(kernel, "complete_request", {"code": "pri", "cursor_pos": 3}, sid)
        c = kernel.wait_reply("shell", cid, timeout=30)
        assert "printf" in c["content"]["matches"]
        assert not kernel.has_reply(main), "the main cell should still be running"
    finally:
        kernel.interrupt_request()
        r = kernel.collect(main, timeout=TIMEOUT)
        assert r.status == "error"
        kernel.control("delete_subshell_request", {"subshell_id": sid})


def test_unknown_subshell_gets_an_error_reply(kernel):
    mid = _subshell_request(kernel, "kernel_info_request", {}, "no-such-subshell")
    r = kernel.wait_reply("shell", mid, timeout=TIMEOUT)
    assert r["content"]["status"] == "error"
    assert kernel.shell("kernel_info_request")["content"]["status"] == "ok"


def test_runtime_started_by_a_subshell_outlives_it(fresh_kernel):
    """The session's first code cell runs in a subshell, so that subshell's
    thread starts the runtime; deleting the subshell must not end it."""
    k = fresh_kernel
    sid = _create(k)
    mid = _subshell_request(k, "execute_request",
                            {"code": "int kept_value = 41 + 1;", "silent": False}, sid)
    r = k.collect(mid, timeout=TIMEOUT)
    assert r.status == "ok", r.describe()
    assert k.control("delete_subshell_request", {"subshell_id": sid})["content"]["status"] == "ok"
    time.sleep(0.5)   # a runtime killed with the thread would be gone by now
    r = k.execute('#include <stdio.h>\nprintf("kept=%d\\n", kept_value);')
    assert r.status == "ok", r.describe()
    assert r.stdout == "kept=42\n", r.describe()
    assert "restarted" not in r.stderr
