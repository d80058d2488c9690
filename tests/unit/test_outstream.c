/* tests/unit/test_outstream.c — UTF-8 coalescing of output streams: splits
 * at every point, replacement of ill-formed input, flush timing and size,
 * and throughput on a large flood. */
#include <stdlib.h>
#include <string.h>

#include "outstream.h"
#include "tap.h"
#include "clock.h"

#define R "\xef\xbf\xbd"   /* U+FFFD in UTF-8 */

/* Feed data in two appends split at `at`, then take (final). Caller frees. */
static char *feed2(const char *data, size_t len, size_t at, bool final)
{
    cc_outstream o;
    cc_outstream_init(&o);
    cc_outstream_append(&o, data, at);
    cc_outstream_append(&o, data + at, len - at);
    char *t = cc_outstream_take(&o, final);
    cc_outstream_free(&o);
    return t;
}

static void splits(void)
{
    /* 1-, 2-, 3- and 4-byte characters side by side. */
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z\xd0\x96\xef\xbf\xbf\xf4\x8f\xbf\xbf";
    size_t n = strlen(s);
    int all_ok = 1;
    for (size_t at = 0; at <= n; at++) {
        char *t = feed2(s, n, at, false);
        if (!t || strcmp(t, s) != 0)
            all_ok = 0;
        free(t);
    }
    CHECK(all_ok, "every single split point of a mixed 1-4 byte string reassembles");

    all_ok = 1;
    for (size_t a = 0; a <= n; a++)
        for (size_t b = a; b <= n; b++) {
            cc_outstream o;
            cc_outstream_init(&o);
            cc_outstream_append(&o, s, a);
            cc_outstream_append(&o, s + a, b - a);
            cc_outstream_append(&o, s + b, n - b);
            char *t = cc_outstream_take(&o, false);
            if (!t || strcmp(t, s) != 0)
                all_ok = 0;
            free(t);
            cc_outstream_free(&o);
        }
    CHECK(all_ok, "every pair of split points (three appends) reassembles");

    cc_outstream o;
    cc_outstream_init(&o);
    for (size_t i = 0; i < n; i++)
        cc_outstream_append(&o, s + i, 1);
    char *t = cc_outstream_take(&o, false);
    CHECK_STR(t, s, "byte-at-a-time appends reassemble");
    free(t);

    /* A pending incomplete character is not handed out until complete. */
    cc_outstream_append(&o, "x\xf0\x9f", 3);
    t = cc_outstream_take(&o, false);
    CHECK_STR(t, "x", "take(non-final) keeps an incomplete tail back");
    free(t);
    CHECK(o.tail_len == 2, "two bytes of the 4-byte character wait in the tail");
    t = cc_outstream_take(&o, false);
    CHECK(t == NULL, "only a tail pending: take(non-final) returns NULL");
    cc_outstream_append(&o, "\x98\x80!", 3);
    t = cc_outstream_take(&o, false);
    CHECK_STR(t, "\xf0\x9f\x98\x80!", "the next chunk completes the character");
    free(t);
    cc_outstream_free(&o);
}

struct inv { const char *in; size_t len; const char *want; const char *what; };

