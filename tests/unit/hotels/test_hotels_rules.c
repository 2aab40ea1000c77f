/* The pure Hospitality rules on worked numbers: occupancy, ADR, RevPAR (rounded half away from
 * zero to whole basis points / cents), the high-loss flag at its thresholds, sold <= available,
 * dispute owners and resolved statuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hotels/hotels.h"

#include <string.h>

static wh_hotel_daily day(int64_t sold, int64_t available, int64_t revenue, int64_t lost)
{
    wh_hotel_daily d;
    memset(&d, 0, sizeof d);
    d.date = "2026-11-20";
    d.rooms_sold = sold;
    d.rooms_available = available;
    d.room_revenue_cents = revenue;
    d.lost_dues_cents = lost;
    return d;
}

static wh_hotel_figures figures(int64_t sold, int64_t available, int64_t revenue, int64_t lost)
{
    wh_hotel_daily d = day(sold, available, revenue, lost);
    wh_hotel_figures f;
    wh_hotel_daily_derive(&d, &f);
    return f;
}

static void worked_example(void **state)
{
    (void)state;
    /* 80 of 100 rooms sold for $12,000.00 */
    wh_hotel_figures f = figures(80, 100, 1200000, 0);
    assert_int_equal(f.occupancy_bp, 8000);
    assert_true(f.has_adr);
    assert_int_equal(f.adr_cents, 15000);
    assert_int_equal(f.revpar_cents, 12000);
    assert_false(f.high_loss);
    /* a full house and an empty one */
    f = figures(100, 100, 1000000, 0);
    assert_int_equal(f.occupancy_bp, 10000);
    assert_int_equal(f.adr_cents, 10000);
    assert_int_equal(f.revpar_cents, 10000);
    f = figures(0, 100, 0, 0);
    assert_int_equal(f.occupancy_bp, 0);
    assert_false(f.has_adr);
    assert_int_equal(f.revpar_cents, 0);
}

static void no_room_sold_has_no_adr(void **state)
{
    (void)state;
    /* revenue without a sold room (a late fee, say): ADR is undefined, RevPAR is not */
    wh_hotel_figures f = figures(0, 40, 4000, 0);
    assert_false(f.has_adr);
    assert_int_equal(f.adr_cents, 0);
    assert_int_equal(f.revpar_cents, 100);
}

static void rounding_is_half_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(wh_hotel_div_round(5, 2), 3);
    assert_int_equal(wh_hotel_div_round(-5, 2), -3);
    assert_int_equal(wh_hotel_div_round(5, -2), -3);
    assert_int_equal(wh_hotel_div_round(7, 3), 2);
    assert_int_equal(wh_hotel_div_round(8, 3), 3);
    assert_int_equal(wh_hotel_div_round(-8, 3), -3);
    assert_int_equal(wh_hotel_div_round(0, 7), 0);
    assert_int_equal(wh_hotel_div_round(INT64_MAX, INT64_MAX), 1);
    assert_int_equal(wh_hotel_div_round(INT64_MAX / 2, INT64_MAX), 0);
    assert_int_equal(wh_hotel_div_round(INT64_MAX / 2 + 1, INT64_MAX), 1);
    /* 1 of 3 rooms: 3333.33 bp -> 3333; 2 of 3: 6666.67 -> 6667 */
    assert_int_equal(figures(1, 3, 0, 0).occupancy_bp, 3333);
    assert_int_equal(figures(2, 3, 0, 0).occupancy_bp, 6667);
    /* 1 of 8 rooms: 1250 bp exactly; 1 of 16: 625; 1 of 32: 312.5 -> 313 */
    assert_int_equal(figures(1, 8, 0, 0).occupancy_bp, 1250);
    assert_int_equal(figures(1, 32, 0, 0).occupancy_bp, 313);
    /* ADR 10000 / 3 = 3333.33 -> 3333; 5 / 2 = 2.5 -> 3; RevPAR 1 / 2 = 0.5 -> 1 */
    assert_int_equal(figures(3, 10, 10000, 0).adr_cents, 3333);
    assert_int_equal(figures(3, 10, 20000, 0).adr_cents, 6667);
    assert_int_equal(figures(2, 2, 5, 0).adr_cents, 3);
    assert_int_equal(figures(1, 2, 1, 0).revpar_cents, 1);
    assert_int_equal(figures(1, 3, 1, 0).revpar_cents, 0);
}

