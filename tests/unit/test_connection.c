/* tests/unit/test_connection.c — connection file parsing, endpoints, errors. */
#include <stddef.h>   /* connection.h uses size_t */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int main(void)
{
    parse_good();
    parse_variants();
    parse_errors();
    load_files();
    return tap_done();
}
