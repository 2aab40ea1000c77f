/* End-of-day reports (DOMAIN.md §5): one report per (user, venture, business day), upserted by
 * its author for today or up to WH_EOD_BACK_DAYS days back. A new report publishes
 * EOD_REPORT_SUBMITTED, and the 5th report of a Monday-Sunday week for one venture also
 * PERFECT_WEEK_EOD, inside the transaction of the upsert.
 *
 * eod_rules.c is pure (dates, hours, who reads whom); eod_store.c is SQL only, every read
 * filtered by the caller's scope; eod_routes.c is HTTP only. Everything is thread-safe. */
#ifndef WH_EOD_EOD_H
#define WH_EOD_EOD_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest summary, accomplishments, blockers and tomorrow plan, in characters. */
#define WH_EOD_TEXT_CHARS 10000
/* Oldest day a report may be filed for: today minus this many days. */
#define WH_EOD_BACK_DAYS 14
/* hours_worked is stored in hundredths of an hour: 0..2400. */
#define WH_EOD_HOURS_MAX_HUNDREDTHS 2400
/* Reports in one Monday-Sunday week (one user, one venture) that make a perfect week. */
#define WH_EOD_PERFECT_WEEK_REPORTS 5
/* Namespace of the transaction lock that serialises one user's upserts (key = base + user). */
#define WH_EOD_LOCK_BASE (INT64_C(0x454F44) << 40)

typedef struct {
    int64_t id, user_id, venture_id;
    const char *date; /* YYYY-MM-DD */
    const char *summary;
    const char *accomplishments, *blockers, *tomorrow_plan; /* NULL when not given */
    bool has_hours;
    int64_t hours_hundredths; /* hours_worked x 100, when has_hours */
    int64_t created_at, updated_at;
} wh_eod_report;

/* The writable fields of a PUT; a PUT replaces them all (an omitted optional field is null). */
typedef struct {
    const char *summary, *accomplishments, *blockers, *tomorrow_plan;
    bool has_hours;
    int64_t hours_hundredths;
} wh_eod_input;

/* Filters of GET /eod-reports; 0 / "" mean "any". */
typedef struct {
    int64_t venture_id, user_id;
    const char *from, *to; /* inclusive days, "" when absent */
} wh_eod_filter;

/* ---- rules (pure) ---- */
typedef enum {
    WH_EOD_DAY_OK,
    WH_EOD_DAY_INVALID, /* not a calendar day YYYY-MM-DD */
    WH_EOD_DAY_FUTURE,  /* after today */
    WH_EOD_DAY_TOO_OLD, /* before today - WH_EOD_BACK_DAYS */
} wh_eod_day;

/* Whether a report may be filed for date when the business day is today (both YYYY-MM-DD). */
wh_eod_day wh_eod_day_check(const char *date, const char *today);
/* The Monday and Sunday of date's week (11 bytes each); false when date is invalid. */
bool wh_eod_week_of(const char *date, char monday[11], char sunday[11]);
/* hours_worked from a JSON number in 0..24, rounded half up to hundredths; false otherwise. */
bool wh_eod_hours_parse(const json_t *v, int64_t *hundredths);
/* hours_worked as a JSON number (an integer when whole), or null. New reference. */
json_t *wh_eod_hours_json(bool has, int64_t hundredths);
/* May role read other users' reports (kpi.read and leadership, OFFICE_MANAGER or TEAM_LEAD:
 * the team_eod rule of DOMAIN.md §1)? Everyone reads their own. */
bool wh_eod_reads_team(wh_role role);
/* The route-table rule of GET /eod-reports (eod_rules.c): a role that does not read the team's
 * reports lists only its own. */
extern const wh_rule wh_eod_rule_own_reports;

/* ---- store (SQL; c must be inside a transaction for the writes) ---- */
/* Serialises upserts of one user until the transaction ends (a no-op on SQLite, whose
 * BEGIN IMMEDIATE already serialises writers). */
WH_MUST_USE wh_err wh_eod_lock_user(wh_conn *c, int64_t user_id, wh_error *e);
/* The report of (user, venture, date); *found false when there is none. */
WH_MUST_USE wh_err wh_eod_find(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id,
                               const char *date, wh_eod_report *out, bool *found, wh_error *e);
/* Inserts a report; 409 conflict when (user, venture, date) exists. */
WH_MUST_USE wh_err wh_eod_insert(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id,
                                 const char *date, const wh_eod_input *in, int64_t now_ms,
                                 wh_eod_report *out, wh_error *e);
/* Replaces the content of report id. */
WH_MUST_USE wh_err wh_eod_update(wh_conn *c, wh_arena *a, int64_t id, const wh_eod_input *in,
                                 int64_t now_ms, wh_eod_report *out, wh_error *e);
/* How many reports the user has for the venture dated within [monday, sunday]. */
WH_MUST_USE wh_err wh_eod_count_between(wh_conn *c, wh_arena *a, int64_t user_id,
                                        int64_t venture_id, const char *monday, const char *sunday,
                                        int64_t *count, wh_error *e);
/* The page ks (WH_KEY_TEXT: the date, column 3) of the reports in p's scope matching f, newest
 * first by (date, id); rows render with wh_eod_row_json. The caller decides which user_id p may
 * ask for. */
void wh_eod_list_sql(const wh_principal *p, const wh_eod_filter *f, const wh_keyset *ks,
                     wh_sqlb *b);
json_t *wh_eod_row_json(const wh_rows *rows, size_t i);
/* The API shape of a report. New reference. */
json_t *wh_eod_json(const wh_eod_report *r);

struct wh_route;
/* PUT /eod-reports/{venture_id}/{date}, GET /eod-reports. */
const struct wh_route *wh_eod_routes(size_t *n);

#endif
