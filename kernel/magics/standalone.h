/* kernel/magics/standalone.h — what the magics that start a cell's program
 * themselves share (%%mpirun; %%ncu and %%nsys use the helpers):
 *
 *   - shell quoting, a PATH search, writing a file, a fresh job directory
 *     in the session's private workdir, and running a short helper program
 *     (mpicc --showme, mpirun --version) with its output captured;
 *   - cc_sa_build_program: the cell, with the session's declarations (types,
 *     functions, kernels, macros, includes), built as a program. The cell
 *     goes through the normal cell pipeline (session plan, compiler driver,
 *     cache) into a shared object that links the earlier cells' objects —
 *     but is NOT committed: the session is unchanged afterwards. A small
 *     launcher program (generated C, compiled by $CC) links it and calls its
 *     entry; it finds every object through its run path, so it starts
 *     anywhere the work directory and the compile cache are visible.
 *     Variables of earlier cells exist in it but start zeroed (their values
 *     live in the runtime process).
 *
 * The launcher: stdout line-buffered (lines stream while it runs); the
 * display calls of cudacell.h print one note on stderr instead of writing
 * to a kernel channel that is not there; for CUDA cells the device is
 * synchronized after the cell and an error reported; MPI is finalized when
 * the cell left it initialized. With status_dir, a process that has a rank
 * (OMPI_COMM_WORLD_RANK, PMIX_RANK or PMI_RANK) records how it ended in
 * status_dir/<rank>: "started 0", "exit N" or "signal N" (cc_sa_read_status),
 * and dies with its parent (the launcher of mpirun) rather than outliving it. */
#ifndef CC_STANDALONE_H
#define CC_STANDALONE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct cc_out;
struct cc_services;

/* s single-quoted for /bin/sh, appended to b. */
void cc_sa_quote(cc_strbuf *b, const char *s);

/* The sm_NN of the session's GPU (device $CUDACELL_DEVICE, default 0) into
 * buf, or "" when there is none or it is unknown. */
void cc_sa_gpu_arch(struct cc_services *svc, char *buf, size_t size);

/* 0, or -1 with errno set. */
int cc_sa_write_file(const char *path, const char *text);

/* A new directory <workdir>/<prefix>-N (malloc'd path), or NULL after one
 * OSError was reported through x. */
char *cc_sa_job_dir(struct cc_out *x, struct cc_services *svc, const char *prefix);

/* Run argv[0] (a path) with argv; its stdout and stderr (up to 64 KiB) in
 * *out (malloc'd, NUL-terminated). An interrupt kills it. Returns its wait
 * status, -1 when it could not start (errno set), -2 when interrupted. */
int cc_sa_capture(struct cc_out *x, char *const argv[], char **out);

typedef struct cc_sa_build {
    const char *code;         /* the cell's code */
    int first_line;           /* its first line in the notebook cell */
    int lang;                 /* -1: CUDA when it uses CUDA syntax; else a cc_lang */
    const char *cflags;       /* added after the session's %cflags (C), may be NULL */
    const char *nvccflags;    /* added after %nvccflags (CUDA) */
    const char *ldflags;      /* added after %ldflags (both) */
    const char *const *rpath; /* more directories the program finds libraries in */
    size_t n_rpath;
    const char *dir;          /* job directory (cc_sa_job_dir) */
    const char *exe_name;     /* the program's file name in dir */
    const char *status_dir;   /* see above; NULL: no status files */
} cc_sa_build;

/* Build the program. Returns its malloc'd path, or NULL after exactly one
 * error was reported through x (SyntaxError, CompileError, an interrupt…).
 * *is_cuda says which compiler built the cell. */
char *cc_sa_build_program(struct cc_out *x, struct cc_services *svc, const cc_sa_build *b, bool *is_cuda);

/* How the process with this rank ended, from status_dir/<rank>. */
typedef enum cc_sa_end { CC_SA_STARTED, CC_SA_EXIT, CC_SA_SIGNAL } cc_sa_end;
typedef struct cc_sa_status {
    long rank;
    cc_sa_end end;
    int value;                /* exit status or signal number */
} cc_sa_status;

/* Every status file in dir, sorted by rank. *out malloc'd; returns the count. */
size_t cc_sa_read_status(const char *dir, cc_sa_status **out);

/* The launcher's C text (kernel/magics/sa_launcher.c); internal to standalone.c. */
extern const char cc_sa_launcher_text[];

#endif
