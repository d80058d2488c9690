/* kernel/pipeline/compiler_tool.c — finding the compiler ($CC or nvcc, resolved to
 * an absolute path, with a message saying how to install it when it is
 * missing) and running it: its own process group, registered as the
 * interrupt target (killed at once), TMPDIR in the private work directory,
 * its output collected (compiler_int.h). */
#include "compiler_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_output.h"
#include "cellutil.h"
#include "child_spawn.h"
#include "interrupt.h"
#include "nvcc.h"
#include "xalloc.h"

extern char **environ;

#define CC_DIAG_MAX (1u << 20)   /* keep at most 1 MiB of compiler output */

/* ---- finding the compiler -------------------------------------------------- */

static char *c_missing_message(const char *cc, bool cxx)
{
    if (cxx)
        return cc_xasprintf(
                     "The C++ compiler \"%s\" was not found%s. cudacell compiles the cells of a CUDA "
                     "session that have no device code with it. Install a C++ compiler (for example "
                     "`sudo apt install g++` on Debian/Ubuntu), or set the CXX environment variable to "
                     "the compiler's path before starting Jupyter, then run the cell again.",
                     cc, strchr(cc, '/') ? "" : " on PATH");
    return cc_xasprintf(
                 "The C compiler \"%s\" was not found%s. cudacell compiles every C cell with it. "
                 "Install a C compiler (for example `sudo apt install gcc` on Debian/Ubuntu, "
                 "`sudo dnf install gcc` on Fedora), or set the CC environment variable to the "
                 "compiler's path before starting Jupyter, then run the cell again.",
                 cc, strchr(cc, '/') ? "" : " on PATH");
}

char **cc_compiler_find(const cc_compile_req *req, cc_compile_res *res)
{
    if (req->lang == CC_LANG_CUDA) {
        char *nvcc = cc_nvcc_find();
        if (!nvcc) {
            res->tool_missing = true;
            free(res->diagnostics);
            res->diagnostics = cc_nvcc_missing_message();
            return NULL;
        }
        char **v = cc_xcalloc(2, sizeof *v);
        v[0] = nvcc;
        return v;
    }
    if (req->lang == CC_LANG_CXX) {   /* the host C++ compiler, with the toolkit's headers */
        char *root = cc_cuda_root();
        free(root);
        if (!root) {
            res->tool_missing = true;
            free(res->diagnostics);
            res->diagnostics = cc_nvcc_missing_message();
            return NULL;
        }
    }
    const char *cc = getenv(req->lang == CC_LANG_CXX ? "CXX" : "CC");
    size_t n = 0;
    char **v = cc_split_words(cc && *cc ? cc : req->lang == CC_LANG_CXX ? "c++" : "cc", &n, NULL);
    char *abs = (v && n) ? cc_spawn_find(v[0]) : NULL;
    if (!abs) {
        res->tool_missing = true;
        free(res->diagnostics);
        res->diagnostics = c_missing_message(v && n ? v[0] : (cc ? cc : "cc"), req->lang == CC_LANG_CXX);
        cc_words_free(v);
        return NULL;
    }
    free(v[0]);
    v[0] = abs;
    return v;
}

/* ---- running the compiler ----------------------------------------------------- */

char **cc_compiler_env(const char *workdir, char **owned)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = cc_xcalloc(n + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TMPDIR=", 7) != 0)
            env[k++] = environ[i];
    *owned = cc_xasprintf("TMPDIR=%s", workdir);
    env[k++] = *owned;
    env[k] = NULL;
    return env;
}

static bool rc_stop(void *ctx)
{
    (void)ctx;
    return cc_intr_count() > 0;
}

static int rc_wait(void *ctx, struct pollfd *pfd, int timeout_ms)
{
    return cc_out_poll(ctx, pfd, 1, timeout_ms);
}

static void rc_started(void *ctx, pid_t pid)
{
    (void)ctx;
    cc_intr_set_target(pid, CC_INTR_COMPILER);
}

int cc_run_captured(cc_out *o, cc_capture_opts *opts, char *const argv[], bool compiler_target, char **out)
{
    int status;
    opts->stop = rc_stop;
    opts->wait = rc_wait;
    opts->started = compiler_target ? rc_started : NULL;
    opts->ctx = o;
    int rc = cc_spawn_capture_ex(opts, argv, out, NULL, &status);
    if (compiler_target)
        cc_intr_clear_target();
    if (rc < 0)
        return -1;
    return rc == CC_CAPTURE_STOPPED ? -2 : status == -1 ? 0 : status;
}

int cc_compiler_run(cc_out *o, char **argv, const char *workdir, char **out)
{
    char *tmpdir_owned = NULL;
    char **env = cc_compiler_env(workdir, &tmpdir_owned);
    cc_capture_opts opts = {.envp = env, .with_stderr = true, .max = CC_DIAG_MAX, .keep_latest = true};
    int st = cc_run_captured(o, &opts, argv, true, out);
    free(env);
    free(tmpdir_owned);
    return st;
}
