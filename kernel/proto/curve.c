/* kernel/proto/curve.c — CurveZMQ transport encryption. jupyter_client (8.9 and
 * newer, with transport_encryption "auto" or "required") puts a key pair in
 * the connection file as Z85 text, "curve_publickey" and "curve_secretkey";
 * its clients use that public key as the server key. This file checks the
 * pair before anything binds (a bad pair stops the kernel: it never falls
 * back to clear text) and makes each socket a CURVE server. In launcher mode
 * (launcher.c) the kernel makes its own pair, as gateway_provisioners'
 * launchers do. Messages never quote the secret key. */
#include "curve.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static const char cc_z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* What to do about any bad key pair, appended to every message below. */
#define CC_CURVE_WHAT_TO_DO \
    " The kernel does not start unencrypted when keys are given. Restart the " \
    "kernel from Jupyter so that fresh keys are written (jupyter_client 8.9 or " \
    "newer writes them), or remove both curve_publickey and curve_secretkey " \
    "from the connection file to run without transport encryption."

/* One key's text: 40 Z85 characters that decode. */
static int cc_curve_key_ok(const char *name, const char *z85, char **err)
{
    size_t n = strlen(z85);
    if (n != CC_CURVE_Z85_LEN) {
        cc_set_error(err, "The connection file's \"%s\" is not a CurveZMQ key: it must "
                      "be %d characters of Z85 text and it has %zu."
                      CC_CURVE_WHAT_TO_DO, name, CC_CURVE_Z85_LEN, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strchr(cc_z85_chars, z85[i])) {
            cc_set_error(err, "The connection file's \"%s\" is not a CurveZMQ key: "
                          "character %zu is not one of the 85 characters of Z85 text."
                          CC_CURVE_WHAT_TO_DO, name, i + 1);
            return -1;
        }
    }
    uint8_t raw[32];
    if (!zmq_z85_decode(raw, z85)) {
        cc_set_error(err, "The connection file's \"%s\" is not valid Z85 text (a group "
                      "of 5 characters stands for a number larger than 32 bits)."
                      CC_CURVE_WHAT_TO_DO, name);
        return -1;
    }
    memset(raw, 0, sizeof raw);
    return 0;
}

int cc_curve_check(const char *pub, const char *sec, char *pub_out, char *sec_out, char **err)
{
    if (err)
        *err = NULL;
    if (!pub || !sec) {
        cc_set_error(err, "The connection file has \"%s\" but no \"%s\"; CurveZMQ "
                      "transport encryption needs both."
                      CC_CURVE_WHAT_TO_DO,
                      pub ? "curve_publickey" : "curve_secretkey",
                      pub ? "curve_secretkey" : "curve_publickey");
        return -1;
    }
    if (cc_curve_key_ok("curve_publickey", pub, err) < 0 ||
        cc_curve_key_ok("curve_secretkey", sec, err) < 0)
        return -1;
    if (!zmq_has("curve")) {
        cc_set_error(err, "The connection file asks for CurveZMQ transport encryption, "
                      "but the libzmq this kernel runs with was built without CURVE "
                      "(zmq_has(\"curve\") is false). Install a libzmq built with "
                      "libsodium (Debian and Ubuntu's libzmq5 is), or start the kernel "
                      "with transport_encryption = \"disabled\" in the client.");
        return -1;
    }
    char derived[CC_CURVE_Z85_LEN + 1];
    if (zmq_curve_public(derived, sec) != 0 || strcmp(derived, pub) != 0) {
        cc_set_error(err, "The connection file's \"curve_secretkey\" does not belong to "
                      "its \"curve_publickey\": clients would encrypt to a key this "
                      "kernel cannot decrypt." CC_CURVE_WHAT_TO_DO);
        return -1;
    }
    memcpy(pub_out, pub, CC_CURVE_Z85_LEN + 1);
    memcpy(sec_out, sec, CC_CURVE_Z85_LEN + 1);
    return 0;
}

int cc_curve_make_server(void *s, const char *pub_z85, const char *sec_z85)
{
    int on = 1;
    /* A 40-byte key option value is taken as Z85 text. */
    if (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &on, sizeof on) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub_z85, CC_CURVE_Z85_LEN) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec_z85, CC_CURVE_Z85_LEN) != 0)
        return -1;
    return 0;
}

int cc_curve_keypair(char *pub_out, char *sec_out, char **err)
{
    if (err)
        *err = NULL;
    if (!zmq_has("curve")) {
        cc_set_error(err, "the libzmq this kernel runs with was built without CURVE "
                      "(zmq_has(\"curve\") is false), so it cannot make CurveZMQ keys. "
                      "Install a libzmq built with libsodium (Debian and Ubuntu's libzmq5 "
                      "is) on the kernel's host or in its image.");
        return -1;
    }
    if (zmq_curve_keypair(pub_out, sec_out) != 0) {
        cc_set_error(err, "libzmq could not make a CurveZMQ key pair (%s).",
                      zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}
