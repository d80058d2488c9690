/* kernel/proto/wire.c — the Jupyter wire format: decoding multipart frames into a
 * cc_msg (verifying the HMAC), encoding a cc_msg back into signed frames,
 * and building new messages (headers, uuids, timestamps).
 * Ownership: a cc_msg owns its ids, buffers and JSON references; frames
 * returned by cc_wire_encode are owned by the caller (cc_frames_free). */
#include "wire.h"
#include "replay.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

/* ---- blobs ------------------------------------------------------------- */

/* Copy n blobs into a new array; each copy is NUL-terminated for
 * convenience (len excludes the NUL). */
static cc_blob *cc_blobs_copy(const cc_blob *src, size_t n)
{
    if (n == 0)
        return NULL;
    cc_blob *b = cc_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < n; i++) {
        b[i].data = cc_xmalloc(src[i].len + 1);
        if (src[i].len)
            memcpy(b[i].data, src[i].data, src[i].len);
        b[i].data[src[i].len] = '\0';
        b[i].len = src[i].len;
    }
    return b;
}

void cc_frames_free(cc_blob *frames, size_t n)
{
    if (!frames)
        return;
    for (size_t i = 0; i < n; i++)
        free(frames[i].data);
    free(frames);
}

/* ---- decode ------------------------------------------------------------ */

static bool cc_blob_is(const cc_blob *b, const char *s)
{
    size_t n = strlen(s);
    return b->len == n && memcmp(b->data, s, n) == 0;
}

static bool cc_header_has(json_t *h, const char *key)
{
    return json_is_string(json_object_get(h, key));
}

cc_msg *cc_wire_decode(const cc_signer *s, const cc_blob *frames, size_t n, const char **err)
{
    return cc_wire_decode_once(s, NULL, frames, n, err);
}

cc_msg *cc_wire_decode_once(const cc_signer *s, cc_replay *seen, const cc_blob *frames, size_t n,
                            const char **err)
{
    const char *dummy;
    if (!err)
        err = &dummy;
    *err = NULL;

    size_t d = 0;
    while (d < n && !cc_blob_is(&frames[d], CC_DELIM))
        d++;
    if (d == n) {
        *err = "no <IDS|MSG> delimiter frame";
        return NULL;
    }
    if (n - d - 1 < 5) {
        *err = "too few frames after the delimiter (need signature, header, "
               "parent_header, metadata, content)";
        return NULL;
    }
    const cc_blob *sig = &frames[d + 1];
    const cc_blob *parts = &frames[d + 2];   /* header parent metadata content */
    if (!cc_signer_verify(s, parts, sig->data, sig->len)) {
        *err = "bad message signature";
        return NULL;
    }
    /* After the check, so a forged message never enters (or evicts from) the set. */
    if (seen && cc_signer_enabled(s) && cc_replay_seen(seen, sig->data, sig->len)) {
        *err = "replayed message (its signature was seen before)";
        return NULL;
    }

    json_t *js[4] = { NULL, NULL, NULL, NULL };
    static const char *const bad_json[4] = {
        "header is not valid JSON", "parent_header is not valid JSON",
        "metadata is not valid JSON", "content is not valid JSON",
    };
    static const char *const not_obj[4] = {
        "header is not a JSON object", "parent_header is not a JSON object",
        "metadata is not a JSON object", "content is not a JSON object",
    };
    for (int i = 0; i < 4; i++) {
        js[i] = json_loadb(parts[i].data, parts[i].len,
                           JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (!js[i])
            *err = bad_json[i];
        else if (!json_is_object(js[i]))
            *err = not_obj[i];
        if (*err)
            goto fail;
    }
    if (!cc_header_has(js[0], "msg_id") || !cc_header_has(js[0], "msg_type") ||
        !cc_header_has(js[0], "session")) {
        *err = "header lacks a msg_id, msg_type or session string";
        goto fail;
    }

    cc_msg *m = cc_xcalloc(1, sizeof *m);
    m->header = js[0];
    m->parent_header = js[1];
    m->metadata = js[2];
    m->content = js[3];
    m->n_ids = d;
    m->n_buffers = n - d - 6;
    m->ids = cc_blobs_copy(frames, d);
    m->buffers = cc_blobs_copy(frames + d + 6, m->n_buffers);
    return m;

fail:
    for (int i = 0; i < 4; i++)
        json_decref(js[i]);
    return NULL;
}

/* ---- encode ------------------------------------------------------------ */

/* Compact JSON of v (NULL → "{}") into b; UTF-8 kept as is. -1 when
 * jansson cannot encode v (a value that contains itself). */
static int cc_json_blob(json_t *v, cc_blob *b)
{
    b->data = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : cc_xstrdup("{}");
    if (!b->data)
        return -1;
    b->len = strlen(b->data);
    return 0;
}

int cc_wire_encode(const cc_signer *s, const cc_msg *m, cc_blob **frames, size_t *n)
{
    *frames = NULL;
    *n = 0;
    size_t total = m->n_ids + 6 + m->n_buffers;
    cc_blob *f = cc_xcalloc(total, sizeof *f);

    size_t i = 0;
    for (; i < m->n_ids; i++) {
        f[i].data = cc_xmalloc(m->ids[i].len + 1);
        memcpy(f[i].data, m->ids[i].data, m->ids[i].len);
        f[i].len = m->ids[i].len;
    }
    size_t d = i;
    f[d].data = cc_xstrdup(CC_DELIM);
    f[d].len = strlen(CC_DELIM);

    json_t *parts[4] = { m->header, m->parent_header, m->metadata, m->content };
    for (int k = 0; k < 4; k++)
        if (cc_json_blob(parts[k], &f[d + 2 + k]) != 0)
            goto fail;

    f[d + 1].data = cc_xmalloc(129);
    cc_signer_sign(s, &f[d + 2], f[d + 1].data);
    f[d + 1].len = strlen(f[d + 1].data);

    for (size_t k = 0; k < m->n_buffers; k++) {
        cc_blob *b = &f[d + 6 + k];
        b->data = cc_xmalloc(m->buffers[k].len + 1);
        if (m->buffers[k].len)
            memcpy(b->data, m->buffers[k].data, m->buffers[k].len);
        b->len = m->buffers[k].len;
    }
    *frames = f;
    *n = total;
    return 0;

fail:
    cc_frames_free(f, total);   /* unfilled slots are NULL */
    return -1;
}

/* ---- new messages ------------------------------------------------------ */

static char cc_session_id[128];
static pthread_once_t cc_session_once = PTHREAD_ONCE_INIT;

static void cc_session_default(void)
{
    if (cc_session_id[0] == '\0')
        cc_uuid4(cc_session_id);
}

void cc_msg_set_session(const char *session_id)
{
    snprintf(cc_session_id, sizeof cc_session_id, "%s", session_id ? session_id : "");
}

const char *cc_msg_session(void)
{
    pthread_once(&cc_session_once, cc_session_default);
    return cc_session_id;
}

void cc_uuid4(char out[37])
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) {   /* OpenSSL's CSPRNG: fails only when unseeded */
        fprintf(stderr, "cudacell: no random bytes for a message id (OpenSSL RAND_bytes failed)\n");
        abort();
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);   /* version 4 */
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[r[i] >> 4];
        *p++ = hex[r[i] & 15];
    }
    *p = '\0';
}

