/*
 * HTTP hygiene (issue 10, items 9 and 12; docs/architecture.md "A request" and "Response
 * headers"): every answer carries X-Content-Type-Options, Referrer-Policy and a
 * Content-Security-Policy (the UI's lets it load its own files, and web/ has nothing inline
 * that the policy would block); every 401 carries WWW-Authenticate: Bearer (invalid_token when
 * a token was refused); an HTTP/1.1 request without Host is a 400 problem that changes nothing;
 * gzip honours q-values; the session cookie is Secure when the client came over HTTPS (a
 * trusted proxy's X-Forwarded-Proto, or WH_COOKIE_SECURE=1) and only then. Text that is not
 * UTF-8 or is cut mid-character by a byte limit still appears in problems (instance, detail,
 * errors[].field) and in the access log, which stays valid JSON.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr, memmem */
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

#define FFFD       "\xEF\xBF\xBD"
#define API_CSP    "default-src 'none'; frame-ancestors 'none'"
#define UI_CSP     "default-src 'self'; frame-ancestors 'none'"
#define CHALLENGE  "Bearer realm=\"wheelhouse\""
#define INVALID_TK "Bearer realm=\"wheelhouse\", error=\"invalid_token\""

static wht_resp *get_with(const wht_server *s, const char *path, const char *const *headers)
{
    wht_request rq = {.method = "GET", .path = path, .headers = headers, .server = s};
    return wht_do(&rq);
}

static void expect_security_headers(const wht_resp *r, const char *csp)
{
    const char *v = wht_header(r, "X-Content-Type-Options");
    if (!v || strcmp(v, "nosniff") != 0)
        WHT_FAIL("%s: X-Content-Type-Options is %s", r->target, v ? v : "missing");
    v = wht_header(r, "Referrer-Policy");
    if (!v || strcmp(v, "no-referrer") != 0)
        WHT_FAIL("%s: Referrer-Policy is %s", r->target, v ? v : "missing");
    v = wht_header(r, "Content-Security-Policy");
    if (!v || strcmp(v, csp) != 0)
        WHT_FAIL("%s: Content-Security-Policy is %s", r->target, v ? v : "missing");
    assert_null(wht_header_nth(r, "Content-Security-Policy", 1));
}

static void test_security_headers_on_every_answer(void **state)
{
    (void)state;
    expect_security_headers(get_with(NULL, "/healthz", NULL), API_CSP);
    expect_security_headers(get_with(NULL, WHT_API "/openapi.json", NULL), API_CSP);
    expect_security_headers(wht_get(wht_admin_token(), "/me"), API_CSP);
    expect_security_headers(wht_get(NULL, "/me"), API_CSP);
    expect_security_headers(get_with(NULL, WHT_API "/no-such-thing", NULL), API_CSP);
    expect_security_headers(wht_post(wht_admin_token(), "/ventures", wht_json("{}")), API_CSP);
    /* the UI gets its own policy, and so does a missing UI file's problem answer get the API's */
    wht_resp *index = get_with(NULL, "/", NULL);
    WHT_EXPECT(index, 200);
    expect_security_headers(index, UI_CSP);
    expect_security_headers(get_with(NULL, "/static/app.js", NULL), UI_CSP);
    expect_security_headers(get_with(NULL, "/static/app.css", NULL), UI_CSP);
    expect_security_headers(get_with(NULL, "/static/nothing.js", NULL), API_CSP);
}

/* Whether text matches the extended regular expression re (case-insensitive). */
static bool matches(const char *text, const char *re)
{
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        WHT_FAIL("bad regex %s", re);
    bool m = regexec(&rx, text, 0, NULL, 0) == 0;
    regfree(&rx);
    return m;
}

