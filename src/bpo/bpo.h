/* BPO: campaigns, agents and call logs (DOMAIN.md §3, API.md "BPO").
 *
 * Every row is venture-scoped. Store functions take the caller (wh_principal) and put the scope
 * in their SQL: a row outside it is never read, listed or written, and answers like a missing
 * one. An EMPLOYEE sees and writes only their own calls: the calls whose agent's user is the
 * caller; that rule is in the SQL too (wh_bpo_own_calls_only says when it applies).
 *
 * Invariants the schema also enforces: an agent is unique per (user, venture) and never
 * changes user or venture; a call's venture and user are its agent's; a campaign (of an agent
 * or a call) belongs to the same venture; ended_at >= started_at, dial_count >= 1,
 * revenue_cents >= 0.
 *
 * Ownership: everything returned lives in the caller's arena. Thread safety: none needed, no
 * state is kept. */
#ifndef WH_BPO_BPO_H
#define WH_BPO_BPO_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest campaign and client name, characters. */
#define WH_BPO_NAME_CHARS 200
/* Longest call note, characters. */
#define WH_BPO_NOTES_CHARS 10000
/* Most dials one call log may count. */
#define WH_BPO_DIALS_MAX 100000
/* Largest revenue of one call, cents ($10 billion): keeps daily sums far from overflow. */
#define WH_BPO_REVENUE_CENTS_MAX 1000000000000LL

typedef struct {
    int64_t id, venture_id, office_id; /* office_id 0: none */
    const char *name, *client_name;    /* client_name may be NULL */
    bool active;
} wh_bpo_campaign;

/* Fields of a campaign create or update. On update NULL / has_* false leave a field unchanged;
 * has_office with office_id 0 (or has_client with client_name NULL) clears it. */
typedef struct {
    int64_t venture_id, office_id;
    const char *name, *client_name;
    bool has_office, has_client, has_active, active;
} wh_bpo_campaign_input;

typedef struct {
    int64_t id, user_id, venture_id, campaign_id; /* campaign_id 0: none */
    bool active;
} wh_bpo_agent;

typedef struct {
    int64_t id, agent_id, user_id, venture_id, campaign_id; /* campaign_id 0: none */
    int64_t started_at, ended_at;                           /* ended_at 0: still open */
    const char *started_day;                                /* business day of started_at */
    int64_t talk_seconds, dial_count, revenue_cents;
    bool connected, appointment_set, deal_won;
    const char *notes; /* may be NULL */
} wh_bpo_call;

/* Filters of the call list; 0 / NULL / has_* false mean "any". Days are YYYY-MM-DD,
 * inclusive. */
typedef struct {
    int64_t venture_id, agent_id, campaign_id;
    const char *from, *to;
    bool has_connected, connected, has_deal_won, deal_won;
} wh_bpo_call_filter;

/* ---- rules (bpo_rules.c: pure, no I/O) ---- */

/* True when role sees and writes only its own calls (EMPLOYEE). */
bool wh_bpo_own_calls_only(wh_role role);
/* The route-table rules (bpo_rules.c): bpo_manager refuses campaign and agent changes to the
 * roles that log only their own calls; bpo_own_calls limits those roles to their own calls
 * and agent rows (wh_bpo_own_calls_only). */
extern const wh_rule wh_bpo_rule_manager;
extern const wh_rule wh_bpo_rule_own_calls;
/* True when role may create and change campaigns and agents: bpo.write without the
 * own-calls restriction. */
bool wh_bpo_may_manage(wh_role role);
/* Talk time of a call in whole seconds (rounded down); 0 while open (ended_at 0). */
int64_t wh_bpo_talk_seconds(int64_t started_at, int64_t ended_at);
/* Checks the instants of a call: ended_at (0: open) not before started_at, and neither on a
 * business day more than WH_LIMIT_DAYS_AHEAD after the day of now_ms (wh_clock_day_near). Adds
 * the field error to e and returns WH_ERR_INVALID otherwise. */
WH_MUST_USE wh_err wh_bpo_call_check_times(int64_t started_at, int64_t ended_at, int64_t now_ms,
                                           wh_error *e);
/* The idempotency key of the call's BPO_CALL_COMPLETED event, "bpo_call:<id>", into out. */
void wh_bpo_call_event_key(int64_t call_id, char *out, size_t cap);

