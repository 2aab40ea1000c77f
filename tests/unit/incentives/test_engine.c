/* The pure incentive engine: rounding half away from zero, every calc type, marginal tiers,
 * field checks per calc type, the role filter, and the per-user sums of a day. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "incentives/incentives.h"

#include <string.h>

static wh_inc_rule rule(wh_inc_calc calc, wh_inc_metric metric)
{
    wh_inc_rule r;
    memset(&r, 0, sizeof r);
    r.id = 1;
    r.plan_id = 1;
    r.calc = calc;
    r.metric = metric;
    r.enabled = true;
    return r;
}

static void test_div_round_half_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(wh_incentives_div_round(15, 10), 2);
    assert_int_equal(wh_incentives_div_round(14, 10), 1);
    assert_int_equal(wh_incentives_div_round(-15, 10), -2);
    assert_int_equal(wh_incentives_div_round(-14, 10), -1);
    assert_int_equal(wh_incentives_div_round(5000, 10000), 1);
    assert_int_equal(wh_incentives_div_round(4999, 10000), 0);
    assert_int_equal(wh_incentives_div_round(0, 7), 0);
}

static void test_percent_of_metric(void **state)
{
    (void)state;
    wh_inc_rule r = rule(WH_INC_PERCENT_OF_METRIC, WH_INC_LOADS_REVENUE_CENTS);
    r.has_rate_bp = true;
    r.rate_bp = 200;
    assert_int_equal(wh_incentives_rule_amount(&r, 1000000), 20000); /* 2% of $10,000 */
    r.rate_bp = 150;
    assert_int_equal(wh_incentives_rule_amount(&r, 4100), 62);   /* 61.5 */
    assert_int_equal(wh_incentives_rule_amount(&r, 2050), 31);   /* 30.75 */
    assert_int_equal(wh_incentives_rule_amount(&r, -4100), -62); /* a negative margin */
    r.rate_bp = 1;
    assert_int_equal(wh_incentives_rule_amount(&r, 4999), 0);
    assert_int_equal(wh_incentives_rule_amount(&r, 5000), 1);
    /* large values do not overflow: 10% of 9e17 */
    r.rate_bp = 1000;
    assert_int_equal(wh_incentives_rule_amount(&r, 900000000000000000LL), 90000000000000000LL);
}

static void test_flat_and_currency_per_unit(void **state)
{
    (void)state;
    wh_inc_rule r = rule(WH_INC_FLAT_PER_UNIT, WH_INC_LOADS_COMPLETED);
    r.rate_cents = 500;
    assert_int_equal(wh_incentives_rule_amount(&r, 3), 1500); /* 3 loads x $5 */
    r.calc = WH_INC_CURRENCY_PER_UNIT;
    assert_int_equal(wh_incentives_rule_amount(&r, 3), 1500);
    r.rate_cents = INT64_MAX / 2;
    assert_int_equal(wh_incentives_rule_amount(&r, 3), INT64_MAX); /* saturates */
}

static void test_bonus_on_target(void **state)
{
    (void)state;
    wh_inc_rule r = rule(WH_INC_BONUS_ON_TARGET, WH_INC_LOADS_COMPLETED);
    r.threshold = 5;
    r.bonus_cents = 10000;
    assert_int_equal(wh_incentives_rule_amount(&r, 3), 0);
    assert_int_equal(wh_incentives_rule_amount(&r, 5), 10000);
    assert_int_equal(wh_incentives_rule_amount(&r, 9), 10000);
}

static void test_tiered_slab_is_marginal(void **state)
{
    (void)state;
    wh_inc_rule r = rule(WH_INC_TIERED_SLAB, WH_INC_BPO_DIALS);
    r.ntiers = 3;
    r.tiers[0] = (wh_inc_tier){0, 10};
    r.tiers[1] = (wh_inc_tier){10, 20};
    r.tiers[2] = (wh_inc_tier){100, 50};
    assert_int_equal(wh_incentives_rule_amount(&r, 0), 0);
    assert_int_equal(wh_incentives_rule_amount(&r, 7), 70);
    assert_int_equal(wh_incentives_rule_amount(&r, 10), 100);
    assert_int_equal(wh_incentives_rule_amount(&r, 15), 200);               /* 10x10 + 5x20 */
    assert_int_equal(wh_incentives_rule_amount(&r, 102), 100 + 1800 + 100); /* 3 tiers */
    assert_int_equal(wh_incentives_rule_amount(&r, -5), 0);
}

static void expect_field(const wh_inc_rule *r, const char *field)
{
    wh_error e;
    wh_error_init(&e);
    if (!field) {
        assert_int_equal(wh_incentives_rule_check(r, &e), WH_OK);
        return;
    }
    assert_int_equal(wh_incentives_rule_check(r, &e), WH_ERR_INVALID);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.fields[0].field, field);
}

