/* SQL for BPO campaigns, agents and call logs. Every read takes the caller's scope into its
 * WHERE clause; the EMPLOYEE own-calls rule is a condition of the same SQL, so no caller can
 * forget it. Optional ids travel as 0 and optional strings as '' (NULLIF turns them into
 * NULL), because an untyped NULL parameter is not comparable on PostgreSQL. */
#include "bpo/bpo.h"
#include "core/json.h"

#include <string.h>

/* One column list per table, unqualified: the same for SELECT and RETURNING (which may not name
 * an alias on SQLite), so the main table of a statement is never aliased. */
#define CAMPAIGN_COLS "id, venture_id, office_id, name, client_name, active"
#define AGENT_COLS    "id, user_id, venture_id, campaign_id, active"
#define CALL_COLS                                                                                  \
    "id, agent_id, user_id, venture_id, campaign_id, started_at, started_day, ended_at,"           \
    " talk_seconds, dial_count, connected, appointment_set, deal_won, revenue_cents, notes"

/* ------------------------------------------------------------------ rows */

static void campaign_row(const wh_rows *r, size_t i, wh_bpo_campaign *cp)
{
    WH_ROWS_READ(r, i, WH_CELL(&cp->id), WH_CELL(&cp->venture_id), WH_CELL(&cp->office_id),
                 WH_CELL(&cp->name), WH_CELL(&cp->client_name), WH_CELL(&cp->active));
}

static void agent_row(const wh_rows *r, size_t i, wh_bpo_agent *ag)
{
    WH_ROWS_READ(r, i, WH_CELL(&ag->id), WH_CELL(&ag->user_id), WH_CELL(&ag->venture_id),
                 WH_CELL(&ag->campaign_id), WH_CELL(&ag->active));
}

static void call_row(const wh_rows *r, size_t i, wh_bpo_call *cl)
{
    WH_ROWS_READ(r, i, WH_CELL(&cl->id), WH_CELL(&cl->agent_id), WH_CELL(&cl->user_id),
                 WH_CELL(&cl->venture_id), WH_CELL(&cl->campaign_id), WH_CELL(&cl->started_at),
                 WH_CELL(&cl->started_day), WH_CELL(&cl->ended_at), WH_CELL(&cl->talk_seconds),
                 WH_CELL(&cl->dial_count), WH_CELL(&cl->connected), WH_CELL(&cl->appointment_set),
                 WH_CELL(&cl->deal_won), WH_CELL(&cl->revenue_cents), WH_CELL(&cl->notes));
}

static wh_err one_campaign(wh_err rc, const wh_rows *r, wh_bpo_campaign *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such campaign.", NULL, e);
    if (rc == WH_OK)
        campaign_row(r, 0, out);
    return rc;
}

/* ------------------------------------------------------------- campaigns */

wh_err wh_bpo_venture_type(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t venture_id,
                           const char **type, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a, "SELECT v.type FROM ventures v WHERE v.id = $3 AND " WH_SCOPE_SQL("v.id", "$1", "$2"),
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(venture_id)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    *type = *found ? wh_rows_text(r, 0, 0) : NULL;
    return rc;
}

wh_err wh_bpo_campaign_create(wh_conn *c, wh_arena *a, const wh_bpo_campaign_input *in,
                              int64_t now_ms, wh_bpo_campaign *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO bpo_campaigns (venture_id, office_id, name, client_name,"
                            " active, created_at, updated_at) VALUES ($1, NULLIF($2, 0), $3,"
                            " NULLIF($4, ''), $5, $6, $6) RETURNING " CAMPAIGN_COLS,
                            WH_ARGS(WH_PI(in->venture_id), WH_PI(in->office_id), WH_PT(in->name),
                                    WH_PT(in->client_name ? in->client_name : ""),
                                    WH_PB(in->has_active ? in->active : true), WH_PI(now_ms)),
                            &r, e);
    return one_campaign(rc, r, out, e);
}

wh_err wh_bpo_campaign_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                           wh_bpo_campaign *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "SELECT " CAMPAIGN_COLS " FROM bpo_campaigns WHERE id = $3 AND " WH_SCOPE_SQL(
                        "bpo_campaigns.venture_id", "$1", "$2"),
                    WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), &r, e);
    return one_campaign(rc, r, out, e);
}

