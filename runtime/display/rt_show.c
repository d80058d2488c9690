/* runtime/display/rt_show.c — the text/plain form of a cell's last
 * expression (what __CC_SHOW in cudacell.h dispatches to) and the
 * __cc_show_* entry points that send it as the cell's execute_result. */
#include "rt_display.h"
#include "cudacell.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_SHOW_MAX_STR 100000   /* longer strings are cut, with "..." */

/* ---- numbers -------------------------------------------------------------- */

/* Python-like: "1.0" rather than "1", but "inf", "nan", "1e+20" as is. */
static void add_point_zero(rt_str *b, const char *num)
{
    rt_str_puts(b, num);
    if (!strpbrk(num, ".eEni"))
        rt_str_puts(b, ".0");
}

void rt_fmt_double(rt_str *b, double v)
{
    char buf[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    add_point_zero(b, buf);
}

void rt_fmt_float(rt_str *b, float v)
{
    char buf[64];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)v);
        if (prec == 9 || strtof(buf, NULL) == v)
            break;
    }
    add_point_zero(b, buf);
}

void rt_fmt_ldouble(rt_str *b, long double v)
{
    char buf[80];
    int max = LDBL_DECIMAL_DIG;
    for (int prec = 15; prec <= max; prec++) {
        snprintf(buf, sizeof buf, "%.*Lg", prec, v);
        if (prec == max || strtold(buf, NULL) == v)
            break;
    }
    add_point_zero(b, buf);
}

/* ---- characters and strings ------------------------------------------------ */

/* One character as it would be written inside a C literal delimited by q. */
static void c_escape(rt_str *b, unsigned char c, char q)
{
    switch (c) {
    case '\n': rt_str_puts(b, "\\n"); return;
    case '\t': rt_str_puts(b, "\\t"); return;
    case '\r': rt_str_puts(b, "\\r"); return;
    case '\0': rt_str_puts(b, "\\0"); return;
    case '\a': rt_str_puts(b, "\\a"); return;
    case '\b': rt_str_puts(b, "\\b"); return;
    case '\f': rt_str_puts(b, "\\f"); return;
    case '\v': rt_str_puts(b, "\\v"); return;
    case '\\': rt_str_puts(b, "\\\\"); return;
    }
    if (c == (unsigned char)q) {
        rt_str_putc(b, '\\');
        rt_str_putc(b, (char)c);
    } else if (c < 0x20 || c == 0x7f) {
        rt_str_printf(b, "\\%03o", c);   /* octal: never swallows a following digit */
    } else {
        rt_str_putc(b, (char)c);         /* printable ASCII, or UTF-8 bytes */
    }
}

/* gdb's form: the number, then the character: 97 'a'. */
static void fmt_char(rt_str *b, char c)
{
    rt_str_printf(b, "%d '", c);
    if ((unsigned char)c >= 0x80)
        rt_str_printf(b, "\\x%02x", (unsigned char)c);
    else
        c_escape(b, (unsigned char)c, '\'');
    rt_str_putc(b, '\'');
}

/* A quoted C string literal of n bytes (cut after RT_SHOW_MAX_STR). */
void rt_fmt_string(rt_str *b, const char *s, size_t n)
{
    size_t shown = n > RT_SHOW_MAX_STR ? RT_SHOW_MAX_STR : n;
    rt_str_putc(b, '"');
    for (size_t i = 0; i < shown; i++)
        c_escape(b, (unsigned char)s[i], '"');
    rt_str_putc(b, '"');
    if (shown < n)
        rt_str_puts(b, "...");
}

static void fmt_ptr(rt_str *b, const void *p)
{
    if (p)
        rt_str_printf(b, "%p", p);
    else
        rt_str_puts(b, "NULL");
}

/* gdb's form of a complex number: 1.0 + 2.0i */
static void fmt_complex(rt_str *b, long double re, long double im, int kind)
{
    if (kind == CC_K_CFLOAT) rt_fmt_float(b, (float)re);
    else if (kind == CC_K_CDOUBLE) rt_fmt_double(b, (double)re);
    else rt_fmt_ldouble(b, re);
    rt_str_puts(b, signbit(im) ? " - " : " + ");
    im = fabsl(im);
    if (kind == CC_K_CFLOAT) rt_fmt_float(b, (float)im);
    else if (kind == CC_K_CDOUBLE) rt_fmt_double(b, (double)im);
    else rt_fmt_ldouble(b, im);
    rt_str_putc(b, 'i');
}

/* ---- any value of a known kind ------------------------------------------- */

