/* BPO routes: campaigns, agents and call logs. Handlers validate, call the store inside one
 * transaction that also writes the audit entry (and, for a call saved with ended_at, publishes
 * BPO_CALL_COMPLETED), and render. Campaigns and agents are managed by bpo.write holders other
 * than EMPLOYEE, whose bpo.write covers their own calls only: the route table's rules
 * bpo_manager (refused by the pipeline) and bpo_own_calls (bpo_rules.c). */
#include "bpo/bpo.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "events/events.h"
#include "http/http.h"

#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- shared */

static const char *const campaigns_fields[] = {"id",          "venture_id", "office_id", "name",
                                               "client_name", "active",     NULL};
static const wh_list campaigns = {"bpo_campaigns",          WH_KEY_ID,       0, 0,
                                  wh_bpo_campaign_row_json, campaigns_fields};
static const char *const agents_fields[] = {"id",          "user_id", "venture_id",
                                            "campaign_id", "active",  NULL};
static const wh_list agents = {"bpo_agents", WH_KEY_ID, 0, 0, wh_bpo_agent_row_json, agents_fields};
static const char *const calls_fields[] = {
    "id",         "agent_id",  "venture_id",      "campaign_id", "started_at",    "ended_at",
    "dial_count", "connected", "appointment_set", "deal_won",    "revenue_cents", "notes",
    NULL};
static const wh_list calls = {"bpo_call_logs",      WH_KEY_INT,  5, 0,
                              wh_bpo_call_row_json, calls_fields};

/* The venture of a body: 403 when missing or outside the scope, 400 when not a BPO venture. */
static wh_err bpo_venture(wh_req *r, wh_conn *c, int64_t venture_id, wh_error *e)
{
    const char *type = NULL;
    bool found = false;
    wh_err rc = wh_bpo_venture_type(c, &r->arena, &r->user, venture_id, &type, &found, e);
    if (rc != WH_OK)
        return rc;
    if (!found)
        return wh_fail(e, WH_ERR_FORBIDDEN, "Venture %lld is outside your scope.",
                       (long long)venture_id);
    if (strcmp(type, "BPO") != 0)
        return wh_error_field(e, "venture_id", "must be a BPO venture");
    return WH_OK;
}

/* An optional nullable id member: *has tells whether it was given; null gives 0. */
static int64_t opt_id(wh_jin *j, const char *key, bool *has)
{
    *has = wh_jin_has(j, key);
    return wh_jin_int(j, key, false, 1, INT64_MAX, 0);
}

/* Reports each of the NULL-terminated members that is present with the value null. */
static void not_null(wh_jin *j, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++) {
        if (wh_jin_is_null(j, *k)) {
            j->bad = true;
            (void)wh_error_field(j->e, *k, "must not be null");
        }
    }
}

/* A required or optional RFC 3339 instant after 1970; 0 when absent, null or bad. */
static int64_t instant(wh_jin *j, const char *key, bool required)
{
    const char *s = wh_jin_str(j, key, required, 1, 64);
    int64_t ms = 0;
    if (s && (!wh_clock_parse_rfc3339(s, &ms) || ms < 1)) {
        j->bad = true;
        (void)wh_error_field(j->e, key, "must be an RFC 3339 date-time after 1970-01-01");
        return 0;
    }
    return ms;
}

/* ------------------------------------------------------------- campaigns */

static wh_err read_campaign(wh_req *r, bool create, wh_bpo_campaign_input *in, wh_error *e)
{
    static const char *const create_fields[] = {"venture_id",  "office_id", "name",
                                                "client_name", "active",    NULL};
    static const char *const patch_fields[] = {"office_id", "name", "client_name", "active", NULL};
    static const char *const patch_not_null[] = {"name", "active", NULL};
    static const char *const create_not_null[] = {"active", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? create_fields : patch_fields);
    if (create)
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    in->office_id = opt_id(&j, "office_id", &in->has_office);
    not_null(&j, create ? create_not_null : patch_not_null);
    in->name = wh_jin_str(&j, "name", create, 1, WH_BPO_NAME_CHARS);
    in->has_client = wh_jin_has(&j, "client_name");
    in->client_name = wh_jin_str(&j, "client_name", false, 1, WH_BPO_NAME_CHARS);
    in->has_active = wh_jin_has(&j, "active");
    in->active = wh_jin_bool(&j, "active", false, true);
    return wh_jin_done(&j);
}

