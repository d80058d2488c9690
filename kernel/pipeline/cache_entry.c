/* kernel/pipeline/cache_entry.c — one compile cache entry at a time, and the size
 * cap (see cache.h): verifying an entry against its seal before it is used,
 * sealing a freshly built object into place, and least-recently-used
 * eviction. The directory itself, its trust and the session's pins are in
 * cache.c. */
#include "cache.h"
#include "cache_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

#define SEAL_MAGIC "cudacell-cache-v1"
#define STALE_TMP_S 3600          /* a temporary this old belongs to no running compile */

/* ---- pure parts ----------------------------------------------------------- */

void cc_cache_seal_format(uint64_t size, const char *hex, char out[128])
{
    snprintf(out, 128, SEAL_MAGIC " %llu %.64s\n", (unsigned long long)size, hex);
}

int cc_cache_seal_parse(const char *text, uint64_t *size, char hex[65])
{
    unsigned long long n;
    int used = 0;
    size_t m = sizeof SEAL_MAGIC;   /* the magic and its space */
    if (!text || strncmp(text, SEAL_MAGIC " ", m) != 0 || text[m] < '0' || text[m] > '9' ||
        sscanf(text, SEAL_MAGIC " %llu %64[0-9a-f]%n", &n, hex, &used) != 2 ||
        strlen(hex) != 64 || strcmp(text + used, "\n") != 0)
        return -1;
    *size = n;
    return 0;
}

bool cc_cache_entry_safe(const struct stat *st, uid_t uid)
{
    return S_ISREG(st->st_mode) && st->st_uid == uid && (st->st_mode & 022) == 0;
}

static int by_age(const void *a, const void *b)
{
    const cc_cache_item *x = a, *y = b;
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

size_t cc_cache_pick_victims(cc_cache_item *items, size_t n, uint64_t max_bytes, bool *victim)
{
    uint64_t total = 0;
    size_t chosen = 0;
    if (n)
        qsort(items, n, sizeof *items, by_age);
    for (size_t i = 0; i < n; i++) {
        total += items[i].bytes;
        victim[i] = false;
    }
    for (size_t i = 0; i < n && total > max_bytes; i++) {
        if (items[i].in_use)
            continue;
        victim[i] = true;
        total -= items[i].bytes;
        chosen++;
    }
    return chosen;
}

uint64_t cc_cache_max_bytes(const char *env_value)
{
    const uint64_t def = (uint64_t)CC_CACHE_DEFAULT_MAX_MB << 20;
    if (!env_value || !*env_value)
        return def;
    char *end = NULL;
    errno = 0;
    unsigned long long mb = strtoull(env_value, &end, 10);
    if (errno || *end || env_value[0] == '-' || mb > (UINT64_MAX >> 20))
        return def;
    return (uint64_t)mb << 20;
}

/* ---- locking and hashing -------------------------------------------------- */

int cc_cache_lock(const char *dir, int how)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/.lock", dir) >= sizeof p)
        return -1;
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;   /* best effort: the seal still catches a torn entry */
    while (flock(fd, how) < 0 && errno == EINTR)
        ;
    return fd;
}

void cc_cache_unlock(int fd)
{
    if (fd >= 0)
        close(fd);   /* releases the flock */
}

