/* kernel/server/intake.c — incoming messages (see intake.h): receiving frames
 * without copying them, the size limits, decoding with replay refusal, the
 * intake thread that decodes and routes shell and stdin messages, and the
 * subshell registry it routes by.
 *
 * Threads: cc_raw_recv, cc_intake_submit/full/stop and the subshell
 * create/delete/list calls run on the server thread; the intake thread owns
 * the workers' queues while it runs. The subshell table is shared (routing
 * reads it, control changes it) under subshells_mu, which also hands each
 * subshell queue's socket from one thread to the other. */
#include "intake.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "log.h"
#include "replay.h"
#include "shell.h"
#include "xalloc.h"

#define CC_INPROC_INTAKE "inproc://cc-intake"   /* server → intake: cc_raw* (NULL = stop) */
/* The server stops reading shell and stdin while this much waits here. */
#define CC_INTAKE_MAX_MSGS 64
#define CC_INTAKE_MAX_BYTES ((size_t)64 << 20)

static struct {
    cc_kernel *k;
    cc_replay *seen;
    void *submit;                  /* server thread: PUSH of cc_raw* */
    void *pull;                    /* intake thread */
    void *shell_push, *stdin_push; /* to the main worker */
    pthread_t thread;
    bool running;
    atomic_size_t bytes;           /* submitted and not yet handled */
    atomic_uint msgs;
    atomic_bool stopping;
} in;

#define CC_MAX_SUBSHELLS 64
typedef struct subshell {
    char id[37];
    void *push;   /* PUSH end of its worker's queue */
} subshell;
static subshell subshells[CC_MAX_SUBSHELLS];
static size_t n_subshells;
static pthread_mutex_t subshells_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- raw messages ---------------------------------------------------------- */

static void raw_part_free(zmq_msg_t *p)
{
    zmq_msg_close(p);
    free(p);
}

void cc_raw_free(cc_raw *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        raw_part_free(r->part[i]);
    free(r->part);
    free(r);
}

static void raw_append(cc_raw *r, zmq_msg_t *p, size_t *cap)
{
    if (r->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->part = cc_xrealloc(r->part, *cap * sizeof *r->part);
    }
    r->part[r->n++] = p;
}

cc_raw *cc_raw_recv(void *sock, cc_channel ch, const char *chname, size_t max_bytes)
{
    cc_raw *r = cc_xcalloc(1, sizeof *r);
    size_t cap = 0, frames = 0;
    bool over = false, broken = false;
    int more = 1;
    r->channel = ch;
    while (more) {
        zmq_msg_t *p = cc_xcalloc(1, sizeof *p);
        zmq_msg_init(p);
        /* The first part may not be there; the rest of a message always is. */
        if (zmq_msg_recv(p, sock, frames ? 0 : ZMQ_DONTWAIT) < 0) {
            raw_part_free(p);
            broken = frames > 0;
            break;
        }
        frames++;
        more = zmq_msg_more(p);
        r->bytes += zmq_msg_size(p);
        if (over || frames > CC_RAW_MAX_FRAMES || (max_bytes && r->bytes > max_bytes)) {
            over = true;   /* keep reading to consume the message, keep nothing */
            raw_part_free(p);
            continue;
        }
        raw_append(r, p, &cap);
    }
    if (over)
        cc_log_warn_limited("over the size limits",
                            "dropped a message on %s: %zu bytes in %zu frames, over the limit of %zu bytes "
                            "(CUDACELL_MAX_MESSAGE_MB) or %d frames", chname, r->bytes, frames, max_bytes,
                            CC_RAW_MAX_FRAMES);
    else if (broken)
        cc_log_warn_limited("broken multipart", "dropped a message on %s: its frames could not be read: %s",
                            chname, zmq_strerror(zmq_errno()));
    if (over || broken || frames == 0) {
        cc_raw_free(r);
        return NULL;
    }
    return r;
}

