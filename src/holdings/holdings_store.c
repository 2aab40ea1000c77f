/* SQL for holdings: assets, bank accounts, their dated values (valuations and balance
 * snapshots, one code path over two tables) and the figures of a venture on a day. Every read
 * takes the caller's scope into its WHERE clause. Valuations and snapshots are never dated after
 * today (the routes refuse it), so "the latest one dated today or earlier" is the latest one. */
#include "holdings/holdings.h"
#include "core/json.h"

#include <stdio.h>
#include <string.h>

const char *const wh_hold_asset_kinds[] = {"PROPERTY",   "VEHICLE", "EQUIPMENT",
                                           "INVESTMENT", "OTHER",   NULL};

// clang-format off
#define ASSET_COLS                                                                                 \
    "id, venture_id, kind, name, acquired_on, cost_cents, disposed_on, notes, created_at,"         \
    " updated_at, (SELECT v.value_cents FROM holding_valuations v WHERE v.asset_id ="              \
    " holding_assets.id ORDER BY v.day DESC LIMIT 1), (SELECT MAX(v.day) FROM"                     \
    " holding_valuations v WHERE v.asset_id = holding_assets.id)"
#define ACCOUNT_COLS                                                                               \
    "id, venture_id, name, institution, last4, active, created_at, updated_at,"                    \
    " (SELECT b.balance_cents FROM bank_balances b WHERE b.bank_account_id = bank_accounts.id"     \
    " ORDER BY b.day DESC LIMIT 1), (SELECT MAX(b.day) FROM bank_balances b WHERE"                 \
    " b.bank_account_id = bank_accounts.id)"
// clang-format on

/* ------------------------------------------------------------------ rows */

static void asset_row(const wh_rows *r, size_t i, wh_hold_asset *as)
{
    as->id = wh_rows_int(r, i, 0);
    as->venture_id = wh_rows_int(r, i, 1);
    as->kind = wh_rows_text(r, i, 2);
    as->name = wh_rows_text(r, i, 3);
    as->acquired_on = wh_rows_text(r, i, 4);
    as->cost_cents = wh_rows_int(r, i, 5);
    as->disposed_on = wh_rows_text(r, i, 6);
    as->notes = wh_rows_text(r, i, 7);
    as->created_at = wh_rows_int(r, i, 8);
    as->updated_at = wh_rows_int(r, i, 9);
    as->valued_on = wh_rows_text(r, i, 11);
    as->current_value_cents = as->valued_on ? wh_rows_int(r, i, 10) : as->cost_cents;
}

static void account_row(const wh_rows *r, size_t i, wh_hold_account *ac)
{
    ac->id = wh_rows_int(r, i, 0);
    ac->venture_id = wh_rows_int(r, i, 1);
    ac->name = wh_rows_text(r, i, 2);
    ac->institution = wh_rows_text(r, i, 3);
    ac->last4 = wh_rows_text(r, i, 4);
    ac->active = wh_rows_bool(r, i, 5);
    ac->created_at = wh_rows_int(r, i, 6);
    ac->updated_at = wh_rows_int(r, i, 7);
    ac->balance_on = wh_rows_text(r, i, 9);
    ac->has_balance = ac->balance_on != NULL;
    ac->balance_cents = wh_rows_int(r, i, 8);
}

json_t *wh_hold_asset_json(const wh_hold_asset *as)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:I, s:o, s:o, s:o}", "id",
                     (json_int_t)as->id, "venture_id", (json_int_t)as->venture_id, "kind", as->kind,
                     "name", as->name, "acquired_on", as->acquired_on, "cost_cents",
                     (json_int_t)as->cost_cents, "disposed_on",
                     wh_json_str_or_null(as->disposed_on), "notes", wh_json_str_or_null(as->notes),
                     "current_value_cents", (json_int_t)as->current_value_cents, "valued_on",
                     wh_json_str_or_null(as->valued_on), "created_at", wh_json_time(as->created_at),
                     "updated_at", wh_json_time(as->updated_at));
}

