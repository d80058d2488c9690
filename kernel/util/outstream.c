/* kernel/util/outstream.c — turns an arbitrary byte stream (a cell's stdout or
 * stderr, read in chunks that may split characters) into valid UTF-8 text
 * for `stream` messages, and decides when a flush is due.
 *
 * Rules: well-formed UTF-8 passes through; each maximal ill-formed subpart
 * (Unicode 15, section 3.9: overlongs, surrogates, > U+10FFFF, stray
 * continuation bytes, truncated sequences) becomes one U+FFFD; NUL bytes are
 * dropped, because the text is handed on as a NUL-terminated string. An
 * incomplete sequence at the end of a chunk waits in `tail` for the next.
 * Ownership: the cc_outstream owns buf; cc_outstream_take hands it over. */
#include "outstream.h"
#include "clock.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char cc_fffd[3] = { (char)0xEF, (char)0xBF, (char)0xBD };

void cc_outstream_init(cc_outstream *o)
{
    memset(o, 0, sizeof *o);
}

void cc_outstream_free(cc_outstream *o)
{
    free(o->text.s);
    cc_outstream_init(o);
}

static void cc_os_put(cc_outstream *o, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (o->text.len == 0 && o->first_ms == 0) {
        long long now = cc_now_ms();
        o->first_ms = now ? now : 1;
    }
    cc_strbuf_addn(&o->text, p, n);   /* aborts on out of memory */
}

enum { CC_U8_INVALID = 0, CC_U8_VALID = 1, CC_U8_SHORT = -1 };

/* Classify the character starting at p[0] (n >= 1 bytes available).
 * VALID: *k bytes form one well-formed character (never U+0000 here: the
 * caller handles ASCII). INVALID: the first *k bytes are a maximal ill-formed
 * subpart, to be replaced by one U+FFFD. SHORT: all n bytes are a proper
 * prefix of a well-formed character. */
static int cc_u8_char(const unsigned char *p, size_t n, size_t *k)
{
    unsigned c = p[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;     /* range of the second byte */
    if (c < 0x80) { *k = 1; return CC_U8_VALID; }
    else if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c == 0xE0) { need = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) need = 3;
    else if (c == 0xED) { need = 3; hi = 0x9F; }   /* no surrogates */
    else if (c >= 0xEE && c <= 0xEF) need = 3;
    else if (c == 0xF0) { need = 4; lo = 0x90; }   /* no overlongs */
    else if (c >= 0xF1 && c <= 0xF3) need = 4;
    else if (c == 0xF4) { need = 4; hi = 0x8F; }   /* <= U+10FFFF */
    else { *k = 1; return CC_U8_INVALID; }         /* 80..C1, F5..FF */

    for (size_t i = 1; i < need; i++) {
        if (i >= n) { *k = i; return CC_U8_SHORT; }
        unsigned b = p[i];
        unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (b < l || b > h) { *k = i; return CC_U8_INVALID; }
    }
    *k = need;
    return CC_U8_VALID;
}

/* Validate p[0..n) into o->text. Returns how many trailing bytes form an
 * incomplete character (left for the caller to keep), 0 if none. */
static size_t cc_os_scan(cc_outstream *o, const unsigned char *p, size_t n)
{
    size_t i = 0, run = 0;   /* p[run..i) is valid text not yet copied */
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x01 && c < 0x80) {             /* fast path: ASCII */
            i++;
            continue;
        }
        if (c == 0) {                            /* dropped */
            cc_os_put(o, (const char *)p + run, i - run);
            run = ++i;
            continue;
        }
        size_t k;
        int r = cc_u8_char(p + i, n - i, &k);
        if (r == CC_U8_VALID) {
            i += k;
            continue;
        }
        cc_os_put(o, (const char *)p + run, i - run);
        if (r == CC_U8_SHORT)
            return n - i;
        cc_os_put(o, cc_fffd, 3);
        i += k;
        run = i;
    }
    cc_os_put(o, (const char *)p + run, i - run);
    return 0;
}

void cc_outstream_append(cc_outstream *o, const char *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len == 0)
        return;

    if (o->tail_len > 0) {
        /* Finish (or reject) the carried-over character first. It needs at
         * most 4 bytes, so 3 more from data are always enough to decide. */
        unsigned char tmp[7];
        size_t extra = len < 3 ? len : 3;
        memcpy(tmp, o->tail, o->tail_len);
        memcpy(tmp + o->tail_len, p, extra);
        size_t k, have = o->tail_len + extra;
        int r = cc_u8_char(tmp, have, &k);
        if (r == CC_U8_SHORT) {                  /* still incomplete */
            memcpy(o->tail, tmp, have);
            o->tail_len = have;
            return;
        }
        if (r == CC_U8_VALID)
            cc_os_put(o, (const char *)tmp, k);
        else
            cc_os_put(o, cc_fffd, 3);
        /* k >= tail_len: the tail was a valid prefix of length tail_len. */
        size_t used = k - o->tail_len;
        o->tail_len = 0;
        p += used;
        len -= used;
    }

    size_t keep = cc_os_scan(o, p, len);
    if (keep) {
        memcpy(o->tail, p + len - keep, keep);
        o->tail_len = keep;
    }
}

bool cc_outstream_due(const cc_outstream *o, long long now_ms)
{
    if (o->text.len == 0)
        return false;
    if (o->text.len >= CC_OUTSTREAM_MAX)
        return true;
    return now_ms - o->first_ms >= CC_OUTSTREAM_FLUSH_MS;
}

char *cc_outstream_take(cc_outstream *o, bool final)
{
    if (final && o->tail_len > 0) {
        o->tail_len = 0;                 /* a truncated sequence: one U+FFFD */
        cc_os_put(o, cc_fffd, 3);
    }
    if (o->text.len == 0)
        return NULL;
    char *text = o->text.s;              /* NUL-terminated by cc_os_put */
    o->text = (cc_strbuf){0};
    o->first_ms = 0;
    return text;
}

char *cc_utf8_sanitize(const char *data, size_t len)
{
    cc_outstream o;
    cc_outstream_init(&o);
    cc_outstream_append(&o, data, len);
    char *text = cc_outstream_take(&o, true);
    cc_outstream_free(&o);
    return text ? text : cc_xstrdup("");
}
