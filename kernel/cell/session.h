/* kernel/cell/session.h — the cell model: what the session has declared so far,
 * and how a new cell becomes a translation unit that sees it all.
 *
 * A cell is split (cellsplit.c) into items: preprocessor lines, types,
 * function definitions and prototypes, variable declarations, statements.
 * Declarations go to file scope (and, once the cell compiled, into the
 * session's header that every later cell includes); statements and variable
 * initializers run, in order, in the cell's entry function
 *     int __cudacell_run(int argc, char **argv)
 * Every cell becomes its own shared object; later cells link the objects that
 * hold the newest definition of each name, newest first, so a redefinition
 * wins for the cells after it. See docs/HOW_IT_WORKS.md.
 *
 * This is the cell model's public header. The session store is session.c;
 * planning (cc_session_plan, cc_plan_free) is codegen.c, which reads the
 * store; the CUDA test (cc_cell_is_cuda) is the tokenizer's, celltok.h. */
#ifndef CC_SESSION_H
#define CC_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "celltok.h"   /* cc_cell_is_cuda: which language a cell is */

/* How a cell is compiled. C: $CC as gnu17. CUDA: nvcc (device code).
 * CXX: a cell without device code in a C++ session, compiled by the host
 * C++ compiler with the CUDA runtime headers and cudart, launches of
 * earlier kernels rewritten to calls (launch.c). */
typedef enum cc_lang { CC_LANG_C = 0, CC_LANG_CUDA = 1, CC_LANG_CXX = 2,
                       CC_LANG_AUTO = 3   /* to cc_session_plan only: C or CUDA, told by the cell's
                                           * own tokens as it is split (the plan's lang says which) */
} cc_lang;

#define CC_CELL_ENTRY "__cudacell_run"

/* Included at the top of every cell unit, C, C++ and CUDA alike: the
 * headers nearly every cell wants and libcudacell's API (cudacell.h), plus
 * for C++ the CUDA runtime API and the generated code's helpers. Names are
 * in runtime/display/cudacell_prelude.h, which says why it is small. */
#define CC_CELL_PRELUDE "#include <cudacell_prelude.h>\n"

typedef struct cc_session cc_session;

cc_session *cc_session_new(void);
void cc_session_free(cc_session *s);
void cc_session_reset(cc_session *s);

/* fn(ctx) is asked now and then while a plan is made; when it returns true
 * the plan is abandoned (cc_session_plan fails with CC_CANCELLED_MSG), so a
 * huge cell can be interrupted. A reset keeps it. */
void cc_session_set_cancel(cc_session *s, bool (*fn)(void *ctx), void *ctx);

/* The session's language: C until the first CUDA C++ cell commits (or
 * `%lang cuda`), CUDA C++ from then on, until a reset. */
bool cc_session_is_cxx(const cc_session *s);
void cc_session_set_cxx(cc_session *s, bool cxx);

typedef struct cc_plan {
    cc_lang lang;
    char *source;          /* the whole translation unit, compiled as-is */
    char **deps;           /* sonames of earlier cells to link, newest first */
    size_t n_deps;
    bool has_main;         /* the cell defines main(): the entry calls it */
    bool has_run;          /* there are statements/initializers to run (or main) */
    int first_line;        /* the code's first line in the notebook cell */
    char *c_hidden;        /* C cells: names of CUDA cells the cell mentions that C cannot
                            * see, one "name\tK\twhy\n" line each (K: f function or variable,
                            * t type, k kernel, d device code; why: e.g. "`float4`"), or NULL */
    void *priv;            /* what cc_session_commit needs */
} cc_plan;

/* Split and generate. first_line is the 1-based cell line where code starts
 * (diagnostics then carry the notebook cell's own line numbers via #line).
 * Returns NULL with *err (malloc'd, user-facing) if the cell cannot be split. */
cc_plan *cc_session_plan(cc_session *s, const char *code, int first_line, cc_lang lang, char **err);
void cc_plan_free(cc_plan *p);

/* After the plan compiled: its declarations become the session's; soname is
 * the file name of its shared object (e.g. "cell-<hash>.so"). */
void cc_session_commit(cc_session *s, const cc_plan *p, const char *soname);

typedef enum cc_name_kind {
    CC_NAME_VARIABLE, CC_NAME_FUNCTION, CC_NAME_TYPE, CC_NAME_MACRO,
    CC_NAME_KERNEL,   /* __global__ */
    CC_NAME_DEVICE,   /* __device__ / __constant__ function or variable */
} cc_name_kind;

typedef struct cc_name_info {
    const char *name;    /* borrowed from the session */
    cc_name_kind kind;
    const char *decl;    /* declaration text as written (prototype for functions) */
} cc_name_info;

/* All live names, in definition order. *out is malloc'd (free it); strings
 * are borrowed and valid until the next commit/reset. The names one
 * declaration introduces (an enum's tag and constants) are adjacent and
 * share the same decl pointer. */
size_t cc_session_names(const cc_session *s, cc_name_info **out);

/* Declaration of name, or NULL. */
/* The same for the name [name, name+len), not NUL-terminated. */
const cc_name_info *cc_session_lookup_n(const cc_session *s, const char *name, size_t len);
/* Whether [name, name+len) names a type of the session: a typedef, and in
 * C++ a class tag or a `using` alias (what the splitter asks). */
bool cc_session_is_type(const cc_session *s, const char *name, size_t len);
const cc_name_info *cc_session_lookup(const cc_session *s, const char *name);

/* Sonames of committed cells still needed, in load order (for reloading
 * after a runtime restart). *out malloc'd; strings borrowed. */
size_t cc_session_objects(const cc_session *s, const char ***out);

#endif