json_t *wh_hold_account_json(const wh_hold_account *ac)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o}", "id", (json_int_t)ac->id,
                     "venture_id", (json_int_t)ac->venture_id, "name", ac->name, "institution",
                     ac->institution, "last4", ac->last4, "active", ac->active, "balance_cents",
                     ac->has_balance ? json_integer((json_int_t)ac->balance_cents) : json_null(),
                     "balance_on", wh_json_str_or_null(ac->balance_on), "created_at",
                     wh_json_time(ac->created_at), "updated_at", wh_json_time(ac->updated_at));
}

WH_ROW_JSON(wh_hold_asset_row_json, wh_hold_asset, asset_row, wh_hold_asset_json)
WH_ROW_JSON(wh_hold_account_row_json, wh_hold_account, account_row, wh_hold_account_json)

/* --------------------------------------------------------------- assets */

/* One row of table by id in p's scope (all ventures when p is NULL), read with cols. */
static wh_err read_one(wh_conn *c, wh_arena *a, const char *cols, const char *table,
                       const wh_principal *p, int64_t id, const char *not_found, wh_rows **r,
                       wh_error *e)
{
    static const wh_principal all = {.all_ventures = true};
    if (!p)
        p = &all;
    const char *col = wh_arena_printf(a, "%s.venture_id", table);
    const char *sql = wh_arena_printf(
        a, "SELECT %s FROM %s WHERE id = $3 AND " WH_SCOPE_SQL("%s", "$1", "$2"), cols, table, col);
    wh_err rc =
        wh_db_query(c, a, sql, WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), r, e);
    return wh_rows_one(rc, *r, not_found, NULL, e);
}

wh_err wh_hold_asset_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                         wh_hold_asset *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = read_one(c, a, ASSET_COLS, "holding_assets", p, id, "No such asset.", &r, e);
    if (rc == WH_OK)
        asset_row(r, 0, out);
    return rc;
}

/* The id a one-row write returned, then the asset read back (with its derived value). */
static wh_err asset_written(wh_conn *c, wh_arena *a, wh_err rc, const wh_rows *r,
                            wh_hold_asset *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such asset.", NULL, e);
    return rc == WH_OK ? wh_hold_asset_get(c, a, NULL, wh_rows_int(r, 0, 0), out, e) : rc;
}

wh_err wh_hold_asset_create(wh_conn *c, wh_arena *a, const wh_hold_asset_input *in, int64_t now_ms,
                            wh_hold_asset *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO holding_assets (venture_id, kind, name, acquired_on, cost_cents,"
        " disposed_on, notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''),"
        " NULLIF($7, ''), $8, $8) RETURNING id",
        WH_ARGS(WH_PI(in->venture_id), WH_PT(in->kind), WH_PT(in->name), WH_PT(in->acquired_on),
                WH_PI(in->cost_cents), WH_PT(in->disposed_on ? in->disposed_on : ""),
                WH_PT(in->notes ? in->notes : ""), WH_PI(now_ms)),
        &r, e);
    return asset_written(c, a, rc, r, out, e);
}

wh_err wh_hold_asset_update(wh_conn *c, wh_arena *a, const wh_hold_asset *n, int64_t now_ms,
                            wh_hold_asset *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE holding_assets SET kind = $2, name = $3, acquired_on = $4, cost_cents = $5,"
        " disposed_on = NULLIF($6, ''), notes = NULLIF($7, ''), updated_at = $8 WHERE id = $1"
        " RETURNING id",
        WH_ARGS(WH_PI(n->id), WH_PT(n->kind), WH_PT(n->name), WH_PT(n->acquired_on),
                WH_PI(n->cost_cents), WH_PT(n->disposed_on ? n->disposed_on : ""),
                WH_PT(n->notes ? n->notes : ""), WH_PI(now_ms)),
        &r, e);
    return asset_written(c, a, rc, r, out, e);
}