/* An office given for a campaign: in the caller's office scope (403) and of the venture (400). */
static wh_err campaign_office(wh_req *r, wh_conn *c, const wh_bpo_campaign_input *in,
                              int64_t venture_id, wh_error *e)
{
    int64_t office_venture = 0;
    if (!in->has_office || in->office_id == 0)
        return WH_OK;
    wh_err rc = wh_scope_check_office(c, &r->arena, &r->user, in->office_id, &office_venture, e);
    if (rc == WH_OK && office_venture != venture_id)
        return wh_error_field(e, "office_id", "must be an office of the campaign's venture");
    return rc;
}

static wh_err campaign_create(wh_req *r, wh_error *e)
{
    wh_bpo_campaign_input in = {0};
    wh_bpo_campaign cp;
    wh_conn *c = NULL;
    wh_err rc = read_campaign(r, true, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = bpo_venture(r, c, in.venture_id, e);
    if (rc == WH_OK)
        rc = campaign_office(r, c, &in, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_bpo_campaign_create(c, &r->arena, &in, r->now_ms, &cp, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"bpo_campaign.create", "bpo_campaign", cp.id, cp.venture_id,
                                        NULL, wh_bpo_campaign_json(&cp)},
                           e);
}

static wh_err campaign_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_bpo_campaign cp;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_bpo_campaign_get(c, &r->arena, &r->user, id, &cp, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_bpo_campaign_json(&cp)) : rc;
}

static wh_err campaign_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_bpo_campaign_input in = {0};
    wh_bpo_campaign before, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_campaign(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_bpo_campaign_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = campaign_office(r, c, &in, before.venture_id, e);
    if (rc == WH_OK)
        rc = wh_bpo_campaign_update(c, &r->arena, &r->user, id, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"bpo_campaign.update", "bpo_campaign", id, after.venture_id,
                                        wh_bpo_campaign_json(&before),
                                        wh_bpo_campaign_json(&after)},
                           e);
}

static wh_err campaign_list(wh_req *r, wh_error *e)
{
    return wh_resp_venture_list(r, &campaigns, wh_bpo_campaign_list_sql, e);
}

/* ---------------------------------------------------------------- agents */

static wh_err read_agent(wh_req *r, wh_bpo_agent *in, wh_error *e)
{
    static const char *const fields[] = {"user_id", "venture_id", "campaign_id", "active", NULL};
    static const char *const not_nullable[] = {"active", NULL};
    json_t *body = NULL;
    wh_jin j;
    bool has_campaign = false;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    not_null(&j, not_nullable);
    in->user_id = wh_jin_int(&j, "user_id", true, 1, INT64_MAX, 0);
    in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    in->campaign_id = opt_id(&j, "campaign_id", &has_campaign);
    in->active = wh_jin_bool(&j, "active", false, true);
    return wh_jin_done(&j);
}

/* An agent is a member of its (BPO) venture; its campaign belongs to that venture. */
static wh_err agent_rules(wh_req *r, wh_conn *c, const wh_bpo_agent *in, wh_error *e)
{
    bool member = false, found = false;
    wh_bpo_campaign cp;
    wh_err rc = bpo_venture(r, c, in->venture_id, e);
    if (rc == WH_OK)
        rc = wh_bpo_is_member(c, &r->arena, in->user_id, in->venture_id, &member, e);
    if (rc == WH_OK && !member)
        return wh_error_field(e, "user_id", "must be a member of the venture");
    if (rc == WH_OK && in->campaign_id)
        rc = wh_bpo_campaign_find(c, &r->arena, in->campaign_id, in->venture_id, &cp, &found, e);
    if (rc == WH_OK && in->campaign_id && !found)
        return wh_error_field(e, "campaign_id", "must be a campaign of the venture");
    return rc;
}

static wh_err agent_create(wh_req *r, wh_error *e)
{
    wh_bpo_agent in = {0}, ag;
    wh_conn *c = NULL;
    wh_err rc = read_agent(r, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = agent_rules(r, c, &in, e);
    if (rc == WH_OK)
        rc = wh_bpo_agent_create(c, &r->arena, &in, r->now_ms, &ag, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"bpo_agent.create", "bpo_agent", ag.id, ag.venture_id, NULL,
                                        wh_bpo_agent_json(&ag)},
                           e);
}

static wh_err agent_list(wh_req *r, wh_error *e)
{
    return wh_resp_venture_list(r, &agents, wh_bpo_agent_list_sql, e);
}

/* ------------------------------------------------------------- call logs */

