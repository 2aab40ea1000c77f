/* The load list's statements seek an index (issue 12, "list SQL built from the filters
 * present"): on a table large enough for the planners to care (20,000 loads in 20 ventures,
 * analysed), each filter alone, on page 1 and on a deep page, is planned as an index search,
 * never a scan of loads filtered row by row (tests/support/plans.h says what is asserted on
 * each engine; tests/unit/db/test_list_plans.c checks the other lists). The PostgreSQL half
 * needs WH_TEST_PG_ADMIN_URL (scripts/test sets it) and fails without it. The reference search
 * (a part of the reference, anywhere in it) cannot seek an index and is not asserted. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/plans.h"
#include "auth/auth.h"
#include "freight/freight.h"

/* Rows every plan needs (ventures, users, offices, shippers, carriers), then 20,000 loads
 * spread over them, four statuses and 90 days, one in twenty with a dispatcher (most loads of a
 * day's work have none until covered; filling every row made PostgreSQL's estimate for the
 * venture filter prefer the time index); nums(g) holds 1..20000. */
static const char *const fill_sql[] = {
    "INSERT INTO ventures (id, name, code, type, created_at, updated_at) SELECT g, 'V' || g,"
    " 'V' || g, 'LOGISTICS', 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO users (id, email, full_name, role, created_at, updated_at) SELECT g,"
    " 'u' || g || '@x.test', 'U', 'DISPATCHER', 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO venture_users (user_id, venture_id, created_at) VALUES (1, 1, 0)",
    "INSERT INTO offices (id, venture_id, name, created_at, updated_at) SELECT g, g, 'O' || g,"
    " 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO shippers (id, venture_id, name, code, created_at, updated_at) SELECT g, g, 'S'"
    " || g, 'S' || g, 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO carriers (id, name, legal_name, dot_number, created_at, updated_at) SELECT g,"
    " 'C' || g, 'C' || g, '9' || g, 0, 0 FROM nums WHERE g <= 20",
    "INSERT INTO loads (venture_id, office_id, reference, shipper_id, carrier_id, created_by,"
    " pickup_city, pickup_state, drop_city, drop_state, status, created_day, created_at,"
    " updated_at, dispatcher_id) SELECT 1 + g % 20, 1 + g % 20, 'REF-' || g, 1 + g % 20,"
    " 1 + g % 20, 1, 'A',"
    " 'IL', 'B', 'TX', CASE g % 4 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'WORKING' WHEN 2 THEN"
    " 'COVERED' ELSE 'DELIVERED' END, '2026-0' || (1 + g % 9) || '-1' || (g % 10),"
    " 1700000000000 + g * 1000, 0, CASE WHEN g % 20 = 0 THEN 2 END FROM nums",
    "ANALYZE",
};

typedef struct {
    plan_case c;
    wh_load_filter f;
} filter_case;

/* Each value matches one load in twenty (a venture) or more. SQLite must seek each; PostgreSQL
 * must seek the venture (the filter every screen uses) and may read the list's order and
 * filter the others (plans.h). */
static const filter_case cases[] = {
    {FILTER("none", NULL, false), {0}},
    {FILTER("venture_id", "venture_id", true), {.venture_id = 3}},
    {FILTER("office_id", "office_id", false), {.office_id = 4}},
    {FILTER("status", "status", false), {.status = "COVERED"}},
    {FILTER("shipper_id", "shipper_id", false), {.shipper_id = 5}},
    {FILTER("carrier_id", "carrier_id", false), {.carrier_id = 6}},
    {FILTER("created_by", "created_by", false), {.created_by = 1}},
    {FILTER("dispatcher_id", "dispatcher_id", false), {.dispatcher_id = 2}},
    {{"from+to", "created_day", false, DAY_RANGE}, {.from = "2026-03-10", .to = "2026-03-12"}},
};

static const plan_list loads = {"loads", "loads", "created_at", "created_at", NULL};

static void check(tempdb *t, bool pg, const filter_case *fc, const wh_principal *p, bool deep)
{
    wh_sqlb b;
    /* page 1, or a cursor far down the list: 2,000 pages of 50 would be 100,000 rows */
    wh_keyset ks = {deep, WH_KEY_INT, "", 1700000000000 + 5000 * 1000, 5000, 51};
    wh_load_list_sql(p, &fc->f, &ks, &b);
    plan_check(t, pg, &loads, &fc->c, deep, &b);
}

static void check_all(tempdb *t, bool pg)
{
    wh_principal all = {.id = 1, .role = WH_ROLE_CEO, .all_ventures = true};
    wh_principal member = {.id = 1, .role = WH_ROLE_DISPATCHER, .all_ventures = false};
    plan_nums(t, pg);
    plan_fill(t, fill_sql, sizeof fill_sql / sizeof fill_sql[0]);
    if (pg)
        plan_exec(t, "SET plan_cache_mode = force_generic_plan");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(t, pg, &cases[i], &all, false);
        check(t, pg, &cases[i], &all, true);
    }
    /* a member's list of one venture: the scope probe rides on the venture's index */
    check(t, pg, &cases[1], &member, false);
    check(t, pg, &cases[1], &member, true);
}

static void test_sqlite_plans_seek(void **state)
{
    check_all(*state, false);
}

static void test_postgres_plans_seek(void **state)
{
    (void)state;
    tempdb t;
    plan_pg_open(&t, "whplan");
    check_all(&t, true);
    plan_pg_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_plans_seek, tempdb_setup, tempdb_teardown),
        cmocka_unit_test(test_postgres_plans_seek),
    };
    return cmocka_run_group_tests_name("freight_loads_plan", tests, NULL, NULL);
}
