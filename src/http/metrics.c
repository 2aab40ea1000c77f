/* The metrics registry and GET /metrics (Prometheus text format 0.0.4, docs/metrics.md).
 *
 * Invariants: the series table is allocated once in wh_metrics_new and never moves or grows; a
 * slot's key goes from 0 to its (route, method) key exactly once, by compare-and-swap, and is
 * never cleared, so a recorder that found its slot may keep using it without a lock. Counters
 * are relaxed atomics: they only ever grow, and a scrape needs no ordering between them. The
 * route label is the matched route's pattern (static text of a route table), never the path,
 * so the number of series is bounded by the route tables. */
#include "http/http_int.h"
#include "app.h"
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#ifndef WH_VERSION
#define WH_VERSION "unknown"
#endif

/* Upper bounds of the latency buckets in microseconds (0.001 s .. 10 s); +Inf follows. */
static const int64_t bounds_us[] = {1000,   2500,   5000,    10000,   25000,   50000,   100000,
                                    250000, 500000, 1000000, 2500000, 5000000, 10000000};
static const char *const bounds_text[] = {"0.001", "0.0025", "0.005", "0.01", "0.025",
                                          "0.05",  "0.1",    "0.25",  "0.5",  "1",
                                          "2.5",   "5",      "10"};
#define NBOUNDS (sizeof bounds_us / sizeof bounds_us[0])

/* Methods are folded to this list so a client cannot make series with invented methods. */
static const char *const methods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                      "PATCH", "DELETE", "OPTIONS", "other"};
#define METHOD_BITS 3u
#define METHOD_MASK ((1u << METHOD_BITS) - 1)

static const char *const rate_classes[] = {"auth", "read", "write"};

/* Requests that matched no route (unknown path, or known path with another method). */
static const wh_route unmatched = {"", "unmatched", NULL, WH_PERM_PUBLIC, WH_RATE_NONE, 0, NULL};

/* A route's address has its low METHOD_BITS clear, so it and the method index make one key. */
_Static_assert(_Alignof(wh_route) >= (1u << METHOD_BITS), "route alignment holds the method");
_Static_assert(sizeof methods / sizeof methods[0] == (1u << METHOD_BITS), "method list");

typedef struct {
    _Atomic int status; /* 0: free */
    _Atomic uint64_t count;
} status_slot;

typedef struct {
    _Atomic uintptr_t key;                 /* route address | method index; 0: free */
    _Atomic uint64_t buckets[NBOUNDS + 1]; /* per bucket, not cumulative; the last is +Inf */
    _Atomic uint64_t sum_us;
    status_slot statuses[WH_LIMIT_METRICS_STATUSES];
} series;

struct wh_metrics {
    int64_t started_ms;
    series *series; /* WH_LIMIT_METRICS_SERIES slots, open addressing */
    _Atomic uint64_t dropped;
    _Atomic uint64_t rejections[3];
    _Atomic uint64_t refused_connections; /* closed at once: WH_MAX_CONNECTIONS were open */
};

_Static_assert((WH_LIMIT_METRICS_SERIES & (WH_LIMIT_METRICS_SERIES - 1)) == 0,
               "the series table size is a power of two");

wh_metrics *wh_metrics_new(int64_t started_ms)
{
    wh_metrics *m = wh_calloc(1, sizeof *m);
    m->started_ms = started_ms;
    m->series = wh_calloc(WH_LIMIT_METRICS_SERIES, sizeof *m->series);
    return m;
}

void wh_metrics_free(wh_metrics *m)
{
    if (!m)
        return;
    wh_free(m->series);
    wh_free(m);
}

static unsigned method_index(const char *method)
{
    for (unsigned i = 0; i < METHOD_MASK; i++)
        if (strcmp(method, methods[i]) == 0)
            return i;
    return METHOD_MASK; /* "other" */
}

