/* SQL for hotels, daily entries, reviews and disputes, and their JSON shapes. Every read by id
 * and every list filters by the caller's scope in SQL (WH_SCOPE_SQL on the row's own
 * venture_id), so a foreign row is "not found" and a list never holds one. Lists are keyset
 * pages, newest first: daily entries by date, reviews by (review_date, id), hotels and disputes
 * by id. */
#include "hotels/hotels.h"
#include "core/json.h"

#include <string.h>

/* One column list per table, unqualified: the same for SELECT and RETURNING (which may not name
 * an alias on SQLite), so the main table of a statement is never aliased. */
#define HOTEL_COLS "id, venture_id, name, code, rooms, city, state, status"
#define DAILY_COLS                                                                                 \
    "id, hotel_id, venture_id, date, rooms_sold, rooms_available, room_revenue_cents,"             \
    " other_revenue_cents, cash_cents, credit_cents, online_cents, refund_cents, lost_dues_cents"
#define REVIEW_COLS                                                                                \
    "id, hotel_id, venture_id, source, rating, text, review_date, response_text, responded_by,"    \
    " responded_at"
#define DISPUTE_COLS                                                                               \
    "id, hotel_id, venture_id, type, channel, amount_cents, status, owner_id, resolution_note,"    \
    " opened_on"

/* The row of table with the id $3, in the scope of ($1 all ventures, $2 user): get_scoped's
 * statement. */
#define SCOPED_GET(cols, table)                                                                    \
    "SELECT " cols " FROM " table                                                                  \
    " WHERE id = $3 AND " WH_SCOPE_SQL(table ".venture_id", "$1", "$2")

static wh_err get_scoped(wh_conn *c, wh_arena *a, const char *sql, const wh_principal *p,
                         int64_t id, wh_rows **r, wh_error *e)
{
    return wh_db_query(c, a, sql, WH_ARGS(WH_PB(p->all_ventures), WH_PI(p->id), WH_PI(id)), r, e);
}

/* ------------------------------------------------------------------ hotels */

static void hotel_row(const wh_rows *r, size_t i, wh_hotel *h)
{
    WH_ROWS_READ(r, i, WH_CELL(&h->id), WH_CELL(&h->venture_id), WH_CELL(&h->name),
                 WH_CELL(&h->code), WH_CELL(&h->rooms), WH_CELL(&h->city), WH_CELL(&h->state),
                 WH_CELL(&h->status));
}

static wh_err one_hotel(wh_err rc, const wh_rows *r, wh_hotel *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such hotel.", "A hotel with this code already exists.", e);
    if (rc == WH_OK)
        hotel_row(r, 0, out);
    return rc;
}

wh_err wh_hotel_create(wh_conn *c, wh_arena *a, const wh_hotel_input *in, int64_t now_ms,
                       wh_hotel *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc =
        wh_db_query(c, a,
                    "INSERT INTO hotels (venture_id, name, code, rooms, city, state, status,"
                    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
                    " RETURNING " HOTEL_COLS,
                    WH_ARGS(WH_PI(in->venture_id), WH_PT(in->name), WH_PT(in->code),
                            WH_PI(in->rooms), WH_PT(in->city), WH_PT(in->state),
                            WH_PT(in->status ? in->status : "ACTIVE"), WH_PI(now_ms)),
                    &r, e);
    return one_hotel(rc, r, out, e);
}

wh_err wh_hotel_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id, wh_hotel *out,
                    wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = get_scoped(c, a, SCOPED_GET(HOTEL_COLS, "hotels"), p, id, &r, e);
    return one_hotel(rc, r, out, e);
}

