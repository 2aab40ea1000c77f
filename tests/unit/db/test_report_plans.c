/* Every report reads its venture's rows of a range as an index range (DOMAIN-wave2 §17,
 * docs/reports.md, migration 0025). Each table holds 20,000 rows (analysed) over 20 ventures
 * and 1,000 days; for each report, with and without its optional filter, neither engine reads
 * the report's table whole: SQLite's plan has no "SCAN" of it and a "SEARCH" through the named
 * index, PostgreSQL's generic plan no "Seq Scan" of it and an index or bitmap condition on it.
 * The reports group and order their few rows (one per shipper, lane, hotel, agent...), so a
 * sort of the groups is expected and not asserted against. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/plans.h"
#include "auth/auth.h"
#include "reports/reports.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define V(g) " 1 + " g " % 20"          /* the venture of row g */
#define DAY  "'D' || (100000 + g / 20)" /* 1,000 days, 20 rows each */

static const char *const fill_sql[] = {
    "INSERT INTO ventures (id, name, code, type, created_at, updated_at) SELECT g, 'V' || g,"
    " 'V' || g, 'LOGISTICS', 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO users (id, email, full_name, role, active, created_at, updated_at) SELECT g,"
    " 'u' || g || '@x.test', 'U' || g, 'EMPLOYEE', TRUE, 0, 0 FROM nums",
    "INSERT INTO shippers (id, venture_id, name, code, created_at, updated_at) SELECT g," V(
        "g") ", 'S' || g, 'S' || g, 0, 0 FROM nums WHERE g <= 1000",
    /* half delivered (billed on the row's day), a quarter lost */
    "INSERT INTO loads (id, venture_id, shipper_id, created_by, dispatcher_id, pickup_city,"
    " pickup_state, drop_city, drop_state, miles, bill_cents, cost_cents, status, billing_date,"
    " lost_reason_code, created_day, created_at, updated_at) SELECT g," V(
        "g") ", 1 + g % 1000, 1, 1 + g % 997, 'C', 'OH', 'C', 'GA', 100, 1000, 900, CASE WHEN g % "
             "2 = 0"
             " THEN 'DELIVERED' WHEN g % 4 = 1 THEN 'LOST' ELSE 'OPEN' END, CASE WHEN g % 2 = 0 "
             "THEN " DAY " END, CASE WHEN g % 4 = 1 THEN 'RATE' END, " DAY ", 0, 0 FROM nums",
    "INSERT INTO load_status_changes (load_id, venture_id, from_status, to_status, at, day)"
    " SELECT g," V("g") ", 'OPEN', CASE WHEN g % 4 = 1 THEN 'LOST' ELSE 'WORKING' END, 0, " DAY
                        " FROM nums",
    "INSERT INTO hotels (id, venture_id, name, code, rooms, created_at, updated_at) SELECT g," V(
        "g") ", 'H' || g, 'H' || g, 100, 0, 0 FROM nums WHERE g <= 200",
    /* 200 hotels with 100 days each */
    "INSERT INTO hotel_daily (hotel_id, venture_id, date, rooms_sold, rooms_available,"
    " room_revenue_cents, created_at, updated_at) SELECT 1 + g % 200," V(
        "(1 + g % 200)") ", 'D' || (100000 + g / 200), 1, 100, 1, 0, 0 FROM nums",
    "INSERT INTO bpo_campaigns (id, venture_id, name, created_at, updated_at) SELECT g," V(
        "g") ", 'K' || g, 0, 0 FROM nums WHERE g <= 200",
    /* agent a works on campaign 20 + a % 180, of its own venture */
    "INSERT INTO bpo_agents (id, user_id, venture_id, campaign_id, created_at, updated_at) SELECT"
    " g, g," V("g") ", 20 + g % 180, 0, 0 FROM nums WHERE g <= 1000",
    "INSERT INTO bpo_call_logs (id, agent_id, user_id, venture_id, campaign_id, started_at,"
    " started_day, created_by, created_at) SELECT g, 1 + g % 1000, 1 + g % 1000," V(
        "(1 + g % 1000)") ", 20 + (1 + g % 1000) % 180, 1700000000000 + g * 1000, " DAY
                          ", 1, 0 FROM nums",
    "ANALYZE",
};

