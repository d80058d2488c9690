/* runtime/proto/rt_proto.h — the framed protocol between the kernel and the
 * runtime process, shared by both sides.
 *
 * Pipes: fd 3 of the runtime carries commands (kernel → runtime), fd 4
 * carries replies (runtime → kernel); stdout/stderr are plain byte pipes.
 * The runtime moves 3 and 4 to private high fds at start (rt_proc.h);
 * libcudacell asks it where they are (cudacell_runtime_fds).
 * A frame is a header of two native-endian uint32 (type, payload length)
 * followed by the payload. Payloads are built from fields: u32, u64, f64,
 * and length-prefixed byte strings (binary-safe; a reader sees them
 * NUL-terminated for convenience). Both ends are the same machine, so native
 * byte order is fine. */
#ifndef RT_PROTO_H
#define RT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define RT_CMD_FD 3
#define RT_REPLY_FD 4
#define RT_FRAME_MAX (64u << 20)   /* a larger frame is a protocol error */

/* The runtime's exit status when a cell closed its channel to the kernel. */
#define RT_EXIT_CHANNEL_CLOSED 117

/* Commands, kernel → runtime. */
enum {
    RT_C_LOAD = 1,     /* str path. Reply DONE (ret 0) or ERROR. */
    RT_C_RUN = 2,      /* u32 flags, str path, str cwd, u32 argc + strs,
                        * u32 envc + strs ("K=V"). Reply: DONE, ERROR or
                        * INTERRUPTED, after any INPUT requests / TIMEIT. */
    RT_C_INPUT = 3,    /* u32 status (RT_IN_*), str line (with its "\n") */
    RT_C_DISPLAY_ACK = 4, /* empty: an RT_R_DISPLAY was published (the cell's
                           * stdout/stderr before it went first); the
                           * display call may return */
};
#define RT_RUN_CUDA 1u
#define RT_RUN_TIMEIT 2u

enum { RT_IN_LINE = 0, RT_IN_EOF = 1 };

/* Replies, runtime → kernel. */
enum {
    RT_R_DONE = 101,        /* i32 main's return value (as u32), f64 run_ms */
    RT_R_ERROR = 102,       /* str ename, str message, u32 sticky, f64 run_ms */
    RT_R_INTERRUPTED = 103, /* f64 run_ms */
    RT_R_INPUT = 104,       /* the cell reads stdin: please send RT_C_INPUT */
    RT_R_TIMEIT = 105,      /* u64 loops, u32 repeats, f64 mean_ns, f64 std_ns */
    RT_R_NOTE = 106,        /* str: what is about to kill the runtime (e.g. stack overflow) */
    RT_R_DISPLAY = 107,     /* str msg_type, str content JSON (libcudacell) */
    RT_R_CRASH = 108,       /* sent by a dying runtime (runtime/rt_crash.c): u32 signal,
                             * u32 si_code, u64 fault address, u64 frames in all,
                             * u32 gap_at (where frames left out of the list belong),
                             * u32 nobj + strs (object paths), u32 nframes +
                             * (u32 object index or RT_CRASH_NO_OBJ, u64 offset in it
                             * or the raw address); innermost first, the first is the
                             * faulting PC, the others return addresses */
};
#define RT_CRASH_NO_OBJ 0xffffffffu

/* A growable payload under construction. Owns data (free with rt_buf_free). */
typedef struct rt_buf {
    char *data;
    size_t len, cap;
    int oom;            /* an allocation failed: the frame must not be sent */
} rt_buf;

void rt_buf_free(rt_buf *b);
void rt_put_u32(rt_buf *b, uint32_t v);
void rt_put_u64(rt_buf *b, uint64_t v);
void rt_put_f64(rt_buf *b, double v);
void rt_put_bytes(rt_buf *b, const void *p, size_t n);   /* length-prefixed */
void rt_put_str(rt_buf *b, const char *s);                /* NULL counts as "" */

/* Reading a received payload (borrowed). Any underrun sets bad and yields
 * zeros / "" so callers check bad once at the end. */
typedef struct rt_reader {
    const char *p;
    size_t left;
    int bad;
} rt_reader;

void rt_reader_init(rt_reader *r, const char *payload, size_t len);
uint32_t rt_get_u32(rt_reader *r);
uint64_t rt_get_u64(rt_reader *r);
double rt_get_f64(rt_reader *r);
/* Pointer into the payload; *n (may be NULL) gets the length. The bytes are
 * followed by a NUL the writer added, so strings can be used in place. */
const char *rt_get_str(rt_reader *r, size_t *n);

/* Blocking: write a whole frame (retries EINTR and short writes).
 * Returns 0, or -1 with errno. */
int rt_send(int fd, uint32_t type, const void *payload, size_t len);
int rt_send_buf(int fd, uint32_t type, const rt_buf *b);

/* Blocking: read one whole frame. *payload is malloc'd (caller frees),
 * NUL-terminated past len. Returns 0, 1 at clean end of file, -1 on error. */
int rt_recv(int fd, uint32_t *type, char **payload, size_t *len);

/* Non-blocking reassembly for the kernel side: feed what a non-blocking fd
 * has, take whole frames out. Owns its buffer. */
typedef struct rt_inbuf {
    char *data;
    size_t len, cap;
} rt_inbuf;

/* Read everything available. Returns bytes read (>0), 0 at end of file,
 * -1 with errno EAGAIN when nothing is there, -1 on other errors. */
long rt_inbuf_fill(rt_inbuf *in, int fd);
/* Take the next complete frame: 1 and a malloc'd *payload (NUL-terminated
 * past len), 0 when none is complete, -1 when the stream is corrupt. */
int rt_inbuf_next(rt_inbuf *in, uint32_t *type, char **payload, size_t *len);
void rt_inbuf_free(rt_inbuf *in);

#endif
