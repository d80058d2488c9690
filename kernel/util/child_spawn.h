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
 * when there is none. The one PATH search of the kernel. */
char *cc_spawn_find(const char *name);

#endif
