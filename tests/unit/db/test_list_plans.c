/* Every cursor list's statement seeks an index (issue 12, "list SQL built from the filters
 * present"; the load list has its own test, tests/unit/freight/test_loads_plan.c). Each listed
 * table holds 20,000 rows (analysed), spread over 20 ventures; for every list endpoint and each
 * filter alone, on page 1 and on a deep page, the plan must be an index seek read in the list's
 * order (tests/support/plans.h says what is asserted on each engine).
 *
 * Not asserted, because no index can serve them: the substring searches (GET /users?q=,
 * GET /carriers?q=: "%text%" matches anywhere in several columns; the list's own order is read
 * and the rows filtered), and the order of GET /ventures/{id}/people, which is a column of
 * users (full name) while the filter is the venture's memberships: the venture's members are
 * found by the venture_users_venture seek and sorted (a venture has tens of members). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/plans.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "bpo/bpo.h"
#include "eod/eod.h"
#include "freight/freight.h"
#include "gamification/gamification.h"
#include "holdings/holdings.h"
#include "hotels/hotels.h"
#include "imports/imports_int.h"
#include "incentives/incentives.h"
#include "integrations/integrations.h"
#include "jobs/jobs.h"
#include "saas/saas.h"
#include "tasks/tasks.h"
#include "ventures/ventures.h"

#define N(a)     (sizeof(a) / sizeof((a)[0]))
#define PAGE     51    /* a page of 50 and one more */
#define DEEP_ID  10000 /* a cursor half-way down a table */
#define DEEP_AT  (1700000000000 + DEEP_ID * 1000)
#define DEEP_DAY "D100250"
/* The keyset of page 1 (deep false) or of a page half-way down, for a list ordered by id alone,
 * by an instant, or by a text key. */
#define ID_PAGE(deep)        (&(wh_keyset){(deep), WH_KEY_ID, "", 0, DEEP_ID, PAGE})
#define AT_PAGE(deep)        (&(wh_keyset){(deep), WH_KEY_INT, "", DEEP_AT, DEEP_ID, PAGE})
#define TEXT_PAGE(deep, key) (&(wh_keyset){(deep), WH_KEY_TEXT, (key), 0, DEEP_ID, PAGE})
#define V(g)                 " 1 + " g " % 20" /* the venture of row g */

