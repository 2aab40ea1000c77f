/* Gamification routes (API.md "Gamification"). The configuration of a venture in scope is
 * readable by anyone signed in and writable with gamification.config (PUT replaces enabled and
 * the whole override set: 201 when the venture had no row, else 200). Events, balances and the
 * leaderboard are scoped reads. A manual award needs gamification.config and the venture in
 * scope; it answers 201 with the new event or 200 with the one already awarded under the same
 * (venture, idempotency_key), 409 when the venture has gamification off or the key holds an award
 * of another user or type, 400 when the recipient may not be credited there. A manual key is
 * stored and shown as "manual:<key>" (wh_gami_manual_key), so it never takes a trigger's key.
 * Configuration changes and new manual awards are audited.
 *
 * Rules narrower than the table's permissions (STYLE rule 14), in gamification_rules.c:
 * - GET /gamification/events: wh_gami_sees_venture_events; a role without it (EMPLOYEE, ...)
 *   lists only its own events (in SQL), and a user_id filter naming someone else is 403. */
#include "gamification/gamification.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "http/http.h"

#include <string.h>

/* Namespace of the transaction lock that serialises configuration writes of one venture. */
#define CONFIG_LOCK_BASE (INT64_C(0x47414D) << 40)

static const char *const events_fields[] = {
    "id",     "user_id",         "venture_id", "office_id", "event_type",
    "points", "idempotency_key", "created_at", NULL};
static const wh_list events = {"gamification-events",  WH_KEY_INT,   8, 0,
                               wh_gami_event_row_json, events_fields};

/* ---------------------------------------------------------------- configuration */

static wh_err config_get(wh_req *r, wh_error *e)
{
    int64_t venture_id = 0;
    bool present = false;
    wh_conn *c = NULL;
    wh_gami_config cfg;
    wh_err rc = wh_req_query_id(r, "venture_id", &venture_id, &present, e);
    if (rc == WH_OK && !present)
        rc = wh_error_field(e, "venture_id", "is required");
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, venture_id, e);
    if (rc == WH_OK)
        rc = wh_gami_config_get(c, &r->arena, venture_id, &cfg, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_gami_config_json(&cfg)) : rc;
}

/* One override "TYPE": n; false (with a field error) when bad. */
static bool read_override(wh_req *r, const char *type, json_t *v, wh_error *e)
{
    const char *field = wh_arena_printf(&r->arena, "points.%s", type);
    if (!wh_gami_type_valid(type)) {
        (void)wh_error_field(e, field, "must name an upper-case event type ([A-Z][A-Z0-9_]*)");
        return false;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > WH_GAMIFICATION_POINTS_MAX) {
        (void)wh_error_field(e, field, "must be an integer in 0..%d", WH_GAMIFICATION_POINTS_MAX);
        return false;
    }
    return true;
}

/* {"TYPE": n, ...} into cfg's override arrays; reports every bad member. */
static void read_points(wh_req *r, wh_jin *j, wh_gami_config *cfg)
{
    json_t *obj = json_object_get(j->obj, "points"), *v;
    const char *type;
    if (!obj || json_is_null(obj)) {
        j->bad = true;
        (void)wh_error_field(j->e, "points", "is required");
        return;
    }
    if (!json_is_object(obj) || json_object_size(obj) > WH_GAMIFICATION_OVERRIDES_MAX) {
        j->bad = true;
        (void)wh_error_field(j->e, "points", "must be an object of at most %d event types",
                             WH_GAMIFICATION_OVERRIDES_MAX);
        return;
    }
    cfg->types = wh_arena_alloc(&r->arena, sizeof *cfg->types * (json_object_size(obj) + 1));
    cfg->points = wh_arena_alloc(&r->arena, sizeof *cfg->points * (json_object_size(obj) + 1));
    json_object_foreach(obj, type, v)
    {
        if (!read_override(r, type, v, j->e)) {
            j->bad = true;
            continue;
        }
        cfg->types[cfg->n] = wh_arena_printf(&r->arena, "%s", type);
        cfg->points[cfg->n++] = json_integer_value(v);
    }
}

