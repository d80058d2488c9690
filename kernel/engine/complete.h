/* kernel/complete.h — complete_request, inspect_request, is_complete_request:
 * each returns the reply content (new reference). cursor_pos counts Unicode
 * code points, as the protocol says. */
#ifndef CC_COMPLETE_H
#define CC_COMPLETE_H

#include <jansson.h>

struct cc_session;

json_t *cc_complete(const char *code, int cursor_pos, const struct cc_session *s);
json_t *cc_inspect(const char *code, int cursor_pos, int detail_level, const struct cc_session *s);
json_t *cc_is_complete(const char *code);

#endif
