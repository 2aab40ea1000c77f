/* Schedules in business time (America/New_York) across the 2026 US daylight-saving changes:
 * 2026-03-08 (02:00 EST -> 03:00 EDT) and 2026-11-01 (02:00 EDT -> 01:00 EST). A daily job runs
 * exactly once on each day, at the right instant; "every 4h" runs at 00, 04, ..., 20 local;
 * a wall time inside the gap runs once when the gap ends, one inside the overlap once, at its
 * first occurrence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/clock.h"
#include "jobs/jobs.h"

#include <string.h>

#define MAX_RUNS 64

/* Every run of s in [from, to), by repeated wh_schedule_next. */
static size_t runs_between(const wh_schedule *s, int64_t from, int64_t to, int64_t *out)
{
    size_t n = 0;
    for (int64_t t = wh_schedule_next(s, from - 1); t < to && n < MAX_RUNS;
         t = wh_schedule_next(s, t))
        out[n++] = t;
    return n;
}

static int64_t at(const char *rfc3339)
{
    int64_t ms = 0;
    assert_true(wh_clock_parse_rfc3339(rfc3339, &ms));
    return ms;
}

/* Runs of s on each local day of [first, first + days), checking one run per day for daily. */
static void count_per_day(const wh_schedule *s, const char *from, int days, size_t expect_per_day)
{
    int64_t runs[MAX_RUNS];
    int64_t start = at(from);
    size_t n = runs_between(s, start, start + (int64_t)days * 86400000 + 3600000, runs);
    char first[11];
    wh_clock_day_of(start, first, sizeof first);
    for (int d = 0; d < days; d++) {
        char day[11], got[11];
        size_t count = 0;
        assert_true(wh_clock_day_add(first, d, day, sizeof day));
        for (size_t i = 0; i < n; i++) {
            wh_clock_day_of(runs[i], got, sizeof got);
            count += strcmp(got, day) == 0;
        }
        if (count != expect_per_day)
            fail_msg("%s: %zu runs, expected %zu", day, count, expect_per_day);
    }
}

static void test_daily_0730_runs_once_on_both_change_days(void **state)
{
    wh_schedule s = {.kind = WH_SCHEDULE_DAILY, .hour = 7, .minute = 30};
    int64_t runs[MAX_RUNS];
    (void)state;
    /* spring: 03-07 EST, 03-08 EDT (the change day), 03-09 EDT */
    size_t n = runs_between(&s, at("2026-03-07T05:00:00Z"), at("2026-03-10T05:00:00Z"), runs);
    assert_int_equal(n, 3);
    assert_int_equal(runs[0], at("2026-03-07T12:30:00Z"));
    assert_int_equal(runs[1], at("2026-03-08T11:30:00Z"));
    assert_int_equal(runs[2], at("2026-03-09T11:30:00Z"));
    /* autumn: 10-31 EDT, 11-01 EST (the change day), 11-02 EST */
    n = runs_between(&s, at("2026-10-31T04:00:00Z"), at("2026-11-03T05:00:00Z"), runs);
    assert_int_equal(n, 3);
    assert_int_equal(runs[0], at("2026-10-31T11:30:00Z"));
    assert_int_equal(runs[1], at("2026-11-01T12:30:00Z"));
    assert_int_equal(runs[2], at("2026-11-02T12:30:00Z"));
    count_per_day(&s, "2026-03-01T05:00:00Z", 14, 1);
    count_per_day(&s, "2026-10-25T04:00:00Z", 14, 1);
}

static void test_next_is_strictly_after_now(void **state)
{
    wh_schedule s = {.kind = WH_SCHEDULE_DAILY, .hour = 7, .minute = 30};
    (void)state;
    assert_int_equal(wh_schedule_next(&s, at("2026-03-08T11:30:00Z")), at("2026-03-09T11:30:00Z"));
    assert_int_equal(wh_schedule_next(&s, at("2026-03-08T11:29:59.999Z")),
                     at("2026-03-08T11:30:00Z"));
    assert_int_equal(wh_schedule_next(&s, at("2026-11-01T12:00:00Z")), at("2026-11-01T12:30:00Z"));
}

