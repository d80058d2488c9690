/* tests/unit/test_wire.c — wire format: encode/decode round trips, routing
 * ids and buffers, unicode, every rejection reason, cc_msg_new headers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "wire.h"

static cc_blob B(const char *s) { return (cc_blob){ (char *)s, strlen(s) }; }

/* Frames: ids..., delimiter, signature (computed), h, p, md, c, extra... */
typedef struct { cc_blob f[16]; size_t n; char sig[129]; } frames_t;

static void build(frames_t *fr, const cc_signer *s, const char *h, const char *p,
                  const char *md, const char *c)
{
    fr->n = 0;
    fr->f[fr->n++] = B("id-one");
    fr->f[fr->n++] = B(CC_DELIM);
    size_t sig_at = fr->n++;
    fr->f[fr->n++] = B(h);
    fr->f[fr->n++] = B(p);
    fr->f[fr->n++] = B(md);
    fr->f[fr->n++] = B(c);
    cc_signer_sign(s, &fr->f[sig_at + 1], fr->sig);
    fr->f[sig_at] = B(fr->sig);
}

static const char *H = "{\"msg_id\":\"m1\",\"msg_type\":\"execute_request\","
                       "\"session\":\"s1\",\"username\":\"u\",\"date\":\"x\",\"version\":\"5.3\"}";

static void expect_reject(const cc_signer *s, const cc_blob *f, size_t n,
                          const char *needle, const char *what)
{
    const char *err = NULL;
    cc_msg *m = cc_wire_decode(s, f, n, &err);
    CHECK(m == NULL && err && strstr(err, needle), "rejects %s ('%s')", what, err ? err : "no error");
    cc_msg_free(m);
}

static void rejections(const cc_signer *s)
{
    frames_t fr;
    build(&fr, s, H, "{}", "{}", "{}");
    const char *err = "unset";
    cc_msg *m = cc_wire_decode(s, fr.f, fr.n, &err);
    CHECK(m != NULL && err == NULL, "the well-formed base message decodes");
    cc_msg_free(m);

    cc_blob nodelim[6] = { B("id"), B("sig"), B(H), B("{}"), B("{}"), B("{}") };
    expect_reject(s, nodelim, 6, "delimiter", "frames without <IDS|MSG>");
    expect_reject(s, fr.f, 0, "delimiter", "zero frames");
    expect_reject(s, fr.f, fr.n - 1, "too few", "4 frames after the delimiter");
    expect_reject(s, fr.f, 2, "too few", "only ids and delimiter");

    frames_t bad = fr;
    bad.sig[10] = bad.sig[10] == 'a' ? 'b' : 'a';
    bad.f[2] = B(bad.sig);
    expect_reject(s, bad.f, bad.n, "signature", "a wrong signature");
    bad = fr;
    bad.f[6] = B("{\"code\":\"tampered\"}");
    expect_reject(s, bad.f, bad.n, "signature", "content changed after signing");
    bad = fr;
    bad.f[2] = B("");
    expect_reject(s, bad.f, bad.n, "signature", "an empty signature when a key is set");

    build(&fr, s, "{\"msg_id\":", "{}", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "header is not valid JSON", "truncated header JSON");
    build(&fr, s, H, "{}", "{}", "{oops}");
    expect_reject(s, fr.f, fr.n, "content is not valid JSON", "invalid content JSON");
    build(&fr, s, "[1]", "{}", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "header is not a JSON object", "an array header");
    build(&fr, s, H, "\"str\"", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "parent_header is not a JSON object", "a string parent_header");
    build(&fr, s, H, "{}", "null", "{}");
    expect_reject(s, fr.f, fr.n, "metadata is not a JSON object", "null metadata");
    build(&fr, s, H, "{}", "{}", "42");
    expect_reject(s, fr.f, fr.n, "content is not a JSON object", "a number as content");
    build(&fr, s, "{\"msg_type\":\"a\",\"session\":\"s\"}", "{}", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "msg_id", "a header without msg_id");
    build(&fr, s, "{\"msg_id\":\"a\",\"session\":\"s\"}", "{}", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "msg_type", "a header without msg_type");
    build(&fr, s, "{\"msg_id\":\"a\",\"msg_type\":\"t\"}", "{}", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "session", "a header without session");
    build(&fr, s, "{\"msg_id\":7,\"msg_type\":\"t\",\"session\":\"s\"}", "{}", "{}", "{}");
    expect_reject(s, fr.f, fr.n, "msg_id", "a numeric msg_id");

    build(&fr, s, "{\"msg_id\":\"a\",\"msg_type\":\"t\",\"session\":\"s\"}", "{}", "{}", "{}");
    m = cc_wire_decode(s, fr.f, fr.n, NULL);
    CHECK(m != NULL, "username, version and date may be missing (NULL err pointer ok)");
    cc_msg_free(m);
}

