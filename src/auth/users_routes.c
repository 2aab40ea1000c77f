/* GET|POST /users, GET|PATCH /users/{id}, POST /users/{id}/password-reset (users.manage).
 * Every change is audited with before and after; the password never appears in either.
 * Named rules narrower than the table (users_rules.c, wh_users_refusal): only CEO and ADMIN
 * create, change or reset a privileged user or grant a privileged role; nobody changes their
 * own role or active flag. A change of e-mail, role or active ends the user's sessions. */
#include "auth/auth.h"
#include "app.h"
#include "audit/audit.h"
#include "core/json.h"
#include "core/str.h"
#include "http/http.h"

#include <string.h>

static const char *const create_fields[] = {"email",    "full_name",  "role",  "active",
                                            "password", "manager_id", "phone", NULL};
/* PATCH never takes a password: nobody sets another user's password (password-reset). */
static const char *const update_fields[] = {"email",      "full_name", "role", "active",
                                            "manager_id", "phone",     NULL};

/* Reads a create (all required but active, password) or update (any subset) body. */
static wh_err read_input(wh_req *r, bool create, wh_user_input *in, wh_error *e)
{
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? create_fields : update_fields);
    const char *email = wh_jin_str(&j, "email", create, 3, WH_LIMIT_EMAIL_CHARS);
    in->full_name = wh_jin_str(&j, "full_name", create, 1, WH_LIMIT_NAME_CHARS);
    const char *role = wh_jin_enum(&j, "role", create, wh_role_names);
    in->has_active = wh_jin_has(&j, "active");
    in->active = wh_jin_bool(&j, "active", false, true);
    if (create)
        in->password =
            wh_jin_str(&j, "password", false, WH_LIMIT_PASSWORD_MIN, WH_LIMIT_PASSWORD_MAX);
    in->has_manager = wh_jin_has(&j, "manager_id");
    in->manager_id = wh_jin_int(&j, "manager_id", false, 1, INT64_MAX, 0);
    in->has_phone = wh_jin_has(&j, "phone");
    in->phone = wh_jin_str(&j, "phone", false, 1, 16);
    if (in->phone && !wh_user_phone_ok(in->phone)) {
        j.bad = true;
        (void)wh_error_field(e, "phone", "must be E.164: +, then 8 to 15 digits, the first not 0");
    }
    if (email && !(in->email = wh_user_email_normalise(&r->arena, email)))
        (void)wh_error_field(e, "email", "must be an e-mail address");
    in->has_role = role && wh_role_parse(role, &in->role);
    if (wh_jin_done(&j) != WH_OK || (email && !in->email))
        return WH_ERR_INVALID;
    return WH_OK;
}

static const char *const users_fields[] = {"id",     "email",      "full_name", "role",
                                           "active", "manager_id", "phone",     NULL};
static const wh_list users = {"users", WH_KEY_ID, 0, 0, wh_user_row_json, users_fields};

/* Fills ch with the audit entry of a change to a user (before NULL: created); returns ch. */
static const wh_change *user_change(wh_change *ch, const char *action, const wh_user *before,
                                    const wh_user *after)
{
    *ch = (wh_change){
        action, "user", after->id, 0, before ? wh_user_json(before) : NULL, wh_user_json(after)};
    return ch;
}

/* 403 with the rule's reason when r's caller may not make the change. */
static wh_err check_rule(wh_req *r, const wh_user *target, const wh_user_input *in, wh_error *e)
{
    const char *why = wh_users_refusal(&r->user, target, in);
    return why ? wh_fail(e, WH_ERR_FORBIDDEN, "%s", why) : WH_OK;
}

static wh_err create(wh_req *r, wh_error *e)
{
    wh_user_input in = {0};
    wh_user u;
    wh_change ch;
    wh_conn *c = NULL;
    wh_err rc = read_input(r, true, &in, e);
    if (rc == WH_OK)
        rc = check_rule(r, NULL, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_user_manager_check(c, &r->arena, 0, in.manager_id, e);
    if (rc == WH_OK)
        rc = wh_user_create(c, &r->arena, &in, r->now_ms, &u, e);
    return rc == WH_OK ? wh_audit_commit(r, c, 201, user_change(&ch, "user.create", NULL, &u), e)
                       : rc;
}

static wh_err get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_user u;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_user_get(c, &r->arena, id, &u, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_user_json(&u)) : rc;
}

