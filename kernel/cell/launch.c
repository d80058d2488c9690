/* kernel/cell/launch.c — the host-only path of a C++ session: which cells
 * need nvcc, and kernel launches rewritten into calls the host C++ compiler
 * can build. A launch `k<<<g, b, s, st>>>(x)` becomes
 *     (__cudaPushCallConfiguration(g, b, s, st) ? (void)0 : k(x))
 * which is what nvcc itself turns it into: the call goes to the kernel's
 * host stub, exported by the earlier cell that defined the kernel, and the
 * stub launches it with the configuration cudart holds. Pure. */
#include "launch.h"

#include <stdlib.h>
#include <string.h>

#include "celltok.h"
#include "cxxnames.h"
#include "strbuf.h"
#include "xalloc.h"

static bool tok_is(const char *src, const cc_tok *t, const char *w)
{
    return (size_t)t->len == strlen(w) && memcmp(src + t->off, w, (size_t)t->len) == 0;
}

/* The index of the `>>>` closing the launch opened at `open`, or 0. */
static size_t launch_close(const char *src, const cc_tok *t, size_t n, size_t open)
{
    for (size_t k = open + 1; k < n; k++) {
        if (t[k].kind == CC_TOK_PUNCT && tok_is(src, &t[k], ">>>")) return k;
        if (t[k].kind == CC_TOK_PUNCT && tok_is(src, &t[k], "<<<")) return 0;
        if (t[k].match > (int)k) k = (size_t)t[k].match;   /* skip a bracketed group */
        else if (t[k].match >= 0) return 0;                 /* a closing bracket: unbalanced */
    }
    return 0;
}

/* Launch at token `open` (`<<<`) rewritable? Sets the name token, the `>>>`
 * and the closing parenthesis of the arguments. */
static bool launch_at(const char *src, const cc_tok *t, size_t n, size_t open, cc_kernel_known known,
                      void *ctx, size_t *close, size_t *rparen)
{
    if (open == 0 || t[open - 1].kind != CC_TOK_IDENT) return false;
    if (open >= 2 && t[open - 2].kind == CC_TOK_PUNCT &&
        (tok_is(src, &t[open - 2], "::") || tok_is(src, &t[open - 2], ".") || tok_is(src, &t[open - 2], "->")))
        return false;
    if (!known || !known(ctx, src + t[open - 1].off, (size_t)t[open - 1].len)) return false;
    size_t c = launch_close(src, t, n, open);
    if (!c || c + 1 >= n || !tok_is(src, &t[c + 1], "(") || t[c + 1].match < 0) return false;
    *close = c;
    *rparen = (size_t)t[c + 1].match;
    return true;
}

/* The header name of an `#include` line token (between <> or ""), or NULL. */
static const char *include_name(const char *src, const cc_tok *t, size_t *len)
{
    const char *s = src + t->off, *e = s + t->len;
    const char *inc = memmem(s, (size_t)(e - s), "include", 7);
    const char *a = inc ? inc + 7 : NULL;
    while (a && a < e && (*a == ' ' || *a == '\t')) a++;
    if (!a || a >= e || (*a != '<' && *a != '"')) return NULL;
    const char *z = a + 1;
    while (z < e && *z != '>' && *z != '"') z++;
    *len = (size_t)(z - a - 1);
    return a + 1;
}

static bool is_device_word(const char *src, const cc_tok *t)
{
    const char *s = src + t->off;
    size_t l = (size_t)t->len;
    static const char *const kw[] = { "__global__", "__device__", "__constant__", "__shared__", "__managed__",
                                      "__grid_constant__", NULL };
    for (size_t k = 0; kw[k]; k++)
        if (strlen(kw[k]) == l && memcmp(s, kw[k], l) == 0) return true;
    return cc_device_namespace(s, l);
}

static bool toks_need_nvcc(const char *code, const cc_tok *t, size_t n, cc_kernel_known known, void *ctx)
{
    bool need = false;
    for (size_t i = 0; i < n && !need; i++) {
        if (t[i].kind == CC_TOK_IDENT) need = is_device_word(code, &t[i]);
        else if (t[i].kind == CC_TOK_PUNCT && tok_is(code, &t[i], "<<<")) {
            size_t c, r;
            need = !launch_at(code, t, n, i, known, ctx, &c, &r);
        } else if (t[i].kind == CC_TOK_PREPROC) {
            /* an #include of a device-only header (thrust, CUB, a .cuh) */
            size_t len;
            const char *h = include_name(code, &t[i], &len);
            need = h && cc_device_header(h, len);
        }
    }
    return need;
}

