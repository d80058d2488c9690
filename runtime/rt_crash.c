/* runtime/rt_crash.c — where the runtime was when user code crashed.
 *
 * Owns: the fatal-signal handlers and their alternate stack, the table of
 * loaded objects (load base, address range, path) recorded after each
 * dlopen, and the RT_R_CRASH frame sent from the handler.
 *
 * The handler does as little as it can, without malloc or stdio: it unwinds
 * with backtrace() (warmed up at install time, since its first call dlopens
 * libgcc_s), puts the faulting PC from the signal context first, maps each
 * address to (object, offset) with the table recorded earlier, writes one
 * frame to the reply pipe, then dies of the signal with the default action.
 * Turning offsets into cells and lines is the kernel's work. */
#include "rt_crash.h"

#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include "rt_proc.h"
#include "rt_proto.h"

#define RT_BT_MAX (1u << 18)     /* deep enough for a whole 8 MiB stack of tiny frames */
#define RT_SEND_HEAD 100         /* innermost frames sent */
#define RT_SEND_TAIL 28          /* outermost frames sent */
#define RT_PATH_MAX 1024
#define RT_NO_OBJ UINT32_MAX

typedef struct rt_obj {
    uintptr_t base, lo, hi;   /* load bias; [lo, hi) covers its PT_LOAD segments */
    char *path;
} rt_obj;

typedef struct rt_objtab {
    size_t n, cap;
    rt_obj *o;
} rt_objtab;

static rt_objtab *volatile rt_objs;   /* published whole; read by the handler */
static uintptr_t rt_stack_top, rt_stack_size;
static void *rt_bt[RT_BT_MAX];
static uintptr_t rt_frames[RT_SEND_HEAD + RT_SEND_TAIL];
static char rt_out[RT_SEND_HEAD * 16 + (RT_SEND_HEAD + RT_SEND_TAIL) * (RT_PATH_MAX + 24) + 64];

/* ---- the object table (normal context) ---------------------------------- */

static void objtab_free(rt_objtab *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->o[i].path);
    free(t->o);
    free(t);
}

static int note_one(struct dl_phdr_info *info, size_t size, void *data)
{
    rt_objtab *t = data;
    (void)size;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo)
            lo = a;
        if (a + ph->p_memsz > hi)
            hi = a + ph->p_memsz;
    }
    if (hi <= lo)
        return 0;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        rt_obj *o = realloc(t->o, cap * sizeof *o);
        if (!o)
            return 1;   /* stop: keep what we have */
        t->o = o;
        t->cap = cap;
    }
    char *path = strdup(info->dlpi_name ? info->dlpi_name : "");
    if (!path)
        return 1;
    t->o[t->n++] = (rt_obj){info->dlpi_addr, lo, hi, path};
    return 0;
}

void rt_crash_note_objects(void)
{
    rt_objtab *t = calloc(1, sizeof *t);
    if (!t)
        return;   /* the old table stays: frames in new objects read as library code */
    dl_iterate_phdr(note_one, t);
    rt_objtab *old = rt_objs;
    rt_objs = t;
    objtab_free(old);
}

/* ---- encoding into the static buffer (handler context) ------------------ */

typedef struct enc {
    char *p;
    size_t left;
} enc;

static void put(enc *e, const void *v, size_t n)
{
    if (n > e->left) {
        e->left = 0;
        return;
    }
    memcpy(e->p, v, n);
    e->p += n;
    e->left -= n;
}

static void put32(enc *e, uint32_t v) { put(e, &v, sizeof v); }
static void put64(enc *e, uint64_t v) { put(e, &v, sizeof v); }

static void put_str(enc *e, const char *s)
{
    size_t n = strnlen(s, RT_PATH_MAX - 1);
    put32(e, (uint32_t)n);
    put(e, s, n);
    put(e, "", 1);
}

/* ---- the handler ---------------------------------------------------------- */

