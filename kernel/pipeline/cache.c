/* kernel/pipeline/cache.c — the compile cache directory (see cache.h): choosing it,
 * refusing one other users could write, the private fallback, and the
 * session's pins (which entries it uses, hard-linked so that no kernel's
 * eviction removes them, restored when they vanish anyway). Entries and
 * eviction are in cache_entry.c. */
#include "cache.h"
#include "cache_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "xalloc.h"

#define PINS_GRACE_S 60   /* a pin directory this young may still be taking its lock */

typedef struct pinrec {
    char *name;
    char **deps;
    size_t n_deps;
    unsigned mark;        /* visited in the ensure walk numbered `mark` */
} pinrec;

struct cc_cache {
    char *dir;            /* canonical, absolute */
    char *note;           /* why the configured directory was refused, until taken */
    char *pindir;         /* <dir>/.pins-XXXXXX, NULL when pins are unavailable */
    int pin_lock;         /* flock held on <pindir>/lock while this kernel lives */
    pinrec *pins;
    size_t n_pins, cap_pins;
    unsigned walk;
    bool scanned;         /* bytes below holds: the directory was scanned at least once */
    uint64_t bytes;       /* entries' total at the last scan, plus what this kernel added since */
    int64_t scanned_ns;   /* when (cc_now_ns) */
};

/* ---- where ------------------------------------------------------------------ */

