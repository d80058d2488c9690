/* kernel/cell/is_complete.c — is_complete_request: would pressing Enter in a
 * console run the cell, or continue it? Incomplete while brackets, a block
 * comment, a string or a backslash continuation are open, or while a cell
 * that starts with %% has not ended with an empty line; invalid when a
 * closing bracket has no opener. `!` and %magic lines are not C. */
#include "is_complete.h"

#include <stdbool.h>
#include <string.h>

#include "celltok.h"

#define MAX_INDENT_LEVELS 16

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static json_t *incomplete(int depth)
{
    char indent[4 * MAX_INDENT_LEVELS + 1];
    if (depth > MAX_INDENT_LEVELS)
        depth = MAX_INDENT_LEVELS;
    memset(indent, ' ', (size_t)(4 * depth));
    indent[4 * depth] = '\0';
    return json_pack("{s:s, s:s}", "status", "incomplete", "indent", indent);
}

/* Lex code[from..) line by line, skipping `!`/% lines at the top level. */
static void lex_lines(cc_clex *l, const char *code, size_t from)
{
    size_t total = strlen(code), pos = from;
    while (pos < total) {
        const char *s = code + pos;
        const char *nl = memchr(s, '\n', total - pos);
        size_t len = nl ? (size_t)(nl - s) : total - pos;
        size_t rest;
        if (!(cc_clex_at_top(l) && cc_clex_magic_line(s, len, &rest)))
            cc_clex_line(l, s, len);
        pos += len + (nl ? 1 : 0);
    }
}

/* A cell magic cell ends with an empty line (IPython's rule): after one
 * final newline is dropped, the last line must be blank. */
static json_t *cell_magic_status(const char *code, size_t first_nl)
{
    size_t n = strlen(code);
    if (n > 0 && code[n - 1] == '\n')
        n--;
    if (n > 0 && code[n - 1] == '\r')
        n--;
    const char *last = NULL;
    for (size_t i = n; i > 0; i--)
        if (code[i - 1] == '\n') {
            last = code + i;
            break;
        }
    if (last && last > code + first_nl && blank(last, (size_t)(code + n - last)))
        return json_pack("{s:s}", "status", "complete");
    /* still typing the body: indent C bodies by their open brackets */
    cc_clex l;
    cc_clex_init(&l);
    if (first_nl < strlen(code))
        lex_lines(&l, code, first_nl + 1);
    return incomplete(l.unmatched ? 0 : l.depth);
}

json_t *cc_is_complete(const char *code)
{
    size_t total = strlen(code), pos = 0;
    /* the first non-blank line decides whether this is a cell magic cell */
    while (pos < total) {
        const char *nl = memchr(code + pos, '\n', total - pos);
        size_t len = nl ? (size_t)(nl - (code + pos)) : total - pos;
        if (!blank(code + pos, len)) {
            size_t rest;
            if (cc_clex_magic_line(code + pos, len, &rest) == 'C')
                return cell_magic_status(code, nl ? (size_t)(nl - code) : total);
            break;
        }
        pos += len + (nl ? 1 : 0);
    }

    cc_clex l;
    cc_clex_init(&l);
    lex_lines(&l, code, 0);
    if (l.unmatched)
        return json_pack("{s:s}", "status", "invalid");
    if (l.state == CC_LEX_BLOCK_COMMENT || l.state == CC_LEX_RAW_STRING || l.cont
        || l.unterminated)
        return incomplete(l.depth);
    if (l.depth > 0)
        return incomplete(l.depth);
    return json_pack("{s:s}", "status", "complete");
}
