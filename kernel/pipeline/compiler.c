/* kernel/pipeline/compiler.c — the compiler driver: one translation unit to one shared
 * object, with a content-addressed cache (see compiler.h). The command lines
 * are compiler_args.c's; finding and running the compiler is
 * compiler_tool.c's; diagnostics are cleaned of temporary paths
 * (cc_diag_clean) and kept with the object so a cache hit shows them again.
 *
 * Cache key: SHA-256 over the language, the compiler's identity (resolved
 * path, size, mtime), every flag, the deps, libcudacell's directories and
 * header text, the cache directory (objects name their own path) and the
 * source. The object is written under a temporary name in the cache dir and
 * sealed into place by cache_entry.c, which verifies it again on every hit
 * (a damaged or unsafe entry is rebuilt). */
#include "cache.h"
#include "compiler.h"
#include "compiler_int.h"
#include "display_dirs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cc_output.h"
#include "cellutil.h"
#include "nvcc.h"
#include "clock.h"
#include "xalloc.h"

/* malloc'd text of the file, or NULL. */
static char *read_text(const char *dir, const char *name)
{
    char p[PATH_MAX], *text = NULL;
    size_t cap = 0;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "re");
    if (!f)
        return NULL;
    if (getdelim(&text, &cap, '\0', f) < 0) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* ---- cache key ------------------------------------------------------------- */

static void hash_field(EVP_MD_CTX *md, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    EVP_DigestUpdate(md, &n, sizeof n);
    EVP_DigestUpdate(md, s, n);
}

/* A unit that includes a header by quotes (`#include "my.h"`, found in the
 * notebook's directory: compiler_args.c) depends on that directory and on
 * the header's text: both go into the key, so a header rewritten by
 * %%writefile rebuilds the cells that include it. (Headers those headers
 * include are not followed.) */
static void hash_quote_includes(EVP_MD_CTX *md, const char *src)
{
    bool any = false;
    for (const char *p = src, *next; p && *p; p = next) {
        next = strchr(p, '\n');
        next = next ? next + 1 : NULL;
        const char *q = p;
        while (*q == ' ' || *q == '\t') q++;
        if (*q++ != '#') continue;
        while (*q == ' ' || *q == '\t') q++;
        if (strncmp(q, "include", 7) != 0) continue;
        q += 7;
        while (*q == ' ' || *q == '\t') q++;
        if (*q++ != '"') continue;
        const char *e = strchr(q, '"');
        const char *nl = strchr(q, '\n');
        if (!e || (nl && e > nl) || e == q || e - q > 1000) continue;
        if (!any) {
            char cwd[PATH_MAX];
            hash_field(md, getcwd(cwd, sizeof cwd) ? cwd : "?");
            any = true;
        }
        char *name = cc_xstrndup(q, (size_t)(e - q));
        char *text = name[0] == '/' ? read_text("", name) : read_text(".", name);
        hash_field(md, name);
        hash_field(md, text ? text : "(none)");
        free(text);
        free(name);
    }
}

/* 64 hex digits into hex[65]. tool_argv: the compiler and its fixed words;
 * inc/lib: libcudacell's directories. */
