/* tests/unit/test_launch_payload.c — launcher mode's pure part: port ranges,
 * response addresses, base64, the --transport-encryption policy, the
 * connection JSON (with and without a CurveZMQ pair, read back by
 * cc_conn_parse), and the version-1 payload decrypted here with the private
 * key (the remote suite decodes it with gateway_provisioners). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <zmq.h>

#include "connection.h"
#include "curve.h"
#include "launch_payload.h"
#include "tap.h"

static void ranges(void)
{
    static const struct { const char *in; int min, rc, lo, hi; } t[] = {
        {"0..0", 1000, 0, 0, 0},
        {"", 1000, 0, 0, 0},
        {"40000..41000", 1000, 0, 40000, 41000},
        {"40000..40500", 1000, -1, 0, 0},     /* smaller than the minimum */
        {"40000..40500", 100, 0, 40000, 40500},
        {"80..2000", 10, -1, 0, 0},           /* below 1024 */
        {"41000..40000", 10, -1, 0, 0},       /* downwards */
        {"40000-41000", 10, -1, 0, 0},
        {"40000..", 10, -1, 0, 0},
        {"a..b", 10, -1, 0, 0},
        {"40000..70000", 10, -1, 0, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int lo = -5, hi = -5;
        char *err = NULL;
        int rc = cc_launch_parse_range(t[i].in, t[i].min, &lo, &hi, &err);
        int ok = rc == t[i].rc && (rc < 0 ? err != NULL && strstr(err, "--port-range") != NULL
                                          : lo == t[i].lo && hi == t[i].hi);
        CHECK(ok, "port range '%s' (min %d) -> %s", t[i].in, t[i].min, t[i].rc ? "error" : "accepted");
        free(err);
    }
}

static void addresses(void)
{
    static const struct { const char *in; int rc; const char *host; int port; } t[] = {
        {"10.0.0.5:8877", 0, "10.0.0.5", 8877},
        {"gateway.example:1", 0, "gateway.example", 1},
        {"[::1]:8877", 0, "::1", 8877},
        {"10.0.0.5", -1, "", 0},
        {":8877", -1, "", 0},
        {"host:0", -1, "", 0},
        {"host:99999", -1, "", 0},
        {"{response_address}", -1, "", 0},   /* a placeholder the server did not fill in */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char host[64] = "";
        int port = -1;
        char *err = NULL;
        int rc = cc_launch_parse_address(t[i].in, host, sizeof host, &port, &err);
        int ok = rc == t[i].rc && (rc < 0 ? err && strstr(err, "HOST:PORT")
                                          : !strcmp(host, t[i].host) && port == t[i].port);
        CHECK(ok, "response address '%s' -> %s", t[i].in, t[i].rc ? "error" : t[i].host);
        free(err);
    }
}

static void base64(void)
{
    static const char *t[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *e = cc_base64_encode((const unsigned char *)t[i], strlen(t[i]));
        size_t n = 99;
        unsigned char *d = i ? cc_base64_decode(e, &n) : NULL;
        CHECK(!strcmp(e, want[i]) && (i == 0 || (n == strlen(t[i]) && !memcmp(d, t[i], n))),
              "base64 of '%s' is '%s' and decodes back", t[i], want[i]);
        free(e);
        free(d);
    }
    size_t n;
    unsigned char *d = cc_base64_decode("Zm9v\nYmFy", &n);
    CHECK(d && n == 6 && !memcmp(d, "foobar", 6), "base64 decoding skips newlines");
    free(d);
    d = cc_base64_decode("Zm9", &n);
    CHECK(d == NULL, "truncated base64 is rejected");
    free(d);
}

/* ---- transport encryption and the connection JSON ---- */

