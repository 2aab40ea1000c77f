/* A small Redis connection pool shared by the cache and the rate limiter: URL parsing, lazy
 * connections with short timeouts, an idle stack, and a back-off after a failure.
 *
 * hiredis contexts are not thread-safe, so each exchange borrows a context (an idle one, or a
 * new connection) and gives it back. A context that failed is dropped and Redis is left alone
 * for WH_LIMIT_REDIS_BACKOFF_MS: a dead Redis costs one refused connection and one log line per
 * back-off, not one per request. Thread-safe. */
#ifndef WH_CORE_REDIS_H
#define WH_CORE_REDIS_H

#include "core/err.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>

typedef struct wh_redis wh_redis;

/* A pool for url, "redis://[[user]:password@]host[:port][/db]". Nothing is connected yet.
 * 400 (field WH_REDIS_URL) for a malformed URL. */
WH_MUST_USE wh_err wh_redis_new(const char *url, wh_redis **out, wh_error *e);
void wh_redis_free(wh_redis *r);

/* A connected context to use, or NULL while Redis is considered down (after a failure, for the
 * back-off). The caller owns it until wh_redis_give_back. */
redisContext *wh_redis_borrow(wh_redis *r);
/* Gives ctx back: kept for reuse after a clean exchange (ok), dropped and logged after a failed
 * one, which also starts the back-off. */
void wh_redis_give_back(wh_redis *r, redisContext *ctx, bool ok);

#endif
