/* Audit log writing and its list route. */
#include "audit/audit.h"
#include "http/http.h"

#include <stdlib.h>

static char *dump(wh_arena *a, json_t *v)
{
    if (!v)
        return NULL;
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    char *copy = wh_arena_strdup(a, s ? s : "null");
    free(s);
    return copy;
}

wh_err wh_audit_record(wh_conn *c, wh_arena *a, const wh_audit_entry *en, wh_error *e)
{
    return wh_db_query(
        c, a,
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, venture_id, before_json,"
        " after_json, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        WH_ARGS(WH_PI(en->at_ms), en->actor_id ? WH_PI(en->actor_id) : WH_PN, WH_PT(en->action),
                WH_PT(en->entity), en->entity_id ? WH_PI(en->entity_id) : WH_PN,
                en->venture_id ? WH_PI(en->venture_id) : WH_PN, WH_PT(dump(a, en->before)),
                WH_PT(dump(a, en->after)), WH_PT(en->request_id)),
        NULL, e);
}

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

/* Newest first by id. Entries without a venture are visible only to all-venture callers. */
static wh_err list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_conn *c = NULL;
    wh_rows *rows = NULL;
    int64_t venture = 0, actor = 0;
    bool has_v = false, has_a = false;
    const char *action = wh_req_query(r, "action");
    wh_err rc = wh_page_parse(r, "audit", &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "venture_id", &venture, &has_v, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "actor_id", &actor, &has_a, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && has_v)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, venture, e);
    if (rc != WH_OK)
        return rc;
    rc = wh_db_query(
        c, &r->arena,
        "SELECT id, at, actor_id, action, entity, entity_id, venture_id, before_json, after_json,"
        " request_id FROM audit_log WHERE ($3 = 0 OR venture_id = $3) AND ($4 = 0 OR actor_id ="
        " $4) AND ($5 = '' OR action = $5) AND ($6 = 0 OR id < $6) AND ((venture_id IS NULL AND"
        " $1) OR " WH_SCOPE_SQL("venture_id", "$1", "$2") ") ORDER BY id DESC LIMIT $7",
        WH_ARGS(WH_PB(r->user.all_ventures), WH_PI(r->user.id), WH_PI(venture), WH_PI(actor),
                WH_PT(action ? action : ""), WH_PI(pg.after ? pg.id : 0), WH_PI(pg.limit + 1)),
        &rows, e);
    if (rc != WH_OK)
        return rc;
    size_t n = wh_rows_count(rows);
    bool more = n > (size_t)pg.limit;
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)pg.limit; i++)
        json_array_append_new(items, render(rows, i));
    int64_t last = more ? wh_rows_int(rows, (size_t)pg.limit - 1, 0) : 0;
    return wh_resp_json(r, 200, wh_page_render(r, &pg, items, more, "", last));
}

static const wh_route routes[] = {
    {"GET", "/api/v1/audit-log", list, WH_PERM_AUDIT_READ, WH_RATE_READ, 0},
};

const wh_route *wh_audit_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