/* ISO 8601 UTC with microseconds, e.g. 2024-05-01T12:34:56.123456Z. */
static void cc_iso_now(char out[64])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000 % 1000000));
}

cc_msg *cc_msg_new(const char *msg_type, const cc_msg *parent, json_t *content)
{
    cc_msg *m = cc_xcalloc(1, sizeof *m);
    m->content = content ? content : json_object();

    char id[37], date[64];
    cc_uuid4(id);
    cc_iso_now(date);
    m->header = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
                          "msg_id", id, "session", cc_msg_session(),
                          "username", "kernel", "date", date,
                          "msg_type", msg_type ? msg_type : "",
                          "version", CC_PROTOCOL_VERSION);
    m->metadata = json_object();
    if (parent && parent->header) {
        /* A deep copy: the parent may be read by another thread meanwhile. */
        m->parent_header = json_deep_copy(parent->header);
        json_t *sub = json_object_get(parent->header, "subshell_id");
        if (sub && m->header)
            json_object_set_new(m->header, "subshell_id", json_deep_copy(sub));
    } else {
        m->parent_header = json_object();
    }
    if (!m->content || !m->header || !m->metadata || !m->parent_header)
        goto fail;
    if (parent && parent->n_ids) {
        m->ids = cc_blobs_copy(parent->ids, parent->n_ids);
        m->n_ids = parent->n_ids;
    }
    return m;

fail:
    cc_msg_free(m);
    return NULL;
}

void cc_msg_free(cc_msg *m)
{
    if (!m)
        return;
    cc_frames_free(m->ids, m->n_ids);
    cc_frames_free(m->buffers, m->n_buffers);
    json_decref(m->header);
    json_decref(m->parent_header);
    json_decref(m->metadata);
    json_decref(m->content);
    free(m);
}

/* ---- accessors --------------------------------------------------------- */

static const char *cc_header_str(const cc_msg *m, const char *key)
{
    if (!m || !m->header)
        return NULL;
    return json_string_value(json_object_get(m->header, key));
}

const char *cc_msg_type(const cc_msg *m)
{
    const char *s = cc_header_str(m, "msg_type");
    return s ? s : "";
}

const char *cc_msg_reply_type(const char *type, char *buf, size_t size)
{
    static const char suffix[] = "_request";
    size_t n = strlen(type), sn = sizeof suffix - 1;
    if (n <= sn || strcmp(type + n - sn, suffix) != 0)
        return NULL;
    int k = snprintf(buf, size, "%.*s_reply", (int)(n - sn), type);
    return k > 0 && (size_t)k < size ? buf : NULL;
}

const char *cc_msg_id(const cc_msg *m)
{
    const char *s = cc_header_str(m, "msg_id");
    return s ? s : "";
}

const char *cc_msg_subshell(const cc_msg *m)
{
    return cc_header_str(m, "subshell_id");
}
