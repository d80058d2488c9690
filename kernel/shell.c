/* kernel/shell.c — shell worker threads: the main shell, and one thread per
 * subshell (JEP 91). Each takes its requests in order from its own queue
 * (the intake routes by header.subshell_id), wraps each in iopub busy/idle
 * and dispatches by msg_type. After an execute error with stop_on_error,
 * the executes already queued are answered "aborted", as ipykernel does. */
#include "shell.h"

#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "complete.h"
#include "execute_request.h"
#include "info.h"
#include "interrupt.h"
#include "log.h"
#include "server.h"
#include "services.h"

struct cc_worker {
    cc_kernel *k;
    char endpoint[96];   /* inproc queue this worker reads */
    bool is_main;
    pthread_t thread;
};

static atomic_bool worker_done;
static atomic_int live_subshells;
static void *stdin_pull;

bool cc_worker_done(void) { return atomic_load(&worker_done); }

int cc_worker_input(cc_kernel *k, const cc_msg *req, const char *prompt, bool password, char **line)
{
    void *sock = stdin_pull;
    cc_msg *m;
    *line = NULL;
    /* Forget replies to earlier requests. */
    while (zmq_recv(sock, &m, sizeof m, ZMQ_DONTWAIT) == sizeof m)
        cc_msg_free(m);
    cc_send(k, CC_CH_STDIN, cc_msg_new("input_request", req,
            json_pack("{s:s,s:b}", "prompt", prompt ? prompt : "", "password", password)));
    for (;;) {
        if (cc_intr_count())
            return -2;
        if (k->shutting_down)
            return -3;
        zmq_pollitem_t it[2] = {{sock, 0, ZMQ_POLLIN, 0}, {NULL, cc_intr_wakefd(), ZMQ_POLLIN, 0}};
        if (zmq_poll(it, 2, 500) <= 0)
            continue;
        if (!(it[0].revents & ZMQ_POLLIN))
            continue;
        if (zmq_recv(sock, &m, sizeof m, 0) != sizeof m)
            continue;
        const char *v = json_string_value(json_object_get(m->content, "value"));
        *line = strdup(v ? v : "");
        cc_msg_free(m);
        return 0;
    }
}

static const char *content_str(const cc_msg *m, const char *key, const char *dflt)
{
    const char *v = json_string_value(json_object_get(m->content, key));
    return v ? v : dflt;
}

