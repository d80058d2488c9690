/* tests/unit/test_is_complete.c — cc_is_complete: complete / incomplete
 * (with indent) / invalid for C, comments, literals, magics and cell magics. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "tap.h"

/* "complete", "invalid", or "incomplete:<indent length>" */
static char got[64];
static const char *status(const char *code)
{
    json_t *r = cc_is_complete(code);
    const char *st = json_string_value(json_object_get(r, "status"));
    const char *indent = json_string_value(json_object_get(r, "indent"));
    if (st && strcmp(st, "incomplete") == 0)
        snprintf(got, sizeof got, "incomplete:%zu", indent ? strlen(indent) : (size_t)999);
    else
        snprintf(got, sizeof got, "%s", st ? st : "(none)");
    json_decref(r);
    return got;
}

#define IS(code, want, what) CHECK_STR(status(code), want, "%s", what)

int main(void)
{
    /* complete */
    IS("", "complete", "empty cell");
    IS("\n\n", "complete", "blank cell");
    IS("int x = 1;", "complete", "a declaration");
    IS("printf(\"hi\\n\");", "complete", "a call with a string");
    IS("int f(void) { return 1; }", "complete", "a one-line function");
    IS("int f(void)\n{\n    return 1;\n}\n", "complete", "a multi-line function");
    IS("int a[3] = {1, 2, 3};", "complete", "array initializer");
    IS("x = y", "complete", "a missing semicolon is the compiler's business");
    IS("/* a comment */", "complete", "closed block comment");
    IS("int x; // trailing ( comment", "complete", "brackets in a // comment do not count");
    IS("char *s = \"(((\";", "complete", "brackets in a string do not count");
    IS("char c = '{';", "complete", "a bracket in a char literal does not count");
    IS("char c = '\\'';", "complete", "an escaped quote in a char literal");
    IS("#define OPEN {", "complete", "brackets in a directive do not count");
    IS("#include <stdio.h>", "complete", "an include");
    IS("!ls (", "complete", "a ! line is not C");
    IS("%cd (dir", "complete", "a line magic is not C");
    IS("int x;\n!echo {\nint y;", "complete", "C around a ! line");
    IS("%%bash\nls\n\n", "complete", "a cell magic ended with an empty line");
    IS("%%cuda\n__global__ void k() {}\n\n", "complete", "a CUDA cell magic ended with an empty line");
    IS("const char *r = R\"(x)\";", "complete", "closed raw string");

    /* incomplete */
    IS("int f(void) {", "incomplete:4", "open brace, indent 4");
    IS("int f(void) {\n    if (x) {", "incomplete:8", "two open braces, indent 8");
    IS("int f(void) {\n    if (x) {\n    }", "incomplete:4", "one brace still open");
    IS("foo(1,", "incomplete:4", "open parenthesis");
    IS("int a[] = {", "incomplete:4", "open initializer");
    IS("int a[", "incomplete:4", "open bracket");
    IS("f({", "incomplete:8", "nested ( and {");
    IS("/* unfinished", "incomplete:0", "open block comment");
    IS("int x; /* a\n b", "incomplete:0", "block comment over lines");
    IS("char *s = \"abc", "incomplete:0", "unterminated string");
    IS("char c = 'a", "incomplete:0", "unterminated char literal");
    IS("#define M(x) \\", "incomplete:0", "trailing backslash");
    IS("int x = 1 + \\", "incomplete:0", "trailing backslash in code");
    IS("%%bash", "incomplete:0", "a cell magic line alone");
    IS("%%bash\n", "incomplete:0", "a cell magic and a newline");
    IS("%%bash\nls", "incomplete:0", "a cell magic body without the empty line");
    IS("%%bash\nls\n", "incomplete:0", "one newline after the body is not an empty line");
    IS("%%c\nint f(void) {", "incomplete:4", "a C cell magic body indents by its brackets");
    IS("\n%%bash\nls", "incomplete:0", "a cell magic after blank lines");
    IS("const char *r = R\"(x\n", "incomplete:0", "open raw string");
    IS("int f(void) {\n!ls", "incomplete:4", "an open function and a ! line inside it (code)");

    /* invalid */
    IS(")", "invalid", "a lone closing parenthesis");
    IS("int x; }", "invalid", "an unmatched closing brace");
    IS("foo(]", "invalid", "mismatched bracket kinds");
    IS("int f(void) { } }", "invalid", "one brace too many");
    IS("int a[3)];", "invalid", "[ closed by )");
    IS("}\nint f(void) {", "invalid", "invalid wins over incomplete");

    /* deep nesting is capped, not overflowed */
    char deep[400];
    memset(deep, '(', 300);
    deep[300] = '\0';
    IS(deep, "incomplete:64", "300 open parentheses: indent capped at 16 levels");
    return tap_done();
}
