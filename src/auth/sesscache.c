/* The session cache: validated sessions by token hash, so an authenticated request finds who is
 * asking without a database round trip (docs/architecture.md, Identity and access).
 *
 * Invariants:
 * - An entry is only trusted while the process listens (wh_db_listen): every write that ends a
 *   session or changes its user notifies at commit (wh_db_notify), and the note drops the
 *   entries it names. While not listening (before the first LISTEN, or after the listening
 *   connection dropped) the cache is empty and refuses entries: every request reads through.
 * - gen counts every drop. A request reads it before its database read (wh_sesscache_find) and
 *   hands it back to wh_sesscache_put: when a drop came in between, the row it read may predate
 *   the change that caused it, so the entry is not stored.
 * - Bounded: capacity entries in sets of WAYS, a token's set chosen by its hash; a full set
 *   evicts its least recently used entry. One mutex; every operation is a short scan, the
 *   user-wide drop a scan of the whole table (rare: a write to a user).
 * Thread-safe. */
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/str.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WAYS 8

typedef struct {
    char hash[WH_SESSCACHE_HASH_CHARS + 1]; /* "" when the slot is free */
    wh_sesscache_entry v;                   /* v.email and v.full_name are heap copies */
    uint64_t used;                          /* tick of the last find or put */
} slot;

struct wh_sesscache {
    pthread_mutex_t mu;
    size_t nsets;
    slot *slots; /* nsets * WAYS */
    uint64_t tick, gen;
    bool listening;
    size_t count;
    bool (*quiet)(void *arg); /* wh_sesscache_probe; NULL: always quiet */
    void *quiet_arg;
};

wh_sesscache *wh_sesscache_new(size_t capacity)
{
    wh_sesscache *sc = wh_calloc(1, sizeof *sc);
    sc->nsets = capacity / WAYS ? capacity / WAYS : 1;
    sc->slots = wh_calloc(sc->nsets * WAYS, sizeof *sc->slots);
    pthread_mutex_init(&sc->mu, NULL);
    return sc;
}

static void vacate(wh_sesscache *sc, slot *s)
{
    if (!s->hash[0])
        return;
    wh_free((char *)s->v.email);
    wh_free((char *)s->v.full_name);
    memset(s, 0, sizeof *s);
    sc->count--;
}

static void clear(wh_sesscache *sc)
{
    for (size_t i = 0; i < sc->nsets * WAYS; i++)
        vacate(sc, &sc->slots[i]);
    sc->gen++;
}

void wh_sesscache_probe(wh_sesscache *sc, bool (*quiet)(void *arg), void *arg)
{
    sc->quiet = quiet;
    sc->quiet_arg = arg;
}

void wh_sesscache_free(wh_sesscache *sc)
{
    if (!sc)
        return;
    clear(sc);
    pthread_mutex_destroy(&sc->mu);
    wh_free(sc->slots);
    wh_free(sc);
}

/* The set of a token hash: its first 8 hex digits (SHA-256 spreads them evenly). */
static slot *set_of(wh_sesscache *sc, const char *hash)
{
    uint64_t h = 0;
    for (int i = 0; i < 8 && hash[i]; i++)
        h = h * 16 + (uint64_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return &sc->slots[(h % sc->nsets) * WAYS];
}

static slot *lookup(wh_sesscache *sc, const char *hash)
{
    slot *set = set_of(sc, hash);
    for (int i = 0; i < WAYS; i++)
        if (strcmp(set[i].hash, hash) == 0)
            return &set[i];
    return NULL;
}

bool wh_sesscache_find(wh_sesscache *sc, const char *hash, wh_arena *a, wh_sesscache_entry *out,
                       uint64_t *gen)
{
    /* a notification already on the socket but not yet applied must not be outrun */
    bool quiet = !sc->quiet || sc->quiet(sc->quiet_arg);
    pthread_mutex_lock(&sc->mu);
    slot *s = sc->listening && quiet ? lookup(sc, hash) : NULL;
    if (s) {
        s->used = ++sc->tick;
        *out = s->v;
        out->email = wh_arena_strdup(a, s->v.email);
        out->full_name = wh_arena_strdup(a, s->v.full_name);
    }
    *gen = sc->gen;
    pthread_mutex_unlock(&sc->mu);
    return s != NULL;
}

/* The slot a new entry of hash takes: a free one of its set, else its least recently used. */
static slot *victim(wh_sesscache *sc, const char *hash)
{
    slot *set = set_of(sc, hash), *best = &set[0];
    for (int i = 0; i < WAYS; i++) {
        if (!set[i].hash[0])
            return &set[i];
        if (set[i].used < best->used)
            best = &set[i];
    }
    vacate(sc, best);
    return best;
}

void wh_sesscache_put(wh_sesscache *sc, const char *hash, const wh_sesscache_entry *v, uint64_t gen)
{
    if (strlen(hash) != WH_SESSCACHE_HASH_CHARS)
        return;
    pthread_mutex_lock(&sc->mu);
    if (sc->listening && gen == sc->gen) {
        slot *s = lookup(sc, hash);
        if (s)
            vacate(sc, s);
        s = victim(sc, hash);
        memcpy(s->hash, hash, sizeof s->hash);
        s->v = *v;
        s->v.email = wh_strdup(v->email);
        s->v.full_name = wh_strdup(v->full_name);
        s->used = ++sc->tick;
        sc->count++;
    }
    pthread_mutex_unlock(&sc->mu);
}

void wh_sesscache_touched(wh_sesscache *sc, const char *hash, int64_t expires_ms)
{
    pthread_mutex_lock(&sc->mu);
    slot *s = lookup(sc, hash);
    if (s)
        s->v.expires_ms = expires_ms;
    pthread_mutex_unlock(&sc->mu);
}

static void drop_user(wh_sesscache *sc, int64_t user_id)
{
    for (size_t i = 0; i < sc->nsets * WAYS; i++)
        if (sc->slots[i].hash[0] && sc->slots[i].v.user_id == user_id)
            vacate(sc, &sc->slots[i]);
    sc->gen++;
}

void wh_sesscache_note(wh_sesscache *sc, const char *payload)
{
    int64_t id = 0;
    pthread_mutex_lock(&sc->mu);
    if (strncmp(payload, "s:", 2) == 0) {
        slot *s = lookup(sc, payload + 2);
        if (s)
            vacate(sc, s);
        sc->gen++;
    } else if (strncmp(payload, "u:", 2) == 0 &&
               wh_str_to_i64(wh_str_c(payload + 2), 1, INT64_MAX, &id)) {
        drop_user(sc, id);
    } else {
        clear(sc); /* "*", or a note this build does not know: forget everything */
    }
    pthread_mutex_unlock(&sc->mu);
}

void wh_sesscache_listening(wh_sesscache *sc, bool on)
{
    pthread_mutex_lock(&sc->mu);
    clear(sc);
    sc->listening = on;
    pthread_mutex_unlock(&sc->mu);
}

size_t wh_sesscache_count(wh_sesscache *sc)
{
    pthread_mutex_lock(&sc->mu);
    size_t n = sc->count;
    pthread_mutex_unlock(&sc->mu);
    return n;
}