wh_err wh_hotel_update(wh_conn *c, wh_arena *a, int64_t id, const wh_hotel_input *in,
                       int64_t now_ms, wh_hotel *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE hotels SET name = COALESCE($2, name), code = COALESCE($3, code), rooms = CASE WHEN"
        " $4 = 0 THEN rooms ELSE $4 END, city = CASE WHEN $5 THEN $6 ELSE city END, state = CASE"
        " WHEN $7 THEN $8 ELSE state END, status = COALESCE($9, status), updated_at = $10"
        " WHERE id = $1 RETURNING " HOTEL_COLS,
        WH_ARGS(WH_PI(id), WH_PT(in->name), WH_PT(in->code), WH_PI(in->rooms), WH_PB(in->has_city),
                WH_PT(in->city), WH_PB(in->has_state), WH_PT(in->state), WH_PT(in->status),
                WH_PI(now_ms)),
        &r, e);
    return one_hotel(rc, r, out, e);
}

void wh_hotel_list_sql(const wh_principal *p, int64_t venture_id, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " HOTEL_COLS " FROM hotels");
    WH_SQLB_SCOPE_VENTURE(b, p, "hotels.venture_id", venture_id);
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_hotel_row_json, wh_hotel, hotel_row, wh_hotel_json)

json_t *wh_hotel_json(const wh_hotel *h)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:s}", "id", (json_int_t)h->id,
                     "venture_id", (json_int_t)h->venture_id, "name", h->name, "code", h->code,
                     "rooms", (json_int_t)h->rooms, "city", wh_json_str_or_null(h->city), "state",
                     wh_json_str_or_null(h->state), "status", h->status);
}

/* ----------------------------------------------------------- daily entries */

static void daily_row(const wh_rows *r, size_t i, wh_hotel_daily *d)
{
    WH_ROWS_READ(r, i, WH_CELL(&d->id), WH_CELL(&d->hotel_id), WH_CELL(&d->venture_id),
                 WH_CELL(&d->date), WH_CELL(&d->rooms_sold), WH_CELL(&d->rooms_available),
                 WH_CELL(&d->room_revenue_cents), WH_CELL(&d->other_revenue_cents),
                 WH_CELL(&d->cash_cents), WH_CELL(&d->credit_cents), WH_CELL(&d->online_cents),
                 WH_CELL(&d->refund_cents), WH_CELL(&d->lost_dues_cents));
}

wh_err wh_hotel_daily_lock(wh_conn *c, int64_t hotel_id, wh_error *e)
{
    return wh_db_lock(c, WH_HOTELS_DAILY_LOCK_BASE + hotel_id, e);
}

wh_err wh_hotel_daily_find(wh_conn *c, wh_arena *a, int64_t hotel_id, const char *date,
                           wh_hotel_daily *out, bool *found, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT " DAILY_COLS " FROM hotel_daily WHERE hotel_id = $1 AND"
                            " date = $2",
                            WH_ARGS(WH_PI(hotel_id), WH_PT(date)), &r, e);
    *found = rc == WH_OK && wh_rows_count(r) == 1;
    if (*found)
        daily_row(r, 0, out);
    return rc;
}

wh_err wh_hotel_daily_upsert(wh_conn *c, wh_arena *a, const wh_hotel_daily *d, int64_t now_ms,
                             wh_hotel_daily *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO hotel_daily (hotel_id, venture_id, date, rooms_sold, rooms_available,"
        " room_revenue_cents, other_revenue_cents, cash_cents, credit_cents, online_cents,"
        " refund_cents, lost_dues_cents, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6,"
        " $7, $8, $9, $10, $11, $12, $13, $13) ON CONFLICT (hotel_id, date) DO UPDATE SET"
        " rooms_sold = excluded.rooms_sold, rooms_available = excluded.rooms_available,"
        " room_revenue_cents = excluded.room_revenue_cents, other_revenue_cents ="
        " excluded.other_revenue_cents, cash_cents = excluded.cash_cents, credit_cents ="
        " excluded.credit_cents, online_cents = excluded.online_cents, refund_cents ="
        " excluded.refund_cents, lost_dues_cents = excluded.lost_dues_cents, updated_at ="
        " excluded.updated_at RETURNING " DAILY_COLS,
        WH_ARGS(WH_PI(d->hotel_id), WH_PI(d->venture_id), WH_PT(d->date), WH_PI(d->rooms_sold),
                WH_PI(d->rooms_available), WH_PI(d->room_revenue_cents),
                WH_PI(d->other_revenue_cents), WH_PI(d->cash_cents), WH_PI(d->credit_cents),
                WH_PI(d->online_cents), WH_PI(d->refund_cents), WH_PI(d->lost_dues_cents),
                WH_PI(now_ms)),
        &r, e);
    if (rc == WH_OK)
        daily_row(r, 0, out);
    return rc;
}

