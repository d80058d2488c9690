/* kernel/magics/standalone.c — building a cell, with the session's declarations, as
 * a program the kernel starts itself, and the small helpers the magics that
 * do so share (see standalone.h). The launcher's text is in sa_launcher.c.
 * Everything malloc'd here is freed before each function returns, except
 * what it hands back. */
#include "standalone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc_output.h"
#include "cellutil.h"
#include "child_spawn.h"
#include "compiler.h"
#include "display_dirs.h"
#include "gpu_probe.h"
#include "interrupt.h"
#include "nvcc.h"
#include "services.h"
#include "session.h"
#include "xalloc.h"

extern char **environ;

#define SA_CAPTURE_MAX (64 * 1024)
#define SA_GPU_WAIT_MS 15000   /* GPU discovery may still be running */

/* ---- small helpers --------------------------------------------------------- */

void cc_sa_quote(cc_strbuf *b, const char *s)
{
    cc_strbuf_printf(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            cc_strbuf_printf(b, "'\\''");
        else
            cc_strbuf_printf(b, "%c", *s);
    }
    cc_strbuf_printf(b, "'");
}

int cc_sa_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    int saved = errno;
    if (fclose(f) != 0 || !ok) {
        errno = ok ? errno : saved;
        return -1;
    }
    return 0;
}

char *cc_sa_job_dir(cc_out *x, cc_services *svc, const char *prefix)
{
    static unsigned counter;
    char *dir = cc_xasprintf("%s/%s-%u", svc->workdir, prefix, ++counter);
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return dir;
    char m[768];
    snprintf(m, sizeof m, "Could not create the directory %s for the program (%s). Check that the disk is "
             "not full; restarting the kernel makes a fresh work directory.", dir, strerror(errno));
    cc_out_error(x, "OSError", "could not create the program's directory", m);
    free(dir);
    return NULL;
}

int cc_sa_capture(cc_out *x, char *const argv[], char **out)
{
    cc_capture_opts opts = {.with_stderr = true, .max = SA_CAPTURE_MAX};
    return cc_run_captured(x, &opts, argv, false, out);
}

void cc_sa_gpu_arch(cc_services *svc, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!svc->gpu)
        return;
    json_t *rep = cc_gpu_probe_report(svc->gpu, SA_GPU_WAIT_MS);
    const char *want = getenv("CUDACELL_DEVICE");
    long idx = want && *want ? strtol(want, NULL, 10) : 0;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(rep, "devices"), i, d) {
        json_t *ix = json_object_get(d, "index");
        const char *sm = json_string_value(json_object_get(d, "sm"));
        if (sm && (json_is_integer(ix) ? json_integer_value(ix) == idx : (long)i == idx)) {
            snprintf(buf, size, "%s", sm);
            return;
        }
    }
}

/* ---- the cell's object --------------------------------------------------------- */

static char *sa_join(const char *a, const char *b)
{
    return cc_xasprintf("%s%s%s", a ? a : "", a && *a && b && *b ? " " : "", b ? b : "");
}

/* The cell planned against the session and compiled (not committed).
 * Returns the plan (and fills *cr), or NULL after reporting the error. */
