"""tests/magics/test_shell_env.py — `!cmd` shell lines (under a pty,
streamed, interruptible) and the environment magics: %cd %pwd %env %%bash
%%writefile %lsmagic."""
import os
import time

ALL_MAGICS = ["%lsmagic", "%cd", "%pwd", "%env", "%%writefile", "%%bash", "%%c", "%%cuda",
              "%%time", "%%timeit", "%cflags", "%ldflags", "%args", "%reset", "%who",
              "%gpu", "%nvccflags"]


def test_echo_streams_stdout(kernel):
    r = kernel.ok("!echo hi")
    assert r.stdout == "hi\n", r.describe()
    assert r.stderr == ""


def test_command_sees_a_terminal(kernel):
    r = kernel.ok('!python3 -c "import sys;print(sys.stdout.isatty())"')
    assert r.stdout.strip() == "True", r.describe()


def test_stderr_of_command_is_shown(kernel):
    r = kernel.ok("!echo oops >&2")
    assert "oops" in r.stdout + r.stderr


def test_failing_command_is_not_a_cell_error(kernel):
    """Like IPython: a non-zero exit status of `!` does not fail the cell."""
    r = kernel.execute("!false")
    assert r.status == "ok", r.describe()


def test_progress_bar_streams_before_reply(kernel):
    arrivals = []
    mid = kernel.execute_async('!for i in 1 2 3; do printf "\\r%d" $i; sleep 0.3; done')
    r = kernel.collect(mid, on_iopub=lambda m: arrivals.append((time.monotonic(), m)))
    assert r.status == "ok"
    streams = [(t, m) for t, m in arrivals if m["header"]["msg_type"] == "stream"]
    assert len(streams) >= 2, f"expected several stream messages, got {r.describe()}"
    text = "".join(m["content"]["text"] for _, m in streams)
    assert "1" in text and "2" in text and "3" in text and "\r" in text, repr(text)
    # The first piece arrived well before the command ended (it was streamed).
    assert streams[-1][0] - streams[0][0] > 0.3, "output was not streamed as it came"


def test_several_lines_run_in_order(kernel):
    r = kernel.ok("!echo a\n!echo b\n!echo c")
    assert r.stdout == "a\nb\nc\n", r.describe()


def test_shell_line_with_pipes_and_quotes(kernel):
    r = kernel.ok("!printf 'x y\\n' | tr ' ' '_'")
    assert r.stdout == "x_y\n", r.describe()


def test_interrupt_command_ignoring_sigint_needs_second(fresh_kernel):
    k = fresh_kernel
    mid = k.execute_async('!trap "" INT; echo trapped; sleep 100')
    k.wait_for_output(mid, "trapped")
    k.interrupt_request()
    time.sleep(1.0)
    assert not k.has_reply(mid), "the command ignores SIGINT: one interrupt should not stop it"
    t0 = time.monotonic()
    k.interrupt_request()
    r = k.collect(mid, timeout=30)
    dt = time.monotonic() - t0
    assert r.status == "error"
    assert r.content["ename"] == "KeyboardInterrupt", r.describe()
    assert dt < 5.0, f"the second interrupt took {dt:.1f} s to stop the command"
    assert "back" in k.ok("!echo back").stdout


def test_cd_then_pwd(fresh_kernel, workdir):
    k = fresh_kernel
    k.ok(f"%cd {workdir}")
    assert k.ok("!pwd").stdout.strip() == os.path.realpath(workdir)
    assert os.path.realpath(k.ok("%pwd").stdout.strip()) == os.path.realpath(workdir)


def test_cd_tmp(fresh_kernel):
    k = fresh_kernel
    k.ok("%cd /tmp")
    assert k.ok("!pwd").stdout.strip() == "/tmp"
    assert k.ok("%pwd").stdout.strip() == "/tmp"


def test_shell_cd_does_not_stick(fresh_kernel):
    k = fresh_kernel
    k.ok("%cd /tmp")
    k.ok("!cd /")
    assert k.ok("!pwd").stdout.strip() == "/tmp"


def test_cd_to_missing_dir_is_an_error(fresh_kernel):
    r = fresh_kernel.execute("%cd /no/such/dir/here")
    assert r.status == "error"
    assert "/no/such/dir/here" in r.error_text


def test_env_set_then_shell_sees_it(fresh_kernel):
    k = fresh_kernel
    k.ok("%env FOO=bar")
    assert k.ok("!echo $FOO").stdout == "bar\n"


def test_env_shows_a_value(fresh_kernel):
    k = fresh_kernel
    k.ok("%env CUDACELL_TEST_VALUE=xyz")
    assert "xyz" in k.ok("%env CUDACELL_TEST_VALUE").stdout


