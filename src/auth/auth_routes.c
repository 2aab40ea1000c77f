/* POST /auth/login, POST /auth/logout, GET /me, GET /me/navigation. A wrong e-mail and a wrong
 * password get the same answer, after the same work (a dummy hash is verified when the e-mail
 * is unknown), so the answer does not reveal which e-mails exist. */
#include "auth/auth.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "events/events.h"
#include "core/json.h"
#include "http/http.h"
#include "integrations/integrations.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Computed once; verifying against it costs what verifying a real hash costs. */
static char dummy[WH_CRYPTO_PWHASH_CHARS];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    if (wh_crypto_password_hash("not-a-password-of-anyone", dummy) != WH_OK)
        dummy[0] = '\0';
}

static const char *dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_init);
    return dummy;
}

static wh_err bad_login(wh_error *e)
{
    return wh_fail(e, WH_ERR_UNAUTH, "The e-mail or password is wrong.");
}

/* FIRST_DAILY_LOGIN (DOMAIN.md §6) in the sign-in's transaction: credited to the user's first
 * venture, keyed by user and business day so only the day's first sign-in awards; a user
 * without a venture publishes nothing. */
static wh_err publish_login(wh_req *r, wh_conn *c, const wh_user *u, wh_error *e)
{
    char day[11];
    int64_t venture_id = 0;
    wh_err rc =
        wh_scope_first_venture(c, &r->arena, u->id, wh_role_all_ventures(u->role), &venture_id, e);
    if (rc != WH_OK || venture_id == 0)
        return rc;
    wh_clock_day_of(r->now_ms, day, sizeof day);
    wh_event ev = {.type = WH_EVENT_FIRST_DAILY_LOGIN,
                   .venture_id = venture_id,
                   .office_id = 0,
                   .user_id = u->id,
                   .key = wh_arena_printf(&r->arena, "first_login:%lld:%s", (long long)u->id, day),
                   .day = day,
                   .at_ms = r->now_ms};
    return wh_events_publish(r->app->events, c, &r->arena, &ev, e);
}

/* Opens a session for u and answers {token, expires_at, user} with the cookie; c is inside the
 * sign-in's transaction. by_code: the sign-in used an e-mailed code. */
static wh_err start_session(wh_req *r, wh_conn *c, const wh_user *u, bool by_code, wh_error *e)
{
    char token[WH_CRYPTO_TOKEN_CHARS + 1];
    int64_t expires = 0;
    wh_err rc = publish_login(r, c, u, e);
    if (rc == WH_OK)
        rc = wh_session_create(c, &r->arena, u->id, by_code, r->now_ms, &r->app->sessions, token,
                               sizeof token, &expires, e);
    if (rc != WH_OK)
        return rc;
    wh_resp_session_cookie(r, token, (expires - r->now_ms) / 1000);
    json_t *out = json_pack("{s:s, s:o, s:o}", "token", token, "expires_at", wh_json_time(expires),
                            "user", wh_user_json(u));
    wh_crypto_wipe(token, sizeof token);
    return wh_resp_json(r, 200, out);
}

static wh_err login(wh_req *r, wh_error *e)
{
    static const char *const fields[] = {"email", "password", NULL};
    json_t *body = NULL;
    wh_jin in;
    wh_conn *c = NULL;
    wh_user u;
    const char *hash = NULL;
    bool found = false;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&in, body, e);
    wh_jin_allow(&in, fields);
    const char *email = wh_jin_str(&in, "email", true, 1, WH_LIMIT_EMAIL_CHARS);
    const char *password = wh_jin_str(&in, "password", true, 1, WH_LIMIT_PASSWORD_MAX);
    if (wh_jin_done(&in) != WH_OK)
        return WH_ERR_INVALID;
    const char *norm = wh_user_email_normalise(&r->arena, email);
    /* charged before the lookup, so known and unknown addresses answer alike */
    if (norm && (rc = wh_req_limit_email(r, norm, e)) != WH_OK)
        return rc;
    if ((rc = wh_req_db(r, &c, e)) != WH_OK)
        return rc;
    if (norm && (rc = wh_user_find_by_email(c, &r->arena, norm, &u, &hash, &found, e)) != WH_OK)
        return rc;
    bool ok = wh_crypto_password_verify(found && hash ? hash : dummy_hash(), password);
    if (!found || !hash || !ok || !u.active)
        return bad_login(e);
    rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = start_session(r, c, &u, false, e);
    return rc == WH_OK ? wh_db_commit(c, e) : rc;
}