/* SHA-256 of everything fd holds from its start, as 64 hex digits. */
static int hash_fd(int fd, char hex[65])
{
    unsigned char buf[1 << 16], d[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    EVP_MD_CTX *md = cc_xcheck(EVP_MD_CTX_new());
    off_t off = 0;
    int rc = 0;
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (;;) {
        ssize_t r = pread(fd, buf, sizeof buf, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = -1;
        if (r <= 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)r);
        off += r;
    }
    EVP_DigestFinal_ex(md, d, &dn);
    EVP_MD_CTX_free(md);
    for (unsigned int i = 0; i < 32 && i < dn; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    hex[64] = '\0';
    return rc;
}

/* The seal text of <path>.sum into buf; CC_CACHE_HIT when read. */
static cc_cache_state read_seal(const char *path, char *buf, size_t size)
{
    char p[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s.sum", path) >= sizeof p)
        return CC_CACHE_DAMAGED;
    int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ELOOP ? CC_CACHE_UNSAFE : CC_CACHE_DAMAGED;
    if (fstat(fd, &st) < 0 || !cc_cache_entry_safe(&st, geteuid())) {
        close(fd);
        return CC_CACHE_UNSAFE;
    }
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n > 0 ? CC_CACHE_HIT : CC_CACHE_DAMAGED;
}

/* ---- lookup ---------------------------------------------------------------- */

static cc_cache_state verify(const char *path)
{
    struct stat st;
    char text[160], want[65], got[65];
    uint64_t size;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? CC_CACHE_MISS : errno == ELOOP ? CC_CACHE_UNSAFE : CC_CACHE_DAMAGED;
    cc_cache_state s = CC_CACHE_HIT;
    if (fstat(fd, &st) < 0 || !cc_cache_entry_safe(&st, geteuid()))
        s = CC_CACHE_UNSAFE;
    else if ((s = read_seal(path, text, sizeof text)) != CC_CACHE_HIT)
        ;
    else if (cc_cache_seal_parse(text, &size, want) < 0 || size != (uint64_t)st.st_size ||
             hash_fd(fd, got) < 0 || strcmp(got, want) != 0)
        s = CC_CACHE_DAMAGED;
    else
        futimens(fd, NULL);   /* used now: last in line for eviction */
    close(fd);
    return s;
}

cc_cache_state cc_cache_lookup(const char *dir, const char *soname)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, soname) >= sizeof path)
        return CC_CACHE_MISS;
    int lk = cc_cache_lock(dir, LOCK_SH);
    cc_cache_state s = verify(path);
    cc_cache_unlock(lk);
    return s;
}

/* ---- sealing ---------------------------------------------------------------- */

static int write_all(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    while (n) {
        ssize_t w = write(fd, text, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        text += w;
        n -= (size_t)w;
    }
    return close(fd);
}

static int seal_fail(char **err, const char *what, const char *path)
{
    cc_set_error(err, "Cannot store the compiled cell in the compile cache (%s %s: %s). "
                      "Check that the disk is not full.", what, path, strerror(errno));
    return -1;
}

int cc_cache_seal(const char *dir, const char *tmp_so, const char *soname, const char *warnings, char **err)
{
    char so[PATH_MAX], sum[PATH_MAX], warn[PATH_MAX], tsum[PATH_MAX], twarn[PATH_MAX], hex[65], text[128];
    struct stat st;
    bool has_warn = warnings && *warnings;
    long pid = (long)getpid();
    if ((size_t)snprintf(so, sizeof so, "%s/%s", dir, soname) >= sizeof so ||
        (size_t)snprintf(sum, sizeof sum, "%s/%s.sum", dir, soname) >= sizeof sum ||
        (size_t)snprintf(warn, sizeof warn, "%s/%s.warn", dir, soname) >= sizeof warn ||
        (size_t)snprintf(tsum, sizeof tsum, "%s/.tmp-%s-%ld.sum", dir, soname, pid) >= sizeof tsum ||
        (size_t)snprintf(twarn, sizeof twarn, "%s/.tmp-%s-%ld.warn", dir, soname, pid) >= sizeof twarn) {
        errno = ENAMETOOLONG;
        return seal_fail(err, "naming", soname);
    }

    int fd = open(tmp_so, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) < 0 || fchmod(fd, 0755) < 0 || hash_fd(fd, hex) < 0) {
        if (fd >= 0)
            close(fd);
        return seal_fail(err, "reading", tmp_so);
    }
    close(fd);
    cc_cache_seal_format((uint64_t)st.st_size, hex, text);
    if (write_all(tsum, text) < 0)
        return seal_fail(err, "writing", tsum);
    if (has_warn && write_all(twarn, warnings) < 0)
        has_warn = false;   /* warnings are not worth failing the cell for */

    int lk = cc_cache_lock(dir, LOCK_EX);
    int rc = rename(tsum, sum);
    if (rc == 0 && has_warn)
        rename(twarn, warn);
    else if (rc == 0)
        unlink(warn);   /* a rebuilt entry must not show an older build's warnings */
    if (rc == 0 && (rc = rename(tmp_so, so)) < 0)
        unlink(sum);
    int saved = errno;
    cc_cache_unlock(lk);
    unlink(tsum);
    unlink(twarn);
    errno = saved;
    return rc < 0 ? seal_fail(err, "renaming into", so) : 0;
}

