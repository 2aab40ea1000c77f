/* The pure rules of tasks and notifications (DOMAIN-wave2 §18, §19): the status moves, working
 * days and the last one before a day, the cut of long titles and SMS bodies, E.164 phones, and
 * the route rules' roles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "tasks/tasks.h"

#include <string.h>

static void test_status_moves(void **state)
{
    (void)state;
    const char *ok[][2] = {{"OPEN", "DONE"},      {"OPEN", "CANCELLED"}, {"DONE", "OPEN"},
                           {"CANCELLED", "OPEN"}, {"OPEN", "OPEN"},      {"DONE", "DONE"}};
    const char *no[][2] = {{"DONE", "CANCELLED"}, {"CANCELLED", "DONE"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(wh_task_transition_ok(ok[i][0], ok[i][1]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(wh_task_transition_ok(no[i][0], no[i][1]));
}

static void test_working_days(void **state)
{
    (void)state;
    char out[16];
    assert_true(wh_tasks_working_day("2026-03-09"));  /* Monday */
    assert_true(wh_tasks_working_day("2026-03-13"));  /* Friday */
    assert_false(wh_tasks_working_day("2026-03-14")); /* Saturday */
    assert_false(wh_tasks_working_day("2026-03-15")); /* Sunday */
    assert_false(wh_tasks_working_day("2026-02-30"));
    wh_tasks_last_working_day("2026-03-09", out, sizeof out); /* Monday -> Friday */
    assert_string_equal(out, "2026-03-06");
    wh_tasks_last_working_day("2026-03-15", out, sizeof out); /* Sunday -> Friday */
    assert_string_equal(out, "2026-03-13");
    wh_tasks_last_working_day("2026-03-11", out, sizeof out);
    assert_string_equal(out, "2026-03-10");
    wh_tasks_last_working_day("2026-01-01", out, sizeof out); /* across a year end */
    assert_string_equal(out, "2025-12-31");
}

static void test_long_titles_are_cut_with_an_ellipsis(void **state)
{
    (void)state;
    wh_arena arena;
    wh_arena *a = &arena;
    wh_arena_init(a);
    char s[256];
    memset(s, 'x', 201);
    s[201] = 0;
    const char *cut = wh_tasks_ellipsis(a, s, WH_NOTE_TITLE_CHARS);
    assert_int_equal(strlen(cut), 200);
    assert_string_equal(cut + 197, "...");
    s[200] = 0; /* exactly 200: kept */
    assert_ptr_equal(wh_tasks_ellipsis(a, s, WH_NOTE_TITLE_CHARS), s);
    /* characters, not bytes: 161 two-byte characters become 157 of them and "..." */
    char u[400];
    for (int i = 0; i < 161; i++)
        memcpy(u + 2 * i, "\xc3\xa9", 2);
    u[2 * 161] = 0;
    const char *sms = wh_tasks_ellipsis(a, u, WH_NOTE_SMS_CHARS);
    assert_int_equal(strlen(sms), 157 * 2 + 3);
    wh_arena_cleanup(a);
}

static void test_phones_are_e164(void **state)
{
    (void)state;
    assert_true(wh_user_phone_ok("+15551234567"));
    assert_true(wh_user_phone_ok("+12345678"));        /* 8 digits */
    assert_true(wh_user_phone_ok("+123456789012345")); /* 15 digits */
    assert_false(wh_user_phone_ok("+1234567"));
    assert_false(wh_user_phone_ok("+1234567890123456"));
    assert_false(wh_user_phone_ok("+05551234567"));
    assert_false(wh_user_phone_ok("15551234567"));
    assert_false(wh_user_phone_ok("+1555-123-4567"));
    assert_false(wh_user_phone_ok(""));
}

static void test_route_rules(void **state)
{
    (void)state;
    for (int r = 0; r < WH_ROLE_COUNT; r++) {
        assert_int_equal(wh_tasks_rule_writer.limits((wh_role)r), r == WH_ROLE_AUDITOR);
        assert_int_equal(wh_tasks_rule_own.limits((wh_role)r),
                         !wh_rbac_allows((wh_role)r, WH_PERM_TASKS_READ));
    }
    assert_false(wh_tasks_rule_own.limits(WH_ROLE_AUDITOR));
    assert_true(wh_tasks_rule_own.limits(WH_ROLE_EMPLOYEE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_moves),
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_long_titles_are_cut_with_an_ellipsis),
        cmocka_unit_test(test_phones_are_e164),
        cmocka_unit_test(test_route_rules),
    };
    return cmocka_run_group_tests_name("unit_tasks_rules", tests, NULL, NULL);
}
