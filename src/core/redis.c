/* The Redis connection pool (core/redis.h). Invariant: a context on the idle stack completed
 * its last exchange cleanly; down_until_ms only moves forward on a failure. */
#include "core/redis.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

#include <pthread.h>
#include <string.h>

struct wh_redis {
    char host[256];
    int port;
    char password[256]; /* empty: no AUTH */
    int db;
    pthread_mutex_t mu; /* guards idle, nidle, down_until_ms */
    redisContext *idle[WH_LIMIT_REDIS_IDLE];
    int nidle;
    int64_t down_until_ms; /* monotonic clock */
};

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
static bool parse_url(const char *url, wh_redis *r)
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

wh_err wh_redis_new(const char *url, wh_redis **out, wh_error *e)
{
    wh_redis *r = wh_calloc(1, sizeof *r);
    *out = NULL;
    if (!parse_url(url, r)) {
        wh_free(r);
        return wh_error_field(e, "WH_REDIS_URL",
                              "must look like redis://[:password@]host[:port][/db]");
    }
    pthread_mutex_init(&r->mu, NULL);
    *out = r;
    return WH_OK;
}

void wh_redis_free(wh_redis *r)
{
    if (!r)
        return;
    while (r->nidle > 0)
        redisFree(r->idle[--r->nidle]);
    pthread_mutex_destroy(&r->mu);
    memset(r->password, 0, sizeof r->password);
    wh_free(r);
}

static bool reply_ok(redisReply *rep)
{
    return rep && rep->type != REDIS_REPLY_ERROR;
}

static redisContext *dial(wh_redis *r)
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

static void back_off(wh_redis *r)
{
    pthread_mutex_lock(&r->mu);
    r->down_until_ms = wh_clock_mono_ms() + WH_LIMIT_REDIS_BACKOFF_MS;
    pthread_mutex_unlock(&r->mu);
}

redisContext *wh_redis_borrow(wh_redis *r)
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
    if (!ctx)
        back_off(r);
    return ctx;
}

void wh_redis_give_back(wh_redis *r, redisContext *ctx, bool ok)
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
        back_off(r);
    }
    if (ctx)
        redisFree(ctx);
}
