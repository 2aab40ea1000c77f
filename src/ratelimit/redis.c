/* The Redis limiter: one Lua script decides and records a request atomically on the Redis
 * server, on the Redis server's clock (TIME), so instances whose clocks disagree still share
 * one budget exactly. The key holds the TAT in microseconds and expires (PEXPIRE through SET
 * PX) when the allowance is full again, so idle subjects cost no memory.
 *
 * The script's decision mirrors wh_ratelimit_gcra exactly (integer microseconds, well inside
 * the 2^53 that Lua numbers hold exactly); it returns the TAT it read and the time it used, and
 * the headers' figures are then computed here by the same pure function. Numbers go in and out
 * of the script as decimal strings (string.format %.0f): Lua's default number formatting keeps
 * only 14 digits. The script is run by EVALSHA; its digest comes from SCRIPT LOAD, which is
 * repeated when Redis answers NOSCRIPT (a restarted or flushed Redis). */
#include "core/alloc.h"
#include "core/redis.h"
#include "core/str.h"
#include "ratelimit/ratelimit_int.h"

#include <pthread.h>
#include <string.h>

static const char script[] =
    "if redis.replicate_commands then redis.replicate_commands() end\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "local interval = tonumber(ARGV[1])\n"
    "local tolerance = tonumber(ARGV[2])\n"
    "local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0\n"
    "local base = tat\n"
    "if base < now then base = now end\n"
    "local nxt = base + interval\n"
    "local allowed = 0\n"
    "if nxt - now <= tolerance then\n"
    "  allowed = 1\n"
    "  redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX',\n"
    "             math.ceil((nxt - now) / 1000))\n"
    "end\n"
    "return {allowed, string.format('%.0f', tat), string.format('%.0f', now)}\n";

typedef struct {
    wh_redis *pool;
    pthread_mutex_t mu; /* guards sha */
    char sha[41];       /* digest of the loaded script; "" until loaded */
} rlimit;

wh_err wh_ratelimit_redis_new(const char *url, void **out, wh_error *e)
{
    wh_redis *pool = NULL;
    *out = NULL;
    wh_err rc = wh_redis_new(url, &pool, e);
    if (rc != WH_OK)
        return rc;
    rlimit *r = wh_calloc(1, sizeof *r);
    r->pool = pool;
    pthread_mutex_init(&r->mu, NULL);
    *out = r;
    return WH_OK;
}

static redisReply *evalsha(redisContext *ctx, const char *sha, const char *key, int64_t interval,
                           int64_t tolerance)
{
    return redisCommand(ctx, "EVALSHA %s 1 %s %lld %lld", sha, key, (long long)interval,
                        (long long)tolerance);
}

/* Loads the script; false when Redis did not answer with a digest. */
static bool load(rlimit *r, redisContext *ctx, char sha[41])
{
    redisReply *rep = redisCommand(ctx, "SCRIPT LOAD %s", script);
    bool ok = rep && rep->type == REDIS_REPLY_STRING && rep->len == 40;
    if (ok) {
        memcpy(sha, rep->str, 40);
        sha[40] = '\0';
        pthread_mutex_lock(&r->mu);
        memcpy(r->sha, sha, 41);
        pthread_mutex_unlock(&r->mu);
    }
    freeReplyObject(rep);
    return ok;
}

static bool noscript(const redisReply *rep)
{
    return rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0;
}

static redisReply *run(rlimit *r, redisContext *ctx, const char *key, int64_t interval,
                       int64_t tolerance)
{
    char sha[41];
    redisReply *rep = NULL;
    pthread_mutex_lock(&r->mu);
    memcpy(sha, r->sha, sizeof sha);
    pthread_mutex_unlock(&r->mu);
    if (sha[0]) {
        rep = evalsha(ctx, sha, key, interval, tolerance);
        if (!noscript(rep))
            return rep;
        freeReplyObject(rep);
    }
    return load(r, ctx, sha) ? evalsha(ctx, sha, key, interval, tolerance) : NULL;
}

static bool reply_i64(const redisReply *rep, int64_t *out)
{
    if (rep->type == REDIS_REPLY_INTEGER) {
        *out = (int64_t)rep->integer;
        return true;
    }
    return rep->type == REDIS_REPLY_STRING &&
           wh_str_to_i64(wh_str_c(rep->str), 0, INT64_MAX / 2, out);
}

/* Reads {allowed, tat, now} and computes the figures; false on any other shape. */
static bool decode(const redisReply *rep, const wh_ratelimit_rule *rule, wh_ratelimit_result *out)
{
    int64_t allowed = 0, tat = 0, now = 0, next = 0;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
        !reply_i64(rep->element[0], &allowed) || !reply_i64(rep->element[1], &tat) ||
        !reply_i64(rep->element[2], &now))
        return false;
    wh_ratelimit_gcra(rule, tat, now, &next, out);
    return out->allowed == (allowed == 1);
}

static bool take(void *impl, const char *key, const wh_ratelimit_rule *rule, int64_t now_us,
                 wh_ratelimit_result *out)
{
    rlimit *r = impl;
    wh_ratelimit_result res;
    (void)now_us; /* the Redis server's clock decides */
    int64_t interval = wh_ratelimit_interval_us(rule);
    bool ok = false;
    /* a pooled connection found dead (Redis restarted) is retried once on a fresh one */
    for (int attempt = 0; attempt < 2; attempt++) {
        bool pooled = false;
        redisContext *ctx = wh_redis_borrow(r->pool, &pooled);
        if (!ctx)
            return false;
        redisReply *rep = run(r, ctx, key, interval, interval * rule->limit);
        ok = decode(rep, rule, &res);
        freeReplyObject(rep);
        if (!wh_redis_give_back(r->pool, ctx, ok, pooled) || ok)
            break;
    }
    if (ok)
        *out = res;
    return ok;
}

static void redis_free(void *impl)
{
    rlimit *r = impl;
    wh_redis_free(r->pool);
    pthread_mutex_destroy(&r->mu);
    wh_free(r);
}

const wh_ratelimit_backend wh_ratelimit_redis_backend = {"redis", take, redis_free};
