/* The demo month's SaaS and holdings ventures.
 *
 * SaaS (SAAS, "Ledgerly"): 40 customers whose subscriptions start over the window, a few of
 * them expanded, contracted or cancelled later, and two cancelled ones coming back. Each
 * customer's plan is a fixed function of its number and each action of its start day, so the
 * same day gets the same writes on every database. Every write is the store call of its route:
 * the customer lock, the subscription write, wh_saas_write_event (the server decides the event
 * type) and the route's audit entry, by the FINANCE demo user; the KPI rows are then built by
 * wh_kpi_aggregate with the other types' (seed_money.c).
 *
 * Holdings (HLD, "Northstar Holdings"): an office building, two vehicles and an index fund with
 * a valuation on the first of every month and on the window's first day, and three bank
 * accounts with a balance every Friday, by the ACCOUNTING demo user. */
#include "seed_int.h"
#include "core/clock.h"
#include "holdings/holdings.h"
#include "saas/saas.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- SaaS */

#define NCUSTOMERS 40

static const char *const first_names[] = {"Acorn", "Bluebird", "Cedar",  "Driftwood", "Elm",
                                          "Fjord", "Granite",  "Harbor", "Iris",      "Juniper"};
static const char *const last_names[] = {"Dental Group", "Bookkeeping", "Architects", "Logistics"};
static const struct {
    const char *name;
    int64_t cents; /* a seat's monthly price */
} plans[] = {{"Starter", 4900}, {"Growth", 19900}, {"Business", 49900}, {"Enterprise", 150000}};
#define NPLANS ((int)(sizeof plans / sizeof plans[0]))

/* Customer i: its start day (days after the window's first), plan and seats. */
typedef struct {
    int64_t start;
    int plan;
    int64_t seats;
} customer_plan;

static customer_plan plan_of(int i)
{
    char key[16];
    snprintf(key, sizeof key, "saas-%d", i);
    wh_seed_rng r = wh_seed_rng_for(key, 500);
    int64_t t = wh_seed_rng_range(&r, 0, 19); /* 9 in 20 Starter, 7 Growth, 3 Business, 1 Ent. */
    customer_plan p = {.start = i * 58 / (NCUSTOMERS - 1),
                       .plan = t < 9    ? 0
                               : t < 16 ? 1
                               : t < 19 ? 2
                                        : 3};
    if (i % 10 == 7 && p.plan == 0)
        p.plan = 1; /* the customers that contract later have somewhere to go down to */
    p.seats = p.plan == 1 || p.plan == 2 ? wh_seed_rng_range(&r, 1, 3) : 1;
    return p;
}

/* What happens to customer i on day d of the window (days after its first). */
enum { NOTHING, START, EXPAND, CONTRACT, CHURN, REACTIVATE };

static int action_of(int i, int64_t d)
{
    int64_t s = plan_of(i).start;
    if (d == s)
        return START;
    if (i % 6 == 1 && d == s + 14)
        return EXPAND; /* up one plan */
    if (i % 10 == 7 && d == s + 18)
        return CONTRACT;
    if (i % 8 == 5 && d == s + 21)
        return CHURN;
    if (i % 16 == 5 && d == s + 28)
        return REACTIVATE; /* back on Starter */
    return NOTHING;
}

typedef struct {
    wh_seed_month *sm;
    int64_t venture, actor;
} saas_ctx;

static wh_err audit_sub(saas_ctx *x, const char *action, const wh_saas_sub *before,
                        const wh_saas_sub *after, int64_t at, wh_error *e)
{
    return wh_seed_audit(x->sm, x->actor, action, "saas_subscription", after->id, x->venture,
                         before ? wh_saas_sub_json(before) : NULL, wh_saas_sub_json(after), at, e);
}

