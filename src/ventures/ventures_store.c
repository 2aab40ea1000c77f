/* SQL for ventures, offices and memberships. Every read of venture data takes the caller's
 * scope and filters in WHERE. */
#include "ventures/ventures.h"

#include <stdio.h>
#include <string.h>

const char *const wh_venture_types[] = {"LOGISTICS", "TRANSPORT", "HOSPITALITY", "BPO",
                                        "SAAS",      "HOLDINGS",  "TESTING",     NULL};

#define VENTURE_COLS "v.id, v.name, v.code, v.type, v.active"
#define OFFICE_COLS  "o.id, o.venture_id, o.name, o.city, o.country"
/* RETURNING may not name a table alias on SQLite */
#define VENTURE_RET "id, name, code, type, active"
#define OFFICE_RET  "id, venture_id, name, city, country"

static void venture_row(const wh_rows *r, size_t i, wh_venture *v)
{
    v->id = wh_rows_int(r, i, 0);
    v->name = wh_rows_text(r, i, 1);
    v->code = wh_rows_text(r, i, 2);
    v->type = wh_rows_text(r, i, 3);
    v->active = wh_rows_bool(r, i, 4);
}

static void office_row(const wh_rows *r, size_t i, wh_office *o)
{
    o->id = wh_rows_int(r, i, 0);
    o->venture_id = wh_rows_int(r, i, 1);
    o->name = wh_rows_text(r, i, 2);
    o->city = wh_rows_text(r, i, 3);
    o->country = wh_rows_text(r, i, 4);
}

static wh_err one_venture(wh_err rc, const wh_rows *r, wh_venture *out, wh_error *e)
{
    if (rc == WH_ERR_UNIQUE)
        return wh_fail(e, WH_ERR_CONFLICT, "A venture with this code already exists.");
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such venture.");
    venture_row(r, 0, out);
    return WH_OK;
}

wh_err wh_venture_create(wh_conn *c, wh_arena *a, const wh_venture_input *in, int64_t now_ms,
                         wh_venture *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO ventures (name, code, type, active, created_at,"
                            " updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING " VENTURE_RET,
                            WH_ARGS(WH_PT(in->name), WH_PT(in->code), WH_PT(in->type),
                                    WH_PB(in->has_active ? in->active : true), WH_PI(now_ms)),
                            &r, e);
    return one_venture(rc, r, out, e);
}

wh_err wh_venture_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, wh_venture *out,
                      wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "SELECT " VENTURE_COLS
                    " FROM ventures v WHERE v.id = $3 AND " WH_SCOPE_SQL("v.id", "$1", "$2"),
                    WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), &r, e);
    return one_venture(rc, r, out, e);
}

wh_err wh_venture_version_get(wh_conn *c, wh_arena *a, int64_t id, int64_t *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT version FROM data_versions WHERE venture_id = $1",
                            WH_ARGS(WH_PI(id)), &r, e);
    *out = rc == WH_OK && wh_rows_count(r) == 1 ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

wh_err wh_venture_update(wh_conn *c, wh_arena *a, int64_t id, const wh_venture_input *in,
                         int64_t now_ms, wh_venture *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "UPDATE ventures SET name = COALESCE($2, name), code = COALESCE($3, code),"
                    " type = COALESCE($4, type), active = CASE WHEN $5 THEN $6 ELSE active END,"
                    " updated_at = $7 WHERE id = $1 RETURNING " VENTURE_RET,
                    WH_ARGS(WH_PI(id), WH_PT(in->name), WH_PT(in->code), WH_PT(in->type),
                            WH_PB(in->has_active), WH_PB(in->active), WH_PI(now_ms)),
                    &r, e);
    return one_venture(rc, r, out, e);
}

void wh_venture_list_sql(const wh_principal *p, const wh_venture_page *pg, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " VENTURE_COLS " FROM ventures v");
    WH_SQLB_SCOPE(b, p, "v.id");
    if (pg->after)
        wh_sqlb_seek(b, "v.name, v.id", false, WH_PT(pg->key), WH_PI(pg->id));
    wh_sqlb_order(b, "v.name, v.id", pg->limit + 1);
}

wh_err wh_venture_list(wh_conn *c, wh_arena *a, const wh_principal *p, const wh_venture_page *pg,
                       wh_venture **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_sqlb b;
    wh_venture_list_sql(p, pg, &b);
    wh_err rc = wh_sqlb_query(c, a, &b, &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        venture_row(r, i, &(*out)[i]);
    return WH_OK;
}

json_t *wh_venture_json(const wh_venture *v)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)v->id, "name", v->name, "code",
                     v->code, "type", v->type, "active", v->active);
}

wh_err wh_office_create(wh_conn *c, wh_arena *a, const wh_office *in, int64_t now_ms,
                        wh_office *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO offices (venture_id, name, city, country,"
                            " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
                            " RETURNING " OFFICE_RET,
                            WH_ARGS(WH_PI(in->venture_id), WH_PT(in->name), WH_PT(in->city),
                                    WH_PT(in->country), WH_PI(now_ms)),
                            &r, e);
    if (rc == WH_OK)
        office_row(r, 0, out);
    return rc;
}

