/* kernel/services.c — creates and tears down the language side: the private
 * 0700 work directory (removed at shutdown), the persistent compile cache,
 * the session, the runtime client (started lazily by cells.c), history. */
#include "services.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "info.h"
#include "log.h"
#include "runtime_client.h"
#include "session.h"

cc_services *cc_services_new(const char *exe_dir)
{
    cc_services *svc = calloc(1, sizeof *svc);
    const char *tmp = getenv("TMPDIR");

    if (!svc)
        return NULL;
    pthread_mutex_init(&svc->run_lock, NULL);
    pthread_rwlock_init(&svc->names_lock, NULL);
    pthread_mutex_init(&svc->count_lock, NULL);
    char *tmpl = NULL;

    if (asprintf(&tmpl, "%s/cudacell-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
        goto fail;
    if (!mkdtemp(tmpl)) {   /* mkdtemp creates it 0700 */
        cc_log_error("cannot create a private work directory %s: %s", tmpl, strerror(errno));
        free(tmpl);
        goto fail;
    }
    svc->workdir = tmpl;

    /* The compile cache (kernel/cache.c): the configured directory when it
     * can be trusted, else a private one in the work directory. */
    if (!(svc->cache = cc_cache_open(svc->workdir)) || !(svc->cache_dir = strdup(cc_cache_dir(svc->cache))))
        goto fail;
    svc->exe_dir = strdup(exe_dir ? exe_dir : ".");
    svc->session = cc_session_new();
    svc->history = json_array();
    svc->cflags = strdup("");
    svc->ldflags = strdup("");
    svc->nvccflags = strdup("");
    svc->gpu = cc_info_probe();
    return svc;
fail:
    cc_services_free(svc);
    return NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

void cc_services_free(cc_services *svc)
{
    if (!svc)
        return;
    if (svc->rt)
        cc_rt_free(svc->rt);
    if (svc->session)
        cc_session_free(svc->session);
    cc_cache_free(svc->cache);   /* before the work dir goes: a private cache lives in it */
    if (svc->workdir)
        nftw(svc->workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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
