/* kernel/util/workdir.h — the kernel's private work directory, and what kernels
 * that died without cleaning up left behind (their work directories, the
 * compiler's temporary files in the compile cache). */
#ifndef CC_WORKDIR_H
#define CC_WORKDIR_H

/* Creates <tmp>/cudacell-<pid>-XXXXXX (0700) and locks it for the life of
 * this process; returns the path (malloc'd) and the lock's fd in *lock_fd,
 * or NULL with errno set. */
char *cc_workdir_create(const char *tmp, int *lock_fd);

/* Removes the directory and everything in it, then drops the lock. */
void cc_workdir_remove(const char *path, int lock_fd);

/* Removes the work directories in tmp of kernels that are gone: named
 * cudacell-<pid>-*, ours, unlocked, and their pid not running. */
void cc_workdir_sweep(const char *tmp);

/* Removes the compiler's temporary outputs (.tmp-*-<pid>.so) in the compile
 * cache that no compile will rename any more: their pid is not running and
 * they are over a minute old, or they are over a day old. */
void cc_cache_sweep_tmp(const char *cache_dir);

#endif
