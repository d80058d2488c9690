/* kernel/server/shell.c — shell worker threads: the main shell, and one thread per
 * subshell (JEP 91). Each takes its requests in order from its own queue
 * (the intake routes by header.subshell_id) and answers each through the
 * dispatch table (dispatch.c: busy/idle, locks, handler). After an execute
 * error with stop_on_error, the executes already queued are answered
 * "aborted", as ipykernel does: the worker keeps that mark. */
#include "shell.h"

#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "dispatch.h"
#include "info.h"
#include "interrupt.h"
#include "services.h"
#include "xalloc.h"

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
        *line = cc_xstrdup(v ? v : "");
        cc_msg_free(m);
        return 0;
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
    if (w->is_main)
        cc_services_warm(k->svc);   /* off the path to readiness: requests queue meanwhile */
    for (;;) {
        cc_msg *m;
        if (zmq_recv(pull, &m, sizeof m, 0) != sizeof m) {
            if (zmq_errno() == EINTR)
                continue;
            break;
        }
        if (!m)
            break;
        cc_request r = {.k = k, .msg = m, .ch = CC_CH_SHELL, .abort_upto = abort_upto};
        cc_dispatch(&r);
        if (r.stop)
            abort_upto = r.reply_seq;
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
    k->svc = cc_services_new(k->exe_dir, cc_info_probe());
    if (!k->svc)
        return -1;
    main_worker.k = k;
    main_worker.is_main = true;
    snprintf(main_worker.endpoint, sizeof main_worker.endpoint, "%s", CC_INPROC_SHELL);
    return pthread_create(th, NULL, worker_main, &main_worker) == 0 ? 0 : -1;
}

cc_worker *cc_subshell_start(cc_kernel *k, const char *id, const char *endpoint)
{
    cc_worker *w = cc_xcalloc(1, sizeof *w);
    (void)id;
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
