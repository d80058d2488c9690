/* kernel/server.c — the transport (main thread): binds shell, control, stdin,
 * iopub (XPUB) and heartbeat; polls them together with the inproc queue that
 * other threads send through; verifies and decodes every incoming message
 * (bad ones are logged and dropped); answers control requests inline; hands
 * shell requests and stdin replies to the worker; greets every new iopub
 * subscription with iopub_welcome. It never runs user work, so heartbeats and
 * control requests are answered while a cell runs for hours. */
#include "server.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "control.h"
#include "interrupt.h"
#include "log.h"
#include "parent_watch.h"
#include "shell.h"

static cc_kernel the_kernel;

typedef struct cc_server {
    void *sock[4];        /* indexed by cc_channel */
    void *hb;
    void *out_pull;       /* frames from other threads */
    void *shell_push;     /* cc_msg* to the worker */
    void *stdin_push;     /* input_reply cc_msg* to the worker */
    pthread_t hb_thread, worker;
} cc_server;

static cc_server *srv;

/* Subshells: id → the PUSH end of its worker's queue. Server thread only. */
#define CC_MAX_SUBSHELLS 64
typedef struct subshell {
    char id[37];
    void *push;
} subshell;
static subshell subshells[CC_MAX_SUBSHELLS];
static size_t n_subshells;
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
    m->ids = malloc(sizeof *m->ids);
    m->ids[0].data = strdup(cc_msg_type(m));
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
    cc_blob *fr = malloc(cap * sizeof *fr);
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
            fr = realloc(fr, (cap *= 2) * sizeof *fr);
        fr[cnt].len = zmq_msg_size(&part);
        fr[cnt].data = malloc(fr[cnt].len + 1);
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

static cc_msg *recv_msg(cc_kernel *k, void *sock, const char *chname)
{
    cc_blob *fr;
    size_t n;
    const char *err = NULL;
    if (recv_frames(sock, &fr, &n) < 0)
        return NULL;
    cc_msg *m = cc_wire_decode(k->signer, fr, n, &err);
    if (!m)
        cc_log_warn("dropped a message on %s: %s (%zu frames)", chname, err ? err : "malformed", n);
    cc_frames_free(fr, n);
    return m;
}

