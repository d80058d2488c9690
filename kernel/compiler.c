/* kernel/compiler.c — the compiler driver: one translation unit to one shared
 * object, with a content-addressed cache (see compiler.h).
 *
 * C:    $CC (default cc) -std=gnu17 -shared -fPIC -g -gdwarf-4 -O1 ... The default
 *       optimisation is -O1: on a typical cell it compiles within ~10 ms of
 *       -O0 (40 vs 50 ms measured) yet runs loops several times faster, which
 *       matters for %%timeit. %cflags -O0 / -O2 override it (the last -O wins).
 * CUDA: nvcc -x cu -shared -Xcompiler -fPIC --cudart shared
 *       -gencode arch=compute_NN,code=[sm_NN,compute_NN] (SASS for the GPU
 *       plus PTX, so a newer GPU can still JIT it).
 * Both link the earlier cells' objects by absolute path and set their own
 * soname to their absolute path in the cache, so DT_NEEDED names exactly
 * that file and the runtime never searches a library path for a cell (the
 * cache directory is on no search path). They bind their own symbols first
 * (-Bsymbolic) and refuse undefined symbols at link time (--no-undefined), so
 * a missing definition is a compile error with a line number rather than a
 * load failure.
 * Every cell also gets libcudacell (rich output): -I<dir of cudacell.h>
 * -L<dir of libcudacell.so> -lcudacell; see cc_display_dirs.
 *
 * Cache key: SHA-256 over the language, the compiler's identity (resolved
 * path, size, mtime), every flag, the deps, libcudacell's directories and
 * header text, the cache directory (objects name their own path) and the
 * source. The object is written under a temporary name in the cache dir and
 * sealed into place by cache_entry.c, which verifies it again on every hit
 * (a damaged or unsafe entry is rebuilt). The compiler runs in its own
 * process group, registered as the interrupt target (killed at once). */
#include "cache.h"
#include "child_spawn.h"
#include "compiler.h"
#include "display_dirs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cellutil.h"
#include "execute.h"
#include "interrupt.h"
#include "log.h"
#include "nvcc.h"
#include "outstream.h"

extern char **environ;

#define CC_C_OPT "-O1"
#define CC_DIAG_MAX (1u << 20)   /* keep at most 1 MiB of compiler output */

static double now_ms_f(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- argv building ------------------------------------------------------ */

typedef struct argv_buf {
    char **v;       /* owned strings, NULL-terminated */
    size_t n, cap;
    int oom;
} argv_buf;

static void av_add(argv_buf *a, const char *s)
{
    if (a->oom)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    if (!(a->v[a->n] = strdup(s))) {
        a->oom = 1;
        return;
    }
    a->v[++a->n] = NULL;
}

static void av_addf(argv_buf *a, const char *fmt, const char *arg)
{
    char *s = NULL;
    if (asprintf(&s, fmt, arg) < 0) {
        a->oom = 1;
        return;
    }
    av_add(a, s);
    free(s);
}

/* Adds the words of a user flag string; returns -1 with *err on bad quoting. */
static int av_add_words(argv_buf *a, const char *flags, char **err)
{
    size_t n;
    char **w = cc_split_words(flags, &n, err);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++)
        av_add(a, w[i]);
    cc_words_free(w);
    return 0;
}

