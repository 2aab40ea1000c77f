/* GET /audit-log (audit.read): newest first, filtered by venture, actor and action. */
#include "audit/audit.h"
#include "http/http.h"

#include <string.h>

static json_t *parse_or_null(const char *s)
{
    json_t *v = s ? json_loads(s, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *render(const wh_rows *r, size_t i)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(wh_rows_int(r, i, 0)));
    json_object_set_new(o, "created_at", wh_json_time(wh_rows_int(r, i, 1)));
    json_object_set_new(o, "actor_id",
                        wh_rows_null(r, i, 2) ? json_null() : json_integer(wh_rows_int(r, i, 2)));
    json_object_set_new(o, "action", json_string(wh_rows_text(r, i, 3)));
    json_object_set_new(o, "entity", json_string(wh_rows_text(r, i, 4)));
    json_object_set_new(o, "entity_id",
                        wh_rows_null(r, i, 5) ? json_null() : json_integer(wh_rows_int(r, i, 5)));
    json_object_set_new(o, "venture_id",
                        wh_rows_null(r, i, 6) ? json_null() : json_integer(wh_rows_int(r, i, 6)));
    json_object_set_new(o, "before", parse_or_null(wh_rows_text(r, i, 7)));
    json_object_set_new(o, "after", parse_or_null(wh_rows_text(r, i, 8)));
    json_object_set_new(o, "request_id", wh_json_str_or_null(wh_rows_text(r, i, 9)));
    return o;
}

static const char *const entries_fields[] = {"id",     "created_at", "actor_id",   "action",
                                             "entity", "entity_id",  "venture_id", "before",
                                             "after",  "request_id", NULL};
static const wh_list entries = {"audit", WH_KEY_ID, 0, 0, render, entries_fields};

static wh_err list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    wh_audit_filter f = {.action = wh_req_query(r, "action"), .entity = wh_req_query(r, "entity")};
    bool has_v = false, has_a = false, has_id = false;
    wh_err rc = wh_page_parse(r, &entries, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "entity_id", &f.entity_id, &has_id, e);
    if (rc == WH_OK && (f.entity != NULL) != has_id) /* one record: both or neither */
        rc = wh_error_field(e, f.entity ? "entity_id" : "entity", "goes with %s",
                            f.entity ? "entity" : "entity_id");
    if (rc == WH_OK && f.entity && (strlen(f.entity) > WH_AUDIT_ENTITY_CHARS || !*f.entity))
        rc = wh_error_field(e, "entity", "must be 1..%d characters", WH_AUDIT_ENTITY_CHARS);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "venture_id", &f.venture_id, &has_v, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "actor_id", &f.actor_id, &has_a, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && has_v)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_audit_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

wh_err wh_audit_request(wh_req *r, wh_conn *c, wh_audit_entry *en, wh_error *e)
{
    en->actor_id = r->user.id;
    en->request_id = r->id;
    en->at_ms = r->now_ms;
    return wh_audit_record(c, &r->arena, en, e);
}

wh_err wh_audit_change(wh_req *r, wh_conn *c, const wh_change *ch, wh_error *e)
{
    wh_audit_entry en = {.action = ch->action,
                         .entity = ch->entity,
                         .entity_id = ch->id,
                         .venture_id = ch->venture_id,
                         .before = ch->before,
                         .after = ch->after};
    wh_err rc = wh_audit_request(r, c, &en, e);
    json_decref(ch->before);
    json_decref(ch->after);
    return rc;
}

wh_err wh_audit_commit(wh_req *r, wh_conn *c, int status, const wh_change *ch, wh_error *e)
{
    json_incref(ch->after); /* kept for the answer */
    wh_err rc = wh_audit_change(r, c, ch, e);
    if (rc != WH_OK) {
        json_decref(ch->after);
        return rc;
    }
    return wh_req_commit(r, c, status, ch->after, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/audit-log", list, WH_PERM_AUDIT_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
};

const wh_route *wh_audit_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
