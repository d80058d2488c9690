/* tests/unit/test_celltok.c — the one tokenizer, run both ways: line by line
 * (cc_clex, for the magics split and is_complete) it must agree with the
 * whole-text run (cc_tokenize, for the splitter) on where comments,
 * literals and brackets stand; and a comment before '#' on a line still
 * leaves a directive, for both. */
#include <stdlib.h>
#include <string.h>

#include "celltok.h"
#include "tap.h"

/* Feed code line by line; 1 when it ends at the top level with nothing open. */
static int lines_close(const char *code)
{
    cc_clex l;
    cc_clex_init(&l);
    bool unterminated = false;   /* on any line */
    for (const char *p = code;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        cc_clex_line(&l, p, len);
        unterminated |= l.unterminated;
        if (!nl) break;
        p = nl + 1;
    }
    return cc_clex_at_top(&l) && !l.unmatched && !unterminated;
}

static int whole_closes(const char *code)
{
    cc_tok *t;
    size_t n;
    char *err = NULL;
    int rc = cc_tokenize(code, &t, &n, &err);
    if (rc == 0) free(t);
    free(err);
    return rc == 0;
}

static unsigned long long seed = 0x9E3779B97F4A7C15ull;
static unsigned rnd(void)
{
    seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
    return (unsigned)seed;
}

int main(void)
{
    /* a directive after a comment on its line: its brackets do not count */
    CHECK(lines_close("/* note */ #define OPEN {"), "line by line: /* */ #define OPEN { leaves nothing open");
    CHECK(whole_closes("/* note */ #define OPEN {"), "whole text: the same line tokenizes");
    CHECK(!lines_close("int f(void) {"), "an open brace stays open line by line");
    CHECK(lines_close("int n = 1'000;\nchar c = '\\'';"), "digit separators and escaped quotes");

    /* the two runs agree on generated cells (no quote inside a directive,
     * which whole text skips leniently, and no backslash at the very end) */
    static const char *const frag[] = {
        "int x = 1;", "/*", "*/", "// c", "(", ")", "{", "}", "[", "]", "\"s(\"", "'{'", "R\"d(", ")d\"",
        "\n#define X(a) a\n", "1'000", "\n", "\n", " ", "x \\\n", "u8\"s\"", "'\\''", "\"\\\\\"",
        "f(a, b);", "k<<<1, 2>>>(p);", "/* c */\n", "\"unterminated", "'u" };
    int agree = 0, cases = 20000;
    char buf[512], bad[512] = "";
    for (int k = 0; k < cases; k++) {
        size_t len = 0;
        for (int p = 1 + (int)(rnd() % 10); p > 0; p--) {
            const char *f = frag[rnd() % (sizeof frag / sizeof *frag)];
            memcpy(buf + len, f, strlen(f));
            len += strlen(f);
        }
        buf[len] = '\0';
        if (lines_close(buf) == whole_closes(buf)) agree++;
        else if (!bad[0]) snprintf(bad, sizeof bad, "%s", buf);
    }
    CHECK(agree == cases, "line by line and whole text agree on %d of %d cells (first difference: [%s])",
          agree, cases, bad);
    return tap_done();
}
