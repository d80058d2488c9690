/* kernel/server/launcher.c — launcher mode (see launcher.h): the ports, the
 * connection info sent back to the gateway, and the communication-port
 * thread that turns the gateway's signal and shutdown requests into the
 * kernel's own interrupt and shutdown paths. The crypto and argument
 * parsing are in launch_payload.c. */
#include "launcher.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "curve.h"
#include "interrupt.h"
#include "launch_payload.h"
#include "log.h"
#include "server.h"
#include "clock.h"

#define LN_PORTS CC_LAUNCH_PORTS    /* shell, iopub, stdin, hb, control, comm */
#define LN_PORT_TRIES 50
#define LN_CONNECT_TIMEOUT_MS 10000
#define LN_REQUEST_TIMEOUT_MS 5000
#define LN_REQUEST_MAX 65536
#define LN_CONTACT_TIMEOUT_S 120
#define LN_MIN_RANGE 1000          /* the Python launcher's MIN_PORT_RANGE_SIZE default */

static struct {
    pthread_t thread;
    bool running;
    int listen_fd, wake[2];
    cc_kernel *k;
    long contact_timeout_s;
    volatile int contacted;
} ln = {.listen_fd = -1, .wake = {-1, -1}};

/* ---- arguments ---------------------------------------------------------- */

bool cc_launcher_arg(int argc, char **argv, int *i, cc_launch_opts *o)
{
    static const struct { const char *flag; size_t off; } flags[] = {
        {"--kernel-id", offsetof(cc_launch_opts, kernel_id)},
        {"--response-address", offsetof(cc_launch_opts, response_address)},
        {"--public-key", offsetof(cc_launch_opts, public_key)},
        {"--port-range", offsetof(cc_launch_opts, port_range)},
        {"--ip", offsetof(cc_launch_opts, ip)},
        {"--transport-encryption", offsetof(cc_launch_opts, transport_encryption)},
    };
    const char *a = argv[*i];
    for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
        size_t n = strlen(flags[f].flag);
        if (strncmp(a, flags[f].flag, n) != 0)
            continue;
        const char **slot = (const char **)((char *)o + flags[f].off);
        if (a[n] == '=') {
            *slot = a + n + 1;
            return true;
        }
        if (a[n] == '\0') {
            /* Over SSH the gateway joins argv with spaces, so an empty value
             * ({transport_encryption} when encryption is off) vanishes and
             * a trailing flag has none: take that as "". */
            *slot = *i + 1 < argc ? argv[++*i] : "";
            return true;
        }
    }
    return false;
}

bool cc_launcher_wanted(const cc_launch_opts *o)
{
    return o->kernel_id || o->response_address || o->public_key || o->port_range;
}

/* ---- ports ---------------------------------------------------------------- */

static int ln_bind(const char *ip, int port, int reuse)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (reuse)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int ln_port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    return getsockname(fd, (struct sockaddr *)&a, &n) == 0 ? ntohs(a.sin_port) : -1;
}

/* Six distinct free ports in lo..hi (any when 0..0), held bound in fds[]. */
static int ln_pick_ports(const char *ip, int lo, int hi, int fds[LN_PORTS], char **err)
{
    for (int p = 0; p < LN_PORTS; p++) {
        fds[p] = -1;
        for (int t = 0; t < LN_PORT_TRIES && fds[p] < 0; t++) {
            unsigned int r = 0;
            if (hi > lo && RAND_bytes((unsigned char *)&r, sizeof r) != 1)
                r = (unsigned int)rand();
            fds[p] = ln_bind(ip, hi > lo ? lo + (int)(r % (unsigned)(hi - lo + 1)) : 0, p == LN_PORTS - 1);
        }
        if (fds[p] < 0) {
            cc_set_error(err, "no free port for the kernel in %d..%d on %s after %d tries (%s). Widen the "
                    "gateway's port_range or free ports on this host.", lo, hi, ip, LN_PORT_TRIES,
                    strerror(errno));
            while (p-- > 0)
                close(fds[p]);
            return -1;
        }
    }
    return 0;
}

/* ---- connection info ------------------------------------------------------ */

/* The CurveZMQ pair --transport-encryption asks for, into pub and sec
 * (CC_CURVE_Z85_LEN + 1 bytes each; both "" for clear text), as
 * gateway_provisioners' launchers decide: 'required' without keys stops the
 * kernel, 'auto' without keys warns and goes on in clear text. */
