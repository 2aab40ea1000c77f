/* Incentives (DOMAIN.md §7, API.md "Incentives"): plans and their rules, the metrics of a
 * (user, venture, business day), the daily commit of a (venture, day) slice, and payouts.
 *
 * Layers: incentives_engine.c is pure arithmetic (calc types, tiers, rounding, summing per
 * user; no I/O, no clock); incentives_store.c is SQL only (the metrics come from set-based
 * GROUP BY aggregates, never loops over source rows); incentives_routes.c is HTTP only.
 *
 * Money is int64 cents, rates basis points or cents; nothing here uses floating point. Every
 * amount is rounded half away from zero to whole cents, once per rule.
 *
 * Ownership: everything returned lives in the caller's arena. Thread safety: no state is kept. */
#ifndef WH_INCENTIVES_INCENTIVES_H
#define WH_INCENTIVES_INCENTIVES_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest plan name, characters. */
#define WH_INCENTIVES_NAME_CHARS 200
/* Most tiers of one TIERED_SLAB rule. */
#define WH_INCENTIVES_TIERS_MAX 20
/* Largest rate_bp (1000%) and per-unit or bonus amount in cents ($1 million). */
#define WH_INCENTIVES_RATE_BP_MAX 100000
#define WH_INCENTIVES_CENTS_MAX   100000000LL
/* Largest threshold and tier start (units of the metric). */
#define WH_INCENTIVES_UNITS_MAX 1000000000000LL
/* Most rules of one venture evaluated by a commit, and users paid in one slice. */
#define WH_INCENTIVES_RULES_MAX 1000
/* Longest payout period, days. */
#define WH_INCENTIVES_PERIOD_DAYS_MAX 366

typedef enum {
    WH_INC_LOADS_COMPLETED,
    WH_INC_LOADS_REVENUE_CENTS,
    WH_INC_LOADS_MARGIN_CENTS,
    WH_INC_LOADS_MILES,
    WH_INC_BPO_DIALS,
    WH_INC_BPO_CONNECTS,
    WH_INC_BPO_DEALS,
    WH_INC_BPO_TALK_SECONDS,
    WH_INC_HOTEL_REVIEWS_RESPONDED,
    WH_INC_METRIC_COUNT
} wh_inc_metric;

typedef enum {
    WH_INC_PERCENT_OF_METRIC,
    WH_INC_FLAT_PER_UNIT,
    WH_INC_CURRENCY_PER_UNIT,
    WH_INC_BONUS_ON_TARGET,
    WH_INC_TIERED_SLAB,
    WH_INC_CALC_COUNT
} wh_inc_calc;

/* Names in enum order, NULL-terminated. */
extern const char *const wh_inc_metric_names[];
extern const char *const wh_inc_calc_names[];
/* Index of name in a NULL-terminated list; -1 when absent. */
int wh_incentives_name_index(const char *const *names, const char *name);

typedef struct {
    int64_t from, rate_cents;
} wh_inc_tier;

typedef struct {
    int64_t id, plan_id, venture_id;
    bool has_role;
    wh_role role;
    wh_inc_metric metric;
    wh_inc_calc calc;
    bool enabled;
    bool has_rate_bp, has_rate_cents, has_threshold, has_bonus;
    int64_t rate_bp, rate_cents, threshold, bonus_cents;
    size_t ntiers;
    wh_inc_tier tiers[WH_INCENTIVES_TIERS_MAX];
} wh_inc_rule;

typedef struct {
    int64_t id, venture_id;
    const char *name;
    bool active;
    const char *effective_from, *effective_to; /* effective_to may be NULL */
} wh_inc_plan;

/* The metrics of one member on one day, with the member's role. */
typedef struct {
    int64_t user_id;
    wh_role role;
    int64_t m[WH_INC_METRIC_COUNT];
} wh_inc_member;

typedef struct {
    int64_t rule_id, plan_id, amount_cents;
} wh_inc_part;

/* One user's result for a day: the total and the non-zero amount of each rule. */
typedef struct {
    int64_t user_id, amount_cents;
    size_t nparts;
    wh_inc_part *parts;
} wh_inc_item;

/* ---- engine (incentives_engine.c: pure) ---- */

/* num / den rounded half away from zero; den > 0. */
int64_t wh_incentives_div_round(int64_t num, int64_t den);
/* The amount in cents that rule pays for a metric value (saturating at the int64 range). */
int64_t wh_incentives_rule_amount(const wh_inc_rule *rule, int64_t metric);
/* Checks that rule has exactly the fields its calc type needs (tier starts strictly
 * increasing); names the first offending field in e (400 validation_failed). */