/* The customer of number i, made on its start day (POST /saas/customers). */
static wh_err customer(saas_ctx *x, int i, bool make, int64_t at, wh_saas_customer *out,
                       bool *found, wh_error *e)
{
    wh_seed_month *sm = x->sm;
    char code[16];
    snprintf(code, sizeof code, "LDG-%03d", i + 1);
    int64_t id = 0;
    wh_err rc = wh_seed_id_in(sm->c, sm->a,
                              "SELECT id FROM saas_customers WHERE venture_id = $1 AND code = $2",
                              x->venture, code, &id, e);
    *found = rc == WH_OK && id;
    if (rc == WH_OK && *found)
        return wh_saas_customer_lock(sm->c, sm->a, &sm->root, id, out, e);
    if (rc != WH_OK || !make)
        return rc;
    const char *name = wh_arena_printf(sm->a, "%s %s", first_names[i % 10], last_names[i / 10 % 4]);
    wh_saas_customer_input in = {
        .venture_id = x->venture,
        .name = name,
        .code = code,
        .email = wh_arena_printf(sm->a, "billing@%s-%d.example", first_names[i % 10], i + 1),
        .has_email = true};
    for (char *p = (char *)in.email; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
    rc = wh_saas_customer_create(sm->c, sm->a, &in, at, out, e);
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, x->actor, "saas_customer.create", "saas_customer", out->id,
                           x->venture, NULL, wh_saas_customer_json(out), at, e);
    if (rc == WH_OK)
        rc = wh_saas_customer_lock(sm->c, sm->a, &sm->root, out->id, out, e);
    *found = rc == WH_OK;
    return rc;
}

/* POST /saas/subscriptions: a new subscription of the customer and its NEW or REACTIVATION. */
static wh_err subscribe(saas_ctx *x, const wh_saas_customer *cu, int plan, int64_t seats,
                        const char *day, int64_t at, wh_error *e)
{
    wh_seed_month *sm = x->sm;
    wh_saas_sub in = {.venture_id = x->venture,
                      .customer_id = cu->id,
                      .plan_name = plans[plan].name,
                      .mrr_cents = plans[plan].cents * seats,
                      .started_on = day},
                s;
    wh_err rc = wh_saas_sub_create(sm->c, sm->a, &in, at, &s, e);
    if (rc == WH_OK)
        rc = wh_saas_write_event(sm->c, sm->a, cu, s.id, day, s.mrr_cents, x->actor, at, e);
    return rc == WH_OK ? audit_sub(x, "saas_subscription.create", NULL, &s, at, e) : rc;
}

/* POST /saas/subscriptions/{id}/change or /cancel on the customer's active subscription. */
static wh_err move(saas_ctx *x, const wh_saas_customer *cu, int action, const char *day, int64_t at,
                   wh_error *e)
{
    wh_seed_month *sm = x->sm;
    wh_saas_sub before, next, after;
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(sm->c, sm->a,
                            "SELECT id FROM saas_subscriptions WHERE customer_id = $1 AND"
                            " status = 'ACTIVE' ORDER BY id DESC LIMIT 1",
                            WH_ARGS(WH_PI(cu->id)), &r, e);
    if (rc != WH_OK || wh_rows_count(r) == 0)
        return rc;
    rc = wh_saas_sub_get(sm->c, sm->a, &sm->root, wh_rows_int(r, 0, 0), &before, e);
    if (rc != WH_OK)
        return rc;
    next = before;
    int p = 0;
    while (p + 1 < NPLANS && strcmp(plans[p].name, before.plan_name) != 0)
        p++;
    if (action == CHURN) {
        next.status = "CANCELLED";
        next.cancelled_on = day;
    } else {
        /* expansion: the plan above (a seat more on the top plan); contraction: a seat less,
         * or the plan below with one seat */
        int64_t seats = before.mrr_cents / plans[p].cents;
        int to = p;
        if (action == EXPAND && p + 1 < NPLANS)
            to = p + 1;
        else if (action == EXPAND)
            seats++;
        else if (seats > 1)
            seats--;
        else if (p > 0)
            to = p - 1;
        next.plan_name = plans[to].name;
        next.mrr_cents = plans[to].cents * (seats > 0 ? seats : 1);
    }
    int64_t delta = action == CHURN ? -before.mrr_cents : next.mrr_cents - before.mrr_cents;
    rc = wh_saas_write_event(sm->c, sm->a, cu, before.id, day, delta, x->actor, at, e);
    if (rc == WH_OK)
        rc = wh_saas_sub_save(sm->c, sm->a, &next, at, &after, e);
    if (rc == WH_OK)
        rc = audit_sub(x, action == CHURN ? "saas_subscription.cancel" : "saas_subscription.change",
                       &before, &after, at, e);
    return rc;
}

