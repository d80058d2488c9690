/* kernel/proto/launch_payload.c — see launch_payload.h: launcher arguments, the
 * --transport-encryption policy, the connection JSON and the encrypted
 * version-1 connection payload (OpenSSL EVP: RSA PKCS#1 v1.5 for
 * the AES key, AES-128-ECB with PKCS#7 padding for the connection JSON,
 * exactly what gateway_provisioners' response manager undoes). */
#include "launch_payload.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define LP_AES_KEY_BYTES 16

/* ---- arguments ------------------------------------------------------------ */

static int lp_port(const char *s, const char *end, int *out)
{
    if (s == end || end - s > 5)
        return -1;
    int v = 0;
    for (const char *p = s; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

int cc_launch_parse_range(const char *s, int min_size, int *lo, int *hi, char **err)
{
    *lo = *hi = 0;
    if (!s || !*s)
        return 0;
    const char *dots = strstr(s, "..");
    if (!dots || lp_port(s, dots, lo) < 0 || lp_port(dots + 2, dots + 2 + strlen(dots + 2), hi) < 0) {
        cc_set_error(err, "--port-range '%s' is not of the form LOWER..UPPER (for example 40000..41000, "
                "or 0..0 for any free port).", s);
        return -1;
    }
    if (*lo == 0 && *hi == 0)
        return 0;
    if (*lo < 1024 || *hi > 65535 || *lo >= *hi) {
        cc_set_error(err, "--port-range '%s' must run upwards within 1024..65535 (or be 0..0 for any "
                "free port).", s);
        return -1;
    }
    if (*hi - *lo < min_size) {
        cc_set_error(err, "--port-range '%s' holds %d ports; the gateway asks for at least %d "
                "(MIN_PORT_RANGE_SIZE). Widen the range in the server's port_range setting.",
                s, *hi - *lo, min_size);
        return -1;
    }
    return 0;
}

int cc_launch_parse_address(const char *s, char *host, size_t hostsz, int *port, char **err)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    if (!colon || colon == s || (size_t)(colon - s) >= hostsz
        || lp_port(colon + 1, colon + 1 + strlen(colon + 1), port) < 0 || *port < 1 || *port > 65535) {
        cc_set_error(err, "--response-address '%s' is not of the form HOST:PORT; it is the address the "
                "gateway listens on for this kernel's connection info and is filled in by the "
                "kernelspec's {response_address}.", s ? s : "");
        return -1;
    }
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {   /* [v6]:port */
        memmove(host, host + 1, strlen(host) - 2);
        host[strlen(host) - 2] = '\0';
    }
    return 0;
}

/* ---- transport encryption -------------------------------------------------- */

cc_launch_encryption cc_launch_parse_encryption(const char *s, bool *unknown)
{
    *unknown = false;
    if (!s)
        return CC_LAUNCH_CLEAR;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || (s[0] == '{' && s[n - 1] == '}')
        || (n == 8 && !strncasecmp(s, "disabled", 8)))
        return CC_LAUNCH_CLEAR;
    if (n == 4 && !strncasecmp(s, "auto", 4))
        return CC_LAUNCH_CURVE_AUTO;
    if (n == 8 && !strncasecmp(s, "required", 8))
        return CC_LAUNCH_CURVE_REQUIRED;
    *unknown = true;
    return CC_LAUNCH_CLEAR;
}

/* ---- connection info --------------------------------------------------------- */

/* Overwrite a string member in place before the object is freed. */
static void lp_wipe_member(json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    char *p = json_is_string(v) ? (char *)json_string_value(v) : NULL;
    if (p)
        OPENSSL_cleanse(p, json_string_length(v));
}

char *cc_launch_conn_json(const cc_launch_conn *c)
{
    const int *p = c->ports;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:s}",
                          "transport", "tcp", "ip", c->ip, "key", c->key,
                          "signature_scheme", "hmac-sha256", "kernel_name", "",
                          "shell_port", p[0], "iopub_port", p[1], "stdin_port", p[2],
                          "hb_port", p[3], "control_port", p[4], "comm_port", p[5],
                          "pid", (json_int_t)c->pid, "pgid", (json_int_t)c->pgid,
                          "kernel_id", c->kernel_id);
    if (!j)
        abort();
    if (c->curve_publickey && c->curve_secretkey
        && (json_object_set_new(j, "curve_publickey", json_string(c->curve_publickey)) < 0
            || json_object_set_new(j, "curve_secretkey", json_string(c->curve_secretkey)) < 0))
        abort();
    char *text = json_dumps(j, JSON_COMPACT);
    lp_wipe_member(j, "key");
    lp_wipe_member(j, "curve_secretkey");
    json_decref(j);
    if (!text)
        abort();
    return text;
}

/* ---- base64 ---------------------------------------------------------------- */

