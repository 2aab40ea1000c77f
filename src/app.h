/* wh_app: the one root object - configuration, database, router, secrets. Built once at
 * start-up, then shared read-only by every request thread (the db is internally locked). */
#ifndef WH_APP_H
#define WH_APP_H

#include "cache/cache.h"
#include "core/config.h"
#include "core/err.h"
#include "core/memo.h"
#include "db/db.h"
#include "events/events.h"
#include "auth/auth.h"
#include "http/http.h"
#include "integrations/integrations.h"
#include "jobs/jobs.h"
#include "ratelimit/ratelimit.h"

struct wh_app {
    wh_config config;
    wh_db *db;
    wh_router *router;
    unsigned char cursor_key[32]; /* HMAC key for cursors, from WH_SECRET or the database */
    unsigned char code_key[32];   /* HMAC key for e-mailed login codes, from the same secret */
    wh_integrations *integrations;
    wh_events *events;    /* domain events; subscribers attach in wh_app_init */
    char instance[64];    /* this process: host:pid:random, the holder name of leases */
    wh_jobs *jobs;        /* the job runner; its scheduler runs only in serve (WH_JOBS=on) */
    wh_cache *cache;      /* dashboard responses: in process, or Redis when WH_REDIS_URL is set */
    char database_id[17]; /* random, made once per database; prefixes cache keys */
    wh_metrics *metrics;  /* request counts and latencies for GET /metrics */
    /* rate limits: in process, or Redis when WH_REDIS_URL is set (docs/ratelimit.md) */
    wh_ratelimit *limiter;
    wh_session_policy sessions; /* WH_SESSION_TTL_S and WH_SESSION_MAX_S in ms */
    wh_idem_waits *idem_waits;  /* requests waiting on another's Idempotency-Key, per key */
    /* validated sessions by token hash; trusted once wh_app_listen runs (docs/architecture.md) */
    wh_sesscache *session_cache;
    /* same rules (docs/cache.md): scope answers by user ("m:<user>" notes) and venture data
     * versions by venture ("dv:<venture>", sent by the data_versions triggers) */
    wh_memo *scopes;
    wh_memo *versions;
    /* sessions' last write positions for read-your-writes; NULL without replicas (http/reads.c) */
    wh_marks *marks;
};

/* Loads configuration, opens and migrates the database, loads the secret, builds the router. */
WH_MUST_USE wh_err wh_app_init(wh_app *app, bool migrate, wh_error *e);
void wh_app_cleanup(wh_app *app);
/* Starts hearing other instances' commits (wh_db_listen) for the session cache and the memos:
 * serve only; without it every request reads its session, scope and data versions from the
 * database. */
void wh_app_listen(wh_app *app);
/* Adds every module's route table to rt (wh_app_init does it; the router fuzz target too). */
void wh_app_add_routes(wh_router *rt);

#endif
