/* Freight: the shared carrier directory, and the venture-scoped shippers and loads.
 *
 * Carriers are not venture-scoped: every freight role of any venture reads the one directory.
 * Their FMCSA fields are written only from FMCSA answers, never from client input.
 *
 * Shippers and loads belong to one venture each. Every store read takes the caller's scope
 * and filters in SQL (WH_SCOPE_SQL), so a row outside the scope is exactly a missing row. The
 * load status machine and the margin arithmetic are pure functions (loads_rules.c) that take
 * the business day as a parameter. Strings of the structs below are borrowed: from the
 * request's arena (rows) or its JSON body (input). */
#ifndef WH_FREIGHT_FREIGHT_H
#define WH_FREIGHT_FREIGHT_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "integrations/integrations.h"

#include <jansson.h>

typedef struct {
    int64_t id;
    const char *name, *legal_name, *dba_name, *dot_number, *mc_number;
    const char *phone, *email, *city, *state, *safety_rating;
    bool has_power_units, has_drivers;
    int64_t power_units, drivers;
    const char *fmcsa_status;
    bool fmcsa_authorized;
    int64_t fmcsa_checked_at; /* 0: never */
    const char *fmcsa_error;
    bool blocked;
    const char *source;       /* FMCSA (onboarded by lookup) or MANUAL (entered or imported) */
    const char *verification; /* VERIFIED, PENDING or NOT_FOUND (DOMAIN-wave2 §14) */
} wh_carrier;

/* A carrier entered by hand (POST /carriers/manual): numbers are digit strings without leading
 * zeros; every other field may be NULL. */
typedef struct {
    const char *dot_number, *mc_number, *legal_name, *dba_name, *phone, *email, *city, *state;
} wh_carrier_manual;

/* Contact fields and the blocked flag; NULL / has_blocked false leave a field unchanged. */
typedef struct {
    const char *phone, *email;
    bool has_blocked, blocked;
} wh_carrier_patch_input;

/* Finds a carrier by DOT or MC number (either may be NULL). */
WH_MUST_USE wh_err wh_carrier_find_number(wh_conn *c, wh_arena *a, const char *dot, const char *mc,
                                          wh_carrier *out, bool *found, wh_error *e);
/* Inserts a MANUAL, PENDING carrier (fmcsa_status UNKNOWN, never checked); 409 when its DOT or
 * MC number is known. */
WH_MUST_USE wh_err wh_carrier_insert_manual(wh_conn *c, wh_arena *a, const wh_carrier_manual *in,
                                            int64_t now_ms, wh_carrier *out, wh_error *e);
/* Inserts a carrier from an FMCSA answer checked at now_ms; 409 when its number is known. */
WH_MUST_USE wh_err wh_carrier_insert(wh_conn *c, wh_arena *a, const wh_fmcsa_carrier *f,
                                     int64_t now_ms, wh_carrier *out, wh_error *e);
WH_MUST_USE wh_err wh_carrier_get(wh_conn *c, wh_arena *a, int64_t id, wh_carrier *out,
                                  wh_error *e);
/* Replaces the FMCSA fields with a fresh answer, marks the carrier VERIFIED and clears the
 * error; a MANUAL carrier keeps the phone and e-mail entered by hand. */
WH_MUST_USE wh_err wh_carrier_apply_fmcsa(wh_conn *c, wh_arena *a, int64_t id,
                                          const wh_fmcsa_carrier *f, int64_t now_ms,
                                          wh_carrier *out, wh_error *e);
/* Records a failed check: the last known status stays, the error and its time are kept. */
WH_MUST_USE wh_err wh_carrier_record_error(wh_conn *c, wh_arena *a, int64_t id, const char *error,
                                           int64_t now_ms, wh_carrier *out, wh_error *e);
/* Stores the outcome of one FMCSA lookup of `before` (POST /carriers/{id}/fmcsa-refresh and
 * fmcsa_sync alike, DOMAIN-wave2 §14): lookup_error set: a failed call, recorded beside the last
 * known status (a PENDING carrier stays PENDING); else found: the answer f (VERIFIED); else an
 * unknown DOT number: a PENDING or NOT_FOUND carrier becomes NOT_FOUND, checked now, with the
 * error saying so, while a VERIFIED one keeps its status and records the error. */