void wh_office_list_sql(int64_t venture_id, const wh_venture_page *pg, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " OFFICE_COLS " FROM offices o");
    wh_sqlb_and(b, "o.venture_id = ?", WH_PI(venture_id));
    if (pg->after)
        wh_sqlb_seek(b, "o.name, o.id", false, WH_PT(pg->key), WH_PI(pg->id));
    wh_sqlb_order(b, "o.name, o.id", pg->limit + 1);
}

wh_err wh_office_list(wh_conn *c, wh_arena *a, int64_t venture_id, const wh_venture_page *pg,
                      wh_office **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_sqlb b;
    wh_office_list_sql(venture_id, pg, &b);
    wh_err rc = wh_sqlb_query(c, a, &b, &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        office_row(r, i, &(*out)[i]);
    return WH_OK;
}

json_t *wh_office_json(const wh_office *o)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:o}", "id", (json_int_t)o->id, "venture_id",
                     (json_int_t)o->venture_id, "name", o->name, "city",
                     o->city ? json_string(o->city) : json_null(), "country",
                     o->country ? json_string(o->country) : json_null());
}

/* The page of members by (full_name, id): cols are the head ("SELECT u.id FROM …"); $1 is
 * the venture. */
#define PEOPLE_FROM " FROM venture_users vu JOIN users u ON u.id = vu.user_id"

void wh_venture_people_sql(const char *cols, int64_t venture_id, const wh_venture_page *pg,
                           int limit, wh_sqlb *b)
{
    char head[256];
    snprintf(head, sizeof head, "%s" PEOPLE_FROM, cols);
    wh_sqlb_init(b, head);
    wh_sqlb_and(b, "vu.venture_id = ?", WH_PI(venture_id));
    if (pg->after)
        wh_sqlb_seek(b, "u.full_name, u.id", false, WH_PT(pg->key), WH_PI(pg->id));
    wh_sqlb_order(b, "u.full_name, u.id", limit);
}

/* Attaches each member's offices in the venture, fetched for the whole page in one query. */
static wh_err attach_offices(wh_conn *c, wh_arena *a, int64_t venture_id, const wh_venture_page *pg,
                             json_t *items, const int64_t *ids, size_t n, wh_error *e)
{
    wh_sqlb page;
    char sql[WH_LIMIT_SQLB_CHARS + 256];
    wh_rows *r = NULL;
    wh_venture_people_sql("SELECT u.id", venture_id, pg, pg->limit, &page);
    snprintf(sql, sizeof sql,
             "SELECT ou.user_id, o.id, o.name FROM office_users ou JOIN offices o ON o.id ="
             " ou.office_id WHERE o.venture_id = $1 AND ou.user_id IN (%s) ORDER BY o.name, o.id",
             page.sql);
    wh_err rc = wh_db_query(c, a, sql, page.params, page.n, &r, e);
    for (size_t i = 0; rc == WH_OK && i < n; i++) {
        json_t *offices = json_array();
        for (size_t k = 0; k < wh_rows_count(r); k++)
            if (wh_rows_int(r, k, 0) == ids[i])
                json_array_append_new(offices, json_pack("{s:I, s:s}", "id", wh_rows_int(r, k, 1),
                                                         "name", wh_rows_text(r, k, 2)));
        json_object_set_new(json_array_get(items, i), "offices", offices);
    }
    return rc;
}

wh_err wh_venture_people(wh_conn *c, wh_arena *a, int64_t venture_id, const wh_venture_page *pg,
                         json_t *items, size_t *n, const char **last_key, int64_t *last_id,
                         wh_error *e)
{
    wh_rows *r = NULL;
    wh_sqlb b;
    /* one row more than the page tells whether there is a next page */
    wh_venture_people_sql("SELECT u.id, u.email, u.full_name, u.role, u.active", venture_id, pg,
                          pg->limit + 1, &b);
    wh_err rc = wh_sqlb_query(c, a, &b, &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    size_t shown = *n > (size_t)pg->limit ? (size_t)pg->limit : *n;
    int64_t *ids = wh_arena_alloc(a, sizeof *ids * (shown + 1));
    for (size_t i = 0; i < shown; i++) {
        wh_user u = {.id = wh_rows_int(r, i, 0),
                     .email = wh_rows_text(r, i, 1),
                     .full_name = wh_rows_text(r, i, 2),
                     .active = wh_rows_bool(r, i, 4)};
        (void)wh_role_parse(wh_rows_text(r, i, 3), &u.role);
        json_array_append_new(items, wh_user_json(&u));
        ids[i] = u.id;
        *last_key = u.full_name;
        *last_id = u.id;
    }
    return attach_offices(c, a, venture_id, pg, items, ids, shown, e);
}
