/* Carrier directory routes. Onboarding takes only a DOT or MC number; everything else comes
 * from FMCSA, server-side: 201 created, 409 already known, 404 unknown to FMCSA, 422
 * carrier_blocked for OUT_OF_SERVICE or NOT_AUTHORIZED, 503 when FMCSA cannot answer. No field
 * is ever invented: a failed refresh keeps the last known status and records the error. */
#include "freight/freight.h"
#include "app.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/str.h"
#include "freight/freight_int.h"
#include "http/http.h"

#include <string.h>

static const wh_list carriers = {"carriers", WH_KEY_TEXT, 1, 0, wh_carrier_row_json, NULL};

/* A DOT or MC number: a string of 1..10 digits, or a positive integer. */
static const char *number_of(wh_req *r, wh_jin *in, const char *key)
{
    json_t *v = json_object_get(in->obj, key);
    const char *s = NULL;
    if (!v)
        return NULL;
    if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 10000000000LL)
        return wh_arena_printf(&r->arena, "%lld", (long long)json_integer_value(v));
    if (json_is_string(v))
        s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    bool ok = n >= 1 && n <= 10 && strspn(s, "0123456789") == n;
    if (!ok) {
        in->bad = true;
        (void)wh_error_field(in->e, key, "must be a number of 1 to 10 digits");
        return NULL;
    }
    while (s[0] == '0' && s[1]) /* "0500001" and 500001 are one number */
        s++;
    return s;
}

static wh_err read_onboarding(wh_req *r, const char **dot, const char **mc, wh_error *e)
{
    static const char *const fields[] = {"dot_number", "mc_number", NULL};
    wh_jin in;
    wh_err rc = wh_freight_body(r, &in, fields, e);
    if (rc != WH_OK)
        return rc;
    *dot = number_of(r, &in, "dot_number");
    *mc = number_of(r, &in, "mc_number");
    if (wh_jin_done(&in) != WH_OK)
        return WH_ERR_INVALID;
    if ((*dot == NULL) == (*mc == NULL))
        return wh_error_field(e, *dot ? "mc_number" : "dot_number",
                              "give exactly one of dot_number and mc_number");
    return WH_OK;
}

static wh_err already_known(wh_req *r, const char *dot, const char *mc, wh_error *e)
{
    wh_conn *c = NULL;
    wh_carrier known;
    bool found = false;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_carrier_find_number(c, &r->arena, dot, mc, &known, &found, e);
    if (rc == WH_OK && found)
        return wh_fail(e, WH_ERR_CONFLICT, "Carrier %lld already has this number.",
                       (long long)known.id);
    return rc;
}

static wh_err onboard(wh_req *r, wh_error *e)
{
    const char *dot = NULL, *mc = NULL;
    wh_fmcsa_carrier f;
    wh_carrier out;
    wh_conn *c = NULL;
    bool found = false;
    wh_err rc = read_onboarding(r, &dot, &mc, e);
    if (rc == WH_OK)
        rc = already_known(r, dot, mc, e);
    if (rc != WH_OK)
        return rc;
    wh_req_db_done(r); /* hold no connection while FMCSA answers */
    rc =
        wh_fmcsa_lookup(r->app->integrations, &r->arena, mc != NULL, dot ? dot : mc, &f, &found, e);
    if (rc != WH_OK)
        return rc;
    if (!found)
        return wh_fail(e, WH_ERR_NOT_FOUND, "FMCSA does not know %s number %s.", dot ? "DOT" : "MC",
                       dot ? dot : mc);
    if (strcmp(f.status, "OUT_OF_SERVICE") == 0 || strcmp(f.status, "NOT_AUTHORIZED") == 0)
        return wh_fail(e, WH_ERR_BLOCKED, "FMCSA lists this carrier as %s.", f.status);
    rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_carrier_insert(c, &r->arena, &f, r->now_ms, &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201,
        &(wh_change){"carrier.create", "carrier", out.id, 0, NULL, wh_carrier_json(&out)}, e);
}

/* The carrier of the path ({id}) on the request's connection, in its transaction for a write;
 * 404 when missing. */
static wh_err carrier_of_path(wh_req *r, bool write, wh_conn **c, wh_carrier *out, wh_error *e)
{
    int64_t id;
    wh_err rc = wh_req_open(r, write, c, &id, e);
    return rc == WH_OK ? wh_carrier_get(*c, &r->arena, id, out, e) : rc;
}

static wh_err get(wh_req *r, wh_error *e)
{
    wh_carrier out;
    wh_conn *c = NULL;
    wh_err rc = carrier_of_path(r, false, &c, &out, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_carrier_json(&out)) : rc;
}

