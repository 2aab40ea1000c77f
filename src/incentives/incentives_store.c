/* SQL for incentives: plans, rules, the metrics of a (venture, day), the daily slice and
 * payouts. Every read of a caller takes the scope into its WHERE clause. The metrics are three
 * GROUP BY aggregates (loads, call logs, reviews) joined to the venture's members in one
 * statement: the database sums the source rows, C never loops over them. Optional values travel
 * as 0 / '' sentinels because an untyped NULL parameter is not comparable on PostgreSQL. */
#include "incentives/incentives.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One column list per table, unqualified: the same for SELECT and RETURNING (which may not name
 * an alias on SQLite), so the main table of a statement is never aliased. */
#define PLAN_COLS "id, venture_id, name, active, effective_from, effective_to"
#define RULE_COLS                                                                                  \
    "id, plan_id, venture_id, role, metric, calc_type, enabled, rate_bp, rate_cents, threshold,"   \
    " bonus_cents, tiers"
#define DAILY_COLS "id, user_id, venture_id, day, amount_cents, breakdown"
#define PAYOUT_COLS                                                                                \
    "id, user_id, venture_id, period_start, period_end, amount_cents, status, breakdown"

/* The row of table with id $3 when its venture is in the scope of ($1 all ventures, $2 user):
 * the single-row read of every resource here (scoped_get binds the three). */
#define SCOPED_GET(cols, table)                                                                    \
    "SELECT " cols " FROM " table                                                                  \
    " WHERE id = $3 AND " WH_SCOPE_SQL(table ".venture_id", "$1", "$2")

static wh_err scoped_get(wh_conn *c, wh_arena *a, const char *sql, const wh_principal *p,
                         int64_t id, wh_rows **r, wh_error *e)
{
    return wh_db_query(c, a, sql, WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), r, e);
}

/* ------------------------------------------------------------------ JSON */

/* Compact JSON text of v in the arena; v is stolen. */
static const char *dump(wh_arena *a, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    const char *out = wh_arena_strdup(a, s ? s : "null");
    free(s);
    json_decref(v);
    return out;
}

/* Parses stored JSON text; an array on failure (the column is written only by this file). */
static json_t *load_json(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_array();
}

static json_t *int_or_null(bool has, int64_t v)
{
    return has ? json_integer(v) : json_null();
}

/* ----------------------------------------------------------------- plans */

static void plan_row(const wh_rows *r, size_t i, wh_inc_plan *pl)
{
    WH_ROWS_READ(r, i, WH_CELL(&pl->id), WH_CELL(&pl->venture_id), WH_CELL(&pl->name),
                 WH_CELL(&pl->active), WH_CELL(&pl->effective_from), WH_CELL(&pl->effective_to));
}

static wh_err one_plan(wh_err rc, const wh_rows *r, wh_inc_plan *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such incentive plan.", NULL, e);
    if (rc == WH_OK)
        plan_row(r, 0, out);
    return rc;
}

wh_err wh_incentives_plan_create(wh_conn *c, wh_arena *a, const wh_inc_plan_input *in,
                                 int64_t now_ms, wh_inc_plan *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "INSERT INTO incentive_plans (venture_id, name, active, effective_from,"
                    " effective_to, created_at, updated_at) VALUES ($1, $2, $3, $4,"
                    " NULLIF($5, ''), $6, $6) RETURNING " PLAN_COLS,
                    WH_ARGS(WH_PI(in->venture_id), WH_PT(in->name),
                            WH_PB(in->has_active ? in->active : true), WH_PT(in->effective_from),
                            WH_PT(in->effective_to ? in->effective_to : ""), WH_PI(now_ms)),
                    &r, e);
    return one_plan(rc, r, out, e);
}

wh_err wh_incentives_plan_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                              wh_inc_plan *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = scoped_get(c, a, SCOPED_GET(PLAN_COLS, "incentive_plans"), p, id, &r, e);
    return one_plan(rc, r, out, e);
}

