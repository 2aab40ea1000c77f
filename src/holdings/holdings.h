/* Holdings (DOMAIN-wave2 §13, API-wave2 "Holdings and the owner's overview"): assets with dated
 * valuations and bank accounts with dated balance snapshots, of ventures of any type, and the
 * figures built from them: the value of a venture's assets and its cash on a day.
 *
 * Every read and write is venture-scoped in its SQL: a row outside the caller's scope answers
 * like a missing one. Valuations and balance snapshots are one shape, a dated value of a parent
 * row (wh_hold_dated), stored by the same code for both tables.
 *
 * Ownership: everything returned lives in the caller's arena. Thread safety: no state. */
#ifndef WH_HOLDINGS_HOLDINGS_H
#define WH_HOLDINGS_HOLDINGS_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define WH_HOLD_NAME_CHARS    200
#define WH_HOLD_ACCOUNT_CHARS 100
#define WH_HOLD_NOTES_CHARS   2000
#define WH_HOLD_NOTE_CHARS    500
#define WH_HOLD_MONEY_MAX     10000000000000LL /* 10^13 cents */

typedef struct {
    int64_t id, venture_id;
    const char *kind, *name, *acquired_on, *disposed_on, *notes; /* disposed_on, notes: NULL */
    int64_t cost_cents;
    int64_t current_value_cents; /* derived: the latest valuation, else the cost */
    const char *valued_on;       /* its date; NULL without one */
    int64_t created_at, updated_at;
} wh_hold_asset;

/* Fields of an asset create or patch; NULL / has_* false leave a field unchanged. */
typedef struct {
    int64_t venture_id, cost_cents;
    const char *kind, *name, *acquired_on, *disposed_on, *notes;
    bool has_cost, has_disposed, has_notes;
} wh_hold_asset_input;

typedef struct {
    int64_t id, venture_id;
    const char *name, *institution, *last4;
    bool active;
    bool has_balance;
    int64_t balance_cents; /* derived: the latest snapshot */
    const char *balance_on;
    int64_t created_at, updated_at;
} wh_hold_account;

typedef struct {
    int64_t venture_id;
    const char *name, *institution, *last4;
    bool has_active, active;
} wh_hold_account_input;

/* The two kinds of dated value. */
typedef enum { WH_HOLD_VALUATION, WH_HOLD_BALANCE } wh_hold_dated_kind;

/* One valuation or balance snapshot. */
typedef struct {
    wh_hold_dated_kind kind;
    int64_t id, parent_id, venture_id;
    const char *date, *note; /* note: valuations only, may be NULL */
    int64_t value_cents, created_by, updated_at;
} wh_hold_dated;

/* The holdings figures of a venture on a day (§13). */
typedef struct {
    int64_t cash_cents, asset_value_cents, bank_accounts, assets;
} wh_hold_figures;

extern const char *const wh_hold_asset_kinds[]; /* NULL-terminated */

/* ---- assets and accounts (holdings_store.c) ---- */
WH_MUST_USE wh_err wh_hold_asset_create(wh_conn *c, wh_arena *a, const wh_hold_asset_input *in,
                                        int64_t now_ms, wh_hold_asset *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_hold_asset_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                     wh_hold_asset *out, wh_error *e);
WH_MUST_USE wh_err wh_hold_asset_update(wh_conn *c, wh_arena *a, const wh_hold_asset *next,
                                        int64_t now_ms, wh_hold_asset *out, wh_error *e);
/* Assets in p's scope by (name, id); held: not disposed on today (has_held false: any). */
void wh_hold_asset_list_sql(const wh_principal *p, int64_t venture_id, const char *kind,
                            bool has_held, bool held, const char *today, const wh_keyset *ks,
                            wh_sqlb *b);
json_t *wh_hold_asset_row_json(const wh_rows *rows, size_t i);
json_t *wh_hold_asset_json(const wh_hold_asset *as);

WH_MUST_USE wh_err wh_hold_account_create(wh_conn *c, wh_arena *a, const wh_hold_account_input *in,
                                          int64_t now_ms, wh_hold_account *out, wh_error *e);
WH_MUST_USE wh_err wh_hold_account_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                       wh_hold_account *out, wh_error *e);
WH_MUST_USE wh_err wh_hold_account_update(wh_conn *c, wh_arena *a, int64_t id,
                                          const wh_hold_account_input *in, int64_t now_ms,
                                          wh_hold_account *out, wh_error *e);
void wh_hold_account_list_sql(const wh_principal *p, int64_t venture_id, bool has_active,
                              bool active, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_hold_account_row_json(const wh_rows *rows, size_t i);
json_t *wh_hold_account_json(const wh_hold_account *ac);

/* ---- valuations and balance snapshots (holdings_store.c) ---- */
/* The dated value of (parent, date); *found false when none. */
WH_MUST_USE wh_err wh_hold_dated_get(wh_conn *c, wh_arena *a, wh_hold_dated_kind kind,
                                     int64_t parent_id, const char *date, wh_hold_dated *out,
                                     bool *found, wh_error *e);
/* Inserts or replaces in (kind, parent_id, venture_id, date, value, note, created_by). */
WH_MUST_USE wh_err wh_hold_dated_put(wh_conn *c, wh_arena *a, const wh_hold_dated *in,
                                     int64_t now_ms, wh_hold_dated *out, wh_error *e);
WH_MUST_USE wh_err wh_hold_dated_delete(wh_conn *c, wh_arena *a, wh_hold_dated_kind kind,
                                        int64_t parent_id, const char *date, wh_error *e);
/* The dated values of parent_id (already scope-checked), newest date first; from/to may be
 * NULL. */
void wh_hold_dated_list_sql(wh_hold_dated_kind kind, int64_t parent_id, const char *from,
                            const char *to, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_hold_valuation_row_json(const wh_rows *rows, size_t i);
json_t *wh_hold_balance_row_json(const wh_rows *rows, size_t i);
json_t *wh_hold_dated_json(const wh_hold_dated *d);

/* ---- figures (holdings_store.c) ---- */
/* Cash (active accounts' latest balances dated day or earlier), the value of the assets held
 * on day, the number of active accounts and of assets held, of venture_id. */
WH_MUST_USE wh_err wh_hold_figures_of(wh_conn *c, wh_arena *a, int64_t venture_id, const char *day,
                                      wh_hold_figures *out, wh_error *e);
/* The HOLDINGS dashboard figures {as_of, cash_cents, asset_value_cents, bank_accounts,
 * assets} of venture_id as of day. */
WH_MUST_USE wh_err wh_hold_figures_json(wh_conn *c, wh_arena *a, int64_t venture_id,
                                        const char *day, json_t **out, wh_error *e);

struct wh_route;
/* The /holdings routes. */
const struct wh_route *wh_holdings_routes(size_t *n);

#endif
