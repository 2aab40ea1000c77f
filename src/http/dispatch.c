/* The request pipeline. The router refuses before any handler runs: unknown path 404, wrong
 * method 405 with Allow, no valid session 401, a cookie-authenticated write without
 * X-Requested-With 403, a rate limit spent 429 (http/limit.c), a permission the role lacks 403,
 * a route rule that refuses the role 403 naming it. It acts on the route's flags: only
 * WH_ROUTE_IDEMPOTENT routes claim an Idempotency-Key (http/idempotency.c), only
 * WH_ROUTE_CACHED routes may answer through the cache (http/cached.c), and a route that is not
 * WH_ROUTE_RAW must answer JSON. */
#include "http/http_int.h"
#include "app.h"
#include "core/log.h"
#include "core/fault.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

/* The session token the request presents: the bearer header, else the wh_session cookie
 * (*via_cookie says which); NULL when there is none. */
static const char *presented_token(wh_req *r, bool *via_cookie)
{
    const char *h = wh_req_header(r, "Authorization");
    *via_cookie = false;
    if (h && strncasecmp(h, "Bearer ", 7) == 0 && h[7])
        return h + 7;
    h = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "wh_session");
    *via_cookie = h != NULL;
    return h;
}

static bool is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

static wh_err authenticate(wh_req *r, wh_error *e)
{
    const char *token = presented_token(r, &r->via_cookie);
    wh_conn *c = NULL;
    if (!token)
        return wh_fail(e, WH_ERR_UNAUTH, "Sign in first.");
    wh_err rc = WH_OK;
    /* a cached session that needs no touch takes no pooled connection: a request that needs
     * no query (a cached dashboard) never waits for one */
    if (!wh_session_cached(r->app->session_cache, &r->arena, token, r->now_ms, &r->app->sessions,
                           &r->user)) {
        rc = wh_req_primary(r, &c, e);
        if (rc == WH_OK)
            rc = wh_session_resolve(c, r->app->session_cache, &r->arena, token, r->now_ms,
                                    &r->app->sessions, &r->user, e);
        if (rc != WH_OK)
            return rc;
    }
    r->user.scopes = r->app->scopes;
    r->authed = true;
    r->token = wh_arena_strdup(&r->arena, token);
    if (r->via_cookie && is_write(r->method)) {
        const char *xrw = wh_req_header(r, "X-Requested-With");
        if (!xrw || strcmp(xrw, "wheelhouse") != 0)
            return wh_fail(e, WH_ERR_FORBIDDEN,
                           "A cookie-authenticated change needs the header "
                           "X-Requested-With: wheelhouse.");
    }
    return WH_OK;
}

static wh_err route(wh_req *r, wh_error *e)
{
    wh_match m = wh_router_match(r->app->router, &r->arena, r->method, r->path, &r->route,
                                 r->params, &r->nparams, &r->allow);
    if (m == WH_MATCH_NO_PATH)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No such path: %s", r->path);
    if (m == WH_MATCH_NO_METHOD) {
        return wh_fail(e, WH_ERR_METHOD, "%s is not allowed here; use %s.", r->method, r->allow);
    }
    return WH_OK;
}

/* The challenge of every 401 (RFC 9110 §11.6.1, RFC 6750 §3): a signed-in route that refused
 * the token it was given says invalid_token (unknown, expired or its user inactive). */
static void challenge(wh_req *r)
{
    bool via_cookie;
    bool refused = r->route && r->route->perm != WH_PERM_PUBLIC && !r->authed &&
                   presented_token(r, &via_cookie) != NULL;
    wh_resp_header_add(r, "WWW-Authenticate",
                       refused ? "Bearer realm=\"wheelhouse\", error=\"invalid_token\""
                               : "Bearer realm=\"wheelhouse\"");
}

/* The failure answer; a handler that answered nothing is an internal error. */
static void render_problem(wh_req *r, wh_error *e)
{
    if (e->status == 0)
        wh_fail(e, WH_ERR_INTERNAL, "The handler produced no response.");
    wh_resp_problem(r, e);
    if (e->status == 405)
        wh_resp_header_add(r, "Allow", r->allow);
    if (e->status == 401)
        challenge(r);
}

