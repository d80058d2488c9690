/* tests/remote/payload_tool.c — prints the launcher payload (kernel/
 * launch_payload.c) for the connection JSON on stdin, encrypted for the
 * public key in argv[1], so the remote suite can decode it with
 * gateway_provisioners' own ResponseManager. With --curve first it makes
 * the connection JSON itself, as launcher mode does under
 * --transport-encryption auto|required: fixed ports and ids, a fresh HMAC key
 * and a fresh CurveZMQ pair (cc_launch_conn_json, cc_curve_keypair). Exit 1
 * with the message on stderr when the payload cannot be made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "launch_payload.h"

/* The launcher's connection JSON with a fresh key pair; NULL with *err. */
static char *curve_conn(char **err)
{
    char pub[CC_CURVE_Z85_LEN + 1], sec[CC_CURVE_Z85_LEN + 1];
    if (cc_curve_keypair(pub, sec, err) < 0)
        return NULL;
    cc_launch_conn c = {.kernel_id = "payload-tool-kernel", .ip = "0.0.0.0",
                        .key = "5b2f6c1e-1111-4222-8333-944445555666",
                        .ports = {40001, 40002, 40003, 40004, 40005, 40006},
                        .pid = 1234, .pgid = 1200,
                        .curve_publickey = pub, .curve_secretkey = sec};
    return cc_launch_conn_json(&c);
}

int main(int argc, char **argv)
{
    int curve = argc == 3 && !strcmp(argv[1], "--curve");
    if (argc != 2 && !curve) {
        fprintf(stderr, "usage: payload_tool [--curve] PUBLIC_KEY < conn.json\n");
        return 2;
    }
    static char buf[1 << 16];
    char *err = NULL, *conn = buf;
    if (curve) {
        conn = curve_conn(&err);
    } else {
        size_t n = fread(buf, 1, sizeof buf - 1, stdin);
        buf[n] = '\0';
    }
    char *p = conn ? cc_launch_payload(conn, argv[argc - 1], &err) : NULL;
    if (conn != buf)
        free(conn);
    if (!p) {
        fprintf(stderr, "%s\n", err ? err : "no payload");
        free(err);
        return 1;
    }
    fputs(p, stdout);
    free(p);
    return 0;
}
