/* Hospitality routes (API.md "Hospitality"). Handlers validate, call the store inside one
 * transaction that also writes the audit entry and, for the gamification triggers of DOMAIN.md
 * §6, publishes the domain event, and render.
 *
 * Scope: a hotel, review or dispute id outside the caller's scope answers 404 like a missing
 * one, on every route below it; a venture_id in a query or body outside it answers 403. */
#include "hotels/hotels.h"
#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/str.h"
#include "events/events.h"
#include "http/http.h"

#include <string.h>

/* ----------------------------------------------------------------- helpers */

static const char *const hotels_fields[] = {"id",   "venture_id", "name",   "code", "rooms",
                                            "city", "state",      "status", NULL};
static const wh_list hotels = {"hotels", WH_KEY_ID, 0, 0, wh_hotel_row_json, hotels_fields};
static const char *const reviews_fields[] = {
    "id",          "hotel_id",      "source",       "rating",       "text",
    "review_date", "response_text", "responded_by", "responded_at", NULL};
static const wh_list reviews = {"hotel_reviews",          WH_KEY_TEXT,   6, 0,
                                wh_hotel_review_row_json, reviews_fields};
static const char *const disputes_fields[] = {
    "id",        "hotel_id", "type",     "channel",         "amount_cents",
    "opened_on", "status",   "owner_id", "resolution_note", NULL};
static const wh_list disputes = {"hotel_disputes",          WH_KEY_ID,      0, 0,
                                 wh_hotel_dispute_row_json, disputes_fields};

/* Publishes a gamification trigger (DOMAIN.md §6) about the record entity:id (its key, one per
 * record) inside the open transaction on c. */
static wh_err publish(wh_req *r, wh_conn *c, const char *type, int64_t venture_id, int64_t user_id,
                      const char *entity, int64_t id, wh_error *e)
{
    char day[11];
    wh_clock_day_of(r->now_ms, day, sizeof day);
    wh_event ev = {.type = type,
                   .venture_id = venture_id,
                   .office_id = 0,
                   .user_id = user_id,
                   .key = wh_arena_printf(&r->arena, "%s:%lld", entity, (long long)id),
                   .day = day,
                   .at_ms = r->now_ms};
    return wh_events_publish(r->app->events, c, &r->arena, &ev, e);
}

/* A null given for a field that may not be null (PATCH: null never means "unchanged"). */
static void refuse_null(wh_jin *j, const char *const *keys)
{
    for (; *keys; keys++)
        if (wh_jin_is_null(j, *keys)) {
            j->bad = true;
            (void)wh_error_field(j->e, *keys, "must not be null");
        }
}

/* A day given in a query parameter or the path: NULL when absent, 400 when malformed. */
static wh_err day_param(const char *value, const char *field, const char **out, wh_error *e)
{
    int y, m, d;
    *out = value;
    if (value && !wh_clock_parse_date(value, &y, &m, &d))
        return wh_error_field(e, field, "must be a day, YYYY-MM-DD");
    return WH_OK;
}

/* ------------------------------------------------------------------ hotels */

