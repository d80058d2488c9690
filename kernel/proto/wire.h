/* kernel/proto/wire.h — Jupyter wire format: messages as multipart frames, and back.
 *
 * Frames: [routing ids...] "<IDS|MSG>" signature header parent_header metadata content [buffers...]
 * Ownership: a cc_msg owns everything it points to; cc_msg_free releases all. */
#ifndef CC_WIRE_H
#define CC_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include "blob.h"
#include "sign.h"

#include "config.h"   /* CC_PROTOCOL_VERSION */
#define CC_DELIM "<IDS|MSG>"

typedef struct cc_msg {
    cc_blob *ids;        /* routing identities (owned copies) */
    size_t n_ids;
    json_t *header;      /* owned references */
    json_t *parent_header;
    json_t *metadata;
    json_t *content;
    cc_blob *buffers;    /* extra binary buffers (owned copies) */
    size_t n_buffers;
    unsigned long seq;   /* shell messages: the server's receive order (1, 2, …), else 0 */
} cc_msg;

/* Decode frames into a new message, verifying the signature in constant time.
 * Returns NULL and sets *err (static string, do not free) when the message is
 * malformed: no delimiter, too few frames, bad signature, invalid JSON, a
 * header or content that is not an object, or a header without msg_id,
 * msg_type, session (username, version, date are tolerated missing). */
cc_msg *cc_wire_decode(const cc_signer *s, const cc_blob *frames, size_t n, const char **err);

/* cc_wire_decode, refusing replays: with a keyed signer and a non-NULL seen,
 * a message whose (verified) signature is already in seen is refused with
 * *err "replayed message …", and a new one's signature is remembered. */
struct cc_replay;
cc_msg *cc_wire_decode_once(const cc_signer *s, struct cc_replay *seen, const cc_blob *frames, size_t n,
                            const char **err);

/* Encode and sign. On success *frames is a malloc'd array of *n malloc'd
 * blobs; free with cc_frames_free. Returns 0, or -1 when jansson cannot
 * encode a part (out-of-memory aborts). */
int cc_wire_encode(const cc_signer *s, const cc_msg *m, cc_blob **frames, size_t *n);
void cc_frames_free(cc_blob *frames, size_t n);

/* A new message of msg_type. The header gets a fresh msg_id (uuid4), the
 * session id given to cc_msg_set_session, username "kernel", date (ISO 8601
 * UTC with microseconds and "Z") and version CC_PROTOCOL_VERSION. When parent
 * is non-NULL: parent_header is a copy of parent's header, the routing ids
 * are copied from parent, and parent's header.subshell_id (if any) is copied
 * into the new header. content is stolen (NULL → {}); metadata is {}. */
cc_msg *cc_msg_new(const char *msg_type, const cc_msg *parent, json_t *content);
void cc_msg_free(cc_msg *m);

/* The session id used in every header we create (set once at startup). */
void cc_msg_set_session(const char *session_id);
const char *cc_msg_session(void);

/* Convenience accessors (borrowed; "" or NULL-safe). */
const char *cc_msg_type(const cc_msg *m);
const char *cc_msg_id(const cc_msg *m);
const char *cc_msg_subshell(const cc_msg *m);   /* header.subshell_id or NULL */

/* The reply type of a request type ("x_request" → "x_reply") into buf.
 * Returns buf, or NULL when type does not end in "_request" (or has nothing
 * before it) or the reply name does not fit in size bytes. Pure. */
const char *cc_msg_reply_type(const char *type, char *buf, size_t size);

/* uuid4 text (36 chars + NUL) into out[37]. */
void cc_uuid4(char out[37]);

#endif