static wh_err read_patch(wh_req *r, wh_carrier_patch_input *in, wh_error *e)
{
    static const char *const fields[] = {"phone", "email", "blocked", NULL};
    wh_jin j;
    wh_err rc = wh_freight_body(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    in->phone = wh_jin_str(&j, "phone", false, 1, 40);
    const char *email = wh_jin_str(&j, "email", false, 3, WH_LIMIT_EMAIL_CHARS);
    in->has_blocked = wh_jin_has(&j, "blocked");
    in->blocked = wh_jin_bool(&j, "blocked", false, false);
    if (email && !(in->email = wh_user_email_normalise(&r->arena, email)))
        (void)wh_error_field(e, "email", "must be an e-mail address");
    if (wh_jin_done(&j) != WH_OK || (email && !in->email))
        return WH_ERR_INVALID;
    return WH_OK;
}

static wh_err patch(wh_req *r, wh_error *e)
{
    wh_carrier_patch_input in = {0};
    wh_carrier before, after;
    wh_conn *c = NULL;
    wh_err rc = read_patch(r, &in, e);
    if (rc == WH_OK)
        rc = carrier_of_path(r, true, &c, &before, e);
    if (rc == WH_OK)
        rc = wh_carrier_patch(c, &r->arena, before.id, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"carrier.update", "carrier", after.id, 0,
                                        wh_carrier_json(&before), wh_carrier_json(&after)},
                           e);
}

/* Writes the refresh outcome and answers the carrier: fresh FMCSA fields, or the error beside
 * the last known status. */
static wh_err store_refresh(wh_req *r, const wh_carrier *before, const wh_fmcsa_carrier *f,
                            const char *error, wh_error *e)
{
    wh_carrier after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = error ? wh_carrier_record_error(c, &r->arena, before->id, error, r->now_ms, &after, e)
                   : wh_carrier_apply_fmcsa(c, &r->arena, before->id, f, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"carrier.fmcsa_refresh", "carrier", after.id, 0,
                                        wh_carrier_json(before), wh_carrier_json(&after)},
                           e);
}

static wh_err refresh(wh_req *r, wh_error *e)
{
    wh_carrier before;
    wh_fmcsa_carrier f;
    wh_conn *c = NULL;
    wh_error lookup;
    bool found = false;
    const char *error = NULL;
    wh_err rc = carrier_of_path(r, false, &c, &before, e);
    if (rc != WH_OK)
        return rc;
    wh_req_db_done(r);
    wh_error_init(&lookup);
    if (wh_fmcsa_lookup(r->app->integrations, &r->arena, false, before.dot_number, &f, &found,
                        &lookup) != WH_OK)
        error = wh_arena_strdup(&r->arena, lookup.detail);
    else if (!found)
        error = "FMCSA no longer knows this DOT number.";
    return store_refresh(r, &before, &f, error, e);
}

/* GET /carriers: a page of the directory by name, filtered by ?q (a part of a name or number)
 * and ?status (an FMCSA status). */
static wh_err list(wh_req *r, wh_error *e)
{
    static const char *const statuses[] = {"ACTIVE", "OUT_OF_SERVICE", "NOT_AUTHORIZED", "UNKNOWN",
                                           NULL};
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    const char *q = wh_req_query(r, "q"), *status = wh_req_query(r, "status");
    wh_err rc = wh_page_parse(r, &carriers, &pg, e);
    if (rc != WH_OK)
        return rc;
    bool known = !status;
    for (const char *const *s = statuses; *s && !known; s++)
        known = strcmp(*s, status) == 0;
    if (!known)
        return wh_error_field(e, "status",
                              "must be ACTIVE, OUT_OF_SERVICE, NOT_AUTHORIZED or UNKNOWN");
    if (q && strlen(q) > WH_LIMIT_NAME_CHARS)
        return wh_error_field(e, "q", "must be at most %d characters", WH_LIMIT_NAME_CHARS);
    rc = wh_req_db(r, &c, e);
    if (rc != WH_OK)
        return rc;
    wh_carrier_list_sql(q && *q ? wh_str_like_pattern(&r->arena, q) : NULL, status, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/carriers", list, WH_PERM_FREIGHT_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/carriers", onboard, WH_PERM_CARRIERS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/carriers/{id}", get, WH_PERM_FREIGHT_READ, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/carriers/{id}", patch, WH_PERM_CARRIERS_WRITE, WH_RATE_WRITE, 0, NULL},
    {"POST", "/api/v1/carriers/{id}/fmcsa-refresh", refresh, WH_PERM_CARRIERS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
};

const wh_route *wh_carriers_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
