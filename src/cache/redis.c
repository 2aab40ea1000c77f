/* The Redis cache: GET and SET ... EX through hiredis, on the shared connection pool of
 * core/redis.h (idle stack, short timeouts, one retry when a pooled connection turns out dead,
 * back-off after a failure, so a dead Redis costs one refused connection per back-off, not one
 * per request). */
#include "cache/cache_int.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "core/redis.h"

#include <string.h>

wh_err wh_cache_redis_new(const char *url, void **out, wh_error *e)
{
    wh_redis *r = NULL;
    wh_err rc = wh_redis_new(url, &r, e);
    *out = r;
    return rc;
}

static bool string_or_nil(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_STRING || rep->type == REDIS_REPLY_NIL;
}

static bool status_reply(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_STATUS;
}

static bool get(void *impl, const char *key, int64_t now_ms, char **val, size_t *len, bool *failed)
{
    wh_redis *r = impl;
    (void)now_ms; /* Redis expires keys itself */
    redisReply *rep = wh_redis_command(r, string_or_nil, "GET %s", key);
    *failed = rep == NULL;
    bool hit = rep && rep->type == REDIS_REPLY_STRING;
    if (hit) {
        *val = wh_malloc(rep->len + 1);
        memcpy(*val, rep->str, rep->len);
        (*val)[rep->len] = '\0';
        *len = rep->len;
    }
    freeReplyObject(rep);
    return hit;
}

static bool put(void *impl, const char *key, const char *val, size_t len, int64_t now_ms,
                int64_t ttl_s)
{
    wh_redis *r = impl;
    (void)now_ms;
    if (len > WH_LIMIT_CACHE_VALUE_BYTES)
        return false;
    redisReply *rep =
        wh_redis_command(r, status_reply, "SET %s %b EX %lld", key, val, len, (long long)ttl_s);
    bool stored = rep != NULL;
    freeReplyObject(rep);
    return stored;
}

static void redis_free(void *impl)
{
    wh_redis_free(impl);
}

const wh_cache_backend wh_cache_redis_backend = {"redis", get, put, redis_free};
