/* wh_app construction: configuration, time zone, logging, libsodium, the database pool, the
 * migrations, the cursor secret and the route tables of every module. */
#include "app.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "bpo/bpo.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/str.h"
#include "eod/eod.h"
#include "freight/freight.h"
#include "gamification/gamification.h"
#include "holdings/holdings.h"
#include "hotels/hotels.h"
#include "incentives/incentives.h"
#include "integrations/integrations.h"
#include "jobs/jobs.h"
#include "kpi/kpi.h"
#include "reports/reports.h"
#include "saas/saas.h"
#include "imports/imports.h"
#include "tasks/tasks.h"
#include "ventures/ventures.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void wh_app_add_routes(wh_router *rt)
{
    const wh_route *(*const tables[])(size_t *) = {
        wh_http_ops_routes,     wh_auth_routes,       wh_users_routes,        wh_ventures_routes,
        wh_audit_routes,        wh_carriers_routes,   wh_integrations_routes, wh_loads_routes,
        wh_shippers_routes,     wh_bpo_routes,        wh_eod_routes,          wh_hotels_routes,
        wh_gamification_routes, wh_incentives_routes, wh_jobs_routes,         wh_kpi_routes,
        wh_saas_routes,         wh_holdings_routes,   wh_tasks_routes,        wh_reports_routes,
        wh_imports_routes,
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        size_t n = 0;
        const wh_route *routes = tables[i](&n);
        wh_router_add(rt, routes, n);
    }
}

static void derive_keys(wh_app *app, const char *secret)
{
    wh_crypto_hmac(secret, strlen(secret), "wheelhouse-cursor", 17, app->cursor_key);
    wh_crypto_hmac(secret, strlen(secret), "wheelhouse-login-code", 21, app->code_key);
}

/* A value kept in settings under key: the first instance to insert its fresh value wins and
 * every instance then reads the same one. */
static wh_err setting_once(wh_conn *c, wh_arena *a, const char *key, const char *fresh,
                           const char **out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO settings (key, value) VALUES ($1, $2)"
                            " ON CONFLICT (key) DO NOTHING",
                            WH_ARGS(WH_PT(key), WH_PT(fresh)), NULL, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a, "SELECT value FROM settings WHERE key = $1", WH_ARGS(WH_PT(key)), &r,
                         e);
    if (rc == WH_OK && wh_rows_count(r) != 1)
        rc = wh_fail(e, WH_ERR_INTERNAL, "setting %s is missing", key);
    *out = rc == WH_OK ? wh_rows_text(r, 0, 0) : NULL;
    return rc;
}

/* The cursor and code keys: from WH_SECRET, else a random secret made once and kept in
 * settings. Also the database's identity, made once the same way: it prefixes cache keys, so a
 * cache shared with (or left over from) another database never answers for this one. */
static wh_err load_secret(wh_app *app, wh_error *e)
{
    wh_conn *c = NULL;
    wh_arena a;
    const char *secret = NULL, *id = NULL;
    char fresh[WH_CRYPTO_TOKEN_CHARS + 1], fresh_id[WH_CRYPTO_TOKEN_CHARS + 1];
    wh_arena_init(&a);
    wh_crypto_token(fresh, sizeof fresh);
    wh_crypto_token(fresh_id, sizeof fresh_id);
    wh_err rc = wh_db_acquire(app->db, &c, e);
    if (rc == WH_OK)
        rc = setting_once(c, &a, "database_id", fresh_id, &id, e);
    if (rc == WH_OK)
        snprintf(app->database_id, sizeof app->database_id, "%.16s", id);
    if (rc == WH_OK && !app->config.secret)
        rc = setting_once(c, &a, "secret", fresh, &secret, e);
    if (rc == WH_OK)
        derive_keys(app, app->config.secret ? app->config.secret : secret);
    wh_crypto_wipe(fresh, sizeof fresh);
    if (secret)
        wh_crypto_wipe((char *)secret, strlen(secret));
    wh_db_release(app->db, c);
    wh_arena_cleanup(&a);
    return rc;
}

