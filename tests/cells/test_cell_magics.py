"""Magics that shape C cells (%cd %env %cflags %ldflags %%time %%timeit
%reset %who), the compile cache, and completion/inspection of session names."""
import os
import uuid


def test_cd_then_fopen_relative(fresh_kernel, workdir):
    with open(os.path.join(workdir, "data.txt"), "w") as f:
        f.write("from a file\n")
    k = fresh_kernel
    k.ok(f"%cd {workdir}")
    r = k.ok('FILE *fp = fopen("data.txt", "r");\nchar fb[64] = "";\n'
             'if (fp) { fgets(fb, sizeof fb, fp); fclose(fp); }\nprintf("%s", fp ? fb : "NOT FOUND\\n");')
    assert r.stdout == "from a file\n", r.describe()


def test_c_cell_writes_relative_to_cd(fresh_kernel, workdir):
    k = fresh_kernel
    k.ok(f"%cd {workdir}")
    k.ok('FILE *wf = fopen("out.txt", "w");\nfputs("written", wf);\nfclose(wf);')
    with open(os.path.join(workdir, "out.txt")) as f:
        assert f.read() == "written"


def test_env_then_getenv(kernel):
    kernel.ok("%env CC_X=1")
    kernel.ok("#include <stdlib.h>")
    r = kernel.ok('const char *ev = getenv("CC_X");\nprintf("%s\\n", ev ? ev : "(null)");')
    assert r.stdout == "1\n"


def test_cflags_set_and_shown(fresh_kernel):
    k = fresh_kernel
    k.ok("%cflags -O2")
    assert "-O2" in k.ok("%cflags").stdout


def test_cflags_take_effect(fresh_kernel):
    k = fresh_kernel
    k.ok("%cflags -DCC_FLAG_TEST=77")
    assert k.ok('printf("%d\\n", CC_FLAG_TEST);').stdout == "77\n"


def test_ldflags_lm(fresh_kernel):
    k = fresh_kernel
    k.ok("%ldflags -lm")
    assert "-lm" in k.ok("%ldflags").stdout
    k.ok("#include <math.h>")
    r = k.ok('volatile double vx = 2.0;\nprintf("%.3f\\n", cbrt(vx * 4));')
    assert r.stdout == "2.000\n"


def test_time_shows_compile_and_run(kernel):
    r = kernel.ok('%%time\nprintf("timed\\n");')
    assert "timed\n" in r.stdout
    text = (r.stdout + r.stderr).lower()
    assert "compile" in text and "run" in text, r.describe()


def test_timeit_shows_mean_and_std(kernel):
    r = kernel.ok("%%timeit\nvolatile int ts = 0;\nfor (int i = 0; i < 1000; i++) ts += i;", timeout=300)
    text = r.stdout + r.stderr
    assert "\u00b1" in text or "+-" in text, r.describe()


def test_reset_forgets_names(fresh_kernel):
    k = fresh_kernel
    k.ok("int rst_var = 1;")
    k.ok("%reset")
    r = k.execute('printf("%d\\n", rst_var);')
    assert r.status == "error"
    assert "rst_var" in r.error_text


def test_reset_then_redeclare(fresh_kernel):
    k = fresh_kernel
    k.ok("int rd = 1;")
    k.ok("%reset")
    k.ok("double rd = 0.5;")
    assert k.ok('printf("%g\\n", rd);').stdout == "0.5\n"


def test_who_lists_globals_functions_types(fresh_kernel):
    k = fresh_kernel
    k.ok("int who_var = 1;\nint who_fn(void) { return 0; }\ntypedef int who_t;\nstruct who_s { int a; };")
    out = k.ok("%who").stdout
    for name in ("who_var", "who_fn", "who_t", "who_s"):
        assert name in out, f"%who does not list {name}:\n{out}"


def test_who_lists_each_declaration_once(fresh_kernel):
    """An item that declares several names (an enum's tag and constants, a
    typedef of a tagged struct) is one line of %who, not one per name."""
    k = fresh_kernel
    k.ok("enum who_color { WHO_RED, WHO_GREEN, WHO_BLUE };\n"
         "typedef struct who_point { int x, y; } who_point;\n"
         "int who_a = 1, who_b = 2;\nint who_f(void) { return 0; }")
    out = k.ok("%who").stdout
    lines = [l.strip() for l in out.splitlines() if l.startswith("  ")]
    assert len(lines) == len(set(lines)), f"a declaration is listed twice:\n{out}"
    assert sum("who_color" in l for l in lines) == 1, out
    assert sum("struct who_point" in l for l in lines) == 1, out
    for name in ("WHO_BLUE", "who_a", "who_b", "who_f"):
        assert name in out, f"%who does not list {name}:\n{out}"


