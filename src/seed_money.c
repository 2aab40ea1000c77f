/* The demo month's derived rows, built by the engines' own code over the work just added:
 * a demo incentive plan per venture type with a couple of rules, committed for every past day
 * by wh_incentives_commit_in_tx (the incentive_daily job's call; a day frozen by an approved
 * payout is skipped as the job skips it); the previous calendar month's payouts generated and,
 * for the freight venture, approved (as POST /incentives/payouts/... would); the KPI rows of
 * every day by wh_kpi_aggregate (the kpi_aggregation job's call).
 *
 * The job runs (wh_seed_month_jobs) come after the month's transaction, through the runner:
 * kpi_aggregation and incentive_daily for yesterday, SUCCEEDED; and first a kpi_aggregation
 * run that an instance left RUNNING when it stopped (its lease expired hours ago), which the
 * runner's next start closes as FAILED with its own error text, the way a crashed instance's
 * run ends up in the log. */
#include "seed_int.h"
#include "core/clock.h"
#include "incentives/incentives.h"
#include "jobs/jobs.h"
#include "kpi/kpi.h"
#include "tasks/tasks.h"

#include <stdio.h>
#include <string.h>

#define PLAN_NAME "Demo daily incentives"

typedef struct {
    wh_inc_metric metric;
    wh_inc_calc calc;
    int64_t rate_bp, rate_cents, threshold, bonus;
} rule_spec;

static const struct {
    const char *code;
    rule_spec rules[2];
} plans[] = {
    {"FRT",
     {{WH_INC_LOADS_MARGIN_CENTS, WH_INC_PERCENT_OF_METRIC, 500, 0, 0, 0},
      {WH_INC_LOADS_COMPLETED, WH_INC_BONUS_ON_TARGET, 0, 0, 2, 2500}}},
    {"BPO",
     {{WH_INC_BPO_DEALS, WH_INC_CURRENCY_PER_UNIT, 0, 1500, 0, 0},
      {WH_INC_BPO_CONNECTS, WH_INC_BONUS_ON_TARGET, 0, 0, 10, 1000}}},
    {"HTL",
     {{WH_INC_HOTEL_REVIEWS_RESPONDED, WH_INC_CURRENCY_PER_UNIT, 0, 300, 0, 0},
      {WH_INC_HOTEL_REVIEWS_RESPONDED, WH_INC_BONUS_ON_TARGET, 0, 0, 3, 1500}}},
};
#define NPLANS (sizeof plans / sizeof plans[0])

static wh_err add_rule(wh_seed_month *sm, const wh_inc_plan *pl, const rule_spec *s, wh_error *e)
{
    wh_inc_rule in = {.plan_id = pl->id,
                      .venture_id = pl->venture_id,
                      .metric = s->metric,
                      .calc = s->calc,
                      .enabled = true,
                      .has_rate_bp = s->calc == WH_INC_PERCENT_OF_METRIC,
                      .rate_bp = s->rate_bp,
                      .has_rate_cents = s->calc == WH_INC_CURRENCY_PER_UNIT,
                      .rate_cents = s->rate_cents,
                      .has_threshold = s->calc == WH_INC_BONUS_ON_TARGET,
                      .threshold = s->threshold,
                      .has_bonus = s->calc == WH_INC_BONUS_ON_TARGET,
                      .bonus_cents = s->bonus},
                out;
    wh_err rc = wh_incentives_rule_check(&in, e);
    if (rc == WH_OK)
        rc = wh_incentives_rule_create(sm->c, sm->a, &in, sm->now, &out, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, 0, "incentive_rule.create", "incentive_rule", out.id, pl->venture_id,
                           NULL, wh_incentives_rule_json(&out), sm->now, e);
    return rc;
}