cc_msg *cc_raw_decode(const cc_kernel *k, cc_replay *seen, const cc_raw *r, const char *chname)
{
    cc_blob *fr = cc_xcalloc(r->n, sizeof *fr);
    const char *err = NULL;
    for (size_t i = 0; i < r->n; i++) {
        fr[i].data = zmq_msg_data(r->part[i]);
        fr[i].len = zmq_msg_size(r->part[i]);
    }
    cc_msg *m = cc_wire_decode_once(k->signer, seen, fr, r->n, &err);
    free(fr);
    if (!m) {
        err = err ? err : "malformed";
        cc_log_warn_limited(err, "dropped a message on %s: %s (%zu frames)", chname, err, r->n);
    }
    return m;
}

/* ---- routing (intake thread) --------------------------------------------------- */

static void push_ptr(void *sock, cc_msg *m)
{
    if (zmq_send(sock, &m, sizeof m, 0) < 0) {
        cc_log_error("cannot queue a message for a worker: %s", zmq_strerror(zmq_errno()));
        cc_msg_free(m);
    }
}

static subshell *find_subshell(const char *id)
{
    for (size_t i = 0; i < n_subshells; i++)
        if (strcmp(subshells[i].id, id) == 0)
            return &subshells[i];
    return NULL;
}

/* Unknown subshell: answer with an error rather than leave it waiting. */
static void reply_no_subshell(cc_msg *m, const char *sid)
{
    const char *t = cc_msg_type(m);
    char rt[64];
    cc_log_warn("%s for unknown subshell %s", t, sid);
    if (cc_msg_reply_type(t, rt, sizeof rt)) {
        cc_send(in.k, CC_CH_SHELL, cc_msg_new(rt, m, json_pack("{s:s,s:s,s:s,s:[]}", "status", "error",
                "ename", "SubshellNotFound", "evalue", "no subshell with this id", "traceback")));
    }
    cc_msg_free(m);
}

static void route_shell(cc_msg *m, unsigned long seq)
{
    m->seq = seq;
    const char *sid = cc_msg_subshell(m);
    if (!sid) {
        push_ptr(in.shell_push, m);
        return;
    }
    pthread_mutex_lock(&subshells_mu);
    subshell *s = find_subshell(sid);
    if (s)
        push_ptr(s->push, m);
    pthread_mutex_unlock(&subshells_mu);
    if (!s)
        reply_no_subshell(m, sid);
}

static void route_stdin(cc_msg *m)
{
    if (strcmp(cc_msg_type(m), "input_reply") == 0) {
        push_ptr(in.stdin_push, m);
        return;
    }
    cc_log_warn_limited("not an input_reply", "ignored %s on stdin", cc_msg_type(m));
    cc_msg_free(m);
}

static void handle(cc_raw *r)
{
    bool shell = r->channel == CC_CH_SHELL;
    cc_msg *m = atomic_load(&in.stopping) ? NULL : cc_raw_decode(in.k, in.seen, r, shell ? "shell" : "stdin");
    if (m && shell)
        route_shell(m, r->seq);
    else if (m)
        route_stdin(m);
    atomic_fetch_sub(&in.bytes, r->bytes);
    atomic_fetch_sub(&in.msgs, 1);
    cc_raw_free(r);
}

static void *intake_main(void *arg)
{
    (void)arg;
    for (;;) {
        cc_raw *r;
        if (zmq_recv(in.pull, &r, sizeof r, 0) != sizeof r) {
            if (zmq_errno() == EINTR)
                continue;
            break;
        }
        if (!r)
            break;
        handle(r);
    }
    cc_send_thread_done();
    return NULL;
}

/* ---- lifecycle (server thread) ------------------------------------------------- */