wh_err wh_bpo_campaign_update(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                              const wh_bpo_campaign_input *in, int64_t now_ms, wh_bpo_campaign *out,
                              wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE bpo_campaigns SET office_id = CASE WHEN $4 THEN NULLIF($5, 0) ELSE office_id END,"
        " name = COALESCE(NULLIF($6, ''), name), client_name = CASE WHEN $7 THEN NULLIF($8, '')"
        " ELSE client_name END, active = CASE WHEN $9 THEN $10 ELSE active END, updated_at = $11"
        " WHERE id = $3 AND " WH_SCOPE_SQL("bpo_campaigns.venture_id", "$1",
                                           "$2") " RETURNING " CAMPAIGN_COLS,
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id), WH_PB(in->has_office),
                WH_PI(in->office_id), WH_PT(in->name ? in->name : ""), WH_PB(in->has_client),
                WH_PT(in->client_name ? in->client_name : ""), WH_PB(in->has_active),
                WH_PB(in->active), WH_PI(now_ms)),
        &r, e);
    return one_campaign(rc, r, out, e);
}

void wh_bpo_campaign_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                              wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " CAMPAIGN_COLS " FROM bpo_campaigns");
    WH_SQLB_SCOPE_VENTURE(b, p, "bpo_campaigns.venture_id", venture_id);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

wh_err wh_bpo_campaign_find(wh_conn *c, wh_arena *a, int64_t id, int64_t venture_id,
                            wh_bpo_campaign *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " CAMPAIGN_COLS " FROM bpo_campaigns WHERE id = $1"
                            " AND venture_id = $2",
                            WH_ARGS(WH_PI(id), WH_PI(venture_id)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        campaign_row(r, 0, out);
    return rc;
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

WH_ROW_JSON(wh_bpo_campaign_row_json, wh_bpo_campaign, campaign_row, wh_bpo_campaign_json)

json_t *wh_bpo_campaign_json(const wh_bpo_campaign *cp)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(cp->id));
    json_object_set_new(o, "venture_id", json_integer(cp->venture_id));
    json_object_set_new(o, "office_id", id_or_null(cp->office_id));
    json_object_set_new(o, "name", json_string(cp->name));
    json_object_set_new(o, "client_name", wh_json_str_or_null(cp->client_name));
    json_object_set_new(o, "active", json_boolean(cp->active));
    return o;
}

/* ---------------------------------------------------------------- agents */

wh_err wh_bpo_is_member(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id, bool *yes,
                        wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a, "SELECT 1 FROM venture_users WHERE user_id = $1 AND venture_id = $2",
                    WH_ARGS(WH_PI(user_id), WH_PI(venture_id)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) == 1;
    return rc;
}

wh_err wh_bpo_agent_create(wh_conn *c, wh_arena *a, const wh_bpo_agent *in, int64_t now_ms,
                           wh_bpo_agent *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "INSERT INTO bpo_agents (user_id, venture_id, campaign_id, active,"
                            " created_at, updated_at) VALUES ($1, $2, NULLIF($3, 0), $4, $5, $5)"
                            " RETURNING " AGENT_COLS,
                            WH_ARGS(WH_PI(in->user_id), WH_PI(in->venture_id),
                                    WH_PI(in->campaign_id), WH_PB(in->active), WH_PI(now_ms)),
                            &r, e);
    if (rc == WH_ERR_UNIQUE)
        return wh_fail(e, WH_ERR_UNIQUE, "User %lld is already an agent of venture %lld.",
                       (long long)in->user_id, (long long)in->venture_id);
    if (rc == WH_OK)
        agent_row(r, 0, out);
    return rc;
}

wh_err wh_bpo_agent_find(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                         int64_t venture_id, wh_bpo_agent *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT " AGENT_COLS " FROM bpo_agents WHERE id = $3 AND venture_id = $4 AND " WH_SCOPE_SQL(
            "bpo_agents.venture_id", "$1", "$2"),
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id), WH_PI(venture_id)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        agent_row(r, 0, out);
    return rc;
}

void wh_bpo_agent_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                           wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " AGENT_COLS " FROM bpo_agents");
    WH_SQLB_SCOPE_VENTURE(b, p, "bpo_agents.venture_id", venture_id);
    if (wh_bpo_own_calls_only(p->role))
        wh_sqlb_and(b, "user_id = ?", WH_PI(p->id));
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_bpo_agent_row_json, wh_bpo_agent, agent_row, wh_bpo_agent_json)

json_t *wh_bpo_agent_json(const wh_bpo_agent *ag)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ag->id));
    json_object_set_new(o, "user_id", json_integer(ag->user_id));
    json_object_set_new(o, "venture_id", json_integer(ag->venture_id));
    json_object_set_new(o, "campaign_id", id_or_null(ag->campaign_id));
    json_object_set_new(o, "active", json_boolean(ag->active));
    return o;
}

