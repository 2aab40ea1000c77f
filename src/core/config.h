/* Configuration read from the environment once at start-up, then frozen (API.md, Command
 * line). Strings are owned by the wh_config and freed by wh_config_cleanup. */
#ifndef WH_CORE_CONFIG_H
#define WH_CORE_CONFIG_H

#include "core/err.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/net.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char *listen_host;
    int listen_port;
    int max_connections; /* WH_MAX_CONNECTIONS: open client connections at most */
    char *ops_host;      /* WH_OPS_LISTEN: /healthz, /readyz, /metrics only (NULL: none) */
    int ops_port;
    int threads;
    char *database_url;
    int db_pool;
    char *replica_urls;         /* WH_DATABASE_REPLICA_URLS: read replicas (NULL when unset) */
    int64_t replica_max_lag_ms; /* WH_REPLICA_MAX_LAG_MS: a replica lagging more takes no reads */
    char *redis_url;            /* NULL when unset */
    int64_t cache_ttl_s;        /* WH_CACHE_TTL_S: life of a cached dashboard */
    char *secret;               /* NULL: generated once and kept in the database */
    int64_t session_ttl_s;      /* WH_SESSION_TTL_S: sliding life of a session */
    int64_t session_max_s;      /* WH_SESSION_MAX_S: absolute life from sign-in */
    char *timezone;
    wh_log_level log_level;
    bool jobs;
    int64_t job_lease_s;       /* WH_JOB_LEASE_S: a job lease's life, renewed while it runs */
    int64_t job_test_delay_ms; /* WH_JOB_TEST_DELAY_MS: tests only, a pause before each job */
    int64_t fmcsa_stale_s;     /* WH_FMCSA_STALE_S: fmcsa_sync re-checks carriers older than this */
    int64_t export_max_rows;   /* WH_EXPORT_MAX_ROWS: data rows of one CSV export at most */
    int64_t export_chunk_rows; /* WH_EXPORT_CHUNK_ROWS: rows fetched and sent per chunk */
    char *web_dir;             /* static UI directory */
    char *docs_dir;            /* directory holding openapi.json */
    char *js_dir; /* WH_JS_DIR: Debian's JavaScript libraries (libjs-*), served under /vendor/ */
    /* integrations: base URLs always set (defaults are the real services); keys NULL if unset */
    char *fmcsa_base_url, *fmcsa_webkey;
    char *sendgrid_base_url, *sendgrid_api_key, *sendgrid_from;
    char *twilio_base_url, *twilio_sid, *twilio_token, *twilio_from;
    char *alert_email;
    int retry_max_attempts;
    int64_t retry_base_ms, retry_max_ms;
    int breaker_failures;
    int64_t breaker_reset_s;
    int64_t http_connect_timeout_ms, http_timeout_ms;
    int64_t outbox_poll_ms;
    /* CSV imports (docs/imports.md): WH_IMPORT_MAX_BYTES, the body limit of POST /imports, and
     * WH_IMPORT_MAX_ROWS, the most data records of one file */
    int64_t import_max_bytes, import_max_rows;
    /* rate limits (docs/ratelimit.md): allowance per minute or hour */
    int64_t rate_auth_ip_per_min, rate_auth_email_per_hour, rate_read_per_min, rate_write_per_min;
    /* WH_TRUSTED_PROXIES: peers whose X-Forwarded-For names the client (none: never read) */
    wh_net_cidr trusted_proxies[WH_LIMIT_TRUSTED_PROXIES];
    int ntrusted_proxies;
    /* WH_COOKIE_SECURE=1: the session cookie is always Secure (the server is reached over HTTPS) */
    bool cookie_secure;
    /* WH_FAULT_INJECTION=1: tests only (core/fault.h, docs/testing.md); the process plan of
     * WH_FAULT_DB_NTH, WH_FAULT_HTTP_NTH and WH_FAULT_STALL_MS is read only then */
    bool fault_injection;
    int64_t fault_db_nth, fault_http_nth, fault_stall_ms;
    /* WH_TEST_CRASH_AFTER_COMMIT: tests only, NULL unless set; the process kills itself when the
     * request owning exactly this Idempotency-Key (16+ characters) is between its handler's
     * commit and the write of its answer (http/idempotency.c) */
    char *test_crash_key;
} wh_config;

/* Reads WH_* variables; a malformed value fills e (field = the variable name). */
WH_MUST_USE wh_err wh_config_load(wh_config *c, wh_error *e);
void wh_config_cleanup(wh_config *c);

#endif