static wh_err read_call(wh_req *r, wh_bpo_call *in, wh_error *e)
{
    static const char *const fields[] = {
        "agent_id",  "venture_id",      "campaign_id", "started_at",    "ended_at", "dial_count",
        "connected", "appointment_set", "deal_won",    "revenue_cents", "notes",    NULL};
    static const char *const not_nullable[] = {"dial_count", "connected",     "appointment_set",
                                               "deal_won",   "revenue_cents", NULL};
    json_t *body = NULL;
    wh_jin j;
    bool has = false;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, fields);
    not_null(&j, not_nullable);
    in->agent_id = wh_jin_int(&j, "agent_id", true, 1, INT64_MAX, 0);
    in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    in->campaign_id = opt_id(&j, "campaign_id", &has);
    in->started_at = instant(&j, "started_at", true);
    in->ended_at = instant(&j, "ended_at", false);
    in->dial_count = wh_jin_int(&j, "dial_count", false, 1, WH_BPO_DIALS_MAX, 1);
    in->connected = wh_jin_bool(&j, "connected", false, false);
    in->appointment_set = wh_jin_bool(&j, "appointment_set", false, false);
    in->deal_won = wh_jin_bool(&j, "deal_won", false, false);
    in->revenue_cents = wh_jin_int(&j, "revenue_cents", false, 0, WH_BPO_REVENUE_CENTS_MAX, 0);
    in->notes = wh_jin_str(&j, "notes", false, 0, WH_BPO_NOTES_CHARS);
    if (wh_jin_done(&j) != WH_OK)
        return WH_ERR_INVALID;
    return wh_bpo_call_check_times(in->started_at, in->ended_at, r->now_ms, e);
}

/* The agent and campaign of a new call: the venture in scope (403), the agent of that venture
 * (400), the caller's own agent for an EMPLOYEE (403), the campaign of that venture (400). */
static wh_err call_rules(wh_req *r, wh_conn *c, const wh_bpo_call *in, wh_bpo_campaign *cp,
                         wh_error *e)
{
    wh_bpo_agent ag;
    bool found = false;
    wh_err rc = wh_scope_check_venture(c, &r->arena, &r->user, in->venture_id, e);
    if (rc == WH_OK)
        rc =
            wh_bpo_agent_find(c, &r->arena, &r->user, in->agent_id, in->venture_id, &ag, &found, e);
    if (rc == WH_OK && !found)
        return wh_error_field(e, "agent_id", "must be an agent of the venture");
    if (rc == WH_OK && wh_bpo_own_calls_only(r->user.role) && ag.user_id != r->user.id)
        return wh_fail(e, WH_ERR_FORBIDDEN, "You may log only your own calls.");
    memset(cp, 0, sizeof *cp);
    if (rc == WH_OK && in->campaign_id)
        rc = wh_bpo_campaign_find(c, &r->arena, in->campaign_id, in->venture_id, cp, &found, e);
    if (rc == WH_OK && in->campaign_id && !found)
        return wh_error_field(e, "campaign_id", "must be a campaign of the venture");
    return rc;
}

/* BPO_CALL_COMPLETED for a call saved with ended_at, in the caller's transaction. */
static wh_err call_completed(wh_req *r, wh_conn *c, const wh_bpo_call *call,
                             const wh_bpo_campaign *cp, wh_error *e)
{
    char key[48];
    if (call->ended_at == 0)
        return WH_OK;
    wh_bpo_call_event_key(call->id, key, sizeof key);
    wh_event ev = {.type = WH_EVENT_BPO_CALL_COMPLETED,
                   .venture_id = call->venture_id,
                   .office_id = cp->office_id,
                   .user_id = call->user_id,
                   .key = key,
                   .day = call->started_day,
                   .at_ms = r->now_ms};
    return wh_events_publish(r->app->events, c, &r->arena, &ev, e);
}

static wh_err call_store(wh_req *r, wh_conn *c, wh_bpo_call *in, wh_bpo_call *out, wh_error *e)
{
    char day[11];
    bool inserted = false;
    wh_clock_day_of(in->started_at, day, sizeof day);
    in->started_day = day;
    in->talk_seconds = wh_bpo_talk_seconds(in->started_at, in->ended_at);
    wh_err rc = wh_bpo_call_create(c, &r->arena, &r->user, in, r->now_ms, out, &inserted, e);
    if (rc == WH_OK && !inserted) /* call_rules let it through: the agent changed meanwhile */
        return wh_fail(e, WH_ERR_FORBIDDEN, "You may not log calls for this agent.");
    return rc;
}

