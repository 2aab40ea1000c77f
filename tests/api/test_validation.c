/*
 * Bad input is refused with the right problem, and a refused write changes nothing
 * (API.md "Conventions", "Errors", "Lists"; docs/decisions.md field rules). After each refusal
 * the ventures, users, the fixture's offices and members, and the audit log are compared with
 * a snapshot taken before it.
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
#include <strings.h>

#include "harness.h"

#define MIB        (1024u * 1024u)
#define MISSING_ID 987654321LL

typedef struct fixture {
    bool ready;
    wht_venture a, b;
    long long office_a, office_b;
    wht_user member; /* member of a, office office_a */
} fixture;

static fixture FX;

static const fixture *fx(void)
{
    if (!FX.ready) {
        FX.a = wht_venture_new("LOGISTICS");
        FX.b = wht_venture_new("SAAS");
        FX.office_a = wht_office_new(FX.a.id);
        FX.office_b = wht_office_new(FX.b.id);
        FX.member = wht_user_add("DISPATCHER");
        wht_set_ventures(FX.member.id, 1, &FX.a.id);
        wht_set_offices(FX.member.id, 1, &FX.office_a);
        FX.ready = true;
    }
    return &FX;
}

/* ---------------------------------------------------------------- snapshots */

typedef struct snapshot {
    json_t *ventures;
    json_t *users;
    json_t *offices;
    json_t *people;
    long long audit;
} snapshot;

static snapshot snap(void)
{
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    return (snapshot){
        .ventures = wht_list_all(tok, "/ventures", 200),
        .users = wht_list_all(tok, "/users", 200),
        .offices = wht_list_all(tok, wht_fmt("/ventures/%lld/offices", f->a.id), 200),
        .people = wht_list_all(tok, wht_fmt("/ventures/%lld/people", f->a.id), 200),
        .audit = wht_audit_head(),
    };
}

static void unchanged_at(const snapshot *before, const char *file, int line)
{
    snapshot now = snap();
    wht_json_equal_at(before->ventures, now.ventures, file, line);
    wht_json_equal_at(before->users, now.users, file, line);
    wht_json_equal_at(before->offices, now.offices, file, line);
    wht_json_equal_at(before->people, now.people, file, line);
    if (before->audit != now.audit)
        wht_fail_at(file, line, "a refused write left an audit entry (%lld -> %lld)", before->audit,
                    now.audit);
}

#define UNCHANGED(s) unchanged_at(&(s), __FILE__, __LINE__)

/* ------------------------------------------------------------------ helpers */

static const char *repeat(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    char *s = calloc(n * len + 1, 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, unit, len);
    const char *out = wht_fmt("%s", s);
    free(s);
    return out;
}

static const char *change_case(const char *s, char from, char to)
{
    char *out = (char *)wht_fmt("%s", s);
    for (char *p = out; *p; p++) {
        if (*p >= from && *p < from + 26)
            *p = (char)(*p - from + to);
    }
    return out;
}

static const char *upper_case(const char *s)
{
    return change_case(s, 'a', 'A');
}

static const char *lower_case(const char *s)
{
    return change_case(s, 'A', 'a');
}

static json_t *venture_body(const char *name, const char *code, const char *type)
{
    return wht_json("{s:s, s:s, s:s}", "name", name, "code", code, "type", type);
}

static json_t *user_body(const char *email, const char *full_name, const char *role)
{
    return wht_json("{s:s, s:s, s:s}", "email", email, "full_name", full_name, "role", role);
}

static const char *venture_path(long long id)
{
    return wht_fmt("/ventures/%lld", id);
}

static const char *user_path(long long id)
{
    return wht_fmt("/users/%lld", id);
}

static void refused_at(wht_resp *r, long status, const char *code, const char *field,
                       const snapshot *s, const char *file, int line)
{
    wht_problem_at(r, status, code, field, file, line);
    unchanged_at(s, file, line);
}

/* The request must be refused with the problem, and change nothing. */
#define REFUSED(r, status, code, field, s)                                                         \
    refused_at((r), (status), (code), (field), &(s), __FILE__, __LINE__)

/* ------------------------------------------------------------------- tests */

