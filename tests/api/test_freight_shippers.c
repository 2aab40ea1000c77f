/*
 * Shippers (API.md "Freight", DOMAIN.md §2): creation with defaults, the code unique per
 * venture, validation of every field, PATCH, scope isolation, pagination while rows are
 * inserted, permissions and audit entries.
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
    wht_venture a, b;
    wht_user writer; /* CSR of venture a */
    wht_user other;  /* CSR of venture b */
} fixture;

static fixture FX;

static wht_user member(const char *role, long long venture_id)
{
    wht_user u = wht_user_new(role);
    wht_set_ventures(u.id, 1, &venture_id);
    return u;
}

static const fixture *fx(void)
{
    if (!FX.ready) {
        FX.a = wht_venture_new("LOGISTICS");
        FX.b = wht_venture_new("TRANSPORT");
        FX.writer = member("CSR", FX.a.id);
        FX.other = member("CSR", FX.b.id);
        FX.ready = true;
    }
    return &FX;
}

static json_t *shipper_body(long long venture_id)
{
    return wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)venture_id, "name",
                    wht_unique("Shipper "), "code", wht_unique_code());
}

static json_t *new_shipper(const char *token, long long venture_id)
{
    wht_resp *r = wht_post(token, "/shippers", shipper_body(venture_id));
    WHT_EXPECT(r, 201);
    return r->json;
}

static json_t *get_shipper(const char *token, long long id)
{
    wht_resp *r = wht_get(token, wht_fmt("/shippers/%lld", id));
    WHT_EXPECT(r, 200);
    return r->json;
}

static size_t count_shippers(long long venture_id)
{
    return json_array_size(
        wht_list_all(wht_admin_token(), wht_fmt("/shippers?venture_id=%lld", venture_id), 200));
}

static json_t *audit_entry(long long head, const char *action, long long entity_id)
{
    size_t i;
    json_t *e;
    json_array_foreach(wht_audit_since(head), i, e)
    {
        if (strcmp(wht_str(e, "action"), action) == 0 && wht_int(e, "entity_id") == entity_id)
            return e;
    }
    return NULL;
}

static void assert_empty_list(const wht_resp *r)
{
    WHT_EXPECT(r, 200);
    assert_int_equal(json_array_size(wht_items(r)), 0);
    assert_true(json_is_false(json_object_get(r->json, "has_more")));
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
}

static void test_create_with_defaults_and_audit(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long head = wht_audit_head();
    wht_resp *r = wht_post(f->writer.token, "/shippers",
                           wht_json("{s:I, s:s, s:s}", "venture_id", (json_int_t)f->a.id, "name",
                                    "Acme Foods", "code", "acme-01"));
    WHT_EXPECT(r, 201);
    json_t *s = r->json;
    json_t *want =
        wht_keep_json(json_pack("{s:I, s:I, s:s, s:s, s:n, s:n, s:n, s:b}", "id", wht_int(s, "id"),
                                "venture_id", (json_int_t)f->a.id, "name", "Acme Foods", "code",
                                "ACME-01", "contact_name", "email", "phone", "active", 1));
    WHT_JSON_EQUAL(s, want);
    WHT_JSON_EQUAL(get_shipper(f->writer.token, wht_int(s, "id")), s);
    json_t *a = audit_entry(head, "shipper.create", wht_int(s, "id"));
    assert_non_null(a);
    assert_string_equal(wht_str(a, "entity"), "shipper");
    assert_int_equal(wht_int(a, "venture_id"), f->a.id);
    assert_int_equal(wht_int(a, "actor_id"), f->writer.id);
    WHT_JSON_EQUAL(json_object_get(a, "after"), s);

    r = wht_post(f->writer.token, "/shippers",
                 wht_json("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "venture_id", (json_int_t)f->a.id,
                          "name", "Bolt Co", "code", wht_unique_code(), "contact_name", "Ann Lee",
                          "email", "Ann@Bolt.example", "phone", "+1 614 555 0100", "active", 0));
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "contact_name"), "Ann Lee");
    assert_string_equal(wht_str(r->json, "email"), "ann@bolt.example");
    assert_string_equal(wht_str(r->json, "phone"), "+1 614 555 0100");
    assert_true(json_is_false(json_object_get(r->json, "active")));
}