static wh_err saas_day(saas_ctx *x, int k, wh_error *e)
{
    wh_seed_month *sm = x->sm;
    int64_t d = 0;
    wh_err rc = WH_OK;
    if (!wh_clock_days_between(sm->first, sm->days[k], &d))
        return WH_OK;
    for (int i = 0; rc == WH_OK && i < NCUSTOMERS; i++) {
        int action = action_of(i, d);
        if (action == NOTHING)
            continue;
        int64_t at = wh_seed_at(sm, k, 9 * 60 + i * 11);
        at = at < sm->now ? at : sm->now;
        wh_saas_customer cu;
        bool found = false;
        rc = customer(x, i, action == START, at, &cu, &found, e);
        if (rc != WH_OK || !found)
            continue;
        customer_plan p = plan_of(i);
        if (action == START || action == REACTIVATE)
            rc = subscribe(x, &cu, action == START ? p.plan : 0, action == START ? p.seats : 1,
                           sm->days[k], at, e);
        else
            rc = move(x, &cu, action, sm->days[k], at, e);
    }
    return rc;
}

/* ------------------------------------------------------------- holdings */

static const struct {
    const char *kind, *name, *acquired_on, *notes;
    int64_t cost_cents, monthly_bp; /* the value's move a month, basis points */
} assets[] = {
    {"PROPERTY", "Lakeview office building", "2019-06-14",
     "Four floors, 38,000 sq ft; two tenants on leases to 2029.", 245000000, 35},
    {"VEHICLE", "Ford F-150 XLT (company truck)", "2024-03-02", NULL, 5480000, -140},
    {"VEHICLE", "Tesla Model Y (executive car)", "2025-01-20", NULL, 4799000, -160},
    {"INVESTMENT", "Vanguard Total Market index fund", "2022-09-30",
     "Brokerage account at Fidelity; dividends reinvested.", 60000000, 70},
};
#define NASSETS (sizeof assets / sizeof assets[0])

static const struct {
    const char *name, *institution, *last4;
    int64_t base, swing; /* cents */
} accounts[] = {
    {"Operating account", "JPMorgan Chase", "4821", 18400000, 3500000},
    {"Payroll account", "JPMorgan Chase", "7730", 6200000, 2000000},
    {"Reserve savings", "Wells Fargo", "1195", 50000000, 400000},
};
#define NACCOUNTS (sizeof accounts / sizeof accounts[0])

typedef struct {
    wh_seed_month *sm;
    int64_t venture, actor;
    int64_t asset[NASSETS], account[NACCOUNTS];
} hold_ctx;

static wh_err ensure_holdings(hold_ctx *h, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < NASSETS; i++) {
        rc = wh_seed_id_in(sm->c, sm->a,
                           "SELECT id FROM holding_assets WHERE venture_id = $1 AND name = $2",
                           h->venture, assets[i].name, &h->asset[i], e);
        if (rc != WH_OK || h->asset[i])
            continue;
        wh_hold_asset_input in = {.venture_id = h->venture,
                                  .cost_cents = assets[i].cost_cents,
                                  .kind = assets[i].kind,
                                  .name = assets[i].name,
                                  .acquired_on = assets[i].acquired_on,
                                  .notes = assets[i].notes,
                                  .has_cost = true,
                                  .has_notes = assets[i].notes != NULL};
        wh_hold_asset out;
        rc = wh_hold_asset_create(sm->c, sm->a, &in, sm->now, &out, e);
        if (rc == WH_OK)
            rc = wh_seed_audit(sm, h->actor, "holding_asset.create", "holding_asset", out.id,
                               h->venture, NULL, wh_hold_asset_json(&out), sm->now, e);
        h->asset[i] = out.id;
    }
    for (size_t i = 0; rc == WH_OK && i < NACCOUNTS; i++) {
        rc = wh_seed_id_in(sm->c, sm->a,
                           "SELECT id FROM bank_accounts WHERE venture_id = $1 AND name = $2",
                           h->venture, accounts[i].name, &h->account[i], e);
        if (rc != WH_OK || h->account[i])
            continue;
        wh_hold_account_input in = {.venture_id = h->venture,
                                    .name = accounts[i].name,
                                    .institution = accounts[i].institution,
                                    .last4 = accounts[i].last4};
        wh_hold_account out;
        rc = wh_hold_account_create(sm->c, sm->a, &in, sm->now, &out, e);
        if (rc == WH_OK)
            rc = wh_seed_audit(sm, h->actor, "bank_account.create", "bank_account", out.id,
                               h->venture, NULL, wh_hold_account_json(&out), sm->now, e);
        h->account[i] = out.id;
    }
    return rc;
}