/* The slot of key, claimed on first use; NULL when the table is full. */
static series *series_find(wh_metrics *m, uintptr_t key)
{
    size_t mask = WH_LIMIT_METRICS_SERIES - 1;
    size_t h = (size_t)((key >> METHOD_BITS) * 0x9E3779B97F4A7C15ull + (key & METHOD_MASK));
    for (size_t i = 0; i < WH_LIMIT_METRICS_SERIES; i++) {
        series *s = &m->series[(h + i) & mask];
        uintptr_t k = atomic_load_explicit(&s->key, memory_order_acquire);
        if (k == 0) {
            uintptr_t expected = 0;
            if (atomic_compare_exchange_strong(&s->key, &expected, key))
                return s;
            k = expected; /* another thread claimed it just now */
        }
        if (k == key)
            return s;
    }
    return NULL;
}

static _Atomic uint64_t *status_find(series *s, int status)
{
    for (size_t i = 0; i < WH_LIMIT_METRICS_STATUSES; i++) {
        status_slot *st = &s->statuses[i];
        int v = atomic_load_explicit(&st->status, memory_order_acquire);
        if (v == 0) {
            int expected = 0;
            if (atomic_compare_exchange_strong(&st->status, &expected, status))
                return &st->count;
            v = expected;
        }
        if (v == status)
            return &st->count;
    }
    return NULL;
}

void wh_metrics_record_request(wh_metrics *m, const wh_route *route, const char *method, int status,
                               int64_t duration_us)
{
    uintptr_t key = (uintptr_t)(route ? route : &unmatched) | method_index(method);
    series *s = series_find(m, key);
    _Atomic uint64_t *count = s && status > 0 ? status_find(s, status) : NULL;
    if (!count) {
        atomic_fetch_add_explicit(&m->dropped, 1, memory_order_relaxed);
        return;
    }
    if (duration_us < 0)
        duration_us = 0;
    size_t b = 0;
    while (b < NBOUNDS && duration_us > bounds_us[b])
        b++;
    atomic_fetch_add_explicit(count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, (uint64_t)duration_us, memory_order_relaxed);
}

void wh_metrics_count_rejection(wh_metrics *m, wh_rate_class c)
{
    if (c == WH_RATE_AUTH || c == WH_RATE_READ || c == WH_RATE_WRITE)
        atomic_fetch_add_explicit(&m->rejections[c - WH_RATE_AUTH], 1, memory_order_relaxed);
}

void wh_metrics_refused_connection(wh_metrics *m)
{
    atomic_fetch_add_explicit(&m->refused_connections, 1, memory_order_relaxed);
}

/* ---- the text format ---- */

void wh_metrics_text_init(wh_metrics_text *t)
{
    wh_buf_init(&t->buf, WH_LIMIT_METRICS_BYTES);
    t->rc = WH_OK;
}

void wh_metrics_text_cleanup(wh_metrics_text *t)
{
    wh_buf_cleanup(&t->buf);
}

static void put(wh_metrics_text *t, const char *s, size_t n)
{
    if (t->rc == WH_OK && n > 0)
        t->rc = wh_buf_append(&t->buf, s, n);
}

