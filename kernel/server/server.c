/* kernel/server/server.c — the transport (main thread): binds shell, control, stdin,
 * iopub (XPUB) and heartbeat with their size limits and queue bounds; polls
 * them together with the inproc queue that other threads send through;
 * verifies and decodes control requests and answers them inline; hands shell
 * and stdin messages, undecoded, to the intake thread (intake.c); greets every
 * new iopub subscription with iopub_welcome. It never runs user work nor
 * parses a shell message, so heartbeats and control requests are answered
 * while a cell runs for hours or a large message is being decoded.
 *
 * Limits: every socket refuses frames over CUDACELL_MAX_MESSAGE_MB (MiB,
 * default 64; libzmq then drops that connection and the peer reconnects),
 * and messages whose frames add up to more are dropped. IOPub keeps at most
 * CC_IOPUB_HWM messages for a subscriber that does not read; beyond that
 * that subscriber misses messages (the others do not).
 *
 * Encryption: when the connection file carries a CurveZMQ key pair
 * (connection.c, curve.c) all five sockets are CURVE servers, so a client
 * without the kernel's public key gets nothing back from any of them. */
#include "server.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "control.h"
#include "curve.h"
#include "intake.h"
#include "interrupt.h"
#include "log.h"
#include "parent_watch.h"
#include "replay.h"
#include "shell.h"
#include "clock.h"
#include "xalloc.h"

#define CC_MAX_MESSAGE_MB 64   /* default of CUDACELL_MAX_MESSAGE_MB */
/* IOPub messages queued for one subscriber before it misses some: stream
 * messages are at most about 64 KiB (outstream.h), so a subscriber that never
 * reads holds about 64 MiB; a client that reads loses nothing unless it falls
 * this many messages (plus its own receive queue) behind. */
#define CC_IOPUB_HWM 1000
#define CC_IOPUB_TOPIC_MAX 4096   /* the largest subscription accepted (bytes) */
/* Requests waiting in the kernel per client connection; more wait in the
 * client (TCP backpressure), so a flood of large ones costs the sender. */
#define CC_REQUEST_RCVHWM 4

static cc_kernel the_kernel;

typedef struct cc_server {
    void *sock[4];        /* indexed by cc_channel */
    void *hb;
    void *out_pull;       /* frames from other threads */
    pthread_t hb_thread, worker;
    size_t max_bytes;     /* CUDACELL_MAX_MESSAGE_MB in bytes, 0 = no limit */
    cc_replay *seen;      /* signatures of recent messages, all channels */
} cc_server;

static cc_server *srv;
static __thread void *tls_push;   /* this thread's sender into CC_INPROC_OUT */

cc_kernel *cc_kernel_get(void) { return &the_kernel; }

/* ---- sending ---------------------------------------------------------- */

static int send_frames(void *sock, const cc_blob *fr, size_t n, int first_flags)
{
    for (size_t i = 0; i < n; i++) {
        int fl = (i + 1 < n) ? ZMQ_SNDMORE : 0;
        if (i == 0)
            fl |= first_flags;
        if (zmq_send(sock, fr[i].data, fr[i].len, fl) < 0)
            return -1;
    }
    return 0;
}

/* iopub messages carry their msg_type as topic instead of routing ids. */
static void set_iopub_topic(cc_msg *m)
{
    for (size_t i = 0; i < m->n_ids; i++)
        free(m->ids[i].data);
    free(m->ids);
    m->ids = cc_xmalloc(sizeof *m->ids);
    m->ids[0].data = cc_xstrdup(cc_msg_type(m));
    m->ids[0].len = strlen(m->ids[0].data);
    m->n_ids = 1;
}

int cc_send(cc_kernel *k, cc_channel ch, cc_msg *m)
{
    cc_blob *fr = NULL;
    size_t n = 0;
    int rc = -1;

    if (!m)
        return -1;
    if (ch == CC_CH_IOPUB)
        set_iopub_topic(m);
    if (cc_wire_encode(k->signer, m, &fr, &n) < 0) {
        cc_log_error("could not encode a %s message", cc_msg_type(m));
        cc_msg_free(m);
        return -1;
    }
    cc_msg_free(m);

    if (pthread_equal(pthread_self(), k->server_thread)) {
        rc = srv ? send_frames(srv->sock[ch], fr, n, 0) : -1;
    } else {
        if (!tls_push) {
            tls_push = zmq_socket(k->zctx, ZMQ_PUSH);
            int linger = 2000;
            zmq_setsockopt(tls_push, ZMQ_LINGER, &linger, sizeof linger);
            zmq_connect(tls_push, CC_INPROC_OUT);
        }
        unsigned char c = (unsigned char)ch;
        rc = zmq_send(tls_push, &c, 1, ZMQ_SNDMORE) < 0 ? -1 : send_frames(tls_push, fr, n, 0);
    }
    if (rc < 0)
        cc_log_warn("send failed: %s", zmq_strerror(zmq_errno()));
    cc_frames_free(fr, n);
    return rc;
}

