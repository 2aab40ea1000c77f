/* The in-process limiter: a chained hash table key -> TAT under one mutex, bounded.
 *
 * An entry whose TAT has passed carries no information (a missing key means a full allowance),
 * so it can be dropped at any time. Every take sweeps a couple of buckets at a rolling cursor,
 * which reclaims expired entries without a timer thread. When the table is full, a bounded
 * sample of entries is examined: expired ones are dropped, and if none was, the sampled entry
 * with the earliest TAT (the closest to a full allowance anyway) goes. So memory stays bounded
 * under a flood of distinct subjects and each take does O(1) work. */
#include "core/alloc.h"
#include "core/str.h"
#include "ratelimit/ratelimit_int.h"

#include <pthread.h>
#include <string.h>

#define SWEEP_BUCKETS 2  /* buckets checked for expired entries on every take */
#define EVICT_SAMPLE  16 /* entries examined to make room when full */

typedef struct entry {
    struct entry *chain;
    uint64_t hash;
    int64_t tat_us;
    char *key;
} entry;

typedef struct {
    pthread_mutex_t mu; /* guards everything below */
    entry **buckets;
    size_t nbuckets, count, max_entries, cursor;
} memory;

void *wh_ratelimit_memory_new(size_t max_entries)
{
    memory *m = wh_calloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->nbuckets = 16;
    while (m->nbuckets < max_entries)
        m->nbuckets *= 2;
    m->buckets = wh_calloc(m->nbuckets, sizeof *m->buckets);
    m->max_entries = max_entries > 0 ? max_entries : 1;
    return m;
}

size_t wh_ratelimit_memory_count(void *impl)
{
    memory *m = impl;
    pthread_mutex_lock(&m->mu);
    size_t n = m->count;
    pthread_mutex_unlock(&m->mu);
    return n;
}

static void unlink_free(memory *m, entry **p)
{
    entry *en = *p;
    *p = en->chain;
    m->count--;
    wh_free(en->key);
    wh_free(en);
}

/* Drops the expired entries of the next n buckets; returns how many went. */
static size_t sweep(memory *m, size_t n, int64_t now_us)
{
    size_t dropped = 0;
    for (size_t i = 0; i < n; i++) {
        entry **p = &m->buckets[m->cursor];
        m->cursor = (m->cursor + 1) & (m->nbuckets - 1);
        while (*p) {
            if ((*p)->tat_us <= now_us) {
                unlink_free(m, p);
                dropped++;
            } else {
                p = &(*p)->chain;
            }
        }
    }
    return dropped;
}

/* Makes room for one entry in a full table (see the file comment). */
static void make_room(memory *m, int64_t now_us)
{
    entry **oldest = NULL;
    size_t seen = 0;
    for (size_t b = 0; b < m->nbuckets && seen < EVICT_SAMPLE; b++) {
        if (sweep(m, 1, now_us) > 0)
            return;
        size_t idx = (m->cursor + m->nbuckets - 1) & (m->nbuckets - 1);
        for (entry **p = &m->buckets[idx]; *p; p = &(*p)->chain, seen++)
            if (!oldest || (*p)->tat_us < (*oldest)->tat_us)
                oldest = p;
    }
    if (oldest)
        unlink_free(m, oldest);
}

static entry **slot_of(memory *m, const char *key, uint64_t h)
{
    entry **p = &m->buckets[h & (m->nbuckets - 1)];
    while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->chain;
    return p;
}

static void insert(memory *m, const char *key, uint64_t h, int64_t tat_us, int64_t now_us)
{
    if (m->count >= m->max_entries)
        make_room(m, now_us);
    entry *en = wh_calloc(1, sizeof *en);
    en->hash = h;
    en->key = wh_strdup(key);
    en->tat_us = tat_us;
    en->chain = m->buckets[h & (m->nbuckets - 1)];
    m->buckets[h & (m->nbuckets - 1)] = en;
    m->count++;
}

static bool take(void *impl, const char *key, const wh_ratelimit_rule *rule, int64_t now_us,
                 wh_ratelimit_result *out)
{
    memory *m = impl;
    uint64_t h = wh_str_hash(key);
    int64_t tat = 0;
    pthread_mutex_lock(&m->mu);
    sweep(m, SWEEP_BUCKETS, now_us);
    entry *en = *slot_of(m, key, h);
    if (en)
        tat = en->tat_us;
    wh_ratelimit_gcra(rule, tat, now_us, &tat, out);
    if (out->allowed && en)
        en->tat_us = tat;
    else if (out->allowed)
        insert(m, key, h, tat, now_us);
    pthread_mutex_unlock(&m->mu);
    return true;
}

static void memory_free(void *impl)
{
    memory *m = impl;
    for (size_t b = 0; b < m->nbuckets; b++)
        while (m->buckets[b])
            unlink_free(m, &m->buckets[b]);
    wh_free(m->buckets);
    pthread_mutex_destroy(&m->mu);
    wh_free(m);
}

const wh_ratelimit_backend wh_ratelimit_memory_backend = {"memory", take, memory_free};