static wh_err read_hotel(wh_req *r, bool create, wh_hotel_input *in, wh_error *e)
{
    static const char *const fields[] = {"venture_id", "name",  "code",   "rooms",
                                         "city",       "state", "status", NULL};
    static const char *const not_null[] = {"name", "code", "rooms", "status", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    if (create) {
        in->venture_id = wh_jin_int(&j, "venture_id", true, 1, INT64_MAX, 0);
    } else {
        refuse_null(&j, not_null);
        if (wh_jin_has(&j, "venture_id")) {
            j.bad = true;
            (void)wh_error_field(e, "venture_id", "cannot be changed");
        }
    }
    in->name = wh_jin_str(&j, "name", create, 1, WH_LIMIT_NAME_CHARS);
    in->code = wh_jin_str(&j, "code", create, 1, WH_LIMIT_CODE_CHARS);
    in->rooms = wh_jin_int(&j, "rooms", create, 1, WH_HOTELS_ROOMS_MAX, 0);
    in->has_city = wh_jin_has(&j, "city");
    in->city = wh_jin_str(&j, "city", false, 0, WH_LIMIT_CITY_CHARS);
    in->has_state = wh_jin_has(&j, "state");
    in->state = wh_jin_str(&j, "state", false, 0, WH_LIMIT_CITY_CHARS);
    in->status = wh_jin_enum(&j, "status", false, wh_hotel_statuses);
    return wh_jin_done(&j);
}

static wh_err hotel_create(wh_req *r, wh_error *e)
{
    wh_hotel_input in = {0};
    wh_hotel h;
    wh_conn *c = NULL;
    wh_err rc = read_hotel(r, true, &in, e);
    if (rc == WH_OK)
        rc = wh_req_begin(r, &c, e);
    if (rc == WH_OK)
        rc = wh_scope_check_venture(c, &r->arena, &r->user, in.venture_id, e);
    if (rc == WH_OK)
        rc = wh_hotel_create(c, &r->arena, &in, r->now_ms, &h, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(
        r, c, 201,
        &(wh_change){"hotel.create", "hotel", h.id, h.venture_id, NULL, wh_hotel_json(&h)}, e);
}

/* The hotel of the path, 404 when missing or outside the scope. For a write (write true) the
 * transaction is opened first, so the hotel read is the one the write sees. */
static wh_err path_hotel(wh_req *r, bool write, wh_conn **c, wh_hotel *h, wh_error *e)
{
    int64_t id;
    wh_err rc = wh_req_open(r, write, c, &id, e);
    if (rc == WH_OK)
        rc = wh_hotel_get(*c, &r->arena, &r->user, id, h, e);
    return rc;
}

static wh_err hotel_get(wh_req *r, wh_error *e)
{
    wh_hotel h;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, false, &c, &h, e);
    return rc == WH_OK ? wh_resp_json(r, 200, wh_hotel_json(&h)) : rc;
}

static wh_err hotel_patch(wh_req *r, wh_error *e)
{
    wh_hotel_input in = {0};
    wh_hotel before, after;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, true, &c, &before, e);
    if (rc == WH_OK)
        rc = read_hotel(r, false, &in, e);
    if (rc == WH_OK)
        rc = wh_hotel_update(c, &r->arena, before.id, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"hotel.update", "hotel", after.id, after.venture_id,
                                        wh_hotel_json(&before), wh_hotel_json(&after)},
                           e);
}

static wh_err hotel_list(wh_req *r, wh_error *e)
{
    return wh_resp_venture_list(r, &hotels, wh_hotel_list_sql, e);
}

/* ----------------------------------------------------------- daily entries */

/* The entry of the body (PUT replaces the whole entry: an omitted optional field is reset to
 * its default), for the hotel h and the day of the path. */