static void test_rule_check_per_calc_type(void **state)
{
    (void)state;
    wh_inc_rule r = rule(WH_INC_BONUS_ON_TARGET, WH_INC_LOADS_COMPLETED);
    r.has_bonus = true;
    expect_field(&r, "threshold"); /* BONUS_ON_TARGET without a threshold */
    r.has_threshold = true;
    expect_field(&r, NULL);
    r.has_rate_cents = true;
    expect_field(&r, "rate_cents"); /* not used by the type */
    r = rule(WH_INC_PERCENT_OF_METRIC, WH_INC_LOADS_REVENUE_CENTS);
    expect_field(&r, "rate_bp");
    r = rule(WH_INC_CURRENCY_PER_UNIT, WH_INC_LOADS_MILES);
    expect_field(&r, "rate_cents");
    r = rule(WH_INC_TIERED_SLAB, WH_INC_BPO_DIALS);
    expect_field(&r, "tiers");
    r.ntiers = 2;
    r.tiers[0] = (wh_inc_tier){0, 1};
    r.tiers[1] = (wh_inc_tier){0, 2};
    expect_field(&r, "tiers"); /* not increasing */
    r.tiers[0].from = 3;       /* below the first tier nothing is paid */
    r.tiers[1].from = 5;
    expect_field(&r, NULL);
    assert_int_equal(wh_incentives_rule_amount(&r, 6), 2 * 1 + 1 * 2);
}

static void test_trim_clears_unused_fields(void **state)
{
    (void)state;
    wh_inc_rule r = rule(WH_INC_PERCENT_OF_METRIC, WH_INC_LOADS_COMPLETED);
    r.has_rate_cents = r.has_threshold = r.has_bonus = r.has_rate_bp = true;
    r.ntiers = 1;
    wh_incentives_rule_trim(&r);
    assert_true(r.has_rate_bp);
    assert_false(r.has_rate_cents || r.has_threshold || r.has_bonus);
    assert_int_equal(r.ntiers, 0);
}

static void test_compute_sums_per_user_with_role_filter(void **state)
{
    (void)state;
    wh_arena a;
    wh_arena_init(&a);
    wh_inc_rule rules[3];
    rules[0] = rule(WH_INC_FLAT_PER_UNIT, WH_INC_LOADS_COMPLETED);
    rules[0].rate_cents = 500;
    rules[1] = rule(WH_INC_PERCENT_OF_METRIC, WH_INC_LOADS_REVENUE_CENTS);
    rules[1].id = 2;
    rules[1].plan_id = 2;
    rules[1].rate_bp = 200;
    rules[2] = rule(WH_INC_FLAT_PER_UNIT, WH_INC_BPO_DEALS);
    rules[2].id = 3;
    rules[2].rate_cents = 1000;
    rules[2].has_role = true;
    rules[2].role = WH_ROLE_DISPATCHER;
    wh_inc_member m[3];
    memset(m, 0, sizeof m);
    m[0].user_id = 10;
    m[0].role = WH_ROLE_EMPLOYEE;
    m[0].m[WH_INC_LOADS_COMPLETED] = 3;
    m[0].m[WH_INC_LOADS_REVENUE_CENTS] = 1000000;
    m[0].m[WH_INC_BPO_DEALS] = 4; /* not a DISPATCHER: rule 3 does not apply */
    m[1].user_id = 11;
    m[1].role = WH_ROLE_DISPATCHER;
    m[1].m[WH_INC_BPO_DEALS] = 2;
    m[2].user_id = 12; /* nothing earned: no item */
    m[2].role = WH_ROLE_EMPLOYEE;
    wh_inc_item *items = NULL;
    size_t n = 0;
    wh_incentives_compute(&a, rules, 3, m, 3, &items, &n);
    assert_int_equal(n, 2);
    assert_int_equal(items[0].user_id, 10);
    assert_int_equal(items[0].amount_cents, 1500 + 20000);
    assert_int_equal(items[0].nparts, 2);
    assert_int_equal(items[0].parts[1].plan_id, 2);
    assert_int_equal(items[1].user_id, 11);
    assert_int_equal(items[1].amount_cents, 2000);
    rules[0].enabled = false;
    assert_false(wh_incentives_rule_applies(&rules[0], WH_ROLE_EMPLOYEE));
    wh_arena_cleanup(&a);
}

static void test_lock_keys_differ_by_slice(void **state)
{
    (void)state;
    assert_int_equal(wh_incentives_slice_key(1, "2026-11-01"),
                     wh_incentives_slice_key(1, "2026-11-01"));
    assert_int_not_equal(wh_incentives_slice_key(1, "2026-11-01"),
                         wh_incentives_slice_key(1, "2026-11-02"));
    assert_int_not_equal(wh_incentives_slice_key(1, "2026-11-01"),
                         wh_incentives_slice_key(2, "2026-11-01"));
    assert_int_not_equal(wh_incentives_payout_key(1), wh_incentives_payout_key(2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_div_round_half_away_from_zero),
        cmocka_unit_test(test_percent_of_metric),
        cmocka_unit_test(test_flat_and_currency_per_unit),
        cmocka_unit_test(test_bonus_on_target),
        cmocka_unit_test(test_tiered_slab_is_marginal),
        cmocka_unit_test(test_rule_check_per_calc_type),
        cmocka_unit_test(test_trim_clears_unused_fields),
        cmocka_unit_test(test_compute_sums_per_user_with_role_filter),
        cmocka_unit_test(test_lock_keys_differ_by_slice),
    };
    return cmocka_run_group_tests_name("unit_incentives_engine", tests, NULL, NULL);
}
