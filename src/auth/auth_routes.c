/* POST /auth/login, POST /auth/logout, GET /me, GET /me/navigation. A wrong e-mail and a wrong
 * password get the same answer, after the same work (a dummy hash is verified when the e-mail
 * is unknown), so the answer does not reveal which e-mails exist. */
#include "auth/auth.h"
#include "app.h"
#include "core/crypto.h"
#include "core/json.h"
#include "http/http.h"

#include <pthread.h>
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
    return wh_error_set(e, 401, "unauthenticated", "The e-mail or password is wrong.");
}

static void set_cookie(wh_req *r, const char *token, int64_t max_age_s)
{
    wh_resp_header_add(r, "Set-Cookie",
                       wh_arena_printf(&r->arena,
                                       "wh_session=%s; Path=/; Max-Age=%lld; HttpOnly;"
                                       " SameSite=Strict",
                                       token, (long long)max_age_s));
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
    if ((rc = wh_req_db(r, &c, e)) != WH_OK)
        return rc;
    if (norm && (rc = wh_user_find_by_email(c, &r->arena, norm, &u, &hash, &found, e)) != WH_OK)
        return rc;
    bool ok = wh_crypto_password_verify(found && hash ? hash : dummy_hash(), password);
    if (!found || !hash || !ok || !u.active)
        return bad_login(e);
    char token[WH_CRYPTO_TOKEN_CHARS + 1];
    int64_t expires = 0, ttl_ms = r->app->config.session_ttl_s * 1000;
    rc = wh_session_create(c, &r->arena, u.id, r->now_ms, ttl_ms, token, sizeof token, &expires, e);
    if (rc != WH_OK)
        return rc;
    set_cookie(r, token, r->app->config.session_ttl_s);
    json_t *out = json_pack("{s:s, s:o, s:o}", "token", token, "expires_at", wh_json_time(expires),
                            "user", wh_user_json(&u));
    wh_crypto_wipe(token, sizeof token);
    return wh_resp_json(r, 200, out);
}

static wh_err logout(wh_req *r, wh_error *e)
{
    wh_conn *c = NULL;
    wh_err rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_session_delete(c, &r->arena, r->token, e);
    if (rc != WH_OK)
        return rc;
    wh_resp_header_add(r, "Set-Cookie",
                       "wh_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
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

static const wh_route routes[] = {
    {"POST", "/api/v1/auth/login", login, WH_PERM_PUBLIC, WH_RATE_AUTH, WH_ROUTE_IDEMPOTENT},
    {"POST", "/api/v1/auth/logout", logout, WH_PERM_SIGNED_IN, WH_RATE_WRITE, 0},
    {"GET", "/api/v1/me", me, WH_PERM_SIGNED_IN, WH_RATE_READ, 0},
    {"GET", "/api/v1/me/navigation", navigation, WH_PERM_SIGNED_IN, WH_RATE_READ, 0},
};

const wh_route *wh_auth_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