/* The venture's demo plan, created (effective from the window's first day) when missing. */
static wh_err plan(wh_seed_month *sm, size_t i, int64_t *venture, wh_error *e)
{
    int64_t have = 0;
    wh_err rc = wh_seed_id_of(sm->c, sm->a, "SELECT id FROM ventures WHERE code = $1",
                              plans[i].code, venture, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a,
                           "SELECT p.id FROM incentive_plans p JOIN ventures v ON v.id ="
                           " p.venture_id WHERE v.code = $1 AND p.name = '" PLAN_NAME "'",
                           plans[i].code, &have, e);
    if (rc != WH_OK || have)
        return rc;
    wh_inc_plan_input in = {.venture_id = *venture, .name = PLAN_NAME, .effective_from = sm->first};
    wh_inc_plan pl;
    rc = wh_incentives_plan_create(sm->c, sm->a, &in, sm->now, &pl, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, 0, "incentive_plan.create", "incentive_plan", pl.id, *venture, NULL,
                           wh_incentives_plan_json(&pl, NULL, 0), sm->now, e);
    for (int k = 0; rc == WH_OK && k < 2; k++)
        rc = add_rule(sm, &pl, &plans[i].rules[k], e);
    return rc;
}

/* Commits every past day from redo_from; a frozen day (approved payout) is left alone. */
static wh_err commit_days(wh_seed_month *sm, int64_t venture, wh_error *e)
{
    char day[11];
    snprintf(day, sizeof day, "%s", sm->redo_from);
    wh_err rc = WH_OK;
    while (rc == WH_OK && strcmp(day, sm->today) < 0) {
        wh_inc_commit_result res = {0};
        wh_error one;
        wh_error_init(&one);
        rc = wh_incentives_commit_in_tx(sm->c, sm->a, venture, day, 0, WH_SEED_REQUEST_ID, sm->now,
                                        &res, &one);
        if (rc != WH_OK && res.period_locked)
            rc = WH_OK;
        else if (rc != WH_OK)
            *e = one;
        (void)wh_clock_day_add(day, 1, day, sizeof day);
    }
    return rc;
}

/* The previous calendar month's payouts, once; approved for the freight venture. */
static wh_err payouts(wh_seed_month *sm, int64_t venture, bool approve, wh_error *e)
{
    char start[11], end[11];
    int64_t have = 0;
    snprintf(start, sizeof start, "%.8s01", sm->today);
    (void)wh_clock_day_add(start, -1, end, sizeof end);
    snprintf(start, sizeof start, "%.8s01", end);
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(sm->c, sm->a,
                            "SELECT COUNT(*) FROM incentive_payouts WHERE venture_id = $1 AND"
                            " period_end >= $2",
                            WH_ARGS(WH_PI(venture), WH_PT(start)), &r, e);
    have = rc == WH_OK ? wh_rows_int(r, 0, 0) : 0;
    if (rc != WH_OK || have || strcmp(end, sm->first) < 0)
        return rc;
    wh_inc_payout *items = NULL, moved;
    size_t n = 0;
    int64_t replaced = 0;
    rc = wh_incentives_payouts_generate(sm->c, sm->a, venture, start, end, sm->now, &items, &n,
                                        &replaced, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, 0, "incentive_payout.generate", "incentive_payout", 0, venture, NULL,
                           json_pack("{s:s, s:s, s:I}", "period_start", start, "period_end", end,
                                     "items", (json_int_t)n),
                           sm->now, e);
    if (rc == WH_OK && approve)
        rc = wh_db_lock(sm->c, wh_incentives_payout_key(venture), e);
    for (size_t i = 0; rc == WH_OK && approve && i < n; i++) {
        rc = wh_incentives_payout_move(sm->c, sm->a, items[i].id, "CALCULATED", "APPROVED", sm->now,
                                       &moved, e);
        if (rc == WH_OK) /* PAYOUT_STATUS to the payout's user, as the route sends it */
            rc = wh_notify_payout(sm->c, sm->a, moved.user_id, false, moved.period_start,
                                  moved.period_end, moved.amount_cents, sm->now, e);
        if (rc == WH_OK)
            rc = wh_seed_audit(sm, 0, "incentive_payout.approve", "incentive_payout", moved.id,
                               venture, wh_incentives_payout_json(&items[i]),
                               wh_incentives_payout_json(&moved), sm->now, e);
    }
    return rc;
}

