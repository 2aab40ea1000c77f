/* The Redis cache: GET and SET ... EX through hiredis. hiredis contexts are not thread-safe, so
 * each operation borrows one from a small idle stack (or connects a new one) and returns it;
 * a context that failed is dropped. After a failure Redis is left alone for a short back-off,
 * so a dead Redis costs one refused connection per back-off, not one per request. */
#include "cache/cache_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char host[256];
    int port;
    char password[256]; /* empty: no AUTH */
    int db;
    pthread_mutex_t mu; /* guards idle, nidle, down_until_ms */
    redisContext *idle[WH_LIMIT_REDIS_IDLE];
    int nidle;
    int64_t down_until_ms; /* monotonic clock */
} rcache;

static bool parse_port(const char *s, size_t n, int *out)
{
    int v = 0;
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return v > 0 && v < 65536;
}

/* redis://[[user]:password@]host[:port][/db] */
static bool parse_url(const char *url, rcache *r)
{
    const char *p = url + strlen("redis://");
    if (strncmp(url, "redis://", 8) != 0)
        return false;
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        if ((size_t)(at - pw) >= sizeof r->password)
            return false;
        memcpy(r->password, pw, (size_t)(at - pw));
        p = at + 1;
    }
    size_t hlen = strcspn(p, ":/");
    if (hlen == 0 || hlen >= sizeof r->host)
        return false;
    memcpy(r->host, p, hlen);
    p += hlen;
    r->port = 6379;
    if (*p == ':') {
        size_t plen = strcspn(p + 1, "/");
        if (!parse_port(p + 1, plen, &r->port))
            return false;
        p += 1 + plen;
    }
    if (*p == '/' && p[1]) {
        int db = 0;
        if (!parse_port(p + 1, strlen(p + 1), &db) && strcmp(p + 1, "0") != 0)
            return false;
        r->db = db;
    }
    return true;
}

wh_err wh_cache_redis_new(const char *url, void **out, wh_error *e)
{
    rcache *r = wh_calloc(1, sizeof *r);
    if (!parse_url(url, r)) {
        wh_free(r);
        return wh_error_field(e, "WH_REDIS_URL",
                              "must look like redis://[:password@]host[:port][/db]");
    }
    pthread_mutex_init(&r->mu, NULL);
    *out = r;
    return WH_OK;
}

static bool reply_ok(redisReply *rep)
{
    return rep && rep->type != REDIS_REPLY_ERROR;
}

static redisContext *dial(rcache *r)
{
    struct timeval tv = {0, WH_LIMIT_REDIS_TIMEOUT_MS * 1000};
    redisContext *ctx = redisConnectWithTimeout(r->host, r->port, tv);
    if (!ctx || ctx->err)
        goto fail;
    if (redisSetTimeout(ctx, tv) != REDIS_OK)
        goto fail;
    if (r->password[0]) {
        redisReply *rep = redisCommand(ctx, "AUTH %s", r->password);
        bool ok = reply_ok(rep);
        freeReplyObject(rep);
        if (!ok)
            goto fail;
    }
    if (r->db) {
        redisReply *rep = redisCommand(ctx, "SELECT %d", r->db);
        bool ok = reply_ok(rep);
        freeReplyObject(rep);
        if (!ok)
            goto fail;
    }
    return ctx;
fail:
    wh_log(WH_LOG_WARN, "redis %s:%d: %s", r->host, r->port,
           ctx && ctx->err ? ctx->errstr : "refused the connection set-up");
    if (ctx)
        redisFree(ctx);
    return NULL;
}

/* A context to use, or NULL while Redis is considered down. */
static redisContext *borrow(rcache *r)
{
    redisContext *ctx = NULL;
    pthread_mutex_lock(&r->mu);
    bool down = wh_clock_mono_ms() < r->down_until_ms;
    if (!down && r->nidle > 0)
        ctx = r->idle[--r->nidle];
    pthread_mutex_unlock(&r->mu);
    if (down || ctx)
        return ctx;
    ctx = dial(r);
    if (!ctx) {
        pthread_mutex_lock(&r->mu);
        r->down_until_ms = wh_clock_mono_ms() + WH_LIMIT_REDIS_BACKOFF_MS;
        pthread_mutex_unlock(&r->mu);
    }
    return ctx;
}

/* Gives ctx back after a clean exchange, or drops it after a failed one. */
static void give_back(rcache *r, redisContext *ctx, bool ok)
{
    if (ok) {
        pthread_mutex_lock(&r->mu);
        if (r->nidle < WH_LIMIT_REDIS_IDLE) {
            r->idle[r->nidle++] = ctx;
            ctx = NULL;
        }
        pthread_mutex_unlock(&r->mu);
    } else {
        wh_log(WH_LOG_WARN, "redis %s:%d: %s", r->host, r->port,
               ctx->err ? ctx->errstr : "unexpected reply");
        pthread_mutex_lock(&r->mu);
        r->down_until_ms = wh_clock_mono_ms() + WH_LIMIT_REDIS_BACKOFF_MS;
        pthread_mutex_unlock(&r->mu);
    }
    if (ctx)
        redisFree(ctx);
}

static bool get(void *impl, const char *key, int64_t now_ms, char **val, size_t *len, bool *failed)
{
    rcache *r = impl;
    (void)now_ms; /* Redis expires keys itself */
    redisContext *ctx = borrow(r);
    *failed = ctx == NULL;
    if (!ctx)
        return false;
    redisReply *rep = redisCommand(ctx, "GET %s", key);
    bool ok = rep && (rep->type == REDIS_REPLY_STRING || rep->type == REDIS_REPLY_NIL);
    bool hit = ok && rep->type == REDIS_REPLY_STRING;
    if (hit) {
        *val = wh_malloc(rep->len + 1);
        memcpy(*val, rep->str, rep->len);
        (*val)[rep->len] = '\0';
        *len = rep->len;
    }
    freeReplyObject(rep);
    give_back(r, ctx, ok);
    *failed = !ok;
    return hit;
}

static bool put(void *impl, const char *key, const char *val, size_t len, int64_t now_ms,
                int64_t ttl_s)
{
    rcache *r = impl;
    (void)now_ms;
    if (len > WH_LIMIT_CACHE_VALUE_BYTES)
        return false;
    redisContext *ctx = borrow(r);
    if (!ctx)
        return false;
    redisReply *rep = redisCommand(ctx, "SET %s %b EX %lld", key, val, len, (long long)ttl_s);
    bool ok = rep && rep->type == REDIS_REPLY_STATUS;
    freeReplyObject(rep);
    give_back(r, ctx, ok);
    return ok;
}

static void redis_free(void *impl)
{
    rcache *r = impl;
    while (r->nidle > 0)
        redisFree(r->idle[--r->nidle]);
    pthread_mutex_destroy(&r->mu);
    wh_free(r);
}

const wh_cache_backend wh_cache_redis_backend = {"redis", get, put, redis_free};
