"""Interrupting a running C cell, and stdin for C code (with and without
allow_stdin)."""
import time

import pytest

# The spec: an interrupt stops the cell within about a second; allow a margin.
INTERRUPT_DEADLINE = 2.5


def _spin(k, body="for (;;) {}"):
    mid = k.execute_async('printf("spinning\\n");\nfflush(stdout);\n' + body)
    k.wait_for_output(mid, "spinning", timeout=120)
    return mid


@pytest.mark.parametrize("how", ["interrupt_request", "sigint"])
def test_interrupt_infinite_loop(fresh_kernel, how):
    k = fresh_kernel
    k.ok("int before_loop(void) { return 5; }")
    mid = _spin(k)
    t0 = time.monotonic()
    if how == "sigint":
        k.sigint()
    else:
        assert k.interrupt_request()["content"]["status"] == "ok"
    r = k.collect(mid, timeout=30)
    dt = time.monotonic() - t0
    assert r.status == "error"
    assert r.content["ename"] == "KeyboardInterrupt", r.describe()
    assert dt < INTERRUPT_DEADLINE, f"interrupt took {dt:.2f} s"
    assert k.ok('printf("%d\\n", before_loop());').stdout == "5\n"


def test_interrupt_blocking_sleep(fresh_kernel):
    k = fresh_kernel
    k.ok("#include <unistd.h>")
    mid = _spin(k, "sleep(100);")
    t0 = time.monotonic()
    k.interrupt_request()
    r = k.collect(mid, timeout=30)
    assert r.content.get("ename") == "KeyboardInterrupt", r.describe()
    assert time.monotonic() - t0 < INTERRUPT_DEADLINE
    assert k.ok('puts("after");').stdout == "after\n"


def test_interrupt_loop_ignoring_sigint(fresh_kernel):
    k = fresh_kernel
    k.ok("#include <signal.h>")
    mid = _spin(k, "signal(SIGINT, SIG_IGN);\nfor (;;) {}")
    t0 = time.monotonic()
    k.interrupt_request()
    r = k.collect(mid, timeout=30)
    assert r.status == "error", r.describe()
    assert time.monotonic() - t0 < INTERRUPT_DEADLINE + 1.0
    assert k.ok('puts("after");').stdout == "after\n"


def _answer(value):
    def handler(msg):
        return value
    return handler


def test_scanf_with_stdin(kernel):
    r = kernel.execute('int sv;\nscanf("%d", &sv);\nprintf("got %d\\n", sv * 2);', stdin=_answer("21"))
    assert r.status == "ok", r.describe()
    assert len(r.input_requests) == 1
    assert r.stdout.endswith("got 42\n"), r.describe()


def test_fgets_with_stdin(kernel):
    r = kernel.execute('char line[100];\nfgets(line, sizeof line, stdin);\nprintf("[%s]", line);',
                       stdin=_answer("hello"))
    assert r.status == "ok", r.describe()
    assert "[hello\n]" in r.stdout, r.describe()


def test_getchar_with_stdin(kernel):
    r = kernel.execute('int ch = getchar();\nprintf("%c!\\n", ch);', stdin=_answer("x"))
    assert r.status == "ok", r.describe()
    assert r.stdout.endswith("x!\n"), r.describe()


def test_getline_with_stdin(kernel):
    kernel.ok("#include <stdlib.h>")
    r = kernel.execute('char *gl = NULL;\nsize_t cap = 0;\nssize_t gn = getline(&gl, &cap, stdin);\n'
                       'printf("%zd %s", gn, gl);\nfree(gl);', stdin=_answer("abc"))
    assert r.status == "ok", r.describe()
    assert r.stdout.endswith("4 abc\n"), r.describe()


def test_two_reads_two_requests(kernel):
    answers = iter(["1", "2"])
    r = kernel.execute('int r1, r2;\nscanf("%d", &r1);\nscanf("%d", &r2);\nprintf("%d\\n", r1 + r2);',
                       stdin=lambda m: next(answers))
    assert r.status == "ok", r.describe()
    assert len(r.input_requests) == 2
    assert r.stdout.endswith("3\n")