static int content_int(const cc_msg *m, const char *key, int dflt)
{
    json_t *v = json_object_get(m->content, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static void reply(cc_kernel *k, const cc_msg *req, const char *type, json_t *content)
{
    cc_send(k, CC_CH_SHELL, cc_msg_new(type, req, content));
}

/* Returns true when an execute failed and asked to stop on error; then
 * *reply_seq is the server's shell count when its reply left. */
static bool dispatch(cc_kernel *k, const cc_msg *m, unsigned long *reply_seq)
{
    const char *t = cc_msg_type(m);
    cc_services *svc = k->svc;
    bool stop = false;

    if (strcmp(t, "execute_request") == 0) {
        json_t *rep = NULL;
        stop = cc_execute_request(k, svc, m, &rep);
        *reply_seq = cc_server_shell_seq();   /* as the reply leaves */
        reply(k, m, "execute_reply", rep);
    } else if (strcmp(t, "kernel_info_request") == 0) {
        reply(k, m, "kernel_info_reply", cc_info_kernel_info());
    } else if (strcmp(t, "is_complete_request") == 0) {
        reply(k, m, "is_complete_reply", cc_is_complete(content_str(m, "code", "")));
    } else if (strcmp(t, "complete_request") == 0) {
        const char *code = content_str(m, "code", "");
        pthread_rwlock_rdlock(&svc->names_lock);
        json_t *r = cc_complete(code, content_int(m, "cursor_pos", (int)strlen(code)), svc->session);
        pthread_rwlock_unlock(&svc->names_lock);
        reply(k, m, "complete_reply", r);
    } else if (strcmp(t, "inspect_request") == 0) {
        const char *code = content_str(m, "code", "");
        pthread_rwlock_rdlock(&svc->names_lock);
        json_t *r = cc_inspect(code, content_int(m, "cursor_pos", (int)strlen(code)),
                               content_int(m, "detail_level", 0), svc->session);
        pthread_rwlock_unlock(&svc->names_lock);
        reply(k, m, "inspect_reply", r);
    } else if (strcmp(t, "history_request") == 0) {
        pthread_mutex_lock(&svc->count_lock);
        json_t *r = cc_info_history(svc, m->content);
        pthread_mutex_unlock(&svc->count_lock);
        reply(k, m, "history_reply", r);
    } else if (strcmp(t, "comm_info_request") == 0) {
        reply(k, m, "comm_info_reply", cc_info_comm_info());
    } else if (strcmp(t, "comm_open") == 0) {
        /* No comm targets exist: close it, as ipykernel does. */
        json_t *id = json_object_get(m->content, "comm_id");
        cc_send(k, CC_CH_IOPUB, cc_msg_new("comm_close", m,
                json_pack("{s:O?,s:{}}", "comm_id", id, "data")));
    } else if (strcmp(t, "comm_msg") == 0 || strcmp(t, "comm_close") == 0) {
        /* nothing listens */
    } else {
        cc_log_warn_limited("unknown shell type", "unknown shell message type '%s' ignored", t);
    }
    return stop;
}

static void abort_request(cc_kernel *k, const cc_msg *m)
{
    const char *t = cc_msg_type(m);
    size_t n = strlen(t);
    char rt[64];
    if (n > 8 && strcmp(t + n - 8, "_request") == 0 && n < sizeof rt) {
        memcpy(rt, t, n - 8);
        strcpy(rt + n - 8, "_reply");
        reply(k, m, rt, json_pack("{s:s}", "status", "aborted"));
    }
}

static void *worker_main(void *arg)
{
    cc_worker *w = arg;
    cc_kernel *k = w->k;
    void *pull = zmq_socket(k->zctx, ZMQ_PULL);
    zmq_connect(pull, w->endpoint);
    if (w->is_main) {
        stdin_pull = zmq_socket(k->zctx, ZMQ_PULL);
        zmq_connect(stdin_pull, CC_INPROC_STDIN);
    }

    /* After a failed execute with stop_on_error, the executes the server
     * received before its reply left (seq ≤ abort_upto) are answered
     * "aborted"; other requests are still served. They may reach this queue
     * after the reply (the intake decodes them first), hence the mark. */
    unsigned long abort_upto = 0;
    for (;;) {
        cc_msg *m;
        if (zmq_recv(pull, &m, sizeof m, 0) != sizeof m) {
            if (zmq_errno() == EINTR)
                continue;
            break;
        }
        if (!m)
            break;
        unsigned long reply_seq = 0;
        cc_send_status(k, m, "busy");
        if (m->seq <= abort_upto && strcmp(cc_msg_type(m), "execute_request") == 0)
            abort_request(k, m);
        else if (dispatch(k, m, &reply_seq))
            abort_upto = reply_seq;
        cc_send_status(k, m, "idle");
        cc_msg_free(m);
        if (k->shutting_down)
            break;
    }

    /* Free what is still queued. */
    cc_msg *m;
    while (zmq_recv(pull, &m, sizeof m, ZMQ_DONTWAIT) == sizeof m)
        cc_msg_free(m);
    zmq_close(pull);
    cc_send_thread_done();
    if (!w->is_main) {
        atomic_fetch_sub(&live_subshells, 1);
        free(w);
        return NULL;
    }
    while (zmq_recv(stdin_pull, &m, sizeof m, ZMQ_DONTWAIT) == sizeof m)
        cc_msg_free(m);
    zmq_close(stdin_pull);
    /* Subshells share the services: give them a moment to finish. */
    for (int i = 0; i < 200 && atomic_load(&live_subshells) > 0; i++)
        usleep(10000);
    if (atomic_load(&live_subshells) == 0) {
        cc_services_free(k->svc);
        k->svc = NULL;
    }
    atomic_store(&worker_done, true);
    return NULL;
}

int cc_worker_start(cc_kernel *k, pthread_t *th)
{
    static cc_worker main_worker;
    k->svc = cc_services_new(k->exe_dir);
    if (!k->svc)
        return -1;
    main_worker.k = k;
    main_worker.is_main = true;
    snprintf(main_worker.endpoint, sizeof main_worker.endpoint, "%s", CC_INPROC_SHELL);
    return pthread_create(th, NULL, worker_main, &main_worker) == 0 ? 0 : -1;
}

cc_worker *cc_subshell_start(cc_kernel *k, const char *id, const char *endpoint)
{
    cc_worker *w = calloc(1, sizeof *w);
    (void)id;
    if (!w)
        return NULL;
    w->k = k;
    snprintf(w->endpoint, sizeof w->endpoint, "%s", endpoint);
    atomic_fetch_add(&live_subshells, 1);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        atomic_fetch_sub(&live_subshells, 1);
        free(w);
        return NULL;
    }
    pthread_detach(w->thread);   /* it frees itself when told to stop */
    return w;
}
