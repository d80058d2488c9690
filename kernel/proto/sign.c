/* kernel/proto/sign.c — HMAC signatures of Jupyter messages (OpenSSL EVP_MAC).
 * A cc_signer is immutable after cc_signer_new: the fetched EVP_MAC and the
 * key are only read, and every sign/verify builds its own EVP_MAC_CTX, so
 * any number of threads may sign and verify with one signer at once. */
#include "sign.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

struct cc_signer {
    EVP_MAC *mac;         /* owned; NULL when unsigned */
    char digest[16];      /* OpenSSL digest name, e.g. "SHA256" */
    unsigned char *key;   /* owned copy */
    size_t key_len;
};

/* Map "hmac-sha256" etc. to an OpenSSL digest name; NULL if unknown. */
static const char *cc_sign_digest_name(const char *scheme)
{
    static const struct { const char *scheme, *digest; } map[] = {
        { "hmac-sha1", "SHA1" },     { "hmac-sha224", "SHA224" },
        { "hmac-sha256", "SHA256" }, { "hmac-sha384", "SHA384" },
        { "hmac-sha512", "SHA512" },
    };
    if (!scheme || !*scheme)
        return "SHA256";          /* Jupyter's default scheme */
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(scheme, map[i].scheme) == 0)
            return map[i].digest;
    return NULL;
}

cc_signer *cc_signer_new(const char *scheme, const char *key)
{
    const char *digest = cc_sign_digest_name(scheme);
    if (!digest)
        return NULL;
    cc_signer *s = cc_xcalloc(1, sizeof *s);
    snprintf(s->digest, sizeof s->digest, "%s", digest);
    if (!key || !*key)
        return s;                 /* unsigned */

    s->key_len = strlen(key);
    s->key = cc_xmalloc(s->key_len);
    s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!s->mac) {
        cc_signer_free(s);
        return NULL;
    }
    memcpy(s->key, key, s->key_len);
    return s;
}

void cc_signer_free(cc_signer *s)
{
    if (!s)
        return;
    EVP_MAC_free(s->mac);
    if (s->key) {
        OPENSSL_cleanse(s->key, s->key_len);
        free(s->key);
    }
    free(s);
}

bool cc_signer_enabled(const cc_signer *s)
{
    return s && s->mac;
}

/* Raw MAC of the four parts into md[EVP_MAX_MD_SIZE]; returns its length,
 * 0 on failure. */
static size_t cc_sign_raw(const cc_signer *s, const cc_blob parts[4], unsigned char *md)
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(s->mac);
    if (!ctx)
        return 0;
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)s->digest, 0),
        OSSL_PARAM_construct_end(),
    };
    size_t out_len = 0;
    int ok = EVP_MAC_init(ctx, s->key, s->key_len, params);
    for (int i = 0; ok && i < 4; i++)
        if (parts[i].len)
            ok = EVP_MAC_update(ctx, (const unsigned char *)parts[i].data, parts[i].len);
    if (ok)
        ok = EVP_MAC_final(ctx, md, &out_len, EVP_MAX_MD_SIZE);
    EVP_MAC_CTX_free(ctx);
    return ok ? out_len : 0;
}

void cc_signer_sign(const cc_signer *s, const cc_blob parts[4], char *out)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\0';
    if (!cc_signer_enabled(s))
        return;
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t n = cc_sign_raw(s, parts, md);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * n] = '\0';
    OPENSSL_cleanse(md, sizeof md);
}

bool cc_signer_verify(const cc_signer *s, const cc_blob parts[4], const char *sig, size_t siglen)
{
    if (!cc_signer_enabled(s))
        return true;
    char want[2 * EVP_MAX_MD_SIZE + 1];
    cc_signer_sign(s, parts, want);
    size_t want_len = strlen(want);
    if (want_len == 0 || siglen != want_len || !sig)
        return false;
    return CRYPTO_memcmp(want, sig, want_len) == 0;
}
