/* Carrier directory routes. Onboarding takes only a DOT or MC number; everything else comes
 * from FMCSA, server-side: 201 created, 409 already known, 404 unknown to FMCSA, 422
 * carrier_blocked for OUT_OF_SERVICE or NOT_AUTHORIZED, 503 when FMCSA cannot answer. No field
 * is ever invented: a failed refresh keeps the last known status and records the error.
 * Manual entry (POST /carriers/manual) stores what was typed as a MANUAL, PENDING carrier and
 * never calls FMCSA; a refresh or fmcsa_sync verifies it later (DOMAIN-wave2 §14). */
#include "freight/freight.h"
#include "app.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/str.h"
#include "freight/freight_int.h"
#include "http/http.h"

#include <string.h>

/* The Carrier shape's order (API-wave2), the header of the CSV export even when it is empty. */
static const char *const carriers_fields[] = {"id",
                                              "name",
                                              "legal_name",
                                              "dba_name",
                                              "dot_number",
                                              "mc_number",
                                              "phone",
                                              "email",
                                              "city",
                                              "state",
                                              "power_units",
                                              "drivers",
                                              "safety_rating",
                                              "source",
                                              "verification",
                                              "fmcsa_status",
                                              "fmcsa_authorized",
                                              "fmcsa_checked_at",
                                              "fmcsa_error",
                                              "blocked",
                                              NULL};
static const wh_list carriers = {"carriers", WH_KEY_TEXT,         1,
                                 0,          wh_carrier_row_json, carriers_fields};

/* A DOT or MC number: a string of 1..digits digits, or a positive integer of as many. */
static const char *number_of(wh_req *r, wh_jin *in, const char *key, size_t digits)
{
    json_t *v = json_object_get(in->obj, key);
    const char *s = NULL;
    if (!v)
        return NULL;
    if (json_is_integer(v) && json_integer_value(v) > 0)
        s = wh_arena_printf(&r->arena, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    bool ok = n >= 1 && n <= digits && strspn(s, "0123456789") == n;
    if (!ok) {
        in->bad = true;
        (void)wh_error_field(in->e, key, "must be a number of 1 to %zu digits", digits);
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
    *dot = number_of(r, &in, "dot_number", 10);
    *mc = number_of(r, &in, "mc_number", 10);
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

/* The body of POST /carriers/manual; every other field (the FMCSA ones included) is 400. */
static wh_err read_manual(wh_req *r, wh_carrier_manual *in, wh_error *e)
{
    static const char *const fields[] = {"dot_number", "legal_name", "mc_number",
                                         "dba_name",   "phone",      "email",
                                         "city",       "state",      NULL};
    wh_jin j;
    wh_err rc = wh_freight_body(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    if (!wh_jin_has(&j, "dot_number") || wh_jin_is_null(&j, "dot_number")) {
        j.bad = true;
        (void)wh_error_field(e, "dot_number", "is required");
    } else {
        in->dot_number = number_of(r, &j, "dot_number", WH_FREIGHT_MANUAL_DIGITS);
    }
    if (!wh_jin_is_null(&j, "mc_number"))
        in->mc_number = number_of(r, &j, "mc_number", WH_FREIGHT_MANUAL_DIGITS);
    in->legal_name = wh_jin_str(&j, "legal_name", true, 1, WH_LIMIT_NAME_CHARS);
    in->dba_name = wh_jin_str(&j, "dba_name", false, 1, WH_LIMIT_NAME_CHARS);
    in->phone = wh_jin_str(&j, "phone", false, 1, WH_FREIGHT_PHONE_CHARS);
    const char *email = wh_jin_str(&j, "email", false, 3, WH_LIMIT_EMAIL_CHARS);
    in->city = wh_jin_str(&j, "city", false, 1, WH_FREIGHT_TEXT_CHARS);
    in->state = wh_jin_str(&j, "state", false, 1, WH_FREIGHT_TEXT_CHARS);
    if (email && !(in->email = wh_user_email_normalise(&r->arena, email))) {
        j.bad = true;
        (void)wh_error_field(e, "email", "must be an e-mail address");
    }
    return wh_jin_done(&j);
}

/* POST /carriers/manual: a MANUAL, PENDING carrier, without asking FMCSA. */
static wh_err create_manual(wh_req *r, wh_error *e)
{
    wh_carrier_manual in = {0};
    wh_carrier out;
    wh_conn *c = NULL;
    wh_err rc = read_manual(r, &in, e);
    if (rc == WH_OK)
        rc = already_known(r, in.dot_number, in.mc_number, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_carrier_insert_manual(c, &r->arena, &in, r->now_ms, &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201,
        &(wh_change){"carrier.create_manual", "carrier", out.id, 0, NULL, wh_carrier_json(&out)},
        e);
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
                            bool found, const char *error, wh_error *e)
{
    wh_carrier after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_carrier_store_lookup(c, &r->arena, before, error, found, f, r->now_ms, &after, e);
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
    return store_refresh(r, &before, &f, found, error, e);
}

/* True when value is NULL (not given) or one of the NULL-terminated values. */
static bool one_of(const char *value, const char *const *values)
{
    bool known = !value;
    for (const char *const *s = values; *s && !known; s++)
        known = strcmp(*s, value) == 0;
    return known;
}

/* GET /carriers: a page of the directory by name, filtered by ?q (a part of a name or number),
 * ?status (an FMCSA status) and ?verification. */
static wh_err list(wh_req *r, wh_error *e)
{
    static const char *const statuses[] = {"ACTIVE", "OUT_OF_SERVICE", "NOT_AUTHORIZED", "UNKNOWN",
                                           NULL};
    static const char *const verifications[] = {"VERIFIED", "PENDING", "NOT_FOUND", NULL};
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    const char *q = wh_req_query(r, "q"), *status = wh_req_query(r, "status");
    const char *verification = wh_req_query(r, "verification");
    wh_err rc = wh_page_parse(r, &carriers, &pg, e);
    if (rc != WH_OK)
        return rc;
    if (!one_of(status, statuses))
        return wh_error_field(e, "status",
                              "must be ACTIVE, OUT_OF_SERVICE, NOT_AUTHORIZED or UNKNOWN");
    if (!one_of(verification, verifications))
        return wh_error_field(e, "verification", "must be VERIFIED, PENDING or NOT_FOUND");
    if (q && strlen(q) > WH_LIMIT_NAME_CHARS)
        return wh_error_field(e, "q", "must be at most %d characters", WH_LIMIT_NAME_CHARS);
    rc = wh_req_db(r, &c, e);
    if (rc != WH_OK)
        return rc;
    wh_carrier_list_sql(q && *q ? wh_str_like_pattern(&r->arena, q) : NULL, status, verification,
                        &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/carriers", list, WH_PERM_FREIGHT_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/carriers", onboard, WH_PERM_CARRIERS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"POST", "/api/v1/carriers/manual", create_manual, WH_PERM_CARRIERS_WRITE, WH_RATE_WRITE,
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
