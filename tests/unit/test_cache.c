/* tests/unit/test_cache.c — the compile cache's pure parts (seal text,
 * entry safety, victim choice, the cap's variable) and its file-level
 * behaviour in a temporary directory: directory trust, seal and lookup,
 * eviction. Another user is simulated with chown to uid 65534 when running
 * as root (those cases are skipped otherwise). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cache.h"
#include "tap.h"

#define NOBODY 65534

static char root[256];

static void write_bytes(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(text, 1, n, f);
    fclose(f);
}

static char *at(const char *dir, const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static bool exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* ---- pure ------------------------------------------------------------------ */

static void test_seal_text(void)
{
    char hex[65], text[128], got[65];
    uint64_t size = 0;
    for (int i = 0; i < 64; i++)
        hex[i] = "0123456789abcdef"[i % 16];
    hex[64] = '\0';
    cc_cache_seal_format(12345, hex, text);
    CHECK(cc_cache_seal_parse(text, &size, got) == 0 && size == 12345 && strcmp(got, hex) == 0,
          "seal text round-trips");
    static const char *bad[] = {
        "", "cudacell-cache-v1 12\n", "cudacell-cache-v0 1 0123\n",
        "cudacell-cache-v1 -1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
        "cudacell-cache-v1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeX\n",
        "cudacell-cache-v1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",   /* torn */
        "cudacell-cache-v1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\ntrailing",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(cc_cache_seal_parse(bad[i], &size, got) < 0, "malformed seal %zu is rejected", i);
}

static void test_entry_safe(void)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_mode = S_IFREG | 0755;
    st.st_uid = 1000;
    CHECK(cc_cache_entry_safe(&st, 1000), "own regular 0755 file is safe");
    CHECK(!cc_cache_entry_safe(&st, 1001), "another user's file is not");
    st.st_mode = S_IFREG | 0775;
    CHECK(!cc_cache_entry_safe(&st, 1000), "group-writable is not");
    st.st_mode = S_IFREG | 0757;
    CHECK(!cc_cache_entry_safe(&st, 1000), "other-writable is not");
    st.st_mode = S_IFLNK | 0777;
    CHECK(!cc_cache_entry_safe(&st, 1000), "a symbolic link is not");
    st.st_mode = S_IFDIR | 0700;
    CHECK(!cc_cache_entry_safe(&st, 1000), "a directory is not");
}

static void test_victims(void)
{
    cc_cache_item it[] = {
        {"new", 100, 400, false}, {"old", 100, 100, false}, {"used", 100, 50, true}, {"mid", 100, 200, false},
    };
    bool v[4];
    size_t n = cc_cache_pick_victims(it, 4, 250, v);
    /* sorted: used(50) old(100) mid(200) new(400); total 400 → 250: two go */
    CHECK(n == 2 && !v[0] && v[1] && v[2] && !v[3], "oldest unused entries go first, in-use ones stay");
    CHECK_STR(it[1].name, "old", "items come back sorted oldest first");
    n = cc_cache_pick_victims(it, 4, 1000, v);
    CHECK(n == 0, "nothing goes under the cap");
    n = cc_cache_pick_victims(it, 4, 0, v);
    CHECK(n == 3 && !v[0], "a cap of 0 removes everything not in use");
    CHECK(cc_cache_pick_victims(NULL, 0, 0, v) == 0, "an empty cache is fine");
}

static void test_max_bytes(void)
{
    uint64_t def = (uint64_t)CC_CACHE_DEFAULT_MAX_MB << 20;
    CHECK(cc_cache_max_bytes(NULL) == def, "unset: the default");
    CHECK(cc_cache_max_bytes("") == def, "empty: the default");
    CHECK(cc_cache_max_bytes("64") == (64u << 20), "64 MB");
    CHECK(cc_cache_max_bytes("0") == 0, "0 keeps only entries in use");
    CHECK(cc_cache_max_bytes("12x") == def && cc_cache_max_bytes("-5") == def &&
          cc_cache_max_bytes("99999999999999999999") == def, "malformed values: the default");
}

/* ---- directories -------------------------------------------------------------- */

