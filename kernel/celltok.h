/* kernel/celltok.h — the one tokenizer of cell text, and its token type.
 * Everything that reads C/CUDA cell text goes through it: the splitter
 * (cellsplit.c) and the CUDA test take whole-text tokens; the magics split
 * and is_complete feed it line by line to learn where comments, literals,
 * continuations and brackets stand (cc_clex). Pure: no I/O, no globals. */
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

/* True when the tokens use CUDA syntax (__global__, __device__, __constant__,
 * __shared__, __managed__, <<<...>>>). src is the text they index. */
bool cc_toks_are_cuda(const char *src, const cc_tok *toks, size_t n);
/* The same for text: false too when it does not tokenize. */
bool cc_cell_is_cuda(const char *code);

#endif
