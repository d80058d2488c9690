/* runtime/rt_stdin.c — owns the runtime's `stdin`: a fopencookie stream
 * whose read callback flushes stdout/stderr (the prompt a program printed is
 * already on screen), sends RT_R_INPUT to the kernel and blocks for the
 * RT_C_INPUT reply: one line (with its "\n") or end-of-file. SIGINT is held
 * back during the exchange so the two pipes never carry half a frame; a
 * pending interrupt is taken as soon as the reply is in. */
#include "rt_stdin.h"

#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_proc.h"
#include "rt_proto.h"

/* The part of the last reply not yet handed to stdio (a line longer than
 * stdio's buffer). Owned here; freed when consumed. */
static char *pending;
static size_t pending_len, pending_off;

static void drop_pending(void)
{
    free(pending);
    pending = NULL;
    pending_len = pending_off = 0;
}

/* Ask the kernel for one line. Returns a malloc'd line (with "\n") and its
 * length in *n, or NULL at end of input. */
static char *ask_kernel(size_t *n)
{
    sigset_t block, old;
    uint32_t type = 0;
    char *payload = NULL;
    size_t len = 0;
    char *line = NULL;

    *n = 0;
    fflush(stdout);
    fflush(stderr);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (rt_send(rt_reply_fd, RT_R_INPUT, NULL, 0) < 0)
        rt_proc_channel_failed();
    for (;;) {
        int rc = rt_recv(rt_cmd_fd, &type, &payload, &len);
        if (rc != 0)
            rt_proc_channel_failed();
        if (type == RT_C_INPUT)
            break;
        free(payload);   /* nothing else is expected mid-cell; ignore it */
    }
    rt_reader r;
    rt_reader_init(&r, payload, len);
    uint32_t status = rt_get_u32(&r);
    size_t ln = 0;
    const char *s = rt_get_str(&r, &ln);
    if (!r.bad && status == RT_IN_LINE && (line = malloc(ln + 1))) {
        memcpy(line, s, ln + 1);
        *n = ln;
    }
    free(payload);
    sigprocmask(SIG_SETMASK, &old, NULL);   /* a held SIGINT is taken here */
    return line;
}

static ssize_t stdin_read(void *cookie, char *buf, size_t size)
{
    (void)cookie;
    if (!pending) {
        size_t n;
        pending = ask_kernel(&n);
        if (!pending)
            return 0;
        pending_len = n;
        pending_off = 0;
    }
    size_t k = pending_len - pending_off;
    if (k > size)
        k = size;
    memcpy(buf, pending + pending_off, k);
    pending_off += k;
    if (pending_off >= pending_len)
        drop_pending();
    return (ssize_t)k;
}

static int stdin_close(void *cookie)
{
    (void)cookie;
    drop_pending();
    return 0;
}

int rt_stdin_install(void)
{
    cookie_io_functions_t io = {.read = stdin_read, .write = NULL, .seek = NULL, .close = stdin_close};
    FILE *f = fopencookie(NULL, "r", io);
    if (!f)
        return -1;
    stdin = f;
    return 0;
}

void rt_stdin_new_cell(void)
{
    drop_pending();
    __fpurge(stdin);
    clearerr(stdin);
}
