/* Holdings routes (API-wave2 "Holdings and the owner's overview"): assets and their dated
 * valuations, bank accounts and their dated balance snapshots. Every write runs in one
 * transaction with its audit entry. */
#include "holdings/holdings.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "http/http.h"

#include <stdint.h>
#include <string.h>

static const char *const assets_fields[] = {"id",          "venture_id",  "kind",
                                            "name",        "acquired_on", "cost_cents",
                                            "disposed_on", "notes",       "current_value_cents",
                                            "valued_on",   "created_at",  "updated_at",
                                            NULL};
static const wh_list assets = {"holding_assets",       WH_KEY_TEXT,  3, 0,
                               wh_hold_asset_row_json, assets_fields};
static const char *const accounts_fields[] = {
    "id",         "venture_id", "name",       "institution", "last4", "active", "balance_cents",
    "balance_on", "created_at", "updated_at", NULL};
static const wh_list accounts = {"bank_accounts",          WH_KEY_TEXT,    2, 0,
                                 wh_hold_account_row_json, accounts_fields};
static const char *const valuations_fields[] = {
    "asset_id", "venture_id", "date", "value_cents", "note", "created_by", "updated_at", NULL};
static const wh_list valuations = {"holding_valuations",       WH_KEY_TEXT,      3, 0,
                                   wh_hold_valuation_row_json, valuations_fields};
static const char *const balances_fields[] = {
    "bank_account_id", "venture_id", "date", "balance_cents", "created_by", "updated_at", NULL};
static const wh_list balances = {"bank_balances",          WH_KEY_TEXT,    3, 0,
                                 wh_hold_balance_row_json, balances_fields};

static const char *today_of(wh_req *r)
{
    char day[16];
    wh_clock_day_of(r->now_ms, day, sizeof day);
    return wh_arena_strdup(&r->arena, day);
}

/* Reports a day after today on field. */
static void not_after_today(wh_req *r, wh_jin *j, const char *field, const char *day)
{
    if (day && strcmp(day, today_of(r)) > 0) {
        j->bad = true;
        (void)wh_error_field(j->e, field, "must not be after today");
    }
}

/* Reports each of the NULL-terminated members present with the value null. */
static void not_null(wh_jin *j, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++)
        if (wh_jin_is_null(j, *k)) {
            j->bad = true;
            (void)wh_error_field(j->e, *k, "must not be null");
        }
}

/* ---------------------------------------------------------------- assets */

static wh_err read_asset(wh_req *r, bool create, wh_hold_asset_input *in, wh_error *e)
{
    static const char *const create_fields[] = {"venture_id", "kind",        "name",  "acquired_on",
                                                "cost_cents", "disposed_on", "notes", NULL};
    static const char *const patch_not_null[] = {"kind", "name", "acquired_on", "cost_cents", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? create_fields : create_fields + 1);
    if (create)
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    else
        not_null(&j, patch_not_null);
    in->kind = wh_jin_enum(&j, "kind", create, wh_hold_asset_kinds);
    in->name = wh_jin_str(&j, "name", create, 1, WH_HOLD_NAME_CHARS);
    in->acquired_on = wh_jin_day(&j, "acquired_on", create);
    in->has_cost = wh_jin_has(&j, "cost_cents");
    in->cost_cents = wh_jin_int(&j, "cost_cents", create, 0, WH_HOLD_MONEY_MAX, 0);
    in->has_disposed = wh_jin_has(&j, "disposed_on");
    in->disposed_on = wh_jin_day(&j, "disposed_on", false);
    in->has_notes = wh_jin_has(&j, "notes");
    in->notes = wh_jin_str(&j, "notes", false, 0, WH_HOLD_NOTES_CHARS);
    not_after_today(r, &j, "acquired_on", in->acquired_on);
    not_after_today(r, &j, "disposed_on", in->disposed_on);
    return wh_jin_done(&j);
}

/* The asset after a patch, checked: disposed_on not before acquired_on. */
static wh_err asset_merge(const wh_hold_asset *before, const wh_hold_asset_input *in,
                          wh_hold_asset *next, wh_error *e)
{
    *next = *before;
    if (in->kind)
        next->kind = in->kind;
    if (in->name)
        next->name = in->name;
    if (in->acquired_on)
        next->acquired_on = in->acquired_on;
    if (in->has_cost)
        next->cost_cents = in->cost_cents;
    if (in->has_disposed)
        next->disposed_on = in->disposed_on;
    if (in->has_notes)
        next->notes = in->notes;
    if (next->disposed_on && strcmp(next->disposed_on, next->acquired_on) < 0)
        return wh_error_field(e, "disposed_on", "must not be before acquired_on");
    return WH_OK;
}

