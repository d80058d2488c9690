"""Output of C cells: every way of writing arrives, whole and in order."""
import pytest


def test_printf(kernel):
    assert kernel.ok('printf("%d-%s\\n", 7, "x");').stdout == "7-x\n"


def test_puts(kernel):
    assert kernel.ok('puts("p");').stdout == "p\n"


def test_fprintf_stderr(kernel):
    r = kernel.ok('fprintf(stderr, "to stderr\\n");')
    assert r.stderr == "to stderr\n", r.describe()
    assert r.stdout == ""


def test_write_syscall(kernel):
    kernel.ok("#include <unistd.h>")
    assert kernel.ok('write(1, "w\\n", 2);').stdout == "w\n"


def test_write_to_fd2(kernel):
    kernel.ok("#include <unistd.h>")
    assert kernel.ok('write(2, "e2\\n", 3);').stderr == "e2\n"


def test_all_ways_together(kernel):
    kernel.ok("#include <unistd.h>")
    r = kernel.ok('printf("one\\n");\nputs("two");\nfflush(stdout);\nwrite(1, "three\\n", 6);\n'
                  'fputs("four\\n", stdout);')
    for word in ("one", "two", "three", "four"):
        assert word in r.stdout, r.describe()


def test_last_line_without_newline(kernel):
    assert kernel.ok('printf("no newline");').stdout == "no newline"


def test_many_lines_arrive_whole_and_in_order(kernel):
    r = kernel.ok('for (int i = 0; i < 200000; i++) printf("%d\\n", i);', timeout=600)
    lines = r.stdout.split("\n")
    assert lines[-1] == "", "output should end with a newline"
    lines = lines[:-1]
    assert len(lines) == 200000, f"got {len(lines)} lines"
    bad = next((i for i, s in enumerate(lines) if s != str(i)), None)
    assert bad is None, f"line {bad} is {lines[bad]!r}"


def test_output_is_streamed_in_several_messages(kernel):
    """A long-running cell's output is sent while it runs, not at the end."""
    kernel.ok("#include <unistd.h>")
    r = kernel.ok('for (int i = 0; i < 3; i++) { printf("tick %d\\n", i); fflush(stdout); usleep(400000); }')
    assert r.stdout == "tick 0\ntick 1\ntick 2\n"
    assert len(r.of_type("stream")) >= 2, r.describe()


def test_utf8_output(kernel):
    assert kernel.ok('printf("h\\u00e9llo \\u4e16\\u754c\\n");').stdout == "h\u00e9llo \u4e16\u754c\n"


def test_invalid_utf8_does_not_break(kernel):
    r = kernel.ok('printf("a\\xff\\xfe" "b\\n");  /* hex escapes are greedy: split the literal */')
    assert r.stdout.startswith("a") and r.stdout.endswith("b\n")
    assert "\ufffd" in r.stdout


@pytest.mark.parametrize("stream,fn", [("stdout", "printf("), ("stderr", "fprintf(stderr, ")])
def test_percent_and_braces(kernel, stream, fn):
    r = kernel.ok(fn + '"100%% {ok}\\n");')
    assert getattr(r, stream) == "100% {ok}\n"
