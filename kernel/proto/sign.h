/* kernel/proto/sign.h — HMAC signing and constant-time verification of Jupyter messages.
 * The signature covers header, parent_header, metadata and content, in that order. */
#ifndef CC_SIGN_H
#define CC_SIGN_H

#include <stdbool.h>
#include "blob.h"

typedef struct cc_signer cc_signer;

/* scheme is the connection file's signature_scheme ("hmac-sha256"; also
 * hmac-sha1/-sha384/-sha512). An empty or NULL key means messages are unsigned.
 * Returns NULL for an unknown scheme (or when OpenSSL has no HMAC). The key
 * is copied. */
cc_signer *cc_signer_new(const char *scheme, const char *key);
void cc_signer_free(cc_signer *s);

bool cc_signer_enabled(const cc_signer *s);

/* Hex digest of the four parts into out (at least 129 bytes); "" when unsigned.
 * Thread-safe: no shared mutable state. */
void cc_signer_sign(const cc_signer *s, const cc_blob parts[4], char *out);

/* Constant-time check of sig (hex, siglen bytes) against the parts.
 * Unsigned signer: always true. */
bool cc_signer_verify(const cc_signer *s, const cc_blob parts[4], const char *sig, size_t siglen);

#endif
