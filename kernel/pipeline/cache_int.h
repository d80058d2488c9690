/* kernel/pipeline/cache_int.h — what cache.c and cache_entry.c share and nobody else
 * uses: the directory lock, the pins seen from eviction, and what the last
 * scan found. */
#ifndef CC_CACHE_INT_H
#define CC_CACHE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "cache.h"

/* flock(how) on <dir>/.lock; returns the fd to pass to cc_cache_unlock, or
 * -1 when the lock file cannot be opened (callers go on unlocked). */
int cc_cache_lock(const char *dir, int how);
void cc_cache_unlock(int fd);

/* Whether this kernel's session uses the entry. */
bool cc_cache_is_pinned(const cc_cache *c, const char *soname);

/* The pin directory `name` (in the cache dir, open as dfd): removed when its
 * kernel is gone (its lock is free) and it is not this kernel's. */
void cc_cache_reap_pins(cc_cache *c, int dfd, const char *name, const struct stat *st, time_t now);

/* Eviction's scan found the entries total bytes (now). */
void cc_cache_scanned(cc_cache *c, uint64_t bytes);

#endif