static void put_str(wh_metrics_text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* s with backslash and newline escaped, and double quote too when quote is set (label values;
 * HELP text leaves quotes alone). */
static void put_escaped(wh_metrics_text *t, const char *s, bool quote)
{
    const char *run = s;
    for (; *s; s++) {
        const char *esc = *s == '\\'           ? "\\\\"
                          : *s == '\n'         ? "\\n"
                          : quote && *s == '"' ? "\\\""
                                               : NULL;
        if (!esc)
            continue;
        put(t, run, (size_t)(s - run));
        put_str(t, esc);
        run = s + 1;
    }
    put(t, run, (size_t)(s - run));
}

void wh_metrics_text_family(wh_metrics_text *t, const char *name, const char *type,
                            const char *help)
{
    put_str(t, "# HELP ");
    put_str(t, name);
    put_str(t, " ");
    put_escaped(t, help, false);
    put_str(t, "\n# TYPE ");
    put_str(t, name);
    put_str(t, " ");
    put_str(t, type);
    put_str(t, "\n");
}

static void put_name_labels(wh_metrics_text *t, const char *name, const char *const *labels)
{
    put_str(t, name);
    if (!labels || !labels[0])
        return;
    for (size_t i = 0; labels[i] && labels[i + 1]; i += 2) {
        put_str(t, i ? "," : "{");
        put_str(t, labels[i]);
        put_str(t, "=\"");
        put_escaped(t, labels[i + 1], true);
        put_str(t, "\"");
    }
    put_str(t, "}");
}

void wh_metrics_text_int(wh_metrics_text *t, const char *name, const char *const *labels,
                         int64_t value)
{
    char v[32];
    int n = snprintf(v, sizeof v, " %lld\n", (long long)value);
    put_name_labels(t, name, labels);
    put(t, v, (size_t)n);
}

void wh_metrics_text_num(wh_metrics_text *t, const char *name, const char *const *labels,
                         double value)
{
    char v[64];
    int n = snprintf(v, sizeof v, " %.6f\n", value);
    put_name_labels(t, name, labels);
    put(t, v, n > 0 && (size_t)n < sizeof v ? (size_t)n : 0);
}

/* ---- rendering the registry ---- */

static const char *route_of(uintptr_t key)
{
    return ((const wh_route *)(key & ~(uintptr_t)METHOD_MASK))->pattern;
}

static void render_counts(wh_metrics *m, wh_metrics_text *t)
{
    wh_metrics_text_family(t, "wh_http_requests_total", "counter",
                           "Finished HTTP requests by route pattern, method and status.");
    for (size_t i = 0; i < WH_LIMIT_METRICS_SERIES; i++) {
        series *s = &m->series[i];
        uintptr_t key = atomic_load_explicit(&s->key, memory_order_acquire);
        for (size_t j = 0; key && j < WH_LIMIT_METRICS_STATUSES; j++) {
            int status = atomic_load_explicit(&s->statuses[j].status, memory_order_acquire);
            if (status == 0)
                break;
            char code[12];
            snprintf(code, sizeof code, "%d", status);
            const char *labels[] = {"route",  route_of(key), "method", methods[key & METHOD_MASK],
                                    "status", code,          NULL};
            wh_metrics_text_int(
                t, "wh_http_requests_total", labels,
                (int64_t)atomic_load_explicit(&s->statuses[j].count, memory_order_relaxed));
        }
    }
}

static void render_histogram_series(const series *s, uintptr_t key, wh_metrics_text *t)
{
    const char *route = route_of(key), *method = methods[key & METHOD_MASK];
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
        cumulative += atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
        const char *labels[] = {
            "route", route, "method", method, "le", b < NBOUNDS ? bounds_text[b] : "+Inf", NULL};
        wh_metrics_text_int(t, "wh_http_request_duration_seconds_bucket", labels,
                            (int64_t)cumulative);
    }
    const char *labels[] = {"route", route, "method", method, NULL};
    wh_metrics_text_num(t, "wh_http_request_duration_seconds_sum", labels,
                        (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6);
    wh_metrics_text_int(t, "wh_http_request_duration_seconds_count", labels, (int64_t)cumulative);
}

static void render_histograms(wh_metrics *m, wh_metrics_text *t)
{
    wh_metrics_text_family(t, "wh_http_request_duration_seconds", "histogram",
                           "Time from the request's first byte to its answer being queued, by "
                           "route pattern and method.");
    for (size_t i = 0; i < WH_LIMIT_METRICS_SERIES; i++) {
        uintptr_t key = atomic_load_explicit(&m->series[i].key, memory_order_acquire);
        if (key)
            render_histogram_series(&m->series[i], key, t);
    }
}

void wh_metrics_render(wh_metrics *m, int64_t now_ms, wh_metrics_text *t)
{
    render_counts(m, t);
    render_histograms(m, t);
    wh_metrics_text_family(t, "wh_http_requests_dropped_total", "counter",
                           "Requests not counted by route because the series table was full.");
    wh_metrics_text_int(t, "wh_http_requests_dropped_total", NULL,
                        (int64_t)atomic_load_explicit(&m->dropped, memory_order_relaxed));
    wh_metrics_text_family(t, "wh_ratelimit_rejections_total", "counter",
                           "Requests refused with 429 by the rate limiter, by route class.");
    for (size_t c = 0; c < 3; c++) {
        const char *labels[] = {"class", rate_classes[c], NULL};
        wh_metrics_text_int(t, "wh_ratelimit_rejections_total", labels,
                            (int64_t)atomic_load_explicit(&m->rejections[c], memory_order_relaxed));
    }
    wh_metrics_text_family(t, "wh_http_connections_refused_total", "counter",
                           "Connections closed at once because WH_MAX_CONNECTIONS were open.");
    wh_metrics_text_int(
        t, "wh_http_connections_refused_total", NULL,
        (int64_t)atomic_load_explicit(&m->refused_connections, memory_order_relaxed));
    const char *version[] = {"version", WH_VERSION, NULL};
    wh_metrics_text_family(t, "wh_build_info", "gauge", "Always 1; the version of this binary.");
    wh_metrics_text_int(t, "wh_build_info", version, 1);
    wh_metrics_text_family(t, "wh_process_start_time_seconds", "gauge",
                           "Start of this process, Unix time in seconds.");
    wh_metrics_text_num(t, "wh_process_start_time_seconds", NULL, (double)m->started_ms / 1000.0);
    wh_metrics_text_family(t, "wh_uptime_seconds", "gauge", "Seconds since this process started.");
    wh_metrics_text_num(t, "wh_uptime_seconds", NULL, (double)(now_ms - m->started_ms) / 1000.0);
}

/* ---- GET /metrics: what is read at scrape time ---- */

/* Read replicas (WH_DATABASE_REPLICA_URLS): nothing without them. */
static void render_replicas(wh_app *app, wh_metrics_text *t)
{
    wh_db_replica_stat st[WH_LIMIT_REPLICAS];
    uint64_t primary_reads = 0;
    int n = wh_db_replica_stats(app->db, st, WH_LIMIT_REPLICAS, &primary_reads);
    if (n == 0)
        return;
    wh_metrics_text_family(t, "wh_db_replica_up", "gauge",
                           "1 when the replica answers, is a standby and lags no more than"
                           " WH_REPLICA_MAX_LAG_MS (it takes reads), else 0.");
    for (int i = 0; i < n; i++)
        wh_metrics_text_int(t, "wh_db_replica_up", (const char *[]){"replica", st[i].name, NULL},
                            st[i].up ? 1 : 0);
    wh_metrics_text_family(t, "wh_db_replica_lag_seconds", "gauge",
                           "Age of the newest primary WAL position the replica has replayed, at"
                           " the last poll (0 while it keeps up).");
    for (int i = 0; i < n; i++)
        wh_metrics_text_num(t, "wh_db_replica_lag_seconds",
                            (const char *[]){"replica", st[i].name, NULL}, st[i].lag_ms / 1000.0);
    wh_metrics_text_family(t, "wh_db_reads_total", "counter",
                           "Connections for reads (GET requests) by where they were routed: a"
                           " replica, or the primary when none qualified.");
    wh_metrics_text_int(t, "wh_db_reads_total", (const char *[]){"to", "primary", NULL},
                        (int64_t)primary_reads);
    for (int i = 0; i < n; i++)
        wh_metrics_text_int(t, "wh_db_reads_total", (const char *[]){"to", st[i].name, NULL},
                            (int64_t)st[i].reads);
    wh_metrics_text_family(t, "wh_db_replica_fallbacks_total", "counter",
                           "Statements a replica failed that then ran on the primary.");
    for (int i = 0; i < n; i++)
        wh_metrics_text_int(t, "wh_db_replica_fallbacks_total",
                            (const char *[]){"replica", st[i].name, NULL},
                            (int64_t)st[i].fallbacks);
}

static void render_pool_and_cache(wh_app *app, wh_metrics_text *t)
{
    int in_use = 0, size = 0;
    wh_cache_stats cs;
    wh_db_pool_stats(app->db, &in_use, &size);
    wh_metrics_text_family(
        t, "wh_db_pool_connections_in_use", "gauge",
        "Database connections lent out right now (a scrape that read the database holds one).");
    wh_metrics_text_int(t, "wh_db_pool_connections_in_use", NULL, in_use);
    wh_metrics_text_family(t, "wh_db_pool_connections_max", "gauge",
                           "Most database connections this process may hold.");
    wh_metrics_text_int(t, "wh_db_pool_connections_max", NULL, size);
    wh_metrics_text_family(t, "wh_db_statements_total", "counter",
                           "Statements this process sent to the database (queries, BEGIN and"
                           " COMMIT, locks, notifications).");
    wh_metrics_text_int(t, "wh_db_statements_total", NULL, (long)wh_db_statements(app->db));
    uint64_t grouped = 0, batches = 0;
    wh_db_group_stats(app->db, &grouped, &batches);
    wh_metrics_text_family(t, "wh_db_group_transactions_total", "counter",
                           "SQLite: transactions committed by the group commit (0 on PostgreSQL).");
    wh_metrics_text_int(t, "wh_db_group_transactions_total", NULL, (long)grouped);
    wh_metrics_text_family(
        t, "wh_db_group_commits_total", "counter",
        "SQLite: the COMMITs that carried them, one per group (0 on PostgreSQL).");
    wh_metrics_text_int(t, "wh_db_group_commits_total", NULL, (long)batches);
    render_replicas(app, t);
    wh_cache_stats_get(app->cache, &cs);
    const struct {
        const char *name, *help;
        long v;
    } cache[] = {
        {"wh_cache_hits_total", "Cached answers served from the cache.", cs.hits},
        {"wh_cache_misses_total", "Cached-route lookups that found nothing.", cs.misses},
        {"wh_cache_fills_total", "Values computed and stored after a miss.", cs.fills},
        {"wh_cache_waits_total", "Lookups that waited for another thread's computation.", cs.waits},
        {"wh_cache_errors_total", "Cache backend failures (read as misses).", cs.errors},
    };
    for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
        wh_metrics_text_family(t, cache[i].name, "counter", cache[i].help);
        wh_metrics_text_int(t, cache[i].name, NULL, cache[i].v);
    }
}