wh_err wh_incentives_plan_update(wh_conn *c, wh_arena *a, int64_t id, const wh_inc_plan *merged,
                                 int64_t now_ms, wh_inc_plan *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE incentive_plans SET name = $2, active = $3, effective_from = $4, effective_to ="
        " NULLIF($5, ''), updated_at = $6 WHERE id = $1 RETURNING " PLAN_COLS,
        WH_ARGS(WH_PI(id), WH_PT(merged->name), WH_PB(merged->active),
                WH_PT(merged->effective_from),
                WH_PT(merged->effective_to ? merged->effective_to : ""), WH_PI(now_ms)),
        &r, e);
    return one_plan(rc, r, out, e);
}

void wh_incentives_plan_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                                 wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " PLAN_COLS " FROM incentive_plans");
    WH_SQLB_SCOPE_VENTURE(b, p, "incentive_plans.venture_id", venture_id);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

/* A plan of the list without its rules (the list adds them: wh_resp_list_with). */
static json_t *plan_json(const wh_inc_plan *pl)
{
    return wh_incentives_plan_json(pl, NULL, 0);
}

WH_ROW_JSON(wh_incentives_plan_row_json, wh_inc_plan, plan_row, plan_json)

json_t *wh_incentives_plan_json(const wh_inc_plan *pl, const wh_inc_rule *rules, size_t n)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(pl->id));
    json_object_set_new(o, "venture_id", json_integer(pl->venture_id));
    json_object_set_new(o, "name", json_string(pl->name));
    json_object_set_new(o, "active", json_boolean(pl->active));
    json_object_set_new(o, "effective_from", json_string(pl->effective_from));
    json_object_set_new(o, "effective_to", wh_json_str_or_null(pl->effective_to));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, wh_incentives_rule_json(&rules[i]));
    json_object_set_new(o, "rules", arr);
    return o;
}

/* ----------------------------------------------------------------- rules */

static void tiers_parse(const char *text, wh_inc_rule *ru)
{
    json_t *arr = load_json(text), *t;
    size_t i;
    ru->ntiers = 0;
    json_array_foreach(arr, i, t)
    {
        if (ru->ntiers == WH_INCENTIVES_TIERS_MAX)
            break;
        ru->tiers[ru->ntiers].from = json_integer_value(json_object_get(t, "from"));
        ru->tiers[ru->ntiers].rate_cents = json_integer_value(json_object_get(t, "rate_cents"));
        ru->ntiers++;
    }
    json_decref(arr);
}

static json_t *tiers_json(const wh_inc_rule *ru)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ru->ntiers; i++)
        json_array_append_new(arr, json_pack("{s:I, s:I}", "from", (json_int_t)ru->tiers[i].from,
                                             "rate_cents", (json_int_t)ru->tiers[i].rate_cents));
    return arr;
}

static void rule_row(const wh_rows *r, size_t i, wh_inc_rule *ru)
{
    memset(ru, 0, sizeof *ru);
    ru->id = wh_rows_int(r, i, 0);
    ru->plan_id = wh_rows_int(r, i, 1);
    ru->venture_id = wh_rows_int(r, i, 2);
    ru->has_role = !wh_rows_null(r, i, 3) && wh_role_parse(wh_rows_text(r, i, 3), &ru->role);
    ru->metric =
        (wh_inc_metric)wh_incentives_name_index(wh_inc_metric_names, wh_rows_text(r, i, 4));
    ru->calc = (wh_inc_calc)wh_incentives_name_index(wh_inc_calc_names, wh_rows_text(r, i, 5));
    ru->enabled = wh_rows_bool(r, i, 6);
    ru->has_rate_bp = !wh_rows_null(r, i, 7);
    ru->rate_bp = wh_rows_int(r, i, 7);
    ru->has_rate_cents = !wh_rows_null(r, i, 8);
    ru->rate_cents = wh_rows_int(r, i, 8);
    ru->has_threshold = !wh_rows_null(r, i, 9);
    ru->threshold = wh_rows_int(r, i, 9);
    ru->has_bonus = !wh_rows_null(r, i, 10);
    ru->bonus_cents = wh_rows_int(r, i, 10);
    if (!wh_rows_null(r, i, 11))
        tiers_parse(wh_rows_text(r, i, 11), ru);
}

static wh_err many_rules(wh_err rc, wh_arena *a, const wh_rows *r, wh_inc_rule **out, size_t *n)
{
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        rule_row(r, i, &(*out)[i]);
    return WH_OK;
}