/* The venture of a body: 403 when missing or outside the scope (any type). */
static wh_err body_venture(wh_req *r, wh_conn *c, int64_t venture_id, wh_error *e)
{
    return wh_scope_check_venture(c, &r->arena, &r->user, venture_id, e);
}

static wh_err asset_create(wh_req *r, wh_error *e)
{
    wh_hold_asset_input in = {0};
    wh_hold_asset as;
    wh_conn *c = NULL;
    wh_err rc = read_asset(r, true, &in, e);
    if (rc == WH_OK && in.disposed_on && strcmp(in.disposed_on, in.acquired_on) < 0)
        rc = wh_error_field(e, "disposed_on", "must not be before acquired_on");
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = body_venture(r, c, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_hold_asset_create(c, &r->arena, &in, r->now_ms, &as, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"holding_asset.create", "holding_asset", as.id,
                                        as.venture_id, NULL, wh_hold_asset_json(&as)},
                           e);
}

static wh_err asset_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_hold_asset as;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_hold_asset_get(c, &r->arena, &r->user, id, &as, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_hold_asset_json(&as)) : rc;
}

static wh_err asset_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_hold_asset_input in = {0};
    wh_hold_asset before, next, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_asset(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_hold_asset_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = asset_merge(&before, &in, &next, e);
    if (rc == WH_OK)
        rc = wh_hold_asset_update(c, &r->arena, &next, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"holding_asset.update", "holding_asset", id,
                                        after.venture_id, wh_hold_asset_json(&before),
                                        wh_hold_asset_json(&after)},
                           e);
}