static wh_err read_config(wh_req *r, wh_gami_config *cfg, wh_error *e)
{
    static const char *const fields[] = {"enabled", "points", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    cfg->enabled = wh_jin_bool(&j, "enabled", true, true);
    read_points(r, &j, cfg);
    return wh_jin_done(&j);
}

/* Inside the transaction: the before image, the write, the after image, the audit; answers 201
 * when the venture had no row, else 200. */
static wh_err config_store(wh_req *r, wh_conn *c, const wh_gami_config *in, wh_error *e)
{
    wh_gami_config before, after;
    bool created = false;
    wh_err rc = wh_db_lock(c, CONFIG_LOCK_BASE + in->venture_id, e);
    if (rc == WH_OK)
        rc = wh_gami_config_get(c, &r->arena, in->venture_id, &before, e);
    if (rc == WH_OK)
        rc = wh_gami_config_put(c, &r->arena, in, r->now_ms, &created, e);
    if (rc == WH_OK)
        rc = wh_gami_config_get(c, &r->arena, in->venture_id, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, created ? 201 : 200,
                           &(wh_change){"gamification_config.update", "gamification_config",
                                        in->venture_id, in->venture_id,
                                        before.stored ? wh_gami_config_json(&before) : NULL,
                                        wh_gami_config_json(&after)},
                           e);
}

static wh_err config_put(wh_req *r, wh_error *e)
{
    wh_gami_config in = {0};
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_venture(r, 0, &c, &in.venture_id, e);
    if (rc == WH_OK)
        rc = read_config(r, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    return rc == WH_OK ? config_store(r, c, &in, e) : rc;
}

/* ---------------------------------------------------------------- events */

static wh_err event_filter(wh_req *r, wh_conn **c, wh_page *pg, wh_gami_filter *f, wh_error *e)
{
    bool has_venture = false, has_user = false;
    wh_err rc = wh_page_parse(r, &events, pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "venture_id", &f->venture_id, &has_venture, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "user_id", &f->user_id, &has_user, e);
    f->venture_id = has_venture ? f->venture_id : 0;
    f->user_id = has_user ? f->user_id : 0;
    /* the own-events rule (wh_gami_sees_venture_events): filtered in SQL; naming another user
     * is refused rather than answered with an empty page */
    f->own_only = !wh_gami_sees_venture_events(r->user.role);
    if (rc == WH_OK && f->own_only && f->user_id && f->user_id != r->user.id)
        rc = wh_fail(e, WH_ERR_FORBIDDEN, "Your role may read only its own point events.");
    if (rc == WH_OK)
        rc = wh_req_db(r, c, e);
    if (rc == WH_OK && f->venture_id)
        rc = wh_scope_check_venture(*c, &r->arena, &r->user, f->venture_id, e);
    return rc;
}

static wh_err event_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_gami_filter f = {0};
    wh_conn *c = NULL;
    wh_err rc = event_filter(r, &c, &pg, &f, e);
    if (rc != WH_OK)
        return rc;
    wh_gami_event_list_sql(&r->user, &f, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ---------------------------------------------------------------- balance */

static json_t *balance_json(int64_t user_id, const wh_rows *rows)
{
    json_t *ventures = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < wh_rows_count(rows); i++) {
        total += wh_rows_int(rows, i, 1);
        json_array_append_new(ventures, json_pack("{s:I, s:I}", "venture_id",
                                                  (json_int_t)wh_rows_int(rows, i, 0), "points",
                                                  (json_int_t)wh_rows_int(rows, i, 1)));
    }
    return json_pack("{s:I, s:I, s:o}", "user_id", (json_int_t)user_id, "total_points",
                     (json_int_t)total, "ventures", ventures);
}

static wh_err balance(wh_req *r, wh_error *e)
{
    int64_t user_id = r->user.id;
    bool present = false, visible = true;
    wh_conn *c = NULL;
    wh_rows *rows = NULL;
    wh_err rc = wh_req_query_id(r, "user_id", &user_id, &present, e);
    if (!present)
        user_id = r->user.id;
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && user_id != r->user.id)
        rc = wh_gami_user_visible(c, &r->arena, &r->user, user_id, &visible, e);
    if (rc == WH_OK && !visible)
        rc = wh_fail(e, WH_ERR_FORBIDDEN, "User %lld shares no venture of your scope.",
                     (long long)user_id);
    if (rc == WH_OK)
        rc = wh_gami_balance_rows(c, &r->arena, &r->user, user_id, &rows, e);
    return rc == WH_OK ? wh_resp_json(r, 200, balance_json(user_id, rows)) : rc;
}

/* ---------------------------------------------------------------- leaderboard */

static wh_err board_query(wh_req *r, wh_gami_board_filter *f, wh_error *e)
{
    bool has_venture = false, has_office = false, bad = false;
    int64_t limit = WH_LIMIT_PAGE_DEFAULT;
    const char *lim = wh_req_query(r, "limit");
    wh_err rc = wh_req_query_id(r, "venture_id", &f->venture_id, &has_venture, e);
    if (rc == WH_OK)
        rc = wh_req_query_id(r, "office_id", &f->office_id, &has_office, e);
    if (rc != WH_OK)
        return rc;
    f->office_id = has_office ? f->office_id : 0;
    if (!has_venture)
        bad = wh_error_field(e, "venture_id", "is required") != WH_OK;
    if (lim && !wh_str_to_i64(wh_str_c(lim), WH_LIMIT_PAGE_MIN, WH_LIMIT_PAGE_MAX, &limit))
        bad = wh_error_field(e, "limit", "must be an integer in %d..%d", WH_LIMIT_PAGE_MIN,
                             WH_LIMIT_PAGE_MAX) != WH_OK;
    f->limit = (int)limit;
    bad = wh_req_query_day(r, "from", &f->from, e) != WH_OK || bad;
    bad = wh_req_query_day(r, "to", &f->to, e) != WH_OK || bad;
    if (!bad && f->from && f->to && strcmp(f->from, f->to) > 0)
        bad = wh_error_field(e, "to", "must not be before from") != WH_OK;
    f->from = f->from ? f->from : ""; /* the board's statement reads '' as no bound */
    f->to = f->to ? f->to : "";
    return bad ? WH_ERR_INVALID : WH_OK;
}

static wh_err board_scope(wh_req *r, wh_conn *c, const wh_gami_board_filter *f, wh_error *e)
{
    int64_t office_venture = 0;
    wh_err rc = wh_scope_check_venture(c, &r->arena, &r->user, f->venture_id, e);
    if (rc == WH_OK && f->office_id)
        rc = wh_scope_check_office(c, &r->arena, &r->user, f->office_id, &office_venture, e);
    if (rc == WH_OK && f->office_id && office_venture != f->venture_id)
        rc = wh_error_field(e, "office_id", "must be an office of the venture");
    return rc;
}

static wh_err leaderboard(wh_req *r, wh_error *e)
{
    wh_gami_board_filter f = {0};
    wh_gami_board_row *rows = NULL;
    size_t n = 0;
    wh_conn *c = NULL;
    wh_err rc = board_query(r, &f, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = board_scope(r, c, &f, e);
    if (rc == WH_OK)
        rc = wh_gami_board(c, &r->arena, &r->user, &f, &rows, &n, e);
    if (rc != WH_OK)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:I, s:I, s:s, s:I}", "rank", (json_int_t)rows[i].rank,
                                        "user_id", (json_int_t)rows[i].user_id, "full_name",
                                        rows[i].full_name, "points", (json_int_t)rows[i].points));
    return wh_resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- manual awards */

