/* Load routes: GET|POST /loads, GET|PATCH /loads/{id}, POST /loads/{id}/status.
 *
 * Handlers validate, call the store and render; every change runs in one transaction with its
 * audit entry, a new status writes its load_status_changes row (the KPIs' history), and a load
 * that becomes DELIVERED publishes LOAD_COMPLETED in that same transaction. A load outside the
 * caller's scope answers 404 like a missing one; a venture or office given in a body or query
 * outside the scope answers 403; an office or shipper of another venture than the load's is 400.
 * The status machine itself is loads_rules.c. */
#include "freight/freight.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "events/events.h"
#include "freight/freight_int.h"
#include "http/http.h"
#include "tasks/tasks.h"

#include <string.h>

/* The lists: loads newest first, keyed by created_at (column 21 of the load columns); a load's
 * status changes oldest first. */
/* the load shape's fields (docs/export.md): follow the shape when it changes */
static const char *const loads_fields[] = {"id",
                                           "venture_id",
                                           "office_id",
                                           "reference",
                                           "shipper_id",
                                           "carrier_id",
                                           "created_by",
                                           "dispatcher_id",
                                           "pickup_city",
                                           "pickup_state",
                                           "pickup_date",
                                           "drop_city",
                                           "drop_state",
                                           "drop_date",
                                           "equipment",
                                           "weight_lbs",
                                           "miles",
                                           "bill_cents",
                                           "cost_cents",
                                           "margin_cents",
                                           "margin_bp",
                                           "status",
                                           "billing_date",
                                           "lost_reason",
                                           "lost_reason_code",
                                           "created_at",
                                           "updated_at",
                                           NULL};
static const wh_list loads = {"loads", WH_KEY_INT, 21, 0, wh_load_row_json, loads_fields};
static const char *const changes_fields[] = {"from_status", "to_status", "at", "day", NULL};
static const wh_list changes = {"load_history",          WH_KEY_ID,     0, 0,
                                wh_load_change_row_json, changes_fields};

/* The business day of the request, in the arena (a load may keep pointing at it). */
static const char *today_of(wh_req *r)
{
    char *day = wh_arena_alloc(&r->arena, 11);
    wh_clock_day_of(r->now_ms, day, 11);
    return day;
}

/* Reads the writable fields onto l: a zeroed load on create, a copy of the stored one on
 * PATCH. venture_id is accepted on create only; everything an action sets is refused. */
static wh_err read_fields(json_t *body, bool create, wh_load *l, wh_error *e)
{
    static const char *const fields[] = {"venture_id",
                                         "office_id",
                                         "reference",
                                         "shipper_id",
                                         "dispatcher_id",
                                         "pickup_city",
                                         "pickup_state",
                                         "pickup_date",
                                         "drop_city",
                                         "drop_state",
                                         "drop_date",
                                         "equipment",
                                         "weight_lbs",
                                         "miles",
                                         "bill_cents",
                                         "cost_cents",
                                         NULL};
    wh_jin j;
    wh_freight_read_record(&j, body, create, fields, &l->venture_id, e);
    wh_freight_read_id(&j, "office_id", &l->office_id);
    wh_freight_read_id(&j, "shipper_id", &l->shipper_id);
    wh_freight_read_id(&j, "dispatcher_id", &l->dispatcher_id);
    wh_freight_read_text(&j, "reference", create, false, WH_FREIGHT_TEXT_CHARS, &l->reference);
    wh_freight_read_text(&j, "pickup_city", create, true, WH_FREIGHT_TEXT_CHARS, &l->pickup_city);
    wh_freight_read_text(&j, "pickup_state", create, true, WH_FREIGHT_TEXT_CHARS, &l->pickup_state);
    wh_freight_read_day(&j, "pickup_date", &l->pickup_date);
    wh_freight_read_text(&j, "drop_city", create, true, WH_FREIGHT_TEXT_CHARS, &l->drop_city);
    wh_freight_read_text(&j, "drop_state", create, true, WH_FREIGHT_TEXT_CHARS, &l->drop_state);
    wh_freight_read_day(&j, "drop_date", &l->drop_date);
    wh_freight_read_text(&j, "equipment", create, false, WH_FREIGHT_TEXT_CHARS, &l->equipment);
    wh_freight_read_int(&j, "weight_lbs", 0, WH_FREIGHT_QUANTITY_MAX, &l->has_weight_lbs,
                        &l->weight_lbs);
    wh_freight_read_int(&j, "miles", 0, WH_FREIGHT_QUANTITY_MAX, &l->has_miles, &l->miles);
    wh_freight_read_int(&j, "bill_cents", 0, WH_FREIGHT_CENTS_MAX, &l->has_bill_cents,
                        &l->bill_cents);
    wh_freight_read_int(&j, "cost_cents", 0, WH_FREIGHT_CENTS_MAX, &l->has_cost_cents,
                        &l->cost_cents);
    if (wh_jin_done(&j) != WH_OK)
        return WH_ERR_INVALID;
    /* days compare as text; checked on the merged load, so a PATCH of one side counts too */
    if (l->pickup_date && l->drop_date && strcmp(l->drop_date, l->pickup_date) < 0)
        return wh_error_field(e, "drop_date", "must not be before pickup_date");
    return WH_OK;
}

