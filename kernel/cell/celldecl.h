/* kernel/cell/celldecl.h — declaration analysis for the splitter: which
 * identifiers are keywords of declarations or names of types, and filling a
 * cc_item's specifiers and declarators. Called by cellsplit.c (and, for the
 * keyword tests, by codegen); it calls only cellitem.h below it. */
#ifndef CC_CELLDECL_H
#define CC_CELLDECL_H

#include "cellitem.h"

/* Token i is a keyword that can only start a declaration (int, static, struct,
 * typedef, __global__, _Static_assert, template ...). */
bool cd_is_decl_keyword(const cc_cell *c, size_t i);

/* Token i is an attribute-like keyword followed by a parenthesized group
 * (__attribute__, __declspec, _Alignas, __launch_bounds__ ...). */
bool cd_is_attribute(const cc_cell *c, size_t i);

/* Identifier token i was declared a typedef by an earlier item of the cell. */
bool cd_cell_typedef(const cc_cell *c, size_t i);

/* Identifier token i names a type: a well-known one, one the session knows
 * (is_type, may be NULL) or one of the cell's own. */
bool cd_known_type(const cc_cell *c, size_t i, cc_is_type_fn is_type, void *ctx);

/* Index the type names of the items split since the last call (call once
 * an item is complete); cd_cell_typedef then finds them without a rescan.
 * The index is freed by cc_cell_free. */
void cd_index_typenames(cc_cell *c);

/* [first, semi) looks like `T f(a, b) int a` — an old-style definition head. */
bool cd_is_knr_head(const cc_cell *c, size_t first, size_t semi, cc_is_type_fn is_type, void *ctx);

/* Fill it->flags, specifiers, tag/body, enumerators and declarators, and
 * settle DECL vs TYPE vs OTHER. */
void cd_analyze(cc_cell *c, cc_item *it, cc_is_type_fn is_type, void *ctx);

#endif