static wh_err one_rule(wh_err rc, const wh_rows *r, wh_inc_rule *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such incentive rule.", NULL, e);
    if (rc == WH_OK)
        rule_row(r, 0, out);
    return rc;
}

wh_err wh_incentives_rules_of(wh_conn *c, wh_arena *a, int64_t plan_id, wh_inc_rule **out,
                              size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " RULE_COLS " FROM incentive_rules WHERE plan_id = $1"
                            " ORDER BY id",
                            WH_ARGS(WH_PI(plan_id)), &r, e);
    return many_rules(rc, a, r, out, n);
}

/* The bound values of a rule's optional columns: NULL when the calc type does not use them. */
#define RULE_VALUES(ru, a)                                                                         \
    WH_PT((ru)->has_role ? wh_role_name((ru)->role) : NULL),                                       \
        WH_PT(wh_inc_metric_names[(ru)->metric]), WH_PT(wh_inc_calc_names[(ru)->calc]),            \
        WH_PB((ru)->enabled), (ru)->has_rate_bp ? WH_PI((ru)->rate_bp) : WH_PN,                    \
        (ru)->has_rate_cents ? WH_PI((ru)->rate_cents) : WH_PN,                                    \
        (ru)->has_threshold ? WH_PI((ru)->threshold) : WH_PN,                                      \
        (ru)->has_bonus ? WH_PI((ru)->bonus_cents) : WH_PN,                                        \
        WH_PT((ru)->ntiers ? dump((a), tiers_json(ru)) : NULL)

wh_err wh_incentives_rule_create(wh_conn *c, wh_arena *a, const wh_inc_rule *in, int64_t now_ms,
                                 wh_inc_rule *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO incentive_rules (plan_id, venture_id, role, metric, calc_type, enabled,"
        " rate_bp, rate_cents, threshold, bonus_cents, tiers, created_at, updated_at) VALUES ($1,"
        " $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING " RULE_COLS,
        WH_ARGS(WH_PI(in->plan_id), WH_PI(in->venture_id), RULE_VALUES(in, a), WH_PI(now_ms)), &r,
        e);
    return one_rule(rc, r, out, e);
}

wh_err wh_incentives_rule_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                              wh_inc_rule *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = scoped_get(c, a, SCOPED_GET(RULE_COLS, "incentive_rules"), p, id, &r, e);
    return one_rule(rc, r, out, e);
}

wh_err wh_incentives_rule_update(wh_conn *c, wh_arena *a, const wh_inc_rule *in, int64_t now_ms,
                                 wh_inc_rule *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE incentive_rules SET role = $2, metric = $3, calc_type = $4, enabled = $5, rate_bp"
        " = $6, rate_cents = $7, threshold = $8, bonus_cents = $9, tiers = $10, updated_at = $11"
        " WHERE id = $1 RETURNING " RULE_COLS,
        WH_ARGS(WH_PI(in->id), RULE_VALUES(in, a), WH_PI(now_ms)), &r, e);
    return one_rule(rc, r, out, e);
}

wh_err wh_incentives_rule_delete(wh_conn *c, wh_arena *a, int64_t id, wh_error *e)
{
    return wh_db_query(c, a, "DELETE FROM incentive_rules WHERE id = $1", WH_ARGS(WH_PI(id)), NULL,
                       e);
}

json_t *wh_incentives_rule_json(const wh_inc_rule *ru)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ru->id));
    json_object_set_new(o, "plan_id", json_integer(ru->plan_id));
    json_object_set_new(o, "role",
                        ru->has_role ? json_string(wh_role_name(ru->role)) : json_null());
    json_object_set_new(o, "metric", json_string(wh_inc_metric_names[ru->metric]));
    json_object_set_new(o, "calc_type", json_string(wh_inc_calc_names[ru->calc]));
    json_object_set_new(o, "enabled", json_boolean(ru->enabled));
    json_object_set_new(o, "rate_bp", int_or_null(ru->has_rate_bp, ru->rate_bp));
    json_object_set_new(o, "rate_cents", int_or_null(ru->has_rate_cents, ru->rate_cents));
    json_object_set_new(o, "threshold", int_or_null(ru->has_threshold, ru->threshold));
    json_object_set_new(o, "bonus_cents", int_or_null(ru->has_bonus, ru->bonus_cents));
    json_object_set_new(o, "tiers", ru->calc == WH_INC_TIERED_SLAB ? tiers_json(ru) : json_null());
    return o;
}

