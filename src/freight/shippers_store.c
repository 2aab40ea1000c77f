/* SQL for shippers. Every read takes the caller's scope (WH_SCOPE_SQL on venture_id); the
 * code is unique per venture by a UNIQUE (venture_id, code) constraint, so a concurrent
 * duplicate is refused by the database, not by a check-then-insert. */
#include "freight/freight.h"
#include "core/json.h"
#include "freight/freight_int.h"

/* The one column list of shippers, for SELECT and RETURNING (shipper_row reads it). */
#define SHIPPER_COLS "id, venture_id, name, code, contact_name, email, phone, active"

static void shipper_row(const wh_rows *r, size_t i, wh_shipper *s)
{
    WH_ROWS_READ(r, i, WH_CELL(&s->id), WH_CELL(&s->venture_id), WH_CELL(&s->name),
                 WH_CELL(&s->code), WH_CELL(&s->contact_name), WH_CELL(&s->email),
                 WH_CELL(&s->phone), WH_CELL(&s->active));
}

/* one(c, a, sql, params, n, out, e): the shipper sql reads or writes; 404 without one (or
 * outside the caller's scope), 409 when the venture already has its code. */
WH_FREIGHT_ONE(one, wh_shipper, shipper_row, "No such shipper.",
               "This venture already has a shipper with this code.")

/* Runs sql, the insert or update of s whose $1 is key (the venture of a new shipper, the id of a
 * stored one) and $2..$8 the writable fields and now_ms. */
static wh_err write_row(wh_conn *c, wh_arena *a, const char *sql, int64_t key, const wh_shipper *s,
                        int64_t now_ms, wh_shipper *out, wh_error *e)
{
    return one(c, a, sql,
               WH_ARGS(WH_PI(key), WH_PT(s->name), WH_PT(s->code), WH_PT(s->contact_name),
                       WH_PT(s->email), WH_PT(s->phone), WH_PB(s->active), WH_PI(now_ms)),
               out, e);
}

wh_err wh_shipper_create(wh_conn *c, wh_arena *a, const wh_shipper *s, int64_t now_ms,
                         wh_shipper *out, wh_error *e)
{
    return write_row(c, a,
                     "INSERT INTO shippers (venture_id, name, code, contact_name, email, phone,"
                     " active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
                     " RETURNING " SHIPPER_COLS,
                     s->venture_id, s, now_ms, out, e);
}

wh_err wh_shipper_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, bool lock,
                      wh_shipper *out, wh_error *e)
{
    static const char *const sql[] = WH_FREIGHT_GET_SQL("shippers", SHIPPER_COLS);
    return one(c, a, sql[lock ? 1 : 0], WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)),
               out, e);
}

wh_err wh_shipper_update(wh_conn *c, wh_arena *a, const wh_shipper *s, int64_t now_ms,
                         wh_shipper *out, wh_error *e)
{
    return write_row(c, a,
                     "UPDATE shippers SET name = $2, code = $3, contact_name = $4, email = $5,"
                     " phone = $6, active = $7, updated_at = $8 WHERE id = $1"
                     " RETURNING " SHIPPER_COLS,
                     s->id, s, now_ms, out, e);
}

void wh_shipper_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " SHIPPER_COLS " FROM shippers");
    WH_SQLB_SCOPE_VENTURE(b, p, "shippers.venture_id", venture_id);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_shipper_row_json, wh_shipper, shipper_row, wh_shipper_json)

wh_err wh_shipper_in_venture(wh_conn *c, wh_arena *a, int64_t id, int64_t venture_id, bool *yes,
                             wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT 1 FROM shippers WHERE id = $1 AND venture_id = $2",
                            WH_ARGS(WH_PI(id), WH_PI(venture_id)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) == 1;
    return rc;
}

json_t *wh_shipper_json(const wh_shipper *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "venture_id", json_integer(s->venture_id));
    json_object_set_new(o, "name", wh_json_str_or_null(s->name));
    json_object_set_new(o, "code", wh_json_str_or_null(s->code));
    json_object_set_new(o, "contact_name", wh_json_str_or_null(s->contact_name));
    json_object_set_new(o, "email", wh_json_str_or_null(s->email));
    json_object_set_new(o, "phone", wh_json_str_or_null(s->phone));
    json_object_set_new(o, "active", json_boolean(s->active));
    return o;
}
