/*
 * The Organisation section end to end (API.md "Organisation", docs/decisions.md): ventures,
 * offices, users, memberships and people as an administrator uses them, and the audit entry
 * (actor, action, entity, venture, before/after) that each change leaves.
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

#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---------------------------------------------------------------- helpers */

static void assert_keys(const json_t *obj, const char *const *keys)
{
    size_t n = 0;
    for (; keys[n]; n++) {
        if (!json_object_get(obj, keys[n]))
            WHT_FAIL("member \"%s\" missing in %s", keys[n], wht_dump(obj));
    }
    if (json_object_size(obj) != n)
        WHT_FAIL("members other than the %zu documented ones in %s", n, wht_dump(obj));
}

static const char *const VENTURE_KEYS[] = {"id", "name", "code", "type", "active", NULL};
static const char *const OFFICE_KEYS[] = {"id", "venture_id", "name", "city", "country", NULL};
/* API-wave2 added manager_id and phone to the user shape */
static const char *const USER_KEYS[] = {"id",     "email",      "full_name", "role",
                                        "active", "manager_id", "phone",     NULL};
static const char *const PERSON_KEYS[] = {"id",         "email", "full_name", "role", "active",
                                          "manager_id", "phone", "offices",   NULL};

static const char *lower(const char *s)
{
    char *out = (char *)wht_fmt("%s", s);
    for (char *p = out; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

static const char *upper(const char *s)
{
    char *out = (char *)wht_fmt("%s", s);
    for (char *p = out; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    }
    return out;
}

static json_t *me(const char *token)
{
    wht_resp *r = wht_get(token, "/me");
    WHT_EXPECT(r, 200);
    return r->json;
}

/* -------------------------------------------------------------- audit log */

/* The audit entries newer than head about one entity (newest first). */
static json_t *audit_about(long long head, const char *entity, long long entity_id)
{
    json_t *out = wht_keep_json(json_array());
    size_t i;
    json_t *e;
    json_array_foreach(wht_audit_since(head), i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "entity"));
        if (kind && strcmp(kind, entity) == 0 && wht_int(e, "entity_id") == entity_id)
            json_array_append(out, e);
    }
    return out;
}

/* Checks the one audit entry left by a change and returns it. venture_id 0: not scoped. */
static json_t *audited_once(long long head, const char *entity, long long id, long long actor,
                            long long venture_id)
{
    json_t *entries = audit_about(head, entity, id);
    if (json_array_size(entries) != 1)
        WHT_FAIL("expected one audit entry for %s %lld since %lld, got %zu", entity, id, head,
                 json_array_size(entries));
    json_t *e = json_array_get(entries, 0);
    assert_int_equal(wht_int(e, "actor_id"), actor);
    assert_true(wht_str(e, "action")[0] != '\0');
    if (venture_id)
        assert_int_equal(wht_int(e, "venture_id"), venture_id);
    else
        assert_true(json_is_null(json_object_get(e, "venture_id")));
    assert_non_null(json_object_get(e, "before"));
    assert_non_null(json_object_get(e, "after"));
    return e;
}

static const char *before_str(const json_t *e, const char *key)
{
    return json_string_value(json_object_get(json_object_get(e, "before"), key));
}

static const char *after_str(const json_t *e, const char *key)
{
    return json_string_value(json_object_get(json_object_get(e, "after"), key));
}

/* ------------------------------------------------------------------ tests */