static void largest_values_do_not_overflow(void **state)
{
    (void)state;
    wh_hotel_figures f =
        figures(WH_HOTELS_ROOMS_MAX, WH_HOTELS_ROOMS_MAX, WH_HOTELS_CENTS_MAX, WH_HOTELS_CENTS_MAX);
    assert_int_equal(f.occupancy_bp, 10000);
    assert_int_equal(f.adr_cents, WH_HOTELS_CENTS_MAX / WH_HOTELS_ROOMS_MAX);
    assert_true(f.high_loss);
    f = figures(1, WH_HOTELS_ROOMS_MAX, WH_HOTELS_CENTS_MAX, 1);
    assert_int_equal(f.occupancy_bp, 0); /* 0.1 bp */
    assert_false(f.high_loss);
}

static void high_loss_thresholds(void **state)
{
    (void)state;
    /* no lost dues: never, even without revenue */
    assert_false(figures(0, 10, 0, 0).high_loss);
    /* $500 or more: always */
    assert_true(figures(50, 100, 100000000, 50000).high_loss);
    assert_false(figures(50, 100, 100000000, 49999).high_loss);
    /* 10% of room revenue or more */
    assert_true(figures(50, 100, 1000, 100).high_loss);
    assert_false(figures(50, 100, 1000, 99).high_loss);
    assert_true(figures(50, 100, 499990, 49999).high_loss);
    assert_false(figures(50, 100, 500000, 49999).high_loss);
    /* any loss on a day without room revenue */
    assert_true(figures(0, 100, 0, 1).high_loss);
}

static void sold_may_not_exceed_available(void **state)
{
    (void)state;
    wh_error e;
    wh_hotel_daily d = day(100, 100, 0, 0);
    wh_error_init(&e);
    assert_true(wh_hotel_daily_check(&d, &e));
    assert_int_equal(e.nfields, 0);
    d = day(101, 100, 0, 0);
    assert_false(wh_hotel_daily_check(&d, &e));
    assert_int_equal(e.status, 400);
    assert_int_equal(e.nfields, 1);
    assert_string_equal(e.fields[0].field, "rooms_sold");
}

static void dispute_owners(void **state)
{
    (void)state;
    wh_hotel_owner_facts member = {
        .exists = true, .active = true, .member = true, .role = "EMPLOYEE"};
    wh_hotel_owner_facts outsider = {.exists = true, .active = true, .role = "EMPLOYEE"};
    wh_hotel_owner_facts ceo = {.exists = true, .active = true, .role = "CEO"};
    wh_hotel_owner_facts gone = {
        .exists = true, .active = false, .member = true, .role = "EMPLOYEE"};
    wh_hotel_owner_facts missing = {0};
    assert_true(wh_hotel_owner_eligible(&member));
    assert_false(wh_hotel_owner_eligible(&outsider));
    assert_true(wh_hotel_owner_eligible(&ceo));
    assert_false(wh_hotel_owner_eligible(&gone));
    assert_false(wh_hotel_owner_eligible(&missing));
}

static void resolved_statuses(void **state)
{
    (void)state;
    assert_true(wh_hotel_dispute_resolved("WON"));
    assert_true(wh_hotel_dispute_resolved("LOST"));
    assert_true(wh_hotel_dispute_resolved("CLOSED_NO_ACTION"));
    assert_false(wh_hotel_dispute_resolved("OPEN"));
    assert_false(wh_hotel_dispute_resolved("IN_PROGRESS"));
    assert_false(wh_hotel_dispute_resolved(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(no_room_sold_has_no_adr),
        cmocka_unit_test(rounding_is_half_away_from_zero),
        cmocka_unit_test(largest_values_do_not_overflow),
        cmocka_unit_test(high_loss_thresholds),
        cmocka_unit_test(sold_may_not_exceed_available),
        cmocka_unit_test(dispute_owners),
        cmocka_unit_test(resolved_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
