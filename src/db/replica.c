/* Read replicas (docs/architecture.md "Read replicas"): a pool per PostgreSQL streaming standby
 * beside the primary's, a monitor thread that measures how far each one lags, and the choice of
 * a connection for a read.
 *
 * Lag is measured against the primary's own history, not a clock: every WH_LIMIT_REPLICA_POLL_MS
 * the monitor samples the primary's flushed WAL position, then each replica's replay position. A
 * replica has everything the primary had at the newest sample whose position it has replayed;
 * its lag is the age of that sample (0 while it keeps up, whatever the primary's idle time). A
 * replica that cannot be reached, is not a standby, or has replayed none of the samples kept
 * (about WH_REPLICA_MAX_LAG_MS of them) is down or lagging: skipped until a poll sees it back.
 *
 * A read asks for a position (the last write of its session, 0: none): a replica qualifies when it
 * is up, lags at most the limit, and had replayed that position at its last poll. The request
 * threads read the monitor's figures through atomics; the samples are the monitor's own. */
#define _GNU_SOURCE
#include "db/db_int.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct wh_replica {
    wh_db *pool;
    char name[WH_LIMIT_REPLICA_NAME_CHARS]; /* host:port/db, for logs and /metrics */
    void *probe;                            /* the monitor's own connection, or NULL */
    int64_t retry_ms;                       /* monitor: when to connect again after a failure */
    _Atomic bool up;
    _Atomic int64_t lag_ms;
    _Atomic uint64_t replayed; /* replay position at the last poll */
    _Atomic uint64_t reads, fallbacks;
};

typedef struct {
    int64_t at_ms;
    uint64_t lsn;
} sample;

struct wh_replicas {
    wh_db *primary;
    wh_replica *r;
    int n;
    int64_t max_lag_ms;
    _Atomic unsigned next; /* round robin */
    _Atomic uint64_t primary_reads;
    /* monitor thread */
    pthread_t thread;
    int stop[2];
    void *probe; /* its connection to the primary */
    sample *samples;
    int nsamples, cap, head; /* ring: head is the next slot written */
};

bool wh_db_lsn_parse(const char *text, uint64_t *out)
{
    char *end = NULL;
    if (!text || !*text)
        return false;
    errno = 0;
    unsigned long long hi = strtoull(text, &end, 16);
    if (errno || end == text || *end != '/' || hi > UINT32_MAX)
        return false;
    const char *lo_text = end + 1;
    unsigned long long lo = strtoull(lo_text, &end, 16);
    if (errno || end == lo_text || *end || lo > UINT32_MAX)
        return false;
    *out = (uint64_t)hi << 32 | (uint64_t)lo;
    return true;
}

/* "host:port/db" of a postgres:// URL: what follows the scheme and any user info. */
static void name_of(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@');
    const char *q = strchr(p, '?');
    if (at && (!q || at < q))
        p = at + 1;
    int len = q ? (int)(q - p) : (int)strlen(p);
    snprintf(out, cap, "%.*s", len, p);
}

/* One position read by sql on *probe, connecting to target first when needed; false when the
 * server cannot be reached or answers no position (a replica that is not a standby). A failed
 * connection is dropped. */
static bool read_lsn(const wh_db_backend *be, void **probe, const char *target, const char *sql,
                     uint64_t *out)
{
    wh_arena a;
    wh_error e;
    wh_rows *rows = NULL;
    wh_error_init(&e);
    if (!*probe && be->connect(target, probe, &e) != WH_OK)
        return false;
    wh_arena_init(&a);
    bool ok = be->query(*probe, &a, sql, NULL, 0, &rows, &e) == WH_OK &&
              wh_db_lsn_parse(wh_rows_text(rows, 0, 0), out);
    wh_arena_cleanup(&a);
    if (!be->healthy(*probe)) {
        be->disconnect(*probe);
        *probe = NULL;
    }
    return ok;
}

static void add_sample(wh_replicas *rs, int64_t now_ms, uint64_t lsn)
{
    rs->samples[rs->head] = (sample){now_ms, lsn};
    rs->head = (rs->head + 1) % rs->cap;
    if (rs->nsamples < rs->cap)
        rs->nsamples++;
}

/* The age of the newest sample at or below replayed; -1 when none is (more than the ring). */
static int64_t lag_of(const wh_replicas *rs, uint64_t replayed, int64_t now_ms)
{
    for (int i = 1; i <= rs->nsamples; i++) {
        const sample *s = &rs->samples[(rs->head - i + rs->cap) % rs->cap];
        if (s->lsn <= replayed)
            return i == 1 ? 0 : now_ms - s->at_ms; /* the newest: it keeps up */
    }
    return -1;
}

