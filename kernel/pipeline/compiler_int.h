/* kernel/pipeline/compiler_int.h — what the compiler driver's three files share and
 * nobody else uses: compiler.c (the driver and its cache key),
 * compiler_args.c (the command lines), compiler_tool.c (finding and
 * running the compiler) and compiler_pch.c (the precompiled prelude). */
#ifndef CC_COMPILER_INT_H
#define CC_COMPILER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

struct cc_out;

#define CC_C_OPT "-O1"   /* a C cell's default optimisation (compiler_args.c says why) */

/* A growable argv: owned strings, NULL-terminated (out of memory aborts). */
typedef struct argv_buf {
    char **v;
    size_t n, cap;
} argv_buf;

void av_add(argv_buf *a, const char *s);
void av_addf(argv_buf *a, const char *fmt, const char *arg);   /* fmt holds one %s */
int av_add_words(argv_buf *a, const char *flags, char **err);   /* -1 with *err on bad quoting */
void av_free(argv_buf *a);

/* The words that decide how a unit of req->lang compiles: the tool and
 * every flag before the file names. Returns 0, or -1 with *err. */
int cc_unit_flags(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *arch,
                  const char *inc, char **err);

/* The whole command that compiles src into tmp_out (soname so_path):
 * cc_unit_flags, then the files and the link. tool_argv: the compiler and
 * its fixed words; inc/lib: libcudacell's directories; pch_dir: where a
 * precompiled prelude for these flags lies (searched first), or NULL.
 * Returns 0, or -1 with *err (malloc'd). */
int cc_compile_argv(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *arch,
                    const char *inc, const char *lib, const char *pch_dir, const char *src,
                    const char *tmp_out, const char *so_path, char **err);

/* The directory (malloc'd) of a ready precompiled prelude for a unit of
 * req with these flag words (cc_unit_flags; the first ntool are the tool),
 * to search first; NULL when there is none yet, and then one may be
 * prepared, to build in the background after this compile
 * (compiler_pch.c). inc: libcudacell's include directory, where
 * cudacell_prelude.h lies. */
struct cc_pch;
char *cc_pch_for(struct cc_pch *p, const cc_compile_req *req, const argv_buf *flags, size_t ntool,
                 const char *inc);

/* A unit's compile has ended (ok: it succeeded): a build cc_pch_for
 * prepared starts now, never beside a compile an interrupt could stop. */
void cc_pch_compiled(struct cc_pch *p, bool ok);

/* Whether the compiler is GCC (gcc, g++, or a wrapper that runs one). */
bool cc_tool_is_gnu(char *const *tool_argv);

/* The command that preprocesses src into dst as a cell of req->lang would
 * be compiled, plus -E -P -w (nvcc: its host pass). Returns 0, or -1 (*err may be set). */
int cc_preprocess_argv(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *inc,
                       const char *src, const char *dst, char **err);

/* The compiler and its fixed words ($CC may be "gcc -m64"): malloc'd
 * NULL-terminated array with an absolute path first, or NULL with
 * res->diagnostics set (tool_missing). */
char **cc_compiler_find(const cc_compile_req *req, cc_compile_res *res);

/* Run argv with TMPDIR=workdir, stdout+stderr collected into *out
 * (malloc'd, at most the last ~1 MiB), waiting through cc_out_poll so an
 * interrupt kills the compiler's process group. Returns the wait status,
 * -1 when it could not start (errno set), -2 when interrupted. */
int cc_compiler_run(struct cc_out *o, char **argv, const char *workdir, char **out);

/* environ with TMPDIR=workdir (compiler temporaries then carry a path the
 * diagnostics clean-up removes). Array malloc'd; strings borrowed except
 * *owned (malloc'd). */
char **cc_compiler_env(const char *workdir, char **owned);

#endif
