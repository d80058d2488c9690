/* tests/unit/tap.h — a minimal TAP producer for the C unit tests.
 * Each CHECK is one counted test case; meson reads the TAP stream. */
#ifndef CC_TAP_H
#define CC_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define CHECK(cond, ...) do {                                   \
        int ok_ = (cond) ? 1 : 0;                               \
        ++tap_n;                                                \
        if (ok_) { printf("ok %d - ", tap_n); }                 \
        else { ++tap_failed; printf("not ok %d - ", tap_n); }   \
        printf(__VA_ARGS__); printf("\n");                      \
        if (!ok_) printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
    } while (0)

#define CHECK_STR(got, want, ...) do {                          \
        const char *g_ = (got), *w_ = (want);                   \
        int eq_ = g_ && w_ && strcmp(g_, w_) == 0;              \
        CHECK(eq_, __VA_ARGS__);                                \
        if (!eq_) printf("#   got:  [%s]\n#   want: [%s]\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

static inline int tap_done(void) {
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