/* --------------------------------------------------------------- metrics */

/* [start, end) of a business day in Unix ms (mktime in the zone wh_clock_set_zone installed). */
static bool day_bounds(const char *day, int64_t *start, int64_t *end)
{
    char next[11];
    int y, m, d;
    if (!wh_clock_parse_date(day, &y, &m, &d) || !wh_clock_day_add(day, 1, next, sizeof next))
        return false;
    struct tm t = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    *start = (int64_t)mktime(&t) * 1000;
    if (!wh_clock_parse_date(next, &y, &m, &d))
        return false;
    struct tm u = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    *end = (int64_t)mktime(&u) * 1000;
    return true;
}

/* One statement: the three sources each summed per user with GROUP BY, stacked, summed again
 * per user and joined to the venture's membership (a non-member is never paid). */
static const char metrics_sql[] =
    "SELECT m.user_id, u.role, SUM(m.n_loads), SUM(m.revenue), SUM(m.margin), SUM(m.miles),"
    " SUM(m.dials), SUM(m.connects), SUM(m.deals), SUM(m.talk), SUM(m.reviews) FROM ("
    " SELECT l.created_by AS user_id, COUNT(*) AS n_loads, SUM(COALESCE(l.bill_cents, 0)) AS"
    " revenue, SUM(COALESCE(l.bill_cents, 0) - COALESCE(l.cost_cents, 0)) AS margin,"
    " SUM(COALESCE(l.miles, 0)) AS miles, 0 AS dials, 0 AS connects, 0 AS deals, 0 AS talk,"
    " 0 AS reviews FROM loads l WHERE l.venture_id = $1 AND l.billing_date = $2 AND l.status ="
    " 'DELIVERED' GROUP BY l.created_by"
    " UNION ALL SELECT cl.user_id, 0, 0, 0, 0, SUM(cl.dial_count), SUM(CASE WHEN cl.connected"
    " THEN 1 ELSE 0 END), SUM(CASE WHEN cl.deal_won THEN 1 ELSE 0 END), SUM(cl.talk_seconds), 0"
    " FROM bpo_call_logs cl WHERE cl.venture_id = $1 AND cl.started_day = $2 GROUP BY cl.user_id"
    " UNION ALL SELECT hr.responded_by, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*) FROM hotel_reviews hr"
    " WHERE hr.venture_id = $1 AND hr.responded_by IS NOT NULL AND hr.responded_at >= $3 AND"
    " hr.responded_at < $4 GROUP BY hr.responded_by"
    " ) m JOIN users u ON u.id = m.user_id JOIN venture_users vu ON vu.user_id = m.user_id AND"
    " vu.venture_id = $1 GROUP BY m.user_id, u.role ORDER BY m.user_id";

wh_err wh_incentives_metrics(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                             wh_inc_member **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    int64_t start = 0, end = 0;
    if (!day_bounds(day, &start, &end))
        return wh_error_field(e, "date", "must be a day YYYY-MM-DD");
    wh_err rc = wh_db_query(
        c, a, metrics_sql, WH_ARGS(WH_PI(venture_id), WH_PT(day), WH_PI(start), WH_PI(end)), &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++) {
        wh_inc_member *m = &(*out)[i];
        m->user_id = wh_rows_int(r, i, 0);
        if (!wh_role_parse(wh_rows_text(r, i, 1), &m->role))
            m->role = WH_ROLE_COUNT; /* matches no role filter */
        for (int k = 0; k < WH_INC_METRIC_COUNT; k++)
            m->m[k] = wh_rows_int(r, i, (size_t)k + 2);
    }
    return WH_OK;
}

wh_err wh_incentives_rules_in_force(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                                    wh_inc_rule **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT " RULE_COLS " FROM incentive_rules WHERE enabled = $3 AND plan_id IN (SELECT"
        " pl.id FROM incentive_plans pl WHERE pl.venture_id = $1 AND pl.active = $3 AND"
        " pl.effective_from <= $2 AND (pl.effective_to IS NULL OR pl.effective_to >= $2))"
        " ORDER BY plan_id, id LIMIT $4",
        WH_ARGS(WH_PI(venture_id), WH_PT(day), WH_PB(true), WH_PI(WH_INCENTIVES_RULES_MAX)), &r, e);
    return many_rules(rc, a, r, out, n);
}

