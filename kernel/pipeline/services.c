/* kernel/pipeline/services.c — creates and tears down the language side: the private
 * 0700 work directory (removed at shutdown; workdir.c), the persistent
 * compile cache, the session, the runtime client (started lazily by
 * cells.c), history. At start it sweeps what dead kernels left behind. */
#include "services.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "compiler_pch.h"
#include "log.h"
#include "runtime_client.h"
#include "crash_report.h"
#include "session.h"
#include "workdir.h"
#include "xalloc.h"

cc_services *cc_services_new(const char *exe_dir, struct cc_gpu_probe *gpu)
{
    cc_services *svc = cc_xcalloc(1, sizeof *svc);
    const char *tmp = getenv("TMPDIR");

    pthread_mutex_init(&svc->run_lock, NULL);
    pthread_rwlock_init(&svc->names_lock, NULL);
    pthread_mutex_init(&svc->count_lock, NULL);
    const char *tmpdir = tmp && *tmp ? tmp : "/tmp";

    svc->workdir_lock = -1;
    cc_workdir_sweep(tmpdir);
    svc->workdir = cc_workdir_create(tmpdir, &svc->workdir_lock);
    if (!svc->workdir) {
        cc_log_error("cannot create a private work directory in %s: %s", tmpdir, strerror(errno));
        goto fail;
    }

    /* The compile cache (kernel/pipeline/cache.c): the configured directory when it
     * can be trusted, else a private one in the work directory. */
    if (!(svc->cache = cc_cache_open(svc->workdir)))
        goto fail;
    svc->cache_dir = cc_xstrdup(cc_cache_dir(svc->cache));
    cc_cache_sweep_tmp(svc->cache_dir);   /* compiler temporaries of dead kernels */
    svc->exe_dir = cc_xstrdup(exe_dir ? exe_dir : ".");
    svc->pch = cc_pch_new(svc->workdir);
    svc->session = cc_session_new();
    svc->history = json_array();
    svc->cflags = cc_xstrdup("");
    svc->ldflags = cc_xstrdup("");
    svc->nvccflags = cc_xstrdup("");
    svc->gpu = gpu;
    return svc;
fail:
    cc_services_free(svc);
    return NULL;
}

void cc_services_warm(cc_services *svc)
{
    pthread_mutex_lock(&svc->run_lock);
    cc_cache_evict(svc->cache, cc_cache_max_bytes(getenv("CUDACELL_CACHE_MAX_MB")));
    pthread_mutex_unlock(&svc->run_lock);
}

void cc_services_free(cc_services *svc)
{
    if (!svc)
        return;
    if (svc->rt)
        cc_rt_free(svc->rt);
    if (svc->session)
        cc_session_free(svc->session);
    cc_crash_cells_free(svc->crash_cells);
    cc_pch_free(svc->pch);
    cc_cache_free(svc->cache);   /* before the work dir goes: a private cache lives in it */
    cc_workdir_remove(svc->workdir, svc->workdir_lock);
    free(svc->workdir);
    free(svc->cache_dir);
    free(svc->exe_dir);
    free(svc->cflags);
    free(svc->ldflags);
    free(svc->nvccflags);
    free(svc->args);
    json_decref(svc->history);
    pthread_mutex_destroy(&svc->run_lock);
    pthread_rwlock_destroy(&svc->names_lock);
    pthread_mutex_destroy(&svc->count_lock);
    free(svc);
}
