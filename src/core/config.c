/* Environment parsing with ranges; every default is the one API.md documents. */
#include "core/config.h"
#include "core/alloc.h"
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

static wh_err parse_listen(wh_config *c, const char *v, wh_error *e)
{
    const char *colon = strrchr(v, ':');
    int64_t port;
    if (!colon || colon == v || !wh_str_to_i64(wh_str_c(colon + 1), 0, 65535, &port))
        return wh_error_field(e, "WH_LISTEN", "must be HOST:PORT");
    c->listen_host = wh_strndup(v, (size_t)(colon - v));
    c->listen_port = (int)port;
    return WH_OK;
}

static int default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long t = cores > 0 ? cores * 4 : 16;
    return (int)(t < 16 ? 16 : t);
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
    if (env_int("WH_DB_POOL", 20, 1, 1000, &v, e) != WH_OK)
        return WH_ERR_INVALID;
    c->db_pool = (int)v;
    if (env_int("WH_SESSION_TTL_S", 43200, 1, 365LL * 86400, &c->session_ttl_s, e) != WH_OK)
        return WH_ERR_INVALID;
    c->database_url = wh_strdup(env_or("WH_DATABASE_URL", "sqlite:wheelhouse.db"));
    const char *r = env_or("WH_REDIS_URL", NULL);
    c->redis_url = r ? wh_strdup(r) : NULL;
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
    c->web_dir = wh_strdup(env_or("WH_WEB_DIR", WH_SOURCE_DIR "/web"));
    c->docs_dir = wh_strdup(env_or("WH_DOCS_DIR", WH_SOURCE_DIR "/docs"));
    return WH_OK;
}

void wh_config_cleanup(wh_config *c)
{
    wh_free(c->listen_host);
    wh_free(c->database_url);
    wh_free(c->redis_url);
    if (c->secret)
        memset(c->secret, 0, strlen(c->secret));
    wh_free(c->secret);
    wh_free(c->timezone);
    wh_free(c->web_dir);
    wh_free(c->docs_dir);
    memset(c, 0, sizeof *c);
}
