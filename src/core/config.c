/* Environment parsing with ranges; every default is the one API.md documents. */
#include "core/config.h"
#include "core/fault.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static wh_err env_int(const char *name, int64_t dflt, int64_t min, int64_t max, int64_t *out,
                      wh_error *e)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        *out = dflt;
        return WH_OK;
    }
    if (!wh_str_to_i64(wh_str_c(v), min, max, out))
        return wh_error_field(e, name, "must be an integer in %lld..%lld", (long long)min,
                              (long long)max);
    return WH_OK;
}

/* HOST:PORT of the variable name into *host (owned) and *port. */
static wh_err parse_host_port(const char *name, const char *v, char **host, int *port, wh_error *e)
{
    const char *colon = strrchr(v, ':');
    int64_t p;
    if (!colon || colon == v || !wh_str_to_i64(wh_str_c(colon + 1), 0, 65535, &p))
        return wh_error_field(e, name, "must be HOST:PORT");
    *host = wh_strndup(v, (size_t)(colon - v));
    *port = (int)p;
    return WH_OK;
}

static wh_err parse_listen(wh_config *c, const char *v, wh_error *e)
{
    return parse_host_port("WH_LISTEN", v, &c->listen_host, &c->listen_port, e);
}

static int default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long t = cores > 0 ? cores * 4 : 16;
    return (int)(t < 16 ? 16 : t);
}

static char *env_dup(const char *name, const char *dflt)
{
    const char *v = env_or(name, dflt);
    return v ? wh_strdup(v) : NULL;
}

static wh_err load_integrations(wh_config *c, wh_error *e)
{
    int64_t v;
    c->fmcsa_base_url = env_dup("WH_FMCSA_BASE_URL", "https://mobile.fmcsa.dot.gov");
    c->fmcsa_webkey = env_dup("WH_FMCSA_WEBKEY", NULL);
    c->sendgrid_base_url = env_dup("WH_SENDGRID_BASE_URL", "https://api.sendgrid.com");
    c->sendgrid_api_key = env_dup("WH_SENDGRID_API_KEY", NULL);
    c->sendgrid_from = env_dup("WH_SENDGRID_FROM", NULL);
    c->twilio_base_url = env_dup("WH_TWILIO_BASE_URL", "https://api.twilio.com");
    c->twilio_sid = env_dup("WH_TWILIO_ACCOUNT_SID", NULL);
    c->twilio_token = env_dup("WH_TWILIO_AUTH_TOKEN", NULL);
    c->twilio_from = env_dup("WH_TWILIO_FROM", NULL);
    c->alert_email = env_dup("WH_ALERT_EMAIL", NULL);
    if (env_int("WH_RETRY_MAX_ATTEMPTS", 4, 1, 10, &v, e) != WH_OK)
        return WH_ERR_INVALID;
    c->retry_max_attempts = (int)v;
    if (env_int("WH_RETRY_BASE_MS", 1000, 1, 600000, &c->retry_base_ms, e) != WH_OK ||
        env_int("WH_RETRY_MAX_MS", 10000, 1, 3600000, &c->retry_max_ms, e) != WH_OK ||
        env_int("WH_BREAKER_RESET_S", 60, 1, 86400, &c->breaker_reset_s, e) != WH_OK ||
        env_int("WH_HTTP_CONNECT_TIMEOUT_MS", 3000, 10, 600000, &c->http_connect_timeout_ms, e) !=
            WH_OK ||
        env_int("WH_HTTP_TIMEOUT_MS", 10000, 10, 600000, &c->http_timeout_ms, e) != WH_OK ||
        env_int("WH_OUTBOX_POLL_MS", 500, 10, 60000, &c->outbox_poll_ms, e) != WH_OK ||
        env_int("WH_IMPORT_MAX_BYTES", 4194304, 1024, WH_LIMIT_IMPORT_MAX_BYTES,
                &c->import_max_bytes, e) != WH_OK ||
        env_int("WH_IMPORT_MAX_ROWS", 20000, 1, WH_LIMIT_IMPORT_MAX_ROWS, &c->import_max_rows, e) !=
            WH_OK)
        return WH_ERR_INVALID;
    if (env_int("WH_BREAKER_FAILURES", 5, 1, 1000, &v, e) != WH_OK)
        return WH_ERR_INVALID;
    c->breaker_failures = (int)v;
    return WH_OK;
}

