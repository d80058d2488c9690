/* tests/unit/test_display_relay.c — kernel/server/display_relay.c: an engine
 * display shaped into a valid Jupyter display message, or dropped. */
#include <stdio.h>
#include <string.h>

#include "display_relay.h"
#include "tap.h"

static json_t *parse(const char *text)
{
    return json_loads(text, JSON_DECODE_ANY, NULL);
}

int main(void)
{
    CHECK_STR(cc_display_msg_type(CC_OUT_DISPLAY), "display_data", "DISPLAY is display_data");
    CHECK_STR(cc_display_msg_type(CC_OUT_UPDATE), "update_display_data", "UPDATE is update_display_data");
    CHECK_STR(cc_display_msg_type(CC_OUT_CLEAR), "clear_output", "CLEAR is clear_output");
    CHECK_STR(cc_display_msg_type(CC_OUT_RESULT), "execute_result", "RESULT is execute_result");
    CHECK(cc_display_msg_type((cc_out_kind)42) == NULL, "an unknown kind has no message type");

    json_t *c = cc_display_content(CC_OUT_DISPLAY, parse("{\"data\":{\"text/plain\":\"x\"}}"), 3);
    CHECK(json_is_object(json_object_get(c, "metadata")), "a display without metadata gets {}");
    CHECK_STR(json_string_value(json_object_get(json_object_get(c, "data"), "text/plain")), "x",
              "its data is kept");
    CHECK(!json_object_get(c, "execution_count"), "a display is not numbered");
    json_decref(c);

    c = cc_display_content(CC_OUT_UPDATE, parse("{\"data\":5,\"transient\":{\"display_id\":\"d\"}}"), 3);
    CHECK(json_is_object(json_object_get(c, "data")), "data that is not an object is replaced by {}");
    CHECK_STR(json_string_value(json_object_get(json_object_get(c, "transient"), "display_id")), "d",
              "transient is kept");
    json_decref(c);

    c = cc_display_content(CC_OUT_CLEAR, parse("{}"), 3);
    CHECK(json_is_false(json_object_get(c, "wait")), "clear_output's wait defaults to false");
    CHECK(!json_object_get(c, "data"), "clear_output gets no data");
    json_decref(c);
    c = cc_display_content(CC_OUT_CLEAR, parse("{\"wait\":true}"), 3);
    CHECK(json_is_true(json_object_get(c, "wait")), "clear_output's wait is kept");
    json_decref(c);

    c = cc_display_content(CC_OUT_RESULT, parse("{\"data\":{\"text/plain\":\"40\"},\"execution_count\":99}"), 7);
    CHECK(json_integer_value(json_object_get(c, "execution_count")) == 7,
          "a result gets the request's execution_count, not the cell's");
    json_decref(c);

    CHECK(cc_display_content(CC_OUT_DISPLAY, parse("[1,2]"), 1) == NULL, "an array is dropped");
    CHECK(cc_display_content(CC_OUT_DISPLAY, parse("\"text\""), 1) == NULL, "a string is dropped");
    CHECK(cc_display_content(CC_OUT_DISPLAY, NULL, 1) == NULL, "nothing is dropped");
    CHECK(cc_display_content((cc_out_kind)42, parse("{}"), 1) == NULL, "an unknown kind is dropped");
    return tap_done();
}