char *cc_base64_encode(const unsigned char *p, size_t n)
{
    char *out = cc_xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

unsigned char *cc_base64_decode(const char *s, size_t *n)
{
    size_t len = strlen(s), k = 0, pad = 0;
    char *clean = cc_xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            clean[k++] = s[i];
    clean[k] = '\0';
    if (k == 0 || k % 4) {
        free(clean);
        return NULL;
    }
    pad = (clean[k - 1] == '=') + (clean[k - 2] == '=');
    unsigned char *out = cc_xmalloc(k / 4 * 3);
    int got = EVP_DecodeBlock(out, (unsigned char *)clean, (int)k);
    free(clean);
    if (got < 0) {
        free(out);
        return NULL;
    }
    *n = (size_t)got - pad;
    return out;
}

/* ---- the server's key --------------------------------------------------------- */

/* The base64 DER inside a PEM, or the text itself when it has no header. */
static char *lp_pem_body(const char *text)
{
    const char *b = strstr(text, "-----BEGIN");
    if (!b)
        return cc_xstrdup(text);
    b = strstr(b + 10, "-----");
    const char *e = b ? strstr(b + 5, "-----END") : NULL;
    if (!e)
        return cc_xstrdup("");
    return cc_xstrndup(b + 5, (size_t)(e - b - 5));
}

static EVP_PKEY *lp_public_key(const char *text, char **err)
{
    char *body = lp_pem_body(text);
    size_t n = 0;
    unsigned char *der = cc_base64_decode(body, &n);
    free(body);
    EVP_PKEY *key = NULL;
    if (der) {
        const unsigned char *p = der;
        key = d2i_PUBKEY(NULL, &p, (long)n);                    /* SubjectPublicKeyInfo */
        if (!key) {
            p = der;
            key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n); /* bare PKCS#1 RSAPublicKey */
        }
        free(der);
    }
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        cc_set_error(err, "--public-key is not an RSA public key (expected the base64 body of a PEM "
                "'PUBLIC KEY', as the gateway's {public_key} placeholder supplies). The kernel "
                "cannot send its connection info back and stops; check the kernelspec's argv.");
        return NULL;
    }
    return key;
}

/* ---- encryption -------------------------------------------------------------- */

static char *lp_rsa_encrypt_b64(EVP_PKEY *key, const unsigned char *in, size_t n, char **err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    unsigned char *out = NULL;
    size_t outn = 0;
    char *b64 = NULL;
    if (!ctx || EVP_PKEY_encrypt_init(ctx) <= 0
        || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0
        || EVP_PKEY_encrypt(ctx, NULL, &outn, in, n) <= 0)
        goto done;
    out = cc_xmalloc(outn);
    if (EVP_PKEY_encrypt(ctx, out, &outn, in, n) <= 0)
        goto done;
    b64 = cc_base64_encode(out, outn);
done:
    if (!b64)
        cc_set_error(err, "encrypting the session key with the gateway's public key failed (is the "
                "key too small for RSA PKCS#1 v1.5?).");
    free(out);
    EVP_PKEY_CTX_free(ctx);
    return b64;
}

static char *lp_aes_encrypt_b64(const unsigned char key[LP_AES_KEY_BYTES], const char *text, char **err)
{
    size_t n = strlen(text);
    unsigned char *out = cc_xmalloc(n + LP_AES_KEY_BYTES);
    int l1 = 0, l2 = 0;
    char *b64 = NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) > 0   /* PKCS#7 padding is on */
        && EVP_EncryptUpdate(ctx, out, &l1, (const unsigned char *)text, (int)n) > 0
        && EVP_EncryptFinal_ex(ctx, out + l1, &l2) > 0)
        b64 = cc_base64_encode(out, (size_t)(l1 + l2));
    else
        cc_set_error(err, "encrypting the connection info (AES-128) failed.");
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(out, n + LP_AES_KEY_BYTES);
    free(out);
    return b64;
}

char *cc_launch_payload(const char *conn_json, const char *public_key, char **err)
{
    unsigned char aes[LP_AES_KEY_BYTES];
    char *payload = NULL, *k64 = NULL, *c64 = NULL, *text = NULL;
    json_t *o = NULL;
    EVP_PKEY *key = lp_public_key(public_key ? public_key : "", err);
    if (!key)
        return NULL;
    if (RAND_bytes(aes, sizeof aes) != 1) {
        cc_set_error(err, "no random bytes for the session key (OpenSSL RAND_bytes failed).");
        goto done;
    }
    if (!(k64 = lp_rsa_encrypt_b64(key, aes, sizeof aes, err))
        || !(c64 = lp_aes_encrypt_b64(aes, conn_json, err)))
        goto done;
    o = json_pack("{s:i, s:s, s:s}", "version", CC_LAUNCH_PAYLOAD_VERSION,
                          "key", k64, "conn_info", c64);
    text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        abort();
    payload = cc_base64_encode((const unsigned char *)text, strlen(text));
done:
    OPENSSL_cleanse(aes, sizeof aes);
    free(text);
    free(k64);
    free(c64);
    EVP_PKEY_free(key);
    return payload;
}
