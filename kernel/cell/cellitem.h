/* kernel/cell/cellitem.h — a split cell: its items (preprocessor lines, types,
 * functions, declarations, statements) over the token array, and the
 * token-level helpers and vocabularies (specifier keywords, well-known type
 * names) that the splitter, the declaration analysis and code generation
 * share. Below cellsplit.c and celldecl.c: it calls neither. Pure. */
#ifndef CC_CELLITEM_H
#define CC_CELLITEM_H

#include <stdbool.h>
#include <stddef.h>

#include "celltok.h"

typedef enum cc_item_kind {
    CC_ITEM_PREPROC,  /* one preprocessor line */
    CC_ITEM_TYPE,     /* struct/union/enum definition or forward declaration, typedef */
    CC_ITEM_FUNC,     /* function definition */
    CC_ITEM_DECL,     /* variables and/or prototypes */
    CC_ITEM_STMT,     /* a statement: runs in the entry function */
    CC_ITEM_OTHER,    /* file-scope code kept as is: _Static_assert, C++ namespace/using, extern "C" {} */
} cc_item_kind;

typedef enum cc_pp_kind {
    CC_PP_INCLUDE, CC_PP_DEFINE, CC_PP_UNDEF,
    CC_PP_COND,       /* #if #ifdef #ifndef #elif #else #endif */
    CC_PP_OTHER,      /* #pragma #error #line ... */
} cc_pp_kind;

/* Declaration specifier flags (cc_item.flags). */
enum {
    CC_F_TYPEDEF = 1 << 0, CC_F_STATIC = 1 << 1, CC_F_EXTERN = 1 << 2,
    CC_F_INLINE = 1 << 3, CC_F_THREAD = 1 << 4, CC_F_CONST = 1 << 5,
    CC_F_GLOBAL = 1 << 6, CC_F_DEVICE = 1 << 7, CC_F_HOST = 1 << 8,
    CC_F_CONSTANT = 1 << 9, CC_F_SHARED = 1 << 10, CC_F_MANAGED = 1 << 11,
    CC_F_TEMPLATE = 1 << 12, CC_F_EXTERN_C = 1 << 13, CC_F_AUTO_TYPE = 1 << 14,
};

typedef struct cc_declarator {
    char *name;             /* malloc'd */
    size_t first, end;      /* tokens of the declarator, initializer excluded */
    size_t name_tok;        /* index of the name token */
    bool has_init;
    size_t init_first, init_end;  /* tokens of the initializer (after '=') */
    bool is_func;           /* declares a function */
    bool top_const;         /* the object itself is const (not just what it points to) */
    bool incomplete_array;  /* name[] */
    bool knr;               /* FUNC: old-style (K&R) parameter declarations */
} cc_declarator;

typedef struct cc_item {
    cc_item_kind kind;
    size_t first, end;      /* token range [first, end) */
    int line, col;          /* of the first token */
    bool no_semicolon;      /* the last item lacks its ';' (a tail expression for statements) */
    cc_pp_kind pp;          /* PREPROC only */
    char *name;             /* PREPROC: macro name of #define/#undef; FUNC: the function; malloc'd or NULL */
    unsigned flags;         /* CC_F_* of the specifiers (TYPE, FUNC, DECL) */
    size_t spec_end;        /* specifier tokens are [first, spec_end) */
    char *tag;              /* "struct S" when the specifiers name a tag, malloc'd or NULL */
    bool has_body;          /* the specifiers contain a struct/union/enum body */
    size_t body_first, body_end;  /* tokens of that body: from the struct keyword to the closing brace */
    char **enumerators; size_t n_enumerators;   /* names from an enum body, malloc'd */
    cc_declarator *decls; size_t n_decls;       /* declarators (FUNC: exactly one) */
    size_t fbody;           /* FUNC: index of the body's '{' */
} cc_item;

/* The splitter's index of the type names (typedefs, C++ class names) that
 * items [0, n_items_done) declare, so telling `T * x;` from `a * b;` does
 * not rescan every earlier item. Names are borrowed from the items. */
typedef struct cc_typenames {
    const char **v; size_t cap, n;
    size_t n_items_done;
} cc_typenames;

typedef struct cc_cell {
    const char *src;        /* borrowed: the caller keeps it alive */
    cc_tok *toks; size_t n_toks;
    cc_item *items; size_t n_items;
    cc_typenames typenames; /* private to cellsplit.c/celldecl.c; freed by cc_cell_free */
} cc_cell;

/* Does this identifier name a type (typedef) the session already knows?
 * Lets the splitter tell `T * x;` (a declaration) from `a * b;`. */
typedef bool (*cc_is_type_fn)(void *ctx, const char *name, size_t len);
void cc_cell_free(cc_cell *c);

/* Helpers over a split cell. */
bool cc_tok_is(const cc_cell *c, size_t i, const char *text);   /* false past the end */
char *cc_tok_str(const cc_cell *c, size_t i);                    /* malloc'd copy */
/* Tokens [first, end) joined by single spaces, leaving out token `skip` and
 * the token ranges [skip_first, skip_end) (pass skip = (size_t)-1 and an
 * empty range for none). Returns malloc'd text. */
char *cc_toks_join(const cc_cell *c, size_t first, size_t end,
                   size_t skip_first, size_t skip_end, unsigned drop_flags);

/* CC_F_* flag of a storage-class / qualifier / CUDA keyword token, else 0. */
unsigned cc_tok_keyword_flag(const cc_cell *c, size_t i);

/* True for the common typedef names of libc, POSIX and CUDA (size_t, FILE,
 * uint8_t, any *_t, dim3, cudaStream_t, cublasHandle_t ...). */
bool cc_is_common_type(const char *name, size_t len);

/* One-line summary of the items, e.g. "PP:include TYPE:struct S FUNC:f
 * DECL:x,y STMT" (for tests and logs). malloc'd. */
char *cc_cell_describe(const cc_cell *c);

#endif
