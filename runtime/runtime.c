/* runtime/runtime.c — `cudacell-runtime`, the process that runs compiled
 * cells, so a crash in user code kills only it and never the kernel.
 *
 * Started by the kernel (runtime_client.c) with fd 0 = /dev/null, fds 1/2 =
 * pipes the kernel streams to the frontend, fd 3 = commands, fd 4 = replies
 * (framed, runtime/proto/rt_proto.h); rt_proc.c moves 3/4 out of the cells' way,
 * restores 1/2 around every cell and ends what cells leave running when the
 * runtime goes (shutdown, restart, crash, SIGTERM, exit()). It loads each cell's shared object with
 * dlopen(RTLD_NOW|RTLD_LOCAL), never unloads it (globals persist), and calls
 * its entry `int __cudacell_run(int argc, char **argv)`.
 *
 * Interrupts: SIGINT while a C cell runs jumps back to the command loop
 * (state kept) and the reply is INTERRUPTED. For a CUDA cell jumping out
 * could leave the device mid-call, so the runtime dies of the SIGINT and the
 * kernel restarts it. Fatal signals (SIGSEGV, SIGFPE, SIGABRT, ...) are
 * handled in rt_crash.c: it sends the stack as RT_R_CRASH (and names a stack
 * overflow in an RT_R_NOTE) before the process dies of the signal. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rt_crash.h"
#include "rt_cuda.h"
#include "rt_proc.h"
#include "rt_proto.h"
#include "rt_stdin.h"

#define RT_ENTRY "__cudacell_run"
#define RT_TIMEIT_MIN_S 0.2    /* one repeat lasts at least this long */
#define RT_TIMEIT_BUDGET_S 5.0 /* all repeats together, roughly */
#define RT_TIMEIT_REPEATS 7

typedef int (*rt_entry_fn)(int, char **);

static sigjmp_buf rt_jump;
static volatile sig_atomic_t rt_in_cell;    /* 1 while user code runs */
static volatile sig_atomic_t rt_cell_cuda;  /* the running cell is CUDA */

/* The environment last applied, as received (malloc'd), to skip the work
 * when it has not changed. */
static char *rt_env_blob;
static size_t rt_env_len;

/* ---- signals ------------------------------------------------------------ */

static void on_sigint(int sig)
{
    if (!rt_in_cell)
        return;   /* idle: a late interrupt, nothing to stop */
    if (rt_cell_cuda) {
        rt_proc_end_descendants();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    rt_in_cell = 0;
    siglongjmp(rt_jump, 1);
}

/* SIGTERM (the kernel stopping the runtime) and fatal signals: end what the
 * cells started, then die of the signal as before. */
static void on_fatal(int sig)
{
    rt_proc_end_descendants();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void at_exit(void)
{
    rt_proc_end_descendants();   /* a cell called exit() */
}

static void setup_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_fatal;
    static const int fatal[] = {SIGTERM, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
    atexit(at_exit);

    rt_crash_install();   /* SIGSEGV, SIGBUS, SIGFPE, ... report where they happened */
}

/* ---- replies ------------------------------------------------------------ */

static void reply_or_die(uint32_t type, const rt_buf *b)
{
    if (rt_send_buf(rt_reply_fd, type, b) < 0)
        rt_proc_channel_failed();   /* the kernel is gone, or the cell closed the pipe */
}

static void reply_error(const char *ename, const char *message, int sticky, double ms)
{
    rt_buf b = {0};
    rt_put_str(&b, ename);
    rt_put_str(&b, message);
    rt_put_u32(&b, (uint32_t)sticky);
    rt_put_f64(&b, ms);
    reply_or_die(RT_R_ERROR, &b);
    rt_buf_free(&b);
}

static void reply_done(int ret, double ms)
{
    rt_buf b = {0};
    rt_put_u32(&b, (uint32_t)ret);
    rt_put_f64(&b, ms);
    reply_or_die(RT_R_DONE, &b);
    rt_buf_free(&b);
}

/* ---- loading ------------------------------------------------------------ */

/* dlopen with the failure explained; returns the handle or NULL with
 * *message malloc'd. */
static void *load_object(const char *path, char **message)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h)
        rt_crash_note_objects();   /* so a crash in it can be located */
    if (!h) {
        const char *e = dlerror();
        if (asprintf(message,
                     "The cell compiled but its shared object could not be loaded: %s\n"
                     "This usually means it uses a function or variable that no earlier cell "
                     "or linked library defines (add the library with %%ldflags), or a library "
                     "it needs is not on the library path.", e ? e : "unknown error") < 0)
            *message = NULL;
    }
    return h;
}