static wh_err read_daily(wh_req *r, const wh_hotel *h, wh_hotel_daily *d, wh_error *e)
{
    static const char *const fields[] = {"rooms_sold",         "rooms_available",
                                         "room_revenue_cents", "other_revenue_cents",
                                         "cash_cents",         "credit_cents",
                                         "online_cents",       "refund_cents",
                                         "lost_dues_cents",    NULL};
    const int64_t max = WH_HOTELS_CENTS_MAX;
    wh_jin j;
    wh_err rc = day_param(r->params[1], "date", &d->date, e);
    if (rc == WH_OK && !wh_clock_day_near(d->date, r->now_ms))
        rc = wh_error_field(e, "date", "must not be more than %d day after today",
                            WH_LIMIT_DAYS_AHEAD);
    if (rc == WH_OK)
        rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    d->hotel_id = h->id;
    d->venture_id = h->venture_id;
    int errors = e->nfields;
    d->rooms_sold = wh_jin_int(&j, "rooms_sold", true, 0, WH_HOTELS_ROOMS_MAX, 0);
    d->rooms_available = wh_jin_int(&j, "rooms_available", false, 1, WH_HOTELS_ROOMS_MAX, h->rooms);
    bool rooms_valid = e->nfields == errors;
    d->room_revenue_cents = wh_jin_int(&j, "room_revenue_cents", true, 0, max, 0);
    d->other_revenue_cents = wh_jin_int(&j, "other_revenue_cents", false, 0, max, 0);
    d->cash_cents = wh_jin_int(&j, "cash_cents", false, 0, max, 0);
    d->credit_cents = wh_jin_int(&j, "credit_cents", false, 0, max, 0);
    d->online_cents = wh_jin_int(&j, "online_cents", false, 0, max, 0);
    d->refund_cents = wh_jin_int(&j, "refund_cents", false, 0, max, 0);
    d->lost_dues_cents = wh_jin_int(&j, "lost_dues_cents", false, 0, max, 0);
    /* the cross-field rule only once both room counts are valid on their own */
    if (rooms_valid && !wh_hotel_daily_check(d, e))
        j.bad = true;
    return wh_jin_done(&j);
}

static wh_err daily_put(wh_req *r, wh_error *e)
{
    wh_hotel h;
    wh_hotel_daily in = {0}, before, after;
    bool existed = false;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, true, &c, &h, e);
    if (rc == WH_OK)
        rc = read_daily(r, &h, &in, e);
    if (rc == WH_OK) /* two PUTs of one hotel: the second sees the first's row */
        rc = wh_hotel_daily_lock(c, h.id, e);
    if (rc == WH_OK)
        rc = wh_hotel_daily_find(c, &r->arena, h.id, in.date, &before, &existed, e);
    if (rc == WH_OK)
        rc = wh_hotel_daily_upsert(c, &r->arena, &in, r->now_ms, &after, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, existed ? 200 : 201,
                           &(wh_change){existed ? "hotel_daily.update" : "hotel_daily.create",
                                        "hotel_daily", after.id, h.venture_id,
                                        existed ? wh_hotel_daily_json(&before) : NULL,
                                        wh_hotel_daily_json(&after)},
                           e);
}

static wh_err read_range(wh_req *r, const char **from, const char **to, wh_error *e)
{
    wh_err rc = day_param(wh_req_query(r, "from"), "from", from, e);
    if (rc == WH_OK)
        rc = day_param(wh_req_query(r, "to"), "to", to, e);
    if (rc == WH_OK && *from && *to && strcmp(*from, *to) > 0)
        return wh_error_field(e, "to", "must not be before from");
    return rc;
}

static wh_err daily_list(wh_req *r, wh_error *e)
{
    /* bound to one hotel's list (hotel_daily:<id>); the cursor carries the hotel's id */
    static const char *const daily_fields[] = {"hotel_id",           "date",
                                               "rooms_sold",         "rooms_available",
                                               "room_revenue_cents", "other_revenue_cents",
                                               "cash_cents",         "credit_cents",
                                               "online_cents",       "refund_cents",
                                               "lost_dues_cents",    "occupancy_bp",
                                               "adr_cents",          "revpar_cents",
                                               "high_loss",          NULL};
    wh_list daily = {"", WH_KEY_TEXT, 3, 1, wh_hotel_daily_row_json, daily_fields};
    wh_page pg;
    wh_sqlb b;
    wh_hotel h;
    const char *from = NULL, *to = NULL;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, false, &c, &h, e);
    if (rc == WH_OK)
        daily.name = wh_arena_printf(&r->arena, "hotel_daily:%lld", (long long)h.id);
    if (rc == WH_OK)
        rc = wh_page_parse(r, &daily, &pg, e);
    if (rc == WH_OK)
        rc = read_range(r, &from, &to, e);
    if (rc != WH_OK)
        return rc;
    wh_hotel_daily_list_sql(&r->user, h.id, from, to, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* The statement of a page ks of one hotel's reviews or disputes (hotels.h). */
typedef void hotel_list_sql(const wh_principal *p, int64_t hotel_id, const wh_keyset *ks,
                            wh_sqlb *b);

/* GET /hotels/{id}/reviews and /disputes: a page of the path hotel's list l, built by sql. */
static wh_err hotel_sublist(wh_req *r, const wh_list *l, hotel_list_sql *sql, wh_error *e)
{
    wh_page pg;
    wh_sqlb b;
    wh_hotel h;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, false, &c, &h, e);
    if (rc == WH_OK)
        rc = wh_page_parse(r, l, &pg, e);
    if (rc != WH_OK)
        return rc;
    sql(&r->user, h.id, &pg.ks, &b);
    return wh_resp_list(r, c, &pg, &b, e);
}

