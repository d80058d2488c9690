/* kernel/engine/complete.c — complete_request and inspect_request.
 * Completion looks at the text before the cursor and picks a vocabulary:
 * header names after #include, directives after '#', magics after a
 * leading '%', file names on `!` / %cd / %%writefile lines, otherwise C
 * keywords, libc and CUDA names and the session's own names. Inspection
 * shows a session declaration, a libc/CUDA prototype, or a magic's help.
 * cursor_pos and cursor_start/end count Unicode code points. */
#include "complete.h"

#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "magics.h"
#include "names.h"
#include "session.h"
#include "xalloc.h"

/* ---- UTF-8 positions ---------------------------------------------------- */

/* Byte offset of code point cp (clamped to the string). */
static size_t cp_to_byte(const char *s, int cp)
{
    size_t b = 0;
    if (cp <= 0)
        return 0;
    while (s[b]) {
        if (((unsigned char)s[b] & 0xC0) != 0x80) {   /* a lead byte starts a code point */
            if (cp == 0)
                return b;
            cp--;
        }
        b++;
    }
    return b;
}

static int byte_to_cp(const char *s, size_t b)
{
    int cp = 0;
    for (size_t i = 0; i < b && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            cp++;
    return cp;
}

static bool is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- a list of candidate strings (owned) -------------------------------- */

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void sl_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = cc_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = cc_xstrdup(s);
}

/* Add each of words[] that starts with prefix, with before/after around it. */
static void sl_add_prefixed(strlist *l, const char *const *words, const char *prefix,
                            const char *before)
{
    size_t pl = strlen(prefix);
    char buf[256];
    for (size_t i = 0; words[i]; i++)
        if (strncmp(words[i], prefix, pl) == 0) {
            snprintf(buf, sizeof buf, "%s%s", before, words[i]);
            sl_add(l, buf);
        }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, unique, as a JSON array; frees the list. */
static json_t *sl_to_json(strlist *l)
{
    json_t *arr = json_array();
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_str);
    for (size_t i = 0; i < l->n; i++)
        if (i == 0 || strcmp(l->v[i], l->v[i - 1]) != 0)
            json_array_append_new(arr, json_string(l->v[i]));
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
    return arr;
}

/* ---- file names --------------------------------------------------------- */

static bool header_like(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".h") == 0 || strcmp(dot, ".hpp") == 0 || strcmp(dot, ".cuh") == 0
                   || strcmp(dot, ".hh") == 0 || strcmp(dot, ".inc") == 0);
}

/* Entries of base/<dir part of prefix> starting with the file part; each
 * match is the full prefix-relative path, directories with a '/'.
 * headers_only: keep only header files (and directories). */
static void complete_files(strlist *l, const char *base, const char *prefix, bool headers_only)
{
    const char *slash = strrchr(prefix, '/');
    size_t dlen = slash ? (size_t)(slash - prefix + 1) : 0;
    const char *file = prefix + dlen;
    size_t flen = strlen(file);
    char dir[4096];
    if (base)
        snprintf(dir, sizeof dir, "%s/%.*s", base, (int)dlen, prefix);
    else if (dlen)
        snprintf(dir, sizeof dir, "%.*s", (int)dlen, prefix);
    else
        snprintf(dir, sizeof dir, ".");
    if (dir[0] == '~' && (dir[1] == '/' || dir[1] == '\0') && getenv("HOME")) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s%s", getenv("HOME"), dir + 1);
        memcpy(dir, tmp, sizeof dir);
    }
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096 + 256], match[4096 + 256];
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, file, flen) != 0)
            continue;
        if (e->d_name[0] == '.' && (flen == 0 || file[0] != '.'))
            continue;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        bool isdir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        if (headers_only && !isdir && !header_like(e->d_name))
            continue;
        snprintf(match, sizeof match, "%.*s%s%s", (int)dlen, prefix, e->d_name, isdir ? "/" : "");
        sl_add(l, match);
    }
    closedir(d);
}

static void complete_system_header(strlist *l, const char *prefix)
{
    sl_add_prefixed(l, cc_names_headers, prefix, "");
    char cuda_inc[1024];
    const char *ch = getenv("CUDA_HOME");
    snprintf(cuda_inc, sizeof cuda_inc, "%s/include", ch && *ch ? ch : "/usr/local/cuda");
    const char *dirs[] = { "/usr/include", "/usr/local/include", "/usr/include/x86_64-linux-gnu",
                           "/usr/include/aarch64-linux-gnu", cuda_inc };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        complete_files(l, dirs[i], prefix, true);
}

/* ---- contexts ----------------------------------------------------------- */

/* If the line [ls, b) is `#include <prefix` or `#include "prefix`, return
 * the byte offset where prefix starts and the delimiter; else 0. */
