/* Hospitality (DOMAIN.md §4): hotels, their daily entries with the derived figures (occupancy,
 * ADR, RevPAR, high-loss flag), guest reviews with a one-time response, and chargeback
 * disputes.
 *
 * Every row is venture-scoped and carries the hotel's venture id. Store functions
 * (hotels_store.c) are SQL only; the ones that read by id or list take the caller's principal
 * and filter by scope in SQL, so a row outside the scope is "not found". The derived figures and
 * the daily-entry rules are pure functions (hotels_rules.c). Routes (hotels_routes.c) validate,
 * call the store inside one transaction with the audit entry and the domain event, and render.
 * Strings of the structs below are borrowed (from the request arena or the JSON input). */
#ifndef WH_HOTELS_HOTELS_H
#define WH_HOTELS_HOTELS_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Most rooms of a hotel, and most rooms available or sold on a day. */
#define WH_HOTELS_ROOMS_MAX 100000
/* Largest amount in cents of any money field (10^14 cents, $1 trillion): keeps every derived
 * computation (at most 10^14 * 10^4) below int64 overflow. */
#define WH_HOTELS_CENTS_MAX 100000000000000LL
/* Characters of a review's text, of its response and of a dispute's resolution note. */
#define WH_HOTELS_TEXT_CHARS 10000
/* Characters of a dispute's type and channel (free labels, e.g. CHARGEBACK / VISA). */
#define WH_HOTELS_LABEL_CHARS 50
/* High loss: lost dues of at least this many cents, or of at least this share (basis points)
 * of the day's room revenue. */
#define WH_HOTELS_HIGH_LOSS_CENTS 50000
#define WH_HOTELS_HIGH_LOSS_BP    1000
/* Key of the transaction lock that serialises daily-entry upserts of one hotel (+ hotel id). */
#define WH_HOTELS_DAILY_LOCK_BASE 0x5748440000000000LL /* "WH" "D" */

/* The allowed values, NULL-terminated. */
extern const char *const wh_hotel_statuses[];
extern const char *const wh_hotel_review_sources[];
extern const char *const wh_hotel_dispute_statuses[];

typedef struct {
    int64_t id, venture_id, rooms;
    const char *name, *code, *city, *state, *status; /* city, state may be NULL */
} wh_hotel;

/* Fields of a create or update. On update NULL / 0 / has_* false leave a field unchanged;
 * has_city with city NULL clears it (same for state). */
typedef struct {
    int64_t venture_id, rooms;
    const char *name, *code, *status;
    bool has_city, has_state;
    const char *city, *state;
} wh_hotel_input;

/* One day of one hotel. id is internal (the audit entity id); it is not rendered. */
typedef struct {
    int64_t id, hotel_id, venture_id;
    const char *date; /* YYYY-MM-DD */
    int64_t rooms_sold, rooms_available;
    int64_t room_revenue_cents, other_revenue_cents;
    int64_t cash_cents, credit_cents, online_cents, refund_cents, lost_dues_cents;
} wh_hotel_daily;

/* The derived figures of a daily entry. */
typedef struct {
    int64_t occupancy_bp;
    bool has_adr; /* false when no room was sold: adr_cents renders as null */
    int64_t adr_cents;
    int64_t revpar_cents;
    bool high_loss;
} wh_hotel_figures;

typedef struct {
    int64_t id, hotel_id, venture_id, rating;
    const char *source, *text, *review_date; /* text may be NULL */
    const char *response_text;               /* NULL until answered */
    int64_t responded_by, responded_at;      /* 0 until answered */
} wh_hotel_review;

typedef struct {
    int64_t id, hotel_id, venture_id, amount_cents;
    const char *type, *channel, *status, *resolution_note; /* channel, note may be NULL */
    int64_t owner_id;                                      /* 0: no owner */
    const char *opened_on; /* the day the chargeback was opened (YYYY-MM-DD, not after today) */
} wh_hotel_dispute;

/* A dispute PATCH: has_* false leaves the field unchanged; owner_id 0 / note NULL clear it;
 * opened_on NULL leaves it unchanged. */
typedef struct {
    bool has_status, has_owner, has_note;
    const char *status;
    int64_t owner_id;
    const char *note;
    const char *opened_on;
} wh_hotel_dispute_patch;

/* What the store knows about a would-be dispute owner. */
typedef struct {
    bool exists, active, member; /* member: of the venture in question */
    const char *role;
} wh_hotel_owner_facts;

/* ---- rules (pure, thread-safe) ---- */

/* num / den rounded half away from zero to a whole unit; den must not be 0, neither may be
 * INT64_MIN. */
int64_t wh_hotel_div_round(int64_t num, int64_t den);
/* The derived figures of d: occupancy_bp = sold * 10000 / available, adr = room revenue / sold
 * (none when nothing sold), revpar = room revenue / available, each rounded half away from
 * zero; high_loss when lost dues > 0 and (>= WH_HOTELS_HIGH_LOSS_CENTS or >= 10% of room
 * revenue). d->rooms_available must be > 0. */
void wh_hotel_daily_derive(const wh_hotel_daily *d, wh_hotel_figures *out);
/* The cross-field rules of an entry whose fields are each in range: rooms_sold <=
 * rooms_available. Adds a field error to e for each violation; false when any. */