static int ln_curve_keys(const char *te, char *pub, char *sec, char **err)
{
    bool unknown;
    cc_launch_encryption policy = cc_launch_parse_encryption(te, &unknown);
    char *why = NULL;
    pub[0] = sec[0] = '\0';
    if (unknown)
        cc_log_warn("launcher: --transport-encryption '%s' is not one of auto, required or "
                    "disabled; continuing without transport encryption", te);
    if (policy == CC_LAUNCH_CLEAR)
        return 0;
    if (cc_curve_keypair(pub, sec, &why) == 0) {
        cc_log_info("launcher: CurveZMQ transport encryption on (policy '%s')",
                    policy == CC_LAUNCH_CURVE_REQUIRED ? "required" : "auto");
        return 0;
    }
    pub[0] = sec[0] = '\0';
    if (policy == CC_LAUNCH_CURVE_REQUIRED) {
        cc_set_error(err, "the gateway requires transport encryption (--transport-encryption "
                "required), but %s The kernel does not start unencrypted; fix that, or set the "
                "server's transport_encryption to 'auto' or 'disabled'.", why ? why : "");
        free(why);
        return -1;
    }
    cc_log_warn("launcher: CurveZMQ keys could not be made: %s Continuing without transport "
                "encryption (policy 'auto').", why ? why : "");
    free(why);
    return 0;
}

static char *ln_conn_json(const cc_launch_opts *o, const char *ip, const int ports[LN_PORTS],
                          const char *pub, const char *sec)
{
    char key[37];
    cc_uuid4(key);
    cc_launch_conn c = {.kernel_id = o->kernel_id, .ip = ip, .key = key,
                        .pid = getpid(), .pgid = getpgid(0),
                        .curve_publickey = *pub ? pub : NULL,
                        .curve_secretkey = *sec ? sec : NULL};
    memcpy(c.ports, ports, sizeof c.ports);
    char *text = cc_launch_conn_json(&c);
    explicit_bzero(key, sizeof key);
    return text;
}