void wh_hold_asset_list_sql(const wh_principal *p, int64_t venture_id, const char *kind,
                            bool has_held, bool held, const char *today, const wh_keyset *ks,
                            wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " ASSET_COLS " FROM holding_assets");
    WH_SQLB_SCOPE_VENTURE(b, p, "holding_assets.venture_id", venture_id);
    wh_sqlb_and_text(b, "kind = ?", kind);
    if (has_held && held)
        wh_sqlb_and(b, "disposed_on IS NULL OR disposed_on > ?", WH_PT(today));
    else if (has_held)
        wh_sqlb_and(b, "disposed_on <= ?", WH_PT(today));
    wh_sqlb_page(b, "name", "id", false, ks);
}

/* -------------------------------------------------------------- accounts */

wh_err wh_hold_account_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                           wh_hold_account *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        read_one(c, a, ACCOUNT_COLS, "bank_accounts", p, id, "No such bank account.", &r, e);
    if (rc == WH_OK)
        account_row(r, 0, out);
    return rc;
}

static wh_err account_written(wh_conn *c, wh_arena *a, wh_err rc, const wh_rows *r,
                              wh_hold_account *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such bank account.", NULL, e);
    return rc == WH_OK ? wh_hold_account_get(c, a, NULL, wh_rows_int(r, 0, 0), out, e) : rc;
}

wh_err wh_hold_account_create(wh_conn *c, wh_arena *a, const wh_hold_account_input *in,
                              int64_t now_ms, wh_hold_account *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO bank_accounts (venture_id, name, institution, last4,"
                            " active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
                            " RETURNING id",
                            WH_ARGS(WH_PI(in->venture_id), WH_PT(in->name), WH_PT(in->institution),
                                    WH_PT(in->last4), WH_PB(in->has_active ? in->active : true),
                                    WH_PI(now_ms)),
                            &r, e);
    return account_written(c, a, rc, r, out, e);
}

wh_err wh_hold_account_update(wh_conn *c, wh_arena *a, int64_t id, const wh_hold_account_input *in,
                              int64_t now_ms, wh_hold_account *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE bank_accounts SET name = COALESCE(NULLIF($2, ''), name),"
        " institution = COALESCE(NULLIF($3, ''), institution), last4 = COALESCE(NULLIF($4, ''),"
        " last4), active = CASE WHEN $5 THEN $6 ELSE active END, updated_at = $7 WHERE id = $1"
        " RETURNING id",
        WH_ARGS(WH_PI(id), WH_PT(in->name ? in->name : ""),
                WH_PT(in->institution ? in->institution : ""), WH_PT(in->last4 ? in->last4 : ""),
                WH_PB(in->has_active), WH_PB(in->active), WH_PI(now_ms)),
        &r, e);
    return account_written(c, a, rc, r, out, e);
}

void wh_hold_account_list_sql(const wh_principal *p, int64_t venture_id, bool has_active,
                              bool active, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " ACCOUNT_COLS " FROM bank_accounts");
    WH_SQLB_SCOPE_VENTURE(b, p, "bank_accounts.venture_id", venture_id);
    wh_sqlb_and_flag(b, "active = ?", has_active, active);
    wh_sqlb_page(b, "name", "id", false, ks);
}

/* --------------------------------------------------------- dated values */

/* Each kind's table, parent column, value column and JSON keys. */
static const struct {
    const char *table, *parent, *value, *note, *parent_key, *value_key;
} dated[] = {
    [WH_HOLD_VALUATION] = {"holding_valuations", "asset_id", "value_cents", "note", "asset_id",
                           "value_cents"},
    [WH_HOLD_BALANCE] = {"bank_balances", "bank_account_id", "balance_cents", "NULL",
                         "bank_account_id", "balance_cents"},
};

/* The columns of a dated value: id, parent, venture, day, value, note, created_by, updated_at. */
static const char *dated_cols(wh_arena *a, wh_hold_dated_kind k)
{
    return wh_arena_printf(a, "id, %s, venture_id, day, %s, %s, created_by, updated_at",
                           dated[k].parent, dated[k].value, dated[k].note);
}