/* ----------------------------------------------------------------- reviews */

/* A new review of the hotel h. */
static wh_err read_review(wh_req *r, const wh_hotel *h, wh_hotel_review *in, wh_error *e)
{
    static const char *const fields[] = {"source", "rating", "text", "review_date", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    in->hotel_id = h->id;
    in->venture_id = h->venture_id;
    in->source = wh_jin_enum(&j, "source", true, wh_hotel_review_sources);
    in->rating = wh_jin_int(&j, "rating", true, 1, 5, 0);
    in->text = wh_jin_str(&j, "text", false, 0, WH_HOTELS_TEXT_CHARS);
    const char *day = wh_jin_str(&j, "review_date", true, 1, 32);
    if (day && day_param(day, "review_date", &in->review_date, e) != WH_OK)
        j.bad = true;
    return wh_jin_done(&j);
}

static wh_err review_create(wh_req *r, wh_error *e)
{
    wh_hotel h;
    wh_hotel_review in = {0}, out;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, true, &c, &h, e);
    if (rc == WH_OK)
        rc = read_review(r, &h, &in, e);
    if (rc == WH_OK)
        rc = wh_hotel_review_create(c, &r->arena, &in, r->now_ms, &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"hotel_review.create", "hotel_review", out.id,
                                        out.venture_id, NULL, wh_hotel_review_json(&out)},
                           e);
}

static wh_err review_list(wh_req *r, wh_error *e)
{
    return hotel_sublist(r, &reviews, wh_hotel_review_list_sql, e);
}

/* True when s holds something other than blanks. */
static bool has_content(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return true;
    return false;
}

static wh_err read_response(wh_req *r, const char **text, wh_error *e)
{
    static const char *const fields[] = {"response_text", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    *text = wh_jin_str(&j, "response_text", true, 1, WH_HOTELS_TEXT_CHARS);
    if (*text && !has_content(*text)) {
        j.bad = true;
        (void)wh_error_field(e, "response_text", "must not be blank");
    }
    return wh_jin_done(&j);
}

static wh_err review_respond(wh_req *r, wh_error *e)
{
    int64_t id;
    const char *text = NULL;
    wh_hotel_review before, after;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, true, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_hotel_review_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = read_response(r, &text, e);
    if (rc == WH_OK)
        rc = wh_hotel_review_respond(c, &r->arena, id, text, r->user.id, r->now_ms, &after, e);
    if (rc == WH_OK)
        rc = publish(r, c, WH_EVENT_HOTEL_REVIEW_RESPONDED, after.venture_id, r->user.id,
                     "hotel_review", id, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"hotel_review.respond", "hotel_review", id,
                                        after.venture_id, wh_hotel_review_json(&before),
                                        wh_hotel_review_json(&after)},
                           e);
}

/* ---------------------------------------------------------------- disputes */

/* Checks that the owner given (when not 0) may own a dispute of venture_id: 400 otherwise. */
static wh_err check_owner(wh_req *r, wh_conn *c, int64_t venture_id, int64_t owner_id, wh_error *e)
{
    wh_hotel_owner_facts f;
    if (owner_id == 0)
        return WH_OK;
    wh_err rc = wh_hotel_owner_facts_get(c, &r->arena, venture_id, owner_id, &f, e);
    if (rc == WH_OK && !wh_hotel_owner_eligible(&f))
        return wh_error_field(e, "owner_id",
                              "must be an active user who is a member of the hotel's venture"
                              " or sees every venture");
    return rc;
}

