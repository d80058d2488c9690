"""complete_request: keywords, libc names, magics, session names, and
cursor positions counted in Unicode code points (protocol 5.2+)."""


def _complete(kernel, code, cursor_pos=None):
    if cursor_pos is None:
        cursor_pos = len(code)
    c = kernel.shell("complete_request", {"code": code, "cursor_pos": cursor_pos})["content"]
    assert c["status"] == "ok"
    return c


def _applied(code, c):
    """Each match applied to code, as a frontend would."""
    return [code[:c["cursor_start"]] + m + code[c["cursor_end"]:] for m in c["matches"]]


def test_keyword_prefix(kernel):
    c = _complete(kernel, "whi")
    assert "while" in c["matches"]
    assert (c["cursor_start"], c["cursor_end"]) == (0, 3)


def test_type_keyword_prefix(kernel):
    assert "unsigned" in _complete(kernel, "unsig")["matches"]


def test_libc_name_prefix(kernel):
    c = _complete(kernel, "int main() { prin")
    assert "printf" in c["matches"]
    assert c["cursor_start"] == len("int main() { ")
    assert c["cursor_end"] == len("int main() { prin")


def test_libc_memcpy(kernel):
    assert "memcpy" in _complete(kernel, "memc")["matches"]


def test_matches_share_the_prefix(kernel):
    code = "mall"
    c = _complete(kernel, code)
    assert c["matches"], c
    for applied in _applied(code, c):
        assert applied.startswith("mall"), applied


def test_line_magic_prefix(kernel):
    code = "%lsm"
    c = _complete(kernel, code)
    assert "%lsmagic" in _applied(code, c), c


def test_cell_magic_prefix(kernel):
    code = "%%writef"
    c = _complete(kernel, code)
    assert "%%writefile" in _applied(code, c), c


def test_unicode_before_cursor(kernel):
    code = 'char *s = "h\u00e9llo \U0001F600 \u4e16\u754c"; pri'
    c = _complete(kernel, code)
    assert "printf" in c["matches"]
    assert c["cursor_end"] == len(code)          # code points, not bytes or UTF-16 units
    assert c["cursor_start"] == len(code) - 3


def test_cursor_in_the_middle(kernel):
    code = "pri\nint x;"
    c = _complete(kernel, code, cursor_pos=3)
    assert "printf" in c["matches"]
    assert (c["cursor_start"], c["cursor_end"]) == (0, 3)


def test_unicode_in_the_middle(kernel):
    code = "/* \u00fc\u00fc */ mem\nint \u00e4;"
    pos = code.index(" mem") + 4
    c = _complete(kernel, code, cursor_pos=pos)
    assert "memset" in c["matches"]
    assert (c["cursor_start"], c["cursor_end"]) == (pos - 3, pos)


def test_no_match_is_empty_ok(kernel):
    c = _complete(kernel, "zzqqxx_no_such_name")
    assert c["matches"] == []
    assert c["cursor_end"] == len("zzqqxx_no_such_name")


def test_metadata_is_object(kernel):
    assert isinstance(_complete(kernel, "whi").get("metadata"), dict)


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