wh_err wh_incentives_preview(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                             wh_inc_item **out, size_t *n, wh_error *e)
{
    wh_inc_rule *rules = NULL;
    wh_inc_member *members = NULL;
    size_t nrules = 0, nmembers = 0;
    wh_err rc = wh_incentives_rules_in_force(c, a, venture_id, day, &rules, &nrules, e);
    if (rc == WH_OK && nrules > 0)
        rc = wh_incentives_metrics(c, a, venture_id, day, &members, &nmembers, e);
    if (rc == WH_OK)
        wh_incentives_compute(a, rules, nrules, members, nmembers, out, n);
    return rc;
}

static json_t *parts_json(const wh_inc_item *it)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < it->nparts; i++)
        json_array_append_new(arr, json_pack("{s:I, s:I, s:I}", "rule_id",
                                             (json_int_t)it->parts[i].rule_id, "plan_id",
                                             (json_int_t)it->parts[i].plan_id, "amount_cents",
                                             (json_int_t)it->parts[i].amount_cents));
    return arr;
}

json_t *wh_incentives_item_json(const wh_inc_item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "user_id", json_integer(it->user_id));
    json_object_set_new(o, "amount_cents", json_integer(it->amount_cents));
    json_object_set_new(o, "breakdown", parts_json(it));
    return o;
}

/* ---------------------------------------------------------------- commit */

static wh_err slice_delete(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                           int64_t *replaced, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a, "DELETE FROM incentive_daily_parts WHERE venture_id = $1 AND day = $2",
                    WH_ARGS(WH_PI(venture_id), WH_PT(day)), NULL, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a,
                         "DELETE FROM incentive_daily WHERE venture_id = $1 AND day = $2"
                         " RETURNING id",
                         WH_ARGS(WH_PI(venture_id), WH_PT(day)), &r, e);
    if (rc == WH_OK)
        *replaced = (int64_t)wh_rows_count(r);
    return rc;
}

static wh_err item_insert(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                          const wh_inc_item *it, int64_t now_ms, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "INSERT INTO incentive_daily (user_id, venture_id, day, amount_cents,"
                    " breakdown, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    WH_ARGS(WH_PI(it->user_id), WH_PI(venture_id), WH_PT(day),
                            WH_PI(it->amount_cents), WH_PT(dump(a, parts_json(it))), WH_PI(now_ms)),
                    &r, e);
    int64_t id = rc == WH_OK ? wh_rows_int(r, 0, 0) : 0;
    for (size_t i = 0; rc == WH_OK && i < it->nparts; i++)
        rc = wh_db_query(c, a,
                         "INSERT INTO incentive_daily_parts (daily_id, user_id, venture_id, day,"
                         " rule_id, plan_id, amount_cents) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         WH_ARGS(WH_PI(id), WH_PI(it->user_id), WH_PI(venture_id), WH_PT(day),
                                 WH_PI(it->parts[i].rule_id), WH_PI(it->parts[i].plan_id),
                                 WH_PI(it->parts[i].amount_cents)),
                         NULL, e);
    return rc;
}

static wh_err commit_audit(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                           int64_t actor_id, const char *request_id, int64_t now_ms,
                           const wh_inc_commit_result *res, wh_error *e)
{
    json_t *after = json_pack("{s:I, s:s, s:I, s:I, s:I}", "venture_id", (json_int_t)venture_id,
                              "date", day, "users", (json_int_t)res->users, "total_cents",
                              (json_int_t)res->total_cents, "replaced", (json_int_t)res->replaced);
    wh_audit_entry en = {.actor_id = actor_id,
                         .action = "incentive_daily.commit",
                         .entity = "incentive_daily",
                         .entity_id = 0,
                         .venture_id = venture_id,
                         .after = after,
                         .request_id = request_id,
                         .at_ms = now_ms};
    wh_err rc = wh_audit_record(c, a, &en, e);
    json_decref(after);
    return rc;
}