/* Connect to host:port within LN_CONNECT_TIMEOUT_MS and send all of text. */
static int ln_send_to(const char *host, int port, const char *text, char **err)
{
    char service[16];
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    snprintf(service, sizeof service, "%d", port);
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai) {
        cc_set_error(err, "cannot resolve the gateway's response address %s:%d (%s).", host, port,
                gai_strerror(gai));
        return -1;
    }
    int rc = -1, fd = -1, e = 0;
    for (struct addrinfo *ai = res; ai && rc < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            rc = 0;
        } else if (errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            socklen_t n = sizeof e;
            e = 0;
            if (poll(&p, 1, LN_CONNECT_TIMEOUT_MS) == 1
                && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &n) == 0 && e == 0)
                rc = 0;
            else if (!e)
                e = ETIMEDOUT;
        } else {
            e = errno;
        }
        if (rc < 0)
            close(fd);
    }
    freeaddrinfo(res);
    if (rc < 0) {
        cc_set_error(err, "cannot reach the gateway at its response address %s:%d (%s), so the kernel "
                "cannot send its connection info and stops. Check that this host can open TCP "
                "connections to the server that started the kernel (its response address is set "
                "with GP_RESPONSE_IP / GP_RESPONSE_PORT there).", host, port, strerror(e));
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    for (size_t off = 0, len = strlen(text); off < len;) {
        ssize_t w = send(fd, text + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            cc_set_error(err, "sending the connection info to the gateway at %s:%d failed (%s).", host,
                    port, strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    close(fd);
    return 0;
}

/* ---- the communication port --------------------------------------------------- */

/* Read one request (the peer closes or half-closes when done) into a
 * malloc'd string; NULL when nothing usable arrived. */
static char *ln_read_request(int fd)
{
    char *buf = cc_xmalloc(LN_REQUEST_MAX + 1);
    size_t n = 0;
    while (n < LN_REQUEST_MAX) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, LN_REQUEST_TIMEOUT_MS) != 1)
            break;
        ssize_t r = recv(fd, buf + n, LN_REQUEST_MAX - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    if (n == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void ln_handle(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    json_t *sig = json_object_get(j, "signum"), *shut = json_object_get(j, "shutdown");
    if (!json_is_object(j))
        cc_log_warn("launcher: ignoring a request on the communication port that is not a JSON object");
    if (json_is_integer(sig)) {
        int s = (int)json_integer_value(sig);
        if (s == SIGINT) {
            cc_log_info("launcher: interrupt requested by the gateway");
            cc_intr_request();
        } else if (s > 0 && s < NSIG) {
            cc_log_info("launcher: signal %d requested by the gateway", s);
            kill(getpid(), s);   /* SIGTERM: the kernel's clean shutdown; SIGKILL: the hard stop */
        }
    }
    if (json_is_true(shut) || (json_is_integer(shut) && json_integer_value(shut) != 0)) {
        cc_log_info("launcher: shutdown requested by the gateway");
        ln.k->shutting_down = 1;
    }
    json_decref(j);
}

static bool ln_contact_overdue(long long start_ms)
{
    if (ln.contacted || ln.contact_timeout_s <= 0)
        return false;
    if (cc_server_shell_seq() > 0) {
        ln.contacted = 1;
        return false;
    }
    return cc_now_ms() - start_ms >= ln.contact_timeout_s * 1000LL;
}

static void *ln_thread(void *arg)
{
    (void)arg;
    long long t0 = cc_now_ms();
    for (;;) {
        struct pollfd p[2] = {{ln.listen_fd, POLLIN, 0}, {ln.wake[0], POLLIN, 0}};
        int r = poll(p, 2, 1000);
        if (p[1].revents)
            break;
        if (ln_contact_overdue(t0)) {
            cc_log_error("launcher: no one has contacted this kernel within %ld s of sending its "
                         "connection info to the gateway, so the gateway probably could not read it "
                         "(a --public-key from another server?). Shutting down so that no orphan "
                         "kernel is left; see the gateway's log (CUDACELL_LAUNCH_CONTACT_TIMEOUT "
                         "sets this limit, 0 turns it off).", ln.contact_timeout_s);
            ln.k->shutting_down = 1;
            ln.contacted = 1;
        }
        if (r <= 0 || !(p[0].revents & POLLIN))
            continue;
        int c = accept4(ln.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        ln.contacted = 1;
        char *req = ln_read_request(c);
        close(c);
        if (req)
            ln_handle(req);
        free(req);
    }
    return NULL;
}

/* ---- start / stop --------------------------------------------------------------- */

static long ln_contact_timeout(void)
{
    const char *v = getenv("CUDACELL_LAUNCH_CONTACT_TIMEOUT");
    char *end;
    long s = v && *v ? strtol(v, &end, 10) : LN_CONTACT_TIMEOUT_S;
    return v && *v && (*end || s < 0) ? LN_CONTACT_TIMEOUT_S : s;
}

static int ln_check_opts(const cc_launch_opts *o, char **err)
{
    const char *missing = !o->kernel_id || !*o->kernel_id ? "--kernel-id"
                        : !o->response_address || !*o->response_address ? "--response-address"
                        : !o->public_key || !*o->public_key ? "--public-key" : NULL;
    if (missing) {
        cc_set_error(err, "launcher mode needs %s (with --kernel-id, --response-address and --public-key, "
                "which the gateway fills in from the kernelspec's {kernel_id}, {response_address} "
                "and {public_key}).", missing);
        return -1;
    }
    return 0;
}

int cc_launcher_start(const cc_launch_opts *o, cc_kernel *k, char **err)
{
    char host[256];
    int port, lo, hi, fds[LN_PORTS], ports[LN_PORTS];
    char pub[CC_CURVE_Z85_LEN + 1], sec[CC_CURVE_Z85_LEN + 1];
    const char *ip = o->ip && *o->ip ? o->ip : "0.0.0.0";
    if (ln_check_opts(o, err) < 0
        || cc_launch_parse_address(o->response_address, host, sizeof host, &port, err) < 0
        || cc_launch_parse_range(o->port_range, LN_MIN_RANGE, &lo, &hi, err) < 0
        || ln_curve_keys(o->transport_encryption, pub, sec, err) < 0)
        return -1;
    if (ln_pick_ports(ip, lo, hi, fds, err) < 0) {
        explicit_bzero(sec, sizeof sec);
        return -1;
    }
    for (int p = 0; p < LN_PORTS; p++) {
        ports[p] = ln_port_of(fds[p]);
        if (p < LN_PORTS - 1)
            close(fds[p]);   /* the server binds them in a moment */
    }
    ln.listen_fd = fds[LN_PORTS - 1];
    char *conn = ln_conn_json(o, ip, ports, pub, sec);
    explicit_bzero(sec, sizeof sec);   /* k->conn gets its own copy from conn */
    char *payload = NULL;
    int rc = -1;
    if (listen(ln.listen_fd, 16) < 0) {
        cc_set_error(err, "cannot listen on the communication port %d (%s).", ports[5], strerror(errno));
        goto out;
    }
    if (cc_conn_parse(conn, &k->conn, err) < 0
        || !(payload = cc_launch_payload(conn, o->public_key, err))
        || ln_send_to(host, port, payload, err) < 0)
        goto out;
    cc_log_info("launcher: connection info sent to %s:%d (ports %d %d %d %d %d, comm %d)", host,
                port, ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]);
    ln.k = k;
    ln.contact_timeout_s = ln_contact_timeout();
    if (pipe2(ln.wake, O_CLOEXEC) < 0 || pthread_create(&ln.thread, NULL, ln_thread, NULL) != 0) {
        cc_set_error(err, "cannot start the communication-port thread (%s).", strerror(errno));
        goto out;
    }
    ln.running = true;
    rc = 0;
out:
    free(payload);
    explicit_bzero(conn, strlen(conn));   /* holds the keys: cc_conn keeps its own copies */
    free(conn);
    if (rc < 0) {
        cc_conn_clear(&k->conn);
        cc_launcher_stop();
    }
    return rc;
}

void cc_launcher_stop(void)
{
    if (ln.running) {
        ssize_t w = write(ln.wake[1], "x", 1);
        (void)w;
        pthread_join(ln.thread, NULL);
        ln.running = false;
    }
    for (int i = 0; i < 2; i++)
        if (ln.wake[i] >= 0)
            close(ln.wake[i]);
    if (ln.listen_fd >= 0)
        close(ln.listen_fd);
    ln.wake[0] = ln.wake[1] = ln.listen_fd = -1;
}
