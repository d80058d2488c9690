/* kernel/cell/names.h — the fixed vocabularies completion and inspection know:
 * C keywords, preprocessor directives, header names, common libc and CUDA
 * names, and a short reference (prototype + one line) for the most used
 * functions. Static tables in names.c; NULL-terminated arrays. */
#ifndef CC_NAMES_H
#define CC_NAMES_H

#include <stddef.h>

typedef struct cc_doc {
    const char *name;
    const char *header;   /* "stdio.h", "cuda_runtime.h", ... */
    const char *proto;    /* the declaration */
    const char *help;     /* one line */
} cc_doc;

extern const char *const cc_names_keywords[];    /* C17 + GNU + the CUDA/C++ ones */
extern const char *const cc_names_directives[];  /* without '#' */
extern const char *const cc_names_headers[];     /* "stdio.h", "sys/types.h", ... */
extern const char *const cc_names_libc[];        /* functions, macros, types */
extern const char *const cc_names_cuda[];        /* runtime API, built-ins, qualifiers */

/* Reference entry for a libc/CUDA function, or NULL. */
const cc_doc *cc_doc_find(const char *name);

/* Short description of a keyword / CUDA built-in variable or qualifier, or NULL. */
const char *cc_keyword_help(const char *name);

#endif
