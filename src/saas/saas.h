/* SaaS (DOMAIN-wave2 §12, API-wave2 "SaaS"): customers and subscriptions of SAAS ventures and
 * the subscription events every MRR-changing write records in its own transaction. The events
 * are the only source of SaaS figures: a customer's MRR is the sum of its events' deltas, and
 * the daily SaaS KPI rows (kpi/kpi_store.c) are built from them.
 *
 * Every read and write is venture-scoped in its SQL (WH_SCOPE_SQL / WH_SQLB_SCOPE): a row
 * outside the caller's scope answers like a missing one. Writes of one customer are serialised
 * (wh_db_lock on the customer), so b (the MRR before a write) is always the customer's current
 * MRR and events never go back in time.
 *
 * Ownership: everything returned lives in the caller's arena. Thread safety: no state. */
#ifndef WH_SAAS_SAAS_H
#define WH_SAAS_SAAS_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define WH_SAAS_NAME_CHARS  200
#define WH_SAAS_CODE_CHARS  32
#define WH_SAAS_EMAIL_CHARS 254
#define WH_SAAS_PLAN_CHARS  100
/* The transaction lock key of a customer: its writes (routes and imports) are serialised
 * (PostgreSQL; SQLite's writer lock does it already). */
#define WH_SAAS_CUSTOMER_LOCK(id) (0x5341415300000000LL + (id))
/* Largest MRR of one subscription, cents (DOMAIN-wave2 §12). */
#define WH_SAAS_MRR_MAX 100000000000LL

typedef struct {
    int64_t id, venture_id;
    const char *name, *code, *email; /* email may be NULL */
    bool active;
    int64_t mrr_cents; /* derived: the sum of the customer's event deltas */
    int64_t created_at, updated_at;
} wh_saas_customer;

/* Fields of a customer create or patch; NULL / has_* false leave a field unchanged (has_email
 * with email NULL clears it). code is already upper-cased. */
typedef struct {
    int64_t venture_id;
    const char *name, *code, *email;
    bool has_email, has_active, active;
} wh_saas_customer_input;

typedef struct {
    int64_t id, venture_id, customer_id;
    const char *plan_name;
    int64_t mrr_cents;
    const char *started_on, *cancelled_on, *status; /* cancelled_on may be NULL */
    int64_t created_at, updated_at;
} wh_saas_sub;

typedef struct {
    int64_t id, venture_id, customer_id, subscription_id;
    const char *type, *effective_on;
    int64_t delta, before, after, created_by; /* created_by 0: none */
    int64_t created_at;
} wh_saas_event;

typedef struct {
    int64_t venture_id;
    const char *like; /* wh_str_like_pattern of ?q, or NULL */
    bool has_active, active;
} wh_saas_customer_filter;

typedef struct {
    int64_t venture_id, customer_id;
    const char *status;
} wh_saas_sub_filter;

typedef struct {
    int64_t venture_id, customer_id, subscription_id;
    const char *type, *from, *to;
} wh_saas_event_filter;

/* ---- rules (saas_rules.c: pure) ---- */

/* The type of the event of a write that moves a customer's MRR from before to after (§12):
 * NEW, REACTIVATION, CHURN, EXPANSION or CONTRACTION; NULL when the MRR does not change.
 * has_earlier: the customer has an event already. */
const char *wh_saas_event_type(int64_t before, int64_t after, bool has_earlier);
/* Upper-cases code in place and checks it: 1 to 32 of A-Z, 0-9, '_' and '-'. */
bool wh_saas_code_normalise(char *code);

/* ---- customers (saas_store.c) ---- */

/* The type of venture_id when it is in p's scope; *found false when missing or outside. */
WH_MUST_USE wh_err wh_saas_venture_type(wh_conn *c, wh_arena *a, const wh_principal *p,
                                        int64_t venture_id, const char **type, bool *found,
                                        wh_error *e);
WH_MUST_USE wh_err wh_saas_customer_create(wh_conn *c, wh_arena *a,
                                           const wh_saas_customer_input *in, int64_t now_ms,
                                           wh_saas_customer *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_saas_customer_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                        wh_saas_customer *out, wh_error *e);
WH_MUST_USE wh_err wh_saas_customer_update(wh_conn *c, wh_arena *a, const wh_principal *p,
                                           int64_t id, const wh_saas_customer_input *in,
                                           int64_t now_ms, wh_saas_customer *out, wh_error *e);
/* Customers in p's scope by (name, id). */
void wh_saas_customer_list_sql(const wh_principal *p, const wh_saas_customer_filter *f,
                               const wh_keyset *ks, wh_sqlb *b);
json_t *wh_saas_customer_row_json(const wh_rows *rows, size_t i);
json_t *wh_saas_customer_json(const wh_saas_customer *cu);

/* ---- subscriptions and events (saas_store.c) ---- */

/* The customer's latest event day ("" when none) and whether it has any. */
WH_MUST_USE wh_err wh_saas_customer_latest(wh_conn *c, wh_arena *a, int64_t customer_id,
                                           const char **day, bool *has, wh_error *e);
WH_MUST_USE wh_err wh_saas_sub_create(wh_conn *c, wh_arena *a, const wh_saas_sub *in,
                                      int64_t now_ms, wh_saas_sub *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_saas_sub_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                   wh_saas_sub *out, wh_error *e);
/* Writes plan_name, mrr_cents, status and cancelled_on of s (by id). */
WH_MUST_USE wh_err wh_saas_sub_save(wh_conn *c, wh_arena *a, const wh_saas_sub *s, int64_t now_ms,
                                    wh_saas_sub *out, wh_error *e);
void wh_saas_sub_list_sql(const wh_principal *p, const wh_saas_sub_filter *f, const wh_keyset *ks,
                          wh_sqlb *b);
json_t *wh_saas_sub_row_json(const wh_rows *rows, size_t i);
json_t *wh_saas_sub_json(const wh_saas_sub *s);
/* Records ev (its type already decided) and lowers the venture's SaaS stale mark to its day. */
WH_MUST_USE wh_err wh_saas_event_record(wh_conn *c, wh_arena *a, const wh_saas_event *ev,
                                        int64_t now_ms, wh_error *e);
/* Takes the lock that serialises the writes of customer id (until the transaction ends) and
 * reads it; 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_saas_customer_lock(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                         wh_saas_customer *out, wh_error *e);
/* The event of a write that moves locked customer cu's MRR by delta on day, its type decided
 * here (wh_saas_event_type); none when delta is 0; 409 when day is before the customer's latest
 * event. actor 0: none. Used by the routes and the demo seed alike. */
WH_MUST_USE wh_err wh_saas_write_event(wh_conn *c, wh_arena *a, const wh_saas_customer *cu,
                                       int64_t sub_id, const char *day, int64_t delta,
                                       int64_t actor, int64_t now_ms, wh_error *e);
void wh_saas_event_list_sql(const wh_principal *p, const wh_saas_event_filter *f,
                            const wh_keyset *ks, wh_sqlb *b);
json_t *wh_saas_event_row_json(const wh_rows *rows, size_t i);

struct wh_route;
/* The /saas routes. */
const struct wh_route *wh_saas_routes(size_t *n);

#endif
