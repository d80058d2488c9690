/* kernel/cell/is_complete.h — is_complete_request: whether a cell's text is
 * complete, incomplete (with the indent to continue) or invalid; returns the
 * reply content (new reference). Pure: the cell tokenizer only. */
#ifndef CC_IS_COMPLETE_H
#define CC_IS_COMPLETE_H

#include <jansson.h>

json_t *cc_is_complete(const char *code);

#endif
