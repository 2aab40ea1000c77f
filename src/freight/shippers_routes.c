/* Shipper routes: GET|POST /shippers, GET|PATCH /shippers/{id}. A shipper belongs to one
 * venture; its code is upper-cased and unique within the venture (409 conflict). A shipper
 * outside the caller's scope answers 404; a venture_id outside it answers 403. */
#include "freight/freight.h"
#include "app.h"
#include "audit/audit.h"
#include "core/json.h"
#include "freight/freight_int.h"
#include "http/http.h"

static wh_err audit(wh_req *r, wh_conn *c, const char *action, const wh_shipper *before,
                    const wh_shipper *after, wh_error *e)
{
    wh_audit_entry en = {.action = action,
                         .entity = "shipper",
                         .entity_id = after->id,
                         .venture_id = after->venture_id,
                         .before = before ? wh_req_keep(r, wh_shipper_json(before)) : NULL,
                         .after = wh_req_keep(r, wh_shipper_json(after))};
    return wh_audit_request(r, c, &en, e);
}

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
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? fields : fields + 1);
    if (create)
        s->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    wh_freight_read_text(&j, "name", create, true, WH_LIMIT_NAME_CHARS, &s->name);
    wh_freight_read_text(&j, "code", create, true, WH_LIMIT_CODE_CHARS, &s->code);
    wh_freight_read_text(&j, "contact_name", create, false, WH_LIMIT_NAME_CHARS, &s->contact_name);
    wh_freight_read_text(&j, "email", create, false, WH_LIMIT_EMAIL_CHARS, &s->email);
    wh_freight_read_text(&j, "phone", create, false, WH_FREIGHT_PHONE_CHARS, &s->phone);
    wh_freight_read_bool(&j, "active", &s->active);
    normalise(r, &j, &was, s);
    return wh_jin_done(&j);
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
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_shipper_create(c, &r->arena, &in, r->now_ms, &out, e);
    if (rc == WH_OK)
        rc = audit(r, c, "shipper.create", NULL, &out, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    return rc == WH_OK ? wh_resp_json(r, 201, wh_shipper_json(&out)) : rc;
}

static wh_err get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_shipper s;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_shipper_get(c, &r->arena, &r->user, id, false, &s, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_shipper_json(&s)) : rc;
}

static wh_err patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_shipper before = {0}, in, after;
    wh_conn *c = NULL;
    json_t *body = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = wh_req_json(r, &body, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = wh_shipper_get(c, &r->arena, &r->user, id, true, &before, e);
    in = before;
    if (rc == WH_OK)
        rc = read_fields(r, body, false, &in, e);
    if (rc == WH_OK)
        rc = wh_shipper_update(c, &r->arena, &in, r->now_ms, &after, e);
    if (rc == WH_OK)
        rc = audit(r, c, "shipper.update", &before, &after, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_shipper_json(&after)) : rc;
}

static wh_err list(wh_req *r, wh_error *e)
{
    wh_oldpage pg;
    wh_shipper *items = NULL;
    size_t n = 0;
    int64_t venture = 0;
    bool has_venture = false;
    wh_conn *c = NULL;
    wh_err rc = wh_oldpage_parse(r, "shippers", &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "venture_id", &venture, &has_venture, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && has_venture)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, venture, e);
    if (rc == WH_OK)
        rc = wh_shipper_list(c, &r->arena, &r->user, venture, pg.after ? pg.id : 0, pg.limit + 1,
                             &items, &n, e);
    if (rc != WH_OK)
        return rc;
    bool more = n > (size_t)pg.limit;
    size_t shown = more ? (size_t)pg.limit : n;
    json_t *arr = json_array();
    for (size_t i = 0; i < shown; i++)
        json_array_append_new(arr, wh_shipper_json(&items[i]));
    return wh_resp_json(r, 200,
                        wh_oldpage_render(r, &pg, arr, more, "", shown ? items[shown - 1].id : 0));
}

static const wh_route routes[] = {
    {"GET", "/api/v1/shippers", list, WH_PERM_FREIGHT_READ, WH_RATE_READ, 0, NULL},
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
