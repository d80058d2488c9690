/* kernel/magics/split.c — splitting a cell into ordered segments: runs of
 * code, `!` lines, line magics and one leading cell magic (the rules are in
 * magics.h). Pure: it knows the syntax of a magic line, not the table. Lines
 * inside a C comment or string are code (celltok.c's line-by-line mode tells). */
#include "magics.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "celltok.h"
#include "xalloc.h"

/* ---- the split ---------------------------------------------------------- */

typedef struct seg_list {
    cc_segment *v;
    size_t n, cap;
} seg_list;

/* A trimmed copy of s[0..n) (blanks and a '\r' at either end removed). */
static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return cc_xstrndup(s, n);
}

static cc_segment *seg_push(seg_list *l, cc_seg_kind kind, int line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = cc_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    cc_segment *s = &l->v[l->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->line = line;
    return s;
}

/* Name (letters, digits, '_') then the trimmed rest as args. */
static void parse_magic(cc_segment *seg, const char *s, size_t len)
{
    size_t k = 0;
    while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '_'))
        k++;
    seg->name = cc_xstrndup(s, k);
    seg->args = trim_dup(s + k, len - k);
}

static bool blank_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            return false;
    return true;
}

/* Close the pending code run [start, end) as a CODE segment, unless blank. */
static void flush_code(seg_list *l, const char *code, size_t start, size_t end, int line)
{
    if (end <= start || blank_line(code + start, end - start))
        return;
    cc_segment *seg = seg_push(l, CC_SEG_CODE, line);
    seg->body = cc_xstrndup(code + start, end - start);
}

/* A cell magic on a line other than the first: kept as a CELL_MAGIC segment
 * with body == NULL, which cc_magic_run reports as an error. */
int cc_magics_split(const char *code, cc_segment **segs, size_t *n)
{
    seg_list l = {0};
    cc_clex lex;
    cc_clex_init(&lex);
    size_t pos = 0, code_start = 0, total = strlen(code);
    int line = 1, code_line = 1;
    bool seen_content = false;

    while (pos < total) {
        const char *s = code + pos;
        const char *nl = memchr(s, '\n', total - pos);
        size_t len = nl ? (size_t)(nl - s) : total - pos;
        size_t next = pos + len + (nl ? 1 : 0);
        size_t rest = 0;
        int kind = cc_clex_at_top(&lex) ? cc_clex_magic_line(s, len, &rest) : 0;

        if (kind == 'C' && !seen_content) {
            cc_segment *seg = seg_push(&l, CC_SEG_CELL_MAGIC, line + 1);
            parse_magic(seg, s + rest, len - rest);
            seg->body = cc_xstrndup(code + next, total - next);
            code_start = total;
            break;
        }
        if (kind) {
            flush_code(&l, code, code_start, pos, code_line);
            cc_segment *seg;
            if (kind == '!') {
                seg = seg_push(&l, CC_SEG_SHELL, line);
                if (rest < len && s[rest] == '!')   /* IPython's `!!cmd` */
                    rest++;
                seg->args = trim_dup(s + rest, len - rest);
            } else {
                seg = seg_push(&l, kind == 'C' ? CC_SEG_CELL_MAGIC : CC_SEG_LINE_MAGIC, line);
                parse_magic(seg, s + rest, len - rest);
            }
            code_start = next;
            code_line = line + 1;
        } else {
            cc_clex_line(&lex, s, len);
        }
        if (!blank_line(s, len))
            seen_content = true;
        pos = next;
        line++;
    }
    flush_code(&l, code, code_start, total, code_line);
    *segs = l.v;
    *n = l.n;
    return 0;
}

void cc_segments_free(cc_segment *segs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(segs[i].name);
        free(segs[i].args);
        free(segs[i].body);
    }
    free(segs);
}