static void test_invalid_json_is_400_invalid_json(void **state)
{
    (void)state;
    const fixture *f = fx();
    snapshot s = snap();
    const char *tok = wht_admin_token();
    static const char *const bodies[] = {
        "{\"name\": ",
        "{name: \"x\"}",
        "{\"name\": \"x\"}}",
        "{\"name\": \"x\", }",
        "",
        "{\"name\": \"\xff\xfe\", \"code\": \"X\", \"type\": \"SAAS\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        wht_context("invalid JSON body #%zu", i);
        const char *b = bodies[i];
        REFUSED(wht_send_raw("POST", tok, "/ventures", NULL, b, strlen(b)), 400, "invalid_json",
                NULL, s);
        REFUSED(wht_send_raw("PATCH", tok, venture_path(f->a.id), NULL, b, strlen(b)), 400,
                "invalid_json", NULL, s);
        REFUSED(wht_send_raw("POST", tok, "/users", NULL, b, strlen(b)), 400, "invalid_json", NULL,
                s);
    }
}

static void test_unknown_fields_are_named(void **state)
{
    (void)state;
    const fixture *f = fx();
    snapshot s = snap();
    const char *tok = wht_admin_token();
    json_t *v = venture_body(wht_unique("V "), wht_unique_code(), "SAAS");
    json_object_set_new(v, "colour", json_string("red"));
    REFUSED(wht_post(tok, "/ventures", v), 400, "validation_failed", "colour", s);

    json_t *u = user_body(wht_unique_email(), "Some One", "EMPLOYEE");
    json_object_set_new(u, "is_superuser", json_true());
    REFUSED(wht_post(tok, "/users", u), 400, "validation_failed", "is_superuser", s);

    REFUSED(wht_patch(tok, venture_path(f->a.id), wht_json("{s:I}", "id", (json_int_t)5)), 400,
            "validation_failed", "id", s);
    REFUSED(wht_patch(tok, user_path(f->member.id), wht_json("{s:s}", "password_hash", "x")), 400,
            "validation_failed", "password_hash", s);
    /* The path gives the venture of an office: the body may not. */
    json_t *o = wht_json("{s:s, s:I}", "name", wht_unique("O "), "venture_id", (json_int_t)f->b.id);
    REFUSED(wht_post(tok, wht_fmt("/ventures/%lld/offices", f->a.id), o), 400, "validation_failed",
            "venture_id", s);
    json_t *m = wht_json("{s:[I], s:b}", "venture_ids", (json_int_t)f->a.id, "admin", 1);
    REFUSED(wht_put(tok, wht_fmt("/users/%lld/ventures", f->member.id), m), 400,
            "validation_failed", "admin", s);
}

static void test_bad_enums_and_types_are_named(void **state)
{
    (void)state;
    const fixture *f = fx();
    snapshot s = snap();
    const char *tok = wht_admin_token();
    REFUSED(
        wht_post(tok, "/ventures", venture_body(wht_unique("V "), wht_unique_code(), "SPACESHIP")),
        400, "validation_failed", "type", s);
    REFUSED(wht_post(tok, "/users", user_body(wht_unique_email(), "A B", "KING")), 400,
            "validation_failed", "role", s);
    REFUSED(wht_patch(tok, venture_path(f->a.id), wht_json("{s:s}", "type", "SPACESHIP")), 400,
            "validation_failed", "type", s);
    REFUSED(wht_patch(tok, user_path(f->member.id), wht_json("{s:s}", "role", "SUPERUSER")), 400,
            "validation_failed", "role", s);
    REFUSED(wht_post(tok, "/ventures",
                     wht_json("{s:i, s:s, s:s}", "name", 42, "code", "X1", "type", "SAAS")),
            400, "validation_failed", "name", s);
    REFUSED(wht_patch(tok, venture_path(f->a.id), wht_json("{s:s}", "active", "yes")), 400,
            "validation_failed", "active", s);
    REFUSED(wht_put(tok, wht_fmt("/users/%lld/ventures", f->member.id),
                    wht_json("{s:s}", "venture_ids", "1")),
            400, "validation_failed", "venture_ids", s);
}

