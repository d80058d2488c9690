"""Magics that shape C cells (%cd %env %cflags %ldflags %%time %%timeit
%reset %who), run in kernels whose first cell included the usual headers
(the `ckernel` / `fresh_ckernel` fixtures of tests/magics/conftest.py)."""
import os


def test_cd_then_fopen_relative(fresh_ckernel, workdir):
    with open(os.path.join(workdir, "data.txt"), "w") as f:
        f.write("from a file\n")
    k = fresh_ckernel
    k.ok(f"%cd {workdir}")
    r = k.ok('FILE *fp = fopen("data.txt", "r");\nchar fb[64] = "";\n'
             'if (fp) { fgets(fb, sizeof fb, fp); fclose(fp); }\nprintf("%s", fp ? fb : "NOT FOUND\\n");')
    assert r.stdout == "from a file\n", r.describe()


def test_c_cell_writes_relative_to_cd(fresh_ckernel, workdir):
    k = fresh_ckernel
    k.ok(f"%cd {workdir}")
    k.ok('FILE *wf = fopen("out.txt", "w");\nfputs("written", wf);\nfclose(wf);')
    with open(os.path.join(workdir, "out.txt")) as f:
        assert f.read() == "written"


def test_env_then_getenv(ckernel):
    ckernel.ok("%env CC_X=1")
    ckernel.ok("#include <stdlib.h>")
    r = ckernel.ok('const char *ev = getenv("CC_X");\nprintf("%s\\n", ev ? ev : "(null)");')
    assert r.stdout == "1\n"


def test_cflags_set_and_shown(fresh_ckernel):
    k = fresh_ckernel
    k.ok("%cflags -O2")
    assert "-O2" in k.ok("%cflags").stdout


def test_cflags_take_effect(fresh_ckernel):
    k = fresh_ckernel
    k.ok("%cflags -DCC_FLAG_TEST=77")
    assert k.ok('printf("%d\\n", CC_FLAG_TEST);').stdout == "77\n"


def test_cflags_defining_common_names(fresh_ckernel):
    """-D of names people use (N, n, x, T, value, size, title) must not break
    what every cell includes: its declarations use reserved names only. The
    cells after the second also start from the precompiled prelude, built
    with these flags."""
    k = fresh_ckernel
    k.ok("%cflags -DN=3 -Dn=4 -Dx=5 -DT=int -Dvalue=6 -Dsize=7 -Dtitle=8 -Dp=9 -Dlen=10")
    for i in range(4):
        r = k.ok(f'T got{i} = N + n + x + value + size + title + p + len + {i};\nprintf("%d\\n", got{i});')
        assert r.stdout == f"{52 + i}\n", r.describe()
    r = k.ok("float ys[3] = {1, 2, 3};\ncc_plot(NULL, ys, 3, \"t\", \"x\", \"y\");\ngot0")
    got = r.of_type("execute_result")
    assert len(got) == 1 and got[0]["content"]["data"]["text/plain"] == "52", r.describe()


def test_ldflags_lm(fresh_ckernel):
    k = fresh_ckernel
    k.ok("%ldflags -lm")
    assert "-lm" in k.ok("%ldflags").stdout
    k.ok("#include <math.h>")
    r = k.ok('volatile double vx = 2.0;\nprintf("%.3f\\n", cbrt(vx * 4));')
    assert r.stdout == "2.000\n"


def test_time_shows_compile_and_run(ckernel):
    r = ckernel.ok('%%time\nprintf("timed\\n");')
    assert "timed\n" in r.stdout
    text = (r.stdout + r.stderr).lower()
    assert "compile" in text and "run" in text, r.describe()


def test_timeit_shows_mean_and_std(ckernel):
    r = ckernel.ok("%%timeit\nvolatile int ts = 0;\nfor (int i = 0; i < 1000; i++) ts += i;", timeout=300)
    text = r.stdout + r.stderr
    assert "\u00b1" in text or "+-" in text, r.describe()


def test_reset_forgets_names(fresh_ckernel):
    k = fresh_ckernel
    k.ok("int rst_var = 1;")
    k.ok("%reset")
    r = k.execute('printf("%d\\n", rst_var);')
    assert r.status == "error"
    assert "rst_var" in r.error_text


def test_reset_then_redeclare(fresh_ckernel):
    k = fresh_ckernel
    k.ok("int rd = 1;")
    k.ok("%reset")
    k.ok("double rd = 0.5;")
    assert k.ok('printf("%g\\n", rd);').stdout == "0.5\n"


def test_who_lists_globals_functions_types(fresh_ckernel):
    k = fresh_ckernel
    k.ok("int who_var = 1;\nint who_fn(void) { return 0; }\ntypedef int who_t;\nstruct who_s { int a; };")
    out = k.ok("%who").stdout
    for name in ("who_var", "who_fn", "who_t", "who_s"):
        assert name in out, f"%who does not list {name}:\n{out}"


def test_who_lists_each_declaration_once(fresh_ckernel):
    """An item that declares several names (an enum's tag and constants, a
    typedef of a tagged struct) is one line of %who, not one per name."""
    k = fresh_ckernel
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


def test_who_empty_session(fresh_ckernel):
    r = fresh_ckernel.ok("%who")
    assert "who_var" not in r.stdout


def test_timeit_n_and_r_run_the_cell_n_times_r(fresh_ckernel):
    k = fresh_ckernel
    k.ok("long ti_runs = 0;")
    r = k.ok("%%timeit -n 3 -r 2\nti_runs++;", timeout=300)
    assert "(mean ± std. dev. of 2 runs, 3 loops each)" in r.stdout, r.describe()
    assert k.ok('printf("%ld\\n", ti_runs);').stdout == "6\n"


def test_timeit_q_prints_nothing(ckernel):
    r = ckernel.ok("%%timeit -q -n 1 -r 1\nvolatile int tq = 0; tq++;", timeout=300)
    assert r.stdout == "" and r.stderr == "", r.describe()
    assert not r.of_type("execute_result"), r.describe()


def test_timeit_o_shows_the_result_as_the_value(ckernel):
    r = ckernel.ok("%%timeit -o -q -n 2 -r 3\nvolatile int to = 0; to++;", timeout=300)
    assert r.stdout == "", r.describe()
    res = r.of_type("execute_result")
    assert len(res) == 1, r.describe()
    text = res[0]["content"]["data"]["text/plain"]
    assert text.startswith("<TimeitResult : ") and "(mean ± std. dev. of 3 runs, 2 loops each)>" in text, text


def test_timeit_unknown_option_is_an_error(ckernel):
    r = ckernel.execute("%%timeit -x\nint tx = 1;")
    assert r.status == "error", r.describe()
    assert r.content["ename"] == "UsageError"
    msg = r.error_text
    assert "-x" in msg and "-n N" in msg and "-r R" in msg and "-q" in msg and "-o" in msg, msg