WH_MUST_USE wh_err wh_incentives_rule_check(const wh_inc_rule *rule, wh_error *e);
/* Clears the fields rule's calc type does not use (after a PATCH changed the type). */
void wh_incentives_rule_trim(wh_inc_rule *rule);
/* Does rule apply to a member of role? (no role: every member) */
bool wh_incentives_rule_applies(const wh_inc_rule *rule, wh_role role);
/* Does role read only its own daily incentive rows (it lacks incentives.read)? The predicate of
 * wh_incentives_rule_own_rows, the route-table rule of GET /incentives/daily. */
bool wh_incentives_own_rows_only(wh_role role);
extern const wh_rule wh_incentives_rule_own_rows;
/* Evaluates every rule (callers pass only the enabled rules of the plans in force) for every
 * member: *out gets one item per member with a non-zero part, in member order. */
void wh_incentives_compute(wh_arena *a, const wh_inc_rule *rules, size_t nrules,
                           const wh_inc_member *members, size_t nmembers, wh_inc_item **out,
                           size_t *nout);
/* The advisory-lock key of a (venture, day) slice or of a venture's payouts. */
int64_t wh_incentives_slice_key(int64_t venture_id, const char *day);
int64_t wh_incentives_payout_key(int64_t venture_id);

/* ---- plans and rules (incentives_store.c) ---- */

/* Plan fields of a create or update; NULL / has_* false leave a field unchanged on update;
 * has_to with effective_to NULL clears it. */
typedef struct {
    int64_t venture_id;
    const char *name, *effective_from, *effective_to;
    bool has_active, active, has_to;
} wh_inc_plan_input;

WH_MUST_USE wh_err wh_incentives_plan_create(wh_conn *c, wh_arena *a, const wh_inc_plan_input *in,
                                             int64_t now_ms, wh_inc_plan *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_incentives_plan_get(wh_conn *c, wh_arena *a, const wh_principal *p,
                                          int64_t id, wh_inc_plan *out, wh_error *e);
WH_MUST_USE wh_err wh_incentives_plan_update(wh_conn *c, wh_arena *a, int64_t id,
                                             const wh_inc_plan *merged, int64_t now_ms,
                                             wh_inc_plan *out, wh_error *e);
/* Plans in p's scope newest first (id descending), of one venture unless venture_id is 0;
 * rows render with wh_incentives_plan_row_json, as a plan with no rules. */
void wh_incentives_plan_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                                 wh_sqlb *b);
json_t *wh_incentives_plan_row_json(const wh_rows *rows, size_t i);
/* The rules of a plan by id. */
WH_MUST_USE wh_err wh_incentives_rules_of(wh_conn *c, wh_arena *a, int64_t plan_id,
                                          wh_inc_rule **out, size_t *n, wh_error *e);
