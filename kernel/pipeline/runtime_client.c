/* kernel/pipeline/runtime_client.c — the runtime process's lifetime (see
 * runtime_client.h and runtime/proto/rt_proto.h): starts `cudacell-runtime` (own
 * process group, LD_LIBRARY_PATH with libcudacell's and CUDA's library
 * directories, never the compile cache: cells are loaded by absolute path
 * and name their dependencies by absolute path, and libcudacell is loaded by
 * absolute path before anything else), stops and restarts it. One run —
 * the commands, the replies and the output relayed to the engine's cc_out —
 * is runtime_run.c.
 *
 * Owns: the process (stopped and reaped by cc_rt_restart / cc_rt_free:
 * end-of-file and SIGTERM first, so it can end what its cells left running,
 * then SIGKILL), the four pipe ends, the list of objects to load into the
 * next process. */
#include "child_spawn.h"
#include "runtime_client.h"
#include "runtime_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "display_dirs.h"
#include "log.h"
#include "xalloc.h"

extern char **environ;

#define RT_EXE_NAME "cudacell-runtime"
#define RT_STOP_WAIT_MS 3000   /* after SIGTERM, wait this long before SIGKILL */
#define RT_END_WAIT_MS 2500    /* %reset / shutdown: the runtime's own end (destructors: 2 s) */

/* ---- process lifetime ------------------------------------------------------ */

void cc_rt_close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void free_preload(cc_runtime *rt)
{
    for (size_t i = 0; i < rt->n_preload; i++)
        free(rt->preload[i]);
    free(rt->preload);
    rt->preload = NULL;
    rt->n_preload = 0;
}

/* Reaps pid if it exits within ms; returns true with *status then. */
static bool reap_within(pid_t pid, int ms, int *status)
{
    for (int waited = 0;; waited += 5) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR))
            return got == pid;
        if (waited >= ms)
            return false;
        usleep(5000);
    }
}

/* Stop (if alive) and reap; returns the wait status, or -1 if none. The
 * runtime first gets end-of-file on its commands and SIGTERM, on which it
 * ends every process its cells left running (it is their subreaper); one
 * that does not go within RT_STOP_WAIT_MS is killed with its group. */
int cc_rt_stop_process(cc_runtime *rt)
{
    int status = -1;
    cc_rt_close_fd(&rt->cmd_fd);
    if (rt->pid > 0) {
        kill(rt->pid, SIGTERM);
        if (!reap_within(rt->pid, RT_STOP_WAIT_MS, &status)) {
            kill(-rt->pid, SIGKILL);
            kill(rt->pid, SIGKILL);
            while (waitpid(rt->pid, &status, 0) < 0 && errno == EINTR)
                ;
        }
    }
    rt->pid = 0;
    cc_rt_close_fd(&rt->reply_fd);
    cc_rt_close_fd(&rt->out_fd);
    cc_rt_close_fd(&rt->err_fd);
    rt_inbuf_free(&rt->in);
    rt->loads_pending = 0;
    return status;
}

cc_runtime *cc_rt_new(const char *exe_dir, const char *cache_dir, const char *workdir)
{
    cc_runtime *rt = cc_xcalloc(1, sizeof *rt);
    rt->cmd_fd = rt->reply_fd = rt->out_fd = rt->err_fd = -1;
    rt->exe = cc_xasprintf("%s/%s", exe_dir ? exe_dir : ".", RT_EXE_NAME);
    rt->cache_dir = cc_xstrdup(cache_dir ? cache_dir : ".");
    rt->workdir = cc_xstrdup(workdir ? workdir : "/tmp");
    return rt;
}

void cc_rt_free(cc_runtime *rt)
{
    if (!rt)
        return;
    /* An idle runtime sees its command pipe close and runs the destructors
     * cells registered (class-type globals), then exits; give it the time
     * to, before the usual SIGTERM. */
    cc_rt_close_fd(&rt->cmd_fd);
    int status;
    if (rt->pid > 0 && reap_within(rt->pid, RT_END_WAIT_MS, &status))
        rt->pid = 0;
    cc_rt_stop_process(rt);
    free_preload(rt);
    free(rt->note);
    free(rt->crash);
    free(rt->exe);
    free(rt->cache_dir);
    free(rt->workdir);
    free(rt);
}

int cc_rt_pid(const cc_runtime *rt) { return rt ? (int)rt->pid : 0; }

/* libcudacell's directory into lib (PATH_MAX), "" when not found (cells
 * linking it failed to compile already). Looked up from the directory the
 * runtime program lives in (the kernel's). */
static void display_lib_dir(const cc_runtime *rt, char *lib)
{
    char exe_dir[PATH_MAX], inc[PATH_MAX];
    snprintf(exe_dir, sizeof exe_dir, "%s", rt->exe);
    char *slash = strrchr(exe_dir, '/');
    if (slash)
        *slash = '\0';
    if (cc_display_dirs(slash ? exe_dir : NULL, inc, lib) < 0)
        lib[0] = '\0';
}

/* LD_LIBRARY_PATH=<libcudacell dir>:<cuda lib>:<old>. malloc'd. The
 * compile cache is never on it: a file planted there must not be found. */
