/* tests/unit/test_sign.c — HMAC signing (RFC 4231 / RFC 2202 vectors through
 * cc_signer_sign), constant-time verification, unsigned mode, threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "tap.h"

/* Sign `data` split into four parts at a, b, c (the signer must MAC the
 * concatenation of header, parent, metadata, content). */
static void sign_split(const cc_signer *s, const char *data, size_t len,
                       size_t a, size_t b, size_t c, char *out)
{
    cc_blob parts[4] = {
        { (char *)data, a }, { (char *)data + a, b - a },
        { (char *)data + b, c - b }, { (char *)data + c, len - c },
    };
    cc_signer_sign(s, parts, out);
}

static char *repeat(int byte, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, byte, n);
    s[n] = '\0';
    return s;
}

struct vec { const char *key; const char *data; size_t data_len; const char *want; };

static void rfc4231(void)
{
    char *k1 = repeat(0x0b, 20), *k3 = repeat(0xaa, 20), *k6 = repeat(0xaa, 131);
    char *d3 = repeat(0xdd, 50), *d4 = repeat(0xcd, 50);
    char k4[26];
    for (int i = 0; i < 25; i++)
        k4[i] = (char)(i + 1);
    k4[25] = '\0';
    const char *d7 = "This is a test using a larger than block-size key and a larger "
                     "than block-size data. The key needs to be hashed before being "
                     "used by the HMAC algorithm.";
    const struct vec v[] = {
        { k1, "Hi There", 8,
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { "Jefe", "what do ya want for nothing?", 28,
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { k3, d3, 50,
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { k4, d4, 50,
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
        { k6, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { k6, d7, strlen(d7),
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
    };
    const int case_no[] = { 1, 2, 3, 4, 6, 7 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        cc_signer *s = cc_signer_new("hmac-sha256", v[i].key);
        char out[129];
        size_t n = v[i].data_len;
        sign_split(s, v[i].data, n, 0, n / 3, n / 2, out);
        CHECK_STR(out, v[i].want, "RFC 4231 case %d, HMAC-SHA256, data split in 4 parts", case_no[i]);
        cc_blob whole[4] = { { (char *)v[i].data, n }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
        CHECK(cc_signer_verify(s, whole, v[i].want, 64),
              "RFC 4231 case %d verifies with the data in one part", case_no[i]);
        cc_signer_free(s);
    }
    free(k1); free(k3); free(k6); free(d3); free(d4);
}

static void other_schemes(void)
{
    const char *data = "what do ya want for nothing?";
    const struct { const char *scheme, *want; } v[] = {
        { "hmac-sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
        { "hmac-sha384", "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47"
                         "e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649" },
        { "hmac-sha512", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                         "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
    };
    for (size_t i = 0; i < 3; i++) {
        cc_signer *s = cc_signer_new(v[i].scheme, "Jefe");
        char out[129];
        sign_split(s, data, 28, 4, 10, 20, out);
        CHECK_STR(out, v[i].want, "%s of the RFC 'Jefe' vector", v[i].scheme);
        cc_signer_free(s);
    }
    CHECK(cc_signer_new("hmac-md5", "k") == NULL, "unknown scheme hmac-md5 is refused");
    CHECK(cc_signer_new("rsa", "") == NULL, "unknown scheme refused even without a key");
}

static void verify(void)
{
    cc_signer *s = cc_signer_new("hmac-sha256", "a secret key");
    CHECK(cc_signer_enabled(s), "a signer with a key is enabled");
    cc_blob parts[4] = {
        { "{\"msg_id\":\"1\"}", 14 }, { "{}", 2 }, { "{}", 2 }, { "{\"code\":\"x\"}", 12 },
    };
    char sig[129];
    cc_signer_sign(s, parts, sig);
    CHECK(strlen(sig) == 64, "sha256 digest is 64 hex chars");
    int lower = 1;
    for (const char *p = sig; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            lower = 0;
    CHECK(lower, "digest is lowercase hex");
    CHECK(cc_signer_verify(s, parts, sig, 64), "verify accepts the right signature");

    int flips_rejected = 1;
    for (size_t i = 0; i < 64; i++)
        for (int bit = 0; bit < 8; bit++) {
            char bad[129];
            memcpy(bad, sig, 65);
            bad[i] ^= (char)(1 << bit);
            if (cc_signer_verify(s, parts, bad, 64))
                flips_rejected = 0;
        }
    CHECK(flips_rejected, "every one-bit flip of the signature is rejected (512 flips)");

    CHECK(!cc_signer_verify(s, parts, sig, 63), "a signature one char short is rejected");
    char longer[130];
    memcpy(longer, sig, 64);
    longer[64] = '0';
    longer[65] = '\0';
    CHECK(!cc_signer_verify(s, parts, longer, 65), "a signature one char long is rejected");
    CHECK(!cc_signer_verify(s, parts, "", 0), "an empty signature is rejected");

    char upper[129];
    for (int i = 0; i < 65; i++)
        upper[i] = (sig[i] >= 'a' && sig[i] <= 'f') ? (char)(sig[i] - 32) : sig[i];
    CHECK(strcmp(upper, sig) == 0 || !cc_signer_verify(s, parts, upper, 64),
          "uppercase hex is not the same signature");

    cc_blob changed[4] = { parts[0], parts[1], parts[2], { "{\"code\":\"y\"}", 12 } };
    CHECK(!cc_signer_verify(s, changed, sig, 64), "changed content fails verification");
    cc_blob moved[4] = { { "{\"msg_id\":\"1\"}{}", 16 }, { "", 0 }, parts[2], parts[3] };
    CHECK(cc_signer_verify(s, moved, sig, 64),
          "the MAC covers the concatenation of the four parts");

    cc_signer *other = cc_signer_new("hmac-sha256", "another key");
    CHECK(!cc_signer_verify(other, parts, sig, 64), "a different key fails verification");
    cc_signer_free(other);
    cc_signer_free(s);
}

static void unsigned_mode(void)
{
    cc_signer *s = cc_signer_new("hmac-sha256", "");
    CHECK(s != NULL && !cc_signer_enabled(s), "empty key gives an unsigned signer");
    cc_blob parts[4] = { { "{}", 2 }, { "{}", 2 }, { "{}", 2 }, { "{}", 2 } };
    char out[129] = "junk";
    cc_signer_sign(s, parts, out);
    CHECK_STR(out, "", "unsigned signer signs as empty string");
    CHECK(cc_signer_verify(s, parts, "", 0), "unsigned signer accepts an empty signature");
    CHECK(cc_signer_verify(s, parts, "deadbeef", 8), "unsigned signer accepts any signature");
    cc_signer_free(s);
    s = cc_signer_new("hmac-sha256", NULL);
    CHECK(s != NULL && !cc_signer_enabled(s), "NULL key gives an unsigned signer");
    cc_signer_free(s);
    CHECK(!cc_signer_enabled(NULL), "NULL signer counts as unsigned");
}

/* ---- threads: one signer used by several threads at once ---- */
static cc_signer *shared;
static char expected[129];

static void *sign_many(void *arg)
{
    (void)arg;
    cc_blob parts[4] = { { "{\"a\":1}", 7 }, { "{}", 2 }, { "{}", 2 }, { "{\"b\":2}", 7 } };
    for (int i = 0; i < 2000; i++) {
        char out[129];
        cc_signer_sign(shared, parts, out);
        if (strcmp(out, expected) != 0 || !cc_signer_verify(shared, parts, out, 64))
            return (void *)1;
    }
    return NULL;
}

static void threads(void)
{
    shared = cc_signer_new("hmac-sha256", "shared key");
    cc_blob parts[4] = { { "{\"a\":1}", 7 }, { "{}", 2 }, { "{}", 2 }, { "{\"b\":2}", 7 } };
    cc_signer_sign(shared, parts, expected);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, sign_many, NULL);
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        if (r)
            bad = 1;
    }
    CHECK(!bad, "4 threads signing/verifying with one signer agree (8000 signatures)");
    cc_signer_free(shared);
}

int main(void)
{
    rfc4231();
    other_schemes();
    verify();
    unsigned_mode();
    threads();
    return tap_done();
}