static void invalid(void)
{
    const struct inv v[] = {
        { "\x80", 1, R, "a stray continuation byte" },
        { "\xc0\xaf", 2, R R, "an overlong 2-byte '/' (C0 AF)" },
        { "\xc1\xbf", 2, R R, "an overlong C1 lead" },
        { "\xe0\x80\xaf", 3, R R R, "an overlong 3-byte sequence" },
        { "\xf0\x80\x80\xaf", 4, R R R R, "an overlong 4-byte sequence" },
        { "\xed\xa0\x80", 3, R R R, "a UTF-16 surrogate (U+D800)" },
        { "\xed\xbf\xbf", 3, R R R, "a UTF-16 surrogate (U+DFFF)" },
        { "\xf4\x90\x80\x80", 4, R R R R, "a code point above U+10FFFF" },
        { "\xf5\x80", 2, R R, "an F5 lead byte" },
        { "\xfe\xff", 2, R R, "FE FF bytes" },
        { "\xe2\x82" "A", 3, R "A", "a truncated 3-byte sequence before ASCII" },
        { "a\xf0\x9f" "b\xe2\x82\xac", 7, "a" R "b\xe2\x82\xac", "a truncated emoji mid-text" },
        { "ok\0go", 5, "okgo", "a NUL byte (dropped)" },
        { "\xed\x9f\xbf", 3, "\xed\x9f\xbf", "U+D7FF (just below the surrogates) passes" },
        { "\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf", "U+10FFFF passes" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *t = cc_utf8_sanitize(v[i].in, v[i].len);
        CHECK_STR(t, v[i].want, "sanitize: %s", v[i].what);
        free(t);
    }
    /* Same inputs through the stream at every split point, final take. */
    int all_ok = 1;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        for (size_t at = 0; at <= v[i].len; at++) {
            char *t = feed2(v[i].in, v[i].len, at, true);
            if (!t || strcmp(t, v[i].want) != 0) {
                all_ok = 0;
                printf("#   case '%s' split at %zu gave [%s]\n", v[i].what, at, t ? t : "(null)");
            }
            free(t);
        }
    CHECK(all_ok, "ill-formed inputs give the same replacement at every split point");

    char *t = feed2("abc\xe2\x82", 5, 5, true);
    CHECK_STR(t, "abc" R, "final take turns an incomplete tail into U+FFFD");
    free(t);
    t = cc_utf8_sanitize("", 0);
    CHECK_STR(t, "", "sanitize of nothing is an empty string");
    free(t);
}

static void due(void)
{
    cc_outstream o;
    cc_outstream_init(&o);
    long long now = cc_now_ms();
    CHECK(!cc_outstream_due(&o, now + 100000), "an empty stream is never due");
    cc_outstream_append(&o, "\xe2", 1);
    CHECK(!cc_outstream_due(&o, now + 100000), "a lone incomplete tail is not due");
    cc_outstream_append(&o, "\x82\xac hi", 5);
    long long t0 = o.first_ms;
    CHECK(t0 >= now && t0 <= cc_now_ms(), "first_ms is set when text starts pending");
    CHECK(!cc_outstream_due(&o, t0 + CC_OUTSTREAM_FLUSH_MS - 1), "not due before 50 ms");
    CHECK(cc_outstream_due(&o, t0 + CC_OUTSTREAM_FLUSH_MS), "due after 50 ms");
    cc_outstream_append(&o, "more", 4);
    CHECK(o.first_ms == t0, "later appends keep the first timestamp");
    char *t = cc_outstream_take(&o, false);
    free(t);
    CHECK(o.first_ms == 0 && o.text.len == 0, "take resets the pending state");

    char *big = malloc(CC_OUTSTREAM_MAX);
    memset(big, 'x', CC_OUTSTREAM_MAX);
    cc_outstream_append(&o, big, CC_OUTSTREAM_MAX - 1);
    CHECK(!cc_outstream_due(&o, o.first_ms), "one byte under the size limit, fresh: not due");
    cc_outstream_append(&o, big, 1);
    CHECK(cc_outstream_due(&o, o.first_ms), "at the size limit: due at once");
    t = cc_outstream_take(&o, false);
    CHECK(t && strlen(t) == CC_OUTSTREAM_MAX, "take hands over all pending bytes");
    free(t);
    free(big);
    cc_outstream_free(&o);

    long long a = cc_now_ms(), b = cc_now_ms();
    CHECK(a > 0 && b >= a, "cc_now_ms is positive and monotonic");
}

static void flood(void)
{
    /* 20 MB of mixed text in 4 KiB chunks, taken whenever due. */
    const char *unit = "line \xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9\n";   /* 24 bytes */
    size_t ulen = strlen(unit), total = 20u << 20;
    char *src = malloc(total);
    for (size_t i = 0; i < total; i++)
        src[i] = unit[i % ulen];
    size_t whole = total - total % ulen;
    cc_outstream o;
    cc_outstream_init(&o);
    long long start = cc_now_ms();
    size_t out = 0, chunks = 0;
    for (size_t off = 0; off < whole; off += 4096) {
        size_t n = whole - off < 4096 ? whole - off : 4096;
        cc_outstream_append(&o, src + off, n);
        if (cc_outstream_due(&o, cc_now_ms())) {
            char *t = cc_outstream_take(&o, false);
            out += strlen(t);
            chunks++;
            free(t);
        }
    }
    char *t = cc_outstream_take(&o, true);
    if (t)
        out += strlen(t);
    free(t);
    long long ms = cc_now_ms() - start;
    CHECK(out == whole, "20 MB flood: every byte comes out (%zu of %zu)", out, whole);
    CHECK(chunks >= whole / (CC_OUTSTREAM_MAX + 4096), "flood is taken in bounded chunks (%zu)", chunks);
    CHECK(ms < 5000, "20 MB flood processed in %lld ms", ms);
    cc_outstream_free(&o);
    free(src);
}

int main(void)
{
    splits();
    invalid();
    due();
    flood();
    return tap_done();
}
