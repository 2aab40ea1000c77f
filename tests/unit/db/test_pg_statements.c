/* Prepared statements on PostgreSQL (db/postgres.c): a pooled connection prepares each statement
 * the first time it runs it and runs it by name after that; the same text with other parameter
 * types is another statement; a schema change under a prepared statement does not break the
 * next call, nor does a DEALLOCATE ALL; past WH_LIMIT_PG_STATEMENTS statements run unprepared; a
 * failed prepare inside a transaction is the statement's error and leaves nothing behind.
 *
 * Needs the test PostgreSQL of scripts/test (WH_TEST_PG_ADMIN_URL; fails without it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/plans.h" /* plan_pg_open: a migrated PostgreSQL database of its own */
#include "core/limits.h"
#include "db/db_int.h" /* the column count of a result */

static wh_rows *rows_of(tempdb *t, const char *sql, const wh_param *p, int n)
{
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    if (wh_db_query(t->conn, &t->arena, sql, p, n, &r, &e) != WH_OK)
        fail_msg("%s: %s", sql, e.detail);
    return r;
}

static int64_t one_int(tempdb *t, const char *sql, const wh_param *p, int n)
{
    wh_rows *r = rows_of(t, sql, p, n);
    assert_int_equal(wh_rows_count(r), 1);
    return wh_rows_int(r, 0, 0);
}

static int64_t prepared_here(tempdb *t)
{
    return one_int(t, "SELECT COUNT(*) FROM pg_prepared_statements", NULL, 0);
}

static void test_statements_are_prepared_once(void **state)
{
    (void)state;
    tempdb t;
    plan_pg_open(&t, "wh_pgstmt");
    int64_t before = prepared_here(&t);
    for (int i = 0; i < 5; i++)
        assert_int_equal(one_int(&t, "SELECT $1::bigint * 2", WH_ARGS(WH_PI(i))), 2 * i);
    /* the counting statement itself and the doubling one, each once */
    assert_int_equal(prepared_here(&t), before + 1);
    plan_pg_close(&t);
}

static void test_other_parameter_types_are_another_statement(void **state)
{
    (void)state;
    tempdb t;
    plan_pg_open(&t, "wh_pgstmt");
    const char *sql = "SELECT COALESCE($1, 41) + 1";
    assert_int_equal(one_int(&t, sql, WH_ARGS(WH_PN)), 42);
    assert_int_equal(one_int(&t, sql, WH_ARGS(WH_PI(9))), 10);
    assert_int_equal(one_int(&t, sql, WH_ARGS(WH_PN)), 42);
    plan_pg_close(&t);
}

static void test_a_schema_change_under_a_statement(void **state)
{
    (void)state;
    tempdb t;
    wh_error e;
    wh_error_init(&e);
    plan_pg_open(&t, "wh_pgstmt");
    rows_of(&t, "CREATE TABLE wide (a bigint)", NULL, 0);
    rows_of(&t, "INSERT INTO wide VALUES (1)", NULL, 0);
    wh_rows *r = rows_of(&t, "SELECT * FROM wide", NULL, 0);
    assert_int_equal(r->ncols, 1);
    rows_of(&t, "ALTER TABLE wide ADD COLUMN b bigint DEFAULT 5", NULL, 0);
    /* outside a transaction: answered at once, with the new column */
    r = rows_of(&t, "SELECT * FROM wide", NULL, 0);
    assert_int_equal(r->ncols, 2);
    assert_int_equal(wh_rows_int(r, 0, 1), 5);

    r = rows_of(&t, "SELECT * FROM wide", NULL, 0); /* prepared again, with two columns */
    assert_int_equal(r->ncols, 2);
    /* inside one: that statement fails (as any failed statement fails its transaction), and the
     * next transaction runs it again */
    rows_of(&t, "ALTER TABLE wide ADD COLUMN c bigint DEFAULT 6", NULL, 0);
    assert_int_equal(wh_db_begin(t.conn, &e), WH_OK);
    assert_int_not_equal(wh_db_query(t.conn, &t.arena, "SELECT * FROM wide", NULL, 0, &r, &e),
                         WH_OK);
    wh_db_rollback(t.conn);
    assert_int_equal(wh_db_begin(t.conn, &e), WH_OK);
    r = rows_of(&t, "SELECT * FROM wide", NULL, 0);
    assert_int_equal(r->ncols, 3);
    assert_int_equal(wh_rows_int(r, 0, 2), 6);
    assert_int_equal(wh_db_commit(t.conn, &e), WH_OK);
    plan_pg_close(&t);
}

