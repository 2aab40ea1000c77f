/* Job leases on a temporary SQLite database: acquisition, refusal while held, takeover after
 * expiry with a larger fencing token, renewals and releases only by the newest holder, the
 * fencing check refusing a stale holder's final transaction (nothing of it is written), and
 * one scheduled slot acquired once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../support/tempdb.h"

#include "jobs/jobs.h"

#define NAME "cleanup"

static int64_t acquire(tempdb *t, const char *holder, int64_t now, int64_t until, int64_t slot)
{
    wh_error e;
    int64_t token = -1;
    wh_error_init(&e);
    assert_int_equal(
        wh_jobs_lease_acquire(t->conn, &t->arena, NAME, holder, now, until, slot, &token, &e),
        WH_OK);
    return token;
}

static void test_acquire_refuse_take_over(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_job_lease l;
    bool found = false, held = false;
    wh_error_init(&e);
    assert_int_equal(acquire(t, "a", 1000, 2000, 0), 1);
    assert_int_equal(acquire(t, "b", 1500, 2500, 0), 0); /* held until 2000 */
    assert_int_equal(wh_jobs_lease_get(t->conn, &t->arena, NAME, &l, &found, &e), WH_OK);
    assert_true(found);
    assert_string_equal(l.holder, "a");
    assert_int_equal(l.expires_at, 2000);
    /* renewal by the holder extends it */
    assert_int_equal(wh_jobs_lease_renew(t->conn, &t->arena, NAME, 1, 3000, &held, &e), WH_OK);
    assert_true(held);
    assert_int_equal(acquire(t, "b", 2500, 3500, 0), 0);
    /* expired: b takes it over with a larger token */
    assert_int_equal(acquire(t, "b", 3000, 4000, 0), 2);
    /* a can no longer renew or release it */
    assert_int_equal(wh_jobs_lease_renew(t->conn, &t->arena, NAME, 1, 9000, &held, &e), WH_OK);
    assert_false(held);
    assert_int_equal(wh_jobs_lease_release(t->conn, &t->arena, NAME, 1, &e), WH_OK);
    assert_int_equal(acquire(t, "c", 3500, 4500, 0), 0);
    /* b releases: free at once, and the token keeps growing */
    assert_int_equal(wh_jobs_lease_release(t->conn, &t->arena, NAME, 2, &e), WH_OK);
    assert_int_equal(acquire(t, "c", 3600, 4600, 0), 3);
}

static void test_fence_refuses_a_stale_holder(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_rows *r = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_db_script(t->conn, "CREATE TABLE w (v INTEGER)", &e), WH_OK);
    assert_int_equal(acquire(t, "a", 1000, 2000, 0), 1);
    assert_int_equal(acquire(t, "b", 2000, 3000, 0), 2); /* a's lease expired and was taken */
    /* a's final transaction: the check fails, nothing it wrote survives */
    assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
    assert_int_equal(
        wh_db_query(t->conn, &t->arena, "INSERT INTO w (v) VALUES (1)", NULL, 0, NULL, &e), WH_OK);
    assert_int_equal(wh_jobs_fence_check(t->conn, &t->arena, NAME, 1, &e), WH_ERR_CONFLICT);
    assert_int_equal(e.status, 409);
    assert_string_equal(e.code, "conflict");
    wh_db_rollback(t->conn);
    assert_int_equal(wh_db_query(t->conn, &t->arena, "SELECT COUNT(*) FROM w", NULL, 0, &r, &e),
                     WH_OK);
    assert_int_equal(wh_rows_int(r, 0, 0), 0);
    /* b's check passes */
    wh_error_init(&e);
    assert_int_equal(wh_db_begin(t->conn, &e), WH_OK);
    assert_int_equal(wh_jobs_fence_check(t->conn, &t->arena, NAME, 2, &e), WH_OK);
    assert_int_equal(wh_db_commit(t->conn, &e), WH_OK);
    /* a job that never took a lease cannot pass either */
    assert_int_equal(wh_jobs_fence_check(t->conn, &t->arena, "nothing", 1, &e), WH_ERR_CONFLICT);
}