/* The rate limiter (docs/ratelimit.md), keyed by the database identity like the cache. */
static wh_err new_limiter(wh_app *app, wh_error *e)
{
    const wh_config *c = &app->config;
    const int64_t min = 60 * 1000, hour = 3600 * 1000;
    wh_ratelimit_rule rules[WH_RATELIMIT_CLASSES];
    rules[WH_RATELIMIT_AUTH_IP] = (wh_ratelimit_rule){c->rate_auth_ip_per_min, min};
    rules[WH_RATELIMIT_AUTH_EMAIL] = (wh_ratelimit_rule){c->rate_auth_email_per_hour, hour};
    rules[WH_RATELIMIT_READ] = (wh_ratelimit_rule){c->rate_read_per_min, min};
    rules[WH_RATELIMIT_WRITE] = (wh_ratelimit_rule){c->rate_write_per_min, min};
    return wh_ratelimit_new(c->redis_url, app->database_id, rules, &app->limiter, e);
}

static void set_instance(wh_app *app)
{
    char host[32] = "host";
    unsigned char rnd[4];
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    wh_crypto_random(rnd, sizeof rnd);
    snprintf(app->instance, sizeof app->instance, "%s:%ld:%02x%02x%02x%02x", host, (long)getpid(),
             rnd[0], rnd[1], rnd[2], rnd[3]);
}

wh_err wh_app_init(wh_app *app, bool migrate, wh_error *e)
{
    int applied = 0;
    memset(app, 0, sizeof *app);
    app->metrics = wh_metrics_new(wh_clock_now_ms());
    app->idem_waits = wh_idem_waits_new();
    app->session_cache = wh_sesscache_new(WH_LIMIT_SESSION_CACHE_ENTRIES);
    app->scopes = wh_memo_new(WH_LIMIT_SCOPE_CACHE_ENTRIES);
    app->versions = wh_memo_new(WH_LIMIT_VERSION_CACHE_ENTRIES);
    wh_err rc = wh_config_load(&app->config, e);
    if (rc != WH_OK)
        return rc;
    wh_log_set_level(app->config.log_level);
    app->sessions = (wh_session_policy){.ttl_ms = app->config.session_ttl_s * 1000,
                                        .max_ms = app->config.session_max_s * 1000};
    if (app->config.fault_injection)
        wh_fault_enable(app->config.fault_db_nth, app->config.fault_http_nth,
                        app->config.fault_stall_ms);
    if (app->config.test_crash_key)
        wh_log(WH_LOG_WARN, "WH_TEST_CRASH_AFTER_COMMIT is set: this process kills itself at one"
                            " Idempotency-Key (tests only; never in production)");
    if (!wh_clock_set_zone(app->config.timezone))
        return wh_error_field(e, "WH_TIMEZONE", "is not a known time zone");
    if (wh_crypto_init() != WH_OK)
        return wh_fail(e, WH_ERR_INTERNAL, "libsodium failed to initialise");
    bool sqlite = strncmp(app->config.database_url, "sqlite:", 7) == 0;
    /* SQLite: one connection per worker thread, plus a few for background work */
    int pool = sqlite ? app->config.threads + 4 : app->config.db_pool;
    rc = wh_db_open(app->config.database_url, pool, &app->db, e);
    if (rc == WH_OK)
        rc = wh_db_replicas_open(app->db, app->config.replica_urls, app->config.replica_max_lag_ms,
                                 e);
    if (rc == WH_OK && migrate)
        rc = wh_db_migrate(app->db, &applied, e);
    if (rc == WH_OK)
        rc = load_secret(app, e);
    if (rc != WH_OK)
        return rc;
    rc = wh_cache_new(app->config.redis_url, app->config.cache_ttl_s, &app->cache, e);
    if (rc == WH_OK)
        rc = new_limiter(app, e);
    if (rc != WH_OK)
        return rc;
    if (app->config.replica_urls && *app->config.replica_urls)
        /* a mark outlives the limit: a replica that lags less then holds the write */
        app->marks = wh_marks_new(app->config.redis_url, app->database_id,
                                  app->config.replica_max_lag_ms + 2000);
    app->router = wh_router_new();
    wh_app_add_routes(app->router);
    app->integrations = wh_integrations_new(&app->config);
    app->events = wh_events_new();
    wh_events_subscribe(app->events, wh_gami_on_event, NULL);
    set_instance(app);
    app->jobs = wh_jobs_new(app);
    return WH_OK;
}