/* ------------------------------------------------------------- call logs */

wh_err wh_bpo_call_create(wh_conn *c, wh_arena *a, const wh_principal *p, const wh_bpo_call *in,
                          int64_t now_ms, wh_bpo_call *out, bool *inserted, wh_error *e)
{
    wh_rows *r = NULL;
    /* the agent row supplies user and venture; no row (foreign, or not the EMPLOYEE's own)
     * inserts nothing */
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO bpo_call_logs (agent_id, user_id, venture_id, campaign_id, started_at,"
        " started_day, ended_at, talk_seconds, dial_count, connected, appointment_set, deal_won,"
        " revenue_cents, notes, created_by, created_at) SELECT ag.id, ag.user_id, ag.venture_id,"
        " NULLIF($6, 0), $7, $8, NULLIF($9, 0), $10, $11, $12, $13, $14, $15, $16, $2, $17 FROM"
        " bpo_agents ag WHERE ag.id = $4 AND ag.venture_id = $5 AND (NOT $3 OR ag.user_id = $2)"
        " AND " WH_SCOPE_SQL("ag.venture_id", "$1", "$2") " RETURNING " CALL_COLS,
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PB(wh_bpo_own_calls_only(p->role)),
                WH_PI(in->agent_id), WH_PI(in->venture_id), WH_PI(in->campaign_id),
                WH_PI(in->started_at), WH_PT(in->started_day), WH_PI(in->ended_at),
                WH_PI(in->talk_seconds), WH_PI(in->dial_count), WH_PB(in->connected),
                WH_PB(in->appointment_set), WH_PB(in->deal_won), WH_PI(in->revenue_cents),
                WH_PT(in->notes), WH_PI(now_ms)),
        &r, e);
    *inserted = rc == WH_OK && wh_rows_count(r) == 1;
    if (*inserted)
        call_row(r, 0, out);
    return rc;
}

wh_err wh_bpo_call_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, wh_bpo_call *out,
                       wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT " CALL_COLS " FROM bpo_call_logs WHERE id = $4 AND"
        " (NOT $3 OR user_id = $2) AND " WH_SCOPE_SQL("bpo_call_logs.venture_id", "$1", "$2"),
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PB(wh_bpo_own_calls_only(p->role)),
                WH_PI(id)),
        &r, e);
    rc = wh_rows_one(rc, r, "No such call log.", NULL, e);
    if (rc == WH_OK)
        call_row(r, 0, out);
    return rc;
}

void wh_bpo_call_list_sql(const wh_principal *p, const wh_bpo_call_filter *f, const wh_keyset *ks,
                          wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " CALL_COLS " FROM bpo_call_logs");
    WH_SQLB_SCOPE_VENTURE(b, p, "bpo_call_logs.venture_id", f->venture_id);
    if (wh_bpo_own_calls_only(p->role))
        wh_sqlb_and(b, "user_id = ?", WH_PI(p->id));
    wh_sqlb_and_id(b, "agent_id = ?", f->agent_id);
    wh_sqlb_and_id(b, "campaign_id = ?", f->campaign_id);
    wh_sqlb_and_text(b, "started_day >= ?", f->from);
    wh_sqlb_and_text(b, "started_day <= ?", f->to);
    wh_sqlb_and_flag(b, "connected = ?", f->has_connected, f->connected);
    wh_sqlb_and_flag(b, "deal_won = ?", f->has_deal_won, f->deal_won);
    wh_sqlb_page(b, "started_at", "id", true, ks);
}

WH_ROW_JSON(wh_bpo_call_row_json, wh_bpo_call, call_row, wh_bpo_call_json)

json_t *wh_bpo_call_json(const wh_bpo_call *call)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(call->id));
    json_object_set_new(o, "agent_id", json_integer(call->agent_id));
    json_object_set_new(o, "venture_id", json_integer(call->venture_id));
    json_object_set_new(o, "campaign_id", id_or_null(call->campaign_id));
    json_object_set_new(o, "started_at", wh_json_time(call->started_at));
    json_object_set_new(o, "ended_at", wh_json_time(call->ended_at));
    json_object_set_new(o, "dial_count", json_integer(call->dial_count));
    json_object_set_new(o, "connected", json_boolean(call->connected));
    json_object_set_new(o, "appointment_set", json_boolean(call->appointment_set));
    json_object_set_new(o, "deal_won", json_boolean(call->deal_won));
    json_object_set_new(o, "revenue_cents", json_integer(call->revenue_cents));
    json_object_set_new(o, "notes", wh_json_str_or_null(call->notes));
    return o;
}
