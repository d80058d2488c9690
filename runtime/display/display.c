/* runtime/display/display.c — the public display calls of cudacell.h and
 * the one path every message takes to the kernel: rt_display_send writes an
 * RT_R_DISPLAY frame (str msg_type, str content JSON) on the runtime's reply
 * fd. The kernel relays it as an IOPub message whose parent is the running
 * execute request, then sends RT_C_DISPLAY_ACK on the command fd, which the
 * call waits for. The runtime keeps both at private numbers and says which
 * through cudacell_runtime_fds (runtime/rt_proc.c); without that function
 * (not in the runtime) they are RT_CMD_FD / RT_REPLY_FD. Tests replace the sink and the clock (rt_display.h). */
#include "rt_display.h"
#include "cudacell.h"
#include "rt_proto.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t rt_send_lock = PTHREAD_MUTEX_INITIALIZER;
static rt_display_sink rt_sink;
static void *rt_sink_ud;
static rt_display_clock rt_clock;
static int rt_send_failed;   /* warn about a broken channel once */

/* ---- hooks, clock, messages ---------------------------------------------- */

void rt_display_set_sink(rt_display_sink sink, void *ud)
{
    pthread_mutex_lock(&rt_send_lock);
    rt_sink = sink;
    rt_sink_ud = ud;
    pthread_mutex_unlock(&rt_send_lock);
}

void rt_display_set_clock(rt_display_clock clock) { rt_clock = clock; }