static size_t include_context(const char *s, size_t ls, size_t b, char *delim)
{
    size_t i = ls;
    while (i < b && is_blank(s[i]))
        i++;
    if (i >= b || s[i] != '#')
        return 0;
    i++;
    while (i < b && is_blank(s[i]))
        i++;
    if (b - i >= 12 && strncmp(s + i, "include_next", 12) == 0)
        i += 12;
    else if (b - i >= 7 && strncmp(s + i, "include", 7) == 0)
        i += 7;
    else
        return 0;
    while (i < b && is_blank(s[i]))
        i++;
    if (i >= b || (s[i] != '<' && s[i] != '"'))
        return 0;
    *delim = s[i];
    for (size_t k = i + 1; k < b; k++)
        if (s[k] == '>' || s[k] == '"' || is_blank(s[k]))
            return 0;
    return i + 1;
}

/* Only blanks in [from, to). */
static bool blanks_only(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!is_blank(s[i]))
            return false;
    return true;
}

/* A line whose arguments are file names: `!...`, `%cd ...`, `%%writefile ...`.
 * Returns the byte offset of the word being typed, (size_t)-2 for the
 * program name of a `!` line (nothing to offer), or (size_t)-1. */
static size_t path_context(const char *s, size_t ls, size_t b)
{
    size_t i = ls;
    while (i < b && is_blank(s[i]))
        i++;
    bool ok = false;
    if (i < b && s[i] == '!')
        ok = true;
    else if (b - i > 4 && strncmp(s + i, "%cd", 3) == 0 && is_blank(s[i + 3]))
        ok = true;
    else if (b - i > 11 && strncmp(s + i, "%%writefile", 11) == 0 && is_blank(s[i + 11]))
        ok = true;
    if (!ok)
        return (size_t)-1;
    size_t w = b;
    while (w > ls && !is_blank(s[w - 1]) && s[w - 1] != '!' && s[w - 1] != '=' && s[w - 1] != '\''
           && s[w - 1] != '"')
        w--;
    /* the command word right after '!' is a program, not a file */
    if (s[i] == '!' && blanks_only(s, i + 1, w) && memchr(s + w, '/', b - w) == NULL)
        return (size_t)-2;
    return w;
}

/* The word at w follows a '#' that starts the line: `#inc`, `  #  def`. */
static bool directive_context(const char *s, size_t ls, size_t w)
{
    size_t q = w;
    while (q > ls && is_blank(s[q - 1]))
        q--;
    return q > ls && s[q - 1] == '#' && blanks_only(s, ls, q - 1);
}

static void add_magics(strlist *l, const char *prefix, bool cell_only)
{
    size_t n;
    const cc_magic *t = cc_magic_table(&n);
    size_t pl = strlen(prefix);
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        if (strncmp(t[i].name, prefix, pl) != 0 || (cell_only && !t[i].cell))
            continue;
        snprintf(buf, sizeof buf, "%s%s", t[i].cell ? "%%" : "%", t[i].name);
        sl_add(l, buf);
    }
}

static void add_session_names(strlist *l, const struct cc_session *s, const char *prefix)
{
    if (!s)
        return;
    cc_name_info *names = NULL;
    size_t n = cc_session_names(s, &names);
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < n; i++)
        if (names[i].name && strncmp(names[i].name, prefix, pl) == 0)
            sl_add(l, names[i].name);
    free(names);
}

static json_t *reply(const char *code, strlist *l, size_t start, size_t end)
{
    return json_pack("{s:s, s:o, s:i, s:i, s:{}}", "status", "ok", "matches", sl_to_json(l),
                     "cursor_start", byte_to_cp(code, start), "cursor_end", byte_to_cp(code, end),
                     "metadata");
}

