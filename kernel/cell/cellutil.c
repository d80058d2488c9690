/* kernel/cell/cellutil.c — pure helpers of the cell pipeline: word splitting,
 * diagnostics clean-up, duration formatting (see cellutil.h). Every result
 * is malloc'd and owned by the caller. */
#include "cellutil.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- the growable string (kernel/util/strbuf.h) --------------------- */

static void sb_addc(cc_strbuf *b, char c) { cc_strbuf_addn(b, &c, 1); }

/* ---- word splitting --------------------------------------------------- */

void cc_words_free(char **w)
{
    if (!w)
        return;
    for (char **p = w; *p; p++)
        free(*p);
    free(w);
}

char **cc_split_words(const char *s, size_t *n, char **err)
{
    char **out = cc_xcalloc(1, sizeof *out);
    size_t count = 0;
    *n = 0;
    if (err)
        *err = NULL;
    while (s && *s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (!*s)
            break;
        cc_strbuf w = {0};
        cc_strbuf_addn(&w, "", 0);
        while (*s && !(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
            if (*s == '\'') {
                const char *e = strchr(s + 1, '\'');
                if (!e)
                    goto unterminated;
                cc_strbuf_addn(&w, s + 1, (size_t)(e - s - 1));
                s = e + 1;
            } else if (*s == '"') {
                s++;
                while (*s && *s != '"') {
                    if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
                        s++;
                    sb_addc(&w, *s++);
                }
                if (*s != '"')
                    goto unterminated;
                s++;
            } else if (*s == '\\' && s[1]) {
                sb_addc(&w, s[1]);
                s += 2;
            } else {
                sb_addc(&w, *s++);
            }
            continue;
unterminated:
            free(w.s);
            cc_words_free(out);
            cc_set_error(err, "Unterminated quote in \"%s\": close the quote, or escape it with a backslash.", s);
            return NULL;
        }
        out = cc_xrealloc(out, (count + 2) * sizeof *out);
        out[count++] = w.s;
        out[count] = NULL;
    }
    *n = count;
    return out;
}

/* ---- diagnostics ------------------------------------------------------- */

/* Length of a generated name "cell-<hex>.c" / ".cu" / ".so" at p, else 0. */
static size_t generated_name_len(const char *p)
{
    if (strncmp(p, "cell-", 5) != 0)
        return 0;
    size_t i = 5;
    while (isxdigit((unsigned char)p[i]))
        i++;
    if (i < 5 + 8)
        return 0;
    if (strncmp(p + i, ".cu", 3) == 0 && !isalnum((unsigned char)p[i + 3]))
        return i + 3;
    if (strncmp(p + i, ".so", 3) == 0 && !isalnum((unsigned char)p[i + 3]))
        return i + 3;
    if (strncmp(p + i, ".c", 2) == 0 && !isalnum((unsigned char)p[i + 2]))
        return i + 2;
    if (p[i] == '.' && p[i + 1] == 'h' && !isalnum((unsigned char)p[i + 2]))
        return i + 2;
    return 0;
}

/* One line with the strip prefixes removed and generated names renamed. */
static char *rewrite_line(const char *line, size_t len, const char *const *strip, const size_t *order, size_t n_strip)
{
    cc_strbuf b = {0};
    cc_strbuf_addn(&b, "", 0);
    size_t i = 0;
    while (i < len) {
        bool done = false;
        for (size_t k = 0; k < n_strip && !done; k++) {
            const char *pre = strip[order[k]];
            size_t pl = strlen(pre);
            if (pl && i + pl < len && strncmp(line + i, pre, pl) == 0 && line[i + pl] == '/') {
                i += pl + 1;
                done = true;
            }
        }
        if (done)
            continue;
        size_t g = generated_name_len(line + i);
        if (g && i + g <= len) {
            cc_strbuf_add(&b, "cell");
            i += g;
            continue;
        }
        sb_addc(&b, line[i++]);
    }
    /* the linker: "/usr/bin/ld: ccXyZ.o: in function `cudacell.f':" → "cell: in function `f':",
     * "/usr/bin/ld: cell:4: undefined …" → "cell:4: undefined …" (our symbols lose "cudacell.") */
    char *ld = strstr(b.s, "ld: ");
    if (ld && (ld == b.s || ld[-1] == '/') && memchr(b.s, ' ', (size_t)(ld - b.s)) == NULL) {
        char *rest = ld + 4;
        char *obj = strstr(rest, ".o: ");
        if (obj && memchr(rest, ' ', (size_t)(obj - rest)) == NULL && strncmp(rest, "cell", 4) != 0) {
            rest = obj + 4;   /* a compiler temporary: the cell's object */
            memmove(b.s, "cell: ", 6);
            memmove(b.s + 6, rest, strlen(rest) + 1);
        } else {
            memmove(b.s, rest, strlen(rest) + 1);
        }
        b.len = strlen(b.s);
    }
    for (char *q = b.s; (q = strstr(q, "cudacell.")); ) {
        if (q > b.s && (q[-1] == '`' || q[-1] == '\'')) {
            memmove(q, q + 9, strlen(q + 9) + 1);
            b.len -= 9;
        } else {
            q += 9;
        }
    }
    /* nvcc: "cell(12): error" → "cell:12: error" */
    if (strncmp(b.s, "cell(", 5) == 0) {
        char *close = strchr(b.s + 5, ')');
        char *q = b.s + 5;
        while (q < close && isdigit((unsigned char)*q))
            q++;
        if (close && q == close && close > b.s + 5 && close[1] == ':') {
            b.s[4] = ':';
            memmove(close, close + 1, strlen(close + 1) + 1);
            b.len--;
        }
    }
    return b.s;
}

static bool drop_line(const char *l)
{
    if (strstr(l, "collect2: error: ld returned"))   /* the errors above said it */
        return true;
    if (strstr(l, "__cudacell_run") && (strstr(l, "In function") || strstr(l, "in function")))
        return true;
    if (strncmp(l, "cell: At top level:", 19) == 0 || strncmp(l, "<cudacell>: ", 12) == 0)
        return true;
    if (strstr(l, "In file included from cell") || strstr(l, "                 from cell"))
        return true;
    return false;
}

char *cc_diag_clean(const char *raw, const char *const *strip, size_t n_strip)
{
    cc_strbuf out = {0};
    size_t order[16];
    if (n_strip > 16)
        n_strip = 16;
    /* Longest prefix first, so a directory inside another is removed whole. */
    for (size_t i = 0; i < n_strip; i++)
        order[i] = i;
    for (size_t i = 1; i < n_strip; i++)
        for (size_t j = i; j > 0 && strlen(strip[order[j]]) > strlen(strip[order[j - 1]]); j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    const char *p = raw ? raw : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = rewrite_line(p, len, strip, order, n_strip);
        if (!drop_line(line)) {
            cc_strbuf_add(&out, line);
            sb_addc(&out, '\n');
        }
        free(line);
        p += len + (nl ? 1 : 0);
    }
    /* Trim trailing blank lines. */
    while (out.len && (out.s[out.len - 1] == '\n' || out.s[out.len - 1] == ' ')) {
        out.s[--out.len] = '\0';
    }
    if (out.len)
        sb_addc(&out, '\n');
    return out.s ? out.s : cc_xstrdup("");
}

static bool is_error_line(const char *l, size_t len)
{
    char tmp[4096];
    if (len >= sizeof tmp)
        len = sizeof tmp - 1;
    memcpy(tmp, l, len);
    tmp[len] = '\0';
    return strstr(tmp, ": error:") || strstr(tmp, ": fatal error:") || strstr(tmp, "): error") ||
           strstr(tmp, "undefined reference to") || strstr(tmp, "error:") == tmp ||
           strstr(tmp, ": error ") || strstr(tmp, "cannot find -l");
}

char *cc_diag_first_error(const char *diag)
{
    const char *p = diag ? diag : "", *first = NULL;
    size_t first_len = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (is_error_line(p, len))
            return cc_xstrndup(p, len);
        if (!first && len) {
            first = p;
            first_len = len;
        }
        p += len + (nl ? 1 : 0);
    }
    return first ? cc_xstrndup(first, first_len) : cc_xstrdup("compilation failed");
}