static void test_venture_field_lengths_and_formats(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    const char *code = wht_unique_code();
    REFUSED(wht_post(tok, "/ventures", venture_body(repeat("n", 201), code, "SAAS")), 400,
            "validation_failed", "name", s);
    REFUSED(wht_post(tok, "/ventures", venture_body(repeat("\xc3\xa9", 201), code, "SAAS")), 400,
            "validation_failed", "name", s);
    REFUSED(wht_post(tok, "/ventures", venture_body("", code, "SAAS")), 400, "validation_failed",
            "name", s);
    REFUSED(wht_post(tok, "/ventures", venture_body("V", repeat("C", 33), "SAAS")), 400,
            "validation_failed", "code", s);
    REFUSED(wht_post(tok, "/ventures", venture_body("V", "BAD CODE", "SAAS")), 400,
            "validation_failed", "code", s);
    REFUSED(wht_post(tok, "/ventures", venture_body("V", "", "SAAS")), 400, "validation_failed",
            "code", s);
    REFUSED(wht_patch(tok, venture_path(f->a.id), wht_json("{s:s}", "name", repeat("x", 201))), 400,
            "validation_failed", "name", s);
}

static void test_user_field_lengths_and_formats(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    REFUSED(wht_post(tok, "/users", user_body(wht_unique_email(), repeat("f", 201), "EMPLOYEE")),
            400, "validation_failed", "full_name", s);
    static const char *const bad_emails[] = {"no-at-sign.example", "a@b@c.example", "@", "x@"};
    for (size_t i = 0; i < sizeof bad_emails / sizeof bad_emails[0]; i++)
        REFUSED(wht_post(tok, "/users", user_body(bad_emails[i], "A B", "EMPLOYEE")), 400,
                "validation_failed", "email", s);
    const char *long_email = wht_fmt("%s@example.test", repeat("e", 250));
    REFUSED(wht_post(tok, "/users", user_body(long_email, "A B", "EMPLOYEE")), 400,
            "validation_failed", "email", s);
    json_t *u = user_body(wht_unique_email(), "A B", "EMPLOYEE");
    json_object_set_new(u, "password", json_string("elevenchars"));
    REFUSED(wht_post(tok, "/users", u), 400, "validation_failed", "password", s);
    REFUSED(wht_patch(tok, user_path(f->member.id), wht_json("{s:s}", "password", "short")), 400,
            "validation_failed", "password", s);
}

static void test_office_field_lengths(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    const char *offices = wht_fmt("/ventures/%lld/offices", f->a.id);
    REFUSED(wht_post(tok, offices, wht_json("{s:s}", "name", repeat("o", 201))), 400,
            "validation_failed", "name", s);
    REFUSED(wht_post(tok, offices, wht_json("{s:s, s:s}", "name", "O", "city", repeat("c", 101))),
            400, "validation_failed", "city", s);
    REFUSED(
        wht_post(tok, offices, wht_json("{s:s, s:s}", "name", "O", "country", repeat("c", 101))),
        400, "validation_failed", "country", s);
}

static void test_limits_are_inclusive(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    const char *name = repeat("\xc3\xa9", 200); /* 200 characters, 400 bytes */
    const char *c = wht_unique_code();
    const char *code32 = wht_fmt("%s%s", c, repeat("K", 32 - strlen(c)));
    wht_resp *r = wht_post(tok, "/ventures", venture_body(name, code32, "SAAS"));
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "name"), name);
    assert_string_equal(wht_str(r->json, "code"), code32);
    const char *lower = lower_case(wht_fmt("%s-x_1", wht_unique_code()));
    r = wht_post(tok, "/ventures", venture_body(repeat("n", 200), lower, "SAAS"));
    WHT_EXPECT(r, 201);
    assert_string_equal(wht_str(r->json, "code"), upper_case(lower)); /* upper-cased on input */
    json_t *u = user_body(wht_unique_email(), repeat("f", 200), "EMPLOYEE");
    json_object_set_new(u, "password", json_string("twelve-chars"));
    r = wht_post(tok, "/users", u);
    WHT_EXPECT(r, 201);
    WHT_EXPECT(wht_login_resp(wht_str(r->json, "email"), "twelve-chars"), 200);
}

