/* kernel/proto/connection.c — reads the Jupyter connection file written by the
 * frontend: transport, ip, the five ports, the HMAC key and its scheme, and
 * the optional CurveZMQ key pair (checked by curve.c before anything binds).
 * Every failure is reported as a malloc'd one-paragraph message (the caller
 * frees it) that names the file or field and says what to do. */
#include <stddef.h>   /* connection.h uses size_t without including it */
#include "connection.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "curve.h"

/* Copy an optional string field into dst[dstsz]. Missing → def. Returns -1
 * (with *err set) if present but not a string or too long. */
static int cc_conn_str(json_t *root, const char *name, const char *def,
                       char *dst, size_t dstsz, char **err)
{
    json_t *v = json_object_get(root, name);
    const char *s = def;
    if (v && !json_is_null(v)) {
        if (!json_is_string(v)) {
            cc_set_error(err, "The connection file's \"%s\" field must be a string. "
                         "The file is probably damaged; restart the kernel from "
                         "Jupyter so that a fresh connection file is written.", name);
            return -1;
        }
        s = json_string_value(v);
    }
    if (strlen(s) >= dstsz) {
        cc_set_error(err, "The connection file's \"%s\" field is too long (%zu bytes, "
                     "at most %zu allowed). Use a shorter value.",
                     name, strlen(s), dstsz - 1);
        return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* A required port: an integer or a decimal string, 0..65535. */
static int cc_conn_port(json_t *root, const char *name, int *out, char **err)
{
    json_t *v = json_object_get(root, name);
    long long p = -1;
    if (json_is_integer(v)) {
        p = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        p = strtoll(s, &end, 10);
        if (errno || end == s || *end != '\0')
            p = -1;
    } else if (!v) {
        cc_set_error(err, "The connection file has no \"%s\" field. Every connection "
                     "file needs shell_port, iopub_port, stdin_port, control_port and "
                     "hb_port; restart the kernel from Jupyter so that a complete "
                     "connection file is written.", name);
        return -1;
    }
    if (p < 0 || p > 65535) {
        cc_set_error(err, "The connection file's \"%s\" field is not a valid port "
                     "number (an integer from 0 to 65535 is required). Fix the file "
                     "or restart the kernel from Jupyter.", name);
        return -1;
    }
    *out = (int)p;
    return 0;
}

/* The optional "curve_publickey"/"curve_secretkey" pair (null = absent). */
static int cc_conn_curve(json_t *root, cc_conn *c, char **err)
{
    static const char *const names[2] = {"curve_publickey", "curve_secretkey"};
    const char *val[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(root, names[i]);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_string(v)) {
            cc_set_error(err, "The connection file's \"%s\" field must be a string of "
                         "Z85 text. The file is probably damaged; restart the kernel from "
                         "Jupyter so that a fresh connection file is written.", names[i]);
            return -1;
        }
        val[i] = json_string_value(v);
    }
    if (!val[0] && !val[1])
        return 0;
    if (cc_curve_check(val[0], val[1], c->curve_publickey, c->curve_secretkey, err) < 0)
        return -1;
    c->curve = true;
    return 0;
}

int cc_conn_parse(const char *json_text, cc_conn *c, char **err)
{
    memset(c, 0, sizeof *c);
    if (err)
        *err = NULL;

    json_error_t jerr;
    json_t *root = json_loads(json_text ? json_text : "", 0, &jerr);
    if (!root) {
        cc_set_error(err, "The connection file is not valid JSON (line %d, column %d: "
                     "%s). It is written by Jupyter when it starts a kernel; restart "
                     "the kernel so that a fresh one is written.",
                     jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(root)) {
        cc_set_error(err, "The connection file must hold a JSON object with the "
                     "transport, ip, ports and key. Restart the kernel from Jupyter "
                     "so that a fresh one is written.");
        json_decref(root);
        return -1;
    }

    char key[4096];
    int rc = -1;
    if (cc_conn_str(root, "transport", "tcp", c->transport, sizeof c->transport, err) ||
        cc_conn_str(root, "ip", "127.0.0.1", c->ip, sizeof c->ip, err) ||
        cc_conn_str(root, "signature_scheme", "hmac-sha256",
                    c->signature_scheme, sizeof c->signature_scheme, err) ||
        cc_conn_str(root, "kernel_name", "", c->kernel_name, sizeof c->kernel_name, err) ||
        cc_conn_str(root, "key", "", key, sizeof key, err))
        goto out;

    if (strcmp(c->transport, "tcp") != 0 && strcmp(c->transport, "ipc") != 0) {
        cc_set_error(err, "The connection file asks for transport \"%s\", but only "
                     "\"tcp\" and \"ipc\" are supported. Change the transport in the "
                     "file (or in the frontend's settings) to one of those.",
                     c->transport);
        goto out;
    }
    if (c->ip[0] == '\0') {
        cc_set_error(err, "The connection file's \"ip\" field is empty. Put the "
                     "address to listen on (for example 127.0.0.1) there.");
        goto out;
    }

    if (cc_conn_port(root, "shell_port", &c->shell_port, err) ||
        cc_conn_port(root, "iopub_port", &c->iopub_port, err) ||
        cc_conn_port(root, "stdin_port", &c->stdin_port, err) ||
        cc_conn_port(root, "control_port", &c->control_port, err) ||
        cc_conn_port(root, "hb_port", &c->hb_port, err))
        goto out;
    if (cc_conn_curve(root, c, err) < 0)
        goto out;

    c->key = cc_xstrdup(key);
    rc = 0;
out:
    json_decref(root);
    if (rc != 0)
        cc_conn_clear(c);
    return rc;
}

int cc_conn_load(const char *path, cc_conn *c, char **err)
{
    memset(c, 0, sizeof *c);
    if (err)
        *err = NULL;
    if (!path || !*path) {
        cc_set_error(err, "No connection file was given. Start the kernel as "
                     "\"cudacell -f <connection-file>\"; Jupyter does this for you "
                     "when the kernelspec is installed.");
        return -1;
    }

    FILE *f = fopen(path, "rb");
    if (!f) {
        cc_set_error(err, "Cannot open the connection file %s: %s. Check that the "
                     "path is right and readable; Jupyter writes this file when it "
                     "starts the kernel.", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            text = cc_xrealloc(text, ncap);
            cap = ncap;
        }
        size_t r = fread(text + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0)
            break;
    }
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err) {
        free(text);
        cc_set_error(err, "Cannot read the connection file %s (I/O error). Check the "
                     "file and restart the kernel.", path);
        return -1;
    }
    text[len] = '\0';

    char *perr = NULL;
    int rc = cc_conn_parse(text, c, &perr);
    free(text);
    if (rc != 0) {
        /* Prefix the parse error with the file's name. */
        cc_set_error(err, "%s: %s", path, perr ? perr : "invalid connection file");
        free(perr);
    }
    return rc;
}

void cc_conn_clear(cc_conn *c)
{
    if (!c)
        return;
    free(c->key);
    c->key = NULL;
    explicit_bzero(c->curve_secretkey, sizeof c->curve_secretkey);
    c->curve_publickey[0] = '\0';
    c->curve = false;
}

char *cc_conn_endpoint(const cc_conn *c, int port, char *buf, size_t bufsz)
{
    if (bufsz == 0)
        return buf;
    if (strcmp(c->transport, "ipc") == 0)
        snprintf(buf, bufsz, "ipc://%s-%d", c->ip, port);
    else if (strchr(c->ip, ':') && c->ip[0] != '[')
        snprintf(buf, bufsz, "tcp://[%s]:%d", c->ip, port);   /* IPv6 literal */
    else
        snprintf(buf, bufsz, "tcp://%s:%d", c->ip, port);
    return buf;
}
