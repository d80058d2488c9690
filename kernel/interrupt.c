/* kernel/interrupt.c — owns the interrupt state: how many interrupts are
 * pending, which process group the worker waits on, and the escalation from
 * SIGINT to SIGTERM/SIGKILL. cc_intr_request is async-signal-safe, so the
 * SIGINT handler and the control thread use the same path. */
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static int wake[2] = {-1, -1};
static atomic_int count;
static atomic_int target_pgid;
static atomic_int target_kind;
static atomic_llong first_ms;
static atomic_llong kill_at_ms;   /* 0: no SIGKILL scheduled */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);   /* async-signal-safe */
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cc_intr_init(void)
{
    if (wake[0] >= 0)
        return 0;
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    return 0;
}

int cc_intr_wakefd(void) { return wake[0]; }

static void signal_target(int n)
{
    pid_t pg = (pid_t)atomic_load(&target_pgid);
    int kind = atomic_load(&target_kind);
    if (pg <= 0)
        return;
    switch (kind) {
    case CC_INTR_PTY:
        if (n == 1) {
            kill(-pg, SIGINT);
        } else {
            kill(-pg, SIGTERM);
            kill(-pg, SIGCONT);
            atomic_store(&kill_at_ms, now_ms() + CC_INTR_TERM_GRACE_MS);
        }
        break;
    case CC_INTR_RUNTIME:
        if (n == 1) {
            kill(pg, SIGINT);
            atomic_store(&kill_at_ms, now_ms() + CC_INTR_RUNTIME_GRACE_MS);
        } else {
            kill(-pg, SIGKILL);
        }
        break;
    case CC_INTR_COMPILER:
        kill(-pg, SIGKILL);
        break;
    default:
        break;
    }
}

void cc_intr_request(void)
{
    int saved = errno;
    int n = atomic_fetch_add(&count, 1) + 1;
    if (n == 1)
        atomic_store(&first_ms, now_ms());
    if (wake[1] >= 0) {
        ssize_t w = write(wake[1], "!", 1);
        (void)w;
    }
    signal_target(n);
    errno = saved;
}

int cc_intr_count(void) { return atomic_load(&count); }

void cc_intr_clear(void)
{
    char buf[64];
    atomic_store(&count, 0);
    atomic_store(&first_ms, 0);
    atomic_store(&kill_at_ms, 0);
    if (wake[0] >= 0)
        while (read(wake[0], buf, sizeof buf) > 0)
            ;
}

void cc_intr_set_target(pid_t pgid, cc_intr_kind kind)
{
    atomic_store(&target_kind, (int)kind);
    atomic_store(&target_pgid, (int)pgid);
    /* An interrupt that came while nothing was registered still counts. */
    int n = atomic_load(&count);
    if (n > 0)
        signal_target(n);
}

void cc_intr_clear_target(void)
{
    atomic_store(&target_pgid, 0);
    atomic_store(&target_kind, CC_INTR_NONE);
    atomic_store(&kill_at_ms, 0);
}

bool cc_intr_tick(void)
{
    long long at = atomic_load(&kill_at_ms);
    pid_t pg = (pid_t)atomic_load(&target_pgid);
    if (at == 0 || pg <= 0 || now_ms() < at)
        return false;
    atomic_store(&kill_at_ms, 0);
    kill(-pg, SIGKILL);
    kill(pg, SIGKILL);
    return true;
}

long cc_intr_age_ms(void)
{
    long long f = atomic_load(&first_ms);
    return f ? (long)(now_ms() - f) : 0;
}
