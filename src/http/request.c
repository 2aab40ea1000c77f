/* Request accessors: headers, query parameters, path ids, the JSON body, the lazily acquired
 * database connection. Input is parsed into typed values here, at the edge. */
#include "http/http_int.h"
#include "app.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

const char *wh_req_header(wh_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *wh_req_query(wh_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

wh_err wh_req_primary(wh_req *r, wh_conn **out, wh_error *e)
{
    if (!r->db) {
        wh_err rc = wh_db_acquire(r->app->db, &r->db, e);
        if (rc != WH_OK)
            return rc;
        if (r->idem_key) /* the Idempotency-Key answer joins what this connection commits */
            wh_db_hold(r->db);
    }
    *out = r->db;
    return WH_OK;
}

wh_err wh_req_db(wh_req *r, wh_conn **out, wh_error *e)
{
    if (r->db || !wh_reads_may_use_replica(r))
        return wh_req_primary(r, out, e);
    if (!r->ro) {
        wh_err rc = wh_db_acquire_read(r->app->db, wh_reads_min_lsn(r), &r->ro, e);
        if (rc != WH_OK)
            return rc;
    }
    *out = r->ro;
    return WH_OK;
}

wh_err wh_req_begin(wh_req *r, wh_conn **c, wh_error *e)
{
    wh_err rc = wh_req_primary(r, c, e);
    return rc == WH_OK ? wh_db_begin(*c, e) : rc;
}

wh_err wh_req_open(wh_req *r, bool write, wh_conn **c, int64_t *id, wh_error *e)
{
    wh_err rc = wh_req_path_id(r, 0, id, e);
    if (rc == WH_OK)
        rc = write ? wh_req_begin(r, c, e) : wh_req_db(r, c, e);
    return rc;
}

wh_err wh_req_commit(wh_req *r, wh_conn *c, int status, json_t *body, wh_error *e)
{
    wh_err rc = wh_db_commit(c, e);
    if (rc != WH_OK) {
        json_decref(body);
        return rc;
    }
    return wh_resp_json(r, status, body);
}

void wh_req_db_done(wh_req *r)
{
    wh_idem_flush(r);
    wh_req_release_db(r);
}

wh_err wh_req_path_id(wh_req *r, int idx, int64_t *out, wh_error *e)
{
    if (idx >= r->nparams || !wh_str_to_i64(wh_str_c(r->params[idx]), 1, INT64_MAX, out))
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such resource.");
    return WH_OK;
}

wh_err wh_req_query_id(wh_req *r, const char *name, int64_t *out, bool *present, wh_error *e)
{
    const char *v = wh_req_query(r, name);
    *present = v != NULL;
    *out = 0;
    if (v && !wh_str_to_i64(wh_str_c(v), 1, INT64_MAX, out))
        return wh_error_field(e, name, "must be a positive integer id");
    return WH_OK;
}

wh_err wh_req_scope_venture(wh_req *r, int64_t venture_id, wh_error *e)
{
    wh_conn *c = NULL;
    if (wh_scope_venture_known(&r->user, venture_id))
        return WH_OK;
    wh_err rc = wh_req_db(r, &c, e);
    return rc == WH_OK ? wh_scope_check_venture(c, &r->arena, &r->user, venture_id, e) : rc;
}

wh_err wh_req_query_day(wh_req *r, const char *name, const char **out, wh_error *e)
{
    int y, m, d;
    *out = wh_req_query(r, name);
    if (*out && (strlen(*out) != 10 || !wh_clock_parse_date(*out, &y, &m, &d)))
        return wh_error_field(e, name, "must be a calendar day YYYY-MM-DD");
    return WH_OK;
}

wh_err wh_req_query_range(wh_req *r, int max_days, int default_days, const char **from,
                          const char **to, wh_error *e)
{
    char buf[16];
    int64_t days = 0;
    wh_err rc = wh_req_query_day(r, "from", from, e);
    if (rc == WH_OK)
        rc = wh_req_query_day(r, "to", to, e);
    if (rc != WH_OK)
        return rc;
    if (!*to) {
        wh_clock_day_of(r->now_ms, buf, sizeof buf);
        *to = wh_arena_strdup(&r->arena, buf);
    }
    if (!*from) {
        if (!wh_clock_day_add(*to, 1 - default_days, buf, sizeof buf))
            return wh_error_field(e, "to", "must be a calendar day YYYY-MM-DD");
        *from = wh_arena_strdup(&r->arena, buf);
    }
    if (strcmp(*from, *to) > 0)
        return wh_error_field(e, "to", "must not be before from");
    if (wh_clock_days_between(*from, *to, &days) && days >= max_days)
        return wh_error_field(e, "from", "the range is longer than %d days", max_days);
    return WH_OK;
}

wh_err wh_req_query_bool(wh_req *r, const char *name, bool *present, bool *value, wh_error *e)
{
    const char *v = wh_req_query(r, name);
    *present = v != NULL;
    *value = v && strcmp(v, "true") == 0;
    if (v && !*value && strcmp(v, "false") != 0)
        return wh_error_field(e, name, "must be true or false");
    return WH_OK;
}

wh_err wh_req_venture_filter(wh_req *r, wh_conn **c, int64_t *venture_id, wh_error *e)
{
    bool has = false;
    wh_err rc = wh_req_query_id(r, "venture_id", venture_id, &has, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, c, e);
    if (rc == WH_OK && has)
        rc = wh_scope_check_venture(*c, &r->arena, &r->user, *venture_id, e);
    return rc;
}

wh_err wh_req_path_venture(wh_req *r, int idx, wh_conn **c, int64_t *venture_id, wh_error *e)
{
    bool in_scope = false;
    wh_err rc = wh_req_path_id(r, idx, venture_id, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, c, e);
    if (rc == WH_OK)
        rc = wh_scope_has_venture(*c, &r->arena, &r->user, *venture_id, &in_scope, e);
    if (rc == WH_OK && !in_scope)
        rc = wh_fail(e, WH_ERR_NOT_FOUND, "No such venture.");
    return rc;
}

static void decref(void *p)
{
    json_decref(p);
}

json_t *wh_req_keep(wh_req *r, json_t *v)
{
    if (v)
        wh_arena_defer(&r->arena, decref, v);
    return v;
}

wh_err wh_req_json(wh_req *r, json_t **out, wh_error *e)
{
    const char *ct = wh_req_header(r, "Content-Type");
    size_t n = strlen("application/json");
    *out = NULL;
    if (!ct || strncasecmp(ct, "application/json", n) != 0 ||
        (ct[n] && ct[n] != ';' && ct[n] != ' '))
        return wh_fail(e, WH_ERR_MEDIA_TYPE,
                       "The body must be sent as Content-Type: application/json.");
    json_t *v = NULL;
    wh_err rc = wh_json_parse_object(r->body, r->body_len, &v, e);
    if (rc != WH_OK)
        return rc;
    wh_arena_defer(&r->arena, decref, v);
    *out = v;
    return WH_OK;
}

wh_err wh_req_jin(wh_req *r, wh_jin *j, const char *const *fields, wh_error *e)
{
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(j, body, e);
    wh_jin_allow(j, fields);
    return WH_OK;
}
