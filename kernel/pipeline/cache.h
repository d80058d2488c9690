/* kernel/pipeline/cache.h — the persistent compile cache: where it lives and whether
 * it can be trusted, verifying an entry before it is used, sealing a new
 * one, keeping the session's entries alive, and the size cap.
 *
 * An entry is cell-<key>.so plus its seal cell-<key>.so.sum ("cudacell-cache-v1
 * <size> <sha256>\n", written before the object is renamed into place) and
 * optionally cell-<key>.so.warn (compiler warnings). Writers (seal,
 * eviction) hold an exclusive flock on <dir>/.lock, readers a shared one.
 *
 * Trust: the directory must be owned by the user and writable by nobody
 * else, and so must every directory above it (root-owned ones, and sticky
 * ones like /tmp, are fine); an entry is used only when it is a regular file
 * owned by the user and not writable by group or others. Otherwise the
 * session uses a private cache in its 0700 work directory and says why.
 *
 * Pins: every entry the session compiled or reused is hard-linked into
 * <dir>/.pins-XXXXXX/ (a directory per kernel, locked with flock while the
 * kernel lives). Eviction never removes an entry with more than one link,
 * so no kernel's entries disappear under it, and an entry that vanished
 * anyway (deleted by hand) is restored from the pin before it is linked or
 * loaded again. */
#ifndef CC_CACHE_H
#define CC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define CC_CACHE_DEFAULT_MAX_MB 500

typedef struct cc_cache cc_cache;

/* Opens the cache named by $CUDACELL_CACHE_DIR, else $XDG_CACHE_HOME/cudacell,
 * else $HOME/.cache/cudacell (created 0700), or, when that is unusable or
 * untrusted, <workdir>/cache. Evicts down to the cap. NULL only when even
 * the private directory cannot be made. */
cc_cache *cc_cache_open(const char *workdir);
void cc_cache_free(cc_cache *c);   /* removes this kernel's pins */

/* The directory in use (canonical absolute path), borrowed. */
const char *cc_cache_dir(const cc_cache *c);

/* The paragraph explaining why the configured directory was refused, once
 * (malloc'd; NULL when there is nothing to say or it was taken already). */
char *cc_cache_take_note(cc_cache *c);

/* ---- entries (dir = cc_cache_dir) -------------------------------------- */

typedef enum cc_cache_state {
    CC_CACHE_MISS = 0,    /* no object */
    CC_CACHE_HIT,         /* verified; its mtime is now (least recently used order) */
    CC_CACHE_DAMAGED,     /* size or hash differ from its seal, or no seal */
    CC_CACHE_UNSAFE,      /* not a regular file of ours, or writable by others */
} cc_cache_state;

cc_cache_state cc_cache_lookup(const char *dir, const char *soname);

/* Moves the freshly built tmp_so into place as <dir>/<soname> with its seal
 * and warnings (NULL or "" for none). Returns 0, or -1 with *err malloc'd. */
int cc_cache_seal(const char *dir, const char *tmp_so, const char *soname, const char *warnings, char **err);

/* ---- the session's entries ----------------------------------------------- */

/* Records that the session uses soname, linked against deps (sonames), and
 * pins it. */
void cc_cache_pin(cc_cache *c, const char *soname, const char *const *deps, size_t n_deps);

/* Makes sure every soname in names, and every entry those were linked
 * against, is in the cache and safe to load, restoring a missing one from
 * its pin. Returns 0, or -1 with *err malloc'd (user-facing) naming what
 * could not be restored. err may be NULL. */
int cc_cache_ensure(cc_cache *c, const char *const *names, size_t n, char **err);

/* Forgets the session's entries (after %reset): they may be evicted again. */
void cc_cache_unpin_all(cc_cache *c);

/* ---- the size cap --------------------------------------------------------- */

/* Bytes allowed by $CUDACELL_CACHE_MAX_MB (whole MB, 0 allowed), default
 * CC_CACHE_DEFAULT_MAX_MB for unset or malformed values. */
uint64_t cc_cache_max_bytes(const char *env_value);

/* Removes least recently used entries not in use by any kernel until the
 * entries total at most max_bytes, plus stale temporaries and the pins of
 * kernels that are gone. Returns the number of entries removed. */
int cc_cache_evict(cc_cache *c, uint64_t max_bytes);

/* A compile added the entry so_path: counts its bytes, and evicts
 * (cc_cache_evict) only when the count passes max_bytes, when the directory
 * was never scanned, or when the last scan is over CC_CACHE_RESCAN_S old
 * (other kernels sharing the cache add entries too). A scan stats every
 * entry — with 5000 entries it cost 46 ms — so it is not done per cell.
 * Returns the number of entries removed. */
int cc_cache_added(cc_cache *c, const char *so_path, uint64_t max_bytes);
#define CC_CACHE_RESCAN_S 300

/* ---- pure parts (unit-tested) ---------------------------------------------- */

typedef struct cc_cache_item {
    const char *name;     /* borrowed */
    uint64_t bytes;       /* object plus sidecars */
    int64_t mtime_ns;
    bool in_use;          /* pinned by some kernel: never chosen */
} cc_cache_item;

/* Sorts items oldest first and marks which to remove (victim[i], in the
 * sorted order) so the total is at most max_bytes, skipping items in use.
 * Returns how many were chosen. */
size_t cc_cache_pick_victims(cc_cache_item *items, size_t n, uint64_t max_bytes, bool *victim);

/* The seal's text for an object (hex: 64 digits); parse returns 0 or -1. */
void cc_cache_seal_format(uint64_t size, const char *hex, char out[128]);
int cc_cache_seal_parse(const char *text, uint64_t *size, char hex[65]);

/* Whether an entry with this lstat may be loaded by uid. */
bool cc_cache_entry_safe(const struct stat *st, uid_t uid);

/* 0 when dir (existing) can be trusted by uid; else -1 with *why malloc'd:
 * one clause saying what is wrong ("it is writable by other users (mode
 * 0777)", "/x, a directory above it, belongs to user 65534"). */
int cc_cache_check_dir(const char *dir, uid_t uid, char **why);

/* The user-facing paragraph for a refused directory. malloc'd. */
char *cc_cache_refusal_message(const char *dir, const char *why);

#endif