/* ---- durations ----------------------------------------------------------- */

void cc_format_duration(double ns, char *buf, size_t size)
{
    static const char *const units[] = {"ns", "\xc2\xb5s", "ms", "s"};
    double v = ns;
    int u = 0;
    if (v < 0)
        v = 0;
    while (u < 3 && v >= 1000.0) {
        v /= 1000.0;
        u++;
    }
    /* %.3g may round up to 1e+03 (999.7 ns): move to the next unit. */
    if (u < 3 && v >= 999.5) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, size, "%.3g %s", v, units[u]);
}

char *cc_format_timeit(double mean_ns, double std_ns, long repeats, long loops)
{
    char m[32], s[32];
    cc_format_duration(mean_ns, m, sizeof m);
    cc_format_duration(std_ns, s, sizeof s);
    return cc_xasprintf("%s \xc2\xb1 %s per loop (mean \xc2\xb1 std. dev. of %ld run%s, %ld loop%s each)",
                        m, s, repeats, repeats == 1 ? "" : "s", loops, loops == 1 ? "" : "s");
}

/* Where each line of the code starts, built on first use: a diagnostic
 * per line of a long cell must not rescan the code from its start. */
typedef struct line_index {
    const char *code;
    const char **starts;   /* malloc'd; NULL until built */
    size_t n;
} line_index;