static void forward_out(void)
{
    cc_blob *fr;
    size_t n;
    while (recv_frames(srv->out_pull, &fr, &n) == 0) {
        if (n >= 2 && fr[0].len == 1 && fr[0].data[0] >= 0 && fr[0].data[0] <= CC_CH_IOPUB)
            send_frames(srv->sock[(int)fr[0].data[0]], fr + 1, n - 1, 0);
        cc_frames_free(fr, n);
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

static void *make_socket(cc_kernel *k, int type, int port, const char *what)
{
    char ep[512];
    void *s = zmq_socket(k->zctx, type);
    int linger = 1000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (type == ZMQ_ROUTER) {
        int on = 1;
        zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &on, sizeof on);
    }
    if (type == ZMQ_XPUB) {
        int on = 1;
        zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, &on, sizeof on);
        int hwm = 0;   /* never drop output */
        zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
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

static void *heartbeat_main(void *arg)
{
    /* ROUTER proxied to itself: every ping goes straight back to its sender. */
    zmq_proxy(arg, arg, NULL);
    return NULL;
}

static int inproc(cc_kernel *k, int type, const char *ep, void **out)
{
    *out = zmq_socket(k->zctx, type);
    int hwm = 0;
    zmq_setsockopt(*out, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(*out, ZMQ_RCVHWM, &hwm, sizeof hwm);
    return zmq_bind(*out, ep);
}

static int server_setup(cc_kernel *k, cc_server *s)
{
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
    if (inproc(k, ZMQ_PULL, CC_INPROC_OUT, &s->out_pull) < 0 ||
        inproc(k, ZMQ_PUSH, CC_INPROC_SHELL, &s->shell_push) < 0 ||
        inproc(k, ZMQ_PUSH, CC_INPROC_STDIN, &s->stdin_push) < 0) {
        cc_log_error("cannot set up inproc queues: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    if (pthread_create(&s->hb_thread, NULL, heartbeat_main, s->hb) != 0)
        return -1;
    pthread_detach(s->hb_thread);
    return 0;
}

static void push_ptr(void *sock, cc_msg *m)
{
    if (zmq_send(sock, &m, sizeof m, 0) < 0) {
        cc_log_error("cannot queue a message for the worker");
        cc_msg_free(m);
    }
}

/* ---- the loop --------------------------------------------------------- */

static void handle_control(cc_kernel *k)
{
    cc_msg *m = recv_msg(k, srv->sock[CC_CH_CONTROL], "control");
    if (!m)
        return;
    cc_control_handle(k, m);
    cc_msg_free(m);
}

static atomic_ulong shell_seq;

unsigned long cc_server_shell_seq(void) { return atomic_load(&shell_seq); }

static subshell *find_subshell(const char *id)
{
    for (size_t i = 0; i < n_subshells; i++)
        if (strcmp(subshells[i].id, id) == 0)
            return &subshells[i];
    return NULL;
}

int cc_server_subshell_create(cc_kernel *k, char id_out[37])
{
    char ep[96];
    if (n_subshells == CC_MAX_SUBSHELLS)
        return -1;
    subshell *s = &subshells[n_subshells];
    cc_uuid4(s->id);
    snprintf(ep, sizeof ep, "inproc://cc-subshell-%s", s->id);
    if (inproc(k, ZMQ_PUSH, ep, &s->push) < 0) {
        zmq_close(s->push);
        return -1;
    }
    if (!cc_subshell_start(k, s->id, ep)) {
        zmq_close(s->push);
        return -1;
    }
    memcpy(id_out, s->id, 37);
    n_subshells++;
    return 0;
}

static void stop_subshell(subshell *s)
{
    cc_msg *none = NULL;
    zmq_send(s->push, &none, sizeof none, 0);
    zmq_close(s->push);
}

int cc_server_subshell_delete(const char *id)
{
    subshell *s = find_subshell(id);
    if (!s)
        return -1;
    stop_subshell(s);
    *s = subshells[--n_subshells];
    return 0;
}

json_t *cc_server_subshell_list(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n_subshells; i++)
        json_array_append_new(a, json_string(subshells[i].id));
    return a;
}

static void handle_shell(cc_kernel *k)
{
    cc_msg *m = recv_msg(k, srv->sock[CC_CH_SHELL], "shell");
    if (!m)
        return;
    m->seq = atomic_fetch_add(&shell_seq, 1) + 1;
    const char *sid = cc_msg_subshell(m);
    if (!sid) {
        push_ptr(srv->shell_push, m);
        return;
    }
    subshell *s = find_subshell(sid);
    if (s) {
        push_ptr(s->push, m);
        return;
    }
    /* Unknown subshell: answer with an error rather than leave it waiting. */
    cc_log_warn("%s for unknown subshell %s", cc_msg_type(m), sid);
    const char *t = cc_msg_type(m);
    size_t n = strlen(t);
    char rt[64];
    if (n > 8 && n < sizeof rt && strcmp(t + n - 8, "_request") == 0) {
        snprintf(rt, sizeof rt, "%.*s_reply", (int)(n - 8), t);
        cc_send(k, CC_CH_SHELL, cc_msg_new(rt, m, json_pack("{s:s,s:s,s:s,s:[]}", "status", "error",
                "ename", "SubshellNotFound", "evalue", "no subshell with this id", "traceback")));
    }
    cc_msg_free(m);
}

static void handle_stdin(cc_kernel *k)
{
    cc_msg *m = recv_msg(k, srv->sock[CC_CH_STDIN], "stdin");
    if (!m)
        return;
    if (strcmp(cc_msg_type(m), "input_reply") == 0)
        push_ptr(srv->stdin_push, m);
    else {
        cc_log_warn("ignored %s on stdin", cc_msg_type(m));
        cc_msg_free(m);
    }
}

static void shutdown_worker(void)
{
    /* Stop whatever runs, tell the worker to finish, keep forwarding its
     * last messages, and give up waiting after a few seconds. */
    cc_msg *none = NULL;
    zmq_send(srv->shell_push, &none, sizeof none, 0);
    cc_intr_request();
    cc_intr_request();
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        zmq_pollitem_t it = {srv->out_pull, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, 20);
        forward_out();
        if (cc_worker_done())
            break;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 4000) {
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
        zmq_pollitem_t items[] = {
            {s.sock[CC_CH_CONTROL], 0, ZMQ_POLLIN, 0},
            {s.sock[CC_CH_SHELL], 0, ZMQ_POLLIN, 0},
            {s.sock[CC_CH_STDIN], 0, ZMQ_POLLIN, 0},
            {s.sock[CC_CH_IOPUB], 0, ZMQ_POLLIN, 0},
            {s.out_pull, 0, ZMQ_POLLIN, 0},
        };
        int pr = zmq_poll(items, 5, 1000);
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
            handle_shell(k);
        if (items[2].revents & ZMQ_POLLIN)
            handle_stdin(k);
        if (items[3].revents & ZMQ_POLLIN)
            iopub_subscription(k);
    }

    while (n_subshells)
        stop_subshell(&subshells[--n_subshells]);
    shutdown_worker();
    void *all[] = {s.sock[0], s.sock[1], s.sock[2], s.sock[3], s.out_pull, s.shell_push, s.stdin_push};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        zmq_close(all[i]);
    /* The heartbeat thread's proxy ends when the context terminates; do not
     * wait for it (nor for a stuck worker). */
    srv = NULL;
    return 0;
}