/* ---- eviction ------------------------------------------------------------------ */

static uint64_t size_at(int dfd, const char *name, const char *suffix)
{
    char p[NAME_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", name, suffix);
    return fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (uint64_t)st.st_size : 0;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

static bool is_object_name(const char *name)
{
    return strncmp(name, "cell-", 5) == 0 && has_suffix(name, ".so");
}

static void remove_entry(int dfd, const char *name)
{
    char p[NAME_MAX + 16];
    unlinkat(dfd, name, 0);
    snprintf(p, sizeof p, "%s.sum", name);
    unlinkat(dfd, p, 0);
    snprintf(p, sizeof p, "%s.warn", name);
    unlinkat(dfd, p, 0);
}

/* Temporaries no compile is writing any more, and seals or warnings whose
 * object is gone. */
static void remove_stale(int dfd, const char *name, const struct stat *st, time_t now)
{
    if (now - st->st_mtime < STALE_TMP_S || !S_ISREG(st->st_mode))
        return;
    if (strncmp(name, ".tmp-", 5) == 0) {
        unlinkat(dfd, name, 0);
        return;
    }
    char obj[NAME_MAX + 1];
    size_t n = strlen(name);
    size_t cut = has_suffix(name, ".so.sum") ? 4 : has_suffix(name, ".so.warn") ? 5 : 0;
    struct stat ost;
    if (!cut || strncmp(name, "cell-", 5) != 0)
        return;
    snprintf(obj, sizeof obj, "%.*s", (int)(n - cut), name);
    if (fstatat(dfd, obj, &ost, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
        unlinkat(dfd, name, 0);
}

typedef struct scan {
    cc_cache_item *items;
    char **names;
    size_t n, cap;
} scan;

static void scan_add(scan *s, int dfd, const char *name, const struct stat *st, bool pinned_here)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->items = cc_xrealloc(s->items, s->cap * sizeof *s->items);
        s->names = cc_xrealloc(s->names, s->cap * sizeof *s->names);
    }
    s->names[s->n] = cc_xstrdup(name);
    s->items[s->n] = (cc_cache_item){
        .name = s->names[s->n],
        .bytes = (uint64_t)st->st_size + size_at(dfd, name, ".sum") + size_at(dfd, name, ".warn"),
        .mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
        .in_use = st->st_nlink > 1 || pinned_here,
    };
    s->n++;
}

int cc_cache_evict(cc_cache *c, uint64_t max_bytes)
{
    const char *dir = cc_cache_dir(c);
    int lk = cc_cache_lock(dir, LOCK_EX);
    DIR *d = opendir(dir);
    scan s = {0};
    time_t now = time(NULL);
    int removed = 0;
    if (!d) {
        cc_cache_unlock(lk);
        return 0;
    }
    int dfd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (is_object_name(e->d_name) && S_ISREG(st.st_mode))
            scan_add(&s, dfd, e->d_name, &st, cc_cache_is_pinned(c, e->d_name));
        else if (strncmp(e->d_name, ".pins-", 6) == 0 && S_ISDIR(st.st_mode))
            cc_cache_reap_pins(c, dfd, e->d_name, &st, now);
        else
            remove_stale(dfd, e->d_name, &st, now);
    }
    bool *victim = cc_xcalloc(s.n ? s.n : 1, sizeof *victim);
    cc_cache_pick_victims(s.items, s.n, max_bytes, victim);
    uint64_t kept = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (victim[i]) {
            remove_entry(dfd, s.items[i].name);
            removed++;
        } else {
            kept += s.items[i].bytes;
        }
    }
    cc_cache_scanned(c, kept);
    closedir(d);
    cc_cache_unlock(lk);
    if (removed)
        cc_log_info("compile cache: evicted %d least recently used entries (cap %llu MB)", removed,
                    (unsigned long long)(max_bytes >> 20));
    for (size_t i = 0; i < s.n; i++)
        free(s.names[i]);
    free(s.names);
    free(s.items);
    free(victim);
    return removed;
}
