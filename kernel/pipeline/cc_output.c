/* kernel/pipeline/cc_output.c — the engine's side of the output interface
 * (cc_output.h): the one-error-per-cell rule, flushing streams before a
 * display or an error, and waiting with the interrupt wake fd. */
#include "cc_output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interrupt.h"
#include "xalloc.h"

void cc_out_write(cc_out *o, int fd, const char *data, size_t len)
{
    if (o && len)
        o->ops->stream(o->ctx, fd, data, len);
}

void cc_out_printf(cc_out *o, int fd, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    if (!o)
        return;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        cc_oom(0);
    cc_out_write(o, fd, s, (size_t)n);
    free(s);
}

void cc_out_flush(cc_out *o)
{
    if (o && o->ops->flush)
        o->ops->flush(o->ctx);
}

void cc_out_display(cc_out *o, cc_out_kind kind, json_t *bundle)
{
    if (!o) {
        json_decref(bundle);
        return;
    }
    cc_out_flush(o);
    o->ops->display(o->ctx, kind, bundle);
}

void cc_out_error(cc_out *o, const char *ename, const char *evalue, const char *traceback)
{
    if (!o)
        return;
    if (o->failed) {
        /* Exactly one error output per cell: later ones go to stderr. */
        cc_out_printf(o, 2, "%s: %s\n", ename, evalue ? evalue : "");
        return;
    }
    o->failed = true;
    cc_out_flush(o);
    o->ops->error(o->ctx, ename, evalue, traceback);
}

int cc_out_input(cc_out *o, const char *prompt, bool password, char **line)
{
    *line = NULL;
    if (!o || !o->ops->input)
        return CC_IN_REFUSED;
    int rc = o->ops->input(o->ctx, prompt, password, line);
    if (rc != CC_IN_OK) {
        free(*line);
        *line = NULL;
    }
    return rc;
}

static int tick(cc_out *o)
{
    return o && o->ops->tick ? o->ops->tick(o->ctx) : -1;
}

int cc_out_poll(cc_out *o, struct pollfd *fds, int nfds, int timeout_ms)
{
    struct pollfd p[16];
    if (nfds > 15)
        nfds = 15;
    if (nfds > 0)
        memcpy(p, fds, (size_t)nfds * sizeof *p);
    p[nfds] = (struct pollfd){cc_intr_wakefd(), POLLIN, 0};
    int limit = tick(o);
    if (limit >= 0 && (timeout_ms < 0 || timeout_ms > limit))
        timeout_ms = limit;
    int rc = poll(p, (nfds_t)nfds + 1, timeout_ms);
    if (rc < 0 && errno == EINTR)
        rc = 0;
    for (int i = 0; i < nfds; i++)
        fds[i].revents = p[i].revents;
    tick(o);
    return rc;
}
