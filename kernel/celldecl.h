/* kernel/celldecl.h — declaration analysis for the splitter (internal to
 * cellsplit.c / celldecl.c / codegen.c): which identifiers are keywords of
 * declarations, and filling a cc_item's specifiers and declarators. */
#ifndef CC_CELLDECL_H
#define CC_CELLDECL_H

#include "cellsplit.h"

/* CC_F_* flag of a storage-class / qualifier / CUDA keyword token, else 0. */
unsigned cd_keyword_flag(const cc_cell *c, size_t i);

/* Token i is a keyword that can only start a declaration (int, static, struct,
 * typedef, __global__, _Static_assert, template ...). */
bool cd_is_decl_keyword(const cc_cell *c, size_t i);

/* Token i is an attribute-like keyword followed by a parenthesized group
 * (__attribute__, __declspec, _Alignas, __launch_bounds__ ...). */
bool cd_is_attribute(const cc_cell *c, size_t i);

/* Identifier token i was declared a typedef by an earlier item of the cell. */
bool cd_cell_typedef(const cc_cell *c, size_t i);

/* Index the type names of the items split since the last call (call once
 * an item is complete); cd_cell_typedef then finds them without a rescan.
 * Returns -1 only when out of memory. */
int cd_index_typenames(cc_cell *c);
void cd_typenames_free(cc_cell *c);

/* [first, semi) looks like `T f(a, b) int a` — an old-style definition head. */
bool cd_is_knr_head(const cc_cell *c, size_t first, size_t semi, cc_is_type_fn is_type, void *ctx);

/* Fill it->flags, specifiers, tag/body, enumerators and declarators, and
 * settle DECL vs TYPE vs OTHER. Returns -1 only when out of memory. */
int cd_analyze(cc_cell *c, cc_item *it, cc_is_type_fn is_type, void *ctx);

/* Shared with cellsplit.c. */
bool cs_known_type(const cc_cell *c, size_t i, cc_is_type_fn is_type, void *ctx);

#endif
