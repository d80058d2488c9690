"""inspect_request, history_request, comm_info_request."""


def _inspect(kernel, code, pos=None, detail=0):
    return kernel.shell("inspect_request", {
        "code": code, "cursor_pos": len(code) if pos is None else pos, "detail_level": detail,
    })["content"]


def test_inspect_libc_function(kernel):
    c = _inspect(kernel, "printf")
    assert c["status"] == "ok"
    assert c["found"] is True
    assert "printf" in c["data"]["text/plain"]


def test_inspect_cursor_inside_name(kernel):
    code = "x = strlen(s);"
    c = _inspect(kernel, code, pos=code.index("strlen") + 3)
    assert c["found"] is True
    assert "strlen" in c["data"]["text/plain"]


def test_inspect_magic(kernel):
    c = _inspect(kernel, "%cd")
    assert c["status"] == "ok"
    assert c["found"] is True
    assert "cd" in c["data"]["text/plain"]


def test_inspect_unknown_name(kernel):
    c = _inspect(kernel, "zzqq_no_such_thing")
    assert c["status"] == "ok"
    assert c["found"] is False
    assert c["data"] == {}


def test_inspect_detail_level_1_ok(kernel):
    c = _inspect(kernel, "malloc", detail=1)
    assert c["status"] == "ok" and c["found"] is True


def _history(kernel, **kw):
    content = {"output": False, "raw": True, "hist_access_type": "tail", "n": 10}
    content.update(kw)
    c = kernel.shell("history_request", content)["content"]
    assert c["status"] == "ok"
    return c["history"]


def test_history_tail_has_this_sessions_cells(fresh_kernel):
    k = fresh_kernel
    codes = ["!echo one", "!echo two", "!echo three"]
    for code in codes:
        k.ok(code)
    hist = _history(k, n=3)
    assert [h[2] for h in hist] == codes
    assert all(len(h) == 3 for h in hist)


def test_history_tail_n_limits(fresh_kernel):
    k = fresh_kernel
    for code in ["!echo a", "!echo b", "!echo c"]:
        k.ok(code)
    hist = _history(k, n=2)
    assert [h[2] for h in hist] == ["!echo b", "!echo c"]


def test_history_line_numbers_are_execution_counts(fresh_kernel):
    k = fresh_kernel
    n1 = k.ok("!echo x").content["execution_count"]
    n2 = k.ok("!echo y").content["execution_count"]
    hist = _history(k, n=2)
    assert [h[1] for h in hist] == [n1, n2]


def test_history_skips_store_history_false(fresh_kernel):
    k = fresh_kernel
    k.ok("!echo kept")
    k.execute("!echo not-kept", store_history=False)
    hist = _history(k, n=10)
    inputs = [h[2] for h in hist]
    assert "!echo kept" in inputs
    assert "!echo not-kept" not in inputs


def test_history_output_true_gives_pairs(fresh_kernel):
    k = fresh_kernel
    k.ok("!echo paired")
    hist = _history(k, n=1, output=True)
    assert len(hist) == 1
    entry = hist[0][2]
    assert isinstance(entry, list) and len(entry) == 2 and entry[0] == "!echo paired"


def test_history_range(fresh_kernel):
    k = fresh_kernel
    for code in ["!echo r1", "!echo r2", "!echo r3"]:
        k.ok(code)
    tail = _history(k, n=3)
    session, start = tail[0][0], tail[0][1]
    hist = _history(k, hist_access_type="range", session=session, start=start, stop=start + 1)
    assert [h[2] for h in hist] == ["!echo r1"]


def test_comm_info_is_empty(kernel):
    c = kernel.shell("comm_info_request", {})["content"]
    assert c["status"] == "ok"
    assert c["comms"] == {}


def test_comm_info_with_target_is_empty(kernel):
    c = kernel.shell("comm_info_request", {"target_name": "jupyter.widget"})["content"]
    assert c["status"] == "ok"
    assert c["comms"] == {}