static void cmd_load(const char *payload, size_t len)
{
    rt_reader r;
    rt_reader_init(&r, payload, len);
    const char *path = rt_get_str(&r, NULL);
    char *msg = NULL;
    if (r.bad) {
        reply_error("ProtocolError", "malformed LOAD command", 0, 0);
        return;
    }
    if (!load_object(path, &msg)) {
        reply_error("LoadError", msg ? msg : "dlopen failed", 0, 0);
        free(msg);
        return;
    }
    reply_done(0, 0);
}

/* ---- environment and working directory ---------------------------------- */

static void apply_env(const char *blob, size_t len, uint32_t envc, rt_reader *r)
{
    int same = rt_env_blob && rt_env_len == len && memcmp(rt_env_blob, blob, len) == 0;
    if (same) {
        for (uint32_t i = 0; i < envc; i++)
            rt_get_str(r, NULL);
        return;
    }
    clearenv();
    for (uint32_t i = 0; i < envc; i++) {
        const char *kv = rt_get_str(r, NULL);
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv)
            continue;
        char *name = strndup(kv, (size_t)(eq - kv));
        if (name)
            setenv(name, eq + 1, 1);   /* setenv copies */
        free(name);
    }
    free(rt_env_blob);
    rt_env_blob = malloc(len ? len : 1);
    rt_env_len = rt_env_blob ? len : 0;
    if (rt_env_blob)
        memcpy(rt_env_blob, blob, len);
}

/* ---- running -------------------------------------------------------------- */