static void test_code_is_unique_per_venture(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *code = wht_unique_code();
    json_t *body = shipper_body(f->a.id);
    json_object_set_new(body, "code", json_string(code));
    WHT_EXPECT(wht_post(f->writer.token, "/shippers", body), 201);
    size_t before = count_shippers(f->a.id);
    long long head = wht_audit_head();
    /* the same code, in any case, is taken in this venture */
    const char *lower = wht_fmt("%s", code);
    for (char *p = (char *)lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    const char *codes[] = {code, lower};
    for (size_t i = 0; i < 2; i++) {
        body = shipper_body(f->a.id);
        json_object_set_new(body, "code", json_string(codes[i]));
        WHT_PROBLEM(wht_post(f->writer.token, "/shippers", body), 409, "conflict", NULL);
    }
    assert_int_equal(count_shippers(f->a.id), before);
    assert_int_equal(wht_audit_head(), head);
    /* and free in another venture */
    body = shipper_body(f->b.id);
    json_object_set_new(body, "code", json_string(code));
    WHT_EXPECT(wht_post(f->other.token, "/shippers", body), 201);
}

typedef struct bad_case {
    const char *json;
    const char *field;
} bad_case;

static void test_create_validates_every_field(void **state)
{
    (void)state;
    const fixture *f = fx();
    static const bad_case cases[] = {
        {"{\"venture_id\": null}", "venture_id"},
        {"{\"venture_id\": \"1\"}", "venture_id"},
        {"{\"name\": null}", "name"},
        {"{\"name\": \"\"}", "name"},
        {"{\"name\": 3}", "name"},
        {"{\"code\": \"\"}", "code"},
        {"{\"code\": \"has space\"}", "code"},
        {"{\"code\": \"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"}", "code"},
        {"{\"contact_name\": \"\"}", "contact_name"},
        {"{\"email\": \"not-an-address\"}", "email"},
        {"{\"email\": 5}", "email"},
        {"{\"phone\": \"\"}", "phone"},
        {"{\"phone\": \"012345678901234567890123456789012345678901234567890\"}", "phone"},
        {"{\"active\": \"yes\"}", "active"},
        {"{\"active\": null}", "active"},
        {"{\"id\": 1}", "id"},
        {"{\"created_at\": 1}", "created_at"},
    };
    size_t before = count_shippers(f->a.id);
    long long head = wht_audit_head();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = shipper_body(f->a.id);
        json_t *extra = json_loads(cases[i].json, 0, NULL);
        assert_non_null(extra);
        json_object_update(body, extra);
        json_decref(extra);
        wht_context("body %s", cases[i].json);
        WHT_PROBLEM(wht_post(f->writer.token, "/shippers", body), 400, "validation_failed",
                    cases[i].field);
    }
    wht_resp *r = wht_post(f->writer.token, "/shippers",
                           wht_json("{s:I}", "venture_id", (json_int_t)f->a.id));
    WHT_PROBLEM(r, 400, "validation_failed", "name");
    assert_int_equal(json_array_size(json_object_get(r->json, "errors")), 2); /* and code */
    assert_int_equal(count_shippers(f->a.id), before);
    assert_int_equal(wht_audit_head(), head);
}

