"""execute_request: iopub order, execution_count, silent, store_history,
stop_on_error, exit/quit. Uses `!` commands and magics so it needs no
compiler, except where C code is the point."""
import pytest


def test_iopub_order_busy_input_output_idle(kernel):
    r = kernel.ok("!echo order")
    types = r.types
    assert types[0] == "status" and r.iopub[0]["content"]["execution_state"] == "busy", types
    assert types[1] == "execute_input", types
    assert "stream" in types, types
    assert types[-1] == "status" and r.iopub[-1]["content"]["execution_state"] == "idle", types
    assert types.count("status") == 2, types


def test_all_iopub_messages_have_request_as_parent(kernel):
    mid = kernel.execute_async("!echo parent")
    r = kernel.collect(mid)
    assert r.iopub and all(m["parent_header"]["msg_id"] == mid for m in r.iopub)
    assert r.reply["parent_header"]["msg_id"] == mid


def test_reply_sent_before_idle(kernel):
    """The shell reply is sent before iopub idle (compared by header dates)."""
    r = kernel.ok("!echo x")
    idle = r.of_type("status")[-1]
    assert idle["content"]["execution_state"] == "idle"
    assert r.reply["header"]["date"] <= idle["header"]["date"], (r.reply["header"]["date"], idle["header"]["date"])


def test_execute_input_echoes_code_and_count(kernel):
    code = "!echo echoed"
    r = kernel.ok(code)
    (inp,) = r.of_type("execute_input")
    assert inp["content"]["code"] == code
    assert inp["content"]["execution_count"] == r.content["execution_count"]


def test_execution_count_increments(kernel):
    a = kernel.ok("!true").content["execution_count"]
    b = kernel.ok("!true").content["execution_count"]
    assert b == a + 1


def test_reply_has_payload_and_user_expressions(kernel):
    c = kernel.ok("!true").content
    assert c["payload"] == []
    assert c["user_expressions"] == {}


def test_silent_suppresses_outputs(kernel):
    r = kernel.execute("!echo should-not-appear", silent=True)
    assert r.status == "ok"
    assert r.of_type("stream") == [], r.describe()
    assert r.of_type("execute_input") == [], "silent executes are not broadcast"
    assert [m["content"]["execution_state"] for m in r.of_type("status")] == ["busy", "idle"]


def test_silent_does_not_increment_count(kernel):
    a = kernel.ok("!true").content["execution_count"]
    kernel.execute("!true", silent=True)
    b = kernel.ok("!true").content["execution_count"]
    assert b == a + 1


def test_store_history_false_does_not_increment_count(kernel):
    a = kernel.ok("!true").content["execution_count"]
    r = kernel.execute("!echo nohist", store_history=False)
    assert r.status == "ok"
    assert "nohist" in r.stdout
    b = kernel.ok("!true").content["execution_count"]
    assert b == a + 1


def test_empty_cell_is_ok(kernel):
    r = kernel.execute("")
    assert r.status == "ok"
    assert r.of_type("error") == []


def test_error_reply_and_one_error_message(kernel):
    r = kernel.execute("%nosuchmagic")
    assert r.status == "error"
    assert r.content["ename"] and isinstance(r.content["traceback"], list)
    assert len(r.of_type("error")) == 1, r.describe()


def test_error_reply_has_execution_count(kernel):
    r = kernel.execute("%nosuchmagic")
    assert isinstance(r.content.get("execution_count"), int)


def test_stop_on_error_aborts_queued(kernel):
    first = kernel.execute_async("!sleep 1\n%nosuchmagic")
    second = kernel.execute_async("!echo second")
    third = kernel.execute_async("!echo third")
    r1 = kernel.collect(first)
    r2 = kernel.collect(second)
    r3 = kernel.collect(third)
    assert r1.status == "error"
    assert r2.status == "aborted", r2.describe()
    assert r3.status == "aborted", r3.describe()
    assert "second" not in r2.stdout and "third" not in r3.stdout


def test_requests_after_the_abort_run(kernel):
    first = kernel.execute_async("!sleep 1\n%nosuchmagic")
    kernel.execute_async("!echo queued")
    kernel.collect(first)
    r = kernel.execute("!echo later")
    assert r.status == "ok" and "later" in r.stdout


def test_stop_on_error_false_keeps_queue(kernel):
    first = kernel.execute_async("!sleep 1\n%nosuchmagic", stop_on_error=False)
    second = kernel.execute_async("!echo kept")
    r1, r2 = kernel.collect(first), kernel.collect(second)
    assert r1.status == "error"
    assert r2.status == "ok" and "kept" in r2.stdout, r2.describe()


def test_segments_after_an_error_do_not_run(kernel):
    r = kernel.execute("%nosuchmagic\n!echo after-error")
    assert r.status == "error"
    assert "after-error" not in r.stdout


def test_execute_after_an_error_reply_is_not_aborted(kernel):
    """stop_on_error aborts only what was queued before the error reply left:
    a request sent the instant that reply arrives must run (sent 20 times in
    a row, since the race it guards against is a matter of microseconds)."""
    for i in range(20):
        bad = kernel.execute("!exit 0\n%nosuchmagic")
        assert bad.status == "error", bad.describe()
        good = kernel.execute(f"!echo after-{i}")
        assert good.status == "ok" and f"after-{i}" in good.stdout, good.describe()


@pytest.mark.parametrize("code", ["exit", "quit", "exit()", "quit()", "  exit \n"])
def test_exit_alone_asks_the_frontend_to_exit(kernel, code):
    r = kernel.execute(code)
    assert r.status == "ok", r.describe()
    assert r.content["payload"] == [{"source": "ask_exit", "keepkernel": False}], r.content
    assert not r.errors and r.stdout == "" and r.stderr == ""
    # the kernel stays up: the frontend decides what to do
    assert kernel.ok('puts("still here");').stdout == "still here\n"


def test_exit_in_c_code_is_c(kernel):
    r = kernel.execute("if (0) exit(0);")
    assert r.status == "ok", r.describe()
    assert r.content["payload"] == []