static void av_free(argv_buf *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- finding the compiler -------------------------------------------------- */

static char *c_missing_message(const char *cc)
{
    char *m = NULL;
    if (asprintf(&m,
                 "The C compiler \"%s\" was not found%s. cudacell compiles every C cell with it. "
                 "Install a C compiler (for example `sudo apt install gcc` on Debian/Ubuntu, "
                 "`sudo dnf install gcc` on Fedora), or set the CC environment variable to the "
                 "compiler's path before starting Jupyter, then run the cell again.",
                 cc, strchr(cc, '/') ? "" : " on PATH") < 0)
        return NULL;
    return m;
}

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
    hash_field(md, req->lang == CC_LANG_CUDA ? "cuda" : "c");
    for (char *const *t = tool_argv; *t; t++)
        hash_field(md, *t);
    if (stat(tool_argv[0], &st) == 0) {
        snprintf(idbuf, sizeof idbuf, "%lld:%lld.%09ld", (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
        hash_field(md, idbuf);
    }
    hash_field(md, req->lang == CC_LANG_CUDA ? req->nvccflags : req->cflags);
    hash_field(md, req->ldflags);
    hash_field(md, arch);
    for (size_t i = 0; i < req->n_deps; i++)
        hash_field(md, req->deps[i]);
    hash_field(md, inc);
    hash_field(md, lib);
    hash_field(md, req->cache_dir);
    char *header = read_text(inc, "cudacell.h");   /* a changed header rebuilds every cell */
    hash_field(md, header);
    free(header);
    hash_field(md, req->source);
    EVP_DigestFinal_ex(md, d, &dn);
    EVP_MD_CTX_free(md);
    for (unsigned int i = 0; i < 32 && i < dn; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    hex[64] = '\0';
}

/* ---- the command line ------------------------------------------------------- */

/* "sm_90a" → "90a"; NULL or odd input → the default's number. */
static const char *arch_number(const char *arch)
{
    if (arch && strncmp(arch, "sm_", 3) == 0 && arch[3])
        return arch + 3;
    return CC_CUDA_DEFAULT_ARCH + 3;
}

static int build_argv(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *arch,
                      const char *inc, const char *lib, const char *src, const char *tmp_out,
                      const char *so_path, char **err)
{
    bool cuda = req->lang == CC_LANG_CUDA;
    for (char *const *t = tool_argv; *t; t++)
        av_add(a, *t);
    if (cuda) {
        const char *num = arch_number(arch);
        char gencode[96];
        snprintf(gencode, sizeof gencode, "arch=compute_%s,code=[sm_%s,compute_%s]", num, num, num);
        av_add(a, "-x");
        av_add(a, "cu");
        av_add(a, "-shared");
        av_add(a, "-Xcompiler");
        av_add(a, "-fPIC");
        av_add(a, "--cudart");
        av_add(a, "shared");
        av_add(a, "-g");
        av_add(a, "-Xcompiler");
        av_add(a, "-gdwarf-4");   /* see below */
        av_add(a, "-gencode");
        av_add(a, gencode);
        av_addf(a, "-I%s", inc);
        if (av_add_words(a, req->nvccflags, err) < 0)
            return -1;
    } else {
        av_add(a, "-std=gnu17");
        av_add(a, "-shared");
        av_add(a, "-fPIC");
        av_add(a, "-g");
        av_add(a, "-gdwarf-4");   /* addr2line 2.40 names the wrong file for #line code in DWARF 5 */
        av_add(a, CC_C_OPT);
        av_add(a, "-fdiagnostics-color=never");
        av_addf(a, "-I%s", inc);
        if (av_add_words(a, req->cflags, err) < 0)
            return -1;
    }
    av_add(a, "-o");
    av_add(a, tmp_out);
    av_add(a, src);
    for (size_t i = 0; i < req->n_deps; i++) {
        char *dep = NULL;
        if (asprintf(&dep, "%s/%s", req->cache_dir, req->deps[i]) < 0)
            abort();
        if (cuda)
            av_add(a, "-Xlinker");   /* nvcc's -x cu would read a plain .so argument as source */
        av_add(a, dep);
        free(dep);
    }
    av_addf(a, "-L%s", lib);
    av_add(a, "-lcudacell");
    if (cuda) {
        av_add(a, "-Xlinker");
        av_addf(a, "-soname=%s", so_path);
        av_add(a, "-Xlinker");
        av_add(a, "-Bsymbolic");
        av_add(a, "-Xlinker");
        av_add(a, "--no-undefined");
        av_add(a, "-Xlinker");
        av_addf(a, "-rpath-link=%s", lib);
    } else {
        av_add(a, "-Xlinker");   /* not -Wl,: the path may hold a comma */
        av_addf(a, "-soname=%s", so_path);
        av_add(a, "-Wl,-Bsymbolic");
        av_add(a, "-Wl,--no-undefined");
        av_addf(a, "-Wl,-rpath-link,%s", lib);
    }
    if (av_add_words(a, req->ldflags, err) < 0)
        return -1;
    av_add(a, "-lm");
    if (a->oom) {
        *err = strdup("out of memory building the compiler command line");
        return -1;
    }
    return 0;
}

/* ---- running the compiler ----------------------------------------------------- */

/* environ plus TMPDIR=workdir (compiler temporaries then carry a path the
 * diagnostics clean-up removes). Array malloc'd; strings borrowed except the
 * one at *owned. */
static char **compiler_env(const char *workdir, char **owned)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TMPDIR=", 7) != 0)
            env[k++] = environ[i];
    if (asprintf(owned, "TMPDIR=%s", workdir) >= 0)
        env[k++] = *owned;
    else
        *owned = NULL;
    env[k] = NULL;
    return env;
}

/* Spawn argv with stdout+stderr into one pipe; collect it into *out
 * (malloc'd) and wait, through cc_exec_poll so an interrupt kills the
 * compiler's process group. Returns the wait status, -1 when it could not
 * start (errno set), -2 when interrupted. */
static int run_tool(cc_exec *x, char **argv, const char *workdir, char **out)
{
    int p[2];
    pid_t pid;
    char *tmpdir_owned = NULL;
    char **env;
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    int rc, status = 0, interrupted = 0;

    *out = NULL;
    if (!buf || pipe2(p, O_CLOEXEC) < 0) {
        free(buf);
        return -1;
    }
    int fds[] = {CC_SPAWN_DEVNULL, p[1], p[1]};
    env = compiler_env(workdir, &tmpdir_owned);
    rc = env ? cc_spawn(&pid, argv[0], argv, env, fds, 3) : ENOMEM;
    free(env);
    free(tmpdir_owned);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        free(buf);
        errno = rc;
        return -1;
    }
    cc_intr_set_target(pid, CC_INTR_COMPILER);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    for (;;) {
        if (cc_intr_count() > 0 && !interrupted) {
            interrupted = 1;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
        struct pollfd pfd = {p[0], POLLIN, 0};
        if (interrupted)
            poll(&pfd, 1, 100);   /* the wake fd stays readable: don't spin */
        else
            cc_exec_poll(x, &pfd, 1, 500);
        /* The fd is non-blocking: just try (revents may be in ZeroMQ's
         * encoding, where end of file shows as ZMQ_POLLERR). */
        if (cap - len < 4096) {
            char *nb = cap < CC_DIAG_MAX ? realloc(buf, cap * 2) : NULL;
            if (nb) {
                buf = nb;
                cap *= 2;
            } else {
                len = 0;   /* over the limit: keep the latest part only */
            }
        }
        ssize_t r = read(p[0], buf + len, cap - len - 1);
        if (r > 0)
            len += (size_t)r;
        else if (r == 0 || (errno != EAGAIN && errno != EINTR))
            break;
    }
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    cc_intr_clear_target();
    buf[len] = '\0';
    *out = buf;
    return interrupted ? -2 : status;
}

/* ---- the driver ------------------------------------------------------------------ */

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
    char *p = NULL, *text = NULL;
    if (asprintf(&p, "%s.warn", so_path) < 0)
        return NULL;
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

/* The compiler and its fixed words ($CC may be "gcc -m64"): malloc'd
 * NULL-terminated array with an absolute path first, or NULL with
 * res->diagnostics set (tool_missing). */
static char **resolve_tool(const cc_compile_req *req, cc_compile_res *res)
{
    if (req->lang == CC_LANG_CUDA) {
        char *nvcc = cc_nvcc_find();
        if (!nvcc) {
            res->tool_missing = true;
            free(res->diagnostics);
            res->diagnostics = cc_nvcc_missing_message();
            return NULL;
        }
        char **v = calloc(2, sizeof *v);
        if (v)
            v[0] = nvcc;
        else
            free(nvcc);
        return v;
    }
    const char *cc = getenv("CC");
    size_t n = 0;
    char **v = cc_split_words(cc && *cc ? cc : "cc", &n, NULL);
    char *abs = (v && n) ? cc_spawn_find(v[0]) : NULL;
    if (!abs) {
        res->tool_missing = true;
        free(res->diagnostics);
        res->diagnostics = c_missing_message(v && n ? v[0] : (cc ? cc : "cc"));
        cc_words_free(v);
        return NULL;
    }
    free(v[0]);
    v[0] = abs;
    return v;
}

int cc_compile(cc_exec *x, const cc_compile_req *req, cc_compile_res *res)
{
    double t0 = now_ms_f();
    bool cuda = req->lang == CC_LANG_CUDA;
    char hex[65];
    char *src = NULL, *tmp_out = NULL, *raw = NULL, *err = NULL;
    char inc[PATH_MAX], lib[PATH_MAX];
    argv_buf av = {0};
    char **tool;

    memset(res, 0, sizeof *res);
    res->diagnostics = strdup("");
    if (cc_display_dirs(NULL, inc, lib) < 0) {
        free(res->diagnostics);
        res->diagnostics = cc_display_missing_message();
        if (!res->diagnostics)
            res->diagnostics = strdup("");
        res->compile_ms = now_ms_f() - t0;
        return 0;
    }
    if (!(tool = resolve_tool(req, res)))
        return 0;
    cache_key(req, tool, cuda ? (req->cuda_arch ? req->cuda_arch : CC_CUDA_DEFAULT_ARCH) : "", inc, lib, hex);
    snprintf(res->soname, sizeof res->soname, "cell-%.24s.so", hex);
    if (asprintf(&res->so_path, "%s/%s", req->cache_dir, res->soname) < 0) {
        res->so_path = NULL;
        goto oom;
    }
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
        res->compile_ms = now_ms_f() - t0;
        cc_words_free(tool);
        return 0;
    }

    if (asprintf(&src, "%s/cell-%.24s.%s", req->workdir, hex, cuda ? "cu" : "c") < 0 ||
        asprintf(&tmp_out, "%s/.tmp-%.24s-%ld.so", req->cache_dir, hex, (long)getpid()) < 0)
        goto oom;
    if (write_file(src, req->source) < 0) {
        free(res->diagnostics);
        if (asprintf(&res->diagnostics, "Cannot write the cell's source file %s: %s. Check that the disk is not full.",
                     src, strerror(errno)) < 0)
            res->diagnostics = NULL;
        goto out;
    }
    if (build_argv(&av, req, tool, req->cuda_arch, inc, lib, src, tmp_out, res->so_path, &err) < 0) {
        free(res->diagnostics);
        res->diagnostics = err;
        err = NULL;
        goto out;
    }

    int st = run_tool(x, av.v, req->workdir, &raw);
    if (st == -1) {
        free(res->diagnostics);
        if (asprintf(&res->diagnostics, "Cannot start the compiler %s: %s.", av.v[0], strerror(errno)) < 0)
            res->diagnostics = NULL;
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
                res->diagnostics = err ? err : strdup("error: cannot store the compiled cell");
                err = NULL;
            }
        } else if (WIFSIGNALED(st) && !*res->diagnostics) {
            free(res->diagnostics);
            if (asprintf(&res->diagnostics, "error: the compiler was killed by signal %d", WTERMSIG(st)) < 0)
                res->diagnostics = NULL;
        } else if (!*res->diagnostics) {
            free(res->diagnostics);
            res->diagnostics = strdup("error: the compiler failed without a message");
        }
    }
    goto out;