/* PUT /holdings/assets/{id}/valuations/{day} or /bank-accounts/{id}/balances/{day}. */
static wh_err put_dated(hold_ctx *h, wh_hold_dated_kind kind, int64_t parent, const char *day,
                        int64_t cents, const char *note, int64_t at, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    wh_hold_dated in = {.kind = kind,
                        .parent_id = parent,
                        .venture_id = h->venture,
                        .date = day,
                        .note = note,
                        .value_cents = cents,
                        .created_by = h->actor},
                  before, after;
    bool found = false;
    wh_err rc = wh_hold_dated_get(sm->c, sm->a, kind, parent, day, &before, &found, e);
    if (rc == WH_OK)
        rc = wh_hold_dated_put(sm->c, sm->a, &in, at, &after, e);
    bool v = kind == WH_HOLD_VALUATION;
    if (rc == WH_OK)
        rc = wh_seed_audit(sm, h->actor, v ? "holding_valuation.put" : "bank_balance.put",
                           v ? "holding_valuation" : "bank_balance", parent, h->venture,
                           found ? wh_hold_dated_json(&before) : NULL, wh_hold_dated_json(&after),
                           at, e);
    return rc;
}

/* Whole months from acquired_on's month to day's month. */
static int64_t months_between(const char *from, const char *day)
{
    int fy = 0, fm = 0, fd = 0, dy = 0, dm = 0, dd = 0;
    (void)wh_clock_parse_date(from, &fy, &fm, &fd);
    (void)wh_clock_parse_date(day, &dy, &dm, &dd);
    return (int64_t)(dy * 12 + dm) - (fy * 12 + fm);
}

static wh_err holdings_day(hold_ctx *h, int k, wh_error *e)
{
    wh_seed_month *sm = h->sm;
    const char *day = sm->days[k];
    int64_t at = wh_seed_at(sm, k, 10 * 60);
    at = at < sm->now ? at : sm->now;
    wh_err rc = WH_OK;
    bool monthly = strcmp(day + 8, "01") == 0 || strcmp(day, sm->first) == 0;
    for (size_t i = 0; rc == WH_OK && monthly && i < NASSETS; i++) {
        wh_seed_rng r = wh_seed_rng_for(day, 600 + i);
        int64_t m = months_between(assets[i].acquired_on, day);
        int64_t bp = 10000 + assets[i].monthly_bp * m + wh_seed_rng_range(&r, -60, 60);
        bp = bp < 3000 ? 3000 : bp;
        int64_t value = assets[i].cost_cents / 10000 * bp / 100 * 100; /* whole dollars */
        rc = put_dated(h, WH_HOLD_VALUATION, h->asset[i], day, value,
                       i == 0 ? "Broker's opinion of value" : NULL, at, e);
    }
    bool weekly = wh_seed_weekday(day) == 4;
    for (size_t i = 0; rc == WH_OK && weekly && i < NACCOUNTS; i++) {
        wh_seed_rng r = wh_seed_rng_for(day, 700 + i);
        int64_t d = 0;
        (void)wh_clock_days_between(sm->first, day, &d);
        int64_t cents = accounts[i].base + (i == 2 ? d * 4000 : 0) +
                        wh_seed_rng_range(&r, -accounts[i].swing, accounts[i].swing);
        rc = put_dated(h, WH_HOLD_BALANCE, h->account[i], day, cents / 100 * 100 + 37, NULL, at, e);
    }
    return rc;
}

/* ------------------------------------------------------------------ both */

wh_err wh_seed_month_saas(wh_seed_month *sm, wh_error *e)
{
    static const char *const sql = "SELECT id FROM ventures WHERE code = $1";
    static const char *const users = "SELECT id FROM users WHERE email = $1";
    saas_ctx x = {.sm = sm};
    hold_ctx h = {.sm = sm};
    wh_err rc = wh_seed_id_of(sm->c, sm->a, sql, "SAAS", &x.venture, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, users, "finance@demo.wheelhouse.test", &x.actor, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, sql, "HLD", &h.venture, e);
    if (rc == WH_OK)
        rc = wh_seed_id_of(sm->c, sm->a, users, "accounting@demo.wheelhouse.test", &h.actor, e);
    if (rc == WH_OK && h.venture)
        rc = ensure_holdings(&h, e);
    for (int k = 0; rc == WH_OK && k < sm->ndays; k++) {
        if (x.venture)
            rc = saas_day(&x, k, e);
        if (rc == WH_OK && h.venture)
            rc = holdings_day(&h, k, e);
    }
    return rc;
}
