/* tests/unit/test_display.c — libcudacell: JSON/base64 encoding, the PNG
 * encoder (decoded back with zlib), SVG plots, value formatting and
 * __CC_SHOW, progress rate limiting on a simulated clock, and the shape of
 * every message the display calls send (captured through the test sink and
 * parsed with jansson), plus the RT_R_DISPLAY frame itself. */
#include "tap.h"

#include "cudacell.h"
#include "rt_display.h"
#include "rt_proto.h"

#include <fcntl.h>
#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- capturing messages ----------------------------------------------------- */

#define MAX_MSGS 64
static struct { char *type; json_t *content; } msgs[MAX_MSGS];
static int nmsgs, nsent, nbad;

static int capture(const char *type, const char *content, void *ud)
{
    (void)ud;
    json_error_t err;
    json_t *j = json_loads(content, 0, &err);
    nsent++;
    if (!j) {
        nbad++;
        printf("# unparsable content: %s (%s)\n", err.text, content);
    }
    if (nmsgs < MAX_MSGS) {
        msgs[nmsgs].type = strdup(type);
        msgs[nmsgs].content = j;
        nmsgs++;
    } else {
        json_decref(j);
    }
    return 0;
}

static void reset_msgs(void)
{
    for (int i = 0; i < nmsgs; i++) {
        free(msgs[i].type);
        json_decref(msgs[i].content);
    }
    nmsgs = nsent = nbad = 0;
}

/* data[mime] of message i as a string, or NULL. */
static const char *mime(int i, const char *m)
{
    if (i >= nmsgs || !msgs[i].content)
        return NULL;
    return json_string_value(json_object_get(json_object_get(msgs[i].content, "data"), m));
}

static const char *display_id(int i)
{
    if (i >= nmsgs || !msgs[i].content)
        return NULL;
    return json_string_value(
        json_object_get(json_object_get(msgs[i].content, "transient"), "display_id"));
}

static int is_type(int i, const char *t) { return i < nmsgs && strcmp(msgs[i].type, t) == 0; }

/* The last value shown through __CC_SHOW / __cc_show_*: text/plain of the
 * single execute_result sent since the last reset, or NULL. */
static char shown_buf[4096];
static const char *shown(void)
{
    const char *s = nmsgs == 1 && is_type(0, "execute_result") ? mime(0, "text/plain") : NULL;
    if (s)
        snprintf(shown_buf, sizeof shown_buf, "%s", s);
    reset_msgs();
    return s ? shown_buf : NULL;
}

/* ---- encodings --------------------------------------------------------------- */

static char *b64(const char *s, size_t n)
{
    rt_str b = {0};
    rt_base64(&b, s, n);
    return rt_str_take(&b);
}

static char *jstr(const char *s, size_t n)
{
    rt_str b = {0};
    rt_json_strn(&b, s, n);
    return rt_str_take(&b);
}

static void test_base64(void)
{
    static const char *vec[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char *got = b64(vec[i][0], strlen(vec[i][0]));
        CHECK_STR(got, vec[i][1], "base64 RFC 4648 vector \"%s\"", vec[i][0]);
        free(got);
    }
    char *got = b64("\xff\xfe\xfd\x00\x3e", 5);
    CHECK_STR(got, "//79AD4=", "base64 of binary bytes uses + / and padding");
    free(got);
}

