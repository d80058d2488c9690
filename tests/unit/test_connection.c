/* tests/unit/test_connection.c — connection file parsing, endpoints, errors,
 * and the CurveZMQ key pair (curve.c). */
#include <stddef.h>   /* connection.h uses size_t */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "connection.h"
#include "tap.h"

static const char *good =
    "{\"shell_port\": 50001, \"iopub_port\": 50002, \"stdin_port\": 50003,"
    " \"control_port\": 50004, \"hb_port\": 50005, \"ip\": \"127.0.0.1\","
    " \"key\": \"a0436f6c-1916-498b-8eb9-e81ab9368e84\", \"transport\": \"tcp\","
    " \"signature_scheme\": \"hmac-sha256\", \"kernel_name\": \"cudacell\"}";

/* Note: CHECK evaluates its condition twice, so calls with side effects
 * are made first and only their results are checked. */

/* Parse text expecting failure; the error must mention `needle`. */
static void expect_fail(const char *text, const char *needle, const char *what)
{
    cc_conn c;
    char *err = NULL;
    int rc = cc_conn_parse(text, &c, &err);
    CHECK(rc == -1 && err && strstr(err, needle) && c.key == NULL,
          "%s is rejected with a message naming '%s'", what, needle);
    if (err && !strstr(err, needle))
        printf("#   message: %s\n", err);
    free(err);
}

static void parse_good(void)
{
    cc_conn c;
    char *err = NULL;
    int rc = cc_conn_parse(good, &c, &err);
    CHECK(rc == 0 && err == NULL, "a typical connection file parses");
    CHECK_STR(c.transport, "tcp", "transport");
    CHECK_STR(c.ip, "127.0.0.1", "ip");
    CHECK(c.shell_port == 50001 && c.iopub_port == 50002 && c.stdin_port == 50003 &&
          c.control_port == 50004 && c.hb_port == 50005, "all five ports");
    CHECK_STR(c.key, "a0436f6c-1916-498b-8eb9-e81ab9368e84", "key");
    CHECK_STR(c.signature_scheme, "hmac-sha256", "signature_scheme");
    CHECK_STR(c.kernel_name, "cudacell", "kernel_name");
    char buf[300];
    CHECK_STR(cc_conn_endpoint(&c, c.shell_port, buf, sizeof buf), "tcp://127.0.0.1:50001",
              "tcp endpoint");
    cc_conn_clear(&c);
    CHECK(c.key == NULL, "clear frees and forgets the key");
    cc_conn_clear(&c);   /* twice is harmless */
}

static void parse_variants(void)
{
    cc_conn c;
    char *err = NULL;
    const char *ipc =
        "{\"transport\":\"ipc\",\"ip\":\"/tmp/kernel-abc\",\"shell_port\":\"1\","
        "\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5,\"key\":\"\"}";
    int rc = cc_conn_parse(ipc, &c, &err);
    CHECK(rc == 0, "ipc transport with a string port parses");
    CHECK(c.shell_port == 1, "port given as a string is converted");
    char buf[300];
    CHECK_STR(cc_conn_endpoint(&c, c.iopub_port, buf, sizeof buf), "ipc:///tmp/kernel-abc-2",
              "ipc endpoint is ipc://<ip>-<port>");
    CHECK_STR(c.key, "", "empty key kept as \"\" (unsigned)");
    CHECK_STR(c.kernel_name, "", "missing kernel_name is \"\"");
    CHECK_STR(c.signature_scheme, "hmac-sha256", "missing scheme defaults to hmac-sha256");
    cc_conn_clear(&c);

    const char *minimal = "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,"
                          "\"control_port\":4,\"hb_port\":0}";
    rc = cc_conn_parse(minimal, &c, &err);
    CHECK(rc == 0, "missing ip/transport/key take defaults");
    CHECK(strcmp(c.transport, "tcp") == 0 && strcmp(c.ip, "127.0.0.1") == 0 && c.key &&
          c.key[0] == '\0' && c.hb_port == 0, "defaults are tcp, 127.0.0.1, empty key");
    cc_conn_clear(&c);

    const char *v6 = "{\"ip\":\"::1\",\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,"
                     "\"control_port\":4,\"hb_port\":5}";
    rc = cc_conn_parse(v6, &c, &err);
    CHECK(rc == 0, "IPv6 address parses");
    CHECK_STR(cc_conn_endpoint(&c, 7, buf, sizeof buf), "tcp://[::1]:7",
              "IPv6 endpoint gets brackets");
    cc_conn_clear(&c);
}