static cc_plan *sa_compile_cell(cc_out *x, cc_services *svc, const cc_sa_build *b, cc_compile_res *cr)
{
    if (!svc->session)
        svc->session = cc_session_new();
    /* in a CUDA C++ session the program is C++ too (nvcc builds it) */
    cc_lang lang = b->lang >= 0 ? (cc_lang)b->lang
                 : (cc_cell_is_cuda(b->code) || cc_session_is_cxx(svc->session)) ? CC_LANG_CUDA : CC_LANG_C;
    char *err = NULL;
    memset(cr, 0, sizeof *cr);
    cc_plan *plan = cc_session_plan(svc->session, b->code, b->first_line, lang, &err);
    if (!plan) {
        const char *text = err ? err : "the cell could not be read";
        char *ev = cc_xstrndup(text, strcspn(text, "\n"));
        cc_out_error(x, "SyntaxError", ev, text);
        free(ev);
        free(err);
        return NULL;
    }
    char arch[32] = "";
    if (lang == CC_LANG_CUDA)
        cc_sa_gpu_arch(svc, arch, sizeof arch);
    char *cflags = sa_join(svc->cflags, b->cflags), *nvccflags = sa_join(svc->nvccflags, b->nvccflags);
    char *ldflags = sa_join(svc->ldflags, b->ldflags);
    cc_compile_req req = {
        .lang = lang, .source = plan->source,
        .deps = (const char *const *)plan->deps, .n_deps = plan->n_deps,
        .cflags = cflags, .nvccflags = nvccflags, .ldflags = ldflags,
        .cuda_arch = arch[0] ? arch : NULL, .workdir = svc->workdir, .cache_dir = svc->cache_dir,
    };
    cc_compile(x, &req, cr);
    free(cflags);
    free(nvccflags);
    free(ldflags);
    char *diag = cr->diagnostics && *cr->diagnostics && !cr->tool_missing
                 ? cc_diag_add_context(cr->diagnostics, b->code, b->first_line) : NULL;
    if (cr->interrupted)
        cc_out_error(x, "KeyboardInterrupt", "interrupted",
                     "KeyboardInterrupt: compilation was stopped; nothing of this cell ran.");
    else if (cr->tool_missing)
        cc_out_error(x, lang == CC_LANG_CUDA ? "NvccNotFound" : "CompilerNotFound",
                     "the compiler was not found", cr->diagnostics);
    else if (!cr->ok) {
        char *ev = cc_diag_first_error(cr->diagnostics);
        cc_out_error(x, "CompileError", ev, diag ? diag : cr->diagnostics);
        free(ev);
    } else if (diag)
        cc_out_write(x, 2, diag, strlen(diag));   /* warnings */
    free(diag);
    if (!cr->ok || cr->interrupted) {
        cc_compile_res_clear(cr);
        cc_plan_free(plan);
        return NULL;
    }
    return plan;
}

/* ---- the launcher ----------------------------------------------------------------- */

/* The C compiler ($CC, default cc) and its fixed words; NULL when not found. */
static char **sa_c_compiler(void)
{
    const char *cc = getenv("CC");
    size_t n = 0;
    char **w = cc_split_words(cc && *cc ? cc : "cc", &n, NULL);
    if (!w || n == 0) {
        cc_words_free(w);
        return NULL;
    }
    char *abs = strchr(w[0], '/') ? (access(w[0], X_OK) == 0 ? cc_xstrdup(w[0]) : NULL) : cc_spawn_find(w[0]);
    if (!abs) {
        cc_words_free(w);
        return NULL;
    }
    free(w[0]);
    w[0] = abs;
    return w;
}

/* The CUDA toolkit's library directory (next to nvcc), or NULL. */
static char *sa_cuda_libdir(void)
{
    char *nvcc = cc_nvcc_find();
    if (!nvcc)
        return NULL;
    char *slash = strrchr(nvcc, '/');
    if (slash)
        *slash = '\0';
    slash = strrchr(nvcc, '/');   /* <root>/bin → <root> */
    if (slash)
        *slash = '\0';
    char *lib = cc_xasprintf("%s/lib64", nvcc);
    free(nvcc);
    return lib;
}

static void sa_rpath(cc_strbuf *cmd, const char *dir)
{
    if (dir && *dir)
        cc_strbuf_printf(cmd, "%s-Wl,-rpath,%s", cmd->len ? "\n" : "", dir);
}