static void round_trip(const cc_signer *s)
{
    cc_msg_set_session("sess-1234");
    /* A request as a frontend would send it: 3 routing ids, 2 buffers. */
    frames_t fr;
    build(&fr, s, "{\"msg_id\":\"req-1\",\"msg_type\":\"execute_request\",\"session\":\"fe\","
                  "\"subshell_id\":\"sub-9\"}", "{}", "{}",
          "{\"code\":\"printf(\\\"h\\u00e9llo\\\");\"}");
    cc_blob f[16];
    size_t n = 0;
    f[n++] = B("router-a");
    f[n++] = (cc_blob){ "\0bin\xff", 5 };
    for (size_t i = 1; i < fr.n; i++)
        f[n++] = fr.f[i];
    f[n++] = (cc_blob){ "\x00\x01\x02", 3 };
    f[n++] = B("");
    const char *err = NULL;
    cc_msg *req = cc_wire_decode(s, f, n, &err);
    CHECK(req != NULL, "request with 2 routing ids and 2 buffers decodes (%s)", err ? err : "ok");
    if (!req)
        return;
    CHECK(req->n_ids == 2 && req->ids[1].len == 5 && memcmp(req->ids[1].data, "\0bin\xff", 5) == 0,
          "binary routing ids are kept exactly");
    CHECK(req->n_buffers == 2 && req->buffers[0].len == 3 && req->buffers[1].len == 0 &&
          memcmp(req->buffers[0].data, "\x00\x01\x02", 3) == 0, "buffers are kept exactly");
    CHECK_STR(cc_msg_type(req), "execute_request", "cc_msg_type");
    CHECK_STR(cc_msg_id(req), "req-1", "cc_msg_id");
    CHECK_STR(cc_msg_subshell(req), "sub-9", "cc_msg_subshell");
    CHECK_STR(json_string_value(json_object_get(req->content, "code")), "printf(\"h\xc3\xa9llo\");",
              "\\u escapes decode to UTF-8");

    /* A reply to it, with unicode, encoded and decoded again. */
    json_t *content = json_pack("{s:s, s:s}", "name", "stdout",
                                "text", "h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x8e\x89\n");
    cc_msg *rep = cc_msg_new("stream", req, content);
    CHECK(rep != NULL, "cc_msg_new with a parent");
    json_object_set_new(rep->metadata, "k", json_string("v"));
    rep->buffers = calloc(1, sizeof(cc_blob));
    rep->buffers[0].data = malloc(4);
    memcpy(rep->buffers[0].data, "\x00zz\x00", 4);
    rep->buffers[0].len = 4;
    rep->n_buffers = 1;

    cc_blob *out = NULL;
    size_t nout = 0;
    int rc = cc_wire_encode(s, rep, &out, &nout);   /* not inside CHECK: it evaluates twice */
    CHECK(rc == 0, "encode succeeds");
    CHECK(nout == 2 + 6 + 1, "frames = 2 ids + delimiter + sig + 4 parts + 1 buffer");
    CHECK(out[2].len == 9 && memcmp(out[2].data, CC_DELIM, 9) == 0, "delimiter after the ids");
    CHECK(out[1].len == 5 && memcmp(out[1].data, "\0bin\xff", 5) == 0,
          "reply carries the parent's routing ids");
    CHECK(out[3].len == (cc_signer_enabled(s) ? 64u : 0u), "signature length fits the mode");
    char *c_text = strndup(out[7].data, out[7].len);
    CHECK(strstr(c_text, "\xe4\xb8\x96\xe7\x95\x8c") && !strstr(c_text, "\\u"),
          "non-ASCII text is sent as raw UTF-8, not \\u escapes");
    free(c_text);
    CHECK(memchr(out[4].data, ' ', out[4].len) == NULL && out[4].data[0] == '{',
          "header JSON is compact (no spaces)");

    cc_msg *back = cc_wire_decode(s, out, nout, &err);
    CHECK(back != NULL, "encoded reply decodes again");
    if (back) {
        CHECK(json_equal(back->header, rep->header), "header survives the round trip");
        CHECK(json_equal(back->content, rep->content), "unicode content survives the round trip");
        CHECK(json_equal(back->metadata, rep->metadata), "metadata survives the round trip");
        CHECK(json_equal(back->parent_header, req->header), "parent_header is the request's header");
        CHECK(back->n_buffers == 1 && back->buffers[0].len == 4 &&
              memcmp(back->buffers[0].data, "\x00zz\x00", 4) == 0, "binary buffer survives");
        CHECK_STR(cc_msg_subshell(back), "sub-9", "subshell_id copied from the parent");
    }
    cc_msg_free(back);
    cc_frames_free(out, nout);
    cc_msg_free(rep);
    cc_msg_free(req);
}

static int is_uuid4(const char *u)
{
    if (strlen(u) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)u[i]) || isupper((unsigned char)u[i])) {
            return 0;
        }
    }
    return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