static void test_venture_create_and_get(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    const char *name = wht_unique("Harbour ");
    const char *code = lower(wht_fmt("%s-h", wht_unique_code()));
    long long head = wht_audit_head();
    wht_resp *r =
        wht_post(tok, "/ventures",
                 wht_json("{s:s, s:s, s:s}", "name", name, "code", code, "type", "HOSPITALITY"));
    WHT_EXPECT(r, 201);
    json_t *created = r->json;
    assert_keys(created, VENTURE_KEYS);
    long long id = wht_int(created, "id");
    assert_string_equal(wht_str(created, "name"), name);
    assert_string_equal(wht_str(created, "code"), upper(code));
    assert_string_equal(wht_str(created, "type"), "HOSPITALITY");
    assert_true(json_is_true(json_object_get(created, "active")));
    WHT_JSON_EQUAL(wht_get(tok, wht_fmt("/ventures/%lld", id))->json, created);
    WHT_JSON_EQUAL(wht_find_by_id(wht_list_all(tok, "/ventures", 200), id), created);
    json_t *e = audited_once(head, "venture", id, wht_admin_id(), id);
    assert_true(json_is_null(json_object_get(e, "before")));
    assert_string_equal(after_str(e, "name"), name);
    assert_string_equal(after_str(e, "code"), upper(code));
    /* the list is written straight to text: exactly jansson's bytes, names with quotes too */
    WHT_EXPECT(wht_patch(tok, wht_fmt("/ventures/%lld", id),
                         wht_json("{s:s}", "name", wht_fmt("%s \"Quay\" \\ Caf\u00e9", name))),
               200);
    wht_resp *page = wht_get(tok, "/ventures?limit=3");
    WHT_EXPECT(page, 200);
    wht_expect_jansson_text(page);
    page = wht_get(tok, "/ventures?limit=200");
    wht_expect_jansson_text(page);
    WHT_JSON_EQUAL(wht_find_by_id(wht_items(page), id),
                   wht_get(tok, wht_fmt("/ventures/%lld", id))->json);
}

static void test_venture_patch(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    long long head = wht_audit_head();
    wht_venture v = wht_venture_new("HOSPITALITY");
    const char *create_action =
        wht_str(audited_once(head, "venture", v.id, wht_admin_id(), v.id), "action");
    head = wht_audit_head();
    const char *path = wht_fmt("/ventures/%lld", v.id);
    const char *renamed = wht_unique("Harbour renamed ");
    wht_resp *r = wht_patch(tok, path, wht_json("{s:s, s:s}", "name", renamed, "type", "BPO"));
    WHT_EXPECT(r, 200);
    assert_keys(r->json, VENTURE_KEYS);
    assert_string_equal(wht_str(r->json, "name"), renamed);
    assert_string_equal(wht_str(r->json, "type"), "BPO");
    assert_string_equal(wht_str(r->json, "code"), v.code);
    WHT_JSON_EQUAL(wht_get(tok, path)->json, r->json);
    json_t *e = audited_once(head, "venture", v.id, wht_admin_id(), v.id);
    assert_string_equal(before_str(e, "name"), v.name);
    assert_string_equal(after_str(e, "name"), renamed);
    assert_string_equal(before_str(e, "type"), "HOSPITALITY");
    assert_string_equal(after_str(e, "type"), "BPO");
    assert_string_not_equal(wht_str(e, "action"), create_action);
}

static void test_venture_deactivate(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("HOLDINGS");
    long long head = wht_audit_head();
    wht_resp *r = wht_patch(wht_admin_token(), wht_fmt("/ventures/%lld", v.id),
                            wht_json("{s:b}", "active", 0));
    WHT_EXPECT(r, 200);
    assert_true(json_is_false(json_object_get(r->json, "active")));
    assert_string_equal(wht_str(r->json, "name"), v.name);
    json_t *e = audited_once(head, "venture", v.id, wht_admin_id(), v.id);
    assert_true(json_is_true(json_object_get(json_object_get(e, "before"), "active")));
    assert_true(json_is_false(json_object_get(json_object_get(e, "after"), "active")));
}

