/* kernel/clex.c — the small C lexer behind the cell splitter and
 * is_complete (see clex.h). It never allocates. */
#include "clex.h"

#include <ctype.h>
#include <string.h>

void cc_clex_init(cc_clex *l)
{
    memset(l, 0, sizeof *l);
}

bool cc_clex_at_top(const cc_clex *l)
{
    return l->state == CC_LEX_CODE && !l->cont && l->depth == 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static bool is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

int cc_clex_magic_line(const char *s, size_t len, size_t *rest)
{
    size_t i = 0;
    while (i < len && is_blank(s[i]))
        i++;
    if (i >= len)
        return 0;
    if (s[i] == '!') {
        if (i + 1 < len && s[i + 1] == '=')      /* "!= b" continues an expression */
            return 0;
        *rest = i + 1;
        return '!';
    }
    if (s[i] == '%' && i + 2 < len && s[i + 1] == '%' && isalpha((unsigned char)s[i + 2])) {
        *rest = i + 2;
        return 'C';
    }
    if (s[i] == '%' && i + 1 < len && isalpha((unsigned char)s[i + 1])) {
        *rest = i + 1;
        return '%';
    }
    return 0;
}

static void push(cc_clex *l, char c)
{
    if (l->depth < CC_CLEX_MAX_DEPTH)
        l->stack[l->depth] = c;
    l->depth++;
}

static void pop(cc_clex *l, char closer)
{
    char want = closer == ')' ? '(' : closer == ']' ? '[' : '{';
    if (l->depth == 0) {
        l->unmatched = true;
        return;
    }
    if (l->depth <= CC_CLEX_MAX_DEPTH && l->stack[l->depth - 1] != want)
        l->unmatched = true;
    l->depth--;
}

/* s[i] == '\'': a C23 digit separator (1'000'000, 0xFF'FF) rather than
 * the start of a character literal? */
static bool digit_separator(const char *s, size_t len, size_t i)
{
    if (i == 0 || i + 1 >= len || !isxdigit((unsigned char)s[i + 1]) || !is_ident(s[i - 1]))
        return false;
    size_t b = i;
    while (b > 0 && (is_ident(s[b - 1]) || s[b - 1] == '\''))
        b--;
    return isdigit((unsigned char)s[b]);
}

/* s[i] is the '"' of a possible raw string R"delim( — true if it is one, and
 * then the delimiter is stored and *i moved past the '('. */
static bool raw_string_start(cc_clex *l, const char *s, size_t len, size_t *i)
{
    size_t q = *i, k = q + 1, n = 0;
    if (q == 0 || s[q - 1] != 'R')
        return false;
    /* R, u8R, uR, UR, LR — and not the tail of a longer identifier */
    size_t p = q - 1;
    if (p >= 1 && (s[p - 1] == 'u' || s[p - 1] == 'U' || s[p - 1] == 'L'))
        p--;
    else if (p >= 2 && s[p - 2] == 'u' && s[p - 1] == '8')
        p -= 2;
    if (p > 0 && is_ident(s[p - 1]))
        return false;
    while (k < len && s[k] != '(' && n < 16) {
        if (is_blank(s[k]) || s[k] == ')' || s[k] == '\\' || s[k] == '"')
            return false;
        l->raw_delim[n++] = s[k++];
    }
    if (k >= len || s[k] != '(')
        return false;
    l->raw_delim[n] = '\0';
    *i = k;
    return true;
}

/* At s[i] == ')' inside a raw string: true when ")delim\"" closes it. */
static bool raw_string_end(const cc_clex *l, const char *s, size_t len, size_t i)
{
    size_t n = strlen(l->raw_delim);
    return i + 1 + n < len && memcmp(s + i + 1, l->raw_delim, n) == 0 && s[i + 1 + n] == '"';
}

void cc_clex_line(cc_clex *l, const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\r')
        len--;
    bool continued = l->cont;
    l->cont = false;
    l->unterminated = false;
    if (!continued) {
        l->directive = false;
        if (l->state == CC_LEX_CODE) {
            size_t j = 0;
            while (j < len && is_blank(s[j]))
                j++;
            l->directive = j < len && s[j] == '#';
        }
    }

    bool esc_last = false;   /* the line's last char was escaped inside a literal */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        switch (l->state) {
        case CC_LEX_CODE:
            if (c == '/' && i + 1 < len && s[i + 1] == '*') {
                l->state = CC_LEX_BLOCK_COMMENT;
                i++;
            } else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
                l->state = CC_LEX_LINE_COMMENT;
                i++;
            } else if (c == '"') {
                if (raw_string_start(l, s, len, &i))
                    l->state = CC_LEX_RAW_STRING;
                else
                    l->state = CC_LEX_STRING;
            } else if (c == '\'') {
                if (!digit_separator(s, len, i))
                    l->state = CC_LEX_CHAR;
            } else if (!l->directive) {
                if (c == '(' || c == '[' || c == '{')
                    push(l, c);
                else if (c == ')' || c == ']' || c == '}')
                    pop(l, c);
            }
            break;
        case CC_LEX_BLOCK_COMMENT:
            if (c == '*' && i + 1 < len && s[i + 1] == '/') {
                l->state = CC_LEX_CODE;
                i++;
            }
            break;
        case CC_LEX_LINE_COMMENT:
            break;
        case CC_LEX_STRING:
        case CC_LEX_CHAR:
            if (c == '\\' && i + 1 < len) {
                i++;
                esc_last = i == len - 1;
            }
            else if ((c == '"' && l->state == CC_LEX_STRING) || (c == '\'' && l->state == CC_LEX_CHAR))
                l->state = CC_LEX_CODE;
            break;
        case CC_LEX_RAW_STRING:
            if (c == ')' && raw_string_end(l, s, len, i)) {
                i += 1 + strlen(l->raw_delim);
                l->state = CC_LEX_CODE;
            }
            break;
        }
    }
    /* A backslash right before the line end splices the next line on
     * (raw strings and block comments do not care). */
    if (len > 0 && s[len - 1] == '\\' && !esc_last && l->state != CC_LEX_RAW_STRING
        && l->state != CC_LEX_BLOCK_COMMENT)
        l->cont = true;
    /* a line comment ends at an unescaped line end; so does a string or
     * character literal (unterminated: the compiler will say so) */
    if (!l->cont && l->state == CC_LEX_LINE_COMMENT)
        l->state = CC_LEX_CODE;
    if (!l->cont && (l->state == CC_LEX_STRING || l->state == CC_LEX_CHAR)) {
        l->state = CC_LEX_CODE;
        l->unterminated = true;
    }
}