void rt_fmt_value(rt_str *b, int kind, const void *p)
{
    switch (kind) {
    case CC_K_BOOL: rt_str_puts(b, *(const _Bool *)p ? "true" : "false"); break;
    case CC_K_CHAR: fmt_char(b, *(const char *)p); break;
    case CC_K_SCHAR: rt_str_printf(b, "%d", *(const signed char *)p); break;
    case CC_K_UCHAR: rt_str_printf(b, "%u", *(const unsigned char *)p); break;
    case CC_K_SHORT: rt_str_printf(b, "%d", *(const short *)p); break;
    case CC_K_USHORT: rt_str_printf(b, "%u", *(const unsigned short *)p); break;
    case CC_K_INT: rt_str_printf(b, "%d", *(const int *)p); break;
    case CC_K_UINT: rt_str_printf(b, "%u", *(const unsigned *)p); break;
    case CC_K_LONG: rt_str_printf(b, "%ld", *(const long *)p); break;
    case CC_K_ULONG: rt_str_printf(b, "%lu", *(const unsigned long *)p); break;
    case CC_K_LLONG: rt_str_printf(b, "%lld", *(const long long *)p); break;
    case CC_K_ULLONG: rt_str_printf(b, "%llu", *(const unsigned long long *)p); break;
    case CC_K_FLOAT: rt_fmt_float(b, *(const float *)p); break;
    case CC_K_DOUBLE: rt_fmt_double(b, *(const double *)p); break;
    case CC_K_LDOUBLE: rt_fmt_ldouble(b, *(const long double *)p); break;
    case CC_K_STR: {
        const char *s = *(const char *const *)p;
        if (s)
            rt_fmt_string(b, s, strlen(s));
        else
            rt_str_puts(b, "NULL");
        break;
    }
    case CC_K_PTR: fmt_ptr(b, *(const void *const *)p); break;
    case CC_K_CFLOAT: {
        const float *z = p;
        fmt_complex(b, z[0], z[1], kind);
        break;
    }
    case CC_K_CDOUBLE: {
        const double *z = p;
        fmt_complex(b, z[0], z[1], kind);
        break;
    }
    case CC_K_CLDOUBLE: {
        const long double *z = p;
        fmt_complex(b, z[0], z[1], kind);
        break;
    }
    default: rt_str_puts(b, "<value>"); break;
    }
}

void rt_fmt_array(rt_str *b, int kind, const void *base, size_t size, size_t elem_size)
{
    size_t n = elem_size ? size / elem_size : 0;
    if (kind == CC_K_CHAR) {
        const char *s = base;
        const char *nul = memchr(s, '\0', n);
        rt_fmt_string(b, s, nul ? (size_t)(nul - s) : n);
        return;
    }
    if (kind <= CC_K_OTHER || kind >= CC_K_END) {
        rt_str_printf(b, "<array of %zu elements of size %zu>", n, elem_size);
        return;
    }
    rt_str_putc(b, '{');
    for (size_t i = 0; i < n && i < RT_SHOW_MAX_ELEMS; i++) {
        if (i)
            rt_str_puts(b, ", ");
        rt_fmt_value(b, kind, (const char *)base + i * elem_size);
    }
    if (n > RT_SHOW_MAX_ELEMS)
        rt_str_puts(b, ", ...");
    rt_str_putc(b, '}');
}

/* ---- sending the execute_result ------------------------------------------- */

/* Sends text (built in *t, which is freed) as {"data": {"text/plain": ...}}. */
void rt_send_value(rt_str *t)
{
    if (t->oom) {
        rt_str_free(t);
        rt_display_warn("__CC_SHOW", "out of memory while formatting the value");
        return;
    }
    rt_str b = {0};
    rt_bundle_begin(&b);
    rt_bundle_add(&b, "text/plain", t->s ? t->s : "");
    rt_bundle_end(&b, NULL, NULL);
    rt_str_free(t);
    rt_bundle_send(&b, "execute_result");
}

static void show_kind(int kind, const void *p)
{
    rt_str t = {0};
    rt_fmt_value(&t, kind, p);
    rt_send_value(&t);
}

void __cc_show_b(int v) { _Bool x = v != 0; show_kind(CC_K_BOOL, &x); }
void __cc_show_c(char v) { show_kind(CC_K_CHAR, &v); }
void __cc_show_i(long long v) { show_kind(CC_K_LLONG, &v); }
void __cc_show_u(unsigned long long v) { show_kind(CC_K_ULLONG, &v); }
void __cc_show_f(float v) { show_kind(CC_K_FLOAT, &v); }
void __cc_show_d(double v) { show_kind(CC_K_DOUBLE, &v); }
void __cc_show_ld(long double v) { show_kind(CC_K_LDOUBLE, &v); }
void __cc_show_s(const char *v) { show_kind(CC_K_STR, &v); }
void __cc_show_p(const void *v) { show_kind(CC_K_PTR, &v); }
void __cc_show_none(int unused) { (void)unused; }

void __cc_show_other(size_t size, int is_ptr, const void *ptr)
{
    if (is_ptr) {
        __cc_show_p(ptr);
        return;
    }
    rt_str t = {0};
    rt_str_printf(&t, "<value of type of size %zu>", size);
    rt_send_value(&t);
}

void __cc_show_array(int kind, const void *base, size_t size, size_t elem_size)
{
    rt_str t = {0};
    rt_fmt_array(&t, kind, base, size, elem_size);
    rt_send_value(&t);
}
