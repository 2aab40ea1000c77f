/* SQL of gamification. Invariants: an event row is unique per (venture_id, idempotency_key);
 * a balance row (user, venture) always equals the sum of that user's event points in that
 * venture, because it only grows in the statement after an event row was inserted, in the same
 * transaction. Every read filters by the caller's scope in WHERE. */
#include "gamification/gamification.h"
#include "core/json.h"

#include <string.h>

/* The one column list of gamification_events, unqualified: the same for SELECT and RETURNING
 * (which may not name an alias on SQLite), so the table is never aliased where it is used. */
#define EVENT_COLS                                                                                 \
    "id, user_id, venture_id, office_id, event_type, points, idempotency_key, event_day,"          \
    " created_at"

static void event_row(const wh_rows *r, size_t i, wh_gami_event *out)
{
    WH_ROWS_READ(r, i, WH_CELL(&out->id), WH_CELL(&out->user_id), WH_CELL(&out->venture_id),
                 WH_CELL(&out->office_id), WH_CELL(&out->event_type), WH_CELL(&out->points),
                 WH_CELL(&out->idempotency_key), WH_CELL(&out->day), WH_CELL(&out->created_at));
}

static wh_param opt_id(int64_t id)
{
    return id ? WH_PI(id) : WH_PN;
}

/* ---------------------------------------------------------------- configuration */

wh_err wh_gami_config_get(wh_conn *c, wh_arena *a, int64_t venture_id, wh_gami_config *out,
                          wh_error *e)
{
    wh_rows *r = NULL, *o = NULL;
    memset(out, 0, sizeof *out);
    out->venture_id = venture_id;
    out->enabled = true;
    wh_err rc = wh_db_query(c, a, "SELECT enabled FROM gamification_configs WHERE venture_id = $1",
                            WH_ARGS(WH_PI(venture_id)), &r, e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a,
                         "SELECT event_type, points FROM gamification_points WHERE venture_id = $1"
                         " ORDER BY event_type",
                         WH_ARGS(WH_PI(venture_id)), &o, e);
    if (rc != WH_OK)
        return rc;
    out->stored = wh_rows_count(r) == 1;
    out->enabled = !out->stored || wh_rows_bool(r, 0, 0);
    out->n = wh_rows_count(o);
    out->types = wh_arena_alloc(a, sizeof *out->types * (out->n + 1));
    out->points = wh_arena_alloc(a, sizeof *out->points * (out->n + 1));
    for (size_t i = 0; i < out->n; i++) {
        out->types[i] = wh_rows_text(o, i, 0);
        out->points[i] = wh_rows_int(o, i, 1);
    }
    return WH_OK;
}

wh_err wh_gami_config_put(wh_conn *c, wh_arena *a, const wh_gami_config *cfg, int64_t now_ms,
                          bool *created, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a, "SELECT 1 FROM gamification_configs WHERE venture_id = $1",
                            WH_ARGS(WH_PI(cfg->venture_id)), &r, e);
    *created = rc == WH_OK && wh_rows_count(r) == 0;
    if (rc == WH_OK)
        rc = wh_db_query(c, a,
                         "INSERT INTO gamification_configs (venture_id, enabled, created_at,"
                         " updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (venture_id) DO UPDATE"
                         " SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                         WH_ARGS(WH_PI(cfg->venture_id), WH_PB(cfg->enabled), WH_PI(now_ms)), NULL,
                         e);
    if (rc == WH_OK)
        rc = wh_db_query(c, a, "DELETE FROM gamification_points WHERE venture_id = $1",
                         WH_ARGS(WH_PI(cfg->venture_id)), NULL, e);
    for (size_t i = 0; rc == WH_OK && i < cfg->n; i++)
        rc = wh_db_query(
            c, a,
            "INSERT INTO gamification_points (venture_id, event_type, points)"
            " VALUES ($1, $2, $3)",
            WH_ARGS(WH_PI(cfg->venture_id), WH_PT(cfg->types[i]), WH_PI(cfg->points[i])), NULL, e);
    return rc;
}

/* ---------------------------------------------------------------- awards */

/* In one query: is the venture enabled, the type's override (NULL when none), and may the
 * recipient be credited in the venture (a member, or a role that sees every venture)? */