static void test_offices(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_venture v = wht_venture_new("LOGISTICS");
    wht_venture other = wht_venture_new("LOGISTICS");
    long long foreign = wht_office_new(other.id);
    const char *offices = wht_fmt("/ventures/%lld/offices", v.id);
    const char *prefix = wht_unique("Office ");
    long long head = wht_audit_head();
    wht_resp *b = wht_post(tok, offices,
                           wht_json("{s:s, s:s, s:s}", "name", wht_fmt("%sB", prefix), "city",
                                    "Lyon", "country", "France"));
    WHT_EXPECT(b, 201);
    assert_keys(b->json, OFFICE_KEYS);
    assert_int_equal(wht_int(b->json, "venture_id"), v.id);
    assert_string_equal(wht_str(b->json, "city"), "Lyon");
    assert_string_equal(wht_str(b->json, "country"), "France");
    long long b_id = wht_int(b->json, "id");
    json_t *e = audited_once(head, "office", b_id, wht_admin_id(), v.id);
    assert_true(json_is_null(json_object_get(e, "before")));
    assert_string_equal(after_str(e, "name"), wht_fmt("%sB", prefix));

    wht_resp *a = wht_post(tok, offices, wht_json("{s:s}", "name", wht_fmt("%sA", prefix)));
    WHT_EXPECT(a, 201);
    assert_true(json_is_null(json_object_get(a->json, "city")));
    assert_true(json_is_null(json_object_get(a->json, "country")));

    json_t *list = wht_list_all(tok, offices, 200);
    assert_int_equal(json_array_size(list), 2);
    WHT_JSON_EQUAL(json_array_get(list, 0), a->json); /* by name */
    WHT_JSON_EQUAL(json_array_get(list, 1), b->json);
    assert_null(wht_find_by_id(list, foreign));
}

static void test_user_create_and_get(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    const char *email = wht_fmt("Mixed.%s", upper(wht_unique_email()));
    const char *name = wht_unique("Dana ");
    const char *password = "correct horse battery";
    long long head = wht_audit_head();
    wht_resp *r = wht_post(tok, "/users",
                           wht_json("{s:s, s:s, s:s, s:s}", "email", email, "full_name", name,
                                    "role", "DISPATCHER", "password", password));
    WHT_EXPECT(r, 201);
    json_t *created = r->json;
    assert_keys(created, USER_KEYS);
    long long id = wht_int(created, "id");
    assert_string_equal(wht_str(created, "email"), lower(email));
    assert_string_equal(wht_str(created, "full_name"), name);
    assert_string_equal(wht_str(created, "role"), "DISPATCHER");
    assert_true(json_is_true(json_object_get(created, "active")));
    WHT_JSON_EQUAL(wht_get(tok, wht_fmt("/users/%lld", id))->json, created);
    WHT_JSON_EQUAL(json_array_get(wht_items(wht_get(tok, "/users?limit=1")), 0), created);
    json_t *e = audited_once(head, "user", id, wht_admin_id(), 0);
    assert_true(json_is_null(json_object_get(e, "before")));
    assert_string_equal(after_str(e, "email"), lower(email));
    const char *text = wht_dump(e);
    assert_null(strstr(text, password));
    assert_null(strstr(text, "argon2"));
    assert_null(strstr(text, "password"));
    WHT_EXPECT(wht_login_resp(email, password), 200);
}

static void test_user_patch(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_user u = wht_user_add("DISPATCHER");
    const char *path = wht_fmt("/users/%lld", u.id);
    const char *name = wht_str(wht_get(tok, path)->json, "full_name");
    long long head = wht_audit_head();
    const char *renamed = wht_unique("Dana renamed ");
    wht_resp *r = wht_patch(tok, path, wht_json("{s:s, s:s}", "full_name", renamed, "role", "CSR"));
    WHT_EXPECT(r, 200);
    assert_keys(r->json, USER_KEYS);
    assert_string_equal(wht_str(r->json, "full_name"), renamed);
    assert_string_equal(wht_str(r->json, "role"), "CSR");
    assert_string_equal(wht_str(r->json, "email"), u.email);
    WHT_JSON_EQUAL(wht_get(tok, path)->json, r->json);
    json_t *e = audited_once(head, "user", u.id, wht_admin_id(), 0);
    assert_string_equal(before_str(e, "full_name"), name);
    assert_string_equal(after_str(e, "full_name"), renamed);
    assert_string_equal(before_str(e, "role"), "DISPATCHER");
    assert_string_equal(after_str(e, "role"), "CSR");
}