static void set_up(wh_replica *rep, bool up, const char *why)
{
    bool was = atomic_exchange(&rep->up, up);
    if (was != up)
        wh_log(up ? WH_LOG_INFO : WH_LOG_WARN, "replica %s: %s", rep->name, why);
}

static void poll_replica(wh_replicas *rs, wh_replica *rep, int64_t now_ms)
{
    const wh_db_backend *be = rs->primary->be;
    uint64_t replayed = 0;
    if (!rep->probe && now_ms < rep->retry_ms)
        return;
    if (!read_lsn(be, &rep->probe, rep->pool->target, be->wal_replay_sql, &replayed)) {
        rep->retry_ms = now_ms + WH_LIMIT_REPLICA_RETRY_MS;
        set_up(rep, false, "down or not a standby; reads go elsewhere");
        return;
    }
    int64_t lag = lag_of(rs, replayed, now_ms);
    atomic_store(&rep->replayed, replayed);
    atomic_store(&rep->lag_ms, lag < 0 ? rs->max_lag_ms + 1 : lag);
    if (lag < 0 || lag > rs->max_lag_ms)
        set_up(rep, false, "lags more than WH_REPLICA_MAX_LAG_MS; reads go elsewhere");
    else
        set_up(rep, true, "replaying; takes reads");
}

static void *monitor_main(void *arg)
{
    wh_replicas *rs = arg;
    const wh_db_backend *be = rs->primary->be;
    struct pollfd stop = {.fd = rs->stop[0], .events = POLLIN};
    do {
        uint64_t lsn = 0;
        int64_t now_ms = wh_clock_mono_ms();
        if (read_lsn(be, &rs->probe, rs->primary->target, be->wal_flush_sql, &lsn))
            add_sample(rs, now_ms, lsn);
        for (int i = 0; i < rs->n; i++)
            poll_replica(rs, &rs->r[i], wh_clock_mono_ms());
    } while (poll(&stop, 1, WH_LIMIT_REPLICA_POLL_MS) == 0 || (stop.revents & POLLIN) == 0);
    return NULL;
}

/* Adds the replica at url (len bytes, blanks trimmed; nothing when empty). */
static wh_err add_one(wh_replicas *rs, const char *url, size_t len, int pool_size, wh_error *e)
{
    while (len && *url == ' ')
        url++, len--;
    while (len && url[len - 1] == ' ')
        len--;
    if (len == 0)
        return WH_OK;
    if (rs->n == WH_LIMIT_REPLICAS)
        return wh_error_field(e, "WH_DATABASE_REPLICA_URLS", "names more than %d replicas",
                              WH_LIMIT_REPLICAS);
    char *u = wh_strndup(url, len);
    wh_err rc = WH_OK;
    if (strncmp(u, "postgres://", 11) != 0 && strncmp(u, "postgresql://", 13) != 0) {
        rc = wh_error_field(e, "WH_DATABASE_REPLICA_URLS",
                            "must be postgres:// URLs separated by commas");
    } else {
        wh_replica *rep = &rs->r[rs->n++];
        rep->pool = wh_db_pool_new(rs->primary->be, u, pool_size);
        rep->pool->primary = rs->primary;
        rep->pool->replica = rep;
        name_of(u, rep->name, sizeof rep->name);
    }
    wh_free(u);
    return rc;
}

/* Splits urls at commas into the replicas' pools. */
static wh_err add_all(wh_replicas *rs, const char *urls, int pool_size, wh_error *e)
{
    wh_err rc = WH_OK;
    rs->r = wh_calloc(WH_LIMIT_REPLICAS, sizeof *rs->r);
    for (const char *p = urls; rc == WH_OK;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        rc = add_one(rs, p, len, pool_size, e);
        if (!comma)
            break;
        p = comma + 1;
    }
    return rc;
}

wh_err wh_db_replicas_open(wh_db *db, const char *urls, int64_t max_lag_ms, wh_error *e)
{
    if (!urls || !*urls)
        return WH_OK;
    if (!db->be->wal_flush_sql)
        return wh_error_field(e, "WH_DATABASE_REPLICA_URLS", "read replicas need PostgreSQL");
    wh_replicas *rs = wh_calloc(1, sizeof *rs);
    rs->primary = db;
    wh_db_flush_commits(db);
    rs->max_lag_ms = max_lag_ms;
    rs->stop[0] = rs->stop[1] = -1;
    wh_err rc = add_all(rs, urls, db->size, e);
    if (rc != WH_OK) {
        wh_db_replicas_free(rs);
        return rc;
    }
    rs->cap = (int)(max_lag_ms / WH_LIMIT_REPLICA_POLL_MS) + 8;
    rs->samples = wh_calloc((size_t)rs->cap, sizeof *rs->samples);
    if (pipe(rs->stop) != 0 || pthread_create(&rs->thread, NULL, monitor_main, rs) != 0) {
        wh_log(WH_LOG_ERROR, "replicas: cannot start the monitor thread");
        abort(); /* like an allocation failure: the machine is broken */
    }
    db->replicas = rs;
    wh_log(WH_LOG_INFO, "replicas: %d, reads lagging up to %lld ms", rs->n, (long long)max_lag_ms);
    return WH_OK;
}

