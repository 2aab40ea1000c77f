/* The memo of core/memo.h. Invariants: a slot with used == 0 is free; count is the number of
 * used slots; gen grows on every drop, so a put that read its value before a drop is refused.
 * With a stamp, seen only changes together with a drop (a find that reads a different stamp
 * empties the memo and records it): an entry was read from the database after the drop that
 * recorded seen, so a commit after that read changes the stamp away from seen and the next
 * find drops the entry. */
#include "core/memo.h"
#include "core/alloc.h"

#include <pthread.h>
#include <string.h>

#define WAYS 8

typedef struct {
    int64_t owner, key, value;
    uint64_t used; /* tick of the last find or put; 0: free */
} slot;

struct wh_memo {
    pthread_mutex_t mu;
    size_t nsets;
    slot *slots; /* nsets * WAYS */
    uint64_t tick, gen;
    size_t count;
    bool listening;
    bool (*quiet)(void *arg);
    void *quiet_arg;
    bool (*stamp)(void *arg, uint64_t *out);
    void *stamp_arg;
    uint64_t seen; /* the stamp at the last drop it caused */
};

wh_memo *wh_memo_new(size_t capacity)
{
    wh_memo *m = wh_calloc(1, sizeof *m);
    m->nsets = capacity / WAYS ? capacity / WAYS : 1;
    m->slots = wh_calloc(m->nsets * WAYS, sizeof *m->slots);
    pthread_mutex_init(&m->mu, NULL);
    return m;
}

void wh_memo_free(wh_memo *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    wh_free(m->slots);
    wh_free(m);
}

void wh_memo_probe(wh_memo *m, bool (*quiet)(void *arg), void *arg)
{
    m->quiet = quiet;
    m->quiet_arg = arg;
}

void wh_memo_stamp(wh_memo *m, bool (*stamp)(void *arg, uint64_t *out), void *arg)
{
    m->stamp = stamp;
    m->stamp_arg = arg;
}

static void clear(wh_memo *m);

/* An owner's set: every entry of one owner shares it, so dropping an owner is one set's scan. */
static slot *set_of(wh_memo *m, int64_t owner)
{
    uint64_t h = (uint64_t)owner * 0x9E3779B97F4A7C15ull;
    return &m->slots[(h >> 32) % m->nsets * WAYS];
}

static slot *lookup(wh_memo *m, int64_t owner, int64_t key)
{
    slot *set = set_of(m, owner);
    for (int i = 0; i < WAYS; i++)
        if (set[i].used && set[i].owner == owner && set[i].key == key)
            return &set[i];
    return NULL;
}

bool wh_memo_find(wh_memo *m, int64_t owner, int64_t key, int64_t *value, uint64_t *gen)
{
    /* a notification already on the socket but not yet applied must not be outrun */
    bool quiet = !m->quiet || m->quiet(m->quiet_arg);
    uint64_t now = 0;
    bool stamped = !m->stamp || m->stamp(m->stamp_arg, &now);
    pthread_mutex_lock(&m->mu);
    if (m->stamp && (!stamped || now != m->seen)) { /* something committed since */
        clear(m);
        m->seen = now;
        quiet = false;
    }
    slot *s = m->listening && quiet ? lookup(m, owner, key) : NULL;
    if (s) {
        s->used = ++m->tick;
        *value = s->value;
    }
    if (gen)
        *gen = m->gen;
    pthread_mutex_unlock(&m->mu);
    return s != NULL;
}

uint64_t wh_memo_gen(wh_memo *m)
{
    pthread_mutex_lock(&m->mu);
    uint64_t gen = m->gen;
    pthread_mutex_unlock(&m->mu);
    return gen;
}

void wh_memo_put(wh_memo *m, int64_t owner, int64_t key, int64_t value, uint64_t gen)
{
    pthread_mutex_lock(&m->mu);
    if (m->listening && gen == m->gen) {
        slot *s = lookup(m, owner, key);
        if (!s) {
            slot *set = set_of(m, owner);
            s = &set[0];
            for (int i = 0; i < WAYS && s->used; i++)
                if (!set[i].used || set[i].used < s->used)
                    s = &set[i];
            if (!s->used)
                m->count++;
        }
        *s = (slot){owner, key, value, ++m->tick};
    }
    pthread_mutex_unlock(&m->mu);
}

void wh_memo_drop(wh_memo *m, int64_t owner)
{
    pthread_mutex_lock(&m->mu);
    slot *set = set_of(m, owner);
    for (int i = 0; i < WAYS; i++)
        if (set[i].used && set[i].owner == owner) {
            set[i].used = 0;
            m->count--;
        }
    m->gen++;
    pthread_mutex_unlock(&m->mu);
}

static void clear(wh_memo *m)
{
    memset(m->slots, 0, m->nsets * WAYS * sizeof *m->slots);
    m->count = 0;
    m->gen++;
}

void wh_memo_clear(wh_memo *m)
{
    pthread_mutex_lock(&m->mu);
    clear(m);
    pthread_mutex_unlock(&m->mu);
}

void wh_memo_listening(wh_memo *m, bool on)
{
    pthread_mutex_lock(&m->mu);
    clear(m);
    m->listening = on;
    pthread_mutex_unlock(&m->mu);
}

size_t wh_memo_count(wh_memo *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->count;
    pthread_mutex_unlock(&m->mu);
    return n;
}