void cc_send_thread_done(void)
{
    if (tls_push) {
        zmq_close(tls_push);
        tls_push = NULL;
    }
}

void cc_send_status(cc_kernel *k, const cc_msg *parent, const char *state)
{
    cc_send(k, CC_CH_IOPUB, cc_msg_new("status", parent, json_pack("{s:s}", "execution_state", state)));
}

/* ---- receiving -------------------------------------------------------- */

/* Read all parts of one multipart message (copies). */
static int recv_frames(void *sock, cc_blob **out, size_t *n)
{
    size_t cap = 8, cnt = 0;
    cc_blob *fr = cc_xmalloc(cap * sizeof *fr);
    int more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, sock, cnt ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            cc_frames_free(fr, cnt);
            return -1;
        }
        if (cnt == cap)
            fr = cc_xrealloc(fr, (cap *= 2) * sizeof *fr);
        fr[cnt].len = zmq_msg_size(&part);
        fr[cnt].data = cc_xmalloc(fr[cnt].len + 1);
        memcpy(fr[cnt].data, zmq_msg_data(&part), fr[cnt].len);
        fr[cnt].data[fr[cnt].len] = '\0';
        cnt++;
        more = zmq_msg_more(&part);
        zmq_msg_close(&part);
    }
    *out = fr;
    *n = cnt;
    return 0;
}

/* Frames from another thread: [channel][frames…], passed on without copying. */
static void forward_out(void)
{
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, srv->out_pull, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            return;
        }
        int ch = zmq_msg_size(&part) == 1 ? *(unsigned char *)zmq_msg_data(&part) : -1;
        void *dest = ch >= 0 && ch <= CC_CH_IOPUB ? srv->sock[ch] : NULL;
        int more = zmq_msg_more(&part);
        zmq_msg_close(&part);
        while (more) {
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, srv->out_pull, 0) < 0) {
                zmq_msg_close(&part);
                break;
            }
            more = zmq_msg_more(&part);
            /* XPUB and ROUTER never block: at the high-water mark they drop. */
            if (!dest || zmq_msg_send(&part, dest, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&part);
                dest = NULL;   /* drop the rest of this message */
            }
        }
    }
}

static void iopub_subscription(cc_kernel *k)
{
    cc_blob *fr;
    size_t n;
    while (recv_frames(srv->sock[CC_CH_IOPUB], &fr, &n) == 0) {
        if (n >= 1 && fr[0].len >= 1 && fr[0].data[0] == 1) {
            json_t *c = json_pack("{s:s%}", "subscription", fr[0].data + 1, fr[0].len - 1);
            cc_msg *w = cc_msg_new("iopub_welcome", NULL, c);
            /* The welcome goes out under the subscribed topic so the new
             * subscriber receives it. */
            cc_blob *wf;
            size_t wn;
            if (cc_wire_encode(k->signer, w, &wf, &wn) == 0) {
                zmq_send(srv->sock[CC_CH_IOPUB], fr[0].data + 1, fr[0].len - 1, ZMQ_SNDMORE);
                send_frames(srv->sock[CC_CH_IOPUB], wf + w->n_ids, wn - w->n_ids, 0);
                cc_frames_free(wf, wn);
            }
            cc_msg_free(w);
        }
        cc_frames_free(fr, n);
    }
}

/* ---- setup ------------------------------------------------------------ */

static void set_int(void *s, int opt, int v)
{
    zmq_setsockopt(s, opt, &v, sizeof v);
}