static void render_breakers(wh_app *app, wh_metrics_text *t)
{
    wh_breaker_state st[WH_PROVIDER_COUNT];
    int failures[WH_PROVIDER_COUNT];
    for (int p = 0; p < WH_PROVIDER_COUNT; p++) {
        int64_t opened_at;
        wh_breaker_snapshot(wh_integrations_breaker(app->integrations, (wh_provider)p), &st[p],
                            &failures[p], &opened_at);
    }
    wh_metrics_text_family(t, "wh_breaker_state", "gauge",
                           "Circuit breaker per provider: 0 closed, 1 open, 2 half_open.");
    for (int p = 0; p < WH_PROVIDER_COUNT; p++) {
        const char *labels[] = {"provider", wh_provider_name((wh_provider)p), NULL};
        int v = st[p] == WH_BREAKER_OPEN ? 1 : st[p] == WH_BREAKER_HALF_OPEN ? 2 : 0;
        wh_metrics_text_int(t, "wh_breaker_state", labels, v);
    }
    wh_metrics_text_family(t, "wh_breaker_consecutive_failures", "gauge",
                           "Consecutive failed calls counted by each provider's breaker.");
    for (int p = 0; p < WH_PROVIDER_COUNT; p++) {
        const char *labels[] = {"provider", wh_provider_name((wh_provider)p), NULL};
        wh_metrics_text_int(t, "wh_breaker_consecutive_failures", labels, failures[p]);
    }
    wh_metrics_text_family(t, "wh_outbox_lost_leases_total", "counter",
                           "Outbox outcomes this process could not record because the message's "
                           "lease was gone (each may mean a second delivery).");
    wh_metrics_text_int(t, "wh_outbox_lost_leases_total", NULL,
                        (int64_t)wh_outbox_lost_leases(app->integrations));
}