oom:
    free(res->diagnostics);
    res->diagnostics = strdup("error: out of memory while compiling");
out:
    if (tmp_out)
        unlink(tmp_out);
    if (src)
        unlink(src);
    if (!res->diagnostics)
        res->diagnostics = strdup("");
    res->compile_ms = now_ms_f() - t0;
    free(src);
    free(tmp_out);
    free(raw);
    free(err);
    av_free(&av);
    cc_words_free(tool);
    return 0;
}

int cc_preprocess(cc_exec *x, const cc_compile_req *req, char **out)
{
    char inc[PATH_MAX], lib[PATH_MAX], *src = NULL, *dst = NULL, *raw = NULL, *err = NULL;
    cc_compile_res res = {0};
    char **tool = NULL;
    argv_buf a = {0};
    int rc = -1;
    *out = NULL;
    if (cc_display_dirs(NULL, inc, lib) < 0 || !(tool = resolve_tool(req, &res)))
        goto done;
    if (asprintf(&src, "%s/pp-%ld.c", req->workdir, (long)getpid()) < 0 ||
        asprintf(&dst, "%s/pp-%ld.i", req->workdir, (long)getpid()) < 0) {
        src = dst = NULL;
        goto done;
    }
    if (write_file(src, req->source) < 0)
        goto done;
    for (char *const *t = tool; *t; t++)
        av_add(&a, *t);
    av_add(&a, "-std=gnu17");
    av_add(&a, CC_C_OPT);
    av_addf(&a, "-I%s", inc);
    if (av_add_words(&a, req->cflags, &err) < 0)
        goto done;
    av_add(&a, "-E");
    av_add(&a, "-P");
    av_add(&a, "-w");
    av_add(&a, "-o");
    av_add(&a, dst);
    av_add(&a, src);
    if (a.oom)
        goto done;
    int st = run_tool(x, a.v, req->workdir, &raw);
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