static uint32_t find_obj(const rt_objtab *t, uintptr_t a)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (a >= t->o[i].lo && a < t->o[i].hi)
            return (uint32_t)i;
    return RT_NO_OBJ;
}

static int on_main_stack(uintptr_t a)
{
    return rt_stack_top && a < rt_stack_top && a >= rt_stack_top - rt_stack_size;
}

static int looks_like_stack_overflow(uintptr_t addr)
{
    if (!rt_stack_top || !addr)
        return 0;
    uintptr_t lo = rt_stack_top - rt_stack_size;
    return addr < rt_stack_top && addr + (64u << 20) > lo && addr < lo + (256u << 10);
}

/* The faulting PC and stack pointer from the signal context, and the
 * register holding a return address when a call has just been made (arm64:
 * the link register; x86-64 keeps it at the stack pointer). Returns 0 where
 * this architecture is not known here. */
static int context_regs(const void *ucv, uintptr_t *pc, uintptr_t *sp, uintptr_t *lr)
{
    const ucontext_t *uc = ucv;
    *pc = *sp = *lr = 0;
#if defined(__x86_64__)
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    return 1;
#elif defined(__aarch64__)
    *pc = (uintptr_t)uc->uc_mcontext.pc;
    *sp = (uintptr_t)uc->uc_mcontext.sp;
    *lr = (uintptr_t)uc->uc_mcontext.regs[30];
    return 1;
#else
    (void)uc;
    return 0;
#endif
}

/* The return address of the caller of a bad PC (a call through a NULL
 * function pointer), or 0. Reads the stack only well inside the main
 * thread's stack, never at an overflow. */
static uintptr_t caller_of_bad_pc(uintptr_t sp, uintptr_t lr)
{
#if defined(__x86_64__)
    (void)lr;
    if (!on_main_stack(sp) || !on_main_stack(sp + 2 * sizeof(uintptr_t)) || looks_like_stack_overflow(sp))
        return 0;
    return *(const uintptr_t *)sp;
#else
    (void)sp;
    return lr;
#endif
}

/* The stack as a list of addresses, innermost first: the faulting PC, then
 * the unwound callers; when the unwinder could not get past a bad PC (a
 * call through a NULL function pointer), the PC and its caller's return
 * address. Where the PC is unknown, everything backtrace() saw (the handler
 * frames read as library code). Keeps the head and tail in rt_frames;
 * returns how many there are in all; *kept: how many are in rt_frames,
 * *gap_at: where the left-out ones belong. */
static size_t collect(const void *ucv, const rt_objtab *t, size_t *kept, size_t *gap_at)
{
    int n = backtrace(rt_bt, (int)RT_BT_MAX);
    uintptr_t pc, sp, lr, ra;
    size_t lead = 0, first = 0, k = 0;   /* lead: addresses before rt_bt[first..n) */
    uintptr_t head[2];
    if (context_regs(ucv, &pc, &sp, &lr)) {
        int start = -1;
        for (int i = 0; i < n && i < 16; i++)
            if ((uintptr_t)rt_bt[i] == pc) {
                start = i;
                break;
            }
        head[lead++] = pc;
        first = start >= 0 ? (size_t)start + 1 : (size_t)n;
        if (start < 0 && find_obj(t, pc) == RT_NO_OBJ && (ra = caller_of_bad_pc(sp, lr)) &&
            find_obj(t, ra) != RT_NO_OBJ)
            head[lead++] = ra;
    }
    size_t total = lead + ((size_t)n - first);
    *gap_at = total > RT_SEND_HEAD + RT_SEND_TAIL ? RT_SEND_HEAD : total;
    for (size_t i = 0; i < total; i++) {
        uintptr_t a = i < lead ? head[i] : (uintptr_t)rt_bt[first + i - lead];
        if (i < *gap_at || i >= total - RT_SEND_TAIL)
            rt_frames[k++] = a;
    }
    *kept = k;
    return total;
}

