/* kernel/magics/magics.h — splitting a cell into ordered segments (code, `!`
 * lines, line magics, one leading cell magic; split.c) and the table of
 * magics (magics.c): each entry names its handler and says whether it is a
 * cell magic, whether it takes arguments and whether it needs the runtime.
 * The handlers live next to the table, one file per family (handlers.h).
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

enum {
    /* Runs under svc->run_lock: it uses the session or the runtime, so it
     * waits for (and excludes) code cells of the main shell and subshells.
     * Without it the magic runs at once (directory, environment, files). */
    CC_MAGIC_RUNTIME = 1u << 0,
    CC_MAGIC_RUNTIME_IF_ARGS = 1u << 1,   /* only when given arguments (%gpu N) */
    CC_MAGIC_ARGS = 1u << 2,              /* takes arguments (without: they are ignored) */
};

typedef struct cc_magic {
    const char *name;     /* without % */
    bool cell;            /* %%name when true */
    unsigned flags;       /* CC_MAGIC_* */
    const char *usage;    /* e.g. "%cd DIR" */
    const char *help;     /* one line */
    cc_magic_fn fn;
} cc_magic;

const cc_magic *cc_magic_find(const char *name, bool cell);
const cc_magic *cc_magic_table(size_t *n);

/* Whether running seg takes svc->run_lock: code does, `!` lines do not, a
 * magic as its table entry says; an unknown or misplaced magic only reports
 * an error, which needs nothing. */
bool cc_segment_needs_runtime(const cc_segment *seg);

/* Run a `!` line or a magic (not code: the caller runs code cells). For a
 * magic: finds it, or reports the unknown-magic error naming it and pointing
 * to %lsmagic, or the misplaced-cell-magic error. */
int cc_magic_run(struct cc_out *x, struct cc_services *svc, const cc_segment *seg);

#endif
