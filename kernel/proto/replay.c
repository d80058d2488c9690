/* kernel/proto/replay.c — the set of recently seen message signatures (see
 * replay.h). Each signature is stored as its SHA-256 (32 bytes whatever the
 * signing scheme), in a ring in arrival order; an open-addressing index
 * (linear probing, at most half full) finds it. At capacity the ring's
 * oldest entry is removed from the index (backward-shift deletion, so no
 * tombstones accumulate) and its slot reused: memory is fixed at
 * about 40 bytes per entry, and every operation is O(1). */
#include "replay.h"
#include "xalloc.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cc_replay_key {
    unsigned char d[32];
} cc_replay_key;

struct cc_replay {
    pthread_mutex_t mu;
    cc_replay_key *ring;   /* capacity entries, oldest at head once full */
    size_t capacity, count, head;
    uint32_t *index;       /* ring position + 1; 0 = empty */
    size_t mask;           /* index size - 1 (a power of two ≥ 2 × capacity) */
};

cc_replay *cc_replay_new(size_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    if (capacity > UINT32_MAX / 4)
        capacity = UINT32_MAX / 4;
    cc_replay *r = cc_xcalloc(1, sizeof *r);
    size_t slots = 2;
    while (slots < 2 * capacity)
        slots *= 2;
    pthread_mutex_init(&r->mu, NULL);
    r->capacity = capacity;
    r->ring = cc_xcalloc(capacity, sizeof *r->ring);
    r->index = cc_xcalloc(slots, sizeof *r->index);
    r->mask = slots - 1;
    return r;
}

void cc_replay_free(cc_replay *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    free(r->ring);
    free(r->index);
    free(r);
}

static size_t cc_replay_home(const cc_replay *r, const cc_replay_key *k)
{
    uint64_t h;
    memcpy(&h, k->d, sizeof h);
    return (size_t)h & r->mask;
}

/* Index slot holding k, or the empty slot where it would go. */
static size_t cc_replay_find(const cc_replay *r, const cc_replay_key *k)
{
    size_t i = cc_replay_home(r, k);
    while (r->index[i] && memcmp(r->ring[r->index[i] - 1].d, k->d, sizeof k->d) != 0)
        i = (i + 1) & r->mask;
    return i;
}

/* Remove the entry at index slot i, shifting later members of its probe run
 * back so that every lookup still finds them. */
static void cc_replay_unlink(cc_replay *r, size_t i)
{
    size_t j = i;
    for (;;) {
        j = (j + 1) & r->mask;
        if (!r->index[j])
            break;
        size_t home = cc_replay_home(r, &r->ring[r->index[j] - 1]);
        /* The entry at j may move to i unless its home lies cyclically in (i, j]. */
        bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            r->index[i] = r->index[j];
            i = j;
        }
    }
    r->index[i] = 0;
}

bool cc_replay_seen(cc_replay *r, const char *sig, size_t len)
{
    cc_replay_key k;
    unsigned int klen = 0;
    if (EVP_Digest(sig, len, k.d, &klen, EVP_sha256(), NULL) != 1 || klen != sizeof k.d) {
        fputs("cudacell: SHA-256 failed\n", stderr);
        abort();
    }

    pthread_mutex_lock(&r->mu);
    size_t i = cc_replay_find(r, &k);
    bool seen = r->index[i] != 0;
    if (!seen) {
        size_t pos;
        if (r->count < r->capacity) {
            pos = r->count++;
        } else {
            pos = r->head;
            r->head = (r->head + 1) % r->capacity;
            cc_replay_unlink(r, cc_replay_find(r, &r->ring[pos]));
            i = cc_replay_find(r, &k);   /* the shift may have moved the free slot */
        }
        r->ring[pos] = k;
        r->index[i] = (uint32_t)(pos + 1);
    }
    pthread_mutex_unlock(&r->mu);
    return seen;
}

size_t cc_replay_count(cc_replay *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->count;
    pthread_mutex_unlock(&r->mu);
    return n;
}