static void test_patch(void **state)
{
    (void)state;
    const fixture *f = fx();
    json_t *s = new_shipper(f->writer.token, f->a.id);
    long long id = wht_int(s, "id");
    const char *path = wht_fmt("/shippers/%lld", id);
    long long head = wht_audit_head();
    wht_resp *r =
        wht_patch(f->writer.token, path,
                  wht_json("{s:s, s:s, s:s, s:s, s:b}", "name", "Renamed", "code", "new-code",
                           "contact_name", "Bo", "email", "BO@X.EXAMPLE", "active", 0));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "name"), "Renamed");
    assert_string_equal(wht_str(r->json, "code"), "NEW-CODE");
    assert_string_equal(wht_str(r->json, "email"), "bo@x.example");
    assert_true(json_is_false(json_object_get(r->json, "active")));
    assert_int_equal(wht_int(r->json, "venture_id"), f->a.id);
    json_t *a = audit_entry(head, "shipper.update", id);
    assert_non_null(a);
    WHT_JSON_EQUAL(json_object_get(a, "before"), s);
    WHT_JSON_EQUAL(json_object_get(a, "after"), r->json);

    r = wht_patch(f->writer.token, path,
                  wht_json("{s:n, s:n, s:n}", "contact_name", "email", "phone"));
    WHT_EXPECT(r, 200);
    assert_true(json_is_null(json_object_get(r->json, "contact_name")));
    assert_true(json_is_null(json_object_get(r->json, "email")));
    assert_string_equal(wht_str(r->json, "code"), "NEW-CODE"); /* untouched */
    json_t *now = r->json;

    json_t *taken = new_shipper(f->writer.token, f->a.id);
    head = wht_audit_head();
    WHT_PROBLEM(wht_patch(f->writer.token, path, wht_json("{s:s}", "code", wht_str(taken, "code"))),
                409, "conflict", NULL);
    static const bad_case bad[] = {
        {"{\"name\": null}", "name"},          {"{\"code\": null}", "code"},
        {"{\"code\": \"a b\"}", "code"},       {"{\"email\": \"x\"}", "email"},
        {"{\"venture_id\": 1}", "venture_id"}, {"{\"id\": 1}", "id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wht_context("%s", bad[i].json);
        WHT_PROBLEM(wht_patch(f->writer.token, path, json_loads(bad[i].json, 0, NULL)), 400,
                    "validation_failed", bad[i].field);
    }
    WHT_PROBLEM(wht_patch(f->writer.token, wht_fmt("/shippers/%lld", MISSING_ID), wht_json("{}")),
                404, "not_found", NULL);
    wht_context("refusals change nothing");
    WHT_JSON_EQUAL(get_shipper(f->writer.token, id), now);
    assert_int_equal(wht_audit_head(), head);
}

static void assert_404_like_missing(const char *method, const char *token, long long foreign,
                                    json_t *body)
{
    json_t *body2 = body ? json_deep_copy(body) : NULL;
    wht_resp *hidden = wht_send(method, token, wht_fmt("/shippers/%lld", foreign), body);
    wht_resp *missing = wht_send(method, token, wht_fmt("/shippers/%lld", MISSING_ID), body2);
    WHT_PROBLEM(hidden, 404, "not_found", NULL);
    WHT_PROBLEM(missing, 404, "not_found", NULL);
    WHT_JSON_EQUAL(wht_problem_shape(hidden->json, wht_fmt("%lld", foreign)),
                   wht_problem_shape(missing->json, wht_fmt("%lld", MISSING_ID)));
}

