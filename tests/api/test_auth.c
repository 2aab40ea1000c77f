/*
 * Sign-in, sessions and the cookie rules (API.md "Auth and the caller", "Conventions"):
 * what a user sees when logging in, out, with a wrong password, an expired or a deactivated
 * account, and that a cookie cannot be used for cross-site writes.
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
#include <strings.h>

#include "harness.h"

#define DEFAULT_TTL_MS (43200LL * 1000)
#define SLACK_MS       (120LL * 1000)

/* True when the Set-Cookie value carries attribute attr (case-insensitive, e.g. "HttpOnly"). */
static bool cookie_has(const char *set_cookie, const char *attr)
{
    size_t len = strlen(attr);
    const char *p = strchr(set_cookie, ';');
    while (p) {
        p++;
        while (*p == ' ')
            p++;
        if (strncasecmp(p, attr, len) == 0 && (p[len] == ';' || p[len] == '\0'))
            return true;
        p = strchr(p, ';');
    }
    return false;
}

/* The value of the wh_session cookie in a Set-Cookie header, or NULL when it sets another. */
static const char *session_value(const char *set_cookie)
{
    if (!set_cookie || strncmp(set_cookie, "wh_session=", 11) != 0)
        return NULL;
    const char *v = set_cookie + 11;
    const char *end = strchr(v, ';');
    return wht_fmt("%.*s", (int)(end ? end - v : (long)strlen(v)), v);
}

static const char *session_cookie(const char *token)
{
    return wht_fmt("wh_session=%s", token);
}

static wht_resp *cookie_request(const char *method, const char *path, const char *cookie,
                                const char *xrw, json_t *body)
{
    const char *headers[] = {xrw ? wht_fmt("X-Requested-With: %s", xrw) : NULL, NULL};
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    wht_request req = {
        .method = method,
        .path = wht_fmt("%s%s", WHT_API, path),
        .cookie = cookie,
        .headers = headers,
        .body = text,
        .body_len = text ? strlen(text) : 0,
    };
    wht_resp *r = wht_do(&req);
    free(text);
    return r;
}

static bool venture_code_exists(const char *code)
{
    json_t *all = wht_list_all(wht_admin_token(), "/ventures", 200);
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        if (strcmp(wht_str(v, "code"), code) == 0)
            return true;
    }
    return false;
}

static void test_login_returns_token_expiry_user_and_cookie(void **state)
{
    (void)state;
    wht_user u = wht_user_add("DISPATCHER");
    long long before = wht_now_ms();
    wht_resp *r = wht_login_resp(u.email, u.password);
    long long after = wht_now_ms();
    WHT_EXPECT(r, 200);
    const char *token = wht_str(r->json, "token");
    assert_true(strlen(token) >= 20);
    const char *expires = wht_str(r->json, "expires_at");
    assert_true(wht_is_rfc3339_ms_utc(expires));
    long long exp = wht_rfc3339_ms(expires);
    assert_true(exp >= before + DEFAULT_TTL_MS - SLACK_MS);
    assert_true(exp <= after + DEFAULT_TTL_MS + SLACK_MS);
    json_t *user = json_object_get(r->json, "user");
    assert_int_equal(wht_int(user, "id"), u.id);
    assert_string_equal(wht_str(user, "email"), u.email);
    assert_string_equal(wht_str(user, "role"), "DISPATCHER");
    assert_non_null(strstr(r->body, "full_name"));
    assert_null(strstr(r->body, u.password));
    assert_null(strstr(r->body, "argon2"));

    const char *set_cookie = wht_header(r, "Set-Cookie");
    assert_non_null(set_cookie);
    assert_string_equal(session_value(set_cookie), token);
    assert_true(cookie_has(set_cookie, "HttpOnly"));
    assert_true(cookie_has(set_cookie, "SameSite=Strict"));
    assert_true(cookie_has(set_cookie, "Path=/"));

    wht_resp *me = wht_get(token, "/me");
    WHT_EXPECT(me, 200);
    assert_int_equal(wht_int(json_object_get(me->json, "user"), "id"), u.id);
}

static void test_login_email_is_case_insensitive(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    char upper[sizeof u.email] = "";
    for (size_t i = 0; u.email[i]; i++)
        upper[i] = (char)(u.email[i] >= 'a' && u.email[i] <= 'z' ? u.email[i] - 32 : u.email[i]);
    wht_resp *r = wht_login_resp(upper, u.password);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(json_object_get(r->json, "user"), "id"), u.id);
}

