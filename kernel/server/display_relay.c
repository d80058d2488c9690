/* kernel/server/display_relay.c — checks and shapes a cell's display into the
 * content of a Jupyter iopub message (display_relay.h). The engine hands
 * over what libcudacell sent; nothing below this file knows the messaging
 * protocol's rules for display messages. */
#include "display_relay.h"

#include <stddef.h>

#include "log.h"

static const char *const msg_types[] = {
    [CC_OUT_DISPLAY] = "display_data",
    [CC_OUT_UPDATE] = "update_display_data",
    [CC_OUT_CLEAR] = "clear_output",
    [CC_OUT_RESULT] = "execute_result",
};

const char *cc_display_msg_type(cc_out_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= sizeof msg_types / sizeof msg_types[0])
        return NULL;
    return msg_types[kind];
}

/* Adds an empty object under key when content lacks one (the protocol
 * requires data and metadata in display messages). */
static void ensure_object(json_t *content, const char *key)
{
    if (!json_is_object(json_object_get(content, key)))
        json_object_set_new(content, key, json_object());
}

json_t *cc_display_content(cc_out_kind kind, json_t *bundle, int execution_count)
{
    const char *type = cc_display_msg_type(kind);
    if (!type) {
        cc_log_warn("display: dropped a display of unknown kind %d", (int)kind);
        json_decref(bundle);
        return NULL;
    }
    if (!json_is_object(bundle)) {
        cc_log_warn("display: dropped a %s message whose content is not a JSON object", type);
        json_decref(bundle);
        return NULL;
    }
    if (kind == CC_OUT_CLEAR) {
        if (!json_is_boolean(json_object_get(bundle, "wait")))
            json_object_set_new(bundle, "wait", json_false());
    } else {
        ensure_object(bundle, "data");
        ensure_object(bundle, "metadata");
    }
    if (kind == CC_OUT_RESULT)
        json_object_set_new(bundle, "execution_count", json_integer(execution_count));
    return bundle;
}
