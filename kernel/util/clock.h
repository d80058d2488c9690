/* kernel/util/clock.h — the kernel's one clock: CLOCK_MONOTONIC, for
 * deadlines, rate limits and timings. Both calls are async-signal-safe. */
#ifndef CC_CLOCK_H
#define CC_CLOCK_H

/* Milliseconds / nanoseconds since an arbitrary fixed point (boot). */
long long cc_now_ms(void);
long long cc_now_ns(void);

#endif
