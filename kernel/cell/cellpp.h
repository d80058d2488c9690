/* kernel/cell/cellpp.h — preprocessor conditionals of a C cell, evaluated by the
 * real preprocessor (see docs/HOW_IT_WORKS.md, "Preprocessor conditionals").
 *
 * The cell is cut at its conditional directives (#if #ifdef #ifndef #elif
 * #elifdef #elifndef #else #endif) into segments. A probe keeps only the
 * directives, with a marker line `__cc_branch_N` at the start of each
 * segment; the probe is preprocessed after the session header with the
 * cell's own flags, and the markers that survive name the taken segments.
 * The cell is then rewritten with the other segments and every conditional
 * directive blanked (newlines kept), so line numbers stay the cell's.
 *
 * A CUDA cell keeps every conditional that tests __CUDA_ARCH__ (with what it
 * holds) for nvcc's two passes; the probe is then run by nvcc -E.
 *
 * The probe also expands, in place, each top-level invocation of a
 * function-like macro whose replacement starts with a declaration
 * (`DEFINE_KERNEL(add, +)`), so the functions and types it makes are
 * seen, kept and redefinable like written ones (cellpp_expand.c).
 *
 * The pure parts are here (cellpp.c, cellpp_expand.c); running the
 * preprocessor is cellpp_run.c. */
#ifndef CC_CELLPP_H
#define CC_CELLPP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cc_pp_range { size_t off, end; } cc_pp_range;

typedef struct cc_pp_probe {
    char *text;                          /* the probe body, malloc'd */
    cc_pp_range *segs; size_t n_segs;    /* text between conditional directives */
    cc_pp_range *conds; size_t n_conds;  /* the conditional directives themselves */
    cc_pp_range *exps; size_t n_exps;    /* macro invocations that make declarations */
} cc_pp_probe;

/* The text of the session's `#define name …` line, or NULL when the
 * session has no such macro. */
typedef const char *(*cc_pp_macro_fn)(void *ctx, const char *name);

/* How a cell's probe is made. A zeroed struct: a C or host C++ cell with no
 * session macros known. */
typedef struct cc_pp_opts {
    bool keep_arch;               /* CUDA: leave conditionals testing __CUDA_ARCH… to nvcc */
    cc_pp_macro_fn session_macro; /* the session's macros (for macro-made declarations), or NULL */
    bool (*is_type)(void *ctx, const char *name, size_t len);   /* a type name of the session, or NULL */
    void *ctx;
} cc_pp_opts;

/* Does the code hold a conditional directive (outside comments)? */
bool cc_pp_has_cond(const char *code);

/* Does the code need a probe: a conditional it may evaluate, or an
 * invocation of a macro that makes declarations? */
bool cc_pp_wanted(const char *code, const cc_pp_opts *o);

/* Build the probe of code; first_line is the cell line where code starts
 * (the probe's #line markers use it); o may be NULL. Free it with
 * cc_pp_probe_free. */
void cc_pp_probe_build(const char *code, int first_line, const cc_pp_opts *o, cc_pp_probe *pr);
void cc_pp_probe_free(cc_pp_probe *pr);

/* The code with the segments whose marker is absent from cpp_out, and the
 * conditional directives evaluated, blanked, and each expanded invocation
 * replaced by its expansion (on its first line; the lines it spanned stay,
 * empty); malloc'd. */
char *cc_pp_apply(const char *code, const cc_pp_probe *pr, const char *cpp_out);

/* #pragma pop_macro restores a definition the cell's #define/#undef items
 * do not show. When the (already resolved) code pops a macro, returns the
 * code with a block appended after its end for each popped macro,
 *     #pragma push_macro("X") / #undef X / [its final #define] / #pragma pop_macro("X")
 * which changes nothing for the compiler but leaves the session with the
 * macro the compiler ended with (malloc'd); NULL when nothing needs it. */
char *cc_pp_macro_fixup(const char *code, cc_pp_macro_fn session_macro, void *ctx);

#endif