wh_err wh_http_check_rule(wh_req *r, wh_error *e)
{
    const wh_rule *rule = r->route->rule;
    if (!rule || rule->kind != WH_RULE_REFUSE || !rule->limits(r->user.role))
        return WH_OK;
    return wh_fail(e, WH_ERR_FORBIDDEN, "%s (rule %s)", rule->text, rule->name);
}

wh_err wh_http_check_answer(wh_req *r, wh_error *e)
{
    if ((r->route->flags & WH_ROUTE_RAW) || !r->content_type ||
        strcmp(r->content_type, "application/json") == 0 || (r->csv && r->export))
        return WH_OK;
    wh_log(WH_LOG_ERROR, "route %s %s answered %s but is not flagged WH_ROUTE_RAW",
           r->route->method, r->route->pattern, r->content_type);
    return wh_fail(e, WH_ERR_INTERNAL, "The handler answered in a form its route does not allow.");
}

static wh_err run(wh_req *r, wh_error *e)
{
    wh_err rc = route(r, e);
    if (rc != WH_OK)
        return rc;
    if (r->route->perm != WH_PERM_PUBLIC)
        rc = authenticate(r, e);
    /* Before the permission check and the Idempotency-Key claim, so a 429 changes nothing. A
     * refused session is limited too, by the client address (a 429 then replaces the 401). */
    if (rc == WH_OK || r->authed || e->status == 401) {
        wh_err limited = wh_http_limit_route(r, e);
        if (limited != WH_OK)
            return limited;
    }
    if (rc != WH_OK)
        return rc;
    if (r->route->perm != WH_PERM_PUBLIC && !wh_rbac_allows(r->user.role, r->route->perm))
        return wh_fail(e, WH_ERR_FORBIDDEN, "Your role may not do this.");
    rc = wh_http_check_rule(r, e);
    if (rc == WH_OK)
        rc = wh_http_format(r, e);
    if (rc != WH_OK)
        return rc;
    wh_idem idem;
    rc = wh_idem_begin(r, &idem, e);
    if (rc != WH_OK || idem.answered)
        return rc;
    rc = r->route->handler(r, e);
    if (rc == WH_OK && r->status == 0)
        rc = WH_ERR_INTERNAL;
    if (rc == WH_OK)
        rc = wh_http_check_answer(r, e);
    if (rc != WH_OK) {
        /* A request that owns an Idempotency-Key may have committed (held) before it failed:
         * wh_idem_end commits that with the answer, or rolls back what is left open. */
        if (r->db && !idem.key)
            wh_db_rollback(r->db);
        render_problem(r, e);
    }
    wh_idem_end(r, &idem);
    return WH_OK;
}

static void dispatch(wh_req *r)
{
    wh_error e;
    wh_error_init(&e);
    wh_log_context_set(r->id); /* lines logged below (the db layer's too) carry the request id */
    if (run(r, &e) != WH_OK) {
        if (r->db)
            wh_db_rollback(r->db);
        render_problem(r, &e);
    }
    wh_http_limit_headers(r);
    wh_log_context_set(NULL);
}

/* Fault injection (core/fault.h; only with WH_FAULT_INJECTION=1): a request with X-Wh-Fault
 * runs with that plan bound to its thread, and its answer tells how many calls it made. */
static void dispatch_with_faults(wh_req *r, const char *header)
{
    wh_fault plan;
    char calls[96];
    if (!wh_fault_parse(header, &plan))
        wh_log(WH_LOG_WARN, "fault injection: X-Wh-Fault '%.40s' is malformed; ignored", header);
    wh_fault *was = wh_fault_bind(&plan);
    dispatch(r);
    wh_fault_bind(was);
    wh_fault_render(&plan, calls, sizeof calls);
    wh_resp_header_add(r, "X-Wh-Fault-Calls", wh_arena_strdup(&r->arena, calls));
}

void wh_http_dispatch(wh_req *r)
{
    const char *header = wh_fault_on() ? wh_req_header(r, "X-Wh-Fault") : NULL;
    if (header)
        dispatch_with_faults(r, header);
    else
        dispatch(r);
}