static wh_err award_facts(wh_conn *c, wh_arena *a, const wh_gami_award *aw, bool *enabled,
                          bool *has_override, int64_t *override, bool *eligible, wh_error *e)
{
    wh_rows *r = NULL;
    wh_role role;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT (SELECT enabled FROM gamification_configs WHERE venture_id = $1),"
        " (SELECT points FROM gamification_points WHERE venture_id = $1 AND event_type = $2),"
        " u.role, EXISTS (SELECT 1 FROM venture_users vu WHERE vu.user_id = u.id AND"
        " vu.venture_id = $1) FROM users u WHERE u.id = $3",
        WH_ARGS(WH_PI(aw->venture_id), WH_PT(aw->event_type), WH_PI(aw->user_id)), &r, e);
    if (rc != WH_OK)
        return rc;
    bool found = wh_rows_count(r) == 1;
    *enabled = !found || wh_rows_null(r, 0, 0) || wh_rows_bool(r, 0, 0);
    *has_override = found && !wh_rows_null(r, 0, 1);
    *override = found ? wh_rows_int(r, 0, 1) : 0;
    *eligible = found && (wh_rows_bool(r, 0, 3) || (wh_role_parse(wh_rows_text(r, 0, 2), &role) &&
                                                    wh_role_all_ventures(role)));
    return WH_OK;
}

static wh_err find_event(wh_conn *c, wh_arena *a, int64_t venture_id, const char *key,
                         wh_gami_event *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " EVENT_COLS " FROM gamification_events WHERE"
                            " venture_id = $1 AND idempotency_key = $2",
                            WH_ARGS(WH_PI(venture_id), WH_PT(key)), &r, e);
    if (rc == WH_OK && wh_rows_count(r) != 1)
        return wh_fail(e, WH_ERR_INTERNAL, "An awarded event vanished.");
    if (rc == WH_OK)
        event_row(r, 0, out);
    return rc;
}

/* Inserts the event unless (venture, key) exists; *inserted tells which. */
static wh_err insert_event(wh_conn *c, wh_arena *a, const wh_gami_award *aw, int64_t points,
                           wh_gami_event *out, bool *inserted, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO gamification_events (user_id, venture_id, office_id, event_type, points,"
        " idempotency_key, event_day, awarded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6,"
        " $7, $8, $9) ON CONFLICT (venture_id, idempotency_key) DO NOTHING RETURNING " EVENT_COLS,
        WH_ARGS(WH_PI(aw->user_id), WH_PI(aw->venture_id), opt_id(aw->office_id),
                WH_PT(aw->event_type), WH_PI(points), WH_PT(aw->key), WH_PT(aw->day),
                opt_id(aw->awarded_by), WH_PI(aw->at_ms)),
        &r, e);
    *inserted = rc == WH_OK && wh_rows_count(r) == 1;
    if (*inserted)
        event_row(r, 0, out);
    return rc;
}

static wh_err add_balance(wh_conn *c, wh_arena *a, const wh_gami_event *ev, wh_error *e)
{
    return wh_db_query(c, a,
                       "INSERT INTO gamification_balances (user_id, venture_id, points, updated_at)"
                       " VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, venture_id) DO UPDATE SET"
                       " points = gamification_balances.points + excluded.points,"
                       " updated_at = excluded.updated_at",
                       WH_ARGS(WH_PI(ev->user_id), WH_PI(ev->venture_id), WH_PI(ev->points),
                               WH_PI(ev->created_at)),
                       NULL, e);
}

wh_err wh_gami_award_apply(wh_conn *c, wh_arena *a, const wh_gami_award *aw, wh_gami_event *out,
                           wh_gami_outcome *outcome, wh_error *e)
{
    bool enabled = true, has_override = false, eligible = false, inserted = false;
    int64_t override = 0, points = aw->points;
    wh_err rc = award_facts(c, a, aw, &enabled, &has_override, &override, &eligible, e);
    if (rc != WH_OK)
        return rc;
    if (!enabled) {
        *outcome = WH_GAMI_DISABLED;
        return WH_OK;
    }
    if (!eligible) {
        *outcome = WH_GAMI_NOT_MEMBER;
        return WH_OK;
    }
    if (points < 0 && has_override)
        points = override;
    if (points < 0 && !wh_gami_default_points(aw->event_type, &points)) {
        *outcome = WH_GAMI_NO_POINTS;
        return WH_OK;
    }
    rc = insert_event(c, a, aw, points, out, &inserted, e);
    if (rc == WH_OK && inserted)
        rc = add_balance(c, a, out, e);
    else if (rc == WH_OK)
        rc = find_event(c, a, aw->venture_id, aw->key, out, e);
    *outcome = inserted ? WH_GAMI_AWARDED : WH_GAMI_EXISTS;
    /* the key belongs to another award: a replay must name the same recipient and type */
    if (rc == WH_OK && !inserted &&
        (out->user_id != aw->user_id || strcmp(out->event_type, aw->event_type) != 0))
        *outcome = WH_GAMI_KEY_TAKEN;
    return rc;
}

wh_err wh_gami_on_event(wh_conn *c, wh_arena *a, const wh_event *ev, void *ctx, wh_error *e)
{
    wh_gami_award aw = {.user_id = ev->user_id,
                        .venture_id = ev->venture_id,
                        .office_id = ev->office_id,
                        .event_type = ev->type,
                        .key = ev->key,
                        .day = ev->day,
                        .points = -1,
                        .awarded_by = 0,
                        .at_ms = ev->at_ms};
    wh_gami_event out;
    wh_gami_outcome outcome;
    (void)ctx;
    if (ev->user_id <= 0 || ev->venture_id <= 0 || !ev->key || !ev->day || !ev->type)
        return WH_OK; /* nobody to credit */
    return wh_gami_award_apply(c, a, &aw, &out, &outcome, e);
}

