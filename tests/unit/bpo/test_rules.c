/* The pure BPO rules: who is held to their own calls, who manages campaigns and agents, talk
 * time, the order of a call's instants and the event key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bpo/bpo.h"

#include <string.h>

static void test_only_employee_is_held_to_own_calls(void **state)
{
    (void)state;
    for (int r = 0; r < WH_ROLE_COUNT; r++)
        assert_int_equal(wh_bpo_own_calls_only((wh_role)r), r == WH_ROLE_EMPLOYEE);
}

static void test_managers_are_bpo_writers_but_employee(void **state)
{
    (void)state;
    /* DOMAIN.md §1: bpo.write = leadership, OFFICE_MANAGER, TEAM_LEAD, EMPLOYEE (own calls) */
    static const wh_role managers[] = {
        WH_ROLE_CEO,          WH_ROLE_ADMIN,          WH_ROLE_COO,
        WH_ROLE_VENTURE_HEAD, WH_ROLE_OFFICE_MANAGER, WH_ROLE_TEAM_LEAD};
    for (int r = 0; r < WH_ROLE_COUNT; r++) {
        bool expected = false;
        for (size_t i = 0; i < sizeof managers / sizeof managers[0]; i++)
            expected = expected || managers[i] == (wh_role)r;
        assert_int_equal(wh_bpo_may_manage((wh_role)r), expected);
    }
}

static void test_talk_seconds(void **state)
{
    (void)state;
    assert_int_equal(wh_bpo_talk_seconds(1000, 0), 0);    /* open call */
    assert_int_equal(wh_bpo_talk_seconds(1000, 1000), 0); /* zero length */
    assert_int_equal(wh_bpo_talk_seconds(1000, 1999), 0); /* rounded down */
    assert_int_equal(wh_bpo_talk_seconds(1000, 2000), 1);
    assert_int_equal(wh_bpo_talk_seconds(1000, 751999), 750); /* 12 min 30.999 s */
    assert_int_equal(wh_bpo_talk_seconds(5000, 4000), 0);     /* never negative */
    int64_t day = 86400000LL;
    assert_int_equal(wh_bpo_talk_seconds(1772704800000LL, 1772704800000LL + day), 86400);
}

static void test_call_times(void **state)
{
    (void)state;
    wh_error e;
    wh_error_init(&e);
    const int64_t now = 1772704800000LL, day = 86400000LL; /* 2026-03-05T10:00:00Z */
    assert_int_equal(wh_bpo_call_check_times(5000, 0, now, &e), WH_OK);
    assert_int_equal(wh_bpo_call_check_times(5000, 5000, now, &e), WH_OK);
    assert_int_equal(wh_bpo_call_check_times(5000, 5001, now, &e), WH_OK);
    assert_int_equal(wh_bpo_call_check_times(now + day, now + day, now, &e), WH_OK); /* tomorrow */
    assert_int_equal(e.status, 0);
    assert_int_equal(wh_bpo_call_check_times(5000, 4999, now, &e), WH_ERR_INVALID);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.code, "validation_failed");
    assert_int_equal(e.nfields, 1);
    assert_string_equal(e.fields[0].field, "ended_at");

    /* more than a day after today: refused, naming the field */
    wh_error_init(&e);
    assert_int_equal(wh_bpo_call_check_times(now + 3 * day, 0, now, &e), WH_ERR_INVALID);
    assert_string_equal(e.fields[0].field, "started_at");
    wh_error_init(&e);
    assert_int_equal(wh_bpo_call_check_times(now, now + 3 * day, now, &e), WH_ERR_INVALID);
    assert_string_equal(e.fields[0].field, "ended_at");
    wh_error_init(&e);
    assert_int_equal(wh_bpo_call_check_times(253402300799000LL, 0, now, &e), WH_ERR_INVALID);
    assert_string_equal(e.fields[0].field, "started_at"); /* 9999-12-31T23:59:59Z */
}

static void test_event_key(void **state)
{
    (void)state;
    char key[48];
    wh_bpo_call_event_key(42, key, sizeof key);
    assert_string_equal(key, "bpo_call:42");
    wh_bpo_call_event_key(INT64_MAX, key, sizeof key);
    assert_string_equal(key, "bpo_call:9223372036854775807");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_employee_is_held_to_own_calls),
        cmocka_unit_test(test_managers_are_bpo_writers_but_employee),
        cmocka_unit_test(test_talk_seconds),
        cmocka_unit_test(test_call_times),
        cmocka_unit_test(test_event_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
