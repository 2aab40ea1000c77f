/* SQL for loads. Every read takes the caller's scope (WH_SCOPE_SQL on venture_id), so a load
 * outside it is a missing load. created_day (the business day of created_at) is written once at
 * insert and backs the from/to filters; margins are derived when rendering, never stored.
 * Invariant: every load has a load_status_changes row per status it entered, the first (from
 * NULL to OPEN) written by the insert itself, the others by the caller of a move. */
#include "freight/freight.h"
#include "core/json.h"
#include "freight/freight_int.h"

/* The one column list of loads, for SELECT and RETURNING (load_row reads it). */
#define LOAD_COLS                                                                                  \
    "id, venture_id, office_id, reference, shipper_id, carrier_id, created_by, pickup_city,"       \
    " pickup_state, pickup_date, drop_city, drop_state, drop_date, equipment, weight_lbs, miles,"  \
    " bill_cents, cost_cents, status, billing_date, lost_reason, created_at, updated_at,"          \
    " dispatcher_id, lost_reason_code"

static void load_row(const wh_rows *r, size_t i, wh_load *l)
{
    WH_ROWS_READ(r, i, WH_CELL(&l->id), WH_CELL(&l->venture_id), WH_CELL(&l->office_id),
                 WH_CELL(&l->reference), WH_CELL(&l->shipper_id), WH_CELL(&l->carrier_id),
                 WH_CELL(&l->created_by), WH_CELL(&l->pickup_city), WH_CELL(&l->pickup_state),
                 WH_CELL(&l->pickup_date), WH_CELL(&l->drop_city), WH_CELL(&l->drop_state),
                 WH_CELL(&l->drop_date), WH_CELL(&l->equipment),
                 WH_CELL_OPT(&l->weight_lbs, &l->has_weight_lbs),
                 WH_CELL_OPT(&l->miles, &l->has_miles),
                 WH_CELL_OPT(&l->bill_cents, &l->has_bill_cents),
                 WH_CELL_OPT(&l->cost_cents, &l->has_cost_cents));
    /* the static name, so callers may compare pointers or strings alike */
    l->status = wh_load_status_find(wh_rows_text(r, i, 18));
    l->billing_date = wh_rows_text(r, i, 19);
    l->lost_reason = wh_rows_text(r, i, 20);
    l->created_at = wh_rows_int(r, i, 21);
    l->updated_at = wh_rows_int(r, i, 22);
    l->dispatcher_id = wh_rows_int(r, i, 23); /* 0 for NULL */
    l->lost_reason_code = wh_rows_text(r, i, 24);
}

/* one(c, a, sql, params, n, out, e): the load sql reads or writes; 404 without one. */
WH_FREIGHT_ONE(one, wh_load, load_row, "No such load.", NULL)

static wh_param opt_id(int64_t id)
{
    return id ? WH_PI(id) : WH_PN;
}

static wh_param opt_int(bool has, int64_t v)
{
    return has ? WH_PI(v) : WH_PN;
}

wh_err wh_load_create(wh_conn *c, wh_arena *a, const wh_load *l, int64_t now_ms, const char *day,
                      wh_load *out, wh_error *e)
{
    wh_err rc =
        one(c, a,
            "INSERT INTO loads (venture_id, office_id, reference, shipper_id, created_by,"
            " pickup_city, pickup_state, pickup_date, drop_city, drop_state, drop_date, equipment,"
            " weight_lbs, miles, bill_cents, cost_cents, status, created_day, created_at,"
            " updated_at, dispatcher_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
            " $12, $13, $14, $15, $16, 'OPEN', $17, $18, $18, $19) RETURNING " LOAD_COLS,
            WH_ARGS(WH_PI(l->venture_id), opt_id(l->office_id), WH_PT(l->reference),
                    opt_id(l->shipper_id), WH_PI(l->created_by), WH_PT(l->pickup_city),
                    WH_PT(l->pickup_state), WH_PT(l->pickup_date), WH_PT(l->drop_city),
                    WH_PT(l->drop_state), WH_PT(l->drop_date), WH_PT(l->equipment),
                    opt_int(l->has_weight_lbs, l->weight_lbs), opt_int(l->has_miles, l->miles),
                    opt_int(l->has_bill_cents, l->bill_cents),
                    opt_int(l->has_cost_cents, l->cost_cents), WH_PT(day), WH_PI(now_ms),
                    opt_id(l->dispatcher_id)),
            out, e);
    return rc == WH_OK ? wh_load_status_record(c, a, out, NULL, now_ms, day, e) : rc;
}

wh_err wh_load_status_record(wh_conn *c, wh_arena *a, const wh_load *l, const char *from,
                             int64_t now_ms, const char *day, wh_error *e)
{
    return wh_db_query(c, a,
                       "INSERT INTO load_status_changes (load_id, venture_id, from_status,"
                       " to_status, at, day) VALUES ($1, $2, $3, $4, $5, $6)",
                       WH_ARGS(WH_PI(l->id), WH_PI(l->venture_id), WH_PT(from), WH_PT(l->status),
                               WH_PI(now_ms), WH_PT(day)),
                       NULL, e);
}

wh_err wh_load_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, bool lock,
                   wh_load *out, wh_error *e)
{
    static const char *const sql[] = WH_FREIGHT_GET_SQL("loads", LOAD_COLS);
    return one(c, a, sql[lock ? 1 : 0], WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)),
               out, e);
}

