/* kernel/engine/complete.h — complete_request and inspect_request (is_complete_request
 * is kernel/cell/is_complete.h, included here): each returns the reply content (new reference). cursor_pos counts Unicode
 * code points, as the protocol says. */
#ifndef CC_COMPLETE_H
#define CC_COMPLETE_H

#include <jansson.h>

#include "is_complete.h"

struct cc_session;

json_t *cc_complete(const char *code, int cursor_pos, const struct cc_session *s);
json_t *cc_inspect(const char *code, int cursor_pos, int detail_level, const struct cc_session *s);

#endif