static char *library_path(const cc_runtime *rt)
{
    const char *home = getenv("CUDA_HOME");
    const char *old = getenv("LD_LIBRARY_PATH");
    char cuda[4096] = "";
    char lib[PATH_MAX];
    struct stat st;
    if (home && *home) {
        snprintf(cuda, sizeof cuda, "%s/lib64", home);
        if (stat(cuda, &st) != 0)
            cuda[0] = '\0';
    }
    if (!cuda[0] && stat("/usr/local/cuda/lib64", &st) == 0)
        snprintf(cuda, sizeof cuda, "/usr/local/cuda/lib64");
    display_lib_dir(rt, lib);
    return cc_xasprintf("LD_LIBRARY_PATH=%s%s%s%s%s", lib, lib[0] && cuda[0] ? ":" : "", cuda,
                        (lib[0] || cuda[0]) && old && *old ? ":" : "", old && *old ? old : "");
}

static void send_load(cc_runtime *rt, const char *path)
{
    rt_buf b = {0};
    rt_put_str(&b, path);
    if (rt_send_buf(rt->cmd_fd, RT_C_LOAD, &b) == 0)
        rt->loads_pending++;
    rt_buf_free(&b);
}

/* A child-side pipe end moved above the fds the child uses (0-4), so the
 * dup2 file actions cannot overwrite one another. */
static int high_fd(int fd)
{
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

int cc_rt_start_process(cc_runtime *rt, char **err)
{
    int cmd[2] = {-1, -1}, rep[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
    char *argv[] = {rt->exe, NULL};
    char *ldpath = NULL;
    char **env = NULL;
    int rc;

    *err = NULL;
    if (access(rt->exe, X_OK) != 0) {
        cc_set_error(err, "The runtime program %s is missing or not executable (%s). It runs the compiled "
                          "cells and is installed next to the cudacell kernel; rebuild or reinstall "
                          "cudacell.", rt->exe, strerror(errno));
        return -1;
    }
    if (pipe2(cmd, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(er, O_CLOEXEC) < 0)
        goto fail;
    cmd[0] = high_fd(cmd[0]);
    rep[1] = high_fd(rep[1]);
    out[1] = high_fd(out[1]);
    er[1] = high_fd(er[1]);
    if (cmd[0] < 0 || rep[1] < 0 || out[1] < 0 || er[1] < 0)
        goto fail;

    size_t n = 0;
    while (environ[n])
        n++;
    env = cc_xcalloc(n + 2, sizeof *env);
    ldpath = library_path(rt);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_LIBRARY_PATH=", 16) != 0)
            env[k++] = environ[i];
    env[k++] = ldpath;
    env[k] = NULL;

    int fds[] = {CC_SPAWN_DEVNULL, out[1], er[1], cmd[0], rep[1]};
    rc = cc_spawn(&rt->pid, rt->exe, argv, env, fds, 5);
    free(env);
    free(ldpath);
    env = NULL;
    ldpath = NULL;
    cc_rt_close_fd(&cmd[0]);
    cc_rt_close_fd(&rep[1]);
    cc_rt_close_fd(&out[1]);
    cc_rt_close_fd(&er[1]);
    if (rc != 0) {
        rt->pid = 0;
        errno = rc;
        goto fail;
    }
    rt->cmd_fd = cmd[1];
    rt->reply_fd = rep[0];
    rt->out_fd = out[0];
    rt->err_fd = er[0];
    fcntl(rt->reply_fd, F_SETFL, O_NONBLOCK);
    fcntl(rt->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(rt->err_fd, F_SETFL, O_NONBLOCK);
    free(rt->note);
    rt->note = NULL;
    free(rt->crash);
    rt->crash = NULL;

    /* libcudacell by absolute path first: every cell's DT_NEEDED
     * "libcudacell.so" then matches it and no search path is consulted. */
    char lib[PATH_MAX], *libso = NULL;
    display_lib_dir(rt, lib);
    if (lib[0]) {
        libso = cc_xasprintf("%s/libcudacell.so", lib);
        send_load(rt, libso);
        free(libso);
    }
    /* The objects of earlier cells: their functions and types stay usable. */
    for (size_t i = 0; i < rt->n_preload; i++)
        send_load(rt, rt->preload[i]);
    free_preload(rt);
    cc_log_info("runtime started, pid %d", (int)rt->pid);
    return 0;

fail:
    cc_set_error(err, "Cannot start the runtime process %s: %s.", rt->exe, strerror(errno));
    for (int i = 0; i < 2; i++) {
        cc_rt_close_fd(&cmd[i]);
        cc_rt_close_fd(&rep[i]);
        cc_rt_close_fd(&out[i]);
        cc_rt_close_fd(&er[i]);
    }
    free(env);
    free(ldpath);
    return -1;
}

void cc_rt_restart(cc_runtime *rt, const char *const *sonames, size_t n)
{
    if (!rt)
        return;
    cc_rt_stop_process(rt);
    free_preload(rt);
    rt->preload = cc_xcalloc(n ? n : 1, sizeof *rt->preload);
    for (size_t i = 0; i < n; i++)
        rt->preload[rt->n_preload++] = sonames[i][0] == '/' ? cc_xstrdup(sonames[i])
                                                            : cc_xasprintf("%s/%s", rt->cache_dir, sonames[i]);
}