/* ids are g; created_at-like times 1700000000000 + g s; days "D" 100000 + n (text, in order). */
static const char *const fill_sql[] = {
    "INSERT INTO ventures (id, name, code, type, created_at, updated_at) SELECT g, 'V' || g,"
    " 'V' || g, 'LOGISTICS', 0, 0 FROM nums",
    "INSERT INTO users (id, email, full_name, role, active, created_at, updated_at) SELECT g,"
    " 'u' || g || '@x.test', 'U' || g, 'R' || (g % 8), g % 2 = 0, 0, 0 FROM nums",
    /* 50 members in each venture */
    "INSERT INTO venture_users (user_id, venture_id, created_at) SELECT g," V(
        "g") ", 0 FROM nums"
             " WHERE g <= 1000",
    "INSERT INTO offices (id, venture_id, name, created_at, updated_at) SELECT g," V(
        "g") ","
             " 'O' || g, 0, 0 FROM nums",
    "INSERT INTO shippers (id, venture_id, name, code, created_at, updated_at) SELECT g," V(
        "g") ","
             " 'S' || g, 'S' || g, 0, 0 FROM nums",
    "INSERT INTO carriers (id, name, legal_name, dot_number, fmcsa_status, verification,"
    " created_at, updated_at) SELECT g, 'C' || g, 'C' || g, '9' || g, CASE g % 4 WHEN 0 THEN"
    " 'ACTIVE' WHEN 1 THEN 'INACTIVE' WHEN 2 THEN 'NOT_FOUND' ELSE 'UNKNOWN' END, CASE g % 3"
    " WHEN 0 THEN 'VERIFIED' WHEN 1 THEN 'PENDING' ELSE 'NOT_FOUND' END, 0, 0 FROM nums",
    "INSERT INTO bpo_campaigns (id, venture_id, name, created_at, updated_at) SELECT g," V(
        "g") ","
             " 'K' || g, 0, 0 FROM nums",
    "INSERT INTO bpo_agents (id, user_id, venture_id, created_at, updated_at) SELECT g, g," V(
        "g") ", 0, 0 FROM nums",
    /* 1,000 agents (each its own user and campaign) with 20 calls each */
    "INSERT INTO bpo_call_logs (id, agent_id, user_id, venture_id, campaign_id, started_at,"
    " started_day, created_by, created_at, connected, deal_won) SELECT g, 1 + g % 1000, 1 + g %"
    " 1000," V("(1 + g % 1000)") ", 1 + g % 1000, 1700000000000 + g * 1000, 'D' || (100000 + g /"
                                 " 20), 1, 0, g % 2 = 0, g % 10 = 0 FROM nums",
    "INSERT INTO hotels (id, venture_id, name, code, rooms, created_at, updated_at) SELECT g," V(
        "g") ", 'H' || g, 'H' || g, 100, 0, 0 FROM nums",
    /* 20 hotels with 1,000 days each */
    "INSERT INTO hotel_daily (hotel_id, venture_id, date, rooms_sold, rooms_available,"
    " room_revenue_cents, created_at, updated_at) SELECT 1 + g % 20," V(
        "(1 + g % 20)") ", 'D' ||"
                        " (100000 + g / 20), 1, 100, 1, 0, 0 FROM nums",
    /* reviews and disputes: 20 for each of 1,000 hotels */
    "INSERT INTO hotel_reviews (id, hotel_id, venture_id, source, rating, review_date, created_at,"
    " updated_at) SELECT g, 1 + g % 1000," V(
        "(1 + g % 1000)") ", 'GOOGLE', 1 + g % 5, 'D' ||"
                          " (100000 + g / 1000), 0, 0 FROM nums",
    "INSERT INTO hotel_disputes (id, hotel_id, venture_id, type, amount_cents, created_at,"
    " updated_at) SELECT g, 1 + g % 1000," V("(1 + g % 1000)") ", 'CHARGEBACK', 1, 0, 0 FROM nums",
    "INSERT INTO eod_reports (id, user_id, venture_id, report_date, summary, created_at,"
    " updated_at) SELECT g, g," V("g") ", 'D' || (100000 + g % 1000), 'S', 0, 0 FROM nums",
    "INSERT INTO gamification_events (id, user_id, venture_id, event_type, points,"
    " idempotency_key, event_day, created_at) SELECT g, g," V(
        "g") ", 'X', 1, 'k' || g, 'D',"
             " 1700000000000 + g * 1000 FROM nums",
    "INSERT INTO incentive_plans (id, venture_id, name, effective_from, created_at, updated_at)"
    " SELECT g," V("g") ", 'P' || g, '2026-01-01', 0, 0 FROM nums",
    "INSERT INTO incentive_daily (id, user_id, venture_id, day, amount_cents, breakdown,"
    " created_at) SELECT g, g," V("g") ", 'D' || (100000 + g % 1000), 1, '[]', 0 FROM nums",
    "INSERT INTO incentive_payouts (id, user_id, venture_id, period_start, period_end,"
    " amount_cents, status, breakdown, created_at, updated_at) SELECT g, g," V(
        "g") ", 'P', 'P',"
             " 1, CASE g % 3 WHEN 0 THEN 'CALCULATED' WHEN 1 THEN 'APPROVED' ELSE 'PAID' END, "
             "'[]', 0, 0"
             " FROM nums",
    "INSERT INTO job_runs (id, job, run_date, instance, status, started_at) SELECT g, 'job' ||"
    " (g % 10), 'D', 'i', CASE g % 4 WHEN 0 THEN 'RUNNING' WHEN 1 THEN 'SUCCEEDED' WHEN 2 THEN"
    " 'FAILED' ELSE 'PARTIAL' END, g FROM nums",
    "INSERT INTO outbox (id, channel, recipient, body, status, next_attempt_at, created_at)"
    " SELECT g, 'EMAIL', 'r@x.test', 'b', CASE g % 4 WHEN 0 THEN 'PENDING' WHEN 1 THEN 'SENT'"
    " WHEN 2 THEN 'FAILED' ELSE 'DEAD' END, 0, 0 FROM nums",
    "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, venture_id) SELECT g, g,"
    " 1 + g % 200, 'a' || (g % 10), 'e' || (g % 10), g % 1000," V("g") " FROM nums",
    /* SaaS and holdings: 1,000 customers, assets and accounts with 20 dated values each */
    "INSERT INTO saas_customers (id, venture_id, name, code, active, created_at, updated_at)"
    " SELECT g," V("g") ", 'N' || g, 'C' || g, g % 2 = 0, 0, 0 FROM nums",
    "INSERT INTO saas_subscriptions (id, venture_id, customer_id, plan_name, mrr_cents,"
    " started_on, status, created_at, updated_at) SELECT g," V(
        "g") ", g, 'P', 100, 'D1',"
             " CASE g % 2 WHEN 0 THEN 'ACTIVE' ELSE 'CANCELLED' END, 0, 0 FROM nums",
    "INSERT INTO saas_events (id, venture_id, customer_id, subscription_id, type, effective_on,"
    " mrr_delta_cents, customer_mrr_before_cents, customer_mrr_after_cents, created_at) SELECT "
    "g," V(
        "(1 + g % 1000)") ", 1 + g % 1000, g, CASE g % 5 WHEN 0 THEN 'NEW' WHEN 1 THEN 'EXPANSION'"
                          " WHEN 2 THEN 'CONTRACTION' WHEN 3 THEN 'CHURN' ELSE 'REACTIVATION' END, "
                          "'D' || (100000 + g"
                          " / 20), 1, 0, 1, 0 FROM nums",
    "INSERT INTO holding_assets (id, venture_id, kind, name, acquired_on, cost_cents, created_at,"
    " updated_at) SELECT g," V("g") ", CASE g % 5 WHEN 0 THEN 'PROPERTY' WHEN 1 THEN 'VEHICLE'"
                                    " WHEN 2 THEN 'EQUIPMENT' WHEN 3 THEN 'INVESTMENT' ELSE "
                                    "'OTHER' END, 'A' || g, 'D1', 1, 0, 0"
                                    " FROM nums",
    "INSERT INTO holding_valuations (id, asset_id, venture_id, day, value_cents, updated_at)"
    " SELECT g, 1 + g % 1000," V("(1 + g % 1000)") ", 'D' || (100000 + g / 20), 1, 0 FROM nums",
    "INSERT INTO bank_accounts (id, venture_id, name, institution, last4, active, created_at,"
    " updated_at) SELECT g," V("g") ", 'B' || g, 'I', '1234', g % 2 = 0, 0, 0 FROM nums",
    "INSERT INTO bank_balances (id, bank_account_id, venture_id, day, balance_cents, updated_at)"
    " SELECT g, 1 + g % 1000," V("(1 + g % 1000)") ", 'D' || (100000 + g / 20), 1, 0 FROM nums",
    /* tasks: 20 per assignee, creator and link; a third of each status; every other one
     * automatic */
    "INSERT INTO tasks (id, venture_id, title, assignee_id, priority, status, rule, link_type,"
    " link_id, created_by, created_at, updated_at) SELECT g," V(
        "g") ", 'T', 1 + g % 1000,"
             " 'MEDIUM', CASE g % 3 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'DONE' ELSE 'CANCELLED' END, "
             "CASE WHEN"
             " g % 2 = 0 THEN 'MISSED_EOD' END, 'load', 1 + g % 1000, 1 + g % 997, 0, 0 FROM nums",
    /* notifications: 20 per user, half of them read */
    "INSERT INTO notifications (id, user_id, type, title, body, read_at, created_at) SELECT g,"
    " 1 + g % 1000, 'TASK_ASSIGNED', 't', 'b', CASE WHEN g % 2 = 0 THEN g END, 0 FROM nums",
    /* committed imports (issue 16): six kinds */
    "INSERT INTO imports (id, venture_id, venture_key, kind, sha256, size_bytes, rows_total,"
    " created, updated, skipped, created_by, created_at) SELECT g," V("g") "," V(
        "g") ", CASE g % 3 WHEN 0 THEN 'loads' WHEN 1 THEN 'shippers' ELSE 'carriers' END,"
             " 'h' || g, 1, 1, 1, 0, 0, 1, 0 FROM nums",
    "ANALYZE",
};