static wh_err patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_user_input in = {0};
    wh_user before, after;
    wh_change ch;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_input(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_user_get(c, &r->arena, id, &before, e);
    if (rc == WH_OK)
        rc = check_rule(r, &before, &in, e);
    if (rc == WH_OK)
        rc = wh_user_manager_check(c, &r->arena, id, in.manager_id, e);
    if (rc == WH_OK)
        rc = wh_user_update(c, &r->arena, id, &in, r->now_ms, &after, e);
    if (rc == WH_OK && wh_users_ends_sessions(&before, &after))
        rc = wh_session_end_user(c, &r->arena, id, 0, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200, user_change(&ch, "user.update", &before, &after), e);
}

/* POST /users/{id}/password-reset → 202: e-mails the user a sign-in code (as POST /auth/code);
 * signed in with it, they set a password with PUT /me/password. An inactive user, or one who
 * already received WH_LIMIT_CODES_PER_HOUR codes this past hour, is 409: an administrator
 * should hear that nothing was sent. */
static wh_err password_reset(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_user u;
    wh_change ch;
    wh_conn *c = NULL;
    bool sent = false;
    wh_err rc = wh_req_open(r, true, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_user_get(c, &r->arena, id, &u, e);
    if (rc == WH_OK)
        rc = check_rule(r, &u, NULL, e);
    if (rc == WH_OK && !u.active)
        rc = wh_fail(e, WH_ERR_CONFLICT, "The user is inactive: activate them first.");
    if (rc == WH_OK)
        rc = wh_code_issue(c, &r->arena, r->app->code_key, &u, r->now_ms, &sent, e);
    if (rc == WH_OK && !sent)
        rc = wh_fail(e, WH_ERR_CONFLICT,
                     "The user was sent %d codes in the past hour; try again later.",
                     WH_LIMIT_CODES_PER_HOUR);
    if (rc == WH_OK)
        rc = wh_audit_change(r, c, user_change(&ch, "user.password_reset", NULL, &u), e);
    if (rc != WH_OK)
        return rc;
    return wh_req_commit(r, c, 202, json_pack("{s:s}", "status", "accepted"), e);
}

/* ?q= (a substring of the e-mail or name, 1..100 characters), ?role=, ?active=true|false. */
static wh_err read_filter(wh_req *r, wh_user_filter *f, wh_error *e)
{
    const char *q = wh_req_query(r, "q"), *role = wh_req_query(r, "role");
    const char *active = wh_req_query(r, "active");
    wh_role parsed;
    if (q && (strlen(q) > 100 || !wh_str_utf8_valid(q, strlen(q))))
        return wh_error_field(e, "q", "must be up to 100 characters");
    if (role && !wh_role_parse(role, &parsed))
        return wh_error_field(e, "role", "is not a role");
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        return wh_error_field(e, "active", "must be true or false");
    f->like = q && *q ? wh_str_like_pattern(&r->arena, q) : NULL;
    f->role = role;
    f->has_active = active != NULL;
    f->active = active && strcmp(active, "true") == 0;
    return WH_OK;
}

/* Newest first: (id) descending (a cursor is an id, so it pages any filter safely). */
static wh_err list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_user_filter f = {0};
    wh_conn *c = NULL;
    wh_err rc = read_filter(r, &f, e);
    if (rc == WH_OK)
        rc = wh_page_parse(r, &users, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc != WH_OK)
        return rc;
    wh_user_list_sql(&f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/users", list, WH_PERM_USERS_MANAGE, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/users", create, WH_PERM_USERS_MANAGE, WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT,
     &wh_users_rule_granting},
    {"GET", "/api/v1/users/{id}", get, WH_PERM_USERS_MANAGE, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/users/{id}", patch, WH_PERM_USERS_MANAGE, WH_RATE_WRITE, 0,
     &wh_users_rule_granting},
    {"POST", "/api/v1/users/{id}/password-reset", password_reset, WH_PERM_USERS_MANAGE,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, &wh_users_rule_granting},
};

const wh_route *wh_users_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
