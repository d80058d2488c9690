/* kernel/proto/curve.h — CurveZMQ transport encryption: the key pair a client put
 * in the connection file (or launcher mode made), checked, and applied to
 * the kernel's sockets. */
#ifndef CC_CURVE_H
#define CC_CURVE_H

#include <stddef.h>

/* Z85 text of a 32-byte CurveZMQ key, without the terminating NUL. */
#define CC_CURVE_Z85_LEN 40

/* Check the connection file's "curve_publickey"/"curve_secretkey" pair: each
 * 40 characters of Z85, libzmq able to do CURVE, and the secret key the one
 * that belongs to the public key. On success copies both into pub_out and
 * sec_out (CC_CURVE_Z85_LEN + 1 bytes each) and returns 0; otherwise returns
 * -1 with *err a malloc'd message (caller frees) that never quotes the
 * secret key. Called when the file has at least one of the two; a NULL
 * (absent) key is an error. */
int cc_curve_check(const char *pub, const char *sec, char *pub_out, char *sec_out, char **err);

/* Make the ZeroMQ socket s a CURVE server with the given (checked) key
 * pair. Call before bind. Returns 0, or -1 with zmq_errno() set. */
int cc_curve_make_server(void *s, const char *pub_z85, const char *sec_z85);

/* A fresh key pair as Z85 text into pub_out and sec_out (CC_CURVE_Z85_LEN + 1
 * bytes each). Returns 0, or -1 with *err a malloc'd message (caller frees)
 * when libzmq has no CURVE or cannot make keys. */
int cc_curve_keypair(char *pub_out, char *sec_out, char **err);

#endif
