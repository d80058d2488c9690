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

#include "info.h"
#include "log.h"
#include "runtime_client.h"
#include "crash_report.h"
#include "session.h"

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return (mkdir(buf, mode) < 0 && errno != EEXIST) ? -1 : 0;
}

static char *cache_dir_path(void)
{
    const char *env = getenv("CUDACELL_CACHE_DIR");
    char *out = NULL;
    if (env && *env)
        return strdup(env);
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg) {
        if (asprintf(&out, "%s/cudacell", xdg) < 0)
            out = NULL;
    } else if (home && *home) {
        if (asprintf(&out, "%s/.cache/cudacell", home) < 0)
            out = NULL;
    }
    return out;
}

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

    svc->cache_dir = cache_dir_path();
    if (!svc->cache_dir || mkdir_p(svc->cache_dir, 0700) < 0) {
        /* No usable cache: keep compiled cells in the work directory. */
        free(svc->cache_dir);
        if (asprintf(&svc->cache_dir, "%s/cache", svc->workdir) < 0 || mkdir_p(svc->cache_dir, 0700) < 0)
            goto fail;
    }
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
    cc_crash_cells_free(svc->crash_cells);
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
