/* The demo month's BPO floor and end-of-day reports.
 *
 * BPO: two campaigns; the demo EMPLOYEE and TEAM_LEAD and four generated agents
 * (agent1..4@demo.wheelhouse.test, EMPLOYEE, password as every demo user) work weekdays, each
 * logging 10-16 calls a day as POST /bpo/calls would (the agent's own call, its audit entry,
 * BPO_CALL_COMPLETED): about 70% connect, some set appointments, a few win deals.
 *
 * EOD: the demo users with a daily desk (EMPLOYEE, TEAM_LEAD, DISPATCHER, OFFICE_MANAGER, CSR)
 * and the agents report on weekdays at about 17:00, skipping about one day in eight (each
 * reporter at least one day in thirteen, so every one has gaps), with the
 * events of PUT /eod (EOD_REPORT_SUBMITTED; PERFECT_WEEK_EOD on a week's fifth report). */
#include "seed_int.h"
#include "bpo/bpo.h"
#include "core/clock.h"
#include "eod/eod.h"

#include <stdio.h>
#include <string.h>

#define NAGENTS 6

typedef struct {
    int64_t user, agent, campaign;
    wh_role role;
} agent;

static const struct {
    const char *name, *client;
} campaigns[] = {
    {"Inbound sales (demo)", "Ledgerly"},
    {"Renewals outreach (demo)", "Harbor Hotels"},
};

static wh_err campaign_id(wh_seed_month *sm, size_t i, int64_t *id, wh_error *e)
{
    wh_err rc = wh_seed_id_of(sm->c, sm->a,
                              "SELECT cp.id FROM bpo_campaigns cp JOIN ventures v ON v.id ="
                              " cp.venture_id WHERE v.code = 'BPO' AND cp.name = $1",
                              campaigns[i].name, id, e);
    if (rc != WH_OK || *id)
        return rc;
    wh_bpo_campaign_input in = {.venture_id = sm->bpo,
                                .name = campaigns[i].name,
                                .client_name = campaigns[i].client,
                                .has_client = true};
    wh_bpo_campaign out;
    rc = wh_bpo_campaign_create(sm->c, sm->a, &in, sm->now, &out, e);
    *id = out.id;
    return rc;
}

/* The agent row of g->user in the BPO venture, created on g->campaign when missing. */
static wh_err agent_row(wh_seed_month *sm, agent *g, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(sm->c, sm->a,
                            "SELECT id, COALESCE(campaign_id, 0) FROM bpo_agents WHERE"
                            " venture_id = $1 AND user_id = $2",
                            WH_ARGS(WH_PI(sm->bpo), WH_PI(g->user)), &r, e);
    if (rc == WH_OK && wh_rows_count(r) > 0) {
        g->agent = wh_rows_int(r, 0, 0);
        g->campaign = wh_rows_int(r, 0, 1) ? wh_rows_int(r, 0, 1) : g->campaign;
        return WH_OK;
    }
    wh_bpo_agent in = {.user_id = g->user,
                       .venture_id = sm->bpo,
                       .campaign_id = g->campaign,
                       .active = true},
                 out;
    if (rc == WH_OK)
        rc = wh_bpo_agent_create(sm->c, sm->a, &in, sm->now, &out, e);
    g->agent = rc == WH_OK ? out.id : 0;
    return rc;
}

static wh_err agents(wh_seed_month *sm, agent *g, wh_error *e)
{
    static const char *const sql = "SELECT id FROM users WHERE email = $1";
    int64_t cp[2] = {0};
    wh_err rc = campaign_id(sm, 0, &cp[0], e);
    if (rc == WH_OK)
        rc = campaign_id(sm, 1, &cp[1], e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, sql, "employee@demo.wheelhouse.test", &g[0].user, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, sql, "team.lead@demo.wheelhouse.test", &g[1].user, e);
    g[0].role = WH_ROLE_EMPLOYEE;
    g[1].role = WH_ROLE_TEAM_LEAD;
    for (int i = 2; rc == WH_OK && i < NAGENTS; i++) {
        g[i].role = WH_ROLE_EMPLOYEE;
        rc = wh_seed_agent_user(sm, wh_arena_printf(sm->a, "agent%d@demo.wheelhouse.test", i - 1),
                                wh_arena_printf(sm->a, "Demo agent %d", i - 1), "BPO", &g[i].user,
                                e);
    }
    for (int i = 0; rc == WH_OK && i < NAGENTS; i++) {
        g[i].campaign = cp[i % 2];
        rc = g[i].user ? agent_row(sm, &g[i], e)
                       : wh_fail(e, WH_ERR_INTERNAL, "A demo agent user is missing.");
    }
    return rc;
}

