/* Incentive routes: plans and rules, preview and commit of a (venture, day) slice, the daily
 * rows (GET /incentives/daily, GET /me/incentives) and payouts. Handlers validate, call the
 * store inside one transaction that also writes the audit entry, and render. */
#include "incentives/incentives.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "http/http.h"
#include "tasks/tasks.h"

#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- shared */

static const char *const plans_fields[] = {
    "id", "venture_id", "name", "active", "effective_from", "effective_to", "rules", NULL};
static const wh_list plans = {"incentive_plans",           WH_KEY_ID,   0, 0,
                              wh_incentives_plan_row_json, plans_fields};
static const char *const payouts_fields[] = {"id",           "user_id",    "venture_id",
                                             "period_start", "period_end", "amount_cents",
                                             "status",       "breakdown",  NULL};
static const wh_list payouts = {"incentive_payouts",           WH_KEY_ID,     0, 0,
                                wh_incentives_payout_row_json, payouts_fields};
/* GET /incentives/daily and GET /me/incentives: one statement, two cursor names */
static const char *const daily_fields[] = {"id",           "user_id",   "venture_id", "date",
                                           "amount_cents", "breakdown", NULL};
static const wh_list daily = {"incentive_daily", WH_KEY_TEXT, 3, 0, wh_incentives_daily_row_json,
                              daily_fields};
static const char *const my_daily_fields[] = {"id",           "user_id",   "venture_id", "date",
                                              "amount_cents", "breakdown", NULL};
static const wh_list my_daily = {"my_incentives", WH_KEY_TEXT, 3, 0, wh_incentives_daily_row_json,
                                 my_daily_fields};

static bool is_day(const char *s)
{
    int y, m, d;
    return s && strlen(s) == 10 && wh_clock_parse_date(s, &y, &m, &d);
}

/* A required or optional day member; NULL when absent, null or bad (bad records an error). */
static const char *day_member(wh_jin *j, const char *key, bool required)
{
    const char *s = wh_jin_str(j, key, required, 10, 10);
    if (s && !is_day(s)) {
        j->bad = true;
        (void)wh_error_field(j->e, key, "must be a day YYYY-MM-DD");
        return NULL;
    }
    return s;
}

/* Reads the JSON body into j: an object of the allowed fields only, none of never_null (NULL:
 * no such field) null. */
static wh_err read_body(wh_req *r, const char *const *fields, const char *const *never_null,
                        wh_jin *j, wh_error *e)
{
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(j, body, e);
    wh_jin_allow(j, fields);
    for (const char *const *k = never_null; k && *k; k++) {
        if (wh_jin_is_null(j, *k)) {
            j->bad = true;
            (void)wh_error_field(j->e, *k, "must not be null");
        }
    }
    return WH_OK;
}

/* An optional day query parameter. */
static const char *day_query(wh_req *r, const char *name, bool *bad, wh_error *e)
{
    const char *v = wh_req_query(r, name);
    if (v && !is_day(v)) {
        *bad = true;
        (void)wh_error_field(e, name, "must be a day YYYY-MM-DD");
        return NULL;
    }
    return v;
}

/* The path id and the transaction of a write to one record: PATCH and DELETE of a plan or a
 * rule, a payout's move. */
static wh_err begin_on(wh_req *r, int64_t *id, wh_conn **c, wh_error *e)
{
    wh_err rc = wh_req_path_id(r, 0, id, e);
    return rc == WH_OK ? wh_req_begin(r, c, e) : rc;
}

/* ----------------------------------------------------------------- plans */

static wh_err read_plan(wh_req *r, bool create, wh_inc_plan_input *in, wh_error *e)
{
    static const char *const fields[] = {"venture_id",     "name",         "active",
                                         "effective_from", "effective_to", NULL};
    static const char *const never_null[] = {"name", "active", "effective_from", NULL};
    wh_jin j;
    wh_err rc = read_body(r, create ? fields : fields + 1, never_null, &j, e);
    if (rc != WH_OK)
        return rc;
    if (create)
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    in->name = wh_jin_str(&j, "name", create, 1, WH_INCENTIVES_NAME_CHARS);
    in->has_active = wh_jin_has(&j, "active");
    in->active = wh_jin_bool(&j, "active", false, true);
    in->effective_from = day_member(&j, "effective_from", create);
    in->has_to = wh_jin_has(&j, "effective_to");
    in->effective_to = day_member(&j, "effective_to", false);
    return wh_jin_done(&j);
}

