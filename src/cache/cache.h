/* The response cache (DESIGN.md "Cache"): opaque byte values under string keys with a time to
 * live, in one of two backends chosen once at start-up - an in-process LRU (one machine) or
 * Redis (shared by every instance). Callers never branch on the backend.
 *
 * wh_cache_fetch adds single-flight: while one thread computes a missing key, other threads
 * asking for the same key wait for its value instead of computing it again.
 *
 * The cache is an accelerator, never a source of truth: a backend failure (Redis down, a value
 * too large) reads as a miss and the caller computes the value itself. Keys must carry
 * everything the value depends on (see docs/cache.md); nothing is ever invalidated in place. */
#ifndef WH_CACHE_CACHE_H
#define WH_CACHE_CACHE_H

#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wh_cache wh_cache;

/* Counters since start (for /metrics and tests). fills: values computed by wh_cache_fetch;
 * waits: fetches that waited for another thread's computation; errors: backend failures. */
typedef struct {
    long hits, misses, fills, waits, errors;
} wh_cache_stats;

/* A Redis cache when redis_url is set ("redis://[:password@]host[:port][/db]"), else an
 * in-process one. Values live ttl_s seconds. Redis is contacted lazily: an unreachable Redis
 * does not stop the start, it only makes every lookup a miss. 400 for a malformed URL. */
WH_MUST_USE wh_err wh_cache_new(const char *redis_url, int64_t ttl_s, wh_cache **out, wh_error *e);
void wh_cache_free(wh_cache *c);
/* "memory" or "redis". */
const char *wh_cache_backend_name(const wh_cache *c);

/* Computes the value of a missing key into out (created by the caller with its size cap). */
typedef wh_err (*wh_cache_fill_fn)(void *ctx, wh_buf *out, wh_error *e);

/* The value of key: from the cache (*hit = true), or computed by fill and stored. now_ms is the
 * caller's clock (expiry of the in-process backend). The value is malloc'd: the caller frees
 * *val. On a fill error nothing is stored and the error is returned. */
WH_MUST_USE wh_err wh_cache_fetch(wh_cache *c, const char *key, int64_t now_ms,
                                  wh_cache_fill_fn fill, void *ctx, char **val, size_t *len,
                                  bool *hit, wh_error *e);

void wh_cache_stats_get(wh_cache *c, wh_cache_stats *out);

#endif
