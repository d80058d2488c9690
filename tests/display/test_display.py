"""tests/display/test_display.py — rich output through the real kernel: every
libcudacell call arrives on iopub as display_data / update_display_data /
clear_output / execute_result with the right MIME bundle, the execute
request as parent, while the cell runs and in order with its stdout; a
cell's last expression is shown as Out[n]; CUDA cells get the same API."""
import base64
import json
import os
import shutil
import time

import pytest

NVCC = shutil.which("nvcc") or next(
    (p for p in (os.path.join(os.environ.get("CUDA_HOME", "/nonexistent"), "bin", "nvcc"),
                 "/usr/local/cuda/bin/nvcc") if os.access(p, os.X_OK)), None)
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc not installed: CUDA cells cannot compile")

DISPLAY_TYPES = ("display_data", "update_display_data", "clear_output", "execute_result")


def displays(r):
    return r.of_type(*DISPLAY_TYPES)


def one(r, msg_type):
    """The single message of msg_type the request produced."""
    got = r.of_type(msg_type)
    assert len(got) == 1, f"expected one {msg_type}: {r.describe()}"
    m = got[0]
    assert m["parent_header"]["msg_id"] == r.msg_id, "the parent must be the execute request"
    return m["content"]


def out_value(r):
    """text/plain of the cell's execute_result."""
    c = one(r, "execute_result")
    assert c["execution_count"] == r.content["execution_count"], r.describe()
    assert c["metadata"] == {} or isinstance(c["metadata"], dict)
    return c["data"]["text/plain"]


# ---- one-shot displays ------------------------------------------------------
@pytest.mark.parametrize("call,mime,value", [
    ('cc_display_html("<b>bold</b>");', "text/html", "<b>bold</b>"),
    ('cc_display_markdown("# Title\\n*x*");', "text/markdown", "# Title\n*x*"),
    ('cc_display_latex("$$e^{i\\\\pi}+1=0$$");', "text/latex", "$$e^{i\\pi}+1=0$$"),
    ('cc_display_text("plain \\"quoted\\" text");', "text/plain", 'plain "quoted" text'),
])
def test_text_bundles(kernel, call, mime, value):
    r = kernel.ok(call)
    c = one(r, "display_data")
    assert c["data"][mime] == value, r.describe()
    assert isinstance(c["metadata"], dict)
    assert "text/plain" in c["data"], "every bundle has a text/plain fallback"


def test_svg(kernel):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    r = kernel.ok(f"cc_display_svg({json.dumps(svg)});")
    assert one(r, "display_data")["data"]["image/svg+xml"] == svg


def test_json_is_sent_as_a_json_value(kernel):
    r = kernel.ok('cc_display_json("{\\"a\\": [1, 2.5, \\"x\\"], \\"b\\": null}");')
    assert one(r, "display_data")["data"]["application/json"] == {"a": [1, 2.5, "x"], "b": None}


def test_invalid_json_sends_nothing_and_says_why(kernel):
    r = kernel.ok('cc_display_json("{not json");')
    assert displays(r) == [], r.describe()
    assert "cc_display_json" in r.stderr, r.describe()


PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def test_png_bytes(kernel):
    arr = ", ".join(str(b) for b in PNG_1X1)
    r = kernel.ok(f"unsigned char png[] = {{{arr}}};\ncc_display_png(png, sizeof png);")
    data = one(r, "display_data")["data"]
    assert base64.b64decode(data["image/png"]) == PNG_1X1


def test_jpeg_bytes(kernel):
    jpeg = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9])
    arr = ", ".join(str(b) for b in jpeg)
    r = kernel.ok(f"unsigned char jpg[] = {{{arr}}};\ncc_display_jpeg(jpg, sizeof jpg);")
    assert base64.b64decode(one(r, "display_data")["data"]["image/jpeg"]) == jpeg