static void test_check_dir(void)
{
    char *why = NULL;
    uid_t me = geteuid();
    char d[512];
    snprintf(d, sizeof d, "%s", at(root, "dir"));
    mkdir(d, 0700);
    CHECK(cc_cache_check_dir(d, me, &why) == 0, "own 0700 directory is trusted");
    free(why);
    chmod(d, 0707);
    CHECK(cc_cache_check_dir(d, me, &why) < 0 && why && strstr(why, "other users") && strstr(why, "0707"),
          "other-writable directory is refused: %s", why ? why : "");
    free(why);
    chmod(d, 0770);
    CHECK(cc_cache_check_dir(d, me, &why) < 0 && why && strstr(why, "group"), "group-writable is refused");
    free(why);
    chmod(d, 0755);
    CHECK(cc_cache_check_dir(d, me + 1, &why) < 0 && why && strstr(why, "belongs to user"),
          "a directory of another user is refused");
    free(why);
    CHECK(cc_cache_check_dir(at(root, "missing"), me, &why) < 0, "a missing directory is refused");
    free(why);

    /* a directory above it that others can write (not sticky) */
    char open_parent[512], inner[512];
    snprintf(open_parent, sizeof open_parent, "%s", at(root, "open"));
    snprintf(inner, sizeof inner, "%s", at(open_parent, "c"));
    mkdir(open_parent, 0700);
    mkdir(inner, 0700);
    chmod(open_parent, 0777);
    CHECK(cc_cache_check_dir(inner, me, &why) < 0 && why && strstr(why, "above it"),
          "an other-writable parent is refused: %s", why ? why : "");
    free(why);
    chmod(open_parent, 01777);
    CHECK(cc_cache_check_dir(inner, me, &why) == 0, "a sticky parent (like /tmp) is fine");
    free(why);

    if (me == 0) {
        char *theirs = at(root, "theirs"), *link = at(root, "link");
        mkdir(theirs, 0700);
        chown(theirs, NOBODY, NOBODY);
        CHECK(cc_cache_check_dir(theirs, 0, &why) < 0, "as root: a directory of nobody is refused");
        free(why);
        symlink(d, link);
        lchown(link, NOBODY, NOBODY);
        CHECK(cc_cache_check_dir(link, 0, &why) < 0 && why && strstr(why, "symbolic link"),
              "a symbolic link of another user is refused");
        free(why);
        lchown(link, 0, 0);
        CHECK(cc_cache_check_dir(link, 0, &why) == 0, "an own symbolic link to an own directory is fine");
        free(why);
    }
    char *msg = cc_cache_refusal_message("/x/c", "it is writable by other users (mode 0777)");
    CHECK(strstr(msg, "/x/c") && strstr(msg, "CUDACELL_CACHE_DIR") && strstr(msg, "chmod") && !strchr(msg, '\n'),
          "the refusal is one paragraph naming the directory and the fixes");
    free(msg);
}

/* ---- entries --------------------------------------------------------------------- */

static void seal_one(const char *dir, const char *name, const char *content, const char *warn)
{
    char *tmp = at(dir, ".tmp-unit.so"), *err = NULL;
    write_bytes(tmp, content, strlen(content));
    int rc = cc_cache_seal(dir, tmp, name, warn, &err);
    CHECK(rc == 0, "seal %s%s%s", name, err ? ": " : "", err ? err : "");
    free(err);
}

static void test_seal_and_lookup(void)
{
    char d[512];
    snprintf(d, sizeof d, "%s", at(root, "entries"));
    struct stat st;
    mkdir(d, 0700);
    CHECK(cc_cache_lookup(d, "cell-a.so") == CC_CACHE_MISS, "absent: miss");
    seal_one(d, "cell-a.so", "object bytes", "warning: x");
    CHECK(cc_cache_lookup(d, "cell-a.so") == CC_CACHE_HIT, "sealed: hit");
    CHECK(exists(at(d, "cell-a.so.warn")) && !exists(at(d, ".tmp-unit.so")), "warnings kept, temporary gone");
    CHECK(stat(at(d, "cell-a.so"), &st) == 0 && (st.st_mode & 0777) == 0755, "the object is 0755");

    truncate(at(d, "cell-a.so"), 3);
    CHECK(cc_cache_lookup(d, "cell-a.so") == CC_CACHE_DAMAGED, "truncated: damaged");
    write_bytes(at(d, "cell-a.so"), "object byteX", 12);
    CHECK(cc_cache_lookup(d, "cell-a.so") == CC_CACHE_DAMAGED, "same size, other bytes: damaged");
    seal_one(d, "cell-a.so", "object bytes", NULL);
    CHECK(cc_cache_lookup(d, "cell-a.so") == CC_CACHE_HIT && !exists(at(d, "cell-a.so.warn")),
          "resealed: hit, and no stale warnings");
    unlink(at(d, "cell-a.so.sum"));
    CHECK(cc_cache_lookup(d, "cell-a.so") == CC_CACHE_DAMAGED, "no seal: damaged");

    seal_one(d, "cell-b.so", "bbbb", NULL);
    chmod(at(d, "cell-b.so"), 0757);
    CHECK(cc_cache_lookup(d, "cell-b.so") == CC_CACHE_UNSAFE, "other-writable entry: unsafe");
    seal_one(d, "cell-b.so", "bbbb", NULL);
    if (geteuid() == 0) {
        chown(at(d, "cell-b.so"), NOBODY, NOBODY);
        CHECK(cc_cache_lookup(d, "cell-b.so") == CC_CACHE_UNSAFE, "entry of another user: unsafe");
        seal_one(d, "cell-b.so", "bbbb", NULL);
    }
    unlink(at(d, "cell-b.so"));
    symlink(at(d, "cell-a.so"), at(d, "cell-b.so"));
    CHECK(cc_cache_lookup(d, "cell-b.so") == CC_CACHE_UNSAFE, "symbolic link entry: unsafe");
}