static void test_scope_isolation(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long mine = wht_int(new_shipper(f->writer.token, f->a.id), "id");
    json_t *theirs = new_shipper(f->other.token, f->b.id);
    long long tid = wht_int(theirs, "id");
    assert_404_like_missing("GET", f->writer.token, tid, NULL);
    assert_404_like_missing("PATCH", f->writer.token, tid, wht_json("{s:s}", "name", "Mine now"));
    assert_404_like_missing("GET", f->other.token, mine, NULL);
    WHT_JSON_EQUAL(get_shipper(f->other.token, tid), theirs);

    WHT_PROBLEM(wht_post(f->writer.token, "/shippers", shipper_body(f->b.id)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_post(f->writer.token, "/shippers", shipper_body(MISSING_ID)), 403, "forbidden",
                NULL);
    WHT_PROBLEM(wht_get(f->writer.token, wht_fmt("/shippers?venture_id=%lld", f->b.id)), 403,
                "forbidden", NULL);
    WHT_PROBLEM(wht_get(f->writer.token, "/shippers?venture_id=nope"), 400, "validation_failed",
                "venture_id");

    json_t *seen = wht_list_all(f->writer.token, "/shippers", 200);
    assert_non_null(wht_find_by_id(seen, mine));
    size_t i;
    json_t *s;
    json_array_foreach(seen, i, s)
    {
        assert_int_equal(wht_int(s, "venture_id"), f->a.id);
    }
    json_t *filtered =
        wht_list_all(f->writer.token, wht_fmt("/shippers?venture_id=%lld", f->a.id), 3);
    assert_int_equal(json_array_size(filtered), json_array_size(seen));

    wht_user none = wht_user_new("CSR");
    assert_empty_list(wht_get(none.token, "/shippers"));
    WHT_PROBLEM(wht_get(none.token, wht_fmt("/shippers?venture_id=%lld", f->a.id)), 403,
                "forbidden", NULL);
    assert_404_like_missing("GET", none.token, mine, NULL);

    wht_user auditor = wht_user_new("AUDITOR");
    json_t *all = wht_list_all(auditor.token, "/shippers", 200);
    assert_non_null(wht_find_by_id(all, mine));
    assert_non_null(wht_find_by_id(all, tid));
}

static void test_permissions(void **state)
{
    (void)state;
    const fixture *f = fx();
    long long id = wht_int(new_shipper(f->writer.token, f->a.id), "id");
    static const char *const no_read[] = {"HR_ADMIN", "CONTRACTOR", "ACCOUNTING"};
    for (size_t i = 0; i < 3; i++) {
        wht_user u = member(no_read[i], f->a.id);
        wht_context("role %s", no_read[i]);
        WHT_PROBLEM(wht_get(u.token, "/shippers"), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_get(u.token, wht_fmt("/shippers/%lld", id)), 403, "forbidden", NULL);
    }
    static const char *const read_only[] = {"AUDITOR", "FINANCE", "CARRIER_TEAM"};
    for (size_t i = 0; i < 3; i++) {
        wht_user u = member(read_only[i], f->a.id);
        wht_context("role %s", read_only[i]);
        WHT_EXPECT(wht_get(u.token, wht_fmt("/shippers/%lld", id)), 200);
        WHT_PROBLEM(wht_post(u.token, "/shippers", shipper_body(f->a.id)), 403, "forbidden", NULL);
        WHT_PROBLEM(wht_patch(u.token, wht_fmt("/shippers/%lld", id), wht_json("{}")), 403,
                    "forbidden", NULL);
    }
    static const char *const writers[] = {"VENTURE_HEAD", "OFFICE_MANAGER", "TEAM_LEAD", "EMPLOYEE",
                                          "DISPATCHER"};
    for (size_t i = 0; i < 5; i++) {
        wht_user u = member(writers[i], f->a.id);
        wht_context("role %s", writers[i]);
        long long mine = wht_int(new_shipper(u.token, f->a.id), "id");
        WHT_EXPECT(
            wht_patch(u.token, wht_fmt("/shippers/%lld", mine), wht_json("{s:b}", "active", 0)),
            200);
    }
}

static void test_pagination_is_stable_while_shippers_are_added(void **state)
{
    (void)state;
    wht_venture v = wht_venture_new("LOGISTICS");
    wht_user u = member("CSR", v.id);
    long long ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = wht_int(new_shipper(u.token, v.id), "id");
    const char *base = wht_fmt("/shippers?venture_id=%lld&limit=2", v.id);
    json_t *seen = wht_keep_json(json_array());
    const char *cursor = NULL;
    for (;;) {
        wht_resp *r = wht_get(u.token, cursor ? wht_fmt("%s&cursor=%s", base, cursor) : base);
        WHT_EXPECT(r, 200);
        json_array_extend(seen, wht_items(r));
        new_shipper(u.token, v.id);
        if (!json_is_true(json_object_get(r->json, "has_more")))
            break;
        cursor = wht_str(r->json, "next_cursor");
    }
    assert_int_equal(json_array_size(seen), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(wht_int(json_array_get(seen, (size_t)i), "id"), ids[4 - i]);
    WHT_PROBLEM(wht_get(u.token, wht_fmt("%s&cursor=AAAA", base)), 400, "invalid_cursor", NULL);
    WHT_PROBLEM(wht_get(u.token, "/shippers?limit=0"), 400, "validation_failed", "limit");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_create_with_defaults_and_audit),
        WHT_TEST(test_code_is_unique_per_venture),
        WHT_TEST(test_create_validates_every_field),
        WHT_TEST(test_patch),
        WHT_TEST(test_scope_isolation),
        WHT_TEST(test_permissions),
        WHT_TEST(test_pagination_is_stable_while_shippers_are_added),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_freight_shippers", tests, NULL, NULL));
}
