/* kernel/interrupt.c — owns the interrupt state: how many interrupts are
 * pending, which process group the worker waits on, and the escalation from
 * SIGINT to SIGTERM/SIGKILL. cc_intr_request is async-signal-safe, so the
 * SIGINT handler and the control thread use the same path. Each waiting
 * thread (main shell, subshells) registers its own target. */
#include "interrupt.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

static int wake[2] = {-1, -1};
static atomic_int count;

/* One target per waiting thread: the main shell and each subshell may wait
 * on a child at the same time, and an interrupt reaches them all. */
#define CC_INTR_SLOTS 16
typedef struct slot {
    atomic_int used;
    pthread_t owner;
    atomic_int pgid;
    atomic_int kind;
    atomic_llong kill_at_ms;   /* 0: no SIGKILL scheduled */
} slot;
static slot slots[CC_INTR_SLOTS];

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

static void signal_slot(slot *t, int n)
{
    pid_t pg = (pid_t)atomic_load(&t->pgid);
    int kind = atomic_load(&t->kind);
    if (pg <= 0)
        return;
    switch (kind) {
    case CC_INTR_PTY:
        if (n == 1) {
            kill(-pg, SIGINT);
        } else {
            kill(-pg, SIGTERM);
            kill(-pg, SIGCONT);
            atomic_store(&t->kill_at_ms, now_ms() + CC_INTR_TERM_GRACE_MS);
        }
        break;
    case CC_INTR_RUNTIME:
        if (n == 1) {
            kill(pg, SIGINT);
            atomic_store(&t->kill_at_ms, now_ms() + CC_INTR_RUNTIME_GRACE_MS);
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
    if (wake[1] >= 0) {
        ssize_t w = write(wake[1], "!", 1);
        (void)w;
    }
    for (int i = 0; i < CC_INTR_SLOTS; i++)
        if (atomic_load(&slots[i].used))
            signal_slot(&slots[i], n);
    errno = saved;
}

int cc_intr_count(void) { return atomic_load(&count); }

void cc_intr_clear(void)
{
    char buf[64];
    atomic_store(&count, 0);
    for (int i = 0; i < CC_INTR_SLOTS; i++)
        atomic_store(&slots[i].kill_at_ms, 0);
    if (wake[0] >= 0)
        while (read(wake[0], buf, sizeof buf) > 0)
            ;
}

/* The calling thread's slot, taken on first use (NULL if all are taken). */
static slot *my_slot(bool create)
{
    pthread_t me = pthread_self();
    for (int i = 0; i < CC_INTR_SLOTS; i++)
        if (atomic_load(&slots[i].used) && pthread_equal(slots[i].owner, me))
            return &slots[i];
    if (!create)
        return NULL;
    for (int i = 0; i < CC_INTR_SLOTS; i++) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&slots[i].used, &expect, 2)) {
            slots[i].owner = me;
            atomic_store(&slots[i].used, 1);
            return &slots[i];
        }
    }
    return NULL;
}

void cc_intr_set_target(pid_t pgid, cc_intr_kind kind)
{
    slot *t = my_slot(true);
    if (!t)
        return;
    atomic_store(&t->kind, (int)kind);
    atomic_store(&t->pgid, (int)pgid);
    /* An interrupt that came while nothing was registered still counts. */
    int n = atomic_load(&count);
    if (n > 0)
        signal_slot(t, n);
}

void cc_intr_clear_target(void)
{
    slot *t = my_slot(false);
    if (!t)
        return;
    atomic_store(&t->pgid, 0);
    atomic_store(&t->kind, CC_INTR_NONE);
    atomic_store(&t->kill_at_ms, 0);
    atomic_store(&t->used, 0);   /* free the slot for other threads */
}

bool cc_intr_tick(void)
{
    bool killed = false;
    long long now = now_ms();
    for (int i = 0; i < CC_INTR_SLOTS; i++) {
        slot *t = &slots[i];
        long long at = atomic_load(&t->kill_at_ms);
        pid_t pg = (pid_t)atomic_load(&t->pgid);
        if (!atomic_load(&t->used) || at == 0 || pg <= 0 || now < at)
            continue;
        atomic_store(&t->kill_at_ms, 0);
        kill(-pg, SIGKILL);
        kill(pg, SIGKILL);
        killed = true;
    }
    return killed;
}