/* ---------------------------------------------------------------- reads */

void wh_gami_event_list_sql(const wh_principal *p, const wh_gami_filter *f, const wh_keyset *ks,
                            wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " EVENT_COLS " FROM gamification_events");
    WH_SQLB_SCOPE_VENTURE(b, p, "gamification_events.venture_id", f->venture_id);
    wh_sqlb_and_id(b, "user_id = ?", f->user_id);
    if (f->own_only) /* the own-events rule */
        wh_sqlb_and(b, "user_id = ?", WH_PI(p->id));
    wh_sqlb_page(b, "created_at", "id", true, ks);
}

WH_ROW_JSON(wh_gami_event_row_json, wh_gami_event, event_row, wh_gami_event_json)

wh_err wh_gami_balance_rows(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t user_id,
                            wh_rows **out, wh_error *e)
{
    return wh_db_query(
        c, a,
        "SELECT b.venture_id, b.points FROM gamification_balances b WHERE"
        " b.user_id = $3 AND " WH_SCOPE_SQL("b.venture_id", "$1", "$2") " ORDER BY b.venture_id",
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(user_id)), out, e);
}

wh_err wh_gami_user_visible(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t user_id,
                            bool *yes, wh_error *e)
{
    wh_rows *r = NULL;
    wh_role role;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT u.role, EXISTS (SELECT 1 FROM venture_users vu WHERE vu.user_id = u.id "
        "AND " WH_SCOPE_SQL("vu.venture_id", "$1", "$2") ") FROM users u WHERE u.id = $3",
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(user_id)), &r, e);
    *yes = rc == WH_OK && wh_rows_count(r) == 1 &&
           (p->all_ventures || wh_rows_bool(r, 0, 1) ||
            (wh_role_parse(wh_rows_text(r, 0, 0), &role) && wh_role_all_ventures(role)));
    return rc;
}

wh_err wh_gami_board(wh_conn *c, wh_arena *a, const wh_principal *p, const wh_gami_board_filter *f,
                     wh_gami_board_row **out, size_t *n, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "SELECT e.user_id, u.full_name, SUM(e.points) FROM gamification_events e JOIN users u"
        " ON u.id = e.user_id WHERE e.venture_id = $3 AND " WH_SCOPE_SQL(
            "e.venture_id", "$1",
            "$2") " AND ($4 = 0 OR e.office_id = $4) AND ($5 = '' OR e.event_day >= $5)"
                  " AND ($6 = '' OR e.event_day <= $6) GROUP BY e.user_id, u.full_name"
                  " ORDER BY SUM(e.points) DESC, e.user_id LIMIT $7",
        WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(f->venture_id), WH_PI(f->office_id),
                WH_PT(f->from), WH_PT(f->to), WH_PI(f->limit)),
        &r, e);
    if (rc != WH_OK)
        return rc;
    *n = wh_rows_count(r);
    *out = wh_arena_alloc(a, sizeof **out * (*n + 1));
    int64_t *pts = wh_arena_alloc(a, sizeof *pts * (*n + 1));
    int64_t *rank = wh_arena_alloc(a, sizeof *rank * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        pts[i] = wh_rows_int(r, i, 2);
    wh_gami_rank(pts, *n, rank);
    for (size_t i = 0; i < *n; i++) {
        (*out)[i].user_id = wh_rows_int(r, i, 0);
        (*out)[i].full_name = wh_rows_text(r, i, 1);
        (*out)[i].points = pts[i];
        (*out)[i].rank = rank[i];
    }
    return WH_OK;
}

/* ---------------------------------------------------------------- rendering */

json_t *wh_gami_event_json(const wh_gami_event *ev)
{
    return json_pack("{s:I, s:I, s:I, s:o, s:s, s:I, s:s, s:o}", "id", (json_int_t)ev->id,
                     "user_id", (json_int_t)ev->user_id, "venture_id", (json_int_t)ev->venture_id,
                     "office_id", ev->office_id ? json_integer(ev->office_id) : json_null(),
                     "event_type", ev->event_type, "points", (json_int_t)ev->points,
                     "idempotency_key", ev->idempotency_key, "created_at",
                     wh_json_time(ev->created_at));
}

json_t *wh_gami_config_json(const wh_gami_config *cfg)
{
    return json_pack("{s:I, s:b, s:o}", "venture_id", (json_int_t)cfg->venture_id, "enabled",
                     cfg->enabled, "points", wh_gami_points_json(cfg));
}