static wh_err read_award(wh_req *r, wh_gami_award *aw, wh_error *e)
{
    static const char *const fields[] = {"user_id", "venture_id",      "event_type",
                                         "points",  "idempotency_key", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    aw->user_id = wh_jin_int(&j, "user_id", true, 1, INT64_MAX, 0);
    aw->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    aw->event_type = wh_jin_str(&j, "event_type", true, 1, WH_GAMIFICATION_TYPE_CHARS);
    if (aw->event_type && !wh_gami_type_valid(aw->event_type)) {
        j.bad = true;
        (void)wh_error_field(e, "event_type", "must be upper-case: [A-Z][A-Z0-9_]*");
    }
    aw->points = wh_jin_is_null(&j, "points")
                     ? -1
                     : wh_jin_int(&j, "points", false, 0, WH_GAMIFICATION_POINTS_MAX, -1);
    aw->key = wh_jin_str(&j, "idempotency_key", true, 1, WH_GAMIFICATION_KEY_CHARS);
    return wh_jin_done(&j);
}

/* The outcome of the award step as an answer (or an error). */
static wh_err award_outcome(wh_gami_outcome o, wh_error *e)
{
    switch (o) {
    case WH_GAMI_AWARDED:
    case WH_GAMI_EXISTS:
        return WH_OK;
    case WH_GAMI_DISABLED:
        return wh_fail(e, WH_ERR_CONFLICT, "Gamification is disabled for this venture.");
    case WH_GAMI_NOT_MEMBER:
        return wh_error_field(e, "user_id", "must be a member of the venture");
    case WH_GAMI_NO_POINTS:
        return wh_error_field(e, "points", "is required for an event type without default points");
    case WH_GAMI_KEY_TAKEN:
        return wh_fail(e, WH_ERR_CONFLICT,
                       "The idempotency_key already holds an award of another user or event "
                       "type in this venture.");
    }
    return wh_fail(e, WH_ERR_INTERNAL, "Unknown award outcome.");
}

/* Inside the transaction: the award step; answers 201 with a new (audited) event, 200 with the
 * one already awarded under the key. */
static wh_err award_store(wh_req *r, wh_conn *c, const wh_gami_award *aw, wh_error *e)
{
    wh_gami_event out;
    wh_gami_outcome o = WH_GAMI_EXISTS;
    wh_err rc = wh_gami_award_apply(c, &r->arena, aw, &out, &o, e);
    if (rc == WH_OK)
        rc = award_outcome(o, e);
    if (rc != WH_OK)
        return rc;
    if (o != WH_GAMI_AWARDED)
        return wh_req_commit(r, c, 200, wh_gami_event_json(&out), e);
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"gamification_event.award", "gamification_event", out.id,
                                        out.venture_id, NULL, wh_gami_event_json(&out)},
                           e);
}