/* Call j of agent g on day k, started at *at (moved past the call and its wrap-up). */
static wh_err call(wh_seed_month *sm, const agent *g, wh_seed_rng *r, int64_t *at, wh_error *e)
{
    wh_principal p = {.id = g->user, .role = g->role};
    bool connected = wh_seed_rng_pct(r, 70), won = connected && wh_seed_rng_pct(r, 9);
    int64_t talk = connected ? wh_seed_rng_range(r, 90, 900) : wh_seed_rng_range(r, 15, 45);
    wh_bpo_call in = {.agent_id = g->agent,
                      .venture_id = sm->bpo,
                      .campaign_id = g->campaign,
                      .started_at = *at,
                      .ended_at = *at + talk * 1000,
                      .started_day = wh_seed_day_of(sm, *at),
                      .talk_seconds = talk,
                      .dial_count = wh_seed_rng_range(r, 1, 4),
                      .connected = connected,
                      .appointment_set = connected && !won && wh_seed_rng_pct(r, 15),
                      .deal_won = won,
                      .revenue_cents = won ? wh_seed_rng_range(r, 200, 1500) * 100 : 0},
                out;
    char key[48];
    bool inserted = false;
    *at = in.ended_at + wh_seed_rng_range(r, 5, 25) * 60000;
    wh_err rc = wh_bpo_call_create(sm->c, sm->a, &p, &in, in.ended_at, &out, &inserted, e);
    if (rc == WH_OK && !inserted)
        return wh_fail(e, WH_ERR_INTERNAL, "A demo call was not inserted.");
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, g->user, "bpo_call_log.create", "bpo_call_log", out.id, sm->bpo,
                           NULL, wh_bpo_call_json(&out), in.ended_at, e);
    wh_bpo_call_event_key(out.id, key, sizeof key);
    if (rc == WH_OK)
        rc = wh_seed_publish(sm, WH_EVENT_BPO_CALL_COMPLETED, sm->bpo, 0, g->user, key,
                             out.started_day, in.ended_at, e);
    return rc;
}