static void cache_key(const cc_compile_req *req, char *const *tool_argv, const char *arch,
                      const char *inc, const char *lib, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    char idbuf[128];
    struct stat st;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    hash_field(md, "cudacell-compile-v2");
    hash_field(md, req->lang == CC_LANG_CUDA ? "cuda" : req->lang == CC_LANG_CXX ? "cxx" : "c");
    for (char *const *t = tool_argv; *t; t++)
        hash_field(md, *t);
    if (stat(tool_argv[0], &st) == 0) {
        snprintf(idbuf, sizeof idbuf, "%lld:%lld.%09ld", (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        hash_field(md, idbuf);
    }
    hash_field(md, req->lang != CC_LANG_C ? req->nvccflags : req->cflags);
    hash_field(md, req->ldflags);
    hash_field(md, arch);
    for (size_t i = 0; i < req->n_deps; i++)
        hash_field(md, req->deps[i]);
    hash_field(md, inc);
    hash_field(md, lib);
    hash_field(md, req->cache_dir);
    static const char *const headers[] = {"cudacell.h", "cudacell_prelude.h"};
    for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {   /* a changed header rebuilds every cell */
        char *header = read_text(inc, headers[i]);
        hash_field(md, header);
        free(header);
    }
    hash_field(md, req->source);
    hash_quote_includes(md, req->source);
    EVP_DigestFinal_ex(md, d, &dn);
    EVP_MD_CTX_free(md);
    for (unsigned int i = 0; i < 32 && i < dn; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    hex[64] = '\0';
}

/* ---- the driver ------------------------------------------------------------------ */

/* Where a precompiled prelude for this unit lies (malloc'd), or NULL; asking
 * may start one for later units (compiler_pch.c). */
static char *pch_dir(const cc_compile_req *req, char *const *tool, const char *inc)
{
    if (!req->pch)
        return NULL;
    argv_buf f = {0};
    char *err = NULL, *dir = NULL;
    size_t ntool = 0;
    while (tool[ntool])
        ntool++;
    if (cc_unit_flags(&f, req, tool, req->cuda_arch, inc, &err) == 0)
        dir = cc_pch_for(req->pch, req, &f, ntool, inc);
    free(err);
    av_free(&f);
    return dir;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    const char *p = text;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return close(fd);
}

/* malloc'd warnings saved for so_path, or NULL. Warnings of a successful
 * compile are kept next to the object (<so>.warn, written by cc_cache_seal)
 * so a cache hit shows them again. */
static char *read_warnings(const char *so_path)
{
    char *p = cc_xasprintf("%s.warn", so_path), *text = NULL;
    FILE *f = fopen(p, "re");
    free(p);
    if (!f)
        return NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);   /* the whole file */
    fclose(f);
    if (n <= 0) {
        free(text);
        return NULL;
    }
    return text;
}

int cc_compile(cc_out *o, const cc_compile_req *req, cc_compile_res *res)
{
    double t0 = ((double)cc_now_ns() / 1e6);
    bool cuda = req->lang == CC_LANG_CUDA;
    char hex[65];
    char *src = NULL, *tmp_out = NULL, *raw = NULL, *err = NULL, *pch = NULL;
    char inc[PATH_MAX], lib[PATH_MAX];
    argv_buf av = {0};
    char **tool;

    memset(res, 0, sizeof *res);
    res->diagnostics = cc_xstrdup("");
    if (cc_display_dirs(NULL, inc, lib) < 0) {
        free(res->diagnostics);
        res->diagnostics = cc_display_missing_message();
        res->compile_ms = ((double)cc_now_ns() / 1e6) - t0;
        return 0;
    }
    if (!(tool = cc_compiler_find(req, res)))
        return 0;
    cache_key(req, tool, cuda ? (req->cuda_arch ? req->cuda_arch : CC_CUDA_DEFAULT_ARCH) : "", inc, lib, hex);
    snprintf(res->soname, sizeof res->soname, "cell-%.24s.so", hex);
    res->so_path = cc_xasprintf("%s/%s", req->cache_dir, res->soname);
    cc_cache_state look = cc_cache_lookup(req->cache_dir, res->soname);
    res->repaired = look == CC_CACHE_DAMAGED || look == CC_CACHE_UNSAFE;
    res->was_unsafe = look == CC_CACHE_UNSAFE;
    if (look == CC_CACHE_HIT) {
        res->ok = res->cache_hit = true;
        char *warn = read_warnings(res->so_path);
        if (warn) {
            free(res->diagnostics);
            res->diagnostics = warn;
        }
        res->compile_ms = ((double)cc_now_ns() / 1e6) - t0;
        cc_words_free(tool);
        return 0;
    }

    src = cc_xasprintf("%s/cell-%.24s.%s", req->workdir, hex,
                       cuda ? "cu" : req->lang == CC_LANG_CXX ? "cpp" : "c");
    tmp_out = cc_xasprintf("%s/.tmp-%.24s-%ld.so", req->cache_dir, hex, (long)getpid());
    if (write_file(src, req->source) < 0) {
        free(res->diagnostics);
        res->diagnostics = cc_xasprintf("Cannot write the cell's source file %s: %s. Check that the disk is not full.",
                                        src, strerror(errno));
        goto out;
    }
    pch = pch_dir(req, tool, inc);
    if (cc_compile_argv(&av, req, tool, req->cuda_arch, inc, lib, pch, src, tmp_out, res->so_path, &err) < 0) {
        free(res->diagnostics);
        res->diagnostics = err ? err : cc_xstrdup("");
        err = NULL;
        goto out;
    }

    int st = cc_compiler_run(o, av.v, req->workdir, &raw);
    if (st == -1) {
        free(res->diagnostics);
        res->diagnostics = cc_xasprintf("Cannot start the compiler %s: %s.", av.v[0], strerror(errno));
        res->tool_missing = true;
    } else if (st == -2) {
        res->interrupted = true;
    } else {
        char cwd[4096];
        const char *strip[4] = {req->workdir, req->cache_dir, NULL, NULL};
        size_t n_strip = 2;
        if (getcwd(cwd, sizeof cwd))
            strip[n_strip++] = cwd;
        free(res->diagnostics);
        res->diagnostics = cc_diag_clean(raw, strip, n_strip);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            if (cc_cache_seal(req->cache_dir, tmp_out, res->soname, res->diagnostics, &err) == 0) {
                res->ok = true;
            } else {
                free(res->diagnostics);
                res->diagnostics = err ? err : cc_xstrdup("error: cannot store the compiled cell");
                err = NULL;
            }
        } else if (WIFSIGNALED(st) && !*res->diagnostics) {
            free(res->diagnostics);
            res->diagnostics = cc_xasprintf("error: the compiler was killed by signal %d", WTERMSIG(st));
        } else if (!*res->diagnostics) {
            free(res->diagnostics);
            res->diagnostics = cc_xstrdup("error: the compiler failed without a message");
        }
    }

out:
    cc_pch_compiled(req->pch, res->ok);
    if (tmp_out)
        unlink(tmp_out);
    if (src)
        unlink(src);
    res->compile_ms = ((double)cc_now_ns() / 1e6) - t0;
    free(src);
    free(tmp_out);
    free(raw);
    free(err);
    free(pch);
    av_free(&av);
    cc_words_free(tool);
    return 0;
}

int cc_preprocess(cc_out *o, const cc_compile_req *req, char **out)
{
    char inc[PATH_MAX], lib[PATH_MAX], *src = NULL, *dst = NULL, *raw = NULL, *err = NULL;
    cc_compile_res res = {0};
    char **tool = NULL;
    argv_buf a = {0};
    int rc = -1;
    *out = NULL;
    if (cc_display_dirs(NULL, inc, lib) < 0 || !(tool = cc_compiler_find(req, &res)))
        goto done;
    src = cc_xasprintf("%s/pp-%ld.c", req->workdir, (long)getpid());
    dst = cc_xasprintf("%s/pp-%ld.i", req->workdir, (long)getpid());
    if (write_file(src, req->source) < 0)
        goto done;
    if (cc_preprocess_argv(&a, req, tool, inc, src, dst, &err) < 0)
        goto done;
    int st = cc_compiler_run(o, a.v, req->workdir, &raw);
    if (st == -2)
        rc = -2;
    else if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && (*out = read_text(req->workdir, strrchr(dst, '/') + 1)))
        rc = 0;
done:
    if (src)
        unlink(src);
    if (dst)
        unlink(dst);
    free(src);
    free(dst);
    free(raw);
    free(err);
    free(res.diagnostics);
    av_free(&a);
    cc_words_free(tool);
    return rc;
}

void cc_compile_res_clear(cc_compile_res *res)
{
    free(res->so_path);
    free(res->diagnostics);
    memset(res, 0, sizeof *res);
}
