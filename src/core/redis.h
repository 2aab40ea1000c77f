/* A small Redis connection pool shared by the cache and the rate limiter: URL parsing, lazy
 * connections with short timeouts, an idle stack, and a back-off after a failure.
 *
 * hiredis contexts are not thread-safe, so each exchange borrows a context (an idle one, or a
 * new connection) and gives it back. A pooled context that fails on I/O (Redis restarted, or
 * closed it as idle) drops the whole idle stack and is worth one retry on a fresh connection;
 * any other failure is dropped and Redis is left alone for WH_LIMIT_REDIS_BACKOFF_MS: a dead
 * Redis costs one refused connection and one log line per back-off, not one per request.
 * Thread-safe. */
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

/* A connected context to use (*pooled: an idle one, not a fresh connection), or NULL while
 * Redis is considered down (after a failure, for the back-off). The caller owns it until
 * wh_redis_give_back. */
redisContext *wh_redis_borrow(wh_redis *r, bool *pooled);
/* Gives ctx back: kept for reuse after a clean exchange (ok), dropped and logged after a failed
 * one. Returns true when the failure was a pooled context's I/O error, which drops the idle
 * stack and is worth one retry on a fresh connection; other failures start the back-off. */
bool wh_redis_give_back(wh_redis *r, redisContext *ctx, bool ok, bool pooled);
/* One command whose reply accept approves, on a borrowed context, retried once on a fresh
 * connection after a pooled one failed on I/O; NULL on failure. The caller frees the reply. */
redisReply *wh_redis_command(wh_redis *r, bool (*accept)(const redisReply *), const char *fmt, ...);

#endif