/* WH_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges. */
static wh_err load_proxies(wh_config *c, wh_error *e)
{
    const char *p = env_or("WH_TRUSTED_PROXIES", "");
    c->ntrusted_proxies = 0;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool blank = strspn(p, " \t") >= n;
        if (!blank) {
            if (c->ntrusted_proxies == WH_LIMIT_TRUSTED_PROXIES)
                return wh_error_field(e, "WH_TRUSTED_PROXIES", "has more than %d entries",
                                      WH_LIMIT_TRUSTED_PROXIES);
            if (!wh_net_cidr_parse(p, n, &c->trusted_proxies[c->ntrusted_proxies++]))
                return wh_error_field(e, "WH_TRUSTED_PROXIES",
                                      "must list IP addresses or CIDR ranges, comma-separated");
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return WH_OK;
}

static wh_err load_rates(wh_config *c, wh_error *e)
{
    if (env_int("WH_RATE_AUTH_IP_PER_MIN", 30, 1, WH_LIMIT_RATE_MAX, &c->rate_auth_ip_per_min, e) !=
            WH_OK ||
        env_int("WH_RATE_AUTH_EMAIL_PER_HOUR", 10, 1, WH_LIMIT_RATE_MAX,
                &c->rate_auth_email_per_hour, e) != WH_OK ||
        env_int("WH_RATE_READ_PER_MIN", 600, 1, WH_LIMIT_RATE_MAX, &c->rate_read_per_min, e) !=
            WH_OK ||
        env_int("WH_RATE_WRITE_PER_MIN", 120, 1, WH_LIMIT_RATE_MAX, &c->rate_write_per_min, e) !=
            WH_OK)
        return WH_ERR_INVALID;
    int64_t secure = 0;
    if (env_int("WH_COOKIE_SECURE", 0, 0, 1, &secure, e) != WH_OK)
        return WH_ERR_INVALID;
    c->cookie_secure = secure == 1;
    return load_proxies(c, e);
}

/* WH_FAULT_INJECTION and, only when it is 1, the process's fault plan (core/fault.h). */
static wh_err load_faults(wh_config *c, wh_error *e)
{
    const char *on = env_or("WH_FAULT_INJECTION", "0");
    if (strcmp(on, "0") != 0 && strcmp(on, "1") != 0)
        return wh_error_field(e, "WH_FAULT_INJECTION", "must be 0 or 1");
    c->fault_injection = strcmp(on, "1") == 0;
    if (!c->fault_injection)
        return WH_OK;
    if (env_int("WH_FAULT_DB_NTH", 0, 0, INT64_MAX, &c->fault_db_nth, e) != WH_OK ||
        env_int("WH_FAULT_HTTP_NTH", 0, 0, INT64_MAX, &c->fault_http_nth, e) != WH_OK ||
        env_int("WH_FAULT_STALL_MS", 0, 0, WH_FAULT_STALL_MAX_MS, &c->fault_stall_ms, e) != WH_OK)
        return WH_ERR_INVALID;
    return WH_OK;
}

wh_err wh_config_load(wh_config *c, wh_error *e)
{
    int64_t v;
    memset(c, 0, sizeof *c);
    if (parse_listen(c, env_or("WH_LISTEN", "127.0.0.1:8080"), e) != WH_OK)
        return WH_ERR_INVALID;
    if (env_int("WH_THREADS", default_threads(), 1, 1024, &v, e) != WH_OK)
        return WH_ERR_INVALID;
    c->threads = (int)v;
    if (env_int("WH_MAX_CONNECTIONS", 16384, 16, 1000000, &v, e) != WH_OK)
        return WH_ERR_INVALID;
    c->max_connections = (int)v;
    const char *ops = env_or("WH_OPS_LISTEN", NULL);
    if (ops && *ops &&
        parse_host_port("WH_OPS_LISTEN", ops, &c->ops_host, &c->ops_port, e) != WH_OK)
        return WH_ERR_INVALID;
    if (env_int("WH_DB_POOL", 20, 1, 1000, &v, e) != WH_OK)
        return WH_ERR_INVALID;
    c->db_pool = (int)v;
    c->replica_urls = env_dup("WH_DATABASE_REPLICA_URLS", NULL);
    if (env_int("WH_REPLICA_MAX_LAG_MS", 5000, 100, 3600000, &c->replica_max_lag_ms, e) != WH_OK)
        return WH_ERR_INVALID;
    if (env_int("WH_SESSION_TTL_S", 43200, 1, 365LL * 86400, &c->session_ttl_s, e) != WH_OK)
        return WH_ERR_INVALID;
    if (env_int("WH_SESSION_MAX_S", 604800, 1, 365LL * 86400, &c->session_max_s, e) != WH_OK)
        return WH_ERR_INVALID;
    c->database_url = wh_strdup(env_or("WH_DATABASE_URL", "sqlite:wheelhouse.db"));
    const char *r = env_or("WH_REDIS_URL", NULL);
    c->redis_url = r ? wh_strdup(r) : NULL;
    if (env_int("WH_CACHE_TTL_S", 300, 1, 86400, &c->cache_ttl_s, e) != WH_OK)
        return WH_ERR_INVALID;
    const char *s = env_or("WH_SECRET", NULL);
    c->secret = s ? wh_strdup(s) : NULL;
    c->timezone = wh_strdup(env_or("WH_TIMEZONE", "America/New_York"));
    int lvl = wh_log_level_parse(env_or("WH_LOG_LEVEL", "info"));
    if (lvl < 0)
        return wh_error_field(e, "WH_LOG_LEVEL", "must be debug, info, warn or error");
    c->log_level = (wh_log_level)lvl;
    const char *jobs = env_or("WH_JOBS", "on");
    if (strcmp(jobs, "on") != 0 && strcmp(jobs, "off") != 0)
        return wh_error_field(e, "WH_JOBS", "must be on or off");
    c->jobs = strcmp(jobs, "on") == 0;
    if (env_int("WH_JOB_LEASE_S", 3600, 1, 86400, &c->job_lease_s, e) != WH_OK ||
        env_int("WH_JOB_TEST_DELAY_MS", 0, 0, 600000, &c->job_test_delay_ms, e) != WH_OK ||
        env_int("WH_FMCSA_STALE_S", 86400, 0, 365LL * 86400, &c->fmcsa_stale_s, e) != WH_OK ||
        env_int("WH_EXPORT_MAX_ROWS", 100000, 1, WH_LIMIT_EXPORT_ROWS_MAX, &c->export_max_rows,
                e) != WH_OK ||
        env_int("WH_EXPORT_CHUNK_ROWS", 500, 1, WH_LIMIT_EXPORT_CHUNK_MAX, &c->export_chunk_rows,
                e) != WH_OK)
        return WH_ERR_INVALID;
    if (load_faults(c, e) != WH_OK)
        return WH_ERR_INVALID;
    c->test_crash_key = env_dup("WH_TEST_CRASH_AFTER_COMMIT", NULL);
    if (c->test_crash_key && strlen(c->test_crash_key) < 16)
        return wh_error_field(e, "WH_TEST_CRASH_AFTER_COMMIT",
                              "tests only: must be an Idempotency-Key of 16 or more characters");
    c->web_dir = wh_strdup(env_or("WH_WEB_DIR", WH_SOURCE_DIR "/web"));
    c->docs_dir = wh_strdup(env_or("WH_DOCS_DIR", WH_SOURCE_DIR "/docs"));
    c->js_dir = wh_strdup(env_or("WH_JS_DIR", "/usr/share/javascript"));
    if (load_rates(c, e) != WH_OK)
        return WH_ERR_INVALID;
    return load_integrations(c, e);
}

void wh_config_cleanup(wh_config *c)
{
    wh_free(c->listen_host);
    wh_free(c->ops_host);
    wh_free(c->database_url);
    wh_free(c->redis_url);
    wh_free(c->replica_urls);
    if (c->secret)
        memset(c->secret, 0, strlen(c->secret));
    wh_free(c->secret);
    wh_free(c->timezone);
    wh_free(c->web_dir);
    wh_free(c->docs_dir);
    wh_free(c->js_dir);
    wh_free(c->test_crash_key);
    char **secrets[] = {&c->fmcsa_webkey, &c->sendgrid_api_key, &c->twilio_token};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (*secrets[i])
            memset(*secrets[i], 0, strlen(*secrets[i]));
    char *all[] = {c->fmcsa_base_url, c->fmcsa_webkey,    c->sendgrid_base_url, c->sendgrid_api_key,
                   c->sendgrid_from,  c->twilio_base_url, c->twilio_sid,        c->twilio_token,
                   c->twilio_from,    c->alert_email};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        wh_free(all[i]);
    memset(c, 0, sizeof *c);
}
