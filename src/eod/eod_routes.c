/* End-of-day report routes. PUT upserts the caller's own report for a venture in scope (a
 * venture outside it is 404, like a missing one) and a day in the filing window: 201 when it
 * created the report, 200 when it replaced one. The change, its audit entry and its domain
 * events (EOD_REPORT_SUBMITTED and, on the week's 5th report, PERFECT_WEEK_EOD; only for a new
 * report) commit together. GET lists reports in scope: one's own always, other users' only for
 * the team_eod readers (wh_eod_reads_team). */
#include "eod/eod.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "http/http.h"

#include <string.h>

static const char *const reports_fields[] = {
    "id",       "user_id",       "venture_id",   "date",       "summary",    "accomplishments",
    "blockers", "tomorrow_plan", "hours_worked", "created_at", "updated_at", NULL};
static const wh_list reports = {"eod-reports", WH_KEY_TEXT, 3, 0, wh_eod_row_json, reports_fields};

/* An optional text field: absent or null gives NULL. */
static const char *text_of(wh_jin *j, const char *key)
{
    return wh_jin_str(j, key, false, 0, WH_EOD_TEXT_CHARS);
}

static void read_hours(wh_jin *j, wh_eod_input *in)
{
    json_t *v = json_object_get(j->obj, "hours_worked");
    if (!v || json_is_null(v))
        return;
    in->has_hours = wh_eod_hours_parse(v, &in->hours_hundredths);
    if (!in->has_hours) {
        j->bad = true;
        (void)wh_error_field(j->e, "hours_worked", "must be a number in 0..24");
    }
}

/* The date of the path against the filing window; reports a field error on "date". */
static void check_date(wh_req *r, wh_jin *j, const char *date)
{
    char today[11];
    wh_clock_day_of(r->now_ms, today, sizeof today);
    const char *msg = NULL;
    switch (wh_eod_day_check(date, today)) {
    case WH_EOD_DAY_OK:
        return;
    case WH_EOD_DAY_INVALID:
        msg = "must be a day YYYY-MM-DD";
        break;
    case WH_EOD_DAY_FUTURE:
        msg = "may not be in the future";
        break;
    case WH_EOD_DAY_TOO_OLD:
        msg = "may be at most 14 days back";
        break;
    }
    j->bad = true;
    (void)wh_error_field(j->e, "date", "%s", msg);
}

