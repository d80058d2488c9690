/* kernel/cell/celltok.h — the one tokenizer of cell text (celltok.c), its token
 * type, and what it tells about text (cellclass.c). Everything that reads
 * C/CUDA cell text goes through it: the splitter (cellsplit.c) and the CUDA
 * test take whole-text tokens; the magics split and is_complete feed it
 * line by line to learn where comments, literals, continuations and
 * brackets stand (cc_clex). Pure: no I/O, no globals. */
#ifndef CC_CELLTOK_H
#define CC_CELLTOK_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cc_tok_kind {
    CC_TOK_IDENT, CC_TOK_NUMBER, CC_TOK_STRING, CC_TOK_CHAR, CC_TOK_PUNCT,
    CC_TOK_PREPROC,   /* a whole preprocessor line, continuations included */
} cc_tok_kind;

typedef struct cc_tok {
    cc_tok_kind kind;
    int off, len;     /* byte range in the source */
    int line, col;    /* 1-based position in the source */
    int match;        /* index of the matching bracket, -1 if not a bracket */
} cc_tok;

/* Asked now and then (every few thousand tokens or items) by the long loops
 * of tokenizing, splitting and code generation, so that a huge cell can be
 * interrupted; fn returning true abandons the work. */
typedef struct cc_cancel {
    bool (*fn)(void *ctx);
    void *ctx;
} cc_cancel;
#define CC_CANCEL_EVERY 4096   /* steps between two questions */

/* Does cancel (may be NULL) ask to stop? */
bool cc_cancelled(const cc_cancel *cancel);
/* The message a cancelled tokenize/split/plan leaves in *err. */
#define CC_CANCELLED_MSG "The cell was interrupted while it was being read."

/* Tokenize a whole cell: comments are skipped, every bracket is paired with
 * its partner (cc_tok.match), and text whose comments, literals or brackets
 * do not close is refused. Returns 0, or -1 with *err (malloc'd,
 * user-facing; err may be NULL). */
int cc_tokenize(const char *src, cc_tok **toks, size_t *n, char **err);
/* The same, abandoned (-1, *err says so) when cancel (may be NULL) says so. */
int cc_tokenize_cancel(const char *src, const cc_cancel *cancel, cc_tok **toks, size_t *n, char **err);

/* ---- line by line, for text that may be unfinished ---- */

#define CC_CLEX_MAX_DEPTH 256

typedef enum cc_clex_state {
    CC_LEX_CODE = 0,
    CC_LEX_BLOCK_COMMENT,
    CC_LEX_LINE_COMMENT,   /* only survives a line end through a backslash */
    CC_LEX_STRING,         /* "...", only survives a line end through a backslash */
    CC_LEX_CHAR,           /* '...', likewise */
    CC_LEX_RAW_STRING,     /* R"delim( ... )delim" */
} cc_clex_state;

typedef struct cc_clex {
    cc_clex_state state;            /* what is open at the end of the last line */
    char stack[CC_CLEX_MAX_DEPTH];  /* open brackets, innermost last */
    int depth;                      /* may exceed CC_CLEX_MAX_DEPTH (then not stored) */
    bool unmatched;                 /* a closing bracket with no (or the wrong) opener */
    bool cont;                      /* the last line ended with a backslash */
    bool unterminated;              /* the last line ended inside a string/char literal */
    bool directive;                 /* inside a preprocessor line (incl. its continuations) */
    char raw_delim[17];             /* raw string delimiter */
} cc_clex;

void cc_clex_init(cc_clex *l);

/* Feed one line, without its line terminator (a trailing '\r' is ignored).
 * The same scanner as cc_tokenize; nothing it meets is an error. */
void cc_clex_line(cc_clex *l, const char *s, size_t len);

/* True when the next line starts fresh: plain code, not continued, not
 * inside a comment/literal, and at bracket depth 0. Only such lines can be
 * `!` commands or magics. */
bool cc_clex_at_top(const cc_clex *l);

/* What a line is when cc_clex_at_top: 0 code, '!' shell command, '%' line
 * magic, 'C' cell magic line ("%%name"). *rest is set to just after the
 * '!', '%' or "%%". */
int cc_clex_magic_line(const char *s, size_t len, size_t *rest);

/* ---- CUDA ---- */

/* True when the tokens use CUDA syntax (__global__, __device__, __constant__,
 * __shared__, __managed__, <<<...>>>). src is the text they index. */
bool cc_toks_are_cuda(const char *src, const cc_tok *toks, size_t n);
/* The same for text: false too when it does not tokenize. */
bool cc_cell_is_cuda(const char *code);

#endif