wh_err wh_seed_month_bpo(wh_seed_month *sm, wh_error *e)
{
    agent g[NAGENTS] = {0};
    wh_err rc = agents(sm, g, e);
    for (int k = 0; rc == WH_OK && k < sm->ndays; k++) {
        if (wh_seed_weekday(sm->days[k]) >= 5)
            continue;
        for (int i = 0; rc == WH_OK && i < NAGENTS; i++) {
            wh_seed_rng r = wh_seed_rng_for(sm->days[k], 500 + (uint64_t)i);
            int n = wh_seed_rng_pct(&r, 5) ? 0 : (int)wh_seed_rng_range(&r, 10, 16);
            int64_t at = wh_seed_at(sm, k, wh_seed_rng_range(&r, 8 * 60 + 30, 9 * 60 + 15));
            for (int j = 0; rc == WH_OK && j < n; j++) {
                if (at + 16 * 60000 >= sm->now) /* a call still to come or under way */
                    break;
                rc = call(sm, &g[i], &r, &at, e);
            }
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- EOD */

static const struct {
    const char *email, *venture, *summary, *done;
} reporters[] = {
    {"employee@demo.wheelhouse.test", "BPO", "Inbound queue and follow-ups",
     "Worked the inbound queue; logged every call."},
    {"team.lead@demo.wheelhouse.test", "BPO", "Coached the floor, renewals calls",
     "Side-by-side coaching with two agents."},
    {"dispatcher@demo.wheelhouse.test", "FRT", "Covered the day's loads",
     "Booked carriers on the open lanes; checked calls with drivers."},
    {"office.manager@demo.wheelhouse.test", "FRT", "Office review and shipper calls",
     "Reviewed margins with the team; called two shippers."},
    {"csr@demo.wheelhouse.test", "HTL", "Guest reviews and disputes",
     "Answered the new reviews; sent folios for the open chargebacks."},
    {"agent1@demo.wheelhouse.test", "BPO", "Inbound queue", "Calls logged."},
    {"agent2@demo.wheelhouse.test", "BPO", "Renewals outreach", "Calls logged."},
    {"agent3@demo.wheelhouse.test", "BPO", "Inbound queue", "Calls logged."},
    {"agent4@demo.wheelhouse.test", "BPO", "Renewals outreach", "Calls logged."},
};

static wh_err eod_events(wh_seed_month *sm, const wh_eod_report *rep, int64_t at, wh_error *e)
{
    char monday[11], sunday[11];
    int64_t count = 0;
    wh_err rc =
        wh_seed_publish(sm, WH_EVENT_EOD_REPORT_SUBMITTED, rep->venture_id, 0, rep->user_id,
                        wh_arena_printf(sm->a, "eod:%lld", (long long)rep->id), rep->date, at, e);
    if (rc == WH_OK && wh_eod_week_of(rep->date, monday, sunday))
        rc = wh_eod_count_between(sm->c, sm->a, rep->user_id, rep->venture_id, monday, sunday,
                                  &count, e);
    if (rc != WH_OK || count != WH_EOD_PERFECT_WEEK_REPORTS)
        return rc;
    return wh_seed_publish(sm, WH_EVENT_PERFECT_WEEK_EOD, rep->venture_id, 0, rep->user_id,
                           wh_arena_printf(sm->a, "perfect_week:%lld:%lld:%s",
                                           (long long)rep->user_id, (long long)rep->venture_id,
                                           monday),
                           rep->date, at, e);
}

static wh_err report(wh_seed_month *sm, size_t u, int64_t user, int64_t venture, int k, wh_error *e)
{
    wh_seed_rng r = wh_seed_rng_for(sm->days[k], 600 + u);
    int64_t at = wh_seed_at(sm, k, wh_seed_rng_range(&r, 16 * 60 + 45, 18 * 60 + 30));
    int64_t n = 0;
    (void)wh_clock_days_between("2024-01-01", sm->days[k], &n);
    bool missed = wh_seed_rng_pct(&r, 10) || (n + (int64_t)u * 3) % 13 == 0; /* every 13th too */
    if (wh_seed_weekday(sm->days[k]) >= 5 || missed || at >= sm->now)
        return WH_OK; /* weekends, missed days, and today before the day's end */
    wh_eod_input in = {.summary = reporters[u].summary,
                       .accomplishments = reporters[u].done,
                       .blockers = wh_seed_rng_pct(&r, 15) ? "Waiting on a callback." : NULL,
                       .tomorrow_plan = "Same queue; follow up on open items.",
                       .has_hours = true,
                       .hours_hundredths = wh_seed_rng_range(&r, 30, 38) * 25};
    wh_eod_report out;
    wh_err rc = wh_eod_insert(sm->c, sm->a, user, venture, sm->days[k], &in, at, &out, e);
    if (rc == WH_OK)
        rc = eod_events(sm, &out, at, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, user, "eod_report.create", "eod_report", out.id, venture, NULL,
                           wh_eod_json(&out), at, e);
    return rc;
}

wh_err wh_seed_month_eod(wh_seed_month *sm, wh_error *e)
{
    wh_err rc = WH_OK;
    for (size_t u = 0; rc == WH_OK && u < sizeof reporters / sizeof reporters[0]; u++) {
        int64_t user = 0, venture = 0;
        rc = wh_seed_id_of(sm->c, sm->a, "SELECT id FROM users WHERE email = $1",
                           reporters[u].email, &user, e);
        if (rc == WH_OK)
            rc = wh_seed_id_of(sm->c, sm->a, "SELECT id FROM ventures WHERE code = $1",
                               reporters[u].venture, &venture, e);
        for (int k = 0; rc == WH_OK && user && venture && k < sm->ndays; k++)
            rc = report(sm, u, user, venture, k, e);
    }
    return rc;
}