wh_err wh_load_update(wh_conn *c, wh_arena *a, const wh_load *l, int64_t now_ms, wh_load *out,
                      wh_error *e)
{
    return one(
        c, a,
        "UPDATE loads SET office_id = $2, reference = $3, shipper_id = $4, pickup_city = $5,"
        " pickup_state = $6, pickup_date = $7, drop_city = $8, drop_state = $9, drop_date = $10,"
        " equipment = $11, weight_lbs = $12, miles = $13, bill_cents = $14, cost_cents = $15,"
        " status = $16, carrier_id = $17, billing_date = $18, lost_reason = $19,"
        " updated_at = $20, dispatcher_id = $21, lost_reason_code = $22"
        " WHERE id = $1 RETURNING " LOAD_COLS,
        WH_ARGS(WH_PI(l->id), opt_id(l->office_id), WH_PT(l->reference), opt_id(l->shipper_id),
                WH_PT(l->pickup_city), WH_PT(l->pickup_state), WH_PT(l->pickup_date),
                WH_PT(l->drop_city), WH_PT(l->drop_state), WH_PT(l->drop_date), WH_PT(l->equipment),
                opt_int(l->has_weight_lbs, l->weight_lbs), opt_int(l->has_miles, l->miles),
                opt_int(l->has_bill_cents, l->bill_cents),
                opt_int(l->has_cost_cents, l->cost_cents), WH_PT(l->status), opt_id(l->carrier_id),
                WH_PT(l->billing_date), WH_PT(l->lost_reason), WH_PI(now_ms),
                opt_id(l->dispatcher_id), WH_PT(l->lost_reason_code)),
        out, e);
}

void wh_load_list_sql(const wh_principal *p, const wh_load_filter *f, const wh_keyset *ks,
                      wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " LOAD_COLS " FROM loads");
    WH_SQLB_SCOPE_VENTURE(b, p, "loads.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "office_id = ?", f->office_id);
    wh_sqlb_and_text(b, "status = ?", f->status);
    wh_sqlb_and_id(b, "shipper_id = ?", f->shipper_id);
    wh_sqlb_and_id(b, "carrier_id = ?", f->carrier_id);
    wh_sqlb_and_id(b, "created_by = ?", f->created_by);
    wh_sqlb_and_id(b, "dispatcher_id = ?", f->dispatcher_id);
    wh_sqlb_and_text(b, "created_day >= ?", f->from);
    wh_sqlb_and_text(b, "created_day <= ?", f->to);
    wh_sqlb_and_text(b, "lower(COALESCE(reference, '')) LIKE ? ESCAPE '\\'", f->reference_like);
    wh_sqlb_page(b, "created_at", "id", true, ks);
}

WH_ROW_JSON(wh_load_row_json, wh_load, load_row, wh_load_json)

/* The one renderer of a load: its text straight into b (list pages write it so, no JSON
 * objects built); wh_load_json parses that text where an object is needed. */
wh_err wh_load_text(const wh_load *l, wh_buf *b)
{
    wh_load_margin m = wh_load_margin_of(l);
    wh_jw w;
    wh_jw_begin(&w, b);
    wh_jw_int(&w, "id", l->id);
    wh_jw_int(&w, "venture_id", l->venture_id);
    wh_jw_id(&w, "office_id", l->office_id);
    wh_jw_str(&w, "reference", l->reference);
    wh_jw_id(&w, "shipper_id", l->shipper_id);
    wh_jw_id(&w, "carrier_id", l->carrier_id);
    wh_jw_int(&w, "created_by", l->created_by);
    wh_jw_id(&w, "dispatcher_id", l->dispatcher_id);
    wh_jw_str(&w, "pickup_city", l->pickup_city);
    wh_jw_str(&w, "pickup_state", l->pickup_state);
    wh_jw_str(&w, "pickup_date", l->pickup_date);
    wh_jw_str(&w, "drop_city", l->drop_city);
    wh_jw_str(&w, "drop_state", l->drop_state);
    wh_jw_str(&w, "drop_date", l->drop_date);
    wh_jw_str(&w, "equipment", l->equipment);
    wh_jw_int_or_null(&w, "weight_lbs", l->has_weight_lbs, l->weight_lbs);
    wh_jw_int_or_null(&w, "miles", l->has_miles, l->miles);
    wh_jw_int_or_null(&w, "bill_cents", l->has_bill_cents, l->bill_cents);
    wh_jw_int_or_null(&w, "cost_cents", l->has_cost_cents, l->cost_cents);
    wh_jw_int(&w, "margin_cents", m.margin_cents);
    wh_jw_int_or_null(&w, "margin_bp", m.has_bp, m.margin_bp);
    wh_jw_str(&w, "status", l->status);
    wh_jw_str(&w, "billing_date", l->billing_date);
    wh_jw_str(&w, "lost_reason", l->lost_reason);
    wh_jw_str(&w, "lost_reason_code", l->lost_reason_code);
    wh_jw_time(&w, "created_at", l->created_at);
    wh_jw_time(&w, "updated_at", l->updated_at);
    return wh_jw_end(&w);
}

WH_JW_OBJECT(wh_load_json, wh_load, wh_load_text)
WH_ROW_TEXT(wh_load_row_text, wh_load, load_row, wh_load_text)

void wh_load_history_sql(int64_t load_id, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT id, from_status, to_status, at, day FROM load_status_changes");
    wh_sqlb_and(b, "load_id = ?", WH_PI(load_id));
    wh_sqlb_page(b, NULL, "id", false, ks);
}

json_t *wh_load_change_row_json(const wh_rows *rows, size_t i)
{
    return json_pack("{s:o, s:s, s:o, s:s}", "from_status",
                     wh_json_str_or_null(wh_rows_text(rows, i, 1)), "to_status",
                     wh_rows_text(rows, i, 2), "at", wh_json_time(wh_rows_int(rows, i, 3)), "day",
                     wh_rows_text(rows, i, 4));
}