bool wh_hotel_daily_check(const wh_hotel_daily *d, wh_error *e);
/* May a user with these facts own a dispute of the venture? Active, and a member of it or of an
 * all-venture role. */
bool wh_hotel_owner_eligible(const wh_hotel_owner_facts *f);
/* True for WON, LOST and CLOSED_NO_ACTION. */
bool wh_hotel_dispute_resolved(const char *status);

/* ---- hotels ---- */

/* 409 conflict when the code is taken (codes are unique whatever their case). */
WH_MUST_USE wh_err wh_hotel_create(wh_conn *c, wh_arena *a, const wh_hotel_input *in,
                                   int64_t now_ms, wh_hotel *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_hotel_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                wh_hotel *out, wh_error *e);
WH_MUST_USE wh_err wh_hotel_update(wh_conn *c, wh_arena *a, int64_t id, const wh_hotel_input *in,
                                   int64_t now_ms, wh_hotel *out, wh_error *e);
/* The page ks of the hotels in scope (of venture_id unless 0), newest first (id descending);
 * rows render with wh_hotel_row_json. */
void wh_hotel_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_hotel_row_json(const wh_rows *rows, size_t i);
json_t *wh_hotel_json(const wh_hotel *h);

/* ---- daily entries ---- */

/* Takes the transaction lock of the hotel's daily entries (inside an open transaction). */
WH_MUST_USE wh_err wh_hotel_daily_lock(wh_conn *c, int64_t hotel_id, wh_error *e);
/* The entry of (hotel, date); *found false when there is none. */
WH_MUST_USE wh_err wh_hotel_daily_find(wh_conn *c, wh_arena *a, int64_t hotel_id, const char *date,
                                       wh_hotel_daily *out, bool *found, wh_error *e);
/* Inserts or replaces the entry of (d->hotel_id, d->date). */
WH_MUST_USE wh_err wh_hotel_daily_upsert(wh_conn *c, wh_arena *a, const wh_hotel_daily *d,
                                         int64_t now_ms, wh_hotel_daily *out, wh_error *e);
/* The page ks (WH_KEY_TEXT: the date) of a hotel's entries in scope with from <= date <= to
 * (either may be NULL), newest date first. The date is unique within a hotel, and the list's
 * cursors carry the hotel's id (columns: date 3, hotel_id 1), so it is ordered by
 * (date, hotel_id); rows render with wh_hotel_daily_row_json. */
void wh_hotel_daily_list_sql(const wh_principal *p, int64_t hotel_id, const char *from,
                             const char *to, const wh_keyset *ks, wh_sqlb *b);
json_t *wh_hotel_daily_row_json(const wh_rows *rows, size_t i);
/* The entry with its derived figures. */
json_t *wh_hotel_daily_json(const wh_hotel_daily *d);

/* ---- reviews ---- */

WH_MUST_USE wh_err wh_hotel_review_create(wh_conn *c, wh_arena *a, const wh_hotel_review *in,
                                          int64_t now_ms, wh_hotel_review *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_hotel_review_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                       wh_hotel_review *out, wh_error *e);
/* Records the response unless the review already has one: 409 conflict then. */
WH_MUST_USE wh_err wh_hotel_review_respond(wh_conn *c, wh_arena *a, int64_t id, const char *text,
                                           int64_t user_id, int64_t now_ms, wh_hotel_review *out,
                                           wh_error *e);
/* The page ks (WH_KEY_TEXT: review_date, column 6) of a hotel's reviews in scope, newest
 * first by (review_date, id); rows render with wh_hotel_review_row_json. */
void wh_hotel_review_list_sql(const wh_principal *p, int64_t hotel_id, const wh_keyset *ks,
                              wh_sqlb *b);
json_t *wh_hotel_review_row_json(const wh_rows *rows, size_t i);
json_t *wh_hotel_review_json(const wh_hotel_review *v);

/* ---- disputes ---- */

/* Creates an OPEN dispute. */
WH_MUST_USE wh_err wh_hotel_dispute_create(wh_conn *c, wh_arena *a, const wh_hotel_dispute *in,
                                           int64_t now_ms, wh_hotel_dispute *out, wh_error *e);
/* 404 when missing or outside p's scope. */
WH_MUST_USE wh_err wh_hotel_dispute_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                                        wh_hotel_dispute *out, wh_error *e);
WH_MUST_USE wh_err wh_hotel_dispute_update(wh_conn *c, wh_arena *a, int64_t id,
                                           const wh_hotel_dispute_patch *in, int64_t now_ms,
                                           wh_hotel_dispute *out, wh_error *e);
/* The page ks of a hotel's disputes in scope, newest first (id descending); rows render with
 * wh_hotel_dispute_row_json. */
void wh_hotel_dispute_list_sql(const wh_principal *p, int64_t hotel_id, const wh_keyset *ks,
                               wh_sqlb *b);
json_t *wh_hotel_dispute_row_json(const wh_rows *rows, size_t i);
/* Facts about user_id as a possible owner of a dispute of venture_id. */
WH_MUST_USE wh_err wh_hotel_owner_facts_get(wh_conn *c, wh_arena *a, int64_t venture_id,
                                            int64_t user_id, wh_hotel_owner_facts *out,
                                            wh_error *e);
json_t *wh_hotel_dispute_json(const wh_hotel_dispute *d);

struct wh_route;
/* Every route of API.md "Hospitality". */
const struct wh_route *wh_hotels_routes(size_t *n);

#endif
