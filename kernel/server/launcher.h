/* kernel/server/launcher.h — launcher mode: cudacell started by a remote kernel
 * provisioner (gateway_provisioners, Jupyter Enterprise Gateway) instead of
 * by a local Jupyter with a connection file.
 *
 * `cudacell --kernel-id ID --response-address HOST:PORT --public-key KEY
 *  [--port-range LO..HI] [--ip ADDR] [--transport-encryption POLICY]` picks
 * its five ZeroMQ ports and a communication port within the range, sends the
 * connection info back encrypted (launch_payload.h), and then serves as
 * usual. With POLICY auto or required it makes a CurveZMQ key pair (curve.h)
 * and sends it in that connection info, so its five sockets are CURVE
 * servers and the gateway's clients use the public key; 'required' without
 * CURVE in libzmq stops the kernel, 'auto' warns and runs in clear text. On the
 * communication port it answers {"signum": N} (0: a liveness poll; SIGINT:
 * interrupt the running cell through cc_intr_request; others are raised in
 * the kernel process) and {"shutdown": 1} (a clean shutdown, as SIGTERM).
 *
 * A kernel that no one contacts (no shell message, no comm-port request)
 * within CUDACELL_LAUNCH_CONTACT_TIMEOUT seconds (default 120, 0: never)
 * shuts itself down: the server could not read its connection info (a
 * public key from another server), so nothing would ever stop it. */
#ifndef CC_LAUNCHER_H
#define CC_LAUNCHER_H

#include <stdbool.h>
#include "kernel.h"

typedef struct cc_launch_opts {
    const char *kernel_id;
    const char *response_address;
    const char *public_key;
    const char *port_range;
    const char *ip;                    /* NULL: 0.0.0.0 */
    const char *transport_encryption;  /* auto / required: CurveZMQ; NULL, "", disabled: clear */
} cc_launch_opts;

/* If argv[*i] is a launcher flag ("--flag VALUE" or "--flag=VALUE"), store
 * it in o, advance *i past its value and return true. A flag that ends argv
 * gets "". */
bool cc_launcher_arg(int argc, char **argv, int *i, cc_launch_opts *o);

/* Whether any launcher flag was given. */
bool cc_launcher_wanted(const cc_launch_opts *o);

/* Fill k->conn with fresh ports and key, send the payload to the response
 * address and start the communication-port thread. On failure nothing is
 * left running; returns -1 with a malloc'd message in *err. */
int cc_launcher_start(const cc_launch_opts *o, cc_kernel *k, char **err);

/* Stop the communication-port thread and close its socket (idempotent). */
void cc_launcher_stop(void);

#endif
