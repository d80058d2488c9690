/* runtime/rt_proc.h — what the runtime protects from the cells it runs:
 * its channel to the kernel (moved from fds 3/4 to private high fds), its
 * stdout/stderr (restored around every cell), and the processes cells leave
 * behind (the runtime is a child subreaper and ends them all when it goes). */
#ifndef RT_PROC_H
#define RT_PROC_H

/* The channel's fds after rt_proc_init (RT_CMD_FD / RT_REPLY_FD before). */
extern int rt_cmd_fd, rt_reply_fd;

/* Moves the channel out of reach, keeps private copies of fds 1/2 and the
 * stdout/stderr FILE pointers, becomes a subreaper. Returns -1 when fds 3/4
 * were not given (the program was not started by the kernel). */
int rt_proc_init(void);

/* fds 1/2 back to the kernel's pipes, stdout/stderr back to the original
 * FILE objects with their error flags cleared. */
void rt_proc_restore_stdio(void);

/* True when both channel fds are still the pipes the kernel gave. */
int rt_proc_channel_ok(void);

/* The cell closed the channel: say so on stderr and exit with
 * RT_EXIT_CHANNEL_CLOSED, ending descendants first. */
_Noreturn void rt_proc_channel_lost(void);

/* A send or receive on the channel failed: the cell closed it (as above),
 * or the kernel is gone (end descendants, exit 0). */
_Noreturn void rt_proc_channel_failed(void);

/* SIGKILL and reap every descendant: children and the orphans the runtime
 * adopted as subreaper, repeatedly, until none is left (bounded to about
 * two seconds). Async-signal-safe. */
void rt_proc_end_descendants(void);

#endif
