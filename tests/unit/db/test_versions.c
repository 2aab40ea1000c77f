/* Data versions on PostgreSQL (docs/cache.md): the bump of a venture's version row runs when the
 * writer commits (migration 0022, deferred constraint triggers, fired by the SET CONSTRAINTS ALL
 * IMMEDIATE of the commit's round trip). Two writers of one venture therefore no longer wait for
 * each other's whole transaction, and every commit still bumps the version exactly once per row.
 * With the version row locked from the first write (the triggers before 0022), the second writer
 * here waits for the first and its lock_timeout fails it.
 *
 * Needs the test PostgreSQL of scripts/test (WH_TEST_PG_ADMIN_URL; fails without it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/plans.h" /* plan_pg_open: a migrated PostgreSQL database of its own */

static int64_t one_int(tempdb *t, wh_conn *c, const char *sql, const wh_param *p, int n)
{
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    if (wh_db_query(c, &t->arena, sql, p, n, &r, &e) != WH_OK || wh_rows_count(r) != 1)
        fail_msg("%s: %s", sql, e.detail);
    return wh_rows_int(r, 0, 0);
}

static wh_err run(tempdb *t, wh_conn *c, const char *sql, const wh_param *p, int n)
{
    wh_error e;
    wh_error_init(&e);
    wh_err rc = wh_db_query(c, &t->arena, sql, p, n, NULL, &e);
    if (rc != WH_OK)
        print_message("%s: %s\n", sql, e.detail);
    return rc;
}

static int64_t version_of(tempdb *t, int64_t venture)
{
    return one_int(t, t->conn,
                   "SELECT COALESCE((SELECT version FROM data_versions WHERE venture_id = $1), 0)",
                   WH_ARGS(WH_PI(venture)));
}

#define KPI_ROW "INSERT INTO kpi_freight_daily (venture_id, day, updated_at) VALUES ($1, $2, 0)"

static void test_writers_of_one_venture_do_not_queue(void **state)
{
    (void)state;
    tempdb t;
    wh_conn *second = NULL;
    wh_error e;
    wh_error_init(&e);
    plan_pg_open(&t, "wh_versions");
    assert_int_equal(wh_db_acquire(t.db, &second, &e), WH_OK);
    int64_t venture = one_int(&t, t.conn,
                              "INSERT INTO ventures (name, code, type, active, created_at,"
                              " updated_at) VALUES ('Lanes', 'LANES', 'LOGISTICS', TRUE, 0, 0)"
                              " RETURNING id",
                              NULL, 0);
    int64_t v0 = version_of(&t, venture);

    /* the first writer is mid-transaction, holding its row of the KPI table */
    assert_int_equal(wh_db_begin(t.conn, &e), WH_OK);
    assert_int_equal(run(&t, t.conn, KPI_ROW, WH_ARGS(WH_PI(venture), WH_PT("2026-01-01"))), WH_OK);
    /* the second writer of the same venture commits without waiting for it */
    assert_int_equal(run(&t, second, "SET lock_timeout = '2s'", NULL, 0), WH_OK);
    assert_int_equal(wh_db_begin(second, &e), WH_OK);
    assert_int_equal(run(&t, second, KPI_ROW, WH_ARGS(WH_PI(venture), WH_PT("2026-01-02"))), WH_OK);
    assert_int_equal(wh_db_commit(second, &e), WH_OK);
    assert_int_equal(version_of(&t, venture), v0 + 1);
    /* the first commits after it, and its bump counts too */
    assert_int_equal(wh_db_commit(t.conn, &e), WH_OK);
    assert_int_equal(version_of(&t, venture), v0 + 2);

    /* a rolled-back write bumps nothing */
    assert_int_equal(wh_db_begin(t.conn, &e), WH_OK);
    assert_int_equal(run(&t, t.conn, KPI_ROW, WH_ARGS(WH_PI(venture), WH_PT("2026-01-03"))), WH_OK);
    wh_db_rollback(t.conn);
    assert_int_equal(version_of(&t, venture), v0 + 2);
    wh_db_release(t.db, second);
    plan_pg_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writers_of_one_venture_do_not_queue),
    };
    return cmocka_run_group_tests_name("db_versions", tests, NULL, NULL);
}
