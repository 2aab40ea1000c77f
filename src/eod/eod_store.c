/* SQL for end-of-day reports. (user_id, venture_id, report_date) is unique; hours_worked is
 * kept as integer hundredths of an hour (hours_hundredths, NULL when not given). Every list
 * filters by the caller's scope in WHERE, whatever else it is asked for. */
#include "eod/eod.h"
#include "core/json.h"

/* The one column list of the table, unqualified: the same for SELECT and RETURNING (which may not
 * name an alias on SQLite), so eod_reports is never aliased. */
#define EOD_COLS                                                                                   \
    "id, user_id, venture_id, report_date, summary, accomplishments, blockers, tomorrow_plan,"     \
    " hours_hundredths, created_at, updated_at"

static void eod_row(const wh_rows *r, size_t i, wh_eod_report *out)
{
    WH_ROWS_READ(r, i, WH_CELL(&out->id), WH_CELL(&out->user_id), WH_CELL(&out->venture_id),
                 WH_CELL(&out->date), WH_CELL(&out->summary), WH_CELL(&out->accomplishments),
                 WH_CELL(&out->blockers), WH_CELL(&out->tomorrow_plan),
                 WH_CELL_OPT(&out->hours_hundredths, &out->has_hours), WH_CELL(&out->created_at),
                 WH_CELL(&out->updated_at));
}

static wh_err one_report(wh_err rc, const wh_rows *r, wh_eod_report *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such report.", "This report already exists.", e);
    if (rc == WH_OK)
        eod_row(r, 0, out);
    return rc;
}

static wh_param hours_param(const wh_eod_input *in)
{
    return in->has_hours ? WH_PI(in->hours_hundredths) : WH_PN;
}

wh_err wh_eod_lock_user(wh_conn *c, int64_t user_id, wh_error *e)
{
    return wh_db_lock(c, WH_EOD_LOCK_BASE + user_id, e);
}

wh_err wh_eod_find(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id, const char *date,
                   wh_eod_report *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " EOD_COLS " FROM eod_reports WHERE user_id = $1"
                            " AND venture_id = $2 AND report_date = $3",
                            WH_ARGS(WH_PI(user_id), WH_PI(venture_id), WH_PT(date)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        eod_row(r, 0, out);
    return rc;
}

wh_err wh_eod_insert(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id, const char *date,
                     const wh_eod_input *in, int64_t now_ms, wh_eod_report *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO eod_reports (user_id, venture_id, report_date, summary, accomplishments,"
        " blockers, tomorrow_plan, hours_hundredths, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING " EOD_COLS,
        WH_ARGS(WH_PI(user_id), WH_PI(venture_id), WH_PT(date), WH_PT(in->summary),
                WH_PT(in->accomplishments), WH_PT(in->blockers), WH_PT(in->tomorrow_plan),
                hours_param(in), WH_PI(now_ms)),
        &r, e);
    return one_report(rc, r, out, e);
}

wh_err wh_eod_update(wh_conn *c, wh_arena *a, int64_t id, const wh_eod_input *in, int64_t now_ms,
                     wh_eod_report *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE eod_reports SET summary = $2, accomplishments = $3,"
                            " blockers = $4, tomorrow_plan = $5, hours_hundredths = $6,"
                            " updated_at = $7 WHERE id = $1 RETURNING " EOD_COLS,
                            WH_ARGS(WH_PI(id), WH_PT(in->summary), WH_PT(in->accomplishments),
                                    WH_PT(in->blockers), WH_PT(in->tomorrow_plan), hours_param(in),
                                    WH_PI(now_ms)),
                            &r, e);
    return one_report(rc, r, out, e);
}

wh_err wh_eod_count_between(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id,
                            const char *monday, const char *sunday, int64_t *count, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT COUNT(*) FROM eod_reports WHERE user_id = $1"
        " AND venture_id = $2 AND report_date >= $3 AND report_date <= $4",
        WH_ARGS(WH_PI(user_id), WH_PI(venture_id), WH_PT(monday), WH_PT(sunday)), &r, e);
    *count = rc == WH_OK ? wh_rows_int(r, 0, 0) : 0;
    return rc;
}

void wh_eod_list_sql(const wh_principal *p, const wh_eod_filter *f, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " EOD_COLS " FROM eod_reports");
    WH_SQLB_SCOPE_VENTURE(b, p, "eod_reports.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "user_id = ?", f->user_id);
    wh_sqlb_and_text(b, "report_date >= ?", f->from);
    wh_sqlb_and_text(b, "report_date <= ?", f->to);
    wh_sqlb_page(b, "report_date", "id", true, ks);
}

WH_ROW_JSON(wh_eod_row_json, wh_eod_report, eod_row, wh_eod_json)

json_t *wh_eod_json(const wh_eod_report *r)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)r->id, "user_id", (json_int_t)r->user_id, "venture_id",
                     (json_int_t)r->venture_id, "date", r->date, "summary", r->summary,
                     "accomplishments", wh_json_str_or_null(r->accomplishments), "blockers",
                     wh_json_str_or_null(r->blockers), "tomorrow_plan",
                     wh_json_str_or_null(r->tomorrow_plan), "hours_worked",
                     wh_eod_hours_json(r->has_hours, r->hours_hundredths), "created_at",
                     wh_json_time(r->created_at), "updated_at", wh_json_time(r->updated_at));
}
