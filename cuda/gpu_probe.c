/* cuda/gpu_probe.c — GPU discovery in the background. The kernel starts
 * `cudacell-gpuinfo` (cc_spawn, stdout to a pipe) at startup and parses
 * its JSON report once it has finished; the kernel process itself never
 * loads a CUDA library. A probe may be asked for its report from the server
 * thread (kernel_info banner) and the shell worker, so it has a mutex; it
 * is never held while waiting for the helper, and a caller that will not
 * wait (timeout 0) does not wait for the mutex either. The report, once
 * set, never changes; it is published with release/acquire atomics.
 * $CUDACELL_GPUINFO, when set, names the helper to run instead of
 * <exe_dir>/cudacell-gpuinfo.
 *
 * Ownership: the probe owns its pipe, child pid, buffer and report; the
 * report returned by cc_gpu_probe_report is borrowed and lives as long as
 * the probe. */
#include "child_spawn.h"
#include "gpu_probe.h"
#include "nvcc.h"
#include "clock.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GPUINFO_EXE "cudacell-gpuinfo"
#define GPUINFO_MAX_OUTPUT (1 << 20)

struct cc_gpu_probe {
    pthread_mutex_t lock;
    pid_t pid;          /* child, 0 once reaped (or never started) */
    int fd;             /* read end of its stdout, -1 once closed */
    char *buf;          /* its output so far */
    size_t len, cap;
    json_t *report;     /* parsed report once done, owned; set once (atomically) */
    char *exe;          /* path of cudacell-gpuinfo, for messages */
};

/* A report of our own for when the helper could not tell us anything. */
static json_t *error_report(const char *message)
{
    return json_pack("{s:s, s:s, s:n, s:n, s:[], s:n}", "status", "error",
                     "message", message, "driver_version", "runtime_version",
                     "devices", "nvcc");
}


/* Set the report (once; takes r). */
static void publish(cc_gpu_probe *p, json_t *r)
{
    __atomic_store_n(&p->report, r, __ATOMIC_RELEASE);
}

static json_t *published(cc_gpu_probe *p)
{
    return __atomic_load_n(&p->report, __ATOMIC_ACQUIRE);
}

static int spawn_gpuinfo(cc_gpu_probe *p)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return errno;
    /* the child's end must block: clear O_NONBLOCK on the write side */
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) & ~O_NONBLOCK);

    int cfds[] = { CC_SPAWN_DEVNULL, fds[1], CC_SPAWN_DEVNULL };
    char *argv[] = { p->exe, NULL };
    int rc = cc_spawn(&p->pid, p->exe, argv, environ, cfds, 3);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        p->pid = 0;
        return rc;
    }
    p->fd = fds[0];
    return 0;
}

cc_gpu_probe *cc_gpu_probe_start(const char *exe_dir)
{
    cc_gpu_probe *p = cc_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->fd = -1;
    const char *dir = exe_dir && *exe_dir ? exe_dir : ".";
    const char *forced = getenv("CUDACELL_GPUINFO");
    p->exe = forced && *forced ? cc_xstrdup(forced) : cc_xasprintf("%s/%s", dir, GPUINFO_EXE);

    int rc = spawn_gpuinfo(p);
    if (rc != 0) {
        char msg[1024];
        snprintf(msg, sizeof msg,
                 "GPU detection could not start: %s cannot be run (%s). The kernel's "
                 "installation is incomplete; reinstall cudacell. C cells work; CUDA cells "
                 "use the default architecture " CC_CUDA_DEFAULT_ARCH ".", p->exe, strerror(rc));
        publish(p, error_report(msg));
    }
    return p;
}