/* default-src 'self' blocks inline scripts, styles and handlers: web/ must have none. */
static void test_ui_works_under_its_policy(void **state)
{
    (void)state;
    const char *html = get_with(NULL, "/", NULL)->body;
    assert_true(matches(html, "<script[^>]*src=\"/static/app.js\\?v=[0-9a-f]{16}\""));
    assert_false(matches(html, "<script[^>]*>[[:space:]]*[^<[:space:]]")); /* inline code */
    assert_false(matches(html, "<script([^s>]|s[^r>])*>"));                /* no src */
    assert_false(matches(html, "<style"));
    assert_false(matches(html, "[[:space:]]style[[:space:]]*="));
    assert_false(matches(html, "[[:space:]]on[a-z]+[[:space:]]*="));
    assert_false(matches(html, "javascript:"));
    assert_false(matches(html, "(src|href)=\"(https?:)?//"));
    /* every script the page loads */
    for (const char *p = html; (p = strstr(p, "src=\"/static/")) != NULL; p += 5) {
        const char *end = strchr(p + 5, '"');
        assert_non_null(end);
        wht_resp *script = get_with(NULL, wht_fmt("%.*s", (int)(end - p - 5), p + 5), NULL);
        WHT_EXPECT(script, 200);
        const char *js = script->body;
        assert_false(
            matches(js, "eval\\(|new Function|innerHTML|\\.style\\.cssText|setAttribute\\('style"));
        assert_false(matches(js, "fetch\\((['\"`])https?:"));
    }
    const char *css = get_with(NULL, "/static/app.css", NULL)->body;
    assert_false(matches(css, "@import|url\\((['\"])?(https?:)?//"));
}

/* The UI's files carry their content's tag: the index names each asset with ?v=<tag>, such a
 * URL may be kept for a year (immutable), any other is revalidated with the ETag (304). */