static void dated_row(const wh_rows *r, size_t i, wh_hold_dated_kind k, wh_hold_dated *d)
{
    d->kind = k;
    d->id = wh_rows_int(r, i, 0);
    d->parent_id = wh_rows_int(r, i, 1);
    d->venture_id = wh_rows_int(r, i, 2);
    d->date = wh_rows_text(r, i, 3);
    d->value_cents = wh_rows_int(r, i, 4);
    d->note = wh_rows_text(r, i, 5);
    d->created_by = wh_rows_int(r, i, 6);
    d->updated_at = wh_rows_int(r, i, 7);
}

json_t *wh_hold_dated_json(const wh_hold_dated *d)
{
    json_t *o = json_object();
    json_object_set_new(o, dated[d->kind].parent_key, json_integer((json_int_t)d->parent_id));
    json_object_set_new(o, "venture_id", json_integer((json_int_t)d->venture_id));
    json_object_set_new(o, "date", json_string(d->date));
    json_object_set_new(o, dated[d->kind].value_key, json_integer((json_int_t)d->value_cents));
    if (d->kind == WH_HOLD_VALUATION)
        json_object_set_new(o, "note", wh_json_str_or_null(d->note));
    json_object_set_new(o, "created_by",
                        d->created_by ? json_integer((json_int_t)d->created_by) : json_null());
    json_object_set_new(o, "updated_at", wh_json_time(d->updated_at));
    return o;
}

json_t *wh_hold_valuation_row_json(const wh_rows *rows, size_t i)
{
    wh_hold_dated d;
    dated_row(rows, i, WH_HOLD_VALUATION, &d);
    return wh_hold_dated_json(&d);
}

json_t *wh_hold_balance_row_json(const wh_rows *rows, size_t i)
{
    wh_hold_dated d;
    dated_row(rows, i, WH_HOLD_BALANCE, &d);
    return wh_hold_dated_json(&d);
}

