/* The pure rules of end-of-day reports: the filing window, the Monday-Sunday week, hours_worked
 * in hundredths, and which roles read other users' reports (DOMAIN.md §1 team_eod, §5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "eod/eod.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void test_window_today_and_fourteen_back(void **state)
{
    (void)state;
    assert_int_equal(wh_eod_day_check("2026-03-10", "2026-03-10"), WH_EOD_DAY_OK);
    assert_int_equal(wh_eod_day_check("2026-03-09", "2026-03-10"), WH_EOD_DAY_OK);
    assert_int_equal(wh_eod_day_check("2026-02-24", "2026-03-10"), WH_EOD_DAY_OK);
    assert_int_equal(wh_eod_day_check("2026-02-23", "2026-03-10"), WH_EOD_DAY_TOO_OLD);
    assert_int_equal(wh_eod_day_check("2025-03-10", "2026-03-10"), WH_EOD_DAY_TOO_OLD);
    /* across a year end and a leap day */
    assert_int_equal(wh_eod_day_check("2025-12-20", "2026-01-03"), WH_EOD_DAY_OK);
    assert_int_equal(wh_eod_day_check("2025-12-19", "2026-01-03"), WH_EOD_DAY_TOO_OLD);
    assert_int_equal(wh_eod_day_check("2028-02-15", "2028-02-29"), WH_EOD_DAY_OK);
    assert_int_equal(wh_eod_day_check("2028-02-14", "2028-02-29"), WH_EOD_DAY_TOO_OLD);
}

static void test_window_never_the_future(void **state)
{
    (void)state;
    assert_int_equal(wh_eod_day_check("2026-03-11", "2026-03-10"), WH_EOD_DAY_FUTURE);
    assert_int_equal(wh_eod_day_check("2027-03-10", "2026-03-10"), WH_EOD_DAY_FUTURE);
}

static void test_window_refuses_what_is_not_a_day(void **state)
{
    (void)state;
    const char *bad[] = {"",           "2026-3-10",   "2026-03-1",  "2026-02-30",
                         "2026-13-01", "2026-03-10x", "10-03-2026", "2026/03/10",
                         "today",      "2026-03-1 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(wh_eod_day_check(bad[i], "2026-03-10"), WH_EOD_DAY_INVALID);
    assert_int_equal(wh_eod_day_check(NULL, "2026-03-10"), WH_EOD_DAY_INVALID);
}

static void week(const char *day, const char *monday, const char *sunday)
{
    char m[11], s[11];
    assert_true(wh_eod_week_of(day, m, s));
    assert_string_equal(m, monday);
    assert_string_equal(s, sunday);
}

static void test_week_runs_monday_to_sunday(void **state)
{
    (void)state;
    week("2026-03-09", "2026-03-09", "2026-03-15"); /* a Monday */
    week("2026-03-11", "2026-03-09", "2026-03-15"); /* a Wednesday */
    week("2026-03-15", "2026-03-09", "2026-03-15"); /* a Sunday */
    week("2026-03-16", "2026-03-16", "2026-03-22");
    week("2026-01-01", "2025-12-29", "2026-01-04"); /* across a year end */
    week("2028-03-01", "2028-02-28", "2028-03-05"); /* across a leap day */
    char m[11], s[11];
    assert_false(wh_eod_week_of("2026-02-30", m, s));
}

static bool hours(const char *json, int64_t *out)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    bool ok = wh_eod_hours_parse(v, out);
    json_decref(v);
    return ok;
}

static void test_hours_are_hundredths_in_zero_to_24(void **state)
{
    (void)state;
    int64_t h = -1;
    assert_true(hours("0", &h));
    assert_int_equal(h, 0);
    assert_true(hours("24", &h));
    assert_int_equal(h, 2400);
    assert_true(hours("24.0", &h));
    assert_int_equal(h, 2400);
    assert_true(hours("7.5", &h));
    assert_int_equal(h, 750);
    assert_true(hours("7.33", &h));
    assert_int_equal(h, 733);
    assert_true(hours("0.01", &h));
    assert_int_equal(h, 1);
    /* finer than hundredths rounds half up */
    assert_true(hours("7.3333", &h));
    assert_int_equal(h, 733);
    assert_true(hours("7.336", &h));
    assert_int_equal(h, 734);
    assert_true(hours("1e1", &h));
    assert_int_equal(h, 1000);
}

static void test_hours_refuses_out_of_range_and_non_numbers(void **state)
{
    (void)state;
    int64_t h = 0;
    const char *bad[] = {"-0.01", "-1", "24.01", "25", "1e3", "\"8\"", "true", "null", "[8]", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(hours(bad[i], &h));
    assert_false(wh_eod_hours_parse(NULL, &h));
}

static void expect_render(bool has, int64_t hundredths, const char *text)
{
    json_t *v = wh_eod_hours_json(has, hundredths);
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    assert_string_equal(s, text);
    free(s);
    json_decref(v);
}

static void test_hours_render_as_numbers(void **state)
{
    (void)state;
    expect_render(false, 0, "null");
    expect_render(true, 0, "0");
    expect_render(true, 800, "8");
    expect_render(true, 2400, "24");
    expect_render(true, 750, "7.5");
    expect_render(true, 733, "7.33");
    expect_render(true, 1, "0.01");
}

static void test_team_readers_are_leadership_office_managers_and_team_leads(void **state)
{
    (void)state;
    const wh_role readers[] = {WH_ROLE_CEO,          WH_ROLE_ADMIN,          WH_ROLE_COO,
                               WH_ROLE_VENTURE_HEAD, WH_ROLE_OFFICE_MANAGER, WH_ROLE_TEAM_LEAD};
    for (int role = 0; role < WH_ROLE_COUNT; role++) {
        bool expected = false;
        for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
            expected = expected || readers[i] == (wh_role)role;
        if (wh_eod_reads_team((wh_role)role) != expected)
            fail_msg("%s: expected %d", wh_role_name((wh_role)role), expected);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_today_and_fourteen_back),
        cmocka_unit_test(test_window_never_the_future),
        cmocka_unit_test(test_window_refuses_what_is_not_a_day),
        cmocka_unit_test(test_week_runs_monday_to_sunday),
        cmocka_unit_test(test_hours_are_hundredths_in_zero_to_24),
        cmocka_unit_test(test_hours_refuses_out_of_range_and_non_numbers),
        cmocka_unit_test(test_hours_render_as_numbers),
        cmocka_unit_test(test_team_readers_are_leadership_office_managers_and_team_leads),
    };
    return cmocka_run_group_tests_name("unit_eod_rules", tests, NULL, NULL);
}