void wh_hotel_daily_list_sql(const wh_principal *p, int64_t hotel_id, const char *from,
                             const char *to, const wh_keyset *ks, wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " DAILY_COLS " FROM hotel_daily");
    wh_sqlb_and(b, "hotel_id = ?", WH_PI(hotel_id));
    WH_SQLB_SCOPE(b, p, "hotel_daily.venture_id");
    wh_sqlb_and_text(b, "date >= ?", from);
    wh_sqlb_and_text(b, "date <= ?", to);
    /* the date is unique within the hotel and the cursors carry the hotel's id: (date, hotel_id)
     * orders one hotel's entries as the date alone does */
    wh_sqlb_page(b, "date", "hotel_id", true, ks);
}

WH_ROW_JSON(wh_hotel_daily_row_json, wh_hotel_daily, daily_row, wh_hotel_daily_json)

json_t *wh_hotel_daily_json(const wh_hotel_daily *d)
{
    wh_hotel_figures f;
    wh_hotel_daily_derive(d, &f);
    json_t *o = json_pack("{s:I, s:s}", "hotel_id", (json_int_t)d->hotel_id, "date", d->date);
    const struct {
        const char *key;
        int64_t value;
    } ints[] = {{"rooms_sold", d->rooms_sold},
                {"rooms_available", d->rooms_available},
                {"room_revenue_cents", d->room_revenue_cents},
                {"other_revenue_cents", d->other_revenue_cents},
                {"cash_cents", d->cash_cents},
                {"credit_cents", d->credit_cents},
                {"online_cents", d->online_cents},
                {"refund_cents", d->refund_cents},
                {"lost_dues_cents", d->lost_dues_cents},
                {"occupancy_bp", f.occupancy_bp}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        json_object_set_new(o, ints[i].key, json_integer(ints[i].value));
    /* the shape's order (API.md), which the CSV export's header follows */
    json_object_set_new(o, "adr_cents", f.has_adr ? json_integer(f.adr_cents) : json_null());
    json_object_set_new(o, "revpar_cents", json_integer(f.revpar_cents));
    json_object_set_new(o, "high_loss", json_boolean(f.high_loss));
    return o;
}

/* ----------------------------------------------------------------- reviews */

static void review_row(const wh_rows *r, size_t i, wh_hotel_review *v)
{
    WH_ROWS_READ(r, i, WH_CELL(&v->id), WH_CELL(&v->hotel_id), WH_CELL(&v->venture_id),
                 WH_CELL(&v->source), WH_CELL(&v->rating), WH_CELL(&v->text),
                 WH_CELL(&v->review_date), WH_CELL(&v->response_text), WH_CELL(&v->responded_by),
                 WH_CELL(&v->responded_at));
}

static wh_err one_review(wh_err rc, const wh_rows *r, wh_hotel_review *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such review.", NULL, e);
    if (rc == WH_OK)
        review_row(r, 0, out);
    return rc;
}

wh_err wh_hotel_review_create(wh_conn *c, wh_arena *a, const wh_hotel_review *in, int64_t now_ms,
                              wh_hotel_review *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO hotel_reviews (hotel_id, venture_id, source, rating, text,"
        " review_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
        " RETURNING " REVIEW_COLS,
        WH_ARGS(WH_PI(in->hotel_id), WH_PI(in->venture_id), WH_PT(in->source), WH_PI(in->rating),
                WH_PT(in->text), WH_PT(in->review_date), WH_PI(now_ms)),
        &r, e);
    return one_review(rc, r, out, e);
}

wh_err wh_hotel_review_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                           wh_hotel_review *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = get_scoped(c, a, SCOPED_GET(REVIEW_COLS, "hotel_reviews"), p, id, &r, e);
    return one_review(rc, r, out, e);
}

