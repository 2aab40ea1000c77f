/* Organisation routes: ventures, offices, people, memberships. Handlers validate, call the
 * store inside a transaction that also writes the audit entry, and render. */
#include "ventures/ventures.h"
#include "app.h"
#include "audit/audit.h"
#include "core/json.h"
#include "http/http.h"

#include <string.h>

static const char *const venture_list_def_fields[] = {"id", "name", "code", "type", "active", NULL};
static const wh_list venture_list_def = {"ventures", WH_KEY_TEXT,         1,
                                         0,          wh_venture_row_json, venture_list_def_fields};
static const char *const office_list_def_fields[] = {"id",   "venture_id", "name",
                                                     "city", "country",    NULL};
static const wh_list office_list_def = {"offices", WH_KEY_TEXT,        2,
                                        0,         wh_office_row_json, office_list_def_fields};
static const char *const member_list_def_fields[] = {
    "id", "email", "full_name", "role", "active", "manager_id", "phone", "offices", NULL};
static const wh_list member_list_def = {"people", WH_KEY_TEXT,      2,
                                        0,        wh_user_row_json, member_list_def_fields};

/* Upper-cases a code and checks it is made of A-Z, 0-9, '_' and '-'. */
static const char *normalise_code(wh_arena *a, const char *code)
{
    char *out = wh_arena_strdup(a, code);
    for (char *p = out; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return NULL;
    }
    return out;
}

static wh_err read_venture(wh_req *r, bool create, wh_venture_input *in, wh_error *e)
{
    static const char *const fields[] = {"name", "code", "type", "active", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    in->name = wh_jin_str(&j, "name", create, 1, WH_LIMIT_NAME_CHARS);
    const char *code = wh_jin_str(&j, "code", create, 1, WH_LIMIT_CODE_CHARS);
    in->type = wh_jin_enum(&j, "type", create, wh_venture_types);
    in->has_active = wh_jin_has(&j, "active");
    in->active = wh_jin_bool(&j, "active", false, true);
    if (code && !(in->code = normalise_code(&r->arena, code)))
        (void)wh_error_field(e, "code", "may contain only letters, digits, '_' and '-'");
    if (wh_jin_done(&j) != WH_OK || (code && !in->code))
        return WH_ERR_INVALID;
    return WH_OK;
}

static wh_err venture_create(wh_req *r, wh_error *e)
{
    wh_venture_input in = {0};
    wh_venture v;
    wh_conn *c = NULL;
    wh_err rc = read_venture(r, true, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_venture_create(c, &r->arena, &in, r->now_ms, &v, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201, &(wh_change){"venture.create", "venture", v.id, v.id, NULL, wh_venture_json(&v)},
        e);
}

static wh_err venture_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_venture v;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_venture_get(c, &r->arena, &r->user, id, &v, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_venture_json(&v)) : rc;
}

static wh_err venture_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_venture_input in = {0};
    wh_venture before, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_venture(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_venture_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = wh_venture_update(c, &r->arena, id, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"venture.update", "venture", id, id,
                                        wh_venture_json(&before), wh_venture_json(&after)},
                           e);
}

static wh_err venture_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &venture_list_def, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc != WH_OK)
        return rc;
    wh_venture_list_sql(&r->user, &pg.ks, &b);
    /* read on every screen (the venture switcher): rows straight to text */
    return wh_resp_list_text(r, c, &pg, &b, wh_venture_row_text, e);
}

/* The venture of the path, 404 when missing or outside the scope. */
static wh_err path_venture(wh_req *r, wh_conn **c, wh_venture *v, wh_error *e)
{
    int64_t id;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, c, e);
    if (rc == WH_OK)
        rc = wh_venture_get(*c, &r->arena, &r->user, id, v, e);
    return rc;
}

