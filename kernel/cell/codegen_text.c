/* kernel/cell/codegen_text.c — text-level helpers shared by the codegen*.c
 * files: placing the symbol's asm label in a declaration (before trailing
 * attributes, never over the user's own), and recognising a struct whose
 * last member is a flexible array. */
#include "codegen.h"

#include <ctype.h>
#include <string.h>

static bool word_before(const char *text, size_t end, const char *w, size_t *start)
{
    size_t n = strlen(w);
    if (end < n || strncmp(text + end - n, w, n) != 0) return false;
    if (end > n && (isalnum((unsigned char)text[end - n - 1]) || text[end - n - 1] == '_')) return false;
    *start = end - n;
    return true;
}

/* Where the trailing `__attribute__((…))` groups of a declaration start
 * (strlen(text) when there are none): gcc wants an asm label before them. */
static size_t attrs_start(const char *text)
{
    size_t cut = strlen(text);
    for (;;) {
        size_t e = cut;
        while (e > 0 && isspace((unsigned char)text[e - 1])) e--;
        if (e == 0 || text[e - 1] != ')') return cut;
        int depth = 0;
        size_t k = e;
        while (k > 0) {
            char ch = text[--k];
            if (ch == ')') depth++;
            else if (ch == '(' && --depth == 0) break;
        }
        if (depth) return cut;
        while (k > 0 && isspace((unsigned char)text[k - 1])) k--;
        size_t w;
        if (!word_before(text, k, "__attribute__", &w) && !word_before(text, k, "__attribute", &w)) return cut;
        cut = w;
    }
}

/* The declaration already names its symbol: `int x __asm__("y")`. */
static bool has_asm_label(const char *text)
{
    static const char *const kw[] = { "__asm__", "__asm", "asm", NULL };
    for (const char *const *k = kw; *k; k++)
        for (const char *p = text; (p = strstr(p, *k)); p += strlen(*k)) {
            size_t n = strlen(*k);
            if ((p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) || isalnum((unsigned char)p[n]) ||
                p[n] == '_') continue;
            const char *q = p + n;
            while (isspace((unsigned char)*q)) q++;
            if (*q == '(') return true;
        }
    return false;
}

void cg_add_labeled(cc_strbuf *b, const char *text, const char *name)
{
    if (!text) text = "";
    if (!name || has_asm_label(text)) { cc_strbuf_add(b, text); return; }
    size_t cut = attrs_start(text);
    cc_strbuf_addn(b, text, cut);
    cc_strbuf_printf(b, " " CG_LABEL, name);
    if (text[cut]) { cc_strbuf_add(b, " "); cc_strbuf_add(b, text + cut); }
}

/* Does struct text end with a flexible array member (`T name[];` before
 * its closing brace)? */
bool cg_text_has_flexible(const char *t)
{
    const char *close = t ? strrchr(t, '}') : NULL;
    if (!close) return false;
    const char *p = close;
    while (p > t && isspace((unsigned char)p[-1])) p--;
    if (p == t || p[-1] != ';') return false;
    p--;
    while (p > t && isspace((unsigned char)p[-1])) p--;
    if (p == t || p[-1] != ']') return false;
    p--;
    while (p > t && isspace((unsigned char)p[-1])) p--;
    return p > t && p[-1] == '[';
}

