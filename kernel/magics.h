/* kernel/magics.h — splitting a cell into ordered segments (code, `!` lines,
 * line magics, one leading cell magic) and the table of magics.
 *
 * Rules: a line whose first non-blank character is '!' is a shell command;
 * '%name' (a letter after '%') is a line magic; a first line '%%name args'
 * makes the rest of the cell the magic's body. Other lines are code; runs of
 * code lines form one CODE segment. Lines inside a C block comment or a
 * multi-line string never count as magics. */
#ifndef CC_MAGICS_H
#define CC_MAGICS_H

#include <stdbool.h>
#include <stddef.h>

struct cc_out;
struct cc_services;

typedef enum cc_seg_kind {
    CC_SEG_CODE,
    CC_SEG_SHELL,        /* args = the command after '!' */
    CC_SEG_LINE_MAGIC,   /* name (without %), args */
    CC_SEG_CELL_MAGIC,   /* name (without %%), args, body */
} cc_seg_kind;

typedef struct cc_segment {
    cc_seg_kind kind;
    char *name;    /* magic name, NULL otherwise */
    char *args;    /* text after the name (trimmed), or the shell command; "" if none */
    char *body;    /* CODE: the code text; CELL_MAGIC: the lines after the first; else NULL */
    int line;      /* 1-based cell line where body/code (or the magic line) starts */
} cc_segment;

/* Pure. Returns 0; *segs is malloc'd (free with cc_segments_free). */
int cc_magics_split(const char *code, cc_segment **segs, size_t *n);
void cc_segments_free(cc_segment *segs, size_t n);

typedef int (*cc_magic_fn)(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);

typedef struct cc_magic {
    const char *name;     /* without % */
    bool cell;            /* %%name when true */
    const char *usage;    /* e.g. "%cd DIR" */
    const char *help;     /* one line */
    cc_magic_fn fn;
} cc_magic;

const cc_magic *cc_magic_find(const char *name, bool cell);
const cc_magic *cc_magic_table(size_t *n);

/* Run one segment (any kind but CODE): finds the magic, or reports the
 * unknown-magic error naming it and pointing to %lsmagic. */
int cc_magic_run(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);

/* ---- handlers, implemented by the files named ---- */
/* magics.c */
int cc_magic_lsmagic(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
/* magics_env.c: %cd %pwd %env %%writefile %%bash */
int cc_magic_cd(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_pwd(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_env(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_writefile(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_bash(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
/* cells.c: %%c %%cuda %%time %%timeit %cflags %ldflags %args %reset %who */
int cc_magic_c(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_cuda(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_time(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_timeit(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_cflags(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_ldflags(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_args(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_reset(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_who(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
/* cuda/gpu_magic.c: %gpu %nvccflags */
int cc_magic_gpu(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_nvccflags(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
/* cuda/profile_magic.c: %%ncu %%nsys */
int cc_magic_ncu(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
int cc_magic_nsys(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);
/* cuda/mpirun_magic.c: %%mpirun */
int cc_magic_mpirun(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);

#endif