def test_who_empty_session(fresh_kernel):
    r = fresh_kernel.ok("%who")
    assert "who_var" not in r.stdout


def test_compile_cache_hit_on_rerun(kernel):
    token = uuid.uuid4().hex
    cell = f'%%time\nputs("cache {token}");'
    r1 = kernel.ok(cell)
    r2 = kernel.ok(cell)
    assert token in r1.stdout and token in r2.stdout
    t2 = (r2.stdout + r2.stderr).lower()
    assert "cache" in t2, f"second run should say it was cached:\n{r2.describe()}"


def test_identical_cell_in_new_kernel_is_cached(workdir):
    """The cache is persistent: a new session compiling the same cell hits it."""
    from kernel_harness import c_kernel
    token = uuid.uuid4().hex
    cell = f'%%time\nputs("persist {token}");'
    for expect_cached in (False, True):
        k = c_kernel()
        try:
            r = k.ok(cell)
            said = "cache" in (r.stdout + r.stderr).lower() and "miss" not in (r.stdout + r.stderr).lower()
            if expect_cached:
                assert said, f"not cached in a new session:\n{r.describe()}"
        finally:
            k.shutdown()


def _complete(k, code):
    return k.shell("complete_request", {"code": code, "cursor_pos": len(code)})["content"]


def test_complete_session_variable(kernel):
    kernel.ok("int my_unique_counter = 0;")
    assert "my_unique_counter" in _complete(kernel, "my_uniq")["matches"]


def test_complete_session_function_and_type(kernel):
    kernel.ok("typedef struct { int a; } my_unique_type;\nint my_unique_fn(int a) { return a; }")
    m = _complete(kernel, "my_unique_")["matches"]
    assert "my_unique_fn" in m and "my_unique_type" in m, m


def test_complete_session_macro(kernel):
    kernel.ok("#define MY_UNIQUE_MACRO 3")
    assert "MY_UNIQUE_MACRO" in _complete(kernel, "MY_UNIQ")["matches"]


def test_inspect_session_function(kernel):
    kernel.ok("int inspect_me(int a, double b) { return a + (int)b; }")
    c = kernel.shell("inspect_request", {"code": "inspect_me", "cursor_pos": 5, "detail_level": 0})["content"]
    assert c["found"] is True
    text = c["data"]["text/plain"]
    assert "inspect_me" in text and "int a" in text and "double b" in text, text


def test_inspect_session_variable(kernel):
    kernel.ok("double inspect_var = 1.5;")
    c = kernel.shell("inspect_request", {"code": "inspect_var", "cursor_pos": 3, "detail_level": 0})["content"]
    assert c["found"] is True
    assert "double" in c["data"]["text/plain"]


def test_history_holds_c_cells(fresh_kernel):
    k = fresh_kernel
    k.ok('puts("h1");')
    k.ok('puts("h2");')
    hist = k.shell("history_request", {"output": False, "raw": True, "hist_access_type": "tail", "n": 2})
    assert [h[2] for h in hist["content"]["history"]] == ['puts("h1");', 'puts("h2");']


def test_timeit_n_and_r_run_the_cell_n_times_r(fresh_kernel):
    k = fresh_kernel
    k.ok("long ti_runs = 0;")
    r = k.ok("%%timeit -n 3 -r 2\nti_runs++;", timeout=300)
    assert "(mean ± std. dev. of 2 runs, 3 loops each)" in r.stdout, r.describe()
    assert k.ok('printf("%ld\\n", ti_runs);').stdout == "6\n"


def test_timeit_q_prints_nothing(kernel):
    r = kernel.ok("%%timeit -q -n 1 -r 1\nvolatile int tq = 0; tq++;", timeout=300)
    assert r.stdout == "" and r.stderr == "", r.describe()
    assert not r.of_type("execute_result"), r.describe()


def test_timeit_o_shows_the_result_as_the_value(kernel):
    r = kernel.ok("%%timeit -o -q -n 2 -r 3\nvolatile int to = 0; to++;", timeout=300)
    assert r.stdout == "", r.describe()
    res = r.of_type("execute_result")
    assert len(res) == 1, r.describe()
    text = res[0]["content"]["data"]["text/plain"]
    assert text.startswith("<TimeitResult : ") and "(mean ± std. dev. of 3 runs, 2 loops each)>" in text, text


def test_timeit_unknown_option_is_an_error(kernel):
    r = kernel.execute("%%timeit -x\nint tx = 1;")
    assert r.status == "error", r.describe()
    assert r.content["ename"] == "UsageError"
    msg = r.error_text
    assert "-x" in msg and "-n N" in msg and "-r R" in msg and "-q" in msg and "-o" in msg, msg
