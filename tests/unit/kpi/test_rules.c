/* The pure KPI arithmetic: ratios in basis points (half away from zero, absent without a
 * denominator), the freight summary with its flags, margin null without revenue. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kpi/kpi.h"

static void test_ratio_bp(void **state)
{
    (void)state;
    bool has = true;
    assert_int_equal(wh_kpi_ratio_bp(6000, 7000, &has), 8571);
    assert_true(has);
    assert_int_equal(wh_kpi_ratio_bp(2, 3, &has), 6667);
    assert_int_equal(wh_kpi_ratio_bp(1, 20000, &has), 1);   /* 0.5 bp rounds up */
    assert_int_equal(wh_kpi_ratio_bp(-1, 20000, &has), -1); /* and away from zero */
    assert_int_equal(wh_kpi_ratio_bp(5, 0, &has), 0);
    assert_false(has);
}

/* The old formula, exact while num * 10000 fits: the reference for small figures. */
static int64_t small_ratio(int64_t num, int64_t den)
{
    int64_t x = num * 10000;
    return x >= 0 ? (x + den / 2) / den : -((-x + den / 2) / den);
}

/* Figures whose num * 10000 passes 2^63: exact, never wrapped (10^15 / 10^15 was -8447 bp). */
static void test_ratio_bp_no_overflow(void **state)
{
    (void)state;
    bool has = false;
    assert_int_equal(wh_kpi_ratio_bp(1000000000000000LL, 1000000000000000LL, &has), 10000);
    assert_true(has);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MAX, INT64_MAX, &has), 10000);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MAX - 1, INT64_MAX, &has), 10000);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MAX / 2, INT64_MAX, &has), 5000);
    assert_int_equal(wh_kpi_ratio_bp(300000000000000000LL, 700000000000000000LL, &has), 4286);
    assert_int_equal(wh_kpi_ratio_bp(-300000000000000000LL, 700000000000000000LL, &has), -4286);
    assert_int_equal(wh_kpi_ratio_bp(300000000000000000LL, -700000000000000000LL, &has), -4286);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MIN, INT64_MAX, &has), -10000);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MIN, INT64_MIN, &has), 10000);
    assert_int_equal(wh_kpi_ratio_bp(-5, 2, &has), -25000);
    /* |num / den| past 9.2 * 10^14: saturated, with the right sign */
    assert_int_equal(wh_kpi_ratio_bp(INT64_MAX, 1, &has), INT64_MAX);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MIN, 1, &has), -INT64_MAX);
    assert_int_equal(wh_kpi_ratio_bp(INT64_MIN, -1, &has), INT64_MAX);
    assert_int_equal(wh_kpi_ratio_bp(922337203685477LL, 1, &has), 9223372036854770000LL);
    for (int64_t n = -1000; n <= 1000; n += 7)
        for (int64_t d = 1; d <= 400; d += 3) {
            assert_int_equal(wh_kpi_ratio_bp(n, d, &has), small_ratio(n, d));
            assert_int_equal(wh_kpi_ratio_bp(n, -d, &has), small_ratio(-n, d));
        }
}

/* 100 loads billed 10^13 cents at cost 0 over a range: margin 100%, not low; sums past the
 * int64 range give no summary (the routes answer an error), never a wrapped figure. */
static void test_summary_huge_figures(void **state)
{
    (void)state;
    wh_kpi_freight d[2] = {
        {.delivered = 60, .revenue = 600000000000000LL, .profit = 600000000000000LL},
        {.delivered = 40, .revenue = 400000000000000LL, .profit = 400000000000000LL},
    };
    json_t *s = wh_kpi_freight_summary(d, 2);
    assert_int_equal(json_integer_value(json_object_get(s, "revenue_cents")), 1000000000000000LL);
    assert_int_equal(json_integer_value(json_object_get(s, "margin_bp")), 10000);
    assert_true(json_is_false(json_object_get(s, "low_margin")));
    json_decref(s);

    wh_kpi_freight big[2] = {{.revenue = INT64_MAX, .profit = 1}, {.revenue = 1, .profit = 1}};
    assert_null(wh_kpi_freight_summary(big, 2));
    wh_kpi_hotel h[2] = {{.rooms_sold = 1, .rooms_available = 2, .room_revenue = INT64_MAX},
                         {.other_revenue = 1}};
    assert_null(wh_kpi_hotel_summary(h, 2));
    s = wh_kpi_hotel_summary(h, 1);
    assert_int_equal(json_integer_value(json_object_get(s, "adr_cents")), INT64_MAX);
    json_decref(s);
    wh_kpi_bpo b[2] = {{.talk_seconds = INT64_MAX}, {.talk_seconds = 1}};
    assert_null(wh_kpi_bpo_summary(b, 2));
}

static void test_freight_summary_flags(void **state)
{
    (void)state;
    wh_kpi_freight d[2] = {
        {.venture_id = 1,
         .date = "2026-01-01",
         .inbound = 6,
         .covered = 4,
         .revenue = 15000,
         .cost = 6000,
         .profit = 9000},
        {.venture_id = 1, .date = "2026-01-02", .revenue = 7000, .cost = 1000, .profit = 6000},
    };
    json_t *s = wh_kpi_freight_summary(d, 2);
    assert_int_equal(json_integer_value(json_object_get(s, "coverage_bp")), 6667);
    assert_true(json_is_true(json_object_get(s, "low_coverage")));
    assert_int_equal(json_integer_value(json_object_get(s, "margin_bp")), 6818);
    assert_true(json_is_false(json_object_get(s, "low_margin")));
    json_decref(s);

    wh_kpi_freight none = {.venture_id = 1, .date = "2026-01-03"};
    s = wh_kpi_freight_summary(&none, 1);
    assert_true(json_is_null(json_object_get(s, "margin_bp")));
    assert_true(json_is_null(json_object_get(s, "coverage_bp")));
    assert_true(json_is_false(json_object_get(s, "low_margin")));
    assert_true(json_is_false(json_object_get(s, "low_coverage")));
    json_decref(s);

    wh_kpi_freight thin = {.inbound = 10, .covered = 7, .revenue = 10000, .profit = 999};
    s = wh_kpi_freight_summary(&thin, 1);
    assert_true(json_is_false(json_object_get(s, "low_coverage"))); /* exactly 70% */
    assert_true(json_is_true(json_object_get(s, "low_margin")));    /* 9.99% */
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratio_bp),
        cmocka_unit_test(test_ratio_bp_no_overflow),
        cmocka_unit_test(test_summary_huge_figures),
        cmocka_unit_test(test_freight_summary_flags),
    };
    return cmocka_run_group_tests_name("unit_kpi_rules", tests, NULL, NULL);
}