json_t *cc_complete(const char *code, int cursor_pos, const struct cc_session *s)
{
    strlist l = {0};
    size_t b = cp_to_byte(code, cursor_pos);
    size_t ls = b;
    while (ls > 0 && code[ls - 1] != '\n')
        ls--;
    char delim;
    size_t inc = include_context(code, ls, b, &delim);
    if (inc) {
        char *prefix = cc_xstrndup(code + inc, b - inc);
        if (delim == '<')
            complete_system_header(&l, prefix);
        else
            complete_files(&l, NULL, prefix, true);
        free(prefix);
        return reply(code, &l, inc, b);
    }
    size_t pw = path_context(code, ls, b);
    if (pw == (size_t)-2)
        return reply(code, &l, b, b);
    if (pw != (size_t)-1) {
        char *prefix = cc_xstrndup(code + pw, b - pw);
        complete_files(&l, NULL, prefix, false);
        free(prefix);
        return reply(code, &l, pw, b);
    }

    size_t w = b;
    while (w > ls && is_ident(code[w - 1]))
        w--;
    char *word = cc_xstrndup(code + w, b - w);
    size_t start = w;
    /* '%' or '%%' right before the word, at the start of the line */
    size_t p = w;
    while (p > ls && code[p - 1] == '%' && w - p < 2)
        p--;
    if (p < w && blanks_only(code, ls, p) && (word[0] == '\0' || isalpha((unsigned char)word[0]))) {
        add_magics(&l, word, w - p == 2);
        start = p;
    } else if (directive_context(code, ls, w)) {
        sl_add_prefixed(&l, cc_names_directives, word, "");
    } else if (word[0] && !isdigit((unsigned char)word[0])) {
        sl_add_prefixed(&l, cc_names_keywords, word, "");
        sl_add_prefixed(&l, cc_names_libc, word, "");
        sl_add_prefixed(&l, cc_names_cuda, word, "");
        add_session_names(&l, s, word);
    }
    free(word);
    return reply(code, &l, start, b);
}

/* ---- inspect ------------------------------------------------------------ */

static const char *kind_name(cc_name_kind k)
{
    switch (k) {
    case CC_NAME_VARIABLE: return "variable";
    case CC_NAME_FUNCTION: return "function";
    case CC_NAME_TYPE:     return "type";
    case CC_NAME_MACRO:    return "macro";
    case CC_NAME_KERNEL:   return "CUDA kernel (__global__)";
    case CC_NAME_DEVICE:   return "CUDA device symbol";
    }
    return "name";
}

static json_t *inspect_reply(const char *plain, const char *markdown)
{
    if (!plain)
        return json_pack("{s:s, s:b, s:{}, s:{}}", "status", "ok", "found", 0, "data", "metadata");
    json_t *data = json_pack("{s:s}", "text/plain", plain);
    if (markdown)
        json_object_set_new(data, "text/markdown", json_string(markdown));
    return json_pack("{s:s, s:b, s:o, s:{}}", "status", "ok", "found", 1, "data", data, "metadata");
}

json_t *cc_inspect(const char *code, int cursor_pos, int detail_level, const struct cc_session *s)
{
    (void)detail_level;
    size_t b = cp_to_byte(code, cursor_pos);
    size_t start = b, end = b;
    while (start > 0 && is_ident(code[start - 1]))
        start--;
    while (code[end] && is_ident(code[end]))
        end++;
    if (start == end) {   /* `name(` or `name( ` with the cursor after the paren */
        size_t j = b;
        while (j > 0 && is_blank(code[j - 1]))
            j--;
        if (j > 0 && code[j - 1] == '(')
            j--;
        while (j > 0 && is_blank(code[j - 1]))
            j--;
        end = j;
        start = j;
        while (start > 0 && is_ident(code[start - 1]))
            start--;
    }
    if (start == end)
        return inspect_reply(NULL, NULL);
    char *name = cc_xstrndup(code + start, end - start);
    char *plain = NULL, *md = NULL;

    size_t ls = start;
    while (ls > 0 && code[ls - 1] != '\n')
        ls--;
    size_t p = start;
    while (p > ls && code[p - 1] == '%' && start - p < 2)
        p--;
    const cc_name_info *ni = s ? cc_session_lookup(s, name) : NULL;
    const cc_doc *d;
    const char *kw;
    if (p < start && blanks_only(code, ls, p)) {
        const cc_magic *m = cc_magic_find(name, start - p == 2);
        if (!m)
            m = cc_magic_find(name, start - p != 2);
        if (m)
            plain = cc_xasprintf("%s\n\n%s", m->usage, m->help);
    } else if (ni) {
        const char *decl = ni->decl ? ni->decl : ni->name;
        plain = cc_xasprintf("%s\n\n%s defined in this session.", decl, kind_name(ni->kind));
        md = cc_xasprintf("```c\n%s\n```\n\n*%s defined in this session.*", decl, kind_name(ni->kind));
    } else if ((d = cc_doc_find(name)) != NULL) {
        md = cc_xasprintf("```c\n%s\n```\n\n%s\n\nHeader: `%s`", d->proto, d->help, d->header);
        if (d->header[0] == '(')   /* a built-in: no #include line */
            plain = cc_xasprintf("%s\n\n%s\n\n%s", d->proto, d->help, d->header);
        else
            plain = cc_xasprintf("%s\n\n%s\n\n#include <%s>", d->proto, d->help, d->header);
    } else if ((kw = cc_keyword_help(name)) != NULL) {
        plain = cc_xstrdup(kw);
    }
    json_t *r = inspect_reply(plain, md);
    free(plain);
    free(md);
    free(name);
    return r;
}