static void test_patch_takes_no_password_and_no_password_user(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_user u = wht_user_add("EMPLOYEE");
    const char *path = wht_fmt("/users/%lld", u.id);
    /* nobody sets another user's password (test_accounts.c has the reset) */
    WHT_PROBLEM(wht_patch(tok, path, wht_json("{s:s}", "password", "a brand new password")), 400,
                "validation_failed", "password");
    WHT_EXPECT(wht_login_resp(u.email, u.password), 200);

    const char *email = wht_unique_email();
    wht_resp *r = wht_post(tok, "/users",
                           wht_json("{s:s, s:s, s:s}", "email", email, "full_name", "No Password",
                                    "role", "CONTRACTOR"));
    WHT_EXPECT(r, 201);
    WHT_PROBLEM(wht_login_resp(email, "any password at all"), 401, "unauthenticated", NULL);
}

static void test_actor_is_the_caller(void **state)
{
    (void)state;
    wht_user hr = wht_user_new("HR_ADMIN");
    long long head = wht_audit_head();
    wht_resp *r = wht_post(hr.token, "/users",
                           wht_json("{s:s, s:s, s:s}", "email", wht_unique_email(), "full_name",
                                    "Hired By HR", "role", "EMPLOYEE"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    audited_once(head, "user", id, hr.id, 0);
    json_t *by_hr = wht_list_all(wht_admin_token(), wht_fmt("/audit-log?actor_id=%lld", hr.id), 50);
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(by_hr, i, e)
    {
        assert_int_equal(wht_int(e, "actor_id"), hr.id);
        found = found || wht_int(e, "entity_id") == id;
    }
    assert_true(found);
}

/* GET /users?q=&role=&active= finds people by part of the name or e-mail (any case), and
 * GET /users/{id}/ventures|offices read back what PUT set. */
static void test_user_search_and_membership_reads(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    const char *tag = wht_unique("Zq");
    const char *email = wht_fmt("%s.x_y@wheelhouse.test", tag);
    wht_resp *r = wht_post(tok, "/users",
                           wht_json("{s:s, s:s, s:s}", "email", email, "full_name",
                                    wht_fmt("Ann %s Person", tag), "role", "DISPATCHER"));
    WHT_EXPECT(r, 201);
    long long id = wht_int(r->json, "id");
    const char *queries[] = {wht_fmt("q=%s", tag), wht_fmt("q=ANN%%20%s", tag),
                             wht_fmt("q=%s&role=DISPATCHER&active=true", tag)};
    for (size_t i = 0; i < 3; i++) {
        json_t *items = wht_list_all(tok, wht_fmt("/users?%s", queries[i]), 50);
        WHT_ID_SET(items, "id", 1, &id);
    }
    /* % and _ are literal characters, not wildcards */
    assert_int_equal(json_array_size(wht_list_all(tok, "/users?q=%25%25%25", 50)), 0);
    assert_int_equal(json_array_size(wht_list_all(tok, wht_fmt("/users?q=%s&role=CEO", tag), 50)),
                     0);
    assert_int_equal(
        json_array_size(wht_list_all(tok, wht_fmt("/users?q=%s&active=false", tag), 50)), 0);
    WHT_PROBLEM(wht_get(tok, "/users?role=KING"), 400, "validation_failed", "role");
    WHT_PROBLEM(wht_get(tok, "/users?active=maybe"), 400, "validation_failed", "active");

    wht_venture v = wht_venture_new("LOGISTICS");
    long long office = wht_office_new(v.id);
    wht_set_ventures(id, 1, &v.id);
    wht_set_offices(id, 1, &office);
    r = wht_get(tok, wht_fmt("/users/%lld/ventures", id));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "user_id"), id);
    WHT_ID_SET(json_object_get(r->json, "venture_ids"), NULL, 1, &v.id);
    r = wht_get(tok, wht_fmt("/users/%lld/offices", id));
    WHT_EXPECT(r, 200);
    WHT_ID_SET(json_object_get(r->json, "office_ids"), NULL, 1, &office);
    WHT_PROBLEM(wht_get(tok, "/users/999999999/ventures"), 404, "not_found", NULL);
    wht_user emp = wht_user_new("EMPLOYEE");
    WHT_PROBLEM(wht_get(emp.token, wht_fmt("/users/%lld/offices", id)), 403, "forbidden", NULL);
}

