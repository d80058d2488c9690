/* kernel/pipeline/services.h — the language side of the kernel, owned by the shell
 * worker thread: the C/CUDA session, compiler settings, the runtime process,
 * the private work directory, history. Created lazily where costly.
 *
 * The main shell and subshells share it: run_lock serialises everything
 * that uses the session or the runtime (code cells and the magics that
 * touch them); names_lock guards the session's names so completion and
 * inspection never wait for a running cell (only for a commit);
 * count_lock guards execution_count and history. */
#ifndef CC_SERVICES_H
#define CC_SERVICES_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

struct cc_session;
struct cc_runtime;
struct cc_gpu_probe;
struct cc_cache;
struct cc_pch;
struct cc_crash_cells;

typedef struct cc_services {
    struct cc_session *session;   /* declarations of all committed cells */
    struct cc_runtime *rt;        /* runtime process client (started on first cell) */
    char *workdir;                /* private 0700 dir, removed at shutdown */
    int workdir_lock;             /* fd holding its flock (workdir.c), -1: none */
    char *cache_dir;              /* compile cache (persistent across sessions), = cc_cache_dir(cache) */
    struct cc_cache *cache;       /* its trust, pins and size cap (kernel/pipeline/cache.h) */
    struct cc_pch *pch;           /* the precompiled prelude (compiler_pch.h) */
    char *exe_dir;                /* where cudacell-runtime etc. live */
    char *cflags;                 /* %cflags, space-separated, owned */
    char *ldflags;                /* %ldflags */
    char *nvccflags;              /* %nvccflags */
    char *args;                   /* %args for main() */
    json_t *history;              /* array of [session, line, input] */
    int execution_count;
    struct cc_gpu_probe *gpu;     /* background GPU discovery (cuda/gpu_probe.h) */
    struct cc_crash_cells *crash_cells; /* object → cell, for crash reports (crash_report.h) */
    pthread_mutex_t run_lock;
    pthread_rwlock_t names_lock;
    pthread_mutex_t count_lock;
} cc_services;

/* gpu: the process-wide GPU probe (the server starts it; NULL for none). */
cc_services *cc_services_new(const char *exe_dir, struct cc_gpu_probe *gpu);
void cc_services_free(cc_services *svc);   /* stops the runtime, removes workdir */

/* The start-up work that may take a while and that readiness need not wait
 * for: the compile cache's first scan, evicting down to its cap (a scan
 * stats every entry). The shell worker runs it before its first request. */
void cc_services_warm(cc_services *svc);

#endif