static void test_missing_required_fields_are_named(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    const char *n = wht_unique("V ");
    const char *c = wht_unique_code();
    REFUSED(wht_post(tok, "/ventures", wht_json("{s:s, s:s}", "name", n, "type", "SAAS")), 400,
            "validation_failed", "code", s);
    REFUSED(wht_post(tok, "/ventures", wht_json("{s:s, s:s}", "code", c, "type", "SAAS")), 400,
            "validation_failed", "name", s);
    REFUSED(wht_post(tok, "/ventures", wht_json("{s:s, s:s}", "name", n, "code", c)), 400,
            "validation_failed", "type", s);
    REFUSED(
        wht_post(tok, "/ventures", wht_json("{s:n, s:s, s:s}", "name", "code", c, "type", "SAAS")),
        400, "validation_failed", "name", s);
    const char *e = wht_unique_email();
    REFUSED(wht_post(tok, "/users", wht_json("{s:s, s:s}", "full_name", "A B", "role", "CSR")), 400,
            "validation_failed", "email", s);
    REFUSED(wht_post(tok, "/users", wht_json("{s:s, s:s}", "email", e, "role", "CSR")), 400,
            "validation_failed", "full_name", s);
    REFUSED(wht_post(tok, "/users", wht_json("{s:s, s:s}", "email", e, "full_name", "A B")), 400,
            "validation_failed", "role", s);
    REFUSED(
        wht_post(tok, wht_fmt("/ventures/%lld/offices", f->a.id), wht_json("{s:s}", "city", "X")),
        400, "validation_failed", "name", s);
    REFUSED(wht_put(tok, wht_fmt("/users/%lld/ventures", f->member.id), wht_json("{}")), 400,
            "validation_failed", "venture_ids", s);
    REFUSED(wht_put(tok, wht_fmt("/users/%lld/offices", f->member.id), wht_json("{}")), 400,
            "validation_failed", "office_ids", s);
}

static void test_wrong_content_type_is_415(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    const char *body = wht_fmt("{\"name\":\"%s\",\"code\":\"%s\",\"type\":\"SAAS\"}",
                               wht_unique("Ct "), wht_unique_code());
    static const char *const types[] = {"text/plain", "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=x", ""};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        wht_context("Content-Type \"%s\"", types[i]);
        REFUSED(wht_send_raw("POST", tok, "/ventures", types[i], body, strlen(body)), 415,
                "unsupported_media_type", NULL, s);
    }
    const char *patch = "{\"name\":\"Plain\"}";
    REFUSED(wht_send_raw("PATCH", tok, venture_path(f->a.id), "text/plain", patch, strlen(patch)),
            415, "unsupported_media_type", NULL, s);
    wht_resp *ok = wht_send_raw("POST", tok, "/ventures", "application/json; charset=utf-8", body,
                                strlen(body));
    WHT_EXPECT(ok, 201);
}

/* A JSON venture body of exactly len bytes (len >= 64). */
static char *body_of_size(size_t len)
{
    static const char head[] = "{\"code\":\"BIG\",\"type\":\"SAAS\",\"name\":\"";
    char *b = malloc(len + 1);
    assert_non_null(b);
    memcpy(b, head, sizeof head - 1);
    memset(b + sizeof head - 1, 'a', len - (sizeof head - 1) - 2);
    memcpy(b + len - 2, "\"}", 3);
    return b;
}

static wht_resp *post_sized(size_t len)
{
    char *b = body_of_size(len);
    wht_resp *r = wht_send_raw("POST", wht_admin_token(), "/ventures", NULL, b, len);
    free(b);
    return r;
}

static void test_body_over_1_mib_is_413(void **state)
{
    (void)state;
    snapshot s = snap();
    REFUSED(post_sized(MIB), 400, "validation_failed", "name", s);
    wht_resp *big = post_sized(MIB + 1);
    REFUSED(big, 413, "payload_too_large", NULL, s);
    assert_non_null(wht_header(big, "X-Request-Id"));
    REFUSED(post_sized(4 * MIB), 413, "payload_too_large", NULL, s);
    wht_request health = {.method = "GET", .path = "/healthz"};
    WHT_EXPECT(wht_do(&health), 200);
}

static void expect_limit_refused(const char *path)
{
    static const char *const bad[] = {"0", "201", "abc", "-1", "1.5", "", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wht_context("GET %s?limit=%s", path, bad[i]);
        wht_resp *r = wht_get(wht_admin_token(), wht_fmt("%s?limit=%s", path, bad[i]));
        WHT_PROBLEM(r, 400, "validation_failed", "limit");
    }
}

static void test_limit_outside_1_to_200_is_400(void **state)
{
    (void)state;
    const fixture *f = fx();
    expect_limit_refused("/ventures");
    expect_limit_refused("/users");
    expect_limit_refused("/audit-log");
    expect_limit_refused(wht_fmt("/ventures/%lld/offices", f->a.id));
    expect_limit_refused(wht_fmt("/ventures/%lld/people", f->a.id));
    wht_resp *one = wht_get(wht_admin_token(), "/ventures?limit=1");
    WHT_EXPECT(one, 200);
    assert_int_equal(json_array_size(wht_items(one)), 1);
    WHT_EXPECT(wht_get(wht_admin_token(), "/users?limit=200"), 200);
}

