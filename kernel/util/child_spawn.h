/* kernel/util/child_spawn.h — the one way the kernel starts its helper processes
 * (compiler, runtime, GPU probe, nvcc --version, nvidia-smi).
 *
 * A child gets default signal handling, nothing blocked, a process group of
 * its own (an interrupt sent to the kernel's group does not reach it, and it
 * can be signalled as a group), and the parent-death signal SIGKILL tied to
 * the kernel *process*: every child is forked by one spawner thread that
 * lives as long as the process, so it dies with the kernel — whether the
 * kernel exits, is killed, or the thread that asked for it (a subshell) has
 * ended long before. */
#ifndef CC_CHILD_SPAWN_H
#define CC_CHILD_SPAWN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* fds[i] is the parent fd that becomes the child's fd i, or this: */
#define CC_SPAWN_DEVNULL (-1)

/* Start path (an absolute or relative file name, no PATH search) with argv
 * and envp; the child's fds 0..nfds-1 as given by fds, every other fd as
 * inherited (close-on-exec ones closed). Returns 0 with *pid set, or an
 * errno value (as posix_spawn does), e.g. ENOENT when path cannot be run. */
int cc_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const int *fds,
             int nfds);

/* malloc'd absolute path of the executable `name` (searched on $PATH, or
 * /usr/local/bin:/usr/bin:/bin without one, unless it holds a '/'), or NULL
 * when there is none. Empty PATH entries are skipped; a PATH hit keeps its
 * own file name (symlinks are not resolved). The one PATH search of the
 * kernel. */
char *cc_spawn_find(const char *name);

/* ---- spawn and capture: a helper's output, read whole ---------------- */

/* How cc_spawn_capture_ex runs the child; a zeroed struct is the plain
 * cc_spawn_capture without a timeout. */
typedef struct cc_capture_opts {
    char *const *envp;      /* NULL: the kernel's environment */
    int timeout_ms;         /* > 0: the child (its group) is killed after this long */
    bool with_stderr;       /* stderr into the same capture; else /dev/null */
    size_t max;             /* > 0: keep at most this many bytes */
    bool keep_latest;       /* over max: keep the latest bytes, else the first */
    /* Optional hooks, each given ctx. started: the child runs as pid.
     * wait: waits for the pipe in place of poll(2) (returns as poll does).
     * stop: true kills the child's group now; reading goes on to EOF. */
    void (*started)(void *ctx, pid_t pid);
    int (*wait)(void *ctx, struct pollfd *pfd, int timeout_ms);
    bool (*stop)(void *ctx);
    void *ctx;
} cc_capture_opts;

/* What the child's run came to (the return value when it could start). */
enum { CC_CAPTURE_DONE = 0, CC_CAPTURE_TIMEOUT = 1, CC_CAPTURE_STOPPED = 2 };

/* Run argv (argv[0] searched with cc_spawn_find unless it holds a '/'),
 * stdin /dev/null, stdout captured (stderr too with o->with_stderr), and
 * reap it. Returns -1 with errno set when it could not start (*out NULL);
 * else CC_CAPTURE_* with *out the malloc'd, NUL-terminated output (caller
 * frees; out_len may be NULL) and *status the wait status, -1 when it could
 * not be collected (SIGCHLD ignored). Aborts when memory runs out. */
int cc_spawn_capture_ex(const cc_capture_opts *o, char *const argv[], char **out, size_t *out_len,
                        int *status);

/* The plain form: stdout captured, stderr discarded, killed after
 * timeout_ms (<= 0: no limit), envp NULL for the kernel's environment. */
int cc_spawn_capture(char *const argv[], char *const envp[], int timeout_ms, char **out, size_t *out_len,
                     int *status);

#endif
