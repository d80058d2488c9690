/* runtime/display/rt_str.c — growable strings and the text encodings the
 * display messages need: JSON string escaping, base64, HTML escaping and a
 * JSON syntax checker (the runtime has no JSON library). */
#include "rt_display.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable string ------------------------------------------------------ */

void rt_str_free(rt_str *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

static int str_reserve(rt_str *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void rt_str_putn(rt_str *b, const char *p, size_t n)
{
    if (str_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rt_str_puts(rt_str *b, const char *p) { rt_str_putn(b, p, strlen(p)); }
void rt_str_putc(rt_str *b, char c) { rt_str_putn(b, &c, 1); }

void rt_str_printf(rt_str *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        rt_str_putn(b, small, (size_t)n);
        return;
    }
    if (str_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *rt_str_take(rt_str *b)
{
    char *s = b->s;
    if (b->oom) {
        free(s);
        s = NULL;
    } else if (!s) {
        s = calloc(1, 1);
    }
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
    return s;
}

/* ---- JSON strings --------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void rt_json_strn(rt_str *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;   /* bytes [i - run, i) are copied verbatim */

    rt_str_putc(b, '"');
    while (i < n) {
        unsigned c = p[i];
        const char *esc = NULL;
        char hex[8];
        size_t ulen = 1;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c == '\b')
            esc = "\\b";
        else if (c == '\f')
            esc = "\\f";
        else if (c < 0x20) {
            snprintf(hex, sizeof hex, "\\u%04x", c);
            esc = hex;
        } else if (c >= 0x80 && (ulen = utf8_len(p + i, n - i)) == 0) {
            esc = "\xef\xbf\xbd";   /* U+FFFD for a byte that is not UTF-8 */
            ulen = 1;
        }
        if (esc) {
            rt_str_putn(b, s + i - run, run);
            rt_str_puts(b, esc);
            run = 0;
            i += ulen;
        } else {
            run += ulen;
            i += ulen;
        }
    }
    rt_str_putn(b, s + i - run, run);
    rt_str_putc(b, '"');
}

void rt_json_str(rt_str *b, const char *s)
{
    if (!s)
        rt_str_puts(b, "null");
    else
        rt_json_strn(b, s, strlen(s));
}

void rt_html_esc(rt_str *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': rt_str_puts(b, "&amp;"); break;
        case '<': rt_str_puts(b, "&lt;"); break;
        case '>': rt_str_puts(b, "&gt;"); break;
        case '"': rt_str_puts(b, "&quot;"); break;
        case '\'': rt_str_puts(b, "&#39;"); break;
        default: rt_str_putc(b, *s);
        }
    }
}

/* ---- base64 --------------------------------------------------------------- */

void rt_base64(rt_str *b, const void *data, size_t n)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    if (str_reserve(b, (n + 2) / 3 * 4) < 0)
        return;
    char *o = b->s + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = abc[(v >> 6) & 63];
        *o++ = abc[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    b->len = (size_t)(o - b->s);
    b->s[b->len] = '\0';
}

/* ---- JSON syntax check ------------------------------------------------------ */

typedef struct jscan {
    const char *p;
    int depth;
} jscan;

static void js_ws(jscan *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

static int js_value(jscan *j);

static int js_string(jscan *j)
{
    j->p++;   /* the opening quote */
    for (;;) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            return 0;
        }
        if (c < 0x20)
            return -1;   /* end of text, or a raw control character */
        if (c == '\\') {
            char e = j->p[1];
            if (e == 'u') {
                for (int i = 2; i < 6; i++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
                        return -1;
                j->p += 6;
                continue;
            }
            if (!e || !strchr("\"\\/bfnrt", e))
                return -1;
            j->p += 2;
            continue;
        }
        size_t l = utf8_len((const unsigned char *)j->p, 4);   /* stops at the NUL */
        if (!l)
            return -1;
        j->p += l;
    }
}

static int js_digits(jscan *j)
{
    if (*j->p < '0' || *j->p > '9')
        return -1;
    while (*j->p >= '0' && *j->p <= '9')
        j->p++;
    return 0;
}

static int js_number(jscan *j)
{
    if (*j->p == '-')
        j->p++;
    if (*j->p == '0')
        j->p++;
    else if (js_digits(j) < 0)
        return -1;
    if (*j->p == '.') {
        j->p++;
        if (js_digits(j) < 0)
            return -1;
    }
    if (*j->p == 'e' || *j->p == 'E') {
        j->p++;
        if (*j->p == '+' || *j->p == '-')
            j->p++;
        if (js_digits(j) < 0)
            return -1;
    }
    return 0;
}

/* An array or object: open is '[' or '{'. */
static int js_container(jscan *j, char open)
{
    char close = open == '[' ? ']' : '}';
    if (++j->depth > 512)
        return -1;
    j->p++;
    js_ws(j);
    if (*j->p == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    for (;;) {
        js_ws(j);
        if (open == '{') {
            if (*j->p != '"' || js_string(j) < 0)
                return -1;
            js_ws(j);
            if (*j->p != ':')
                return -1;
            j->p++;
        }
        if (js_value(j) < 0)
            return -1;
        js_ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p != close)
            return -1;
        j->p++;
        j->depth--;
        return 0;
    }
}

static int js_word(jscan *j, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(j->p, w, n) != 0)
        return -1;
    j->p += n;
    return 0;
}

static int js_value(jscan *j)
{
    js_ws(j);
    switch (*j->p) {
    case '{':
    case '[': return js_container(j, *j->p);
    case '"': return js_string(j);
    case 't': return js_word(j, "true");
    case 'f': return js_word(j, "false");
    case 'n': return js_word(j, "null");
    default: return js_number(j);
    }
}

int rt_json_valid(const char *text, size_t *err_at)
{
    jscan j = {text, 0};
    int ok = js_value(&j) == 0;
    if (ok) {
        js_ws(&j);
        ok = *j.p == '\0';
    }
    if (!ok && err_at)
        *err_at = (size_t)(j.p - text);
    return ok;
}
