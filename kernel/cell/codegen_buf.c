/* kernel/cell/codegen_buf.c — the growable text buffer and the identifier sets
 * of code generation (see codegen_buf.h). Calls nothing of the cell model. */
#include "codegen_buf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- identifier sets --------------------------------------------------- */

static size_t ids_hash(const char *p, size_t len)
{
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static bool ids_eq(const char *s, const char *p, size_t len)
{
    return strncmp(s, p, len) == 0 && s[len] == '\0';
}

bool cg_ids_has(const cg_ids *s, const char *p, size_t len)
{
    if (!s->cap) return false;
    for (size_t i = ids_hash(p, len) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->v[i]) return false;
        if (ids_eq(s->v[i], p, len)) return true;
    }
}

void cg_ids_add(cg_ids *s, const char *p, size_t len)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **v = cc_xcalloc(cap, sizeof *v);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->v[i]) continue;
            size_t j = ids_hash(s->v[i], strlen(s->v[i])) & (cap - 1);
            while (v[j]) j = (j + 1) & (cap - 1);
            v[j] = s->v[i];
        }
        free(s->v);
        s->v = v; s->cap = cap;
    }
    size_t i = ids_hash(p, len) & (s->cap - 1);
    for (; s->v[i]; i = (i + 1) & (s->cap - 1))
        if (ids_eq(s->v[i], p, len)) return;
    s->v[i] = cc_xstrndup(p, len);
    s->n++;
}

void cg_ids_free(cg_ids *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

bool cg_ids_each(const char *t, bool (*fn)(void *, const char *, size_t), void *ctx)
{
    for (const char *p = t; *p;) {
        if (p[0] == '/' && p[1] == '*') { const char *e = strstr(p + 2, "*/"); p = e ? e + 2 : p + strlen(p); continue; }
        if (p[0] == '/' && p[1] == '/') { while (*p && *p != '\n') p++; continue; }
        if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (*p && *p != q && *p != '\n') { if (*p == '\\' && p[1]) p++; p++; }
            if (*p) p++;
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_') p++;
            if (fn(ctx, s, (size_t)(p - s))) return true;
            continue;
        }
        if (isdigit((unsigned char)*p)) { while (isalnum((unsigned char)*p) || *p == '_' || *p == '.') p++; continue; }
        p++;
    }
    return false;
}

static bool scan_add(void *ctx, const char *p, size_t len) { cg_ids_add(ctx, p, len); return false; }
static bool scan_has(void *ctx, const char *p, size_t len) { return cg_ids_has(ctx, p, len); }

void cg_ids_scan(cg_ids *s, const char *text) { cg_ids_each(text, scan_add, s); }

bool cg_text_mentions(const char *text, const cg_ids *s)
{
    return s->n && cg_ids_each(text, scan_has, (void *)s);
}
