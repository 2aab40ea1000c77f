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
        cmocka_unit_test(test_freight_summary_flags),
    };
    return cmocka_run_group_tests_name("unit_kpi_rules", tests, NULL, NULL);
}
