/* kernel/util/workdir.c — see workdir.h. Owns the work directory's name and lock
 * and the sweeps run at start.
 *
 * A kernel killed with SIGKILL (or by the out-of-memory killer) cannot
 * remove its work directory, and a compile it started may leave its output
 * under a temporary name in the cache. The next kernel cleans both: a work
 * directory is a dead kernel's when its flock is free *and* the pid in its
 * name is not running (the lock covers pid reuse, the pid covers a kernel
 * that has created its directory but not locked it yet). */
#include "workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

#define WD_PREFIX "cudacell-"
#define TMP_DEAD_AGE_S 60          /* a dead compile's output older than this goes */
#define TMP_ANY_AGE_S (24 * 3600)  /* any temporary output older than this goes */

static bool pid_running(long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH);
}

/* The pid in "<digits><end>" at s, or -1; *rest points after the digits. */
static long parse_pid(const char *s, const char **rest)
{
    char *e;
    if (*s < '1' || *s > '9')
        return -1;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno || v <= 0)
        return -1;
    *rest = e;
    return v;
}

char *cc_workdir_create(const char *tmp, int *lock_fd)
{
    *lock_fd = -1;
    char *path = cc_xasprintf("%s/" WD_PREFIX "%ld-XXXXXX", tmp, (long)getpid());
    if (!mkdtemp(path)) {   /* mkdtemp creates it 0700 */
        int e = errno;
        free(path);
        errno = e;
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
        cc_log_warn("cannot lock the work directory %s: %s", path, strerror(errno));
    *lock_fd = fd;
    return path;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

void cc_workdir_remove(const char *path, int lock_fd)
{
    if (path)
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (lock_fd >= 0)
        close(lock_fd);
}

/* One candidate: a directory of ours, lock free, owner not running. */
static void sweep_one(const char *tmp, const char *name, long pid)
{
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", tmp, name) >= (int)sizeof path)
        return;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && !pid_running(pid)) {
        cc_log_info("removing %s, the work directory of kernel %ld, which is gone", path, pid);
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    close(fd);
}

void cc_workdir_sweep(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        const char *rest;
        if (strncmp(e->d_name, WD_PREFIX, sizeof WD_PREFIX - 1) != 0)
            continue;
        long pid = parse_pid(e->d_name + sizeof WD_PREFIX - 1, &rest);
        if (pid > 0 && pid != (long)getpid() && rest[0] == '-' && strlen(rest + 1) == 6)
            sweep_one(tmp, e->d_name, pid);
    }
    closedir(d);
}

/* The pid of ".tmp-<anything>-<pid>.<ext>", or -1. */
static long tmp_owner(const char *name)
{
    const char *dash = strrchr(name, '-'), *rest;
    if (strncmp(name, ".tmp-", 5) != 0 || !dash)
        return -1;
    long pid = parse_pid(dash + 1, &rest);
    return pid > 0 && rest[0] == '.' ? pid : -1;
}

void cc_cache_sweep_tmp(const char *cache_dir)
{
    DIR *d = opendir(cache_dir);
    struct dirent *e;
    time_t now = time(NULL);
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        long pid = tmp_owner(e->d_name);
        if (pid < 0 || pid == (long)getpid())
            continue;
        if (snprintf(path, sizeof path, "%s/%s", cache_dir, e->d_name) >= (int)sizeof path)
            continue;
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
            continue;
        double age = difftime(now, st.st_mtime);
        if ((age > TMP_DEAD_AGE_S && !pid_running(pid)) || age > TMP_ANY_AGE_S) {
            cc_log_info("removing %s, left by a compile of kernel %ld", path, pid);
            unlink(path);
        }
    }
    closedir(d);
}