def test_prompt_printed_before_input_is_shown(kernel):
    r = kernel.execute('printf("Your name: ");\nchar nm[50];\nscanf("%49s", nm);\nprintf("hi %s\\n", nm);',
                       stdin=_answer("ada"))
    assert r.status == "ok"
    text = r.stdout + "".join(m["content"]["prompt"] for m in r.input_requests)
    assert "Your name: " in text
    assert "hi ada" in r.stdout


def test_no_stdin_gives_eof_and_one_line(kernel):
    r = kernel.execute('int c0 = getchar();\nprintf("%d\\n", c0);', allow_stdin=False)
    assert r.status == "ok", r.describe()
    assert r.input_requests == []
    assert r.stdout == "-1\n", r.describe()
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one explanatory stderr line, got {r.stderr!r}"
    assert "stdin" in lines[0].lower() or "input" in lines[0].lower()


def test_no_stdin_fgets_returns_null(kernel):
    r = kernel.execute('char b0[10];\nprintf("%s\\n", fgets(b0, 10, stdin) ? "data" : "null");',
                       allow_stdin=False)
    assert r.status == "ok"
    assert r.stdout == "null\n"


def test_interrupt_while_waiting_for_input(fresh_kernel):
    k = fresh_kernel
    mid = k.execute_async('int wi;\nscanf("%d", &wi);', allow_stdin=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            m = k.kc.stdin_channel.get_msg(timeout=1)
        except Exception:
            continue
        if m["header"]["msg_type"] == "input_request":
            break
    else:
        pytest.fail("no input_request")
    t0 = time.monotonic()
    k.interrupt_request()
    r = k.collect(mid, timeout=30)
    assert r.content.get("ename") == "KeyboardInterrupt", r.describe()
    assert time.monotonic() - t0 < INTERRUPT_DEADLINE
    assert k.ok('puts("ok");').stdout == "ok\n"


# A getchar loop that counts characters, as in K&R: it ends only at end-of-file.
_COUNT_CHARS = ('long nch = 0;\nint cc;\nwhile ((cc = getchar()) != EOF)\n    nch++;\n'
                'printf("chars=%ld eof=%d\\n", nch, feof(stdin) != 0);')


@pytest.mark.parametrize("eof_answer", ["\x04", "%EOF"])
def test_getchar_loop_ends_on_eof_answer(kernel, eof_answer):
    answers = iter(["ab", "", "cde", eof_answer])
    r = kernel.execute(_COUNT_CHARS, stdin=lambda m: next(answers, None), timeout=120)
    assert r.status == "ok", r.describe()
    # "ab\n" + "\n" + "cde\n": 8 characters; the end-of-file answer adds none.
    assert r.stdout.endswith("chars=8 eof=1\n"), r.describe()
    assert len(r.input_requests) == 4


def test_eof_is_sticky_within_the_cell_and_the_next_cell_asks_again(kernel):
    answers = iter(["%EOF"])
    r = kernel.execute('int e1 = getchar();\nint e2 = getchar();\nprintf("%d %d\\n", e1, e2);',
                       stdin=lambda m: next(answers, None), timeout=120)
    assert r.status == "ok", r.describe()
    assert r.stdout.endswith("-1 -1\n"), r.describe()
    assert len(r.input_requests) == 1, "after end-of-file, reads in the same cell do not ask again"
    r = kernel.execute('printf("%c\\n", getchar());', stdin=lambda m: "z", timeout=120)
    assert r.stdout.endswith("z\n"), r.describe()
    assert len(r.input_requests) == 1


def test_first_prompt_says_how_to_end_input(kernel):
    answers = iter(["1", "\x04"])
    r = kernel.execute(_COUNT_CHARS, stdin=lambda m: next(answers, None), timeout=120)
    assert r.status == "ok", r.describe()
    prompts = [m["content"]["prompt"] for m in r.input_requests]
    assert len(prompts) == 2
    assert "Ctrl-D" in prompts[0] and "%EOF" in prompts[0], prompts
    assert prompts[1] == "", "only the first read of a cell carries the hint"
