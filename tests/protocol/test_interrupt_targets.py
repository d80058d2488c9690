"""Interrupts reach every running target and belong to it: a request on
another thread (a subshell) does not cancel an interrupt in progress, and
one interrupt_request stops every `!` command running in any subshell."""
import time

from kernel_harness import TIMEOUT, Kernel


def _subshell_execute(k: Kernel, code: str, subshell_id: str) -> str:
    msg = k.session.msg("execute_request", {"code": code, "silent": False, "store_history": False,
                                            "user_expressions": {}, "allow_stdin": False})
    msg["header"]["subshell_id"] = subshell_id
    k.kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def _create(k: Kernel) -> str:
    r = k.control("create_subshell_request", {})
    assert r["content"]["status"] == "ok", r["content"]
    return r["content"]["subshell_id"]


def _delete(k: Kernel, sid: str) -> None:
    k.control("delete_subshell_request", {"subshell_id": sid})


def test_subshell_execute_keeps_the_escalation_of_an_interrupted_cell(fresh_kernel):
    """The cell ignores SIGINT, so only the SIGKILL after the grace stops it;
    a %pwd that runs in a subshell meanwhile must not cancel that."""
    k = fresh_kernel
    k.ok("#include <signal.h>\n#include <stdio.h>")
    sid = _create(k)
    main = k.execute_async('signal(SIGINT, SIG_IGN);\nprintf("spinning\\n");\nfflush(stdout);\nfor (;;) {}')
    k.wait_for_output(main, "spinning", timeout=120)
    assert k.interrupt_request()["content"]["status"] == "ok"
    side = _subshell_execute(k, "%pwd", sid)
    assert k.wait_reply("shell", side, timeout=TIMEOUT)["content"]["status"] == "ok"
    t0 = time.monotonic()
    r = k.collect(main, timeout=20)
    assert r.status == "error", r.describe()
    assert r.content["ename"] == "KeyboardInterrupt", r.describe()
    assert "restarted" in r.stderr + r.error_text, r.describe()
    assert time.monotonic() - t0 < 10
    assert k.ok('puts("after");').stdout == "after\n"
    _delete(k, sid)


def test_one_interrupt_stops_commands_in_twenty_subshells(fresh_kernel):
    k = fresh_kernel
    sids = [_create(k) for _ in range(20)]
    mids = [_subshell_execute(k, "!echo started; sleep 60", sid) for sid in sids]
    for mid in mids:
        k.wait_for_output(mid, "started", timeout=TIMEOUT)
    t0 = time.monotonic()
    assert k.interrupt_request()["content"]["status"] == "ok"
    stopped = 0
    for mid in mids:
        r = k.wait_reply("shell", mid, timeout=max(1.0, 15 - (time.monotonic() - t0)))
        assert r["content"]["status"] == "error", r["content"]
        assert r["content"]["ename"] == "KeyboardInterrupt", r["content"]
        stopped += 1
    assert stopped == 20
    assert time.monotonic() - t0 < 15, "the commands did not all stop at the interrupt"
    for sid in sids:
        _delete(k, sid)
