/* kernel/util/child_spawn.c — cc_spawn (child_spawn.h): the spawner thread that
 * forks every helper process, and what the child does between fork and exec.
 *
 * Why a thread of its own: Linux ties PR_SET_PDEATHSIG to the *thread* that
 * forked the child. A runtime started by a subshell's worker thread was
 * killed when that subshell was deleted. The spawner thread is never asked
 * to exit, so the signal fires only when the kernel process ends.
 *
 * Between fork and exec the child runs only async-signal-safe calls (the
 * kernel has other threads); everything it needs is prepared before. */
#include "child_spawn.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define CC_SPAWN_MAX_FDS 16

typedef struct spawn_job {
    const char *path;
    char *const *argv, *const *envp;
    const int *fds;
    int nfds;
    pid_t pid;
    int err;        /* errno value, 0: started */
    bool done;
} spawn_job;

static pthread_mutex_t sp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sp_cond = PTHREAD_COND_INITIALIZER;
static spawn_job *sp_next;    /* the job handed to the spawner, NULL: none */
static int sp_state;          /* 0: not started, 1: running, -1: could not start */

/* ---- in the child ------------------------------------------------------ */

static void child_fail(int errfd)
{
    int e = errno;
    ssize_t w = write(errfd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* The child's fds 0..nfds-1: sources first moved above nfds, so that no
 * dup2 overwrites a source still to be used. */
static void child_fds(const spawn_job *j, int errfd)
{
    int src[CC_SPAWN_MAX_FDS];
    for (int i = 0; i < j->nfds; i++) {
        src[i] = j->fds[i];
        if (src[i] >= 0 && src[i] < j->nfds && (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, j->nfds)) < 0)
            child_fail(errfd);
    }
    if (errfd < j->nfds)
        child_fail(errfd);   /* cannot happen: the parent moved it */
    for (int i = 0; i < j->nfds; i++) {
        int fd = src[i];
        if (fd == CC_SPAWN_DEVNULL && (fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
            child_fail(errfd);
        if (dup2(fd, i) < 0)   /* dup2 clears close-on-exec on i */
            child_fail(errfd);
    }
}

static void child_exec(const spawn_job *j, int errfd, pid_t parent)
{
    struct sigaction dfl;
    sigset_t none;
    for (int s = 1; s < NSIG; s++) {
        dfl = (struct sigaction){.sa_handler = SIG_DFL};
        sigaction(s, &dfl, NULL);   /* fails harmlessly for SIGKILL, SIGSTOP */
    }
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);   /* the kernel died before the signal was armed */
    child_fds(j, errfd);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(j->path, j->argv, j->envp);
    child_fail(errfd);
}

/* ---- in the kernel ----------------------------------------------------- */

/* Fork and exec one job; fills j->pid and j->err. */
static void run_job(spawn_job *j)
{
    int ep[2];
    pid_t parent = getpid();
    j->pid = 0;
    if (j->nfds > CC_SPAWN_MAX_FDS) {
        j->err = EINVAL;
        return;
    }
    if (pipe2(ep, O_CLOEXEC) < 0) {
        j->err = errno;
        return;
    }
    for (int i = 0; i < 2; i++) {   /* keep the error pipe above the child's fd table */
        int h = fcntl(ep[i], F_DUPFD_CLOEXEC, CC_SPAWN_MAX_FDS);
        if (h >= 0) {
            close(ep[i]);
            ep[i] = h;
        }
    }
    pid_t pid = fork();
    if (pid == 0)
        child_exec(j, ep[1], parent);
    int saved = errno;
    close(ep[1]);
    if (pid < 0) {
        close(ep[0]);
        j->err = saved;
        return;
    }
    int e = 0;
    ssize_t n;
    while ((n = read(ep[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(ep[0]);
    if (n == (ssize_t)sizeof e) {   /* exec failed: reap the child, report why */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        j->err = e ? e : ECHILD;
        return;
    }
    j->pid = pid;
    j->err = 0;
}

static void *spawner_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sp_lock);
    for (;;) {
        while (!sp_next)
            pthread_cond_wait(&sp_cond, &sp_lock);
        spawn_job *j = sp_next;
        sp_next = NULL;
        pthread_mutex_unlock(&sp_lock);
        run_job(j);
        pthread_mutex_lock(&sp_lock);
        j->done = true;
        pthread_cond_broadcast(&sp_cond);
    }
    return NULL;
}

/* Called with sp_lock held. The thread blocks every signal: interrupts and
 * termination go to the kernel's other threads. */
static void start_spawner(void)
{
    sigset_t all, old;
    pthread_t th;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    sp_state = pthread_create(&th, NULL, spawner_main, NULL) == 0 ? 1 : -1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (sp_state == 1)
        pthread_detach(th);
}

int cc_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const int *fds,
             int nfds)
{
    spawn_job j = {.path = path, .argv = argv, .envp = envp, .fds = fds, .nfds = nfds};
    pthread_mutex_lock(&sp_lock);
    if (sp_state == 0)
        start_spawner();
    if (sp_state < 0) {
        /* No thread: fork here (the child then dies with this thread). */
        pthread_mutex_unlock(&sp_lock);
        run_job(&j);
    } else {
        while (sp_next)
            pthread_cond_wait(&sp_cond, &sp_lock);
        sp_next = &j;
        pthread_cond_broadcast(&sp_cond);
        while (!j.done)
            pthread_cond_wait(&sp_cond, &sp_lock);
        pthread_mutex_unlock(&sp_lock);
    }
    if (j.err == 0)
        *pid = j.pid;
    return j.err;
}

/* "dir/name" made absolute: dir itself when absolute, else resolved (only
 * the directory: a symlinked tool keeps its own name, which some tools,
 * clang++ or MPI's wrappers, read from their path). */
static char *absolute_in(const char *dir, size_t len, const char *name)
{
    if (len && dir[0] == '/')
        return cc_xasprintf("%.*s/%s", (int)len, dir, name);
    char *rel = cc_xasprintf("%.*s", (int)len, dir);
    char *abs = realpath(rel, NULL);
    free(rel);
    if (!abs)
        return NULL;
    char *p = cc_xasprintf("%s/%s", abs, name);
    free(abs);
    return p;
}

/* The path of an executable named `name` (searched on PATH unless it holds
 * a '/'), or NULL. Empty PATH entries are skipped: they would mean the
 * notebook's current directory. */
char *cc_spawn_find(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0 ? realpath(name, NULL) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len) {
            char *cand = absolute_in(path, len, name);
            struct stat st;
            if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
                return cand;
            free(cand);
        }
        path += len + (colon ? 1 : 0);
    }
    return NULL;
}
