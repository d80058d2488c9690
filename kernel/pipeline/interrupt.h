/* kernel/pipeline/interrupt.h — interrupts: who is interrupted and how hard.
 *
 * The server thread (interrupt_request, SIGINT) calls cc_intr_request(); it
 * reaches every thread that runs a request (main shell, subshells). Each such
 * thread has its own count, wake fd, target and escalation: cc_intr_clear,
 * cc_intr_count, cc_intr_wakefd and the target calls act on the calling
 * thread's state only, so one request never cancels another's interrupt.
 * Escalation for a pty command: 1st interrupt SIGINT, 2nd SIGTERM then
 * SIGKILL after a grace period. For the runtime: SIGINT, then SIGKILL when it
 * has not answered within CC_INTR_RUNTIME_GRACE_MS (the worker checks). */
#ifndef CC_INTERRUPT_H
#define CC_INTERRUPT_H

#include <stdbool.h>
#include <sys/types.h>

#define CC_INTR_RUNTIME_GRACE_MS 800
#define CC_INTR_TERM_GRACE_MS 1500

typedef enum cc_intr_kind {
    CC_INTR_NONE = 0,
    CC_INTR_PTY,      /* a `!` command / %%bash script: process group of its shell */
    CC_INTR_RUNTIME,  /* the runtime process running a cell */
    CC_INTR_COMPILER, /* a compiler child: SIGKILL at once */
} cc_intr_kind;

int cc_intr_init(void);

/* The calling thread's wake fd: readable (POLLIN) while an interrupt is
 * pending for it; cc_intr_clear drains it. */
int cc_intr_wakefd(void);

/* Record an interrupt and signal every registered target. Async-signal-safe. */
void cc_intr_request(void);

/* Number of interrupts since the calling thread's last cc_intr_clear (0 = none). */
int cc_intr_count(void);
void cc_intr_clear(void);

/* Worker: the process (group) it now waits on. pgid > 0. Clearing waits
 * until no cc_intr_request still holds the pgid, so the caller may reap it. */
void cc_intr_set_target(pid_t pgid, cc_intr_kind kind);
void cc_intr_clear_target(void);

/* Call periodically while waiting; sends SIGKILL to each target whose grace
 * after an escalated interrupt has passed. Returns true if it killed one. */
bool cc_intr_tick(void);

#endif