/* The office (403 outside the caller's office scope, 400 in another venture), the shipper (400
 * unless a shipper of the load's venture) and the dispatcher (400 unless an eligible user of the
 * load's venture); only those the request sets or changes. */
static wh_err check_refs(wh_req *r, wh_conn *c, const wh_load *before, const wh_load *l,
                         wh_error *e)
{
    int64_t office_venture = 0;
    bool yes = true;
    wh_err rc = WH_OK;
    if (l->office_id && (!before || before->office_id != l->office_id)) {
        rc = wh_scope_check_office(c, &r->arena, &r->user, l->office_id, &office_venture, e);
        if (rc == WH_OK && office_venture != l->venture_id)
            return wh_error_field(e, "office_id", "must be an office of venture %lld",
                                  (long long)l->venture_id);
    }
    if (rc == WH_OK && l->shipper_id && (!before || before->shipper_id != l->shipper_id))
        rc = wh_shipper_in_venture(c, &r->arena, l->shipper_id, l->venture_id, &yes, e);
    if (rc == WH_OK && !yes)
        return wh_error_field(e, "shipper_id", "must be a shipper of venture %lld",
                              (long long)l->venture_id);
    if (rc == WH_OK && l->dispatcher_id && (!before || before->dispatcher_id != l->dispatcher_id))
        rc = wh_tasks_eligible(c, &r->arena, l->dispatcher_id, l->venture_id, &yes, e);
    if (rc == WH_OK && !yes)
        return wh_error_field(e, "dispatcher_id",
                              "must be an active user who is a member of venture %lld or sees"
                              " every venture",
                              (long long)l->venture_id);
    return rc;
}

/* The load of the path ({id}), read on the request's connection, or locked in its transaction
 * for a write; 404 when missing or outside the caller's scope. */
static wh_err load_of_path(wh_req *r, bool write, wh_conn **c, wh_load *out, wh_error *e)
{
    int64_t id;
    wh_err rc = wh_req_open(r, write, c, &id, e);
    return rc == WH_OK ? wh_load_get(*c, &r->arena, &r->user, id, write, out, e) : rc;
}

static wh_err create(wh_req *r, wh_error *e)
{
    wh_load in = {0}, out;
    wh_conn *c = NULL;
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc == WH_OK)
        rc = read_fields(body, true, &in, e);
    in.created_by = r->user.id;
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, in.venture_id, e);
    if (rc == WH_OK)
        rc = check_refs(r, c, NULL, &in, e);
    if (rc == WH_OK)
        rc = wh_load_create(c, &r->arena, &in, r->now_ms, today_of(r), &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201,
        &(wh_change){"load.create", "load", out.id, out.venture_id, NULL, wh_load_json(&out)}, e);
}

static wh_err get(wh_req *r, wh_error *e)
{
    wh_load l;
    wh_conn *c = NULL;
    wh_err rc = load_of_path(r, false, &c, &l, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_load_json(&l)) : rc;
}

/* GET /loads/{id}/history: the statuses the load entered, oldest first (a cursor list; the
 * first row is its creation, from null to OPEN). 404 when the load is outside the scope. */
static wh_err history(wh_req *r, wh_error *e)
{
    wh_load l;
    wh_page pg;
    wh_sqlb b;
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &changes, &pg, e);
    if (rc == WH_OK)
        rc = load_of_path(r, false, &c, &l, e);
    if (rc != WH_OK)
        return rc;
    wh_load_history_sql(l.id, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

static wh_err patch(wh_req *r, wh_error *e)
{
    wh_load before = {0}, in, after;
    wh_conn *c = NULL;
    json_t *body = NULL;
    wh_err rc = wh_req_json(r, &body, e);
    if (rc == WH_OK)
        rc = load_of_path(r, true, &c, &before, e);
    in = before;
    if (rc == WH_OK)
        rc = read_fields(body, false, &in, e);
    if (rc == WH_OK)
        rc = check_refs(r, c, &before, &in, e);
    if (rc == WH_OK)
        rc = wh_load_update(c, &r->arena, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"load.update", "load", after.id, after.venture_id,
                                        wh_load_json(&before), wh_load_json(&after)},
                           e);
}