static const wh_principal all = {.id = 1, .role = WH_ROLE_CEO, .all_ventures = true};

/* Checks every case of cs (an array of structs holding a plan_case c) on page 1 and a deep
 * page; build writes the statement into b for the case x and the flag deep. */
#define CHECK_CASES(t, pg, list, cs, build)                                                        \
    for (size_t i_ = 0; i_ < N(cs); i_++)                                                          \
        for (int deep = 0; deep < 2; deep++) {                                                     \
            const __typeof__((cs)[0]) *x = &(cs)[i_];                                              \
            wh_sqlb b;                                                                             \
            build;                                                                                 \
            plan_check((t), (pg), &(list), &x->c, deep, &b);                                       \
        }

/* A member's own rows (an EMPLOYEE's calls): PostgreSQL may turn the scope probe into a join
 * from the member's few ventures and, estimating a handful of rows (the user's share times
 * the venture's), sort them; they are one person's rows, found by a seek. */
#define OWN_ROWS "one member's own rows"

#define NONE FILTER("no filter", NULL, false)
/* one row in twenty: PostgreSQL may read the list's order and filter (see plans.h) */
#define VENTURE FILTER("venture_id", "venture_id", false)

static void organisation(tempdb *t, bool pg)
{
    static const plan_list ventures = {"ventures", "ventures", "name", "name", NULL};
    static const plan_list offices = {"offices", "offices", "name", "name", NULL};
    static const plan_list people = {"venture_users", "vu", NULL, NULL, "ordered by users"};
    static const struct {
        plan_case c;
    } vcs[] = {{NONE}}, ocs[] = {{VENTURE}},
      /* the people are found through the venture's memberships, then sorted */
        pcs[] = {{FILTER("venture_id", "venture_id", true)}};
    CHECK_CASES(t, pg, ventures, vcs, wh_venture_list_sql(&all, TEXT_PAGE(deep, "V9"), &b));
    CHECK_CASES(t, pg, offices, ocs, wh_office_list_sql(3, TEXT_PAGE(deep, "O9"), &b));
    CHECK_CASES(t, pg, people, pcs, wh_venture_people_sql("u.id", 3, TEXT_PAGE(deep, "U9"), &b));
}