/* Write and compile the launcher against so_path. 0, or -1 after reporting. */
static int sa_link(cc_out *x, cc_services *svc, const cc_sa_build *b, const char *so_path, bool cuda,
                   const char *exe)
{
    char *src = cc_xasprintf("%s/launcher.c", b->dir);
    cc_strbuf text = {0};
    if (b->status_dir) {
        cc_strbuf_printf(&text, "#define CC_STATUS_DIR \"");
        for (const char *p = b->status_dir; *p; p++)
            cc_strbuf_printf(&text, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
        cc_strbuf_printf(&text, "\"\n");
    }
    cc_strbuf_printf(&text, "%s", cc_sa_launcher_text);
    int rc = -1;
    char **ccw = NULL, *out = NULL, *cudalib = NULL;
    cc_strbuf words = {0};
    if (cc_sa_write_file(src, text.s) != 0) {
        char m[768];
        snprintf(m, sizeof m, "Could not write %s (%s). Check that the disk is not full.", src, strerror(errno));
        cc_out_error(x, "OSError", "could not write the launcher", m);
        goto out;
    }
    if (!(ccw = sa_c_compiler())) {
        cc_out_error(x, "CompilerNotFound", "the C compiler was not found",
                     "The C compiler (cc, or $CC) was not found on PATH; it links the cell into a program. "
                     "Install gcc (sudo apt install gcc) or set CC, then run the cell again.");
        goto out;
    }
    char inc[PATH_MAX], lib[PATH_MAX];
    if (cc_display_dirs(NULL, inc, lib) < 0)
        lib[0] = '\0';
    sa_rpath(&words, svc->cache_dir);
    sa_rpath(&words, lib);
    if (cuda && (cudalib = sa_cuda_libdir()))
        sa_rpath(&words, cudalib);
    for (size_t i = 0; i < b->n_rpath; i++)
        sa_rpath(&words, b->rpath[i]);
    /* argv: the compiler's words, fixed flags, then one rpath flag per line */
    size_t n_cc = 0;
    while (ccw[n_cc])
        n_cc++;
    const char *fixed[] = {"-std=gnu17", "-O1", "-o", exe, src, so_path, "-rdynamic",
                           "-Wl,--disable-new-dtags", "-ldl"};
    size_t n_fixed = sizeof fixed / sizeof fixed[0];
    char **argv = cc_xcalloc(n_cc + n_fixed + words.len + 2, sizeof *argv);
    size_t k = 0;
    for (size_t i = 0; i < n_cc; i++)
        argv[k++] = ccw[i];
    for (size_t i = 0; i < n_fixed; i++)
        argv[k++] = (char *)fixed[i];
    for (char *save = NULL, *w = words.s ? strtok_r(words.s, "\n", &save) : NULL; w; w = strtok_r(NULL, "\n", &save))
        argv[k++] = w;
    argv[k] = NULL;
    int st = cc_sa_capture(x, argv, &out);
    free(argv);
    if (st == -2) {
        cc_out_error(x, "KeyboardInterrupt", "interrupted", "KeyboardInterrupt: linking was stopped; nothing ran.");
    } else if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char *m = cc_xasprintf("The cell compiled, but linking it into a program failed:\n%s\nCheck %%ldflags; the "
                               "program links the same libraries as the cell.", out ? out : strerror(errno));
        cc_out_error(x, "LinkError", "the program could not be linked", m);
        free(m);
    } else {
        rc = 0;
    }
out:
    free(out);
    free(cudalib);
    free(words.s);
    cc_words_free(ccw);
    free(text.s);
    free(src);
    return rc;
}

char *cc_sa_build_program(cc_out *x, cc_services *svc, const cc_sa_build *b, bool *is_cuda)
{
    cc_compile_res cr;
    cc_plan *plan = sa_compile_cell(x, svc, b, &cr);
    if (!plan)
        return NULL;
    *is_cuda = plan->lang == CC_LANG_CUDA;
    char *exe = cc_xasprintf("%s/%s", b->dir, b->exe_name);
    if (sa_link(x, svc, b, cr.so_path, *is_cuda, exe) != 0) {
        free(exe);
        exe = NULL;
    }
    cc_compile_res_clear(&cr);
    cc_plan_free(plan);
    return exe;
}

/* ---- status files ------------------------------------------------------------------ */

static int sa_status_cmp(const void *a, const void *b)
{
    long ra = ((const cc_sa_status *)a)->rank, rb = ((const cc_sa_status *)b)->rank;
    return (ra > rb) - (ra < rb);
}

size_t cc_sa_read_status(const char *dir, cc_sa_status **out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end = NULL;
        long rank = strtol(e->d_name, &end, 10);
        if (!e->d_name[0] || *end || rank < 0)
            continue;
        char path[PATH_MAX], word[16] = "";
        int value = 0;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        int got = fscanf(f, "%15s %d", word, &value);
        fclose(f);
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = cc_xrealloc(*out, cap * sizeof **out);
        }
        cc_sa_status *s = &(*out)[n++];
        s->rank = rank;
        s->value = got == 2 ? value : 0;
        s->end = got == 2 && strcmp(word, "exit") == 0 ? CC_SA_EXIT
               : got == 2 && strcmp(word, "signal") == 0 ? CC_SA_SIGNAL : CC_SA_STARTED;
    }
    closedir(d);
    if (n)
        qsort(*out, n, sizeof **out, sa_status_cmp);
    return n;
}
