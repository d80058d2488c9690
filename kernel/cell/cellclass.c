/* kernel/cell/cellclass.c — what a piece of cell text is, told from the
 * tokenizer's view of it (celltok.h): whether a line is a `!` command, a
 * line magic or a cell magic (for the magics split and is_complete), and
 * whether a cell uses CUDA syntax (cc_toks_are_cuda over tokens already
 * made, cc_cell_is_cuda over text). Pure. */
#include "celltok.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- magic lines ----------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
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

/* ---- CUDA syntax ----------------------------------------------------------- */

bool cc_toks_are_cuda(const char *src, const cc_tok *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = src + t[i].off;
        size_t l = (size_t)t[i].len;
#define IS(w) (l == sizeof(w) - 1 && memcmp(s, w, l) == 0)
        if (t[i].kind == CC_TOK_IDENT && (IS("__global__") || IS("__device__") || IS("__constant__") ||
                                          IS("__shared__") || IS("__managed__")))
            return true;
        if (t[i].kind == CC_TOK_PUNCT && IS("<<<"))
            return true;
#undef IS
    }
    return false;
}

bool cc_cell_is_cuda(const char *code)
{
    cc_tok *t;
    size_t n;
    if (!code || cc_tokenize(code, &t, &n, NULL)) return false;
    bool cuda = cc_toks_are_cuda(code, t, n);
    free(t);
    return cuda;
}