/* ---- campaigns (bpo_store.c) ---- */

/* The venture's type when it is in p's scope: *found false when missing or outside. */
WH_MUST_USE wh_err wh_bpo_venture_type(wh_conn *c, wh_arena *a, const wh_principal *p,
                                       int64_t venture_id, const char **type, bool *found,
                                       wh_error *e);
WH_MUST_USE wh_err wh_bpo_campaign_create(wh_conn *c, wh_arena *a, const wh_bpo_campaign_input *in,
                                          int64_t now_ms, wh_bpo_campaign *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_bpo_campaign_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                       wh_bpo_campaign *out, wh_error *e);
/* Updates a campaign in p's scope (404 otherwise). */
WH_MUST_USE wh_err wh_bpo_campaign_update(wh_conn *c, wh_arena *a, const wh_principal *p,
                                          int64_t id, const wh_bpo_campaign_input *in,
                                          int64_t now_ms, wh_bpo_campaign *out, wh_error *e);
/* Campaigns in p's scope, newest first (id descending), of one venture unless venture_id is 0;
 * rows render with wh_bpo_campaign_row_json. */
void wh_bpo_campaign_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                              wh_sqlb *b);
json_t *wh_bpo_campaign_row_json(const wh_rows *rows, size_t i);
/* Finds campaign id of venture_id (the caller has checked the venture's scope); *found false
 * when the campaign is missing or of another venture. */
WH_MUST_USE wh_err wh_bpo_campaign_find(wh_conn *c, wh_arena *a, int64_t id, int64_t venture_id,
                                        wh_bpo_campaign *out, bool *found, wh_error *e);
json_t *wh_bpo_campaign_json(const wh_bpo_campaign *cp);

/* ---- agents (bpo_store.c) ---- */

/* Is user_id a member of venture_id? */
WH_MUST_USE wh_err wh_bpo_is_member(wh_conn *c, wh_arena *a, int64_t user_id, int64_t venture_id,
                                    bool *yes, wh_error *e);
/* Inserts an agent; 409 conflict when the user is already an agent of the venture. */
WH_MUST_USE wh_err wh_bpo_agent_create(wh_conn *c, wh_arena *a, const wh_bpo_agent *in,
                                       int64_t now_ms, wh_bpo_agent *out, wh_error *e);
/* Finds agent id of venture_id in p's scope; *found false when there is none. */
WH_MUST_USE wh_err wh_bpo_agent_find(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                     int64_t venture_id, wh_bpo_agent *out, bool *found,
                                     wh_error *e);
/* Agents in p's scope, newest first (id descending), of one venture unless venture_id is 0;
 * an EMPLOYEE gets only their own. */
void wh_bpo_agent_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                           wh_sqlb *b);
json_t *wh_bpo_agent_row_json(const wh_rows *rows, size_t i);
json_t *wh_bpo_agent_json(const wh_bpo_agent *ag);

/* ---- call logs (bpo_store.c) ---- */

/* Inserts a call of in->agent_id in in->venture_id, taking the agent's user from the agent row.
 * The insert happens only when the agent is in p's scope and, for an EMPLOYEE, is the caller's
 * own: otherwise *inserted is false and nothing is written. in->talk_seconds and
 * in->started_day must be filled. */
WH_MUST_USE wh_err wh_bpo_call_create(wh_conn *c, wh_arena *a, const wh_principal *p,
                                      const wh_bpo_call *in, int64_t now_ms, wh_bpo_call *out,
                                      bool *inserted, wh_error *e);
/* 404 when missing, outside p's scope, or (EMPLOYEE) not the caller's own. */
WH_MUST_USE wh_err wh_bpo_call_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                   wh_bpo_call *out, wh_error *e);
/* Calls in p's scope (an EMPLOYEE's own only) by (started_at, id) descending. */
void wh_bpo_call_list_sql(const wh_principal *p, const wh_bpo_call_filter *f, const wh_keyset *ks,
                          wh_sqlb *b);
json_t *wh_bpo_call_row_json(const wh_rows *rows, size_t i);
json_t *wh_bpo_call_json(const wh_bpo_call *call);

struct wh_route;
/* The /bpo routes. */
const struct wh_route *wh_bpo_routes(size_t *n);

#endif
