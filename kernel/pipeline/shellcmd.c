/* kernel/pipeline/shellcmd.c — `!cmd` lines and %%bash scripts, run under a
 * pseudo-terminal the way Colab does: the program sees a terminal (so it
 * line-buffers and draws progress bars), output streams to the frontend as
 * it arrives, stdin is /dev/null, and interrupts go to the command's own
 * process group (interrupt.c escalates SIGINT → SIGTERM → SIGKILL).
 *
 * Owns: the child process and the pty master for the duration of one call.
 * Everything the child needs (argv, envp, paths) is prepared before fork(),
 * so the child only makes async-signal-safe calls before execve(). */
#include "shellcmd.h"
#include "child_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cc_output.h"
#include "interrupt.h"
#include "outstream.h"
#include "clock.h"
#include "xalloc.h"

extern char **environ;

#define SH_READ_CHUNK 65536
#define SH_COLS 120
#define SH_ROWS 40
/* After the command exits, how long to keep reading output still in flight
 * when a background process it started keeps the terminal open. */
#define SH_DRAIN_MS 200
/* Longest script %%bash passes as one argument (Linux: 128 KiB per arg). */
#define SH_MAX_SCRIPT (128 * 1024 - 1)

/* Variables we set for the child, replacing any inherited value. */
static const char *const sh_env_override[] = {
    "TERM=xterm-color", "PAGER=cat", "GIT_PAGER=cat", "MANPAGER=cat",
    "GIT_TERMINAL_PROMPT=0", "COLUMNS=120", "LINES=40",
};
#define N_OVERRIDE (sizeof sh_env_override / sizeof sh_env_override[0])

/* The child's environment: the kernel's, with sh_env_override applied.
 * The array is malloc'd (free it); its strings are borrowed. */
static char **sh_build_env(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = cc_xmalloc((n + N_OVERRIDE + 1) * sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < N_OVERRIDE && !replaced; j++) {
            size_t nl = strchr(sh_env_override[j], '=') - sh_env_override[j] + 1;
            replaced = strncmp(environ[i], sh_env_override[j], nl) == 0;
        }
        if (!replaced)
            env[k++] = environ[i];
    }
    for (size_t j = 0; j < N_OVERRIDE; j++)
        env[k++] = (char *)sh_env_override[j];
    env[k] = NULL;
    return env;
}

static void sh_start_error(cc_out *x, const char *what, int err)
{
    char evalue[256], tb[768];
    snprintf(evalue, sizeof evalue, "could not start the shell command: %s: %s", what, strerror(err));
    snprintf(tb, sizeof tb,
             "The kernel could not start the command (%s failed: %s). This usually means the machine is out "
             "of processes, memory or pseudo-terminals; close other programs or restart the kernel and try again.",
             what, strerror(err));
    cc_out_error(x, "OSError", evalue, tb);
}

/* In the child, after fork(): become a session leader with the pty as the
 * controlling terminal, stdin from /dev/null, default signals, then exec.
 * Only async-signal-safe calls here. Never returns. */
static void sh_child(int slave, const char *exe, char *const argv[], char *const envp[])
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);   /* fails harmlessly for KILL/STOP and RT gaps */

    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, 0);
        if (devnull > 2)
            close(devnull);
    }
    dup2(slave, 1);
    dup2(slave, 2);
    close_range(3, ~0U, 0);
    execve(exe, argv, envp);
    static const char msg[] = "cudacell: could not run the shell\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
}

/* Open a pty with our size and plain "\n" output (no OPOST), no echo. */
static int sh_open_pty(int *master, int *slave)
{
    struct winsize ws = { .ws_row = SH_ROWS, .ws_col = SH_COLS };
    if (openpty(master, slave, NULL, NULL, &ws) != 0)
        return -1;
    struct termios t;
    if (tcgetattr(*slave, &t) == 0) {
        t.c_oflag &= ~(tcflag_t)OPOST;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        tcsetattr(*slave, TCSANOW, &t);
    }
    fcntl(*master, F_SETFD, FD_CLOEXEC);
    fcntl(*master, F_SETFL, fcntl(*master, F_GETFL) | O_NONBLOCK);
    return 0;
}

typedef struct sh_run {
    cc_out *x;
    int master;
    pid_t pid;
    bool eof;          /* the master reported EOF/EIO: no writer left */
    bool exited;       /* the child has exited (not yet reaped until the end) */
    bool pending;      /* output written since the last flush */
    bool interrupted;
    long long exit_ms;
} sh_run;

