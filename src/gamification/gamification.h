/* Gamification (DOMAIN.md §6): per-venture configuration, point events and balances, the
 * leaderboard, manual awards, and the subscriber that turns the domain events of the business
 * modules into points.
 *
 * Exactly once: an event row is unique per (venture, idempotency key); it is inserted with
 * ON CONFLICT DO NOTHING, and the balance of (user, venture) grows only when a row was
 * inserted, in the same transaction, which is the transaction of the business change that
 * published the trigger. A retried, replayed or concurrent change therefore awards once.
 *
 * gamification_rules.c is pure (default points, event types, ranking); gamification_store.c is
 * SQL only (and the award step, which is a sequence of SQL statements in the caller's
 * transaction); gamification_routes.c is HTTP only. Everything is thread-safe. */
#ifndef WH_GAMIFICATION_GAMIFICATION_H
#define WH_GAMIFICATION_GAMIFICATION_H

#include "auth/auth.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "events/events.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest event type: [A-Z][A-Z0-9_]{0,49}. */
#define WH_GAMIFICATION_TYPE_CHARS 50
/* Longest idempotency key of a manual award, as the client sends it. */
#define WH_GAMIFICATION_KEY_CHARS 200
/* Prefix of every manual award's stored key: manual keys live in a namespace of their own, so a
 * manual award can never take a key a trigger will use (eod:{id}, load_delivered:{id}, ...). */
#define WH_GAMIFICATION_MANUAL_PREFIX "manual:"
/* Largest number of points one event or one override may carry. */
#define WH_GAMIFICATION_POINTS_MAX 1000000
/* Most point overrides in one venture's configuration. */
#define WH_GAMIFICATION_OVERRIDES_MAX 64

/* One point event (API.md "Gamification"). */
typedef struct {
    int64_t id, user_id, venture_id;
    int64_t office_id; /* 0 when none */
    const char *event_type;
    int64_t points;
    const char *idempotency_key;
    const char *day; /* business day of the event */
    int64_t created_at;
} wh_gami_event;

/* A venture's configuration: enabled, and the overrides (arena arrays of n entries). */
typedef struct {
    int64_t venture_id;
    bool enabled;
    bool stored; /* a row exists (false: the defaults) */
    size_t n;
    const char **types;
    int64_t *points;
} wh_gami_config;

/* What an award attempt did. */
typedef enum {
    WH_GAMI_AWARDED,    /* a new event, the balance grew */
    WH_GAMI_EXISTS,     /* (venture, key) was already awarded: out is that event */
    WH_GAMI_DISABLED,   /* gamification is off for the venture: nothing written */
    WH_GAMI_NOT_MEMBER, /* the recipient is neither a member nor an all-venture role */
    WH_GAMI_NO_POINTS,  /* no points given and the type has neither override nor default */
    WH_GAMI_KEY_TAKEN,  /* (venture, key) holds an event of another user or type: out is it */
} wh_gami_outcome;

/* An award to make: points < 0 means "the configured or default points of the type". */
typedef struct {
    int64_t user_id, venture_id, office_id; /* office 0: none */
    const char *event_type, *key, *day;
    int64_t points;
    int64_t awarded_by; /* 0: a trigger */
    int64_t at_ms;
} wh_gami_award;

/* Filters of GET /gamification/events; 0 means "any". */
typedef struct {
    int64_t venture_id, user_id;
    bool own_only; /* only the caller's own events (wh_gami_sees_venture_events false) */
} wh_gami_filter;

/* Filters of the leaderboard; office 0 and "" days mean "any". */
typedef struct {
    int64_t venture_id, office_id;
    const char *from, *to;
    int limit;
} wh_gami_board_filter;

typedef struct {
    int64_t rank, user_id, points;
    const char *full_name;
} wh_gami_board_row;

