/* kernel/util/spawn_capture.c — cc_spawn_capture (child_spawn.h): the one loop
 * that starts a helper with cc_spawn, reads its output whole (up to a limit,
 * a deadline, or a stop request), kills it when told to and reaps it. Every
 * helper whose output the kernel reads at once comes through here: nvcc
 * --version, nvidia-smi, addr2line, the compiler, standalone programs. */
#include "child_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "xalloc.h"

extern char **environ;

typedef struct capbuf {
    char *s;
    size_t len, cap;
} capbuf;

static void cap_append(capbuf *b, const cc_capture_opts *o, const char *p, size_t n)
{
    if (o->max && !o->keep_latest) {
        size_t room = b->len < o->max ? o->max - b->len : 0;
        n = n < room ? n : room;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = cc_xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    if (o->max && b->len > o->max) {   /* keep_latest: drop the oldest bytes */
        memmove(b->s, b->s + b->len - o->max, o->max);
        b->len = o->max;
    }
}

/* Reads what the pipe holds now; true at EOF (or a read error). */
static bool cap_drain(int fd, capbuf *b, const cc_capture_opts *o)
{
    char tmp[4096];
    for (;;) {
        ssize_t r = read(fd, tmp, sizeof tmp);
        if (r > 0)
            cap_append(b, o, tmp, (size_t)r);
        else if (r < 0 && errno == EINTR)
            continue;
        else
            return r == 0 || errno != EAGAIN;
    }
}

static void kill_child(pid_t pid)
{
    kill(-pid, SIGKILL);   /* its own group: helpers it started go too */
    kill(pid, SIGKILL);
}

/* Reads fd until EOF, the deadline or a stop; returns CC_CAPTURE_*. */
static int cap_loop(const cc_capture_opts *o, pid_t pid, int fd, capbuf *b)
{
    long long deadline = o->timeout_ms > 0 ? cc_now_ms() + o->timeout_ms : 0;
    int result = CC_CAPTURE_DONE;
    for (;;) {
        if (result == CC_CAPTURE_DONE && o->stop && o->stop(o->ctx)) {
            result = CC_CAPTURE_STOPPED;
            kill_child(pid);
        }
        int ms = 500;
        if (deadline && result == CC_CAPTURE_DONE) {
            long long left = deadline - cc_now_ms();
            if (left <= 0) {
                kill_child(pid);
                return CC_CAPTURE_TIMEOUT;
            }
            ms = left < ms ? (int)left : ms;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        if (result == CC_CAPTURE_DONE && o->wait)
            o->wait(o->ctx, &pfd, ms);
        else
            poll(&pfd, 1, result == CC_CAPTURE_DONE ? ms : 100);   /* a stop's wake fd stays readable */
        if (cap_drain(fd, b, o))
            return result;
    }
}

int cc_spawn_capture_ex(const cc_capture_opts *o, char *const argv[], char **out, size_t *out_len,
                        int *status)
{
    int p[2];
    *out = NULL;
    *status = -1;
    char *exe = strchr(argv[0], '/') ? cc_xstrdup(argv[0]) : cc_spawn_find(argv[0]);
    if (!exe) {
        errno = ENOENT;
        return -1;
    }
    if (pipe2(p, O_CLOEXEC) < 0) {
        free(exe);
        return -1;
    }
    int fds[] = {CC_SPAWN_DEVNULL, p[1], o->with_stderr ? p[1] : CC_SPAWN_DEVNULL};
    pid_t pid;
    int rc = cc_spawn(&pid, exe, argv, o->envp ? o->envp : environ, fds, 3);
    free(exe);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        errno = rc;
        return -1;
    }
    if (o->started)
        o->started(o->ctx, pid);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    capbuf b = {0};
    int result = cap_loop(o, pid, p[0], &b);
    close(p[0]);
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    *status = w < 0 ? -1 : st;
    cap_append(&b, &(cc_capture_opts){0}, "", 0);   /* room for the NUL */
    b.s[b.len] = '\0';
    *out = b.s;
    if (out_len)
        *out_len = b.len;
    return result;
}

int cc_spawn_capture(char *const argv[], char *const envp[], int timeout_ms, char **out, size_t *out_len,
                     int *status)
{
    cc_capture_opts o = {.envp = envp, .timeout_ms = timeout_ms};
    return cc_spawn_capture_ex(&o, argv, out, out_len, status);
}