static void expect_bad_cursor(const char *path, const char *cursor)
{
    wht_context("GET %s with cursor \"%s\"", path, cursor);
    const char *sep = strchr(path, '?') ? "&" : "?";
    wht_resp *r = wht_get(wht_admin_token(), wht_fmt("%s%scursor=%s", path, sep, cursor));
    WHT_PROBLEM(r, 400, "invalid_cursor", NULL);
}

static void test_cursor_not_issued_by_the_server_is_400(void **state)
{
    (void)state;
    fx();
    wht_resp *page = wht_get(wht_admin_token(), "/ventures?limit=1");
    WHT_EXPECT(page, 200);
    const char *cursor = wht_str(page->json, "next_cursor");
    WHT_EXPECT(wht_get(wht_admin_token(), wht_fmt("/ventures?limit=1&cursor=%s", cursor)), 200);
    size_t len = strlen(cursor);
    assert_true(len >= 4);
    char *tampered = (char *)wht_fmt("%s", cursor);
    tampered[len / 2] = tampered[len / 2] == 'A' ? 'B' : 'A';
    expect_bad_cursor("/ventures?limit=1", tampered);
    expect_bad_cursor("/ventures?limit=1", wht_fmt("%.*s", (int)(len - 3), cursor));
    expect_bad_cursor("/ventures?limit=1", wht_fmt("%sAAAA", cursor));
    static const char *const forged[] = {
        "abc", "AAAA", "%21%21%21", "eyJpZCI6MX0", "eyJuYW1lIjoiIiwiaWQiOjB9", "null", "0"};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        expect_bad_cursor("/ventures", forged[i]);
        expect_bad_cursor("/users", forged[i]);
        expect_bad_cursor("/audit-log", forged[i]);
    }
}

static bool allow_has(const char *allow, const char *method)
{
    size_t len = strlen(method);
    for (const char *p = allow; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n == len && strncasecmp(p, method, n) == 0)
            return true;
        p += n;
    }
    return false;
}

static void expect_405(const char *method, const char *path, const char *const *allowed,
                       const char *refused)
{
    wht_context("%s %s", method, path);
    wht_resp *r = wht_send(method, wht_admin_token(), path, NULL);
    WHT_PROBLEM(r, 405, "method_not_allowed", NULL);
    const char *allow = wht_header(r, "Allow");
    if (!allow)
        WHT_FAIL("%s %s: 405 without an Allow header", method, path);
    for (size_t i = 0; allowed[i]; i++) {
        if (!allow_has(allow, allowed[i]))
            WHT_FAIL("%s %s: Allow \"%s\" lacks %s", method, path, allow, allowed[i]);
    }
    if (allow_has(allow, refused))
        WHT_FAIL("%s %s: Allow \"%s\" names %s", method, path, allow, refused);
}

static void test_unknown_path_404_and_wrong_method_405(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    WHT_PROBLEM(wht_get(tok, "/no-such-resource"), 404, "not_found", NULL);
    WHT_PROBLEM(wht_get(tok, "/ventures/1/no-such-child"), 404, "not_found", NULL);
    snapshot s = snap();
    const char *get_post[] = {"GET", "POST", NULL};
    const char *get_patch[] = {"GET", "PATCH", NULL};
    const char *get_put[] = {"GET", "PUT", NULL};
    const char *get_only[] = {"GET", NULL};
    expect_405("DELETE", "/ventures", get_post, "DELETE");
    expect_405("DELETE", venture_path(f->a.id), get_patch, "DELETE");
    expect_405("PUT", venture_path(f->a.id), get_patch, "PUT");
    expect_405("DELETE", user_path(f->member.id), get_patch, "DELETE");
    expect_405("PATCH", "/users", get_post, "PATCH");
    expect_405("POST", wht_fmt("/users/%lld/ventures", f->member.id), get_put, "POST");
    expect_405("POST", "/me", get_only, "POST");
    UNCHANGED(s);
}