static void test_every_4_hours_on_change_days(void **state)
{
    wh_schedule s = {.kind = WH_SCHEDULE_EVERY_HOURS, .hours = 4};
    int64_t runs[MAX_RUNS];
    (void)state;
    /* 03-08: 00:00 EST, then 04:00 EDT onwards */
    size_t n = runs_between(&s, at("2026-03-08T05:00:00Z"), at("2026-03-09T04:00:00Z"), runs);
    const char *spring[] = {"2026-03-08T05:00:00Z", "2026-03-08T08:00:00Z", "2026-03-08T12:00:00Z",
                            "2026-03-08T16:00:00Z", "2026-03-08T20:00:00Z", "2026-03-09T00:00:00Z"};
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(runs[i], at(spring[i]));
    /* 11-01: 00:00 EDT, then 04:00 EST onwards */
    n = runs_between(&s, at("2026-11-01T04:00:00Z"), at("2026-11-02T05:00:00Z"), runs);
    const char *autumn[] = {"2026-11-01T04:00:00Z", "2026-11-01T09:00:00Z", "2026-11-01T13:00:00Z",
                            "2026-11-01T17:00:00Z", "2026-11-01T21:00:00Z", "2026-11-02T01:00:00Z"};
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(runs[i], at(autumn[i]));
    count_per_day(&s, "2026-03-05T05:00:00Z", 7, 6);
    count_per_day(&s, "2026-10-29T04:00:00Z", 7, 6);
}

static void test_wall_time_in_the_gap_runs_once_when_it_ends(void **state)
{
    wh_schedule s = {.kind = WH_SCHEDULE_DAILY, .hour = 2, .minute = 30};
    int64_t runs[MAX_RUNS];
    (void)state;
    size_t n = runs_between(&s, at("2026-03-07T05:00:00Z"), at("2026-03-10T05:00:00Z"), runs);
    assert_int_equal(n, 3);
    assert_int_equal(runs[0], at("2026-03-07T07:30:00Z"));
    assert_int_equal(runs[1], at("2026-03-08T07:00:00Z")); /* 03:00 EDT, the end of the gap */
    assert_int_equal(runs[2], at("2026-03-09T06:30:00Z"));
}

static void test_wall_time_in_the_overlap_runs_once_first_time(void **state)
{
    wh_schedule s = {.kind = WH_SCHEDULE_DAILY, .hour = 1, .minute = 30};
    int64_t runs[MAX_RUNS];
    (void)state;
    size_t n = runs_between(&s, at("2026-10-31T04:00:00Z"), at("2026-11-03T05:00:00Z"), runs);
    assert_int_equal(n, 3);
    assert_int_equal(runs[0], at("2026-10-31T05:30:00Z"));
    assert_int_equal(runs[1], at("2026-11-01T05:30:00Z")); /* 01:30 EDT, not 01:30 EST */
    assert_int_equal(runs[2], at("2026-11-02T06:30:00Z"));
}

static void test_render(void **state)
{
    char out[32];
    wh_schedule d = {.kind = WH_SCHEDULE_DAILY, .hour = 3, .minute = 0};
    wh_schedule h = {.kind = WH_SCHEDULE_EVERY_HOURS, .hours = 4};
    (void)state;
    wh_schedule_render(&d, out, sizeof out);
    assert_string_equal(out, "daily 03:00");
    wh_schedule_render(&h, out, sizeof out);
    assert_string_equal(out, "every 4h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily_0730_runs_once_on_both_change_days),
        cmocka_unit_test(test_next_is_strictly_after_now),
        cmocka_unit_test(test_every_4_hours_on_change_days),
        cmocka_unit_test(test_wall_time_in_the_gap_runs_once_when_it_ends),
        cmocka_unit_test(test_wall_time_in_the_overlap_runs_once_first_time),
        cmocka_unit_test(test_render),
    };
    if (!wh_clock_set_zone("America/New_York"))
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
