/* Shipper routes: GET|POST /shippers, GET|PATCH /shippers/{id}. A shipper belongs to one
 * venture; its code is upper-cased and unique within the venture (409 conflict). A shipper
 * outside the caller's scope answers 404; a venture_id outside it answers 403. */
#include "freight/freight.h"
#include "app.h"
#include "audit/audit.h"
#include "core/json.h"
#include "freight/freight_int.h"
#include "http/http.h"

static const char *const shippers_fields[] = {
    "id", "venture_id", "name", "code", "contact_name", "email", "phone", "active", NULL};
static const wh_list shippers = {"shippers", WH_KEY_ID, 0, 0, wh_shipper_row_json, shippers_fields};

/* Upper-cases a code made of A-Z, 0-9, '_' and '-' (as venture codes); NULL otherwise. */
static const char *normalise_code(wh_arena *a, const char *code)
{
    char *out = wh_arena_strdup(a, code);
    for (char *p = out; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return NULL;
    }
    return out;
}

/* The fields whose form the shared readers cannot check: code and e-mail. */
static void normalise(wh_req *r, wh_jin *j, const wh_shipper *was, wh_shipper *s)
{
    if (s->code && s->code != was->code && !(s->code = normalise_code(&r->arena, s->code))) {
        j->bad = true;
        (void)wh_error_field(j->e, "code", "may contain only letters, digits, '_' and '-'");
    }
    if (s->email && s->email != was->email &&
        !(s->email = wh_user_email_normalise(&r->arena, s->email))) {
        j->bad = true;
        (void)wh_error_field(j->e, "email", "must be an e-mail address");
    }
}

/* Reads the writable fields onto s: zeroed (active true) on create, the stored row on PATCH. */
static wh_err read_fields(wh_req *r, json_t *body, bool create, wh_shipper *s, wh_error *e)
{
    static const char *const fields[] = {"venture_id", "name",  "code",   "contact_name",
                                         "email",      "phone", "active", NULL};
    const wh_shipper was = *s;
    wh_jin j;
    wh_freight_read_record(&j, body, create, fields, &s->venture_id, e);
    wh_freight_read_text(&j, "name", create, true, WH_LIMIT_NAME_CHARS, &s->name);
    wh_freight_read_text(&j, "code", create, true, WH_LIMIT_CODE_CHARS, &s->code);
    wh_freight_read_text(&j, "contact_name", create, false, WH_LIMIT_NAME_CHARS, &s->contact_name);
    wh_freight_read_text(&j, "email", create, false, WH_LIMIT_EMAIL_CHARS, &s->email);
    wh_freight_read_text(&j, "phone", create, false, WH_FREIGHT_PHONE_CHARS, &s->phone);
    wh_freight_read_bool(&j, "active", &s->active);
    normalise(r, &j, &was, s);
    return wh_jin_done(&j);
}

/* The shipper of the path ({id}), read on the request's connection, or locked in its
 * transaction for a write; 404 when missing or outside the caller's scope. */
static wh_err shipper_of_path(wh_req *r, bool write, wh_conn **c, wh_shipper *out, wh_error *e)
{
    int64_t id;
    wh_err rc = wh_req_open(r, write, c, &id, e);
    return rc == WH_OK ? wh_shipper_get(*c, &r->arena, &r->user, id, write, out, e) : rc;
}

static wh_err create(wh_req *r, wh_error *e)
{
    wh_shipper in = {.active = true}, out;
    wh_conn *c = NULL;
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc == WH_OK)
        rc = read_fields(r, body, true, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_shipper_create(c, &r->arena, &in, r->now_ms, &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"shipper.create", "shipper", out.id, out.venture_id, NULL,
                                        wh_shipper_json(&out)},
                           e);
}

static wh_err get(wh_req *r, wh_error *e)
{
    wh_shipper s;
    wh_conn *c = NULL;
    wh_err rc = shipper_of_path(r, false, &c, &s, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_shipper_json(&s)) : rc;
}

static wh_err patch(wh_req *r, wh_error *e)
{
    wh_shipper before = {0}, in, after;
    wh_conn *c = NULL;
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc == WH_OK)
        rc = shipper_of_path(r, true, &c, &before, e);
    in = before;
    if (rc == WH_OK)
        rc = read_fields(r, body, false, &in, e);
    if (rc == WH_OK)
        rc = wh_shipper_update(c, &r->arena, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"shipper.update", "shipper", after.id, after.venture_id,
                                        wh_shipper_json(&before), wh_shipper_json(&after)},
                           e);
}

/* GET /shippers: a page of one venture's (?venture_id) or every venture in scope. */
static wh_err list(wh_req *r, wh_error *e)
{
    return wh_resp_venture_list(r, &shippers, wh_shipper_list_sql, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/shippers", list, WH_PERM_FREIGHT_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/shippers", create, WH_PERM_FREIGHT_WRITE, WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT,
     NULL},
    {"GET", "/api/v1/shippers/{id}", get, WH_PERM_FREIGHT_READ, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/shippers/{id}", patch, WH_PERM_FREIGHT_WRITE, WH_RATE_WRITE, 0, NULL},
};

const wh_route *wh_shippers_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