/* pending_carrier_reason, trimmed of spaces, tabs and line breaks, 10..500 characters. */
static const char *read_pending_reason(wh_req *r, wh_jin *j)
{
    static const char space[] = " \t\r\n";
    json_t *v = json_object_get(j->obj, "pending_carrier_reason");
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!v)
        return NULL;
    if (s) {
        s += strspn(s, space);
        size_t n = strlen(s);
        while (n > 0 && strchr(space, s[n - 1]))
            n--;
        size_t chars = wh_str_utf8_len(s, n);
        if (chars >= WH_FREIGHT_PENDING_REASON_MIN && chars <= WH_FREIGHT_PENDING_REASON_MAX)
            return wh_arena_strndup(&r->arena, s, n);
    }
    j->bad = true;
    (void)wh_error_field(j->e, "pending_carrier_reason", "must be %d to %d characters",
                         WH_FREIGHT_PENDING_REASON_MIN, WH_FREIGHT_PENDING_REASON_MAX);
    return NULL;
}

static wh_err read_move(wh_req *r, wh_load_move *m, wh_error *e)
{
    static const char *const fields[] = {
        "status",      "carrier_id",       "billing_date",
        "lost_reason", "lost_reason_code", "pending_carrier_reason",
        NULL};
    wh_jin j;
    wh_err rc = wh_freight_body(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    m->status = wh_jin_enum(&j, "status", true, wh_load_statuses);
    m->carrier_id = wh_jin_int(&j, "carrier_id", false, 1, INT64_MAX, 0);
    wh_freight_read_day(&j, "billing_date", &m->billing_date);
    m->lost_reason = wh_jin_str(&j, "lost_reason", false, 1, WH_FREIGHT_LOST_REASON_CHARS);
    m->lost_reason_code = wh_jin_enum(&j, "lost_reason_code", false, wh_load_lost_codes);
    m->pending_reason = read_pending_reason(r, &j);
    m->actor_id = r->user.id;
    m->may_assign_pending = wh_rbac_allows(r->user.role, WH_PERM_CARRIERS_ASSIGN_PENDING);
    return wh_jin_done(&j);
}

/* Looks up the carrier a move to COVERED would assign; *found false when there is none. */
static wh_err find_carrier(wh_req *r, wh_conn *c, int64_t id, wh_carrier *out, bool *found,
                           wh_error *e)
{
    wh_error miss;
    *found = false;
    if (id == 0)
        return WH_OK;
    wh_error_init(&miss);
    wh_err rc = wh_carrier_get(c, &r->arena, id, out, &miss);
    *found = rc == WH_OK;
    if (rc == WH_OK || rc == WH_ERR_NOT_FOUND) /* no such carrier: the rules say so */
        return WH_OK;
    *e = miss;
    return rc;
}

static wh_err publish_delivered(wh_req *r, wh_conn *c, const wh_load *l, const char *today,
                                wh_error *e)
{
    wh_event ev = {.type = WH_EVENT_LOAD_COMPLETED,
                   .venture_id = l->venture_id,
                   .office_id = l->office_id,
                   .user_id = l->created_by,
                   .key = wh_arena_printf(&r->arena, "load_delivered:%lld", (long long)l->id),
                   .day = today,
                   .at_ms = r->now_ms};
    return wh_events_publish(r->app->events, c, &r->arena, &ev, e);
}

/* Applies the move in the open transaction: the rules, the write, the status history row, the
 * audit, the event. */
static wh_err move(wh_req *r, wh_conn *c, const wh_load *before, const wh_load_move *m,
                   wh_load *after, bool *noop, wh_error *e)
{
    const char *today = today_of(r);
    wh_carrier carrier;
    bool found = false;
    wh_load next = *before;
    wh_err rc = find_carrier(r, c, wh_load_move_carrier_id(before, m), &carrier, &found, e);
    if (rc == WH_OK)
        rc = wh_load_move_apply(&next, m, found ? &carrier : NULL, today, noop, e);
    if (rc != WH_OK || *noop)
        return rc;
    rc = wh_load_update(c, &r->arena, &next, r->now_ms, after, e);
    if (rc == WH_OK && strcmp(before->status, after->status) != 0)
        rc = wh_load_status_record(c, &r->arena, after, before->status, r->now_ms, today, e);
    if (rc == WH_OK)
        rc = wh_audit_change(r, c,
                             &(wh_change){"load.status", "load", after->id, after->venture_id,
                                          wh_load_json(before), wh_load_json(after)},
                             e);
    if (rc == WH_OK && strcmp(after->status, WH_LOAD_COVERED) == 0 && found &&
        !wh_carrier_assignable(&carrier))
        rc = wh_audit_change(
            r, c,
            &(wh_change){"load.assign_pending_carrier", "load", after->id, after->venture_id, NULL,
                         json_pack("{s:I, s:s}", "carrier_id", (json_int_t)carrier.id, "reason",
                                   m->pending_reason)},
            e);
    if (rc == WH_OK && strcmp(after->status, WH_LOAD_DELIVERED) == 0)
        rc = publish_delivered(r, c, after, today, e);
    return rc;
}

static wh_err change_status(wh_req *r, wh_error *e)
{
    wh_load_move m = {0};
    wh_load before, after;
    wh_conn *c = NULL;
    bool noop = false;
    wh_err rc = read_move(r, &m, e);
    if (rc == WH_OK)
        rc = load_of_path(r, true, &c, &before, e);
    if (rc == WH_OK)
        rc = move(r, c, &before, &m, &after, &noop, e);
    if (rc != WH_OK)
        return rc;
    if (noop) {
        wh_db_rollback(c); /* same -> same: nothing written, nothing audited */
        return wh_resp_json(r, 200, wh_load_json(&before));
    }
    return wh_req_commit(r, c, 200, wh_load_json(&after), e);
}

/* ?from= / ?to=: a calendar day, or absent. */
static wh_err query_day(wh_req *r, const char *name, const char **out, wh_error *e)
{
    int y, m, d;
    *out = wh_req_query(r, name);
    if (*out && !wh_clock_parse_date(*out, &y, &m, &d))
        return wh_error_field(e, name, "must be a calendar day YYYY-MM-DD");
    return WH_OK;
}

static wh_err read_filter(wh_req *r, wh_load_filter *f, wh_error *e)
{
    static const char *const ids[] = {"venture_id", "office_id",  "shipper_id",
                                      "carrier_id", "created_by", "dispatcher_id"};
    int64_t *dst[] = {&f->venture_id, &f->office_id,  &f->shipper_id,
                      &f->carrier_id, &f->created_by, &f->dispatcher_id};
    bool present;
    wh_err rc = WH_OK;
    for (size_t i = 0; rc == WH_OK && i < sizeof ids / sizeof ids[0]; i++)
        rc = wh_req_query_id(r, ids[i], dst[i], &present, e);
    const char *status = wh_req_query(r, "status");
    f->status = wh_load_status_find(status);
    if (rc == WH_OK && status && !f->status)
        rc = wh_error_field(e, "status", "is not a load status");
    if (rc == WH_OK)
        rc = query_day(r, "from", &f->from, e);
    if (rc == WH_OK)
        rc = query_day(r, "to", &f->to, e);
    if (rc == WH_OK && f->from && f->to && strcmp(f->from, f->to) > 0)
        rc = wh_error_field(e, "to", "must not be before from");
    const char *ref = wh_req_query(r, "reference");
    if (rc == WH_OK && ref &&
        (strlen(ref) > WH_LIMIT_NAME_CHARS || !wh_str_utf8_valid(ref, strlen(ref))))
        rc = wh_error_field(e, "reference", "must be up to %d characters", WH_LIMIT_NAME_CHARS);
    if (rc == WH_OK && ref && *ref)
        f->reference_like = wh_str_like_pattern(&r->arena, ref);
    return rc;
}

/* GET /loads: a page of the loads in scope that pass the filters; a venture or office filter
 * outside the scope is 403. */
static wh_err list(wh_req *r, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_load_filter f = {0};
    wh_conn *c = NULL;
    wh_err rc = wh_page_parse(r, &loads, &pg, e);
    if (rc == WH_OK)
        rc = read_filter(r, &f, e);
    if (rc == WH_OK)
        rc = wh_req_db(r, &c, e);
    if (rc == WH_OK && f.venture_id)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, f.venture_id, e);
    if (rc == WH_OK && f.office_id)
        rc = wh_scope_check_office(c, &r->arena, &r->user, f.office_id, NULL, e);
    if (rc != WH_OK)
        return rc;
    wh_load_list_sql(&r->user, &f, &pg.ks, &b);
    /* the busiest list: its rows go straight to text (the same bytes as wh_load_row_json) */
    return wh_resp_list_text(r, c, &pg, &b, wh_load_row_text, e);
}

static const wh_route routes[] = {
    {"GET", "/api/v1/loads", list, WH_PERM_FREIGHT_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/loads", create, WH_PERM_FREIGHT_WRITE, WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT,
     NULL},
    {"GET", "/api/v1/loads/{id}", get, WH_PERM_FREIGHT_READ, WH_RATE_READ, 0, NULL},
    {"GET", "/api/v1/loads/{id}/history", history, WH_PERM_FREIGHT_READ, WH_RATE_READ, WH_ROUTE_CSV,
     NULL},
    {"PATCH", "/api/v1/loads/{id}", patch, WH_PERM_FREIGHT_WRITE, WH_RATE_WRITE, 0, NULL},
    {"POST", "/api/v1/loads/{id}/status", change_status, WH_PERM_FREIGHT_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
};

const wh_route *wh_loads_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