static wh_err award(wh_req *r, wh_error *e)
{
    char today[11];
    wh_gami_award aw = {0};
    wh_conn *c = NULL;
    wh_clock_day_of(r->now_ms, today, sizeof today);
    wh_err rc = read_award(r, &aw, e);
    if (rc == WH_OK)
        aw.key = wh_gami_manual_key(&r->arena, aw.key);
    aw.day = today;
    aw.awarded_by = r->user.id;
    aw.at_ms = r->now_ms;
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, aw.venture_id, e);
    return rc == WH_OK ? award_store(r, c, &aw, e) : rc;
}

static const wh_route routes[] = {
    {"GET", "/api/v1/gamification/config", config_get, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"PUT", "/api/v1/gamification/config/{venture_id}", config_put, WH_PERM_GAMIFICATION_CONFIG,
     WH_RATE_WRITE, 0, NULL},
    {"GET", "/api/v1/gamification/events", event_list, WH_PERM_KPI_READ, WH_RATE_READ, WH_ROUTE_CSV,
     &wh_gami_rule_own_events},
    {"GET", "/api/v1/gamification/balance", balance, WH_PERM_SIGNED_IN, WH_RATE_READ, 0, NULL},
    {"GET", "/api/v1/gamification/leaderboard", leaderboard, WH_PERM_KPI_READ, WH_RATE_READ, 0,
     NULL},
    {"POST", "/api/v1/gamification/awards", award, WH_PERM_GAMIFICATION_CONFIG, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
};

const wh_route *wh_gamification_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
