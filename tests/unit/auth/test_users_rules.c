/* DOMAIN.md §1 "Granting roles" (auth/users_rules.c) over every pair of roles, and the session
 * expiry arithmetic (sliding, capped at the absolute lifetime). The privileged set is written
 * out here from the document, independently of the code. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"

#include <string.h>

/* CEO, ADMIN, HR_ADMIN and every other all-venture role (COO, AUDITOR, TEST_USER). */
static bool privileged(wh_role r)
{
    return r == WH_ROLE_CEO || r == WH_ROLE_ADMIN || r == WH_ROLE_HR_ADMIN || r == WH_ROLE_COO ||
           r == WH_ROLE_AUDITOR || r == WH_ROLE_TEST_USER;
}

static bool grants(wh_role r)
{
    return r == WH_ROLE_CEO || r == WH_ROLE_ADMIN;
}

static wh_principal actor(wh_role role, int64_t id)
{
    return (wh_principal){.id = id, .role = role, .all_ventures = wh_role_all_ventures(role)};
}

static void test_privileged_roles(void **state)
{
    (void)state;
    for (int r = 0; r < WH_ROLE_COUNT; r++)
        assert_int_equal(wh_role_privileged((wh_role)r), privileged((wh_role)r));
}

/* Create with each role, by each role: allowed unless the role is privileged and the actor is
 * neither CEO nor ADMIN. */
static void test_create(void **state)
{
    (void)state;
    for (int a = 0; a < WH_ROLE_COUNT; a++)
        for (int t = 0; t < WH_ROLE_COUNT; t++) {
            wh_principal p = actor((wh_role)a, 1);
            wh_user_input in = {.has_role = true, .role = (wh_role)t};
            bool refused = wh_users_refusal(&p, NULL, &in) != NULL;
            assert_int_equal(refused, privileged((wh_role)t) && !grants((wh_role)a));
        }
}

/* Changing another user's role from each role to each role. */
static void test_change_role_of_another(void **state)
{
    (void)state;
    for (int a = 0; a < WH_ROLE_COUNT; a++)
        for (int from = 0; from < WH_ROLE_COUNT; from++)
            for (int to = 0; to < WH_ROLE_COUNT; to++) {
                wh_principal p = actor((wh_role)a, 1);
                wh_user target = {
                    .id = 2, .email = "t@x.test", .role = (wh_role)from, .active = true};
                wh_user_input in = {.has_role = true, .role = (wh_role)to};
                bool refused = wh_users_refusal(&p, &target, &in) != NULL;
                bool want =
                    !grants((wh_role)a) && (privileged((wh_role)from) || privileged((wh_role)to));
                assert_int_equal(refused, want);
            }
}

static void test_any_field_of_a_privileged_user(void **state)
{
    (void)state;
    wh_principal hr = actor(WH_ROLE_HR_ADMIN, 1), admin = actor(WH_ROLE_ADMIN, 1);
    wh_user ceo = {.id = 2, .email = "ceo@x.test", .role = WH_ROLE_CEO, .active = true};
    wh_user emp = {.id = 3, .email = "e@x.test", .role = WH_ROLE_EMPLOYEE, .active = true};
    wh_user_input name = {.full_name = "New Name"};
    assert_non_null(wh_users_refusal(&hr, &ceo, &name));
    assert_non_null(wh_users_refusal(&hr, &ceo, NULL)); /* memberships, password reset */
    assert_null(wh_users_refusal(&admin, &ceo, &name));
    assert_null(wh_users_refusal(&hr, &emp, &name));
    assert_null(wh_users_refusal(&hr, &emp, NULL));
}

/* Nobody changes their own role or active flag, CEO included; the same value is no change,
 * and other fields of oneself follow the privileged rule. */
static void test_self(void **state)
{
    (void)state;
    for (int a = 0; a < WH_ROLE_COUNT; a++) {
        wh_principal p = actor((wh_role)a, 7);
        wh_user self = {.id = 7, .email = "me@x.test", .role = (wh_role)a, .active = true};
        wh_user_input other_role = {
            .has_role = true, .role = a == WH_ROLE_EMPLOYEE ? WH_ROLE_TEAM_LEAD : WH_ROLE_EMPLOYEE};
        wh_user_input same_role = {.has_role = true, .role = (wh_role)a};
        wh_user_input off = {.has_active = true, .active = false};
        wh_user_input name = {.full_name = "Me Again"};
        assert_non_null(wh_users_refusal(&p, &self, &other_role));
        assert_non_null(wh_users_refusal(&p, &self, &off));
        bool own_privilege = privileged((wh_role)a) && !grants((wh_role)a);
        assert_int_equal(wh_users_refusal(&p, &self, &same_role) != NULL, own_privilege);
        assert_int_equal(wh_users_refusal(&p, &self, &name) != NULL, own_privilege);
    }
}

static void test_changes_that_end_sessions(void **state)
{
    (void)state;
    wh_user before = {
        .id = 2, .email = "a@x.test", .full_name = "A", .role = WH_ROLE_EMPLOYEE, .active = true};
    wh_user after = before;
    assert_false(wh_users_ends_sessions(&before, &after));
    after.full_name = "B";
    assert_false(wh_users_ends_sessions(&before, &after));
    after = before;
    after.email = "b@x.test";
    assert_true(wh_users_ends_sessions(&before, &after));
    after = before;
    after.role = WH_ROLE_TEAM_LEAD;
    assert_true(wh_users_ends_sessions(&before, &after));
    after = before;
    after.active = false;
    assert_true(wh_users_ends_sessions(&before, &after));
}

static void test_session_expiry_slides_up_to_the_cap(void **state)
{
    (void)state;
    wh_session_policy pol = {.ttl_ms = 1000, .max_ms = 5000};
    assert_int_equal(wh_session_expiry(&pol, 0, 0), 1000);
    assert_int_equal(wh_session_expiry(&pol, 0, 3000), 4000);
    assert_int_equal(wh_session_expiry(&pol, 0, 4500), 5000);
    assert_int_equal(wh_session_expiry(&pol, 0, 9000), 5000);
    wh_session_policy longer = {.ttl_ms = 10000, .max_ms = 5000};
    assert_int_equal(wh_session_expiry(&longer, 100, 100), 5100); /* ttl over max: the cap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_privileged_roles),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_change_role_of_another),
        cmocka_unit_test(test_any_field_of_a_privileged_user),
        cmocka_unit_test(test_self),
        cmocka_unit_test(test_changes_that_end_sessions),
        cmocka_unit_test(test_session_expiry_slides_up_to_the_cap),
    };
    return cmocka_run_group_tests_name("auth_users_rules", tests, NULL, NULL);
}