static wh_err plan_dates(const wh_inc_plan *pl, wh_error *e)
{
    if (pl->effective_to && strcmp(pl->effective_to, pl->effective_from) < 0)
        return wh_error_field(e, "effective_to", "must not be before effective_from");
    return WH_OK;
}

static json_t *plan_json(const wh_inc_plan *pl)
{
    return wh_incentives_plan_json(pl, NULL, 0);
}

/* Fills the (empty) rules of a rendered plan from c: a plan as GET, PATCH and the list answer
 * it. */
static wh_err plan_rules(wh_req *r, wh_conn *c, json_t *plan, wh_error *e)
{
    wh_inc_rule *rules = NULL;
    size_t n = 0;
    json_int_t id = json_integer_value(json_object_get(plan, "id"));
    wh_err rc = wh_incentives_rules_of(c, &r->arena, id, &rules, &n, e);
    json_t *arr = json_object_get(plan, "rules");
    for (size_t i = 0; rc == WH_OK && i < n; i++)
        json_array_append_new(arr, wh_incentives_rule_json(&rules[i]));
    return rc;
}

static wh_err plan_create(wh_req *r, wh_error *e)
{
    wh_inc_plan_input in = {0};
    wh_inc_plan pl;
    wh_conn *c = NULL;
    wh_err rc = read_plan(r, true, &in, e);
    if (rc == WH_OK) {
        wh_inc_plan probe = {.effective_from = in.effective_from, .effective_to = in.effective_to};
        rc = plan_dates(&probe, e);
    }
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_incentives_plan_create(c, &r->arena, &in, r->now_ms, &pl, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"incentive_plan.create", "incentive_plan", pl.id,
                                        pl.venture_id, NULL, plan_json(&pl)},
                           e);
}

static wh_err plan_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_inc_plan pl;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_incentives_plan_get(c, &r->arena, &r->user, id, &pl, e);
    if (rc != WH_OK)
        return rc;
    json_t *out = wh_req_keep(r, plan_json(&pl));
    rc = plan_rules(r, c, out, e);
    return rc == WH_OK ? wh_resp_json(r, 200, json_incref(out)) : rc;
}

/* The plan a PATCH makes of the stored one: the given members applied, the dates checked. */
static wh_err plan_merge(const wh_inc_plan *before, const wh_inc_plan_input *in, wh_inc_plan *m,
                         wh_error *e)
{
    *m = *before;
    if (in->name)
        m->name = in->name;
    if (in->has_active)
        m->active = in->active;
    if (in->effective_from)
        m->effective_from = in->effective_from;
    if (in->has_to)
        m->effective_to = in->effective_to;
    return plan_dates(m, e);
}

static wh_err plan_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_inc_plan_input in = {0};
    wh_inc_plan before, merged, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_plan(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_incentives_plan_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = plan_merge(&before, &in, &merged, e);
    if (rc == WH_OK)
        rc = wh_incentives_plan_update(c, &r->arena, id, &merged, r->now_ms, &after, e);
    if (rc == WH_OK)
        rc = wh_audit_change(r, c,
                             &(wh_change){"incentive_plan.update", "incentive_plan", id,
                                          after.venture_id, plan_json(&before), plan_json(&after)},
                             e);
    if (rc != WH_OK)
        return rc;
    json_t *out = wh_req_keep(r, plan_json(&after));
    rc = plan_rules(r, c, out, e);
    return rc == WH_OK ? wh_req_commit(r, c, 200, json_incref(out), e) : rc;
}

static wh_err plan_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    int64_t venture_id = 0;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &plans, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_incentives_plan_list_sql(&r->user, venture_id, &pg.ks, &b);
    return wh_resp_list_with(r, c, &pg, &b, plan_rules, e);
}

/* ----------------------------------------------------------------- rules */

/* The members of a rule body, and which were given (a PATCH changes only those). */
typedef struct {
    wh_inc_rule v;
    bool role, metric, calc, enabled, rate_bp, rate_cents, threshold, bonus, tiers;
} rule_body;