def test_raw_pixels_become_a_png(kernel):
    r = kernel.ok("unsigned char px[2 * 3 * 3];\n"
                  "for (int i = 0; i < 18; i++) px[i] = (unsigned char)(i * 14);\n"
                  "cc_display_image(px, 3, 2, 3);")
    png = base64.b64decode(one(r, "display_data")["data"]["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 3 and int.from_bytes(png[20:24], "big") == 2


@pytest.mark.parametrize("fn", ["cc_plot", "cc_scatter"])
def test_plots_are_svg_with_a_text_fallback(kernel, fn):
    r = kernel.ok("float ys[5] = {1, 4, 9, 16, 25};\n"
                  f'{fn}(NULL, ys, 5, "squares", "n", "n^2");')
    data = one(r, "display_data")["data"]
    assert "<svg" in data["image/svg+xml"] and "squares" in data["image/svg+xml"]
    assert data["text/plain"]


# ---- updatable displays, clear_output ---------------------------------------
def test_display_new_then_update(kernel):
    r = kernel.ok('const char *id = cc_display_new("<i>starting</i>");\n'
                  'cc_display_update(id, "<b>done</b>");')
    first = one(r, "display_data")
    upd = one(r, "update_display_data")
    did = first["transient"]["display_id"]
    assert did and upd["transient"]["display_id"] == did
    assert first["data"]["text/html"] == "<i>starting</i>"
    assert upd["data"]["text/html"] == "<b>done</b>"
    assert r.types.index("display_data") < r.types.index("update_display_data")


def test_display_id_kept_across_cells(kernel):
    kernel.ok('const char *keep_id;\nkeep_id = cc_display_new("v1");')
    r = kernel.ok('cc_display_update(keep_id, "v2");')
    assert one(r, "update_display_data")["data"]["text/html"] == "v2"


@pytest.mark.parametrize("wait", [0, 1])
def test_clear_output(kernel, wait):
    r = kernel.ok(f'printf("x\\n");\ncc_clear_output({wait});\nprintf("y\\n");')
    c = one(r, "clear_output")
    assert c["wait"] is bool(wait)
    # stdout before the clear is sent before it, stdout after it after it
    kinds = [(m["header"]["msg_type"], m["content"].get("text")) for m in r.iopub
             if m["header"]["msg_type"] in ("stream", "clear_output")]
    assert kinds == [("stream", "x\n"), ("clear_output", None), ("stream", "y\n")], kinds


# ---- order and timing -----------------------------------------------------
def test_order_with_stdout_is_kept(kernel):
    r = kernel.ok('printf("before\\n");\ncc_display_html("middle");\nprintf("after\\n");')
    seq = [m["content"]["text"] if m["header"]["msg_type"] == "stream" else m["header"]["msg_type"]
           for m in r.iopub if m["header"]["msg_type"] in ("stream", "display_data")]
    assert seq == ["before\n", "display_data", "after\n"], seq


def test_display_arrives_while_the_cell_runs(kernel):
    seen = {}
    t0 = time.monotonic()

    def on_iopub(m):
        if m["header"]["msg_type"] == "display_data":
            seen.setdefault("display", time.monotonic() - t0)

    mid = kernel.execute_async('#include <unistd.h>\ncc_display_html("early");\nsleep(2);')
    r = kernel.collect(mid, on_iopub=on_iopub)
    assert r.status == "ok", r.describe()
    assert "display" in seen, r.describe()
    assert seen["display"] < r.reply_time - 1.0, (seen, r.reply_time)


def test_every_call_in_a_loop_arrives(kernel):
    r = kernel.ok('for (int i = 0; i < 50; i++) { char s[32]; snprintf(s, sizeof s, "<p>%d</p>", i); '
                  'cc_display_html(s); }')
    got = [m["content"]["data"]["text/html"] for m in r.of_type("display_data")]
    assert got == [f"<p>{i}</p>" for i in range(50)]


def test_silent_request_sends_no_display(kernel):
    r = kernel.execute('cc_display_html("quiet");', silent=True)
    assert r.status == "ok" and displays(r) == [], r.describe()


# ---- progress -------------------------------------------------------------
def test_progress_of_a_million_steps_sends_few_messages(kernel):
    r = kernel.ok('cc_progress *p = cc_progress_new(1000000, "work");\n'
                  "volatile double acc = 0;\n"
                  "for (long i = 0; i < 1000000; i++) { acc += i * 0.5; cc_progress_update(p, i + 1); }\n"
                  "cc_progress_done(p);")
    msgs = displays(r)
    assert 1 <= len(msgs) <= 20, f"{len(msgs)} messages: {r.types}"
    assert msgs[0]["header"]["msg_type"] == "display_data"
    did = msgs[0]["content"]["transient"]["display_id"]
    for m in msgs[1:]:
        assert m["header"]["msg_type"] == "update_display_data"
        assert m["content"]["transient"]["display_id"] == did
    final = msgs[-1]["content"]["data"]
    assert "1000000/1000000" in final["text/plain"], final
    assert "text/html" in final


def test_slow_progress_updates_live(kernel):
    r = kernel.ok('#include <unistd.h>\ncc_progress *p = cc_progress_new(6, "slow");\n'
                  "for (long i = 0; i < 6; i++) { usleep(120000); cc_progress_update(p, i + 1); }\n"
                  "cc_progress_done(p);")
    msgs = displays(r)
    assert len(msgs) >= 3, r.types
    assert "6/6" in msgs[-1]["content"]["data"]["text/plain"]


# ---- the value of the last expression --------------------------------------
def test_int_expression(kernel):
    assert out_value(kernel.ok("int x41 = 41;\nx41 + 1")) == "42"


def test_value_on_the_same_line_as_a_declaration(kernel):
    assert out_value(kernel.ok("int y41 = 41; y41 + 1")) == "42"


def test_double(kernel):
    assert out_value(kernel.ok("3.5")) == "3.5"


def test_char_variable(kernel):
    assert out_value(kernel.ok("char ch = 'a';\nch")) == "97 'a'"


def test_char_literal_is_an_int_in_c(kernel):
    assert out_value(kernel.ok("'a'")) == "97"


def test_string(kernel):
    assert out_value(kernel.ok('"hi"')) == '"hi"'


def test_string_pointer(kernel):
    assert out_value(kernel.ok('const char *greeting = "hello";\ngreeting')) == '"hello"'


@pytest.mark.parametrize("expr,text", [("(bool)5", "true"), ("(bool)(1 > 2)", "false"), ("1 > 2", "false")])
def test_bool(kernel, expr, text):
    assert out_value(kernel.ok(expr)) == text


def test_bool_variable(kernel):
    assert out_value(kernel.ok("bool flag = true;\nflag")) == "true"


def test_pointer_shows_an_address(kernel):
    v = out_value(kernel.ok("int target;\n&target"))
    assert v.startswith("0x") and int(v, 16) != 0, v


def test_array_is_shown_as_a_list(kernel):
    kernel.ok("int a3[3] = {1, 2, 3};")
    assert out_value(kernel.ok("a3")) == "{1, 2, 3}"


def test_negative_and_unsigned(kernel):
    assert out_value(kernel.ok("-5")) == "-5"
    assert out_value(kernel.ok("4000000000u")) == "4000000000"


def test_void_call_as_last_line_shows_nothing_and_runs(kernel):
    kernel.ok("int bumps = 0;\nvoid bump(void) { bumps++; }")
    r = kernel.ok("bump()")
    assert displays(r) == [], r.describe()
    assert out_value(kernel.ok("bumps")) == "1"


def test_expression_with_semicolon_shows_nothing(kernel):
    r = kernel.ok("int z7 = 6;\nz7 + 1;")
    assert displays(r) == [], r.describe()


def test_statement_without_semicolon_is_not_a_value(kernel):
    r = kernel.ok("int w = 1;\nif (w) w = 2")
    assert displays(r) == [], r.describe()
    r = kernel.ok("for (int i = 0; i < 2; i++) w += i")
    assert displays(r) == [], r.describe()


def test_value_comes_after_the_cells_output(kernel):
    r = kernel.ok('printf("out\\n");\n6 * 7')
    assert r.types.index("stream") < r.types.index("execute_result"), r.types
    assert out_value(r) == "42"


def test_error_in_last_expression_points_at_the_cell(kernel):
    r = kernel.execute("int q = 1;\n  q + undefined_name")
    assert r.status == "error"
    assert "2:7" in r.error_text or "cell:2" in r.error_text or "line 2" in r.error_text, r.error_text


def test_main_with_a_value_line(kernel):
    r = kernel.ok('int main(void) { printf("main ran\\n"); return 0; }\n1 + 1')
    assert "main ran" in r.stdout and out_value(r) == "2"


def test_timeit_does_not_show_the_value(kernel):
    r = kernel.ok("%%timeit\n1 + 1")
    assert r.of_type("execute_result") == [], r.describe()


# ---- CUDA cells -------------------------------------------------------------
@needs_nvcc
def test_cuda_cell_host_code_displays(kernel):
    r = kernel.execute('__global__ void noop_k(void) {}\ncc_display_html("<b>from cuda</b>");\n"cu"')
    assert r.status == "ok", r.describe()
    assert one(r, "display_data")["data"]["text/html"] == "<b>from cuda</b>"
    assert out_value(r) == '"cu"'


@needs_nvcc
@pytest.mark.parametrize("expr,text", [("'a'", "97 'a'"), ("2.5f", "2.5"), ("7 * 6", "42")])
def test_cuda_cell_values(kernel, expr, text):
    """In C++ 'a' is a char (in C an int)."""
    assert out_value(kernel.ok(f"%%cuda\n{expr}")).startswith(text)


@needs_nvcc
def test_cuda_void_call_and_array(kernel):
    kernel.ok("%%cuda\nint cu_arr[3] = {4, 5, 6};\nvoid cu_touch(void) { cu_arr[0] = 9; }")
    r = kernel.ok("%%cuda\ncu_touch()")
    assert displays(r) == [], r.describe()
    assert out_value(kernel.ok("%%cuda\ncu_arr")) == "{9, 5, 6}"