static void parse_errors(void)
{
    expect_fail("{\"shell_port\": 1,", "not valid JSON", "truncated JSON");
    expect_fail("[1,2]", "JSON object", "a JSON array");
    expect_fail("{\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,\"hb_port\":5}",
                "shell_port", "a missing shell_port");
    expect_fail("{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4}",
                "hb_port", "a missing hb_port");
    expect_fail("{\"shell_port\":70000,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,"
                "\"hb_port\":5}", "shell_port", "an out-of-range port");
    expect_fail("{\"shell_port\":\"12x\",\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,"
                "\"hb_port\":5}", "valid port", "a non-numeric port string");
    expect_fail("{\"shell_port\":1.5,\"iopub_port\":2,\"stdin_port\":3,\"control_port\":4,"
                "\"hb_port\":5}", "shell_port", "a fractional port");
    expect_fail("{\"transport\":\"udp\",\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,"
                "\"control_port\":4,\"hb_port\":5}", "udp", "an unsupported transport");
    expect_fail("{\"key\":42,\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,"
                "\"control_port\":4,\"hb_port\":5}", "\"key\"", "a non-string key");
    expect_fail("", "not valid JSON", "an empty file");
}

static void load_files(void)
{
    cc_conn c;
    char *err = NULL;
    int rc = cc_conn_load("/nonexistent/dir/kernel-x.json", &c, &err);
    CHECK(rc == -1 && err &&
          strstr(err, "/nonexistent/dir/kernel-x.json") && strstr(err, "No such file"),
          "a missing file names the path and the reason");
    free(err);
    err = NULL;
    rc = cc_conn_load(NULL, &c, &err);
    CHECK(rc == -1 && err && strstr(err, "-f"),
          "no path at all explains how to start the kernel");
    free(err);

    char path[] = "/tmp/cc-test-conn-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs(good, f);
    fclose(f);
    err = NULL;
    rc = cc_conn_load(path, &c, &err);
    CHECK(rc == 0 && c.hb_port == 50005 && err == NULL,
          "a file on disk loads");
    cc_conn_clear(&c);

    f = fopen(path, "w");
    fputs("{not json", f);
    fclose(f);
    rc = cc_conn_load(path, &c, &err);
    CHECK(rc == -1 && err && strstr(err, path) &&
          strstr(err, "not valid JSON"), "bad JSON on disk names the file");
    free(err);
    unlink(path);
}

/* A connection file with the five ports and the given extra fields. */
static char *with_fields(const char *fields)
{
    char *text = NULL;
    if (asprintf(&text, "{\"shell_port\":1,\"iopub_port\":2,\"stdin_port\":3,"
                 "\"control_port\":4,\"hb_port\":5%s}", fields) < 0)
        abort();
    return text;
}

/* The pair as connection-file fields; NULL leaves a field out. */
static char *with_keys(const char *pub, const char *sec)
{
    char fields[256] = "";
    size_t n = 0;
    if (pub)
        n += (size_t)snprintf(fields + n, sizeof fields - n, ",\"curve_publickey\":\"%s\"", pub);
    if (sec)
        snprintf(fields + n, sizeof fields - n, ",\"curve_secretkey\":\"%s\"", sec);
    return with_fields(fields);
}

/* Keys expected to be refused: the message names `needle`, never quotes
 * the secret key, and nothing of the pair is kept. */
