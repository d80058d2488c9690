/* tests/remote/payload_tool.c — prints the launcher payload (kernel/
 * launch_payload.c) for the connection JSON on stdin, encrypted for the
 * public key in argv[1], so the remote suite can decode it with
 * gateway_provisioners' own ResponseManager. Exit 1 with the message on
 * stderr when the payload cannot be made. */
#include <stdio.h>
#include <stdlib.h>

#include "launch_payload.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: payload_tool PUBLIC_KEY < conn.json\n");
        return 2;
    }
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    buf[n] = '\0';
    char *err = NULL;
    char *p = cc_launch_payload(buf, argv[1], &err);
    if (!p) {
        fprintf(stderr, "%s\n", err ? err : "no payload");
        free(err);
        return 1;
    }
    fputs(p, stdout);
    free(p);
    return 0;
}