/* Read what is there (up to a few chunks) and stream it. */
static void sh_read(sh_run *r, char *buf)
{
    for (int rounds = 0; rounds < 16; rounds++) {
        ssize_t n = read(r->master, buf, SH_READ_CHUNK);
        if (n > 0) {
            cc_out_write(r->x, 1, buf, (size_t)n);
            r->pending = true;
            continue;
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            r->eof = true;   /* EIO: every slave side is closed */
        return;
    }
}

/* Has the child exited? Checked without reaping it, so its pid (= the
 * process group interrupt.c signals) cannot be reused while registered. */
static void sh_check_exit(sh_run *r)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc = waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT);
    /* ECHILD: someone else reaped it (SIGCHLD ignored, or a reaper) */
    if ((rc == 0 && si.si_pid == r->pid) || (rc < 0 && errno == ECHILD)) {
        r->exited = true;
        r->exit_ms = cc_now_ms();
    }
}

static int sh_wait_loop(sh_run *r)
{
    char *buf = cc_xmalloc(SH_READ_CHUNK);
    int eof_polls = 0;
    for (;;) {
        if (!r->exited)
            sh_check_exit(r);
        if (r->exited && (r->eof || cc_now_ms() - r->exit_ms > SH_DRAIN_MS))
            break;
        struct pollfd pfd = { .fd = r->master, .events = POLLIN };
        int nfds = r->eof ? 0 : 1;
        int timeout = r->pending ? 20 : r->exited ? 20 : 100;
        /* EOF usually comes a moment before the exit: look again soon */
        if (r->eof && !r->exited)
            timeout = eof_polls++ < 50 ? 1 : 50;
        int pr;
        /* Once the interrupt is seen, the wake fd stays readable until the
         * request ends: wait on the pty alone so we do not spin. */
        if (r->interrupted)
            pr = poll(nfds ? &pfd : NULL, (nfds_t)nfds, timeout);
        else
            pr = cc_out_poll(r->x, nfds ? &pfd : NULL, nfds, timeout);
        cc_intr_tick();
        if (!r->interrupted && cc_intr_count() > 0)
            r->interrupted = true;
        /* any event: data, or (POLLHUP) EOF */
        if (pr > 0 && nfds && pfd.revents)
            sh_read(r, buf);
        else if (r->pending) {
            cc_out_flush(r->x);
            r->pending = false;
        }
    }
    free(buf);
    cc_intr_clear_target();
    int st = 0;
    while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
        ;
    cc_out_flush(r->x);
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

/* Run exe with argv under a pty; returns its status as cc_shell_run says. */
static int sh_spawn(cc_out *x, const char *exe, char *const argv[])
{
    if (cc_intr_count() > 0) {   /* interrupted before we began */
        cc_out_error(x, "KeyboardInterrupt", "interrupted", "The command was interrupted before it started.");
        return 130;
    }
    int master, slave;
    if (sh_open_pty(&master, &slave) != 0) {
        sh_start_error(x, "openpty", errno);
        return -1;
    }
    char **envp = sh_build_env();
    pid_t pid = fork();
    if (pid == 0)
        sh_child(slave, exe, argv, envp);
    int fork_errno = errno;
    free(envp);
    close(slave);
    if (pid < 0) {
        close(master);
        sh_start_error(x, "fork", fork_errno);
        return -1;
    }
    cc_intr_set_target(pid, CC_INTR_PTY);

    sh_run r = { .x = x, .master = master, .pid = pid };
    int status = sh_wait_loop(&r);
    close(master);
    if (r.interrupted || cc_intr_count() > 0)
        cc_out_error(x, "KeyboardInterrupt", "interrupted",
                     "The command was interrupted (SIGINT; a second interrupt sends SIGTERM, then SIGKILL).");
    return status;
}

int cc_shell_run(cc_out *x, const char *cmd)
{
    char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
    return sh_spawn(x, "/bin/sh", argv);
}

int cc_shell_run_script(cc_out *x, const char *interp, const char *script)
{
    size_t n = strlen(script);
    if (n > SH_MAX_SCRIPT) {
        char evalue[160];
        snprintf(evalue, sizeof evalue, "the %s script is too long (%zu bytes)", interp, n);
        cc_out_error(x, "UsageError", evalue,
                     "A script cell can be at most 128 KiB. Write the script to a file with "
                     "%%writefile script.sh and run it with !bash script.sh.");
        return -1;
    }
    char *exe = cc_spawn_find(interp);
    if (!exe) {
        char evalue[160], tb[400];
        snprintf(evalue, sizeof evalue, "%s: command not found", interp);
        snprintf(tb, sizeof tb, "The interpreter %s is not installed or not on PATH. Install it "
                 "(e.g. !apt-get install -y %s) or use !commands, which run with /bin/sh.", interp, interp);
        cc_out_error(x, "FileNotFoundError", evalue, tb);
        return -1;
    }
    char *argv[] = { (char *)interp, "-c", (char *)script, NULL };
    int st = sh_spawn(x, exe, argv);
    free(exe);
    return st;
}