WH_MUST_USE wh_err wh_carrier_store_lookup(wh_conn *c, wh_arena *a, const wh_carrier *before,
                                           const char *lookup_error, bool found,
                                           const wh_fmcsa_carrier *f, int64_t now_ms,
                                           wh_carrier *out, wh_error *e);
/* True when a lookup (as given to wh_carrier_store_lookup) counts as a failed check: the call
 * failed, or FMCSA no longer knows a VERIFIED carrier. NOT_FOUND is an answer, not a failure. */
bool wh_carrier_lookup_failed(const wh_carrier *before, const char *lookup_error, bool found);
WH_MUST_USE wh_err wh_carrier_patch(wh_conn *c, wh_arena *a, int64_t id,
                                    const wh_carrier_patch_input *in, int64_t now_ms,
                                    wh_carrier *out, wh_error *e);
/* The statement of a page of carriers by (name, id) ascending, filtered by q (a LIKE pattern,
 * wh_str_like_pattern, on lower-cased name, legal name, DBA name, DOT or MC number; NULL or "":
 * any), by FMCSA status and by verification (NULL: any); rows render with wh_carrier_row_json. */
void wh_carrier_list_sql(const char *q, const char *status, const char *verification,
                         const wh_keyset *ks, wh_sqlb *b);
json_t *wh_carrier_row_json(const wh_rows *rows, size_t i);
/* Ids of the carriers fmcsa_sync looks up, ascending, above after_id, at most limit: with
 * pending, every PENDING carrier; else those (not PENDING) whose last FMCSA check is older than
 * checked_before (ms). */
WH_MUST_USE wh_err wh_carrier_list_due(wh_conn *c, wh_arena *a, bool pending,
                                       int64_t checked_before, int64_t after_id, int limit,
                                       int64_t **ids, size_t *n, wh_error *e);
/* True when anyone may assign the carrier to a load: not blocked, VERIFIED and ACTIVE. */
bool wh_carrier_assignable(const wh_carrier *c);
/* True when the carrier is not blocked and PENDING: assignable by carriers.assign_pending with a
 * reason (DOMAIN-wave2 §14). */
bool wh_carrier_pending(const wh_carrier *c);
json_t *wh_carrier_json(const wh_carrier *c);

/* Field limits of shippers and loads (module-local, beside the shared ones of core/limits.h). */
/* Characters of a load's reference, cities, states and equipment. */
#define WH_FREIGHT_TEXT_CHARS 100
/* Characters of a lost reason. */
#define WH_FREIGHT_LOST_REASON_CHARS 1000
/* Digits of a DOT or MC number entered by hand (DOMAIN-wave2 §14). */
#define WH_FREIGHT_MANUAL_DIGITS 8
/* Characters of a shipper's phone number. */
#define WH_FREIGHT_PHONE_CHARS 50
/* Largest bill or cost in cents (USD 100 bn): margin x 10000 stays far inside int64. */
#define WH_FREIGHT_CENTS_MAX 10000000000000LL
/* Largest weight in pounds and distance in miles of a load. */
#define WH_FREIGHT_QUANTITY_MAX 1000000000LL

/* Shippers: per venture, code unique within the venture (stored upper-case). */
typedef struct {
    int64_t id, venture_id;
    const char *name, *code;
    const char *contact_name, *email, *phone; /* NULL when unknown */
    bool active;
} wh_shipper;

/* Inserts s (id ignored); 409 conflict when the venture already has the code. */
WH_MUST_USE wh_err wh_shipper_create(wh_conn *c, wh_arena *a, const wh_shipper *s, int64_t now_ms,
                                     wh_shipper *out, wh_error *e);
/* The shipper with id inside p's scope, 404 otherwise. With lock the row is locked for the rest
 * of the open transaction (a no-op UPDATE, the same SQL on both engines), so a read-modify-write
 * cannot lose a concurrent change. */
WH_MUST_USE wh_err wh_shipper_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                  bool lock, wh_shipper *out, wh_error *e);
/* Writes every writable field of s (by s->id); 409 conflict on a taken code. */
WH_MUST_USE wh_err wh_shipper_update(wh_conn *c, wh_arena *a, const wh_shipper *s, int64_t now_ms,
                                     wh_shipper *out, wh_error *e);
/* The statement of a page of shippers in p's scope, newest first (id descending), of one
 * venture unless venture_id is 0; rows render with wh_shipper_row_json. */
