/* kernel/pipeline/compiler_int.h — what the compiler driver's three files share and
 * nobody else uses: compiler.c (the driver and its cache key),
 * compiler_args.c (the command lines) and compiler_tool.c (finding and
 * running the compiler). */
#ifndef CC_COMPILER_INT_H
#define CC_COMPILER_INT_H

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

/* The whole command that compiles src into tmp_out (soname so_path).
 * tool_argv: the compiler and its fixed words; inc/lib: libcudacell's
 * directories. Returns 0, or -1 with *err (malloc'd). */
int cc_compile_argv(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *arch,
                    const char *inc, const char *lib, const char *src, const char *tmp_out,
                    const char *so_path, char **err);

/* The command that preprocesses src into dst as a C cell would be
 * compiled, plus -E -P -w. Returns 0, or -1 (*err may be set). */
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

#endif