static void line_index_build(line_index *ix)
{
    size_t n = 1;
    for (const char *p = strchr(ix->code, '\n'); p; p = strchr(p + 1, '\n'))
        n++;
    ix->starts = cc_xmalloc(n * sizeof *ix->starts);
    ix->n = 0;
    ix->starts[ix->n++] = ix->code;
    for (const char *p = strchr(ix->code, '\n'); p; p = strchr(p + 1, '\n'))
        ix->starts[ix->n++] = p + 1;
}

/* The n-th line (1-based) of the code as [*start, *len), or 0 if there is none. */
static int nth_line(line_index *ix, int n, const char **start, size_t *len)
{
    if (n < 1)
        return 0;
    if (!ix->starts)
        line_index_build(ix);
    if ((size_t)n > ix->n)
        return 0;
    const char *p = ix->starts[n - 1];
    const char *e = (size_t)n < ix->n ? ix->starts[n] - 1 : p + strlen(p);
    *start = p;
    *len = (size_t)(e - p);
    return 1;
}

/* ---- nvcc's excerpts ---------------------------------------------------- */

static bool is_caret_line(const char *l, size_t n)
{
    return n && strspn(l, " \t^") >= n && memchr(l, '^', n);
}

static bool generated_text(const char *l, size_t n)
{
    static const char *const marks[] = { "__asm__", "extern \"C\" {", "__cc", "cudacell.", NULL };
    for (size_t k = 0; marks[k]; k++) {
        size_t ml = strlen(marks[k]);
        for (size_t i = 0; i + ml <= n; i++)
            if (memcmp(l + i, marks[k], ml) == 0) return true;
    }
    return false;
}

static void trim(const char **p, size_t *n)
{
    while (*n && isspace((unsigned char)**p)) { (*p)++; (*n)--; }
    while (*n && isspace((unsigned char)(*p)[*n - 1])) (*n)--;
}

/* nvcc prints, under "cell:12: error: …" (or "session(5): note …"), the
 * line of the generated unit it read, with a caret line under it, after
 * any detail lines ("argument types are: …"). Under a cell diagnostic that
 * line becomes the cell's own line 12 (without the caret when the text
 * differs); under a session one, an excerpt of generated declarations is
 * left out. Returns a malloc'd copy of diag. */