static const wh_principal all = {.id = 1, .role = WH_ROLE_CEO, .all_ventures = true};
static const wh_principal member = {.id = 7, .role = WH_ROLE_OFFICE_MANAGER};

/* The report's table (its alias in the statement) and the index SQLite must search it by. */
typedef struct {
    const char *name;
    wh_report_kind kind;
    wh_report_query q;
    const char *table, *alias, *index;
} plan_report;

static void check(tempdb *t, bool pg, const plan_report *r, const wh_principal *p)
{
    wh_sqlb b;
    wh_report_sql(r->kind, p, &r->q, &b);
    const char *plan = plan_of(t, pg, &b), *engine = pg ? "PostgreSQL" : "SQLite";
    if (pg ? plan_line_has(plan, "Seq Scan on ", r->table, NULL, false)
           : plan_line_has(plan, "SCAN ", r->alias, NULL, false))
        fail_msg("%s, %s: reads %s whole:\n%s\n%s", engine, r->name, r->table, b.sql, plan);
    bool seek = pg ? plan_line_has(plan, " on ", r->table, "", true)
                   : plan_line_has(plan, "SEARCH ", r->alias, r->index, false);
    if (!seek)
        fail_msg("%s, %s: no index range on %s (%s):\n%s\n%s", engine, r->name, r->table, r->index,
                 b.sql, plan);
}

#define Q(...) ((wh_report_query){__VA_ARGS__})
#define RANGE  .from = "D100300", .to = "D100329"

static void check_all(tempdb *t, bool pg)
{
    static const plan_report reports[] = {
        {"shippers", WH_REPORT_SHIPPERS, Q(.venture_id = 3, RANGE), "loads", "loads",
         "loads_billing"},
        {"lanes", WH_REPORT_LANES, Q(.venture_id = 3, RANGE), "loads", "loads", "loads_billing"},
        {"dispatchers", WH_REPORT_DISPATCHERS, Q(.venture_id = 3, RANGE), "loads", "loads",
         "loads_billing"},
        {"lost reasons", WH_REPORT_LOST_REASONS, Q(.venture_id = 3, RANGE), "load_status_changes",
         "c", "load_status_changes_lost"},
        {"hotels", WH_REPORT_HOTELS, Q(.venture_id = 3, RANGE), "hotel_daily", "hotel_daily",
         "hotel_daily_venture_date"},
        {"one hotel", WH_REPORT_HOTELS, Q(.venture_id = 3, .hotel_id = 22, RANGE), "hotel_daily",
         "hotel_daily", "sqlite_autoindex_hotel_daily"},
        {"agents", WH_REPORT_BPO_AGENTS, Q(.venture_id = 3, RANGE), "bpo_call_logs",
         "bpo_call_logs", "bpo_call_logs_venture_day"},
        {"one campaign", WH_REPORT_BPO_AGENTS, Q(.venture_id = 3, .campaign_id = 22, RANGE),
         "bpo_call_logs", "bpo_call_logs", "bpo_call_logs_campaign_day"},
    };
    plan_nums(t, pg);
    plan_fill(t, fill_sql, N(fill_sql));
    if (pg)
        plan_exec(t, "SET plan_cache_mode = force_generic_plan");
    for (size_t i = 0; i < N(reports); i++) {
        check(t, pg, &reports[i], &all);
        check(t, pg, &reports[i], &member); /* the scope probe changes nothing */
    }
}

static void test_sqlite_report_plans(void **state)
{
    check_all(*state, false);
}

static void test_postgres_report_plans(void **state)
{
    (void)state;
    tempdb t;
    plan_pg_open(&t, "whreports");
    check_all(&t, true);
    plan_pg_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_report_plans, tempdb_setup, tempdb_teardown),
        cmocka_unit_test(test_postgres_report_plans),
    };
    return cmocka_run_group_tests_name("db_report_plans", tests, NULL, NULL);
}