/* The body and the path's date, every bad field reported in one answer. */
static wh_err read_report(wh_req *r, const char *date, wh_eod_input *in, wh_error *e)
{
    static const char *const fields[] = {"summary",       "accomplishments", "blockers",
                                         "tomorrow_plan", "hours_worked",    NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    check_date(r, &j, date);
    wh_jin_allow(&j, fields);
    in->summary = wh_jin_str(&j, "summary", true, 1, WH_EOD_TEXT_CHARS);
    if (in->summary && in->summary[strspn(in->summary, " \t\r\n")] == '\0') {
        j.bad = true;
        (void)wh_error_field(e, "summary", "must not be blank");
    }
    in->accomplishments = text_of(&j, "accomplishments");
    in->blockers = text_of(&j, "blockers");
    in->tomorrow_plan = text_of(&j, "tomorrow_plan");
    read_hours(&j, in);
    return wh_jin_done(&j);
}

static wh_err publish(wh_req *r, wh_conn *c, const char *type, const wh_eod_report *rep,
                      const char *key, wh_error *e)
{
    char today[11];
    wh_clock_day_of(r->now_ms, today, sizeof today);
    wh_event ev = {.type = type,
                   .venture_id = rep->venture_id,
                   .office_id = 0,
                   .user_id = rep->user_id,
                   .key = key,
                   .day = today,
                   .at_ms = r->now_ms};
    return wh_events_publish(r->app->events, c, &r->arena, &ev, e);
}

/* The events of a new report: always EOD_REPORT_SUBMITTED; PERFECT_WEEK_EOD when it is the
 * week's WH_EOD_PERFECT_WEEK_REPORTS-th report (exactly, so a week awards once). */
static wh_err publish_new(wh_req *r, wh_conn *c, const wh_eod_report *rep, wh_error *e)
{
    char monday[11], sunday[11];
    int64_t count = 0;
    wh_err rc = publish(r, c, WH_EVENT_EOD_REPORT_SUBMITTED, rep,
                        wh_arena_printf(&r->arena, "eod:%lld", (long long)rep->id), e);
    if (rc != WH_OK)
        return rc;
    if (!wh_eod_week_of(rep->date, monday, sunday))
        return wh_fail(e, WH_ERR_INTERNAL, "The report's date is not a day.");
    rc = wh_eod_count_between(c, &r->arena, rep->user_id, rep->venture_id, monday, sunday, &count,
                              e);
    if (rc != WH_OK || count != WH_EOD_PERFECT_WEEK_REPORTS)
        return rc;
    return publish(r, c, WH_EVENT_PERFECT_WEEK_EOD, rep,
                   wh_arena_printf(&r->arena, "perfect_week:%lld:%lld:%s", (long long)rep->user_id,
                                   (long long)rep->venture_id, monday),
                   e);
}

/* Inside the transaction: inserts or replaces the caller's report, with its events and its audit
 * entry; answers 201 with a new report, 200 with a replaced one. */
static wh_err upsert(wh_req *r, wh_conn *c, int64_t venture_id, const char *date,
                     const wh_eod_input *in, wh_error *e)
{
    wh_eod_report before, out;
    bool found = false;
    wh_err rc = wh_eod_lock_user(c, r->user.id, e);
    if (rc == WH_OK)
        rc = wh_eod_find(c, &r->arena, r->user.id, venture_id, date, &before, &found, e);
    if (rc != WH_OK)
        return rc;
    if (found)
        rc = wh_eod_update(c, &r->arena, before.id, in, r->now_ms, &out, e);
    else
        rc = wh_eod_insert(c, &r->arena, r->user.id, venture_id, date, in, r->now_ms, &out, e);
    if (rc == WH_OK && !found)
        rc = publish_new(r, c, &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, found ? 200 : 201,
                           &(wh_change){found ? "eod_report.update" : "eod_report.create",
                                        "eod_report", out.id, out.venture_id,
                                        found ? wh_eod_json(&before) : NULL, wh_eod_json(&out)},
                           e);
}

static wh_err put(wh_req *r, wh_error *e)
{
    int64_t venture_id;
    wh_eod_input in = {0};
    wh_conn *c = NULL;
    const char *date = r->params[1];
    wh_err rc = wh_req_path_venture(r, 0, &c, &venture_id, e);
    if (rc == WH_OK)
        rc = read_report(r, date, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    return rc == WH_OK ? upsert(r, c, venture_id, date, &in, e) : rc;
}

/* The filters of the list, and who may ask for which user: one's own reports always, another
 * user's only for team readers (403 otherwise); a non-reader without user_id gets their own. */
static wh_err read_filter(wh_req *r, wh_eod_filter *f, wh_error *e)
{
    bool has_venture = false, has_user = false, bad = false;
    wh_err rc = wh_req_query_id(r, "venture_id", &f->venture_id, &has_venture, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "user_id", &f->user_id, &has_user, e);
    if (rc != WH_OK)
        return rc;
    /* both days are read, so one answer reports every bad one */
    bad = wh_req_query_day(r, "from", &f->from, e) != WH_OK;
    bad = wh_req_query_day(r, "to", &f->to, e) != WH_OK || bad;
    if (bad)
        return WH_ERR_INVALID;
    if (!has_venture)
        f->venture_id = 0;
    if (!wh_eod_reads_team(r->user.role)) {
        if (has_user && f->user_id != r->user.id)
            return wh_fail(e, WH_ERR_FORBIDDEN, "You may read only your own reports.");
        f->user_id = r->user.id;
    } else if (!has_user) {
        f->user_id = 0;
    }
    return WH_OK;
}

static wh_err list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_eod_filter f = {0};
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &reports, &pg, e);
    if (rc == WH_OK)
        rc = read_filter(r, &f, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && f.venture_id)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_eod_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static const wh_route routes[] = {
    {"PUT", "/api/v1/eod-reports/{venture_id}/{date}", put, WH_PERM_EOD_WRITE, WH_RATE_WRITE, 0,
     NULL},
    {"GET", "/api/v1/eod-reports", list, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV,
     &wh_eod_rule_own_reports},
};

const wh_route *wh_eod_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