static void test_duplicates_are_409_conflict(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    const char *code = wht_fmt("dup-%s", wht_unique_code());
    WHT_EXPECT(wht_post(tok, "/ventures", venture_body(wht_unique("Dup "), code, "SAAS")), 201);
    snapshot s = snap();
    REFUSED(wht_post(tok, "/ventures", venture_body(wht_unique("Dup "), code, "BPO")), 409,
            "conflict", NULL, s);
    const char *upper = upper_case(code);
    REFUSED(wht_post(tok, "/ventures", venture_body(wht_unique("Dup "), upper, "BPO")), 409,
            "conflict", NULL, s);
    REFUSED(wht_patch(tok, venture_path(f->b.id), wht_json("{s:s}", "code", upper)), 409,
            "conflict", NULL, s);

    const char *email = wht_fmt("Dup.%s", wht_unique_email());
    WHT_EXPECT(wht_post(tok, "/users", user_body(email, "Dup One", "CSR")), 201);
    s = snap();
    REFUSED(wht_post(tok, "/users", user_body(email, "Dup Two", "CSR")), 409, "conflict", NULL, s);
    const char *shout = upper_case(email);
    REFUSED(wht_post(tok, "/users", user_body(shout, "Dup Three", "CSR")), 409, "conflict", NULL,
            s);
    REFUSED(wht_patch(tok, user_path(f->member.id), wht_json("{s:s}", "email", shout)), 409,
            "conflict", NULL, s);
}

static void test_bad_memberships_are_refused(void **state)
{
    (void)state;
    const fixture *f = fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    const char *ventures = wht_fmt("/users/%lld/ventures", f->member.id);
    const char *offices = wht_fmt("/users/%lld/offices", f->member.id);
    REFUSED(
        wht_put(tok, ventures,
                wht_json("{s:[I, I]}", "venture_ids", (json_int_t)f->a.id, (json_int_t)MISSING_ID)),
        400, "validation_failed", "venture_ids", s);
    REFUSED(wht_put(tok, offices, wht_json("{s:[I]}", "office_ids", (json_int_t)f->office_b)), 400,
            "validation_failed", "office_ids", s);
    REFUSED(wht_put(tok, offices, wht_json("{s:[I]}", "office_ids", (json_int_t)MISSING_ID)), 400,
            "validation_failed", "office_ids", s);
}

static void test_missing_ids_are_404(void **state)
{
    (void)state;
    fx();
    const char *tok = wht_admin_token();
    snapshot s = snap();
    REFUSED(wht_get(tok, user_path(MISSING_ID)), 404, "not_found", NULL, s);
    REFUSED(wht_patch(tok, user_path(MISSING_ID), wht_json("{s:s}", "full_name", "X")), 404,
            "not_found", NULL, s);
    REFUSED(wht_patch(tok, venture_path(MISSING_ID), wht_json("{s:s}", "name", "X")), 404,
            "not_found", NULL, s);
    REFUSED(wht_post(tok, wht_fmt("/ventures/%lld/offices", MISSING_ID),
                     wht_json("{s:s}", "name", "X")),
            404, "not_found", NULL, s);
    REFUSED(wht_put(tok, wht_fmt("/users/%lld/ventures", MISSING_ID),
                    wht_json("{s:[]}", "venture_ids")),
            404, "not_found", NULL, s);
    REFUSED(
        wht_put(tok, wht_fmt("/users/%lld/offices", MISSING_ID), wht_json("{s:[]}", "office_ids")),
        404, "not_found", NULL, s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_invalid_json_is_400_invalid_json),
        WHT_TEST(test_unknown_fields_are_named),
        WHT_TEST(test_bad_enums_and_types_are_named),
        WHT_TEST(test_venture_field_lengths_and_formats),
        WHT_TEST(test_user_field_lengths_and_formats),
        WHT_TEST(test_office_field_lengths),
        WHT_TEST(test_limits_are_inclusive),
        WHT_TEST(test_missing_required_fields_are_named),
        WHT_TEST(test_wrong_content_type_is_415),
        WHT_TEST(test_body_over_1_mib_is_413),
        WHT_TEST(test_limit_outside_1_to_200_is_400),
        WHT_TEST(test_cursor_not_issued_by_the_server_is_400),
        WHT_TEST(test_unknown_path_404_and_wrong_method_405),
        WHT_TEST(test_duplicates_are_409_conflict),
        WHT_TEST(test_bad_memberships_are_refused),
        WHT_TEST(test_missing_ids_are_404),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_validation", tests, NULL, NULL));
}
