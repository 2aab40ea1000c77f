/* The in-process cache: a chained hash table threaded on an LRU list, under one mutex. Expired
 * entries are dropped when met; the least recently used entry goes when the table is full. */
#include "cache/cache_int.h"
#include "core/alloc.h"
#include "core/str.h"

#include <pthread.h>
#include <string.h>

typedef struct entry {
    struct entry *chain;       /* next in the bucket */
    struct entry *prev, *next; /* LRU list: head is the most recent */
    uint64_t hash;
    char *key;
    char *val;
    size_t len;
    int64_t expires_ms;
} entry;

typedef struct {
    pthread_mutex_t mu;
    entry **buckets;
    size_t nbuckets, count, max_entries, max_value;
    entry *head, *tail;
} memory;

void *wh_cache_memory_new(size_t max_entries, size_t max_value)
{
    memory *m = wh_calloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->nbuckets = 64;
    while (m->nbuckets < max_entries)
        m->nbuckets *= 2;
    m->buckets = wh_calloc(m->nbuckets, sizeof *m->buckets);
    m->max_entries = max_entries;
    m->max_value = max_value;
    return m;
}

static void lru_unlink(memory *m, entry *en)
{
    if (en->prev)
        en->prev->next = en->next;
    else
        m->head = en->next;
    if (en->next)
        en->next->prev = en->prev;
    else
        m->tail = en->prev;
    en->prev = en->next = NULL;
}

static void lru_push(memory *m, entry *en)
{
    en->next = m->head;
    if (m->head)
        m->head->prev = en;
    m->head = en;
    if (!m->tail)
        m->tail = en;
}

static entry **slot_of(memory *m, const char *key, uint64_t h)
{
    entry **p = &m->buckets[h & (m->nbuckets - 1)];
    while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->chain;
    return p;
}

static void drop(memory *m, entry *en)
{
    entry **p = slot_of(m, en->key, en->hash);
    *p = en->chain;
    lru_unlink(m, en);
    m->count--;
    wh_free(en->key);
    wh_free(en->val);
    wh_free(en);
}

static bool get(void *impl, const char *key, int64_t now_ms, char **val, size_t *len, bool *failed)
{
    memory *m = impl;
    bool hit = false;
    *failed = false;
    uint64_t h = wh_str_hash(key);
    pthread_mutex_lock(&m->mu);
    entry *en = *slot_of(m, key, h);
    if (en && en->expires_ms <= now_ms) {
        drop(m, en);
        en = NULL;
    }
    if (en) {
        lru_unlink(m, en);
        lru_push(m, en);
        *val = wh_malloc(en->len + 1);
        memcpy(*val, en->val, en->len + 1);
        *len = en->len;
        hit = true;
    }
    pthread_mutex_unlock(&m->mu);
    return hit;
}

static bool put(void *impl, const char *key, const char *val, size_t len, int64_t now_ms,
                int64_t ttl_s)
{
    memory *m = impl;
    if (len > m->max_value)
        return false;
    uint64_t h = wh_str_hash(key);
    char *copy = wh_malloc(len + 1);
    memcpy(copy, val, len);
    copy[len] = '\0';
    pthread_mutex_lock(&m->mu);
    entry *en = *slot_of(m, key, h);
    if (en) {
        wh_free(en->val);
        lru_unlink(m, en);
    } else {
        if (m->count >= m->max_entries)
            drop(m, m->tail);
        en = wh_calloc(1, sizeof *en);
        en->hash = h;
        en->key = wh_strdup(key);
        en->chain = m->buckets[h & (m->nbuckets - 1)];
        m->buckets[h & (m->nbuckets - 1)] = en;
        m->count++;
    }
    en->val = copy;
    en->len = len;
    en->expires_ms = now_ms + ttl_s * 1000;
    lru_push(m, en);
    pthread_mutex_unlock(&m->mu);
    return true;
}

static void memory_free(void *impl)
{
    memory *m = impl;
    while (m->head)
        drop(m, m->head);
    wh_free(m->buckets);
    pthread_mutex_destroy(&m->mu);
    wh_free(m);
}

const wh_cache_backend wh_cache_memory_backend = {"memory", get, put, memory_free};
