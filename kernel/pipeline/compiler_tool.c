/* kernel/pipeline/compiler_tool.c — finding the compiler ($CC or nvcc, resolved to
 * an absolute path, with a message saying how to install it when it is
 * missing) and running it: its own process group, registered as the
 * interrupt target (killed at once), TMPDIR in the private work directory,
 * its output collected (compiler_int.h). */
#include "compiler_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc_output.h"
#include "cellutil.h"
#include "child_spawn.h"
#include "interrupt.h"
#include "nvcc.h"

extern char **environ;

#define CC_DIAG_MAX (1u << 20)   /* keep at most 1 MiB of compiler output */

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

int cc_compiler_run(cc_out *o, char **argv, const char *workdir, char **out)
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
            cc_out_poll(o, &pfd, 1, 500);
        /* The fd is non-blocking: just try. */
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