/* Reads {email} or {email, code}; the e-mail is normalised (NULL when implausible). */
static wh_err read_code_body(wh_req *r, bool with_code, const char **email, const char **code,
                             wh_error *e)
{
    static const char *const only_email[] = {"email", NULL};
    static const char *const email_code[] = {"email", "code", NULL};
    json_t *body = NULL;
    wh_jin in;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&in, body, e);
    wh_jin_allow(&in, with_code ? email_code : only_email);
    const char *raw = wh_jin_str(&in, "email", true, 3, WH_LIMIT_EMAIL_CHARS);
    if (with_code)
        *code = wh_jin_str(&in, "code", true, 6, 6);
    if (wh_jin_done(&in) != WH_OK)
        return WH_ERR_INVALID;
    *email = wh_user_email_normalise(&r->arena, raw);
    if (!*email && !with_code)
        return wh_error_field(e, "email", "must be an e-mail address");
    if (with_code && strspn(*code, "0123456789") != 6)
        return wh_error_field(e, "code", "must be 6 digits");
    return WH_OK;
}

/* 202 whatever the e-mail: unknown, inactive or over its hourly allowance, nothing is sent and
 * the answer is the same, so the route does not reveal who has an account. The per-e-mail rate
 * limit (429) is charged before the lookup and applies to every address alike. */
static wh_err code_request(wh_req *r, wh_error *e)
{
    const char *email = NULL, *hash = NULL;
    wh_conn *c = NULL;
    wh_user u;
    bool found = false, sent = false;
    wh_err rc = read_code_body(r, false, &email, NULL, e);
    if (rc == WH_OK)
        rc = wh_req_limit_email(r, email, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_user_find_by_email(c, &r->arena, email, &u, &hash, &found, e);
    if (rc == WH_OK && found && u.active)
        rc = wh_code_issue(c, &r->arena, r->app->code_key, &u, r->now_ms, &sent, e);
    return rc == WH_OK ? wh_req_commit(r, c, 202, json_pack("{s:s}", "status", "accepted"), e) : rc;
}

static wh_err code_verify(wh_req *r, wh_error *e)
{
    const char *email = NULL, *code = NULL, *pwhash = NULL;
    char hash[WH_CRYPTO_SHA256_HEX];
    wh_conn *c = NULL;
    wh_user u;
    bool found = false, ok = false;
    wh_err rc = read_code_body(r, true, &email, &code, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK && email)
        rc = wh_user_find_by_email(c, &r->arena, email, &u, &pwhash, &found, e);
    if (rc == WH_OK && found && u.active) {
        wh_code_hash(r->app->code_key, u.id, code, hash);
        rc = wh_code_check(c, &r->arena, u.id, hash, r->now_ms, &ok, e);
    }
    if (rc == WH_OK && ok)
        return start_session(r, c, &u, true, e) == WH_OK ? wh_db_commit(c, e) : WH_ERR_DB;
    if (rc == WH_OK) /* the spent try must stick even though the answer is 401 */
        rc = wh_db_commit(c, e);
    return rc == WH_OK ? wh_fail(e, WH_ERR_UNAUTH, "The e-mail or code is wrong.") : rc;
}

static wh_err logout(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    /* one transaction: the delete and its notification (wh_db_notify) commit together */
    wh_err rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_session_delete(c, &r->arena, r->token, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    if (rc != WH_OK)
        return rc;
    wh_resp_session_cookie(r, "", 0);
    return wh_resp_empty(r, 204);
}

static json_t *user_of(const wh_principal *p)
{
    return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)p->id, "email", p->email,
                     "full_name", p->full_name, "role", wh_role_name(p->role));
}

static json_t *permissions_of(wh_role role)
{
    json_t *out = json_array();
    for (int p = 0; p < WH_PERM_COUNT; p++)
        if (wh_perm_name((wh_perm)p) && wh_rbac_allows(role, (wh_perm)p))
            json_array_append_new(out, json_string(wh_perm_name((wh_perm)p)));
    return out;
}