static wh_err call_create(wh_req *r, wh_error *e)
{
    wh_bpo_call in = {0}, call;
    wh_bpo_campaign cp;
    wh_conn *c = NULL;
    wh_err rc = read_call(r, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = call_rules(r, c, &in, &cp, e);
    if (rc == WH_OK)
        rc = call_store(r, c, &in, &call, e);
    if (rc == WH_OK)
        rc = call_completed(r, c, &call, &cp, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"bpo_call_log.create", "bpo_call_log", call.id,
                                        call.venture_id, NULL, wh_bpo_call_json(&call)},
                           e);
}

static wh_err call_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_bpo_call call;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_bpo_call_get(c, &r->arena, &r->user, id, &call, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_bpo_call_json(&call)) : rc;
}

/* An optional day query parameter (YYYY-MM-DD); NULL when absent or bad (error recorded). */
static const char *day_query(wh_req *r, const char *name, bool *bad, wh_error *e)
{
    int y, m, d;
    const char *v = wh_req_query(r, name);
    if (v && (strlen(v) != 10 || !wh_clock_parse_date(v, &y, &m, &d))) {
        *bad = true;
        (void)wh_error_field(e, name, "must be a day YYYY-MM-DD");
        return NULL;
    }
    return v;
}

/* An optional boolean query parameter, "true" or "false". */
static void bool_query(wh_req *r, const char *name, bool *has, bool *value, bool *bad, wh_error *e)
{
    const char *v = wh_req_query(r, name);
    *has = v != NULL;
    *value = v && strcmp(v, "true") == 0;
    if (v && !*value && strcmp(v, "false") != 0) {
        *bad = true;
        (void)wh_error_field(e, name, "must be true or false");
    }
}

static wh_err read_call_filter(wh_req *r, wh_bpo_call_filter *f, wh_error *e)
{
    bool has = false, bad = false;
    if (wh_req_query_id(r, "agent_id", &f->agent_id, &has, e) != WH_OK)
        bad = true;
    if (wh_req_query_id(r, "campaign_id", &f->campaign_id, &has, e) != WH_OK)
        bad = true;
    f->from = day_query(r, "from", &bad, e);
    f->to = day_query(r, "to", &bad, e);
    bool_query(r, "connected", &f->has_connected, &f->connected, &bad, e);
    bool_query(r, "deal_won", &f->has_deal_won, &f->deal_won, &bad, e);
    if (f->from && f->to && strcmp(f->from, f->to) > 0) {
        bad = true;
        (void)wh_error_field(e, "to", "must not be before from");
    }
    return bad ? WH_ERR_INVALID : WH_OK;
}

static wh_err call_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_bpo_call_filter f = {0};
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &calls, &pg, e);
    if (rc == WH_OK)
        rc = read_call_filter(r, &f, e);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &f.venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_bpo_call_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ---------------------------------------------------------------- routes */

static const wh_route routes[] = {
    {"GET", "/api/v1/bpo/campaigns", campaign_list, WH_PERM_BPO_READ, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"POST", "/api/v1/bpo/campaigns", campaign_create, WH_PERM_BPO_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, &wh_bpo_rule_manager},
    {"GET", "/api/v1/bpo/campaigns/{id}", campaign_get, WH_PERM_BPO_READ, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/bpo/campaigns/{id}", campaign_patch, WH_PERM_BPO_WRITE, WH_RATE_WRITE, 0,
     &wh_bpo_rule_manager},
    {"GET", "/api/v1/bpo/agents", agent_list, WH_PERM_BPO_READ, WH_RATE_READ, WH_ROUTE_CSV,
     &wh_bpo_rule_own_calls},
    {"POST", "/api/v1/bpo/agents", agent_create, WH_PERM_BPO_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, &wh_bpo_rule_manager},
    {"GET", "/api/v1/bpo/call-logs", call_list, WH_PERM_BPO_READ, WH_RATE_READ, WH_ROUTE_CSV,
     &wh_bpo_rule_own_calls},
    {"POST", "/api/v1/bpo/call-logs", call_create, WH_PERM_BPO_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, &wh_bpo_rule_own_calls},
    {"GET", "/api/v1/bpo/call-logs/{id}", call_get, WH_PERM_BPO_READ, WH_RATE_READ, 0,
     &wh_bpo_rule_own_calls},
};

const wh_route *wh_bpo_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
