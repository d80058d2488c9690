/* kernel/pipeline/compiler_pch.c — the precompiled prelude (compiler_pch.h).
 *
 * A saved state is valid only for a unit compiled with the very flags it
 * was built with, so each is keyed by the unit's flag words
 * (cc_unit_flags: the tool, language and code-generation flags, include
 * directory, the user's %cflags or host share of %nvccflags) and built from
 * the same words with -x c-header / -x c++-header. There is one slot for C
 * and one for host C++ (nvcc cannot use one). A slot's state is built in the
 * background when the second unit with the same flags compiles (a session
 * of one cell never pays for it), and used from the next unit on once the
 * build has finished; a unit never waits for it. Only GCC gets one (clang
 * reads .gch files only through -include).
 *
 * A unit that uses it adds -I<dir> first; GCC looks for
 * <dir>/cudacell_prelude.h.gch before the header itself and, should it find
 * the state unusable after all, goes on to the real header: a stale or
 * foreign state can cost time, never a wrong compile. */
#include "compiler_int.h"
#include "compiler_pch.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_spawn.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

#define PCH_HEADER "cudacell_prelude.h"

typedef enum { PCH_COUNTING, PCH_BUILDING, PCH_READY, PCH_FAILED } pch_state;

typedef struct pch_slot {
    char *key;         /* the flag words it is for, joined by \x1f; NULL: none yet */
    char *dir;         /* <workdir>/pch-<c|cxx>-<n>, holding PCH_HEADER.gch */
    pch_state state;
    pid_t pid;         /* the build, while PCH_BUILDING */
    unsigned units;    /* units compiled with key (PCH_COUNTING) */
} pch_slot;

struct cc_pch {
    pthread_mutex_t lock;
    char *workdir;
    unsigned serial;   /* names each build's directory */
    pch_slot slot[2];  /* C, host C++ */
};

cc_pch *cc_pch_new(const char *workdir)
{
    cc_pch *p = cc_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->workdir = cc_xstrdup(workdir);
    return p;
}

static char *gch_path(const pch_slot *s, bool tmp)
{
    return cc_xasprintf("%s/" PCH_HEADER ".gch%s", s->dir, tmp ? ".tmp" : "");
}

/* Forget the slot's state: stop its build, remove its files. */
static void slot_clear(pch_slot *s)
{
    if (s->state == PCH_BUILDING && s->pid > 0) {
        kill(-s->pid, SIGKILL);   /* its own process group (child_spawn.h) */
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (s->dir) {
        char *g = gch_path(s, false), *t = gch_path(s, true);
        unlink(g);
        unlink(t);
        rmdir(s->dir);
        free(g);
        free(t);
    }
    free(s->key);
    free(s->dir);
    memset(s, 0, sizeof *s);
}

void cc_pch_free(cc_pch *p)
{
    if (!p)
        return;
    for (int i = 0; i < 2; i++) {
        if (p->slot[i].state == PCH_BUILDING)
            slot_clear(&p->slot[i]);   /* the files go with the work directory */
        free(p->slot[i].key);
        free(p->slot[i].dir);
    }
    pthread_mutex_destroy(&p->lock);
    free(p->workdir);
    free(p);
}

/* A finished build becomes READY (its file sealed into place) or FAILED. */
static void slot_poll(pch_slot *s)
{
    if (s->state != PCH_BUILDING)
        return;
    int st;
    pid_t r = waitpid(s->pid, &st, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return;
    s->pid = 0;
    s->state = PCH_FAILED;
    if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        char *g = gch_path(s, false), *t = gch_path(s, true);
        if (rename(t, g) == 0)
            s->state = PCH_READY;
        free(g);
        free(t);
    }
    if (s->state == PCH_FAILED)
        cc_log_info("the precompiled prelude could not be built; cells compile without it");
}

/* Start building the slot's state from the unit's flag words. */
static void slot_build(cc_pch *p, pch_slot *s, bool cxx, const argv_buf *flags, size_t ntool,
                       const char *inc)
{
    s->state = PCH_FAILED;
    s->dir = cc_xasprintf("%s/pch-%s-%u", p->workdir, cxx ? "cxx" : "c", ++p->serial);
    if (mkdir(s->dir, 0700) < 0)
        return;
    argv_buf a = {0};
    for (size_t i = 0; i < flags->n; i++) {
        if (i == ntool && !cxx) {
            av_add(&a, "-x");
            av_add(&a, "c-header");
        }
        bool lang_word = cxx && i > 0 && !strcmp(flags->v[i - 1], "-x") && !strcmp(flags->v[i], "c++");
        av_add(&a, lang_word ? "c++-header" : flags->v[i]);
    }
    char *out = gch_path(s, true), *owned = NULL;
    av_add(&a, "-o");
    av_add(&a, out);
    av_addf(&a, "%s/" PCH_HEADER, inc);
    char **env = cc_compiler_env(p->workdir, &owned);
    int fds[3] = {CC_SPAWN_DEVNULL, CC_SPAWN_DEVNULL, CC_SPAWN_DEVNULL};
    if (cc_spawn(&s->pid, a.v[0], a.v, env, fds, 3) == 0)
        s->state = PCH_BUILDING;
    free(env);
    free(owned);
    free(out);
    av_free(&a);
}

char *cc_pch_for(cc_pch *p, const cc_compile_req *req, const argv_buf *flags, size_t ntool,
                 const char *inc)
{
    if (!p || (req->lang != CC_LANG_C && req->lang != CC_LANG_CXX) || !cc_tool_is_gnu(flags->v))
        return NULL;
    cc_strbuf key = {0};
    for (size_t i = 0; i < flags->n; i++) {
        cc_strbuf_add(&key, flags->v[i]);
        cc_strbuf_add(&key, "\x1f");
    }
    char *dir = NULL;
    pthread_mutex_lock(&p->lock);
    bool cxx = req->lang == CC_LANG_CXX;
    pch_slot *s = &p->slot[cxx];
    slot_poll(s);
    if (!s->key || strcmp(s->key, key.s) != 0) {   /* new flags: start counting again */
        slot_clear(s);
        s->key = key.s;
        key.s = NULL;
    }
    if (s->state == PCH_READY)
        dir = cc_xstrdup(s->dir);
    else if (s->state == PCH_COUNTING && ++s->units >= 2)
        slot_build(p, s, cxx, flags, ntool, inc);
    pthread_mutex_unlock(&p->lock);
    free(key.s);
    return dir;
}