static void *make_socket(cc_kernel *k, int type, int port, const char *what)
{
    char ep[512];
    void *s = zmq_socket(k->zctx, type);
    int64_t max = srv->max_bytes ? (int64_t)srv->max_bytes : -1;
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof max);
    set_int(s, ZMQ_LINGER, 1000);
    if (type == ZMQ_ROUTER) {
        set_int(s, ZMQ_ROUTER_HANDOVER, 1);
        set_int(s, ZMQ_RCVHWM, CC_REQUEST_RCVHWM);
    }
    if (type == ZMQ_XPUB) {
        /* Subscribers send only topics (Jupyter's is ""), which XPUB keeps
         * while they stay connected: no need to accept big ones. */
        int64_t topic_max = max < 0 || max > CC_IOPUB_TOPIC_MAX ? CC_IOPUB_TOPIC_MAX : max;
        zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &topic_max, sizeof topic_max);
        set_int(s, ZMQ_XPUB_VERBOSE, 1);
        set_int(s, ZMQ_SNDHWM, CC_IOPUB_HWM);   /* lossy: never blocks this thread */
    }
    if (k->conn.curve &&
        cc_curve_make_server(s, k->conn.curve_publickey, k->conn.curve_secretkey) < 0) {
        cc_log_error("cannot make the %s socket a CurveZMQ server: %s", what,
                     zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    cc_conn_endpoint(&k->conn, port, ep, sizeof ep);
    if (zmq_bind(s, ep) < 0) {
        cc_log_error("cannot bind the %s socket to %s: %s", what, ep, zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    cc_log_info("%s on %s", what, ep);
    return s;
}

/* CUDACELL_MAX_MESSAGE_MB in bytes (0: no limit). */
static size_t max_message_bytes(void)
{
    const char *v = getenv("CUDACELL_MAX_MESSAGE_MB");
    if (!v || !*v)
        return (size_t)CC_MAX_MESSAGE_MB << 20;
    char *end;
    errno = 0;
    long mb = strtol(v, &end, 10);
    if (errno || *end || mb < 0 || mb > (1L << 20)) {
        cc_log_warn("CUDACELL_MAX_MESSAGE_MB=%s is not a whole number of MiB (0 for no limit); "
                    "using %d", v, CC_MAX_MESSAGE_MB);
        return (size_t)CC_MAX_MESSAGE_MB << 20;
    }
    return (size_t)mb << 20;
}

static void *heartbeat_main(void *arg)
{
    /* ROUTER proxied to itself: every ping goes straight back to its sender. */
    zmq_proxy(arg, arg, NULL);
    return NULL;
}

/* Whether ip (of a tcp connection file) is this machine only. */
static bool loopback_only(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 || strcmp(ip, "localhost") == 0;
}

/* One line about transport encryption: on, or off where it matters. */
static void log_encryption(const cc_conn *c)
{
    if (c->curve)
        cc_log_info("transport encryption: CurveZMQ on all five sockets");
    else if (strcmp(c->transport, "tcp") == 0 && !loopback_only(c->ip))
        cc_log_warn("the kernel listens on %s over TCP without transport encryption: code "
                    "and outputs cross the network in clear text. Start it from a client "
                    "with transport_encryption = \"required\" (jupyter_client 8.9 or newer), "
                    "which gives it CurveZMQ keys, or listen on 127.0.0.1 only.", c->ip);
}

static int server_setup(cc_kernel *k, cc_server *s)
{
    s->max_bytes = max_message_bytes();
    log_encryption(&k->conn);
    s->sock[CC_CH_SHELL] = make_socket(k, ZMQ_ROUTER, k->conn.shell_port, "shell");
    s->sock[CC_CH_CONTROL] = make_socket(k, ZMQ_ROUTER, k->conn.control_port, "control");
    s->sock[CC_CH_STDIN] = make_socket(k, ZMQ_ROUTER, k->conn.stdin_port, "stdin");
    s->sock[CC_CH_IOPUB] = make_socket(k, ZMQ_XPUB, k->conn.iopub_port, "iopub");
    s->hb = make_socket(k, ZMQ_ROUTER, k->conn.hb_port, "heartbeat");
    for (int i = 0; i < 4; i++)
        if (!s->sock[i])
            return -1;
    if (!s->hb)
        return -1;
    s->out_pull = zmq_socket(k->zctx, ZMQ_PULL);
    set_int(s->out_pull, ZMQ_RCVHWM, 0);
    if (zmq_bind(s->out_pull, CC_INPROC_OUT) < 0) {
        cc_log_error("cannot set up the inproc output queue: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    s->seen = cc_replay_new(CC_REPLAY_CAPACITY);
    if (cc_intake_start(k, s->seen) < 0)
        return -1;
    if (pthread_create(&s->hb_thread, NULL, heartbeat_main, s->hb) != 0)
        return -1;
    pthread_detach(s->hb_thread);
    return 0;
}

/* ---- the loop --------------------------------------------------------- */

static void handle_control(cc_kernel *k)
{
    cc_raw *r = cc_raw_recv(srv->sock[CC_CH_CONTROL], CC_CH_CONTROL, "control", srv->max_bytes);
    if (!r)
        return;
    cc_msg *m = cc_raw_decode(k, srv->seen, r, "control");
    cc_raw_free(r);
    if (!m)
        return;
    cc_control_handle(k, m);
    cc_msg_free(m);
}

static atomic_ulong shell_seq;

unsigned long cc_server_shell_seq(void) { return atomic_load(&shell_seq); }

/* Shell and stdin: received here, verified and decoded by the intake. */
static void handle_incoming(cc_channel ch, const char *name)
{
    cc_raw *r = cc_raw_recv(srv->sock[ch], ch, name, srv->max_bytes);
    if (!r)
        return;
    if (ch == CC_CH_SHELL)
        r->seq = atomic_fetch_add(&shell_seq, 1) + 1;
    cc_intake_submit(r);
}

static void shutdown_worker(void)
{
    /* Stop whatever runs, tell the worker to finish, keep forwarding its
     * last messages, and give up waiting after a few seconds. */
    cc_intake_stop();
    cc_intr_request();
    cc_intr_request();
    long long t0 = cc_now_ms();
    for (;;) {
        zmq_pollitem_t it = {srv->out_pull, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, 20);
        forward_out();
        if (cc_worker_done())
            break;
        if (cc_now_ms() - t0 > 4000) {
            cc_log_warn("the shell worker did not stop in time; exiting anyway");
            return;
        }
        cc_intr_tick();
    }
    pthread_join(srv->worker, NULL);
    forward_out();
}

int cc_server_run(cc_kernel *k)
{
    cc_server s;
    memset(&s, 0, sizeof s);
    srv = &s;
    k->server_thread = pthread_self();
    k->zctx = zmq_ctx_new();
    if (server_setup(k, &s) < 0)
        return 1;
    if (cc_worker_start(k, &s.worker) < 0) {
        cc_log_error("cannot start the shell worker thread");
        return 1;
    }
    cc_log_info("ready");

    while (!k->shutting_down) {
        /* Shell and stdin wait in their senders while the intake is full. */
        short in_ev = cc_intake_full() ? 0 : ZMQ_POLLIN;
        zmq_pollitem_t items[] = {
            {s.sock[CC_CH_CONTROL], 0, ZMQ_POLLIN, 0},
            {s.sock[CC_CH_SHELL], 0, in_ev, 0},
            {s.sock[CC_CH_STDIN], 0, in_ev, 0},
            {s.sock[CC_CH_IOPUB], 0, ZMQ_POLLIN, 0},
            {s.out_pull, 0, ZMQ_POLLIN, 0},
        };
        int pr = zmq_poll(items, 5, in_ev ? 1000 : 5);
        if (cc_parent_gone()) {
            cc_log_warn("the process that started the kernel (JPY_PARENT_PID %d) is gone; shutting down",
                        cc_parent_watched());
            k->shutting_down = 1;
            break;
        }
        if (pr < 0) {
            if (zmq_errno() == EINTR)
                continue;
            cc_log_error("poll failed: %s", zmq_strerror(zmq_errno()));
            break;
        }
        /* Control first: it must never wait behind anything. */
        if (items[0].revents & ZMQ_POLLIN)
            handle_control(k);
        if (items[4].revents & ZMQ_POLLIN)
            forward_out();
        if (items[1].revents & ZMQ_POLLIN)
            handle_incoming(CC_CH_SHELL, "shell");
        if (items[2].revents & ZMQ_POLLIN)
            handle_incoming(CC_CH_STDIN, "stdin");
        if (items[3].revents & ZMQ_POLLIN)
            iopub_subscription(k);
    }

    shutdown_worker();
    cc_intake_close();
    void *all[] = {s.sock[0], s.sock[1], s.sock[2], s.sock[3], s.out_pull};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        zmq_close(all[i]);
    cc_replay_free(s.seen);
    /* The heartbeat thread's proxy ends when the context terminates; do not
     * wait for it (nor for a stuck worker). */
    srv = NULL;
    return 0;
}