static void test_assets_are_cached_by_content(void **state)
{
    (void)state;
    const char *html = get_with(NULL, "/", NULL)->body;
    const char *at = strstr(html, "/static/core.js?v=");
    assert_non_null(at);
    const char *tag = wht_fmt("%.16s", at + 18);
    wht_resp *r = get_with(NULL, wht_fmt("/static/core.js?v=%s", tag), NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Cache-Control"), "public, max-age=31536000, immutable");
    assert_string_equal(wht_header(r, "ETag"), wht_fmt("\"%s\"", tag));
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    assert_string_equal(wht_header(get_with(NULL, "/static/core.js", gz), "Content-Encoding"),
                        "gzip");
    /* an old or made-up tag is not kept */
    r = get_with(NULL, "/static/core.js?v=0000000000000000", NULL);
    assert_string_equal(wht_header(r, "Cache-Control"), "no-cache");
    r = get_with(NULL, "/static/core.js", NULL);
    assert_string_equal(wht_header(r, "Cache-Control"), "no-cache");
    const char *inm[] = {wht_fmt("If-None-Match: \"%s\"", tag), NULL};
    r = get_with(NULL, "/static/core.js", inm);
    WHT_EXPECT(r, 304);
    assert_int_equal(r->body_len, 0);
    /* Debian's Chart.js is served by name only, tagged like the UI's own files */
    at = strstr(html, "/vendor/chart.min.js?v=");
    assert_non_null(at);
    r = get_with(NULL, wht_fmt("/vendor/chart.min.js?v=%.16s", at + 23), NULL);
    WHT_EXPECT(r, 200);
    assert_string_equal(wht_header(r, "Cache-Control"), "public, max-age=31536000, immutable");
    assert_non_null(strstr(r->body, "Chart.js"));
    WHT_EXPECT(get_with(NULL, "/vendor/chart.js", NULL), 404);
    WHT_EXPECT(get_with(NULL, "/vendor/..%2Fpasswd", NULL), 404);
    /* the page itself is revalidated too */
    r = get_with(NULL, "/", NULL);
    assert_string_equal(wht_header(r, "Cache-Control"), "no-cache");
    const char *page_inm[] = {wht_fmt("If-None-Match: %s", wht_header(r, "ETag")), NULL};
    WHT_EXPECT(get_with(NULL, "/", page_inm), 304);
}

static void expect_challenge(const wht_resp *r, const char *challenge)
{
    WHT_PROBLEM(r, 401, "unauthenticated", NULL);
    const char *v = wht_header(r, "WWW-Authenticate");
    if (!v || strcmp(v, challenge) != 0)
        WHT_FAIL("%s: WWW-Authenticate is %s, want %s", r->target, v ? v : "missing", challenge);
}

static void test_every_401_carries_a_bearer_challenge(void **state)
{
    (void)state;
    /* no credentials: a plain challenge */
    expect_challenge(wht_get(NULL, "/me"), CHALLENGE);
    expect_challenge(wht_post(NULL, "/ventures", wht_json("{}")), CHALLENGE);
    /* a token or a cookie that is not a session: invalid_token */
    expect_challenge(wht_get("made-up-token", "/me"), INVALID_TK);
    wht_request rq = {.method = "GET", .path = WHT_API "/me", .cookie = "wh_session=made-up"};
    expect_challenge(wht_do(&rq), INVALID_TK);
    /* a token whose session ended */
    wht_user u = wht_user_new("EMPLOYEE");
    WHT_EXPECT(wht_post(u.token, "/auth/logout", NULL), 204);
    expect_challenge(wht_get(u.token, "/me"), INVALID_TK);
    /* a refused sign-in is a 401 of a public route: challenged without an error */
    expect_challenge(wht_login_resp(u.email, "wrong-password-123"), CHALLENGE);
    expect_challenge(wht_post(NULL, "/auth/code/verify",
                              wht_json("{s:s, s:s}", "email", u.email, "code", "000000")),
                     CHALLENGE);
    /* other answers carry none */
    assert_null(wht_header(wht_get(wht_admin_token(), "/me"), "WWW-Authenticate"));
    assert_null(wht_header(wht_get(wht_admin_token(), "/ventures"), "WWW-Authenticate"));
    assert_null(
        wht_header(wht_post(wht_admin_token(), "/ventures", wht_json("{}")), "WWW-Authenticate"));
}

/* The status code of a raw HTTP answer ("HTTP/1.1 400 Bad Request"), 0 when there is none. */
static long raw_status(const char *answer)
{
    if (strncmp(answer, "HTTP/1.", 7) != 0 || strlen(answer) < 12)
        return 0;
    return strtol(answer + 9, NULL, 10);
}

/* The body of a raw answer as JSON (harness-owned), or NULL. */
static json_t *raw_json(const char *answer)
{
    const char *body = strstr(answer, "\r\n\r\n");
    return body ? wht_keep_json(json_loads(body + 4, 0, NULL)) : NULL;
}

static void test_http11_without_host_is_400(void **state)
{
    (void)state;
    const char *a = wht_raw(NULL, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_int_equal(raw_status(a), 400);
    assert_non_null(strcasestr(a, "\r\nContent-Type: application/problem+json"));
    assert_non_null(strcasestr(a, "\r\nX-Content-Type-Options: nosniff"));
    json_t *p = raw_json(a);
    assert_non_null(p);
    assert_string_equal(wht_str(p, "code"), "validation_failed");
    assert_string_equal(wht_str(json_array_get(json_object_get(p, "errors"), 0), "field"), "Host");
    /* a write without Host changes nothing */
    const char *code = wht_unique_code();
    const char *body =
        wht_fmt("{\"name\":\"%s\",\"code\":\"%s\",\"type\":\"BPO\"}", wht_unique("NoHost"), code);
    a = wht_raw(NULL, wht_fmt("POST " WHT_API "/ventures HTTP/1.1\r\nAuthorization: Bearer %s\r\n"
                              "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                              "Connection: close\r\n\r\n%s",
                              wht_admin_token(), strlen(body), body));
    assert_int_equal(raw_status(a), 400);
    assert_int_equal(wht_sql(wht_fmt("SELECT COUNT(*) FROM ventures WHERE code = '%s'", code)), 0);
    /* with Host it is served; HTTP/1.0 needs none */
    a = wht_raw(NULL, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert_int_equal(raw_status(a), 200);
    a = wht_raw(NULL, "GET /healthz HTTP/1.0\r\n\r\n");
    assert_int_equal(raw_status(a), 200);
}

static wht_resp *openapi_with(const char *accept_encoding)
{
    const char *h[] = {wht_fmt("Accept-Encoding: %s", accept_encoding), NULL};
    wht_resp *r = get_with(NULL, WHT_API "/openapi.json", h);
    WHT_EXPECT(r, 200);
    assert_true(r->body_len > 1024);
    const char *vary = wht_header(r, "Vary");
    assert_non_null(vary);
    assert_string_equal(vary, "Accept-Encoding");
    return r;
}

static void test_gzip_honours_q_values(void **state)
{
    (void)state;
    static const char *const gzip[] = {"gzip", "br, gzip;q=0.5", "*", "br;q=1, *;q=0.1"};
    static const char *const plain[] = {"gzip;q=0",    "gzip;q=0.000", "*;q=0",       "br, *;q=0",
                                        "gzip;q=0, *", "identity",     "gzip;q=oops", "deflate"};
    for (size_t i = 0; i < sizeof gzip / sizeof gzip[0]; i++) {
        wht_resp *r = openapi_with(gzip[i]);
        const char *ce = wht_header(r, "Content-Encoding");
        if (!ce || strcmp(ce, "gzip") != 0)
            WHT_FAIL("Accept-Encoding: %s got no gzip", gzip[i]);
        assert_true((unsigned char)r->body[0] == 0x1f && (unsigned char)r->body[1] == 0x8b);
    }
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        wht_resp *r = openapi_with(plain[i]);
        if (wht_header(r, "Content-Encoding"))
            WHT_FAIL("Accept-Encoding: %s got %s", plain[i], wht_header(r, "Content-Encoding"));
        assert_non_null(r->json);
    }
}

/* Signs u in on s with extra headers; returns the Set-Cookie of the 200. */
static const char *login_cookie(const wht_server *s, const wht_user *u, const char *const *headers)
{
    const char *body = wht_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", u->email, u->password);
    wht_request rq = {.method = "POST",
                      .path = WHT_API "/auth/login",
                      .headers = headers,
                      .body = body,
                      .body_len = strlen(body),
                      .server = s};
    wht_resp *r = wht_do(&rq);
    WHT_EXPECT(r, 200);
    const char *c = wht_header(r, "Set-Cookie");
    assert_non_null(c);
    assert_non_null(strstr(c, "HttpOnly"));
    assert_non_null(strstr(c, "SameSite=Strict"));
    return c;
}

static bool is_secure(const char *cookie)
{
    return strstr(cookie, "; Secure") != NULL;
}

static void test_session_cookie_secure_over_https(void **state)
{
    (void)state;
    wht_user u = wht_user_add("EMPLOYEE");
    const char *https[] = {"X-Forwarded-Proto: https", NULL};
    const char *http[] = {"X-Forwarded-Proto: http", NULL};
    /* no trusted proxy: the header is anyone's word and is ignored */
    assert_false(is_secure(login_cookie(NULL, &u, NULL)));
    assert_false(is_secure(login_cookie(NULL, &u, https)));
    /* behind a trusted proxy (the test talks from 127.0.0.1): its word is believed */
    const char *const proxied[] = {"WH_TRUSTED_PROXIES=127.0.0.1", NULL};
    wht_server *s = wht_server_start(proxied);
    assert_true(is_secure(login_cookie(s, &u, https)));
    assert_false(is_secure(login_cookie(s, &u, http)));
    assert_false(is_secure(login_cookie(s, &u, NULL)));
    wht_server_stop(s);
    /* WH_COOKIE_SECURE=1: always Secure, the clearing cookie of a logout too */
    const char *const forced[] = {"WH_COOKIE_SECURE=1", NULL};
    s = wht_server_start(forced);
    const char *c = login_cookie(s, &u, NULL);
    assert_true(is_secure(c));
    char token[512];
    snprintf(token, sizeof token, "%s", c + strlen("wh_session="));
    token[strcspn(token, ";")] = '\0';
    wht_resp *out = wht_send_on(s, "POST", token, "/auth/logout", NULL);
    WHT_EXPECT(out, 204);
    c = wht_header(out, "Set-Cookie");
    assert_non_null(c);
    assert_true(strncmp(c, "wh_session=;", 12) == 0);
    assert_non_null(strstr(c, "Max-Age=0"));
    assert_true(is_secure(c));
    wht_server_stop(s);
}

/* The access-log line of request id in the main server's log, parsed; fails after 5 s. */
static json_t *access_line(const char *request_id)
{
    for (int i = 0; i < 250; i++) {
        const char *log = wht_server_log(NULL);
        for (const char *line = log; *line;) {
            size_t n = strcspn(line, "\n");
            if (memmem(line, n, request_id, strlen(request_id))) {
                json_error_t err;
                json_t *j = json_loadb(line, n, 0, &err);
                if (!j)
                    WHT_FAIL("the log line of %s is not JSON (%s): %.*s", request_id, err.text,
                             (int)n, line);
                wht_keep_json(j);
                if (strcmp(wht_str(j, "msg"), "request") == 0)
                    return j;
            }
            line += n + (line[n] == '\n');
        }
        wht_sleep_ms(20);
    }
    WHT_FAIL("no access-log line for request %s", request_id);
    return NULL;
}

static void test_bytes_not_utf8_stay_visible(void **state)
{
    (void)state;
    wht_resp *r = get_with(NULL, WHT_API "/%ff%fe", NULL);
    WHT_PROBLEM(r, 404, "not_found", NULL);
    assert_string_equal(wht_str(r->json, "instance"), WHT_API "/%FF%FE");
    assert_string_equal(wht_str(r->json, "detail"), "No such path: " WHT_API "/" FFFD FFFD);
    const char *id = wht_header(r, "X-Request-Id");
    assert_non_null(id);
    json_t *line = access_line(id);
    assert_string_equal(wht_str(line, "path"), WHT_API "/%FF%FE");
    assert_int_equal(wht_int(line, "status"), 404);
    /* a literal '%' and a control byte are escaped too, so the log reads back unambiguously */
    r = get_with(NULL, WHT_API "/a%25ff%0a", NULL);
    WHT_PROBLEM(r, 404, "not_found", NULL);
    assert_string_equal(wht_str(r->json, "instance"), WHT_API "/a%25ff%0A");
    line = access_line(wht_header(r, "X-Request-Id"));
    assert_string_equal(wht_str(line, "path"), WHT_API "/a%25ff%0A");
}

static void test_text_cut_mid_character_stays(void **state)
{
    (void)state;
    /* a 2-byte character per segment byte pair: "No such path: " + the path passes the 256-byte
     * detail at an odd offset, inside a character */
    char path[2048];
    size_t len = (size_t)snprintf(path, sizeof path, "%s/", WHT_API);
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(path + len, sizeof path - len, "%%C3%%A9"); /* é */
    wht_resp *r = get_with(NULL, path, NULL);
    WHT_PROBLEM(r, 404, "not_found", NULL);
    const char *detail = wht_str(r->json, "detail");
    assert_true(strncmp(detail, "No such path: " WHT_API "/\xC3\xA9\xC3\xA9", 26) == 0);
    assert_true(strlen(detail) >= 250 && strlen(detail) <= 255);
    assert_int_equal(strlen(wht_str(r->json, "instance")), strlen(WHT_API "/") + 400);
    /* an unknown field whose name is cut at 63 bytes inside a character is still reported */
    char name[80];
    memset(name, 'a', 62);
    memcpy(name + 62, "\xC3\xA9\xC3\xA9", 5);
    json_t *body = wht_json("{s:s, s:s, s:s, s:i}", "name", wht_unique("Cut"), "code",
                            wht_unique_code(), "type", "BPO", name, 1);
    r = wht_post(wht_admin_token(), "/ventures", body);
    WHT_PROBLEM(r, 400, "validation_failed", NULL);
    json_t *errs = json_object_get(r->json, "errors");
    assert_int_equal(json_array_size(errs), 1);
    char want[63];
    memset(want, 'a', 62);
    want[62] = '\0';
    assert_string_equal(wht_str(json_array_get(errs, 0), "field"), want);
    assert_string_equal(wht_str(json_array_get(errs, 0), "message"), "is not a known field");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        WHT_TEST(test_security_headers_on_every_answer),
        WHT_TEST(test_ui_works_under_its_policy),
        WHT_TEST(test_assets_are_cached_by_content),
        WHT_TEST(test_every_401_carries_a_bearer_challenge),
        WHT_TEST(test_http11_without_host_is_400),
        WHT_TEST(test_gzip_honours_q_values),
        WHT_TEST(test_session_cookie_secure_over_https),
        WHT_TEST(test_bytes_not_utf8_stay_visible),
        WHT_TEST(test_text_cut_mid_character_stays),
    };
    wht_init();
    return wht_finish(cmocka_run_group_tests_name("api_http", tests, NULL, NULL));
}