/* Under the venture's payout lock (the order is slice lock, then payout lock, everywhere): is
 * day inside a payout period of the venture that is APPROVED or PAID? Then 409, *locked set. */
static wh_err frozen_check(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                           bool *locked, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_lock(c, wh_incentives_payout_key(venture_id), e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a,
                         "SELECT period_start, period_end, status FROM incentive_payouts WHERE"
                         " venture_id = $1 AND status IN ('APPROVED', 'PAID') AND"
                         " period_start <= $2 AND period_end >= $2 ORDER BY id LIMIT 1",
                         WH_ARGS(WH_PI(venture_id), WH_PT(day)), &r, e);
    *locked = rc == WH_OK && wh_rows_count(r) == 1;
    if (*locked)
        rc = wh_fail(e, WH_ERR_CONFLICT,
                     "%s lies in the payout period %s..%s, which is %s; its incentives are "
                     "final.",
                     day, wh_rows_text(r, 0, 0), wh_rows_text(r, 0, 1), wh_rows_text(r, 0, 2));
    return rc;
}

wh_err wh_incentives_commit_in_tx(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                                  int64_t actor_id, const char *request_id, int64_t now_ms,
                                  wh_inc_commit_result *out, wh_error *e)
{
    wh_inc_item *items = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    wh_err rc = wh_db_lock(c, wh_incentives_slice_key(venture_id, day), e);
    if (rc == WH_OK)
        rc = frozen_check(c, a, venture_id, day, &out->period_locked, e);
    if (rc == WH_OK)
        rc = slice_delete(c, a, venture_id, day, &out->replaced, e);
    if (rc == WH_OK)
        rc = wh_incentives_preview(c, a, venture_id, day, &items, &n, e);
    for (size_t i = 0; rc == WH_OK && i < n; i++) {
        rc = item_insert(c, a, venture_id, day, &items[i], now_ms, e);
        out->total_cents += items[i].amount_cents;
    }
    out->users = (int64_t)n;
    if (rc == WH_OK)
        rc = commit_audit(c, a, venture_id, day, actor_id, request_id, now_ms, out, e);
    return rc;
}