static void encryption_policies(void)
{
    static const struct { const char *in; cc_launch_encryption want; bool unknown; } t[] = {
        {NULL, CC_LAUNCH_CLEAR, false},
        {"", CC_LAUNCH_CLEAR, false},
        {"disabled", CC_LAUNCH_CLEAR, false},
        {"{transport_encryption}", CC_LAUNCH_CLEAR, false},   /* an older server */
        {"auto", CC_LAUNCH_CURVE_AUTO, false},
        {" Auto ", CC_LAUNCH_CURVE_AUTO, false},
        {"required", CC_LAUNCH_CURVE_REQUIRED, false},
        {"REQUIRED", CC_LAUNCH_CURVE_REQUIRED, false},
        {"requird", CC_LAUNCH_CLEAR, true},
        {"curve", CC_LAUNCH_CLEAR, true},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        bool unknown = !t[i].unknown;
        cc_launch_encryption got = cc_launch_parse_encryption(t[i].in, &unknown);
        CHECK(got == t[i].want && unknown == t[i].unknown, "--transport-encryption '%s' -> %d%s",
              t[i].in ? t[i].in : "(absent)", (int)t[i].want, t[i].unknown ? " (warned about)" : "");
    }
}

static cc_launch_conn conn_fields(void)
{
    cc_launch_conn c = {.kernel_id = "kid-1", .ip = "0.0.0.0",
                        .key = "5b2f6c1e-1111-4222-8333-944445555666",
                        .ports = {40001, 40002, 40003, 40004, 40005, 40006},
                        .pid = 1234, .pgid = 1200};
    return c;
}

static void conn_json_clear(void)
{
    cc_launch_conn f = conn_fields();
    char *text = cc_launch_conn_json(&f);
    json_t *j = json_loads(text, 0, NULL);
    CHECK(json_integer_value(json_object_get(j, "comm_port")) == 40006
          && json_integer_value(json_object_get(j, "pgid")) == 1200
          && !strcmp(json_string_value(json_object_get(j, "kernel_id")), "kid-1")
          && !strcmp(json_string_value(json_object_get(j, "signature_scheme")), "hmac-sha256"),
          "the connection JSON has the launcher's fields");
    CHECK(!json_object_get(j, "curve_publickey") && !json_object_get(j, "curve_secretkey"),
          "without a key pair it has no curve keys");
    cc_conn c = {0};
    char *err = NULL;
    CHECK(cc_conn_parse(text, &c, &err) == 0 && !c.curve && c.shell_port == 40001
          && c.hb_port == 40004 && c.control_port == 40005,
          "cc_conn_parse reads it: ports in the launcher's order, no encryption");
    free(err);
    cc_conn_clear(&c);
    json_decref(j);
    free(text);
}

static void conn_json_curve(void)
{
    char pub[CC_CURVE_Z85_LEN + 1], sec[CC_CURVE_Z85_LEN + 1];
    char *err = NULL;
    if (cc_curve_keypair(pub, sec, &err) < 0) {
        CHECK(!zmq_has("curve") && err && strstr(err, "without CURVE"),
              "no CURVE in libzmq: cc_curve_keypair says so");
        free(err);
        return;
    }
    CHECK(strlen(pub) == 40 && strlen(sec) == 40 && strcmp(pub, sec) != 0,
          "cc_curve_keypair makes two 40-character Z85 keys");
    cc_launch_conn f = conn_fields();
    f.curve_publickey = pub;
    f.curve_secretkey = sec;
    char *text = cc_launch_conn_json(&f);
    json_t *j = json_loads(text, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(j, "curve_publickey")), pub,
              "the connection JSON carries curve_publickey");
    CHECK_STR(json_string_value(json_object_get(j, "curve_secretkey")), sec,
              "the connection JSON carries curve_secretkey");
    cc_conn c = {0};
    CHECK(cc_conn_parse(text, &c, &err) == 0 && c.curve && !strcmp(c.curve_publickey, pub)
          && !strcmp(c.curve_secretkey, sec),
          "cc_conn_parse checks the pair and turns CurveZMQ on");
    if (err)
        printf("#   %s\n", err);
    free(err);
    cc_conn_clear(&c);
    json_decref(j);
    free(text);
}

/* ---- the payload, decrypted with the private key ---- */

static EVP_PKEY *keypair(int bits)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    EVP_PKEY *k = NULL;
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits);
    EVP_PKEY_keygen(ctx, &k);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