static void users_and_freight(tempdb *t, bool pg)
{
    static const plan_list users = {"users", "users", "rowid", "id", NULL};
    static const plan_list shippers = {"shippers", "shippers", "rowid", "id", NULL};
    static const plan_list carriers = {"carriers", "carriers", "name", "name", NULL};
    static const struct {
        plan_case c;
        wh_user_filter f;
    } ucs[] = {{NONE, {0}},
               {FILTER("role", "role", false), {.role = "R3"}},
               {FILTER("active", "active", false), {.has_active = true, .active = false}}};
    static const struct {
        plan_case c;
        int64_t venture_id;
    } scs[] = {{NONE, 0}, {VENTURE, 3}};
    static const struct {
        plan_case c;
        const char *status, *verification;
    } ccs[] = {{NONE, NULL, NULL},
               {FILTER("status", "fmcsa_status", false), "INACTIVE", NULL},
               {FILTER("verification", "verification", false), NULL, "PENDING"}};
    CHECK_CASES(t, pg, users, ucs, wh_user_list_sql(&x->f, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, shippers, scs, wh_shipper_list_sql(&all, x->venture_id, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, carriers, ccs,
                wh_carrier_list_sql(NULL, x->status, x->verification, TEXT_PAGE(deep, "C9"), &b));
}

static void bpo(tempdb *t, bool pg)
{
    static const plan_list campaigns = {"bpo_campaigns", "bpo_campaigns", "rowid", "id", NULL};
    static const plan_list agents = {"bpo_agents", "bpo_agents", "rowid", "id", NULL};
    static const plan_list calls = {"bpo_call_logs", "bpo_call_logs", "started_at", "started_at",
                                    NULL};
    static const struct {
        plan_case c;
        int64_t venture_id;
    } vcs[] = {{NONE, 0}, {VENTURE, 3}};
    static const struct {
        plan_case c;
        wh_bpo_call_filter f;
    } ccs[] = {
        {NONE, {0}},
        {VENTURE, {.venture_id = 3}},
        {FILTER("agent_id", "agent_id", true), {.agent_id = 7}},
        {FILTER("campaign_id", "campaign_id", true), {.campaign_id = 8}},
        {{"from+to", "started_day", false, DAY_RANGE}, {.from = "D100300", .to = "D100302"}},
        {FILTER("connected", "connected", false), {.has_connected = true, .connected = true}},
        {FILTER("deal_won", "deal_won", false), {.has_deal_won = true, .deal_won = true}},
    };
    CHECK_CASES(t, pg, campaigns, vcs,
                wh_bpo_campaign_list_sql(&all, x->venture_id, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, agents, vcs, wh_bpo_agent_list_sql(&all, x->venture_id, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, calls, ccs, wh_bpo_call_list_sql(&all, &x->f, AT_PAGE(deep), &b));
    /* an EMPLOYEE's own calls, in the venture's scope: the user's index */
    wh_principal own = {.id = 9, .role = WH_ROLE_EMPLOYEE, .all_ventures = false};
    static const struct {
        plan_case c;
    } ocs[] = {{{"own calls", "user_id", true, OWN_ROWS}}};
    CHECK_CASES(t, pg, calls, ocs,
                wh_bpo_call_list_sql(&own, &(wh_bpo_call_filter){0}, AT_PAGE(deep), &b));
}

static void hotels(tempdb *t, bool pg)
{
    static const plan_list hotels = {"hotels", "hotels", "rowid", "id", NULL};
    static const plan_list daily = {"hotel_daily", "hotel_daily", "date", "date", NULL};
    static const plan_list reviews = {"hotel_reviews", "hotel_reviews", "review_date",
                                      "review_date", NULL};
    static const plan_list disputes = {"hotel_disputes", "hotel_disputes", "rowid", "id", NULL};
    static const struct {
        plan_case c;
        int64_t venture_id;
    } hcs[] = {{NONE, 0}, {VENTURE, 3}};
    static const struct {
        plan_case c;
        const char *from, *to;
    } dcs[] = {{FILTER("hotel", "hotel_id", true), NULL, NULL},
               {FILTER("hotel, from+to", "date", false), "D100200", "D100300"}};
    CHECK_CASES(t, pg, hotels, hcs, wh_hotel_list_sql(&all, x->venture_id, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, daily, dcs,
                wh_hotel_daily_list_sql(&all, 4, x->from, x->to, TEXT_PAGE(deep, DEEP_DAY), &b));
    CHECK_CASES(t, pg, reviews, dcs, if (x->from) continue;
                wh_hotel_review_list_sql(&all, 4, TEXT_PAGE(deep, "D100010"), &b));
    CHECK_CASES(t, pg, disputes, dcs, if (x->from) continue;
                wh_hotel_dispute_list_sql(&all, 4, ID_PAGE(deep), &b));
}

static void people_work(tempdb *t, bool pg)
{
    static const plan_list eod = {"eod_reports", "eod_reports", "report_date", "report_date", NULL};
    static const plan_list events = {"gamification_events", "gamification_events", "created_at",
                                     "created_at", NULL};
    static const struct {
        plan_case c;
        int64_t venture_id, user_id;
        const char *from, *to;
    } cs[] = {{NONE, 0, 0, NULL, NULL},
              {VENTURE, 3, 0, NULL, NULL},
              {FILTER("user_id", "user_id", true), 0, 9, NULL, NULL},
              {FILTER("from+to", "report_date", false), 0, 0, "D100300", "D100302"}};
    CHECK_CASES(t, pg, eod, cs,
                wh_eod_list_sql(&all, &(wh_eod_filter){x->venture_id, x->user_id, x->from, x->to},
                                TEXT_PAGE(deep, "D100500"), &b));
    CHECK_CASES(t, pg, events, cs, if (x->from) continue; wh_gami_event_list_sql(
                    &all, &(wh_gami_filter){x->venture_id, x->user_id, false}, AT_PAGE(deep), &b));
}

static void incentives(tempdb *t, bool pg)
{
    static const plan_list plans = {"incentive_plans", "incentive_plans", "rowid", "id", NULL};
    static const plan_list daily = {"incentive_daily", "incentive_daily", "day", "day", NULL};
    static const plan_list payouts = {"incentive_payouts", "incentive_payouts", "rowid", "id",
                                      NULL};
    static const struct {
        plan_case c;
        wh_inc_daily_filter f;
        const char *status;
    } cs[] = {{NONE, {0}, NULL},
              {VENTURE, {.venture_id = 3}, NULL},
              {FILTER("user_id", "user_id", true), {.user_id = 9}, NULL},
              {FILTER("from+to", "day", false), {.from = "D100300", .to = "D100302"}, NULL},
              {FILTER("status", "status", false), {0}, "APPROVED"}};
    CHECK_CASES(t, pg, plans, cs, if (x->f.user_id || x->f.from || x->status) continue;
                wh_incentives_plan_list_sql(&all, x->f.venture_id, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, daily, cs, if (x->status) continue;
                wh_incentives_daily_list_sql(&all, &x->f, TEXT_PAGE(deep, "D100500"), &b));
    CHECK_CASES(t, pg, payouts, cs, if (x->f.user_id || x->f.from) continue;
                wh_incentives_payout_list_sql(&all, x->f.venture_id, x->status, ID_PAGE(deep), &b));
}

static void operations(tempdb *t, bool pg)
{
    static const plan_list runs = {"job_runs", "job_runs", "rowid", "id", NULL};
    static const plan_list outbox = {"outbox", "outbox", "rowid", "id", NULL};
    static const plan_list audit = {"audit_log", "audit_log", "rowid", "id", NULL};
    static const struct {
        plan_case c;
        const char *job, *status;
    } rcs[] = {{NONE, NULL, NULL},
               {FILTER("job", "job", false), "job3", NULL},
               {FILTER("status", "status", false), NULL, "FAILED"}};
    static const struct {
        plan_case c;
        wh_audit_filter f;
    } acs[] = {{NONE, {0}},
               {VENTURE, {.venture_id = 3}},
               {FILTER("actor_id", "actor_id", true), {.actor_id = 9}},
               {FILTER("action", "action", false), {.action = "a3"}},
               {FILTER("entity", "entity", true), {.entity = "e3", .entity_id = 3}}};
    CHECK_CASES(t, pg, runs, rcs, wh_jobs_run_list_sql(x->job, x->status, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, outbox, rcs, if (x->job) continue;
                wh_outbox_list_sql(x->status, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, audit, acs, wh_audit_list_sql(&all, &x->f, ID_PAGE(deep), &b));
    /* a member's log: the scope probe rides on the venture's index */
    wh_principal member = {.id = 2, .role = WH_ROLE_DISPATCHER, .all_ventures = false};
    CHECK_CASES(t, pg, audit, acs, if (!x->f.venture_id) continue;
                wh_audit_list_sql(&member, &x->f, ID_PAGE(deep), &b));
}

/* SaaS and holdings (issue 15). Not asserted: the customers' ?q (a substring of name or code)
 * and the assets' ?held (disposed_on null or after today: an OR no index serves); both read the
 * list's own order and filter. */
static void saas_holdings(tempdb *t, bool pg)
{
    static const plan_list customers = {"saas_customers", "saas_customers", "name", "name", NULL};
    static const plan_list subs = {"saas_subscriptions", "saas_subscriptions", "rowid", "id", NULL};
    static const plan_list events = {"saas_events", "saas_events", "effective_on", "effective_on",
                                     NULL};
    static const plan_list assets = {"holding_assets", "holding_assets", "name", "name", NULL};
    static const plan_list accounts = {"bank_accounts", "bank_accounts", "name", "name", NULL};
    static const plan_list valuations = {"holding_valuations", "holding_valuations", "day", "day",
                                         NULL};
    static const plan_list balances = {"bank_balances", "bank_balances", "day", "day", NULL};
    static const struct {
        plan_case c;
        wh_saas_customer_filter f;
    } cucs[] = {{NONE, {0}},
                {VENTURE, {.venture_id = 3}},
                {FILTER("active", "active", false), {.has_active = true, .active = true}}};
    static const struct {
        plan_case c;
        wh_saas_sub_filter f;
    } scs[] = {{NONE, {0}},
               {VENTURE, {.venture_id = 3}},
               {FILTER("customer_id", "customer_id", true), {.customer_id = 7}},
               {FILTER("status", "status", false), {.status = "ACTIVE"}}};
    static const struct {
        plan_case c;
        wh_saas_event_filter f;
    } ecs[] = {{NONE, {0}},
               {VENTURE, {.venture_id = 3}},
               {FILTER("customer_id", "customer_id", true), {.customer_id = 7}},
               {FILTER("subscription_id", "subscription_id", true), {.subscription_id = 7}},
               {FILTER("type", "type", false), {.type = "CHURN"}},
               {FILTER("from+to", "effective_on", false), {.from = "D100300", .to = "D100302"}}};
    static const struct {
        plan_case c;
        int64_t venture_id;
        const char *kind;
        bool has_active;
    } acs[] = {{NONE, 0, NULL, false},
               {VENTURE, 3, NULL, false},
               {FILTER("kind", "kind", false), 0, "VEHICLE", false}},
      bcs[] = {{NONE, 0, NULL, false},
               {VENTURE, 3, NULL, false},
               {FILTER("active", "active", false), 0, NULL, true}};
    static const struct {
        plan_case c;
    } vcs[] = {{FILTER("asset", "asset_id", true)}},
      kcs[] = {{FILTER("account", "bank_account_id", true)}};
    CHECK_CASES(t, pg, customers, cucs,
                wh_saas_customer_list_sql(&all, &x->f, TEXT_PAGE(deep, "N9"), &b));
    CHECK_CASES(t, pg, subs, scs, wh_saas_sub_list_sql(&all, &x->f, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, events, ecs,
                wh_saas_event_list_sql(&all, &x->f, TEXT_PAGE(deep, "D100500"), &b));
    CHECK_CASES(t, pg, assets, acs,
                wh_hold_asset_list_sql(&all, x->venture_id, x->kind, false, false, "D2",
                                       TEXT_PAGE(deep, "A9"), &b));
    CHECK_CASES(t, pg, accounts, bcs,
                wh_hold_account_list_sql(&all, x->venture_id, x->has_active, true,
                                         TEXT_PAGE(deep, "B9"), &b));
    CHECK_CASES(
        t, pg, valuations, vcs,
        wh_hold_dated_list_sql(WH_HOLD_VALUATION, 7, NULL, NULL, TEXT_PAGE(deep, DEEP_DAY), &b));
    CHECK_CASES(
        t, pg, balances, kcs,
        wh_hold_dated_list_sql(WH_HOLD_BALANCE, 7, NULL, NULL, TEXT_PAGE(deep, DEEP_DAY), &b));
}

static void tasks(tempdb *t, bool pg)
{
    static const plan_list tasks = {"tasks", "tasks", "rowid", "id", NULL};
    static const plan_list notes = {"notifications", "notifications", "rowid", "id", NULL};
    static const struct {
        plan_case c;
        wh_task_filter f;
    } cs[] = {
        {NONE, {0}},
        {VENTURE, {.venture_id = 3}},
        {FILTER("assignee_id", "assignee_id", true), {.assignee_id = 9}},
        {FILTER("status", "status", false), {.status = "DONE"}},
        {FILTER("overdue", "status", false),
         {.has_overdue = true, .overdue = true, .today = "2026-01-01"}},
        {FILTER("rule", "rule", false), {.rule = "MISSED_EOD"}},
        {FILTER("link", "link_type", true), {.link_type = "load", .link_id = 7}},
    };
    static const struct {
        plan_case c;
        bool unread;
    } ncs[] = {{FILTER("user_id", "user_id", true), false},
               {FILTER("unread", "user_id", true), true}};
    CHECK_CASES(t, pg, tasks, cs, wh_tasks_list_sql(&all, true, &x->f, ID_PAGE(deep), &b));
    CHECK_CASES(t, pg, notes, ncs, wh_notify_list_sql(9, x->unread, ID_PAGE(deep), &b));
}

/* CSV imports (issue 16): newest first, by venture and by kind. */
static void imports(tempdb *t, bool pg)
{
    static const plan_list list = {"imports", "imports", "rowid", "id", NULL};
    static const struct {
        plan_case c;
        int64_t venture_id;
        const char *kind;
    } cs[] = {{NONE, 0, NULL}, {VENTURE, 3, NULL}, {FILTER("kind", "kind", false), 0, "loads"}};
    CHECK_CASES(t, pg, list, cs,
                wh_imports_list_sql(&all, x->venture_id, x->kind, ID_PAGE(deep), &b));
}

static void check_all(tempdb *t, bool pg)
{
    plan_nums(t, pg);
    plan_fill(t, fill_sql, N(fill_sql));
    if (pg)
        plan_exec(t, "SET plan_cache_mode = force_generic_plan");
    organisation(t, pg);
    users_and_freight(t, pg);
    bpo(t, pg);
    hotels(t, pg);
    people_work(t, pg);
    incentives(t, pg);
    operations(t, pg);
    saas_holdings(t, pg);
    tasks(t, pg);
    imports(t, pg);
}

static void test_sqlite_list_plans_seek(void **state)
{
    check_all(*state, false);
}

static void test_postgres_list_plans_seek(void **state)
{
    (void)state;
    tempdb t;
    plan_pg_open(&t, "whlists");
    check_all(&t, true);
    plan_pg_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_list_plans_seek, tempdb_setup, tempdb_teardown),
        cmocka_unit_test(test_postgres_list_plans_seek),
    };
    return cmocka_run_group_tests_name("db_list_plans", tests, NULL, NULL);
}
