"""Preprocessor conditionals in C cells are evaluated by the real
preprocessor with the session's macros and %cflags: only the taken branch is
compiled and reaches the session; a skipped group may hold anything;
#pragma push_macro/pop_macro leave the session with the compiler's macro."""


def _one_error(r):
    errs = r.of_type("error")
    assert r.status == "error" and len(errs) == 1, r.describe()
    text = "\n".join(errs[0]["content"]["traceback"])
    assert "__cc" not in text and "session:" not in text, f"generated code in the message:\n{text}"
    return text


def test_branch_chosen_by_an_earlier_cells_macro(kernel):
    kernel.ok("#define PPT_FAST 1")
    r = kernel.ok("#if PPT_FAST\nint ppt_mode = 1;\n#else\nint ppt_mode = 2;\n#endif\nprintf(\"%d\\n\", ppt_mode);")
    assert r.stdout == "1\n", r.describe()
    r = kernel.ok("printf(\"%d\\n\", ppt_mode);")
    assert r.stdout == "1\n", r.describe()


def test_skipped_group_may_hold_anything(kernel):
    r = kernel.ok("#if 0\n this isn't C\n#error never\nint x = ;\n#endif\nprintf(\"fine\\n\");")
    assert r.stdout == "fine\n", r.describe()


def test_declaration_in_a_false_branch_does_not_reach_the_session(kernel):
    kernel.ok("#ifdef PPT_NOT_DEFINED\nint ppt_ghost = 3;\n#endif\nint ppt_real = 4;")
    text = _one_error(kernel.execute("int ppt_use = ppt_real;\nprintf(\"%d\\n\", ppt_ghost);"))
    assert "ppt_ghost" in text and "cell:2:" in text, text


def test_elif_from_cflags(kernel):
    try:
        kernel.ok("%cflags -DPPT_LEVEL=2")
        r = kernel.ok("#if PPT_LEVEL == 1\nputs(\"one\");\n#elif PPT_LEVEL == 2\nputs(\"two\");\n#else\nputs(\"other\");\n#endif")
        assert r.stdout == "two\n", r.describe()
    finally:
        kernel.ok("%cflags --clear")


def test_error_in_the_taken_branch_names_the_cells_line(kernel):
    text = _one_error(kernel.execute("int ppt_before = 1;\n#if 1\n#error \"ppt chosen\"\n#endif"))
    assert "cell:3:" in text and "ppt chosen" in text, text


def test_pop_macro_restores_for_statements_and_later_cells(kernel):
    r = kernel.ok("#define PPT_W 10\n#pragma push_macro(\"PPT_W\")\n#undef PPT_W\n#define PPT_W 20\n"
                  "int ppt_inner = PPT_W;\n#pragma pop_macro(\"PPT_W\")\nint ppt_outer = PPT_W;\n"
                  "printf(\"%d %d\\n\", ppt_inner, ppt_outer);")
    assert r.stdout == "20 10\n", r.describe()
    r = kernel.ok("printf(\"%d\\n\", PPT_W);")
    assert r.stdout == "10\n", r.describe()


def test_main_falling_off_its_end_returns_0(kernel):
    r = kernel.ok("int main(void) { printf(\"hello\\n\"); }")
    assert r.stdout == "hello\n" and "main returned" not in r.stderr, r.describe()


def test_redefined_macro_warns_once_and_each_statement_sees_its_own(kernel):
    r = kernel.ok("#define PPT_R 1\nint ppt_ra = PPT_R;\n#define PPT_R 2\nint ppt_rb = PPT_R;\n"
                  "printf(\"%d %d\\n\", ppt_ra, ppt_rb);")
    assert r.stdout == "1 2\n", r.describe()
    assert r.stderr.count("redefined") == 1, r.describe()


def test_macro_made_functions_persist_and_redefine(kernel):
    """A file-scope invocation of a macro whose replacement is a declaration is
    expanded before the cell is read: its functions and typedefs reach later
    cells (even when the macro is an earlier cell's), a later expansion
    redefines them, and a statement macro is left as written."""
    kernel.ok("#define PPT_OP(name, op) int ppt_##name(int a, int b) { return a op b; }\n"
              "#define PPT_T(n) typedef struct { char c[n]; } ppt_t##n;\n"
              "PPT_OP(add, +)\nPPT_OP(mul,\n       *) PPT_T(3)\n")
    r = kernel.ok('printf("%d %d %zu\\n", ppt_add(2, 3), ppt_mul(2, 3), sizeof(ppt_t3));')
    assert r.stdout == "5 6 3\n", r.describe()
    kernel.ok("PPT_OP(add, -)")   # the macro of an earlier cell, redefining ppt_add
    r = kernel.ok('printf("%d\\n", ppt_add(2, 3));')
    assert r.stdout == "-1\n", r.describe()
    text = _one_error(kernel.execute("#define PPT_CHECK(x) do { if (!(x)) puts(\"no\"); } while (0)\n"
                                     "PPT_CHECK(ppt_undefined_name);"))
    assert "ppt_undefined_name" in text and "cell:2:" in text, text