double rt_display_now(void)
{
    if (rt_clock)
        return rt_clock();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void rt_display_warn(const char *fn, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "cudacell: %s: ", fn);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* The runtime's channel fds (looked up once; under rt_send_lock). */
static void channel_fds(int *cmd, int *reply)
{
    static int cached, cmd_fd = RT_CMD_FD, reply_fd = RT_REPLY_FD;
    if (!cached) {
        void (*get)(int *, int *);
        *(void **)&get = dlsym(RTLD_DEFAULT, "cudacell_runtime_fds");
        if (get)
            get(&cmd_fd, &reply_fd);
        cached = 1;
    }
    *cmd = cmd_fd;
    *reply = reply_fd;
}

/* The kernel answers each RT_R_DISPLAY with RT_C_DISPLAY_ACK on the command
 * fd once it has published the message, after draining the cell's stdout and
 * stderr pipes: waiting for it keeps printf / display / printf in order.
 * Called with rt_send_lock held, so acks pair with frames. */
static void wait_ack(int cmd_fd)
{
    uint32_t type = 0;
    char *payload = NULL;
    size_t len = 0;
    int rc = rt_recv(cmd_fd, &type, &payload, &len);
    free(payload);
    if (rc == 0 && type != RT_C_DISPLAY_ACK)
        rt_display_warn("display", "the kernel sent command %u where it should have "
                        "acknowledged a display message; the display may be out of order.",
                        (unsigned)type);
}

int rt_display_send(const char *msg_type, const char *content_json)
{
    int rc;
    sigset_t block, old;

    fflush(stdout);   /* what the cell printed before comes first */
    fflush(stderr);

    rt_buf b = {0};
    rt_put_str(&b, msg_type);
    rt_put_str(&b, content_json);
    if (!b.oom && b.len > RT_FRAME_MAX) {
        rt_display_warn(msg_type, "this output is %.1f MB, more than the %u MB one display "
                        "can carry, so it was not sent. Display something smaller (for "
                        "an image, scale it down first).",
                        (double)b.len / (1 << 20), RT_FRAME_MAX >> 20);
        rt_buf_free(&b);
        return -1;
    }

    /* No SIGINT inside: the runtime answers it with a siglongjmp out of the
     * cell, which must not leave the lock held or half a frame written. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_mutex_lock(&rt_send_lock);
    if (rt_sink)
        rc = b.oom ? -1 : rt_sink(msg_type, content_json, rt_sink_ud);
    else {
        int cmd_fd, reply_fd;
        channel_fds(&cmd_fd, &reply_fd);
        if ((rc = rt_send_buf(reply_fd, RT_R_DISPLAY, &b)) == 0)
            wait_ack(cmd_fd);
    }
    int err = b.oom ? ENOMEM : errno;
    int first_failure = rc < 0 && !rt_send_failed;
    if (rc < 0)
        rt_send_failed = 1;
    pthread_mutex_unlock(&rt_send_lock);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    rt_buf_free(&b);

    if (first_failure)
        rt_display_warn(msg_type, "could not send the output to the notebook (%s). The "
                        "cudacell display calls work only in cells run by the cudacell "
                        "kernel; outside it their output goes nowhere.",
                        strerror(err));
    return rc;
}

/* ---- MIME bundles ----------------------------------------------------------- */

void rt_bundle_begin(rt_str *b) { rt_str_puts(b, "{\"data\": {"); }

void rt_bundle_add(rt_str *b, const char *mime, const char *text)
{
    if (b->len && b->s[b->len - 1] != '{')
        rt_str_puts(b, ", ");
    rt_json_str(b, mime);
    rt_str_puts(b, ": ");
    rt_json_str(b, text);
}

void rt_bundle_add_raw(rt_str *b, const char *mime, const char *json)
{
    if (b->len && b->s[b->len - 1] != '{')
        rt_str_puts(b, ", ");
    rt_json_str(b, mime);
    rt_str_puts(b, ": ");
    rt_str_puts(b, json);
}

void rt_bundle_end(rt_str *b, const char *metadata_json, const char *id)
{
    rt_str_puts(b, "}, \"metadata\": ");
    rt_str_puts(b, metadata_json ? metadata_json : "{}");
    if (id) {
        rt_str_puts(b, ", \"transient\": {\"display_id\": ");
        rt_json_str(b, id);
        rt_str_putc(b, '}');
    }
    rt_str_putc(b, '}');
}

int rt_bundle_send(rt_str *b, const char *msg_type)
{
    int rc = -1;
    if (b->oom)
        rt_display_warn(msg_type, "out of memory while building the output; nothing was sent");
    else
        rc = rt_display_send(msg_type, b->s);
    rt_str_free(b);
    return rc;
}

/* ---- display ids ---------------------------------------------------------- */

/* Ids handed to users by cc_display_new: owned here, freed at exit. */
typedef struct id_node {
    struct id_node *next;
    char id[];
} id_node;
static id_node *rt_ids;
static pthread_mutex_t rt_id_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned rt_id_seq;

char *rt_display_new_id(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    pthread_mutex_lock(&rt_id_lock);
    unsigned seq = ++rt_id_seq;
    pthread_mutex_unlock(&rt_id_lock);
    rt_str b = {0};
    rt_str_printf(&b, "cudacell-%ld-%llx-%u", (long)getpid(),
                  (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec,
                  seq);
    return rt_str_take(&b);
}

__attribute__((destructor)) static void free_ids(void)
{
    while (rt_ids) {
        id_node *n = rt_ids;
        rt_ids = n->next;
        free(n);
    }
}

/* ---- one-shot displays ------------------------------------------------------ */

/* html with its tags left out and the common entities decoded: the
 * text/plain fallback of HTML (malloc'd, caller frees). */
static char *html_to_text(const char *html)
{
    static const struct { const char *ent, *ch; } ents[] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""},
        {"&#39;", "'"}, {"&nbsp;", " "},
    };
    rt_str b = {0};
    int in_tag = 0;
    for (const char *p = html; *p; p++) {
        if (in_tag) {
            in_tag = *p != '>';
            continue;
        }
        if (*p == '<') {
            in_tag = 1;
            continue;
        }
        int matched = 0;
        for (size_t i = 0; *p == '&' && !matched && i < sizeof ents / sizeof ents[0]; i++) {
            size_t n = strlen(ents[i].ent);
            if (strncmp(p, ents[i].ent, n) == 0) {
                rt_str_puts(&b, ents[i].ch);
                p += n - 1;
                matched = 1;
            }
        }
        if (!matched)
            rt_str_putc(&b, *p);
    }
    return rt_str_take(&b);
}

/* One display_data (or update_display_data when id is given) with a
 * text/plain fallback. */
static void send_mime(const char *fn, const char *msg_type, const char *mime,
                      const char *value, const char *plain, const char *id)
{
    rt_str b = {0};
    (void)fn;
    rt_bundle_begin(&b);
    if (mime)
        rt_bundle_add(&b, mime, value);
    rt_bundle_add(&b, "text/plain", plain);
    rt_bundle_end(&b, NULL, id);
    rt_bundle_send(&b, msg_type);
}

static int null_arg(const char *fn, const void *arg, const char *what)
{
    if (arg)
        return 0;
    rt_display_warn(fn, "the %s argument is NULL, so nothing was shown. Pass %s.", what,
                    strcmp(what, "png") == 0 || strcmp(what, "jpeg") == 0
                        ? "a pointer to the encoded image bytes"
                        : "a NUL-terminated string");
    return 1;
}

static void send_html(const char *fn, const char *msg_type, const char *html, const char *id)
{
    char *plain = html_to_text(html);
    if (!plain) {
        rt_display_warn(fn, "out of memory; nothing was shown");
        return;
    }
    send_mime(fn, msg_type, "text/html", html, plain, id);
    free(plain);
}

void cc_display_html(const char *html)
{
    if (!null_arg("cc_display_html", html, "html"))
        send_html("cc_display_html", "display_data", html, NULL);
}

void cc_display_markdown(const char *md)
{
    if (!null_arg("cc_display_markdown", md, "md"))
        send_mime("cc_display_markdown", "display_data", "text/markdown", md, md, NULL);
}

void cc_display_latex(const char *tex)
{
    if (!null_arg("cc_display_latex", tex, "tex"))
        send_mime("cc_display_latex", "display_data", "text/latex", tex, tex, NULL);
}

void cc_display_svg(const char *svg)
{
    if (!null_arg("cc_display_svg", svg, "svg"))
        send_mime("cc_display_svg", "display_data", "image/svg+xml", svg, "<SVG image>", NULL);
}

void cc_display_text(const char *text)
{
    if (!null_arg("cc_display_text", text, "text"))
        send_mime("cc_display_text", "display_data", NULL, NULL, text, NULL);
}

void cc_display_json(const char *json_text)
{
    size_t at = 0;
    if (null_arg("cc_display_json", json_text, "json_text"))
        return;
    if (!rt_json_valid(json_text, &at)) {
        rt_display_warn("cc_display_json", "the text is not valid JSON (the problem is at "
                        "byte %zu: \"%.20s\"), so nothing was shown. Check the quoting: keys "
                        "and strings need double quotes, escaped as \\\" inside a C string.",
                        at, json_text + at);
        return;
    }
    rt_str b = {0};
    rt_bundle_begin(&b);
    rt_bundle_add_raw(&b, "application/json", json_text);
    rt_bundle_add(&b, "text/plain", json_text);
    rt_bundle_end(&b, NULL, NULL);
    rt_bundle_send(&b, "display_data");
}

/* An encoded image (PNG or JPEG bytes) as base64. */
static void send_image(const char *mime, const void *data, size_t len, const char *plain)
{
    rt_str b = {0};
    rt_bundle_begin(&b);
    rt_json_str(&b, mime);
    rt_str_puts(&b, ": \"");
    rt_base64(&b, data, len);
    rt_str_putc(&b, '"');
    rt_bundle_add(&b, "text/plain", plain);
    rt_bundle_end(&b, NULL, NULL);
    rt_bundle_send(&b, "display_data");
}

void cc_display_png(const void *png, size_t len)
{
    uint32_t w, h;
    char plain[96];
    if (null_arg("cc_display_png", png, "png"))
        return;
    if (rt_png_size(png, len, &w, &h) < 0) {
        rt_display_warn("cc_display_png", "these %zu bytes are not a PNG file (a PNG starts "
                        "with the bytes 89 50 4E 47 and an IHDR chunk), so nothing was shown. "
                        "For raw pixels use cc_display_image(pixels, width, height, channels).",
                        len);
        return;
    }
    snprintf(plain, sizeof plain, "<PNG image %ux%u>", (unsigned)w, (unsigned)h);
    send_image("image/png", png, len, plain);
}

void cc_display_jpeg(const void *jpeg, size_t len)
{
    const unsigned char *p = jpeg;
    char plain[96];
    if (null_arg("cc_display_jpeg", jpeg, "jpeg"))
        return;
    if (len < 4 || p[0] != 0xff || p[1] != 0xd8 || p[2] != 0xff) {
        rt_display_warn("cc_display_jpeg", "these %zu bytes are not a JPEG file (a JPEG "
                        "starts with the bytes FF D8 FF), so nothing was shown.", len);
        return;
    }
    snprintf(plain, sizeof plain, "<JPEG image, %zu bytes>", len);
    send_image("image/jpeg", jpeg, len, plain);
}

void cc_display_image(const unsigned char *pixels, int width, int height, int channels)
{
    const char *err = NULL;
    size_t len = 0;
    unsigned char *png = rt_png_encode(pixels, width, height, channels, &len, &err);
    if (!png) {
        rt_display_warn("cc_display_image", "cannot show a %d x %d image with %d channels: "
                        "%s. Pass row-major 8-bit pixels, width * height * channels bytes.",
                        width, height, channels, err);
        return;
    }
    char plain[96];
    snprintf(plain, sizeof plain, "<PNG image %dx%d>", width, height);
    send_image("image/png", png, len, plain);
    free(png);
}

/* ---- plots ------------------------------------------------------------------ */

void rt_plot_send(const char *fn, const float *x, const float *y, int n, const char *title,
                  const char *xlabel, const char *ylabel, int scatter)
{
    int drawn = 0;
    if (!y || n < 0) {
        rt_display_warn(fn, "y is NULL or n (%d) is negative, so nothing was plotted. Pass "
                        "n values in y (and n in x, or NULL for 0..n-1).", n);
        return;
    }
    char *svg = rt_svg_plot(x, y, n, title, xlabel, ylabel, scatter, &drawn);
    if (!svg) {
        rt_display_warn(fn, "out of memory; nothing was plotted");
        return;
    }
    rt_str plain = {0};
    rt_str_printf(&plain, "<%s plot", scatter ? "scatter" : "line");
    if (title && *title)
        rt_str_printf(&plain, " \"%s\"", title);
    rt_str_printf(&plain, ": %d points>", drawn);
    if (drawn < n)
        rt_display_warn(fn, "%d of the %d points have a NaN or infinite coordinate and "
                        "were left out.", n - drawn, n);
    send_mime(fn, "display_data", "image/svg+xml", svg, plain.s ? plain.s : "<plot>", NULL);
    rt_str_free(&plain);
    free(svg);
}

/* (parenthesized: cudacell.h makes cc_plot and cc_scatter macros in C) */
void (cc_plot)(const float *x, const float *y, int n, const char *title, const char *xlabel,
             const char *ylabel)
{
    rt_plot_send("cc_plot", x, y, n, title, xlabel, ylabel, 0);
}

void (cc_scatter)(const float *x, const float *y, int n, const char *title, const char *xlabel,
                const char *ylabel)
{
    rt_plot_send("cc_scatter", x, y, n, title, xlabel, ylabel, 1);
}

/* ---- updatable displays -------------------------------------------------------- */

const char *cc_display_new(const char *html)
{
    if (null_arg("cc_display_new", html, "html"))
        return NULL;
    char *id = rt_display_new_id();
    size_t n = id ? strlen(id) : 0;
    id_node *node = id ? malloc(sizeof *node + n + 1) : NULL;
    if (!node) {
        free(id);
        rt_display_warn("cc_display_new", "out of memory; nothing was shown");
        return NULL;
    }
    memcpy(node->id, id, n + 1);
    free(id);
    pthread_mutex_lock(&rt_id_lock);
    node->next = rt_ids;
    rt_ids = node;
    pthread_mutex_unlock(&rt_id_lock);
    send_html("cc_display_new", "display_data", html, node->id);
    return node->id;
}

void cc_display_update(const char *display_id, const char *html)
{
    if (null_arg("cc_display_update", display_id, "display_id") ||
        null_arg("cc_display_update", html, "html"))
        return;
    send_html("cc_display_update", "update_display_data", html, display_id);
}

void cc_clear_output(int wait)
{
    rt_display_send("clear_output", wait ? "{\"wait\": true}" : "{\"wait\": false}");
}
