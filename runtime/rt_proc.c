/* runtime/rt_proc.c — see rt_proc.h. Owns the private fds (the channel and
 * the copies of stdout/stderr) and the runtime's descendants.
 *
 * Private fds sit at the top of the first 1024 fds (or of a smaller soft
 * limit): a cell's own open() gets the lowest free number, and
 * close(3); close(4) no longer touches the kernel's channel. They are
 * close-on-exec, so programs a cell starts do not hold them. */
#include "rt_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rt_proto.h"

#define RT_PRIVATE_FD_TOP 1024

int rt_cmd_fd = RT_CMD_FD, rt_reply_fd = RT_REPLY_FD;
static int rt_out_copy = -1, rt_err_copy = -1;
static FILE *rt_stdout0, *rt_stderr0;
static struct stat rt_cmd_st, rt_reply_st;
static pid_t rt_pid;   /* the runtime itself, not a process a cell forked */

/* For libcudacell (runtime/display), which a cell loads: where the channel is. */
__attribute__((visibility("default"))) void cudacell_runtime_fds(int *cmd, int *reply)
{
    *cmd = rt_cmd_fd;
    *reply = rt_reply_fd;
}

/* fd duplicated to the lowest free number >= base (close-on-exec); the
 * original is closed when close_old. Returns the new fd, or fd on failure. */
static int move_fd(int fd, int base, int close_old)
{
    int h = fcntl(fd, F_DUPFD_CLOEXEC, base);
    if (h < 0)
        return fd;
    if (close_old)
        close(fd);
    return h;
}

int rt_proc_init(void)
{
    struct rlimit rl;
    int top = RT_PRIVATE_FD_TOP;
    if (fcntl(RT_CMD_FD, F_GETFD) < 0 || fcntl(RT_REPLY_FD, F_GETFD) < 0)
        return -1;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)top)
        top = (int)rl.rlim_cur;
    int base = top - 8 > 10 ? top - 8 : 10;
    rt_cmd_fd = move_fd(RT_CMD_FD, base, 1);
    rt_reply_fd = move_fd(RT_REPLY_FD, base, 1);
    fcntl(rt_cmd_fd, F_SETFD, FD_CLOEXEC);   /* when they could not move */
    fcntl(rt_reply_fd, F_SETFD, FD_CLOEXEC);
    fstat(rt_cmd_fd, &rt_cmd_st);
    fstat(rt_reply_fd, &rt_reply_st);
    rt_out_copy = move_fd(1, base, 0);
    rt_err_copy = move_fd(2, base, 0);
    if (rt_out_copy == 1)
        rt_out_copy = -1;
    if (rt_err_copy == 2)
        rt_err_copy = -1;
    rt_stdout0 = stdout;
    rt_stderr0 = stderr;
    rt_pid = getpid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    return 0;
}

void rt_proc_restore_stdio(void)
{
    if (stdout != rt_stdout0)
        stdout = rt_stdout0;
    if (stderr != rt_stderr0)
        stderr = rt_stderr0;
    if (rt_out_copy >= 0)
        dup2(rt_out_copy, 1);
    if (rt_err_copy >= 0)
        dup2(rt_err_copy, 2);
    clearerr(stdout);
    clearerr(stderr);
}

static int same_file(int fd, const struct stat *want)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

int rt_proc_channel_ok(void)
{
    return same_file(rt_cmd_fd, &rt_cmd_st) && same_file(rt_reply_fd, &rt_reply_st);
}

_Noreturn void rt_proc_channel_lost(void)
{
    static const char msg[] =
        "\ncudacell: the cell closed file descriptors that belong to the runtime process "
        "(its connection to the kernel), so the runtime cannot report back and ends now.\n";
    rt_proc_restore_stdio();
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    rt_proc_end_descendants();
    _exit(RT_EXIT_CHANNEL_CLOSED);
}

_Noreturn void rt_proc_channel_failed(void)
{
    if (!rt_proc_channel_ok())
        rt_proc_channel_lost();
    fflush(stdout);
    fflush(stderr);
    rt_proc_end_descendants();
    _exit(0);
}

/* ---- descendants (async-signal-safe: no stdio, no malloc) ----------------- */

/* Parent pid of pid from /proc/PID/stat ("pid (comm) state ppid ..."), or -1. */
static pid_t parent_of(const char *pid_name)
{
    char path[64] = "/proc/", buf[512];
    size_t n = 6;
    for (const char *p = pid_name; *p && n < sizeof path - 6; p++)
        path[n++] = *p;
    memcpy(path + n, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return -1;
    buf[r] = '\0';
    char *p = strrchr(buf, ')');   /* comm may hold spaces and parentheses */
    if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
        return -1;
    pid_t pp = 0;
    for (p += 4; *p >= '0' && *p <= '9'; p++)
        pp = pp * 10 + (*p - '0');
    return pp;
}

struct rt_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* SIGKILL every child of this process. */
static void kill_children(pid_t self)
{
    char buf[8192] __attribute__((aligned(8)));   /* getdents64 records hold 8-byte fields */
    long n;
    int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct rt_dirent64 *d = (struct rt_dirent64 *)(void *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] < '1' || d->d_name[0] > '9' || parent_of(d->d_name) != self)
                continue;
            pid_t pid = 0;
            for (const char *p = d->d_name; *p >= '0' && *p <= '9'; p++)
                pid = pid * 10 + (*p - '0');
            kill(pid, SIGKILL);
        }
    }
    close(dfd);
}

void rt_proc_end_descendants(void)
{
    pid_t self = getpid();
    int saved = errno;
    if (self != rt_pid)
        return;   /* a process a cell forked: its children are its own business */
    for (int round = 0; round < 200; round++) {
        kill_children(self);
        pid_t r;
        while ((r = waitpid(-1, NULL, WNOHANG | __WALL)) > 0)
            ;
        if (r < 0 && errno == ECHILD)
            break;   /* no child left, not even one adopted since the scan */
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    errno = saved;
}