static wh_err me(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    wh_rows *v = NULL, *o = NULL;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_ventures(c, &r->arena, &r->user, &v, e);
    if (rc == WH_OK)
        rc = wh_scope_offices(c, &r->arena, &r->user, &o, e);
    if (rc != WH_OK)
        return rc;
    json_t *ventures = json_array(), *offices = json_array();
    for (size_t i = 0; i < wh_rows_count(v); i++)
        json_array_append_new(ventures,
                              json_pack("{s:I, s:s, s:s, s:s}", "id", wh_rows_int(v, i, 0), "name",
                                        wh_rows_text(v, i, 1), "code", wh_rows_text(v, i, 2),
                                        "type", wh_rows_text(v, i, 3)));
    for (size_t i = 0; i < wh_rows_count(o); i++)
        json_array_append_new(offices,
                              json_pack("{s:I, s:I, s:s}", "id", wh_rows_int(o, i, 0), "venture_id",
                                        wh_rows_int(o, i, 1), "name", wh_rows_text(o, i, 2)));
    return wh_resp_json(r, 200,
                        json_pack("{s:o, s:b, s:o, s:o, s:o}", "user", user_of(&r->user),
                                  "all_ventures", r->user.all_ventures, "ventures", ventures,
                                  "offices", offices, "permissions", permissions_of(r->user.role)));
}

static wh_err navigation(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    wh_rows *v = NULL;
    unsigned bits = 0;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_ventures(c, &r->arena, &r->user, &v, e);
    if (rc != WH_OK)
        return rc;
    for (size_t i = 0; i < wh_rows_count(v); i++)
        bits |= wh_nav_type_bit(wh_rows_text(v, i, 3));
    return wh_resp_json(r, 200, wh_nav_build(r->user.role, bits));
}

/* Checks the current password when the session was opened with it (a code sign-in may set a
 * password without knowing the old one: that is how a reset works). */
static wh_err check_current(wh_req *r, wh_conn *c, const char *current, wh_error *e)
{
    const char *hash = NULL;
    wh_err rc = wh_user_password_find(c, &r->arena, r->user.id, &hash, e);
    if (rc != WH_OK || !hash || r->user.code_signin)
        return rc;
    if (!current)
        return wh_error_field(e, "current_password", "is required");
    if (!wh_crypto_password_verify(hash, current))
        return wh_error_field(e, "current_password", "is not the current password");
    return WH_OK;
}

/* PUT /me/password {current_password?, new_password} → 204; every other session of the user
 * ends, this one stays. */
static wh_err change_password(wh_req *r, wh_error *e)
{
    static const char *const fields[] = {"current_password", "new_password", NULL};
    json_t *body = NULL;
    wh_jin in;
    wh_conn *c = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&in, body, e);
    wh_jin_allow(&in, fields);
    const char *current = wh_jin_str(&in, "current_password", false, 1, WH_LIMIT_PASSWORD_MAX);
    const char *next =
        wh_jin_str(&in, "new_password", true, WH_LIMIT_PASSWORD_MIN, WH_LIMIT_PASSWORD_MAX);
    if (wh_jin_done(&in) != WH_OK)
        return WH_ERR_INVALID;
    rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = check_current(r, c, current, e);
    if (rc == WH_OK)
        rc = wh_user_password_set(c, &r->arena, r->user.id, next, r->now_ms, e);
    if (rc == WH_OK)
        rc = wh_session_end_user(c, &r->arena, r->user.id, r->user.session_id, e);
    if (rc == WH_OK)
        rc = wh_audit_change(
            r, c, &(wh_change){"user.password_change", "user", r->user.id, 0, NULL, NULL}, e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    return rc == WH_OK ? wh_resp_empty(r, 204) : rc;
}

static const wh_route routes[] = {
    {"POST", "/api/v1/auth/login", login, WH_PERM_PUBLIC, WH_RATE_AUTH, 0, NULL},
    {"POST", "/api/v1/auth/code", code_request, WH_PERM_PUBLIC, WH_RATE_AUTH, 0, NULL},
    {"POST", "/api/v1/auth/code/verify", code_verify, WH_PERM_PUBLIC, WH_RATE_AUTH, 0, NULL},
    {"POST", "/api/v1/auth/logout", logout, WH_PERM_SIGNED_IN, WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT,
     NULL},
    {"GET", "/api/v1/me", me, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"GET", "/api/v1/me/navigation", navigation, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"PUT", "/api/v1/me/password", change_password, WH_PERM_SIGNED_IN, WH_RATE_WRITE, 0, NULL},
};

const wh_route *wh_auth_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