static void read_tiers(wh_jin *j, wh_inc_rule *ru)
{
    json_t *arr = json_object_get(j->obj, "tiers"), *t;
    size_t i;
    ru->ntiers = 0;
    if (!arr || json_is_null(arr))
        return;
    if (!json_is_array(arr) || json_array_size(arr) > WH_INCENTIVES_TIERS_MAX) {
        j->bad = true;
        (void)wh_error_field(j->e, "tiers", "must be an array of at most %d tiers",
                             WH_INCENTIVES_TIERS_MAX);
        return;
    }
    json_array_foreach(arr, i, t)
    {
        json_t *from = json_object_get(t, "from"), *rate = json_object_get(t, "rate_cents");
        if (!json_is_object(t) || json_object_size(t) != 2 || !json_is_integer(from) ||
            !json_is_integer(rate) || json_integer_value(from) < 0 ||
            json_integer_value(from) > WH_INCENTIVES_UNITS_MAX || json_integer_value(rate) < 0 ||
            json_integer_value(rate) > WH_INCENTIVES_CENTS_MAX) {
            j->bad = true;
            (void)wh_error_field(
                j->e, "tiers", "each tier must be {from: 0..%lld, rate_cents: 0..%lld}",
                (long long)WH_INCENTIVES_UNITS_MAX, (long long)WH_INCENTIVES_CENTS_MAX);
            return;
        }
        ru->tiers[ru->ntiers].from = json_integer_value(from);
        ru->tiers[ru->ntiers++].rate_cents = json_integer_value(rate);
    }
}

static void read_rule_numbers(wh_jin *j, rule_body *b)
{
    wh_inc_rule *v = &b->v;
    b->rate_bp = wh_jin_has(j, "rate_bp");
    v->rate_bp = wh_jin_int(j, "rate_bp", false, 0, WH_INCENTIVES_RATE_BP_MAX, 0);
    v->has_rate_bp = b->rate_bp && !wh_jin_is_null(j, "rate_bp");
    b->rate_cents = wh_jin_has(j, "rate_cents");
    v->rate_cents = wh_jin_int(j, "rate_cents", false, 0, WH_INCENTIVES_CENTS_MAX, 0);
    v->has_rate_cents = b->rate_cents && !wh_jin_is_null(j, "rate_cents");
    b->threshold = wh_jin_has(j, "threshold");
    v->threshold = wh_jin_int(j, "threshold", false, 0, WH_INCENTIVES_UNITS_MAX, 0);
    v->has_threshold = b->threshold && !wh_jin_is_null(j, "threshold");
    b->bonus = wh_jin_has(j, "bonus_cents");
    v->bonus_cents = wh_jin_int(j, "bonus_cents", false, 0, WH_INCENTIVES_CENTS_MAX, 0);
    v->has_bonus = b->bonus && !wh_jin_is_null(j, "bonus_cents");
    b->tiers = wh_jin_has(j, "tiers");
    read_tiers(j, v);
}

static wh_err read_rule(wh_req *r, bool create, rule_body *b, wh_error *e)
{
    static const char *const fields[] = {"role",    "metric",     "calc_type", "enabled",
                                         "rate_bp", "rate_cents", "threshold", "bonus_cents",
                                         "tiers",   NULL};
    static const char *const never_null[] = {"metric", "calc_type", "enabled", NULL};
    wh_jin j;
    memset(b, 0, sizeof *b);
    wh_err rc = read_body(r, fields, never_null, &j, e);
    if (rc != WH_OK)
        return rc;
    b->role = wh_jin_has(&j, "role");
    const char *role = wh_jin_enum(&j, "role", false, wh_role_names);
    b->v.has_role = role && wh_role_parse(role, &b->v.role);
    b->metric = wh_jin_has(&j, "metric");
    b->v.metric = (wh_inc_metric)wh_incentives_name_index(
        wh_inc_metric_names, wh_jin_enum(&j, "metric", create, wh_inc_metric_names));
    b->calc = wh_jin_has(&j, "calc_type");
    b->v.calc = (wh_inc_calc)wh_incentives_name_index(
        wh_inc_calc_names, wh_jin_enum(&j, "calc_type", create, wh_inc_calc_names));
    b->enabled = wh_jin_has(&j, "enabled");
    b->v.enabled = wh_jin_bool(&j, "enabled", false, true);
    read_rule_numbers(&j, b);
    return wh_jin_done(&j);
}

/* A PATCH over the stored rule: the fields the (new) calc type does not use are cleared first,
 * then the given members are applied, so a given member the type does not use is still a 400;
 * then the rule is checked. */
