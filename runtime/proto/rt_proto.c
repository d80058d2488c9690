/* runtime/proto/rt_proto.c — frame encoding, decoding and pipe I/O for the
 * kernel ↔ runtime protocol (see rt_proto.h). Used by both processes. */
#include "rt_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building payloads ------------------------------------------------ */

void rt_buf_free(rt_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void buf_append(rt_buf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void rt_put_u32(rt_buf *b, uint32_t v) { buf_append(b, &v, sizeof v); }
void rt_put_u64(rt_buf *b, uint64_t v) { buf_append(b, &v, sizeof v); }
void rt_put_f64(rt_buf *b, double v) { buf_append(b, &v, sizeof v); }

void rt_put_bytes(rt_buf *b, const void *p, size_t n)
{
    rt_put_u32(b, (uint32_t)n);
    buf_append(b, p, n);
    buf_append(b, "", 1);   /* the NUL readers rely on */
}

void rt_put_str(rt_buf *b, const char *s)
{
    if (!s)
        s = "";
    rt_put_bytes(b, s, strlen(s));
}

/* ---- reading payloads ------------------------------------------------- */

void rt_reader_init(rt_reader *r, const char *payload, size_t len)
{
    r->p = payload;
    r->left = len;
    r->bad = 0;
}

static int take(rt_reader *r, void *out, size_t n)
{
    if (r->bad || r->left < n) {
        r->bad = 1;
        memset(out, 0, n);
        return -1;
    }
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
    return 0;
}

uint32_t rt_get_u32(rt_reader *r) { uint32_t v; take(r, &v, sizeof v); return v; }
uint64_t rt_get_u64(rt_reader *r) { uint64_t v; take(r, &v, sizeof v); return v; }
double rt_get_f64(rt_reader *r) { double v; take(r, &v, sizeof v); return v; }

const char *rt_get_str(rt_reader *r, size_t *n)
{
    uint32_t len = rt_get_u32(r);
    if (n)
        *n = 0;
    if (r->bad || r->left < (size_t)len + 1 || r->p[len] != '\0') {
        r->bad = 1;
        return "";
    }
    const char *s = r->p;
    r->p += (size_t)len + 1;
    r->left -= (size_t)len + 1;
    if (n)
        *n = len;
    return s;
}

/* ---- blocking pipe I/O ------------------------------------------------ */

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int rt_send(int fd, uint32_t type, const void *payload, size_t len)
{
    uint32_t hdr[2] = {type, (uint32_t)len};
    /* One write for small frames keeps them atomic on a pipe (≤ PIPE_BUF). */
    if (len <= 4096 - sizeof hdr) {
        char frame[4096];
        memcpy(frame, hdr, sizeof hdr);
        if (len)
            memcpy(frame + sizeof hdr, payload, len);
        return write_all(fd, frame, sizeof hdr + len);
    }
    if (write_all(fd, (const char *)hdr, sizeof hdr) < 0)
        return -1;
    return write_all(fd, payload, len);
}

int rt_send_buf(int fd, uint32_t type, const rt_buf *b)
{
    if (b->oom) {
        errno = ENOMEM;
        return -1;
    }
    return rt_send(fd, type, b->data, b->len);
}

/* 0 ok, 1 EOF before anything was read, -1 error or EOF mid-way. */
static int read_all(int fd, char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return got == 0 ? 1 : -1;
        got += (size_t)r;
    }
    return 0;
}

int rt_recv(int fd, uint32_t *type, char **payload, size_t *len)
{
    uint32_t hdr[2];
    int rc = read_all(fd, (char *)hdr, sizeof hdr);
    *payload = NULL;
    *len = 0;
    if (rc != 0)
        return rc;
    if (hdr[1] > RT_FRAME_MAX) {
        errno = EPROTO;
        return -1;
    }
    char *p = malloc((size_t)hdr[1] + 1);
    if (!p)
        return -1;
    if (read_all(fd, p, hdr[1]) != 0) {
        free(p);
        return -1;
    }
    p[hdr[1]] = '\0';
    *type = hdr[0];
    *payload = p;
    *len = hdr[1];
    return 0;
}

/* ---- non-blocking reassembly ------------------------------------------ */

long rt_inbuf_fill(rt_inbuf *in, int fd)
{
    long total = 0;
    for (;;) {
        if (in->cap - in->len < 4096) {
            size_t cap = in->cap ? in->cap * 2 : 8192;
            char *d = realloc(in->data, cap);
            if (!d)
                return total ? total : -1;
            in->data = d;
            in->cap = cap;
        }
        ssize_t r = read(fd, in->data + in->len, in->cap - in->len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (total)
                return total;
            return -1;
        }
        if (r == 0)
            return total;   /* end of file (0 when nothing came first) */
        in->len += (size_t)r;
        total += r;
    }
}

int rt_inbuf_next(rt_inbuf *in, uint32_t *type, char **payload, size_t *len)
{
    uint32_t hdr[2];
    if (in->len < sizeof hdr)
        return 0;
    memcpy(hdr, in->data, sizeof hdr);
    if (hdr[1] > RT_FRAME_MAX)
        return -1;
    size_t need = sizeof hdr + hdr[1];
    if (in->len < need)
        return 0;
    char *p = malloc((size_t)hdr[1] + 1);
    if (!p)
        return -1;
    memcpy(p, in->data + sizeof hdr, hdr[1]);
    p[hdr[1]] = '\0';
    memmove(in->data, in->data + need, in->len - need);
    in->len -= need;
    *type = hdr[0];
    *payload = p;
    *len = hdr[1];
    return 1;
}

void rt_inbuf_free(rt_inbuf *in)
{
    free(in->data);
    in->data = NULL;
    in->len = in->cap = 0;
}
