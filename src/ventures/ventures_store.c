/* SQL for ventures, offices and memberships. Every read of venture data takes the caller's
 * scope and filters in WHERE. */
#include "ventures/ventures.h"
#include "core/json.h"
#include "core/limits.h"

#include <stdio.h>
#include <string.h>

const char *const wh_venture_types[] = {"LOGISTICS", "TRANSPORT", "HOSPITALITY", "BPO",
                                        "SAAS",      "HOLDINGS",  "TESTING",     NULL};

/* One column list per table, for SELECT and RETURNING (which may not name an alias on SQLite):
 * the main table of a statement is not aliased. */
#define VENTURE_COLS "id, name, code, type, active"
#define OFFICE_COLS  "id, venture_id, name, city, country"

static void venture_row(const wh_rows *r, size_t i, wh_venture *v)
{
    WH_ROWS_READ(r, i, WH_CELL(&v->id), WH_CELL(&v->name), WH_CELL(&v->code), WH_CELL(&v->type),
                 WH_CELL(&v->active));
}

static void office_row(const wh_rows *r, size_t i, wh_office *o)
{
    WH_ROWS_READ(r, i, WH_CELL(&o->id), WH_CELL(&o->venture_id), WH_CELL(&o->name),
                 WH_CELL(&o->city), WH_CELL(&o->country));
}

static wh_err one_venture(wh_err rc, const wh_rows *r, wh_venture *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such venture.", "A venture with this code already exists.", e);
    if (rc == WH_OK)
        venture_row(r, 0, out);
    return rc;
}

wh_err wh_venture_create(wh_conn *c, wh_arena *a, const wh_venture_input *in, int64_t now_ms,
                         wh_venture *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO ventures (name, code, type, active, created_at,"
                            " updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING " VENTURE_COLS,
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
                    " FROM ventures WHERE id = $3 AND " WH_SCOPE_SQL("ventures.id", "$1", "$2"),
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
                    " updated_at = $7 WHERE id = $1 RETURNING " VENTURE_COLS,
                    WH_ARGS(WH_PI(id), WH_PT(in->name), WH_PT(in->code), WH_PT(in->type),
                            WH_PB(in->has_active), WH_PB(in->active), WH_PI(now_ms)),
                    &r, e);
    return one_venture(rc, r, out, e);
}

void wh_venture_list_sql(const wh_principal *p, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " VENTURE_COLS " FROM ventures");
    WH_SQLB_SCOPE(b, p, "ventures.id");
    wh_sqlb_page(b, "name", "id", false, ks);
}

WH_ROW_JSON(wh_venture_row_json, wh_venture, venture_row, wh_venture_json)

/* The one renderer of a venture: its text (what GET /ventures pages send, wh_resp_list_text);
 * wh_venture_json parses it where an object is needed. */
wh_err wh_venture_text(const wh_venture *v, wh_buf *b)
{
    wh_jw w;
    wh_jw_begin(&w, b);
    wh_jw_int(&w, "id", v->id);
    wh_jw_str(&w, "name", v->name);
    wh_jw_str(&w, "code", v->code);
    wh_jw_str(&w, "type", v->type);
    wh_jw_bool(&w, "active", v->active);
    return wh_jw_end(&w);
}

WH_JW_OBJECT(wh_venture_json, wh_venture, wh_venture_text)
WH_ROW_TEXT(wh_venture_row_text, wh_venture, venture_row, wh_venture_text)

wh_err wh_office_create(wh_conn *c, wh_arena *a, const wh_office *in, int64_t now_ms,
                        wh_office *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO offices (venture_id, name, city, country,"
                            " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
                            " RETURNING " OFFICE_COLS,
                            WH_ARGS(WH_PI(in->venture_id), WH_PT(in->name), WH_PT(in->city),
                                    WH_PT(in->country), WH_PI(now_ms)),
                            &r, e);
    if (rc == WH_OK)
        office_row(r, 0, out);
    return rc;
}

void wh_office_list_sql(int64_t venture_id, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " OFFICE_COLS " FROM offices");
    wh_sqlb_and(b, "venture_id = ?", WH_PI(venture_id));
    wh_sqlb_page(b, "name", "id", false, ks);
}

WH_ROW_JSON(wh_office_row_json, wh_office, office_row, wh_office_json)

json_t *wh_office_json(const wh_office *o)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:o}", "id", (json_int_t)o->id, "venture_id",
                     (json_int_t)o->venture_id, "name", o->name, "city",
                     o->city ? json_string(o->city) : json_null(), "country",
                     o->country ? json_string(o->country) : json_null());
}

#define PEOPLE_FROM " FROM venture_users vu JOIN users u ON u.id = vu.user_id"

void wh_venture_people_sql(const char *cols, int64_t venture_id, const wh_keyset *ks, wh_sqlb *b)
{
    char head[256];
    snprintf(head, sizeof head, "SELECT %s" PEOPLE_FROM, cols);
    wh_sqlb_init(b, head);
    wh_sqlb_and(b, "vu.venture_id = ?", WH_PI(venture_id));
    wh_sqlb_page(b, "u.full_name", "u.id", false, ks);
}

wh_err wh_venture_people_offices(wh_conn *c, wh_arena *a, int64_t venture_id, const wh_keyset *ks,
                                 size_t size, json_t *items, wh_error *e)
{
    wh_sqlb page;
    char sql[WH_LIMIT_SQLB_CHARS + 256];
    wh_rows *r = NULL;
    wh_keyset shown = *ks;
    shown.limit = (int)size; /* the members of the page, not the one that tells more follow */
    wh_venture_people_sql("u.id", venture_id, &shown, &page);
    snprintf(sql, sizeof sql,
             "SELECT ou.user_id, o.id, o.name FROM office_users ou JOIN offices o ON o.id ="
             " ou.office_id WHERE o.venture_id = $1 AND ou.user_id IN (%s) ORDER BY o.name, o.id",
             page.sql);
    wh_err rc = wh_db_query(c, a, sql, page.params, page.n, &r, e);
    for (size_t i = 0; rc == WH_OK && i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i), *offices = json_array();
        json_int_t id = json_integer_value(json_object_get(item, "id"));
        for (size_t k = 0; k < wh_rows_count(r); k++)
            if (wh_rows_int(r, k, 0) == id)
                json_array_append_new(offices, json_pack("{s:I, s:s}", "id", wh_rows_int(r, k, 1),
                                                         "name", wh_rows_text(r, k, 2)));
        json_object_set_new(item, "offices", offices);
    }
    return rc;
}
