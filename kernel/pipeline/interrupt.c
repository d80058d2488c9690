/* kernel/pipeline/interrupt.c — owns the interrupt state: how many interrupts each
 * waiting thread has seen, which process group it waits on, and the
 * escalation from SIGINT to SIGTERM/SIGKILL for that target.
 *
 * Interrupts are numbered by one global generation counter. Each thread
 * that runs requests (the main shell, each subshell) has its own context:
 * the generation at its last cc_intr_clear (so its count is "interrupts
 * since my request began"), its own wake pipe, its target and that
 * target's SIGKILL deadline. A request starting on one thread therefore
 * never cancels an interrupt in progress on another.
 *
 * The contexts form a list that only grows by pushing at the head and whose
 * nodes are never freed (a thread that ends gives its node back for reuse),
 * so cc_intr_request can walk it without locks: it is async-signal-safe,
 * and the SIGINT handler and the control thread use the same path. There is
 * no fixed limit: every running target receives every interrupt. */
#include "interrupt.h"
#include "clock.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct intr_ctx {
    struct intr_ctx *next;     /* fixed once the node is on the list */
    atomic_int in_use;         /* 1 while a thread owns it */
    int wake[2];               /* readable while an interrupt is pending */
    atomic_uint base;          /* generation at the owner's last clear */
    atomic_int pgid;           /* 0: no target */
    atomic_int kind;
    atomic_llong kill_at_ms;   /* 0: no SIGKILL scheduled */
    atomic_int senders;        /* signal senders reading pgid right now */
} intr_ctx;

static _Atomic(intr_ctx *) ctx_list;
static atomic_uint generation;
static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

/* Interrupts c's owner has not cleared; <= 0 when none. */
static int pending(intr_ctx *c)
{
    return (int)(atomic_load(&generation) - atomic_load(&c->base));
}

static void wake(intr_ctx *c)
{
    ssize_t w = write(c->wake[1], "!", 1);   /* full pipe: already readable */
    (void)w;
}

/* ---- sending signals (async-signal-safe) ------------------------------ */

/* Signal c's target for interrupt number n of its request. The senders
 * count lets cc_intr_clear_target wait until no one still holds the pgid,
 * so the owner never reaps a process that is about to be signalled. */
static void signal_target(intr_ctx *c, int n)
{
    atomic_fetch_add(&c->senders, 1);
    pid_t pg = (pid_t)atomic_load(&c->pgid);
    int kind = atomic_load(&c->kind);
    if (pg > 0 && n > 0) {
        switch (kind) {
        case CC_INTR_PTY:
            if (n == 1) {
                kill(-pg, SIGINT);
            } else {
                kill(-pg, SIGTERM);
                kill(-pg, SIGCONT);
                atomic_store(&c->kill_at_ms, cc_now_ms() + CC_INTR_TERM_GRACE_MS);
            }
            break;
        case CC_INTR_RUNTIME:
            if (n == 1) {
                kill(pg, SIGINT);
                atomic_store(&c->kill_at_ms, cc_now_ms() + CC_INTR_RUNTIME_GRACE_MS);
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
    atomic_fetch_sub(&c->senders, 1);
}

/* SIGKILL c's target if its grace has passed. */
static bool tick_target(intr_ctx *c, long long now)
{
    long long at = atomic_load(&c->kill_at_ms);
    if (!atomic_load(&c->in_use) || at == 0 || now < at)
        return false;
    atomic_fetch_add(&c->senders, 1);
    pid_t pg = (pid_t)atomic_load(&c->pgid);
    bool killed = false;
    if (pg > 0 && atomic_compare_exchange_strong(&c->kill_at_ms, &at, 0)) {
        kill(-pg, SIGKILL);
        kill(pg, SIGKILL);
        killed = true;
    }
    atomic_fetch_sub(&c->senders, 1);
    return killed;
}

void cc_intr_request(void)
{
    int saved = errno;
    atomic_fetch_add(&generation, 1);
    for (intr_ctx *c = atomic_load(&ctx_list); c; c = c->next) {
        if (!atomic_load(&c->in_use))
            continue;
        wake(c);
        signal_target(c, pending(c));
    }
    errno = saved;
}

bool cc_intr_tick(void)
{
    bool killed = false;
    long long now = cc_now_ms();
    for (intr_ctx *c = atomic_load(&ctx_list); c; c = c->next)
        killed |= tick_target(c, now);
    return killed;
}

/* ---- the calling thread's context ------------------------------------- */

static void drain(intr_ctx *c)
{
    char buf[64];
    while (read(c->wake[0], buf, sizeof buf) > 0)
        ;
}

static void release_target(intr_ctx *c)
{
    atomic_store(&c->pgid, 0);
    atomic_store(&c->kind, CC_INTR_NONE);
    atomic_store(&c->kill_at_ms, 0);
    while (atomic_load(&c->senders) > 0)   /* a sender may still hold the old pgid */
        sched_yield();
}

/* Thread exit: give the node back for another thread. */
static void ctx_release(void *p)
{
    intr_ctx *c = p;
    release_target(c);
    atomic_store(&c->in_use, 0);
}

static void ctx_key_create(void)
{
    if (pthread_key_create(&ctx_key, ctx_release) != 0)
        abort();
}

static intr_ctx *ctx_take(void)
{
    for (intr_ctx *c = atomic_load(&ctx_list); c; c = c->next) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&c->in_use, &expect, 1))
            return c;
    }
    intr_ctx *c = cc_xcalloc(1, sizeof *c);
    if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0)
        abort();   /* no descriptors left: the kernel could not interrupt any cell */
    atomic_store(&c->in_use, 1);
    c->next = atomic_load(&ctx_list);
    while (!atomic_compare_exchange_weak(&ctx_list, &c->next, c))
        ;
    return c;
}

/* The calling thread's context, taken on first use with nothing pending. */
static intr_ctx *me(void)
{
    pthread_once(&ctx_once, ctx_key_create);
    intr_ctx *c = pthread_getspecific(ctx_key);
    if (c)
        return c;
    c = ctx_take();
    atomic_store(&c->base, atomic_load(&generation));
    drain(c);
    if (pthread_setspecific(ctx_key, c) != 0)
        abort();
    return c;
}

int cc_intr_init(void)
{
    pthread_once(&ctx_once, ctx_key_create);
    return 0;
}

int cc_intr_wakefd(void) { return me()->wake[0]; }

int cc_intr_count(void)
{
    int n = pending(me());
    return n > 0 ? n : 0;
}

void cc_intr_clear(void)
{
    intr_ctx *c = me();
    atomic_store(&c->base, atomic_load(&generation));
    atomic_store(&c->kill_at_ms, 0);
    drain(c);
    if (pending(c) > 0)   /* one came while we drained: keep the fd readable */
        wake(c);
}

void cc_intr_set_target(pid_t pgid, cc_intr_kind kind)
{
    intr_ctx *c = me();
    atomic_store(&c->kill_at_ms, 0);
    atomic_store(&c->kind, (int)kind);
    atomic_store(&c->pgid, (int)pgid);
    /* An interrupt that came before the target was registered still counts. */
    int n = pending(c);
    if (n > 0)
        signal_target(c, n);
}

void cc_intr_clear_target(void)
{
    release_target(me());
}
