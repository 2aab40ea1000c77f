/* Where a request's reads go when the database has read replicas (docs/architecture.md "Read
 * replicas"). A GET or HEAD reads through wh_req_db on a replica that qualifies; everything else,
 * and anything in a write transaction, runs on the primary. Read-your-writes: a request of a
 * signed-in session that wrote on the primary (any other method that used it, or a GET that began
 * a transaction there) records the primary's WAL position afterwards as the session's mark; the
 * session's reads then go to a replica only once it has replayed the mark (else to the primary).
 * Marks are kept in process and, with WH_REDIS_URL, in Redis too, so the instance that serves the
 * next read knows the write another instance made. */
#include "http/http_int.h"
#include "app.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/redis.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t lsn;
    int64_t until_ms; /* now_ms past which the mark no longer matters */
} mark;

struct wh_marks {
    pthread_mutex_t mu;
    mark slots[WH_LIMIT_WRITE_MARKS];
    int64_t ttl_ms;
    wh_redis *redis; /* NULL: in process only */
    char prefix[64]; /* "wh:rw:<database id>:" */
};

wh_marks *wh_marks_new(const char *redis_url, const char *database_id, int64_t ttl_ms)
{
    wh_marks *m = wh_calloc(1, sizeof *m);
    wh_error e;
    wh_error_init(&e);
    pthread_mutex_init(&m->mu, NULL);
    m->ttl_ms = ttl_ms;
    snprintf(m->prefix, sizeof m->prefix, "wh:rw:%s:", database_id);
    if (redis_url && wh_redis_new(redis_url, &m->redis, &e) != WH_OK) /* checked by the cache */
        wh_log(WH_LOG_WARN, "read-your-writes marks stay in process: %s", e.detail);
    return m;
}

void wh_marks_free(wh_marks *m)
{
    if (!m)
        return;
    wh_redis_free(m->redis);
    pthread_mutex_destroy(&m->mu);
    wh_free(m);
}

static mark *slot_of(wh_marks *m, int64_t session_id)
{
    uint64_t h = (uint64_t)session_id * 0x9E3779B97F4A7C15ULL;
    return &m->slots[(h >> 32) % WH_LIMIT_WRITE_MARKS];
}

static bool status_reply(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_STATUS;
}

static bool string_or_nil(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_STRING || rep->type == REDIS_REPLY_NIL;
}

/* Records lsn as session_id's last write (a later one on the same slot wins). */
static void marks_put(wh_marks *m, int64_t session_id, uint64_t lsn, int64_t now_ms)
{
    pthread_mutex_lock(&m->mu);
    mark *s = slot_of(m, session_id);
    if (s->until_ms < now_ms || s->lsn < lsn)
        *s = (mark){lsn, now_ms + m->ttl_ms};
    pthread_mutex_unlock(&m->mu);
    if (!m->redis)
        return;
    char value[24];
    snprintf(value, sizeof value, "%" PRIu64, lsn);
    freeReplyObject(wh_redis_command(m->redis, status_reply, "SET %s%lld %s PX %lld", m->prefix,
                                     (long long)session_id, value, (long long)m->ttl_ms));
}

/* session_id's last write position: the later of the process's mark and Redis's (a write on
 * another instance may be newer than this one's); 0 when neither holds one. Redis down reads as
 * no mark there (the replica answers what it has: reads stay available). */
static uint64_t marks_get(wh_marks *m, int64_t session_id, int64_t now_ms)
{
    uint64_t lsn = 0;
    pthread_mutex_lock(&m->mu);
    const mark *s = slot_of(m, session_id);
    if (s->until_ms >= now_ms)
        lsn = s->lsn;
    pthread_mutex_unlock(&m->mu);
    if (!m->redis)
        return lsn;
    redisReply *rep =
        wh_redis_command(m->redis, string_or_nil, "GET %s%lld", m->prefix, (long long)session_id);
    if (rep && rep->type == REDIS_REPLY_STRING) {
        uint64_t shared = strtoull(rep->str, NULL, 10);
        lsn = shared > lsn ? shared : lsn;
    }
    freeReplyObject(rep);
    return lsn;
}

static bool safe_method(const wh_req *r)
{
    return strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
}

bool wh_reads_may_use_replica(const wh_req *r)
{
    return r->app->marks && safe_method(r);
}

uint64_t wh_reads_min_lsn(wh_req *r)
{
    return r->authed ? marks_get(r->app->marks, r->user.session_id, r->now_ms) : 0;
}

void wh_req_release_db(wh_req *r)
{
    /* a write: any other method that used the primary, or a GET that began a transaction there
     * (not the session lookup of a GET, which only reads, nor its touch of the session row, which
     * no replica read depends on) */
    if (r->db && r->authed && r->app->marks && (!safe_method(r) || wh_db_began(r->db))) {
        uint64_t lsn = 0;
        wh_error e;
        wh_error_init(&e);
        if (wh_db_wal_lsn(r->db, &r->arena, &lsn, &e) == WH_OK && lsn)
            marks_put(r->app->marks, r->user.session_id, lsn, r->now_ms);
    }
    wh_db_release(r->app->db, r->db);
    wh_db_release(r->app->db, r->ro);
    r->db = NULL;
    r->ro = NULL;
}
