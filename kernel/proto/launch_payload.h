/* kernel/proto/launch_payload.h — the pure part of launcher mode (launcher.c): the
 * arguments Jupyter Enterprise Gateway / gateway_provisioners pass to a
 * kernel launcher, and the version-1 payload that carries the kernel's
 * connection info back to the server that started it.
 *
 * The payload (what gateway_provisioners' ResponseManager decodes):
 *   base64(JSON {"version": 1,
 *                "key":       base64(RSA-PKCS#1-v1.5(public_key, aes_key)),
 *                "conn_info": base64(AES-128-ECB(aes_key, PKCS#7 pad(conn_json)))})
 * with a fresh random 16-byte aes_key. The server's public key arrives as
 * the base64 body of a PEM "PUBLIC KEY" (header, footer and newlines
 * stripped); a full PEM is accepted too.
 *
 * No I/O; every failure returns NULL or -1 with a malloc'd message in *err
 * (caller frees). */
#ifndef CC_LAUNCH_PAYLOAD_H
#define CC_LAUNCH_PAYLOAD_H

#include <stddef.h>

#define CC_LAUNCH_PAYLOAD_VERSION 1

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