static int bind_queue(cc_kernel *k, int type, const char *ep, void **out)
{
    int hwm = 0;   /* never blocks and never drops: what waits is bounded by cc_intake_full */
    *out = zmq_socket(k->zctx, type);
    zmq_setsockopt(*out, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(*out, ZMQ_RCVHWM, &hwm, sizeof hwm);
    return zmq_bind(*out, ep);
}

int cc_intake_start(cc_kernel *k, cc_replay *seen)
{
    in.k = k;
    in.seen = seen;
    if (bind_queue(k, ZMQ_PUSH, CC_INPROC_SHELL, &in.shell_push) < 0 ||
        bind_queue(k, ZMQ_PUSH, CC_INPROC_STDIN, &in.stdin_push) < 0 ||
        bind_queue(k, ZMQ_PUSH, CC_INPROC_INTAKE, &in.submit) < 0) {
        cc_log_error("cannot set up the inproc queues: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    in.pull = zmq_socket(k->zctx, ZMQ_PULL);
    int hwm = 0;
    zmq_setsockopt(in.pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_connect(in.pull, CC_INPROC_INTAKE) < 0 ||
        pthread_create(&in.thread, NULL, intake_main, NULL) != 0) {
        cc_log_error("cannot start the intake thread");
        return -1;
    }
    in.running = true;
    return 0;
}

void cc_intake_submit(cc_raw *r)
{
    atomic_fetch_add(&in.bytes, r->bytes);
    atomic_fetch_add(&in.msgs, 1);
    if (zmq_send(in.submit, &r, sizeof r, 0) != sizeof r) {
        cc_log_error("cannot queue a message for the intake: %s", zmq_strerror(zmq_errno()));
        atomic_fetch_sub(&in.bytes, r->bytes);
        atomic_fetch_sub(&in.msgs, 1);
        cc_raw_free(r);
    }
}

bool cc_intake_full(void)
{
    return atomic_load(&in.msgs) >= CC_INTAKE_MAX_MSGS || atomic_load(&in.bytes) >= CC_INTAKE_MAX_BYTES;
}

static void stop_subshell(subshell *s)
{
    cc_msg *none = NULL;
    zmq_send(s->push, &none, sizeof none, 0);
    zmq_close(s->push);
}

void cc_intake_stop(void)
{
    if (in.running) {
        cc_raw *none = NULL;
        atomic_store(&in.stopping, true);
        zmq_send(in.submit, &none, sizeof none, 0);
        pthread_join(in.thread, NULL);
        in.running = false;
        cc_raw *r;   /* anything sent after the stop marker */
        while (zmq_recv(in.pull, &r, sizeof r, ZMQ_DONTWAIT) == sizeof r)
            cc_raw_free(r);
    }
    pthread_mutex_lock(&subshells_mu);
    while (n_subshells)
        stop_subshell(&subshells[--n_subshells]);
    pthread_mutex_unlock(&subshells_mu);
    cc_msg *none = NULL;
    if (in.shell_push)
        zmq_send(in.shell_push, &none, sizeof none, 0);
}

void cc_intake_close(void)
{
    void *all[] = {in.submit, in.pull, in.shell_push, in.stdin_push};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            zmq_close(all[i]);
    memset(&in, 0, sizeof in);
}

/* ---- subshells ------------------------------------------------------------------ */

int cc_intake_subshell_create(cc_kernel *k, char id_out[37])
{
    char ep[96];
    int rc = -1;
    pthread_mutex_lock(&subshells_mu);
    if (n_subshells < CC_MAX_SUBSHELLS) {
        subshell *s = &subshells[n_subshells];
        cc_uuid4(s->id);
        snprintf(ep, sizeof ep, "inproc://cc-subshell-%s", s->id);
        if (bind_queue(k, ZMQ_PUSH, ep, &s->push) < 0 || !cc_subshell_start(k, s->id, ep)) {
            zmq_close(s->push);
        } else {
            memcpy(id_out, s->id, 37);
            n_subshells++;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&subshells_mu);
    return rc;
}

int cc_intake_subshell_delete(const char *id)
{
    pthread_mutex_lock(&subshells_mu);
    subshell *s = find_subshell(id);
    if (s) {
        stop_subshell(s);
        *s = subshells[--n_subshells];
    }
    pthread_mutex_unlock(&subshells_mu);
    return s ? 0 : -1;
}

json_t *cc_intake_subshell_list(void)
{
    json_t *a = json_array();
    pthread_mutex_lock(&subshells_mu);
    for (size_t i = 0; i < n_subshells; i++)
        json_array_append_new(a, json_string(subshells[i].id));
    pthread_mutex_unlock(&subshells_mu);
    return a;
}
