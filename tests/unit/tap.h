/* tests/unit/tap.h — a minimal TAP producer for the C unit tests.
 * Each CHECK is one counted test case; meson reads the TAP stream.
 * Every line printed is a TAP line: a test name (often built from cell
 * text) is kept on one line with its newlines written as \n, and the
 * got/want diagnostics of a failure put "#   " before each line. */
#ifndef CC_TAP_H
#define CC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

/* s with CR and LF written as the two characters \r and \n. */
static inline void tap_put_one_line(const char *s) {
    for (; *s; s++) {
        if (*s == '\n') fputs("\\n", stdout);
        else if (*s == '\r') fputs("\\r", stdout);
        else putchar(*s);
    }
}

/* The test name: formatted, then printed on one line. */
static inline void tap_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_name(const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) { tap_put_one_line(small); return; }
    char *big = malloc((size_t)n + 1);
    if (!big) { tap_put_one_line(small); return; }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tap_put_one_line(big);
    free(big);
}

/* "#   label [s]", with "#   " opening every further line of s. */
static inline void tap_diag(const char *label, const char *s) {
    printf("#   %s[", label);
    for (s = s ? s : "(null)"; *s; s++) {
        putchar(*s);
        if (*s == '\n') fputs("#   ", stdout);
    }
    printf("]\n");
}

#define CHECK(cond, ...) do {                                   \
        int ok_ = (cond) ? 1 : 0;                               \
        ++tap_n;                                                \
        if (ok_) { printf("ok %d - ", tap_n); }                 \
        else { ++tap_failed; printf("not ok %d - ", tap_n); }   \
        tap_name(__VA_ARGS__); printf("\n");                    \
        if (!ok_) printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
    } while (0)

#define CHECK_STR(got, want, ...) do {                          \
        const char *g_ = (got), *w_ = (want);                   \
        int eq_ = g_ && w_ && strcmp(g_, w_) == 0;              \
        CHECK(eq_, __VA_ARGS__);                                \
        if (!eq_) { tap_diag("got:  ", g_); tap_diag("want: ", w_); } \
    } while (0)

static inline int tap_done(void) {
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