WH_MUST_USE wh_err wh_incentives_rule_create(wh_conn *c, wh_arena *a, const wh_inc_rule *in,
                                             int64_t now_ms, wh_inc_rule *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_incentives_rule_get(wh_conn *c, wh_arena *a, const wh_principal *p,
                                          int64_t id, wh_inc_rule *out, wh_error *e);
WH_MUST_USE wh_err wh_incentives_rule_update(wh_conn *c, wh_arena *a, const wh_inc_rule *in,
                                             int64_t now_ms, wh_inc_rule *out, wh_error *e);
WH_MUST_USE wh_err wh_incentives_rule_delete(wh_conn *c, wh_arena *a, int64_t id, wh_error *e);
json_t *wh_incentives_plan_json(const wh_inc_plan *pl, const wh_inc_rule *rules, size_t n);
json_t *wh_incentives_rule_json(const wh_inc_rule *rule);

/* ---- metrics, preview and commit (incentives_store.c) ---- */

/* The members of venture_id with their role and their metrics of day, from set-based
 * aggregates (one GROUP BY per source); only venture members appear, and only those with any
 * activity that day. */
WH_MUST_USE wh_err wh_incentives_metrics(wh_conn *c, wh_arena *a, int64_t venture_id,
                                         const char *day, wh_inc_member **out, size_t *n,
                                         wh_error *e);
/* The enabled rules of the active plans of venture_id in force on day. */
WH_MUST_USE wh_err wh_incentives_rules_in_force(wh_conn *c, wh_arena *a, int64_t venture_id,
                                                const char *day, wh_inc_rule **out, size_t *n,
                                                wh_error *e);
/* Computes the (venture, day) slice without writing anything. */
WH_MUST_USE wh_err wh_incentives_preview(wh_conn *c, wh_arena *a, int64_t venture_id,
                                         const char *day, wh_inc_item **out, size_t *n,
                                         wh_error *e);

typedef struct {
    int64_t users, total_cents, replaced;
    bool period_locked; /* refused: the day lies in an APPROVED or PAID payout period */
} wh_inc_commit_result;

/* The daily commit, for the routes and the incentive_daily job: in ONE transaction (begun and
 * committed here; c must have none open) takes the slice's lock, deletes the (venture, day)
 * rows of every plan, inserts the fresh ones and writes an audit entry (actor_id 0: the
 * system; request_id may be NULL). Concurrent commits of one slice serialise and converge.
 * A day inside a payout period of the venture that is APPROVED or PAID is frozen: 409
 * `conflict` with out->period_locked set, nothing written (checked under the venture's payout
 * lock, which approve and mark-paid take too, so an approval cannot slip in between). */
WH_MUST_USE wh_err wh_incentives_commit(wh_conn *c, wh_arena *a, int64_t venture_id,
                                        const char *day, int64_t actor_id, const char *request_id,
                                        int64_t now_ms, wh_inc_commit_result *out, wh_error *e);

/* The same inside the caller's open transaction (the incentive_daily job begins it with its
 * fence check); neither begins, commits nor rolls back. */
WH_MUST_USE wh_err wh_incentives_commit_in_tx(wh_conn *c, wh_arena *a, int64_t venture_id,
                                              const char *day, int64_t actor_id,
                                              const char *request_id, int64_t now_ms,
                                              wh_inc_commit_result *out, wh_error *e);
/* The ventures (venture_id 0: all, else only that one) with an active plan in force on day,
 * by id. */
WH_MUST_USE wh_err wh_incentives_plan_ventures(wh_conn *c, wh_arena *a, const char *day,
                                               int64_t venture_id, int64_t **out, size_t *n,
                                               wh_error *e);

/* Items as the JSON of API.md: {user_id, amount_cents, breakdown: [...]}. */
json_t *wh_incentives_item_json(const wh_inc_item *it);

/* ---- daily rows (incentives_store.c) ---- */

typedef struct {
    int64_t id, user_id, venture_id, amount_cents;
    const char *day, *breakdown; /* breakdown: JSON text */
} wh_inc_daily;

/* Filters; 0 / NULL mean any. own_user_id != 0 restricts to that user's rows whatever the
 * other filters say (a caller without incentives.read). */
typedef struct {
    int64_t venture_id, user_id, own_user_id;
    const char *from, *to;
} wh_inc_daily_filter;

/* Daily rows in p's scope by (day, id) descending (a WH_KEY_TEXT list: the day is column 3);
 * rows render with wh_incentives_daily_row_json. */
void wh_incentives_daily_list_sql(const wh_principal *p, const wh_inc_daily_filter *f,
                                  const wh_keyset *ks, wh_sqlb *b);
json_t *wh_incentives_daily_row_json(const wh_rows *rows, size_t i);
json_t *wh_incentives_daily_json(const wh_inc_daily *d);

/* ---- payouts (incentives_store.c) ---- */

typedef struct {
    int64_t id, user_id, venture_id, amount_cents;
    const char *period_start, *period_end, *status, *breakdown; /* breakdown: JSON text */
} wh_inc_payout;

/* Generates the payouts of (venture, start, end) inside the caller's transaction: 409 when
 * another period of the venture overlaps it or one of its payouts is APPROVED or PAID;
 * otherwise replaces its CALCULATED rows by one row per user = the sum of the daily rows. */
WH_MUST_USE wh_err wh_incentives_payouts_generate(wh_conn *c, wh_arena *a, int64_t venture_id,
                                                  const char *start, const char *end,
                                                  int64_t now_ms, wh_inc_payout **out, size_t *n,
                                                  int64_t *replaced, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_incentives_payout_get(wh_conn *c, wh_arena *a, const wh_principal *p,
                                            int64_t id, wh_inc_payout *out, wh_error *e);
/* Moves a payout from status from to status to: 409 invalid_transition when it is not in
 * from. */
WH_MUST_USE wh_err wh_incentives_payout_move(wh_conn *c, wh_arena *a, int64_t id, const char *from,
                                             const char *to, int64_t now_ms, wh_inc_payout *out,
                                             wh_error *e);
/* Payouts in p's scope newest first (id descending); status NULL: any. Rows render with
 * wh_incentives_payout_row_json. */
void wh_incentives_payout_list_sql(const wh_principal *p, int64_t venture_id, const char *status,
                                   const wh_keyset *ks, wh_sqlb *b);
json_t *wh_incentives_payout_row_json(const wh_rows *rows, size_t i);
json_t *wh_incentives_payout_json(const wh_inc_payout *po);

struct wh_route;
/* The /incentives routes and GET /me/incentives. */
const struct wh_route *wh_incentives_routes(size_t *n);

#endif