wh_err wh_hold_dated_get(wh_conn *c, wh_arena *a, wh_hold_dated_kind k, int64_t parent_id,
                         const char *date, wh_hold_dated *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    const char *sql = wh_arena_printf(a, "SELECT %s FROM %s WHERE %s = $1 AND day = $2",
                                      dated_cols(a, k), dated[k].table, dated[k].parent);
    wh_err rc = wh_db_query(c, a, sql, WH_ARGS(WH_PI(parent_id), WH_PT(date)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        dated_row(r, 0, k, out);
    return rc;
}

wh_err wh_hold_dated_put(wh_conn *c, wh_arena *a, const wh_hold_dated *in, int64_t now_ms,
                         wh_hold_dated *out, wh_error *e)
{
    wh_hold_dated_kind k = in->kind;
    bool note = k == WH_HOLD_VALUATION;
    wh_rows *r = NULL;
    const char *sql = wh_arena_printf(
        a,
        "INSERT INTO %s (%s, venture_id, day, %s%s, created_by, updated_at) VALUES ($1, $2, $3,"
        " $4%s, NULLIF($5, 0), $6) ON CONFLICT (%s, day) DO UPDATE SET %s = excluded.%s%s,"
        " created_by = excluded.created_by, updated_at = excluded.updated_at RETURNING %s",
        dated[k].table, dated[k].parent, dated[k].value, note ? ", note" : "",
        note ? ", NULLIF($7, '')" : "", dated[k].parent, dated[k].value, dated[k].value,
        note ? ", note = excluded.note" : "", dated_cols(a, k));
    wh_param args[] = {WH_PI(in->parent_id),           WH_PI(in->venture_id), WH_PT(in->date),
                       WH_PI(in->value_cents),         WH_PI(in->created_by), WH_PI(now_ms),
                       WH_PT(in->note ? in->note : "")};
    wh_err rc = wh_db_query(c, a, sql, args, note ? 7 : 6, &r, e);
    rc = wh_rows_one(rc, r, "No such value.", NULL, e);
    if (rc == WH_OK)
        dated_row(r, 0, k, out);
    return rc;
}

wh_err wh_hold_dated_delete(wh_conn *c, wh_arena *a, wh_hold_dated_kind k, int64_t parent_id,
                            const char *date, wh_error *e)
{
    const char *sql = wh_arena_printf(a, "DELETE FROM %s WHERE %s = $1 AND day = $2",
                                      dated[k].table, dated[k].parent);
    return wh_db_query(c, a, sql, WH_ARGS(WH_PI(parent_id), WH_PT(date)), NULL, e);
}

void wh_hold_dated_list_sql(wh_hold_dated_kind k, int64_t parent_id, const char *from,
                            const char *to, const wh_keyset *ks, wh_sqlb *b)
{
    char head[256], cond[64];
    snprintf(head, sizeof head,
             "SELECT id, %s, venture_id, day, %s, %s, created_by, updated_at"
             " FROM %s",
             dated[k].parent, dated[k].value, dated[k].note, dated[k].table);
    snprintf(cond, sizeof cond, "%s = ?", dated[k].parent);
    wh_sqlb_init(b, head);
    wh_sqlb_and(b, cond, WH_PI(parent_id));
    wh_sqlb_and_text(b, "day >= ?", from);
    wh_sqlb_and_text(b, "day <= ?", to);
    wh_sqlb_page(b, "day", "id", true, ks);
}

/* --------------------------------------------------------------- figures */

// clang-format off
/* $1 venture, $2 day. */
static const char FIGURES[] =
    "SELECT (SELECT COALESCE(SUM(b.balance_cents), 0) FROM bank_accounts ba JOIN bank_balances b"
    " ON b.bank_account_id = ba.id WHERE ba.venture_id = $1 AND ba.active AND b.day = (SELECT"
    " MAX(x.day) FROM bank_balances x WHERE x.bank_account_id = ba.id AND x.day <= $2)),"
    " (SELECT COALESCE(SUM(COALESCE((SELECT v.value_cents FROM holding_valuations v WHERE"
    " v.asset_id = h.id AND v.day <= $2 ORDER BY v.day DESC LIMIT 1), h.cost_cents)), 0)"
    " FROM holding_assets h WHERE h.venture_id = $1 AND h.acquired_on <= $2 AND"
    " (h.disposed_on IS NULL OR h.disposed_on > $2)),"
    " (SELECT COUNT(*) FROM bank_accounts ba WHERE ba.venture_id = $1 AND ba.active),"
    " (SELECT COUNT(*) FROM holding_assets h WHERE h.venture_id = $1 AND h.acquired_on <= $2"
    " AND (h.disposed_on IS NULL OR h.disposed_on > $2))";
// clang-format on

wh_err wh_hold_figures_of(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                          wh_hold_figures *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, FIGURES, WH_ARGS(WH_PI(venture_id), WH_PT(day)), &r, e);
    memset(out, 0, sizeof *out);
    if (rc == WH_OK && wh_rows_count(r) == 1) {
        out->cash_cents = wh_rows_int(r, 0, 0);
        out->asset_value_cents = wh_rows_int(r, 0, 1);
        out->bank_accounts = wh_rows_int(r, 0, 2);
        out->assets = wh_rows_int(r, 0, 3);
    }
    return rc;
}

wh_err wh_hold_figures_json(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                            json_t **out, wh_error *e)
{
    wh_hold_figures f;
    wh_err rc = wh_hold_figures_of(c, a, venture_id, day, &f, e);
    *out = rc == WH_OK ? json_pack("{s:s, s:I, s:I, s:I, s:I}", "as_of", day, "cash_cents",
                                   (json_int_t)f.cash_cents, "asset_value_cents",
                                   (json_int_t)f.asset_value_cents, "bank_accounts",
                                   (json_int_t)f.bank_accounts, "assets", (json_int_t)f.assets)
                       : NULL;
    return rc;
}