/* opened_on: a day not after today (DOMAIN-wave2 §4); NULL when absent. */
static const char *read_opened_on(wh_req *r, wh_jin *j)
{
    char today[11];
    const char *day = wh_jin_day(j, "opened_on", false);
    wh_clock_day_of(r->now_ms, today, sizeof today);
    if (day && strcmp(day, today) > 0) {
        j->bad = true;
        (void)wh_error_field(j->e, "opened_on", "must not be after today (%s)", today);
        return NULL;
    }
    return day;
}

/* A new dispute of the hotel h; opened today unless the body says otherwise. */
static wh_err read_dispute(wh_req *r, const wh_hotel *h, wh_hotel_dispute *in, wh_error *e)
{
    static const char *const fields[] = {
        "type", "channel", "amount_cents", "owner_id", "resolution_note", "opened_on", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    in->hotel_id = h->id;
    in->venture_id = h->venture_id;
    in->type = wh_jin_str(&j, "type", true, 1, WH_HOTELS_LABEL_CHARS);
    in->channel = wh_jin_str(&j, "channel", false, 0, WH_HOTELS_LABEL_CHARS);
    in->amount_cents = wh_jin_int(&j, "amount_cents", true, 0, WH_HOTELS_CENTS_MAX, 0);
    in->owner_id = wh_jin_int(&j, "owner_id", false, 1, INT64_MAX, 0);
    in->resolution_note = wh_jin_str(&j, "resolution_note", false, 0, WH_HOTELS_TEXT_CHARS);
    in->opened_on = read_opened_on(r, &j);
    if (!in->opened_on) {
        char *today = wh_arena_alloc(&r->arena, 11);
        wh_clock_day_of(r->now_ms, today, 11);
        in->opened_on = today;
    }
    return wh_jin_done(&j);
}

static wh_err dispute_create(wh_req *r, wh_error *e)
{
    wh_hotel h;
    wh_hotel_dispute in = {0}, out;
    wh_conn *c = NULL;
    wh_err rc = path_hotel(r, true, &c, &h, e);
    if (rc == WH_OK)
        rc = read_dispute(r, &h, &in, e);
    if (rc == WH_OK)
        rc = check_owner(r, c, h.venture_id, in.owner_id, e);
    if (rc == WH_OK)
        rc = wh_hotel_dispute_create(c, &r->arena, &in, r->now_ms, &out, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 201,
                           &(wh_change){"hotel_dispute.create", "hotel_dispute", out.id,
                                        out.venture_id, NULL, wh_hotel_dispute_json(&out)},
                           e);
}

static wh_err read_dispute_patch(wh_req *r, wh_hotel_dispute_patch *in, wh_error *e)
{
    static const char *const fields[] = {"status", "owner_id", "resolution_note", "opened_on",
                                         NULL};
    static const char *const not_null[] = {"status", "opened_on", NULL};
    wh_jin j;
    wh_err rc = wh_req_jin(r, &j, fields, e);
    if (rc != WH_OK)
        return rc;
    refuse_null(&j, not_null);
    in->has_status = wh_jin_has(&j, "status");
    in->status = wh_jin_enum(&j, "status", false, wh_hotel_dispute_statuses);
    in->has_owner = wh_jin_has(&j, "owner_id");
    in->owner_id = wh_jin_int(&j, "owner_id", false, 1, INT64_MAX, 0);
    in->has_note = wh_jin_has(&j, "resolution_note");
    in->note = wh_jin_str(&j, "resolution_note", false, 0, WH_HOTELS_TEXT_CHARS);
    in->opened_on = read_opened_on(r, &j);
    return wh_jin_done(&j);
}

/* DOMAIN.md §6: a dispute that this change moved (status or owner) and that is now resolved
 * with an owner earns its owner HOTEL_DISPUTE_RESOLVED. The event is published each time; its
 * key (one per dispute) lets the consumer award it once, whatever the status. */
static bool earns_resolution(const wh_hotel_dispute *before, const wh_hotel_dispute *after)
{
    bool moved = strcmp(before->status, after->status) != 0 || before->owner_id != after->owner_id;
    return moved && after->owner_id != 0 && wh_hotel_dispute_resolved(after->status);
}

static wh_err dispute_patch(wh_req *r, wh_error *e)
{
    wh_hotel_dispute_patch in = {0};
    wh_hotel_dispute before, after;
    int64_t id;
    wh_conn *c = NULL;
    wh_err rc = wh_req_open(r, true, &c, &id, e);
    if (rc == WH_OK)
        rc = wh_hotel_dispute_get(c, &r->arena, &r->user, id, &before, e);
    if (rc == WH_OK)
        rc = read_dispute_patch(r, &in, e);
    if (rc == WH_OK && in.has_owner)
        rc = check_owner(r, c, before.venture_id, in.owner_id, e);
    if (rc == WH_OK)
        rc = wh_hotel_dispute_update(c, &r->arena, id, &in, r->now_ms, &after, e);
    if (rc == WH_OK && earns_resolution(&before, &after))
        rc = publish(r, c, WH_EVENT_HOTEL_DISPUTE_RESOLVED, after.venture_id, after.owner_id,
                     "hotel_dispute", id, e);
    if (rc != WH_OK)
        return rc;
    return wh_audit_commit(r, c, 200,
                           &(wh_change){"hotel_dispute.update", "hotel_dispute", id,
                                        after.venture_id, wh_hotel_dispute_json(&before),
                                        wh_hotel_dispute_json(&after)},
                           e);
}

static wh_err dispute_list(wh_req *r, wh_error *e)
{
    return hotel_sublist(r, &disputes, wh_hotel_dispute_list_sql, e);
}

/* ------------------------------------------------------------------ routes */

static const wh_route routes[] = {
    {"GET", "/api/v1/hotels", hotel_list, WH_PERM_HOTELS_READ, WH_RATE_READ, WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/hotels", hotel_create, WH_PERM_HOTELS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/hotels/{id}", hotel_get, WH_PERM_HOTELS_READ, WH_RATE_READ, 0, NULL},
    {"PATCH", "/api/v1/hotels/{id}", hotel_patch, WH_PERM_HOTELS_WRITE, WH_RATE_WRITE, 0, NULL},
    {"PUT", "/api/v1/hotels/{id}/daily/{date}", daily_put, WH_PERM_HOTELS_WRITE, WH_RATE_WRITE, 0,
     NULL},
    {"GET", "/api/v1/hotels/{id}/daily", daily_list, WH_PERM_HOTELS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"GET", "/api/v1/hotels/{id}/reviews", review_list, WH_PERM_HOTELS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/hotels/{id}/reviews", review_create, WH_PERM_HOTELS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"POST", "/api/v1/hotel-reviews/{id}/response", review_respond, WH_PERM_HOTELS_RESPOND,
     WH_RATE_WRITE, WH_ROUTE_IDEMPOTENT, NULL},
    {"GET", "/api/v1/hotels/{id}/disputes", dispute_list, WH_PERM_HOTELS_READ, WH_RATE_READ,
     WH_ROUTE_CSV, NULL},
    {"POST", "/api/v1/hotels/{id}/disputes", dispute_create, WH_PERM_HOTELS_WRITE, WH_RATE_WRITE,
     WH_ROUTE_IDEMPOTENT, NULL},
    {"PATCH", "/api/v1/hotel-disputes/{id}", dispute_patch, WH_PERM_HOTELS_WRITE, WH_RATE_WRITE, 0,
     NULL},
};

const wh_route *wh_hotels_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