static void expect_curve_fail(const char *pub, const char *sec, const char *needle, const char *what)
{
    char *text = with_keys(pub, sec);
    cc_conn c;
    char *err = NULL;
    int rc = cc_conn_parse(text, &c, &err);
    CHECK(rc == -1 && err && strstr(err, needle), "%s is refused, naming '%s'", what, needle);
    if (err && !strstr(err, needle))
        printf("#   message: %s\n", err);
    CHECK(!err || !sec || !*sec || !strstr(err, sec), "%s: the message does not quote the secret key", what);
    CHECK(!c.curve && c.curve_secretkey[0] == '\0', "%s: no key is kept", what);
    free(err);
    free(text);
}

static void curve_keys(void)
{
    char pub[41], sec[41], pub2[41], sec2[41];
    int r1 = zmq_curve_keypair(pub, sec), r2 = zmq_curve_keypair(pub2, sec2);
    if (r1 != 0 || r2 != 0 || !zmq_has("curve")) {
        printf("ok %d # SKIP libzmq built without CURVE\n", ++tap_n);
        return;
    }
    cc_conn c;
    char *err = NULL;
    char *text = with_keys(pub, sec);
    int rc = cc_conn_parse(text, &c, &err);
    CHECK(rc == 0 && err == NULL && c.curve, "a connection file with a CurveZMQ pair parses, encryption on");
    if (err)
        printf("#   message: %s\n", err);
    CHECK_STR(c.curve_publickey, pub, "curve_publickey kept");
    CHECK_STR(c.curve_secretkey, sec, "curve_secretkey kept");
    cc_conn_clear(&c);
    static const char zero[41];
    CHECK(!c.curve && memcmp(c.curve_secretkey, zero, sizeof zero) == 0,
          "clear wipes the secret key");
    free(text);

    text = with_fields(",\"curve_publickey\":null,\"curve_secretkey\":null");
    rc = cc_conn_parse(text, &c, &err);
    CHECK(rc == 0 && !c.curve && c.curve_publickey[0] == '\0', "null keys: no encryption");
    cc_conn_clear(&c);
    free(text);
    text = with_keys(NULL, NULL);
    rc = cc_conn_parse(text, &c, &err);
    CHECK(rc == 0 && !c.curve, "no keys: no encryption (plain connection files still work)");
    cc_conn_clear(&c);
    free(text);

    expect_curve_fail(pub, NULL, "no \"curve_secretkey\"", "a public key alone");
    expect_curve_fail(NULL, sec, "no \"curve_publickey\"", "a secret key alone");
    char shorter[41];
    memcpy(shorter, sec, 41);
    shorter[39] = '\0';
    expect_curve_fail(pub, shorter, "40 characters of Z85 text and it has 39", "a 39-character secret key");
    expect_curve_fail(pub, "", "it has 0", "an empty secret key");
    expect_curve_fail("", sec, "\"curve_publickey\" is not a CurveZMQ key", "an empty public key");
    char badchar[41];
    memcpy(badchar, pub, 41);
    badchar[4] = '_';
    expect_curve_fail(badchar, sec, "character 5 is not", "a public key with a non-Z85 character");
    expect_curve_fail(pub, "########################################", "larger than 32 bits",
                      "Z85 text whose groups overflow");
    expect_curve_fail(pub, sec2, "does not belong", "a secret key of another pair");
    expect_curve_fail(pub2, sec, "does not belong", "a public key of another pair");

    text = with_fields(",\"curve_publickey\":42,\"curve_secretkey\":\"x\"");
    rc = cc_conn_parse(text, &c, &err);
    CHECK(rc == -1 && err && strstr(err, "\"curve_publickey\" field must be a string"),
          "a non-string key is refused");
    free(err);
    free(text);
}

int main(void)
{
    parse_good();
    parse_variants();
    parse_errors();
    load_files();
    curve_keys();
    return tap_done();
}