wh_err wh_incentives_commit(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                            int64_t actor_id, const char *request_id, int64_t now_ms,
                            wh_inc_commit_result *out, wh_error *e)
{
    memset(out, 0, sizeof *out);
    wh_err rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc =
            wh_incentives_commit_in_tx(c, a, venture_id, day, actor_id, request_id, now_ms, out, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    if (rc != WH_OK)
        wh_db_rollback(c);
    return rc;
}

wh_err wh_incentives_plan_ventures(wh_conn *c, wh_arena *a, const char *day, int64_t venture_id,
                                   int64_t **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT DISTINCT pl.venture_id FROM incentive_plans pl WHERE pl.active = $2 AND"
        " pl.effective_from <= $1 AND (pl.effective_to IS NULL OR pl.effective_to >= $1) AND"
        " ($3 = 0 OR pl.venture_id = $3) ORDER BY pl.venture_id",
        WH_ARGS(WH_PT(day), WH_PB(true), WH_PI(venture_id)), &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = wh_rows_int(r, i, 0);
    return WH_OK;
}

/* ----------------------------------------------------------------- daily */

void wh_incentives_daily_list_sql(const wh_principal *p, const wh_inc_daily_filter *f,
                                  const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " DAILY_COLS " FROM incentive_daily");
    WH_SQLB_SCOPE_VENTURE(b, p, "incentive_daily.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "user_id = ?", f->user_id);
    wh_sqlb_and_id(b, "user_id = ?", f->own_user_id);
    wh_sqlb_and_text(b, "day >= ?", f->from);
    wh_sqlb_and_text(b, "day <= ?", f->to);
    wh_sqlb_page(b, "day", "id", true, ks);
}

static void daily_row(const wh_rows *r, size_t i, wh_inc_daily *d)
{
    WH_ROWS_READ(r, i, WH_CELL(&d->id), WH_CELL(&d->user_id), WH_CELL(&d->venture_id),
                 WH_CELL(&d->day), WH_CELL(&d->amount_cents), WH_CELL(&d->breakdown));
}

WH_ROW_JSON(wh_incentives_daily_row_json, wh_inc_daily, daily_row, wh_incentives_daily_json)

json_t *wh_incentives_daily_json(const wh_inc_daily *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(d->id));
    json_object_set_new(o, "user_id", json_integer(d->user_id));
    json_object_set_new(o, "venture_id", json_integer(d->venture_id));
    json_object_set_new(o, "date", json_string(d->day));
    json_object_set_new(o, "amount_cents", json_integer(d->amount_cents));
    json_object_set_new(o, "breakdown", load_json(d->breakdown));
    return o;
}

/* --------------------------------------------------------------- payouts */

static void payout_row(const wh_rows *r, size_t i, wh_inc_payout *po)
{
    WH_ROWS_READ(r, i, WH_CELL(&po->id), WH_CELL(&po->user_id), WH_CELL(&po->venture_id),
                 WH_CELL(&po->period_start), WH_CELL(&po->period_end), WH_CELL(&po->amount_cents),
                 WH_CELL(&po->status), WH_CELL(&po->breakdown));
}

/* 409 when another period of the venture overlaps [start, end] or a payout of this very period
 * is no longer CALCULATED. */
static wh_err period_guard(wh_conn *c, wh_arena *a, int64_t venture_id, const char *start,
                           const char *end, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT SUM(CASE WHEN po.period_start = $2 AND po.period_end = $3 THEN 0 ELSE 1 END),"
        " SUM(CASE WHEN po.period_start = $2 AND po.period_end = $3 AND po.status <> 'CALCULATED'"
        " THEN 1 ELSE 0 END) FROM incentive_payouts po WHERE po.venture_id = $1 AND"
        " po.period_start <= $3 AND po.period_end >= $2",
        WH_ARGS(WH_PI(venture_id), WH_PT(start), WH_PT(end)), &r, e);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_int(r, 0, 0) > 0)
        return wh_fail(e, WH_ERR_CONFLICT,
                       "The period overlaps another payout period of the venture.");
    if (wh_rows_int(r, 0, 1) > 0)
        return wh_fail(e, WH_ERR_CONFLICT, "Payouts of this period are already approved or paid.");
    return WH_OK;
}

/* Per-user totals and per-(user, rule, plan) sums of the daily rows of the period, both from
 * GROUP BY aggregates; the breakdown rows come ordered by user so one pass attaches them. */
static wh_err period_sums(wh_conn *c, wh_arena *a, int64_t venture_id, const char *start,
                          const char *end, wh_rows **totals, wh_rows **parts, wh_error *e)
{
    wh_err rc = wh_db_query(c, a,
                            "SELECT d.user_id, SUM(d.amount_cents) FROM incentive_daily d WHERE"
                            " d.venture_id = $1 AND d.day >= $2 AND d.day <= $3 GROUP BY d.user_id"
                            " ORDER BY d.user_id",
                            WH_ARGS(WH_PI(venture_id), WH_PT(start), WH_PT(end)), totals, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a,
                         "SELECT dp.user_id, dp.rule_id, dp.plan_id, SUM(dp.amount_cents) FROM"
                         " incentive_daily_parts dp WHERE dp.venture_id = $1 AND dp.day >= $2 AND"
                         " dp.day <= $3 GROUP BY dp.user_id, dp.rule_id, dp.plan_id ORDER BY"
                         " dp.user_id, dp.plan_id, dp.rule_id",
                         WH_ARGS(WH_PI(venture_id), WH_PT(start), WH_PT(end)), parts, e);
    return rc;
}

static const char *user_breakdown(wh_arena *a, const wh_rows *parts, size_t *at, int64_t user_id)
{
    json_t *arr = json_array();
    size_t n = wh_rows_count(parts);
    while (*at < n && wh_rows_int(parts, *at, 0) < user_id)
        (*at)++;
    for (; *at < n && wh_rows_int(parts, *at, 0) == user_id; (*at)++)
        json_array_append_new(arr, json_pack("{s:I, s:I, s:I}", "rule_id",
                                             (json_int_t)wh_rows_int(parts, *at, 1), "plan_id",
                                             (json_int_t)wh_rows_int(parts, *at, 2), "amount_cents",
                                             (json_int_t)wh_rows_int(parts, *at, 3)));
    return dump(a, arr);
}