void wh_shipper_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks,
                         wh_sqlb *b);
json_t *wh_shipper_row_json(const wh_rows *rows, size_t i);
/* *yes when shipper id exists and belongs to venture_id. */
WH_MUST_USE wh_err wh_shipper_in_venture(wh_conn *c, wh_arena *a, int64_t id, int64_t venture_id,
                                         bool *yes, wh_error *e);
json_t *wh_shipper_json(const wh_shipper *s);

/* Load statuses (DOMAIN.md §2), NULL-terminated. */
#define WH_LOAD_OPEN       "OPEN"
#define WH_LOAD_WORKING    "WORKING"
#define WH_LOAD_QUOTED     "QUOTED"
#define WH_LOAD_AT_RISK    "AT_RISK"
#define WH_LOAD_COVERED    "COVERED"
#define WH_LOAD_IN_TRANSIT "IN_TRANSIT"
#define WH_LOAD_DELIVERED  "DELIVERED"
#define WH_LOAD_LOST       "LOST"
#define WH_LOAD_FELL_OFF   "FELL_OFF"
#define WH_LOAD_DORMANT    "DORMANT"
extern const char *const wh_load_statuses[];

/* A load. Ids are 0 and dates/texts NULL when absent; has_* tell whether a number is set. */
typedef struct {
    int64_t id, venture_id, office_id, shipper_id, carrier_id, created_by;
    int64_t dispatcher_id; /* 0: none */
    const char *reference, *equipment;
    const char *pickup_city, *pickup_state, *pickup_date; /* date YYYY-MM-DD */
    const char *drop_city, *drop_state, *drop_date;
    bool has_weight_lbs, has_miles, has_bill_cents, has_cost_cents;
    int64_t weight_lbs, miles, bill_cents, cost_cents;
    const char *status, *billing_date, *lost_reason;
    const char *lost_reason_code; /* one of wh_load_lost_codes while LOST, else NULL */
    int64_t created_at, updated_at;
} wh_load;

/* The codes of a lost load (DOMAIN-wave2 §2), NULL-terminated; OTHER is the default. */
extern const char *const wh_load_lost_codes[];
/* Characters of a reason for assigning a PENDING carrier, after trimming. */
#define WH_FREIGHT_PENDING_REASON_MIN 10
#define WH_FREIGHT_PENDING_REASON_MAX 500

/* Inserts l as a new OPEN load created at now_ms on business day `day` (id, status, carrier,
 * billing date, lost reason and timestamps of l are ignored), with its first status change
 * (NULL -> OPEN). Call it inside a transaction, so the two rows commit together. */
WH_MUST_USE wh_err wh_load_create(wh_conn *c, wh_arena *a, const wh_load *l, int64_t now_ms,
                                  const char *day, wh_load *out, wh_error *e);
/* Records that load l (as stored after the change) entered its status from `from` (NULL: it was
 * just created) at now_ms on business day `day` (load_status_changes, read by the freight KPIs).
 * Call it in the transaction of the change, and only for a real change: same -> same is none. */
WH_MUST_USE wh_err wh_load_status_record(wh_conn *c, wh_arena *a, const wh_load *l,
                                         const char *from, int64_t now_ms, const char *day,
                                         wh_error *e);
/* The statement of a page of the status changes of load_id, oldest first (id ascending); rows
 * render with wh_load_change_row_json ({from_status, to_status, at, day}). The caller checks the
 * load's scope. */
void wh_load_history_sql(int64_t load_id, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_load_change_row_json(const wh_rows *rows, size_t i);
/* The load with id inside p's scope, 404 otherwise; lock as for wh_shipper_get. */
WH_MUST_USE wh_err wh_load_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                               bool lock, wh_load *out, wh_error *e);
/* Writes every mutable column of l (by l->id): the writable fields and status, carrier,
 * billing date and lost reason. Call it on a row locked by wh_load_get. */
WH_MUST_USE wh_err wh_load_update(wh_conn *c, wh_arena *a, const wh_load *l, int64_t now_ms,
                                  wh_load *out, wh_error *e);

/* Filters of the load list; 0 / NULL mean "any". from / to bound the business day of
 * created_at; reference_like is a LIKE pattern on the lower-cased reference
 * (wh_str_like_pattern). */