static wh_err asset_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    int64_t venture_id = 0;
    bool has_held = false, held = false;
    wh_conn *c = NULL;
    const char *kind = wh_req_query(r, "kind");
    wh_err rc = wh_page_parse(r, &assets, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_bool(r, "held", &has_held, &held, e);
    if (rc == WH_OK && kind) {
        bool known = false;
        for (const char *const *k = wh_hold_asset_kinds; *k; k++)
            known = known || strcmp(*k, kind) == 0;
        if (!known)
            rc = wh_error_field(e, "kind", "must be an asset kind");
    }
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_hold_asset_list_sql(&r->user, venture_id, kind, has_held, held, today_of(r), &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* --------------------------------------------------------- bank accounts */

static wh_err read_account(wh_req *r, bool create, wh_hold_account_input *in, wh_error *e)
{
    static const char *const create_fields[] = {"venture_id", "name",   "institution",
                                                "last4",      "active", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    wh_jin_allow(&j, create ? create_fields : create_fields + 1);
    if (create)
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    else
        not_null(&j, create_fields + 1);
    in->name = wh_jin_str(&j, "name", create, 1, WH_HOLD_ACCOUNT_CHARS);
    in->institution = wh_jin_str(&j, "institution", create, 1, WH_HOLD_ACCOUNT_CHARS);
    in->last4 = wh_jin_str(&j, "last4", create, 4, 4);
    for (const char *d = in->last4; d && *d; d++)
        if (*d < '0' || *d > '9') {
            j.bad = true;
            (void)wh_error_field(e, "last4", "must be exactly 4 digits");
            break;
        }
    in->has_active = wh_jin_has(&j, "active");
    in->active = wh_jin_bool(&j, "active", false, true);
    return wh_jin_done(&j);
}

static wh_err account_create(wh_req *r, wh_error *e)
{
    wh_hold_account_input in = {0};
    wh_hold_account ac;
    wh_conn *c = NULL;
    wh_err rc = read_account(r, true, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = body_venture(r, c, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_hold_account_create(c, &r->arena, &in, r->now_ms, &ac, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"bank_account.create", "bank_account", ac.id, ac.venture_id,
                                        NULL, wh_hold_account_json(&ac)},
                           e);
}

static wh_err account_get(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_hold_account ac;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, false, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_hold_account_get(c, &r->arena, &r->user, id, &ac, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_hold_account_json(&ac)) : rc;
}

static wh_err account_patch(wh_req *r, wh_error *e)
{
    int64_t id;
    wh_hold_account_input in = {0};
    wh_hold_account before, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_path_id(r, 0, &id, e);
    if (rc == WH_OK)
        rc = read_account(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_hold_account_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = wh_hold_account_update(c, &r->arena, id, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"bank_account.update", "bank_account", id, after.venture_id,
                                        wh_hold_account_json(&before),
                                        wh_hold_account_json(&after)},
                           e);
}

static wh_err account_list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    int64_t venture_id = 0;
    bool has_active = false, active = false;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &accounts, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_bool(r, "active", &has_active, &active, e);
    if (rc == WH_OK)
        rc = wh_req_venture_filter(r, &c, &venture_id, e);
    if (rc != WH_OK)
        return rc;
    wh_hold_account_list_sql(&r->user, venture_id, has_active, active, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ------------------------------------------------------------ dated values */

/* The parent of a dated value in the caller's scope (404 otherwise): its venture, and for an
 * asset the days a valuation may take (from acquired_on through disposed_on or today). */
typedef struct {
    int64_t id, venture_id;
    const char *first, *last; /* first NULL: any */
} parent;

static wh_err parent_of(wh_req *r, wh_conn *c, wh_hold_dated_kind k, parent *out, wh_error *e)
{
    wh_err rc = wh_req_path_id(r, 0, &out->id, e);
    out->first = NULL;
    out->last = today_of(r);
    if (rc == WH_OK && k == WH_HOLD_VALUATION) {
        wh_hold_asset as;
        rc = wh_hold_asset_get(c, &r->arena, &r->user, out->id, &as, e);
        out->venture_id = as.venture_id;
        out->first = as.acquired_on;
        if (rc == WH_OK && as.disposed_on && strcmp(as.disposed_on, out->last) < 0)
            out->last = as.disposed_on;
    } else if (rc == WH_OK) {
        wh_hold_account ac;
        rc = wh_hold_account_get(c, &r->arena, &r->user, out->id, &ac, e);
        out->venture_id = ac.venture_id;
    }
    return rc;
}

/* The {date} of the path: a calendar day (400 otherwise). */
static wh_err path_day(wh_req *r, const char **day, wh_error *e)
{
    int y, m, d;
    *day = r->params[1];
    if (strlen(*day) != 10 || !wh_clock_parse_date(*day, &y, &m, &d))
        return wh_error_field(e, "date", "must be a calendar day YYYY-MM-DD");
    return WH_OK;
}

static wh_err read_dated(wh_req *r, wh_hold_dated_kind k, wh_hold_dated *in, wh_error *e)
{
    static const char *const valuation_fields[] = {"value_cents", "note", NULL};
    static const char *const balance_fields[] = {"balance_cents", NULL};
    json_t *body = NULL;
    wh_jin j;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc != WH_OK)
        return rc;
    wh_jin_init(&j, body, e);
    if (k == WH_HOLD_VALUATION) {
        wh_jin_allow(&j, valuation_fields);
        in->value_cents = wh_jin_int(&j, "value_cents", true, 0, WH_HOLD_MONEY_MAX, 0);
        in->note = wh_jin_str(&j, "note", false, 0, WH_HOLD_NOTE_CHARS);
    } else {
        wh_jin_allow(&j, balance_fields);
        in->value_cents =
            wh_jin_int(&j, "balance_cents", true, -WH_HOLD_MONEY_MAX, WH_HOLD_MONEY_MAX, 0);
    }
    return wh_jin_done(&j);
}

static const struct {
    const char *put, *del, *entity;
} dated_audit[] = {
    [WH_HOLD_VALUATION] = {"holding_valuation.put", "holding_valuation.delete",
                           "holding_valuation"},
    [WH_HOLD_BALANCE] = {"bank_balance.put", "bank_balance.delete", "bank_balance"},
};

/* PUT .../{date}: 201 created or 200 replaced. */
static wh_err dated_put(wh_req *r, wh_hold_dated_kind k, wh_error *e)
{
    wh_hold_dated in = {.kind = k}, before, after;
    parent p;
    bool found = false;
    wh_conn *c = NULL;
    wh_err rc = path_day(r, &in.date, e);
    if (rc == WH_OK)
        rc = read_dated(r, k, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = parent_of(r, c, k, &p, e);
    if (rc == WH_OK && strcmp(in.date, p.last) > 0)
        return wh_error_field(e, "date", "must not be after today (or the asset's disposal)");
    if (rc == WH_OK && p.first && strcmp(in.date, p.first) < 0)
        return wh_error_field(e, "date", "must not be before the asset's acquired_on");
    in.parent_id = p.id;
    in.venture_id = p.venture_id;
    in.created_by = r->user.id;
    if (rc == WH_OK)
        rc = wh_hold_dated_get(c, &r->arena, k, p.id, in.date, &before, &found, e);
    if (rc == WH_OK)
        rc = wh_hold_dated_put(c, &r->arena, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, found ? 200 : 201,
                           &(wh_change){dated_audit[k].put, dated_audit[k].entity, p.id,
                                        p.venture_id, found ? wh_hold_dated_json(&before) : NULL,
                                        wh_hold_dated_json(&after)},
                           e);
}

/* DELETE .../{date}: 204, 404 when there is none. */
static wh_err dated_delete(wh_req *r, wh_hold_dated_kind k, wh_error *e)
{
    wh_hold_dated before;
    parent p;
    const char *day = NULL;
    bool found = false;
    wh_conn *c = NULL;
    wh_err rc = path_day(r, &day, e);
    if (rc == WH_ERR_INVALID)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No value on that day.");
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = parent_of(r, c, k, &p, e);
    if (rc == WH_OK)
        rc = wh_hold_dated_get(c, &r->arena, k, p.id, day, &before, &found, e);
    if (rc == WH_OK && !found)
        return wh_fail(e, WH_ERR_NOT_FOUND, "No value on %s.", day);
    if (rc == WH_OK)
        rc = wh_hold_dated_delete(c, &r->arena, k, p.id, day, e);
    if (rc == WH_OK)
        rc = wh_audit_change(r, c,
                             &(wh_change){dated_audit[k].del, dated_audit[k].entity, p.id,
                                          p.venture_id, wh_hold_dated_json(&before), NULL},
                             e);
    if (rc == WH_OK)
        rc = wh_db_commit(c, e);
    return rc == WH_OK ? wh_resp_empty(r, 204) : rc;
}

static wh_err dated_list(wh_req *r, wh_hold_dated_kind k, const wh_list *l, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    parent p;
    const char *from = NULL, *to = NULL;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, l, &pg, e);
    if (rc == WH_OK)
        rc = wh_req_query_day(r, "from", &from, e);
    if (rc == WH_OK)
        rc = wh_req_query_day(r, "to", &to, e);
    if (rc == WH_OK && from && to && strcmp(from, to) > 0)
        rc = wh_error_field(e, "to", "must not be before from");
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK)
        rc = parent_of(r, c, k, &p, e);
    if (rc != WH_OK)
        return rc;
    wh_hold_dated_list_sql(k, p.id, from, to, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static wh_err valuation_put(wh_req *r, wh_error *e)
{
    return dated_put(r, WH_HOLD_VALUATION, e);
}

static wh_err valuation_delete(wh_req *r, wh_error *e)
{
    return dated_delete(r, WH_HOLD_VALUATION, e);
}

static wh_err valuation_list(wh_req *r, wh_error *e)
{
    return dated_list(r, WH_HOLD_VALUATION, &valuations, e);
}

static wh_err balance_put(wh_req *r, wh_error *e)
{
    return dated_put(r, WH_HOLD_BALANCE, e);
}

static wh_err balance_delete(wh_req *r, wh_error *e)
{
    return dated_delete(r, WH_HOLD_BALANCE, e);
}

static wh_err balance_list(wh_req *r, wh_error *e)
{
    return dated_list(r, WH_HOLD_BALANCE, &balances, e);
}

/* ---------------------------------------------------------------- routes */

#define HR WH_PERM_HOLDINGS_READ
#define HW WH_PERM_HOLDINGS_WRITE
static const wh_route routes[] = {
    {"GET", "/api/v1/holdings/assets", asset_list, HR, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/holdings/assets", asset_create, HW, WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/holdings/assets/{id}", asset_get, HR, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/holdings/assets/{id}", asset_patch, HW, WH_RATE_WRITE, 0, NULL},
    {"GET", "/api/v1/holdings/assets/{id}/valuations", valuation_list, HR, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"PUT", "/api/v1/holdings/assets/{id}/valuations/{date}", valuation_put, HW, WH_RATE_WRITE, 0,
     NULL},
    {"DELETE", "/api/v1/holdings/assets/{id}/valuations/{date}", valuation_delete, HW,
     WH_RATE_WRITE, 0, NULL},
    {"GET", "/api/v1/holdings/bank-accounts", account_list, HR, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/holdings/bank-accounts", account_create, HW, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/holdings/bank-accounts/{id}", account_get, HR, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/holdings/bank-accounts/{id}", account_patch, HW, WH_RATE_WRITE, 0, NULL},
    {"GET", "/api/v1/holdings/bank-accounts/{id}/balances", balance_list, HR, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"PUT", "/api/v1/holdings/bank-accounts/{id}/balances/{date}", balance_put, HW, WH_RATE_WRITE,
     0, NULL},
    {"DELETE", "/api/v1/holdings/bank-accounts/{id}/balances/{date}", balance_delete, HW,
     WH_RATE_WRITE, 0, NULL},
};

const wh_route *wh_holdings_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