static wh_err rule_merge(const wh_inc_rule *before, const rule_body *b, wh_inc_rule *m, wh_error *e)
{
    *m = *before;
    if (b->calc)
        m->calc = b->v.calc;
    wh_incentives_rule_trim(m);
    if (b->role)
        m->has_role = b->v.has_role, m->role = b->v.role;
    if (b->metric)
        m->metric = b->v.metric;
    if (b->enabled)
        m->enabled = b->v.enabled;
    if (b->rate_bp)
        m->has_rate_bp = b->v.has_rate_bp, m->rate_bp = b->v.rate_bp;
    if (b->rate_cents)
        m->has_rate_cents = b->v.has_rate_cents, m->rate_cents = b->v.rate_cents;
    if (b->threshold)
        m->has_threshold = b->v.has_threshold, m->threshold = b->v.threshold;
    if (b->bonus)
        m->has_bonus = b->v.has_bonus, m->bonus_cents = b->v.bonus_cents;
    if (b->tiers) {
        m->ntiers = b->v.ntiers;
        memcpy(m->tiers, b->v.tiers, sizeof m->tiers);
    }
    return wh_incentives_rule_check(m, e);
}

static wh_err rule_create(wh_req *r, wh_error *e)
{
    int64_t plan_id;
    rule_body b;
    wh_inc_plan pl;
    wh_inc_rule ru;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &plan_id, e);
    if (rc == WH_OK)
        rc = read_rule(r, true, &b, e);
    if (rc == WH_OK)
        rc = wh_incentives_rule_check(&b.v, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_incentives_plan_get(c, &r->arena, &r->user, plan_id, &pl, e);
    if (rc == WH_OK) {
        b.v.plan_id = plan_id;
        b.v.venture_id = pl.venture_id;
        rc = wh_incentives_rule_create(c, &r->arena, &b.v, r->now_ms, &ru, e);
    }
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"incentive_rule.create", "incentive_rule", ru.id,
                                        ru.venture_id, NULL, wh_incentives_rule_json(&ru)},
                           e);
}

static wh_err rule_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    rule_body b;
    wh_inc_rule before, merged, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_rule(r, false, &b, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_incentives_rule_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = rule_merge(&before, &b, &merged, e);
    if (rc == WH_OK)
        rc = wh_incentives_rule_update(c, &r->arena, &merged, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"incentive_rule.update", "incentive_rule", id,
                                        after.venture_id, wh_incentives_rule_json(&before),
                                        wh_incentives_rule_json(&after)},
                           e);
}

