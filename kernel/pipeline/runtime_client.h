/* kernel/pipeline/runtime_client.h — the kernel's side of the runtime process: start
 * it, hand it compiled cells, stream its stdout/stderr and displays to the
 * engine's output (cc_output.h), serve its stdin requests, notice crashes
 * and interrupts, restart and reload. */
#ifndef CC_RUNTIME_CLIENT_H
#define CC_RUNTIME_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct cc_out;

typedef struct cc_runtime cc_runtime;

typedef enum cc_rt_status {
    CC_RT_OK = 0,
    CC_RT_ERROR,        /* the cell reported an error (e.g. dlopen failed, CUDA error) */
    CC_RT_CRASHED,      /* the runtime died: signal or exit status in the result */
    CC_RT_INTERRUPTED,  /* stopped by an interrupt; state kept */
    CC_RT_KILLED,       /* stopped by an interrupt the hard way; runtime restarted */
} cc_rt_status;

typedef struct cc_rt_run_req {
    const char *so_path;
    bool is_cuda;
    int timeit;               /* 0: run once; 1: %%timeit mode */
    long timeit_loops;        /* %%timeit -n: loops per run, 0: calibrate */
    long timeit_repeats;      /* %%timeit -r: runs, 0: up to 7 within the time budget */
    const char *args;         /* %args for main, may be NULL */
} cc_rt_run_req;

typedef struct cc_rt_result {
    cc_rt_status status;
    int term_signal;          /* CRASHED by signal */
    int exit_status;          /* CRASHED by exit() */
    bool channel_closed;      /* CRASHED because the cell closed the runtime's pipes to the kernel */
    char *message;            /* malloc'd detail (error text), may be NULL */
    char *ename;              /* malloc'd error name for CC_RT_ERROR (e.g. "CUDAError"), may be NULL */
    char *crash;              /* CRASHED: the RT_R_CRASH payload (where it died), malloc'd, may be NULL */
    size_t crash_len;
    double run_ms;
    bool restart_needed;      /* sticky CUDA error etc. */
    /* %%timeit */
    long loops, repeats;
    double mean_ns, std_ns;
} cc_rt_result;

/* The client of a runtime process not started yet (cc_rt_start_process). */
cc_runtime *cc_rt_new(const char *exe_dir, const char *cache_dir, const char *workdir);
void cc_rt_free(cc_runtime *rt);   /* stops the process */

/* Run a compiled cell; streams output to o while it runs (o may be NULL:
 * output dropped, input refused). */
int cc_rt_run(cc_runtime *rt, struct cc_out *o, const cc_rt_run_req *req, cc_rt_result *res);
void cc_rt_result_clear(cc_rt_result *res);

/* Stop the process (if any) and start fresh on next use, loading these
 * objects first (so types and functions of earlier cells stay usable). */
void cc_rt_restart(cc_runtime *rt, const char *const *sonames, size_t n);

/* pid of the runtime process, 0 if none (for usage reports). */
int cc_rt_pid(const cc_runtime *rt);

#endif