static wh_err office_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_venture v;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &office_list_def, &pg, e);
    if (rc == WH_OK)
        rc = path_venture(r, &c, &v, e);
    if (rc != WH_OK)
        return rc;
    wh_office_list_sql(v.id, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static wh_err read_office(wh_req *r, wh_office *in, wh_error *e)
{
    static const char *const fields[] = {"name", "city", "country", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    in->name = wh_jin_str(&j, "name", true, 1, WH_LIMIT_NAME_CHARS);
    in->city = wh_jin_str(&j, "city", false, 0, WH_LIMIT_CITY_CHARS);
    in->country = wh_jin_str(&j, "country", false, 0, WH_LIMIT_CITY_CHARS);
    return wh_jin_done(&j);
}

static wh_err office_create(wh_req *r, wh_error *e)
{
    wh_office in = {0}, o;
    wh_venture v;
    wh_conn *c = NULL;
    wh_err rc = path_venture(r, &c, &v, e);
    if (rc == WH_OK)
        rc = read_office(r, &in, e);
    in.venture_id = v.id;
    if (rc == WH_OK)
        rc = wh_db_begin(c, e);
    if (rc == WH_OK)
        rc = wh_office_create(c, &r->arena, &in, r->now_ms, &o, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201, &(wh_change){"office.create", "office", o.id, v.id, NULL, wh_office_json(&o)},
        e);
}

/* The offices of a page of people (wh_page_fn): the venture is path parameter 0, checked. */
static wh_err people_offices(wh_req *r, wh_conn *c, const wh_keyset *ks, size_t shown,
                             json_t *items, wh_error *e)
{
    int64_t venture_id;
    wh_err rc = wh_req_path_id(r, 0, &venture_id, e);
    return rc == WH_OK ? wh_venture_people_offices(c, &r->arena, venture_id, ks, shown, items, e)
                       : rc;
}

static wh_err people(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_venture v;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &member_list_def, &pg, e);
    if (rc == WH_OK)
        rc = path_venture(r, &c, &v, e);
    if (rc != WH_OK)
        return rc;
    wh_venture_people_sql(WH_USER_COLS, v.id, &pg.ks, &b);
    return wh_resp_list_paged(r, c, &pg, &b, people_offices, e);
}

typedef wh_err (*set_fn)(wh_conn *, wh_arena *, int64_t, const int64_t *, size_t, int64_t,
                         json_t **, json_t **, wh_error *);

/* PUT /users/{id}/ventures and /offices share everything but the field and the store call. */
static wh_err put_membership(wh_req *r, const char *field, const char *action, set_fn set,
                             wh_error *e)
{
    const char *const fields[] = {field, NULL};
    int64_t uid;
    json_t *body = NULL, *before = NULL, *after = NULL;
    wh_jin j;
    wh_conn *c = NULL;
    wh_user u;
    size_t n = 0;
    wh_err rc = wh_req_path_id(r, 0, &uid, e);
    if (rc == WH_OK)
        rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    int64_t *ids = wh_jin_ids(&j, field, WH_LIMIT_MEMBERSHIP_IDS, &r->arena, &n);
    if (wh_jin_done(&j) != WH_OK)
        return WH_ERR_INVALID;
    rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_user_get(c, &r->arena, uid, &u, e);
    const char *why = rc == WH_OK ? wh_users_refusal(&r->user, &u, NULL) : NULL;
    if (why) /* the named rule of DOMAIN.md §1 "Granting roles" (auth/users_rules.c) */
        rc = wh_fail(e, WH_ERR_FORBIDDEN, "%s", why);
    if (rc == WH_OK)
        rc = set(c, &r->arena, uid, ids, n, r->now_ms, &before, &after, e);
    if (rc != WH_OK) {
        json_decref(before);
        json_decref(after);
        return rc;
    }
    json_t *answer = json_pack("{s:I, s:O}", "user_id", (json_int_t)uid, field, after);
    rc = wh_audit_change(r, c, &(wh_change){action, "user", uid, 0, before, after}, e);
    if (rc != WH_OK) {
        json_decref(answer);
        return rc;
    }
    return wh_req_commit(r, c, 200, answer, e);
}

/* GET /users/{id}/ventures and /offices: the answer PUT gives, for the user as stored. */
static wh_err get_membership(wh_req *r, bool offices, wh_error *e)
{
    int64_t uid;
    json_t *vs = NULL, *os = NULL;
    wh_conn *c = NULL;
    wh_user u;
    wh_err rc = wh_req_path_id(r, 0, &uid, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_user_get(c, &r->arena, uid, &u, e);
    if (rc == WH_OK)
        rc = wh_membership_get(c, &r->arena, uid, &vs, &os, e);
    wh_req_keep(r, vs);
    wh_req_keep(r, os);
    if (rc != WH_OK)
        return rc;
    return wh_resp_json(r, 200,
                        json_pack("{s:I, s:O}", "user_id", (json_int_t)uid,
                                  offices ? "office_ids" : "venture_ids", offices ? os : vs));
}

static wh_err get_ventures(wh_req *r, wh_error *e)
{
    return get_membership(r, false, e);
}

static wh_err get_offices(wh_req *r, wh_error *e)
{
    return get_membership(r, true, e);
}

static wh_err put_ventures(wh_req *r, wh_error *e)
{
    return put_membership(r, "venture_ids", "user.ventures", wh_membership_set_ventures, e);
}

static wh_err put_offices(wh_req *r, wh_error *e)
{
    return put_membership(r, "office_ids", "user.offices", wh_membership_set_offices, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/ventures", venture_list, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/ventures", venture_create, WH_PERM_VENTURES_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/ventures/{id}", venture_get, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/ventures/{id}", venture_patch, WH_PERM_VENTURES_MANAGE, WH_RATE_WRITE, 0,
     NULL},
    {"GET", "/api/v1/ventures/{id}/people", people, WH_PERM_SIGNED_IN, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"GET", "/api/v1/ventures/{id}/offices", office_list, WH_PERM_SIGNED_IN, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/ventures/{id}/offices", office_create, WH_PERM_VENTURES_MANAGE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/users/{id}/ventures", get_ventures, WH_PERM_USERS_MANAGE, WH_RATE_READ, 0,
     NULL},
    {"GET", "/api/v1/users/{id}/offices", get_offices, WH_PERM_USERS_MANAGE, WH_RATE_READ, 0, NULL},
    {"PUT", "/api/v1/users/{id}/ventures", put_ventures, WH_PERM_USERS_MANAGE, WH_RATE_WRITE, 0,
     &wh_users_rule_granting},
    {"PUT", "/api/v1/users/{id}/offices", put_offices, WH_PERM_USERS_MANAGE, WH_RATE_WRITE, 0,
     &wh_users_rule_granting},
};

const wh_route *wh_ventures_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