static void headers(void)
{
    cc_msg_set_session("sess-xyz");
    CHECK_STR(cc_msg_session(), "sess-xyz", "cc_msg_session returns the set id");
    cc_msg *m = cc_msg_new("status", NULL, NULL);
    CHECK(m && json_is_object(m->content) && json_object_size(m->content) == 0,
          "NULL content becomes {}");
    CHECK(json_is_object(m->metadata) && json_object_size(m->metadata) == 0, "metadata is {}");
    CHECK(json_is_object(m->parent_header) && json_object_size(m->parent_header) == 0,
          "no parent: parent_header is {}");
    CHECK(m->n_ids == 0 && m->ids == NULL, "no parent: no routing ids");
    const char *id = cc_msg_id(m);
    CHECK(is_uuid4(id), "msg_id is a lowercase uuid4 (%s)", id);
    json_t *h = m->header;
    CHECK_STR(json_string_value(json_object_get(h, "msg_type")), "status", "msg_type");
    CHECK_STR(json_string_value(json_object_get(h, "session")), "sess-xyz", "session");
    CHECK_STR(json_string_value(json_object_get(h, "username")), "kernel", "username");
    CHECK_STR(json_string_value(json_object_get(h, "version")), "5.5", "version");
    const char *date = json_string_value(json_object_get(h, "date"));
    int ok = date && strlen(date) == 27 && date[4] == '-' && date[7] == '-' && date[10] == 'T' &&
             date[13] == ':' && date[16] == ':' && date[19] == '.' && date[26] == 'Z' &&
             strncmp(date, "20", 2) == 0;
    for (int i = 20; ok && i < 26; i++)
        ok = isdigit((unsigned char)date[i]);
    CHECK(ok, "date is ISO 8601 UTC with microseconds and Z (%s)", date ? date : "null");
    CHECK(cc_msg_subshell(m) == NULL, "no subshell_id without a parent that has one");

    cc_msg *child = cc_msg_new("status", m, json_object());
    CHECK(child && strcmp(cc_msg_id(child), cc_msg_id(m)) != 0, "each message gets a new msg_id");
    CHECK(json_equal(child->parent_header, m->header) && child->parent_header != m->header,
          "parent_header is an equal, separate copy");
    CHECK(!json_object_get(child->header, "subshell_id"),
          "no subshell_id copied when the parent has none");
    cc_msg_free(child);
    cc_msg_free(m);

    CHECK_STR(cc_msg_type(NULL), "", "cc_msg_type(NULL) is \"\"");
    CHECK(cc_msg_subshell(NULL) == NULL, "cc_msg_subshell(NULL) is NULL");

    char seen[64][37];
    int distinct = 1, valid = 1;
    for (int i = 0; i < 64; i++) {
        cc_uuid4(seen[i]);
        valid &= is_uuid4(seen[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(seen[i], seen[j]) == 0)
                distinct = 0;
    }
    CHECK(valid && distinct, "64 uuids are valid and distinct");
}

/* "x_request" → "x_reply"; anything else has no reply name. */
static void reply_names(void)
{
    static const struct { const char *req, *rep; } cases[] = {
        {"execute_request", "execute_reply"},
        {"kernel_info_request", "kernel_info_reply"},
        {"create_subshell_request", "create_subshell_reply"},
        {"x_request", "x_reply"},
        {"_request", NULL},          /* nothing before the suffix */
        {"request", NULL},
        {"comm_open", NULL},
        {"execute_requests", NULL},
        {"", NULL},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *r = cc_msg_reply_type(cases[i].req, buf, sizeof buf);
        CHECK(cases[i].rep ? r && strcmp(r, cases[i].rep) == 0 : r == NULL,
              "reply type of '%s' is %s (got %s)", cases[i].req,
              cases[i].rep ? cases[i].rep : "none", r ? r : "none");
    }
    char small[12];
    CHECK(cc_msg_reply_type("abcdef_request", small, sizeof small) == NULL,
          "a reply name that does not fit is refused");
    CHECK(cc_msg_reply_type("abcde_request", small, sizeof small) == small &&
          strcmp(small, "abcde_reply") == 0, "a reply name that just fits is written");
}

int main(void)
{
    reply_names();
    cc_signer *keyed = cc_signer_new("hmac-sha256", "wire-test-key");
    cc_signer *open = cc_signer_new("hmac-sha256", "");
    rejections(keyed);
    round_trip(keyed);
    round_trip(open);
    headers();

    frames_t fr;
    build(&fr, open, H, "{}", "{}", "{}");
    cc_msg *m = cc_wire_decode(open, fr.f, fr.n, NULL);
    CHECK(m && fr.f[2].len == 0, "unsigned mode: empty signature accepted");
    cc_msg_free(m);
    cc_signer_free(keyed);
    cc_signer_free(open);
    return tap_done();
}