/* Rate-limit backend failures (DOMAIN.md §11): auth classes are then decided in process, reads
 * and writes allowed unchecked (failed open). */
static void render_limiter(wh_app *app, wh_metrics_text *t)
{
    wh_ratelimit_stats st;
    wh_ratelimit_stats_get(app->limiter, &st);
    wh_metrics_text_family(t, "wh_ratelimit_backend_errors_total", "counter",
                           "Rate-limit decisions the shared backend (Redis) failed to make.");
    wh_metrics_text_int(t, "wh_ratelimit_backend_errors_total", NULL, st.errors);
    wh_metrics_text_family(t, "wh_ratelimit_failed_open_total", "counter",
                           "Reads and writes allowed unchecked because the backend failed.");
    wh_metrics_text_int(t, "wh_ratelimit_failed_open_total", NULL, st.failed_open);
}

/* Job runs by (job, status) and outbox messages by status, from the shared database. The three
 * outbox statuses are always present, 0 when there are none. */
static wh_err render_database(wh_req *r, wh_metrics_text *t, wh_error *e)
{
    static const char *const outbox_statuses[] = {"PENDING", "SENT", "FAILED"};
    wh_conn *c = NULL;
    wh_rows *runs = NULL, *outbox = NULL;
    wh_err rc = wh_req_primary(r, &c, e);
    if (rc == WH_OK)
        rc = wh_jobs_run_counts(c, &r->arena, &runs, e);
    if (rc == WH_OK)
        rc = wh_outbox_depth(c, &r->arena, &outbox, e);
    if (rc != WH_OK)
        return rc;
    wh_metrics_text_family(t, "wh_job_runs", "gauge",
                           "Runs in the run log (every instance) by job and status.");
    for (size_t i = 0; i < wh_rows_count(runs); i++) {
        const char *labels[] = {"job", wh_rows_text(runs, i, 0), "status", wh_rows_text(runs, i, 1),
                                NULL};
        wh_metrics_text_int(t, "wh_job_runs", labels, wh_rows_int(runs, i, 2));
    }
    wh_metrics_text_family(t, "wh_outbox_messages", "gauge",
                           "Messages in the outbox (every instance) by status.");
    for (size_t s = 0; s < 3; s++) {
        int64_t n = 0;
        for (size_t i = 0; i < wh_rows_count(outbox); i++)
            if (strcmp(wh_rows_text(outbox, i, 0), outbox_statuses[s]) == 0)
                n = wh_rows_int(outbox, i, 1);
        const char *labels[] = {"status", outbox_statuses[s], NULL};
        wh_metrics_text_int(t, "wh_outbox_messages", labels, n);
    }
    return WH_OK;
}