void wh_db_replicas_free(wh_replicas *rs)
{
    if (!rs)
        return;
    if (rs->stop[1] >= 0) {
        char one = 1;
        if (write(rs->stop[1], &one, 1) == 1)
            pthread_join(rs->thread, NULL);
        close(rs->stop[0]);
        close(rs->stop[1]);
    }
    const wh_db_backend *be = rs->primary->be;
    if (rs->probe)
        be->disconnect(rs->probe);
    for (int i = 0; i < rs->n; i++) {
        if (rs->r[i].probe)
            be->disconnect(rs->r[i].probe);
        wh_db_free(rs->r[i].pool);
    }
    wh_free(rs->samples);
    wh_free(rs->r);
    wh_free(rs);
}

void wh_db_replica_failed(wh_replica *rep, wh_err rc)
{
    atomic_fetch_add_explicit(&rep->fallbacks, 1, memory_order_relaxed);
    if (rc == WH_ERR_UNAVAILABLE) /* its other connections are likely as dead */
        wh_db_drop_idle(rep->pool);
}

static bool usable(const wh_replicas *rs, wh_replica *rep, uint64_t min_lsn)
{
    return atomic_load(&rep->up) && atomic_load(&rep->lag_ms) <= rs->max_lag_ms &&
           atomic_load(&rep->replayed) >= min_lsn;
}

wh_err wh_db_acquire_read(wh_db *db, uint64_t min_lsn, wh_conn **out, wh_error *e)
{
    wh_replicas *rs = db->replicas;
    if (rs) {
        unsigned start = atomic_fetch_add_explicit(&rs->next, 1, memory_order_relaxed);
        for (int i = 0; i < rs->n; i++) {
            wh_replica *rep = &rs->r[(start + (unsigned)i) % (unsigned)rs->n];
            wh_error ignored;
            wh_error_init(&ignored);
            if (!usable(rs, rep, min_lsn))
                continue;
            wh_err rc = wh_db_try_acquire(rep->pool, out, &ignored);
            if (rc == WH_OK) {
                atomic_fetch_add_explicit(&rep->reads, 1, memory_order_relaxed);
                return WH_OK;
            }
            if (rc != WH_ERR_NOT_FOUND) /* not a full pool: it did not connect */
                set_up(rep, false, "a read could not connect; reads go elsewhere");
        }
        atomic_fetch_add_explicit(&rs->primary_reads, 1, memory_order_relaxed);
    }
    return wh_db_acquire(db, out, e);
}

wh_err wh_db_wal_lsn(wh_conn *c, wh_arena *a, uint64_t *out, wh_error *e)
{
    wh_rows *rows = NULL;
    *out = 0;
    if (c->moved)
        c = c->moved;
    if (!c->db->replicas) /* no replica to compare it with (or c is a replica's) */
        return WH_OK;
    wh_err rc = wh_db_query(c, a, c->db->be->wal_flush_sql, NULL, 0, &rows, e);
    if (rc == WH_OK && !wh_db_lsn_parse(wh_rows_text(rows, 0, 0), out))
        rc = wh_db_fail_internal("postgres", NULL, "the WAL position is not X/Y", e);
    return rc;
}

int wh_db_replica_stats(wh_db *db, wh_db_replica_stat *out, int max, uint64_t *primary_reads)
{
    wh_replicas *rs = db->replicas;
    *primary_reads = rs ? atomic_load(&rs->primary_reads) : 0;
    int n = rs ? (rs->n < max ? rs->n : max) : 0;
    for (int i = 0; i < n; i++) {
        wh_replica *rep = &rs->r[i];
        out[i] = (wh_db_replica_stat){.name = rep->name,
                                      .up = atomic_load(&rep->up),
                                      .lag_ms = atomic_load(&rep->lag_ms),
                                      .reads = atomic_load(&rep->reads),
                                      .fallbacks = atomic_load(&rep->fallbacks)};
    }
    return n;
}