static void test_memberships_replace_the_set(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_venture a = wht_venture_new("LOGISTICS"), b = wht_venture_new("BPO");
    long long oa1 = wht_office_new(a.id), oa2 = wht_office_new(a.id), ob1 = wht_office_new(b.id);
    wht_user u = wht_user_new("EMPLOYEE");
    const char *ventures = wht_fmt("/users/%lld/ventures", u.id);
    const char *offices = wht_fmt("/users/%lld/offices", u.id);

    long long both[] = {a.id, b.id};
    wht_resp *r = wht_put(
        tok, ventures, wht_json("{s:[I, I]}", "venture_ids", (json_int_t)a.id, (json_int_t)b.id));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "user_id"), u.id);
    WHT_ID_SET(json_object_get(r->json, "venture_ids"), NULL, 2, both);
    WHT_ID_SET(json_object_get(me(u.token), "ventures"), "id", 2, both);

    long long two_offices[] = {oa1, ob1};
    r = wht_put(tok, offices,
                wht_json("{s:[I, I]}", "office_ids", (json_int_t)oa1, (json_int_t)ob1));
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(r->json, "user_id"), u.id);
    WHT_ID_SET(json_object_get(r->json, "office_ids"), NULL, 2, two_offices);
    json_t *mine = json_object_get(me(u.token), "offices");
    WHT_ID_SET(mine, "id", 2, two_offices);
    assert_int_equal(wht_int(wht_find_by_id(mine, ob1), "venture_id"), b.id);

    wht_set_offices(u.id, 1, &oa2); /* replaces, does not add */
    WHT_ID_SET(json_object_get(me(u.token), "offices"), "id", 1, &oa2);
    wht_set_offices(u.id, 2, two_offices);

    wht_set_ventures(u.id, 1, &a.id); /* b's office goes with b */
    WHT_ID_SET(json_object_get(me(u.token), "ventures"), "id", 1, &a.id);
    WHT_ID_SET(json_object_get(me(u.token), "offices"), "id", 1, &oa1);
    wht_set_ventures(u.id, 1, &b.id);
    WHT_ID_SET(json_object_get(me(u.token), "ventures"), "id", 1, &b.id);
    WHT_ID_SET(json_object_get(me(u.token), "offices"), "id", 0, NULL);
    wht_set_ventures(u.id, 1, &a.id); /* coming back does not bring the office back */
    WHT_ID_SET(json_object_get(me(u.token), "offices"), "id", 0, NULL);
    wht_set_ventures(u.id, 0, NULL);
    WHT_ID_SET(json_object_get(me(u.token), "ventures"), "id", 0, NULL);
    WHT_ID_SET(wht_list_all(u.token, "/ventures", 50), "id", 0, NULL);
}

static void test_membership_changes_are_audited(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("SAAS");
    long long office = wht_office_new(v.id);
    wht_user u = wht_user_add("TEAM_LEAD");
    long long head = wht_audit_head();
    wht_set_ventures(u.id, 1, &v.id);
    json_t *since = wht_audit_since(head);
    assert_true(json_array_size(since) >= 1);
    size_t i;
    json_t *e;
    bool found = false;
    json_array_foreach(since, i, e)
    {
        assert_int_equal(wht_int(e, "actor_id"), wht_admin_id());
        char *after = json_dumps(json_object_get(e, "after"), JSON_ENCODE_ANY);
        found = found || (after && strstr(after, wht_fmt("%lld", v.id)));
        free(after);
    }
    assert_true(found);
    head = wht_audit_head();
    wht_set_offices(u.id, 1, &office);
    since = wht_audit_since(head);
    assert_true(json_array_size(since) >= 1);
    json_t *first = json_array_get(since, 0);
    assert_int_equal(wht_int(first, "actor_id"), wht_admin_id());
    assert_false(json_equal(json_object_get(first, "before"), json_object_get(first, "after")));
}