wh_err wh_http_metrics(wh_req *r, wh_error *e)
{
    wh_metrics_text t, db;
    wh_error dbe;
    wh_metrics_text_init(&t);
    wh_metrics_text_init(&db);
    wh_error_init(&dbe);
    wh_metrics_render(r->app->metrics, r->now_ms, &t);
    /* The database part goes to its own buffer: when it fails half-way nothing of it is shown. */
    bool up = render_database(r, &db, &dbe) == WH_OK;
    render_pool_and_cache(r->app, &t);
    render_breakers(r->app, &t);
    render_limiter(r->app, &t);
    wh_metrics_text_family(&t, "wh_metrics_db_up", "gauge",
                           "1 when this scrape could read the database, else 0.");
    wh_metrics_text_int(&t, "wh_metrics_db_up", NULL, up ? 1 : 0);
    if (up)
        put(&t, db.buf.data, db.buf.len);
    wh_err rc = t.rc != WH_OK ? t.rc : db.rc;
    if (rc != WH_OK) {
        rc = wh_fail(e, WH_ERR_INTERNAL, "The metrics exposition is larger than %d bytes.",
                     WH_LIMIT_METRICS_BYTES);
    } else {
        char *body = wh_arena_alloc(&r->arena, t.buf.len + 1);
        memcpy(body, t.buf.data, t.buf.len + 1);
        wh_resp_header_add(r, "Cache-Control", "no-store");
        rc = wh_resp_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", body, t.buf.len);
    }
    wh_metrics_text_cleanup(&db);
    wh_metrics_text_cleanup(&t);
    return rc;
}
