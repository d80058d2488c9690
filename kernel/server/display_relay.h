/* kernel/server/display_relay.h — the Jupyter side of a cell's displays: an
 * engine display (cc_out_kind + bundle, cc_output.h) checked and shaped
 * into the iopub message the messaging protocol wants. Pure but for the
 * log line of a dropped display. */
#ifndef CC_DISPLAY_RELAY_H
#define CC_DISPLAY_RELAY_H

#include <jansson.h>

#include "cc_output.h"

/* "display_data", "update_display_data", "clear_output", "execute_result". */
const char *cc_display_msg_type(cc_out_kind kind);

/* The message content for bundle (taken): data and metadata objects added
 * when missing, clear_output's wait defaulted to false, execute_result
 * numbered execution_count. NULL when bundle is not a JSON object or kind
 * is unknown: a cell cannot make the kernel send an invalid message (the
 * drop is logged). */
json_t *cc_display_content(cc_out_kind kind, json_t *bundle, int execution_count);

#endif