/* Square root by Newton's method (keeps the runtime free of libm). */
static double rt_sqrt(double v)
{
    if (v <= 0)
        return 0;
    double x = v > 1 ? v : 1;
    for (int i = 0; i < 200; i++) {
        double nx = 0.5 * (x + v / x);
        if (nx == x)
            break;
        x = nx;
    }
    return x;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds taken by `loops` calls of the entry. *ret gets the last return. */
static double time_loops(rt_entry_fn fn, int argc, char **argv, long loops, int cuda, int *ret)
{
    double t0 = now_s();
    for (long i = 0; i < loops; i++) {
        *ret = fn(argc, argv);
        if (cuda && rt_cuda_sync() != 0)
            break;
    }
    return now_s() - t0;
}

/* %%timeit: IPython's rule: loops = 1, 10, 100, ... until one repeat lasts
 * RT_TIMEIT_MIN_S; then up to 7 repeats within about RT_TIMEIT_BUDGET_S
 * (the calibrating repeat counts as the first). loops_opt / repeats_opt
 * (%%timeit -n / -r, 0 when not given) fix either: -n skips calibration,
 * -r runs exactly that many repeats. */
static void run_timeit(rt_entry_fn fn, int argc, char **argv, int cuda, int *ret, long loops_opt,
                       long repeats_opt)
{
    long loops = loops_opt > 0 ? loops_opt : 1;
    double t;
    for (;;) {
        t = time_loops(fn, argc, argv, loops, cuda, ret);
        if (loops_opt > 0 || t >= RT_TIMEIT_MIN_S || loops >= 1000000000L)
            break;
        loops *= 10;
    }
    long repeats = RT_TIMEIT_REPEATS;
    if (repeats_opt > 0)
        repeats = repeats_opt;
    else if (t * repeats > RT_TIMEIT_BUDGET_S)
        repeats = t > 0 ? (long)(RT_TIMEIT_BUDGET_S / t) : 1;
    if (repeats < 1)
        repeats = 1;
    /* Kept between runs: an interrupt leaves this function by siglongjmp. */
    static double *per;
    static long per_cap;
    if (repeats > per_cap) {
        double *np = realloc(per, (size_t)repeats * sizeof *per);
        if (!np)
            abort();
        per = np;
        per_cap = repeats;
    }
    per[0] = t / (double)loops;
    for (long i = 1; i < repeats; i++)
        per[i] = time_loops(fn, argc, argv, loops, cuda, ret) / (double)loops;
    double mean = 0, var = 0;
    for (long i = 0; i < repeats; i++)
        mean += per[i];
    mean /= (double)repeats;
    for (long i = 0; i < repeats; i++)
        var += (per[i] - mean) * (per[i] - mean);
    var /= (double)repeats;

    rt_buf b = {0};
    rt_put_u64(&b, (uint64_t)loops);
    rt_put_u32(&b, (uint32_t)repeats);
    rt_put_f64(&b, mean * 1e9);
    rt_put_f64(&b, rt_sqrt(var) * 1e9);
    fflush(stdout);
    fflush(stderr);
    reply_or_die(RT_R_TIMEIT, &b);
    rt_buf_free(&b);
}

/* What the cell wrote goes where it pointed stdout/stderr; then they are
 * the kernel's pipes again, and a closed channel is explained. */
static void after_cell(void)
{
    fflush(stdout);
    fflush(stderr);
    rt_proc_restore_stdio();
    if (!rt_proc_channel_ok())
        rt_proc_channel_lost();
}

static void cmd_run(const char *payload, size_t len)
{
    rt_reader r;
    rt_reader_init(&r, payload, len);
    uint32_t flags = rt_get_u32(&r);
    const char *path = rt_get_str(&r, NULL);
    const char *cwd = rt_get_str(&r, NULL);
    uint32_t nargs = rt_get_u32(&r);
    if (r.bad || nargs > 100000) {
        reply_error("ProtocolError", "malformed RUN command", 0, 0);
        return;
    }
    char **argv = calloc((size_t)nargs + 2, sizeof *argv);
    if (!argv) {
        reply_error("MemoryError", "out of memory starting the cell", 0, 0);
        return;
    }
    argv[0] = (char *)"cell";
    for (uint32_t i = 0; i < nargs; i++)
        argv[i + 1] = (char *)rt_get_str(&r, NULL);   /* points into payload */
    long ti_loops = (long)rt_get_u64(&r);   /* %%timeit -n, -r: 0 = automatic */
    long ti_repeats = (long)rt_get_u32(&r);
    uint32_t envc = rt_get_u32(&r);
    apply_env(r.p, r.left, envc, &r);
    if (r.bad) {
        free(argv);
        reply_error("ProtocolError", "malformed RUN command", 0, 0);
        return;
    }
    if (*cwd && chdir(cwd) < 0)
        fprintf(stderr, "warning: cannot change to the working directory %s: %s\n", cwd, strerror(errno));

    char *msg = NULL;
    void *h = load_object(path, &msg);
    if (!h) {
        free(argv);
        reply_error("LoadError", msg ? msg : "dlopen failed", 0, 0);
        free(msg);
        return;
    }
    rt_entry_fn fn;
    *(void **)&fn = dlsym(h, RT_ENTRY);
    if (!fn) {
        free(argv);
        reply_error("LoadError", "the cell's object has no entry function " RT_ENTRY, 0, 0);
        return;
    }

    int cuda = (flags & RT_RUN_CUDA) != 0;
    int ret = 0;
    rt_stdin_new_cell();
    rt_proc_restore_stdio();   /* an earlier cell may have closed or redirected them */
    if (cuda)
        rt_cuda_before_cell();
    /* volatile: read after a siglongjmp */
    volatile double t0 = now_s();
    if (sigsetjmp(rt_jump, 1) != 0) {
        double ms = (now_s() - t0) * 1e3;
        after_cell();
        free(argv);
        rt_buf b = {0};
        rt_put_f64(&b, ms);
        reply_or_die(RT_R_INTERRUPTED, &b);
        rt_buf_free(&b);
        return;
    }
    rt_cell_cuda = cuda;
    rt_in_cell = 1;
    if (flags & RT_RUN_TIMEIT)
        run_timeit(fn, (int)nargs + 1, argv, cuda, &ret, ti_loops, ti_repeats);
    else
        ret = fn((int)nargs + 1, argv);
    rt_in_cell = 0;
    double ms = (now_s() - t0) * 1e3;
    free(argv);

    after_cell();
    if (ret != 0)
        fprintf(stderr, "main returned %d\n", ret);
    fflush(stderr);
    if (cuda) {
        char *ename = NULL, *message = NULL;
        int sticky = 0;
        int rc = rt_cuda_after_cell(&ename, &message, &sticky);
        if (rc == 2) {
            fprintf(stderr, "%s\n", message ? message : "No usable GPU.");
            fflush(stderr);
            free(ename);
            free(message);
        } else if (rc != 0) {
            reply_error(ename ? ename : "CUDAError", message ? message : "CUDA error", sticky, ms);
            free(ename);
            free(message);
            return;
        }
    }
    reply_done(ret, ms);
}

/* ---- main ------------------------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
/* Under the sanitizer build the runtime runs user code, whose leaks (and
 * exit() with memory still allocated) are not the runtime's: turn leak
 * checking off, re-executing once if ASAN_OPTIONS asked for it, so a cell's
 * exit status stays its own. */
static void no_leak_check(void)
{
    const char *old = getenv("ASAN_OPTIONS");
    if (getenv("CUDACELL_RT_RELAUNCHED")) {
        unsetenv("CUDACELL_RT_RELAUNCHED");
        return;
    }
    char *opts = NULL;
    if (asprintf(&opts, "%s%sdetect_leaks=0", old ? old : "", old && *old ? ":" : "") < 0)
        return;
    setenv("ASAN_OPTIONS", opts, 1);
    setenv("CUDACELL_RT_RELAUNCHED", "1", 1);
    free(opts);
    char *argv[] = {"cudacell-runtime", NULL};
    execv("/proc/self/exe", argv);
}
#endif

/* The kernel closed the command pipe (%reset, a restart, shutdown): the
 * destructors cells registered with libcudacell (class-type globals) run,
 * newest first, within RT_AT_END_S seconds; then the runtime exits as it
 * always did. Nothing of the sort on a crash or a kill. */
#define RT_AT_END_S 2
static void run_at_end(void)
{
    void *lib = dlopen("libcudacell.so", RTLD_NOW | RTLD_NOLOAD);
    void (*run)(void) = lib ? (void (*)(void))dlsym(lib, "__cc_run_at_end") : NULL;
    if (run) {
        alarm(RT_AT_END_S);   /* a destructor that hangs ends the process (SIGALRM) */
        run();
        alarm(0);
    }
    if (lib)
        dlclose(lib);
}

int main(void)
{
    int rc_eof = 0;
#if defined(__SANITIZE_ADDRESS__)
    no_leak_check();
#endif
    setpgid(0, 0);   /* interrupts of the kernel's group must not reach us */
    /* The kernel armed PR_SET_PDEATHSIG before exec (kernel/util/child_spawn.c). */
    if (rt_proc_init() < 0) {
        fprintf(stderr, "cudacell-runtime: this program is started by the cudacell kernel "
                        "(it needs its command pipes on fds 3 and 4); it is not meant to be run by hand.\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IOLBF, 0);
    setup_signals();
    rt_stdin_install();

    for (;;) {
        uint32_t type = 0;
        char *payload = NULL;
        size_t len = 0;
        int rc = rt_recv(rt_cmd_fd, &type, &payload, &len);
        if (rc != 0) {
            rc_eof = rt_proc_channel_ok();   /* the kernel closed it, not a cell */
            break;   /* the kernel closed the pipe (or a cell closed it: explained below) */
        }
        switch (type) {
        case RT_C_LOAD: cmd_load(payload, len); break;
        case RT_C_RUN: cmd_run(payload, len); break;
        default: break;   /* a stale input reply, or unknown: ignore */
        }
        free(payload);
    }
    if (rc_eof)
        run_at_end();
    rt_proc_channel_failed();   /* exits; no atexit handlers of cells: they may point into dead state */
}
