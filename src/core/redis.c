/* The Redis connection pool (core/redis.h). Invariant: a context on the idle stack completed
 * its last exchange cleanly; down_until_ms only moves forward on a failure. */
#include "core/redis.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

struct wh_redis {
    char host[256];
    int port;
    char user[128];     /* empty: the default user */
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

static bool copy_part(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        return false;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

/* redis://[[user]:password@]host[:port][/db]; the credentials end at the last '@' before the
 * path, so a password may hold '@' (no percent-decoding: write it as it is). */
static bool parse_url(const char *url, wh_redis *r)
{
    if (strncmp(url, "redis://", 8) != 0)
        return false;
    const char *p = url + 8;
    size_t auth_len = strcspn(p, "/");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (p[i] == '@')
            at = p + i;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon) {
            if (!copy_part(r->user, sizeof r->user, p, (size_t)(colon - p)) ||
                !copy_part(r->password, sizeof r->password, colon + 1, (size_t)(at - colon - 1)))
                return false;
        } else if (!copy_part(r->password, sizeof r->password, p, (size_t)(at - p))) {
            return false;
        }
        p = at + 1;
    }
    size_t hlen = strcspn(p, ":/");
    if (hlen == 0 || !copy_part(r->host, sizeof r->host, p, hlen))
        return false;
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
                              "must look like redis://[[user]:password@]host[:port][/db]");
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
    memset(r->user, 0, sizeof r->user);
    wh_free(r);
}

static bool reply_ok(const redisReply *rep)
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
        redisReply *rep = r->user[0] ? redisCommand(ctx, "AUTH %s %s", r->user, r->password)
                                     : redisCommand(ctx, "AUTH %s", r->password);
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

/* Drops every idle connection (after one of them turned out dead, the others likely are). */
static void drop_idle(wh_redis *r)
{
    pthread_mutex_lock(&r->mu);
    while (r->nidle > 0)
        redisFree(r->idle[--r->nidle]);
    pthread_mutex_unlock(&r->mu);
}

redisContext *wh_redis_borrow(wh_redis *r, bool *pooled)
{
    redisContext *ctx = NULL;
    pthread_mutex_lock(&r->mu);
    bool down = wh_clock_mono_ms() < r->down_until_ms;
    if (!down && r->nidle > 0)
        ctx = r->idle[--r->nidle];
    pthread_mutex_unlock(&r->mu);
    *pooled = ctx != NULL;
    if (down || ctx)
        return ctx;
    ctx = dial(r);
    if (!ctx)
        back_off(r);
    return ctx;
}

bool wh_redis_give_back(wh_redis *r, redisContext *ctx, bool ok, bool pooled)
{
    if (ok) {
        pthread_mutex_lock(&r->mu);
        if (r->nidle < WH_LIMIT_REDIS_IDLE) {
            r->idle[r->nidle++] = ctx;
            ctx = NULL;
        }
        pthread_mutex_unlock(&r->mu);
        if (ctx)
            redisFree(ctx);
        return false;
    }
    wh_log(WH_LOG_WARN, "redis %s:%d: %s", r->host, r->port,
           ctx->err ? ctx->errstr : "unexpected reply");
    bool stale = pooled && (ctx->err == REDIS_ERR_IO || ctx->err == REDIS_ERR_EOF);
    redisFree(ctx);
    if (stale)
        drop_idle(r);
    else
        back_off(r);
    return stale;
}

redisReply *wh_redis_command(wh_redis *r, bool (*accept)(const redisReply *), const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        bool pooled = false;
        redisContext *ctx = wh_redis_borrow(r, &pooled);
        if (!ctx)
            return NULL;
        va_list ap;
        va_start(ap, fmt);
        redisReply *rep = redisvCommand(ctx, fmt, ap);
        va_end(ap);
        bool ok = rep && accept(rep);
        if (!ok) {
            freeReplyObject(rep);
            rep = NULL;
        }
        bool retry = wh_redis_give_back(r, ctx, ok, pooled);
        if (ok || !retry)
            return rep;
    }
    return NULL;
}