static void test_one_scheduled_slot_runs_once(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_error_init(&e);
    assert_int_equal(acquire(t, "a", 1000, 2000, 900), 1);
    assert_int_equal(wh_jobs_lease_release(t->conn, &t->arena, NAME, 1, &e), WH_OK);
    /* the lease is free, but slot 900 was run: another instance firing late is refused */
    assert_int_equal(acquire(t, "b", 1100, 2100, 900), 0);
    /* a hand run may still take it, and keeps the slot */
    assert_int_equal(acquire(t, "b", 1100, 2100, 0), 2);
    assert_int_equal(wh_jobs_lease_release(t->conn, &t->arena, NAME, 2, &e), WH_OK);
    assert_int_equal(acquire(t, "c", 1200, 2200, 900), 0);
    /* the next slot is new */
    assert_int_equal(acquire(t, "c", 1300, 2300, 1300), 3);
}

/* The first page of GET /jobs/runs?job=&status= as rows; returns their count. */
static size_t run_list(tempdb *t, const char *job, const char *status, wh_rows **out)
{
    wh_sqlb b;
    wh_error e;
    wh_error_init(&e);
    wh_jobs_run_list_sql(job, status, &(wh_keyset){.type = WH_KEY_ID, .key = "", .limit = 10}, &b);
    assert_int_equal(wh_sqlb_query(t->conn, &t->arena, &b, out, &e), WH_OK);
    return wh_rows_count(*out);
}

static void test_run_log_and_abandoned_runs(void **state)
{
    tempdb *t = *state;
    wh_error e;
    wh_job_run r1 = {.job = NAME,
                     .date = "2026-11-01",
                     .instance = "a",
                     .status = "RUNNING",
                     .fencing_token = 1,
                     .started_at = 1000};
    wh_job_run r2 = {.job = NAME,
                     .date = "2026-11-01",
                     .instance = "b",
                     .status = "SKIPPED_LOCKED",
                     .started_at = 1001,
                     .finished_at = 1001};
    wh_job_run *gone = NULL, got;
    wh_rows *list = NULL;
    size_t n = 0;
    bool found = false;
    const char *was = NULL;
    wh_error_init(&e);
    assert_int_equal(wh_jobs_run_insert(t->conn, &t->arena, &r1, &e), WH_OK);
    assert_int_equal(wh_jobs_run_insert(t->conn, &t->arena, &r2, &e), WH_OK);
    assert_int_equal(wh_jobs_run_last(t->conn, &t->arena, NAME, &got, &found, &e), WH_OK);
    assert_true(found);
    assert_int_equal(got.id, r1.id); /* the skipped run is not the last run */
    assert_int_equal(wh_jobs_run_close_abandoned(t->conn, &t->arena, NAME, 2, 5000, &gone, &n, &e),
                     WH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(gone[0].id, r1.id);
    assert_string_equal(gone[0].status, "FAILED");
    assert_int_equal(gone[0].finished_at, 5000);
    assert_int_equal(
        wh_jobs_run_finish(t->conn, &t->arena, r1.id, "FAILED", 6000, "{}", "late", &was, &e),
        WH_OK);
    assert_string_equal(was, "FAILED");
    assert_int_equal(run_list(t, NAME, "", &list), 2);
    json_t *first = wh_jobs_run_row_json(list, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "id")), r2.id);
    assert_true(json_is_null(json_object_get(first, "fencing_token")));
    json_decref(first);
    assert_int_equal(run_list(t, "", "FAILED", &list), 1);
    first = wh_jobs_run_row_json(list, 0);
    assert_string_equal(json_string_value(json_object_get(first, "error")), "late");
    json_decref(first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_acquire_refuse_take_over, tempdb_setup,
                                        tempdb_teardown),
        cmocka_unit_test_setup_teardown(test_fence_refuses_a_stale_holder, tempdb_setup,
                                        tempdb_teardown),
        cmocka_unit_test_setup_teardown(test_one_scheduled_slot_runs_once, tempdb_setup,
                                        tempdb_teardown),
        cmocka_unit_test_setup_teardown(test_run_log_and_abandoned_runs, tempdb_setup,
                                        tempdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
