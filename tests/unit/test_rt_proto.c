/* tests/unit/test_rt_proto.c — the kernel ↔ runtime frame protocol
 * (runtime/proto/rt_proto.c): field encoding, blocking send/recv over a pipe, and
 * non-blocking reassembly of frames that arrive in pieces. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_proto.h"
#include "tap.h"

static void test_fields(void)
{
    rt_buf b = {0};
    static const char bin[] = {'a', '\0', 'b'};
    rt_put_u32(&b, 7);
    rt_put_str(&b, "hello");
    rt_put_bytes(&b, bin, sizeof bin);
    rt_put_u64(&b, 1ull << 40);
    rt_put_f64(&b, 2.5);
    rt_put_str(&b, NULL);

    rt_reader r;
    size_t n = 0;
    rt_reader_init(&r, b.data, b.len);
    CHECK(rt_get_u32(&r) == 7, "u32 round trip");
    CHECK_STR(rt_get_str(&r, &n), "hello", "string round trip");
    CHECK(n == 5, "string length reported");
    const char *p = rt_get_str(&r, &n);
    CHECK(n == 3 && memcmp(p, bin, 3) == 0, "binary bytes with a NUL survive");
    CHECK(rt_get_u64(&r) == (1ull << 40), "u64 round trip");
    CHECK(rt_get_f64(&r) == 2.5, "f64 round trip");
    CHECK_STR(rt_get_str(&r, NULL), "", "NULL string reads as empty");
    CHECK(!r.bad && r.left == 0, "payload consumed exactly");
    CHECK(rt_get_u32(&r) == 0 && r.bad, "reading past the end flags bad and yields 0");
    CHECK_STR(rt_get_str(&r, NULL), "", "string past the end is empty");

    /* A string whose length runs past the payload. */
    rt_buf t = {0};
    rt_put_u32(&t, 1000);
    rt_reader_init(&r, t.data, t.len);
    rt_get_str(&r, NULL);
    CHECK(r.bad, "truncated string detected");
    rt_buf_free(&t);
    rt_buf_free(&b);
}

static void test_pipe(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    rt_buf b = {0};
    rt_put_str(&b, "/cache/cell-abc.so");
    CHECK(rt_send_buf(p[1], RT_C_LOAD, &b) == 0, "send a frame");
    CHECK(rt_send(p[1], RT_R_INPUT, NULL, 0) == 0, "send an empty frame");
    close(p[1]);
    uint32_t type = 0;
    char *payload = NULL;
    size_t len = 0;
    CHECK(rt_recv(p[0], &type, &payload, &len) == 0 && type == RT_C_LOAD, "receive it back");
    rt_reader r;
    rt_reader_init(&r, payload, len);
    CHECK_STR(rt_get_str(&r, NULL), "/cache/cell-abc.so", "payload intact");
    free(payload);
    CHECK(rt_recv(p[0], &type, &payload, &len) == 0 && type == RT_R_INPUT && len == 0, "empty frame");
    free(payload);
    CHECK(rt_recv(p[0], &type, &payload, &len) == 1, "clean end of file reported as 1");
    close(p[0]);
    rt_buf_free(&b);

    /* A frame larger than the pipe buffer, read by the kernel side in pieces. */
    CHECK(pipe(p) == 0, "second pipe");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    size_t big = 300000;
    char *blob = malloc(big);
    for (size_t i = 0; i < big; i++)
        blob[i] = (char)(i * 7);
    rt_inbuf in = {0};
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        rt_send(p[1], RT_R_ERROR, blob, big);
        rt_send(p[1], RT_R_DONE, "x", 1);
        _exit(0);
    }
    close(p[1]);
    int frames = 0, ok = 1, eof = 0;
    while (!eof) {
        long got = rt_inbuf_fill(&in, p[0]);
        if (got == 0)
            eof = 1;
        else if (got < 0 && errno == EAGAIN)
            usleep(1000);
        while (rt_inbuf_next(&in, &type, &payload, &len) == 1) {
            if (frames == 0)
                ok = ok && type == RT_R_ERROR && len == big && memcmp(payload, blob, big) == 0;
            else
                ok = ok && type == RT_R_DONE && len == 1 && payload[0] == 'x' && payload[1] == '\0';
            frames++;
            free(payload);
        }
    }
    CHECK(frames == 2 && ok, "a 300 kB frame and a small one reassembled from pieces");
    CHECK(in.len == 0, "nothing left over");
    close(p[0]);
    waitpid(pid, NULL, 0);
    rt_inbuf_free(&in);
    free(blob);

    /* A header announcing an absurd length is corruption. */
    rt_inbuf bad = {0};
    uint32_t hdr[2] = {RT_R_DONE, RT_FRAME_MAX + 1u};
    bad.data = malloc(sizeof hdr);
    memcpy(bad.data, hdr, sizeof hdr);
    bad.len = bad.cap = sizeof hdr;
    CHECK(rt_inbuf_next(&bad, &type, &payload, &len) == -1, "oversized frame is rejected");
    rt_inbuf_free(&bad);
}

int main(void)
{
    test_fields();
    test_pipe();
    return tap_done();
}