static void send_crash(int sig, const siginfo_t *si, const void *ucv)
{
    const rt_objtab *t = rt_objs;
    size_t kept = 0, gap_at = 0;
    size_t total = collect(ucv, t, &kept, &gap_at);
    uint32_t used[RT_SEND_HEAD + RT_SEND_TAIL];   /* table index of each object sent */
    uint32_t nused = 0;
    enc e = {rt_out, sizeof rt_out};

    put32(&e, (uint32_t)sig);
    put32(&e, (uint32_t)si->si_code);
    put64(&e, (uint64_t)(uintptr_t)si->si_addr);
    put64(&e, (uint64_t)total);
    put32(&e, (uint32_t)gap_at);
    for (size_t i = 0; i < kept; i++) {   /* the objects, each once */
        uint32_t o = find_obj(t, rt_frames[i]), j = 0;
        while (o != RT_NO_OBJ && j < nused && used[j] != o)
            j++;
        if (o != RT_NO_OBJ && j == nused)
            used[nused++] = o;
    }
    put32(&e, nused);
    for (uint32_t j = 0; j < nused; j++)
        put_str(&e, t->o[used[j]].path);
    put32(&e, (uint32_t)kept);
    for (size_t i = 0; i < kept; i++) {
        uint32_t o = find_obj(t, rt_frames[i]), j = 0;
        while (o != RT_NO_OBJ && used[j] != o)
            j++;
        put32(&e, o == RT_NO_OBJ ? RT_NO_OBJ : j);
        put64(&e, (uint64_t)(o == RT_NO_OBJ ? rt_frames[i] : rt_frames[i] - t->o[o].base));
    }
    if (e.left)
        rt_send(rt_reply_fd, RT_R_CRASH, rt_out, sizeof rt_out - e.left);
}

static void send_overflow_note(void)
{
    static const char note[] = "stack overflow (SIGSEGV): the cell used more than the stack allows "
                               "(deep or unbounded recursion, or a very large local array)";
    char frame[sizeof note + 8];
    uint32_t n = (uint32_t)(sizeof note - 1);
    memcpy(frame, &n, 4);
    memcpy(frame + 4, note, sizeof note);   /* includes the NUL */
    rt_send(rt_reply_fd, RT_R_NOTE, frame, 4 + sizeof note);
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
    static volatile sig_atomic_t busy;
    if (!busy) {
        busy = 1;
        if (sig == SIGSEGV && looks_like_stack_overflow((uintptr_t)si->si_addr))
            send_overflow_note();
        send_crash(sig, si, uc);
        rt_proc_end_descendants();   /* what the cells started dies with the runtime */
    }
    signal(sig, SIG_DFL);
    raise(sig);   /* delivered when the handler returns */
}

/* ---- installing ------------------------------------------------------------ */

static const int rt_fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP};

void rt_crash_install(void)
{
    struct sigaction sa;
    stack_t ss;
    struct rlimit rl;
    int here;
    void *warm[2];

    backtrace(warm, 2);   /* loads libgcc_s now, not in the handler */
    rt_stack_top = (uintptr_t)&here;
    rt_stack_size = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        rt_stack_size = (uintptr_t)rl.rlim_cur;
    rt_crash_note_objects();

    /* An alternate stack lets the handler run when the stack is exhausted.
     * Its pages stay untouched (and out of RSS) until then. */
    ss.ss_size = 64 * 1024;
    ss.ss_sp = malloc(ss.ss_size);
    ss.ss_flags = 0;
    if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0) {
        free(ss.ss_sp);
        return;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof rt_fatal / sizeof rt_fatal[0]; i++)
        sigaddset(&sa.sa_mask, rt_fatal[i]);   /* a fault inside the handler kills at once */
    for (size_t i = 0; i < sizeof rt_fatal / sizeof rt_fatal[0]; i++)
        sigaction(rt_fatal[i], &sa, NULL);
}
