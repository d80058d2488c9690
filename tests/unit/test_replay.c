/* tests/unit/test_replay.c — the replayed-signature set: table-driven
 * sequences, FIFO eviction at the bound, agreement with a naive model under
 * heavy churn (exercises the index's backward-shift deletion), the default
 * 2^16 capacity, and one signature raced by several threads. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "tap.h"

struct seq_case {
    const char *name;
    size_t capacity;
    const char *sigs[10];   /* NULL-terminated */
    const char *want;       /* 'n' new, 's' seen, one per signature */
};

static void sequences(void)
{
    static const struct seq_case cases[] = {
        { "a repeat is seen", 4, { "a", "a", NULL }, "ns" },
        { "distinct signatures are new", 4, { "a", "b", "c", "d", NULL }, "nnnn" },
        { "every repeat is seen, not only the second", 4, { "a", "a", "a", NULL }, "nss" },
        { "the oldest is forgotten at capacity", 3, { "a", "b", "c", "d", "a", NULL }, "nnnnn" },
        { "the newest stay remembered after eviction", 3, { "a", "b", "c", "d", "c", "d", "b", NULL }, "nnnnsss" },
        { "a forgotten one re-enters as newest", 3, { "a", "b", "c", "d", "a", "d", "b", NULL }, "nnnnnsn" },
        { "capacity 1 keeps only the last", 1, { "x", "x", "y", "x", "x", NULL }, "nsnns" },
        { "a prefix is another signature", 4, { "abc", "abcd", "ab", "abc", NULL }, "nnns" },
        { "case matters", 4, { "ABCDEF", "abcdef", NULL }, "nn" },
        { "capacity 0 acts as 1", 0, { "p", "p", "q", "p", NULL }, "nsnn" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cc_replay *r = cc_replay_new(cases[c].capacity);
        char got[16] = "";
        for (size_t i = 0; cases[c].sigs[i]; i++)
            got[i] = cc_replay_seen(r, cases[c].sigs[i], strlen(cases[c].sigs[i])) ? 's' : 'n';
        CHECK_STR(got, cases[c].want, "%s", cases[c].name);
        cc_replay_free(r);
    }
}

static void embedded_nul(void)
{
    cc_replay *r = cc_replay_new(4);
    CHECK(!cc_replay_seen(r, "ab\0c", 4), "bytes after a NUL count: first is new");
    CHECK(!cc_replay_seen(r, "ab\0d", 4), "bytes after a NUL count: differs in the last byte");
    CHECK(!cc_replay_seen(r, "ab", 2), "a shorter length is another signature");
    CHECK(cc_replay_seen(r, "ab\0c", 4), "the same bytes are seen");
    cc_replay_free(r);
}

/* The reference: the last `cap` distinct signatures in arrival order. */
static bool model_seen(unsigned *fifo, size_t *n, size_t cap, unsigned key)
{
    for (size_t i = 0; i < *n; i++)
        if (fifo[i] == key)
            return true;
    if (*n == cap) {
        memmove(fifo, fifo + 1, (cap - 1) * sizeof *fifo);
        (*n)--;
    }
    fifo[(*n)++] = key;
    return false;
}

static void churn(size_t cap, unsigned keyspace, unsigned ops)
{
    cc_replay *r = cc_replay_new(cap);
    unsigned *fifo = calloc(cap, sizeof *fifo);
    size_t n = 0, mismatches = 0, seen = 0, peak = 0;
    unsigned long x = 88172645463325252UL;   /* xorshift: the same run every time */
    for (unsigned i = 0; i < ops; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned key = (unsigned)(x % keyspace);
        char sig[80];
        int len = snprintf(sig, sizeof sig, "%064u", key);
        bool want = model_seen(fifo, &n, cap, key);
        bool got = cc_replay_seen(r, sig, (size_t)len);
        mismatches += want != got;
        seen += got;
        if (cc_replay_count(r) > peak)
            peak = cc_replay_count(r);
    }
    CHECK(mismatches == 0, "capacity %zu, %u ops over %u keys: agrees with the FIFO model "
          "(%zu mismatches, %zu repeats seen)", cap, ops, keyspace, mismatches, seen);
    CHECK(peak == cap, "capacity %zu: never holds more than its bound (peak %zu)", cap, peak);
    free(fifo);
    cc_replay_free(r);
}

static void default_capacity(void)
{
    cc_replay *r = cc_replay_new(CC_REPLAY_CAPACITY);
    char sig[80];
    size_t total = CC_REPLAY_CAPACITY + 10;
    bool all_new = true;
    for (size_t i = 0; i < total; i++) {
        int len = snprintf(sig, sizeof sig, "%064zx", i);
        all_new &= !cc_replay_seen(r, sig, (size_t)len);
    }
    CHECK(all_new, "%zu distinct 64-hex-digit signatures are all new", total);
    CHECK(cc_replay_count(r) == CC_REPLAY_CAPACITY, "the set holds its bound of %d (has %zu)",
          CC_REPLAY_CAPACITY, cc_replay_count(r));
    int len = snprintf(sig, sizeof sig, "%064zx", total - 1);
    CHECK(cc_replay_seen(r, sig, (size_t)len), "the newest is remembered");
    len = snprintf(sig, sizeof sig, "%064zx", (size_t)10);
    CHECK(cc_replay_seen(r, sig, (size_t)len), "the oldest still inside the bound is remembered");
    len = snprintf(sig, sizeof sig, "%064zx", (size_t)9);
    CHECK(!cc_replay_seen(r, sig, (size_t)len), "one past the bound is forgotten");
    cc_replay_free(r);
}

struct race { cc_replay *r; int new_count; };

static void *race_main(void *arg)
{
    struct race *a = arg;
    char sig[40];
    for (int i = 0; i < 2000; i++) {
        snprintf(sig, sizeof sig, "%p-%d", (void *)a, i);   /* this thread's own */
        cc_replay_seen(a->r, sig, strlen(sig));
        if (!cc_replay_seen(a->r, "shared", 6))
            a->new_count++;
    }
    return NULL;
}

static void threads(void)
{
    struct race a[4];
    pthread_t th[4];
    cc_replay *r = cc_replay_new(1 << 16);
    for (int i = 0; i < 4; i++) {
        a[i] = (struct race){ r, 0 };
        pthread_create(&th[i], NULL, race_main, &a[i]);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += a[i].new_count;
    }
    CHECK(total == 1, "a signature raced by 4 threads is new exactly once (got %d)", total);
    CHECK(cc_replay_count(r) == 4 * 2000 + 1, "every thread's signatures are kept (%zu)", cc_replay_count(r));
    cc_replay_free(r);
}

int main(void)
{
    sequences();
    embedded_nul();
    churn(1, 3, 2000);
    churn(2, 5, 5000);
    churn(7, 20, 100000);
    churn(64, 150, 100000);
    churn(1000, 2500, 100000);
    default_capacity();
    threads();
    return tap_done();
}