wh_err wh_hotel_review_respond(wh_conn *c, wh_arena *a, int64_t id, const char *text,
                               int64_t user_id, int64_t now_ms, wh_hotel_review *out, wh_error *e)
{
    wh_rows *r = NULL;
    /* the condition makes the first answer win, also between concurrent requests */
    wh_err rc = wh_db_query(c, a,
                            "UPDATE hotel_reviews SET response_text = $2, responded_by = $3,"
                            " responded_at = $4, updated_at = $4 WHERE id = $1 AND response_text"
                            " IS NULL RETURNING " REVIEW_COLS,
                            WH_ARGS(WH_PI(id), WH_PT(text), WH_PI(user_id), WH_PI(now_ms)), &r, e);
    if (rc == WH_OK && wh_rows_count(r) == 0)
        return wh_fail(e, WH_ERR_CONFLICT, "Review %lld has already been answered.", (long long)id);
    return one_review(rc, r, out, e);
}

void wh_hotel_review_list_sql(const wh_principal *p, int64_t hotel_id, const wh_keyset *ks,
                              wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " REVIEW_COLS " FROM hotel_reviews");
    wh_sqlb_and(b, "hotel_id = ?", WH_PI(hotel_id));
    WH_SQLB_SCOPE(b, p, "hotel_reviews.venture_id");
    wh_sqlb_page(b, "review_date", "id", true, ks);
}

WH_ROW_JSON(wh_hotel_review_row_json, wh_hotel_review, review_row, wh_hotel_review_json)

json_t *wh_hotel_review_json(const wh_hotel_review *v)
{
    return json_pack("{s:I, s:I, s:s, s:I, s:o, s:s, s:o, s:o, s:o}", "id", (json_int_t)v->id,
                     "hotel_id", (json_int_t)v->hotel_id, "source", v->source, "rating",
                     (json_int_t)v->rating, "text", wh_json_str_or_null(v->text), "review_date",
                     v->review_date, "response_text", wh_json_str_or_null(v->response_text),
                     "responded_by", v->responded_by ? json_integer(v->responded_by) : json_null(),
                     "responded_at", wh_json_time(v->responded_at));
}

/* ---------------------------------------------------------------- disputes */

static void dispute_row(const wh_rows *r, size_t i, wh_hotel_dispute *d)
{
    WH_ROWS_READ(r, i, WH_CELL(&d->id), WH_CELL(&d->hotel_id), WH_CELL(&d->venture_id),
                 WH_CELL(&d->type), WH_CELL(&d->channel), WH_CELL(&d->amount_cents),
                 WH_CELL(&d->status), WH_CELL(&d->owner_id), WH_CELL(&d->resolution_note),
                 WH_CELL(&d->opened_on));
}

static wh_err one_dispute(wh_err rc, const wh_rows *r, wh_hotel_dispute *out, wh_error *e)
{
    rc = wh_rows_one(rc, r, "No such dispute.", NULL, e);
    if (rc == WH_OK)
        dispute_row(r, 0, out);
    return rc;
}

static wh_param owner_param(int64_t owner_id)
{
    return owner_id ? WH_PI(owner_id) : WH_PN;
}

wh_err wh_hotel_dispute_create(wh_conn *c, wh_arena *a, const wh_hotel_dispute *in, int64_t now_ms,
                               wh_hotel_dispute *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "INSERT INTO hotel_disputes (hotel_id, venture_id, type, channel, amount_cents, status,"
        " owner_id, resolution_note, created_at, updated_at, opened_on) VALUES ($1, $2, $3, $4,"
        " $5, 'OPEN', $6, $7, $8, $8, $9) RETURNING " DISPUTE_COLS,
        WH_ARGS(WH_PI(in->hotel_id), WH_PI(in->venture_id), WH_PT(in->type), WH_PT(in->channel),
                WH_PI(in->amount_cents), owner_param(in->owner_id), WH_PT(in->resolution_note),
                WH_PI(now_ms), WH_PT(in->opened_on)),
        &r, e);
    return one_dispute(rc, r, out, e);
}