/* ---- rules (pure) ---- */
/* The default points of a built-in event type; false for any other type. */
bool wh_gami_default_points(const char *type, int64_t *points);
/* The built-in types, NULL-terminated, in DOMAIN.md §6 order. */
extern const char *const wh_gami_builtin_types[];
/* Is s an event type ([A-Z][A-Z0-9_]{0,49})? */
bool wh_gami_type_valid(const char *s);
/* The points of type under cfg: the override, else the default; false when neither. */
bool wh_gami_points_of(const wh_gami_config *cfg, const char *type, int64_t *points);
/* Competition ranking (1, 1, 3) of points sorted highest first: rank[i] for each of n rows. */
void wh_gami_rank(const int64_t *points, size_t n, int64_t *rank);
/* May role read every event of the ventures in its scope (leadership or gamification.config)?
 * Otherwise GET /gamification/events lists only the caller's own events. */
bool wh_gami_sees_venture_events(wh_role role);
/* The route-table rule of GET /gamification/events (gamification_rules.c). */
extern const wh_rule wh_gami_rule_own_events;
/* The stored key of a manual award: WH_GAMIFICATION_MANUAL_PREFIX + key, in a. */
const char *wh_gami_manual_key(wh_arena *a, const char *key);
/* The effective points map (defaults with the overrides) as a JSON object. New reference. */
json_t *wh_gami_points_json(const wh_gami_config *cfg);

/* ---- store (SQL; writes need c inside a transaction) ---- */
/* The venture's configuration (the defaults when it has no row). */
WH_MUST_USE wh_err wh_gami_config_get(wh_conn *c, wh_arena *a, int64_t venture_id,
                                      wh_gami_config *out, wh_error *e);
/* Replaces the configuration of cfg->venture_id (enabled and the whole override set);
 * *created tells whether the row is new. */
WH_MUST_USE wh_err wh_gami_config_put(wh_conn *c, wh_arena *a, const wh_gami_config *cfg,
                                      int64_t now_ms, bool *created, wh_error *e);
/* The award step in the caller's transaction: config, recipient, event insert (ON CONFLICT
 * DO NOTHING) and, only for a new row, the balance. out gets the new or existing event; an
 * existing event of another user or event type is WH_GAMI_KEY_TAKEN (nothing written). */
WH_MUST_USE wh_err wh_gami_award_apply(wh_conn *c, wh_arena *a, const wh_gami_award *aw,
                                       wh_gami_event *out, wh_gami_outcome *outcome, wh_error *e);
/* The wh_events subscriber: every domain event becomes an award; a disabled venture or a
 * recipient who is not a member is skipped without error. ctx is unused. */
WH_MUST_USE wh_err wh_gami_on_event(wh_conn *c, wh_arena *a, const wh_event *ev, void *ctx,
                                    wh_error *e);
/* The page ks (WH_KEY_INT: created_at, column 8) of the events in p's scope matching f (only
 * p's own when f->own_only), newest first by (created_at, id); rows render with
 * wh_gami_event_row_json. */
void wh_gami_event_list_sql(const wh_principal *p, const wh_gami_filter *f, const wh_keyset *ks,
                            wh_sqlb *b);
json_t *wh_gami_event_row_json(const wh_rows *rows, size_t i);
/* Rows (venture_id, points) of user_id's balances in p's scope, by venture id. */
WH_MUST_USE wh_err wh_gami_balance_rows(wh_conn *c, wh_arena *a, const wh_principal *p,
                                        int64_t user_id, wh_rows **out, wh_error *e);
/* May p see user_id's balance: the user exists and p sees every venture, or the user is an
 * all-venture role, or a member of a venture in p's scope. */
WH_MUST_USE wh_err wh_gami_user_visible(wh_conn *c, wh_arena *a, const wh_principal *p,
                                        int64_t user_id, bool *yes, wh_error *e);
/* The leaderboard rows of f (venture in p's scope), highest points first, ranked. */
WH_MUST_USE wh_err wh_gami_board(wh_conn *c, wh_arena *a, const wh_principal *p,
                                 const wh_gami_board_filter *f, wh_gami_board_row **out, size_t *n,
                                 wh_error *e);
/* The API shape of an event. New reference. */
json_t *wh_gami_event_json(const wh_gami_event *ev);
/* {venture_id, enabled, points}. New reference. */
json_t *wh_gami_config_json(const wh_gami_config *cfg);

struct wh_route;
/* GET|PUT config, GET events, balance, leaderboard, POST awards. */
const struct wh_route *wh_gamification_routes(size_t *n);

#endif