/* The PEM of k's public half; with headers and newlines or as the gateway
 * passes it (body only). */
static char *public_pem(EVP_PKEY *k, int body_only)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, k);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *out = calloc(1, (size_t)n + 1), *o = out;
    for (long i = 0; i < n; i++)
        *o++ = p[i];
    BIO_free(b);
    if (body_only) {
        char *s = strstr(out, "-----\n") + 6, *e = strstr(out, "-----END");
        o = out;
        for (char *c = s; c < e; c++)
            if (*c != '\n')
                *o++ = *c;
        *o = '\0';
    }
    return out;
}

static char *b64field(json_t *o, const char *name, size_t *n)
{
    return (char *)cc_base64_decode(json_string_value(json_object_get(o, name)), n);
}

/* Undo cc_launch_payload: returns the connection JSON, malloc'd. */
static char *decrypt(EVP_PKEY *k, const char *payload, int *version)
{
    size_t n, kn, cn;
    char *outer = (char *)cc_base64_decode(payload, &n);
    json_t *o = outer ? json_loadb(outer, n, 0, NULL) : NULL;
    free(outer);
    *version = (int)json_integer_value(json_object_get(o, "version"));
    unsigned char *ek = (unsigned char *)b64field(o, "key", &kn);
    unsigned char *ec = (unsigned char *)b64field(o, "conn_info", &cn);
    json_decref(o);
    unsigned char aes[512];
    size_t an = sizeof aes;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
    EVP_PKEY_decrypt_init(ctx);
    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
    int ok = ek && EVP_PKEY_decrypt(ctx, aes, &an, ek, kn) > 0 && an == 16;
    EVP_PKEY_CTX_free(ctx);
    char *text = NULL;
    if (ok && ec) {
        text = calloc(1, cn + 1);
        int l1 = 0, l2 = 0;
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        EVP_DecryptInit_ex(c, EVP_aes_128_ecb(), NULL, aes, NULL);
        if (EVP_DecryptUpdate(c, (unsigned char *)text, &l1, ec, (int)cn) > 0
            && EVP_DecryptFinal_ex(c, (unsigned char *)text + l1, &l2) > 0)
            text[l1 + l2] = '\0';
        else {
            free(text);
            text = NULL;
        }
        EVP_CIPHER_CTX_free(c);
    }
    free(ek);
    free(ec);
    return text;
}

static void payload(int bits, int body_only, const char *conn)
{
    EVP_PKEY *k = keypair(bits);
    char *pem = public_pem(k, body_only);
    char *err = NULL;
    char *p = cc_launch_payload(conn, pem, &err);
    int version = 0;
    char *back = p ? decrypt(k, p, &version) : NULL;
    CHECK(back && version == 1 && !strcmp(back, conn),
          "a %d-bit key%s: the payload is version 1 and decrypts to the connection JSON (%zu bytes)",
          bits, body_only ? " (PEM body only)" : " (full PEM)", strlen(conn));
    if (err)
        printf("#   %s\n", err);
    free(back);
    free(p);
    free(pem);
    free(err);
    EVP_PKEY_free(k);
}

static void bad_keys(void)
{
    static const char *keys[] = {"", "not base64!", "Zm9vYmFy", "{public_key}"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *err = NULL;
        char *p = cc_launch_payload("{}", keys[i], &err);
        CHECK(!p && err && strstr(err, "--public-key is not an RSA public key"),
              "public key '%s' is refused with a message naming --public-key", keys[i]);
        free(p);
        free(err);
    }
}

int main(void)
{
    ranges();
    addresses();
    base64();
    payload(1024, 1, "{\"shell_port\":1,\"kernel_id\":\"k\"}");
    payload(2048, 0, "{\"a\":\"0123456789abcdef\"}");   /* exactly 16+8 bytes: padding block */
    char big[3000];
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"k\":\"", 6);
    memcpy(big + sizeof big - 3, "\"}", 3);
    payload(1024, 1, big);
    bad_keys();
    encryption_policies();
    conn_json_clear();
    conn_json_curve();
    return tap_done();
}
