/* The cache front: backend choice, counters and single-flight. */
#include "cache/cache_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

/* A key being computed right now by one thread. */
typedef struct flight {
    struct flight *next;
    const char *key; /* the leader's key, valid while the flight is listed */
} flight;

struct wh_cache {
    const wh_cache_backend *be;
    void *impl;
    int64_t ttl_s;
    pthread_mutex_t mu; /* guards flights and the counters */
    pthread_cond_t landed;
    flight *flights;
    wh_cache_stats stats;
};

wh_err wh_cache_new(const char *redis_url, int64_t ttl_s, wh_cache **out, wh_error *e)
{
    void *impl = NULL;
    const wh_cache_backend *be = &wh_cache_memory_backend;
    *out = NULL;
    if (redis_url && *redis_url) {
        wh_err rc = wh_cache_redis_new(redis_url, &impl, e);
        if (rc != WH_OK)
            return rc;
        be = &wh_cache_redis_backend;
    } else {
        impl = wh_cache_memory_new(WH_LIMIT_CACHE_ENTRIES, WH_LIMIT_CACHE_VALUE_BYTES);
    }
    wh_cache *c = wh_calloc(1, sizeof *c);
    c->be = be;
    c->impl = impl;
    c->ttl_s = ttl_s;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->landed, NULL);
    *out = c;
    return WH_OK;
}

void wh_cache_free(wh_cache *c)
{
    if (!c)
        return;
    c->be->free(c->impl);
    pthread_cond_destroy(&c->landed);
    pthread_mutex_destroy(&c->mu);
    wh_free(c);
}

const char *wh_cache_backend_name(const wh_cache *c)
{
    return c->be->name;
}

void wh_cache_stats_get(wh_cache *c, wh_cache_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

static void count(wh_cache *c, long *counter)
{
    pthread_mutex_lock(&c->mu);
    (*counter)++;
    pthread_mutex_unlock(&c->mu);
}

static bool lookup(wh_cache *c, const char *key, int64_t now_ms, char **val, size_t *len)
{
    bool failed = false;
    bool hit = c->be->get(c->impl, key, now_ms, val, len, &failed);
    if (failed)
        count(c, &c->stats.errors);
    return hit;
}

static flight *flight_find(wh_cache *c, const char *key)
{
    for (flight *f = c->flights; f; f = f->next)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

/* Under c->mu: waits until no thread computes key, or the wait limit passes (then the caller
 * computes the value itself rather than hang behind a stuck leader). */
static void wait_landed(wh_cache *c, const char *key)
{
    struct timespec until;
    wh_clock_deadline(CLOCK_REALTIME, WH_LIMIT_CACHE_WAIT_MS, &until);
    c->stats.waits++;
    while (flight_find(c, key))
        if (pthread_cond_timedwait(&c->landed, &c->mu, &until) == ETIMEDOUT)
            return;
}

static void flight_remove(wh_cache *c, flight *me)
{
    pthread_mutex_lock(&c->mu);
    for (flight **p = &c->flights; *p; p = &(*p)->next)
        if (*p == me) {
            *p = me->next;
            break;
        }
    pthread_cond_broadcast(&c->landed);
    pthread_mutex_unlock(&c->mu);
}

/* Computes key as the leader of its flight and stores the value. */
static wh_err compute(wh_cache *c, const char *key, int64_t now_ms, wh_cache_fill_fn fill,
                      void *ctx, char **val, size_t *len, wh_error *e)
{
    wh_buf b;
    wh_buf_init(&b, WH_LIMIT_CACHE_FILL_BYTES); /* the backend refuses to store over its cap */
    wh_err rc = fill(ctx, &b, e);
    if (rc == WH_OK) {
        *val = wh_buf_take(&b, len);
        if (!*val) /* an empty value */
            *val = wh_strdup("");
        if (!c->be->put(c->impl, key, *val, *len, now_ms, c->ttl_s))
            count(c, &c->stats.errors);
    }
    wh_buf_cleanup(&b);
    return rc;
}

wh_err wh_cache_fetch(wh_cache *c, const char *key, int64_t now_ms, wh_cache_fill_fn fill,
                      void *ctx, char **val, size_t *len, bool *hit, wh_error *e)
{
    *val = NULL;
    *len = 0;
    *hit = lookup(c, key, now_ms, val, len);
    if (*hit) {
        count(c, &c->stats.hits);
        return WH_OK;
    }
    flight me = {.key = key};
    pthread_mutex_lock(&c->mu);
    c->stats.misses++;
    if (flight_find(c, key)) {
        wait_landed(c, key);
        pthread_mutex_unlock(&c->mu);
        /* the leader stored the value, unless it failed or the backend refused it */
        *hit = lookup(c, key, now_ms, val, len);
        if (*hit)
            return WH_OK;
        pthread_mutex_lock(&c->mu);
    }
    me.next = c->flights;
    c->flights = &me;
    c->stats.fills++;
    pthread_mutex_unlock(&c->mu);
    wh_err rc = compute(c, key, now_ms, fill, ctx, val, len, e);
    flight_remove(c, &me);
    return rc;
}