static wh_err rule_delete(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_inc_rule before;
    wh_conn *c = NULL;
    wh_err rc = begin_on(r, &id, &c, e);
    if (rc == WH_OK)
        rc = wh_incentives_rule_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = wh_incentives_rule_delete(c, &r->arena, id, e);
    if (rc == WH_OK)
        rc =
            wh_audit_change(r, c,
                            &(wh_change){"incentive_rule.delete", "incentive_rule", id,
                                         before.venture_id, wh_incentives_rule_json(&before), NULL},
                            e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    return rc == WH_OK ? wh_resp_empty(r, 204) : rc;
}

/* ------------------------------------------------------ preview, commit */

/* {venture_id, date}: the venture in scope (403). */
static wh_err read_slice(wh_req *r, wh_conn **c, int64_t *venture_id, const char **day, wh_error *e)
{
    static const char *const fields[] = {"venture_id", "date", NULL};
    wh_jin j;
    wh_err rc = read_body(r, fields, NULL, &j, e);
    if (rc != WH_OK)
        return rc;
    *venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    *day = day_member(&j, "date", true);
    rc = wh_jin_done(&j);
    if (rc == WH_OK)
        rc = wh_req_db(r, c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(*c, &r->arena, &r->user, *venture_id, e);
    return rc;
}

static wh_err preview(wh_req *r, wh_error *e)
{
    int64_t venture_id = 0;
    const char *day = NULL;
    wh_inc_item *items = NULL;
    size_t n = 0;
    wh_conn *c = NULL;
    wh_err rc = read_slice(r, &c, &venture_id, &day, e);
    if (rc == WH_OK)
        rc = wh_incentives_preview(c, &r->arena, venture_id, day, &items, &n, e);
    if (rc != WH_OK)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, wh_incentives_item_json(&items[i]));
    return wh_resp_json(r, 200, json_pack("{s:o}", "items", arr));
}

static wh_err commit(wh_req *r, wh_error *e)
{
    int64_t venture_id = 0;
    const char *day = NULL;
    wh_inc_commit_result res;
    wh_conn *c = NULL;
    wh_err rc = read_slice(r, &c, &venture_id, &day, e);
    if (rc == WH_OK)
        rc = wh_incentives_commit(c, &r->arena, venture_id, day, r->user.id, r->id, r->now_ms, &res,
                                  e);
    if (rc != WH_OK)
        return rc;
    return wh_resp_json(r, 200,
                        json_pack("{s:I, s:s, s:I, s:I, s:I}", "venture_id", (json_int_t)venture_id,
                                  "date", day, "users", (json_int_t)res.users, "total_cents",
                                  (json_int_t)res.total_cents, "replaced",
                                  (json_int_t)res.replaced));
}

/* ----------------------------------------------------------------- daily */

static wh_err daily_filter(wh_req *r, wh_inc_daily_filter *f, wh_error *e)
{
    bool bad = false;
    f->from = day_query(r, "from", &bad, e);
    f->to = day_query(r, "to", &bad, e);
    if (f->from && f->to && strcmp(f->from, f->to) > 0) {
        bad = true;
        (void)wh_error_field(e, "to", "must not be before from");
    }
    return bad ? WH_ERR_INVALID : WH_OK;
}

/* ?limit and ?cursor of a daily list, whose cursor key must be a day, and ?from and ?to. */
static wh_err daily_page(wh_req *r, const wh_list *l, wh_page *pg, wh_inc_daily_filter *f,
                         wh_error *e)
{
    wh_err rc = wh_page_parse(r, l, pg, e);
    if (rc == WH_OK && pg->ks.after && !is_day(pg->ks.key))
        rc = wh_fail(e, WH_ERR_BAD_CURSOR, "The cursor was not issued for this list.");
    return rc == WH_OK ? daily_filter(r, f, e) : rc;
}

static wh_err daily_answer(wh_req *r, wh_conn *c, const wh_page *pg, const wh_inc_daily_filter *f,
                           wh_error *e)
{
    wh_sqlb b;
    wh_incentives_daily_list_sql(&r->user, f, &pg->ks, &b);
    return wh_resp_list(r, c, pg, &b, e);
}

static wh_err daily_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_inc_daily_filter f = {0};
    bool has = false;
    wh_conn *c = NULL;
    wh_err rc = daily_page(r, &daily, &pg, &f, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "user_id", &f.user_id, &has, e);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &f.venture_id, e);
    /* everyone reads their own rows; incentives.read reads every row in scope */
    if (wh_incentives_own_rows_only(r->user.role))
        f.own_user_id = r->user.id;
    return rc == WH_OK ? daily_answer(r, c, &pg, &f, e) : rc;
}

static wh_err my_incentives(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_inc_daily_filter f = {.own_user_id = r->user.id};
    wh_conn *c = NULL;
    wh_err rc = daily_page(r, &my_daily, &pg, &f, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    return rc == WH_OK ? daily_answer(r, c, &pg, &f, e) : rc;
}

/* --------------------------------------------------------------- payouts */

static wh_err read_period(wh_req *r, int64_t *venture_id, const char **start, const char **end,
                          wh_error *e)
{
    static const char *const fields[] = {"venture_id", "period_start", "period_end", NULL};
    wh_jin j;
    int64_t days = 0;
    wh_err rc = read_body(r, fields, NULL, &j, e);
    if (rc != WH_OK)
        return rc;
    *venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    *start = day_member(&j, "period_start", true);
    *end = day_member(&j, "period_end", true);
    if (wh_jin_done(&j) != WH_OK)
        return WH_ERR_INVALID;
    if (!wh_clock_days_between(*start, *end, &days) || days < 0)
        return wh_error_field(e, "period_end", "must not be before period_start");
    if (days >= WH_INCENTIVES_PERIOD_DAYS_MAX)
        return wh_error_field(e, "period_end", "a period spans at most %d days",
                              WH_INCENTIVES_PERIOD_DAYS_MAX);
    return WH_OK;
}

static wh_err payouts_generate(wh_req *r, wh_error *e)
{
    int64_t venture_id = 0, replaced = 0;
    const char *start = NULL, *end = NULL;
    wh_inc_payout *items = NULL;
    size_t n = 0;
    wh_conn *c = NULL;
    wh_err rc = read_period(r, &venture_id, &start, &end, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, venture_id, e);
    if (rc == WH_OK)
        rc = wh_incentives_payouts_generate(c, &r->arena, venture_id, start, end, r->now_ms, &items,
                                            &n, &replaced, e);
    json_t *arr = wh_req_keep(r, json_array());
    for (size_t i = 0; rc == WH_OK && i < n; i++)
        json_array_append_new(arr, wh_incentives_payout_json(&items[i]));
    if (rc == WH_OK)
        rc = wh_audit_change(
            r, c,
            &(wh_change){"incentive_payout.generate", "incentive_payout", 0, venture_id, NULL,
                         json_pack("{s:s, s:s, s:O, s:I}", "period_start", start, "period_end", end,
                                   "items", arr, "replaced", (json_int_t)replaced)},
            e);
    return rc == WH_OK ? wh_req_commit(r, c, 200, json_pack("{s:O}", "items", arr), e) : rc;
}

static wh_err payout_move(wh_req *r, const char *from, const char *to, const char *action,
                          wh_error *e)
{
    int64_t id;
    wh_inc_payout before, after;
    wh_conn *c = NULL;
    wh_err rc = begin_on(r, &id, &c, e);
    if (rc == WH_OK)
        rc = wh_incentives_payout_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK) /* a daily commit checks the payout states under this lock */
        rc = wh_db_lock(c, wh_incentives_payout_key(before.venture_id), e);
    if (rc == WH_OK)
        rc = wh_incentives_payout_move(c, &r->arena, id, from, to, r->now_ms, &after, e);
    if (rc == WH_OK) /* PAYOUT_STATUS to the payout's user, in this transaction */
        rc = wh_notify_payout(c, &r->arena, after.user_id, strcmp(to, "PAID") == 0,
                              after.period_start, after.period_end, after.amount_cents, r->now_ms,
                              e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){action, "incentive_payout", id, after.venture_id,
                                        wh_incentives_payout_json(&before),
                                        wh_incentives_payout_json(&after)},
                           e);
}

