/*
 * Venture isolation (DOMAIN.md §1 "Scope", API.md "Scope"): a user sees exactly the ventures
 * they belong to, no memberships means nothing, query parameters never widen the scope, and a
 * venture outside the scope is indistinguishable from one that does not exist.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "harness.h"

#define MISSING_ID 987654321LL

typedef struct fixture {
    bool ready;
    wht_venture a, b, c;
    long long office_a, office_b;
} fixture;

static fixture FX;

static const fixture *fx(void)
{
    if (!FX.ready) {
        FX.a = wht_venture_new("LOGISTICS");
        FX.b = wht_venture_new("BPO");
        FX.c = wht_venture_new("HOSPITALITY");
        FX.office_a = wht_office_new(FX.a.id);
        FX.office_b = wht_office_new(FX.b.id);
        FX.ready = true;
    }
    return &FX;
}

static void assert_empty_list(const wht_resp *r)
{
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
}

/* A query that tries to widen the scope may be refused, or ignored; it may never show rows. */
static void assert_not_widened(const wht_resp *r)
{
    if (r->status == 400 || r->status == 403)
        return;
    assert_empty_list(r);
}

static void test_no_memberships_means_no_ventures(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = wht_user_new("EMPLOYEE");
    assert_empty_list(wht_get(u.token, "/ventures"));
    wht_resp *me = wht_get(u.token, "/me");
    WHT_EXPECT(me, 200);
    assert_true(json_is_false(json_object_get(me->json, "all_ventures")));
    assert_int_equal(json_array_size(json_object_get(me->json, "ventures")), 0);
    assert_int_equal(json_array_size(json_object_get(me->json, "offices")), 0);

    const char *queries[] = {
        wht_fmt("?id=%lld", f->a.id),
        wht_fmt("?venture_id=%lld", f->a.id),
        wht_fmt("?venture_ids=%lld,%lld", f->a.id, f->b.id),
        wht_fmt("?office_id=%lld", f->office_a),
        "?all=true",
        "?scope=all",
        "?all_ventures=true",
        wht_fmt("?id=%lld&limit=200", f->b.id),
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        assert_not_widened(wht_get(u.token, wht_fmt("/ventures%s", queries[i])));
}

/* GET /ventures/{id}<suffix> for a foreign id answers exactly like one that does not exist. */
static void assert_404_like_missing(const char *token, const char *suffix, long long foreign)
{
    wht_resp *hidden = wht_get(token, wht_fmt("/ventures/%lld%s", foreign, suffix));
    wht_resp *missing = wht_get(token, wht_fmt("/ventures/%lld%s", MISSING_ID, suffix));
    WHT_PROBLEM(hidden, 404, "not_found", NULL);
    WHT_PROBLEM(missing, 404, "not_found", NULL);
    json_t *a = wht_problem_shape(hidden->json, wht_fmt("%lld", foreign));
    json_t *b = wht_problem_shape(missing->json, wht_fmt("%lld", MISSING_ID));
    WHT_JSON_EQUAL(a, b);
    assert_string_equal(wht_header(hidden, "Content-Type"), wht_header(missing, "Content-Type"));
}

static void test_foreign_venture_answers_like_a_missing_one(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = wht_user_add("OFFICE_MANAGER");
    wht_set_ventures(u.id, 1, &f->a.id);
    wht_set_offices(u.id, 1, &f->office_a);
    const char *token = wht_login(u.email, u.password);
    const char *paths[] = {"", "/offices", "/people"};
    for (size_t i = 0; i < 3; i++) {
        WHT_EXPECT(wht_get(token, wht_fmt("/ventures/%lld%s", f->a.id, paths[i])), 200);
        assert_404_like_missing(token, paths[i], f->b.id);
        assert_404_like_missing(token, paths[i], f->c.id);
    }
    wht_user none = wht_user_new("EMPLOYEE");
    for (size_t i = 0; i < 3; i++)
        assert_404_like_missing(none.token, paths[i], f->a.id);
}

static void test_member_sees_exactly_their_ventures(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = wht_user_new("VENTURE_HEAD");
    long long mine[] = {f->a.id, f->c.id};
    wht_set_ventures(u.id, 2, mine);
    wht_set_offices(u.id, 1, &f->office_a);

    WHT_ID_SET(wht_list_all(u.token, "/ventures", 1), "id", 2, mine);
    WHT_ID_SET(wht_list_all(u.token, "/ventures", 200), "id", 2, mine);
    wht_resp *me = wht_get(u.token, "/me");
    WHT_EXPECT(me, 200);
    assert_true(json_is_false(json_object_get(me->json, "all_ventures")));
    json_t *ventures = json_object_get(me->json, "ventures");
    WHT_ID_SET(ventures, "id", 2, mine);
    json_t *va = wht_find_by_id(ventures, f->a.id);
    assert_string_equal(wht_str(va, "name"), f->a.name);
    assert_string_equal(wht_str(va, "code"), f->a.code);
    assert_string_equal(wht_str(va, "type"), "LOGISTICS");
    WHT_ID_SET(json_object_get(me->json, "offices"), "id", 1, &f->office_a);

    wht_resp *one = wht_get(u.token, wht_fmt("/ventures/%lld", f->a.id));
    WHT_EXPECT(one, 200);
    assert_string_equal(wht_str(one->json, "code"), f->a.code);
    WHT_PROBLEM(wht_get(u.token, wht_fmt("/ventures/%lld", f->b.id)), 404, "not_found", NULL);

    json_t *offices = wht_list_all(u.token, wht_fmt("/ventures/%lld/offices", f->a.id), 200);
    assert_non_null(wht_find_by_id(offices, f->office_a));
    assert_null(wht_find_by_id(offices, f->office_b));
}

static void test_people_list_holds_only_that_ventures_members(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user in_a = wht_user_new("TEAM_LEAD");
    wht_user in_b = wht_user_add("TEAM_LEAD");
    wht_set_ventures(in_a.id, 1, &f->a.id);
    wht_set_ventures(in_b.id, 1, &f->b.id);
    json_t *people = wht_list_all(in_a.token, wht_fmt("/ventures/%lld/people", f->a.id), 200);
    assert_non_null(wht_find_by_id(people, in_a.id));
    assert_null(wht_find_by_id(people, in_b.id));
}

static void test_scope_follows_membership_changes(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user u = wht_user_new("EMPLOYEE");
    wht_set_ventures(u.id, 1, &f->a.id);
    WHT_EXPECT(wht_get(u.token, wht_fmt("/ventures/%lld", f->a.id)), 200);
    wht_set_ventures(u.id, 1, &f->b.id);
    WHT_PROBLEM(wht_get(u.token, wht_fmt("/ventures/%lld", f->a.id)), 404, "not_found", NULL);
    WHT_EXPECT(wht_get(u.token, wht_fmt("/ventures/%lld", f->b.id)), 200);
    WHT_ID_SET(wht_list_all(u.token, "/ventures", 50), "id", 1, &f->b.id);
    wht_set_ventures(u.id, 0, NULL);
    assert_empty_list(wht_get(u.token, "/ventures"));
    WHT_PROBLEM(wht_get(u.token, wht_fmt("/ventures/%lld", f->b.id)), 404, "not_found", NULL);
}

static json_t *ids_of(const json_t *items)
{
    json_t *ids = wht_keep_json(json_array());
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_array_append_new(ids, json_integer(wht_int(v, "id")));
    }
    return ids;
}

