/* kernel/cell/celltok.c — the one tokenizer of cell text (see celltok.h):
 * identifiers, numbers, string/char literals (u8/u/U/L prefixes, C++ raw
 * strings), punctuators (<<< and >>> included), whole preprocessor lines
 * with their continuations; comments are skipped.
 *
 * Two ways to run it. Whole text (cc_tokenize): the token array is malloc'd
 * for the caller, every bracket is paired with its partner, and text whose
 * comments, literals or brackets do not close is refused with a message the
 * user can act on. Line by line (cc_clex_line): the same scanner over one
 * line at a time, keeping no tokens; a comment, literal, continuation or
 * directive left open at the line's end is carried to the next line in the
 * cc_clex state, with the stack of open brackets — what the magics split
 * and is_complete need, on text that may be unfinished. What a line or a
 * cell is (a magic line, CUDA) is cellclass.c's, over these tokens. */
#include "celltok.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- small helpers ---------------------------------------------------- */

static char *cs_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = cc_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* 1: starts an identifier, 2: a digit (the C locale's classes, by table:
 * these are the tokenizer's hottest tests) */
static const unsigned char ident_class[256] = {
    ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1, ['$'] = 1, ['0' ... '9'] = 2,
};
static bool is_ident_start(int c) { return ident_class[(unsigned char)c] == 1; }
static bool is_ident_char(int c) { return ident_class[(unsigned char)c] != 0; }

/* ---- tokenizer -------------------------------------------------------- */

typedef struct lexer {
    const char *s;
    size_t n, i;
    int line, col;
    bool line_start;        /* only whitespace/comments so far on this line */
    cc_tok *v; size_t nv, cap;
    char *err;
    const cc_cancel *cancel;
    cc_clex *part;          /* line by line: the carried state; tokens are not kept */
} lexer;

static void lx_adv(lexer *L)
{
    if (L->i >= L->n) return;
    if (L->s[L->i] == '\n') { L->line++; L->col = 1; L->line_start = true; }
    else if (((unsigned char)L->s[L->i] & 0xC0) != 0x80) L->col++;
    L->i++;
}

static int lx_peek(const lexer *L, size_t k)
{
    return L->i + k < L->n ? (unsigned char)L->s[L->i + k] : 0;
}

static void part_bracket(cc_clex *l, char c);

static int lx_store(lexer *L, cc_tok_kind kind, size_t off, int line, int col)
{
    if (L->nv % CC_CANCEL_EVERY == CC_CANCEL_EVERY - 1 && cc_cancelled(L->cancel)) {
        free(L->err);
        L->err = cc_xstrdup(CC_CANCELLED_MSG);
        return -1;
    }
    if (L->nv == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 64;
        L->v = cc_xrealloc(L->v, L->cap * sizeof *L->v);
    }
    L->v[L->nv++] = (cc_tok){ kind, (int)off, (int)(L->i - off), line, col, -1 };
    return 0;
}

/* A token ends at L->i: kept (whole text) or only its brackets counted. */
static inline int lx_push(lexer *L, cc_tok_kind kind, size_t off, int line, int col)
{
    L->line_start = false;
    if (L->part) {
        if (kind == CC_TOK_PUNCT && L->i - off == 1) part_bracket(L->part, L->s[off]);
        return 0;
    }
    return lx_store(L, kind, off, line, col);
}

/* The rest of a block comment that started on `line`. Returns -1 if it
 * never ends (line by line: it stays open instead). */
static int lx_block_comment_rest(lexer *L, int line)
{
    while (L->i < L->n) {
        if (lx_peek(L, 0) == '*' && lx_peek(L, 1) == '/') { lx_adv(L); lx_adv(L); return 0; }
        lx_adv(L);
    }
    if (L->part) { L->part->state = CC_LEX_BLOCK_COMMENT; return 0; }
    L->err = cs_fmt("The cell has a /* comment that starts on line %d and is never "
                    "closed, so the rest of the cell is all comment. Close it with */ "
                    "and run the cell again.", line);
    return -1;
}

/* Skips a block comment starting at "/" "*". */
static int lx_block_comment(lexer *L)
{
    int line = L->line;
    lx_adv(L); lx_adv(L);
    return lx_block_comment_rest(L, line);
}

/* True at the end of a line that ends with a backslash (line by line). */
static bool lx_spliced(const lexer *L)
{
    return L->part && L->i >= L->n && L->n > 0 && L->s[L->n - 1] == '\\';
}

static void lx_line_comment(lexer *L)
{
    while (L->i < L->n && lx_peek(L, 0) != '\n') {
        if (lx_peek(L, 0) == '\\' && lx_peek(L, 1) == '\n') lx_adv(L);
        lx_adv(L);
    }
    if (lx_spliced(L)) { L->part->state = CC_LEX_LINE_COMMENT; L->part->cont = true; }
}

/* The rest of a "..." or '...' literal. Line by line, a literal open at
 * the line's end goes on after a lone backslash and is otherwise left
 * unterminated (the compiler will say so). */
static int lx_quoted_rest(lexer *L, int q, int line, int col)
{
    bool lone = false;   /* the line ends with an unescaped backslash */
    while (L->i < L->n) {
        int c = lx_peek(L, 0);
        if (c == '\\' && L->i + 1 < L->n) { lx_adv(L); lx_adv(L); continue; }
        if (c == '\n') break;
        lone = c == '\\';
        lx_adv(L);
        if (c == q) return 0;
    }
    if (L->part) {
        if (lone) { L->part->state = q == '"' ? CC_LEX_STRING : CC_LEX_CHAR; L->part->cont = true; }
        else L->part->unterminated = true;
        return 0;
    }
    L->err = cs_fmt("Line %d, column %d: this %s literal is never closed (a %s literal "
                    "must end on the line where it starts). Add the closing %c — or "
                    "use \\n for a newline inside it — and run the cell again.",
                    line, col, q == '"' ? "string" : "character",
                    q == '"' ? "string" : "character", q);
    return -1;
}

/* A "..." or '...' literal; the opening quote is at L->i. */
static int lx_quoted(lexer *L, int q, int line, int col)
{
    lx_adv(L);
    return lx_quoted_rest(L, q, line, col);
}

/* The rest of a raw string whose delimiter is delim[0..dl). */
static int lx_raw_rest(lexer *L, const char *delim, size_t dl, int line, int col)
{
    while (L->i < L->n) {
        if (lx_peek(L, 0) == ')' && L->i + 1 + dl < L->n &&
            memcmp(L->s + L->i + 1, delim, dl) == 0 && L->s[L->i + 1 + dl] == '"') {
            for (size_t k = 0; k < dl + 2; k++) lx_adv(L);
            return 0;
        }
        lx_adv(L);
    }
    if (L->part) {
        if (delim != L->part->raw_delim) {
            memcpy(L->part->raw_delim, delim, dl);
            L->part->raw_delim[dl] = '\0';
        }
        L->part->state = CC_LEX_RAW_STRING;
        return 0;
    }
    L->err = cs_fmt("Line %d, column %d: this raw string literal R\"%.*s( is never "
                    "closed. End it with )%.*s\" and run the cell again.",
                    line, col, (int)dl, delim, (int)dl, delim);
    return -1;
}

/* C++ raw string R"delim( ... )delim"; L->i is at the quote. */
static int lx_raw_string(lexer *L, int line, int col)
{
    size_t d0 = L->i + 1, d1 = d0;
    while (d1 < L->n && L->s[d1] != '(' && d1 - d0 < 16 && L->s[d1] != '\n') d1++;
    if (d1 >= L->n || L->s[d1] != '(') return lx_quoted(L, '"', line, col);
    while (L->i <= d1) lx_adv(L);
    return lx_raw_rest(L, L->s + d0, d1 - d0, line, col);
}

/* A preprocessor line from '#' to the newline not preceded by a backslash;
 * comments and literals inside it are skipped so they cannot end it early. */
/* A number (pp-number: 1'000, 0x1p-3, 1.5e+3f) starting at L->i. */
static void lx_number(lexer *L)
{
    lx_adv(L);
    while (L->i < L->n) {
        int d = lx_peek(L, 0);
        if ((d == '+' || d == '-') && strchr("eEpP", L->s[L->i - 1])) { lx_adv(L); continue; }
        if (is_ident_char(d) || d == '.' || (d == '\'' && is_ident_char(lx_peek(L, 1)))) { lx_adv(L); continue; }
        break;
    }
}

static bool lx_is_prefix(const lexer *L, size_t off, bool *raw);

/* Line by line inside a directive: a word, and the literal it prefixes. */
static void lx_word(lexer *L)
{
    size_t off = L->i;
    while (L->i < L->n && is_ident_char(lx_peek(L, 0))) lx_adv(L);
    int q = lx_peek(L, 0);
    bool raw;
    if ((q == '"' || q == '\'') && lx_is_prefix(L, off, &raw)) {
        if (raw && q == '"') lx_raw_string(L, 0, 0);
        else lx_quoted(L, q, 0, 0);
    }
}

static int lx_directive_rest(lexer *L)
{
    if (L->part) L->part->directive = true;
    while (L->i < L->n) {
        int c = lx_peek(L, 0);
        if (c == '\n') break;
        if (c == '\\' && lx_peek(L, 1) == '\n') { lx_adv(L); lx_adv(L); continue; }
        if (c == '/' && lx_peek(L, 1) == '*') {
            if (lx_block_comment(L)) return -1;
            if (L->part && L->part->state == CC_LEX_BLOCK_COMMENT) return 0;   /* line by line: open */
            continue;
        }
        if (c == '/' && lx_peek(L, 1) == '/') { lx_line_comment(L); break; }
        if (L->part) {   /* line by line: words, numbers and literals as in code */
            if (c == '"' || c == '\'') { lx_quoted(L, c, 0, 0); continue; }
            if (is_ident_start(c)) { lx_word(L); continue; }
            if (isdigit(c)) { lx_number(L); continue; }
        }
        if (c == '"' || c == '\'') {
            /* an apostrophe in #error text must not fail the cell: quotes in
             * directives are skipped leniently up to the end of the line */
            lx_adv(L);
            while (L->i < L->n && lx_peek(L, 0) != c && lx_peek(L, 0) != '\n') {
                if (lx_peek(L, 0) == '\\' && L->i + 1 < L->n) lx_adv(L);
                lx_adv(L);
            }
            if (lx_peek(L, 0) == c) lx_adv(L);
            continue;
        }
        lx_adv(L);
    }
    if (lx_spliced(L) && L->part->state == CC_LEX_CODE && !L->part->unterminated) L->part->cont = true;
    return 0;
}

static int lx_directive(lexer *L)
{
    size_t off = L->i;
    int line = L->line, col = L->col;
    if (lx_directive_rest(L)) return -1;
    /* trim trailing blanks from the token */
    size_t end = L->i;
    while (end > off && (L->s[end - 1] == ' ' || L->s[end - 1] == '\t' || L->s[end - 1] == '\r')) end--;
    size_t keep = L->i;
    L->i = end;
    int rc = lx_push(L, CC_TOK_PREPROC, off, line, col);
    L->i = keep;
    return rc;
}

static const char *const puncts3[] = { "<<<", ">>>", "...", "<<=", ">>=", "->*", NULL };
static const char *const puncts2[] = { "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=",
    "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", "::", NULL };

static size_t lx_punct_len(const lexer *L)
{
    /* the second character of every longer punctuator is one of these */
    static const bool second[256] = { ['<'] = 1, ['>'] = 1, ['.'] = 1, ['='] = 1, ['+'] = 1,
                                      ['-'] = 1, ['&'] = 1, ['|'] = 1, ['#'] = 1, [':'] = 1 };
    if (!second[lx_peek(L, 1)]) return 1;
    for (int k = 0; puncts3[k]; k++)
        if (L->i + 3 <= L->n && memcmp(L->s + L->i, puncts3[k], 3) == 0) return 3;
    for (int k = 0; puncts2[k]; k++)
        if (L->i + 2 <= L->n && memcmp(L->s + L->i, puncts2[k], 2) == 0) return 2;
    return 1;
}

/* Is the identifier just read (s[off..i)) a string/char literal prefix? */
static bool lx_is_prefix(const lexer *L, size_t off, bool *raw)
{
    size_t len = L->i - off;
    const char *p = L->s + off;
    *raw = len >= 1 && p[len - 1] == 'R';
    size_t base = *raw ? len - 1 : len;
    if (base == 0) return *raw;
    if (base == 1) return p[0] == 'L' || p[0] == 'u' || p[0] == 'U';
    return base == 2 && p[0] == 'u' && p[1] == '8';
}

static int lx_run(lexer *L)
{
    while (L->i < L->n) {
        int c = lx_peek(L, 0);
        size_t off = L->i;
        int line = L->line, col = L->col;
        if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { lx_adv(L); continue; }
        if (c == '\\' && L->part && L->i + 1 == L->n) { L->part->cont = true; lx_adv(L); continue; }
        if (c == '\\' && (lx_peek(L, 1) == '\n' || (lx_peek(L, 1) == '\r' && lx_peek(L, 2) == '\n'))) {
            bool ls = L->line_start;
            lx_adv(L); if (lx_peek(L, 0) == '\r') lx_adv(L); lx_adv(L);
            L->line_start = ls;
            continue;
        }
        if (c == '/' && lx_peek(L, 1) == '*') {
            bool ls = L->line_start;
            if (lx_block_comment(L)) return -1;
            if (L->line == line) L->line_start = ls;
            continue;
        }
        if (c == '/' && lx_peek(L, 1) == '/') { lx_line_comment(L); continue; }
        if (c == '#' && L->line_start) { if (lx_directive(L)) return -1; continue; }
        if (is_ident_start(c)) {
            while (L->i < L->n && is_ident_char(lx_peek(L, 0))) lx_adv(L);
            int q = lx_peek(L, 0);
            bool raw;
            if ((q == '"' || q == '\'') && lx_is_prefix(L, off, &raw)) {
                int rc = (raw && q == '"') ? lx_raw_string(L, line, col) : lx_quoted(L, q, line, col);
                if (rc) return -1;
                if (lx_push(L, q == '"' ? CC_TOK_STRING : CC_TOK_CHAR, off, line, col)) return -1;
                continue;
            }
            if (lx_push(L, CC_TOK_IDENT, off, line, col)) return -1;
            continue;
        }
        if (isdigit(c) || (c == '.' && isdigit(lx_peek(L, 1)))) {
            lx_number(L);
            if (lx_push(L, CC_TOK_NUMBER, off, line, col)) return -1;
            continue;
        }
        if (c == '"' || c == '\'') {
            if (lx_quoted(L, c, line, col)) return -1;
            if (lx_push(L, c == '"' ? CC_TOK_STRING : CC_TOK_CHAR, off, line, col)) return -1;
            continue;
        }
        size_t pl = lx_punct_len(L);
        for (size_t k = 0; k < pl; k++) lx_adv(L);
        if (lx_push(L, CC_TOK_PUNCT, off, line, col)) return -1;
    }
    return 0;
}

static char tok_ch(const char *src, const cc_tok *t)
{
    return t->kind == CC_TOK_PUNCT && t->len == 1 ? src[t->off] : 0;
}

/* Pair up ( [ { with ) ] }. */
static int lx_match(lexer *L)
{
    size_t *stack = cc_xmalloc((L->nv + 1) * sizeof *stack);
    size_t sp = 0;
    for (size_t i = 0; i < L->nv; i++) {
        char ch = tok_ch(L->s, &L->v[i]);
        if (ch == '(' || ch == '[' || ch == '{') { stack[sp++] = i; continue; }
        if (ch != ')' && ch != ']' && ch != '}') continue;
        char want = ch == ')' ? '(' : ch == ']' ? '[' : '{';
        if (sp == 0) {
            L->err = cs_fmt("Line %d, column %d: this '%c' closes nothing — there is no "
                            "'%c' open before it. Remove it or add the missing '%c', and run "
                            "the cell again.", L->v[i].line, L->v[i].col, ch, want, want);
            free(stack);
            return -1;
        }
        size_t o = stack[--sp];
        char och = tok_ch(L->s, &L->v[o]);
        if (och != want) {
            L->err = cs_fmt("Line %d, column %d: this '%c' does not match the '%c' opened on "
                            "line %d, column %d. Check the brackets around there and run the "
                            "cell again.", L->v[i].line, L->v[i].col, ch, och,
                            L->v[o].line, L->v[o].col);
            free(stack);
            return -1;
        }
        L->v[o].match = (int)i;
        L->v[i].match = (int)o;
    }
    if (sp) {
        const cc_tok *t = &L->v[stack[sp - 1]];
        char och = tok_ch(L->s, t);
        L->err = cs_fmt("Line %d, column %d: this '%c' is never closed — the cell ends "
                        "first. Add the missing '%c' and run the cell again.",
                        t->line, t->col, och, och == '(' ? ')' : och == '[' ? ']' : '}');
        free(stack);
        return -1;
    }
    free(stack);
    return 0;
}

bool cc_cancelled(const cc_cancel *cancel)
{
    return cancel && cancel->fn && cancel->fn(cancel->ctx);
}

int cc_tokenize(const char *src, cc_tok **toks, size_t *n, char **err)
{
    return cc_tokenize_cancel(src, NULL, toks, n, err);
}

int cc_tokenize_cancel(const char *src, const cc_cancel *cancel, cc_tok **toks, size_t *n, char **err)
{
    lexer L = { .s = src, .n = strlen(src), .line = 1, .col = 1, .line_start = true, .cancel = cancel };
    *toks = NULL; *n = 0;
    if (err) *err = NULL;
    if (lx_run(&L) || lx_match(&L)) {
        if (err) *err = L.err;   /* every failure says why */
        else free(L.err);
        free(L.v);
        return -1;
    }
    *toks = L.v; *n = L.nv;
    return 0;
}


/* ---- line by line ------------------------------------------------------ */

void cc_clex_init(cc_clex *l)
{
    memset(l, 0, sizeof *l);
}

bool cc_clex_at_top(const cc_clex *l)
{
    return l->state == CC_LEX_CODE && !l->cont && l->depth == 0;
}

static void part_bracket(cc_clex *l, char c)
{
    if (c == '(' || c == '[' || c == '{') {
        if (l->depth < CC_CLEX_MAX_DEPTH) l->stack[l->depth] = c;
        l->depth++;
        return;
    }
    if (c != ')' && c != ']' && c != '}') return;
    char want = c == ')' ? '(' : c == ']' ? '[' : '{';
    if (l->depth == 0) { l->unmatched = true; return; }
    if (l->depth <= CC_CLEX_MAX_DEPTH && l->stack[l->depth - 1] != want) l->unmatched = true;
    l->depth--;
}

void cc_clex_line(cc_clex *l, const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\r') len--;
    bool continued = l->cont;
    cc_clex_state st = l->state;
    l->cont = false;
    l->unterminated = false;
    l->state = CC_LEX_CODE;   /* what is still open at the end sets it again */
    if (!continued) l->directive = false;
    /* a continued line does not start a directive; after a block comment
     * that spanned lines, '#' still can (cpp sees the comment as a blank) */
    lexer L = { .s = s, .n = len, .line = 1, .col = 1, .line_start = !continued, .part = l };
    switch (st) {
    case CC_LEX_BLOCK_COMMENT: lx_block_comment_rest(&L, 0); break;
    case CC_LEX_LINE_COMMENT:  lx_line_comment(&L); break;
    case CC_LEX_STRING:        lx_quoted_rest(&L, '"', 0, 0); L.line_start = false; break;
    case CC_LEX_CHAR:          lx_quoted_rest(&L, '\'', 0, 0); L.line_start = false; break;
    case CC_LEX_RAW_STRING:    lx_raw_rest(&L, l->raw_delim, strlen(l->raw_delim), 0, 0); L.line_start = false; break;
    case CC_LEX_CODE:          break;
    }
    if (l->state != CC_LEX_CODE || l->cont) return;
    if (continued && l->directive) lx_directive_rest(&L);
    else lx_run(&L);   /* never fails line by line: nothing is kept */
}