static wh_err payout_approve(wh_req *r, wh_error *e)
{
    return payout_move(r, "CALCULATED", "APPROVED", "incentive_payout.approve", e);
}

static wh_err payout_mark_paid(wh_req *r, wh_error *e)
{
    return payout_move(r, "APPROVED", "PAID", "incentive_payout.mark_paid", e);
}

static wh_err payout_list(wh_req *r, wh_error *e)
{
    static const char *const statuses[] = {"CALCULATED", "APPROVED", "PAID", NULL};
    wh_page pg;
    wh_sqlb b;
    int64_t venture_id = 0;
    wh_conn *c = NULL;
    const char *status = wh_req_query(r, "status");
    wh_err rc = wh_page_parse(r, &payouts, &pg, e);
    if (rc == WH_OK && status && wh_incentives_name_index(statuses, status) < 0)
        rc = wh_error_field(e, "status", "must be one of CALCULATED, APPROVED, PAID");
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_incentives_payout_list_sql(&r->user, venture_id, status, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ---------------------------------------------------------------- routes */

static const wh_route routes[] = {
    {"GET", "/api/v1/incentives/plans", plan_list, WH_PERM_INCENTIVES_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/incentives/plans", plan_create, WH_PERM_INCENTIVES_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/incentives/plans/{id}", plan_get, WH_PERM_INCENTIVES_READ, WH_RATE_READ, 0,
     NULL},
    {"PATCH", "/api/v1/incentives/plans/{id}", plan_patch, WH_PERM_INCENTIVES_MANAGE, WH_RATE_WRITE,
     0, NULL},
    {"POST", "/api/v1/incentives/plans/{id}/rules", rule_create, WH_PERM_INCENTIVES_MANAGE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"PATCH", "/api/v1/incentives/rules/{id}", rule_patch, WH_PERM_INCENTIVES_MANAGE, WH_RATE_WRITE,
     0, NULL},
    {"DELETE", "/api/v1/incentives/rules/{id}", rule_delete, WH_PERM_INCENTIVES_MANAGE,
     WH_RATE_WRITE, 0, NULL},
    {"POST", "/api/v1/incentives/preview", preview, WH_PERM_INCENTIVES_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"POST", "/api/v1/incentives/commit", commit, WH_PERM_INCENTIVES_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/incentives/daily", daily_list, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV,
     &wh_incentives_rule_own_rows},
    {"GET", "/api/v1/me/incentives", my_incentives, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"POST", "/api/v1/incentives/payouts/generate", payouts_generate, WH_PERM_INCENTIVES_MANAGE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/incentives/payouts", payout_list, WH_PERM_INCENTIVES_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/incentives/payouts/{id}/approve", payout_approve, WH_PERM_PAYOUTS_APPROVE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"POST", "/api/v1/incentives/payouts/{id}/mark-paid", payout_mark_paid, WH_PERM_PAYOUTS_APPROVE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
};

const wh_route *wh_incentives_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