static void test_people_list(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_venture v = wht_venture_new("HOSPITALITY");
    wht_venture other = wht_venture_new("HOSPITALITY");
    long long office = wht_office_new(v.id);
    const char *prefix = wht_unique("Crew ");
    long long ids[3];
    static const char *const roles[] = {"CSR", "TEAM_LEAD", "EMPLOYEE"};
    for (size_t i = 0; i < 3; i++) {
        const char *full = wht_fmt("%s%c", prefix, (char)('c' - i)); /* created c, b, a */
        wht_resp *r = wht_post(tok, "/users",
                               wht_json("{s:s, s:s, s:s}", "email", wht_unique_email(), "full_name",
                                        full, "role", roles[i]));
        WHT_EXPECT(r, 201);
        ids[i] = wht_int(r->json, "id");
        wht_set_ventures(ids[i], 1, &v.id);
    }
    wht_set_offices(ids[1], 1, &office);
    wht_user outsider = wht_user_add("CSR");
    wht_set_ventures(outsider.id, 1, &other.id);
    WHT_EXPECT(wht_patch(tok, wht_fmt("/users/%lld", ids[0]), wht_json("{s:b}", "active", 0)), 200);

    json_t *people = wht_list_all(tok, wht_fmt("/ventures/%lld/people", v.id), 200);
    assert_int_equal(json_array_size(people), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(people, i); /* by full_name: a, b, c */
        assert_keys(p, PERSON_KEYS);
        assert_int_equal(wht_int(p, "id"), ids[2 - i]);
        assert_string_equal(wht_str(p, "role"), roles[2 - i]);
        assert_string_equal(wht_str(p, "full_name"), wht_fmt("%s%c", prefix, (char)('a' + i)));
        assert_true(json_is_boolean(json_object_get(p, "active")));
    }
    assert_true(json_is_false(json_object_get(json_array_get(people, 2), "active")));
    json_t *offices = json_object_get(json_array_get(people, 1), "offices");
    assert_int_equal(json_array_size(offices), 1);
    assert_int_equal(wht_int(json_array_get(offices, 0), "id"), office);
    assert_non_null(wht_str(json_array_get(offices, 0), "name"));
    assert_int_equal(json_array_size(json_object_get(json_array_get(people, 0), "offices")), 0);
}

static void test_audit_filters(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_venture v = wht_venture_new("BPO");
    wht_office_new(v.id);
    WHT_EXPECT(wht_patch(tok, wht_fmt("/ventures/%lld", v.id), wht_json("{s:s}", "name", "Re")),
               200);
    json_t *in_v = wht_list_all(tok, wht_fmt("/audit-log?venture_id=%lld", v.id), 2);
    assert_int_equal(json_array_size(in_v), 3);
    size_t i;
    json_t *e;
    json_array_foreach(in_v, i, e)
    {
        assert_int_equal(wht_int(e, "venture_id"), v.id);
    }
    const char *action = wht_str(json_array_get(in_v, 0), "action"); /* the rename */
    json_t *same = wht_list_all(tok, wht_fmt("/audit-log?action=%s", action), 200);
    assert_true(json_array_size(same) >= 1);
    json_array_foreach(same, i, e)
    {
        assert_string_equal(wht_str(e, "action"), action);
    }
    json_t *mine = wht_list_all(tok, wht_fmt("/audit-log?actor_id=%lld", wht_admin_id()), 200);
    json_array_foreach(mine, i, e)
    {
        assert_int_equal(wht_int(e, "actor_id"), wht_admin_id());
    }
    assert_true(json_array_size(mine) >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_venture_create_and_get),
        WHT_TEST(test_venture_patch),
        WHT_TEST(test_venture_deactivate),
        WHT_TEST(test_offices),
        WHT_TEST(test_user_create_and_get),
        WHT_TEST(test_user_patch),
        WHT_TEST(test_patch_takes_no_password_and_no_password_user),
        WHT_TEST(test_actor_is_the_caller),
        WHT_TEST(test_user_search_and_membership_reads),
        WHT_TEST(test_memberships_replace_the_set),
        WHT_TEST(test_membership_changes_are_audited),
        WHT_TEST(test_people_list),
        WHT_TEST(test_audit_filters),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_org", tests, NULL, NULL));
}