static void test_json_escape(void)
{
    static const struct { const char *in; size_t n; const char *want; } vec[] = {
        {"plain", 5, "\"plain\""},
        {"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
        {"\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\""},
        {"\x01\x1f", 2, "\"\\u0001\\u001f\""},
        {"x\0y", 3, "\"x\\u0000y\""},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"a\xff" "b", 3, "\"a\xef\xbf\xbd" "b\""},
        {"\xc3", 1, "\"\xef\xbf\xbd\""},
        {"\xc0\x80", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"</script>\x7f", 10, "\"</script>\x7f\""},
    };
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char *got = jstr(vec[i].in, vec[i].n);
        CHECK_STR(got, vec[i].want, "JSON string escape case %zu", i);
        json_t *j = got ? json_loads(got, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
        CHECK(j && json_is_string(j), "escaped case %zu parses as a JSON string", i);
        json_decref(j);
        free(got);
    }
    rt_str b = {0};
    rt_json_str(&b, NULL);
    char *s = rt_str_take(&b);
    CHECK_STR(s, "null", "a NULL string is JSON null");
    free(s);

    static const char *valid[] = {"{}", "[]", " 1 ", "-0.5e+3", "\"\\u00e9\"", "true",
                                  "{\"a\": [1, 2, {\"b\": null}], \"c\": \"x\"}"};
    static const char *invalid[] = {"", "{", "{'a': 1}", "[1,]", "01", "\"a\nb\"",
                                    "{\"a\" 1}", "1 2", "tru", "\"\\x\"", "[1, 2"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        CHECK(rt_json_valid(valid[i], NULL), "valid JSON accepted: %s", valid[i]);
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        CHECK(!rt_json_valid(invalid[i], NULL), "invalid JSON rejected (case %zu)", i);
    size_t at = 0;
    rt_json_valid("[1, 2, x]", &at);
    CHECK(at == 7, "the JSON error offset points at the bad byte (got %zu)", at);
}

/* ---- PNG ------------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decodes our own PNG output (one IDAT, filter 0) and compares it. */
static void check_png(int w, int h, int ch, int want_type)
{
    size_t n = (size_t)w * h * ch, len = 0;
    unsigned char *px = malloc(n);
    for (size_t i = 0; i < n; i++)
        px[i] = (unsigned char)(i * 37 + 11);
    const char *err = NULL;
    unsigned char *png = rt_png_encode(px, w, h, ch, &len, &err);
    CHECK(png != NULL, "%dx%d with %d channels encodes", w, h, ch);
    if (!png) {
        free(px);
        return;
    }
    CHECK(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0, "PNG signature (%d ch)", ch);
    CHECK(be32(png + 8) == 13 && memcmp(png + 12, "IHDR", 4) == 0, "IHDR first (%d ch)", ch);
    CHECK(be32(png + 16) == (uint32_t)w && be32(png + 20) == (uint32_t)h, "IHDR size (%d ch)", ch);
    CHECK(png[24] == 8 && png[25] == want_type, "bit depth 8, color type %d", want_type);
    CHECK(png[26] == 0 && png[27] == 0 && png[28] == 0, "deflate, filter 0, no interlace");

    int crc_ok = 1, saw_end = 0;
    unsigned char *idat = NULL;
    size_t idat_len = 0, off = 8;
    while (off + 12 <= len) {
        uint32_t clen = be32(png + off);
        const unsigned char *type = png + off + 4;
        uLong crc = crc32(crc32(0, Z_NULL, 0), type, 4 + clen);
        crc_ok &= crc == be32(png + off + 8 + clen);
        if (memcmp(type, "IDAT", 4) == 0) {
            idat = realloc(idat, idat_len + clen);
            memcpy(idat + idat_len, png + off + 8, clen);
            idat_len += clen;
        }
        saw_end = memcmp(type, "IEND", 4) == 0 && off + 12 + clen == len;
        off += 12 + clen;
    }
    CHECK(crc_ok, "every chunk CRC is right (%d ch)", ch);
    CHECK(saw_end, "IEND ends the file (%d ch)", ch);

    uLongf rawlen = (uLongf)((size_t)w * ch + 1) * h;
    unsigned char *raw = malloc(rawlen + 1);
    uLongf got = rawlen + 1;
    int zrc = uncompress(raw, &got, idat, idat_len);
    CHECK(zrc == Z_OK && got == rawlen, "IDAT inflates to (w*ch+1)*h bytes (%d ch)", ch);
    int same = zrc == Z_OK && got == rawlen;
    for (int y = 0; same && y < h; y++) {
        const unsigned char *row = raw + (size_t)y * (w * ch + 1);
        same = row[0] == 0 && memcmp(row + 1, px + (size_t)y * w * ch, (size_t)w * ch) == 0;
    }
    CHECK(same, "decoded pixels equal the input (%d ch)", ch);
    uint32_t pw, ph;
    CHECK(rt_png_size(png, len, &pw, &ph) == 0 && pw == (uint32_t)w && ph == (uint32_t)h,
          "rt_png_size reads the IHDR back");
    free(raw);
    free(idat);
    free(png);
    free(px);
}

static void test_png(void)
{
    check_png(3, 2, 1, 0);
    check_png(4, 3, 3, 2);
    check_png(5, 4, 4, 6);
    check_png(2, 2, 2, 4);
    check_png(300, 200, 3, 2);
    unsigned char px[16] = {0};
    size_t len;
    const char *err = NULL;
    CHECK(!rt_png_encode(px, 2, 2, 5, &len, &err) && err && strstr(err, "channels"),
          "5 channels is refused with a reason");
    CHECK(!rt_png_encode(px, 0, 2, 1, &len, &err), "width 0 is refused");
    CHECK(!rt_png_encode(NULL, 2, 2, 1, &len, &err), "NULL pixels are refused");
    uint32_t w, h;
    CHECK(rt_png_size("GIF89a....................", 26, &w, &h) < 0, "a GIF is not a PNG");
}

/* ---- SVG --------------------------------------------------------------------------- */

/* 1 when every element opened is closed in order (self-closing ones count). */
static int balanced(const char *s)
{
    char stack[64][32];
    int depth = 0;
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
        const char *end = strchr(p, '>');
        if (!end)
            return 0;
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />");
        if (n == 0 || n >= 32)
            return 0;
        if (closing) {
            if (!depth || strncmp(stack[depth - 1], name, n) != 0 || stack[depth - 1][n])
                return 0;
            depth--;
        } else if (end[-1] != '/') {
            if (depth == 64)
                return 0;
            memcpy(stack[depth], name, n);
            stack[depth++][n] = '\0';
        }
        if (strchr(p + 1, '<') && strchr(p + 1, '<') < end)
            return 0;   /* a raw '<' inside a tag */
    }
    return depth == 0;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static int polyline_points(const char *svg)
{
    const char *p = strstr(svg, "<polyline");
    p = p ? strstr(p, "points=\"") : NULL;
    if (!p)
        return -1;
    p += 8;
    int n = *p != '"';
    for (; *p && *p != '"'; p++)
        n += *p == ' ';
    return n;
}

static void test_svg(void)
{
    float y[10], x[10];
    for (int i = 0; i < 10; i++) {
        y[i] = (float)(i * i);
        x[i] = (float)i * 0.5f;
    }
    int drawn = -1;
    char *svg = rt_svg_plot(NULL, y, 10, "Squares <&>", "i", "i\xc2\xb2", 0, &drawn);
    CHECK(svg && strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0,
          "plot is an SVG document");
    CHECK(svg && strstr(svg, "viewBox=\"0 0 640 400\""), "plot has a viewBox");
    CHECK(svg && balanced(svg), "plot SVG tags are balanced");
    CHECK(svg && polyline_points(svg) == 10 && drawn == 10, "polyline has 10 points");
    CHECK(svg && strstr(svg, ">Squares &lt;&amp;&gt;</text>"), "title is shown, escaped");
    CHECK(svg && strstr(svg, "class=\"xlabel\"") && strstr(svg, ">i</text>"), "x label");
    CHECK(svg && strstr(svg, "rotate(-90") && strstr(svg, ">i\xc2\xb2</text>"), "y label, rotated");
    CHECK(svg && strstr(svg, "class=\"axes\""), "axes frame drawn");
    CHECK(svg && strstr(svg, ">0</text>") && strstr(svg, ">80</text>"), "y ticks 0..80 labelled");
    CHECK(svg && strstr(svg, ">100</text>"), "y axis reaches a nice 100 above the max 81");
    free(svg);

    svg = rt_svg_plot(x, y, 10, NULL, NULL, NULL, 1, &drawn);
    CHECK(svg && count(svg, "<circle") == 10 && !strstr(svg, "<polyline"), "scatter: 10 circles");
    CHECK(svg && balanced(svg) && !strstr(svg, "class=\"title\""), "scatter without labels");
    CHECK(svg && strstr(svg, ">4.5</text>") == NULL && strstr(svg, ">4</text>") != NULL,
          "x ticks follow x values (0..4.5 → ticks at whole numbers)");
    free(svg);

    float bad[5] = {1, NAN, 3, INFINITY, 5};
    svg = rt_svg_plot(NULL, bad, 5, "t", "x", "y", 0, &drawn);
    CHECK(svg && polyline_points(svg) == 3 && drawn == 3, "NaN and inf points are left out");
    free(svg);
    svg = rt_svg_plot(NULL, y, 0, "empty", NULL, NULL, 0, &drawn);
    CHECK(svg && balanced(svg) && drawn == 0 && !strstr(svg, "<polyline"), "empty plot is valid");
    free(svg);
    float flat[3] = {2, 2, 2};
    svg = rt_svg_plot(NULL, flat, 3, NULL, NULL, NULL, 0, &drawn);
    CHECK(svg && balanced(svg) && !strstr(svg, "nan") && !strstr(svg, "inf"),
          "constant data still gets a finite axis");
    free(svg);

    double first, step;
    int n = rt_nice_ticks(0, 10, 6, &first, &step);
    CHECK(first == 0 && step == 2 && n == 6, "ticks 0..10: 0, 2, ..., 10 (got %g %g %d)", first, step, n);
    n = rt_nice_ticks(0.13, 0.87, 6, &first, &step);
    CHECK(fabs(step - 0.2) < 1e-12 && fabs(first - 0.0) < 1e-12 && n == 6,
          "ticks 0.13..0.87: step 0.2 from 0 (got %g %g %d)", first, step, n);
    n = rt_nice_ticks(-37, 512, 6, &first, &step);
    CHECK(step == 200 && first == -200 && n == 5, "ticks -37..512: -200..600 by 200 (got %g %g %d)",
          first, step, n);
}

/* ---- value formatting --------------------------------------------------------------- */

static char *fmt(int kind, const void *p)
{
    rt_str b = {0};
    rt_fmt_value(&b, kind, p);
    return rt_str_take(&b);
}

#define CHECK_FMT(kind, T, val, want) do {                       \
        T v_ = (val);                                            \
        char *s_ = fmt(kind, &v_);                               \
        CHECK_STR(s_, want, "format %s %s", #T, #val);           \
        free(s_);                                                \
    } while (0)

static void test_format(void)
{
    CHECK_FMT(CC_K_INT, int, INT_MIN, "-2147483648");
    CHECK_FMT(CC_K_UINT, unsigned, UINT_MAX, "4294967295");
    CHECK_FMT(CC_K_SCHAR, signed char, -128, "-128");
    CHECK_FMT(CC_K_UCHAR, unsigned char, 255, "255");
    CHECK_FMT(CC_K_SHORT, short, -32768, "-32768");
    CHECK_FMT(CC_K_USHORT, unsigned short, 65535, "65535");
    CHECK_FMT(CC_K_LONG, long, -5L, "-5");
    CHECK_FMT(CC_K_ULONG, unsigned long, 7UL, "7");
    CHECK_FMT(CC_K_LLONG, long long, LLONG_MIN, "-9223372036854775808");
    CHECK_FMT(CC_K_ULLONG, unsigned long long, ULLONG_MAX, "18446744073709551615");
    CHECK_FMT(CC_K_DOUBLE, double, 0.1, "0.1");
    CHECK_FMT(CC_K_DOUBLE, double, 0.1 + 0.2, "0.30000000000000004");
    CHECK_FMT(CC_K_DOUBLE, double, 1.0 / 3, "0.3333333333333333");
    CHECK_FMT(CC_K_DOUBLE, double, 3.0, "3.0");
    CHECK_FMT(CC_K_DOUBLE, double, -0.0, "-0.0");
    CHECK_FMT(CC_K_DOUBLE, double, 1e20, "1e+20");
    CHECK_FMT(CC_K_DOUBLE, double, DBL_MAX, "1.7976931348623157e+308");
    CHECK_FMT(CC_K_DOUBLE, double, INFINITY, "inf");
    CHECK_FMT(CC_K_DOUBLE, double, -INFINITY, "-inf");
    CHECK_FMT(CC_K_FLOAT, float, 0.1f, "0.1");
    CHECK_FMT(CC_K_FLOAT, float, 16777216.0f, "16777216.0");
    CHECK_FMT(CC_K_FLOAT, float, 1.0f / 3, "0.33333334");
    CHECK_FMT(CC_K_LDOUBLE, long double, 0.1L, "0.1");
    CHECK_FMT(CC_K_LDOUBLE, long double, 2.5L, "2.5");
    CHECK_FMT(CC_K_CHAR, char, 'a', "97 'a'");
    CHECK_FMT(CC_K_CHAR, char, '\n', "10 '\\n'");
    CHECK_FMT(CC_K_CHAR, char, '\'', "39 '\\''");
    CHECK_FMT(CC_K_CHAR, char, '"', "34 '\"'");
    CHECK_FMT(CC_K_BOOL, _Bool, 1, "true");
    CHECK_FMT(CC_K_BOOL, _Bool, 0, "false");
    CHECK_FMT(CC_K_STR, const char *, "hello\n", "\"hello\\n\"");
    CHECK_FMT(CC_K_STR, const char *, "q\"b\\t\t\x01" "7", "\"q\\\"b\\\\t\\t\\0017\"");
    CHECK_FMT(CC_K_STR, const char *, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
    CHECK_FMT(CC_K_STR, const char *, NULL, "NULL");
    CHECK_FMT(CC_K_PTR, const void *, (const void *)0x1234, "0x1234");
    CHECK_FMT(CC_K_PTR, const void *, NULL, "NULL");

    char *s = fmt(CC_K_DOUBLE, &(double){NAN});
    CHECK(s && strstr(s, "nan") && !strstr(s, ".0"), "NaN is shown as nan (got %s)", s);
    free(s);

    int ia[3] = {1, -2, 3};
    rt_str b = {0};
    rt_fmt_array(&b, CC_K_INT, ia, sizeof ia, sizeof ia[0]);
    CHECK_STR(b.s, "{1, -2, 3}", "int array in braces");
    rt_str_free(&b);
    int big[150];
    for (int i = 0; i < 150; i++)
        big[i] = i;
    rt_fmt_array(&b, CC_K_INT, big, sizeof big, sizeof big[0]);
    CHECK(b.s && strstr(b.s, ", 99, ...}") && !strstr(b.s, "100") && count(b.s, ", ") == 100,
          "a 150-element array is cut after 100 with \", ...\"");
    rt_str_free(&b);
    char name[8] = "bob";
    rt_fmt_array(&b, CC_K_CHAR, name, sizeof name, 1);
    CHECK_STR(b.s, "\"bob\"", "char array as a string up to its NUL");
    rt_str_free(&b);
    rt_fmt_array(&b, CC_K_CHAR, "abc", 3, 1);
    CHECK_STR(b.s, "\"abc\"", "char array without NUL: all of it");
    rt_str_free(&b);
    double da[2] = {0.5, 2};
    rt_fmt_array(&b, CC_K_DOUBLE, da, sizeof da, sizeof da[0]);
    CHECK_STR(b.s, "{0.5, 2.0}", "double array");
    rt_str_free(&b);
    const char *sa[2] = {"x", NULL};
    rt_fmt_array(&b, CC_K_STR, sa, sizeof sa, sizeof sa[0]);
    CHECK_STR(b.s, "{\"x\", NULL}", "string array");
    rt_str_free(&b);
    _Bool ba[2] = {1, 0};
    rt_fmt_array(&b, CC_K_BOOL, ba, sizeof ba, sizeof ba[0]);
    CHECK_STR(b.s, "{true, false}", "bool array");
    rt_str_free(&b);
    rt_fmt_array(&b, CC_K_OTHER, big, 32, 16);
    CHECK_STR(b.s, "<array of 2 elements of size 16>", "array of structs by size");
    rt_str_free(&b);
}

static int p_starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int bumps;
static void bump(void) { bumps++; }
struct pair { int a, b; };

static void test_show_macro(void)
{
    int x = 41;
    __CC_SHOW((x + 1));
    CHECK_STR(shown(), "42", "__CC_SHOW(x + 1) → 42");
    __CC_SHOW((bump()));
    CHECK(nsent == 0 && bumps == 1, "a void expression is evaluated and shows nothing");
    unsigned long long u = ULLONG_MAX;
    __CC_SHOW((u));
    CHECK_STR(shown(), "18446744073709551615", "unsigned long long");
    __CC_SHOW((3.5));
    CHECK_STR(shown(), "3.5", "double literal");
    float f = 0.1f;
    __CC_SHOW((f));
    CHECK_STR(shown(), "0.1", "float keeps float precision");
    char c = 'a';
    __CC_SHOW((c));
    CHECK_STR(shown(), "97 'a'", "char");
    bool t = true;
    __CC_SHOW((t));
    CHECK_STR(shown(), "true", "bool");
    const char *s = "hi";
    __CC_SHOW((s));
    CHECK_STR(shown(), "\"hi\"", "const char * string");
    __CC_SHOW(("lit\n"));
    CHECK_STR(shown(), "\"lit\\n\"", "string literal");
    int a[3] = {1, 2, 3};
    __CC_SHOW((a));
    CHECK_STR(shown(), "{1, 2, 3}", "int array");
    __CC_SHOW((&a[1]));
    const char *p = shown();
    CHECK(p && strncmp(p, "0x", 2) == 0, "pointer as an address (got %s)", p ? p : "(none)");
    struct pair pr = {1, 2};
    __CC_SHOW((pr));
    CHECK(p_starts(shown(), "(value not shown: cudacell cannot print this 8-byte"), "a struct the notebook did not define: a note");
    double m[2][2] = {{0}};
    __CC_SHOW((m));
    CHECK_STR(shown(), "{{0.0, 0.0}, {0.0, 0.0}}", "2-D array in nested braces");
    int8_t i8 = -3;
    __CC_SHOW((i8));
    CHECK_STR(shown(), "-3", "int8_t as a number");
    __CC_SHOW((x = 7));
    const char *r = shown();
    CHECK(x == 7 && r && strcmp(r, "7") == 0, "an assignment runs once and shows 7");
}

/* ---- progress bars on a simulated clock -------------------------------------------- */

static double fake_now;
static double fake_clock(void) { return fake_now; }

static void test_progress(void)
{
    rt_display_set_clock(fake_clock);
    fake_now = 100.0;
    reset_msgs();
    cc_progress *p = cc_progress_new(1000, "train <1>");
    CHECK(p && nmsgs == 1 && is_type(0, "display_data") && display_id(0), "new: display_data with an id");
    const char *text = mime(0, "text/plain");
    CHECK_STR(text, "train <1> [....................] 0/1000 (0%)", "initial text bar");
    CHECK(mime(0, "text/html") && strstr(mime(0, "text/html"), "<progress value=\"0\" max=\"1000\"") &&
          strstr(mime(0, "text/html"), "train &lt;1&gt;"), "initial HTML bar, label escaped");
    for (int i = 1; i <= 100000; i++)
        cc_progress_update(p, i % 1000);
    CHECK(nsent == 1, "100000 updates with the clock standing still send nothing");
    for (int i = 1; i <= 1000; i++) {
        fake_now += 0.001;
        cc_progress_update(p, i);
    }
    int updates = nmsgs - 1;
    CHECK(updates >= 9 && updates <= 10, "1000 updates over 1 s send 9-10 redraws (got %d)", updates);
    int same_id = 1;
    for (int i = 1; i < nmsgs; i++)
        same_id &= is_type(i, "update_display_data") && display_id(i) &&
                    strcmp(display_id(i), display_id(0)) == 0;
    CHECK(same_id, "every redraw is an update_display_data of the same id");
    int before = nmsgs;
    cc_progress_done(p);
    CHECK(nmsgs == before + 1 && is_type(before, "update_display_data"), "done sends the final state");
    text = mime(before, "text/plain");
    CHECK(text && strstr(text, "[####################] 1000/1000 (100%) done in 1.0s"),
          "final text shows the full bar (got %s)", text ? text : "(none)");

    reset_msgs();
    p = cc_progress_new(0, NULL);
    fake_now += 1;
    cc_progress_update(p, 42);
    cc_progress_done(p);
    CHECK(nmsgs == 3 && mime(1, "text/plain") && strcmp(mime(1, "text/plain"), "42") == 0,
          "unknown total shows the count");
    cc_progress_update(NULL, 1);
    cc_progress_done(NULL);
    CHECK(nmsgs == 3, "NULL progress is ignored");
    rt_display_set_clock(NULL);
    reset_msgs();
}

#include "test_display_msgs.inc"   /* test_messages, test_frame */

int main(void)
{
    rt_display_set_sink(capture, NULL);
    test_base64();
    test_json_escape();
    test_png();
    test_svg();
    test_format();
    test_show_macro();
    test_progress();
    test_messages();
    rt_display_set_sink(NULL, NULL);
    test_frame();
    reset_msgs();
    return tap_done();
}