/* Reap the child; if it is still running, kill it first (only on free). */
static void reap(cc_gpu_probe *p, int kill_it, int *wstatus)
{
    if (p->pid <= 0)
        return;
    if (kill_it)
        kill(p->pid, SIGKILL);
    int st = 0;
    pid_t r;
    while ((r = waitpid(p->pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (wstatus)
        *wstatus = r == p->pid ? st : 0;   /* someone else reaped it: assume fine */
    p->pid = 0;
}

void cc_gpu_probe_free(cc_gpu_probe *p)
{
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd);
    reap(p, 1, NULL);
    free(p->buf);
    free(p->exe);
    json_decref(p->report);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* The helper closed its stdout: reap it and turn its output into a report. */
static void finish(cc_gpu_probe *p)
{
    close(p->fd);
    p->fd = -1;
    int st = 0;
    reap(p, 0, &st);

    json_error_t jerr;
    json_t *r = p->buf ? json_loadb(p->buf, p->len, 0, &jerr) : NULL;
    if (r && json_is_object(r) && json_is_string(json_object_get(r, "status"))) {
        publish(p, r);
        return;
    }
    json_decref(r);
    char msg[1024];
    if (WIFSIGNALED(st))
        snprintf(msg, sizeof msg,
                 "GPU detection crashed (%s was killed by signal %d, %s), which usually means "
                 "a broken NVIDIA driver install. Check that nvidia-smi works. C cells work; "
                 "CUDA cells use the default architecture " CC_CUDA_DEFAULT_ARCH ".",
                 p->exe, WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(msg, sizeof msg,
                 "GPU detection failed: %s gave no readable report (exit status %d). "
                 "Run it in a terminal to see why. C cells work; CUDA cells use the default "
                 "architecture " CC_CUDA_DEFAULT_ARCH ".", p->exe, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    publish(p, error_report(msg));
}

/* Read what is available; returns 1 at EOF (or on a read error). */
static int drain(cc_gpu_probe *p)
{
    for (;;) {
        if (p->cap - p->len < 4096) {
            size_t ncap = p->cap ? p->cap * 2 : 8192;
            p->buf = cc_xrealloc(p->buf, ncap);
            p->cap = ncap;
        }
        ssize_t r = read(p->fd, p->buf + p->len, p->cap - p->len);
        if (r > 0) {
            p->len += (size_t)r;
            if (p->len > GPUINFO_MAX_OUTPUT)
                return 1;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return 1;
    }
}

/* Under the lock: read what the helper wrote; finish at its end. Returns
 * the fd to wait on, or -1 when there is a report. */
static int step(cc_gpu_probe *p)
{
    if (!p->report && p->fd >= 0 && drain(p))
        finish(p);
    return p->report ? -1 : p->fd;
}

json_t *cc_gpu_probe_report(cc_gpu_probe *p, int timeout_ms)
{
    if (!p)
        return NULL;
    long long deadline = cc_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    while (!published(p)) {
        if (timeout_ms <= 0) {
            if (pthread_mutex_trylock(&p->lock) != 0)
                break;   /* another thread is reading it: not done yet, as far as we wait */
        } else {
            pthread_mutex_lock(&p->lock);
        }
        int fd = step(p);
        pthread_mutex_unlock(&p->lock);
        long long left = deadline - cc_now_ms();
        if (fd < 0 || left <= 0)
            break;
        /* Wait without the lock, in short slices: another thread may
         * finish the probe (and close fd) meanwhile. */
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, left < 50 ? (int)left : 50) < 0 && errno != EINTR)
            break;
    }
    return published(p);
}

json_t *cc_gpu_probe_now(const char *exe_dir, int timeout_ms)
{
    cc_gpu_probe *p = cc_gpu_probe_start(exe_dir);
    json_t *r = cc_gpu_probe_report(p, timeout_ms);
    if (r) {
        json_incref(r);
    } else {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "GPU detection did not finish within %d seconds; the NVIDIA driver may be "
                 "hung or still loading. Check that nvidia-smi answers, then try again.",
                 (timeout_ms + 999) / 1000);
        r = error_report(msg);
    }
    cc_gpu_probe_free(p);
    return r;
}

/* Short reason for the banner, by status word. */
static const char *short_reason(const char *status)
{
    if (strcmp(status, "no-driver") == 0)
        return "no NVIDIA driver";
    if (strcmp(status, "driver-too-old") == 0)
        return "NVIDIA driver too old for this CUDA toolkit";
    if (strcmp(status, "no-device") == 0)
        return "the driver sees no device";
    return "GPU detection failed";
}

char *cc_gpu_banner_line(cc_gpu_probe *p, int timeout_ms)
{
    json_t *r = cc_gpu_probe_report(p, timeout_ms);
    if (!r)
        return cc_xstrdup("GPU detection still running");

    const char *status = json_string_value(json_object_get(r, "status"));
    const char *nvcc = json_string_value(json_object_get(r, "nvcc"));
    json_t *devs = json_object_get(r, "devices");
    char gpu[512], tool[64];
    if (nvcc)
        snprintf(tool, sizeof tool, "nvcc %s", nvcc);
    else
        snprintf(tool, sizeof tool, "nvcc not found");

    if (status && strcmp(status, "ok") == 0 && json_array_size(devs) > 0) {
        json_t *d0 = json_array_get(devs, 0);
        size_t more = json_array_size(devs) - 1;
        char extra[48] = "";
        if (more)
            snprintf(extra, sizeof extra, " (+%zu more)", more);
        snprintf(gpu, sizeof gpu, "GPU 0: %s (%s)%s",
                 json_string_value(json_object_get(d0, "name")) ?: "unknown GPU",
                 json_string_value(json_object_get(d0, "sm")) ?: "?", extra);
    } else {
        snprintf(gpu, sizeof gpu, "No GPU found (%s)", short_reason(status ? status : "error"));
    }

    return cc_xasprintf("%s \xc2\xb7 %s", gpu, tool);
}
