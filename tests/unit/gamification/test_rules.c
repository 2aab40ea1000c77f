/* The pure rules of gamification (DOMAIN.md §6): default points, event types, the points of a
 * type under a venture's overrides, the effective points map, and competition ranking. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "gamification/gamification.h"

#include <jansson.h>
#include <string.h>

static void test_default_points_of_domain_table(void **state)
{
    (void)state;
    const char *types[] = {"FIRST_DAILY_LOGIN",      "BPO_CALL_COMPLETED", "HOTEL_REVIEW_RESPONDED",
                           "HOTEL_DISPUTE_RESOLVED", "PERFECT_WEEK_EOD",   "EOD_REPORT_SUBMITTED",
                           "LOAD_COMPLETED"};
    const int64_t want[] = {1, 3, 8, 15, 25, 10, 25};
    for (size_t i = 0; i < 7; i++) {
        int64_t p = -1;
        assert_true(wh_gami_default_points(types[i], &p));
        assert_int_equal(p, want[i]);
        assert_string_equal(wh_gami_builtin_types[i], types[i]);
    }
    assert_null(wh_gami_builtin_types[7]);
    int64_t p = 0;
    assert_false(wh_gami_default_points("MANUAL_BONUS", &p));
    assert_false(wh_gami_default_points("load_completed", &p));
    assert_false(wh_gami_default_points(NULL, &p));
}

static void test_event_type_shape(void **state)
{
    (void)state;
    assert_true(wh_gami_type_valid("A"));
    assert_true(wh_gami_type_valid("MANUAL_BONUS"));
    assert_true(wh_gami_type_valid("Q4_BONUS_2026"));
    char longest[WH_GAMIFICATION_TYPE_CHARS + 2];
    memset(longest, 'X', sizeof longest);
    longest[WH_GAMIFICATION_TYPE_CHARS] = '\0';
    assert_true(wh_gami_type_valid(longest));
    longest[WH_GAMIFICATION_TYPE_CHARS] = 'X';
    longest[WH_GAMIFICATION_TYPE_CHARS + 1] = '\0';
    assert_false(wh_gami_type_valid(longest));
    const char *bad[] = {"", "_BONUS", "1BONUS", "Bonus", "BONUS-1", "BONUS ", "ÉCLAT", NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_false(wh_gami_type_valid(bad[i]));
    assert_false(wh_gami_type_valid(NULL));
}

static void test_points_override_then_default(void **state)
{
    (void)state;
    const char *types[] = {"LOAD_COMPLETED", "MANUAL_BONUS"};
    int64_t points[] = {40, 0};
    wh_gami_config cfg = {
        .venture_id = 1, .enabled = true, .n = 2, .types = types, .points = points};
    int64_t p = -1;
    assert_true(wh_gami_points_of(&cfg, "LOAD_COMPLETED", &p));
    assert_int_equal(p, 40);
    assert_true(wh_gami_points_of(&cfg, "MANUAL_BONUS", &p));
    assert_int_equal(p, 0);
    assert_true(wh_gami_points_of(&cfg, "EOD_REPORT_SUBMITTED", &p));
    assert_int_equal(p, 10);
    assert_false(wh_gami_points_of(&cfg, "OTHER", &p));
    assert_true(wh_gami_points_of(NULL, "PERFECT_WEEK_EOD", &p));
    assert_int_equal(p, 25);

    json_t *m = wh_gami_points_json(&cfg);
    assert_int_equal(json_object_size(m), 8);
    assert_int_equal(json_integer_value(json_object_get(m, "LOAD_COMPLETED")), 40);
    assert_int_equal(json_integer_value(json_object_get(m, "FIRST_DAILY_LOGIN")), 1);
    assert_int_equal(json_integer_value(json_object_get(m, "MANUAL_BONUS")), 0);
    json_decref(m);
}

static void test_competition_ranking(void **state)
{
    (void)state;
    int64_t rank[6];
    const int64_t a[] = {10, 10, 5, 5, 5, 1};
    wh_gami_rank(a, 6, rank);
    const int64_t want_a[] = {1, 1, 3, 3, 3, 6};
    assert_memory_equal(rank, want_a, sizeof want_a);
    const int64_t b[] = {9, 8, 7};
    wh_gami_rank(b, 3, rank);
    const int64_t want_b[] = {1, 2, 3};
    assert_memory_equal(rank, want_b, sizeof want_b);
    const int64_t c[] = {4, 4, 4};
    wh_gami_rank(c, 3, rank);
    const int64_t want_c[] = {1, 1, 1};
    assert_memory_equal(rank, want_c, sizeof want_c);
    wh_gami_rank(c, 0, rank); /* nothing to rank: no access */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_points_of_domain_table),
        cmocka_unit_test(test_event_type_shape),
        cmocka_unit_test(test_points_override_then_default),
        cmocka_unit_test(test_competition_ranking),
    };
    return cmocka_run_group_tests_name("unit_gamification_rules", tests, NULL, NULL);
}