typedef struct {
    int64_t venture_id, office_id, shipper_id, carrier_id, created_by, dispatcher_id;
    const char *status, *from, *to, *reference_like;
} wh_load_filter;

/* The statement of a page of loads in p's scope, newest first ((created_at, id) descending, the
 * keyset's key being created_at): only the conditions f uses, the seek in the order of the
 * indexes (filter column, created_at, id). Rows render with wh_load_row_json. */
void wh_load_list_sql(const wh_principal *p, const wh_load_filter *f, const wh_keyset *ks,
                      wh_sqlb *b);
json_t *wh_load_row_json(const wh_rows *rows, size_t i);
/* A load as JSON: its text into b (the one renderer, what list pages send), the row's text, and
 * that text as an object (never NULL). */
WH_MUST_USE wh_err wh_load_text(const wh_load *l, wh_buf *b);
WH_MUST_USE wh_err wh_load_row_text(const wh_rows *rows, size_t i, wh_buf *b);
json_t *wh_load_json(const wh_load *l);

/* ---- loads_rules.c: pure logic, no I/O ---- */

/* The static status name equal to s; NULL when s is not a status. */
const char *wh_load_status_find(const char *s);
/* True when the status machine allows from -> to. Same -> same is not a move (false): callers
 * treat it as a no-op before asking. */
bool wh_load_transition_allowed(const char *from, const char *to);

/* margin_cents = bill - cost, a missing value counting 0; margin_bp = margin x 10000 / bill
 * with C integer division (truncated toward zero: 1/3 is 3333, -1/3 is -3333), undefined
 * (has_bp false, rendered null) when bill is 0 or missing. */
typedef struct {
    int64_t margin_cents;
    bool has_bp;
    int64_t margin_bp;
} wh_load_margin;
wh_load_margin wh_load_margin_of(const wh_load *l);

/* A requested status change (POST /loads/{id}/status). */
typedef struct {
    const char *status;           /* the target, one of wh_load_statuses */
    int64_t carrier_id;           /* 0: not given */
    const char *billing_date;     /* NULL: not given */
    const char *lost_reason;      /* NULL: not given */
    const char *lost_reason_code; /* NULL: not given (OTHER) */
    const char *pending_reason;   /* pending_carrier_reason, trimmed; NULL: not given */
    int64_t actor_id;             /* the caller: the dispatcher of a load covered without one */
    bool may_assign_pending;      /* the caller holds carriers.assign_pending */
} wh_load_move;

/* The carrier a move would assign: for a move to COVERED the given carrier, else the load's
 * current one; 0 when there is none or the move is not to COVERED. */
int64_t wh_load_move_carrier_id(const wh_load *l, const wh_load_move *m);
/* Applies m to l in place. carrier: the carrier of wh_load_move_carrier_id, NULL when that is 0
 * or no such carrier exists. today: the business day (YYYY-MM-DD). In order:
 *   400 validation_failed: carrier_id or pending_carrier_reason without COVERED, billing_date
 *       without DELIVERED, lost_reason or lost_reason_code without LOST, a billing_date after
 *       today;
 *   same -> same: *noop, l unchanged, WH_OK;
 *   409 invalid_transition: a move the machine forbids;
 *   400 validation_failed: COVERED without a carrier or with an unknown one;
 *   the assignment rule of DOMAIN-wave2 §14: a carrier neither assignable nor PENDING, or
 *       PENDING without may_assign_pending: 422 carrier_blocked; PENDING with it but without a
 *       reason: 400 on pending_carrier_reason.
 * Effects: COVERED assigns the carrier and, when the load has no dispatcher, makes the actor its
 * dispatcher; DELIVERED sets billing_date (given, else today); LOST records lost_reason and
 * lost_reason_code (given, else OTHER); FELL_OFF clears the carrier (it fell off the load). */
WH_MUST_USE wh_err wh_load_move_apply(wh_load *l, const wh_load_move *m, const wh_carrier *carrier,
                                      const char *today, bool *noop, wh_error *e);

struct wh_route;
const struct wh_route *wh_carriers_routes(size_t *n);
/* GET|POST /loads, GET|PATCH /loads/{id}, POST /loads/{id}/status. */
const struct wh_route *wh_loads_routes(size_t *n);
/* GET|POST /shippers, GET|PATCH /shippers/{id}. */
const struct wh_route *wh_shippers_routes(size_t *n);

#endif
