/* kernel/util/outstream.h — coalesces a byte stream into valid-UTF-8 `stream`
 * messages: keeps an incomplete UTF-8 tail for the next chunk, replaces
 * invalid bytes with U+FFFD, and decides when a flush is due. Pure logic. */
#ifndef CC_OUTSTREAM_H
#define CC_OUTSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define CC_OUTSTREAM_FLUSH_MS 50
#define CC_OUTSTREAM_MAX 65536   /* flush when this many bytes are pending */

typedef struct cc_outstream {
    cc_strbuf text;   /* pending valid UTF-8 text */
    char tail[4];     /* incomplete UTF-8 sequence carried over */
    size_t tail_len;
    long long first_ms; /* monotonic ms when pending data began, 0 if none */
} cc_outstream;

void cc_outstream_init(cc_outstream *o);
void cc_outstream_free(cc_outstream *o);

/* Append raw bytes (any split). */
void cc_outstream_append(cc_outstream *o, const char *data, size_t len);

/* True when pending text should be sent now (size or age). */
bool cc_outstream_due(const cc_outstream *o, long long now_ms);

/* Take the pending text (NUL-terminated, malloc'd, caller frees) or NULL if
 * none. final=true also flushes an incomplete tail as U+FFFD. */
char *cc_outstream_take(cc_outstream *o, bool final);

/* Sanitize a whole buffer to valid UTF-8 (malloc'd, NUL-terminated). */
char *cc_utf8_sanitize(const char *data, size_t len);

#endif