wh_err wh_hotel_dispute_get(wh_conn *c, wh_arena *a, const wh_principal *p, int64_t id,
                            wh_hotel_dispute *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = get_scoped(c, a, SCOPED_GET(DISPUTE_COLS, "hotel_disputes"), p, id, &r, e);
    return one_dispute(rc, r, out, e);
}

wh_err wh_hotel_dispute_update(wh_conn *c, wh_arena *a, int64_t id,
                               const wh_hotel_dispute_patch *in, int64_t now_ms,
                               wh_hotel_dispute *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(
        c, a,
        "UPDATE hotel_disputes SET status = COALESCE($2, status), owner_id = CASE WHEN $3 THEN $4"
        " ELSE owner_id END, resolution_note = CASE WHEN $5 THEN $6 ELSE resolution_note END,"
        " updated_at = $7, opened_on = COALESCE($8, opened_on) WHERE id = $1"
        " RETURNING " DISPUTE_COLS,
        WH_ARGS(WH_PI(id), WH_PT(in->has_status ? in->status : NULL), WH_PB(in->has_owner),
                owner_param(in->has_owner ? in->owner_id : 0), WH_PB(in->has_note),
                WH_PT(in->has_note ? in->note : NULL), WH_PI(now_ms), WH_PT(in->opened_on)),
        &r, e);
    return one_dispute(rc, r, out, e);
}

void wh_hotel_dispute_list_sql(const wh_principal *p, int64_t hotel_id, const wh_keyset *ks,
                               wh_sqlb *b)
{
    wh_sqlb_init(b, "SELECT " DISPUTE_COLS " FROM hotel_disputes");
    wh_sqlb_and(b, "hotel_id = ?", WH_PI(hotel_id));
    WH_SQLB_SCOPE(b, p, "hotel_disputes.venture_id");
    wh_sqlb_page(b, NULL, "id", true, ks);
}

WH_ROW_JSON(wh_hotel_dispute_row_json, wh_hotel_dispute, dispute_row, wh_hotel_dispute_json)

wh_err wh_hotel_owner_facts_get(wh_conn *c, wh_arena *a, int64_t venture_id, int64_t user_id,
                                wh_hotel_owner_facts *out, wh_error *e)
{
    wh_rows *r = NULL;
    wh_err rc = wh_db_query(c, a,
                            "SELECT u.role, u.active, EXISTS (SELECT 1 FROM venture_users vu WHERE"
                            " vu.user_id = u.id AND vu.venture_id = $2) FROM users u WHERE u.id ="
                            " $1",
                            WH_ARGS(WH_PI(user_id), WH_PI(venture_id)), &r, e);
    memset(out, 0, sizeof *out);
    if (rc != WH_OK || wh_rows_count(r) == 0)
        return rc;
    out->exists = true;
    out->role = wh_rows_text(r, 0, 0);
    out->active = wh_rows_bool(r, 0, 1);
    out->member = wh_rows_bool(r, 0, 2);
    return WH_OK;
}

json_t *wh_hotel_dispute_json(const wh_hotel_dispute *d)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:I, s:o, s:s, s:o, s:o}", "id", (json_int_t)d->id,
                     "hotel_id", (json_int_t)d->hotel_id, "type", d->type, "channel",
                     wh_json_str_or_null(d->channel), "amount_cents", (json_int_t)d->amount_cents,
                     "opened_on", wh_json_str_or_null(d->opened_on), "status", d->status,
                     "owner_id", d->owner_id ? json_integer(d->owner_id) : json_null(),
                     "resolution_note", wh_json_str_or_null(d->resolution_note));
}
