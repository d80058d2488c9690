/* runtime/display/rt_display.h — internals of libcudacell shared by its
 * files and by tests/unit/test_display.c (not installed, not for cells).
 *
 * rt_str: a growable NUL-terminated string; JSON and base64 writers;
 * the PNG encoder; the SVG plot; value formatting; the message sink and the
 * clock, both replaceable by tests. */
#ifndef RT_DISPLAY_H
#define RT_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

/* ---- growable string (rt_str.c) ------------------------------------------ */
/* Owns s (always NUL-terminated once anything was added; free with
 * rt_str_free). After a failed allocation oom is set and further appends are
 * ignored: check oom once at the end. */
typedef struct rt_str {
    char *s;
    size_t len, cap;
    int oom;
} rt_str;

void rt_str_free(rt_str *b);
void rt_str_putn(rt_str *b, const char *p, size_t n);
void rt_str_puts(rt_str *b, const char *p);
void rt_str_putc(rt_str *b, char c);
void rt_str_printf(rt_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string over (caller frees); NULL after oom. Leaves b empty. */
char *rt_str_take(rt_str *b);

/* A JSON string literal with quotes. Control characters, quotes and
 * backslashes are escaped; invalid UTF-8 bytes become U+FFFD so the message
 * always parses. NULL writes null. */
void rt_json_str(rt_str *b, const char *s);
void rt_json_strn(rt_str *b, const char *s, size_t n);
/* Standard base64 (RFC 4648, with '=' padding), no line breaks. */
void rt_base64(rt_str *b, const void *data, size_t n);
/* 1 when text is one valid JSON value (RFC 8259) with only whitespace
 * around; otherwise 0 and *err_at (may be NULL) gets the byte offset. */
int rt_json_valid(const char *text, size_t *err_at);
/* HTML text escaping of & < > " ' */
void rt_html_esc(rt_str *b, const char *s);

/* ---- PNG (rt_png.c) ------------------------------------------------------ */
/* Encodes 8-bit row-major pixels (channels 1 gray, 2 gray+alpha, 3 RGB,
 * 4 RGBA) as a PNG. Returns a malloc'd buffer (caller frees) and its length,
 * or NULL with a one-line reason in err (when err is not NULL). */
unsigned char *rt_png_encode(const unsigned char *px, int w, int h, int channels,
                             size_t *len, const char **err);
/* Width and height from a PNG's IHDR: 0, or -1 when it is not a PNG. */
int rt_png_size(const void *png, size_t len, uint32_t *w, uint32_t *h);

/* ---- plots (rt_plot.c) --------------------------------------------------- */
/* A standalone SVG document (malloc'd, caller frees; NULL when out of
 * memory). x may be NULL (0..n-1); scatter draws circles instead of a line.
 * *drawn (may be NULL) gets the number of finite points drawn. */
char *rt_svg_plot(const float *x, const float *y, int n, const char *title,
                  const char *xlabel, const char *ylabel, int scatter, int *drawn);
/* Builds the plot and sends it as display_data (display.c); fn names the
 * user's call in messages. */
void rt_plot_send(const char *fn, const float *x, const float *y, int n, const char *title,
                  const char *xlabel, const char *ylabel, int scatter);
/* "Nice" axis ticks covering [lo, hi]: *step and the first tick; returns
 * the number of ticks (2..12). */
int rt_nice_ticks(double lo, double hi, int target, double *first, double *step);

/* ---- value formatting (rt_show.c) ---------------------------------------- */
/* Appends the text/plain form of one value of the given CC_K_* kind read
 * from p (for CC_K_STR, p points at the char *). */
void rt_fmt_value(rt_str *b, int kind, const void *p);
/* Shortest %.{min..max}g form that reads back to the same value, with ".0"
 * added to an integral result like Python's repr. */
void rt_fmt_double(rt_str *b, double v);
void rt_fmt_float(rt_str *b, float v);
void rt_fmt_ldouble(rt_str *b, long double v);
/* "{a, b, c}" (at most RT_SHOW_MAX_ELEMS, then ", ..."); char arrays as a
 * quoted string; CC_K_OTHER elements as "<array of N elements of size S>".
 * (What older cells' __cc_show_array calls; rt_value.c walks arrays now.) */
void rt_fmt_array(rt_str *b, int kind, const void *base, size_t size, size_t elem_size);
#define RT_SHOW_MAX_ELEMS 100
/* A quoted C string literal of the n bytes at s (cut, with "...", after
 * 100000). */
void rt_fmt_string(rt_str *b, const char *s, size_t n);
/* Sends text t as the cell's execute_result {"data": {"text/plain": t}}
 * and frees it (after oom: a warning on stderr instead). */
void rt_send_value(rt_str *t);

/* ---- sending (display.c) ------------------------------------------------- */
/* Sends one message (msg_type: display_data, update_display_data,
 * clear_output, execute_result; content: the JSON content) to the kernel:
 * flushes stdout/stderr, then writes an RT_R_DISPLAY frame to RT_REPLY_FD
 * and waits for the kernel's RT_C_DISPLAY_ACK on RT_CMD_FD, under a mutex
 * with SIGINT blocked, so an interrupt never cuts a frame or loses an ack.
 * Returns 0, or -1 (message on stderr once). */
int rt_display_send(const char *msg_type, const char *content_json);

/* Tests: route messages to sink instead of the kernel (NULL restores). */
typedef int (*rt_display_sink)(const char *msg_type, const char *content_json, void *ud);
void rt_display_set_sink(rt_display_sink sink, void *ud);
/* Tests: replace the monotonic clock (seconds); NULL restores. */
typedef double (*rt_display_clock)(void);
void rt_display_set_clock(rt_display_clock clock);
double rt_display_now(void);

/* Builds {"data": {mime: value, ...}, "metadata": {...}, "transient":
 * {"display_id": id}} pieces; used by the public calls (display.c). */
void rt_bundle_begin(rt_str *b);                               /* {"data": { */
void rt_bundle_add(rt_str *b, const char *mime, const char *text);
void rt_bundle_add_raw(rt_str *b, const char *mime, const char *json);
/* Closes data, adds metadata (raw JSON or NULL for {}) and the transient
 * display_id when id is not NULL. */
void rt_bundle_end(rt_str *b, const char *metadata_json, const char *id);
/* Sends b's content as msg_type and frees b. Returns rt_display_send's. */
int rt_bundle_send(rt_str *b, const char *msg_type);
/* Prints "cudacell: <fn>: <what>" on stderr (one paragraph). */
void rt_display_warn(const char *fn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A fresh display id (malloc'd, caller frees). */
char *rt_display_new_id(void);

#endif
