"""is_complete_request: what a console needs to decide whether to run a cell."""
import pytest


def _is_complete(kernel, code):
    return kernel.shell("is_complete_request", {"code": code})["content"]


def test_open_function_body_is_incomplete_with_indent(kernel):
    c = _is_complete(kernel, "int f() {")
    assert c["status"] == "incomplete"
    assert isinstance(c.get("indent"), str) and c["indent"].strip() == "" and len(c["indent"]) > 0, c


def test_nested_braces_indent_deeper(kernel):
    one = _is_complete(kernel, "int f() {")
    two = _is_complete(kernel, "int f() {\n  if (1) {")
    assert two["status"] == "incomplete"
    assert len(two["indent"]) > len(one["indent"]), (one, two)


def test_unterminated_string_is_incomplete(kernel):
    assert _is_complete(kernel, '"abc')["status"] == "incomplete"


def test_unterminated_comment_is_incomplete(kernel):
    assert _is_complete(kernel, "/* x")["status"] == "incomplete"


def test_cell_magic_without_blank_line_is_incomplete(kernel):
    assert _is_complete(kernel, "%%bash\necho")["status"] == "incomplete"


@pytest.mark.parametrize("code", [
    "int x = 1;",
    'printf("hi\\n");',
    "int f(void) { return 1; }",
    "!echo hi",
    "%pwd",
    "/* done */ int y;",
    'char *s = "{";',
])
def test_complete_samples(kernel, code):
    assert _is_complete(kernel, code)["status"] == "complete", code


def test_brace_inside_string_does_not_count(kernel):
    assert _is_complete(kernel, 'char *s = "{";')["status"] == "complete"


def test_brace_inside_comment_does_not_count(kernel):
    assert _is_complete(kernel, "int z; // {")["status"] == "complete"


def test_backslash_continuation_is_incomplete(kernel):
    assert _is_complete(kernel, "#define TWICE(x) \\")["status"] == "incomplete"

