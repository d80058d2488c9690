/* kernel/clex.h — a line-at-a-time C lexer that tracks only what the cell
 * splitter and is_complete need: block/line comments, string and character
 * literals (C++ raw strings too, for CUDA cells), backslash continuations,
 * preprocessor lines, and the stack of open brackets ( [ {.
 * Shared by magics/split.c (cc_magics_split) and is_complete.c. Pure. */
#ifndef CC_CLEX_H
#define CC_CLEX_H

#include <stdbool.h>
#include <stddef.h>

#define CC_CLEX_MAX_DEPTH 256

typedef enum cc_clex_state {
    CC_LEX_CODE = 0,
    CC_LEX_BLOCK_COMMENT,
    CC_LEX_LINE_COMMENT,   /* only survives a line end through a backslash */
    CC_LEX_STRING,         /* "...", only survives a line end through a backslash */
    CC_LEX_CHAR,           /* '...' */
    CC_LEX_RAW_STRING,     /* R"delim( ... )delim" */
} cc_clex_state;

typedef struct cc_clex {
    cc_clex_state state;
    char stack[CC_CLEX_MAX_DEPTH];  /* open brackets, innermost last */
    int depth;                      /* may exceed CC_CLEX_MAX_DEPTH (then not stored) */
    bool unmatched;                 /* a closing bracket with no (or the wrong) opener */
    bool cont;                      /* the last line ended with a backslash */
    bool unterminated;              /* the last line ended inside a string/char literal */
    bool directive;                 /* inside a preprocessor line (incl. its continuations) */
    char raw_delim[17];             /* raw string delimiter */
} cc_clex;

void cc_clex_init(cc_clex *l);

/* Feed one line, without its line terminator (a trailing '\r' is ignored). */
void cc_clex_line(cc_clex *l, const char *s, size_t len);

/* True when the next line starts fresh: plain code, not continued, not
 * inside a comment/literal, and at bracket depth 0. Only such lines can be
 * `!` commands or magics. */
bool cc_clex_at_top(const cc_clex *l);

/* What a line is when cc_clex_at_top: 0 code, '!' shell command, '%' line
 * magic, 'C' cell magic line ("%%name"). *rest is set to just after the
 * '!', '%' or "%%". */
int cc_clex_magic_line(const char *s, size_t len, size_t *rest);

#endif
