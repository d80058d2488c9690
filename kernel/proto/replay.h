/* kernel/proto/replay.h — remembers the signatures of recent messages, so that a
 * captured signed message sent again (a replay) is recognised and dropped,
 * as jupyter_client's Session does with its digest history. */
#ifndef CC_REPLAY_H
#define CC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#define CC_REPLAY_CAPACITY 65536   /* signatures remembered (2^16, as jupyter_client) */

typedef struct cc_replay cc_replay;

/* A set remembering the last `capacity` distinct signatures (capacity ≥ 1);
 * when full, the oldest one is forgotten first. Allocation failure aborts. */
cc_replay *cc_replay_new(size_t capacity);
void cc_replay_free(cc_replay *r);

/* True when sig (len bytes) is among the remembered signatures; otherwise it
 * is remembered now and the result is false. Thread-safe. */
bool cc_replay_seen(cc_replay *r, const char *sig, size_t len);

/* How many signatures are remembered (at most the capacity). */
size_t cc_replay_count(cc_replay *r);

#endif