def test_bash_cell_magic_streams(kernel):
    arrivals = []
    code = "%%bash\necho one\nsleep 0.6\necho two\nfor i in 1 2; do echo \"n$i\"; done"
    mid = kernel.execute_async(code)
    r = kernel.collect(mid, code, on_iopub=lambda m: arrivals.append((time.monotonic(), m)))
    assert r.status == "ok", r.describe()
    assert r.stdout == "one\ntwo\nn1\nn2\n", r.describe()
    streams = [t for t, m in arrivals if m["header"]["msg_type"] == "stream"]
    assert len(streams) >= 2 and streams[-1] - streams[0] > 0.3, "the script's output was not streamed"


def test_bash_cell_magic_keeps_bash_syntax(kernel):
    r = kernel.ok("%%bash\narr=(x y z)\necho ${#arr[@]} ${arr[1]}")
    assert r.stdout == "3 y\n", r.describe()


def test_writefile_and_append(fresh_kernel, workdir):
    k = fresh_kernel
    k.ok(f"%cd {workdir}")
    k.ok("%%writefile f.txt\nline one\nline two")
    path = os.path.join(workdir, "f.txt")
    with open(path) as f:
        assert f.read() == "line one\nline two\n"
    k.ok("%%writefile -a f.txt\nline three")
    with open(path) as f:
        assert f.read() == "line one\nline two\nline three\n"


def test_writefile_header_then_include(fresh_kernel, workdir):
    """The Colab way to a header: %%writefile it, #include "it" — found in the
    notebook's directory as gcc finds one next to the file; rewriting the
    header rebuilds the cells that include it (no stale cached build)."""
    k = fresh_kernel
    k.ok(f"%cd {workdir}")
    k.ok("%%writefile wf_vec.h\ntypedef struct { int x, y; } wf_vec;\n#define WF_SCALE 2")
    cell = '#include "wf_vec.h"\nwf_vec wv = {1, 2};\nprintf("%d\\n", (wv.x + wv.y) * WF_SCALE);'
    assert k.ok(cell).stdout == "6\n"
    assert k.ok('printf("%d\\n", WF_SCALE);').stdout == "2\n"
    k.ok("%%writefile wf_vec.h\ntypedef struct { int x, y; } wf_vec;\n#define WF_SCALE 5")
    assert k.ok(cell).stdout == "15\n"


def test_writefile_overwrites(fresh_kernel, workdir):
    k = fresh_kernel
    path = os.path.join(workdir, "g.txt")
    k.ok(f"%%writefile {path}\nfirst")
    k.ok(f"%%writefile {path}\nsecond")
    with open(path) as f:
        assert f.read() == "second\n"


def test_writefile_says_what_it_wrote(fresh_kernel, workdir):
    r = fresh_kernel.ok(f"%%writefile {workdir}/h.txt\nx")
    assert "h.txt" in r.stdout


def _magic_table(kernel):
    """Every magic of the kernel's table, as %name / %%name, as the kernel
    itself offers them: completing a lone "%" lists the whole table (line
    magics as %name, cell magics as %%name; see kernel/engine/complete.c)."""
    c = kernel.shell("complete_request", {"code": "%", "cursor_pos": 1})["content"]
    assert c["status"] == "ok" and (c["cursor_start"], c["cursor_end"]) == (0, 1), c
    return c["matches"]


def test_lsmagic_lists_every_magic(kernel):
    out = kernel.ok("%lsmagic").stdout
    missing = [m for m in ALL_MAGICS if m not in out]
    assert not missing, f"%lsmagic does not list {missing}:\n{out}"


def test_lsmagic_lists_the_whole_table(kernel):
    table = _magic_table(kernel)
    assert len(table) >= len(ALL_MAGICS), table
    out = kernel.ok("%lsmagic").stdout
    missing = [m for m in table if m not in out]
    assert not missing, f"%lsmagic does not list {missing}:\n{out}"


def test_unknown_magic_is_named(kernel):
    r = kernel.execute("%nosuchmagic")
    assert r.status == "error"
    assert "nosuchmagic" in r.error_text
    assert "%lsmagic" in r.error_text, r.describe()


def test_unknown_cell_magic_is_named(kernel):
    r = kernel.execute("%%nosuchcellmagic\nbody")
    assert r.status == "error"
    assert "nosuchcellmagic" in r.error_text
    assert "%lsmagic" in r.error_text


def test_magics_and_shell_lines_in_one_cell(fresh_kernel):
    k = fresh_kernel
    r = k.ok("%cd /tmp\n!pwd\n%env ZED=9\n!echo $ZED")
    lines = r.stdout.splitlines()
    assert "/tmp" in lines and lines[-1] == "9", r.describe()


def test_shell_command_stdin_is_not_the_kernel(kernel):
    """stdin of `!` is /dev/null: a command reading it sees EOF at once."""
    r = kernel.ok("!cat; echo done", timeout=30)
    assert "done" in r.stdout