static void test_all_venture_roles_see_every_venture(void **state)
{
    (void)state;
    const fixture *f = fx();
    static const char *const roles[] = {"CEO", "ADMIN", "COO", "AUDITOR", "HR_ADMIN", "TEST_USER"};
    wht_venture fresh = wht_venture_new("SAAS");
    json_t *every = ids_of(wht_list_all(wht_admin_token(), "/ventures", 200));
    assert_true(json_array_size(every) >= 4);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        wht_user u = wht_user_new(roles[i]);
        json_t *seen = wht_list_all(u.token, "/ventures", 200);
        WHT_JSON_EQUAL(ids_of(seen), every);
        assert_non_null(wht_find_by_id(seen, fresh.id));
        wht_resp *me = wht_get(u.token, "/me");
        WHT_EXPECT(me, 200);
        assert_true(json_is_true(json_object_get(me->json, "all_ventures")));
        json_t *ventures = json_object_get(me->json, "ventures");
        assert_int_equal(json_array_size(ventures), json_array_size(every));
        assert_non_null(wht_find_by_id(ventures, f->b.id));
        WHT_EXPECT(wht_get(u.token, wht_fmt("/ventures/%lld", f->c.id)), 200);
        WHT_EXPECT(wht_get(u.token, wht_fmt("/ventures/%lld/people", f->c.id)), 200);
    }
}

static void test_audit_venture_filter_stays_in_that_venture(void **state)
{
    (void)state;
    const fixture *f = fx();
    wht_user auditor = wht_user_new("AUDITOR");
    const char *tokens[] = {wht_admin_token(), auditor.token};
    for (size_t t = 0; t < 2; t++) {
        json_t *entries =
            wht_list_all(tokens[t], wht_fmt("/audit-log?venture_id=%lld", f->a.id), 20);
        assert_true(json_array_size(entries) >= 2); /* the venture and its office */
        size_t i;
        json_t *e;
        json_array_foreach(entries, i, e)
        {
            assert_int_equal(wht_int(e, "venture_id"), f->a.id);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_no_memberships_means_no_ventures),
        WHT_TEST(test_foreign_venture_answers_like_a_missing_one),
        WHT_TEST(test_member_sees_exactly_their_ventures),
        WHT_TEST(test_people_list_holds_only_that_ventures_members),
        WHT_TEST(test_scope_follows_membership_changes),
        WHT_TEST(test_all_venture_roles_see_every_venture),
        WHT_TEST(test_audit_venture_filter_stays_in_that_venture),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_scope", tests, NULL, NULL));
}
