/* kernel/pipeline/compiler_pch.c — the precompiled prelude (compiler_pch.h).
 *
 * A saved state is valid only for a unit compiled with the very flags it
 * was built with, so each is keyed by the unit's flag words
 * (cc_unit_flags: the tool, language and code-generation flags, include
 * directory, the user's %cflags or host share of %nvccflags) and built from
 * the same words with -x c-header / -x c++-header. There is one slot for C
 * and one for host C++ (nvcc cannot use one). A slot's state is built in the
 * background once the second unit with the same flags has compiled (a
 * session of one cell never pays for it, and the build never overlaps a
 * compile that an interrupt could stop), and used from the next unit on
 * once the build has finished; a unit never waits for it. Only GCC gets one
 * (clang reads .gch files only through -include). A small thread waits for
 * each build, so a finished one is reaped at once (no zombie).
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
#include <stdatomic.h>
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

typedef enum { PCH_COUNTING, PCH_PENDING, PCH_BUILDING, PCH_READY, PCH_FAILED } pch_state;

/* One build: the compiler process and the thread that waits for it. */
typedef struct pch_build {
    pid_t pid;
    pthread_t waiter;
    atomic_bool done;
    int status;        /* its wait status, once done */
} pch_build;

typedef struct pch_slot {
    char *key;         /* the flag words it is for, joined by \x1f; NULL: none yet */
    char *dir;         /* <workdir>/pch-<c|cxx>-<n>, holding PCH_HEADER.gch */
    pch_state state;
    unsigned units;    /* units compiled with key (PCH_COUNTING) */
    argv_buf argv;     /* the build's command (PCH_PENDING) */
    pch_build *build;  /* PCH_BUILDING */
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

static void *wait_build(void *arg)
{
    pch_build *b = arg;
    int st = -1;
    while (waitpid(b->pid, &st, 0) < 0 && errno == EINTR)
        ;
    b->status = st;
    atomic_store(&b->done, true);
    return NULL;
}

/* Stops the slot's build (if any) and waits for its thread. */
static void build_stop(pch_slot *s)
{
    if (!s->build)
        return;
    if (!atomic_load(&s->build->done))
        kill(-s->build->pid, SIGKILL);   /* its own process group (child_spawn.h) */
    pthread_join(s->build->waiter, NULL);
    free(s->build);
    s->build = NULL;
}

/* Forget the slot's state: stop its build, remove its files. */
static void slot_clear(pch_slot *s)
{
    build_stop(s);
    if (s->dir) {
        char *g = gch_path(s, false), *t = gch_path(s, true);
        unlink(g);
        unlink(t);
        rmdir(s->dir);
        free(g);
        free(t);
    }
    av_free(&s->argv);
    free(s->key);
    free(s->dir);
    memset(s, 0, sizeof *s);
}

void cc_pch_free(cc_pch *p)
{
    if (!p)
        return;
    for (int i = 0; i < 2; i++) {
        build_stop(&p->slot[i]);   /* the files go with the work directory */
        av_free(&p->slot[i].argv);
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
    if (s->state != PCH_BUILDING || !s->build || !atomic_load(&s->build->done))
        return;
    int st = s->build->status;
    build_stop(s);
    s->state = PCH_FAILED;
    if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        char *g = gch_path(s, false), *t = gch_path(s, true);
        if (rename(t, g) == 0)
            s->state = PCH_READY;
        free(g);
        free(t);
    }
    if (s->state == PCH_FAILED)
        cc_log_info("the precompiled prelude could not be built; cells compile without it");
}

/* The build's command, from the unit's flag words, kept until it starts. */
static void slot_prepare(cc_pch *p, pch_slot *s, bool cxx, const argv_buf *flags, size_t ntool,
                         const char *inc)
{
    s->state = PCH_FAILED;
    s->dir = cc_xasprintf("%s/pch-%s-%u", p->workdir, cxx ? "cxx" : "c", ++p->serial);
    argv_buf *a = &s->argv;
    for (size_t i = 0; i < flags->n; i++) {
        if (i == ntool && !cxx) {
            av_add(a, "-x");
            av_add(a, "c-header");
        }
        bool lang_word = cxx && i > 0 && !strcmp(flags->v[i - 1], "-x") && !strcmp(flags->v[i], "c++");
        av_add(a, lang_word ? "c++-header" : flags->v[i]);
    }
    char *out = gch_path(s, true);
    av_add(a, "-o");
    av_add(a, out);
    av_addf(a, "%s/" PCH_HEADER, inc);
    free(out);
    s->state = PCH_PENDING;
}

/* Starts the prepared build in the background. */
static void slot_start(cc_pch *p, pch_slot *s)
{
    s->state = PCH_FAILED;
    if (mkdir(s->dir, 0700) < 0 && errno != EEXIST)
        return;
    char *owned = NULL;
    char **env = cc_compiler_env(p->workdir, &owned);
    int fds[3] = {CC_SPAWN_DEVNULL, CC_SPAWN_DEVNULL, CC_SPAWN_DEVNULL};
    pch_build *b = cc_xcalloc(1, sizeof *b);
    if (cc_spawn(&b->pid, s->argv.v[0], s->argv.v, env, fds, 3) == 0) {
        if (pthread_create(&b->waiter, NULL, wait_build, b) == 0) {
            s->build = b;
            s->state = PCH_BUILDING;
            b = NULL;
        } else {   /* no thread: no build */
            kill(-b->pid, SIGKILL);
            while (waitpid(b->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
    }
    free(b);
    free(env);
    free(owned);
    av_free(&s->argv);
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
        slot_prepare(p, s, cxx, flags, ntool, inc);   /* started once this unit has compiled */
    pthread_mutex_unlock(&p->lock);
    free(key.s);
    return dir;
}

void cc_pch_compiled(cc_pch *p, bool ok)
{
    if (!p || !ok)
        return;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < 2; i++)
        if (p->slot[i].state == PCH_PENDING)
            slot_start(p, &p->slot[i]);
    pthread_mutex_unlock(&p->lock);
}
