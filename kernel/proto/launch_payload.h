/* kernel/proto/launch_payload.h — the pure part of launcher mode (launcher.c): the
 * arguments Jupyter Enterprise Gateway / gateway_provisioners pass to a
 * kernel launcher, the connection info the kernel makes up (with its own
 * CurveZMQ key pair when asked to encrypt), and the version-1 payload that
 * carries it back to the server that started it.
 *
 * The payload (what gateway_provisioners' ResponseManager decodes):
 *   base64(JSON {"version": 1,
 *                "key":       base64(RSA-PKCS#1-v1.5(public_key, aes_key)),
 *                "conn_info": base64(AES-128-ECB(aes_key, PKCS#7 pad(conn_json)))})
 * with a fresh random 16-byte aes_key. The server's public key arrives as
 * the base64 body of a PEM "PUBLIC KEY" (header, footer and newlines
 * stripped); a full PEM is accepted too.
 *
 * The CurveZMQ keys travel inside that AES-encrypted conn_info, as the
 * Python launcher's do; the server hands the public key to its clients.
 *
 * No I/O; every failure returns NULL or -1 with a malloc'd message in *err
 * (caller frees). */
#ifndef CC_LAUNCH_PAYLOAD_H
#define CC_LAUNCH_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#define CC_LAUNCH_PAYLOAD_VERSION 1
#define CC_LAUNCH_PORTS 6   /* shell, iopub, stdin, hb, control, comm */

/* --transport-encryption, read as gateway_provisioners' own launchers read it. */
typedef enum {
    CC_LAUNCH_CLEAR,            /* no CurveZMQ keys */
    CC_LAUNCH_CURVE_AUTO,       /* keys if libzmq can make them, else clear text */
    CC_LAUNCH_CURVE_REQUIRED,   /* keys, or the kernel does not start */
} cc_launch_encryption;

/* The policy in s, case and surrounding blanks ignored: "auto" and
 * "required" ask for CurveZMQ; NULL, "", "disabled" and an unfilled
 * "{...}" placeholder (an older server) are CC_LAUNCH_CLEAR. Anything else
 * is CC_LAUNCH_CLEAR with *unknown set, for the caller to warn about. */
cc_launch_encryption cc_launch_parse_encryption(const char *s, bool *unknown);

/* What the launcher sends back (before encryption). */
typedef struct cc_launch_conn {
    const char *kernel_id, *ip;
    const char *key;                     /* the HMAC signing key */
    int ports[CC_LAUNCH_PORTS];
    long long pid, pgid;
    const char *curve_publickey;         /* Z85; NULL: clear text */
    const char *curve_secretkey;         /* Z85; NULL: clear text */
} cc_launch_conn;

/* The connection JSON for c, with the fields and names of a Python
 * launcher's connection file plus pid, pgid, comm_port and kernel_id; the
 * curve keys ride in it as "curve_publickey"/"curve_secretkey" when given.
 * Returns malloc'd text holding secrets: the caller wipes it before free. */
char *cc_launch_conn_json(const cc_launch_conn *c);

/* "LOWER..UPPER" into *lo, *hi. "0..0" (or NULL/"") means any port.
 * A non-zero range must lie within 1024..65535, have lo < hi, and hold at
 * least min_size ports (the Python launcher's MIN_PORT_RANGE_SIZE). */
int cc_launch_parse_range(const char *s, int min_size, int *lo, int *hi, char **err);

/* "HOST:PORT" (the last ':' splits) into host[hostsz] and *port. */
int cc_launch_parse_address(const char *s, char *host, size_t hostsz, int *port, char **err);

/* The payload for conn_json, encrypted for public_key. Returns a malloc'd
 * NUL-terminated base64 text (caller frees), or NULL with *err set. */
char *cc_launch_payload(const char *conn_json, const char *public_key, char **err);

/* Standard base64 (with padding, no newlines) of n bytes; malloc'd. */
char *cc_base64_encode(const unsigned char *p, size_t n);

/* Decode standard base64 text (whitespace ignored) into a malloc'd buffer
 * of *n bytes. NULL if the text is not base64. */
unsigned char *cc_base64_decode(const char *s, size_t *n);

#endif