static wh_err kpis(wh_seed_month *sm, wh_error *e)
{
    char day[11];
    snprintf(day, sizeof day, "%s", sm->redo_from);
    wh_err rc = WH_OK;
    while (rc == WH_OK && strcmp(day, sm->today) <= 0) {
        wh_kpi_counts n;
        rc = wh_kpi_aggregate(sm->c, sm->a, day, 0, sm->now, &n, e);
        (void)wh_clock_day_add(day, 1, day, sizeof day);
    }
    return rc;
}

wh_err wh_seed_month_money(wh_seed_month *sm, wh_error *e)
{
    wh_err rc = kpis(sm, e);
    for (size_t i = 0; rc == WH_OK && i < NPLANS; i++) {
        int64_t venture = 0;
        rc = plan(sm, i, &venture, e);
        if (rc == WH_OK)
            rc = commit_days(sm, venture, e);
        if (rc == WH_OK)
            rc = payouts(sm, venture, strcmp(plans[i].code, "FRT") == 0, e);
    }
    return rc;
}

/* ---------------------------------------------------------------- job runs */

/* A kpi_aggregation run left RUNNING by an instance that stopped three hours ago: its lease
 * and run row as that instance wrote them. Nothing when the lease is held right now. */
static wh_err stopped_run(wh_conn *c, wh_arena *a, int64_t now, wh_error *e)
{
    static const char *const holder = "demo-instance-that-stopped";
    int64_t at = now - 3 * 3600000LL, token = 0;
    char day[11];
    wh_clock_day_of(at - 86400000LL, day, sizeof day);
    wh_err rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = wh_jobs_lease_acquire(c, a, "kpi_aggregation", holder, at, at + 600000, 0, &token, e);
    wh_job_run run = {.job = "kpi_aggregation",
                      .date = day,
                      .instance = holder,
                      .status = WH_RUN_RUNNING,
                      .fencing_token = token,
                      .started_at = at};
    if (rc == WH_OK && token)
        rc = wh_jobs_run_insert(c, a, &run, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    else
        wh_db_rollback(c);
    return rc;
}

/* One run through the runner, as `wheelhouse job run <name>` does it. */
static wh_err run_job(wh_app *app, wh_arena *a, const char *name, wh_error *e)
{
    const wh_job_def *def = wh_jobs_find(name);
    wh_job_request rq = {0};
    wh_job_run run;
    wh_conn *c = NULL;
    wh_err rc = wh_db_acquire(app->db, &c, e);
    if (rc == WH_OK)
        rc = wh_jobs_begin(app->jobs, c, a, def, &rq, wh_clock_now_ms(), &run, e);
    wh_db_release(app->db, c);
    if (rc == WH_OK)
        wh_jobs_execute(app->jobs, def, a, &run);
    if (rc == WH_ERR_CONFLICT) { /* a lease held elsewhere: that run is in the log */
        wh_error_init(e);
        rc = WH_OK;
    }
    return rc;
}

wh_err wh_seed_month_jobs(wh_app *app, int64_t now, wh_error *e)
{
    wh_arena a;
    wh_conn *c = NULL;
    wh_arena_init(&a);
    wh_err rc = wh_db_acquire(app->db, &c, e);
    if (rc == WH_OK)
        rc = stopped_run(c, &a, now, e);
    wh_db_release(app->db, c);
    if (rc == WH_OK)
        rc = run_job(app, &a, "kpi_aggregation", e);
    if (rc == WH_OK)
        rc = run_job(app, &a, "incentive_daily", e);
    if (rc == WH_OK) /* the automatic tasks of the demo month's gaps (missed EODs, disputes) */
        rc = run_job(app, &a, "task_rules", e);
    wh_arena_cleanup(&a);
    return rc;
}