static char *nvcc_excerpts(const char *diag, line_index *lines, int first_line)
{
    cc_strbuf out = {0};
    const char *p = diag;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int line = 0;
        char kind[16] = "";
        bool in_cell = sscanf(p, "cell:%d: %15[a-z]", &line, kind) == 2;
        bool in_session = strncmp(p, "session(", 8) == 0;
        bool in_glue = strncmp(p, "<cudacell>(", 11) == 0;   /* generated code: no place, no excerpt */
        const char *msg = in_glue && strstr(p, "): ") && strstr(p, "): ") < p + n ? strstr(p, "): ") + 3 : NULL;
        if (msg) cc_strbuf_addn(&out, msg, n - (size_t)(msg - p));
        else cc_strbuf_addn(&out, p, n);
        cc_strbuf_add(&out, "\n");
        if (!e) break;
        p = e + 1;
        if (in_glue) {   /* its excerpt lines, up to and with a caret line */
            const char *q = p;
            while (*q && strncmp(q, "  ", 2) == 0) {
                const char *qe = strchr(q, '\n');
                size_t ql = qe ? (size_t)(qe - q) : strlen(q);
                q = qe ? qe + 1 : q + ql;
                if (is_caret_line(q - ql - (qe ? 1 : 0), ql)) break;
            }
            p = q;
            continue;
        }
        if (!in_cell && !in_session) continue;
        /* the indented lines that follow: find the excerpt (the one above a caret) */
        const char *q = p;
        while (*q && strncmp(q, "  ", 2) == 0) {
            const char *qe = strchr(q, '\n');
            size_t ql = qe ? (size_t)(qe - q) : strlen(q);
            const char *c = qe ? qe + 1 : q + ql;
            const char *ce = strchr(c, '\n');
            size_t cl = ce ? (size_t)(ce - c) : strlen(c);
            if (!is_caret_line(c, cl)) { q = qe ? qe + 1 : q + ql; continue; }
            const char *after = ce ? ce + 1 : c + cl;
            const char *src = NULL;
            size_t srclen = 0;
            cc_strbuf_addn(&out, p, (size_t)(q - p));    /* detail lines */
            if (in_cell && nth_line(lines, line - first_line + 1, &src, &srclen)) {
                const char *a = q, *b = src;
                size_t al = ql, bl = srclen;
                trim(&a, &al);
                trim(&b, &bl);
                if (al == bl && memcmp(a, b, al) == 0) cc_strbuf_addn(&out, q, (size_t)(after - q));
                else cc_strbuf_printf(&out, "  %.*s\n", (int)bl, b);
            } else if (in_session && generated_text(q, ql)) {
                /* left out */
            } else {
                cc_strbuf_addn(&out, q, (size_t)(after - q));
            }
            p = after;
            break;
        }
    }
    return out.s ? out.s : cc_xstrdup("");
}

char *cc_diag_add_context(const char *diag, const char *code, int first_line)
{
    line_index lines = { code, NULL, 0 };
    char *fixed = nvcc_excerpts(diag, &lines, first_line);
    size_t cap = strlen(fixed) * 2 + 256, used = 0;
    char *out = cc_xmalloc(cap);
    const char *p = fixed;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p + 1) : strlen(p);
        int line = 0, col = 0, off = 0;
        char kind[16] = "";
        const char *src = NULL;
        size_t srclen = 0;
        int want = sscanf(p, "cell:%d:%d: %15[a-z]%n", &line, &col, kind, &off) >= 3 &&
                   (!strcmp(kind, "error") || !strcmp(kind, "warning")) &&
                   nth_line(&lines, line - first_line + 1, &src, &srclen);
        /* gcc already showed the line when it could read it: "  12 | ..." follows */
        const char *next = e ? e + 1 : p + n;
        const char *bar = next + strspn(next, " 0123456789");
        if (want && bar > next && bar[-1] == ' ' && strncmp(bar, "| ", 2) == 0)
            want = 0;
        size_t need = used + n + (want ? srclen * 2 + 64 : 0) + 2;
        if (need > cap) {
            cap = need * 2;
            out = cc_xrealloc(out, cap);
        }
        memcpy(out + used, p, n);
        used += n;
        if (!e)
            out[used++] = '\n';
        if (want) {
            used += (size_t)sprintf(out + used, "%5d | %.*s\n      | ", line, (int)srclen, src);
            for (int i = 1; i < col && (size_t)(i - 1) < srclen; i++)
                out[used++] = src[i - 1] == '\t' ? '\t' : ' ';
            out[used++] = '^';
            out[used++] = '\n';
        }
        p += n;
    }
    free(lines.starts);
    free(fixed);
    out[used] = '\0';
    return out;
}