bool cc_cell_needs_nvcc(const char *code, cc_kernel_known known, void *ctx)
{
    cc_tok *t;
    size_t n;
    if (!code || cc_tokenize(code, &t, &n, NULL)) return false;
    bool need = toks_need_nvcc(code, t, n, known, ctx);
    free(t);
    return need;
}

static char *toks_rewrite(const char *code, const cc_tok *t, size_t n, cc_kernel_known known, void *ctx)
{
    cc_strbuf out = {0};
    size_t from = 0;   /* code copied up to here */
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (t[i].kind != CC_TOK_PUNCT || !tok_is(code, &t[i], "<<<")) continue;
        size_t c, r;
        if (!launch_at(code, t, n, i, known, ctx, &c, &r)) { ok = false; break; }
        const cc_tok *name = &t[i - 1];
        cc_strbuf_addn(&out, code + from, (size_t)name->off - from);
        cc_strbuf_add(&out, "(__cudaPushCallConfiguration(");
        cc_strbuf_addn(&out, code + t[i].off + 3, (size_t)(t[c].off - t[i].off - 3));
        cc_strbuf_add(&out, ") ? (void)0 : ");
        cc_strbuf_addn(&out, code + name->off, (size_t)name->len);
        cc_strbuf_addn(&out, code + t[c + 1].off, (size_t)(t[r].off + 1 - t[c + 1].off));
        cc_strbuf_add(&out, ")");
        from = (size_t)t[r].off + 1;
        i = r;
    }
    if (!ok) { free(out.s); return NULL; }
    cc_strbuf_add(&out, code + from);
    return out.s ? out.s : cc_xstrdup("");
}

char *cc_launch_rewrite(const char *code, cc_kernel_known known, void *ctx)
{
    cc_tok *t;
    size_t n;
    if (!code || cc_tokenize(code, &t, &n, NULL)) return NULL;
    char *out = toks_rewrite(code, t, n, known, ctx);
    free(t);
    return out;
}

char *cc_cell_host_text(const char *code, cc_kernel_known known, void *ctx)
{
    cc_tok *t;
    size_t n;
    if (!code) return NULL;
    if (cc_tokenize(code, &t, &n, NULL)) return cc_xstrdup(code);   /* the splitter will say what is wrong */
    char *out = toks_need_nvcc(code, t, n, known, ctx) ? NULL : toks_rewrite(code, t, n, known, ctx);
    free(t);
    return out;
}

static bool toks_are_cxx(const char *code, const cc_tok *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cc_tok *x = &t[i], *y = i + 1 < n ? &t[i + 1] : NULL, *z = i + 2 < n ? &t[i + 2] : NULL;
        if (x->kind == CC_TOK_PREPROC) {
            size_t len;
            const char *h = include_name(code, x, &len);
            if (h && cc_cxx_header(h, len)) return true;
            continue;
        }
        if (x->kind != CC_TOK_IDENT || !y) continue;
        /* spelled so that no valid C reads the same (`template < 3` could be C) */
        if (tok_is(code, x, "template") && tok_is(code, y, "<") && z &&
            (tok_is(code, z, "typename") || tok_is(code, z, "class") || tok_is(code, z, ">")))
            return true;
        if (tok_is(code, x, "namespace") &&
            (tok_is(code, y, "{") || (y->kind == CC_TOK_IDENT && z && (tok_is(code, z, "{") || tok_is(code, z, "=")))))
            return true;
        if (tok_is(code, x, "using") && tok_is(code, y, "namespace")) return true;
        if (tok_is(code, x, "std") && tok_is(code, y, "::")) return true;
        if (tok_is(code, x, "class") && y->kind == CC_TOK_IDENT && z && (tok_is(code, z, "{") || tok_is(code, z, ":")))
            return true;
    }
    return false;
}

bool cc_cell_is_cxx(const char *code)
{
    if (!code || !(strstr(code, "include") || strstr(code, "template") || strstr(code, "namespace") ||
                   strstr(code, "class") || strstr(code, "std")))
        return false;
    cc_tok *t;
    size_t n;
    if (cc_tokenize(code, &t, &n, NULL)) return false;
    bool cxx = toks_are_cxx(code, t, n);
    free(t);
    return cxx;
}
