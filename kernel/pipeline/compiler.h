/* kernel/pipeline/compiler.h — the compiler driver: one translation unit to one shared
 * object, through $CC (C, gnu17) or nvcc (CUDA), with a content-addressed
 * cache and diagnostics rewritten to the notebook cell's own lines. */
#ifndef CC_COMPILER_H
#define CC_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include "session.h"
#include "display_dirs.h"   /* cc_display_dirs */

struct cc_out;
struct cc_pch;

typedef struct cc_compile_req {
    cc_lang lang;
    const char *source;
    const char *const *deps; size_t n_deps;  /* sonames in cache_dir, newest first (present: cc_cache_ensure) */
    const char *cflags;      /* user %cflags (C) */
    const char *nvccflags;   /* user %nvccflags (CUDA) */
    const char *ldflags;     /* user %ldflags */
    const char *cuda_arch;   /* "sm_90" etc., or NULL for the documented default */
    const char *workdir;     /* private 0700 dir for temporaries */
    const char *cache_dir;   /* where <soname> files live (cc_cache_dir: canonical, trusted) */
    struct cc_pch *pch;      /* the session's precompiled prelude (compiler_pch.h), or NULL */
} cc_compile_req;

typedef struct cc_compile_res {
    bool ok;
    bool cache_hit;
    bool repaired;           /* the cached entry was damaged or unsafe, and was rebuilt (if ok) */
    bool was_unsafe;         /* ... because it was not ours or writable by others */
    char soname[80];         /* "cell-<sha256 prefix>.so" */
    char *so_path;           /* malloc'd absolute path */
    char *diagnostics;       /* malloc'd, cell-relative, no temp paths; "" if none */
    double compile_ms;
    bool interrupted;
    bool tool_missing;       /* compiler not found: diagnostics holds the message */
} cc_compile_res;

/* Compile (or find in the cache). Waits via cc_out_poll so an interrupt
 * kills the compiler (o may be NULL). Returns 0 when a result was produced
 * (ok or not). */
int cc_compile(struct cc_out *o, const cc_compile_req *req, cc_compile_res *res);
void cc_compile_res_clear(cc_compile_res *res);

/* Preprocess req->source with the flags a cell of req->lang compiles with
 * (C: -std=gnu17 -O1, libcudacell's include directory, %cflags; host C++:
 * the host compiler's; CUDA: nvcc -E, the host pass's view) plus -E -P;
 * *out gets the output (malloc'd). Returns 0; -1 when the preprocessor could
 * not run or failed (*out then NULL); -2 when interrupted. */
int cc_preprocess(struct cc_out *o, const cc_compile_req *req, char **out);


/* Run a helper whose output is read whole while the cell waits: argv as
 * cc_spawn_capture_ex runs it with opts (its hooks are set here), waiting
 * through cc_out_poll; an interrupt kills its process group. With
 * compiler_target the child is the interrupt target while it runs (an
 * interrupt kills it at once). *out: its output (malloc'd). Returns the wait
 * status, -1 when it could not start (errno set), -2 when interrupted. */
struct cc_capture_opts;
int cc_run_captured(struct cc_out *o, struct cc_capture_opts *opts, char *const argv[], bool compiler_target,
                    char **out);

#endif