/* Routes a note: "dv:<venture>" / "dv:*" to the data versions, "m:<user>" to the scope
 * answers, "u:<user>" to both the sessions and the scope answers (a role change changes the
 * scope), "s:<hash>" to the sessions; "*" and anything unknown empty all three. */
static void on_note(void *arg, const char *payload)
{
    wh_app *app = arg;
    int64_t id = 0;
    bool numbered =
        payload[0] && payload[1] == ':' && wh_str_to_i64(wh_str_c(payload + 2), 1, INT64_MAX, &id);
    if (strncmp(payload, "dv:", 3) == 0) {
        if (wh_str_to_i64(wh_str_c(payload + 3), 1, INT64_MAX, &id))
            wh_memo_drop(app->versions, id);
        else
            wh_memo_clear(app->versions);
    } else if (payload[0] == 'm' && numbered) {
        wh_memo_drop(app->scopes, id);
    } else if (payload[0] == 'u' && numbered) {
        wh_memo_drop(app->scopes, id);
        wh_sesscache_note(app->session_cache, payload);
    } else if (payload[0] == 's' && payload[1] == ':') {
        wh_sesscache_note(app->session_cache, payload);
    } else {
        wh_memo_clear(app->scopes);
        wh_memo_clear(app->versions);
        wh_sesscache_note(app->session_cache, payload);
    }
}

static void set_listening(wh_app *app, bool on)
{
    wh_sesscache_listening(app->session_cache, on);
    wh_memo_listening(app->scopes, on);
    wh_memo_listening(app->versions, on);
}

static void on_lost(void *arg)
{
    wh_log(WH_LOG_INFO, "session cache: off (every session, scope and data version is read from"
                        " the database)");
    set_listening(arg, false);
}

static void on_listening(void *arg)
{
    wh_log(WH_LOG_INFO, "session cache: on (listening for commits)");
    set_listening(arg, true);
}

static bool quiet(void *db)
{
    return wh_db_listen_quiet(db);
}

static bool stamp(void *db, uint64_t *out)
{
    return wh_db_commit_stamp(db, out);
}

void wh_app_listen(wh_app *app)
{
    wh_sesscache_probe(app->session_cache, quiet, app->db);
    wh_memo_probe(app->scopes, quiet, app->db);
    wh_memo_probe(app->versions, quiet, app->db);
    if (wh_db_engine_get(app->db) == WH_DB_SQLITE) {
        /* another process on the same file (a second serve, `wheelhouse job run`) sends no
         * note: its commits are seen in the WAL-index header instead */
        wh_memo_stamp(app->scopes, stamp, app->db);
        wh_memo_stamp(app->versions, stamp, app->db);
    }
    wh_db_listen(
        app->db,
        &(wh_db_listener){.note = on_note, .lost = on_lost, .listening = on_listening, .arg = app});
}

void wh_app_cleanup(wh_app *app)
{
    wh_jobs_free(app->jobs); /* waits for the runs of this process: they use everything below */
    wh_events_free(app->events);
    wh_ratelimit_free(app->limiter);
    wh_cache_free(app->cache);
    wh_integrations_free(app->integrations);
    wh_router_free(app->router);
    wh_db_free(app->db); /* stops the listening thread, which uses the session cache */
    wh_marks_free(app->marks);
    wh_sesscache_free(app->session_cache);
    wh_memo_free(app->scopes);
    wh_memo_free(app->versions);
    wh_metrics_free(app->metrics);
    wh_idem_waits_free(app->idem_waits);
    wh_config_cleanup(&app->config);
    wh_crypto_wipe(app->cursor_key, sizeof app->cursor_key);
    wh_crypto_wipe(app->code_key, sizeof app->code_key);
}