/* DEALLOCATE ALL (or DISCARD ALL) on the connection drops what it prepared: the next call of
 * a statement prepared before is still answered. */
static void test_statements_dropped_on_the_server(void **state)
{
    (void)state;
    tempdb t;
    wh_error e;
    wh_error_init(&e);
    plan_pg_open(&t, "wh_pgstmt");
    assert_int_equal(one_int(&t, "SELECT $1::bigint - 1", WH_ARGS(WH_PI(5))), 4);
    assert_int_equal(wh_db_script(t.conn, "DEALLOCATE ALL", &e), WH_OK);
    assert_int_equal(one_int(&t, "SELECT $1::bigint - 1", WH_ARGS(WH_PI(6))), 5);
    assert_int_equal(one_int(&t, "SELECT $1::bigint - 1", WH_ARGS(WH_PI(7))), 6);
    plan_pg_close(&t);
}

static void test_past_the_limit_statements_run_unprepared(void **state)
{
    (void)state;
    tempdb t;
    plan_pg_open(&t, "wh_pgstmt");
    char sql[64];
    for (int i = 0; i < WH_LIMIT_PG_STATEMENTS + 40; i++) {
        snprintf(sql, sizeof sql, "SELECT %d + $1::bigint", i);
        assert_int_equal(one_int(&t, sql, WH_ARGS(WH_PI(1))), i + 1);
    }
    assert_true(prepared_here(&t) <= WH_LIMIT_PG_STATEMENTS);
    for (int i = 0; i < WH_LIMIT_PG_STATEMENTS + 40; i += 37) { /* prepared or not: the same */
        snprintf(sql, sizeof sql, "SELECT %d + $1::bigint", i);
        assert_int_equal(one_int(&t, sql, WH_ARGS(WH_PI(2))), i + 2);
    }
    plan_pg_close(&t);
}

static void test_a_failed_prepare_leaves_nothing(void **state)
{
    (void)state;
    tempdb t;
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    plan_pg_open(&t, "wh_pgstmt");
    /* a statement the server refuses to prepare answers its error, every time */
    for (int i = 0; i < 2; i++)
        assert_int_not_equal(
            wh_db_query(t.conn, &t.arena, "SELECT no_such_column FROM ventures", NULL, 0, &r, &e),
            WH_OK);
    /* a good statement first met inside a failed transaction cannot be prepared there: it fails
     * with the transaction, and runs once the transaction is rolled back */
    assert_int_equal(wh_db_begin(t.conn, &e), WH_OK);
    assert_int_not_equal(wh_db_query(t.conn, &t.arena, "SELECT 1/0", NULL, 0, &r, &e), WH_OK);
    assert_int_not_equal(
        wh_db_query(t.conn, &t.arena, "SELECT $1::bigint + 100", WH_ARGS(WH_PI(1)), &r, &e), WH_OK);
    wh_db_rollback(t.conn);
    assert_int_equal(one_int(&t, "SELECT $1::bigint + 100", WH_ARGS(WH_PI(1))), 101);
    plan_pg_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statements_are_prepared_once),
        cmocka_unit_test(test_other_parameter_types_are_another_statement),
        cmocka_unit_test(test_a_schema_change_under_a_statement),
        cmocka_unit_test(test_statements_dropped_on_the_server),
        cmocka_unit_test(test_past_the_limit_statements_run_unprepared),
        cmocka_unit_test(test_a_failed_prepare_leaves_nothing),
    };
    return cmocka_run_group_tests_name("db_pg_statements", tests, NULL, NULL);
}
