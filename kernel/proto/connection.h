/* kernel/proto/connection.h — the Jupyter connection file: transport, ip, five ports, key, scheme,
 * and the optional CurveZMQ key pair. */
#ifndef CC_CONNECTION_H
#define CC_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cc_conn {
    char transport[8];          /* "tcp" or "ipc" */
    char ip[256];               /* tcp: address; ipc: path prefix */
    int shell_port, iopub_port, stdin_port, control_port, hb_port;
    char signature_scheme[32];  /* e.g. "hmac-sha256" */
    char *key;                  /* owned, may be "" */
    char kernel_name[128];      /* may be "" */
    bool curve;                 /* CurveZMQ transport encryption (both keys given) */
    char curve_publickey[41];   /* Z85, checked (curve.h); "" without curve */
    char curve_secretkey[41];   /* Z85; wiped by cc_conn_clear */
} cc_conn;

/* Parse the file at path. On failure returns -1 and sets *err to a malloc'd
 * message (caller frees). On success the caller calls cc_conn_clear(). */
int cc_conn_load(const char *path, cc_conn *c, char **err);

/* Same, from a JSON text (used by tests). */
int cc_conn_parse(const char *json_text, cc_conn *c, char **err);

/* Frees the key and wipes both key strings. */
void cc_conn_clear(cc_conn *c);

/* "tcp://127.0.0.1:5555" or "ipc://path-5555" into buf. Returns buf. */
char *cc_conn_endpoint(const cc_conn *c, int port, char *buf, size_t bufsz);

#endif