static void age(const char *path, long seconds_ago)
{
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= seconds_ago;
    tv[1] = tv[0];
    utimes(path, tv);
}

static void test_evict_and_pins(void)
{
    char big[4096];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\0';
    char d[512];
    snprintf(d, sizeof d, "%s", at(root, "evict"));
    mkdir(d, 0700);
    setenv("CUDACELL_CACHE_DIR", d, 1);
    setenv("CUDACELL_CACHE_MAX_MB", "1000", 1);
    cc_cache *c = cc_cache_open(root);
    CHECK(c != NULL, "open");
    if (!c)
        return;
    const char *dir = cc_cache_dir(c);
    seal_one(dir, "cell-old.so", big, NULL);
    seal_one(dir, "cell-mid.so", big, NULL);
    seal_one(dir, "cell-new.so", big, NULL);
    seal_one(dir, "cell-dep.so", big, NULL);
    age(at(dir, "cell-old.so"), 400);
    age(at(dir, "cell-dep.so"), 300);
    age(at(dir, "cell-mid.so"), 200);
    age(at(dir, "cell-new.so"), 100);
    write_bytes(at(dir, ".tmp-stale.so"), "x", 1);
    age(at(dir, ".tmp-stale.so"), 2 * 3600);
    write_bytes(at(dir, ".tmp-busy.so"), "x", 1);

    const char *deps[] = {"cell-dep.so"};
    cc_cache_pin(c, "cell-dep.so", NULL, 0);
    cc_cache_pin(c, "cell-user.so", deps, 1);   /* its object is not there: the walk still reaches dep */
    int n = cc_cache_evict(c, 2 * 4200);
    CHECK(n == 2, "evicted %d entries to get under the cap", n);
    CHECK(!exists(at(dir, "cell-old.so")) && !exists(at(dir, "cell-old.so.sum")) && !exists(at(dir, "cell-mid.so")),
          "the least recently used entries went, with their seals");
    CHECK(exists(at(dir, "cell-dep.so")) && exists(at(dir, "cell-new.so")), "a pinned entry and the newest stayed");
    CHECK(!exists(at(dir, ".tmp-stale.so")) && exists(at(dir, ".tmp-busy.so")),
          "an hour-old temporary went, a fresh one (a compile in progress) stayed");

    unlink(at(dir, "cell-dep.so"));
    char *err = NULL;
    const char *want[] = {"cell-dep.so"};
    CHECK(cc_cache_ensure(c, want, 1, &err) == 0 && cc_cache_lookup(dir, "cell-dep.so") == CC_CACHE_HIT,
          "a deleted entry in use is restored from its pin");
    free(err);
    CHECK(cc_cache_ensure(c, (const char *[]){"cell-never.so"}, 1, &err) < 0 && err && strstr(err, "cell-never.so"),
          "an entry that cannot be restored is named");
    free(err);

    cc_cache_unpin_all(c);
    n = cc_cache_evict(c, 0);
    CHECK(n == 2 && !exists(at(dir, "cell-dep.so")), "after unpinning, a cap of 0 empties the cache");
    cc_cache_free(c);
    unsetenv("CUDACELL_CACHE_DIR");
    unsetenv("CUDACELL_CACHE_MAX_MB");
}

static void test_refused_dir_falls_back(void)
{
    char d[512];
    snprintf(d, sizeof d, "%s", at(root, "shared"));
    mkdir(d, 0700);
    chmod(d, 0777);
    setenv("CUDACELL_CACHE_DIR", d, 1);
    cc_cache *c = cc_cache_open(root);
    CHECK(c && strncmp(cc_cache_dir(c), root, strlen(root)) == 0 && strcmp(cc_cache_dir(c), d) != 0,
          "a refused directory falls back to the private one: %s", c ? cc_cache_dir(c) : "(none)");
    char *note = c ? cc_cache_take_note(c) : NULL;
    CHECK(note && strstr(note, d), "with a note naming it");
    free(note);
    CHECK(c && cc_cache_take_note(c) == NULL, "said once");
    cc_cache_free(c);
    unsetenv("CUDACELL_CACHE_DIR");
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/cc-unit-cache-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 2;
    }
    test_seal_text();
    test_entry_safe();
    test_victims();
    test_max_bytes();
    test_check_dir();
    test_seal_and_lookup();
    test_evict_and_pins();
    test_refused_dir_falls_back();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", root);
    return tap_done();
}