static void test_wrong_password_and_unknown_email_answer_alike(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    wht_resp *wrong = wht_login_resp(u.email, "not-the-password-at-all");
    wht_resp *unknown = wht_login_resp(wht_unique_email(), "not-the-password-at-all");
    WHT_PROBLEM(wrong, 401, "unauthenticated", NULL);
    WHT_PROBLEM(unknown, 401, "unauthenticated", NULL);
    WHT_JSON_EQUAL(wht_problem_shape(wrong->json, NULL), wht_problem_shape(unknown->json, NULL));
    assert_string_equal(wht_header(wrong, "Content-Type"), wht_header(unknown, "Content-Type"));
    assert_null(wht_header(wrong, "Set-Cookie"));
    assert_null(wht_header(unknown, "Set-Cookie"));
    /* The right password still works: the failure was not a lock-out. */
    WHT_EXPECT(wht_login_resp(u.email, u.password), 200);
}

static void test_requests_without_a_valid_session_are_401(void **state)
{
    (void)state;
    WHT_PROBLEM(wht_get(NULL, "/me"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_get("not-a-token", "/me"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_get(NULL, "/ventures"), 401, "unauthenticated", NULL);
    const char *basic[] = {"Authorization: Basic YWRtaW46YWRtaW4=", NULL};
    wht_request req = {.method = "GET", .path = WHT_API "/me", .headers = basic};
    WHT_PROBLEM(wht_do(&req), 401, "unauthenticated", NULL);
    wht_resp *r = wht_post(NULL, "/ventures",
                           wht_json("{s:s, s:s, s:s}", "name", wht_unique("Anon "), "code",
                                    wht_unique_code(), "type", "SAAS"));
    WHT_PROBLEM(r, 401, "unauthenticated", NULL);
}

static void test_logout_ends_the_session(void **state)
{
    (void)state;
    wht_user u = wht_user_new("EMPLOYEE");
    WHT_EXPECT(wht_get(u.token, "/me"), 200);
    wht_resp *out = wht_post(u.token, "/auth/logout", NULL);
    WHT_EXPECT(out, 204);
    assert_int_equal(out->body_len, 0);
    const char *set_cookie = wht_header(out, "Set-Cookie");
    assert_non_null(set_cookie);
    const char *value = session_value(set_cookie);
    assert_non_null(value);
    assert_true(value[0] == '\0' || cookie_has(set_cookie, "Max-Age=0") ||
                strstr(set_cookie, "1970") != NULL);
    WHT_PROBLEM(wht_get(u.token, "/me"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_get(u.token, "/ventures"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_post(u.token, "/auth/logout", NULL), 401, "unauthenticated", NULL);
}

static void test_expired_session_is_refused(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    /* 4 s leaves room for a slow sign-in on a loaded machine before the first check */
    const char *env[] = {"WH_SESSION_TTL_S=4", NULL};
    wht_server *short_ttl = wht_server_start(env);
    long long before = wht_now_ms();
    wht_resp *r = wht_send_on(short_ttl, "POST", NULL, "/auth/login",
                              wht_json("{s:s, s:s}", "email", u.email, "password", u.password));
    WHT_EXPECT(r, 200);
    const char *token = wht_str(r->json, "token");
    long long exp = wht_rfc3339_ms(wht_str(r->json, "expires_at"));
    assert_true(exp >= before + 3000 && exp <= wht_now_ms() + 5000);
    WHT_EXPECT(wht_send_on(short_ttl, "GET", token, "/me", NULL), 200);
    wht_sleep_ms((long)(exp - wht_now_ms()) + 500); /* just past the expiry it announced */
    WHT_PROBLEM(wht_send_on(short_ttl, "GET", token, "/me", NULL), 401, "unauthenticated", NULL);
    /* The expiry the client was told holds on every instance. */
    WHT_PROBLEM(wht_get(token, "/me"), 401, "unauthenticated", NULL);
    wht_server_stop(short_ttl);
}

static void test_cookie_authenticates_reads(void **state)
{
    (void)state;
    wht_user u = wht_user_new("EMPLOYEE");
    wht_resp *r = cookie_request("GET", "/me", session_cookie(u.token), NULL, NULL);
    WHT_EXPECT(r, 200);
    assert_int_equal(wht_int(json_object_get(r->json, "user"), "id"), u.id);
    WHT_EXPECT(cookie_request("GET", "/ventures", session_cookie(u.token), NULL, NULL), 200);
    r = cookie_request("GET", "/me", "wh_session=forged-session-token", NULL, NULL);
    WHT_PROBLEM(r, 401, "unauthenticated", NULL);
}

static void test_cookie_write_needs_x_requested_with(void **state)
{
    (void)state;
    const char *cookie = session_cookie(wht_admin_token());
    const char *name = wht_unique("Cookie venture ");
    const char *code = wht_unique_code();
    long long head = wht_audit_head();
    const char *bad[] = {NULL, "XMLHttpRequest", "Wheelhouse-not", NULL};
    for (size_t i = 0; i < 3; i++) {
        json_t *body = wht_json("{s:s, s:s, s:s}", "name", name, "code", code, "type", "SAAS");
        wht_resp *r = cookie_request("POST", "/ventures", cookie, bad[i], body);
        WHT_PROBLEM(r, 403, "forbidden", NULL);
    }
    assert_false(venture_code_exists(code));
    assert_int_equal(wht_audit_head(), head);

    json_t *body = wht_json("{s:s, s:s, s:s}", "name", name, "code", code, "type", "SAAS");
    wht_resp *ok = cookie_request("POST", "/ventures", cookie, "wheelhouse", body);
    WHT_EXPECT(ok, 201);
    assert_true(venture_code_exists(code));
    long long id = wht_int(ok->json, "id");

    const char *path = wht_fmt("/ventures/%lld", id);
    wht_resp *r = cookie_request("PATCH", path, cookie, NULL, wht_json("{s:s}", "name", "Renamed"));
    WHT_PROBLEM(r, 403, "forbidden", NULL);
    assert_string_equal(wht_str(wht_get(wht_admin_token(), path)->json, "name"), name);
    r = cookie_request("PATCH", path, cookie, "wheelhouse", wht_json("{s:s}", "name", "Renamed"));
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(wht_get(wht_admin_token(), path)->json, "name"), "Renamed");
}

static void test_deactivated_user_is_shut_out(void **state)
{
    (void)state;
    wht_user u = wht_user_new("CSR");
    const char *path = wht_fmt("/users/%lld", u.id);
    wht_resp *r = wht_patch(wht_admin_token(), path, wht_json("{s:b}", "active", 0));
    WHT_EXPECT(r, 200);
    assert_true(json_is_false(json_object_get(r->json, "active")));
    WHT_PROBLEM(wht_get(u.token, "/me"), 401, "unauthenticated", NULL);
    WHT_PROBLEM(wht_login_resp(u.email, u.password), 401, "unauthenticated", NULL);

    WHT_EXPECT(wht_patch(wht_admin_token(), path, wht_json("{s:b}", "active", 1)), 200);
    WHT_EXPECT(wht_login_resp(u.email, u.password), 200);
}

static void assert_request_id(const wht_resp *r)
{
    const char *id = wht_header(r, "X-Request-Id");
    if (!id || !id[0])
        WHT_FAIL("%s -> %ld has no X-Request-Id", r->target, r->status);
}

static void test_every_response_has_a_request_id(void **state)
{
    (void)state;
    const char *tok = wht_admin_token();
    wht_request health = {.method = "GET", .path = "/healthz"};
    wht_request missing = {.method = "GET", .path = "/no-such-path"};
    wht_user u = wht_user_new("EMPLOYEE");
    json_t *venture = wht_json("{s:s, s:s, s:s}", "name", wht_unique("Rid "), "code",
                               wht_unique_code(), "type", "SAAS");
    wht_resp *rs[] = {
        wht_do(&health),                                            /* 200 */
        wht_do(&missing),                                           /* 404 outside the API */
        wht_get(tok, "/no-such-thing"),                             /* 404 */
        wht_get(NULL, "/me"),                                       /* 401 */
        wht_delete(tok, "/ventures"),                               /* 405 */
        wht_send_raw("POST", tok, "/ventures", NULL, "{", 1),       /* 400 */
        wht_post(tok, "/ventures", wht_json("{s:s}", "name", "x")), /* 400 */
        wht_post(tok, "/ventures", venture),                        /* 201 */
        wht_post(u.token, "/auth/logout", NULL),                    /* 204 */
        wht_login_resp(wht_unique_email(), "wrong-password-000"),   /* 401 */
    };
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
        assert_request_id(rs[i]);
    const char *a = wht_header(rs[0], "X-Request-Id");
    const char *b = wht_header(wht_do(&health), "X-Request-Id");
    assert_string_not_equal(a, b);
}

static void test_health_and_readiness(void **state)
{
    (void)state;
    wht_request health = {.method = "GET", .path = "/healthz"};
    wht_resp *r = wht_do(&health);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_str(r->json, "status"), "ok");
    wht_request ready = {.method = "GET", .path = "/readyz"};
    WHT_EXPECT(wht_do(&ready), 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_login_returns_token_expiry_user_and_cookie),
        WHT_TEST(test_login_email_is_case_insensitive),
        WHT_TEST(test_wrong_password_and_unknown_email_answer_alike),
        WHT_TEST(test_requests_without_a_valid_session_are_401),
        WHT_TEST(test_logout_ends_the_session),
        WHT_TEST(test_expired_session_is_refused),
        WHT_TEST(test_cookie_authenticates_reads),
        WHT_TEST(test_cookie_write_needs_x_requested_with),
        WHT_TEST(test_deactivated_user_is_shut_out),
        WHT_TEST(test_every_response_has_a_request_id),
        WHT_TEST(test_health_and_readiness),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_auth", tests, NULL, NULL));
}