static char *wanted_dir(void)
{
    const char *env = getenv("CUDACELL_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        return cc_xstrdup(env);
    if (xdg && *xdg)
        return cc_xasprintf("%s/cudacell", xdg);
    if (home && *home)
        return cc_xasprintf("%s/.cache/cudacell", home);
    return NULL;
}

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
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

/* ---- trust ------------------------------------------------------------------- */

/* The group is the user's private group (same name, no other members): a
 * directory writable by it is writable by the user alone. */
static bool private_group(gid_t gid, uid_t uid)
{
    struct passwd *pw = getpwuid(uid);
    struct group *gr = getgrgid(gid);
    if (!pw || !gr || pw->pw_gid != gid || strcmp(pw->pw_name, gr->gr_name) != 0)
        return false;
    for (char **m = gr->gr_mem; *m; m++)
        if (strcmp(*m, pw->pw_name) != 0)
            return false;
    return true;
}

static const char *writers(mode_t mode)
{
    return (mode & 022) == 022 ? "its group and other users" : (mode & 002) ? "other users" : "its group";
}

/* A directory above the cache: owned by root or the user, and writable by
 * nobody else unless sticky (like /tmp). Symbolic links: owned by root or
 * the user (their targets are checked through the resolved path). */
static int check_above(const char *p, uid_t uid, char **why)
{
    struct stat st;
    if (lstat(p, &st) < 0) {
        *why = cc_xasprintf("%s, a directory above it, cannot be examined (%s)", p, strerror(errno));
        return -1;
    }
    if (st.st_uid != uid && st.st_uid != 0) {
        *why = cc_xasprintf("%s, %s above it, belongs to user %u", p,
                    S_ISLNK(st.st_mode) ? "a symbolic link" : "a directory", (unsigned)st.st_uid);
        return -1;
    }
    if (S_ISLNK(st.st_mode) || (st.st_mode & S_ISVTX))
        return 0;
    if ((st.st_mode & 002) || ((st.st_mode & 020) && !private_group(st.st_gid, uid))) {
        *why = cc_xasprintf("%s, a directory above it, is writable by %s (mode %04o)", p, writers(st.st_mode & 022),
                    (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

/* Every proper prefix of the absolute path p ("/a/b/c": "/", "/a", "/a/b"). */
static int check_prefixes(const char *p, uid_t uid, char **why)
{
    char buf[PATH_MAX];
    size_t n = strlen(p);
    if (n >= sizeof buf || p[0] != '/')
        return 0;
    memcpy(buf, p, n + 1);
    if (check_above("/", uid, why) < 0)
        return -1;
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        int rc = check_above(buf, uid, why);
        *s = '/';
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cc_cache_check_dir(const char *dir, uid_t uid, char **why)
{
    struct stat st;
    *why = NULL;
    if (lstat(dir, &st) < 0) {
        *why = cc_xasprintf("it cannot be examined (%s)", strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode) && st.st_uid != uid && st.st_uid != 0) {
        *why = cc_xasprintf("it is a symbolic link that belongs to user %u", (unsigned)st.st_uid);
        return -1;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        *why = cc_xasprintf("it is not a directory");
        return -1;
    }
    if (st.st_uid != uid) {
        *why = cc_xasprintf("it belongs to user %u, not to you (user %u)", (unsigned)st.st_uid, (unsigned)uid);
        return -1;
    }
    if (st.st_mode & 022) {
        *why = cc_xasprintf("it is writable by %s (mode %04o)", writers(st.st_mode & 022), (unsigned)(st.st_mode & 07777));
        return -1;
    }
    char abs[PATH_MAX];
    if (dir[0] != '/' && getcwd(abs, sizeof abs)) {
        size_t k = strlen(abs);
        snprintf(abs + k, sizeof abs - k, "/%s", dir);
    } else {
        snprintf(abs, sizeof abs, "%s", dir);
    }
    char *real = realpath(dir, NULL);
    int rc = check_prefixes(abs, uid, why);
    if (rc == 0 && real)
        rc = check_prefixes(real, uid, why);
    free(real);
    return rc;
}

char *cc_cache_refusal_message(const char *dir, const char *why)
{
    return cc_xasprintf("cudacell did not use the compile cache directory %s: %s, so another user could replace a "
                "compiled cell there with their own code and it would run inside this kernel. Compiled cells "
                "are kept in a private directory for this session instead (later sessions will compile them "
                "again). To fix it, make that directory and the ones above it belong to you (or root) and "
                "writable only by you (for example `chmod go-w %s`, or `chown` it back to yourself), or set "
                "CUDACELL_CACHE_DIR to a directory only you can write, then restart the kernel.",
                dir, why, dir);
}

/* ---- opening ----------------------------------------------------------------- */

static void open_pins(cc_cache *c)
{
    char *tmpl = cc_xasprintf("%s/.pins-XXXXXX", c->dir);
    c->pin_lock = -1;
    if (!mkdtemp(tmpl)) {
        free(tmpl);
        return;
    }
    char *lock = cc_xasprintf("%s/lock", tmpl);
    c->pin_lock = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    free(lock);
    if (c->pin_lock < 0 || flock(c->pin_lock, LOCK_EX | LOCK_NB) < 0) {
        cc_log_warn("compile cache: cannot lock a pin directory in %s; entries of this session are "
                    "protected from this kernel's eviction only", c->dir);
        if (c->pin_lock >= 0)
            close(c->pin_lock);
        c->pin_lock = -1;
        free(tmpl);
        return;
    }
    c->pindir = tmpl;
}

/* The configured directory, created and checked; NULL (with c->note when
 * it was refused) when the private one must be used. */
static char *configured_dir(cc_cache *c)
{
    char *want = wanted_dir(), *why = NULL, *real = NULL;
    if (!want)
        return NULL;
    if (mkdir_p(want, 0700) < 0)
        cc_log_warn("compile cache: cannot create %s (%s); using a private one for this session", want,
                    strerror(errno));
    else if (cc_cache_check_dir(want, geteuid(), &why) < 0)
        c->note = cc_cache_refusal_message(want, why);
    else if (!(real = realpath(want, NULL)))
        cc_log_warn("compile cache: cannot resolve %s (%s)", want, strerror(errno));
    if (c->note)
        cc_log_warn("%s", c->note);
    free(why);
    free(want);
    return real;
}

cc_cache *cc_cache_open(const char *workdir)
{
    cc_cache *c = cc_xcalloc(1, sizeof *c);
    c->pin_lock = -1;
    c->dir = configured_dir(c);
    if (!c->dir) {
        char *priv = cc_xasprintf("%s/cache", workdir);
        if (mkdir_p(priv, 0700) == 0)
            c->dir = realpath(priv, NULL);
        free(priv);
        if (!c->dir) {
            cc_cache_free(c);
            return NULL;
        }
    }
    open_pins(c);   /* the first scan waits for the first compile (cc_cache_added) */
    return c;
}

void cc_cache_scanned(cc_cache *c, uint64_t bytes)
{
    c->scanned = true;
    c->bytes = bytes;
    c->scanned_ns = cc_now_ns();
}

static uint64_t file_bytes(const char *path, const char *suffix)
{
    char *p = cc_xasprintf("%s%s", path, suffix);
    struct stat st;
    uint64_t n = lstat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
    free(p);
    return n;
}

int cc_cache_added(cc_cache *c, const char *so_path, uint64_t max_bytes)
{
    c->bytes += file_bytes(so_path, "") + file_bytes(so_path, ".sum") + file_bytes(so_path, ".warn");
    if (c->scanned && c->bytes <= max_bytes && cc_now_ns() - c->scanned_ns < CC_CACHE_RESCAN_S * 1000000000LL)
        return 0;
    return cc_cache_evict(c, max_bytes);
}

const char *cc_cache_dir(const cc_cache *c) { return c->dir; }

char *cc_cache_take_note(cc_cache *c)
{
    char *n = c->note;
    c->note = NULL;
    return n;
}

/* ---- pins -------------------------------------------------------------------- */

static pinrec *find_pin(const cc_cache *c, const char *name)
{
    for (size_t i = c->n_pins; i-- > 0;)
        if (strcmp(c->pins[i].name, name) == 0)
            return &c->pins[i];
    return NULL;
}

bool cc_cache_is_pinned(const cc_cache *c, const char *soname) { return find_pin(c, soname) != NULL; }

/* (Re)links <dir>/<name><suffix> as <pindir>/<name><suffix>. */
static void link_pin(const cc_cache *c, const char *name, const char *suffix)
{
    char *from = cc_xasprintf("%s/%s%s", c->dir, name, suffix), *to = cc_xasprintf("%s/%s%s", c->pindir, name, suffix);
    unlink(to);
    if (link(from, to) < 0 && errno != ENOENT)
        cc_log_debug("compile cache: cannot pin %s: %s", from, strerror(errno));
    free(from);
    free(to);
}

void cc_cache_pin(cc_cache *c, const char *soname, const char *const *deps, size_t n_deps)
{
    if (!find_pin(c, soname)) {
        if (c->n_pins == c->cap_pins) {
            c->cap_pins = c->cap_pins ? c->cap_pins * 2 : 64;
            c->pins = cc_xrealloc(c->pins, c->cap_pins * sizeof *c->pins);
        }
        pinrec *p = &c->pins[c->n_pins++];
        *p = (pinrec){cc_xstrdup(soname), cc_xcalloc(n_deps ? n_deps : 1, sizeof(char *)), n_deps, 0};
        for (size_t i = 0; i < n_deps; i++)
            p->deps[i] = cc_xstrdup(deps[i]);
    }
    if (c->pindir) {   /* relinked every time: the entry may have been rebuilt since */
        link_pin(c, soname, ".sum");
        link_pin(c, soname, "");
    }
}

/* Puts the pinned copy of name back; 0 when it is there now. */
static int restore(const cc_cache *c, const char *name)
{
    if (!c->pindir)
        return -1;
    char *pin = cc_xasprintf("%s/%s", c->pindir, name), *entry = cc_xasprintf("%s/%s", c->dir, name);
    char *psum = cc_xasprintf("%s.sum", pin), *esum = cc_xasprintf("%s.sum", entry);
    struct stat st;
    int rc = -1;
    if (lstat(pin, &st) == 0 && cc_cache_entry_safe(&st, geteuid())) {
        int lk = cc_cache_lock(c->dir, LOCK_EX);
        unlink(esum);
        link(psum, esum);
        unlink(entry);
        rc = link(pin, entry);
        cc_cache_unlock(lk);
    }
    if (rc == 0)
        cc_log_info("compile cache: restored %s, removed while this session used it", name);
    free(pin);
    free(entry);
    free(psum);
    free(esum);
    return rc;
}

static int ensure_one(cc_cache *c, const char *name, char **err)
{
    pinrec *p = find_pin(c, name);
    if (p) {
        if (p->mark == c->walk)
            return 0;
        p->mark = c->walk;
        for (size_t i = 0; i < p->n_deps; i++)
            if (ensure_one(c, p->deps[i], err) < 0)
                return -1;
    }
    char *path = cc_xasprintf("%s/%s", c->dir, name);
    struct stat st;
    bool ok = lstat(path, &st) == 0 && cc_cache_entry_safe(&st, geteuid());
    free(path);
    if (ok || restore(c, name) == 0)
        return 0;
    if (err && !*err)
        *err = cc_xasprintf("The compiled object of an earlier cell (%s) is gone from the compile cache %s (it was "
                    "deleted while this session used it) and could not be restored. Run again the cells that "
                    "define the functions and variables this cell uses, or run %%reset and then the notebook "
                    "from the top.", name, c->dir);
    return -1;
}

int cc_cache_ensure(cc_cache *c, const char *const *names, size_t n, char **err)
{
    int rc = 0;
    if (err)
        *err = NULL;
    c->walk++;
    for (size_t i = 0; i < n; i++)
        if (ensure_one(c, names[i], err) < 0)
            rc = -1;
    return rc;
}

static void drop_pins(cc_cache *c)
{
    for (size_t i = 0; i < c->n_pins; i++) {
        pinrec *p = &c->pins[i];
        if (c->pindir) {
            char *pin = cc_xasprintf("%s/%s", c->pindir, p->name), *sum = cc_xasprintf("%s/%s.sum", c->pindir, p->name);
            unlink(pin);
            unlink(sum);
            free(pin);
            free(sum);
        }
        for (size_t k = 0; k < p->n_deps; k++)
            free(p->deps[k]);
        free(p->deps);
        free(p->name);
    }
    c->n_pins = 0;
}

void cc_cache_unpin_all(cc_cache *c) { drop_pins(c); }

/* Removes the files of the pin directory `name` (in dfd), then the directory. */
static void remove_pindir(int dfd, const char *name)
{
    int pfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = pfd >= 0 ? fdopendir(pfd) : NULL;
    struct dirent *e;
    if (!d) {
        if (pfd >= 0)
            close(pfd);
        return;
    }
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(pfd, e->d_name, 0);
    closedir(d);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

void cc_cache_reap_pins(cc_cache *c, int dfd, const char *name, const struct stat *st, time_t now)
{
    const char *mine = c->pindir ? strrchr(c->pindir, '/') : NULL;
    if ((mine && strcmp(mine + 1, name) == 0) || st->st_uid != geteuid() || now - st->st_mtime < PINS_GRACE_S)
        return;
    char *lock = cc_xasprintf("%s/lock", name);
    int fd = openat(dfd, lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(lock);
    bool dead = fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0;   /* its kernel holds it while alive */
    if (fd >= 0)
        close(fd);
    if (dead)
        remove_pindir(dfd, name);
}

void cc_cache_free(cc_cache *c)
{
    if (!c)
        return;
    drop_pins(c);
    free(c->pins);
    if (c->pindir) {
        char *lock = cc_xasprintf("%s/lock", c->pindir);
        unlink(lock);
        free(lock);
        rmdir(c->pindir);
    }
    if (c->pin_lock >= 0)
        close(c->pin_lock);
    free(c->pindir);
    free(c->dir);
    free(c->note);
    free(c);
}
