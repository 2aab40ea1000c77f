/* The fault hook in the db layer (core/fault.h, src/db/db.c): nothing happens while injection is
 * off, even with a plan bound; on, the Nth statement of the bound plan fails with WH_ERR_DB and
 * a 500 internal error, a failed COMMIT leaves nothing written and no transaction open, other
 * threads' plans are not counted, and X-Wh-Fault values parse strictly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/fault.h"
#include "../../support/tempdb.h"

#include <string.h>

static int64_t count_settings(tempdb *t)
{
    wh_rows *r = NULL;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(wh_db_query(t->conn, &t->arena,
                                 "SELECT COUNT(*) FROM settings WHERE key LIKE 'fault-%'", NULL, 0,
                                 &r, &e),
                     WH_OK);
    return wh_rows_int(r, 0, 0);
}

/* BEGIN, INSERT, COMMIT: calls 1, 2 and 3. */
static wh_err insert_one(tempdb *t, const char *key, wh_error *e)
{
    wh_err rc = wh_db_begin(t->conn, e);
    if (rc == WH_OK)
        rc = wh_db_query(t->conn, &t->arena, "INSERT INTO settings (key, value) VALUES ($1, 'x')",
                         WH_ARGS(WH_PT(key)), NULL, e);
    if (rc == WH_OK)
        rc = wh_db_commit(t->conn, e);
    if (rc != WH_OK)
        wh_db_rollback(t->conn);
    return rc;
}

static void test_off_by_default(void **state)
{
    tempdb *t = *state;
    wh_fault plan;
    wh_error e;
    wh_error_init(&e);
    assert_true(wh_fault_parse("db=1", &plan));
    assert_false(wh_fault_on());
    assert_null(wh_fault_process());
    wh_fault_bind(&plan);
    assert_int_equal(insert_one(t, "fault-off", &e), WH_OK);
    wh_fault_bind(NULL);
    assert_int_equal(plan.calls[WH_FAULT_DB], 0); /* the hook never ran */
    assert_int_equal(count_settings(t), 1);
}

static void test_each_call_fails_in_turn(void **state)
{
    tempdb *t = *state;
    wh_fault_enable(0, 0, 0);
    int64_t before = count_settings(t);
    for (int64_t n = 1; n <= 3; n++) {
        wh_fault plan = {.nth = {n, 0}};
        wh_error e;
        wh_error_init(&e);
        wh_fault_bind(&plan);
        wh_err rc = insert_one(t, "fault-walk", &e);
        wh_fault_bind(NULL);
        assert_int_equal(rc, WH_ERR_DB);
        assert_int_equal(e.status, 500);
        assert_string_equal(e.code, "internal");
        assert_true(plan.fired[WH_FAULT_DB]);
        assert_int_equal(plan.calls[WH_FAULT_DB], n);
        /* nothing written, and no transaction left open: a new one begins */
        assert_int_equal(count_settings(t), before);
        assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
        wh_db_rollback(t->conn);
    }
    wh_fault past = {.nth = {4, 0}};
    wh_error e;
    wh_error_init(&e);
    wh_fault_bind(&past);
    assert_int_equal(insert_one(t, "fault-walk", &e), WH_OK);
    wh_fault_bind(NULL);
    assert_false(past.fired[WH_FAULT_DB]);
    assert_int_equal(count_settings(t), before + 1);
}

static void test_unbound_threads_are_not_counted(void **state)
{
    tempdb *t = *state;
    wh_fault plan = {.nth = {1, 0}};
    wh_error e;
    wh_error_init(&e);
    wh_fault_enable(0, 0, 0);
    /* bound, then unbound: calls after the unbinding are nobody's */
    wh_fault_bind(&plan);
    assert_ptr_equal(wh_fault_bind(NULL), &plan);
    assert_int_equal(insert_one(t, "fault-unbound", &e), WH_OK);
    assert_int_equal(plan.calls[WH_FAULT_DB], 0);
}

static void test_header_values(void **state)
{
    (void)state;
    wh_fault p;
    assert_true(wh_fault_parse("db=3", &p));
    assert_int_equal(p.nth[WH_FAULT_DB], 3);
    assert_true(wh_fault_parse("http=2, stall_ms=500", &p));
    assert_int_equal(p.nth[WH_FAULT_DB], 0);
    assert_int_equal(p.nth[WH_FAULT_HTTP], 2);
    assert_int_equal(p.stall_ms, 500);
    const char *bad[] = {"db",   "db=",    "db=0",        "db=-1",
                         "db=x", "disk=1", "db=1;http=2", "stall_ms=3600001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(wh_fault_parse(bad[i], &p));
        assert_int_equal(p.nth[WH_FAULT_DB] + p.nth[WH_FAULT_HTTP] + p.stall_ms, 0);
    }
    char out[96];
    wh_fault f = {.nth = {1, 0}};
    f.calls[WH_FAULT_DB] = 5;
    f.fired[WH_FAULT_DB] = true;
    wh_fault_render(&f, out, sizeof out);
    assert_string_equal(out, "db=5,http=0,fired=db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: injection is switched on once per process and stays on */
        cmocka_unit_test_setup_teardown(test_off_by_default, tempdb_setup, tempdb_teardown),
        cmocka_unit_test_setup_teardown(test_each_call_fails_in_turn, tempdb_setup,
                                        tempdb_teardown),
        cmocka_unit_test_setup_teardown(test_unbound_threads_are_not_counted, tempdb_setup,
                                        tempdb_teardown),
        cmocka_unit_test(test_header_values),
    };
    return cmocka_run_group_tests_name("unit_db_fault", tests, NULL, NULL);
}