wh_err wh_incentives_payouts_generate(wh_conn *c, wh_arena *a, int64_t venture_id,
                                      const char *start, const char *end, int64_t now_ms,
                                      wh_inc_payout **out, size_t *n, int64_t *replaced,
                                      wh_error *e)
{
    wh_rows *del = NULL, *totals = NULL, *parts = NULL, *r = NULL;
    size_t at = 0;
    wh_err rc = wh_db_lock(c, wh_incentives_payout_key(venture_id), e);
    if (rc == WH_OK)
        rc = period_guard(c, a, venture_id, start, end, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a,
                         "DELETE FROM incentive_payouts WHERE venture_id = $1 AND period_start = $2"
                         " AND period_end = $3 AND status = 'CALCULATED' RETURNING id",
                         WH_ARGS(WH_PI(venture_id), WH_PT(start), WH_PT(end)), &del, e);
    if (rc == WH_OK)
        rc = period_sums(c, a, venture_id, start, end, &totals, &parts, e);
    if (rc != WH_OK)
        return rc;
    *replaced = (int64_t)wh_rows_count(del);
    *n = 0;
    *out = wh_arena_alloc(a, sizeof **out * (wh_rows_count(totals) + 1));
    for (size_t i = 0; rc == WH_OK && i < wh_rows_count(totals); i++) {
        int64_t user_id = wh_rows_int(totals, i, 0);
        rc = wh_db_query(
            c, a,
            "INSERT INTO incentive_payouts (user_id, venture_id, period_start,"
            " period_end, amount_cents, status, breakdown, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, 'CALCULATED', $6, $7, $7) RETURNING " PAYOUT_COLS,
            WH_ARGS(WH_PI(user_id), WH_PI(venture_id), WH_PT(start), WH_PT(end),
                    WH_PI(wh_rows_int(totals, i, 1)), WH_PT(user_breakdown(a, parts, &at, user_id)),
                    WH_PI(now_ms)),
            &r, e);
        if (rc == WH_OK)
            payout_row(r, 0, &(*out)[(*n)++]);
    }
    return rc;
}

wh_err wh_incentives_payout_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                wh_inc_payout *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = scoped_get(c, a, SCOPED_GET(PAYOUT_COLS, "incentive_payouts"), p, id, &r, e);
    rc = wh_rows_one(rc, r, "No such payout.", NULL, e);
    if (rc == WH_OK)
        payout_row(r, 0, out);
    return rc;
}

wh_err wh_incentives_payout_move(wh_conn *c, wh_arena *a, int64_t id, const char *from,
                                 const char *to, int64_t now_ms, wh_inc_payout *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "UPDATE incentive_payouts SET status = $3, updated_at = $4 WHERE id ="
                            " $1 AND status = $2 RETURNING " PAYOUT_COLS,
                            WH_ARGS(WH_PI(id), WH_PT(from), WH_PT(to), WH_PI(now_ms)), &r, e);
    if (rc != WH_OK)
        return rc;
    if (wh_rows_count(r) == 0)
        return wh_fail(e, WH_ERR_TRANSITION, "The payout is not %s.", from);
    payout_row(r, 0, out);
    return WH_OK;
}

void wh_incentives_payout_list_sql(const wh_principal *p, int64_t venture_id, const char *status,
                                   const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " PAYOUT_COLS " FROM incentive_payouts");
    WH_SQLB_SCOPE_VENTURE(b, p, "incentive_payouts.venture_id", venture_id);
    wh_sqlb_and_text(b, "status = ?", status);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_incentives_payout_row_json, wh_inc_payout, payout_row, wh_incentives_payout_json)

json_t *wh_incentives_payout_json(const wh_inc_payout *po)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(po->id));
    json_object_set_new(o, "user_id", json_integer(po->user_id));
    json_object_set_new(o, "venture_id", json_integer(po->venture_id));
    json_object_set_new(o, "period_start", json_string(po->period_start));
    json_object_set_new(o, "period_end", json_string(po->period_end));
    json_object_set_new(o, "amount_cents", json_integer(po->amount_cents));
    json_object_set_new(o, "status", json_string(po->status));
    json_object_set_new(o, "breakdown", load_json(po->breakdown));
    return o;
}
